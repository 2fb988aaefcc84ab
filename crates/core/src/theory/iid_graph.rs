//! The exact variance of the number of local minima under iid continuous losses, on any
//! undirected graph.
//!
//! X_v = 1 if v is a local minimum, i.e. the smallest of its closed neighbourhood N\[v\],
//! P = p_v = 1/(d_v + 1). For a pair of vertices:
//! - adjacent: never both minima, Cov = −p_v·p_u;
//! - at distance 2 with c common neighbours: both are minima iff the smallest of the
//!   m = (d_v + 1) + (d_x + 1) − c values of N\[v\] ∪ N\[x\] is v or x, and the other is the
//!   smallest of its own closed neighbourhood, so P(both) = (p_x + p_v)/m;
//! - further apart: disjoint closed neighbourhoods, independent.
//!
//! Var = Σ_v p_v(1 − p_v) + Σ over ordered pairs of those covariances. On a Hamming
//! product space this is [`super::iid::hamming_local_minima_variance`]; on a random
//! regular graph it gives the sound bound the tests use.

use crate::space::{Neighbourhood, VertexId};
use rayon::prelude::*;

/// Most two-hop visits (Σ_v deg(v)²) [`local_minima_variance_if_cheap`] will spend.
pub const TWO_HOP_BUDGET: u64 = 1 << 28;

/// The exact variance when the graph is symmetric and small enough to enumerate its
/// two-hop neighbourhoods within [`TWO_HOP_BUDGET`]; `None` otherwise.
pub fn local_minima_variance_if_cheap<N: Neighbourhood>(g: &N) -> Option<f64> {
    if !g.is_symmetric() {
        return None;
    }
    let work: u64 = match g.regular_degree() {
        Some(d) => (g.len() as u64).saturating_mul((d as u64).saturating_pow(2)),
        None => (0..g.len() as VertexId)
            .into_par_iter()
            .map(|v| (g.degree(v) as u64).pow(2))
            .sum(),
    };
    (work <= TWO_HOP_BUDGET).then(|| local_minima_variance(g))
}

/// Vertices per deterministic summation block.
const BLOCK: usize = 4096;

/// The exact variance of the local-minima count of `g`, whose relation must be
/// symmetric. Sums in fixed blocks, so the result does not depend on the thread count.
pub fn local_minima_variance<N: Neighbourhood>(g: &N) -> f64 {
    let n = g.len();
    let p = |v: VertexId| 1.0 / (g.degree(v) as f64 + 1.0);
    let blocks: Vec<f64> = (0..n)
        .into_par_iter()
        .step_by(BLOCK)
        .map_init(
            || (Vec::<VertexId>::new(), Vec::<VertexId>::new()),
            |(nbrs, two), a| {
                let mut sum = 0.0;
                for v in a..(a + BLOCK).min(n) {
                    let v = v as VertexId;
                    let pv = p(v);
                    sum += pv * (1.0 - pv);
                    nbrs.clear();
                    g.for_each_neighbour(v, |u| nbrs.push(u));
                    nbrs.sort_unstable();
                    two.clear();
                    for &u in nbrs.iter() {
                        sum -= pv * p(u);
                        g.for_each_neighbour(u, |x| {
                            if x != v && nbrs.binary_search(&x).is_err() {
                                two.push(x);
                            }
                        });
                    }
                    two.sort_unstable();
                    let dv = nbrs.len() as f64;
                    for run in two.chunk_by(|a, b| a == b) {
                        let x = run[0];
                        let px = p(x);
                        let m = dv + 1.0 + g.degree(x) as f64 + 1.0 - run.len() as f64;
                        sum += (px + pv) / m - pv * px;
                    }
                }
                sum
            },
        )
        .collect();
    blocks.iter().sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::Landscape;
    use crate::space::{Csr, ProductSpace};
    use crate::theory::iid::hamming_local_minima_variance;

    #[test]
    fn equals_the_hamming_closed_form() {
        for spec in ["2^2", "3x4x5", "nb201", "2^7"] {
            let space = ProductSpace::parse(spec).unwrap();
            let got = local_minima_variance(&Csr::from_neighbourhood(&space));
            let want = hamming_local_minima_variance(space.radices());
            assert!(
                (got - want).abs() < 1e-9 * want.max(1.0),
                "{spec}: {got} vs {want}"
            );
        }
    }

    /// Every ordering of the losses on small irregular graphs: the exact variance of the
    /// count over all n! orderings (iid continuous losses rank uniformly at random).
    #[test]
    fn equals_enumeration_over_all_orderings() {
        let graphs: [(usize, &[(u32, u32)]); 3] = [
            (6, &[(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]), // path
            (6, &[(0, 1), (0, 2), (0, 3), (3, 4), (1, 2), (4, 5)]), // triangle with a tail
            (7, &[(0, 1), (0, 2), (0, 3), (0, 4), (4, 5)]), // star, a pendant, an isolated vertex
        ];
        for (n, edges) in graphs {
            let g = Csr::from_undirected_edges(n, edges).unwrap();
            let mut perm: Vec<usize> = (0..n).collect();
            let (mut s1, mut s2, mut count) = (0.0, 0.0, 0.0);
            permutations(&mut perm, 0, &mut |p| {
                let loss: Vec<f64> = p.iter().map(|&x| x as f64).collect();
                let k = Landscape::of_graph(&g, &loss).local_minima as f64;
                s1 += k;
                s2 += k * k;
                count += 1.0;
            });
            let var = s2 / count - (s1 / count).powi(2);
            let got = local_minima_variance(&g);
            assert!((got - var).abs() < 1e-9, "{edges:?}: {got} vs {var}");
        }
    }

    fn permutations(v: &mut Vec<usize>, k: usize, f: &mut dyn FnMut(&[usize])) {
        if k == v.len() {
            return f(v);
        }
        for i in k..v.len() {
            v.swap(k, i);
            permutations(v, k + 1, f);
            v.swap(k, i);
        }
    }
}
