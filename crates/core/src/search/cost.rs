//! The exact cost of search by independent restarts.
//!
//! The algorithm: draw `num_init` uniformly random architectures (with replacement,
//! each one evaluated), start local search from the best of them (ties to the first
//! drawn), and restart until a search *ends* in the success set. Restarts are
//! independent and identically distributed, so with C the evaluations of one restart and
//! p its success probability, Wald's identity gives `E[total] = E[C] / p`, and the number
//! of restarts is geometric with mean 1/p.
//!
//! The paper counts a different stopping time: architectures trained until the global
//! optimum is first *evaluated* ("found"), which is earlier than the end of the
//! successful search (it still scans the optimum's neighbourhood to confirm it). With
//! C' the evaluations of the successful restart up to that moment,
//! `E[total until found] = (E[C] − E[C·S] + E[C'·S]) / p`, every term exact from the
//! per-start figures of [`dp`](super::dp).
//!
//! Independent restarts re-evaluate architectures seen before; the simulator's query
//! cache does not, so these figures are the memoryless baseline beside it.

use super::dp::{SharedSlice, Starts};
use crate::space::VertexId;
use serde::Serialize;

/// Exact expected cost of independent restarts.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RestartCost {
    /// Random architectures drawn per restart; the search starts at the best.
    pub num_init: usize,
    /// P(one restart ends in the success set).
    pub p_restart: f64,
    /// E[evaluations of one restart] (its `num_init` draws included).
    pub evaluations_per_restart: f64,
    /// E[number of restarts] = 1 / p.
    pub restarts: f64,
    /// E[evaluations until a restart ends in the success set].
    pub until_end: f64,
    /// E[evaluations until a success-set architecture is first evaluated]; only for an
    /// ε-target (`None` for a mask target).
    pub until_found: Option<f64>,
}

/// P(the best of `num_init` uniform draws is v), for every v: uniform within a tie class,
/// P(class at loss L) = (#{≥ L}/n)^k − (#{> L}/n)^k. `order` is the (loss, id) order.
pub(crate) fn start_distribution(loss: &[f64], order: &[VertexId], num_init: usize) -> Vec<f64> {
    use rayon::prelude::*;
    let n = loss.len();
    let k = num_init as i32;
    // The losses in order, gathered first: the gather's reads are independent (many misses
    // in flight), where the scan below would wait on each before its branch.
    let sorted: Vec<f64> = order
        .par_iter()
        .with_min_len(4096)
        .map(|&v| loss[v as usize])
        .collect();
    let mut pi = vec![0.0; n];
    let shared = SharedSlice::new(&mut pi);
    // A class's probability is written by the task of its first place, in parallel: the
    // writes go to random places (the order's ids), and one thread would wait on each.
    (0..n).into_par_iter().with_min_len(4096).for_each(|i| {
        let l = sorted[i];
        if i > 0 && sorted[i - 1] == l {
            return;
        }
        let mut j = i + 1;
        while j < n && sorted[j] == l {
            j += 1;
        }
        let p = ((n - i) as f64 / n as f64).powi(k) - ((n - j) as f64 / n as f64).powi(k);
        for &v in &order[i..j] {
            // SAFETY: the order lists every vertex once, and each place is in one class.
            unsafe { *shared.slot(v as usize) = p / (j - i) as f64 };
        }
    });
    pi
}

/// The exact cost of independent restarts from the per-start figures of `starts`
/// (computed on `loss`, whose (loss, id) order is `order`).
pub fn independent_restarts(
    starts: &Starts,
    loss: &[f64],
    order: &[VertexId],
    num_init: usize,
) -> RestartCost {
    assert!(num_init >= 1, "at least one random start per restart");
    let n = loss.len();
    let k = num_init as f64;
    let pi = start_distribution(loss, order, num_init);
    let (mut p, mut c, mut cs, mut found_tail) = (0.0, k, 0.0, 0.0);
    let mut found_defined = true;
    for (v, (&w, st)) in pi.iter().zip(&starts.stats).enumerate() {
        p += w * st.p_success;
        c += w * (st.expected_evaluations - 1.0);
        cs += w * (k * st.p_success + st.success_evaluations);
        if !starts.success[v] {
            found_tail += w * (k * st.p_success + st.found_evaluations);
        }
        found_defined &= !st.found_evaluations.is_nan();
    }
    // The first success-set architecture among the draws, if any, is found at its position.
    let q = starts.success.iter().filter(|&&b| b).count() as f64 / n as f64;
    let found_in_draws: f64 = (1..=num_init)
        .map(|j| j as f64 * (1.0 - q).powi(j as i32 - 1) * q)
        .sum();
    RestartCost {
        num_init,
        p_restart: p,
        evaluations_per_restart: c,
        restarts: 1.0 / p,
        until_end: c / p,
        until_found: found_defined.then(|| (c - cs + found_in_draws + found_tail) / p),
    }
}
