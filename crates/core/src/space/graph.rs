//! An explicit neighbour relation in compressed-sparse-row form.
//!
//! This is the in-memory shape of any space that is not a product: NAS-Bench-101, a user's
//! edge list, a random regular graph. The on-disk table stores the same two arrays
//! bit-packed; this type is what they are built from and what tests compare against.

use super::{Neighbourhood, VertexId};
use anyhow::{bail, Result};

/// Neighbour lists of `n` vertices: the neighbours of `v` are
/// `targets[offsets[v]..offsets[v + 1]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Csr {
    offsets: Vec<u64>,
    targets: Vec<VertexId>,
    /// Whether every arc has its reverse, found once when the CSR is built.
    symmetric: bool,
}

impl Csr {
    /// Builds a CSR after checking it: `offsets` starts at 0, never decreases, ends at
    /// `targets.len()`; every target is `< n`, no self-loop, no repeat within a list.
    pub fn new(offsets: Vec<u64>, targets: Vec<VertexId>) -> Result<Self> {
        let (Some(&0), Some(&end)) = (offsets.first(), offsets.last()) else {
            bail!("CSR offsets must start at 0");
        };
        if end != targets.len() as u64 {
            bail!(
                "CSR offsets end at {end} but there are {} neighbour entries",
                targets.len()
            );
        }
        let n = offsets.len() - 1;
        let mut seen = vec![u32::MAX; n];
        for v in 0..n {
            let (a, b) = (offsets[v], offsets[v + 1]);
            if b < a {
                bail!("CSR offsets decrease at vertex {v} ({a} then {b})");
            }
            for &u in &targets[a as usize..b as usize] {
                if u as usize >= n {
                    bail!("vertex {v} has neighbour {u}, but there are only {n} vertices");
                }
                if u as usize == v {
                    bail!("vertex {v} lists itself as a neighbour");
                }
                if seen[u as usize] == v as u32 {
                    bail!("vertex {v} lists neighbour {u} twice");
                }
                seen[u as usize] = v as u32;
            }
        }
        let symmetric = arcs_symmetric(&offsets, &targets);
        Ok(Csr {
            offsets,
            targets,
            symmetric,
        })
    }

    /// Builds the symmetric CSR of an undirected edge list on `n` vertices (each edge
    /// once, in either direction). Neighbour lists come out sorted by id.
    pub fn from_undirected_edges(n: usize, edges: &[(VertexId, VertexId)]) -> Result<Self> {
        let mut degree = vec![0u64; n + 1];
        for &(a, b) in edges {
            if a as usize >= n || b as usize >= n {
                bail!("edge ({a}, {b}) names a vertex >= n = {n}");
            }
            degree[a as usize + 1] += 1;
            degree[b as usize + 1] += 1;
        }
        for v in 0..n {
            degree[v + 1] += degree[v];
        }
        let offsets = degree;
        let mut fill = offsets.clone();
        let mut targets = vec![0; offsets[n] as usize];
        for &(a, b) in edges {
            targets[fill[a as usize] as usize] = b;
            fill[a as usize] += 1;
            targets[fill[b as usize] as usize] = a;
            fill[b as usize] += 1;
        }
        for v in 0..n {
            targets[offsets[v] as usize..offsets[v + 1] as usize].sort_unstable();
        }
        Csr::new(offsets, targets)
    }

    /// Materialises any neighbourhood (for tests and for packing product spaces).
    pub fn from_neighbourhood<N: Neighbourhood>(space: &N) -> Self {
        let n = space.len();
        let mut offsets = Vec::with_capacity(n + 1);
        let mut targets = Vec::new();
        offsets.push(0);
        for v in 0..n as VertexId {
            space.for_each_neighbour(v, |u| targets.push(u));
            offsets.push(targets.len() as u64);
        }
        Csr {
            offsets,
            targets,
            symmetric: space.is_symmetric(),
        }
    }

    /// The CSR offsets (`n + 1` entries).
    pub fn offsets(&self) -> &[u64] {
        &self.offsets
    }

    /// All neighbour entries, list after list.
    pub fn targets(&self) -> &[VertexId] {
        &self.targets
    }

    /// The neighbours of `v`.
    pub fn neighbours(&self, v: VertexId) -> &[VertexId] {
        &self.targets[self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize]
    }
}

/// Whether the arc list is closed under reversal: every arc (v, u) packed into one
/// u64, sorted, and each reverse looked up. O(E log E), once per build.
fn arcs_symmetric(offsets: &[u64], targets: &[VertexId]) -> bool {
    use rayon::prelude::*;
    let mut arcs: Vec<u64> = Vec::with_capacity(targets.len());
    for v in 0..offsets.len() - 1 {
        for &u in &targets[offsets[v] as usize..offsets[v + 1] as usize] {
            arcs.push((v as u64) << 32 | u as u64);
        }
    }
    arcs.par_sort_unstable();
    arcs.par_iter().all(|&a| {
        arcs.binary_search(&((a & 0xffff_ffff) << 32 | a >> 32))
            .is_ok()
    })
}

impl Neighbourhood for Csr {
    fn is_symmetric(&self) -> bool {
        self.symmetric
    }

    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn degree(&self, v: VertexId) -> usize {
        (self.offsets[v as usize + 1] - self.offsets[v as usize]) as usize
    }

    fn for_each_neighbour<F: FnMut(VertexId)>(&self, v: VertexId, mut f: F) {
        for &u in self.neighbours(v) {
            f(u);
        }
    }
}
