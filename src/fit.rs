//! The one theory-fit pipeline: the paper's model (docs/THEORY.md) fitted to a landscape,
//! and what it predicts beside the exact answer.
//!
//! `nasland theory`, the report and the Python package all call this module, so a
//! prediction means the same thing wherever it is shown. It owns the policy; the core
//! crate's `theory` modules own the mathematics:
//! - losses are normalised to x ∈ [0, 1], best at 0 ([`Normalised`]);
//! - pdf_n is a histogram with Freedman–Diaconis bins unless [`Options`] says otherwise,
//!   and the empirical pdf_e uses the same bins;
//! - ε is given in normalised units, [`DEFAULT_EPS_NORM`] unless chosen;
//! - s, the model's neighbour count, comes from the degrees by the rule below.
//!
//! # s when the degrees vary
//!
//! The model assumes every vertex has s neighbours. On a regular space s is that degree.
//! When degrees vary (NAS-Bench-101, edge lists) s is the degree of the regular space with
//! the same expected number of local minima under iid losses: s + 1 is the harmonic mean
//! of deg(v) + 1, rounded, so that n/(s + 1) ≈ Σ_v 1/(deg(v) + 1), the exact iid
//! expectation on any graph (DESIGN.md §4). The rounded mean degree, used before, is
//! biased: 1/(d + 1) is convex, so n/(mean + 1) undercounts the minima of every irregular
//! graph, and by most on the graphs with the widest spread of degrees. The harmonic rule
//! is exact in the one case where the answer is known whatever the graph, and equals the
//! degree itself on regular spaces.

use crate::input::{Input, Source};
use crate::landscape::Landscape;
use crate::space::Space;
use crate::space::{degree_histogram, DegreeStats, Neighbourhood, VertexId};
use crate::stats::{summarize, SummaryOptions};
use crate::theory::cactus::Cliques;
use crate::theory::density::{freedman_diaconis_bins, PdfN, PdfNInfo};
use crate::theory::edge::{self, PdfE, PdfEInfo};
use crate::theory::normalise::Normalised;
use crate::theory::predict::{self, Accuracy, Model, Prediction, ProfilePoint};
use crate::theory::recursion::Recursion;
use anyhow::{bail, Result};
use serde::Serialize;

/// ε values, in normalised units, at which P(ε) is predicted unless chosen.
pub const DEFAULT_EPS_NORM: [f64; 6] = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3];

/// How pdf_n, the global density of normalised losses, is estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PdfNKind {
    /// A histogram (Freedman–Diaconis bins unless [`Options::bins`]).
    Hist,
    /// A Gaussian kernel density, Silverman bandwidth.
    Kde,
    /// The known U[0, 1] of synthetic uniform losses.
    Uniform,
}

/// How pdf_e(x, ·), the density of a neighbour's loss, is estimated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PdfEKind {
    /// The paper's normal around x truncated to [0, 1], σ by maximum likelihood.
    Paper,
    /// The 2-D histogram of neighbour pairs on pdf_n's bins.
    Empirical,
    /// pdf_e = pdf_n: no locality.
    Iid,
}

impl PdfEKind {
    /// The name the command line and the documents use.
    pub fn name(self) -> &'static str {
        match self {
            PdfEKind::Paper => "paper",
            PdfEKind::Empirical => "empirical",
            PdfEKind::Iid => "iid",
        }
    }
}

/// Which model to fit and where to read it.
#[derive(Clone, Debug)]
pub struct Options {
    pub pdf_n: PdfNKind,
    /// Histogram bins of pdf_n and of the empirical pdf_e; `None`: Freedman–Diaconis.
    pub bins: Option<usize>,
    pub pdf_e: PdfEKind,
    pub recursion: Recursion,
    /// The clique structure of a Hamming space K^D, which `Recursion::Cactus` needs
    /// ([`cliques_of`] finds it); `Err` says why the space has none.
    pub cliques: std::result::Result<Cliques, String>,
    /// ε values in normalised units, each in (0, 1].
    pub eps_norm: Vec<f64>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            pdf_n: PdfNKind::Hist,
            bins: None,
            pdf_e: PdfEKind::Paper,
            recursion: Recursion::TreeExact,
            cliques: Err("no clique structure was given".into()),
            eps_norm: DEFAULT_EPS_NORM.to_vec(),
        }
    }
}

/// The fitted model and its prediction, for callers that draw or evaluate it further.
#[derive(Clone, Debug)]
pub struct Fit {
    pub norm: Normalised,
    pub degree: DegreeStats,
    /// Neighbours per vertex in the model (the rule in the module doc).
    pub s: usize,
    /// Why s is what it is, when the degrees vary.
    pub s_note: Option<String>,
    /// Histogram bins of pdf_n (and of the empirical pdf_e).
    pub bins: usize,
    pub pdf_n: PdfN,
    pub pdf_e: PdfE,
    pub recursion: Recursion,
    pub prediction: Prediction,
}

/// Fits the model to `loss` on `space` and predicts E[#local minima] and P(ε).
///
/// Fails when the losses cannot be normalised (empty, non-finite or constant), when the
/// space has no edges, or when an ε is outside (0, 1].
pub fn fit<N: Neighbourhood>(space: &N, loss: &[f64], opts: &Options) -> Result<Fit> {
    if opts.eps_norm.is_empty() {
        bail!("no ε to predict P(ε) at");
    }
    if let Some(e) = opts.eps_norm.iter().find(|&&e| !(e > 0.0 && e <= 1.0)) {
        bail!("ε = {e} in normalised units: it must be in (0, 1]");
    }
    let norm = Normalised::new(loss)?;
    let (degree, s, s_note) = model_degree(&degree_histogram(space));
    if s == 0 {
        bail!("the space has no edges: local search never moves, there is nothing to predict");
    }
    let cliques = match (opts.recursion, &opts.cliques) {
        (Recursion::Cactus, Ok(c)) if c.d * (c.k - 1) == s => Some(*c),
        (Recursion::Cactus, Ok(c)) => bail!(
            "the cactus recursion needs cliques that give every vertex its s = {s} neighbours; \
             {} cliques of {} do not",
            c.d,
            c.k
        ),
        (Recursion::Cactus, Err(why)) => bail!(
            "the cactus recursion needs a Hamming space K^D (every position with the same \
             number of choices, e.g. nb201, 4^8): {why}; use the tree-exact recursion"
        ),
        _ => None,
    };
    let bins = opts.bins.unwrap_or_else(|| freedman_diaconis_bins(&norm.x));
    let pdf_n = match opts.pdf_n {
        PdfNKind::Hist => PdfN::histogram(&norm.x, Some(bins)),
        PdfNKind::Kde => PdfN::kde(&norm.x),
        PdfNKind::Uniform => PdfN::Uniform,
    };
    let pdf_e = match opts.pdf_e {
        PdfEKind::Paper => PdfE::Paper {
            fit: edge::fit_sigma(space, &norm.x),
        },
        PdfEKind::Empirical => PdfE::Empirical(edge::empirical(space, &norm.x, bins)),
        PdfEKind::Iid => PdfE::Iid,
    };
    let prediction = predict::predict(
        Model {
            pdf_n: &pdf_n,
            pdf_e: &pdf_e,
            s,
            n: norm.x.len(),
        },
        &predict::Options {
            recursion: opts.recursion,
            cliques,
            eps_norm: opts.eps_norm.clone(),
            ..predict::Options::default()
        },
    );
    Ok(Fit {
        norm,
        degree,
        s,
        s_note,
        bins,
        pdf_n,
        pdf_e,
        recursion: opts.recursion,
        prediction,
    })
}

/// Degree statistics from a degree histogram, and s by the module's rule.
fn model_degree(hist: &[u64]) -> (DegreeStats, usize, Option<String>) {
    let n: u64 = hist.iter().sum();
    let min = hist.iter().position(|&c| c > 0).unwrap_or(0);
    let max = hist.len().saturating_sub(1);
    let edges: u64 = hist.iter().enumerate().map(|(d, &c)| d as u64 * c).sum();
    let degree = DegreeStats {
        min,
        max,
        mean: edges as f64 / n.max(1) as f64,
    };
    if min == max {
        return (degree, min, None);
    }
    let iid_minima: f64 = hist
        .iter()
        .enumerate()
        .map(|(d, &c)| c as f64 / (d as f64 + 1.0))
        .sum();
    let s = ((n as f64 / iid_minima).round() as usize)
        .saturating_sub(1)
        .max(1);
    let note = format!(
        "degrees vary from {min} to {max} (mean {:.2}); the model uses s = {s}: s + 1 is the harmonic mean of degree + 1, so that n/(s + 1) matches the iid local-minima count Σ 1/(degree + 1)",
        degree.mean
    );
    (degree, s, Some(note))
}

/// The landscape a fit is set beside, with what the document says about it.
pub struct Subject<'a, N: Neighbourhood> {
    pub space: &'a N,
    /// The space's name as the user wrote it.
    pub name: String,
    /// Losses, lower is better.
    pub loss: &'a [f64],
    pub landscape: &'a Landscape,
    /// Multiplier that turns a loss into a metric value.
    pub sign: f64,
    pub metric: String,
    pub maximize: bool,
    /// Where the losses came from.
    pub source: serde_json::Value,
    pub seed: Option<u64>,
    /// The architecture string of a vertex.
    pub arch: &'a dyn Fn(VertexId) -> String,
}

/// The model's prediction beside the exact values: the document `theory --json` prints.
#[derive(Clone, Debug, Serialize)]
pub struct Theory {
    pub space: String,
    pub n: usize,
    pub degree_stats: DegreeStats,
    pub metric: String,
    pub maximize: bool,
    pub source: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    pub normalisation: Normalisation,
    pub model: ModelInfo,
    pub predicted: Predicted,
    pub exact: Exact,
    pub difference: Difference,
}

/// How losses were mapped to [0, 1], in the metric's units.
#[derive(Clone, Debug, Serialize)]
pub struct Normalisation {
    pub rule: &'static str,
    pub best: f64,
    pub worst: f64,
    pub range: f64,
}

/// The fitted model.
#[derive(Clone, Debug, Serialize)]
pub struct ModelInfo {
    pub n: usize,
    pub s: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s_note: Option<String>,
    pub pdf_n: PdfNInfo,
    pub pdf_e: PdfEInfo,
    pub recursion: Recursion,
}

/// One point of a P(ε) curve, ε in both units.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct EpsPoint {
    pub eps_norm: f64,
    pub eps: f64,
    pub p: f64,
}

/// What the model predicts.
#[derive(Clone, Debug, Serialize)]
pub struct Predicted {
    pub local_minima: f64,
    pub eps_curve: Vec<EpsPoint>,
    /// ∫ weight: 1 when every start is counted once.
    pub normaliser: f64,
    pub accuracy: Accuracy,
    pub profile: Vec<ProfilePoint>,
}

/// The exact values at the same ε.
#[derive(Clone, Debug, Serialize)]
pub struct Exact {
    pub local_minima: usize,
    pub strict_local_minima: usize,
    pub eps_curve: Vec<EpsPoint>,
}

/// Predicted − exact.
#[derive(Clone, Debug, Serialize)]
pub struct Difference {
    pub local_minima: f64,
    pub eps_curve: Vec<EpsPoint>,
}

/// The clique structure of `space` for the cactus recursion, or why it has none.
pub fn cliques_of(space: &Space) -> std::result::Result<Cliques, String> {
    match space {
        Space::Product(p) => Cliques::of_radices(p.radices()).map_err(|e| e.to_string()),
        Space::Graph(_) | Space::Explicit(_) => {
            Err(format!("{} is a graph, not a product space", space.name()))
        }
    }
}

/// Fits the model to `input` and sets its prediction beside the exact landscape.
pub fn predict(input: &Input, opts: &Options) -> Result<Theory> {
    let landscape = input.space.landscape(&input.loss);
    let opts = Options {
        cliques: cliques_of(&input.space),
        ..opts.clone()
    };
    let fitted = fit(&input.space, &input.loss, &opts)?;
    let arch = |v| input.space.arch(v);
    Ok(document(&subject(input, &landscape, &arch)?, &fitted))
}

/// The [`Subject`] of an input whose landscape is already computed.
pub fn subject<'a>(
    input: &'a Input,
    landscape: &'a Landscape,
    arch: &'a dyn Fn(VertexId) -> String,
) -> Result<Subject<'a, crate::space::Space>> {
    Ok(Subject {
        space: &input.space,
        name: input.space.name(),
        loss: &input.loss,
        landscape,
        sign: input.sign(),
        metric: input.metric.clone(),
        maximize: input.maximize,
        source: serde_json::to_value(&input.source)?,
        seed: match input.source {
            Source::Synthetic { seed, .. } => Some(seed),
            _ => None,
        },
        arch,
    })
}

/// The document for a fit of `subject`: prediction, exact values at the same ε, and
/// their differences.
pub fn document<N: Neighbourhood>(subject: &Subject<N>, fit: &Fit) -> Theory {
    let norm = &fit.norm;
    let prediction = &fit.prediction;
    let eps_norm: Vec<f64> = prediction.eps_curve.iter().map(|p| p.eps_norm).collect();
    let summary = summarize(
        subject.loss,
        subject.landscape,
        subject.sign,
        subject.arch,
        &SummaryOptions {
            eps: eps_norm.iter().map(|&e| norm.to_metric(e)).collect(),
            top: 0,
            max_optimum_archs: 0,
        },
    );
    let predicted: Vec<EpsPoint> = prediction
        .eps_curve
        .iter()
        .map(|p| EpsPoint {
            eps_norm: p.eps_norm,
            eps: norm.to_metric(p.eps_norm),
            p: p.p,
        })
        .collect();
    let exact: Vec<EpsPoint> = summary
        .eps_curve
        .iter()
        .zip(&eps_norm)
        .map(|(p, &e)| EpsPoint {
            eps_norm: e,
            eps: p.eps,
            p: p.p,
        })
        .collect();
    let difference = predicted
        .iter()
        .zip(&exact)
        .map(|(a, b)| EpsPoint {
            eps_norm: a.eps_norm,
            eps: a.eps,
            p: a.p - b.p,
        })
        .collect();
    Theory {
        space: subject.name.clone(),
        n: norm.x.len(),
        degree_stats: fit.degree,
        metric: subject.metric.clone(),
        maximize: subject.maximize,
        source: subject.source.clone(),
        seed: subject.seed,
        normalisation: Normalisation {
            rule:
                "x = (loss - best) / (worst - best), loss lower-is-better; eps = eps_norm * range",
            best: subject.sign * norm.min + 0.0,
            // Half ranges: min + range overflows for values near ±1.7e308.
            worst: subject.sign * (norm.min + norm.half_range + norm.half_range) + 0.0,
            range: norm.range,
        },
        model: ModelInfo {
            n: norm.x.len(),
            s: fit.s,
            s_note: fit.s_note.clone(),
            pdf_n: fit.pdf_n.info(),
            pdf_e: fit.pdf_e.info(),
            recursion: fit.recursion,
        },
        predicted: Predicted {
            local_minima: prediction.local_minima,
            eps_curve: predicted,
            normaliser: prediction.normaliser,
            accuracy: prediction.accuracy.clone(),
            profile: prediction.profile.clone(),
        },
        exact: Exact {
            local_minima: summary.local_minima,
            strict_local_minima: summary.strict_local_minima,
            eps_curve: exact,
        },
        difference: Difference {
            local_minima: prediction.local_minima - summary.local_minima as f64,
            eps_curve: difference,
        },
    }
}
