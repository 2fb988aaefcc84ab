//! The exact landscape statistics that `nasland analyze` reports.
//!
//! Everything here is derived from the loss vector and a [`Landscape`]; values are
//! reported in the metric's own units and direction (the caller supplies the sign).

use crate::landscape::{Compact, Landscape, Loss};
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
        minima: fixed_points(&landscape.ls_star),
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
        minima: landscape.minima(),
        histogram: landscape.histogram().to_vec(),
        local_minima: landscape.local_minima,
        strict_local_minima: landscape.strict_local_minima,
    };
    summarize_parts(loss, parts, sign, arch, opts)
}

/// What the summary needs of a landscape, whichever way it was stored.
struct Parts<'a> {
    ls_star: &'a [VertexId],
    /// The local minima, ascending ids.
    minima: Vec<VertexId>,
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
    let minima_by_id = parts.minima;
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
    // Every vertex of loss `best` is a local minimum: `best` equals the least loss (the
    // vertex holding it has no strictly lower neighbour, so it is a minimum, and no
    // minimum sorts before it but a NaN, which equals nothing), and a vertex of the least
    // loss has no strictly lower neighbour either. So the optima are found among the
    // minima, without a pass over every loss.
    let mut optima: Vec<VertexId> = minima
        .iter()
        .map(|&(m, _)| m)
        .filter(|&m| value(m) == best)
        .collect();
    optima.sort_unstable();
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
/// without an n-sized count array and without random reads beyond the caches. Counting
/// straight from LS* would make one random access per vertex into counts as large as
/// the minima (plus whatever maps a minimum to its index), which at 5^12 is a miss to
/// memory per vertex. Instead LS* is read in chunks, each chunk's entries are first
/// partitioned by the id range of their minimum (a counting sort on the high bits of
/// the id, which streams), and then each range is counted on its own in a dense array
/// small enough for L2. Integer counts, so the result is exact and the same for any
/// thread count and chunking.
pub fn minima_basins(ls_star: &[VertexId], minima: &[VertexId]) -> Vec<u32> {
    // Ranges of 2^shift ids: at least 2^16 (a 256 KiB dense count), and no more than
    // MAX_RANGES ranges, so that the partition writes few enough streams to combine in L2.
    let shift = ls_star
        .len()
        .div_ceil(MAX_RANGES)
        .next_power_of_two()
        .trailing_zeros()
        .max(16);
    basins_by_ranges(ls_star, minima, shift, partition_chunk(ls_star.len()))
}

/// Most id ranges of the basin count's partition.
const MAX_RANGES: usize = 1 << 12;

/// LS* entries partitioned at a time: an eighth of them, between 2^20 and 2^25 (a
/// scratch of 4 to 128 MiB). The scratch is allocated beside every other per-vertex array
/// at the summary's peak, so it must stay small against n (half a byte a vertex from 8 M
/// vertices on): a fixed 2^25 was 4 bytes a vertex up to 5^10, which took `analyze
/// --graph` at 5^10 past its memory allowance (the file plus 16 bytes a vertex). Chunks
/// must not be much smaller either: the partition writes each range's entries as a
/// stream, and at 5^12 a chunk of 2^20 left too few entries a range to stream (13.9 s
/// against 11.5 s).
fn partition_chunk(n: usize) -> usize {
    (n / 8).clamp(1 << 20, 1 << 25)
}

/// Pieces of a chunk partitioned in parallel, each into its own part of the scratch.
const PIECES: usize = 8;

/// [`minima_basins`] with ranges of `2^shift` ids, reading LS* `chunk` entries at a time.
fn basins_by_ranges(
    ls_star: &[VertexId],
    minima: &[VertexId],
    shift: u32,
    chunk: usize,
) -> Vec<u32> {
    let n = ls_star.len();
    let ranges = (n >> shift) + 1;
    // minima[first[r]..first[r + 1]] are the minima of range r.
    let first: Vec<usize> = (0..=ranges)
        .map(|r| minima.partition_point(|&m| ((m as usize) >> shift) < r))
        .collect();
    let mut basin = vec![0u32; minima.len()];
    // Huge pages: the partition writes thousands of streams at once, one page each.
    let mut scratch: Vec<VertexId> = crate::pages::zeroed(chunk.min(n));
    let mask = (1usize << shift) - 1;
    for part in ls_star.chunks(chunk) {
        let piece = part.len().div_ceil(PIECES).max(1);
        // Each piece is counting-sorted by range into the same stretch of the scratch;
        // `ends[p][r]` is where range r's entries of piece p end within its stretch.
        let ends: Vec<Vec<usize>> = part
            .par_chunks(piece)
            .zip(scratch.par_chunks_mut(piece))
            .map(|(src, dst)| {
                let mut at = vec![0usize; ranges + 1];
                for &m in src {
                    at[((m as usize) >> shift) + 1] += 1;
                }
                for r in 0..ranges {
                    at[r + 1] += at[r];
                }
                let ends = at[1..].to_vec();
                for &m in src {
                    let r = (m as usize) >> shift;
                    dst[at[r]] = m;
                    at[r] += 1;
                }
                ends
            })
            .collect();
        let stretches: Vec<&[VertexId]> = scratch[..part.len()].chunks(piece).collect();
        // Each range adds into its own minima's counts: disjoint slices, any order.
        let mut outs = Vec::with_capacity(ranges);
        let mut rest = basin.as_mut_slice();
        for r in 0..ranges {
            let (out, tail) = rest.split_at_mut(first[r + 1] - first[r]);
            outs.push((r, out));
            rest = tail;
        }
        outs.into_par_iter().for_each_init(
            || vec![0u32; 1 << shift],
            |dense, (r, out)| {
                let mut seen = 0usize;
                for (p, stretch) in stretches.iter().enumerate() {
                    let start = if r == 0 { 0 } else { ends[p][r - 1] };
                    for &m in &stretch[start..ends[p][r]] {
                        dense[m as usize & mask] += 1;
                    }
                    seen += ends[p][r] - start;
                }
                let mut taken = 0usize;
                for (o, &m) in out.iter_mut().zip(&minima[first[r]..first[r + 1]]) {
                    let c = &mut dense[m as usize & mask];
                    *o += *c;
                    taken += *c as usize;
                    *c = 0;
                }
                // Every LS* entry is a minimum, so the counts were all taken and the
                // dense array is zero again; an entry that is not (a malformed LS*) is
                // left out of every count, as it would be by a per-vertex count.
                if taken != seen {
                    dense.fill(0);
                }
            },
        );
    }
    basin
}

/// The fixed points of `ls_star` (LS*(v) = v exactly at the local minima), ascending.
pub fn fixed_points(ls_star: &[VertexId]) -> Vec<VertexId> {
    ls_star
        .par_iter()
        .enumerate()
        .filter(|&(v, &m)| m as usize == v)
        .map(|(v, _)| v as VertexId)
        .collect()
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
    use crate::space::{Neighbourhood, ProductSpace};

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

    use proptest::prelude::*;

    /// Runs `f` on a rayon pool of `threads` threads.
    fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
        crate::test_pool(threads).install(f)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The partitioned count against the per-vertex count, for any range width and
        /// chunk (one range, many, a range per id; one chunk, many, a chunk per entry)
        /// and on 1, 2 and 4 threads; a few malformed entries (not minima) included.
        #[test]
        fn partitioned_basins_equal_the_per_vertex_count(
            n in 1usize..3000,
            every in 1usize..40,
            shift in 0u32..12,
            chunk in 1usize..4000,
            seed in any::<u64>(),
            malformed in 0usize..3,
        ) {
            use rand::{Rng, SeedableRng};
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let is_minimum = |v: usize| v.is_multiple_of(every);
            let minima: Vec<VertexId> =
                (0..n as VertexId).filter(|&v| is_minimum(v as usize)).collect();
            let mut ls_star: Vec<VertexId> = (0..n as VertexId)
                .map(|v| if is_minimum(v as usize) { v } else {
                    minima[rng.gen_range(0..minima.len())]
                })
                .collect();
            for _ in 0..malformed {
                let v = rng.gen_range(0..n);
                if !is_minimum(v) {
                    ls_star[v] = rng.gen_range(0..n as VertexId);
                }
            }
            let per_vertex = basin_sizes(&ls_star);
            let want: Vec<u32> = minima.iter().map(|&m| per_vertex[m as usize]).collect();
            for threads in [1, 2, 4] {
                let got = on_threads(threads, || basins_by_ranges(&ls_star, &minima, shift, chunk));
                prop_assert_eq!(&got, &want, "{} threads", threads);
                let got = on_threads(threads, || minima_basins(&ls_star, &minima));
                prop_assert_eq!(&got, &want, "{} threads", threads);
            }
        }

        /// The global optima taken from the minima equal a scan of every loss, with
        /// ties at the best, signed zeros and NaNs among the values.
        #[test]
        fn optima_from_the_minima_equal_a_scan_of_every_loss(
            k in 2usize..5,
            d in 1usize..6,
            picks in proptest::collection::vec(0usize..6, 1024),
        ) {
            let space = ProductSpace::parse(&format!("{k}^{d}")).unwrap();
            let values = [0.0, -0.0, 1.0, 1.0, f64::NAN, -f64::NAN];
            let loss: Vec<f64> = (0..space.len()).map(|v| values[picks[v % picks.len()]]).collect();
            let land = Landscape::of_product(&space, &loss);
            let opts = SummaryOptions { eps: vec![0.0], top: 3, max_optimum_archs: usize::MAX };
            let s = summarize(&loss, &land, 1.0, &|v| v.to_string(), &opts);
            let best = s.global_optimum.value;
            let scan: Vec<String> = (0..space.len())
                .filter(|&v| loss[v] == best)
                .map(|v| v.to_string())
                .collect();
            prop_assert_eq!(s.global_optimum.count, scan.len());
            prop_assert_eq!(&s.global_optimum.archs, &scan);
        }
    }
}
