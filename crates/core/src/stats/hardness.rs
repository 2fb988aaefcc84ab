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
//! # Product spaces
//!
//! On a Hamming product the same figures have cheaper exact forms, taken when the space
//! says it is one ([`Neighbourhood::as_product`]; the kernels are in `stats::lines`): the
//! distance to the nearest global optimum (the nearest of all tied optima) is a Hamming
//! distance, computed by a separable distance transform in one streaming pass per
//! dimension instead of a BFS; ρ(1) and neutrality are sums over lines, O(n·Σk_i) reading
//! ids in runs. Integer figures are the generic path's exactly; ρ(1) and FDC differ from
//! it only by the rounding of sums taken in another order (tested to 1e-12).
//!
//! Determinism: floating-point sums are taken over fixed chunks of vertices, chunk sums
//! added in order, so the result does not depend on the thread count. First-improvement
//! success comes from [`crate::search::dp`] (on a product, one sweep in loss order),
//! also thread-count independent.

use crate::landscape::{Compact, Landscape, PathLengths};
use crate::search::dp;
use crate::space::reversed::Reversed;
use crate::space::{Neighbourhood, VertexId};
use crate::stats::lines;
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
    let steps = &landscape.steps;
    let total = steps.par_iter().map(|&s| s as u64).sum();
    let max = steps.par_iter().copied().max().unwrap_or(0);
    let ends = Ends {
        ls_star: &landscape.ls_star,
        steps: (total, max),
        local_minima: landscape.local_minima,
    };
    profile(space, loss, ends, sign, eps_shares)
}

/// [`hardness`] from the compact landscape (LS*, byte path lengths): the same numbers, so
/// a caller that needs no LS can skip the full landscape's pass and memory.
pub fn hardness_compact<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    landscape: &Compact,
    sign: f64,
    eps_shares: &[f64],
) -> Hardness {
    let (total, max) = match &landscape.steps {
        PathLengths::U8(s) => (
            s.par_iter().map(|&s| s as u64).sum(),
            s.par_iter().copied().max().unwrap_or(0) as u32,
        ),
        PathLengths::U32(s) => (
            s.par_iter().map(|&s| s as u64).sum(),
            s.par_iter().copied().max().unwrap_or(0),
        ),
    };
    let ends = Ends {
        ls_star: &landscape.ls_star,
        steps: (total, max),
        local_minima: landscape.local_minima,
    };
    profile(space, loss, ends, sign, eps_shares)
}

/// What the hardness profile takes from a landscape, whichever form it has.
struct Ends<'a> {
    ls_star: &'a [VertexId],
    /// Sum and max of the path lengths.
    steps: (u64, u32),
    local_minima: usize,
}

/// The body of [`hardness`] and [`hardness_compact`].
///
/// First-improvement success runs beside the other figures rather than after them: on a
/// product its sweep is one thread waiting on memory (elsewhere a level sweep with a
/// barrier per level), and the plateau's unions are sequential, so each fills the other's
/// idle core. On a product the other figures start only once the sweep's masks, sort and
/// gather are done ([`dp::first_improvement_success_beside`]): those passes then have
/// every core, and the figures the core the sweep leaves idle (started together, they
/// shared both cores and were done long before the sweep, which started later). Every
/// figure is thread-count independent, so running them together changes no bit.
fn profile<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    landscape: Ends,
    sign: f64,
    eps_shares: &[f64],
) -> Hardness {
    let (first_p_success, rest) = dp::first_improvement_success_beside(space, loss, || {
        profile_but_first(space, loss, landscape, sign, eps_shares)
    });
    Hardness {
        first_p_success,
        ..rest
    }
}

/// Every figure of [`profile`] but first-improvement success (left 0).
fn profile_but_first<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    landscape: Ends,
    sign: f64,
    eps_shares: &[f64],
) -> Hardness {
    let n = space.len();
    assert_eq!(n, loss.len(), "one loss per vertex");
    assert!(n > 0, "an empty space has no landscape");
    let (best, worst) = crate::range::min_max(loss.iter().copied());

    let product = space.as_product();
    let expected = crate::theory::iid::expected_local_minima(space);

    // Basin of the global optima and P(ε): which starts end within ε, every threshold
    // counted in one pass (integer counts, so the schedule does not matter). Each end is
    // a random read; with few thresholds it reads one byte of flags (set in a streaming
    // pass) instead of an 8-byte loss, so the array read at random is 8× smaller and
    // stays in cache on spaces whose losses do not.
    let eps: Vec<f64> = eps_shares
        .iter()
        .map(|&s| crate::range::share_of_range(best, worst, s))
        .collect();
    let flags = |end: f64| {
        let eps = &eps;
        std::iter::once(end == best).chain(
            eps.iter()
                .map(move |&e| crate::range::is_within(end, best, e)),
        )
    };
    let counts = if eps.len() < 8 {
        let bits: Vec<u8> = loss
            .par_iter()
            .with_min_len(CHUNK)
            .map(|&l| {
                flags(l)
                    .enumerate()
                    .fold(0u8, |b, (j, f)| b | (f as u8) << j)
            })
            .collect();
        landscape
            .ls_star
            .par_iter()
            .with_min_len(CHUNK)
            .fold(
                || [0usize; 8],
                |mut counts, &end| {
                    let b = bits[end as usize];
                    for (j, c) in counts.iter_mut().enumerate() {
                        *c += (b >> j & 1) as usize;
                    }
                    counts
                },
            )
            .reduce(|| [0usize; 8], |a, b| std::array::from_fn(|j| a[j] + b[j]))[..=eps.len()]
            .to_vec()
    } else {
        landscape
            .ls_star
            .par_iter()
            .with_min_len(CHUNK)
            .fold(
                || vec![0usize; eps.len() + 1],
                |mut counts, &end| {
                    for (c, f) in counts.iter_mut().zip(flags(loss[end as usize])) {
                        *c += f as usize;
                    }
                    counts
                },
            )
            .reduce(
                || vec![0usize; eps.len() + 1],
                |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect(),
            )
    };
    let optimum_basin = counts[0];
    let eps_curve = eps_shares
        .iter()
        .zip(&eps)
        .zip(&counts[1..])
        .map(|((&s, &e), &count)| EpsShare {
            eps_share: s,
            eps: e,
            p: count as f64 / n as f64,
        })
        .collect();

    let (steps_total, path_length_max) = landscape.steps;

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
    let distance = match product {
        Some(p) => {
            let d = lines::distance_to_optima(p, loss, best);
            fitness_distance(moderate, |v| Some(d[v] as u32))
        }
        None => {
            let d = distance_to_optima(space, loss, best);
            fitness_distance(moderate, |v| (d[v] != u32::MAX).then_some(d[v]))
        }
    };

    // On a product, the groups of lines that hold an equal pair, for the plateau below.
    let mut equal_groups = Vec::new();
    let (rho1, equal_arcs, arcs) = match product {
        Some(p) => {
            // Scaling by a power of two keeps equal losses equal, so the groups found on
            // the scaled values include every group with an equal pair of `loss`.
            let sums = lines::correlation_sums(p, moderate);
            let rho = (sums.square > 0.0).then(|| (sums.cross / sums.square).clamp(-1.0, 1.0));
            equal_groups = sums.equal_groups;
            (rho, sums.equal, sums.arcs)
        }
        None => neighbour_correlation(space, moderate),
    };
    let correlation_length = rho1.and_then(|r| {
        let a = r.abs();
        (a > 0.0 && a < 1.0).then(|| -1.0 / a.ln())
    });
    let largest_plateau = if equal_arcs == 0 {
        // No equal-loss arc: every vertex is its own plateau, and the first is vertex 0.
        Plateau {
            size: 1,
            value: sign * loss[0] + 0.0,
            id: 0,
        }
    } else {
        match product {
            // At most k − 1 unions per line, found by streaming passes over the lines
            // instead of a scan of every arc with random loss reads.
            Some(p) => largest_plateau(n, loss, sign, |join| {
                lines::equal_loss_chains(p, loss, &equal_groups, join)
            }),
            None => largest_plateau(n, loss, sign, |join| equal_loss_arcs(space, loss, join)),
        }
    };

    Hardness {
        n,
        local_minima: landscape.local_minima,
        expected_local_minima_iid: expected,
        local_minima_ratio: landscape.local_minima as f64 / expected,
        optimum_basin_share: optimum_basin as f64 / n as f64,
        eps_curve,
        path_length_mean: steps_total as f64 / n as f64,
        path_length_max,
        fdc: distance.fdc,
        distance_mean: distance.mean,
        distance_max: distance.max,
        unreachable: distance.unreachable,
        rho1,
        correlation_length,
        // Equal to the share of edges on a symmetric relation: both counts are doubled.
        neutrality: if arcs == 0 {
            0.0
        } else {
            equal_arcs as f64 / arcs as f64
        },
        largest_plateau,
        first_p_success: 0.0,
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

/// FDC and the distance figures, over the vertices that reach an optimum.
struct FitnessDistance {
    fdc: Option<f64>,
    mean: f64,
    max: u32,
    unreachable: usize,
}

/// Pearson correlation of (loss, distance) over the vertices with a distance, and the
/// distances' mean and max: two streaming passes (means, then centred sums) in fixed
/// chunks of ids, nothing n-sized allocated.
fn fitness_distance(loss: &[f64], dist: impl Fn(usize) -> Option<u32> + Sync) -> FitnessDistance {
    let n = loss.len();
    let [count, loss_sum, dist_sum] = vertex_sums(n, |v| match dist(v as usize) {
        Some(d) => [1.0, loss[v as usize], d as f64],
        None => [0.0; 3],
    });
    let max = (0..n)
        .into_par_iter()
        .with_min_len(CHUNK)
        .filter_map(&dist)
        .max()
        .unwrap_or(0);
    let mean = dist_sum / count;
    let fdc = if count < 2.0 {
        None
    } else {
        let mx = loss_sum / count;
        let [sxy, sxx, syy] = vertex_sums(n, |v| match dist(v as usize) {
            Some(d) => {
                let (x, y) = (loss[v as usize] - mx, d as f64 - mean);
                [x * y, x * x, y * y]
            }
            None => [0.0; 3],
        });
        (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
    };
    FitnessDistance {
        fdc,
        mean,
        max,
        unreachable: n - count as usize,
    }
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
///
/// `pairs(join)` calls `join(a, b)` for enough equal-loss pairs to connect each plateau:
/// the components, hence the answer, do not depend on which.
///
/// The union-find is over the vertices the pairs name while they are few (iid losses
/// drawn as f32 give a handful of equal arcs at 5^10): two n-sized arrays and a scan of
/// every vertex would cost more than the rest of the plateau. Past n/16 pairs it moves
/// to arrays indexed by vertex id, so memory stays bounded when nearly every arc is
/// equal. Vertices no pair names are plateaus of one, which no component of a pair beats
/// only when there is none.
fn largest_plateau(
    n: usize,
    loss: &[f64],
    sign: f64,
    pairs: impl FnOnce(&mut dyn FnMut(VertexId, VertexId)),
) -> Plateau {
    plateau_held_up_to(n, loss, sign, (n / 16).max(1024), pairs)
}

/// [`largest_plateau`] with the union-find over the named vertices while at most `cap`
/// pairs are held (a parameter so that tests can compare both forms).
fn plateau_held_up_to(
    n: usize,
    loss: &[f64],
    sign: f64,
    cap: usize,
    pairs: impl FnOnce(&mut dyn FnMut(VertexId, VertexId)),
) -> Plateau {
    let mut held: Vec<(VertexId, VertexId)> = Vec::new();
    let mut dense: Option<Forest> = None;
    pairs(&mut |a, b| match &mut dense {
        Some(forest) => forest.union(a, b),
        None => {
            held.push((a, b));
            if held.len() > cap {
                let mut forest = Forest::new(n);
                for (a, b) in held.drain(..) {
                    forest.union(a, b);
                }
                dense = Some(forest);
            }
        }
    });
    // (size, lowest id) of the largest component, vertices scanned by increasing id so
    // that the first one seen of the largest component is its lowest.
    let best = match dense {
        Some(mut forest) => {
            let mut best = (0u32, 0 as VertexId);
            for v in 0..n as VertexId {
                let s = forest.size_of(v);
                if s > best.0 {
                    best = (s, v);
                }
            }
            best
        }
        None => {
            let mut members: Vec<VertexId> = held.iter().flat_map(|&(a, b)| [a, b]).collect();
            members.sort_unstable();
            members.dedup();
            let index = |v: VertexId| members.partition_point(|&m| m < v) as VertexId;
            let mut forest = Forest::new(members.len());
            for &(a, b) in &held {
                forest.union(index(a), index(b));
            }
            // Vertex 0 is a plateau of one unless a pair names it (then it is scanned).
            let mut best = (1u32, 0 as VertexId);
            for (i, &v) in members.iter().enumerate() {
                let s = forest.size_of(i as VertexId);
                if s > best.0 {
                    best = (s, v);
                }
            }
            best
        }
    };
    Plateau {
        size: best.0 as usize,
        value: sign * loss[best.1 as usize] + 0.0,
        id: best.1,
    }
}

/// Union-find over `0..len` with path halving and union by size.
struct Forest {
    parent: Vec<VertexId>,
    size: Vec<u32>,
}

impl Forest {
    fn new(len: usize) -> Forest {
        Forest {
            parent: (0..len as VertexId).collect(),
            size: vec![1; len],
        }
    }

    fn find(&mut self, mut v: VertexId) -> VertexId {
        while self.parent[v as usize] != v {
            let p = self.parent[self.parent[v as usize] as usize];
            self.parent[v as usize] = p;
            v = p;
        }
        v
    }

    fn union(&mut self, v: VertexId, u: VertexId) {
        let (a, b) = (self.find(v), self.find(u));
        if a != b {
            let (big, small) = if self.size[a as usize] >= self.size[b as usize] {
                (a, b)
            } else {
                (b, a)
            };
            self.parent[small as usize] = big;
            self.size[big as usize] += self.size[small as usize];
        }
    }

    /// The size of v's component.
    fn size_of(&mut self, v: VertexId) -> u32 {
        let r = self.find(v);
        self.size[r as usize]
    }
}

/// The equal-loss arcs of `space`, each edge once (from its lower end) on a symmetric
/// relation.
fn equal_loss_arcs<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    join: &mut dyn FnMut(VertexId, VertexId),
) {
    let symmetric = space.is_symmetric();
    for v in 0..space.len() as VertexId {
        let x = loss[v as usize];
        space.for_each_neighbour(v, |u| {
            if (u > v || !symmetric) && loss[u as usize] == x {
                join(v, u);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::{Csr, ProductSpace};

    /// The other figures' result comes back from beside the first-improvement sweep on
    /// the paths that run it beside the sweep or beside the level sweep (a product of
    /// degree ≤ 64 or above, a graph), with the sequential DP's success, bit for bit, on 1
    /// and 2 threads.
    #[test]
    fn figures_come_back_from_beside_the_first_improvement_sweep() {
        use crate::search::dp::{loss_order, solve_sequential, Target};
        use crate::search::Variant;
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(31);
        for spec in ["4^5", "3x66"] {
            let space = ProductSpace::parse(spec).unwrap();
            for levels in [0u32, 5] {
                let loss = crate::test_losses::draw(&mut rng, space.len(), levels);
                let order = loss_order(&loss);
                let expect =
                    solve_sequential(&space, &loss, &order, Variant::First, Target::Eps(0.0), 0)
                        .mean(|s| s.p_success);
                let csr = Csr::from_neighbourhood(&space);
                for threads in [1, 2] {
                    let pool = crate::test_pool(threads);
                    let (p, seven) =
                        pool.install(|| dp::first_improvement_success_beside(&space, &loss, || 7));
                    assert_eq!((p.to_bits(), seven), (expect.to_bits(), 7), "{spec}");
                    let (p, seven) =
                        pool.install(|| dp::first_improvement_success_beside(&csr, &loss, || 7));
                    assert_eq!(
                        (p.to_bits(), seven),
                        (expect.to_bits(), 7),
                        "{spec} as a graph"
                    );
                }
            }
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

    /// FDC as first written: the reachable pairs collected, then [`pearson`].
    fn oracle_fdc(loss: &[f64], dist: &[u32]) -> Option<f64> {
        let reach: Vec<(f64, f64)> = dist
            .iter()
            .zip(loss)
            .filter(|(&d, _)| d != u32::MAX)
            .map(|(&d, &l)| (l, d as f64))
            .collect();
        pearson(&reach)
    }

    fn close(a: Option<f64>, b: Option<f64>, what: &str) {
        match (a, b) {
            (Some(a), Some(b)) => assert!((a - b).abs() <= 1e-12, "{what}: {a} vs {b}"),
            _ => assert_eq!(a, b, "{what}"),
        }
    }

    /// The compact landscape gives [`hardness`]'s profile bit for bit, on products (the
    /// line kernels, the plateau's line pairs with ties) and on a graph, on 1, 2 and 4
    /// threads; a 5 ^ 4 with 300 tied levels has long paths of equal-loss arcs.
    #[test]
    fn compact_landscape_gives_the_same_profile() {
        use crate::landscape::Compact;
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(17);
        let pool = crate::test_pool;
        for spec in ["3x4x5", "nb201", "5^4", "2x70", "3x4x5x66"] {
            let space = ProductSpace::parse(spec).unwrap();
            for levels in [0u32, 2, 7, 300] {
                let loss = crate::test_losses::draw(&mut rng, space.len(), levels);
                let full = Landscape::of_product(&space, &loss);
                let want = format!("{:?}", hardness(&space, &loss, &full, -1.0, &[0.01, 0.1]));
                for threads in [1, 2, 4] {
                    let got = pool(threads).install(|| {
                        let compact = Compact::of_product(&space, &loss, &crate::progress::Silent);
                        hardness_compact(&space, &loss, &compact, -1.0, &[0.01, 0.1])
                    });
                    assert_eq!(format!("{got:?}"), want, "{spec}, {levels} levels");
                }
                let csr = Csr::from_neighbourhood(&space);
                let compact = Compact::of_graph(&csr, &loss);
                let got = hardness_compact(&csr, &loss, &compact, -1.0, &[0.01, 0.1]);
                let want = hardness(
                    &csr,
                    &loss,
                    &Landscape::of_graph(&csr, &loss),
                    -1.0,
                    &[0.01, 0.1],
                );
                assert_eq!(format!("{got:?}"), format!("{want:?}"), "{spec} as a graph");
            }
        }
    }

    /// P(ε) with more thresholds than the flag byte holds takes the loss-reading path: the
    /// same counts as with the thresholds one at a time.
    #[test]
    fn many_thresholds_count_as_few() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(23);
        let space = ProductSpace::parse("4x5x6").unwrap();
        let loss = crate::test_losses::draw(&mut rng, space.len(), 9);
        let land = Landscape::of_product(&space, &loss);
        let shares: Vec<f64> = (0..10).map(|i| i as f64 / 20.0).collect();
        let many = hardness(&space, &loss, &land, 1.0, &shares);
        for (j, s) in shares.iter().enumerate() {
            let one = hardness(&space, &loss, &land, 1.0, &[*s]);
            assert_eq!(many.eps_curve[j], one.eps_curve[0], "share {s}");
        }
        assert!(many.eps_curve.windows(2).all(|w| w[0].p <= w[1].p));
    }

    /// The product path (Hamming transform, line sums) against the generic path on the
    /// same space: integer figures exactly, ρ(1) and FDC to 1e-12 (the sums are taken in
    /// another order), and the same bits on 1 and 4 threads.
    #[test]
    fn product_lines_equal_the_generic_path() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        for spec in ["2^3", "3x4x5", "nb201", "7x2x3x2", "2^12", "4097x2"] {
            let space = ProductSpace::parse(spec).unwrap();
            // The same graph, neighbour for neighbour in the same order, stored as lists:
            // it does not say it is a product, so `hardness` takes the generic path (BFS
            // distances, sums arc by arc), the oracle of the line kernels. A stored graph
            // rather than a test-only wrapper type: the generic passes are then compiled
            // for one graph type fewer (about an eighth of this test harness's code).
            let plain = Csr::from_neighbourhood(&space);
            for levels in [0u32, 2, 7] {
                let loss = crate::test_losses::draw(&mut rng, space.len(), levels);
                let land = Landscape::of_graph(&space, &loss);
                let pool = crate::test_pool;
                let fast = pool(1).install(|| hardness(&space, &loss, &land, -1.0, &[0.01]));
                let four = pool(4).install(|| hardness(&space, &loss, &land, -1.0, &[0.01]));
                assert_eq!(format!("{fast:?}"), format!("{four:?}"), "{spec}");
                let slow = hardness(&plain, &loss, &land, -1.0, &[0.01]);
                let what = format!("{spec}, {levels} levels");
                assert_eq!(fast.distance_max, slow.distance_max, "{what}");
                assert_eq!(fast.unreachable, slow.unreachable, "{what}");
                assert_eq!(fast.neutrality, slow.neutrality, "{what}");
                assert_eq!(fast.largest_plateau, slow.largest_plateau, "{what}");
                assert_eq!(
                    fast.expected_local_minima_iid,
                    slow.expected_local_minima_iid
                );
                assert!(
                    (fast.distance_mean - slow.distance_mean).abs() <= 1e-12,
                    "{what}"
                );
                close(fast.fdc, slow.fdc, &what);
                close(fast.rho1, slow.rho1, &what);
                assert_eq!(fast.first_p_success, slow.first_p_success, "{what}");

                // The streaming FDC against the collected pairs, on BFS distances.
                let best = crate::range::min_max(loss.iter().copied()).0;
                let dist = distance_to_optima(&plain, &loss, best);
                let d8 = lines::distance_to_optima(&space, &loss, best);
                assert!(dist.iter().zip(&d8).all(|(&a, &b)| a == b as u32), "{what}");
                close(fast.fdc, oracle_fdc(&loss, &dist), &what);
            }
        }
    }

    /// A few equal pairs planted among distinct losses, so that only some groups of lines
    /// hold one and the plateau's pass visits only those: the same largest plateau and
    /// neutrality as the generic path, which scans every arc.
    #[test]
    fn plateau_from_the_groups_with_equal_pairs() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
        let space = ProductSpace::parse("4^7").unwrap();
        let plain = Csr::from_neighbourhood(&space);
        for planted in [1, 3, 40] {
            let mut loss: Vec<f64> = (0..space.len()).map(|_| rng.gen::<f64>()).collect();
            for _ in 0..planted {
                let v = rng.gen_range(0..space.len() as VertexId);
                let mut last = v;
                space.for_each_neighbour(v, |u| last = u);
                loss[last as usize] = loss[v as usize];
            }
            let land = Landscape::of_graph(&space, &loss);
            let fast = hardness(&space, &loss, &land, 1.0, &[0.01]);
            let slow = hardness(&plain, &loss, &land, 1.0, &[0.01]);
            assert!(fast.largest_plateau.size > 1, "{planted}");
            assert_eq!(fast.largest_plateau, slow.largest_plateau, "{planted}");
            assert_eq!(fast.neutrality, slow.neutrality, "{planted}");
        }
    }
}

#[cfg(test)]
mod plateau_tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The union-find over the named vertices (few pairs) and the one over every id
        /// (many pairs; also the switch from one to the other mid-way) find the same
        /// plateau: size, value and lowest id, with ties in size between components.
        #[test]
        fn few_pairs_and_many_give_the_same_plateau(
            n in 1usize..200,
            raw in proptest::collection::vec((0u32..200, 0u32..200), 0..300),
            switch in 0usize..300,
        ) {
            let loss: Vec<f64> = (0..n).map(|v| (v % 7) as f64).collect();
            let pairs: Vec<(VertexId, VertexId)> = raw
                .into_iter()
                .map(|(a, b)| (a % n as u32, b % n as u32))
                .collect();
            let run = |cap: usize| {
                plateau_held_up_to(n, &loss, -1.0, cap, |join| {
                    for &(a, b) in &pairs {
                        join(a, b);
                    }
                })
            };
            let sparse = run(usize::MAX);
            prop_assert_eq!(&sparse, &run(0));
            prop_assert_eq!(&sparse, &run(switch));
            // The oracle: components by repeated relaxation of the lowest id.
            let mut label: Vec<usize> = (0..n).collect();
            loop {
                let mut changed = false;
                for &(a, b) in &pairs {
                    let (a, b) = (a as usize, b as usize);
                    let m = label[a].min(label[b]);
                    changed |= label[a] != m || label[b] != m;
                    label[a] = m;
                    label[b] = m;
                }
                if !changed {
                    break;
                }
            }
            let mut size = vec![0usize; n];
            for &l in &label {
                size[l] += 1;
            }
            // The lowest id of a component is its label; the first largest by label.
            let biggest = (0..n).max_by_key(|&l| (size[l], std::cmp::Reverse(l))).unwrap();
            prop_assert_eq!(sparse.size, size[biggest]);
            prop_assert_eq!(sparse.id as usize, biggest);
        }
    }
}
