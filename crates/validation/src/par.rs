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
