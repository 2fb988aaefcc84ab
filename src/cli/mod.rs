//! The `nasland` command line: parse, call the library, print.

mod analyze;
mod args;
mod info;
mod keys;
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
