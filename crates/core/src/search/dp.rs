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

use super::{within_eps, Variant};
use crate::space::{Neighbourhood, VertexId};
use rayon::prelude::*;

/// What counts as a successful search.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// Ending within ε of the lowest loss of the same loss vector the search moves on.
    Eps(f64),
    /// Ending at a vertex of the mask (e.g. within ε of the optimum of other values).
    Mask(&'a [bool]),
}

/// Exact statistics of one start (vertex). Values are in loss units (lower is better).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
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

    /// Mean of a per-start figure over all starts (a uniformly random start).
    pub fn mean(&self, f: impl Fn(&StartStats) -> f64 + Sync + Send) -> f64 {
        // Fixed-size chunks summed in order: the same total whatever the thread count.
        let parts: Vec<f64> = self
            .stats
            .par_chunks(4096)
            .map(|c| c.iter().map(&f).sum::<f64>())
            .collect();
        parts.iter().sum::<f64>() / self.stats.len() as f64
    }
}

/// Vertex ids sorted by (loss, id): the order in which every move target comes first.
pub fn loss_order(loss: &[f64]) -> Vec<VertexId> {
    let mut order: Vec<VertexId> = (0..loss.len() as VertexId).collect();
    order.par_sort_unstable_by(|&a, &b| {
        loss[a as usize]
            .total_cmp(&loss[b as usize])
            .then(a.cmp(&b))
    });
    order
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
    let order = loss_order(loss);
    solve_in_order(space, loss, &order, variant, target, top)
}

/// The number of local minima: vertices with no strictly better neighbour (the most
/// columns [`solve_in_order`] keeps for its `top` minima).
pub fn count_local_minima<N: Neighbourhood>(space: &N, loss: &[f64]) -> usize {
    use rayon::prelude::*;
    (0..space.len() as VertexId)
        .into_par_iter()
        .filter(|&v| {
            let mut better = false;
            space.for_each_neighbour(v, |u| better |= loss[u as usize] < loss[v as usize]);
            !better
        })
        .count()
}

/// [`solve`] with the (loss, id) order already computed (it can be shared across variants).
pub fn solve_in_order<N: Neighbourhood>(
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
    let (success, found_defined) = match target {
        Target::Eps(eps) => (within_eps(loss, eps), true),
        Target::Mask(mask) => {
            assert_eq!(mask.len(), n, "one mask entry per vertex");
            (mask.to_vec(), false)
        }
    };

    // While sweeping, `expected_evaluations` holds R(v): evaluations after arriving at v.
    let mut stats = vec![StartStats::default(); n];
    let mut end = if variant == Variant::Best {
        vec![0 as VertexId; n]
    } else {
        Vec::new()
    };
    // At most one column per local minimum: a K beyond their number (asked for "all")
    // would otherwise size an n × K table for columns that stay empty. Counting them is
    // one pass over the arcs, done only when the table would be large.
    let top = if top.saturating_mul(n) > 1 << 20 {
        top.min(count_local_minima(space, loss))
    } else {
        top
    };
    let mut top_minima: Vec<VertexId> = Vec::with_capacity(top);
    let mut p_end = vec![0.0; n * top];
    let mut acc_end = vec![0.0; top];
    let (mut local_minima, mut strict_local_minima) = (0, 0);

    for &v in order {
        let vi = v as usize;
        let own = loss[vi];
        // Pass 1: the best neighbour, how many are better, how many are in the success set.
        let (mut min_loss, mut min_id) = (f64::INFINITY, VertexId::MAX);
        let (mut s, mut better, mut in_set) = (0usize, 0usize, 0usize);
        space.for_each_neighbour(v, |u| {
            let l = loss[u as usize];
            s += 1;
            better += (l < own) as usize;
            in_set += success[u as usize] as usize;
            if l < min_loss || (l == min_loss && u < min_id) {
                min_loss = l;
                min_id = u;
            }
        });

        if min_loss >= own {
            // A local minimum (no neighbour, or none strictly better; losses are never
            // NaN): every variant stops here after scanning all s neighbours.
            local_minima += 1;
            strict_local_minima += (min_loss > own) as usize;
            let ok = success[vi] as u8 as f64;
            stats[vi] = StartStats {
                p_success: ok,
                expected_moves: 0.0,
                expected_evaluations: s as f64,
                expected_end_loss: own,
                success_evaluations: s as f64 * ok,
                found_evaluations: 0.0,
            };
            if variant == Variant::Best {
                end[vi] = v;
            }
            if top_minima.len() < top {
                p_end[vi * top + top_minima.len()] = 1.0;
                top_minima.push(v);
            }
            continue;
        }

        // Pass 2: average the targets' values.
        let mut sum = StartStats::default();
        acc_end.iter_mut().for_each(|x| *x = 0.0);
        let mut count = 0usize;
        let mut add = |u: VertexId, sum: &mut StartStats, acc_end: &mut [f64]| {
            let t = &stats[u as usize];
            sum.p_success += t.p_success;
            sum.expected_moves += t.expected_moves;
            sum.expected_evaluations += t.expected_evaluations;
            sum.expected_end_loss += t.expected_end_loss;
            sum.success_evaluations += t.success_evaluations;
            sum.found_evaluations += t.found_evaluations;
            for (a, &p) in acc_end.iter_mut().zip(&p_end[u as usize * top..][..top]) {
                *a += p;
            }
            count += 1;
        };
        match variant {
            Variant::Best => add(min_id, &mut sum, &mut acc_end),
            Variant::BestRandomTies => space.for_each_neighbour(v, |u| {
                if loss[u as usize] == min_loss {
                    add(u, &mut sum, &mut acc_end)
                }
            }),
            Variant::First => space.for_each_neighbour(v, |u| {
                if loss[u as usize] < own {
                    add(u, &mut sum, &mut acc_end)
                }
            }),
        }
        let w = 1.0 / count as f64;
        let scan = match variant {
            Variant::First => (s as f64 + 1.0) / (better as f64 + 1.0),
            _ => s as f64,
        };
        let p = sum.p_success * w;
        let found = if success[vi] {
            0.0
        } else if variant.scans_all() && in_set > 0 {
            // The best neighbour is then in the set: found at the first such neighbour
            // of a randomly ordered scan.
            (s as f64 + 1.0) / (in_set as f64 + 1.0)
        } else {
            scan * p + sum.found_evaluations * w
        };
        stats[vi] = StartStats {
            p_success: p,
            expected_moves: 1.0 + sum.expected_moves * w,
            expected_evaluations: scan + sum.expected_evaluations * w,
            expected_end_loss: sum.expected_end_loss * w,
            success_evaluations: scan * p + sum.success_evaluations * w,
            found_evaluations: found,
        };
        if variant == Variant::Best {
            end[vi] = end[min_id as usize];
        }
        for (dst, &a) in p_end[vi * top..][..top].iter_mut().zip(&acc_end) {
            *dst = a * w;
        }
    }

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
