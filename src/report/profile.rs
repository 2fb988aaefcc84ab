//! Everything the report shows about one input: summary, hardness, figures, and the
//! commands that reproduce each number.

use super::{figures, lon_figure, tree};
use crate::fit::{self, Fit, PdfEKind};
use crate::input::{Input, Source};
use crate::range::min_max;
use crate::search::noise::{self, NoiseOptions};
use crate::search::{dp, Variant};
use crate::space::Neighbourhood;
use crate::stats::hardness::{hardness, Hardness, DEFAULT_EPS_SHARES};
use crate::stats::{summarize, Summary, SummaryOptions};
use crate::theory::recursion::Recursion;
use anyhow::Result;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// What to compute beyond the tables.
#[derive(Clone, Debug)]
pub struct ProfileOptions {
    /// Seed of the random permutation of the basin-tree figure and of the noise draws.
    pub seed: u64,
    /// Noisy landscapes drawn per σ.
    pub noise_draws: usize,
    /// Draw the figures for this input.
    pub figures: bool,
}

/// σ of the noise sweep, as shares of the standard deviation of the values.
pub const NOISE_SHARES: [f64; 5] = [0.001, 0.003, 0.01, 0.03, 0.1];

/// Bins of the value histogram.
pub const HISTOGRAM_BINS: usize = 60;

/// One figure of the report.
#[derive(Clone, Debug)]
pub struct Figure {
    /// Anchor id, unique within the report.
    pub id: String,
    pub title: String,
    pub caption: String,
    pub svg: String,
}

/// Everything shown about one input.
#[derive(Clone, Debug)]
pub struct Profile {
    /// Short name of the input (space · metric or synthetic model).
    pub label: String,
    pub space: String,
    pub n: usize,
    /// Where the values come from, one line.
    pub source: String,
    /// SHA-256 of the table file, hex; None for synthetic input.
    pub checksum: Option<String>,
    /// The `nasland` arguments that select this input (after the subcommand).
    pub input_args: String,
    /// (what, command) pairs that reproduce the numbers.
    pub commands: Vec<(String, String)>,
    pub summary: Summary,
    pub hardness: Hardness,
    /// The theory's fits drawn in the figures (empirical pdf_e with the tree-exact
    /// recursion, then the paper's pdf_e and recursion); None without figures or when the
    /// model cannot be fitted.
    pub theory: Option<[Fit; 2]>,
    /// The empirical pdf_e with the cactus recursion, drawn beside them on a Hamming space
    /// K^D (None elsewhere, or without figures).
    pub cactus: Option<Fit>,
    /// The local optima network's document (escape edges of strength 2, accept if not
    /// worse: `nasland lon`'s defaults); None when the space has no such LON (fewer than
    /// two positions).
    pub lon: Option<crate::lon::Document>,
    pub figures: Vec<Figure>,
}

/// The command-line arguments that select `input` (so `nasland analyze <args>` gives it).
pub fn input_args(input: &Input) -> String {
    let space = match &input.space {
        crate::space::Space::Graph(g) => format!("--graph {}", quote(g.name())),
        s => format!("--space {}", s.name()),
    };
    match &input.source {
        Source::Synthetic { model, seed } => {
            format!("{space} --synthetic {model} --seed {seed}")
        }
        Source::Graph { column, .. } => format!(
            "{space} --metric {}{}",
            quote(column),
            if input.maximize {
                " --maximize"
            } else {
                " --minimize"
            }
        ),
        Source::Table { path, key, .. } => format!(
            "{space} --table {} --key {} --metric {}{}",
            quote(&path.display().to_string()),
            quote(key),
            quote(&input.metric),
            if input.maximize {
                " --maximize"
            } else {
                " --minimize"
            }
        ),
        Source::Npy { path } => format!(
            "{space} --losses {}{}",
            quote(&path.display().to_string()),
            if input.maximize { " --maximize" } else { "" }
        ),
    }
}

/// Quotes a shell word when it needs it.
pub fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,^+".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// Rounds to 4 significant digits (σ values printed in commands must be the ones used).
fn round4(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.3e}").parse().unwrap_or(x)
}

/// The theory's two fits shown for one input (docs/THEORY.md): pdf_n by the
/// Freedman–Diaconis histogram of the normalised losses, pdf_e `empirical` with the
/// tree-exact recursion and `paper` with the paper's recursion. None for a landscape the
/// model cannot be fitted to (constant, or without edges).
fn theory_fits(input: &Input) -> Option<[Fit; 2]> {
    let run = |pdf_e, recursion| {
        fit::fit(
            &input.space,
            &input.loss,
            &fit::Options {
                pdf_e,
                recursion,
                ..fit::Options::default()
            },
        )
        .ok()
    };
    Some([
        run(PdfEKind::Empirical, Recursion::TreeExact)?,
        run(PdfEKind::Paper, Recursion::Paper)?,
    ])
}

/// The empirical pdf_e with the cactus recursion (docs/THEORY.md §3a), for a Hamming
/// space K^D only: elsewhere the recursion has no clique structure to use.
fn cactus_fit(input: &Input) -> Option<Fit> {
    fit::fit(
        &input.space,
        &input.loss,
        &fit::Options {
            pdf_e: PdfEKind::Empirical,
            recursion: Recursion::Cactus,
            cliques: Ok(fit::cliques_of(&input.space).ok()?),
            ..fit::Options::default()
        },
    )
    .ok()
}

/// Computes the profile of `input`. `checksum` is the SHA-256 of its table, if any.
pub fn profile(input: &Input, checksum: Option<String>, opts: &ProfileOptions) -> Result<Profile> {
    let sign = input.sign();
    let loss = &input.loss;
    let n = input.space.len();
    let land = input.space.landscape(loss);
    let (lo, hi) = min_max(loss.iter().copied());
    let range = hi - lo;
    let summary = summarize(
        loss,
        &land,
        sign,
        &|v| input.space.arch(v),
        &SummaryOptions {
            eps: DEFAULT_EPS_SHARES.iter().map(|s| s * range).collect(),
            top: 10,
            max_optimum_archs: 5,
        },
    );
    let hard = hardness(&input.space, loss, &land, sign, &DEFAULT_EPS_SHARES);
    let args = input_args(input);
    let lon_opts = crate::lon::Options::default();
    let lon_built = crate::lon::build(input, &land, &lon_opts).ok();
    let lon_doc = lon_built
        .as_ref()
        .map(|b| crate::lon::document(input, b, &lon_opts));
    let mut commands = vec![
        (
            "summary and hardness (JSON)".to_string(),
            format!("nasland analyze {args} --json"),
        ),
        (
            "first-improvement success (p_success)".to_string(),
            format!("nasland starts {args} --variant first --eps 0 --json"),
        ),
    ];
    let label = match &input.source {
        Source::Synthetic { model, .. } => format!("{} · synthetic {model}", input.space.name()),
        Source::Table { .. } | Source::Graph { .. } | Source::Npy { .. } => format!(
            "{} · {}{}",
            input.space.name(),
            input.metric,
            if input.maximize { " (max)" } else { "" }
        ),
    };
    let source = match &input.source {
        Source::Synthetic { model, seed } => format!("synthetic {model} losses, seed {seed}"),
        Source::Table { path, key, .. } => format!(
            "column {} of {} (key {key}; {} is better)",
            input.metric,
            path.display(),
            if input.maximize { "higher" } else { "lower" }
        ),
        Source::Graph { path, column } => format!(
            "column {column} of table {} ({} is better)",
            path.display(),
            if input.maximize { "higher" } else { "lower" }
        ),
        Source::Npy { path } => format!(
            "array {} ({} is better)",
            path.display(),
            if input.maximize { "higher" } else { "lower" }
        ),
    };

    if lon_doc.is_some() {
        commands.push((
            "local optima network, funnels, exact ILS (JSON)".to_string(),
            format!("nasland lon {args} --json"),
        ));
    }
    let mut figs = Vec::new();
    let mut theory = None;
    let mut cactus = None;
    if opts.figures {
        let slug: String = label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let unit = if input.metric == "synthetic" {
            "loss".to_string()
        } else {
            input.metric.clone()
        };
        let values: Vec<f64> = loss.iter().map(|&l| sign * l + 0.0).collect();

        theory = theory_fits(input);
        if theory.is_some() {
            cactus = cactus_fit(input);
        }

        let pdf_curve: Option<Vec<(f64, f64)>> = theory.as_ref().map(|[t, _]| {
            let (vlo, vhi) = min_max(values.iter().copied());
            (0..=400)
                .map(|k| {
                    let v = vlo + (vhi - vlo) * k as f64 / 400.0;
                    // value → loss → normalised x; density per metric unit.
                    let x = ((sign * v - t.norm.min) / t.norm.range).clamp(0.0, 1.0);
                    (v, t.pdf_n.density(x) / t.norm.range)
                })
                .collect()
        });
        figs.push(Figure {
            id: format!("{slug}-hist"),
            title: "Distribution of values".into(),
            caption: format!(
                "Histogram of the {n} values ({HISTOGRAM_BINS} equal-width bins, as a density){}.",
                match &theory {
                    Some([t, _]) => format!(
                        "; line: pdf_n as the theory fits it (Freedman–Diaconis histogram, {} bins, of the normalised losses)",
                        t.bins
                    ),
                    None => String::new(),
                }
            ),
            svg: figures::histogram(
                &values,
                HISTOGRAM_BINS,
                &unit,
                pdf_curve.as_deref().map(|c| ("fitted pdf_n", c)),
            )?,
        });

        // P(ε) on a log grid of ε from 1e-4 to 1 of the range, exact beside theory.
        let grid: Vec<f64> = (0..=40)
            .map(|i| 10f64.powf(-4.0 + i as f64 / 10.0))
            .collect();
        let curve = summarize(
            loss,
            &land,
            sign,
            &|_| String::new(),
            &SummaryOptions {
                eps: grid.iter().map(|s| s * range).collect(),
                top: 0,
                max_optimum_archs: 0,
            },
        );
        let exact: Vec<(f64, f64)> = grid
            .iter()
            .zip(&curve.eps_curve)
            .map(|(&s, p)| (s, p.p))
            .collect();
        let mut curves = vec![figures::Curve {
            label: "exact".into(),
            points: exact,
            dashed: false,
        }];
        if let Some([empirical, paper]) = &theory {
            for (label, pred) in [
                ("theory: empirical pdf_e, tree-exact", &empirical.prediction),
                ("theory: paper pdf_e, paper recursion", &paper.prediction),
            ] {
                curves.push(figures::Curve {
                    label: label.into(),
                    points: grid.iter().map(|&e| (e, pred.p(e))).collect(),
                    dashed: true,
                });
            }
            commands.push((
                "theory: empirical pdf_e, tree-exact recursion".into(),
                format!("nasland theory {args} --pdf-e empirical --recursion tree-exact --json"),
            ));
            commands.push((
                "theory: paper pdf_e, paper recursion".into(),
                format!("nasland theory {args} --pdf-e paper --recursion paper --json"),
            ));
        }
        if let Some(c) = &cactus {
            curves.push(figures::Curve {
                label: "theory: empirical pdf_e, cactus".into(),
                points: grid.iter().map(|&e| (e, c.prediction.p(e))).collect(),
                dashed: true,
            });
            commands.push((
                "theory: empirical pdf_e, cactus recursion".into(),
                format!("nasland theory {args} --pdf-e empirical --recursion cactus --json"),
            ));
        }
        figs.push(Figure {
            id: format!("{slug}-eps"),
            title: "P(ε): share of starts ending within ε of the optimum".into(),
            caption: format!(
                "Best-improvement local search from every start, exact (solid){}; ε as a share of the range of values (log axis).",
                match (&theory, &cactus) {
                    (Some([empirical, paper]), Some(c)) => format!(
                        ", beside the theory's predictions (dashed; predicted local minima {:.1}, {:.1} and {:.1} with the cactus recursion, exact {})",
                        empirical.prediction.local_minima, paper.prediction.local_minima, c.prediction.local_minima, land.local_minima
                    ),
                    (Some([empirical, paper]), None) => format!(
                        ", beside the theory's predictions (dashed; predicted local minima {:.1} and {:.1}, exact {}; no cactus curve: not a Hamming space K^D)",
                        empirical.prediction.local_minima, paper.prediction.local_minima, land.local_minima
                    ),
                    _ => String::new(),
                }
            ),
            svg: figures::eps_curves(&curves, "ε / range of values")?,
        });

        // Basin sizes: number of minima with each basin size.
        let mut basin = vec![0u64; n];
        for &m in &land.ls_star {
            basin[m as usize] += 1;
        }
        let mut sizes: Vec<u64> = (0..n)
            .filter(|&v| land.ls[v] as usize == v)
            .map(|v| basin[v])
            .collect();
        sizes.sort_unstable();
        let mut hist: Vec<(u64, u64)> = Vec::new();
        for s in sizes {
            match hist.last_mut() {
                Some((size, c)) if *size == s => *c += 1,
                _ => hist.push((s, 1)),
            }
        }
        figs.push(Figure {
            id: format!("{slug}-basins"),
            title: "Basin sizes".into(),
            caption: format!(
                "Number of local minima against the size of their basin (log–log); {} minima in all.",
                land.local_minima
            ),
            svg: figures::basin_sizes(&hist)?,
        });

        // Per-start success of first improvement.
        let first = dp::solve(&input.space, loss, Variant::First, dp::Target::Eps(0.0), 0);
        let pts: Vec<(f64, f64)> = first
            .stats
            .iter()
            .zip(&values)
            .map(|(s, &x)| (x, s.p_success))
            .collect();
        figs.push(Figure {
            id: format!("{slug}-success"),
            title: "Success of first improvement from each start".into(),
            caption: format!(
                "Exact probability that first-improvement local search (random neighbour order) from each start ends at a global optimum, against the start's value; mean {:.4}. Marks closer than 3 px are merged.",
                hard.first_p_success
            ),
            svg: figures::success_scatter(&pts, &unit, "P(success)")?,
        });

        // Basin trees: real values beside the same space with the values permuted.
        let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
        let mut permuted = loss.clone();
        permuted.shuffle(&mut rng);
        let land_p = input.space.landscape(&permuted);
        let value = |l: f64| crate::format::value(sign * l + 0.0);
        let svg = tree::basin_trees(&[
            tree::TreePanel {
                title: "real values".into(),
                loss,
                landscape: &land,
                value: &value,
            },
            tree::TreePanel {
                title: format!("values permuted at random (seed {})", opts.seed),
                loss: &permuted,
                landscape: &land_p,
                value: &value,
            },
        ]);
        figs.push(Figure {
            id: format!("{slug}-trees"),
            title: "Basins of the nine best local minima".into(),
            caption: format!(
                "LS edges inside the basins of the nine best local minima (red: the minimum, at the top; one level per LS step). Edges are coloured by value, dark = good. Right: the same values shuffled over the space (Fisher–Yates with ChaCha8, seed {}), which destroys locality: {} local minima instead of {}.",
                opts.seed, land_p.local_minima, land.local_minima
            ),
            svg,
        });

        // Noise sweep.
        let mean = values.iter().sum::<f64>() / n as f64;
        let sd = (values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64).sqrt();
        let sigmas: Vec<f64> = NOISE_SHARES.iter().map(|s| round4(s * sd)).collect();
        let mut pts = Vec::new();
        for &sigma in &sigmas {
            let r = noise::analyze(
                &input.space,
                loss,
                &NoiseOptions {
                    sigma,
                    draws: opts.noise_draws,
                    seed: match input.source {
                        Source::Synthetic { seed, .. } => seed,
                        Source::Table { .. } | Source::Graph { .. } | Source::Npy { .. } => {
                            opts.seed
                        }
                    },
                    variant: Variant::Best,
                    eps: 0.0,
                },
            );
            let lm = &r.local_minima;
            let m = lm.iter().sum::<usize>() as f64 / lm.len() as f64;
            let (a, b) = (
                lm.iter().min().map_or(m, |&x| x as f64),
                lm.iter().max().map_or(m, |&x| x as f64),
            );
            pts.push((sigma, m, a, b));
        }
        let noise_seed = match input.source {
            Source::Synthetic { seed, .. } => seed,
            Source::Table { .. } | Source::Graph { .. } | Source::Npy { .. } => opts.seed,
        };
        let sigma_list = sigmas
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let noise_args = match input.source {
            Source::Synthetic { .. } => args.clone(),
            Source::Table { .. } | Source::Graph { .. } | Source::Npy { .. } => {
                format!("{args} --seed {noise_seed}")
            }
        };
        commands.push((
            "noise sweep".into(),
            format!(
                "nasland noise {noise_args} --sigma {sigma_list} --draws {} --variant best --eps 0 --json",
                opts.noise_draws
            ),
        ));
        figs.push(Figure {
            id: format!("{slug}-noise"),
            title: "Local minima under evaluation noise".into(),
            caption: format!(
                "Local minima of noisy landscapes (value + N(0, σ²) per architecture, {} draws per σ, seed {noise_seed}) against σ; σ = {} × the standard deviation of the values.",
                opts.noise_draws,
                NOISE_SHARES.map(|s| s.to_string()).join(", ")
            ),
            svg: figures::noise_minima(&pts, land.local_minima as f64)?,
        });

        if let (Some(b), Some(doc)) = (&lon_built, &lon_doc) {
            let arch = |v| input.space.arch(v);
            let d = lon_figure::draw(b, &arch, &value);
            figs.push(Figure {
                id: format!("{slug}-lon"),
                title: "Local optima network".into(),
                caption: format!(
                    "{}; escape edges of strength 2 (every perturbation of two positions, then local search), the exact LON of `nasland lon`. Disc area ∝ basin size (at least 3 px across), colour by value (dark = good), the global optimum red; the best values at the bottom ({} levels of value rank at most), one band per funnel (best sink on the left), improving edges dark, the others light. {} funnel{}; {} of ILS runs end in the global funnel; exact ILS success {}.",
                    if d.drawn < d.total {
                        format!(
                            "The {} largest basins of {} local minima and every global optimum ({} drawn)",
                            lon_figure::CAP, d.total, d.drawn
                        )
                    } else {
                        format!("All {} local minima", d.total)
                    },
                    lon_figure::LEVELS,
                    doc.funnels,
                    if doc.funnels == 1 { "" } else { "s" },
                    crate::format::percent(doc.global_funnel_share),
                    crate::format::percent(doc.ils.success),
                ),
                svg: d.svg,
            });
        }
    }

    Ok(Profile {
        cactus,
        lon: lon_doc,
        label,
        space: input.space.name(),
        n,
        source,
        checksum,
        input_args: args,
        commands,
        summary,
        hardness: hard,
        theory,
        figures: figs,
    })
}
