//! `nasland simulate`: Monte Carlo runs of local search with restarts.

use super::args::{parse_eps, InputArgs};
use super::output;
use super::search_common::{describe_input, headline, parse_variant, InputHeader};
use crate::format::{percent, thousands, value};
use crate::search::cost::{independent_restarts, RestartCost};
use crate::search::dp::{loss_order, solve_in_order, Target};
use crate::search::simulate::{
    simulate_with_progress, summarize, Cache, Dist, SimOptions, SimSummary,
};
use crate::search::Variant;
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use std::time::Instant;

/// Simulates local search restarted from random architectures until it finds the best
/// value (within ε), as the code of White et al. runs it, beside the exact cost of
/// independent restarts.
///
/// Each run draws --num-init random architectures not queried before, starts at the best,
/// and searches; the query cache is shared across the restarts of a run (--cache). A run
/// records how many architectures it evaluated until one within ε of the best value was
/// first evaluated ("found", the paper's measure), and until a restart ended there. The
/// --seed drives the runs (and the synthetic losses, from an independent stream).
#[derive(Args, Debug)]
pub struct SimulateArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// best, best-random-ties (the paper's code: shuffled neighbourhood, stable sort),
    /// or first.
    #[arg(long, default_value = "best-random-ties", value_parser = parse_variant)]
    pub variant: Variant,

    /// Success: within ε of the best value, in the metric's units.
    #[arg(long, default_value_t = 0.0, value_parser = parse_eps)]
    pub eps: f64,

    /// Number of independent runs.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u32).range(1..))]
    pub runs: u32,

    /// Random architectures drawn per restart; the search starts at the best of them.
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub num_init: u32,

    /// Stop a run after this many evaluations [default: no budget].
    #[arg(long, value_name = "EVALUATIONS", value_parser = clap::value_parser!(u64).range(1..))]
    pub budget: Option<u64>,

    /// paper: architectures queried before in the run are skipped, as in the original
    /// code; shared: they are free but their values still count; none: every evaluation
    /// is paid (independent restarts, comparable with the exact figures).
    #[arg(long, default_value = "paper", value_parser = ["paper", "shared", "none"])]
    pub cache: String,

    /// Print one JSON object instead of the summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct SimulateJson<'a> {
    #[serde(flatten)]
    input: InputHeader<'a>,
    variant: Variant,
    eps: f64,
    runs: u32,
    seed: u64,
    num_init: u32,
    budget: Option<u64>,
    cache: Cache,
    #[serde(flatten)]
    simulated: SimSummary,
    /// Exact expectations for independent restarts (what `--cache none` estimates).
    exact_independent: RestartCost,
}

pub fn run(args: SimulateArgs) -> Result<()> {
    let start = Instant::now();
    let input = args.input.load()?;
    let n = input.loss.len() as u64;
    super::search_common::check_num_init(args.num_init, n)?;
    crate::memory::check(
        &format!("simulating {} runs", args.runs),
        crate::memory::times(
            args.runs as u64,
            std::mem::size_of::<crate::search::simulate::RunResult>() as u64,
        ),
        "--runs",
    )?;
    let cache = Cache::parse(&args.cache)?;
    let order = loss_order(&input.loss);
    let starts = solve_in_order(
        &input.space,
        &input.loss,
        &order,
        args.variant,
        Target::Eps(args.eps),
        0,
    );
    let exact = independent_restarts(&starts, &input.loss, &order, args.num_init as usize);
    let opts = SimOptions {
        variant: args.variant,
        num_init: args.num_init as usize,
        budget: args.budget,
        cache,
        runs: args.runs as usize,
        seed: args.input.seed(),
    };
    let runs = simulate_with_progress(
        &input.space,
        &input.loss,
        &starts.success,
        &opts,
        &super::progress::Bar::new(),
    );
    let doc = SimulateJson {
        input: InputHeader::of(&input),
        variant: args.variant,
        eps: args.eps,
        runs: args.runs,
        seed: args.input.seed(),
        num_init: args.num_init,
        budget: args.budget,
        cache,
        simulated: summarize(&runs),
        exact_independent: exact,
    };
    output::print(&doc, args.json, |d| print_human(&input, d))?;
    errln!(
        "nasland: {} runs in {:.1} ms",
        args.runs,
        start.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}

fn line(name: &str, d: &Dist) -> String {
    if d.runs == 0 {
        return format!("{name:<28} never");
    }
    format!(
        "{name:<28} mean {:>9.2} ± {:<7.2} median {:>7}  p90 {:>7}  max {:>7}",
        d.mean,
        d.se,
        value(d.median),
        value(d.p90),
        value(d.max)
    )
}

fn print_human(input: &crate::input::Input, doc: &SimulateJson) {
    outln!(
        "{}",
        headline("simulate", &doc.input, &doc.variant.to_string(), doc.eps)
    );
    outln!("metric        {}", describe_input(input));
    outln!(
        "runs          {} (seed {}), best of {} random start{} per restart, cache {}, budget {}",
        thousands(doc.runs as u64),
        doc.seed,
        doc.num_init,
        if doc.num_init == 1 { "" } else { "s" },
        doc.cache,
        doc.budget.map_or("none".into(), thousands),
    );
    let s = &doc.simulated;
    outln!("simulated (mean ± standard error over the runs that got there):");
    outln!(
        "  {}   ({} of runs)",
        line("evaluations until found", &s.found),
        percent(s.found_within_budget)
    );
    outln!(
        "  {}   ({} of runs)",
        line("evaluations until a search", &s.ended),
        percent(s.ended_within_budget)
    );
    outln!(
        "  {}",
        line("  ends within ε; restarts", &s.restarts_to_end)
    );
    let e = &doc.exact_independent;
    outln!(
        "exact, independent restarts (no cache): P(restart succeeds) = {}, E[restarts] = {:.3}",
        percent(e.p_restart),
        e.restarts
    );
    outln!(
        "  E[evaluations] until found {}, until a search ends within ε {:.2}",
        e.until_found.map_or("-".into(), |x| format!("{x:.2}")),
        e.until_end
    );
}
