//! The `nasland` command line: parse, call the library, print.
//!
//! Exit status: 0 when the command did what it was asked, 1 when it could not (a file that
//! cannot be read or written, data that does not fit the space, a full disk), 2 when the
//! command line itself is wrong (clap's own errors, options that contradict each other,
//! an output that is one of the inputs). docs/RELIABILITY.md has the whole promise.

#[macro_use]
pub mod stderr;
#[macro_use]
pub mod stdout;

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
mod signals;
mod simulate;
mod starts;
mod theory;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
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

/// Runs the command line; errors print with their context chain and exit with status 1,
/// or 2 for a usage error.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_exit(e),
    };
    let result = check(&cli.command).and_then(|()| {
        signals::install()?;
        run(cli.command)
    });
    let result = result.and_then(|()| {
        stdout::finish().map_err(|e| {
            anyhow::Error::new(e).context("cannot write the result to standard output")
        })
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let advice = e.downcast_ref::<crate::input::Error>().and_then(advice);
            match &advice {
                Some(Advice::Headline(headline)) => errln!("error: {headline}"),
                _ => errln!("error: {e}"),
            }
            for cause in e.chain().skip(1) {
                errln!("  caused by: {cause}");
            }
            if let Some(Advice::Hint(hint)) = &advice {
                errln!("  hint: {hint}");
            }
            let usage = matches!(advice, Some(Advice::Headline(_)))
                || e.chain()
                    .any(|c| c.is::<Usage>() || c.is::<crate::memory::TooBig>())
                || e.downcast_ref::<crate::input::Error>()
                    .is_some_and(is_usage);
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

/// Prints clap's help, version or usage error as `Error::exit` would, but checks the write:
/// `nasland --help > /dev/full` fails with status 1 instead of exiting 0 having printed
/// nothing.
fn clap_exit(e: clap::Error) -> ExitCode {
    let printed = if e.use_stderr() {
        e.print()
    } else {
        stdout::writer().map(drop).and_then(|()| e.print())
    };
    match printed {
        Ok(()) => ExitCode::from(e.exit_code().clamp(0, 255) as u8),
        // A usage error keeps its status when standard error cannot show it (2>/dev/full).
        Err(_) if e.use_stderr() => ExitCode::from(e.exit_code().clamp(0, 255) as u8),
        Err(err) => {
            errln!("error: cannot write the help text: {err}");
            ExitCode::from(1)
        }
    }
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
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
    }
}

/// A mistake in how the command line was put together, found after clap's own checks
/// but before any file is read: exit status 2, like clap's errors. It shows as the error
/// it wraps.
#[derive(Debug)]
pub struct Usage(anyhow::Error);

impl Usage {
    fn wrap(e: impl Into<anyhow::Error>) -> anyhow::Error {
        anyhow::Error::new(Usage(e.into()))
    }
}

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Usage {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

/// Parses `argv` (program name first) and checks everything that needs neither a file
/// nor any work: clap's rules, the space name, the synthetic model. The command is not
/// run. This is the command line's validation layer, fuzzed by `fuzz/cli_args`.
#[doc(hidden)]
pub fn validate<I, T>(argv: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = Cli::try_parse_from(argv)?;
    if let Some(input) = cli.command.input() {
        input.check()?;
    }
    cli.command.check_values()
}

impl Command {
    /// The shared input options, for the commands that have them.
    fn input(&self) -> Option<&args::InputArgs> {
        match self {
            Command::Analyze(a) => Some(&a.input),
            Command::Theory(a) => Some(&a.input),
            Command::Starts(a) => Some(&a.input),
            Command::Simulate(a) => Some(&a.input),
            Command::Noise(a) => Some(&a.input),
            Command::Lon(a) => Some(&a.input),
            Command::Pack(_) | Command::Info(_) | Command::Keys(_) | Command::Report(_) => None,
        }
    }

    /// Option values whose bound the command line alone fixes (--num-init against the
    /// space, --strength against its positions), and options that contradict each other
    /// in a way clap's rules cannot say; each failure is a [`Usage`] error naming the
    /// options. `--random-regular` is checked by its value parser.
    fn check_values(&self) -> anyhow::Result<()> {
        match self {
            Command::Starts(a) => search_common::check_num_init_args(a.num_init, &a.input),
            Command::Simulate(a) => search_common::check_num_init_args(a.num_init, &a.input),
            Command::Lon(a) => lon::check(a),
            Command::Noise(a) => noise::check(a),
            Command::Pack(a) => pack::check(a),
            Command::Report(a) => report::check(a),
            Command::Theory(a) => theory::check(a),
            Command::Analyze(a) => analyze::check(a),
            Command::Info(_) | Command::Keys(_) => Ok(()),
        }
    }

    /// Every file the command reads, and every file it writes.
    fn files(&self) -> (Vec<PathBuf>, Vec<PathBuf>) {
        let mut inputs: Vec<PathBuf> = Vec::new();
        if let Some(i) = self.input() {
            inputs.extend(i.table.iter().chain(&i.graph).cloned());
        }
        let outputs: Vec<PathBuf> = match self {
            Command::Theory(a) => a.plot.iter().cloned().collect(),
            Command::Starts(a) => a.out.iter().cloned().collect(),
            Command::Noise(a) => a.out.iter().cloned().collect(),
            Command::Lon(a) => {
                let mut o: Vec<PathBuf> = a.graphml.iter().cloned().collect();
                if let Some(dir) = &a.out {
                    o.push(dir.join("nodes.csv"));
                    o.push(dir.join("edges.csv"));
                }
                o
            }
            Command::Pack(a) => {
                inputs.extend(a.table.iter().chain(&a.edges).cloned());
                vec![a.output.clone()]
            }
            Command::Report(a) => {
                inputs.extend(a.table.iter().cloned());
                vec![a.out.clone()]
            }
            Command::Analyze(_) | Command::Simulate(_) | Command::Info(_) | Command::Keys(_) => {
                Vec::new()
            }
        };
        (inputs, outputs)
    }
}

/// The checks made before any work, whose failures are usage errors: the validation
/// layer (as [`validate`]), and no output that is one of the command's inputs or another
/// of its outputs (see `nasland_table::atomic::refuse_inputs`).
fn check(command: &Command) -> anyhow::Result<()> {
    if let Some(input) = command.input() {
        input.check().map_err(Usage::wrap)?;
    }
    command.check_values()?;
    let (inputs, outputs) = command.files();
    for (i, out) in outputs.iter().enumerate() {
        nasland_table::atomic::refuse_inputs(out, &inputs).map_err(Usage::wrap)?;
        if outputs[..i].contains(out) {
            return Err(Usage::wrap(anyhow::anyhow!(
                "{} is given as two outputs; give each output its own path",
                out.display()
            )));
        }
    }
    Ok(())
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

/// Input errors that are about the command line rather than the data: a direction that
/// was not said or contradicts itself, a run larger than memory (lower the option).
fn is_usage(e: &crate::input::Error) -> bool {
    use crate::input::ErrorKind as K;
    matches!(
        e.kind(),
        K::DirectionNeeded { .. }
            | K::DirectionConflict { .. }
            | K::DirectionTwice { .. }
            | K::MinimizeUnknown { .. }
            | K::TooBig
    )
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
        K::NotText { what } if what.contains(".nasl") => {
            Hint(format!("a packed table is read with --graph {}", path()))
        }
        _ => return None,
    })
}
