//! `nasland noise`: local minima and success of local search under evaluation noise.

use super::args::{parse_eps, parse_sigmas, InputArgs};
use super::output::{self, OneOrMany};
use super::search_common::{describe_input, parse_variant, InputHeader};
use crate::format::{percent, thousands, value};
use crate::io::columns::{Columns, Data};
use crate::search::noise::{
    analyze, estimate_sigma, success_on, CountStats, NoiseOptions, SigmaEstimate,
};
use crate::search::{within_eps, Variant};
use crate::space::{Neighbourhood, VertexId};
use anyhow::{bail, Context, Result};
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;

/// Draws noisy landscapes around the analysed values (taken as the mean) and reports
/// their local minima and how often local search on noisy values still ends within ε of
/// the best *mean* value.
///
/// Noise is Gaussian with standard deviation σ in the metric's units, independent per
/// architecture: --sigma gives σ (a list sweeps it), --sigma-from MEAN,ONESEED estimates
/// it as the standard deviation of (one-seed − mean) over a table's rows, and also
/// reports the landscape of the real one-seed column. --seed drives the draws.
#[derive(Args, Debug)]
pub struct NoiseArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// σ in the metric's units; a comma-separated list sweeps it (e.g. 0,0.1,0.5,1).
    #[arg(long, value_name = "LIST", value_parser = parse_sigmas, conflicts_with = "sigma_from", required_unless_present = "sigma_from")]
    pub sigma: Option<std::vec::Vec<f64>>,

    /// Estimate σ from two columns of --table: a seed-mean column and a one-seed column
    /// of the same metric. The analysed metric defaults to MEAN_COL.
    #[arg(long, value_name = "MEAN_COL,ONESEED_COL")]
    pub sigma_from: Option<String>,

    /// Number of noisy landscapes drawn per σ.
    #[arg(long, value_name = "K", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub draws: u32,

    /// Local-search variant run on the noisy values.
    #[arg(long, default_value = "best", value_parser = parse_variant)]
    pub variant: Variant,

    /// Success: ending within ε of the best mean value, in the metric's units.
    #[arg(long, default_value_t = 0.0, value_parser = parse_eps)]
    pub eps: f64,

    /// Write per-start P(success) under noise to FILE (.csv or .npy); one σ only.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Print JSON instead of the summary: one object for one σ, an array for a sweep.
    #[arg(long)]
    pub json: bool,
}

/// Local minima and mean success of one landscape (no draws).
#[derive(Serialize, Clone, Copy)]
struct Landscape1 {
    local_minima: usize,
    p_success: f64,
}

#[derive(Serialize)]
struct NoiseJson<'a> {
    #[serde(flatten)]
    input: InputHeader<'a>,
    sigma: f64,
    draws: u32,
    seed: u64,
    variant: Variant,
    eps: f64,
    local_minima: CountStats,
    p_success: f64,
    /// The analysed (mean) values themselves: σ = 0.
    noiseless: Landscape1,
    #[serde(skip_serializing_if = "Option::is_none")]
    sigma_estimate: Option<SigmaEstimate>,
    /// The table's real one-seed column, success judged by the mean values.
    #[serde(skip_serializing_if = "Option::is_none")]
    observed_oneseed: Option<Landscape1>,
}

/// The two column names of `--sigma-from MEAN_COL,ONESEED_COL`.
fn sigma_from_columns(cols: &str) -> Option<(String, String)> {
    cols.split_once(',')
        .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
}

/// Option combinations that cannot work, refused before any file is read: usage errors
/// (exit 2) naming the options.
pub fn check(args: &NoiseArgs) -> Result<()> {
    let usage = |msg: &str| Err(super::Usage::wrap(anyhow::anyhow!("{msg}")));
    if let Some(cols) = &args.sigma_from {
        if sigma_from_columns(cols).is_none() {
            return usage(&format!(
                "--sigma-from {cols:?}: it takes two column names, MEAN_COL,ONESEED_COL"
            ));
        }
        if args.input.table.is_none() {
            return usage("--sigma-from names columns of a --table; give --table PATH");
        }
    }
    if args.out.is_some() && args.sigma.as_ref().is_some_and(|s| s.len() != 1) {
        return usage("--out writes per-start figures for one σ; give a single --sigma value");
    }
    Ok(())
}

pub fn run(args: NoiseArgs) -> Result<()> {
    if let Some(path) = &args.out {
        Columns::check_path(path)?;
    }
    let mut spec = args.input.spec();
    let mut oneseed_values = None;
    let mut estimate = None;
    let sigmas = match (&args.sigma, &args.sigma_from) {
        (Some(s), None) => s.clone(),
        (None, Some(cols)) => {
            // `check` has refused a malformed list and a missing --table (exit 2).
            let (mean_col, one_col) = sigma_from_columns(cols)
                .context("--sigma-from takes two column names: MEAN_COL,ONESEED_COL")?;
            if spec.metric.is_none() {
                spec.metric = Some(mean_col.clone());
            }
            let mut one_spec = spec.clone();
            let mut mean_spec = spec.clone();
            one_spec.metric = Some(one_col);
            mean_spec.metric = Some(mean_col);
            let one = super::args::load(&one_spec)?;
            let mean = super::args::load(&mean_spec)?;
            let est = estimate_sigma(&mean.loss, &one.loss)?;
            oneseed_values = Some(one.loss);
            estimate = Some(est);
            vec![est.sigma]
        }
        _ => bail!("give exactly one of --sigma or --sigma-from"),
    };
    let input = super::args::load(&spec)?;
    // Per draw: its seed and its count of local minima (u64 each), for every σ.
    crate::memory::check(
        &format!("{} noisy draws", args.draws),
        crate::memory::times(args.draws as u64, 16),
        "--draws",
    )?;
    let space = &input.space;
    let mask = within_eps(&input.loss, args.eps);
    let (lm0, p0) = success_on(space, &input.loss, &mask, args.variant);
    let noiseless = Landscape1 {
        local_minima: lm0,
        p_success: mean(&p0),
    };
    let observed = oneseed_values.as_ref().map(|one| {
        let (lm, p) = success_on(space, one, &mask, args.variant);
        Landscape1 {
            local_minima: lm,
            p_success: mean(&p),
        }
    });

    let mut docs = Vec::with_capacity(sigmas.len());
    for &sigma in &sigmas {
        let opts = NoiseOptions {
            sigma,
            draws: args.draws as usize,
            seed: args.input.seed(),
            variant: args.variant,
            eps: args.eps,
        };
        let report = analyze(space, &input.loss, &opts);
        if let Some(path) = &args.out {
            let n = space.len();
            let ids: Vec<VertexId> = (0..n as VertexId).collect();
            let mut c = Columns::new();
            c.push("id", Data::U32(ids.clone()))
                .push(
                    "arch",
                    Data::Str(ids.iter().map(|&v| space.arch(v)).collect()),
                )
                .push(
                    "value",
                    Data::F64(ids.iter().map(|&v| input.value(v)).collect()),
                )
                .push("p_success", Data::F64(report.p_success.clone()))
                .push("p_success_noiseless", Data::F64(p0.clone()));
            c.write(path)?;
        }
        docs.push(NoiseJson {
            input: InputHeader::of(&input),
            sigma,
            draws: args.draws,
            seed: args.input.seed(),
            variant: args.variant,
            eps: args.eps,
            local_minima: CountStats::of(&report.local_minima),
            p_success: report.mean_p_success(),
            noiseless,
            sigma_estimate: estimate,
            observed_oneseed: observed,
        });
    }
    output::print(&OneOrMany::of(&docs), args.json, |_| {
        print_human(&input, &docs)
    })
}

fn mean(xs: &[f64]) -> f64 {
    xs.iter().sum::<f64>() / xs.len() as f64
}

fn print_human(input: &crate::input::Input, docs: &[NoiseJson]) {
    let d0 = &docs[0];
    outln!(
        "nasland noise · {} · {} architectures · variant {} · ε = {} · {} draws per σ, seed {}",
        d0.input.space,
        thousands(d0.input.n as u64),
        d0.variant,
        value(d0.eps),
        d0.draws,
        d0.seed
    );
    outln!(
        "metric        {} (taken as the mean)",
        describe_input(input)
    );
    if let Some(e) = &d0.sigma_estimate {
        outln!(
            "σ estimate    {} = sd(one-seed − mean) over {} architectures (mean offset {})",
            value(e.sigma),
            thousands(e.n as u64),
            value(e.bias)
        );
    }
    outln!(
        "{:>12}  {:>24}  {:>10}",
        "σ",
        "local minima mean [min, max]",
        "P(success)"
    );
    outln!(
        "{:>12}  {:>24}  {:>10}",
        "0 (mean)",
        d0.noiseless.local_minima,
        percent(d0.noiseless.p_success)
    );
    if let Some(o) = &d0.observed_oneseed {
        outln!(
            "{:>12}  {:>24}  {:>10}",
            "one-seed",
            o.local_minima,
            percent(o.p_success)
        );
    }
    for d in docs {
        let lm = &d.local_minima;
        outln!(
            "{:>12}  {:>24}  {:>10}",
            value(d.sigma),
            format!("{:.1} [{}, {}]", lm.mean, lm.min, lm.max),
            percent(d.p_success)
        );
    }
}
