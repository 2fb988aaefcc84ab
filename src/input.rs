//! What the user asked to analyse, resolved into a space and one loss vector on it.
//!
//! Every command (`analyze`, and those built on it) takes the same inputs: a space, and
//! either a benchmark table column or a synthetic model with a seed. This module turns
//! them into an [`Input`]; the loss is always "lower is better", and [`Input::value`]
//! turns it back into the metric's own units. A table metric's direction is never
//! guessed: [`direction`] resolves it from what the caller said and what a `.nasl` file
//! recorded, or refuses.

pub mod direction;
mod error;
mod losses;
pub mod npy;

pub use direction::Direction;
pub use error::{Error, ErrorKind};
pub use losses::{Losses, View};

use crate::io::table_csv::{self, KeyCodec};
use crate::space::{Explicit, ProductSpace, Space, VertexId};
use crate::synth::Model;
use serde::Serialize;
use std::path::{Path, PathBuf};

type Result<T, E = Error> = std::result::Result<T, E>;

/// The benchmark spaces whose keys a table of another space is checked against, so that
/// a table given for the wrong space is named as such rather than as one bad row.
const BENCHMARK_SPACES: [&str; 3] = ["nb201", "tnb101", "nats-sss"];

/// Where the losses came from.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    /// A column of a CSV table.
    Table {
        path: PathBuf,
        key: String,
        /// For each vertex, its 0-based data row in the table.
        #[serde(skip)]
        row_of: Vec<u32>,
    },
    /// A synthetic model with its seed.
    Synthetic { model: String, seed: u64 },
    /// A metric column of a `.nasl` table (the space is the table's graph).
    Graph { path: PathBuf, column: String },
    /// A `.npy` array of one value per vertex.
    Npy { path: PathBuf },
}

/// A space with one loss per vertex: f64 values by default, or [`Losses`] in the type
/// they came in (`analyze` keeps f32 values narrow).
#[derive(Clone, Debug)]
pub struct Input<V = Vec<f64>> {
    pub space: Space,
    /// Loss of every vertex, lower is better.
    pub loss: V,
    /// The metric's name (`synthetic` for synthetic losses).
    pub metric: String,
    /// True when the metric is maximised (the loss is its negation).
    pub maximize: bool,
    pub source: Source,
}

impl<V> Input<V> {
    /// Multiplier that turns a loss into a metric value.
    pub fn sign(&self) -> f64 {
        if self.maximize {
            -1.0
        } else {
            1.0
        }
    }

    /// The same input with its losses replaced.
    pub fn with_loss<W>(self, loss: W) -> Input<W> {
        Input {
            space: self.space,
            loss,
            metric: self.metric,
            maximize: self.maximize,
            source: self.source,
        }
    }
}

impl Input<Losses> {
    /// The input with f64 losses (f32 values widen exactly).
    pub fn into_f64(mut self) -> Input {
        let loss = std::mem::replace(&mut self.loss, Losses::F64(Vec::new()));
        self.with_loss(loss.into_f64())
    }

    /// Synthetic losses on a space, drawn as f32.
    pub fn synthetic_losses(space: Space, model: Model, seed: u64) -> Self {
        let loss = model.draw_f32(crate::space::Neighbourhood::len(&space), seed);
        Input {
            space,
            loss: Losses::F32(loss),
            metric: "synthetic".into(),
            maximize: false,
            source: Source::Synthetic {
                model: model.to_string(),
                seed,
            },
        }
    }
}

impl Input {
    /// The input with its losses as [`Losses`].
    pub fn into_losses(mut self) -> Input<Losses> {
        let loss = std::mem::take(&mut self.loss);
        self.with_loss(Losses::F64(loss))
    }

    /// This input, read with its raw values (`maximize == false`), turned the way
    /// [`direction::resolve`] decides from what was `asked` and `recorded`: an error when
    /// neither says a direction, or when they contradict each other.
    fn directed(mut self, asked: Direction, recorded: Direction, path: &Path) -> Result<Self> {
        debug_assert!(!self.maximize, "directed takes raw values");
        self.maximize = direction::resolve(&self.metric, asked, recorded, &self.loss, path)?;
        if self.maximize {
            self.loss.iter_mut().for_each(|x| *x = -*x);
        }
        Ok(self)
    }

    /// The metric value of vertex `v`, in the metric's own units and direction.
    pub fn value(&self, v: VertexId) -> f64 {
        self.sign() * self.loss[v as usize] + 0.0
    }

    /// Synthetic losses on a space (drawn as f32, widened exactly).
    pub fn synthetic(space: Space, model: Model, seed: u64) -> Self {
        Input::synthetic_losses(space, model, seed).into_f64()
    }

    /// The smooth additive synthetic landscape ([`crate::synth::smooth`]) on a product space.
    pub fn smooth(space: ProductSpace, seed: u64) -> Self {
        Input {
            loss: crate::synth::smooth::smooth(&space, seed),
            space: Space::Product(space),
            metric: "synthetic".into(),
            maximize: false,
            source: Source::Synthetic {
                model: "smooth".into(),
                seed,
            },
        }
    }

    /// One metric column of a CSV table over a product space.
    pub fn from_table(
        space: ProductSpace,
        path: &Path,
        key: &str,
        metric: &str,
        maximize: bool,
    ) -> Result<Self> {
        let inputs = Self::from_table_columns(space, path, key, &[metric.to_string()], maximize)?;
        // from_table_columns returns one input per requested column; one was asked for.
        #[allow(clippy::expect_used)]
        let input = inputs
            .into_iter()
            .next()
            .expect("one input per requested column");
        Ok(input)
    }

    /// Several metric columns of one CSV table, read in one pass.
    pub fn from_table_columns(
        space: ProductSpace,
        path: &Path,
        key: &str,
        metrics: &[String],
        maximize: bool,
    ) -> Result<Vec<Self>> {
        let text = table_csv::CsvText::read(path)?;
        Self::from_csv_columns(space, &text, key, metrics, maximize)
    }

    /// [`Input::from_table_columns`] on a table already read (so that a caller that also
    /// inspects its columns reads the file once).
    pub fn from_csv_columns(
        space: ProductSpace,
        text: &table_csv::CsvText,
        key: &str,
        metrics: &[String],
        maximize: bool,
    ) -> Result<Vec<Self>> {
        use crate::space::Neighbourhood;
        let path = text.path();
        let codec = KeyCodec {
            n: space.len(),
            decode: &|s| space.decode(s).map_err(Into::into),
            encode: &|v| space.encode(v),
        };
        let cols = text
            .read_columns(key, metrics, &codec)
            .map_err(|e| wrong_space(e, &space, path))?;
        Ok(Self::of_columns(
            Space::Product(space),
            cols,
            path,
            key,
            metrics,
            maximize,
        ))
    }

    /// Several metric columns of one CSV table over an explicit space, joined on the
    /// space's keys.
    pub fn from_explicit_table_columns(
        space: Explicit,
        path: &Path,
        key: &str,
        metrics: &[String],
        maximize: bool,
    ) -> Result<Vec<Self>> {
        let decode = |s: &str| -> std::result::Result<VertexId, table_csv::KeyError> {
            space
                .id_of(s)
                .ok_or_else(|| format!("no vertex of {} has this key", space.name()).into())
        };
        let encode = |v: VertexId| space.keys()[v as usize].clone();
        let codec = KeyCodec {
            n: space.keys().len(),
            decode: &decode,
            encode: &encode,
        };
        let cols = table_csv::read_columns(path, key, metrics, &codec)?;
        Ok(Self::of_columns(
            Space::Explicit(space),
            cols,
            path,
            key,
            metrics,
            maximize,
        ))
    }

    /// One input per column read from `path`, in the metric's direction.
    fn of_columns(
        space: Space,
        cols: table_csv::Columns,
        path: &Path,
        key: &str,
        metrics: &[String],
        maximize: bool,
    ) -> Vec<Self> {
        let sign = if maximize { -1.0 } else { 1.0 };
        metrics
            .iter()
            .zip(cols.values)
            .map(|(metric, values)| Input {
                space: space.clone(),
                loss: values.into_iter().map(|x| sign * x).collect(),
                metric: metric.clone(),
                maximize,
                source: Source::Table {
                    path: path.to_path_buf(),
                    key: key.to_string(),
                    row_of: cols.row_of.clone(),
                },
            })
            .collect()
    }
}

/// Turns a refused first key that is an architecture of another benchmark space into
/// [`ErrorKind::WrongSpace`]; any other error passes through.
fn wrong_space(e: Error, space: &ProductSpace, path: &Path) -> Error {
    let ErrorKind::UnknownArchitecture { row: 0, key } = e.kind() else {
        return e;
    };
    let found = BENCHMARK_SPACES.iter().find(|&&name| {
        name != space.name()
            && ProductSpace::parse(name).is_ok_and(|other| other.decode(key).is_ok())
    });
    let Some(&found) = found else {
        return e;
    };
    let message = format!(
        "{} line 2: {key:?} is an architecture of {found}, not of {}; the table was made for another space: choose {found} or another table",
        path.display(),
        space.name()
    );
    let wrapped = Error::new(
        ErrorKind::WrongSpace {
            space: space.name().to_string(),
            found: found.to_string(),
        },
        message,
    )
    .with_path(path);
    match e.into_source() {
        Some(cause) => wrapped.with_source(cause),
        None => wrapped,
    }
}

/// The key column a benchmark's tables use for its architecture strings.
pub fn default_key(space: &str) -> &'static str {
    match space {
        "nb201" => "arch_str",
        "tnb101" => "tnb_arch_str",
        "nb101" | "nbgraph" | "nbgraph-proteins" => "hash",
        _ => "arch",
    }
}

/// The inputs every analysis command shares, as the CLI gives them.
#[derive(Clone, Debug, Default)]
pub struct InputSpec {
    pub space: String,
    pub table: Option<PathBuf>,
    pub key: Option<String>,
    pub metric: Option<String>,
    /// Which way the table metric is better; [`Direction::Unspecified`] is refused for a
    /// CSV column and for a packed column that recorded none (synthetic losses need none).
    pub direction: Direction,
    pub synthetic: Option<String>,
    pub seed: u64,
    /// A `.nasl` table: its graph is the space (instead of `space`), its columns the metrics.
    pub graph: Option<PathBuf>,
    /// A `.npy` file of one loss per vertex (f32 or f64), for the space or graph.
    pub losses: Option<PathBuf>,
}

impl InputSpec {
    /// Resolves the spec: a table column if a table is given, else synthetic losses
    /// (iid uniform when no model is named).
    pub fn load(&self) -> Result<Input> {
        self.load_losses().map(Input::into_f64)
    }

    /// [`InputSpec::load`], keeping the losses in the type they came in.
    pub fn load_losses(&self) -> Result<Input<Losses>> {
        self.load_losses_checking(true)
    }

    /// [`InputSpec::load_losses`], except that the lists of a packed graph (`graph`)
    /// are not verified yet ([`Table::graph_deferred`](crate::table::Table::graph_deferred)):
    /// only for [`analysis::report`](crate::analysis::report), which verifies them in its
    /// landscape pass so that the file is read once, and fails as loading would have.
    pub fn load_losses_deferring_graph_check(&self) -> Result<Input<Losses>> {
        self.load_losses_checking(false)
    }

    fn load_losses_checking(&self, check_graph: bool) -> Result<Input<Losses>> {
        if let Some(path) = &self.losses {
            return self.load_npy(path);
        }
        if let Some(path) = &self.graph {
            return self.load_graph(path, check_graph);
        }
        if let Some(space) = Explicit::builtin(&self.space) {
            return self.load_explicit(space);
        }
        if self.space == "nb101" {
            return Err(Error::new(
                ErrorKind::Space,
                "NAS-Bench-101 is not enumerated on the fly: pack it once \
                 (`nasland pack --space nb101 -o nb101.nasl`, with its table if you have one), \
                 then analyse the packed file as the graph",
            ));
        }
        let space =
            ProductSpace::parse(&self.space).map_err(|e| Error::wrap(ErrorKind::Space, e))?;
        {
            use crate::space::Neighbourhood;
            let n = space.len() as u64;
            crate::memory::check(
                &format!("a landscape of {n} architectures"),
                crate::memory::times(n, crate::memory::PER_VERTEX),
                "the size of the space",
            )
            .map_err(|e| Error::wrap(ErrorKind::TooBig, e))?;
        }
        match (&self.table, &self.synthetic) {
            (Some(_), Some(_)) => Err(Error::new(
                ErrorKind::TableAndSynthetic,
                "give either a table or a synthetic model, not both",
            )),
            (Some(path), None) => {
                let metric = self.metric.as_deref().ok_or_else(|| {
                    Error::new(
                        ErrorKind::MetricNeeded,
                        "a table needs a metric column (the column to analyse)",
                    )
                })?;
                let key = self.key.as_deref().unwrap_or(default_key(&self.space));
                Input::from_table(space, path, key, metric, false)?
                    .directed(self.direction, Direction::Unspecified, path)
                    .map(Input::into_losses)
            }
            (None, synthetic) => {
                if self.metric.is_some() || self.key.is_some() {
                    return Err(Error::new(
                        ErrorKind::ColumnWithoutTable,
                        "a metric or key column names a column of a table; no table was given",
                    ));
                }
                if synthetic.as_deref() == Some("smooth") {
                    return Ok(Input::smooth(space, self.seed).into_losses());
                }
                let model = parse_model(synthetic.as_deref())?;
                Ok(Input::synthetic_losses(
                    Space::Product(space),
                    model,
                    self.seed,
                ))
            }
        }
    }
}

impl InputSpec {
    /// A built-in explicit space (NAS-Bench-Graph): a table column joined on its keys, or
    /// synthetic losses.
    fn load_explicit(&self, space: Explicit) -> Result<Input<Losses>> {
        match (&self.table, &self.synthetic) {
            (Some(_), Some(_)) => Err(Error::new(
                ErrorKind::TableAndSynthetic,
                "give either a table or a synthetic model, not both",
            )),
            (Some(path), None) => {
                let metric = self.metric.as_deref().ok_or_else(|| {
                    Error::new(
                        ErrorKind::MetricNeeded,
                        "a table needs a metric column (the column to analyse)",
                    )
                })?;
                let key = self.key.as_deref().unwrap_or(default_key(&self.space));
                let mut inputs = Input::from_explicit_table_columns(
                    space,
                    path,
                    key,
                    &[metric.to_string()],
                    false,
                )?;
                // One input per requested column, and one was asked for.
                #[allow(clippy::expect_used)]
                let input = inputs.pop().expect("one column requested");
                input
                    .directed(self.direction, Direction::Unspecified, path)
                    .map(Input::into_losses)
            }
            (None, synthetic) => {
                if self.metric.is_some() || self.key.is_some() {
                    return Err(Error::new(
                        ErrorKind::ColumnWithoutTable,
                        "a metric or key column names a column of a table; no table was given",
                    ));
                }
                if synthetic.as_deref() == Some("smooth") {
                    return Err(Error::new(
                        ErrorKind::Model,
                        format!(
                            "the smooth synthetic model needs a product space (it adds one \
                             effect per position and choice); {} is not one: use uniform or \
                             levels:K",
                            space.name()
                        ),
                    ));
                }
                let model = parse_model(synthetic.as_deref())?;
                Ok(Input::synthetic_losses(
                    Space::Explicit(space),
                    model,
                    self.seed,
                ))
            }
        }
    }

    /// A `.nasl` table: a stored metric column, or synthetic losses on its graph.
    fn load_graph(&self, path: &Path, check_graph: bool) -> Result<Input<Losses>> {
        if self.table.is_some() || self.key.is_some() {
            return Err(Error::new(
                ErrorKind::GraphAndTable,
                "a packed graph brings its own metric columns; a CSV table and key column do not apply",
            ));
        }
        let table_error = |e| Error::wrap(ErrorKind::Table, e);
        let table = crate::table::Table::open(path).map_err(table_error)?;
        let graph = if check_graph {
            table.graph().map_err(table_error)?
        } else {
            table.graph_deferred()
        };
        match (&self.metric, &self.synthetic) {
            (Some(_), Some(_)) => Err(Error::new(
                ErrorKind::MetricAndSynthetic,
                "give either a metric column or a synthetic model, not both",
            )),
            (Some(metric), None) => {
                let i = table.column_index(metric).map_err(table_error)?;
                let recorded = table.columns()[i].direction;
                let values = table.column(i).map_err(table_error)?.to_loss(1.0);
                let maximize = direction::resolve(metric, self.direction, recorded, &values, path)?;
                let loss = if maximize {
                    values.into_iter().map(|x| -x).collect()
                } else {
                    values
                };
                Ok(Input {
                    space: Space::Graph(graph),
                    loss: Losses::F64(loss),
                    metric: metric.clone(),
                    maximize,
                    source: Source::Graph {
                        path: path.to_path_buf(),
                        column: metric.clone(),
                    },
                })
            }
            (None, synthetic) => {
                if synthetic.as_deref() == Some("smooth") {
                    return Err(Error::new(
                        ErrorKind::Model,
                        format!(
                            "the smooth synthetic model needs a product space (it adds one \
                             effect per position and choice); the packed graph {} has neither: \
                             use uniform or levels:K",
                            path.display()
                        ),
                    )
                    .with_path(path));
                }
                let model = parse_model(synthetic.as_deref())?;
                Ok(Input::synthetic_losses(
                    Space::Graph(graph),
                    model,
                    self.seed,
                ))
            }
        }
    }
}

impl InputSpec {
    /// Losses from a `.npy` file, on the space (or the packed graph) of the spec.
    fn load_npy(&self, path: &Path) -> Result<Input<Losses>> {
        if self.table.is_some()
            || self.synthetic.is_some()
            || self.metric.is_some()
            || self.key.is_some()
        {
            return Err(Error::new(
                ErrorKind::LossesAndOther,
                "a .npy file of losses is the whole input: do not also give a table, metric or key column, or a synthetic model",
            ));
        }
        let space = if let Some(graph) = &self.graph {
            let table_error = |e| Error::wrap(ErrorKind::Table, e);
            let table = crate::table::Table::open(graph).map_err(table_error)?;
            Space::Graph(table.graph().map_err(table_error)?)
        } else if let Some(space) = Explicit::builtin(&self.space) {
            Space::Explicit(space)
        } else {
            Space::Product(
                ProductSpace::parse(&self.space).map_err(|e| Error::wrap(ErrorKind::Space, e))?,
            )
        };
        let mapped = npy::Mapped::open(path, crate::space::Neighbourhood::len(&space))?;
        // The file holds losses (lower is better) unless --maximize says they are scores;
        // the option's name states the direction, so none is guessed.
        let maximize = self.direction == Direction::Maximize;
        let loss = match (mapped.values(), maximize) {
            (npy::Values::Unaligned, _) => {
                let sign = if maximize { -1.0 } else { 1.0 };
                Losses::F64(mapped.to_f64().into_iter().map(|x| sign * x).collect())
            }
            (npy::Values::F32(v), true) => Losses::F32(v.iter().map(|&x| -x).collect()),
            (npy::Values::F64(v), true) => Losses::F64(v.iter().map(|&x| -x).collect()),
            (_, false) => Losses::Mapped(mapped),
        };
        let name = path
            .file_name()
            .map_or_else(|| "losses".into(), |n| n.to_string_lossy().into_owned());
        Ok(Input {
            space,
            loss,
            metric: name,
            maximize,
            source: Source::Npy {
                path: path.to_path_buf(),
            },
        })
    }
}

/// The named synthetic model (iid uniform when none is named).
fn parse_model(name: Option<&str>) -> Result<Model> {
    Model::parse(name.unwrap_or("uniform")).map_err(|e| Error::wrap(ErrorKind::Model, e))
}
