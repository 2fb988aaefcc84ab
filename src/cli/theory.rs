//! `nasland theory`: what the paper's model predicts beside the exact landscape.

use super::args::InputArgs;
use super::output;
use crate::fit::{self, Subject, Theory};
use crate::format::{percent, thousands, value};
use crate::landscape::Landscape;
use crate::report::eps_plot::{self, Series};
use crate::space::{random_regular, Neighbourhood, VertexId};
use crate::stats::{summarize, SummaryOptions};
use crate::synth::Model as Synth;
use crate::theory::density::PdfNInfo;
use crate::theory::edge::PdfEInfo;
use crate::theory::recursion::Recursion;
use anyhow::{Context, Result};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::time::Instant;

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
    #[arg(long, value_name = "N,S", conflicts_with_all = ["table", "space"],
          value_parser = super::args::parse_random_regular)]
    pub random_regular: Option<(usize, usize)>,

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
    #[arg(long, value_name = "LIST", value_parser = super::args::parse_eps_norm)]
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

impl From<PdfNKind> for fit::PdfNKind {
    fn from(k: PdfNKind) -> Self {
        match k {
            PdfNKind::Hist => fit::PdfNKind::Hist,
            PdfNKind::Kde => fit::PdfNKind::Kde,
            PdfNKind::Uniform => fit::PdfNKind::Uniform,
        }
    }
}

impl From<PdfEKind> for fit::PdfEKind {
    fn from(k: PdfEKind) -> Self {
        match k {
            PdfEKind::Paper => fit::PdfEKind::Paper,
            PdfEKind::Empirical => fit::PdfEKind::Empirical,
            PdfEKind::Iid => fit::PdfEKind::Iid,
        }
    }
}

/// Option combinations that cannot work, refused before any file is read: usage errors
/// (exit 2) naming the options.
pub fn check(args: &TheoryArgs) -> Result<()> {
    let usage = |msg: &str| Err(super::Usage::wrap(anyhow::anyhow!("{msg}")));
    if args.random_regular.is_some() {
        if args.input.metric.is_some() || args.input.key.is_some() {
            return usage(
                "--metric and --key name table columns; --random-regular uses synthetic losses",
            );
        }
        // Clap keeps --table and --space off; these two would be dropped as silently.
        if args.input.graph.is_some() || args.input.losses.is_some() {
            return usage("--graph and --losses give the space or its values; --random-regular draws its own graph and synthetic losses: give one or the other");
        }
    }
    // The cactus recursion needs a Hamming space; the command line alone tells when it
    // has none (a random regular graph, a product space of unequal radices).
    if args.recursion == Recursion::Cactus {
        let why = match (&args.random_regular, args.input.product_space()) {
            (Some(_), _) => Some("a random regular graph has no clique structure".to_string()),
            (None, Some(p)) => crate::theory::cactus::Cliques::of_radices(p.radices())
                .err()
                .map(|e| e.to_string()),
            (None, None) => None,
        };
        if let Some(why) = why {
            return usage(&format!(
                "--recursion cactus needs a Hamming space K^D (every position with the same \
                 number of choices, e.g. nb201, 4^8): {why}; use --recursion tree-exact"
            ));
        }
    }
    if let Some(eps) = &args.eps_norm {
        if let Some(e) = eps.iter().find(|&&e| e <= 0.0 || e > 1.0) {
            return usage(&format!(
                "--eps-norm {e}: ε in normalised units must be in (0, 1]"
            ));
        }
        if eps.is_empty() {
            return usage("--eps-norm needs at least one value");
        }
    }
    Ok(())
}

pub fn run(args: TheoryArgs) -> Result<()> {
    // Only a histogram pdf_n and the empirical pdf_e (on pdf_n's bins) have bins; unused,
    // --bins is dropped so that the output is the one without it.
    let has_bins = args.pdf_n == PdfNKind::Hist || args.pdf_e == PdfEKind::Empirical;
    if let Some(b) = args.bins {
        if !has_bins {
            errln!(
                "nasland: warning: --bins {b} has no effect with --pdf-n {} and --pdf-e {}: neither is a histogram; ignored",
                value_name(args.pdf_n),
                value_name(args.pdf_e)
            );
        }
    }
    let eps_norm = args
        .eps_norm
        .clone()
        .unwrap_or_else(|| fit::DEFAULT_EPS_NORM.to_vec());
    let mut opts = fit::Options {
        pdf_n: args.pdf_n.into(),
        bins: args.bins.filter(|_| has_bins).map(|b| b as usize),
        pdf_e: args.pdf_e.into(),
        recursion: args.recursion,
        cliques: Err("a random regular graph has no clique structure".into()),
        eps_norm,
    };
    let start = Instant::now();
    match &args.random_regular {
        &Some((n, s)) => {
            // `check` has refused table columns, --graph and --losses (exit 2).
            if args.input.maximize {
                errln!("nasland: warning: --maximize does not apply to synthetic losses (lower is better); ignored");
            }
            let model_name = args.input.synthetic.as_deref().unwrap_or("uniform");
            let model = Synth::parse(model_name)?;
            let graph_seed = graph_seed(args.input.seed());
            let graph = random_regular::generate(n, s, graph_seed).with_context(|| {
                format!("generating the random {s}-regular graph on {n} vertices")
            })?;
            let loss = model.draw(n, args.input.seed());
            let landscape = Landscape::of_graph(&graph, &loss);
            let arch = |v: VertexId| v.to_string();
            let subject = Subject {
                space: &graph,
                name: format!("random-regular:{n},{s}"),
                loss: &loss,
                landscape: &landscape,
                sign: 1.0,
                metric: "synthetic".into(),
                maximize: false,
                source: serde_json::json!({
                    "kind": "random-regular", "n": n, "s": s, "graph_seed": graph_seed,
                    "model": model.to_string(), "seed": args.input.seed(),
                }),
                seed: Some(args.input.seed()),
                arch: &arch,
            };
            report(&args, &opts, &subject, start)
        }
        None => {
            let input = args.input.load()?;
            let landscape = input.space.landscape(&input.loss);
            let arch = |v| input.space.arch(v);
            let subject = fit::subject(&input, &landscape, &arch)?;
            opts.cliques = fit::cliques_of(&input.space);
            report(&args, &opts, &subject, start)
        }
    }
}

/// The graph's seed, derived from --seed so that the graph and the losses (which start
/// from the same seed) use unrelated random streams.
pub fn graph_seed(seed: u64) -> u64 {
    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x6772_6170_6873_6565
}

fn report<N: Neighbourhood>(
    args: &TheoryArgs,
    opts: &fit::Options,
    subject: &Subject<N>,
    start: Instant,
) -> Result<()> {
    let fitted = fit::fit(subject.space, subject.loss, opts)?;
    let doc = fit::document(subject, &fitted);
    if let Some(path) = &args.plot {
        plot(path, subject, &fitted, opts)?;
    }
    output::print(&doc, args.json, print_human)?;
    errln!(
        "nasland: theory in {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}

fn plot<N: Neighbourhood>(
    path: &std::path::Path,
    subject: &Subject<N>,
    fitted: &fit::Fit,
    opts: &fit::Options,
) -> Result<()> {
    let grid: Vec<f64> = (0..=80)
        .map(|k| 10f64.powf(-4.0 + 4.0 * k as f64 / 80.0))
        .collect();
    let exact = summarize(
        subject.loss,
        subject.landscape,
        subject.sign,
        subject.arch,
        &SummaryOptions {
            eps: grid.iter().map(|&e| fitted.norm.to_metric(e)).collect(),
            top: 0,
            max_optimum_archs: 0,
        },
    );
    let exact: Vec<(f64, f64)> = grid
        .iter()
        .zip(&exact.eps_curve)
        .map(|(&e, p)| (e, p.p))
        .collect();
    let predicted: Vec<(f64, f64)> = grid.iter().map(|&e| (e, fitted.prediction.p(e))).collect();
    let model = format!(
        "predicted ({} pdf_e, {} recursion)",
        opts.pdf_e.name(),
        opts.recursion.name()
    );
    eps_plot::write_svg(
        path,
        &format!("{} · {}", subject.name, subject.metric),
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

fn print_human(doc: &Theory) {
    let degree = crate::format::degree(&doc.degree_stats);
    outln!(
        "nasland theory · {} · {} architectures · {degree}",
        doc.space,
        thousands(doc.n as u64)
    );
    outln!(
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
    outln!("pdf_n         {pdf_n}");
    outln!("pdf_e         {pdf_e}");
    outln!(
        "recursion     {}; s = {}{}",
        m.recursion.name(),
        m.s,
        m.s_note
            .as_deref()
            .map(|n| format!(" ({n})"))
            .unwrap_or_default()
    );
    outln!();
    outln!(
        "  {:<24} {:>12} {:>12} {:>12}",
        "",
        "predicted",
        "exact",
        "difference"
    );
    outln!(
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
        outln!(
            "  {:<24} {:>12} {:>12} {:>+11.2}pp",
            format!("P(ε={} ≙ {})", p.eps_norm, value(p.eps)),
            percent(p.p),
            percent(e.p),
            100.0 * dif.p
        );
    }
    let a = &doc.predicted.accuracy;
    outln!();
    outln!(
        "integration   {} panels × {} nodes; |ΔP| ≤ {:.1e}, |ΔE[#LM]|/E ≤ {:.1e} (vs {} nodes); {} preimage levels{}",
        a.panels,
        a.order,
        a.p_abs,
        a.local_minima_rel,
        a.order - 4,
        a.levels,
        if a.converged { "" } else { " (NOT converged)" }
    );
    outln!(
        "              ∫ weight = {:.6} (1 when every start is counted once)",
        doc.predicted.normaliser
    );
}

/// The `--recursion` values, named as the core crate names them.
// The parser admits only Recursion::ALL's names, which from_name maps back.
#[allow(clippy::expect_used)]
fn recursion_parser() -> impl clap::builder::TypedValueParser<Value = Recursion> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(Recursion::ALL.map(Recursion::name))
        .map(|name| Recursion::from_name(&name).expect("one of the possible values"))
}

/// The command-line spelling of an enum value (`kde`, `paper`).
fn value_name(v: impl ValueEnum) -> String {
    v.to_possible_value()
        .map_or_else(String::new, |p| p.get_name().to_string())
}
