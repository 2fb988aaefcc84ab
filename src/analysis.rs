//! One analysis of one input: the exact landscape and the document `analyze --json`
//! prints. The command line and the Python package both call [`analyze`], so the two
//! can never disagree on a number.

use crate::input::{Input, Source};
use crate::landscape::Landscape;
use crate::space::{DegreeStats, Neighbourhood};
use crate::stats::hardness::DEFAULT_EPS_SHARES;
use crate::stats::{hardness, summarize, Hardness, Summary, SummaryOptions};
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
        &SummaryOptions {
            eps,
            top: opts.top,
            max_optimum_archs: 20,
        },
    );
    let degree = input.space.degree_stats();
    let exact_sd = input.space.iid_local_minima_sd();
    let hardness = opts.hardness.then(|| {
        hardness(
            &input.space,
            &input.loss,
            &landscape,
            input.sign(),
            &DEFAULT_EPS_SHARES,
        )
    });
    let report = Report {
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
    };
    Analysis { landscape, report }
}

/// 0 and 0.1%, 1%, 10% of the range of values.
pub fn default_eps(loss: &[f64]) -> Vec<f64> {
    let (lo, hi) = crate::range::min_max(loss.iter().copied());
    let share = |s| crate::range::share_of_range(lo, hi, s);
    vec![0.0, share(0.001), share(0.01), share(0.1)]
}
