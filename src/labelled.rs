//! `--space nb101-labelled`: NAS-Bench-101 as the paper's local search walks it, every
//! valid labelled 7×7 cell a state (docs/NB101.md, "The labelled space").
//!
//! The states are never listed: the core pass streams them by mask. This module only
//! resolves what the user asked for into one loss per module hash (a synthetic draw per
//! class, or a table joined on `hash`) and runs the pass.

use crate::cli::stdout::outln;
use crate::input::{default_key, InputSpec};
use crate::io::table_csv::{self, KeyCodec};
use crate::space::nb101::Nb101;
use crate::space::nb101_labelled::{landscape, Labelled};
use crate::space::VertexId;
use crate::synth::Model;
use anyhow::{bail, Context, Result};
use serde::Serialize;

/// The name of the space on the command line.
pub const SPACE: &str = "nb101-labelled";

/// The analysis of one loss on the labelled space, values in the metric's units.
#[derive(Serialize)]
pub struct Report {
    pub space: &'static str,
    pub metric: String,
    pub maximize: bool,
    pub source: serde_json::Value,
    /// Isomorphism classes (module hashes) of the benchmark.
    pub benchmark_classes: usize,
    pub best: f64,
    #[serde(flatten)]
    pub analysis: landscape::Analysis,
    /// Seconds to build the class space and the state → class table.
    pub build_seconds: f64,
}

/// Analyses the loss `spec` describes on every valid labelled state. `eps` in the metric's
/// units; by default 0.1%, 1% and 10% of the metric's range (0 is always included).
pub fn analyse(spec: &InputSpec, eps: Option<&[f64]>) -> Result<Report> {
    if spec.graph.is_some() {
        bail!("--space {SPACE} builds its own states; --graph does not apply");
    }
    let clock = std::time::Instant::now();
    let classes = Nb101::build(&crate::progress::Silent)?;
    let space = Labelled::new(7);
    let table = space.class_table(|cell| classes.id_of_cell(cell));
    if table.missing > 0 {
        bail!(
            "{} labelled cells have no NAS-Bench-101 class: the class space is incomplete",
            table.missing
        );
    }
    let build_seconds = clock.elapsed().as_secs_f64();
    let (loss, metric, maximize, source) = match (&spec.table, &spec.synthetic) {
        (Some(_), Some(_)) => bail!("give either --table or --synthetic, not both"),
        (Some(path), None) => {
            let metric = spec
                .metric
                .as_deref()
                .context("--table needs --metric COLUMN (the column to analyse)")?;
            let key = spec.key.as_deref().unwrap_or(default_key("nb101"));
            let (loss, maximize) = join_table(path, key, metric, spec.direction, classes.keys())?;
            let source = serde_json::json!({"kind": "table", "path": path, "key": key, "joined_on": "module hash"});
            (loss, metric.to_string(), maximize, source)
        }
        (None, synthetic) => {
            if spec.metric.is_some() || spec.key.is_some() {
                bail!("--metric and --key name columns of a --table; none was given");
            }
            let name = synthetic.as_deref().unwrap_or("uniform");
            let model = Model::parse(name)?;
            let loss = model.draw(classes.len(), spec.seed);
            let source = serde_json::json!({
                "kind": "synthetic", "model": model.to_string(), "seed": spec.seed,
                "drawn": "once per module hash, shared by every state of the class",
            });
            (loss, "synthetic".to_string(), false, source)
        }
    };
    let sign = if maximize { -1.0 } else { 1.0 };
    let (lo, hi) = loss
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let eps: Vec<f64> = match eps {
        Some(e) => e.to_vec(),
        None => [0.001, 0.01, 0.1].iter().map(|f| f * (hi - lo)).collect(),
    };
    if let Some(e) = eps.iter().find(|e| e.is_nan() || **e < 0.0) {
        bail!("--eps {e}: ε must be a non-negative number in the metric's units");
    }
    let mut analysis = landscape::analyse(&space, &table, &loss, &eps, &crate::progress::Silent);
    analysis.best_loss *= sign;
    Ok(Report {
        space: SPACE,
        metric,
        maximize,
        source,
        benchmark_classes: classes.len(),
        best: lo * sign,
        analysis,
        build_seconds,
    })
}

/// One loss per class (lower is better) from column `metric` of the table at `path`,
/// joined on its `key` column of module hashes; `hashes` are the classes' module hashes in
/// vertex-id order, which is ascending (docs/NB101.md). Every class needs exactly one row:
/// an unknown hash, a repeated one or a missing one is an [`crate::input::Error`] with its
/// kind, naming the file and line, as for any other table.
pub fn join_table(
    path: &std::path::Path,
    key: &str,
    metric: &str,
    asked: crate::input::Direction,
    hashes: &[String],
) -> Result<(Vec<f64>, bool)> {
    let decode = |s: &str| -> Result<VertexId, table_csv::KeyError> {
        hashes
            .binary_search_by(|k| k.as_str().cmp(s))
            .map(|i| i as VertexId)
            .map_err(|_| {
                "not the module hash of a NAS-Bench-101 cell (32 lower-case hex digits)".into()
            })
    };
    let encode = |v: VertexId| hashes[v as usize].clone();
    let codec = KeyCodec {
        n: hashes.len(),
        decode: &decode,
        encode: &encode,
    };
    let cols = table_csv::read_columns(path, key, &[metric.to_string()], &codec)?;
    let values = &cols.values[0];
    let maximize = crate::input::direction::resolve(
        metric,
        asked,
        crate::input::Direction::Unspecified,
        values,
        path,
    )?;
    let sign = if maximize { -1.0 } else { 1.0 };
    Ok((values.iter().map(|x| sign * x).collect(), maximize))
}

/// The human summary of a report.
pub fn print(r: &Report) {
    let a = &r.analysis;
    let pct = |x: u64, of: u64| 100.0 * x as f64 / of.max(1) as f64;
    outln!(
        "nasland analyze · {} · {} states ({} valid masks × 243 op assignments) · {} arcs · degree {}–{}",
        r.space, a.states, a.valid_masks, a.arcs, a.min_degree, a.max_degree
    );
    outln!(
        "metric        {} ({})",
        r.metric,
        if r.maximize { "maximised" } else { "minimised" }
    );
    outln!(
        "classes       {} module hashes hold states; {} hold a local minimum",
        a.classes,
        a.classes_with_minimum
    );
    outln!(
        "local minima  {} states ({:.3}%), {} strict",
        a.local_minima,
        pct(a.local_minima, a.states),
        a.strict_local_minima
    );
    outln!(
        "optimum       {} ({} classes, {} states); its basin {} states; largest basin {}",
        r.best,
        a.global_optimum_classes,
        a.global_optimum_states,
        a.global_basin,
        a.largest_basin
    );
    for p in &a.eps_curve {
        outln!(
            "P(ε={:<10}) {:>8.3}% of states, {:>8.3}% per class",
            format!("{})", p.eps),
            100.0 * p.p_states,
            100.0 * p.p_classes
        );
    }
    outln!(
        "seconds       build {:.1}, ranks {:.1}, LS {:.1}, LS* {:.1} ({} rounds), stats {:.1}",
        r.build_seconds,
        a.seconds.ranks,
        a.seconds.ls,
        a.seconds.ls_star,
        a.jump_rounds,
        a.seconds.stats
    );
}
