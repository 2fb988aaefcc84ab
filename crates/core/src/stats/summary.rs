//! The exact landscape statistics that `nasland analyze` reports.
//!
//! Everything here is derived from the loss vector and a [`Landscape`]; values are
//! reported in the metric's own units and direction (the caller supplies the sign).

use crate::landscape::Landscape;
use crate::range::is_within;
use crate::space::VertexId;
use rayon::prelude::*;
use serde::Serialize;

pub use crate::range::EPS_SLACK;

/// What to summarise beyond the fixed statistics.
#[derive(Clone, Debug)]
pub struct SummaryOptions {
    /// ε values (metric units) for the P(ε) curve.
    pub eps: Vec<f64>,
    /// How many best minima to list.
    pub top: usize,
    /// How many global-optimum architectures to list by name at most.
    pub max_optimum_archs: usize,
}

/// All global optima (ties included) and the starts that descend into them.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct GlobalOptimum {
    /// The best value, in metric units.
    pub value: f64,
    /// How many vertices share it.
    pub count: usize,
    /// Their architecture strings, lowest vertex id first (at most `max_optimum_archs`).
    pub archs: Vec<String>,
    /// Number of starts whose LS* is a global optimum.
    pub basin: u64,
}

/// One point of the P(ε) curve.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct EpsPoint {
    /// ε in metric units.
    pub eps: f64,
    /// Share of starts whose LS* is within ε of the best value.
    pub p: f64,
}

/// Path lengths: the number of LS steps from each start to its minimum.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PathLength {
    /// Mean path length over all starts.
    pub mean: f64,
    /// Longest path.
    pub max: u32,
    /// `histogram[k]` = number of starts with path length k.
    pub histogram: Vec<u64>,
}

/// A local minimum with its basin.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Minimum {
    /// The architecture string, so a minimum can be looked up outside nasland.
    pub arch: String,
    /// Vertex id of the minimum.
    pub id: VertexId,
    /// Its loss.
    pub value: f64,
    /// Number of starts whose LS* is this minimum.
    pub basin: u64,
}

/// The exact summary of one landscape.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Summary {
    /// Vertices with no neighbour of strictly lower loss: where best improvement stops.
    pub local_minima: usize,
    /// Vertices whose every neighbour is strictly worse (no plateau around them).
    pub strict_local_minima: usize,
    /// The best loss, where it is and how many starts reach it.
    pub global_optimum: GlobalOptimum,
    /// P(ε): share of starts whose LS* is within ε of the best value, one point per ε asked.
    pub eps_curve: Vec<EpsPoint>,
    /// How many steps the descents take.
    pub path_length: PathLength,
    /// The best local minima with their basins, best first, as many as asked for.
    pub minima: Vec<Minimum>,
}

/// Summarises `landscape` of `loss` (lower is better). `sign` turns a loss into the
/// metric's value (−1 for a maximised metric); `arch` names a vertex.
pub fn summarize(
    loss: &[f64],
    landscape: &Landscape,
    sign: f64,
    arch: &dyn Fn(VertexId) -> String,
    opts: &SummaryOptions,
) -> Summary {
    let n = loss.len();
    let basin = basin_sizes(&landscape.ls_star);
    // Minima best first: (loss, id).
    let mut minima: Vec<VertexId> = (0..n as VertexId)
        .into_par_iter()
        .filter(|&v| landscape.ls[v as usize] == v)
        .collect();
    minima.sort_unstable_by(|&a, &b| {
        loss[a as usize]
            .total_cmp(&loss[b as usize])
            .then(a.cmp(&b))
    });

    let best = minima.first().map_or(f64::NAN, |&m| loss[m as usize]);
    let optima: Vec<VertexId> = (0..n as VertexId)
        .filter(|&v| loss[v as usize] == best)
        .collect();
    let optimum_basin = minima
        .iter()
        .take_while(|&&m| loss[m as usize] == best)
        .map(|&m| basin[m as usize] as u64)
        .sum();

    // P(ε): minima are sorted, so the share within ε is a prefix sum of basin sizes.
    let eps_curve = opts
        .eps
        .iter()
        .map(|&eps| {
            let within: u64 = minima
                .iter()
                .take_while(|&&m| is_within(loss[m as usize], best, eps))
                .map(|&m| basin[m as usize] as u64)
                .sum();
            EpsPoint {
                eps,
                p: within as f64 / n as f64,
            }
        })
        .collect();

    let histogram = histogram(&landscape.steps);
    let max = histogram.len().saturating_sub(1) as u32;
    let total: u64 = histogram
        .iter()
        .enumerate()
        .map(|(k, &c)| k as u64 * c)
        .sum();

    Summary {
        local_minima: landscape.local_minima,
        strict_local_minima: landscape.strict_local_minima,
        global_optimum: GlobalOptimum {
            value: sign * best,
            count: optima.len(),
            archs: optima
                .iter()
                .take(opts.max_optimum_archs)
                .map(|&v| arch(v))
                .collect(),
            basin: optimum_basin,
        },
        eps_curve,
        path_length: PathLength {
            mean: total as f64 / n as f64,
            max,
            histogram,
        },
        minima: minima
            .iter()
            .take(opts.top)
            .map(|&m| Minimum {
                arch: arch(m),
                id: m,
                value: sign * loss[m as usize],
                basin: basin[m as usize] as u64,
            })
            .collect(),
    }
}

/// `basin[m]` = number of vertices whose LS* is m. Integer counts, so the parallel
/// count is exact whatever the thread count.
pub fn basin_sizes(ls_star: &[VertexId]) -> Vec<u32> {
    use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
    let counts: Vec<AtomicU32> = (0..ls_star.len()).map(|_| AtomicU32::new(0)).collect();
    ls_star.par_iter().with_min_len(1 << 14).for_each(|&m| {
        counts[m as usize].fetch_add(1, Relaxed);
    });
    counts.into_iter().map(AtomicU32::into_inner).collect()
}

/// `histogram[k]` = number of entries equal to k.
pub fn histogram(xs: &[u32]) -> Vec<u64> {
    xs.par_chunks(1 << 16)
        .map(|chunk| {
            let mut h = Vec::new();
            for &x in chunk {
                if h.len() <= x as usize {
                    h.resize(x as usize + 1, 0u64);
                }
                h[x as usize] += 1;
            }
            h
        })
        .reduce(Vec::new, |mut a, b| {
            if a.len() < b.len() {
                a.resize(b.len(), 0);
            }
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
            a
        })
}
