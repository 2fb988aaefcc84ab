//! The transpose of a directed neighbourhood, for the algorithms that walk arcs backwards
//! (distances *to* an optimum, the in-neighbour sums of the iid variance bound).

use super::{Neighbourhood, VertexId};
use rayon::prelude::*;

/// Vertices per parallel task (fixed; the lists' contents do not depend on it).
const CHUNK: usize = 4096;

/// The "neighbours" of u are the v with u ∈ N(v), `sources[offsets[u]..offsets[u + 1]]`,
/// in no particular order: every user here (a BFS, a sum over a sorted copy) is
/// indifferent to it, which is what lets the fill run in parallel.
pub(crate) struct Reversed {
    offsets: Vec<u64>,
    sources: Vec<VertexId>,
}

impl Reversed {
    /// Built in parallel without a per-vertex allocation: in-degrees counted with atomic
    /// increments, prefix-summed into offsets, then each arc v → u written at a slot of
    /// u's list claimed by an atomic cursor. 4 bytes per arc and 8 per vertex; the forward
    /// lists are read where they are (never copied).
    pub(crate) fn of<N: Neighbourhood>(space: &N) -> Self {
        use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};
        let n = space.len();
        let in_degree: Vec<AtomicU32> = (0..n).map(|_| AtomicU32::new(0)).collect();
        (0..n as VertexId)
            .into_par_iter()
            .with_min_len(CHUNK)
            .for_each(|v| {
                space.for_each_neighbour(v, |u| {
                    in_degree[u as usize].fetch_add(1, Relaxed);
                })
            });
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0u64);
        let mut total = 0u64;
        for d in in_degree {
            total += d.into_inner() as u64;
            offsets.push(total);
        }
        let cursor: Vec<AtomicU64> = offsets[..n].iter().map(|&o| AtomicU64::new(o)).collect();
        let sources: Vec<AtomicU32> = (0..total).map(|_| AtomicU32::new(0)).collect();
        (0..n as VertexId)
            .into_par_iter()
            .with_min_len(CHUNK)
            .for_each(|v| {
                space.for_each_neighbour(v, |u| {
                    let slot = cursor[u as usize].fetch_add(1, Relaxed);
                    sources[slot as usize].store(v, Relaxed);
                })
            });
        Reversed {
            offsets,
            // Same layout, so the collect reuses the allocation.
            sources: sources.into_iter().map(AtomicU32::into_inner).collect(),
        }
    }

    /// The in-neighbours of `u`, in no particular order.
    pub(crate) fn sources(&self, u: VertexId) -> &[VertexId] {
        let (a, b) = (self.offsets[u as usize], self.offsets[u as usize + 1]);
        &self.sources[a as usize..b as usize]
    }
}

impl Neighbourhood for Reversed {
    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn degree(&self, v: VertexId) -> usize {
        (self.offsets[v as usize + 1] - self.offsets[v as usize]) as usize
    }

    fn for_each_neighbour<F: FnMut(VertexId)>(&self, v: VertexId, mut f: F) {
        for &u in self.sources(v) {
            f(u);
        }
    }

    /// Only ever built for a directed relation, whose transpose is directed too.
    fn is_symmetric(&self) -> bool {
        false
    }
}
