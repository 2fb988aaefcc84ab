//! A hint to fetch memory that a loop will read soon.
//!
//! The LS*, path-length and basin passes read, for each vertex, an entry at a
//! data-dependent place (its LS target, its minimum). Beyond the caches each such read
//! is a miss of ~100 ns that the core cannot overlap with the next ones when the loop body
//! branches on the value; asking for the entries a few dozen vertices ahead keeps many
//! misses in flight, which is what makes these passes limited by bandwidth rather than by
//! latency. Hand-written because it is one intrinsic: no crate is needed for it.

/// Asks for the cache line of `xs[i]`; does nothing when `i` is out of bounds or the
/// target has no prefetch instruction. Never changes a result.
#[inline(always)]
pub fn prefetch<T>(xs: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if i < xs.len() {
        // SAFETY: a prefetch never faults and has no architectural effect; the address
        // is inside `xs` anyway.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>(xs.as_ptr().add(i) as *const i8);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (xs, i);
}

/// Asks for the cache line at `p`, for memory reached through a raw pointer (shared by
/// threads that write elsewhere in it). A prefetch never faults, so any address is fine.
#[inline(always)]
pub fn prefetch_ptr<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults and has no architectural effect.
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(p as *const i8);
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
