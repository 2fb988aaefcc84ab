//! The (loss, id) order cut into chunks that threads take in turn: how the per-start
//! sweeps of products ([`forest`](super::forest) for best improvement,
//! [`masked`](super::masked) for first improvement) run on every core without levels.
//!
//! Every move target comes before the vertices that move to it in that order, so a
//! thread that solves its chunk front to back finds nearly every target solved long
//! before (by itself or by a thread whose chunk came earlier). A target still in another
//! thread's chunk is waited for ([`wait`]): the solver stores a field that is never 0 once
//! solved last, with `Release`, and the reader loads it with `Acquire`. No pending counts,
//! release lists, levels or barriers; each value is computed from the same targets in the
//! same order whoever solves it, so the results do not depend on the thread count.

use super::dp::StartStats;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

/// Places of the loss order a thread takes at a time: enough that the gather of a
/// chunk's inputs keeps many misses in flight, few enough that two threads rarely wait
/// on each other's chunk. The tests take a few places, so that threads wait on each
/// other's chunks often even on small spaces.
#[cfg(not(test))]
pub(super) const CHUNK: usize = 1024;
#[cfg(test)]
pub(super) const CHUNK: usize = 8;

/// Runs `solve(scratch, places)` on every chunk of [`CHUNK`] places of an order of `n`,
/// one worker per thread taking the next chunk until none is left, and sums what the
/// chunks return (their local minima and strict ones). A worker waits only for vertices
/// earlier in the order, in chunks taken before its own by workers that are running: the
/// earliest unsolved vertex can always proceed.
pub(super) fn in_turn<S>(
    n: usize,
    scratch: impl Fn() -> S + Sync,
    solve: impl Fn(&mut S, Range<usize>) -> (usize, usize) + Sync,
) -> (usize, usize) {
    let next = AtomicUsize::new(0);
    let chunks = n.div_ceil(CHUNK);
    (0..rayon::current_num_threads())
        .into_par_iter()
        .map(|_| {
            let mut s = scratch();
            let mut minima = (0usize, 0usize);
            loop {
                let c = next.fetch_add(1, Ordering::Relaxed);
                if c >= chunks {
                    break;
                }
                let (m, strict) = solve(&mut s, c * CHUNK..((c + 1) * CHUNK).min(n));
                minima.0 += m;
                minima.1 += strict;
            }
            minima
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

/// Waits until `flag` is not 0: the solver's last store (`Release`), after which every
/// value it wrote before is visible here (`Acquire`). Nearly always true at once.
pub(super) fn wait(flag: &AtomicU64) {
    let mut spins = 0u32;
    while flag.load(Ordering::Acquire) == 0 {
        spins += 1;
        if spins < 64 {
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
}

/// `StartStats::expected_evaluations`, the field whose store says "solved": never 0 once
/// solved (at least the degree, which is ≥ 1 when the vertex is anyone's target), 0
/// before (zeroed pages).
pub(super) const FLAG: usize = 2;

/// The [`FLAG`] field of the statistics at `at`, as the atomic that [`wait`] loads.
///
/// # Safety
/// `at` points to a live [`StartStats`] (six 8-aligned `f64`s, `repr(C)`) that outlives
/// `'a`; while other threads may write its flag field, it is only accessed through this
/// atomic.
pub(super) unsafe fn flag<'a>(at: *const f64) -> &'a AtomicU64 {
    AtomicU64::from_ptr(at.add(FLAG) as *mut u64)
}

/// Stores `stats` at `at` field by field in `repr(C)` order, the [`FLAG`] field last
/// with `Release`: a thread that sees it set ([`wait`]) sees every other field. Through
/// a pointer, not a `&mut`: a waiting thread may be loading the flag meanwhile.
///
/// # Safety
/// `at` points to a [`StartStats`] (six 8-aligned `f64`s) that only this thread writes,
/// once.
pub(super) unsafe fn publish(at: *mut f64, stats: &StartStats) {
    let fields = [
        stats.p_success,
        stats.expected_moves,
        stats.expected_evaluations,
        stats.expected_end_loss,
        stats.success_evaluations,
        stats.found_evaluations,
    ];
    for (i, f) in fields.into_iter().enumerate() {
        if i != FLAG {
            at.add(i).write(f);
        }
    }
    flag(at).store(fields[FLAG].to_bits(), Ordering::Release);
}
