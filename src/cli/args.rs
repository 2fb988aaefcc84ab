//! Arguments shared by every analysis command.

use crate::input::{direction, Input, InputSpec};
use clap::Args;
use std::path::PathBuf;

/// What to analyse: a space and either a table column or synthetic losses.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// Search space: nb201, tnb101, nats-sss, nbgraph, nbgraph-proteins, K^D (e.g. 5^9) or
    /// K0xK1x… (e.g. 3x4x5); for `analyze` also nb101-labelled (every valid labelled
    /// NAS-Bench-101 cell, loss per module hash; docs/NB101.md).
    #[arg(long, default_value = "nb201")]
    pub space: String,

    /// CSV table with one row per architecture of the space.
    #[arg(long, value_name = "PATH")]
    pub table: Option<PathBuf>,

    /// Column of --table holding architecture strings [default: arch_str for nb201,
    /// tnb_arch_str for tnb101, hash for nbgraph, arch otherwise].
    #[arg(long, value_name = "COLUMN")]
    pub key: Option<String>,

    /// Column of --table to analyse.
    #[arg(long, value_name = "COLUMN")]
    pub metric: Option<String>,

    /// The table metric is better when higher (accuracy). A table metric needs
    /// --maximize or --minimize (a .nasl column may have one recorded); synthetic
    /// losses need neither.
    #[arg(long, conflicts_with = "minimize")]
    pub maximize: bool,

    /// The table metric is better when lower (loss, error, latency).
    #[arg(long)]
    pub minimize: bool,

    /// Synthetic losses instead of a table: uniform (iid U[0,1)), levels:K (plateaus) or
    /// smooth (additive per position plus N(0, 0.25²) noise; product spaces).
    /// With neither --table nor --synthetic, uniform is used.
    #[arg(long, value_name = "MODEL", conflicts_with = "table")]
    pub synthetic: Option<String>,

    /// Seed of everything random [default: 1].
    #[arg(long = "seed", value_name = "SEED")]
    pub seed_given: Option<u64>,

    /// A packed table (.nasl or .nasl.zst, from `nasland pack`) instead of --space and
    /// --table: its graph is the space, its columns the metrics.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["space", "table", "key"])]
    pub graph: Option<PathBuf>,

    /// A NumPy .npy file with one loss per vertex (float32 or float64, one-dimensional,
    /// little-endian, in vertex-id order), memory-mapped: the values of --space or --graph
    /// instead of a table or synthetic model.
    #[arg(long, value_name = "FILE.npy", conflicts_with_all = ["table", "synthetic", "metric", "key"])]
    pub losses: Option<PathBuf>,
}

impl InputArgs {
    pub fn spec(&self) -> InputSpec {
        InputSpec {
            space: self.space.clone(),
            table: self.table.clone(),
            key: self.key.clone(),
            metric: self.metric.clone(),
            direction: direction::asked(self.maximize, self.minimize),
            synthetic: self.synthetic.clone(),
            seed: self.seed(),
            graph: self.graph.clone(),
            losses: self.losses.clone(),
        }
    }
}

/// Loads what `spec` describes; a direction given for synthetic losses is ignored with a
/// warning, since synthetic losses are losses (lower is better) whatever the flags say.
pub fn load(spec: &InputSpec) -> anyhow::Result<Input> {
    let input = spec.load()?;
    warn_if_ignored(
        spec,
        matches!(input.source, crate::input::Source::Synthetic { .. }),
    );
    Ok(input)
}

/// The file the values of `input` come from, or `None` for synthetic losses (the only
/// values drawn at random).
pub fn values_file<V>(input: &Input<V>) -> Option<&std::path::Path> {
    use crate::input::Source;
    match &input.source {
        Source::Synthetic { .. } => None,
        Source::Table { path, .. } | Source::Graph { path, .. } | Source::Npy { path } => {
            Some(path)
        }
    }
}

/// Warns that `--maximize` is ignored when the losses are `synthetic`.
pub fn warn_if_ignored(spec: &InputSpec, synthetic: bool) {
    if synthetic && spec.direction == direction::Direction::Maximize {
        errln!(
            "nasland: warning: --maximize does not apply to synthetic losses (lower is better); ignored"
        );
    }
}

impl InputArgs {
    /// The seed of everything random: `--seed`, or 1.
    pub fn seed(&self) -> u64 {
        self.seed_given.unwrap_or(1)
    }

    /// Warns that `--seed` is ignored when it was given but `command` draws nothing at
    /// random: its values come `from` a file (a table, a packed graph's column, a `.npy`).
    pub fn warn_if_seed_ignored(&self, command: &str, from: Option<&std::path::Path>) {
        if let (Some(seed), Some(from)) = (self.seed_given, from) {
            errln!(
                "nasland: warning: --seed {seed} has no effect: {command} draws nothing at random when the values come from {}; ignored",
                from.display()
            );
        }
    }

    /// Loads the input these arguments describe (see [`load`]).
    pub fn load(&self) -> anyhow::Result<Input> {
        load(&self.spec())
    }
}

/// Parses `--random-regular N,S` and checks that such a graph exists and fits, so that
/// an impossible request is a usage error (exit 2) naming the option, before any work.
pub fn parse_random_regular(spec: &str) -> Result<(usize, usize), String> {
    let (a, b) = spec
        .split_once(',')
        .ok_or_else(|| format!("{spec:?}: give N,S (vertices, degree), e.g. 100000,24"))?;
    let parse = |x: &str, what: &str| {
        x.trim()
            .parse::<usize>()
            .map_err(|_| format!("{what} {x:?} is not a whole number"))
    };
    let (n, s) = (parse(a, "N")?, parse(b, "S")?);
    crate::space::random_regular::check(n, s).map_err(|e| e.to_string())?;
    Ok((n, s))
}

/// Parses one ε: a finite number >= 0 in the metric's units.
pub fn parse_eps(s: &str) -> Result<f64, String> {
    nonnegative(s, "ε")
}

/// Parses a comma-separated list of ε values (`0,0.5,1`).
pub fn parse_list(s: &str) -> Result<Vec<f64>, String> {
    nonnegative_list(s, "ε")
}

/// Parses `--eps-norm`: ε values in normalised units, each in (0, 1]. A value outside is
/// a usage error naming the option, found by clap before any work.
pub fn parse_eps_norm(s: &str) -> Result<Vec<f64>, String> {
    let list = nonnegative_list(s, "ε")?;
    if let Some(e) = list.iter().find(|&&e| e <= 0.0 || e > 1.0) {
        return Err(format!("{e}: ε in normalised units must be in (0, 1]"));
    }
    Ok(list)
}

/// Parses a comma-separated list of σ values.
pub fn parse_sigmas(s: &str) -> Result<Vec<f64>, String> {
    nonnegative_list(s, "σ")
}

/// The one rule for every ε and σ the command line reads: a finite number >= 0, each
/// item of a list on its own.
fn nonnegative_list(s: &str, what: &str) -> Result<Vec<f64>, String> {
    s.split(',').map(|x| nonnegative(x, what)).collect()
}

fn nonnegative(x: &str, what: &str) -> Result<f64, String> {
    let v: f64 = x
        .trim()
        .parse()
        .map_err(|_| format!("{x:?} is not a number"))?;
    if v.is_finite() && v >= 0.0 {
        Ok(v)
    } else {
        Err(format!("{x:?}: {what} must be a finite number >= 0"))
    }
}

impl InputArgs {
    /// The product space --space names when the command line alone fixes it (no --graph):
    /// what option bounds are checked against before any file is read.
    pub fn product_space(&self) -> Option<crate::space::ProductSpace> {
        if self.graph.is_some() {
            return None;
        }
        crate::space::ProductSpace::parse(&self.space).ok()
    }

    /// Checks what can be checked without reading a file or drawing a loss: the space
    /// name and the synthetic model. The command line's validation layer (and the
    /// `cli_args` fuzz target) stops here.
    pub fn check(&self) -> anyhow::Result<()> {
        if self.graph.is_some() || crate::space::Explicit::is_builtin(&self.space) {
            return Ok(());
        }
        if self.space == "nb101" {
            // The loader's own message: NB-101 is analysed once packed.
            self.spec().load_losses().map(drop)?;
        }
        if self.space != crate::labelled::SPACE {
            crate::space::ProductSpace::parse(&self.space)?;
        }
        match self.synthetic.as_deref() {
            None | Some("smooth") => Ok(()),
            Some(model) => Ok(nasland_core::synth::Model::parse(model).map(drop)?),
        }
    }
}
