//! How many threads to use.
//!
//! Parallel work in this crate is cut into pieces that depend only on the data, each
//! writing its own output, combined in a fixed order: results are bit-for-bit the same
//! whatever the number of threads.

/// Threads to use: the available parallelism, at most 8.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
}

/// `n` zeros, written: for accumulators that are added to before anything else writes
/// them. `vec![0.0; n]` of a large `n` takes fresh pages from the system untouched; the
/// first `+=` then reads each page, which maps the shared zero page, and the first store
/// must replace it, flushing every other thread's view of it (an interrupt to each other
/// core, page by page). Written first, a page is faulted in once.
pub(crate) fn written_zeros(n: usize) -> Vec<f64> {
    let mut v = Vec::with_capacity(n);
    v.resize(n, 0.0);
    v
}

/// Runs `work` on every item on up to `threads` threads, the caller's among them, each
/// taking the next item nobody has taken; items carry their own outputs, so which thread
/// runs which changes nothing.
///
/// The caller works rather than waits. A thread is placed on a core when it is spawned,
/// while its spawner still runs, so two threads spawned by a caller about to wait can
/// both land on the other core and share it, while the caller's core idles: traced with
/// `perf sched` on two cores, every pass of the Dawid–Skene fit then took twice as long
/// in a fresh process. One thread fewer, and the caller taking items, leaves each core
/// one thread. A panic in `work` is raised again here once the others have stopped.
pub(crate) fn each<T: Send>(items: Vec<T>, threads: usize, work: impl Fn(T) + Sync) {
    let n = items.len();
    if threads <= 1 || n <= 1 {
        items.into_iter().for_each(work);
        return;
    }
    let queue = std::sync::Mutex::new(items.into_iter());
    // A worker that panicked poisons the queue; the others then stop taking items.
    let next = || queue.lock().ok().and_then(|mut q| q.next());
    std::thread::scope(|scope| {
        for _ in 1..threads.min(n) {
            scope.spawn(|| {
                while let Some(item) = next() {
                    work(item);
                }
            });
        }
        while let Some(item) = next() {
            work(item);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every item is worked once whatever the threads, each into its own output.
    #[test]
    fn each_works_every_item_once() {
        for threads in [1, 2, 3, 8] {
            for n in [0, 1, 2, 5, 40] {
                let mut out = vec![0usize; n];
                let items: Vec<(usize, &mut usize)> = out.iter_mut().enumerate().collect();
                each(items, threads, |(i, o)| *o += i + 1);
                assert_eq!(
                    out,
                    (1..=n).collect::<Vec<_>>(),
                    "{threads} threads, {n} items"
                );
            }
        }
    }

    /// A panic in one item reaches the caller rather than being lost with its thread.
    #[test]
    fn a_panic_in_an_item_reaches_the_caller() {
        let caught = std::panic::catch_unwind(|| {
            each((0..16).collect(), 2, |i: usize| {
                assert!(i != 7, "item seven");
            });
        });
        assert!(caught.is_err());
    }
}
