//! Hardness sums on a product space, taken line by line instead of arc by arc.
//!
//! In a Hamming product every arc joins two vertices of one *line* (the k_i vertices that
//! differ only in dimension i), and every pair of a line is an arc both ways. So a sum
//! over arcs is a sum over lines of a sum over the pairs of the line, and the pairs of a
//! line need no neighbour enumeration: O(n) per dimension, reading memory in runs of
//! consecutive ids. Likewise the distance to the nearest of a set of vertices is a
//! Hamming distance, and a Hamming distance transform is separable: after relaxing
//! dimension i (every vertex takes min(own, 1 + min over its line)), each vertex holds
//! its distance to the set counted over dimensions 0..=i only — no BFS.
//!
//! Every pass splits the lines into fixed groups ([`groups`]) whose partial results are
//! combined in group order, so the results do not depend on the thread count.

use crate::space::ProductSpace;
use rayon::prelude::*;
use std::ops::Range;
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicU8, Ordering::Relaxed};

/// About this many vertices per work group.
const GROUP: usize = 4096;

/// A set of lines of one dimension: for each of `blocks` consecutive blocks of
/// `stride · k` ids from `start`, the lines whose offset in the block is in `lines`.
/// Line j of block b is the vertices `start + b·stride·k + c·stride + j`, c in 0..k.
#[derive(Clone, Debug)]
struct Group {
    start: usize,
    blocks: usize,
    lines: Range<usize>,
}

/// The groups of dimension `i`, in id order: whole blocks of short lines together, or
/// slices of the lines of one block when the stride is large.
fn groups(space: &ProductSpace, i: usize) -> Vec<Group> {
    let (stride, k) = (space.strides()[i] as usize, space.radices()[i] as usize);
    let block = stride * k;
    let count = crate::space::Neighbourhood::len(space) / block;
    let mut out = Vec::new();
    if stride >= GROUP {
        for b in 0..count {
            for a in (0..stride).step_by(GROUP) {
                out.push(Group {
                    start: b * block,
                    blocks: 1,
                    lines: a..(a + GROUP).min(stride),
                });
            }
        }
    } else {
        let per = (GROUP / block).max(1);
        for b in (0..count).step_by(per) {
            out.push(Group {
                start: b * block,
                blocks: per.min(count - b),
                lines: 0..stride,
            });
        }
    }
    out
}

/// Per-dimension geometry: (stride, k).
fn shape(space: &ProductSpace, i: usize) -> (usize, usize) {
    (space.strides()[i] as usize, space.radices()[i] as usize)
}

/// What [`correlation_sums`] adds up over the arcs of a product.
pub(crate) struct Correlation {
    /// Σ over arcs v → u of (x_v − m)(x_u − m), m the mean loss.
    pub cross: f64,
    /// Σ over arcs of (x_v − m)².
    pub square: f64,
    /// Arcs joining equal losses.
    pub equal: u64,
    /// Arcs.
    pub arcs: u64,
    /// Per dimension, the indices (in [`groups`] order) of the groups with an equal pair:
    /// the only ones [`equal_loss_chains`] needs to visit.
    pub equal_groups: Vec<Vec<usize>>,
}

/// The sums of [`Correlation`]. Per line, Σ over ordered pairs v ≠ u of y_v·y_u = S² − Q
/// (S = Σ y, Q = Σ y² over the line), taken per line so that the cancellation stays
/// within one line's values.
pub(crate) fn correlation_sums(space: &ProductSpace, loss: &[f64]) -> Correlation {
    let n = loss.len();
    let degree = space.uniform_degree();
    let mean = fixed_sum(n, |r| loss[r].iter().sum::<f64>()) / n as f64;
    let square = fixed_sum(n, |r| {
        loss[r]
            .iter()
            .map(|&x| (x - mean) * (x - mean))
            .sum::<f64>()
    });
    let (mut cross, mut equal) = (0.0, 0u64);
    let mut equal_groups = Vec::new();
    for i in 0..space.radices().len() {
        let (stride, k) = shape(space, i);
        let parts: Vec<(f64, u64)> = groups(space, i)
            .par_iter()
            .map_init(
                || (Vec::new(), Vec::new()),
                |(s, q): &mut (Vec<f64>, Vec<f64>), g| {
                    let width = g.lines.len();
                    let (mut cross, mut equal) = (0.0, 0u64);
                    // Sized once a group, not once a block: on short lines a block is
                    // a few values (5 at dimension 1 of 5^10).
                    s.clear();
                    s.resize(width, 0.0);
                    q.clear();
                    q.resize(width, 0.0);
                    for b in 0..g.blocks {
                        let base = g.start + b * stride * k + g.lines.start;
                        if width == 1 && k <= LONG {
                            // One line (stride 1, or a group of one offset): the same sums
                            // and comparisons in scalars. Through the slices of the general
                            // path, dimension 0 took ≈ 37 % of the pass at 5^10 (≈ 0.23 s
                            // of 0.63) for a fifth of its lines' work; this way ≈ 0.07 s.
                            let line = &loss[base..][..(k - 1) * stride + 1];
                            let (mut s, mut q) = (0.0, 0.0);
                            for c in 0..k {
                                let y = line[c * stride] - mean;
                                s += y;
                                q += y * y;
                            }
                            cross += std::iter::once(s * s - q).sum::<f64>();
                            for c1 in 0..k {
                                let x = line[c1 * stride];
                                for c2 in c1 + 1..k {
                                    equal += (line[c2 * stride] == x) as u64;
                                }
                            }
                            continue;
                        }
                        let row = |c: usize| &loss[base + c * stride..][..width];
                        s.fill(0.0);
                        q.fill(0.0);
                        for c in 0..k {
                            for ((s, q), &x) in s.iter_mut().zip(q.iter_mut()).zip(row(c)) {
                                let y = x - mean;
                                *s += y;
                                *q += y * y;
                            }
                        }
                        cross += s
                            .iter()
                            .zip(q.iter())
                            .map(|(&s, &q)| s * s - q)
                            .sum::<f64>();
                        if k > LONG {
                            for j in 0..width {
                                equal += equal_pairs(k, |c| row(c)[j]);
                            }
                        } else {
                            for c1 in 0..k {
                                for c2 in c1 + 1..k {
                                    equal +=
                                        row(c1).iter().zip(row(c2)).filter(|(a, b)| a == b).count()
                                            as u64;
                                }
                            }
                        }
                    }
                    (cross, 2 * equal)
                },
            )
            .collect();
        let mut with_pairs = Vec::new();
        for (g, (c, e)) in parts.into_iter().enumerate() {
            cross += c;
            equal += e;
            if e > 0 {
                with_pairs.push(g);
            }
        }
        equal_groups.push(with_pairs);
    }
    Correlation {
        cross,
        square: degree as f64 * square,
        equal,
        arcs: (n * degree) as u64,
        equal_groups,
    }
}

/// Hamming distance from every vertex to the nearest vertex with loss `best`, by the
/// separable distance transform of the module documentation (one byte per vertex: a
/// product of n < 2^32 vertices with every k ≥ 2 has at most 32 dimensions).
pub(crate) fn distance_to_optima(space: &ProductSpace, loss: &[f64], best: f64) -> Vec<u8> {
    let far = u8::MAX;
    let dist: Vec<AtomicU8> = loss
        .par_iter()
        .with_min_len(GROUP)
        .map(|&l| AtomicU8::new(if l == best { 0 } else { far }))
        .collect();
    for i in 0..space.radices().len() {
        let (stride, k) = shape(space, i);
        groups(space, i).par_iter().for_each(|g| {
            for b in 0..g.blocks {
                let base = g.start + b * stride * k;
                for j in g.lines.clone() {
                    let at = |c: usize| &dist[base + c * stride + j];
                    let near = (0..k).map(|c| at(c).load(Relaxed)).min().unwrap_or(far);
                    if near < far {
                        for c in 0..k {
                            let d = at(c);
                            if d.load(Relaxed) > near + 1 {
                                d.store(near + 1, Relaxed);
                            }
                        }
                    }
                }
            }
        });
    }
    // Same layout, so the collect reuses the allocation.
    dist.into_iter().map(AtomicU8::into_inner).collect()
}

/// For every vertex, the number of strictly better neighbours (the in-degree of the
/// first-improvement move DAG's reverse), line by line: within a line, how many of the
/// other k − 1 values are lower. Integer counts, so any schedule gives the same result.
pub(crate) fn better_counts(space: &ProductSpace, loss: &[f64]) -> Vec<AtomicU32> {
    let counts: Vec<AtomicU32> = (0..loss.len())
        .into_par_iter()
        .with_min_len(GROUP)
        .map(|_| AtomicU32::new(0))
        .collect();
    for i in 0..space.radices().len() {
        let (stride, k) = shape(space, i);
        groups(space, i)
            .par_iter()
            .for_each_init(Vec::new, |lower: &mut Vec<u32>, g| {
                let width = g.lines.len();
                for b in 0..g.blocks {
                    let base = g.start + b * stride * k + g.lines.start;
                    let row = |c: usize| &loss[base + c * stride..][..width];
                    if k > LONG {
                        for j in 0..width {
                            let line = |c: usize| row(c)[j];
                            for (c, below) in strictly_lower(k, line) {
                                let o = &counts[base + c * stride + j];
                                o.store(o.load(Relaxed) + below, Relaxed);
                            }
                        }
                        continue;
                    }
                    for c in 0..k {
                        lower.clear();
                        lower.resize(width, 0);
                        for c2 in (0..k).filter(|&c2| c2 != c) {
                            for ((n, &a), &b) in lower.iter_mut().zip(row(c)).zip(row(c2)) {
                                *n += (b < a) as u32;
                            }
                        }
                        // Each vertex is in one line of this dimension, so one group
                        // writes it: a load and a store suffice (no read-modify-write).
                        let out = &counts[base + c * stride..][..width];
                        for (o, &n) in out.iter().zip(lower.iter()) {
                            o.store(o.load(Relaxed) + n, Relaxed);
                        }
                    }
                }
            });
    }
    counts
}

/// For every vertex, which neighbours are strictly better, as a bit mask: bit j is the
/// j-th neighbour in
/// [`Neighbourhood::for_each_neighbour`](crate::space::Neighbourhood::for_each_neighbour)
/// order (dimensions in order, in each the other values in increasing order). None when
/// the degree exceeds 64.
///
/// Why masks: the sweeps in loss order then never read a neighbour's loss (36 random
/// reads a vertex at 5^9, most of their time); streaming passes over the lines, as
/// [`better_counts`], give every comparison at memory speed.
pub(crate) fn better_masks(space: &ProductSpace, loss: &[f64]) -> Option<Vec<u64>> {
    if space.uniform_degree() > 64 {
        return None;
    }
    // Huge pages: the sweeps read these masks at random (see `crate::pages`).
    let mut words: Vec<u64> = crate::pages::zeroed(loss.len());
    // The leading dimensions whose lines lie inside blocks of at most FUSED ids are done
    // together, block by block in cache: one pass over the losses and the masks for all
    // of them instead of one per dimension (6 of the 10 at 5^10).
    const FUSED: usize = 1 << 14;
    let (mut low, mut block) = (0, 1usize);
    while low < space.radices().len() && block * (space.radices()[low] as usize) <= FUSED {
        block *= space.radices()[low] as usize;
        low += 1;
    }
    if low > 0 {
        let radices = &space.radices()[..low];
        words
            .par_chunks_mut(block)
            .zip(loss.par_chunks(block))
            .with_min_len(4)
            .for_each(|(out, loss)| {
                let mut offset = 0u32;
                let mut stride = 1;
                for &k in radices {
                    let k = k as usize;
                    for (out, loss) in out.chunks_mut(stride * k).zip(loss.chunks(stride * k)) {
                        for c in 0..k {
                            let own = &loss[c * stride..][..stride];
                            let mine = &mut out[c * stride..][..stride];
                            for c2 in (0..k).filter(|&c2| c2 != c) {
                                let bit = offset + (c2 - (c2 > c) as usize) as u32;
                                let other = &loss[c2 * stride..][..stride];
                                for ((m, &a), &x) in mine.iter_mut().zip(own).zip(other) {
                                    *m |= ((x < a) as u64) << bit;
                                }
                            }
                        }
                    }
                    offset += k as u32 - 1;
                    stride *= k;
                }
            });
    }
    // SAFETY: AtomicU64 has the size, alignment and bit validity of u64, and `words` is
    // borrowed mutably for as long as the atomic view lives, so nothing else reads it.
    let masks: &[AtomicU64] =
        unsafe { &*(words.as_mut_slice() as *mut [u64] as *const [AtomicU64]) };
    let mut offset = space.radices()[..low].iter().map(|&k| k - 1).sum::<u32>();
    for i in low..space.radices().len() {
        let (stride, k) = shape(space, i);
        groups(space, i)
            .par_iter()
            .for_each_init(Vec::new, |better: &mut Vec<u64>, g| {
                let width = g.lines.len();
                for b in 0..g.blocks {
                    let base = g.start + b * stride * k + g.lines.start;
                    let row = |c: usize| &loss[base + c * stride..][..width];
                    for c in 0..k {
                        better.clear();
                        better.resize(width, 0);
                        for c2 in (0..k).filter(|&c2| c2 != c) {
                            // The neighbour's position among the k − 1 others of this line.
                            let bit = offset + (c2 - (c2 > c) as usize) as u32;
                            for (bm, (&a, &x)) in better.iter_mut().zip(row(c).iter().zip(row(c2)))
                            {
                                *bm |= ((x < a) as u64) << bit;
                            }
                        }
                        // One group writes each vertex in a dimension: load and store.
                        let out = &masks[base + c * stride..][..width];
                        for (o, &bm) in out.iter().zip(better.iter()) {
                            o.store(o.load(Relaxed) | bm, Relaxed);
                        }
                    }
                }
            });
        offset += k as u32 - 1;
    }
    Some(words)
}

/// Lines longer than this are sorted instead of compared pair by pair: the pairwise loops
/// stream memory and vectorise, so they win on short lines, but they cost k² per line,
/// ~5·10⁹ comparisons on a complete graph of 10⁵ vertices (`100000^1`).
pub(crate) const LONG: usize = 64;

/// The positions 0..k of one line sorted by value (ties by position), with the `<` and
/// `==` of f64, under which −0 and +0 are one value (losses are never NaN).
fn sorted_line(k: usize, value: impl Fn(usize) -> f64) -> Vec<(f64, u32)> {
    let mut line: Vec<(f64, u32)> = (0..k).map(|c| (value(c), c as u32)).collect();
    line.sort_unstable_by(|a, b| {
        a.0.partial_cmp(&b.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    line
}

/// For each position c of a line of `k` values, (c, how many values of the line are
/// strictly lower): the start of c's run of equal values in sorted order. Integer counts,
/// the same as the pairwise comparison.
fn strictly_lower(k: usize, value: impl Fn(usize) -> f64) -> impl Iterator<Item = (usize, u32)> {
    let line = sorted_line(k, value);
    let mut run = 0;
    (0..k).map(move |r| {
        if r > 0 && line[r].0 != line[r - 1].0 {
            run = r;
        }
        (line[r].1 as usize, run as u32)
    })
}

/// Unordered pairs of equal values on a line of `k` values: r(r−1)/2 per run of r.
fn equal_pairs(k: usize, value: impl Fn(usize) -> f64) -> u64 {
    let line = sorted_line(k, value);
    let mut pairs = 0u64;
    let mut run = 0u64;
    for r in 0..k {
        if r > 0 && line[r].0 == line[r - 1].0 {
            run += 1;
            pairs += run;
        } else {
            run = 0;
        }
    }
    pairs
}

/// Calls `join(a, b)` for pairs of vertices of one line with equal loss, enough to connect
/// each set of equal values of each line: the same connected components as every
/// equal-loss arc, with k − 1 unions per line at most instead of k(k − 1). A short line
/// joins each vertex to the first earlier one of equal loss (k²/2 comparisons reading
/// rows of consecutive ids); a long one joins consecutive members in sorted order.
///
/// The comparisons run in parallel, a batch of groups at a time, and the pairs of a batch
/// are handed to `join` in group order (union-find is sequential): a scan arc by arc
/// reads 2·d random losses a vertex, most of the plateau's time on a large space, and one
/// batch bounds the pairs held at once when nearly every arc is an equal one.
///
/// Only the groups that [`correlation_sums`] found an equal pair in (`equal_groups`, per
/// dimension) are visited: the others would hand `join` nothing, so skipping them leaves
/// the same calls in the same order, and iid losses have equal pairs in few groups (at
/// 5^10 the full pass was ≈ 0.85 s of CPU for a handful of pairs).
pub(crate) fn equal_loss_chains(
    space: &ProductSpace,
    loss: &[f64],
    equal_groups: &[Vec<usize>],
    mut join: impl FnMut(u32, u32),
) {
    /// Groups whose pairs are held at once (≈ 1 M vertices).
    const BATCH: usize = 256;
    for (i, with_pairs) in equal_groups.iter().enumerate() {
        let (stride, k) = shape(space, i);
        let all = groups(space, i);
        let visited: Vec<&Group> = with_pairs.iter().map(|&g| &all[g]).collect();
        for batch in visited.chunks(BATCH) {
            let parts: Vec<Vec<(u32, u32)>> = batch
                .par_iter()
                .map(|g| {
                    let mut pairs = Vec::new();
                    for b in 0..g.blocks {
                        let base = g.start + b * stride * k;
                        for j in g.lines.clone() {
                            let id = |c: usize| base + c * stride + j;
                            if k > LONG {
                                let line = sorted_line(k, |c| loss[id(c)]);
                                for w in line.windows(2) {
                                    if w[0].0 == w[1].0 {
                                        pairs.push((
                                            id(w[0].1 as usize) as u32,
                                            id(w[1].1 as usize) as u32,
                                        ));
                                    }
                                }
                            } else {
                                for c in 1..k {
                                    let x = loss[id(c)];
                                    if let Some(c0) = (0..c).find(|&c0| loss[id(c0)] == x) {
                                        pairs.push((id(c0) as u32, id(c) as u32));
                                    }
                                }
                            }
                        }
                    }
                    pairs
                })
                .collect();
            for (a, b) in parts.into_iter().flatten() {
                join(a, b);
            }
        }
    }
}

/// Σ over `0..n` of `f` on fixed ranges of ids, range sums added in order.
fn fixed_sum(n: usize, f: impl Fn(Range<usize>) -> f64 + Sync) -> f64 {
    let parts: Vec<f64> = (0..n.div_ceil(GROUP))
        .into_par_iter()
        .map(|c| f(c * GROUP..((c + 1) * GROUP).min(n)))
        .collect();
    parts.iter().sum()
}
