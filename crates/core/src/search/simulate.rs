//! Monte Carlo simulation of local search with restarts, as the paper's code runs it.
//!
//! One *run* is one execution of the search algorithm of White et al.'s
//! `local_search` (their experiments use `num_init = 1`, `query_full_nbhd = True`,
//! `stop_at_minimum = True`, a budget of 500 queries):
//!
//! ```text
//! repeat (a restart):
//!     draw num_init random architectures not queried before; start at the best
//!     repeat:
//!         query the neighbourhood in a random order (architectures already queried are
//!         not queried again: the cache is shared across restarts)
//!         if no newly queried neighbour is strictly better: stop this restart
//!         move to the best newly queried neighbour (ties: the first in the random order)
//! until the budget is spent
//! ```
//!
//! We record when a run first *evaluates* an architecture of the success set (the
//! paper's "architectures trained until the global optimum is found") and when a restart
//! first *ends* in it; a run stops at the latter, at the budget, or when every
//! architecture has been queried.
//!
//! [`Cache`] chooses how queried architectures are treated:
//! - `paper`: as above — a cached neighbour is neither paid for nor considered as a move
//!   (a faithful copy of the original code's behaviour);
//! - `shared`: a cached neighbour is free but its known value still counts, so the moves
//!   are those of the memoryless search and only the bill changes;
//! - `none`: every evaluation is paid, repeats included, and starts are drawn from all
//!   architectures: the independent restarts whose exact cost [`cost`](super::cost)
//!   computes, which is what the tests compare.
//!
//! Each run draws from its own random stream keyed by (seed, run index), so results are
//! the same whatever the thread count.

use super::{domain, rng, Variant};
use crate::space::{Neighbourhood, VertexId};
use anyhow::{bail, Result};
use rand::seq::SliceRandom;
use rand::Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt;

/// How architectures queried earlier in the same run are treated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Cache {
    /// The original code: cached neighbours are skipped (not paid, not considered).
    Paper,
    /// Cached neighbours are free, their values still used.
    Shared,
    /// No cache: every evaluation is paid; independent restarts.
    None,
}

impl Cache {
    /// Reads a cache mode by its command-line name (`paper`, `shared` or `none`).
    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "paper" => Ok(Cache::Paper),
            "shared" => Ok(Cache::Shared),
            "none" => Ok(Cache::None),
            _ => bail!("unknown cache mode {s:?}: use paper, shared or none"),
        }
    }
}

impl fmt::Display for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cache::Paper => "paper",
            Cache::Shared => "shared",
            Cache::None => "none",
        })
    }
}

/// What to simulate.
#[derive(Clone, Copy, Debug)]
pub struct SimOptions {
    /// The local-search variant each run follows.
    pub variant: Variant,
    /// Random architectures drawn per restart; the search starts at the best.
    pub num_init: usize,
    /// Stop a run after this many evaluations (`None`: no budget).
    pub budget: Option<u64>,
    /// How evaluations are counted and shared between restarts.
    pub cache: Cache,
    /// Independent runs to simulate; the spread of [`Dist`] shrinks with more.
    pub runs: usize,
    /// Seed of the runs, so a simulation can be repeated exactly.
    pub seed: u64,
}

/// The outcome of one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunResult {
    /// Evaluations until a success-set architecture was first evaluated.
    pub found_at: Option<u64>,
    /// Restarts begun by then.
    pub restarts_to_found: Option<u32>,
    /// Evaluations until a restart first ended in the success set.
    pub ended_at: Option<u64>,
    /// Restarts until then (the successful one included).
    pub restarts_to_end: Option<u32>,
    /// Evaluations spent in total.
    pub evaluations: u64,
}

/// Per-thread scratch: the query cache (a stamp per vertex, so it is never cleared) and
/// the neighbour buffer.
struct Scratch {
    seen: Vec<u32>,
    stamp: u32,
    nbrs: Vec<VertexId>,
}

/// Runs `opts.runs` independent runs of the search on `loss`; success means evaluating
/// (and ending at) a vertex of `success`.
pub fn simulate<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    success: &[bool],
    opts: &SimOptions,
) -> Vec<RunResult> {
    simulate_with_progress(space, loss, success, opts, &crate::progress::Silent)
}

/// [`simulate`], reporting each finished run to `progress`: a run scans whole
/// neighbourhoods, so on a space of long lines (a complete graph of 10⁵ vertices: 10⁵
/// evaluations a step) a thousand runs take seconds to minutes, and the terminal should
/// show where they are. The runs and their results are the same.
pub fn simulate_with_progress<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    success: &[bool],
    opts: &SimOptions,
    progress: &dyn crate::progress::Progress,
) -> Vec<RunResult> {
    let n = space.len();
    assert_eq!(n, loss.len(), "one loss per vertex");
    assert_eq!(n, success.len(), "one success flag per vertex");
    assert!(opts.num_init >= 1, "at least one random start per restart");
    progress.stage("simulating runs", opts.runs as u64);
    let runs = (0..opts.runs)
        .into_par_iter()
        .map_init(
            || Scratch {
                seen: vec![0; n],
                stamp: 0,
                nbrs: Vec::new(),
            },
            |scratch, run| {
                let r = one_run(space, loss, success, opts, run as u64, scratch);
                progress.advance(1);
                r
            },
        )
        .collect();
    progress.finish();
    runs
}

/// The state of one run: what it has paid and recorded.
struct Run<'a> {
    success: &'a [bool],
    cache: Cache,
    budget: u64,
    evaluations: u64,
    unseen: usize,
    restarts: u32,
    result: RunResult,
}

impl Run<'_> {
    /// Evaluates `v`, paying unless it is cached. Returns whether it was newly evaluated
    /// (always true without cache).
    fn evaluate(&mut self, v: VertexId, scratch: &mut Scratch) -> bool {
        if self.cache != Cache::None {
            if scratch.seen[v as usize] == scratch.stamp {
                return false;
            }
            scratch.seen[v as usize] = scratch.stamp;
            self.unseen -= 1;
        }
        self.evaluations += 1;
        if self.success[v as usize] && self.result.found_at.is_none() {
            self.result.found_at = Some(self.evaluations);
            self.result.restarts_to_found = Some(self.restarts);
        }
        true
    }

    fn out_of_budget(&self) -> bool {
        self.evaluations >= self.budget
    }
}

fn one_run<N: Neighbourhood>(
    space: &N,
    loss: &[f64],
    success: &[bool],
    opts: &SimOptions,
    run_index: u64,
    scratch: &mut Scratch,
) -> RunResult {
    let n = loss.len();
    let mut rng = rng(opts.seed, domain::SIMULATE, run_index);
    scratch.stamp = scratch.stamp.wrapping_add(1);
    if scratch.stamp == 0 {
        scratch.seen.iter_mut().for_each(|s| *s = 0);
        scratch.stamp = 1;
    }
    let mut run = Run {
        success,
        cache: opts.cache,
        budget: opts.budget.unwrap_or(u64::MAX),
        evaluations: 0,
        unseen: n,
        restarts: 0,
        result: RunResult::default(),
    };
    let cached = opts.cache != Cache::None;
    'restarts: loop {
        if run.out_of_budget() || (cached && run.unseen == 0) {
            break;
        }
        run.restarts += 1;
        // Best of num_init random starts (ties to the first drawn).
        let mut cur = VertexId::MAX;
        for _ in 0..opts.num_init {
            if cached && run.unseen == 0 {
                break;
            }
            let x = loop {
                let x = rng.gen_range(0..n as VertexId);
                if !cached || scratch.seen[x as usize] != scratch.stamp {
                    break x;
                }
            };
            run.evaluate(x, scratch);
            if cur == VertexId::MAX || loss[x as usize] < loss[cur as usize] {
                cur = x;
            }
            if run.out_of_budget() {
                break 'restarts;
            }
        }
        // Local search from `cur`.
        loop {
            scratch.nbrs.clear();
            space.for_each_neighbour(cur, |u| scratch.nbrs.push(u));
            scratch.nbrs.shuffle(&mut rng);
            let mut next = VertexId::MAX;
            for i in 0..scratch.nbrs.len() {
                let u = scratch.nbrs[i];
                let fresh = run.evaluate(u, scratch);
                let considered = fresh || opts.cache == Cache::Shared;
                if considered {
                    let lu = loss[u as usize];
                    let take = match opts.variant {
                        Variant::First => lu < loss[cur as usize],
                        Variant::Best => {
                            next == VertexId::MAX
                                || lu < loss[next as usize]
                                || (lu == loss[next as usize] && u < next)
                        }
                        Variant::BestRandomTies => {
                            next == VertexId::MAX || lu < loss[next as usize]
                        }
                    };
                    if take {
                        next = u;
                    }
                }
                if run.out_of_budget() {
                    break 'restarts;
                }
                if opts.variant == Variant::First && next != VertexId::MAX {
                    break;
                }
            }
            if next != VertexId::MAX && loss[next as usize] < loss[cur as usize] {
                cur = next;
            } else {
                break;
            }
        }
        if success[cur as usize] {
            run.result.ended_at = Some(run.evaluations);
            run.result.restarts_to_end = Some(run.restarts);
            break;
        }
    }
    run.result.evaluations = run.evaluations;
    run.result
}

/// Distribution of one figure over the runs where it is defined.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Dist {
    /// Runs where the figure is defined (e.g. the optimum was found within the budget).
    pub runs: usize,
    /// Arithmetic mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// Standard error of the mean, sd/√runs.
    pub se: f64,
    /// Smallest value.
    pub min: f64,
    /// Median, the typical run.
    pub median: f64,
    /// 90th percentile, the pessimistic end a user budgets for.
    pub p90: f64,
    /// Largest value.
    pub max: f64,
}

impl Dist {
    /// Summarises `xs` (any order); NaN fields when empty.
    pub fn of(mut xs: Vec<f64>) -> Dist {
        let m = xs.len();
        if m == 0 {
            return Dist {
                runs: 0,
                mean: f64::NAN,
                sd: f64::NAN,
                se: f64::NAN,
                min: f64::NAN,
                median: f64::NAN,
                p90: f64::NAN,
                max: f64::NAN,
            };
        }
        xs.sort_unstable_by(f64::total_cmp);
        let mean = xs.iter().sum::<f64>() / m as f64;
        let var = if m > 1 {
            xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (m - 1) as f64
        } else {
            0.0
        };
        let q = |f: f64| xs[((f * (m - 1) as f64).round() as usize).min(m - 1)];
        Dist {
            runs: m,
            mean,
            sd: var.sqrt(),
            se: (var / m as f64).sqrt(),
            min: xs[0],
            median: q(0.5),
            p90: q(0.9),
            max: xs[m - 1],
        }
    }
}

/// What the runs say, figure by figure.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SimSummary {
    /// Evaluations until a success-set architecture was first evaluated.
    pub found: Dist,
    /// Evaluations until a restart ended in the success set.
    pub ended: Dist,
    /// Restarts until a restart ended in the success set.
    pub restarts_to_end: Dist,
    /// Share of runs that found the success set within the budget.
    pub found_within_budget: f64,
    /// Share of runs in which a restart ended in the success set within the budget.
    pub ended_within_budget: f64,
}

/// Summarises runs.
pub fn summarize(runs: &[RunResult]) -> SimSummary {
    let pick =
        |f: &dyn Fn(&RunResult) -> Option<f64>| -> Vec<f64> { runs.iter().filter_map(f).collect() };
    let found = Dist::of(pick(&|r| r.found_at.map(|x| x as f64)));
    let ended = Dist::of(pick(&|r| r.ended_at.map(|x| x as f64)));
    let restarts = Dist::of(pick(&|r| r.restarts_to_end.map(|x| x as f64)));
    let total = runs.len().max(1) as f64;
    SimSummary {
        found_within_budget: found.runs as f64 / total,
        ended_within_budget: ended.runs as f64 / total,
        found,
        ended,
        restarts_to_end: restarts,
    }
}
