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
