//! `nasland theory`: what the paper's model predicts beside the exact landscape.

use super::args::{parse_list, InputArgs};
use super::format::{percent, thousands, value};
use crate::input::Source;
use crate::landscape::Landscape;
use crate::report::eps_plot::{self, Series};
use crate::space::{random_regular, DegreeStats, Neighbourhood, Space, VertexId};
use crate::stats::{summarize, Summary, SummaryOptions};
use crate::synth::Model as Synth;
use crate::theory::cactus::Cliques;
use crate::theory::density::{freedman_diaconis_bins, PdfN, PdfNInfo};
use crate::theory::edge::{self, PdfE, PdfEInfo};
use crate::theory::normalise::Normalised;
use crate::theory::predict::{predict, Accuracy, Model, Options, Prediction, ProfilePoint};
use crate::theory::recursion::Recursion;
use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

const DEFAULT_EPS_NORM: [f64; 6] = [0.001, 0.003, 0.01, 0.03, 0.1, 0.3];

/// Theory beside ground truth: the paper's model (Theorem 5.1) fitted to the landscape,
/// its predicted local minima and P(ε), and the exact values with the differences.
///
/// Losses are normalised to x = (loss − best)/(worst − best) ∈ [0, 1]; ε is given in those
/// units (--eps-norm) and also reported in the metric's units. docs/THEORY.md explains the
/// model, both recursions, and where each breaks.
#[derive(Args, Debug)]
pub struct TheoryArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Analyse a random simple N-vertex S-regular graph (seeded by --seed) with synthetic
    /// losses instead of --space; its neighbourhoods do not overlap, as the model assumes.
    #[arg(long, value_name = "N,S", conflicts_with_all = ["table", "space"])]
    pub random_regular: Option<String>,

    /// Global density pdf_n: a histogram (Freedman–Diaconis bins), a kernel density
    /// (Silverman bandwidth), or the known U[0,1] of synthetic uniform losses.
    #[arg(long, value_enum, default_value_t = PdfNKind::Hist)]
    pub pdf_n: PdfNKind,

    /// Histogram bins for pdf_n and the empirical pdf_e [default: Freedman–Diaconis].
    #[arg(long, value_name = "B", value_parser = clap::value_parser!(u32).range(2..=2000))]
    pub bins: Option<u32>,

    /// Neighbour density pdf_e(x, ·): paper (normal around x truncated to [0,1], σ by
    /// maximum likelihood), empirical (2-D histogram of neighbour pairs), iid (= pdf_n).
    #[arg(long, value_enum, default_value_t = PdfEKind::Paper)]
    pub pdf_e: PdfEKind,

    /// Preimage recursion: the paper's, tree-exact (exact on an infinite s-regular tree), or
    /// cactus (exact on the clique cactus of a Hamming space K^D; product spaces only).
    #[arg(long, default_value = "tree-exact", value_parser = recursion_parser())]
    pub recursion: Recursion,

    /// ε values in normalised units (share of the loss range), each in (0, 1]
    /// [default: 0.001,0.003,0.01,0.03,0.1,0.3].
    #[arg(long, value_name = "LIST", value_parser = parse_list)]
    pub eps_norm: Option<std::vec::Vec<f64>>,

    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,

    /// Also draw predicted and exact P(ε) against ε (log axis) into this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub plot: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PdfNKind {
    Hist,
    Kde,
    Uniform,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PdfEKind {
    Paper,
    Empirical,
    Iid,
}

/// The landscape under study, whatever kind of space it is on.
struct Study<'a, N: Neighbourhood> {
    space: &'a N,
    name: String,
    loss: Vec<f64>,
    landscape: Landscape,
    sign: f64,
    metric: String,
    maximize: bool,
    source: serde_json::Value,
    seed: Option<u64>,
    arch: Box<dyn Fn(VertexId) -> String + 'a>,
    /// The clique structure for `--recursion cactus`, or why there is none.
    cliques: std::result::Result<Cliques, String>,
}

#[derive(Serialize)]
struct TheoryJson<'a> {
    space: &'a str,
    n: usize,
    degree_stats: DegreeStats,
    metric: &'a str,
    maximize: bool,
    source: &'a serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
    normalisation: NormJson,
    model: ModelJson,
    predicted: PredictedJson<'a>,
    exact: ExactJson,
    difference: DifferenceJson,
}

#[derive(Serialize)]
struct NormJson {
    rule: &'static str,
    best: f64,
    worst: f64,
    range: f64,
}

#[derive(Serialize)]
struct ModelJson {
    n: usize,
    s: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    s_note: Option<String>,
    pdf_n: PdfNInfo,
    pdf_e: PdfEInfo,
    recursion: Recursion,
}

#[derive(Serialize, Clone, Copy)]
struct EpsJson {
    eps_norm: f64,
    eps: f64,
    p: f64,
}

#[derive(Serialize)]
struct PredictedJson<'a> {
    local_minima: f64,
    eps_curve: Vec<EpsJson>,
    normaliser: f64,
    accuracy: &'a Accuracy,
    profile: &'a [ProfilePoint],
}

#[derive(Serialize)]
struct ExactJson {
    local_minima: usize,
    strict_local_minima: usize,
    eps_curve: Vec<EpsJson>,
}

#[derive(Serialize)]
struct DifferenceJson {
    local_minima: f64,
    eps_curve: Vec<EpsJson>,
}

pub fn run(args: TheoryArgs) -> Result<()> {
    let eps_norm = args
        .eps_norm
        .clone()
        .unwrap_or_else(|| DEFAULT_EPS_NORM.to_vec());
    if let Some(e) = eps_norm.iter().find(|&&e| e <= 0.0 || e > 1.0) {
        bail!("--eps-norm {e}: ε in normalised units must be in (0, 1]");
    }
    if eps_norm.is_empty() {
        bail!("--eps-norm needs at least one value");
    }
    let start = Instant::now();
    match &args.random_regular {
        Some(spec) => {
            let (n, s) = parse_pair(spec)?;
            if args.input.metric.is_some() || args.input.key.is_some() {
                bail!(
                    "--metric and --key name table columns; --random-regular uses synthetic losses"
                );
            }
            let model_name = args.input.synthetic.as_deref().unwrap_or("uniform");
            let model = Synth::parse(model_name)?;
            let graph_seed = graph_seed(args.input.seed);
            let graph = random_regular::generate(n, s, graph_seed).with_context(|| {
                format!("generating the random {s}-regular graph on {n} vertices")
            })?;
            let loss = model.draw(n, args.input.seed);
            let landscape = Landscape::of_graph(&graph, &loss);
            let study = Study {
                space: &graph,
                name: format!("random-regular:{n},{s}"),
                loss,
                landscape,
                sign: 1.0,
                metric: "synthetic".into(),
                maximize: false,
                source: serde_json::json!({
                    "kind": "random-regular", "n": n, "s": s, "graph_seed": graph_seed,
                    "model": model.to_string(), "seed": args.input.seed,
                }),
                seed: Some(args.input.seed),
                arch: Box::new(|v| v.to_string()),
                cliques: Err("a random regular graph has no clique structure".into()),
            };
            report(&args, &eps_norm, study, start)
        }
        None => {
            let input = args.input.spec().load()?;
            let landscape = input.space.landscape(&input.loss);
            let seed = match input.source {
                Source::Synthetic { seed, .. } => Some(seed),
                _ => None,
            };
            let study = Study {
                space: &input.space,
                name: input.space.name(),
                loss: input.loss.clone(),
                landscape,
                sign: input.sign(),
                metric: input.metric.clone(),
                maximize: input.maximize,
                source: serde_json::to_value(&input.source)?,
                seed,
                arch: Box::new(|v| input.space.arch(v)),
                cliques: match &input.space {
                    Space::Product(p) => {
                        Cliques::of_radices(p.radices()).map_err(|e| e.to_string())
                    }
                    Space::Graph(_) => Err("it is a graph, not a product space".into()),
                },
            };
            report(&args, &eps_norm, study, start)
        }
    }
}

/// The graph's seed, derived from --seed so that the graph and the losses (which start
/// from the same seed) use unrelated random streams.
pub fn graph_seed(seed: u64) -> u64 {
    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x6772_6170_6873_6565
}

fn parse_pair(spec: &str) -> Result<(usize, usize)> {
    let parts: Vec<&str> = spec.split(',').collect();
    if parts.len() != 2 {
        bail!("--random-regular {spec:?}: give N,S (vertices, degree), e.g. 1000000,24");
    }
    let num = |s: &str, what: &str| -> Result<usize> {
        s.trim().parse().with_context(|| {
            format!("--random-regular {spec:?}: {what} {s:?} is not a whole number")
        })
    };
    Ok((num(parts[0], "N")?, num(parts[1], "S")?))
}

fn degree_stats<N: Neighbourhood>(space: &N) -> DegreeStats {
    let n = space.len();
    let (mut min, mut max, mut sum) = (usize::MAX, 0, 0u64);
    for v in 0..n as VertexId {
        let d = space.degree(v);
        min = min.min(d);
        max = max.max(d);
        sum += d as u64;
    }
    DegreeStats {
        min,
        max,
        mean: sum as f64 / n as f64,
    }
}

fn report<N: Neighbourhood>(
    args: &TheoryArgs,
    eps_norm: &[f64],
    study: Study<N>,
    start: Instant,
) -> Result<()> {
    let norm = Normalised::new(&study.loss)?;
    let degree = degree_stats(study.space);
    let (s, s_note) = if degree.min == degree.max {
        (degree.min, None)
    } else {
        let s = degree.mean.round().max(1.0) as usize;
        (
            s,
            Some(format!(
                "degrees vary from {} to {}; the model uses s = {s}, the rounded mean",
                degree.min, degree.max
            )),
        )
    };
    if s == 0 {
        bail!("the space has no edges: local search never moves, there is nothing to predict");
    }
    let bins = args
        .bins
        .map(|b| b as usize)
        .unwrap_or_else(|| freedman_diaconis_bins(&norm.x));
    let pdf_n = match args.pdf_n {
        PdfNKind::Hist => PdfN::histogram(&norm.x, Some(bins)),
        PdfNKind::Kde => PdfN::kde(&norm.x),
        PdfNKind::Uniform => PdfN::Uniform,
    };
    let pdf_e = match args.pdf_e {
        PdfEKind::Paper => PdfE::Paper {
            fit: edge::fit_sigma(study.space, &norm.x),
        },
        PdfEKind::Empirical => PdfE::Empirical(edge::empirical(study.space, &norm.x, bins)),
        PdfEKind::Iid => PdfE::Iid,
    };
    let model = Model {
        pdf_n: &pdf_n,
        pdf_e: &pdf_e,
        s,
        n: norm.x.len(),
    };
    let cliques = match (&study.cliques, args.recursion) {
        (Ok(c), Recursion::Cactus) => Some(*c),
        (Err(why), Recursion::Cactus) => bail!(
            "--recursion cactus needs a Hamming space K^D (every position with the same \
             number of choices, e.g. nb201, 4^8) and {}: {why}; use --recursion tree-exact",
            study.name
        ),
        _ => None,
    };
    let opts = Options {
        recursion: args.recursion,
        cliques,
        eps_norm: eps_norm.to_vec(),
        ..Options::default()
    };
    let prediction = predict(model, &opts);
    let eps_metric: Vec<f64> = eps_norm.iter().map(|&e| norm.to_metric(e)).collect();
    let summary = summarize(
        &study.loss,
        &study.landscape,
        study.sign,
        &*study.arch,
        &SummaryOptions {
            eps: eps_metric.clone(),
            top: 0,
            max_optimum_archs: 0,
        },
    );
    let doc = document(
        &study,
        &norm,
        degree,
        s,
        s_note,
        &pdf_n,
        &pdf_e,
        args.recursion,
        &prediction,
        &summary,
        eps_norm,
    );
    if let Some(path) = &args.plot {
        plot(path, &study, &norm, &prediction, args)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        print_human(&doc);
    }
    eprintln!(
        "nasland: theory in {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn document<'a, N: Neighbourhood>(
    study: &'a Study<N>,
    norm: &Normalised,
    degree: DegreeStats,
    s: usize,
    s_note: Option<String>,
    pdf_n: &PdfN,
    pdf_e: &PdfE,
    recursion: Recursion,
    prediction: &'a Prediction,
    summary: &Summary,
    eps_norm: &[f64],
) -> TheoryJson<'a> {
    let predicted: Vec<EpsJson> = prediction
        .eps_curve
        .iter()
        .map(|p| EpsJson {
            eps_norm: p.eps_norm,
            eps: norm.to_metric(p.eps_norm),
            p: p.p,
        })
        .collect();
    let exact: Vec<EpsJson> = summary
        .eps_curve
        .iter()
        .zip(eps_norm)
        .map(|(p, &e)| EpsJson {
            eps_norm: e,
            eps: p.eps,
            p: p.p,
        })
        .collect();
    let best = study.sign * norm.min + 0.0;
    let worst = study.sign * (norm.min + norm.range) + 0.0;
    TheoryJson {
        space: &study.name,
        n: norm.x.len(),
        degree_stats: degree,
        metric: &study.metric,
        maximize: study.maximize,
        source: &study.source,
        seed: study.seed,
        normalisation: NormJson {
            rule:
                "x = (loss - best) / (worst - best), loss lower-is-better; eps = eps_norm * range",
            best,
            worst,
            range: norm.range,
        },
        model: ModelJson {
            n: norm.x.len(),
            s,
            s_note,
            pdf_n: pdf_n.info(),
            pdf_e: pdf_e.info(),
            recursion,
        },
        predicted: PredictedJson {
            local_minima: prediction.local_minima,
            eps_curve: predicted.clone(),
            normaliser: prediction.normaliser,
            accuracy: &prediction.accuracy,
            profile: &prediction.profile,
        },
        exact: ExactJson {
            local_minima: summary.local_minima,
            strict_local_minima: summary.strict_local_minima,
            eps_curve: exact.clone(),
        },
        difference: DifferenceJson {
            local_minima: prediction.local_minima - summary.local_minima as f64,
            eps_curve: predicted
                .iter()
                .zip(&exact)
                .map(|(a, b)| EpsJson {
                    eps_norm: a.eps_norm,
                    eps: a.eps,
                    p: a.p - b.p,
                })
                .collect(),
        },
    }
}

fn plot<N: Neighbourhood>(
    path: &std::path::Path,
    study: &Study<N>,
    norm: &Normalised,
    prediction: &Prediction,
    args: &TheoryArgs,
) -> Result<()> {
    let grid: Vec<f64> = (0..=80)
        .map(|k| 10f64.powf(-4.0 + 4.0 * k as f64 / 80.0))
        .collect();
    let exact = summarize(
        &study.loss,
        &study.landscape,
        study.sign,
        &*study.arch,
        &SummaryOptions {
            eps: grid.iter().map(|&e| norm.to_metric(e)).collect(),
            top: 0,
            max_optimum_archs: 0,
        },
    );
    let exact: Vec<(f64, f64)> = grid
        .iter()
        .zip(&exact.eps_curve)
        .map(|(&e, p)| (e, p.p))
        .collect();
    let predicted: Vec<(f64, f64)> = grid.iter().map(|&e| (e, prediction.p(e))).collect();
    let model = format!(
        "predicted ({} pdf_e, {} recursion)",
        match args.pdf_e {
            PdfEKind::Paper => "paper",
            PdfEKind::Empirical => "empirical",
            PdfEKind::Iid => "iid",
        },
        args.recursion.name()
    );
    eps_plot::write_svg(
        path,
        &format!("{} · {}", study.name, study.metric),
        &[
            Series {
                label: "exact",
                points: &exact,
                solid: true,
            },
            Series {
                label: &model,
                points: &predicted,
                solid: false,
            },
        ],
    )
}

fn print_human(doc: &TheoryJson) {
    let degree = super::format::degree(&doc.degree_stats);
    println!(
        "nasland theory · {} · {} architectures · {degree}",
        doc.space,
        thousands(doc.n as u64)
    );
    println!(
        "metric        {} ({} is better): best {}, worst {}; x = (loss − best)/(worst − best)",
        doc.metric,
        if doc.maximize { "higher" } else { "lower" },
        value(doc.normalisation.best),
        value(doc.normalisation.worst)
    );
    let m = &doc.model;
    let pdf_n = match &m.pdf_n {
        PdfNInfo::Uniform => "U[0,1] (known)".to_string(),
        PdfNInfo::Histogram { bins, .. } => format!("histogram, {bins} bins (Freedman–Diaconis)"),
        PdfNInfo::Kde { bandwidth, .. } => format!("kernel density, bandwidth {bandwidth:.4}"),
    };
    let pdf_e = match &m.pdf_e {
        PdfEInfo::Paper {
            sigma,
            pairs,
            at_bound,
            ..
        } => format!(
            "paper: normal around x truncated to [0,1], σ = {sigma:.4} (MLE over {} neighbour pairs{})",
            thousands(*pairs),
            if *at_bound { "; at the search bound" } else { "" }
        ),
        PdfEInfo::Empirical { bins, pairs, .. } => format!(
            "empirical: {bins}×{bins} histogram of {} neighbour pairs",
            thousands(*pairs)
        ),
        PdfEInfo::Iid => "iid: pdf_e = pdf_n".to_string(),
    };
    println!("pdf_n         {pdf_n}");
    println!("pdf_e         {pdf_e}");
    println!(
        "recursion     {}; s = {}{}",
        m.recursion.name(),
        m.s,
        m.s_note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default()
    );
    println!();
    println!(
        "  {:<24} {:>12} {:>12} {:>12}",
        "", "predicted", "exact", "difference"
    );
    println!(
        "  {:<24} {:>12.1} {:>12} {:>+12.1}",
        "local minima",
        doc.predicted.local_minima,
        thousands(doc.exact.local_minima as u64),
        doc.difference.local_minima
    );
    for ((p, e), dif) in doc
        .predicted
        .eps_curve
        .iter()
        .zip(&doc.exact.eps_curve)
        .zip(&doc.difference.eps_curve)
    {
        println!(
            "  {:<24} {:>12} {:>12} {:>+11.2}pp",
            format!("P(ε={} ≙ {})", p.eps_norm, value(p.eps)),
            percent(p.p),
            percent(e.p),
            100.0 * dif.p
        );
    }
    let a = doc.predicted.accuracy;
    println!();
    println!(
        "integration   {} panels × {} nodes; |ΔP| ≤ {:.1e}, |ΔE[#LM]|/E ≤ {:.1e} (vs {} nodes); {} preimage levels{}",
        a.panels,
        a.order,
        a.p_abs,
        a.local_minima_rel,
        a.order - 4,
        a.levels,
        if a.converged { "" } else { " (NOT converged)" }
    );
    println!(
        "              ∫ weight = {:.6} (1 when every start is counted once)",
        doc.predicted.normaliser
    );
}

/// The `--recursion` values, named as the core crate names them.
fn recursion_parser() -> impl clap::builder::TypedValueParser<Value = Recursion> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Recursion::ALL.map(Recursion::name))
        .map(|name| Recursion::from_name(&name).expect("one of the possible values"))
}
