//! Strength-D perturbations: every vertex a perturbation of a minimum can land on.
//!
//! In a product space a perturbation changes exactly D positions, each to another choice;
//! in a graph it moves to a vertex at distance exactly D along arcs. The two agree on a
//! product space, whose Hamming graph distance is the number of changed positions — the
//! tests use that.

use crate::space::{Neighbourhood, ProductSpace, VertexId};

/// Number of strength-D perturbations of any vertex of a product space:
/// Σ over D-subsets of positions of Π (k_i − 1), the D-th elementary symmetric polynomial.
pub fn product_count(space: &ProductSpace, strength: usize) -> u64 {
    let mut e = vec![0u64; strength + 1];
    e[0] = 1;
    for &k in space.radices() {
        for j in (1..=strength).rev() {
            e[j] = e[j].saturating_add(e[j - 1].saturating_mul(k as u64 - 1));
        }
    }
    e[strength]
}

/// Calls `f` with every vertex that differs from `v` in exactly `strength` positions.
pub fn for_each_product<F: FnMut(VertexId)>(
    space: &ProductSpace,
    v: VertexId,
    strength: usize,
    f: &mut F,
) {
    let radices = space.radices();
    let strides = space.strides();
    let mut zeroed = [0u64; 64];
    let d = radices.len();
    for i in 0..d {
        zeroed[i] = space.digit(v, i) as u64 * strides[i];
    }
    let ctx = Ctx {
        radices,
        strides,
        own: &zeroed[..d],
    };
    ctx.recurse(0, strength, v as u64, f);
}

struct Ctx<'a> {
    radices: &'a [u32],
    strides: &'a [u64],
    /// Digit times stride of the start vertex, per position.
    own: &'a [u64],
}

impl Ctx<'_> {
    fn recurse<F: FnMut(VertexId)>(&self, from: usize, left: usize, base: u64, f: &mut F) {
        let d = self.radices.len();
        if left == 1 {
            // The last position changed: a tight loop, no call per vertex.
            for i in from..d {
                let zero = base - self.own[i];
                let s = self.strides[i];
                let mut u = zero;
                for _ in 0..self.radices[i] {
                    if u != base {
                        f(u as VertexId);
                    }
                    u += s;
                }
            }
            return;
        }
        if left == 0 {
            f(base as VertexId);
            return;
        }
        for i in from..=d - left {
            let zero = base - self.own[i];
            let s = self.strides[i];
            let mut u = zero;
            for _ in 0..self.radices[i] {
                if u != base {
                    self.recurse(i + 1, left - 1, u, f);
                }
                u += s;
            }
        }
    }
}

/// Breadth-first layers from one vertex at a time, reusing one visited array per worker.
pub struct Layers {
    stamp: Vec<u32>,
    round: u32,
    frontier: Vec<VertexId>,
    next: Vec<VertexId>,
}

impl Layers {
    /// A walker for a space of `n` vertices.
    pub fn new(n: usize) -> Self {
        Layers {
            stamp: vec![0; n],
            round: 0,
            frontier: Vec::new(),
            next: Vec::new(),
        }
    }

    /// Calls `f` with every vertex at distance exactly `strength` from `v` along arcs
    /// (shortest-path distance, each vertex once); returns how many there were. Strength
    /// 0 yields `v` itself.
    pub fn for_each_at<N: Neighbourhood, F: FnMut(VertexId)>(
        &mut self,
        space: &N,
        v: VertexId,
        strength: usize,
        mut f: F,
    ) -> u64 {
        self.round = self.round.wrapping_add(1);
        if self.round == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.round = 1;
        }
        let round = self.round;
        self.stamp[v as usize] = round;
        self.frontier.clear();
        self.frontier.push(v);
        for _ in 0..strength {
            self.next.clear();
            for &x in &self.frontier {
                let (stamp, next) = (&mut self.stamp, &mut self.next);
                space.for_each_neighbour(x, |u| {
                    if stamp[u as usize] != round {
                        stamp[u as usize] = round;
                        next.push(u);
                    }
                });
            }
            std::mem::swap(&mut self.frontier, &mut self.next);
            if self.frontier.is_empty() {
                break;
            }
        }
        for &u in &self.frontier {
            f(u);
        }
        self.frontier.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::Csr;

    #[test]
    fn product_layers_match_hamming_distance() {
        let space = ProductSpace::parse("3x4x2x3").unwrap();
        let csr = Csr::from_neighbourhood(&space);
        let mut layers = Layers::new(space.len());
        for d in 1..=4 {
            for v in [0, 7, 71] {
                let mut a = Vec::new();
                for_each_product(&space, v, d, &mut |u| a.push(u));
                let mut b = Vec::new();
                let count = layers.for_each_at(&csr, v, d, |u| b.push(u));
                a.sort_unstable();
                b.sort_unstable();
                assert_eq!(a, b, "v {v} strength {d}");
                assert_eq!(a.len() as u64, product_count(&space, d));
                assert_eq!(count, product_count(&space, d));
                let hamming = |u: u32| {
                    (0..4)
                        .filter(|&i| space.digit(u, i) != space.digit(v, i))
                        .count()
                };
                assert!(a.iter().all(|&u| hamming(u) == d));
            }
        }
        assert_eq!(product_count(&ProductSpace::parse("5^9").unwrap(), 2), 576);
    }
}
