//! Splitting work over the machine's cores with `std::thread::scope`.
//!
//! Work is cut into contiguous ranges and each thread writes only its own slice, so
//! results are bit-for-bit the same whatever the number of threads.

/// Threads to use: the available parallelism, at most 8.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8)
}

/// Calls `f(first_item, chunk)` on disjoint chunks of `out`, where every item owns
/// `width` consecutive elements, in parallel when the work is big enough to pay for it.
pub(crate) fn for_chunks<T: Send>(
    out: &mut [T],
    width: usize,
    work: usize,
    f: impl Fn(usize, &mut [T]) + Sync,
) {
    let items = out.len() / width.max(1);
    let t = threads();
    if t <= 1 || work < 200_000 || items < 2 {
        f(0, out);
        return;
    }
    let per = items.div_ceil(t);
    std::thread::scope(|scope| {
        for (i, chunk) in out.chunks_mut(per * width).enumerate() {
            let f = &f;
            scope.spawn(move || f(i * per, chunk));
        }
    });
}
