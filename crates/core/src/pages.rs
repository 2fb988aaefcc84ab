//! Transparent huge pages for the per-vertex arrays.
//!
//! The LS*, path-length and basin passes read each vertex's LS target, a random place in
//! arrays of gigabytes. With 4 KiB pages nearly every such read also misses the TLB and
//! walks the page tables, and filling a fresh array takes one page fault per 4 KiB; with
//! 2 MiB pages a 1 GB array needs 512 TLB entries and 512 faults. This machine's kernel
//! (like most distributions') gives huge pages only to memory that asks for them with
//! `madvise`, so the big arrays ask, right after their allocation and before their
//! first write (the advice shapes the pages that the first write faults in). Measured at
//! 5^12: about 14 % less CPU time (BENCHMARKS.md, branch core5). Hand-written because it
//! is one system call.

/// Smallest array worth the advice: below a few huge pages it changes nothing.
const MIN_BYTES: usize = 4 << 20;

/// Size and alignment of a huge page on x86-64 and most aarch64 kernels.
const HUGE: usize = 2 << 20;

/// Asks the kernel to back the whole 2 MiB-aligned pages inside `xs` with huge pages.
/// Only a hint: it never changes a value, and it does nothing off Linux, for small
/// arrays, or when the kernel declines (huge pages disabled, or an older kernel).
pub fn advise_huge<T>(xs: &[T]) {
    let bytes = std::mem::size_of_val(xs);
    if bytes < MIN_BYTES {
        return;
    }
    let start = xs.as_ptr() as usize;
    let first = start.next_multiple_of(HUGE);
    let end = (start + bytes) / HUGE * HUGE;
    if end <= first {
        return;
    }
    #[cfg(target_os = "linux")]
    // SAFETY: the range lies inside `xs`'s allocation, page-aligned; MADV_HUGEPAGE only
    // changes how pages are backed, never their contents, so no Rust value is affected.
    unsafe {
        libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
    }
}

/// `n` zeros in a fresh allocation advised to huge pages (see [`advise_huge`]): a zeroed
/// allocation this large comes straight from the kernel untouched, so the advice applies
/// to every page of it.
pub fn zeroed<T: Copy + Default>(n: usize) -> Vec<T> {
    let xs = vec![T::default(); n];
    advise_huge(&xs);
    xs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advised_arrays_keep_their_values() {
        for n in [0usize, 1, 1 << 20, (3 << 20) + 17] {
            let mut xs = zeroed::<u32>(n);
            assert!(xs.iter().all(|&x| x == 0));
            for (i, x) in xs.iter_mut().enumerate() {
                *x = i as u32;
            }
            advise_huge(&xs);
            assert!(xs.iter().enumerate().all(|(i, &x)| x == i as u32));
        }
    }
}
