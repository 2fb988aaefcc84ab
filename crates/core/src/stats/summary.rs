//! The exact landscape statistics that `nasland analyze` reports.
//!
//! Everything here is derived from the loss vector and a [`Landscape`]; values are
//! reported in the metric's own units and direction (the caller supplies the sign).

use crate::landscape::{Compact, Landscape, Loss};
use crate::prefetch::prefetch;
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
pub fn summarize<L: Loss>(
    loss: &[L],
    landscape: &Landscape,
    sign: f64,
    arch: &dyn Fn(VertexId) -> String,
    opts: &SummaryOptions,
) -> Summary {
    let parts = Parts {
        ls_star: &landscape.ls_star,
        histogram: histogram(&landscape.steps),
        local_minima: landscape.local_minima,
        strict_local_minima: landscape.strict_local_minima,
    };
    summarize_parts(loss, parts, sign, arch, opts)
}

/// [`summarize`] for the compact landscape: the same document from LS* and byte path
/// lengths, with basins counted per minimum instead of per vertex.
pub fn summarize_compact<L: Loss>(
    loss: &[L],
    landscape: &Compact,
    sign: f64,
    arch: &dyn Fn(VertexId) -> String,
    opts: &SummaryOptions,
) -> Summary {
    let parts = Parts {
        ls_star: &landscape.ls_star,
        histogram: landscape.steps.histogram(),
        local_minima: landscape.local_minima,
        strict_local_minima: landscape.strict_local_minima,
    };
    summarize_parts(loss, parts, sign, arch, opts)
}

/// What the summary needs of a landscape, whichever way it was stored.
struct Parts<'a> {
    ls_star: &'a [VertexId],
    histogram: Vec<u64>,
    local_minima: usize,
    strict_local_minima: usize,
}

fn summarize_parts<L: Loss>(
    loss: &[L],
    parts: Parts<'_>,
    sign: f64,
    arch: &dyn Fn(VertexId) -> String,
    opts: &SummaryOptions,
) -> Summary {
    let n = loss.len();
    let value = |v: VertexId| loss[v as usize].to_f64();
    // LS*(v) = v exactly at the minima; ascending ids.
    let minima_by_id: Vec<VertexId> = parts
        .ls_star
        .par_iter()
        .enumerate()
        .filter(|&(v, &m)| m as usize == v)
        .map(|(v, _)| v as VertexId)
        .collect();
    let basin = minima_basins(parts.ls_star, &minima_by_id);
    // Minima best first: (loss, id), each with its basin. Sorted by an integer key of the
    // loss gathered once, not by reading two random losses at every comparison.
    let mut keyed: Vec<(u64, VertexId, u32)> = minima_by_id
        .into_par_iter()
        .zip(basin)
        .map(|(m, b)| (loss[m as usize].order_key(), m, b))
        .collect();
    keyed.par_sort_unstable();
    let minima: Vec<(VertexId, u32)> = keyed.into_par_iter().map(|(_, m, b)| (m, b)).collect();

    let best = minima.first().map_or(f64::NAN, |&(m, _)| value(m));
    let optima: Vec<VertexId> = (0..n as VertexId)
        .into_par_iter()
        .filter(|&v| value(v) == best)
        .collect();
    let optimum_basin = minima
        .iter()
        .take_while(|&&(m, _)| value(m) == best)
        .map(|&(_, b)| b as u64)
        .sum();

    // P(ε): minima are sorted, so the share within ε is a prefix sum of basin sizes.
    let eps_curve = opts
        .eps
        .iter()
        .map(|&eps| {
            let within: u64 = minima
                .iter()
                .take_while(|&&(m, _)| is_within(value(m), best, eps))
                .map(|&(_, b)| b as u64)
                .sum();
            EpsPoint {
                eps,
                p: within as f64 / n as f64,
            }
        })
        .collect();

    let histogram = parts.histogram;
    let max = histogram.len().saturating_sub(1) as u32;
    let total: u64 = histogram
        .iter()
        .enumerate()
        .map(|(k, &c)| k as u64 * c)
        .sum();

    Summary {
        local_minima: parts.local_minima,
        strict_local_minima: parts.strict_local_minima,
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
            .map(|&(m, b)| Minimum {
                arch: arch(m),
                id: m,
                value: sign * value(m),
                basin: b as u64,
            })
            .collect(),
    }
}

/// The basin size of each of `minima` (ascending ids, the fixed points of `ls_star`),
/// without an n-sized count array: a bitmap of the minima with a running count per word
/// turns a minimum's id into its index among them (1.5 bits a vertex), and the counts are
/// kept per minimum. Integer counts, so the parallel count is exact whatever the
/// thread count.
pub fn minima_basins(ls_star: &[VertexId], minima: &[VertexId]) -> Vec<u32> {
    use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
    let words = ls_star.len().div_ceil(64);
    let mut bits = vec![0u64; words];
    for &m in minima {
        bits[m as usize / 64] |= 1 << (m % 64);
    }
    let mut before = Vec::with_capacity(words);
    let mut count = 0u32;
    for w in &bits {
        before.push(count);
        count += w.count_ones();
    }
    let rank = |m: VertexId| {
        let (w, b) = (m as usize / 64, m % 64);
        before[w] + (bits[w] & ((1u64 << b) - 1)).count_ones()
    };
    // One private count array per thread when they are small beside n (the usual case:
    // about one vertex in s + 1 is a minimum), so the counting needs no atomic
    // read-modify-write; shared atomic counts otherwise, to stay within memory.
    let threads = rayon::current_num_threads().max(1);
    if minima.len() * threads <= ls_star.len() / 4 {
        let part = ls_star.len().div_ceil(threads).max(1);
        return ls_star
            .par_chunks(part)
            .map(|chunk| {
                let mut counts = vec![0u32; minima.len()];
                visit_ranks(chunk, &bits, &before, &rank, |r, next| {
                    if let Some(next) = next {
                        prefetch(&counts, next);
                    }
                    counts[r] += 1;
                });
                counts
            })
            .reduce_with(|mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            })
            .unwrap_or_default();
    }
    let counts: Vec<AtomicU32> = (0..minima.len()).map(|_| AtomicU32::new(0)).collect();
    ls_star.par_chunks(1 << 14).for_each(|chunk| {
        visit_ranks(chunk, &bits, &before, &rank, |r, next| {
            if let Some(next) = next {
                prefetch(&counts, next);
            }
            counts[r].fetch_add(1, Relaxed);
        })
    });
    counts.into_iter().map(AtomicU32::into_inner).collect()
}

/// Calls `visit(rank of m, rank of the minimum AHEAD places on)` for each minimum m of
/// `chunk`, in order, having prefetched the bitmap words of the one 2·AHEAD places on:
/// the reads are random, and beyond the caches each would otherwise wait for the last.
fn visit_ranks(
    chunk: &[VertexId],
    bits: &[u64],
    before: &[u32],
    rank: &impl Fn(VertexId) -> u32,
    mut visit: impl FnMut(usize, Option<usize>),
) {
    const AHEAD: usize = 32;
    for (i, &m) in chunk.iter().enumerate() {
        if let Some(&far) = chunk.get(i + 2 * AHEAD) {
            prefetch(bits, far as usize / 64);
            prefetch(before, far as usize / 64);
        }
        let next = chunk.get(i + AHEAD).map(|&near| rank(near) as usize);
        visit(rank(m) as usize, next);
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
pub fn histogram<T: Copy + Into<u64> + Sync>(xs: &[T]) -> Vec<u64> {
    xs.par_chunks(1 << 16)
        .map(|chunk| {
            let mut h = Vec::new();
            for &x in chunk {
                let x = x.into() as usize;
                if h.len() <= x {
                    h.resize(x + 1, 0u64);
                }
                h[x] += 1;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landscape::Landscape;
    use crate::space::ProductSpace;

    #[test]
    fn basins_by_rank_equal_the_per_vertex_count() {
        // Few minima (private counts) and every vertex a minimum (shared atomic counts).
        let space = ProductSpace::parse("4^7").unwrap();
        let n = 4usize.pow(7);
        for levels in [1_000_000u64, 1] {
            let loss: Vec<f64> = (0..n)
                .map(|v| ((v as u64 * 2654435761) % levels) as f64)
                .collect();
            let land = Landscape::of_product(&space, &loss);
            let minima: Vec<VertexId> = (0..n as VertexId)
                .filter(|&v| land.ls[v as usize] == v)
                .collect();
            let per_vertex = basin_sizes(&land.ls_star);
            let by_rank = minima_basins(&land.ls_star, &minima);
            assert_eq!(
                by_rank,
                minima
                    .iter()
                    .map(|&m| per_vertex[m as usize])
                    .collect::<Vec<_>>()
            );
            assert_eq!(by_rank.iter().map(|&b| b as usize).sum::<usize>(), n);
        }
    }
}
