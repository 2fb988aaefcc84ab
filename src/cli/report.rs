//! `nasland report`: one self-contained HTML page with the hardness of one or several
//! inputs side by side, figures, and the commands that reproduce every number.

use crate::input::{default_key, Input};
use crate::report::html::{self, Meta};
use crate::report::profile::{profile, quote, ProfileOptions};
use crate::report::sha256_file;
use crate::space::{Explicit, ProductSpace};
use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nasland_table::atomic::write_atomic;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Writes an HTML report: hardness table side by side, per-input summaries, figures.
///
/// With no --table it reports the built-in default: NB201 with iid uniform, levels:10 and
/// smooth synthetic losses (seed --seed). With tables, every listed column of every
/// table is one input:
///
///   nasland report --space nb201 --table T --key arch_str
///   --metrics c10_test_200_mean,c100_test_200_mean --maximize -o report.html
///
/// Several tables: repeat --table, and give --space/--key/--metrics once for all or once
/// per table, in the same order. A column ending in `:max` is maximised, one ending in
/// `:min` minimised; a column without a suffix takes --maximize or --minimize, and with
/// neither it is refused: a direction is never guessed. Without --metrics, or with `all`
/// (`all:max`, `all:min`), every column of the table except the key and
/// `index`/`*_index`/`hash` columns (plain `all` and no --metrics need --maximize or
/// --minimize too).
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Search space of each table (one for all, or one per --table) [default: nb201].
    #[arg(long, value_name = "SPACE")]
    pub space: Vec<String>,

    /// CSV table; repeat for several.
    #[arg(long, value_name = "PATH")]
    pub table: Vec<PathBuf>,

    /// Key column of each table (one for all, or one per --table) [default: per space].
    #[arg(long, value_name = "COLUMN")]
    pub key: Vec<String>,

    /// Columns to report, comma-separated, with optional :max/:min, or all / all:max /
    /// all:min (one list for all, or one per --table).
    #[arg(long, value_name = "LIST")]
    pub metrics: Vec<String>,

    /// Columns without :max/:min are better when higher.
    #[arg(long, conflicts_with = "minimize")]
    pub maximize: bool,

    /// Columns without :max/:min are better when lower.
    #[arg(long)]
    pub minimize: bool,

    /// Synthetic models for the no-table report, comma-separated.
    #[arg(
        long,
        value_name = "LIST",
        default_value = "uniform,levels:10,smooth",
        conflicts_with = "table"
    )]
    pub synthetic: String,

    /// Seed of everything random (synthetic losses, permutation, noise draws).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Draw figures for the first N inputs only (a page with dozens of inputs stays light).
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub figures: usize,

    /// Noisy landscapes per σ in the noise figure.
    #[arg(long, value_name = "K", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..))]
    pub noise_draws: u32,

    /// Output HTML file.
    #[arg(
        short,
        long,
        value_name = "FILE",
        default_value = "nasland-report.html"
    )]
    pub out: PathBuf,

    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// The i-th of a per-table list that may hold one value for all tables.
fn pick<'a>(list: &'a [String], i: usize, what: &str, tables: usize) -> Result<Option<&'a str>> {
    match list.len() {
        0 => Ok(None),
        1 => Ok(Some(&list[0])),
        k if k == tables => Ok(Some(&list[i])),
        k => Err(super::Usage::wrap(anyhow::anyhow!(
            "{k} values of --{what} for {tables} tables: give one for all, or one per --table"
        ))),
    }
}

/// Option combinations that cannot work, refused before any file is read: usage errors
/// (exit 2) naming the options.
pub fn check(a: &ReportArgs) -> Result<()> {
    if a.table.is_empty() {
        if a.space.len() > 1 || !a.key.is_empty() || !a.metrics.is_empty() {
            return Err(super::Usage::wrap(anyhow::anyhow!(
                "--key and --metrics name columns of a --table, and one --space is used without tables"
            )));
        }
        return Ok(());
    }
    for (list, what) in [
        (&a.space, "space"),
        (&a.key, "key"),
        (&a.metrics, "metrics"),
    ] {
        pick(list, 0, what, a.table.len())?;
    }
    Ok(())
}

/// Header columns of a CSV file.
fn header(path: &std::path::Path) -> Result<Vec<String>> {
    let mut r = csv::Reader::from_path(path)
        .with_context(|| format!("cannot open table {}", path.display()))?;
    Ok(r.headers()
        .with_context(|| format!("cannot read the header of {}", path.display()))?
        .iter()
        .map(|s| s.to_string())
        .collect())
}

/// The command line that writes this report (for the page).
fn command_line(a: &ReportArgs) -> String {
    let mut c = String::from("nasland report");
    for s in &a.space {
        c += &format!(" --space {}", quote(s));
    }
    for t in &a.table {
        c += &format!(" --table {}", quote(&t.display().to_string()));
    }
    for k in &a.key {
        c += &format!(" --key {}", quote(k));
    }
    for m in &a.metrics {
        c += &format!(" --metrics {}", quote(m));
    }
    if a.maximize {
        c += " --maximize";
    }
    if a.minimize {
        c += " --minimize";
    }
    if a.table.is_empty() {
        c += &format!(" --synthetic {}", quote(&a.synthetic));
    }
    c += &format!(
        " --seed {} --figures {} --noise-draws {} -o {}",
        a.seed,
        a.figures,
        a.noise_draws,
        quote(&a.out.display().to_string())
    );
    c
}

/// Refuses `NAME:SUFFIX` in --metrics when SUFFIX is neither max nor min and the table
/// has no column of that whole name (a column name may hold a colon): a mistyped
/// direction would otherwise read as a column without one, or as a missing column.
fn refuse_bad_suffix(path: &std::path::Path, item: &str) -> Result<()> {
    let Some((name, suffix)) = item.rsplit_once(':') else {
        return Ok(());
    };
    if header(path)?.iter().any(|c| c == item) {
        return Ok(());
    }
    Err(super::Usage::wrap(anyhow::anyhow!(
        "--metrics {item}: {suffix:?} is not a direction; write {name}:max (higher is better) or {name}:min (lower is better)"
    )))
}

/// The space of one table: a product space, or a built-in explicit one (NAS-Bench-Graph).
enum TableSpace {
    Product(ProductSpace),
    Explicit(Explicit),
}

/// Resolves the inputs, each with the checksum of its table.
fn inputs(a: &ReportArgs) -> Result<Vec<(Input, Option<String>)>> {
    let mut out = Vec::new();
    if a.table.is_empty() {
        // `check` has refused --key, --metrics and several --space without tables.
        if a.maximize {
            errln!("nasland: warning: --maximize does not apply to synthetic losses (lower is better); ignored");
        }
        let space = a.space.first().map_or("nb201", |s| s.as_str());
        for model in a.synthetic.split(',').map(str::trim) {
            let spec = crate::input::InputSpec {
                space: space.to_string(),
                synthetic: Some(model.to_string()),
                seed: a.seed,
                ..Default::default()
            };
            out.push((spec.load()?, None));
        }
        return Ok(out);
    }
    let t = a.table.len();
    for (i, path) in a.table.iter().enumerate() {
        let space_name = pick(&a.space, i, "space", t)?.unwrap_or("nb201");
        let space = match Explicit::builtin(space_name) {
            Some(e) => TableSpace::Explicit(e),
            None => TableSpace::Product(ProductSpace::parse(space_name)?),
        };
        let key = pick(&a.key, i, "key", t)?.unwrap_or(default_key(space_name));
        let list = pick(&a.metrics, i, "metrics", t)?;
        // The direction of a column without :max/:min; none is refused, never guessed.
        let unsuffixed = |column: &str| -> Result<bool> {
            match (a.maximize, a.minimize) {
                (true, _) => Ok(true),
                (_, true) => Ok(false),
                _ => Err(super::Usage::wrap(anyhow::anyhow!(
                    "{}: column {column:?} has no direction: pass --maximize (higher is better) or --minimize (lower is better) for columns without a suffix, or write {column}:max or {column}:min",
                    path.display()
                ))),
            }
        };
        let all_dir = match list.map(str::trim) {
            None | Some("all") => Some(unsuffixed("all")?),
            Some("all:max") => Some(true),
            Some("all:min") => Some(false),
            _ => None,
        };
        let columns: Vec<(String, bool)> = match (list, all_dir) {
            (_, Some(dir)) => header(path)?
                .into_iter()
                .filter(|c| c != key && c != "index" && c != "hash" && !c.ends_with("_index"))
                .map(|c| (c, dir))
                .collect(),
            (Some(list), None) => list
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| {
                    Ok(if let Some(c) = c.strip_suffix(":max") {
                        (c.to_string(), true)
                    } else if let Some(c) = c.strip_suffix(":min") {
                        (c.to_string(), false)
                    } else {
                        refuse_bad_suffix(path, c)?;
                        (c.to_string(), unsuffixed(c)?)
                    })
                })
                .collect::<Result<_>>()?,
            (None, None) => unreachable!("no list means all columns"),
        };
        if columns.is_empty() {
            bail!("no column to report in {}: give --metrics", path.display());
        }
        let checksum = sha256_file(path)?;
        // Read each direction's columns in one pass.
        for dir in [true, false] {
            let names: Vec<String> = columns
                .iter()
                .filter(|c| c.1 == dir)
                .map(|c| c.0.clone())
                .collect();
            if names.is_empty() {
                continue;
            }
            let read = match &space {
                TableSpace::Product(p) => {
                    Input::from_table_columns(p.clone(), path, key, &names, dir)?
                }
                TableSpace::Explicit(e) => {
                    Input::from_explicit_table_columns(e.clone(), path, key, &names, dir)?
                }
            };
            for inp in read {
                out.push((inp, Some(checksum.clone())));
            }
        }
        // Back to the order the user gave.
        let start = out.len() - columns.len();
        out[start..].sort_by_key(|(inp, _)| {
            columns
                .iter()
                .position(|c| c.0 == inp.metric && c.1 == inp.maximize)
                .unwrap_or(usize::MAX)
        });
    }
    Ok(out)
}

pub fn run(a: ReportArgs) -> Result<()> {
    crate::memory::check(
        &format!("{} noisy draws", a.noise_draws),
        crate::memory::times(a.noise_draws as u64, 16),
        "--noise-draws",
    )?;
    if a.out.is_dir() {
        bail!("{} is a directory: give -o FILE.html", a.out.display());
    }
    let inputs = inputs(&a)?;
    let bar = ProgressBar::new(inputs.len() as u64);
    if a.quiet || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    } else {
        // A constant template that parses; were it not to, the default style does.
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
    }
    let mut profiles = Vec::with_capacity(inputs.len());
    for (i, (input, checksum)) in inputs.iter().enumerate() {
        bar.set_message(format!("{} · {}", input.space.name(), input.metric));
        profiles.push(profile(
            input,
            checksum.clone(),
            &ProfileOptions {
                seed: a.seed,
                noise_draws: a.noise_draws as usize,
                figures: i < a.figures,
            },
        )?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let page = html::render(
        &Meta {
            command: command_line(&a),
            seed: a.seed,
            figures_for: a.figures,
        },
        &profiles,
    );
    write_atomic(&a.out, |w| -> Result<()> {
        w.write_all(page.as_bytes())?;
        Ok(())
    })
    .with_context(|| format!("could not write the report to {}", a.out.display()))?;
    if !a.quiet {
        errln!(
            "nasland: wrote {} ({} inputs, {} KiB)",
            a.out.display(),
            profiles.len(),
            page.len() / 1024
        );
    }
    Ok(())
}
