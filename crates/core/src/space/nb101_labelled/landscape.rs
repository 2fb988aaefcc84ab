//! The exact best-improvement landscape of the labelled NAS-Bench-101 space, in streamed
//! blocks.
//!
//! A state's loss is its class's loss, so the pass first turns class losses into dense
//! ranks (equal losses, equal rank) and gives every index its class's rank, `u32::MAX` for
//! indices that are not states. LS(v) is then the neighbour with the smallest (rank, index)
//! if that rank is below v's (docs/DESIGN.md §1, ties to the lowest index; indices order
//! the states as their ids do). The states of one mask are handled together: an edge move
//! sends all of them to the block of another mask with the same ops, an op change stays in
//! the block, so every read is a contiguous run of 3^(V−2) entries.
//!
//! LS* is found by pointer jumping in place (values only ever move further down the same
//! descent, so concurrent updates are harmless), basin sizes by counting LS* targets in
//! the rank array once P(ε) no longer needs it.

use super::{ClassTable, Labelled};
use crate::progress::Progress;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering::Relaxed};

const NONE: u32 = u32::MAX;

/// One point of a P(ε) curve, by states and by classes.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct EpsPoint {
    /// ε in the loss's units.
    pub eps: f64,
    /// Share of states whose LS* is within ε of the best loss.
    pub p_states: f64,
    /// Mean over classes of the share of the class's states that do.
    pub p_classes: f64,
}

/// Everything the pass computes.
#[derive(Clone, Debug, Serialize)]
pub struct Analysis {
    /// Vertices of the class space the states project onto.
    pub vertices: usize,
    /// Valid states, and the masks they have.
    pub states: u64,
    /// Valid adjacency masks (each taken with every op assignment).
    pub valid_masks: u64,
    /// Distinct sets of used edges among the valid masks.
    pub pruned_masks: u64,
    /// Arcs: Σ over states of the number of moves.
    pub arcs: u64,
    /// Smallest number of moves from a state.
    pub min_degree: u32,
    /// Largest number of moves from a state.
    pub max_degree: u32,
    /// Classes that hold at least one state.
    pub classes: u64,
    /// States with no strictly better neighbour, and those whose every neighbour is
    /// strictly worse.
    pub local_minima: u64,
    /// States whose every neighbour is strictly worse.
    pub strict_local_minima: u64,
    /// Classes with at least one state that is a local minimum.
    pub classes_with_minimum: u64,
    /// The best loss, the states and classes that have it.
    pub best_loss: f64,
    /// States with the best loss.
    pub global_optimum_states: u64,
    /// Classes with the best loss.
    pub global_optimum_classes: u64,
    /// The largest basin (states) and the total basin of the global optima.
    pub largest_basin: u64,
    /// States whose LS* has the best loss.
    pub global_basin: u64,
    /// Rounds of pointer jumping until LS* was fixed.
    pub jump_rounds: u32,
    /// P(ε) by states and by classes.
    pub eps_curve: Vec<EpsPoint>,
    /// Where the time went.
    pub seconds: Timings,
}

/// Wall-clock seconds of each stage.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Timings {
    /// Ranking the losses of every (mask, ops) pair.
    pub ranks: f64,
    /// One best-improvement step from every state.
    pub ls: f64,
    /// Pointer jumping to LS*.
    pub ls_star: f64,
    /// Counts, basins and P(ε).
    pub stats: f64,
}

/// Analyses `space` with `loss[c]` the loss of class c (lower is better) and the classes
/// of states given by `table`. `eps` in the loss's units; 0 is always added first.
pub fn analyse(
    space: &Labelled,
    table: &ClassTable,
    loss: &[f64],
    eps: &[f64],
    progress: &dyn Progress,
) -> Analysis {
    let o = space.opsets() as usize;
    let masks = space.masks();
    let clock = std::time::Instant::now();
    let mut seconds = Timings::default();

    // Dense ranks of the class losses.
    let mut order: Vec<u32> = (0..loss.len() as u32).collect();
    order.par_sort_unstable_by(|&a, &b| loss[a as usize].total_cmp(&loss[b as usize]));
    let mut rank = vec![0u32; loss.len()];
    let mut rank_loss: Vec<f64> = Vec::new();
    for &c in &order {
        let l = loss[c as usize];
        if rank_loss.last() != Some(&l) {
            rank_loss.push(l);
        }
        rank[c as usize] = rank_loss.len() as u32 - 1;
    }
    assert!(
        table.missing == 0,
        "every state needs a class: {} entries of the class table are unknown",
        table.missing
    );
    progress.stage("ranks", masks as u64);
    let key: Vec<AtomicU32> = (0..masks * o)
        .into_par_iter()
        .map(|_| AtomicU32::new(NONE))
        .collect();
    (0..masks as u32).into_par_iter().for_each(|m| {
        if m % 65536 == 0 {
            progress.advance(65536);
        }
        if space.is_valid_mask(m) {
            let base = m as usize * o;
            for (x, &c) in table.block(space.used_edges(m)).iter().enumerate() {
                key[base + x].store(rank[c as usize], Relaxed);
            }
        }
    });
    progress.finish();
    seconds.ranks = clock.elapsed().as_secs_f64();

    // LS, minima, degrees.
    let clock = std::time::Instant::now();
    progress.stage("local search step", masks as u64);
    let ls: Vec<AtomicU32> = (0..masks * o)
        .into_par_iter()
        .map(|_| AtomicU32::new(NONE))
        .collect();
    let k = |i: usize| key[i].load(Relaxed);
    #[derive(Default, Clone, Copy)]
    struct Acc {
        states: u64,
        masks: u64,
        arcs: u64,
        min_deg: u32,
        max_deg: u32,
        minima: u64,
        strict: u64,
    }
    let acc = (0..masks as u32)
        .into_par_iter()
        .with_min_len(256)
        .fold(
            || Acc {
                min_deg: u32::MAX,
                ..Acc::default()
            },
            |mut a, m| {
                if m % 65536 == 0 {
                    progress.advance(65536);
                }
                if !space.is_valid_mask(m) {
                    return a;
                }
                let base = m as usize * o;
                let mut best_k = vec![NONE; o];
                let mut best_i = vec![NONE; o];
                let mut degree = 0u32;
                space.for_each_edge_move(m, |n| {
                    degree += 1;
                    let nb = n as usize * o;
                    for x in 0..o {
                        let (kk, ii) = (k(nb + x), (nb + x) as u32);
                        if (kk, ii) < (best_k[x], best_i[x]) {
                            best_k[x] = kk;
                            best_i[x] = ii;
                        }
                    }
                });
                let used = space.used_interior(m);
                for v in 1..space.vertices() - 1 {
                    if used >> v & 1 == 0 {
                        continue;
                    }
                    degree += 2;
                    let place = 3u32.pow(v as u32 - 1);
                    for x in 0..o as u32 {
                        let cur = space.op(x, v);
                        for op in 0..3 {
                            if op != cur {
                                let y = (base as u32) + x - cur * place + op * place;
                                let kk = k(y as usize);
                                if (kk, y) < (best_k[x as usize], best_i[x as usize]) {
                                    best_k[x as usize] = kk;
                                    best_i[x as usize] = y;
                                }
                            }
                        }
                    }
                }
                for x in 0..o {
                    let me = k(base + x);
                    if best_k[x] < me {
                        ls[base + x].store(best_i[x], Relaxed);
                    } else {
                        ls[base + x].store((base + x) as u32, Relaxed);
                        a.minima += 1;
                        a.strict += (best_k[x] > me) as u64;
                    }
                }
                a.states += o as u64;
                a.masks += 1;
                a.arcs += degree as u64 * o as u64;
                a.min_deg = a.min_deg.min(degree);
                a.max_deg = a.max_deg.max(degree);
                a
            },
        )
        .reduce(
            || Acc {
                min_deg: u32::MAX,
                ..Acc::default()
            },
            |a, b| Acc {
                states: a.states + b.states,
                masks: a.masks + b.masks,
                arcs: a.arcs + b.arcs,
                min_deg: a.min_deg.min(b.min_deg),
                max_deg: a.max_deg.max(b.max_deg),
                minima: a.minima + b.minima,
                strict: a.strict + b.strict,
            },
        );
    progress.finish();
    seconds.ls = clock.elapsed().as_secs_f64();

    // Classes with a minimum (before LS is overwritten by LS*).
    let clock = std::time::Instant::now();
    let words = loss.len().div_ceil(64);
    let has_min: Vec<AtomicU64> = (0..words).map(|_| AtomicU64::new(0)).collect();
    let has_state: Vec<AtomicU64> = (0..words).map(|_| AtomicU64::new(0)).collect();
    (0..masks as u32).into_par_iter().for_each(|m| {
        if !space.is_valid_mask(m) {
            return;
        }
        let classes = table.block(space.used_edges(m));
        let base = m as usize * o;
        for (x, &c) in classes.iter().enumerate() {
            let bit = 1u64 << (c % 64);
            if has_state[c as usize / 64].load(Relaxed) & bit == 0 {
                has_state[c as usize / 64].fetch_or(bit, Relaxed);
            }
            if ls[base + x].load(Relaxed) == (base + x) as u32 {
                has_min[c as usize / 64].fetch_or(bit, Relaxed);
            }
        }
    });
    let count = |v: &[AtomicU64]| v.iter().map(|w| w.load(Relaxed).count_ones() as u64).sum();
    let classes: u64 = count(&has_state);
    let classes_with_minimum: u64 = count(&has_min);

    // LS* by pointer jumping in place.
    let mut jump_rounds = 0;
    loop {
        jump_rounds += 1;
        let changed = ls
            .par_iter()
            .with_min_len(1 << 16)
            .filter(|t| {
                let a = t.load(Relaxed);
                if a == NONE {
                    return false;
                }
                let b = ls[a as usize].load(Relaxed);
                if b != a {
                    t.store(b, Relaxed);
                    true
                } else {
                    false
                }
            })
            .count();
        if changed == 0 {
            break;
        }
    }
    seconds.ls_star = clock.elapsed().as_secs_f64();

    // P(ε) by states and by classes, then basin sizes in the rank array.
    let clock = std::time::Instant::now();
    let best = rank_loss.first().copied().unwrap_or(f64::NAN);
    let mut eps_all = vec![0.0];
    eps_all.extend(eps.iter().copied().filter(|&e| e > 0.0));
    // The largest rank within each ε of the best.
    let cut: Vec<u32> = eps_all
        .iter()
        .map(|&e| rank_loss.partition_point(|&l| l <= best + e) as u32)
        .collect();
    let per_class: Vec<AtomicU32> = (0..loss.len() * (1 + cut.len()))
        .map(|_| AtomicU32::new(0))
        .collect();
    let stride = 1 + cut.len();
    let (reach_counts, optimum_states) = (0..masks as u32)
        .into_par_iter()
        .with_min_len(256)
        .map(|m| {
            let mut reach = vec![0u64; cut.len()];
            let mut optimum = 0u64;
            if !space.is_valid_mask(m) {
                return (reach, optimum);
            }
            let classes = table.block(space.used_edges(m));
            let base = m as usize * o;
            for (x, &c) in classes.iter().enumerate() {
                let target_rank = k(ls[base + x].load(Relaxed) as usize);
                let row = c as usize * stride;
                per_class[row].fetch_add(1, Relaxed);
                optimum += (k(base + x) == 0) as u64;
                for (e, &limit) in cut.iter().enumerate() {
                    if target_rank < limit {
                        reach[e] += 1;
                        per_class[row + 1 + e].fetch_add(1, Relaxed);
                    }
                }
            }
            (reach, optimum)
        })
        .reduce(
            || (vec![0u64; cut.len()], 0),
            |(mut a, x), (b, y)| {
                for (a, b) in a.iter_mut().zip(&b) {
                    *a += b;
                }
                (a, x + y)
            },
        );
    let global_optimum_classes = rank.iter().filter(|&&r| r == 0).count() as u64;
    let eps_curve: Vec<EpsPoint> = eps_all
        .iter()
        .enumerate()
        .map(|(e, &eps)| {
            let (mut sum, mut n) = (0.0, 0u64);
            for c in 0..loss.len() {
                let total = per_class[c * stride].load(Relaxed);
                if total > 0 {
                    sum += per_class[c * stride + 1 + e].load(Relaxed) as f64 / total as f64;
                    n += 1;
                }
            }
            EpsPoint {
                eps,
                p_states: reach_counts[e] as f64 / acc.states.max(1) as f64,
                p_classes: sum / n.max(1) as f64,
            }
        })
        .collect();
    // Basin sizes: the rank array is free now.
    key.par_iter().for_each(|x| x.store(0, Relaxed));
    ls.par_iter().for_each(|t| {
        let a = t.load(Relaxed);
        if a != NONE {
            key[a as usize].fetch_add(1, Relaxed);
        }
    });
    let largest_basin = key
        .par_iter()
        .map(|x| x.load(Relaxed) as u64)
        .max()
        .unwrap_or(0);
    seconds.stats = clock.elapsed().as_secs_f64();

    Analysis {
        vertices: space.vertices(),
        states: acc.states,
        valid_masks: acc.masks,
        pruned_masks: table.pruned_masks() as u64,
        arcs: acc.arcs,
        min_degree: if acc.masks > 0 { acc.min_deg } else { 0 },
        max_degree: acc.max_deg,
        classes,
        local_minima: acc.minima,
        strict_local_minima: acc.strict,
        classes_with_minimum,
        best_loss: best,
        global_optimum_states: optimum_states,
        global_optimum_classes,
        largest_basin,
        global_basin: reach_counts[0],
        jump_rounds,
        eps_curve,
        seconds,
    }
}
