//! How hard a landscape is for local search: one row of numbers per (space, metric).
//!
//! Every figure is exact over the whole space (no sampling). They answer, from
//! different sides, the paper's question "are NAS benchmarks too easy?":
//!
//! - **local minima** and their ratio to the iid expectation Σ_v 1/(deg(v)+1): below 1
//!   the landscape is smoother than random losses, above 1 rougher;
//! - **optimum basin**: share of starts whose best-improvement descent ends at a global
//!   optimum, and **P(ε)** at ε = a fixed share of the metric's range (so inputs in
//!   different units sit in one table);
//! - **path length** (LS steps to the end minimum), mean and max;
//! - **fitness–distance correlation** (FDC, Jones & Forrest 1995): Pearson correlation of
//!   the *loss* (lower is better, whatever the metric's direction) with the graph distance
//!   to the nearest global optimum. Near +1: the loss guides search towards the optimum;
//!   near 0 or negative: it does not;
//! - **neighbour correlation ρ(1)**: Pearson correlation of (loss(v), loss(u)) over all
//!   arcs v → u, and the **correlation length** ℓ = −1/ln|ρ(1)| (Weinberger 1990),
//!   undefined when |ρ(1)| is 0 or 1;
//! - **neutrality**: share of arcs whose two ends have exactly equal loss, and the
//!   **largest plateau**: the largest connected set of vertices joined by equal-loss arcs;
//! - **first improvement**: probability that first-improvement local search (uniformly
//!   random neighbour order) from a uniformly random start ends at a global optimum,
//!   exact by the DP of [`crate::search::dp`].
//!
//! # Direction
//!
//! A space may be directed ([`Neighbourhood::is_symmetric`] false: NAS-Bench-101, where
//! pruning makes 17.8 % of the arcs one-way). Local search at v looks at N(v) and moves
//! along an arc v → u, so every figure is defined on those arcs, and each one says which
//! way it walks them:
//!
//! | figure | relation |
//! |---|---|
//! | local minima, iid expectation | out-neighbours: v is a minimum of {v} ∪ N(v) |
//! | optimum basin, P(ε), path length, first improvement | forward moves v → u only |
//! | distance to the optimum, FDC, unreachable | the fewest moves v → u₁ → … → optimum; found by a BFS from the optima over **reversed** arcs |
//! | ρ(1), correlation length | ordered pairs (v, u) over arcs v → u; loss(v) and loss(u) have their own mean and variance (out- and in-degree weighted) |
//! | neutrality | share of arcs v → u with loss(u) = loss(v) |
//! | largest plateau | **weakly** connected components of the equal-loss arcs (an arc joins its two ends whichever way it points) |
//!
//! On a symmetric relation every arc has its reverse, so each definition reduces to the
//! undirected one (ρ(1) over each edge both ways, neutrality and plateaus over edges) and
//! the code takes a cheaper path: no reversed adjacency, one shared mean for ρ(1), each
//! edge united once. Weak connectivity was chosen for plateaus because a plateau is a
//! region where the loss gives no signal, whichever way a neighbourhood happens to list
//! it; strict local search never moves on one anyway.
//!
//! Determinism: floating-point sums are taken over fixed chunks of vertices, chunk sums
//! added in order, so the result does not depend on the thread count.

use crate::landscape::Landscape;
use crate::search::{dp, Variant};
use crate::space::{degree_histogram, Neighbourhood, VertexId};
use rayon::prelude::*;
use serde::Serialize;

/// Vertices per chunk of every floating-point reduction (fixed: part of the result).
const CHUNK: usize = 4096;

/// Default ε grid, as shares of the range of values (max − min).
pub const DEFAULT_EPS_SHARES: [f64; 3] = [0.001, 0.01, 0.1];

/// One point of P(ε) with ε given as a share of the range.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct EpsShare {
    /// ε as a share of the range of values.
    pub eps_share: f64,
    /// ε in the metric's units.
    pub eps: f64,
    /// Share of starts whose best-improvement descent ends within ε of the best value.
    pub p: f64,
}

/// The largest plateau: a connected component of equal-loss edges.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Plateau {
    /// Number of vertices in it (1 when no edge joins equal losses).
    pub size: usize,
    /// Its value, in the metric's units.
    pub value: f64,
    /// Its lowest vertex id.
    pub id: VertexId,
}

/// The hardness profile of one landscape.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Hardness {
    /// Number of vertices.
    pub n: usize,
    /// Vertices with no strictly better neighbour.
    pub local_minima: usize,
    /// Σ_v 1/(deg(v)+1): E[#local minima] under iid continuous losses.
    pub expected_local_minima_iid: f64,
    /// local_minima / expected_local_minima_iid.
    pub local_minima_ratio: f64,
    /// Share of starts whose best-improvement descent ends at a global optimum.
    pub optimum_basin_share: f64,
    /// Share of starts ending within each ε (a share of the loss range), so inputs in different units compare.
    pub eps_curve: Vec<EpsShare>,
    /// Mean number of best-improvement steps from a start to its minimum.
    pub path_length_mean: f64,
    /// Longest best-improvement descent.
    pub path_length_max: u32,
    /// Corr(loss, distance to the nearest global optimum) over the vertices that reach
    /// one; None when either is constant.
    pub fdc: Option<f64>,
    /// Mean and max number of moves v → u (u ∈ N(v)) from a vertex to the nearest global
    /// optimum (vertices that reach none excluded).
    pub distance_mean: f64,
    /// See `distance_mean`.
    pub distance_max: u32,
    /// Vertices from which no sequence of moves reaches a global optimum.
    pub unreachable: usize,
    /// Pearson correlation of (loss(v), loss(u)) over all arcs v → u; None when undefined.
    pub rho1: Option<f64>,
    /// −1/ln|ρ(1)|; None when ρ(1) is undefined, 0 or ±1.
    pub correlation_length: Option<f64>,
    /// Share of arcs joining two equal losses (of edges, on a symmetric relation).
    pub neutrality: f64,
    /// The largest set of equal-loss vertices joined by arcs: where a search cannot tell moves apart.
    pub largest_plateau: Plateau,
    /// P(first improvement from a uniformly random start ends at a global optimum).
    pub first_p_success: f64,
}

/// Computes the hardness profile of `loss` (lower is better) on `space`. `landscape` is
/// the best-improvement landscape of the same loss; `sign` turns a loss into the metric's
/// value (−1 for a maximised metric); `eps_shares` are the ε of P(ε) as shares of the range.
pub fn hardness<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    landscape: &Landscape,
    sign: f64,
    eps_shares: &[f64],
) -> Hardness {
    let n = space.len();
    assert_eq!(n, loss.len(), "one loss per vertex");
    assert!(n > 0, "an empty space has no landscape");
    let (best, worst) = crate::range::min_max(loss.iter().copied());

    let expected: f64 = degree_histogram(space)
        .iter()
        .enumerate()
        .map(|(d, &c)| c as f64 / (d as f64 + 1.0))
        .sum();

    // Basin of the global optima and P(ε): which starts end within ε.
    let end_loss = |v: usize| loss[landscape.ls_star[v] as usize];
    let share_within = |eps: f64| {
        let count = (0..n)
            .into_par_iter()
            .with_min_len(CHUNK)
            .filter(|&v| crate::range::is_within(end_loss(v), best, eps))
            .count();
        count as f64 / n as f64
    };
    let optimum_basin = (0..n)
        .into_par_iter()
        .with_min_len(CHUNK)
        .filter(|&v| end_loss(v) == best)
        .count();
    let eps_curve = eps_shares
        .iter()
        .map(|&s| EpsShare {
            eps_share: s,
            eps: crate::range::share_of_range(best, worst, s),
            p: share_within(crate::range::share_of_range(best, worst, s)),
        })
        .collect();

    let steps_total: u64 = landscape.steps.par_iter().map(|&s| s as u64).sum();
    let path_length_max = landscape.steps.par_iter().copied().max().unwrap_or(0);

    // Correlations are scale-free; values near ±1.7e308 are scaled by a power of two
    // (exact) so that their sums of squares stay finite.
    let scale = crate::range::correlation_scale(loss);
    let scaled: Vec<f64>;
    let moderate = if scale == 1.0 {
        loss
    } else {
        scaled = loss.iter().map(|&l| l * scale).collect();
        &scaled
    };
    let dist = distance_to_optima(space, loss, best);
    let unreachable = dist.iter().filter(|&&d| d == u32::MAX).count();
    let reach: Vec<(f64, f64)> = dist
        .iter()
        .zip(moderate)
        .filter(|(&d, _)| d != u32::MAX)
        .map(|(&d, &l)| (l, d as f64))
        .collect();
    let fdc = pearson(&reach);
    let distance_mean = chunked_sum(&reach, |&(_, d)| d) / reach.len() as f64;
    let distance_max = dist
        .iter()
        .copied()
        .filter(|&d| d != u32::MAX)
        .max()
        .unwrap_or(0);

    let (rho1, equal_arcs, arcs) = neighbour_correlation(space, moderate);
    let correlation_length = rho1.and_then(|r| {
        let a = r.abs();
        (a > 0.0 && a < 1.0).then(|| -1.0 / a.ln())
    });
    let largest_plateau = largest_plateau(space, loss, sign);

    let first = dp::solve(space, loss, Variant::First, dp::Target::Eps(0.0), 0);
    let first_p_success = first.mean(|s| s.p_success);

    Hardness {
        n,
        local_minima: landscape.local_minima,
        expected_local_minima_iid: expected,
        local_minima_ratio: landscape.local_minima as f64 / expected,
        optimum_basin_share: optimum_basin as f64 / n as f64,
        eps_curve,
        path_length_mean: steps_total as f64 / n as f64,
        path_length_max,
        fdc,
        distance_mean,
        distance_max,
        unreachable,
        rho1,
        correlation_length,
        // Equal to the share of edges on a symmetric relation: both counts are doubled.
        neutrality: if arcs == 0 {
            0.0
        } else {
            equal_arcs as f64 / arcs as f64
        },
        largest_plateau,
        first_p_success,
    }
}

/// Number of moves v → u₁ → … (each step to an out-neighbour) from every vertex to the
/// nearest vertex of loss `best`; u32::MAX when no optimum can be reached.
///
/// A multi-source BFS that starts from all optima at distance 0 and steps from u to every
/// v with u ∈ N(v), i.e. over the reversed arcs. On a symmetric relation the reversed
/// arcs are the arcs themselves, so the space is walked as it is; otherwise its transpose
/// is built first (one pass to count in-degrees, one to place the arcs, O(n + arcs)).
pub fn distance_to_optima<N: Neighbourhood>(space: &N, loss: &[f64], best: f64) -> Vec<u32> {
    if space.is_symmetric() {
        bfs_from_optima(space, loss, best)
    } else {
        bfs_from_optima(&Reversed::of(space), loss, best)
    }
}

/// BFS from every vertex of loss `best` along the arcs of `walk`.
fn bfs_from_optima<W: Neighbourhood>(walk: &W, loss: &[f64], best: f64) -> Vec<u32> {
    let n = walk.len();
    let mut dist = vec![u32::MAX; n];
    let mut queue: Vec<VertexId> = Vec::with_capacity(n);
    for (v, &l) in loss.iter().enumerate() {
        if l == best {
            dist[v] = 0;
            queue.push(v as VertexId);
        }
    }
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        let d = dist[v as usize] + 1;
        walk.for_each_neighbour(v, |u| {
            if dist[u as usize] == u32::MAX {
                dist[u as usize] = d;
                queue.push(u);
            }
        });
    }
    dist
}

/// The transpose of a neighbourhood: the "neighbours" of u are the v with u ∈ N(v),
/// `sources[offsets[u]..offsets[u + 1]]`, in no particular order (a BFS does not care).
struct Reversed {
    offsets: Vec<u64>,
    sources: Vec<VertexId>,
}

impl Reversed {
    /// Built in parallel without a per-vertex allocation: in-degrees counted with atomic
    /// increments, prefix-summed into offsets, then each arc v → u written at a slot of
    /// u's list claimed by an atomic cursor.
    fn of<N: Neighbourhood>(space: &N) -> Self {
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
}

impl Neighbourhood for Reversed {
    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn degree(&self, v: VertexId) -> usize {
        (self.offsets[v as usize + 1] - self.offsets[v as usize]) as usize
    }

    fn for_each_neighbour<F: FnMut(VertexId)>(&self, v: VertexId, mut f: F) {
        let (a, b) = (self.offsets[v as usize], self.offsets[v as usize + 1]);
        for &u in &self.sources[a as usize..b as usize] {
            f(u);
        }
    }

    /// Only ever built for a directed relation, whose transpose is directed too.
    fn is_symmetric(&self) -> bool {
        false
    }
}

/// Sum of `f` over `xs`, in fixed chunks added in order (thread-count independent).
fn chunked_sum<T: Sync>(xs: &[T], f: impl Fn(&T) -> f64 + Sync) -> f64 {
    let parts: Vec<f64> = xs
        .par_chunks(CHUNK)
        .map(|c| c.iter().map(&f).sum::<f64>())
        .collect();
    parts.iter().sum()
}

/// Sums of `K` per-vertex quantities over all vertices: each summed from 0 within fixed
/// chunks of ids, chunk sums then added in order (thread-count independent). Integer
/// counts below 2^53 come out exact.
fn vertex_sums<const K: usize>(n: usize, f: impl Fn(VertexId) -> [f64; K] + Sync) -> [f64; K] {
    let ids: Vec<VertexId> = (0..n as VertexId).collect();
    let parts: Vec<[f64; K]> = ids
        .par_chunks(CHUNK)
        .map(|c| {
            c.iter().fold([0.0; K], |mut acc, &v| {
                for (a, x) in acc.iter_mut().zip(f(v)) {
                    *a += x;
                }
                acc
            })
        })
        .collect();
    parts.iter().fold([0.0; K], |mut acc, p| {
        for (a, x) in acc.iter_mut().zip(p) {
            *a += x;
        }
        acc
    })
}

/// Pearson correlation of pairs (two passes: means, then centred sums). None when
/// either coordinate is constant or there are fewer than two pairs.
fn pearson(xy: &[(f64, f64)]) -> Option<f64> {
    if xy.len() < 2 {
        return None;
    }
    let k = xy.len() as f64;
    let mx = chunked_sum(xy, |p| p.0) / k;
    let my = chunked_sum(xy, |p| p.1) / k;
    let sxy = chunked_sum(xy, |p| (p.0 - mx) * (p.1 - my));
    let sxx = chunked_sum(xy, |p| (p.0 - mx) * (p.0 - mx));
    let syy = chunked_sum(xy, |p| (p.1 - my) * (p.1 - my));
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// ρ(1) over the ordered pairs (loss(v), loss(u)) of all arcs v → u, plus (equal-loss
/// arcs, all arcs). Two passes: means, then centred sums.
///
/// The first coordinate's mean is out-degree weighted, the second's in-degree weighted.
/// On a symmetric relation the two marginals are the same distribution, so one mean
/// m = Σ deg(v)·x_v / Σ deg and one square sum Σ deg(v)·(x_v − m)² serve both.
fn neighbour_correlation<N: Neighbourhood>(space: &N, loss: &[f64]) -> (Option<f64>, u64, u64) {
    let n = space.len();
    let symmetric = space.is_symmetric();
    // Pass 1: out-degree weighted Σ x_v, Σ over arcs of x_u, equal-loss arcs, arcs.
    let [from_sum, to_sum, equal, arcs] = vertex_sums(n, |v| {
        let x = loss[v as usize];
        let (mut to, mut eq, mut s) = (0.0, 0u64, 0u64);
        space.for_each_neighbour(v, |u| {
            s += 1;
            eq += (loss[u as usize] == x) as u64;
            if !symmetric {
                to += loss[u as usize];
            }
        });
        [s as f64 * x, to, eq as f64, s as f64]
    });
    let (equal, arcs) = (equal as u64, arcs as u64);
    if arcs == 0 {
        return (None, 0, 0);
    }
    let mx = from_sum / arcs as f64;
    let my = if symmetric { mx } else { to_sum / arcs as f64 };
    // Pass 2: Σ (x_v − mx)(x_u − my), Σ (x_v − mx)², Σ (x_u − my)² over arcs.
    let [cross, from_square, to_square] = vertex_sums(n, |v| {
        let x = loss[v as usize] - mx;
        let (mut c, mut t) = (0.0, 0.0);
        space.for_each_neighbour(v, |u| {
            let y = loss[u as usize] - my;
            c += x * y;
            if !symmetric {
                t += y * y;
            }
        });
        [c, space.degree(v) as f64 * x * x, t]
    });
    let rho = if symmetric {
        (from_square > 0.0).then(|| (cross / from_square).clamp(-1.0, 1.0))
    } else {
        (from_square > 0.0 && to_square > 0.0)
            .then(|| (cross / (from_square * to_square).sqrt()).clamp(-1.0, 1.0))
    };
    (rho, equal, arcs)
}

/// The largest weakly connected component of equal-loss arcs (ties in size to the
/// component with the lowest vertex id), by union-find with path halving, union by size.
/// On a symmetric relation each edge is united once (from its lower end).
fn largest_plateau<N: Neighbourhood>(space: &N, loss: &[f64], sign: f64) -> Plateau {
    let n = space.len();
    let symmetric = space.is_symmetric();
    let mut parent: Vec<VertexId> = (0..n as VertexId).collect();
    let mut size = vec![1u32; n];
    fn find(parent: &mut [VertexId], mut v: VertexId) -> VertexId {
        while parent[v as usize] != v {
            let p = parent[parent[v as usize] as usize];
            parent[v as usize] = p;
            v = p;
        }
        v
    }
    for v in 0..n as VertexId {
        let x = loss[v as usize];
        space.for_each_neighbour(v, |u| {
            if (u > v || !symmetric) && loss[u as usize] == x {
                let (a, b) = (find(&mut parent, v), find(&mut parent, u));
                if a != b {
                    let (big, small) = if size[a as usize] >= size[b as usize] {
                        (a, b)
                    } else {
                        (b, a)
                    };
                    parent[small as usize] = big;
                    size[big as usize] += size[small as usize];
                }
            }
        });
    }
    // Scan by vertex id: the first vertex seen of the largest component is its lowest id.
    let mut best = (0u32, 0 as VertexId);
    for v in 0..n as VertexId {
        let r = find(&mut parent, v);
        let s = size[r as usize];
        if s > best.0 {
            best = (s, v);
        }
    }
    Plateau {
        size: best.0 as usize,
        value: sign * loss[best.1 as usize] + 0.0,
        id: best.1,
    }
}
