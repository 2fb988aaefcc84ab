//! LS*: following best-improvement steps to their fixed point, for all vertices at once.
//!
//! Pointer jumping: each vertex holds (target, steps to target), starting at (LS(v), 1)
//! or (v, 0) at a minimum, and repeatedly replaces it by its target's pair. Every round
//! doubles the distance covered, so depth-D descents finish in ⌈log2 D⌉ + 1 parallel
//! rounds. Entries are updated in place: each one always holds a true (ancestor,
//! distance) pair, so reading a neighbour's older or newer pair are both correct, and
//! the fixed point — and hence the output — does not depend on thread scheduling.

use crate::space::VertexId;
use rayon::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// LS* and path length of every vertex.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Descent {
    /// The local minimum that each vertex descends to.
    pub ls_star: Vec<VertexId>,
    /// Number of LS steps from each vertex to its minimum.
    pub steps: Vec<u32>,
}

fn pack(target: VertexId, steps: u32) -> u64 {
    (target as u64) << 32 | steps as u64
}

fn unpack(x: u64) -> (VertexId, u32) {
    ((x >> 32) as VertexId, x as u32)
}

/// Follows `ls` (a map whose non-fixed steps form no cycle) to its fixed points.
pub fn descend(ls: &[VertexId]) -> Descent {
    descend_from(ls, |v, t| (t as usize != v) as u32)
}

/// [`descend`] from a partly descended map: `at[v]` is an ancestor of v that lies
/// `steps(v, at[v])` LS steps away (v itself at 0 steps only at a minimum). Lets a
/// descent that stopped half way finish without starting again from LS.
pub fn descend_from(at: &[VertexId], steps: impl Fn(usize, VertexId) -> u32 + Sync) -> Descent {
    let jump: Vec<AtomicU64> = at
        .par_iter()
        .enumerate()
        .map(|(v, &t)| AtomicU64::new(pack(t, steps(v, t))))
        .collect();
    loop {
        let moved: usize = jump
            .par_iter()
            .with_min_len(4096)
            .map(|entry| {
                let (t, d) = unpack(entry.load(Relaxed));
                let (t2, d2) = unpack(jump[t as usize].load(Relaxed));
                if t2 != t {
                    entry.store(pack(t2, d + d2), Relaxed);
                    1
                } else {
                    0
                }
            })
            .sum();
        if moved == 0 {
            break;
        }
    }
    let (ls_star, steps) = jump.into_par_iter().map(|e| unpack(e.into_inner())).unzip();
    Descent { ls_star, steps }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_and_trees() {
        // 4 -> 3 -> 2 -> 1 -> 0, 5 -> 2, 6 fixed
        let ls = [0, 0, 1, 2, 3, 2, 6];
        let d = descend(&ls);
        assert_eq!(d.ls_star, vec![0, 0, 0, 0, 0, 0, 6]);
        assert_eq!(d.steps, vec![0, 1, 2, 3, 4, 3, 0]);
    }
}
