//! `nasland analyze`: the exact landscape of one metric on one space.

use super::args::{parse_list, InputArgs};
use super::output;
use crate::analysis::{report, Options, Precision, Report};
use crate::format::{percent, thousands, value};
use anyhow::Result;
use clap::Args;
use std::time::Instant;

/// Exact local-search landscape: minima, basins, optima, P(ε), path lengths.
///
/// With no --table, analyses iid uniform synthetic losses (seed 1) on NB201 and sets the
/// local-minima count beside its exact expectation n/(s+1) = 625.
#[derive(Args, Debug)]
pub struct AnalyzeArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// ε values in the metric's units for P(ε) [default: 0 and 0.1%, 1%, 10% of the
    /// metric's range].
    #[arg(long, value_name = "LIST", value_parser = parse_list)]
    pub eps: Option<std::vec::Vec<f64>>,

    /// How many of the best local minima to list.
    #[arg(long, default_value_t = 10)]
    pub top: usize,

    /// Print one JSON object instead of the summary (with a "hardness" section).
    #[arg(long)]
    pub json: bool,

    /// Leave the "hardness" section out of --json: it costs a BFS and a sequential
    /// first-improvement DP over the space (seconds from ~10^6 vertices on).
    #[arg(long)]
    pub no_hardness: bool,

    /// Analyse the values rounded to float32, in half the memory; the largest change made
    /// by rounding is printed (and is "f32_rounding" in --json). Without it, float32 is
    /// used only where every value converts exactly, so the answer is always exact.
    #[arg(long)]
    pub f32: bool,
}

/// Option combinations clap's rules cannot say, refused before any file is read: usage
/// errors (exit 2) naming the options.
pub fn check(args: &AnalyzeArgs) -> Result<()> {
    if args.input.space == crate::labelled::SPACE && args.input.losses.is_some() {
        return Err(super::Usage::wrap(anyhow::anyhow!(
            "--losses gives one value per vertex of a space; --space {} takes one value per \
             module hash, from --table (joined on its hash column) or --synthetic",
            crate::labelled::SPACE
        )));
    }
    Ok(())
}

/// Warns about the options `--space nb101-labelled` does not use (its report has no
/// hardness section, is always exact, and lists no minima).
fn warn_labelled_ignores(args: &AnalyzeArgs) {
    let space = crate::labelled::SPACE;
    if args.json && args.no_hardness {
        errln!("nasland: warning: --no-hardness has no effect with --space {space} (its report has no hardness section); ignored");
    }
    if args.f32 {
        errln!("nasland: warning: --f32 has no effect with --space {space} (one value per module hash, analysed exactly); ignored");
    }
    args.input
        .warn_if_seed_ignored("analyze", args.input.table.as_deref());
}

pub fn run(args: AnalyzeArgs) -> Result<()> {
    let start = Instant::now();
    if args.no_hardness && !args.json {
        errln!("nasland: warning: --no-hardness has no effect without --json (the summary has no hardness section); ignored");
    }
    if args.input.space == crate::labelled::SPACE {
        let spec = args.input.spec();
        super::args::warn_if_ignored(&spec, spec.table.is_none());
        warn_labelled_ignores(&args);
        let report = crate::labelled::analyse(&spec, args.eps.as_deref())?;
        if args.json {
            outln!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            crate::labelled::print(&report);
        }
        errln!(
            "nasland: analysed in {:.1} s",
            start.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    // The graph's lists are verified by the landscape pass in `report`.
    let spec = args.input.spec();
    let input = spec.load_losses_deferring_graph_check()?;
    super::args::warn_if_ignored(
        &spec,
        matches!(input.source, crate::input::Source::Synthetic { .. }),
    );
    args.input
        .warn_if_seed_ignored("analyze", super::args::values_file(&input));
    let loaded = start.elapsed();
    let what = crate::format::describe_input(&input);
    let precision = if args.f32 {
        Precision::F32
    } else {
        Precision::Exact
    };
    let doc = report(
        input,
        &Options {
            eps: args.eps.clone(),
            top: args.top,
            hardness: args.json && !args.no_hardness,
        },
        precision,
        &super::progress::Bar::new(),
    )?;
    let analysed = start.elapsed();
    output::print(&doc, args.json, |d| print_human(&what, d))?;
    if let Some(r) = doc.f32_rounding {
        errln!("nasland: values rounded to float32; the largest change is {r:e}");
    }
    errln!(
        "nasland: loaded in {:.1} ms, analysed in {:.1} ms",
        loaded.as_secs_f64() * 1e3,
        (analysed - loaded).as_secs_f64() * 1e3
    );
    Ok(())
}

fn print_human(what: &str, doc: &Report) {
    let s = &doc.summary;
    let n = doc.n as u64;
    let degree = crate::format::degree(&doc.degree_stats);
    outln!(
        "nasland analyze · {} · {} architectures · {degree}",
        doc.space,
        thousands(n)
    );
    outln!("metric        {what}");
    let expectation = match (
        doc.expected_local_minima_iid_sd,
        doc.expected_local_minima_iid_sd_bound,
    ) {
        (Some(sd), _) => format!("{:.1} ± {sd:.1}", doc.expected_local_minima_iid),
        (None, Some(b)) => format!("{:.1} (sd ≤ {b:.1})", doc.expected_local_minima_iid),
        (None, None) => format!("{:.1}", doc.expected_local_minima_iid),
    };
    outln!(
        "local minima  {} ({} strict); iid-loss expectation {expectation}",
        thousands(s.local_minima as u64),
        thousands(s.strict_local_minima as u64)
    );
    let g = &s.global_optimum;
    outln!(
        "best value    {} at {} architecture{}; {} starts ({}) descend to it",
        value(g.value),
        g.count,
        if g.count == 1 { "" } else { "s" },
        thousands(g.basin),
        percent(g.basin as f64 / n as f64)
    );
    for a in &g.archs {
        outln!("              {a}");
    }
    if g.count > g.archs.len() {
        outln!("              … and {} more", g.count - g.archs.len());
    }
    let curve: Vec<String> = s
        .eps_curve
        .iter()
        .map(|p| format!("ε={} {}", value(p.eps), percent(p.p)))
        .collect();
    outln!("P(ε)          {}", curve.join("   "));
    outln!(
        "path length   mean {:.3}, max {}",
        s.path_length.mean,
        s.path_length.max
    );
    if !s.minima.is_empty() {
        outln!("best local minima:");
        outln!("  {:>4}  {:>12}  {:>8}  arch", "rank", "value", "basin");
        for (i, m) in s.minima.iter().enumerate() {
            outln!(
                "  {:>4}  {:>12}  {:>8}  {}",
                i + 1,
                value(m.value),
                thousands(m.basin),
                m.arch
            );
        }
    }
}
