//! One analysis of one input: the exact landscape and the document `analyze --json`
//! prints. The command line and the Python package both call [`analyze`], so the two
//! can never disagree on a number.

use crate::input::{Error as InputError, ErrorKind as InputErrorKind};
use crate::input::{Input, Losses, Source, View};
use crate::landscape::{Compact, Landscape, Loss};
use crate::progress::Progress;
use crate::space::{DegreeStats, Neighbourhood, Space};
use crate::stats::hardness::{hardness_compact, DEFAULT_EPS_SHARES};
use crate::stats::{hardness, summarize, summarize_compact, Hardness, Summary, SummaryOptions};
use serde::Serialize;

/// What to compute beyond the landscape itself.
#[derive(Clone, Debug)]
pub struct Options {
    /// ε values in the metric's units for P(ε); `None`: 0 and 0.1 %, 1 %, 10 % of the
    /// value range.
    pub eps: Option<Vec<f64>>,
    /// How many of the best local minima to list.
    pub top: usize,
    /// Whether to compute the hardness block (a BFS and a first-improvement DP).
    pub hardness: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            eps: None,
            top: 10,
            hardness: true,
        }
    }
}

/// The landscape and its summary document.
pub struct Analysis {
    /// LS, LS*, path lengths and minima counts for every vertex.
    pub landscape: Landscape,
    /// The document `analyze --json` prints.
    pub report: Report,
}

/// The JSON document of `analyze` (DESIGN.md §1 semantics, values in metric units).
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// The space's name as the user wrote it.
    pub space: String,
    /// Number of architectures.
    pub n: usize,
    /// The common degree, or the mean degree when it varies.
    pub degree: serde_json::Value,
    /// Minimum, maximum and mean degree.
    pub degree_stats: DegreeStats,
    /// The analysed column (or synthetic model).
    pub metric: String,
    /// Whether higher values are better.
    pub maximize: bool,
    /// Where the values came from.
    pub source: Source,
    /// The seed of synthetic losses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Σ_v 1/(deg(v) + 1): the local-minima count expected under iid losses.
    pub expected_local_minima_iid: f64,
    /// Its exact standard deviation, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_local_minima_iid_sd: Option<f64>,
    /// Upper bound on that sd where it is not known exactly (directed graphs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_local_minima_iid_sd_bound: Option<f64>,
    /// Minima, optima, P(ε), path lengths, top minima.
    #[serde(flatten)]
    pub summary: Summary,
    /// Hardness metrics, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hardness: Option<Hardness>,
    /// The largest absolute change made by rounding the values to f32, when that was asked
    /// for (`--f32`); absent when the values were analysed as given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub f32_rounding: Option<f64>,
}

/// How `report` may store the losses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Precision {
    /// f32 where every value round-trips exactly, else f64: the answer is always the
    /// exact one for the values given.
    #[default]
    Exact,
    /// f32 always, rounding f64 values to the nearest f32 (the largest change is reported).
    F32,
}

/// The exact landscape of `input` and its summary.
pub fn analyze(input: &Input, opts: &Options) -> Analysis {
    let eps = opts.eps.clone().unwrap_or_else(|| default_eps(&input.loss));
    let landscape = input.space.landscape(&input.loss);
    let summary = summarize(
        &input.loss,
        &landscape,
        input.sign(),
        &|v| input.space.arch(v),
        &summary_options(eps, opts),
    );
    let hardness = opts.hardness.then(|| {
        hardness(
            &input.space,
            &input.loss,
            &landscape,
            input.sign(),
            &DEFAULT_EPS_SHARES,
        )
    });
    let report = document(input, summary, hardness);
    Analysis { landscape, report }
}

/// The `analyze` document alone, in the least memory: LS* over LS, byte path lengths,
/// losses kept as f32 when `precision` allows (see [`Precision`]). Without the hardness
/// block this is the compact path (≈ 13 bytes a vertex at the peak for f32 losses); its
/// numbers equal those of [`analyze`] on the same values. With hardness, the values are
/// widened and [`analyze`] runs.
pub fn report(
    input: Input<Losses>,
    opts: &Options,
    precision: Precision,
    progress: &dyn Progress,
) -> Result<Report, InputError> {
    // A packed graph from `InputSpec::load_losses_deferring_graph_check` is verified
    // here: by the compact path's own LS pass, or before the full path uses it.
    let table_error = |e| InputError::wrap(InputErrorKind::Table, e);
    if let (true, Space::Graph(g)) = (opts.hardness, &input.space) {
        g.verify().map_err(table_error)?;
    }
    let (input, rounding) = match precision {
        Precision::Exact => {
            let mut input = input;
            let loss = std::mem::replace(&mut input.loss, Losses::F32(Vec::new()));
            (input.with_loss(loss.narrowed_if_exact()), None)
        }
        Precision::F32 => {
            let mut input = input;
            let loss = std::mem::replace(&mut input.loss, Losses::F32(Vec::new()));
            let (loss, max) = loss.narrowed();
            (input.with_loss(loss), Some(max))
        }
    };
    let mut report = if opts.hardness {
        hardness_report(&input.into_f64(), opts, progress)
    } else {
        match input.loss.view() {
            View::F32(loss) => compact_report(&input, loss, opts, progress),
            View::F64(loss) => compact_report(&input, loss, opts, progress),
        }
    }
    .map_err(table_error)?;
    report.f32_rounding = rounding;
    Ok(report)
}

fn compact_report<V, L: Loss>(
    input: &Input<V>,
    loss: &[L],
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Report, crate::table::Error> {
    let (_, summary) = compact_summary(input, loss, opts, progress)?;
    Ok(document(input, summary, None))
}

/// [`analyze`]'s document on the compact landscape: the hardness block needs LS* and the
/// path lengths but not LS, so the full landscape's pass and memory are not paid.
fn hardness_report(
    input: &Input,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<Report, crate::table::Error> {
    let loss = &input.loss;
    let (landscape, summary) = compact_summary(input, loss, opts, progress)?;
    let hardness = hardness_compact(
        &input.space,
        loss,
        &landscape,
        input.sign(),
        &DEFAULT_EPS_SHARES,
    );
    Ok(document(input, summary, Some(hardness)))
}

/// The compact landscape of `loss` and its summary. A packed graph's lists are verified
/// by its LS pass unless that was done before (`PackedGraph::step_verified`).
fn compact_summary<V, L: Loss>(
    input: &Input<V>,
    loss: &[L],
    opts: &Options,
    progress: &dyn Progress,
) -> Result<(Compact, Summary), crate::table::Error> {
    let eps = opts.eps.clone().unwrap_or_else(|| default_eps(loss));
    let landscape = match &input.space {
        Space::Product(p) => Compact::of_product(p, loss, progress),
        Space::Graph(g) => Compact::from_step(g.step_verified(loss)?, progress),
        Space::Explicit(e) => Compact::of_graph(e.csr(), loss),
    };
    let summary = summarize_compact(
        loss,
        &landscape,
        input.sign(),
        &|v| input.space.arch(v),
        &summary_options(eps, opts),
    );
    Ok((landscape, summary))
}

fn summary_options(eps: Vec<f64>, opts: &Options) -> SummaryOptions {
    SummaryOptions {
        eps,
        top: opts.top,
        max_optimum_archs: 20,
    }
}

/// The document around a summary: what was analysed and what iid losses would give.
fn document<V>(input: &Input<V>, summary: Summary, hardness: Option<Hardness>) -> Report {
    let degree = input.space.degree_stats();
    let exact_sd = input.space.iid_local_minima_sd();
    Report {
        space: input.space.name(),
        n: input.space.len(),
        degree: if degree.min == degree.max {
            degree.min.into()
        } else {
            degree.mean.into()
        },
        degree_stats: degree,
        metric: input.metric.clone(),
        maximize: input.maximize,
        source: input.source.clone(),
        seed: match input.source {
            Source::Synthetic { seed, .. } => Some(seed),
            _ => None,
        },
        expected_local_minima_iid: input.space.expected_iid_local_minima(),
        expected_local_minima_iid_sd: exact_sd,
        expected_local_minima_iid_sd_bound: input.space.iid_local_minima_sd_bound(exact_sd),
        summary,
        hardness,
        f32_rounding: None,
    }
}

/// 0 and 0.1%, 1%, 10% of the range of values.
pub fn default_eps<L: Loss>(loss: &[L]) -> Vec<f64> {
    use rayon::prelude::*;
    // min and max are exact in any order, so the parallel fold equals the serial one.
    let (lo, hi) = loss
        .par_chunks(1 << 16)
        .map(|c| crate::range::min_max(c.iter().map(|x| x.to_f64())))
        .reduce(
            || (f64::INFINITY, f64::NEG_INFINITY),
            |a, b| (a.0.min(b.0), a.1.max(b.1)),
        );
    let share = |s| crate::range::share_of_range(lo, hi, s);
    vec![0.0, share(0.001), share(0.01), share(0.1)]
}
