//! The `nasland` command line: parse, call the library, print.

mod analyze;
mod args;
mod info;
mod keys;
mod lon;
mod noise;
mod output;
mod pack;
mod progress;
mod report;
mod search_common;
mod simulate;
mod starts;
mod theory;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exact fitness landscapes of neural-architecture-search spaces.
///
/// nasland runs best-improvement local search from every architecture of a space at
/// once and reports the exact landscape: local minima, basins, global optima, the share
/// of starts that end within ε of the optimum, and path lengths.
#[derive(Parser, Debug)]
#[command(
    name = "nasland",
    version,
    propagate_version = true,
    max_term_width = 100
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Exact local-search landscape of one metric (or synthetic losses) on a space.
    Analyze(analyze::AnalyzeArgs),
    /// What the paper's model predicts (local minima, P(ε)) beside the exact landscape.
    Theory(theory::TheoryArgs),
    /// Exact per-start success probabilities, moves and evaluations of a local-search variant.
    Starts(starts::StartsArgs),
    /// Monte Carlo simulation of local search with restarts, as the paper's code runs it.
    Simulate(simulate::SimulateArgs),
    /// Noisy evaluations: local minima and success of local search on noisy landscapes.
    Noise(noise::NoiseArgs),
    /// Pack a space and its metric columns into a memory-mapped, bit-packed table (.nasl).
    Pack(pack::PackArgs),
    /// Describe a .nasl table: sizes, degrees, packing, metric columns, sections.
    Info(info::InfoArgs),
    /// Print a table's architecture keys, one per line, in vertex-id order.
    Keys(keys::KeysArgs),
    /// One self-contained HTML report: hardness side by side, figures, reproducing commands.
    Report(report::ReportArgs),
    /// Exact local optima network: escape edges, funnels, exact ILS success.
    Lon(lon::LonArgs),
}

/// Parses a command line (program name first) without running it, so that a test can
/// check the commands the documentation shows.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<(), clap::Error> {
    Cli::try_parse_from(args).map(|_| ())
}

/// Runs the command line; errors print with their context chain and exit with status 2.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Analyze(a) => analyze::run(a),
        Command::Theory(a) => theory::run(a),
        Command::Starts(a) => starts::run(a),
        Command::Simulate(a) => simulate::run(a),
        Command::Noise(a) => noise::run(a),
        Command::Pack(a) => pack::run(a),
        Command::Info(a) => info::run(a),
        Command::Keys(a) => keys::run(a),
        Command::Report(a) => report::run(a),
        Command::Lon(a) => lon::run(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let advice = e.downcast_ref::<crate::input::Error>().and_then(advice);
            match &advice {
                Some(Advice::Headline(headline)) => eprintln!("error: {headline}"),
                _ => eprintln!("error: {e}"),
            }
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            if let Some(Advice::Hint(hint)) = &advice {
                eprintln!("  hint: {hint}");
            }
            ExitCode::from(2)
        }
    }
}

/// What the command line adds to an input error, in the flags' own names (the library
/// does not know them).
#[derive(Debug, PartialEq)]
enum Advice {
    /// The error is about options alone: say it in flags instead.
    Headline(String),
    /// The error is about the data: keep its text, then name the flag that fixes it.
    Hint(String),
}

fn advice(e: &crate::input::Error) -> Option<Advice> {
    use crate::input::ErrorKind as K;
    use Advice::{Headline, Hint};
    let path = || e.path().map_or(String::new(), |p| p.display().to_string());
    Some(match e.kind() {
        K::TableAndSynthetic => Headline("give either --table or --synthetic, not both".into()),
        K::MetricNeeded => Headline("--table needs --metric COLUMN (the column to analyse)".into()),
        K::ColumnWithoutTable => {
            Headline("--metric and --key name columns of a --table; none was given".into())
        }
        K::GraphAndTable => Headline(
            "--graph FILE brings its own metric columns; --table and --key do not apply".into(),
        ),
        K::MetricAndSynthetic => Headline("give either --metric or --synthetic, not both".into()),
        K::DirectionConflict { column, recorded } => {
            let (was, drop, other) = if *recorded {
                ("higher-is-better", "--minimize", "--minimize")
            } else {
                ("lower-is-better", "--maximize", "--maximize")
            };
            Headline(format!(
                "{}: column {column:?} was packed as {was}; drop {drop} (or re-pack with {other} {column})",
                path()
            ))
        }
        K::DirectionNeeded { suggestion, .. } => Hint(format!(
            "pass --maximize if higher values are better or --minimize if lower{}",
            match suggestion {
                Some(true) => "; this one: probably --maximize",
                Some(false) => "; this one: probably --minimize",
                None => "",
            }
        )),
        K::UnknownFormat => Headline(format!("--out {e}")),
        K::KeyNeeded => Headline(
            "--edges needs --key COLUMN: the table column holding the keys the edges name".into(),
        ),
        K::MaximizeUnknown { column, available } => Headline(format!(
            "--maximize names {column:?}, which is not among the packed columns ({})",
            available.join(", ")
        )),
        K::MinimizeUnknown { column, available } => Headline(format!(
            "--minimize names {column:?}, which is not among the packed columns ({})",
            available.join(", ")
        )),
        K::DirectionTwice { column } => Headline(format!(
            "{column:?} is listed by both --maximize and --minimize; give it one direction"
        )),
        K::NoMetric => Hint("name the columns to store with --metrics".into()),
        K::UnknownArchitecture { .. } => {
            Hint("--space names the space, --key the column of architecture strings".into())
        }
        K::WrongSpace { found, .. } => Hint(format!("pass --space {found}")),
        K::NotASimpleGraph { .. } => Hint("--key names the table's key column".into()),
        _ => return None,
    })
}
