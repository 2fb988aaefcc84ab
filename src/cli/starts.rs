//! `nasland starts`: exact per-start success probabilities of a local-search variant.

use super::args::{parse_eps, InputArgs};
use super::output;
use super::search_common::{describe_input, headline, parse_variant, InputHeader};
use crate::format::{percent, thousands, value};
use crate::io::columns::{Columns, Data};
use crate::search::cost::{independent_restarts, RestartCost};
use crate::search::dp::{loss_order, solve_in_order, Starts, Target};
use crate::search::Variant;
use crate::space::{Neighbourhood, VertexId};
use anyhow::Result;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// Exact per-start figures of a local-search variant: P(success), moves, evaluations.
///
/// Every start's probability of ending within ε of the best value, its expected number
/// of moves and of architectures evaluated (the start and every neighbour evaluation
/// counted, repeats included), the exact probability of ending at each of the best few
/// local minima, and the exact cost of search by independent random restarts.
#[derive(Args, Debug)]
pub struct StartsArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// best (ties to the lowest id), best-random-ties, or first (first improvement over a
    /// random neighbour order).
    #[arg(long, default_value = "best", value_parser = parse_variant)]
    pub variant: Variant,

    /// Success: ending within ε of the best value, in the metric's units.
    #[arg(long, default_value_t = 0.0, value_parser = parse_eps)]
    pub eps: f64,

    /// Report the probability of ending at each of the K best local minima.
    #[arg(long, value_name = "K", default_value_t = 3)]
    pub top_minima: usize,

    /// Random architectures drawn per restart for the search-cost figures (the search
    /// starts at the best of them).
    #[arg(long, value_name = "K", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub num_init: u32,

    /// Write the per-start table to FILE (.csv, or .npy for a NumPy structured array).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Print one JSON object instead of the summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct MinimumJson {
    rank: usize,
    id: VertexId,
    arch: String,
    value: f64,
    /// Mean over starts of P(end here).
    p_end: f64,
}

#[derive(Serialize)]
struct StartsJson<'a> {
    #[serde(flatten)]
    input: InputHeader<'a>,
    variant: Variant,
    eps: f64,
    p_success: f64,
    expected_evaluations: f64,
    expected_moves: f64,
    expected_end_value: f64,
    local_minima: usize,
    strict_local_minima: usize,
    best_minima: Vec<MinimumJson>,
    search_cost: RestartCost,
}

pub fn run(args: StartsArgs) -> Result<()> {
    if let Some(path) = &args.out {
        Columns::check_path(path)?;
    }
    let input = args.input.load()?;
    args.input
        .warn_if_seed_ignored("starts", super::args::values_file(&input));
    let space = &input.space;
    let sign = input.sign();
    let n = input.loss.len() as u64;
    super::search_common::check_num_init(args.num_init, n)?;
    // P(end at minimum j) for every start: n × K values, K capped at the number of
    // local minima as the solver caps it. The minima are counted (a pass over every
    // line, which the solver repeats) only when the uncapped table would not fit.
    let k = (args.top_minima as u64).min(n);
    let check = |k: u64| {
        crate::memory::check(
            &format!(
                "--top-minima {} ({k} local minima) on {n} architectures",
                args.top_minima
            ),
            crate::memory::times(n, k).saturating_mul(8),
            "--top-minima",
        )
    };
    if check(k).is_err() {
        check(k.min(crate::search::dp::count_local_minima(space, &input.loss) as u64))?;
    }
    let order = loss_order(&input.loss);
    let starts = solve_in_order(
        space,
        &input.loss,
        &order,
        args.variant,
        Target::Eps(args.eps),
        args.top_minima,
    );
    let cost = independent_restarts(&starts, &input.loss, &order, args.num_init as usize);
    let p_end = starts.mean_p_end();
    let best_minima: Vec<MinimumJson> = starts
        .top_minima
        .iter()
        .enumerate()
        .map(|(j, &m)| MinimumJson {
            rank: j + 1,
            id: m,
            arch: space.arch(m),
            value: sign * input.loss[m as usize] + 0.0,
            p_end: p_end[j],
        })
        .collect();
    // One pass over the statistics for the four means.
    let [p_success, expected_evaluations, expected_moves, end_loss] = starts.means([
        &|s| s.p_success,
        &|s| s.expected_evaluations,
        &|s| s.expected_moves,
        &|s| s.expected_end_loss,
    ]);
    let doc = StartsJson {
        input: InputHeader::of(&input),
        variant: args.variant,
        eps: args.eps,
        p_success,
        expected_evaluations,
        expected_moves,
        expected_end_value: sign * end_loss + 0.0,
        local_minima: starts.local_minima,
        strict_local_minima: starts.strict_local_minima,
        best_minima,
        search_cost: cost,
    };
    if let Some(path) = &args.out {
        table(&input, &starts).write(path)?;
    }
    output::print(&doc, args.json, |d| print_human(&input, d))?;
    if let Some(path) = &args.out {
        errln!(
            "nasland: wrote {} rows to {}",
            thousands(space.len() as u64),
            path.display()
        );
    }
    Ok(())
}

/// The per-start table: one row per vertex.
fn table(input: &crate::input::Input, starts: &Starts) -> Columns {
    let n = input.space.len();
    let sign = input.sign();
    let ids: Vec<VertexId> = (0..n as VertexId).collect();
    let f = |g: &dyn Fn(usize) -> f64| Data::F64((0..n).map(g).collect());
    let mut c = Columns::new();
    c.push("id", Data::U32(ids.clone()));
    if let crate::input::Source::Table { row_of, .. } = &input.source {
        c.push("row", Data::U32(row_of.clone()));
    }
    c.push(
        "arch",
        Data::Str(ids.iter().map(|&v| input.space.arch(v)).collect()),
    )
    .push("value", f(&|v| input.value(v as VertexId)))
    .push("p_success", f(&|v| starts.stats[v].p_success))
    .push("expected_moves", f(&|v| starts.stats[v].expected_moves))
    .push(
        "expected_evaluations",
        f(&|v| starts.stats[v].expected_evaluations),
    )
    .push(
        "expected_end_value",
        f(&|v| sign * starts.stats[v].expected_end_loss + 0.0),
    );
    // The end minimum: exact and single for `best`; a distribution otherwise (below).
    let deterministic = starts.variant == Variant::Best;
    c.push(
        "end_id",
        Data::I64(
            (0..n)
                .map(|v| {
                    if deterministic {
                        starts.end[v] as i64
                    } else {
                        -1
                    }
                })
                .collect(),
        ),
    )
    .push(
        "end_arch",
        Data::Str(
            (0..n)
                .map(|v| {
                    if deterministic {
                        input.space.arch(starts.end[v])
                    } else {
                        String::new()
                    }
                })
                .collect(),
        ),
    );
    let k = starts.k();
    for j in 0..k {
        c.push(&format!("p_end_{}", j + 1), f(&|v| starts.p_end[v * k + j]));
    }
    c.push(
        "p_end_other",
        f(&|v| (1.0 - starts.p_end[v * k..(v + 1) * k].iter().sum::<f64>()).max(0.0)),
    );
    c
}

fn print_human(input: &crate::input::Input, doc: &StartsJson) {
    outln!(
        "{}",
        headline("starts", &doc.input, &doc.variant.to_string(), doc.eps)
    );
    outln!("metric        {}", describe_input(input));
    outln!(
        "success       {} of starts end within ε of the best value (mean P over starts)",
        percent(doc.p_success)
    );
    outln!("moves         mean {:.3}", doc.expected_moves);
    outln!(
        "evaluations   mean {:.2} per search (start included, repeats counted)",
        doc.expected_evaluations
    );
    outln!("end value     mean {}", value(doc.expected_end_value));
    outln!(
        "local minima  {} ({} strict)",
        thousands(doc.local_minima as u64),
        thousands(doc.strict_local_minima as u64)
    );
    if !doc.best_minima.is_empty() {
        outln!("best local minima, mean P(end there) over starts:");
        for m in &doc.best_minima {
            outln!(
                "  {:>2}  {:>12}  {:>8}  {}",
                m.rank,
                value(m.value),
                percent(m.p_end),
                m.arch
            );
        }
    }
    let c = &doc.search_cost;
    outln!(
        "search cost   independent restarts, best of {} random start{}: P(restart succeeds) = {}, E[restarts] = {:.2}",
        c.num_init,
        if c.num_init == 1 { "" } else { "s" },
        percent(c.p_restart),
        c.restarts
    );
    outln!(
        "              E[evaluations] until a search ends within ε: {:.1}; until one within ε is first evaluated: {}",
        c.until_end,
        c.until_found.map_or("-".into(), |x| format!("{x:.1}"))
    );
}
