//! Exact per-start statistics of a local-search variant: one sweep over the move DAG.
//!
//! Every move lowers the loss strictly, so when the vertices are visited in increasing
//! (loss, id) order, every possible move target of `v` has been solved before `v`. Each
//! statistic is then a linear function of the targets' values (an absorbing Markov chain
//! solved backwards), so one sort and one sweep give, for every start at once:
//!
//! - `p_success`: probability that the search ends in the success set (within ε of the
//!   optimum, or any mask the caller gives, e.g. "near the optimum of the mean values");
//! - `expected_moves`;
//! - `expected_evaluations`: architectures evaluated until the search stops, **counting
//!   the start and every neighbour evaluation, repeats included** (a memoryless search;
//!   the [`simulate`](super::simulate) module measures the cached count). Best
//!   improvement evaluates the whole neighbourhood of every vertex it visits, the last
//!   (confirming) one included; first improvement over a random order evaluates, at a
//!   vertex with `b` better among `s` neighbours, (s+1)/(b+1) in expectation (the
//!   position of the first of `b` marked items in a random order of `s`), and all `s`
//!   at its final vertex;
//! - the expected loss of the end vertex, and the exact probability of ending at each of
//!   the `K` best local minima (the "top few" of the end distribution).
//!
//! **Why the K best minima, not each start's K most likely ends.** The full end
//! distribution of a start can have many entries (first improvement spreads over many
//! minima), and the most likely ends cannot be kept exactly in bounded memory: truncating
//! a target's distribution changes its parents' ranking. Probabilities of ending at a
//! fixed set of K minima are linear, exact, and cost K values per vertex, so memory is
//! bounded by n·(6 + K)·8 bytes. The K best minima (by loss, then id) are the ones
//! people ask about; everything else is the remainder 1 − Σ.
//!
//! Two more per-start figures feed the exact search cost of [`cost`](super::cost):
//! E[evaluations after the start · 1{success}] and, for an ε-target, E[evaluations after
//! the start until the first architecture within ε is evaluated · 1{success}]. For the
//! latter, best improvement is taken to scan its neighbourhood in a uniformly random order
//! (as the paper's code does), so the first of `w` neighbours within ε comes at position
//! (s+1)/(w+1) in expectation.

use super::{forest, long_lines, masked, within_eps, Variant};
use crate::space::{Neighbourhood, ProductSpace, VertexId};
use crate::stats::lines;
use rayon::prelude::*;
use std::sync::atomic::AtomicU32;

/// What counts as a successful search.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// Ending within ε of the lowest loss of the same loss vector the search moves on.
    Eps(f64),
    /// Ending at a vertex of the mask (e.g. within ε of the optimum of other values).
    Mask(&'a [bool]),
}

/// Exact statistics of one start (vertex). Values are in loss units (lower is better).
///
/// `repr(C)`: six `f64`s in this order, so the masked sweep can keep a vertex's
/// statistics and its `p_end` row in one record of `f64`s (`search::masked`).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
#[repr(C)]
pub struct StartStats {
    /// P(the search ends in the success set).
    pub p_success: f64,
    /// E[number of moves].
    pub expected_moves: f64,
    /// E[architectures evaluated until the search stops], the start included.
    pub expected_evaluations: f64,
    /// E[loss of the end vertex].
    pub expected_end_loss: f64,
    /// E[evaluations after the start · 1{success}].
    pub success_evaluations: f64,
    /// E[evaluations after the start until the first success-set vertex is evaluated ·
    /// 1{success}]; 0 for a start in the set. NaN for a [`Target::Mask`].
    pub found_evaluations: f64,
}

/// Exact per-start statistics of one variant on one landscape.
#[derive(Clone, Debug)]
pub struct Starts {
    /// Which variant these statistics describe, so a caller holding several can tell them apart.
    pub variant: Variant,
    /// One entry per vertex.
    pub stats: Vec<StartStats>,
    /// For [`Variant::Best`], the vertex each start ends at (LS*); empty otherwise.
    pub end: Vec<VertexId>,
    /// The K best local minima, best (lowest loss, then id) first.
    pub top_minima: Vec<VertexId>,
    /// `p_end[v * K + j]` = P(start v ends at `top_minima[j]`).
    pub p_end: Vec<f64>,
    /// Vertices with no strictly better neighbour: where every variant stops.
    pub local_minima: usize,
    /// Vertices whose every neighbour is strictly worse.
    pub strict_local_minima: usize,
    /// The success set (within ε, or the caller's mask).
    pub success: Vec<bool>,
}

impl Starts {
    /// Number of tracked best minima K.
    pub fn k(&self) -> usize {
        self.top_minima.len()
    }

    /// P(start v ends at each of the K best minima).
    pub fn p_end_of(&self, v: VertexId) -> &[f64] {
        let k = self.k();
        &self.p_end[v as usize * k..(v as usize + 1) * k]
    }

    /// [`Starts::mean`] of several figures, in one pass over the statistics (the same
    /// bits as one call each).
    pub fn means<const M: usize>(&self, fs: [&(dyn Fn(&StartStats) -> f64 + Sync); M]) -> [f64; M] {
        // Fixed-size chunks summed in order: the same total whatever the thread count.
        let parts: Vec<[f64; M]> = self
            .stats
            .par_chunks(4096)
            .map(|c| fs.map(|f| c.iter().map(f).sum::<f64>()))
            .collect();
        std::array::from_fn(|i| parts.iter().map(|p| p[i]).sum::<f64>() / self.stats.len() as f64)
    }

    /// Mean over starts of P(end at `top_minima[j]`), for every j: each a sum in vertex
    /// order, all taken in one pass over the rows.
    pub fn mean_p_end(&self) -> Vec<f64> {
        let k = self.k();
        // The sums start where `Iterator::sum` starts (its neutral element).
        let zero: f64 = std::iter::empty::<f64>().sum();
        let mut sums = vec![zero; k];
        if k > 0 {
            for row in self.p_end.chunks_exact(k) {
                for (s, &p) in sums.iter_mut().zip(row) {
                    *s += p;
                }
            }
        }
        let n = self.stats.len();
        sums.into_iter().map(|s| s / n as f64).collect()
    }

    /// Mean of a per-start figure over all starts (a uniformly random start).
    pub fn mean(&self, f: impl Fn(&StartStats) -> f64 + Sync + Send) -> f64 {
        let [mean] = self.means([&f]);
        mean
    }
}

/// A u64 that orders as `f64::total_cmp`: sign-magnitude bits made two's-complement,
/// then biased.
pub(super) fn order_key(l: f64) -> u64 {
    let bits = l.to_bits() as i64;
    let ordered = bits ^ (((bits >> 63) as u64) >> 1) as i64;
    (ordered as u64) ^ (1 << 63)
}

/// Vertex ids sorted by (loss, id): the order in which every move target comes first.
/// One order for every caller: the radix sort of [`first`](super::first) where the keys'
/// varying bits and the ids fit one u64 (synthetic losses drawn as f32 do up to 5^10), a
/// comparison sort otherwise.
pub fn loss_order(loss: &[f64]) -> Vec<VertexId> {
    if loss.is_empty() {
        return Vec::new();
    }
    let order = super::first::by_loss(loss);
    (0..loss.len())
        .into_par_iter()
        .with_min_len(4096)
        .map(|i| order.id(i))
        .collect()
}

/// [`loss_order`] by a comparison sort of (key, id) pairs: what the radix sort falls back
/// to when its keys do not fit.
pub(super) fn sort_by_key(loss: &[f64]) -> Vec<VertexId> {
    // (key, id) pairs sorted by value: each comparison through ids would read two
    // scattered losses, a cache miss each beyond the caches.
    let mut keyed: Vec<(u64, VertexId)> = loss
        .par_iter()
        .enumerate()
        .with_min_len(4096)
        .map(|(v, &l)| (order_key(l), v as VertexId))
        .collect();
    keyed.par_sort_unstable();
    keyed.into_par_iter().map(|(_, v)| v).collect()
}

/// Solves `variant` from every start of `space` under `loss` (lower is better), tracking
/// the `top` best local minima.
pub fn solve<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    variant: Variant,
    target: Target,
    top: usize,
) -> Starts {
    dispatch(space, loss, None, variant, target, top)
}

/// [`solve`] with the (loss, id) order already computed (it can be shared across variants;
/// only the sequential sweep of a directed space uses it).
pub fn solve_in_order<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    order: &[VertexId],
    variant: Variant,
    target: Target,
    top: usize,
) -> Starts {
    assert_eq!(space.len(), order.len(), "the order lists every vertex");
    dispatch(space, loss, Some(order), variant, target, top)
}

/// Picks the sweep for `space`; the (loss, id) order is sorted only for the sweeps that
/// read it, when the caller has not given it.
fn dispatch<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    order: Option<&[VertexId]>,
    variant: Variant,
    target: Target,
    top: usize,
) -> Starts {
    let order = || match order {
        Some(o) => std::borrow::Cow::Borrowed(o),
        None => std::borrow::Cow::Owned(loss_order(loss)),
    };
    if let Some(p) = space.as_product().filter(|p| long_lines::worthwhile(p)) {
        let top = cap_top(space, loss, top);
        return solve_long_lines(p, loss, &order(), variant, target, top);
    }
    // Best improvement on a product of degree ≤ 64: the move forest in loss order. It
    // caps `top` itself, from the minima its line pass finds.
    if let Some(p) = space
        .as_product()
        .filter(|p| variant.scans_all() && p.uniform_degree() <= 64)
    {
        return forest::solve(p, loss, &order(), variant, target, top);
    }
    // First improvement on a product of degree ≤ 64: every strictly better neighbour in
    // loss order, from masks. It caps `top` itself from the minima its masks give.
    if let Some(s) = space
        .as_product()
        .filter(|p| variant == Variant::First && p.uniform_degree() <= 64)
        .and_then(|p| masked::solve(p, loss, &order(), target, top))
    {
        return s;
    }
    let top = cap_top(space, loss, top);
    if space.is_symmetric() {
        solve_by_levels(space, loss, variant, target, top)
    } else {
        solve_sequential(space, loss, &order(), variant, target, top)
    }
}

/// The sweep of [`solve_sequential`] on a product space with long lines, each line sorted
/// once instead of every neighbourhood scanned (see [`long_lines`]): the same bits for
/// best improvement (either tie rule), the same values up to rounding for first.
pub fn solve_long_lines(
    space: &ProductSpace,
    loss: &[f64],
    order: &[VertexId],
    variant: Variant,
    target: Target,
    top: usize,
) -> Starts {
    assert_eq!(space.len(), loss.len(), "one loss per vertex");
    assert_eq!(space.len(), order.len(), "the order lists every vertex");
    let (success, found_defined) = success_set(loss, target);
    let s = long_lines::solve(space, loss, order, variant, &success, top);
    finish(
        variant,
        s.stats,
        s.end,
        s.top_minima,
        s.p_end,
        top,
        s.minima,
        success,
        found_defined,
    )
}

/// At most one `p_end` column per local minimum: a K beyond their number (asked for
/// "all") would otherwise size an n × K table for columns that stay empty. Counting them
/// is one pass over the arcs, done only when the table would be large.
fn cap_top<N: Neighbourhood>(space: &N, loss: &[f64], top: usize) -> usize {
    if top.saturating_mul(space.len()) > 1 << 20 {
        top.min(count_local_minima(space, loss))
    } else {
        top
    }
}

/// The number of local minima: vertices with no strictly better neighbour (the most
/// columns [`solve_in_order`] keeps for its `top` minima).
pub fn count_local_minima<N: Neighbourhood>(space: &N, loss: &[f64]) -> usize {
    use rayon::prelude::*;
    if let Some(p) = space.as_product() {
        // Line by line, streaming (long lines sorted instead of compared pairwise): no
        // scattered loss reads.
        return lines::better_counts(p, loss)
            .into_par_iter()
            .filter(|c| c.load(std::sync::atomic::Ordering::Relaxed) == 0)
            .count();
    }
    (0..space.len() as VertexId)
        .into_par_iter()
        .filter(|&v| {
            let mut better = false;
            space.for_each_neighbour(v, |u| better |= loss[u as usize] < loss[v as usize]);
            !better
        })
        .count()
}

/// The success set of a target, and whether `found_evaluations` is defined for it.
pub(super) fn success_set(loss: &[f64], target: Target) -> (Vec<bool>, bool) {
    match target {
        Target::Eps(eps) => (within_eps(loss, eps), true),
        Target::Mask(mask) => {
            assert_eq!(mask.len(), loss.len(), "one mask entry per vertex");
            (mask.to_vec(), false)
        }
    }
}

/// Read access to the values of vertices already solved.
trait SolvedView {
    fn stats(&self, u: VertexId) -> &StartStats;
    fn p_end(&self, u: VertexId) -> &[f64];
    fn end(&self, u: VertexId) -> VertexId;
}

/// What one step of the sweep decided about a vertex.
pub(super) enum Step {
    /// No strictly better neighbour; `strict` when every neighbour is strictly worse.
    Minimum { stats: StartStats, strict: bool },
    /// Moves on; `acc_end` holds its `p_end` row, `end` its LS* for [`Variant::Best`].
    Moves { stats: StartStats, end: VertexId },
}

/// What [`solve_sequential`] computes before its finish: per-start statistics, LS* for
/// [`Variant::Best`], the first `top` minima met and the `p_end` rows (stride `top`), and
/// the numbers of local and strict local minima. One record for the neighbour-scan sweep
/// and the line-by-line one (`long_lines`), so both keep what a [`Step`] decided alike.
pub(super) struct Solved {
    pub stats: Vec<StartStats>,
    pub end: Vec<VertexId>,
    pub top_minima: Vec<VertexId>,
    pub p_end: Vec<f64>,
    pub minima: (usize, usize),
    top: usize,
    variant: Variant,
}

impl Solved {
    /// Nothing solved yet for `n` vertices. While sweeping, `expected_evaluations` holds
    /// R(v): evaluations after arriving at v.
    pub(super) fn new(n: usize, top: usize, variant: Variant) -> Solved {
        Solved {
            stats: vec![StartStats::default(); n],
            end: if variant == Variant::Best {
                vec![0 as VertexId; n]
            } else {
                Vec::new()
            },
            top_minima: Vec::with_capacity(top),
            p_end: vec![0.0; n * top],
            minima: (0, 0),
            top,
            variant,
        }
    }

    /// Keeps what the sweep decided for `v`; `acc_end` is its `p_end` row when it moves.
    pub(super) fn record(&mut self, v: VertexId, step: Step, acc_end: &[f64]) {
        let (vi, top) = (v as usize, self.top);
        match step {
            Step::Minimum { stats, strict } => {
                self.minima.0 += 1;
                self.minima.1 += strict as usize;
                self.stats[vi] = stats;
                if self.variant == Variant::Best {
                    self.end[vi] = v;
                }
                if self.top_minima.len() < top {
                    self.p_end[vi * top + self.top_minima.len()] = 1.0;
                    self.top_minima.push(v);
                }
            }
            Step::Moves { stats, end } => {
                self.stats[vi] = stats;
                if self.variant == Variant::Best {
                    self.end[vi] = end;
                }
                self.p_end[vi * top..][..top].copy_from_slice(acc_end);
            }
        }
    }
}

/// `sum += t`, field by field, and `acc += row`: how every sweep adds a move target, so
/// the neighbour scan and the line-by-line sweep round alike.
pub(super) fn add_to(sum: &mut StartStats, acc: &mut [f64], t: &StartStats, row: &[f64]) {
    sum.p_success += t.p_success;
    sum.expected_moves += t.expected_moves;
    sum.expected_evaluations += t.expected_evaluations;
    sum.expected_end_loss += t.expected_end_loss;
    sum.success_evaluations += t.success_evaluations;
    sum.found_evaluations += t.found_evaluations;
    for (a, &p) in acc.iter_mut().zip(row) {
        *a += p;
    }
}

/// Solves vertex `v` from its move targets, all solved already, in one scan of its
/// neighbours; `worse` is called for every strictly worse neighbour (the level sweep
/// releases them). One function for the sequential and the parallel sweep, so the two
/// compute every value with the same operations in the same order: their results are the
/// same bits. Targets are summed in neighbour order from 0; best improvement with random
/// ties restarts its sum whenever a strictly lower neighbour appears, which leaves the sum
/// over the final tied minima in neighbour order. Only strictly better neighbours are
/// read (they are the solved ones).
#[allow(clippy::too_many_arguments)]
fn solve_vertex<N: Neighbourhood, V: SolvedView>(
    space: &N,
    loss: &[f64],
    success: &[bool],
    variant: Variant,
    v: VertexId,
    solved: &V,
    acc_end: &mut [f64],
    mut worse: impl FnMut(VertexId),
) -> Step {
    let vi = v as usize;
    let own = loss[vi];
    let (mut min_loss, mut min_id) = (f64::INFINITY, VertexId::MAX);
    let (mut s, mut better, mut in_set) = (0usize, 0usize, 0usize);
    let mut sum = StartStats::default();
    acc_end.iter_mut().for_each(|x| *x = 0.0);
    let mut count = 0usize;
    fn add<V: SolvedView>(
        solved: &V,
        u: VertexId,
        sum: &mut StartStats,
        acc_end: &mut [f64],
        count: &mut usize,
    ) {
        add_to(sum, acc_end, solved.stats(u), solved.p_end(u));
        *count += 1;
    }
    space.for_each_neighbour(v, |u| {
        let l = loss[u as usize];
        s += 1;
        in_set += success[u as usize] as usize;
        let lower = l < min_loss;
        if lower || (l == min_loss && u < min_id) {
            min_loss = l;
            min_id = u;
        }
        if l < own {
            better += 1;
            match variant {
                Variant::First => add(solved, u, &mut sum, acc_end, &mut count),
                Variant::BestRandomTies => {
                    if lower {
                        sum = StartStats::default();
                        acc_end.iter_mut().for_each(|x| *x = 0.0);
                        count = 0;
                    }
                    if l == min_loss {
                        add(solved, u, &mut sum, acc_end, &mut count);
                    }
                }
                Variant::Best => {}
            }
        } else if l > own {
            worse(u);
        }
    });

    if variant == Variant::Best && min_loss < own {
        add(solved, min_id, &mut sum, acc_end, &mut count);
    }
    let end = || solved.end(min_id);
    settle(
        variant,
        own,
        success[vi],
        (s, better, in_set),
        min_loss,
        (sum, count),
        acc_end,
        end,
    )
}

/// The value of a vertex from what its scan found: `(s, better, in_set)` its numbers of
/// neighbours, strictly better ones and ones in the success set; `min_loss` the lowest
/// neighbour loss; `(sum, count)` the sum of its move targets' values and their number
/// (`acc_end` their `p_end` rows summed); `end` its LS* for [`Variant::Best`]. Shared by
/// [`solve_vertex`] and the long-line sweep ([`super::long_lines`]), so both round alike;
/// the chunked sweeps, which know which case a vertex is before they scan it, call its
/// two halves ([`at_minimum`], [`moving`]) directly.
#[allow(clippy::too_many_arguments)]
pub(super) fn settle(
    variant: Variant,
    own: f64,
    own_success: bool,
    (s, better, in_set): (usize, usize, usize),
    min_loss: f64,
    (sum, count): (StartStats, usize),
    acc_end: &mut [f64],
    end: impl FnOnce() -> VertexId,
) -> Step {
    if min_loss >= own {
        // A local minimum (no neighbour, or none strictly better; losses are never NaN).
        return Step::Minimum {
            stats: at_minimum(own, own_success, s),
            strict: min_loss > own,
        };
    }
    Step::Moves {
        stats: moving(
            variant,
            own_success,
            (s, better, in_set),
            (sum, count),
            acc_end,
        ),
        end: if variant == Variant::Best { end() } else { 0 },
    }
}

/// The statistics of a local minimum of loss `own` with `s` neighbours: every variant
/// stops there after scanning all of them.
pub(super) fn at_minimum(own: f64, own_success: bool, s: usize) -> StartStats {
    let ok = own_success as u8 as f64;
    StartStats {
        p_success: ok,
        expected_moves: 0.0,
        expected_evaluations: s as f64,
        expected_end_loss: own,
        success_evaluations: s as f64 * ok,
        found_evaluations: 0.0,
    }
}

/// The statistics of a vertex that moves, from the sum of its `count` move targets'
/// statistics ([`settle`]'s arguments); `acc_end`, their `p_end` rows summed, becomes its
/// own row.
pub(super) fn moving(
    variant: Variant,
    own_success: bool,
    (s, better, in_set): (usize, usize, usize),
    (sum, count): (StartStats, usize),
    acc_end: &mut [f64],
) -> StartStats {
    let w = 1.0 / count as f64;
    let scan = match variant {
        Variant::First => (s as f64 + 1.0) / (better as f64 + 1.0),
        _ => s as f64,
    };
    let p = sum.p_success * w;
    let found = if own_success {
        0.0
    } else if variant.scans_all() && in_set > 0 {
        // The best neighbour is then in the set: found at the first such neighbour
        // of a randomly ordered scan.
        (s as f64 + 1.0) / (in_set as f64 + 1.0)
    } else {
        scan * p + sum.found_evaluations * w
    };
    acc_end.iter_mut().for_each(|a| *a *= w);
    StartStats {
        p_success: p,
        expected_moves: 1.0 + sum.expected_moves * w,
        expected_evaluations: scan + sum.expected_evaluations * w,
        expected_end_loss: sum.expected_end_loss * w,
        success_evaluations: scan * p + sum.success_evaluations * w,
        found_evaluations: found,
    }
}

/// The last touches shared by both sweeps: count the start itself, drop `found` where
/// undefined, and shrink the `p_end` stride to the number of minima found.
#[allow(clippy::too_many_arguments)]
pub(super) fn finish(
    variant: Variant,
    mut stats: Vec<StartStats>,
    end: Vec<VertexId>,
    top_minima: Vec<VertexId>,
    mut p_end: Vec<f64>,
    top: usize,
    (local_minima, strict_local_minima): (usize, usize),
    success: Vec<bool>,
    found_defined: bool,
) -> Starts {
    // Fewer minima than asked for: keep K = the number found as the stride.
    let k = top_minima.len();
    if k < top {
        p_end = p_end
            .chunks(top)
            .flat_map(|row| row[..k].iter().copied())
            .collect();
    }
    stats.par_iter_mut().for_each(|st| {
        st.expected_evaluations += 1.0; // the start itself
        if !found_defined {
            st.found_evaluations = f64::NAN;
        }
    });
    Starts {
        variant,
        stats,
        end,
        top_minima,
        p_end,
        local_minima,
        strict_local_minima,
        success,
    }
}

/// The sequential sweep in (loss, id) `order`: valid on any relation, directed included,
/// and the oracle the parallel sweep is tested against.
pub fn solve_sequential<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    order: &[VertexId],
    variant: Variant,
    target: Target,
    top: usize,
) -> Starts {
    let n = space.len();
    assert_eq!(n, loss.len(), "one loss per vertex");
    assert_eq!(n, order.len(), "the order lists every vertex");
    let (success, found_defined) = success_set(loss, target);

    struct View<'a> {
        stats: &'a [StartStats],
        p_end: &'a [f64],
        end: &'a [VertexId],
        top: usize,
    }
    impl SolvedView for View<'_> {
        fn stats(&self, u: VertexId) -> &StartStats {
            &self.stats[u as usize]
        }
        fn p_end(&self, u: VertexId) -> &[f64] {
            &self.p_end[u as usize * self.top..][..self.top]
        }
        fn end(&self, u: VertexId) -> VertexId {
            self.end[u as usize]
        }
    }

    let mut solved = Solved::new(n, top, variant);
    let mut acc_end = vec![0.0; top];

    for &v in order {
        let view = View {
            stats: &solved.stats,
            p_end: &solved.p_end,
            end: &solved.end,
            top,
        };
        let step = solve_vertex(
            space,
            loss,
            &success,
            variant,
            v,
            &view,
            &mut acc_end,
            |_| (),
        );
        solved.record(v, step, &acc_end);
    }
    finish(
        variant,
        solved.stats,
        solved.end,
        solved.top_minima,
        solved.p_end,
        top,
        solved.minima,
        success,
        found_defined,
    )
}

/// Vertices per parallel task of the level sweep (the results do not depend on it).
pub(super) const LEVEL_CHUNK: usize = 1024;

/// The parallel sweep, for a symmetric relation: the move DAG level by level
/// ([`sweep_levels`]). Every value is computed by [`solve_vertex`] from the same targets
/// in the same order as the sequential sweep, so the results are the sequential ones, bit
/// for bit, whatever the thread count.
fn solve_by_levels<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    variant: Variant,
    target: Target,
    top: usize,
) -> Starts {
    let n = space.len();
    assert_eq!(n, loss.len(), "one loss per vertex");
    let (success, found_defined) = success_set(loss, target);
    let pending = better_counts(space, loss);

    let Start {
        top_minima,
        mut stats,
        mut end,
        mut p_end,
    } = start(loss, variant, top, |v| pending[v] == 0);

    let view = Shared {
        stats: SharedSlice::new(&mut stats),
        p_end: SharedSlice::new(&mut p_end),
        end: SharedSlice::new(&mut end),
        top,
    };
    let minima = sweep_levels(
        pending,
        || vec![0.0; top],
        each_vertex(|acc_end: &mut Vec<f64>, v, worse| {
            let vi = v as usize;
            let step = solve_vertex(space, loss, &success, variant, v, &view, acc_end, worse);
            // SAFETY: v is in exactly one level and one chunk of it, so nothing else
            // writes v's entries, and nothing reads them before the level is over (only
            // later levels depend on v).
            unsafe {
                match step {
                    Step::Minimum { stats: st, strict } => {
                        *view.stats.slot(vi) = st;
                        if variant == Variant::Best {
                            *view.end.slot(vi) = v;
                        }
                        Some(strict)
                    }
                    Step::Moves { stats: st, end: e } => {
                        *view.stats.slot(vi) = st;
                        if variant == Variant::Best {
                            *view.end.slot(vi) = e;
                        }
                        for (j, &a) in acc_end.iter().enumerate() {
                            *view.p_end.slot(vi * top + j) = a;
                        }
                        None
                    }
                }
            }
        }),
    );
    finish(
        variant,
        stats,
        end,
        top_minima,
        p_end,
        top,
        minima,
        success,
        found_defined,
    )
}

/// P(first-improvement local search from a uniformly random start ends at a global
/// optimum): [`solve`]'s mean `p_success` for [`Variant::First`] and `Target::Eps(0)`,
/// the same bits, at 8 bytes per vertex instead of a whole [`StartStats`].
///
/// Products take one sequential sweep in loss order ([`super::first`]); the level sweep
/// stays for what that does not cover: graphs, and degrees above 64 (long lines have
/// their own sweep).
pub fn first_improvement_success<N: Neighbourhood>(space: &N, loss: &[f64]) -> f64 {
    first_improvement_success_beside(space, loss, || ()).0
}

/// [`first_improvement_success`], with `beside` run on another thread next to it: on a
/// product, next to the one-thread sweep only, after the passes that prepare it have had
/// every thread (run beside those too, `beside` would slow them while later leaving a
/// core idle during the sweep); elsewhere next to the whole computation.
pub fn first_improvement_success_beside<N: Neighbourhood, R: Send>(
    space: &N,
    loss: &[f64],
    beside: impl FnOnce() -> R + Send,
) -> (f64, R) {
    if !space.is_symmetric() {
        return rayon::join(
            || solve(space, loss, Variant::First, Target::Eps(0.0), 0).mean(|s| s.p_success),
            beside,
        );
    }
    let n = space.len();
    // As [`Starts::mean`]: fixed chunks summed in order.
    let mean = |p: &[f64]| {
        let parts: Vec<f64> = p.par_chunks(4096).map(|c| c.iter().sum::<f64>()).collect();
        parts.iter().sum::<f64>() / n as f64
    };
    if let Some(product) = space.as_product().filter(|p| long_lines::worthwhile(p)) {
        return rayon::join(
            || mean(&long_lines::first_success(product, loss, &loss_order(loss))),
            beside,
        );
    }
    let best = crate::range::min_max(loss.iter().copied()).0;
    let beside = match space.as_product() {
        Some(product) => match super::first::success(product, loss, best, beside) {
            Ok((p, r)) => return (mean(&p), r),
            Err(beside) => beside,
        },
        None => beside,
    };
    rayon::join(|| level_success(space, loss, best, mean), beside)
}

/// [`first_improvement_success`] by the level sweep.
fn level_success<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    best: f64,
    mean: impl Fn(&[f64]) -> f64,
) -> f64 {
    let n = space.len();
    let mut p = vec![0.0f64; n];
    let shared = SharedSlice::new(&mut p);
    sweep_levels(
        better_counts(space, loss),
        || (),
        each_vertex(|_, v, worse| {
            let own = loss[v as usize];
            let (mut sum, mut count) = (0.0, 0usize);
            space.for_each_neighbour(v, |u| {
                let l = loss[u as usize];
                if l < own {
                    // SAFETY: a strictly better neighbour, solved in an earlier level.
                    sum += unsafe { *shared.get(u as usize) };
                    count += 1;
                } else if l > own {
                    worse(u);
                }
            });
            // The sum of its better neighbours' values (taken from 0 in neighbour order,
            // as the sequential sweep takes it) over their number.
            let value = if count == 0 {
                crate::range::is_within(own, best, 0.0) as u8 as f64
            } else {
                sum * (1.0 / count as f64)
            };
            // SAFETY: v is solved once, and read only by later levels.
            unsafe { *shared.slot(v as usize) = value };
            (count == 0).then_some(false)
        }),
    );
    mean(&p)
}

/// Per radix k, ⌈2⁶⁴ / k⌉: the quotient of any 32-bit n by k is then the high half of
/// n · ⌈2⁶⁴ / k⌉ (Lemire, Kaser and Kurz 2019, "Faster remainder by direct computation",
/// exact for every n < 2³² and k < 2³²). The sweep finds the digits of ≈ 2 vertices per
/// arc, and a hardware division by a radix known only at run time costs several
/// multiplications.
pub(super) fn dividers(radices: &[u32]) -> Vec<u64> {
    // k ≥ 2, so the sum does not overflow.
    radices.iter().map(|&k| u64::MAX / k as u64 + 1).collect()
}

/// What a level sweep starts from: the K best minima by (loss, id), as the sequential
/// sweep meets them, each ending at itself (its own column of `p_end` is 1), and every
/// other solved value zero.
pub(super) struct Start {
    pub top_minima: Vec<VertexId>,
    pub stats: Vec<StartStats>,
    pub end: Vec<VertexId>,
    pub p_end: Vec<f64>,
}

/// [`Start`] for `loss`, whose local minima are the vertices where `is_minimum` holds.
pub(super) fn start(
    loss: &[f64],
    variant: Variant,
    top: usize,
    is_minimum: impl Fn(usize) -> bool + Sync,
) -> Start {
    let n = loss.len();
    let mut top_minima: Vec<VertexId> = (0..n as VertexId)
        .into_par_iter()
        .with_min_len(LEVEL_CHUNK)
        .filter(|&v| is_minimum(v as usize))
        .collect();
    top_minima.par_sort_unstable_by(|&a, &b| {
        loss[a as usize]
            .total_cmp(&loss[b as usize])
            .then(a.cmp(&b))
    });
    top_minima.truncate(top);
    let end = if variant == Variant::Best {
        vec![0 as VertexId; n]
    } else {
        Vec::new()
    };
    let mut p_end = vec![0.0; n * top];
    for (j, &m) in top_minima.iter().enumerate() {
        p_end[m as usize * top + j] = 1.0;
    }
    Start {
        top_minima,
        stats: vec![StartStats::default(); n],
        end,
        p_end,
    }
}

/// Calls `better(u)` for each neighbour u of `v` whose bit is set in `mask` (bits in
/// [`lines::better_masks`] order), in neighbour order.
pub(super) fn each_masked_neighbour(
    space: &ProductSpace,
    dividers: &[u64],
    v: VertexId,
    mask: u64,
    mut better: impl FnMut(VertexId),
) {
    let mut bits_left = mask;
    let mut rest = v; // v's digits of the dimensions not yet visited
    let mut stride = 1u32;
    for (&k, &divider) in space.radices().iter().zip(dividers) {
        if bits_left == 0 {
            return;
        }
        let q = ((divider as u128 * rest as u128) >> 64) as u32;
        let c = rest - q * k;
        rest = q;
        let line = v - c * stride;
        let others = k - 1; // 1..=64: the degree is at most 64
        let mut bits = bits_left & (u64::MAX >> (64 - others));
        while bits != 0 {
            let j = bits.trailing_zeros();
            bits &= bits - 1;
            better(line + (j + (j >= c) as u32) * stride);
        }
        bits_left = bits_left.checked_shr(others).unwrap_or(0);
        // Past the last dimension the stride is unused (and may not fit a u32).
        stride = stride.wrapping_mul(k);
    }
}

/// How many strictly better neighbours each vertex has: the number of solved vertices a
/// level sweep waits for (a superset of every variant's move targets).
fn better_counts<N: Neighbourhood>(space: &N, loss: &[f64]) -> Vec<u32> {
    match space.as_product() {
        // Same layout, so the collect reuses the allocation.
        Some(p) => crate::stats::lines::better_counts(p, loss)
            .into_iter()
            .map(AtomicU32::into_inner)
            .collect(),
        None => (0..space.len() as VertexId)
            .into_par_iter()
            .with_min_len(LEVEL_CHUNK)
            .map(|v| {
                let own = loss[v as usize];
                let mut better = 0u32;
                space.for_each_neighbour(v, |u| better += (loss[u as usize] < own) as u32);
                better
            })
            .collect(),
    }
}

/// Visits the move DAG of a symmetric relation level by level and returns (local
/// minima, strict local minima).
///
/// `pending[v]` counts v's strictly better neighbours. Level 0 are the local minima; a
/// vertex joins the next level when its last better neighbour is solved. A level is cut
/// into chunks of [`LEVEL_CHUNK`] ids in increasing order; `solve(scratch, chunk,
/// release)` solves every vertex of a chunk, calls `release(u)` for each strictly worse
/// neighbour u of each of them (the relation is symmetric, so those are the vertices that
/// count it), and returns the chunk's (local minima, strict local minima). The vertices of
/// one level depend only on earlier levels, so the chunks of a level run in parallel.
/// A chunk, not a vertex, is the unit so that a solver can gather all its reads of
/// solved values in one tight loop, many cache misses in flight at once.
///
/// The releases are not atomic decrements: a locked read-modify-write per arc, each a
/// cache miss the CPU cannot overlap with the next, cost more than the rest of the sweep.
/// Each task instead appends them to [`RELEASE_BUCKETS`] lists by id range, and after the
/// level one task per range applies its lists with plain decrements.
///
/// The lists of every chunk, the ready lists and the frontier are kept from level to
/// level and only cleared: ≈ 18 releases a vertex on 5^9 are 140 MB of lists over the
/// sweep, and fresh pages (zeroed by the kernel at each first touch) cost more than
/// writing them.
pub(super) fn sweep_levels<C, S>(
    mut pending: Vec<C>,
    scratch: impl Fn() -> S + Sync + Send,
    solve: impl Fn(&mut S, &[VertexId], &mut dyn FnMut(VertexId)) -> (usize, usize) + Sync + Send,
) -> (usize, usize)
where
    C: Copy + Eq + From<u8> + std::ops::SubAssign + Send + Sync,
{
    let n = pending.len();
    let (zero, one) = (C::from(0), C::from(1));
    let mut frontier: Vec<VertexId> = (0..n as VertexId)
        .into_par_iter()
        .with_min_len(LEVEL_CHUNK)
        .filter(|&v| pending[v as usize] == zero)
        .collect();
    // Bucket of w: w >> shift, below RELEASE_BUCKETS.
    let bits = usize::BITS - n.saturating_sub(1).leading_zeros();
    let shift = bits.saturating_sub(RELEASE_BUCKETS.trailing_zeros());
    let counters = SharedSlice::new(&mut pending);
    let (mut minima, mut strict_minima) = (0, 0);
    /// What one chunk of a level released, by bucket, and its (minima, strict minima).
    #[derive(Default)]
    struct Part {
        released: Vec<Vec<VertexId>>,
        minima: (usize, usize),
    }
    let mut parts: Vec<Part> = Vec::new();
    let mut ready: Vec<Vec<VertexId>> = vec![Vec::new(); RELEASE_BUCKETS];
    while !frontier.is_empty() {
        let chunks = frontier.len().div_ceil(LEVEL_CHUNK);
        if parts.len() < chunks {
            parts.resize_with(chunks, || Part {
                released: vec![Vec::new(); RELEASE_BUCKETS],
                minima: (0, 0),
            });
        }
        let parts = &mut parts[..chunks];
        frontier
            .par_chunks(LEVEL_CHUNK)
            .zip(parts.par_iter_mut())
            .for_each_init(&scratch, |scratch, (chunk, part)| {
                part.released.iter_mut().for_each(Vec::clear);
                let released = &mut part.released;
                let mut release = |w: VertexId| released[(w >> shift) as usize].push(w);
                part.minima = solve(scratch, chunk, &mut release);
            });
        let parts = &*parts;
        ready.par_iter_mut().enumerate().for_each(|(b, ready)| {
            ready.clear();
            for part in parts {
                for &w in &part.released[b] {
                    // SAFETY: bucket b holds only ids of one range, and one task
                    // applies it; the solve phase, which never touches the counters,
                    // is over.
                    let c = unsafe { counters.slot(w as usize) };
                    *c -= one;
                    if *c == zero {
                        ready.push(w);
                    }
                }
            }
            // The buckets are increasing id ranges: sorted each, they concatenate
            // into a sorted frontier.
            ready.sort_unstable();
        });
        for part in parts {
            minima += part.minima.0;
            strict_minima += part.minima.1;
        }
        frontier.clear();
        for r in &ready {
            frontier.extend_from_slice(r);
        }
    }
    (minima, strict_minima)
}

/// A chunk solver for [`sweep_levels`] from a vertex solver that returns `Some(strict)`
/// for a local minimum.
fn each_vertex<S>(
    solve: impl Fn(&mut S, VertexId, &mut dyn FnMut(VertexId)) -> Option<bool> + Sync + Send,
) -> impl Fn(&mut S, &[VertexId], &mut dyn FnMut(VertexId)) -> (usize, usize) + Sync + Send {
    move |scratch, chunk, release| {
        let (mut minima, mut strict_minima) = (0, 0);
        for &v in chunk {
            if let Some(strict) = solve(scratch, v, release) {
                minima += 1;
                strict_minima += strict as usize;
            }
        }
        (minima, strict_minima)
    }
}

/// Id ranges the releases of one level are sorted into (a power of two).
const RELEASE_BUCKETS: usize = 16;

/// A slice written by many threads at disjoint indices, read at indices no thread writes.
/// Hand-written because the level sweep's pattern (write v, read v's solved targets) is
/// a schedule rayon cannot express with split borrows: the targets are anywhere.
pub(super) struct SharedSlice<T> {
    ptr: *mut T,
    len: usize,
}

// SAFETY: access goes through `get` and `slot`, whose callers promise no data race.
unsafe impl<T: Send + Sync> Sync for SharedSlice<T> {}
unsafe impl<T: Send + Sync> Send for SharedSlice<T> {}

impl<T> SharedSlice<T> {
    pub(super) fn new(v: &mut [T]) -> Self {
        SharedSlice {
            ptr: v.as_mut_ptr(),
            len: v.len(),
        }
    }

    /// # Safety
    /// No thread writes index `i` while the reference lives.
    pub(super) unsafe fn get(&self, i: usize) -> &T {
        assert!(i < self.len);
        &*self.ptr.add(i)
    }

    /// # Safety
    /// No other thread reads or writes index `i` while the reference lives.
    #[allow(clippy::mut_from_ref)]
    pub(super) unsafe fn slot(&self, i: usize) -> &mut T {
        assert!(i < self.len);
        &mut *self.ptr.add(i)
    }

    /// Asks for the cache lines of indices `start..start + len` (nothing when out of
    /// bounds): a hint that never reads or writes, so it needs no promise.
    pub(super) fn prefetch(&self, start: usize, len: usize) {
        if len == 0 || start + len > self.len {
            return;
        }
        let first = self.ptr.wrapping_add(start) as *const u8;
        let bytes = len * std::mem::size_of::<T>();
        for at in (0..bytes).step_by(64) {
            crate::prefetch::prefetch_ptr(first.wrapping_add(at));
        }
        // The last byte's line, which the 64-byte steps miss when the start is unaligned.
        crate::prefetch::prefetch_ptr(first.wrapping_add(bytes - 1));
    }

    /// # Safety
    /// As [`SharedSlice::get`], for every index of the range.
    pub(super) unsafe fn range(&self, start: usize, len: usize) -> &[T] {
        assert!(start + len <= self.len);
        std::slice::from_raw_parts(self.ptr.add(start), len)
    }

    /// # Safety
    /// As [`SharedSlice::slot`], for every index of the range.
    #[allow(clippy::mut_from_ref)]
    pub(super) unsafe fn range_mut(&self, start: usize, len: usize) -> &mut [T] {
        assert!(start + len <= self.len);
        std::slice::from_raw_parts_mut(self.ptr.add(start), len)
    }

    /// The first element, for access that a reference cannot express (an atomic field
    /// of an element while other fields of it are written).
    pub(super) fn as_ptr(&self) -> *mut T {
        self.ptr
    }

    /// The number of elements.
    pub(super) fn len(&self) -> usize {
        self.len
    }
}

/// The level sweep's view of the solved values.
struct Shared {
    stats: SharedSlice<StartStats>,
    p_end: SharedSlice<f64>,
    end: SharedSlice<VertexId>,
    top: usize,
}

// SAFETY (all three reads): `solve_vertex` reads only move targets of the vertex it
// solves, which are strictly better neighbours, solved in an earlier level and written
// by no thread during this one.
impl SolvedView for Shared {
    fn stats(&self, u: VertexId) -> &StartStats {
        unsafe { self.stats.get(u as usize) }
    }
    fn p_end(&self, u: VertexId) -> &[f64] {
        unsafe { self.p_end.range(u as usize * self.top, self.top) }
    }
    fn end(&self, u: VertexId) -> VertexId {
        unsafe { *self.end.get(u as usize) }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::space::{Csr, ProductSpace};
    use proptest::prelude::*;

    use crate::test_pool as pool;

    /// Every per-start figure as bits (NaN included), and everything else exactly.
    pub(in crate::search) fn same(a: &Starts, b: &Starts) -> bool {
        let bits = |s: &Starts| -> Vec<u64> {
            s.stats
                .iter()
                .flat_map(|t| {
                    [
                        t.p_success,
                        t.expected_moves,
                        t.expected_evaluations,
                        t.expected_end_loss,
                        t.success_evaluations,
                        t.found_evaluations,
                    ]
                })
                .chain(s.p_end.iter().copied())
                .map(f64::to_bits)
                .collect()
        };
        bits(a) == bits(b)
            && a.end == b.end
            && a.top_minima == b.top_minima
            && (a.local_minima, a.strict_local_minima) == (b.local_minima, b.strict_local_minima)
            && a.success == b.success
    }

    fn assert_same(a: &Starts, b: &Starts) {
        assert!(same(a, b), "the two sweeps differ");
    }

    /// The level sweep on 1 and 4 threads gives the sequential sweep's bits, for every
    /// variant, an ε target and a mask target, and a K above the number of minima.
    fn check<N: Neighbourhood>(space: &N, loss: &[f64], tops: &[usize]) {
        let order = loss_order(loss);
        let mask: Vec<bool> = loss.iter().map(|&l| l < 0.5).collect();
        for variant in Variant::ALL {
            for target in [Target::Eps(0.0), Target::Eps(0.25), Target::Mask(&mask)] {
                for &top in tops {
                    let want = solve_sequential(space, loss, &order, variant, target, top);
                    for threads in [1, 4] {
                        let got = pool(threads)
                            .install(|| solve_by_levels(space, loss, variant, target, top));
                        assert_same(&got, &want);
                    }
                }
            }
        }
    }

    #[test]
    fn levels_equal_the_sequential_sweep_on_nb201_and_plateaus() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let space = ProductSpace::parse("nb201").unwrap();
        let uniform: Vec<f64> = (0..space.len()).map(|_| rng.gen()).collect();
        check(&space, &uniform, &[0, 3]);
        let levels: Vec<f64> = (0..space.len())
            .map(|_| rng.gen_range(0..6) as f64 / 5.0)
            .collect();
        check(&space, &levels, &[0, 3]);
    }

    /// The p-only sweep gives the mean `p_success` of the full one, bit for bit.
    #[test]
    fn first_improvement_success_equals_the_full_sweep() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(9);
        for spec in ["nb201", "3x4x5", "2^9"] {
            let space = ProductSpace::parse(spec).unwrap();
            for levels in [0u32, 3] {
                let loss = crate::test_losses::draw(&mut rng, space.len(), levels);
                let order = loss_order(&loss);
                let want =
                    solve_sequential(&space, &loss, &order, Variant::First, Target::Eps(0.0), 0)
                        .mean(|s| s.p_success);
                for threads in [1, 4] {
                    let got = pool(threads).install(|| first_improvement_success(&space, &loss));
                    assert_eq!(got.to_bits(), want.to_bits(), "{spec}");
                }
                let csr = Csr::from_neighbourhood(&space);
                assert_eq!(
                    first_improvement_success(&csr, &loss).to_bits(),
                    want.to_bits()
                );
            }
        }
    }

    /// The multiply-and-shift quotient equals the division for every radix a mask allows
    /// and 32-bit numerators from both ends of the range and in between.
    #[test]
    fn dividers_divide_exactly() {
        let radices: Vec<u32> = (2..=65).collect();
        let dividers = dividers(&radices);
        let near_ends = (0..100_000u32).chain(u32::MAX - 100_000..=u32::MAX);
        let spread = (0..1u64 << 32).step_by(65_537).map(|n| n as u32);
        for n in near_ends.chain(spread) {
            for (&k, &d) in radices.iter().zip(&dividers) {
                assert_eq!(((d as u128 * n as u128) >> 64) as u32, n / k, "{n} / {k}");
            }
        }
    }

    /// The masks name exactly the strictly better neighbours, in neighbour order, up to a
    /// degree of 64 (one dimension of 65 values, 33 × 33); above it there are none and
    /// the sweep takes the generic path.
    #[test]
    fn better_masks_list_better_neighbours_in_order() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(11);
        // The last two are larger than a fused block: their last dimension is done line
        // by line, the others block by block.
        for spec in [
            "nb201",
            "3x4x5",
            "65^1",
            "33x33",
            "2x3x2x5x2",
            "3x4x5x6x7x8",
            "2^15",
        ] {
            let space = ProductSpace::parse(spec).unwrap();
            let loss: Vec<f64> = (0..space.len())
                .map(|_| rng.gen_range(0..5) as f64)
                .collect();
            let masks = lines::better_masks(&space, &loss).unwrap();
            for v in 0..space.len() as VertexId {
                let mut want = Vec::new();
                let own = loss[v as usize];
                space.for_each_neighbour(v, |u| {
                    if loss[u as usize] < own {
                        want.push(u);
                    }
                });
                let mut got = Vec::new();
                each_masked_neighbour(
                    &space,
                    &dividers(space.radices()),
                    v,
                    masks[v as usize],
                    |u| got.push(u),
                );
                assert_eq!(got, want, "{spec}, vertex {v}");
            }
        }
        for spec in ["66^1", "33x34"] {
            let space = ProductSpace::parse(spec).unwrap();
            assert!(lines::better_masks(&space, &vec![0.0; space.len()]).is_none());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// The masked sweep of products (and its fallback above degree 64) on 1, 2 and 4
        /// threads gives the sequential sweep's mean `p_success`, bit for bit, with ties.
        #[test]
        fn first_improvement_success_on_products_equals_the_sequential_sweep(
            radices in proptest::collection::vec(2u32..6, 1..5),
            wide in any::<bool>(),
            seed in any::<u64>(),
            ties in 1u32..8,
        ) {
            use rand::{Rng, SeedableRng};
            let mut radices = radices;
            if wide {
                radices.truncate(2);
                radices.push(66); // degree above 64: no masks
            }
            let spec = radices.iter().map(|k| k.to_string()).collect::<Vec<_>>().join("x");
            let spec = if radices.len() == 1 { format!("{}^1", radices[0]) } else { spec };
            let space = ProductSpace::parse(&spec).unwrap();
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let loss: Vec<f64> = (0..space.len()).map(|_| rng.gen_range(0..ties) as f64 / ties as f64).collect();
            let order = loss_order(&loss);
            let want = solve_sequential(&space, &loss, &order, Variant::First, Target::Eps(0.0), 0)
                .mean(|s| s.p_success);
            for threads in [1, 2, 4] {
                let got = pool(threads).install(|| first_improvement_success(&space, &loss));
                prop_assert_eq!(got.to_bits(), want.to_bits(), "{} on {} threads", spec, threads);
            }
        }

        #[test]
        fn levels_equal_the_sequential_sweep_on_products(
            radices in proptest::collection::vec(2u32..5, 1..4),
            seed in any::<u64>(),
            ties in 1u32..8,
        ) {
            use rand::{Rng, SeedableRng};
            let spec = radices.iter().map(|k| k.to_string()).collect::<Vec<_>>().join("x");
            let spec = if radices.len() == 1 { format!("{}^1", radices[0]) } else { spec };
            let space = ProductSpace::parse(&spec).unwrap();
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let loss: Vec<f64> = (0..space.len()).map(|_| rng.gen_range(0..ties) as f64 / ties as f64).collect();
            check(&space, &loss, &[0, 3, 1000]);
        }

        /// The long-line sweep (run here on any shape, short lines included) against the
        /// scan: best improvement with either tie rule bit for bit, first improvement
        /// (summed in loss order) to 1e-12; its p-only sweep likewise; the line-sorted
        /// better counts and local minima exactly. Losses with ties and −0/+0.
        #[test]
        fn long_lines_equal_the_sequential_sweep(
            radices in proptest::collection::vec(2u32..7, 1..4),
            wide in proptest::option::of(65u32..90),
            seed in any::<u64>(),
            ties in 1u32..8,
        ) {
            use rand::{Rng, SeedableRng};
            let mut radices = radices;
            if let Some(k) = wide {
                radices.truncate(1);
                radices.push(k); // lines longer than lines::LONG: sorted, not compared pairwise
            }
            let spec = radices.iter().map(|k| k.to_string()).collect::<Vec<_>>().join("x");
            let spec = if radices.len() == 1 { format!("{}^1", radices[0]) } else { spec };
            let space = ProductSpace::parse(&spec).unwrap();
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let loss: Vec<f64> = (0..space.len())
                .map(|_| {
                    let x = rng.gen_range(0..ties) as f64 / ties as f64;
                    if x == 0.0 && rng.gen() { -0.0 } else { x }
                })
                .collect();
            let order = loss_order(&loss);
            let mask: Vec<bool> = loss.iter().map(|&l| l < 0.5).collect();
            for target in [Target::Eps(0.0), Target::Eps(0.25), Target::Mask(&mask)] {
                for top in [0, 3, 1000] {
                    for variant in Variant::ALL {
                        let want = solve_sequential(&space, &loss, &order, variant, target, top);
                        let got = solve_long_lines(&space, &loss, &order, variant, target, top);
                        if variant == Variant::First {
                            prop_assert_eq!(&got.top_minima, &want.top_minima);
                            prop_assert_eq!(got.local_minima, want.local_minima);
                            prop_assert_eq!(got.strict_local_minima, want.strict_local_minima);
                            let near = |a: f64, b: f64| (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-12 * (1.0 + b.abs());
                            for (g, w) in got.stats.iter().zip(&want.stats) {
                                prop_assert!(near(g.p_success, w.p_success));
                                prop_assert!(near(g.expected_moves, w.expected_moves));
                                prop_assert!(near(g.expected_evaluations, w.expected_evaluations));
                                prop_assert!(near(g.expected_end_loss, w.expected_end_loss));
                                prop_assert!(near(g.success_evaluations, w.success_evaluations));
                                prop_assert!(near(g.found_evaluations, w.found_evaluations));
                            }
                            for (g, w) in got.p_end.iter().zip(&want.p_end) {
                                prop_assert!(near(*g, *w));
                            }
                        } else {
                            assert_same(&got, &want);
                        }
                    }
                }
            }
            let want = solve_sequential(&space, &loss, &order, Variant::First, Target::Eps(0.0), 0);
            let p = long_lines::first_success(&space, &loss, &order);
            for (g, w) in p.iter().zip(&want.stats) {
                prop_assert!((g - w.p_success).abs() <= 1e-12);
            }
            let counts: Vec<u32> = lines::better_counts(&space, &loss)
                .into_iter()
                .map(AtomicU32::into_inner)
                .collect();
            for v in 0..space.len() as VertexId {
                let mut b = 0;
                space.for_each_neighbour(v, |u| b += (loss[u as usize] < loss[v as usize]) as u32);
                prop_assert_eq!(counts[v as usize], b);
            }
            prop_assert_eq!(count_local_minima(&space, &loss), want.local_minima);
        }

        #[test]
        fn levels_equal_the_sequential_sweep_on_graphs(
            n in 1usize..12,
            edges in proptest::collection::vec((0u32..12, 0u32..12), 0..30),
            seed in any::<u64>(),
        ) {
            use rand::{Rng, SeedableRng};
            let edges: Vec<(u32, u32)> = edges
                .into_iter()
                .filter(|&(a, b)| (a as usize) < n && (b as usize) < n && a != b)
                .collect();
            let mut unique = edges.iter().map(|&(a, b)| (a.min(b), a.max(b))).collect::<Vec<_>>();
            unique.sort_unstable();
            unique.dedup();
            let g = Csr::from_undirected_edges(n, &unique).unwrap();
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let loss: Vec<f64> = (0..n).map(|_| rng.gen_range(0..4) as f64).collect();
            check(&g, &loss, &[0, 3, 1000]);
        }
    }
}
