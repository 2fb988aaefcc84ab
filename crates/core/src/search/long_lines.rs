//! The per-start sweep of [`dp`](super::dp) on product spaces with long lines, without
//! scanning neighbourhoods.
//!
//! A vertex of a Hamming product has one line per dimension, and every other vertex of
//! the line is a neighbour: on `100000^1` (a complete graph) the scan of
//! [`dp::solve`](super::dp::solve) reads 10¹⁰ arcs. Here each line is sorted by loss once;
//! then, for a vertex v,
//!
//! - its lowest neighbours on a line are the head of the line's sorted list (v skipped),
//!   in id order within a tie: best improvement (ties to the lowest id, or uniformly random
//!   ties) reads just those, in the neighbour order of the scan, and gets the scan's bits;
//! - its strictly better neighbours on a line are the vertices solved before it (the
//!   sweep visits (loss, id) order, equal losses as one group), so first improvement keeps
//!   one running sum per line. Its sums are taken in loss order instead of neighbour
//!   order: the same value up to rounding, not the same bits. That is why
//!   [`worthwhile`] sends here only spaces the scan cannot do in seconds.
//!
//! Sequential (one pass in loss order), O(n·d) after the sorts.

use super::dp::{add_to, settle, Solved, StartStats};
use super::Variant;
use crate::space::{Neighbourhood, ProductSpace, VertexId};

/// Lines at most this long keep the scan (it streams and vectorises there).
const LONG: usize = crate::stats::lines::LONG;

/// Whether `space` has lines too long to scan: degree above [`LONG`] and more than 2²⁸ arcs
/// (seconds of scanning). Below that the scan runs, and its results stay as they were.
pub fn worthwhile(space: &ProductSpace) -> bool {
    let degree = space.uniform_degree();
    degree > LONG && (space.len() as u64).saturating_mul(degree as u64) > 1 << 28
}

/// Line geometry: the index of v's line in dimension i is `first[i] + line_of(v, i)`,
/// lines of one dimension numbered by (block, offset in the block).
struct Lines<'a> {
    space: &'a ProductSpace,
    first: Vec<usize>,
    total: usize,
}

impl<'a> Lines<'a> {
    fn new(space: &'a ProductSpace) -> Self {
        let mut first = Vec::new();
        let mut total = 0;
        for &k in space.radices() {
            first.push(total);
            total += space.len() / k as usize;
        }
        Lines {
            space,
            first,
            total,
        }
    }

    /// (line index, coordinate of v on it) for each dimension, in dimension order.
    fn of(&self, v: VertexId) -> impl Iterator<Item = (usize, usize)> + '_ {
        let v = v as usize;
        (0..self.first.len()).map(move |i| {
            let stride = self.space.strides()[i] as usize;
            let k = self.space.radices()[i] as usize;
            let line = (v / (stride * k)) * stride + v % stride;
            (self.first[i] + line, (v / stride) % k)
        })
    }

    /// The id of coordinate c on line `index` of dimension i.
    fn id(&self, i: usize, index: usize, c: usize) -> VertexId {
        let stride = self.space.strides()[i] as usize;
        let k = self.space.radices()[i] as usize;
        let line = index - self.first[i];
        ((line / stride) * stride * k + c * stride + line % stride) as VertexId
    }

    /// For each dimension, its lines' coordinates sorted by (loss, coordinate): line
    /// `index` of dimension i at `sorted[i][(index − first[i])·k ..][..k]`.
    fn sorted(&self, loss: &[f64]) -> Vec<Vec<u32>> {
        use rayon::prelude::*;
        (0..self.first.len())
            .map(|i| {
                let k = self.space.radices()[i] as usize;
                let mut out = vec![0u32; self.space.len()];
                out.par_chunks_mut(k).enumerate().for_each(|(line, row)| {
                    let index = self.first[i] + line;
                    for (c, x) in row.iter_mut().enumerate() {
                        *x = c as u32;
                    }
                    let l = |c: u32| loss[self.id(i, index, c as usize) as usize];
                    row.sort_unstable_by(|&a, &b| {
                        l(a).partial_cmp(&l(b))
                            .unwrap_or(std::cmp::Ordering::Equal)
                            .then(a.cmp(&b))
                    });
                });
                out
            })
            .collect()
    }
}

/// The vertices of `order` ((loss, id) order) in groups of equal loss: a group is solved
/// whole before any of it is added to the line sums, so it never sees its own members as
/// better.
fn equal_loss_groups<'a>(
    loss: &'a [f64],
    order: &'a [VertexId],
) -> impl Iterator<Item = &'a [VertexId]> + 'a {
    let mut r = 0;
    std::iter::from_fn(move || {
        if r >= order.len() {
            return None;
        }
        let l = loss[order[r] as usize];
        let mut e = r + 1;
        while e < order.len() && loss[order[e] as usize] == l {
            e += 1;
        }
        let group = &order[r..e];
        r = e;
        Some(group)
    })
}

/// P(first improvement from v ends at a global optimum) for every v: the `p` of
/// [`dp::first_improvement_success`](super::dp::first_improvement_success), better
/// neighbours summed in loss order.
pub fn first_success(space: &ProductSpace, loss: &[f64], order: &[VertexId]) -> Vec<f64> {
    let lines = Lines::new(space);
    let best = crate::range::min_max(loss.iter().copied()).0;
    let mut sum = vec![0.0f64; lines.total];
    let mut count = vec![0u32; lines.total];
    let mut p = vec![0.0f64; loss.len()];
    for group in equal_loss_groups(loss, order) {
        for &v in group {
            let (mut s, mut c) = (0.0, 0usize);
            for (line, _) in lines.of(v) {
                s += sum[line];
                c += count[line] as usize;
            }
            p[v as usize] = if c == 0 {
                crate::range::is_within(loss[v as usize], best, 0.0) as u8 as f64
            } else {
                s * (1.0 / c as f64)
            };
        }
        for &v in group {
            for (line, _) in lines.of(v) {
                sum[line] += p[v as usize];
                count[line] += 1;
            }
        }
    }
    p
}

/// The sweep of [`super::dp::solve_sequential`] on a product space, line by line.
pub(super) fn solve(
    space: &ProductSpace,
    loss: &[f64],
    order: &[VertexId],
    variant: Variant,
    success: &[bool],
    top: usize,
) -> Solved {
    let n = space.len();
    let lines = Lines::new(space);
    let sorted = lines.sorted(loss);
    let degree = space.uniform_degree();
    let mut in_line = vec![0u32; lines.total];
    for v in 0..n as VertexId {
        if success[v as usize] {
            for (line, _) in lines.of(v) {
                in_line[line] += 1;
            }
        }
    }
    let first = variant == Variant::First;
    // First improvement: per line, the sums of its solved vertices' values and rows.
    let (mut line_sum, mut line_end, mut line_count) = if first {
        (
            vec![StartStats::default(); lines.total],
            vec![0.0; lines.total * top],
            vec![0u32; lines.total],
        )
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };

    let mut solved = Solved::new(n, top, variant);
    let mut acc_end = vec![0.0; top];

    for group in equal_loss_groups(loss, order) {
        for &v in group {
            let vi = v as usize;
            let own = loss[vi];
            let (mut min_loss, mut min_id) = (f64::INFINITY, VertexId::MAX);
            let mut in_set = 0usize;
            for (i, (line, c)) in lines.of(v).enumerate() {
                in_set += (in_line[line] - success[vi] as u32) as usize;
                let k = space.radices()[i] as usize;
                let row = &sorted[i][(line - lines.first[i]) * k..][..k];
                if let Some(&h) = row.iter().find(|&&h| h as usize != c) {
                    let u = lines.id(i, line, h as usize);
                    let l = loss[u as usize];
                    if l < min_loss || (l == min_loss && u < min_id) {
                        min_loss = l;
                        min_id = u;
                    }
                }
            }
            let mut sum = StartStats::default();
            acc_end.iter_mut().for_each(|x| *x = 0.0);
            let (mut count, mut better) = (0usize, 0usize);
            let add = |u: VertexId, sum: &mut StartStats, acc_end: &mut [f64]| {
                add_to(
                    sum,
                    acc_end,
                    &solved.stats[u as usize],
                    &solved.p_end[u as usize * top..][..top],
                );
            };
            if min_loss < own {
                match variant {
                    Variant::Best => {
                        add(min_id, &mut sum, &mut acc_end);
                        count = 1;
                    }
                    Variant::BestRandomTies => {
                        // The tied lowest neighbours in neighbour order: dimensions in
                        // order, on each line the tie's members by coordinate.
                        for (i, (line, c)) in lines.of(v).enumerate() {
                            let k = space.radices()[i] as usize;
                            let row = &sorted[i][(line - lines.first[i]) * k..][..k];
                            for &h in row.iter().filter(|&&h| h as usize != c) {
                                let u = lines.id(i, line, h as usize);
                                if loss[u as usize] != min_loss {
                                    break;
                                }
                                add(u, &mut sum, &mut acc_end);
                                count += 1;
                            }
                        }
                    }
                    Variant::First => {
                        for (line, _) in lines.of(v) {
                            add_to(
                                &mut sum,
                                &mut acc_end,
                                &line_sum[line],
                                &line_end[line * top..][..top],
                            );
                            count += line_count[line] as usize;
                        }
                        better = count;
                    }
                }
            }
            let step = settle(
                variant,
                own,
                success[vi],
                (degree, better, in_set),
                min_loss,
                (sum, count),
                &mut acc_end,
                || solved.end[min_id as usize],
            );
            solved.record(v, step, &acc_end);
        }
        if first {
            for &v in group {
                for (line, _) in lines.of(v) {
                    add_to(
                        &mut line_sum[line],
                        &mut line_end[line * top..][..top],
                        &solved.stats[v as usize],
                        &solved.p_end[v as usize * top..][..top],
                    );
                    line_count[line] += 1;
                }
            }
        }
    }
    solved
}
