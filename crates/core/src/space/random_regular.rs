//! Random simple S-regular graphs: spaces whose neighbourhoods do not overlap.
//!
//! Such graphs are locally tree-like (short cycles are rare), which is exactly the
//! independence the paper's theory assumes, so they are the testbed for it.
//!
//! Method: the configuration model pairs the N·S half-edges ("stubs") by one uniform
//! shuffle; conditioned on being simple, that graph is uniform over simple S-regular
//! graphs. Instead of rejecting non-simple pairings (the chance of simplicity is about
//! e^{−(S²−1)/4}, hopeless for S = 24), each self-loop and repeated edge is repaired by a
//! random edge switch: with a uniformly chosen edge {c, d}, {a, b} + {c, d} becomes
//! {a, c} + {b, d}, accepted only if neither new edge is a loop or already present. About
//! (S−1)/2 loops and (S−1)²/4 repeats are expected, so the repair touches O(S²) of the
//! N·S/2 edges; the result deviates from uniform only through those few edges.

use super::{Csr, VertexId};
use anyhow::{bail, Result};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Checks that a simple `s`-regular graph on `n` vertices exists and fits, without
/// building it: what [`generate`] refuses, for callers (the command line) that refuse a
/// request before any work.
pub fn check(n: usize, s: usize) -> Result<()> {
    if s == 0 {
        bail!("a 0-regular graph has no edges, so every vertex would be its own local minimum; give a degree S of at least 1");
    }
    if n % 2 == 1 && s % 2 == 1 {
        bail!("a {s}-regular graph on {n} vertices needs n·s even");
    }
    if s >= n {
        bail!("a simple {s}-regular graph needs more than {s} vertices, got {n}");
    }
    let half_edges = n as u128 * s as u128;
    if half_edges > u32::MAX as u128 {
        bail!("n·s = {half_edges} half-edges is more than nasland handles (2^32 − 1)");
    }
    Ok(())
}

/// A random simple `s`-regular graph on `n` vertices (`n·s` even, `0 < s < n`),
/// deterministic in `seed`.
///
/// A dense request (`s > (n − 1)/2`) draws the sparse complement, of degree `n − 1 − s`,
/// and complements it: the complement of a uniform simple regular graph is uniform, and
/// the edge-switch repair, which stalls when few switches are legal (`600,599` ran for
/// minutes), then only ever works on the sparse side.
pub fn generate(n: usize, s: usize, seed: u64) -> Result<Csr> {
    check(n, s)?;
    if 2 * s > n - 1 {
        let sparse = pairing(n, n - 1 - s, seed)?;
        let mut targets = Vec::with_capacity(n * s);
        for v in 0..n {
            // Sorted, so one merge walk over 0..n picks the non-neighbours.
            let mut skip = sparse[v * (n - 1 - s)..(v + 1) * (n - 1 - s)]
                .iter()
                .peekable();
            for u in 0..n as VertexId {
                if skip.peek() == Some(&&u) {
                    skip.next();
                } else if u as usize != v {
                    targets.push(u);
                }
            }
        }
        return Csr::new((0..=n as u64).map(|v| v * s as u64).collect(), targets);
    }
    let targets = pairing(n, s, seed)?;
    Csr::new((0..=n as u64).map(|v| v * s as u64).collect(), targets)
}

/// The neighbour lists (`s` per vertex, each sorted) of a random simple `s`-regular
/// graph, `s` possibly 0, by the repaired configuration model.
fn pairing(n: usize, s: usize, seed: u64) -> Result<Vec<VertexId>> {
    if s == 0 {
        return Ok(vec![]);
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut stubs: Vec<VertexId> = (0..n * s).map(|i| (i / s) as VertexId).collect();
    stubs.shuffle(&mut rng);
    let mut edges: Vec<(VertexId, VertexId)> =
        stubs.chunks_exact(2).map(|p| (p[0], p[1])).collect();
    drop(stubs);

    // Every vertex has exactly s slots: its neighbours, repeats and loops included.
    let mut adj = Slots::new(n, s, &edges);
    let m = edges.len();
    let mut attempts = 0u64;
    for e in 0..m {
        while adj.is_bad(edges[e]) {
            attempts += 1;
            if attempts > 1000 * m as u64 {
                bail!("could not repair the random pairing into a simple graph: S = {s} is too close to N = {n}");
            }
            let f = rng.gen_range(0..m);
            let (a, b) = edges[e];
            let (c, d) = if rng.gen() {
                edges[f]
            } else {
                (edges[f].1, edges[f].0)
            };
            if f == e || a == c || b == d || (a.min(c), a.max(c)) == (b.min(d), b.max(d)) {
                continue;
            }
            if adj.has(a, c) || adj.has(b, d) {
                continue;
            }
            adj.replace(a, b, c);
            adj.replace(b, a, d);
            adj.replace(c, d, a);
            adj.replace(d, c, b);
            edges[e] = (a, c);
            edges[f] = (b, d);
        }
    }
    let mut targets = adj.slots;
    for list in targets.chunks_mut(s) {
        list.sort_unstable();
    }
    Ok(targets)
}

/// Fixed-size neighbour slots of a regular multigraph.
struct Slots {
    s: usize,
    slots: Vec<VertexId>,
}

impl Slots {
    fn new(n: usize, s: usize, edges: &[(VertexId, VertexId)]) -> Self {
        let mut fill = vec![0usize; n];
        let mut slots = vec![0; n * s];
        for &(a, b) in edges {
            slots[a as usize * s + fill[a as usize]] = b;
            fill[a as usize] += 1;
            slots[b as usize * s + fill[b as usize]] = a;
            fill[b as usize] += 1;
        }
        Slots { s, slots }
    }

    fn list(&self, v: VertexId) -> &[VertexId] {
        &self.slots[v as usize * self.s..(v as usize + 1) * self.s]
    }

    fn has(&self, a: VertexId, b: VertexId) -> bool {
        self.list(a).contains(&b)
    }

    /// A loop, or an edge present more than once.
    fn is_bad(&self, (a, b): (VertexId, VertexId)) -> bool {
        a == b || self.list(a).iter().filter(|&&x| x == b).count() > 1
    }

    /// Replaces one occurrence of `old` in the list of `v` by `new`.
    // Callers pass an edge (v, old) they just read from v's list, and lists hold both ends
    // of every edge: the search cannot come back empty.
    #[allow(clippy::expect_used)]
    fn replace(&mut self, v: VertexId, old: VertexId, new: VertexId) {
        let s = self.s;
        let list = &mut self.slots[v as usize * s..(v as usize + 1) * s];
        let i = list
            .iter()
            .position(|&x| x == old)
            .expect("edge present in both lists");
        list[i] = new;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::Neighbourhood;

    #[test]
    fn simple_regular_and_deterministic() {
        for (n, s) in [(10usize, 3usize), (1000, 24), (30, 29), (5000, 7)] {
            if !(n * s).is_multiple_of(2) {
                continue;
            }
            let g = generate(n, s, 42).unwrap(); // Csr::new rejects loops and repeats
            assert_eq!(g.len(), n);
            for v in 0..n as VertexId {
                assert_eq!(g.degree(v), s);
                for &u in g.neighbours(v) {
                    assert!(g.neighbours(u).contains(&v), "symmetric");
                }
            }
            assert_eq!(g, generate(n, s, 42).unwrap());
        }
        assert_ne!(generate(100, 4, 1).unwrap(), generate(100, 4, 2).unwrap());
        assert!(generate(5, 3, 1).is_err());
        assert!(
            generate(10, 0, 1).is_err(),
            "degree 0 is refused, not a panic"
        );
        // Dense requests go through the complement: fast, simple and regular.
        for (n, s) in [(600usize, 599usize), (600, 590), (11, 6)] {
            let g = generate(n, s, 7).unwrap();
            assert!((0..n as VertexId).all(|v| g.degree(v) == s));
            assert!((0..n as VertexId).all(|v| !g.neighbours(v).contains(&v)));
        }
        assert!(generate(4, 4, 1).is_err());
    }
}
