//! The recipes behind `nasland pack`: where a table's graph, keys and columns come from.
//!
//! - [`product`]: a product space made explicit (keys computed by its codec), with the
//!   numeric columns of a CSV table keyed by architecture string;
//! - [`edges`]: any space given as an undirected edge list of keys, with the table's rows
//!   as vertices (vertex id = data row, the table's own order);
//! - random regular graphs are packed by `nasland pack --random-regular` straight from
//!   [`crate::space::random_regular::generate`] (keys are the ids).

use crate::input::{default_key, Error, ErrorKind, Input};
use crate::io::table_csv::{CsvText, LeftOut};
use crate::io::{edges_csv, table_csv};
use crate::space::{Csr, Neighbourhood, ProductSpace, VertexId};
use anyhow::Result;
use nasland_table::format::Direction;
use nasland_table::writer::{self, ColumnSource, Contents, KeySource, WriteOptions};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Columns named for one direction when packing.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Listed {
    /// None.
    #[default]
    None,
    /// Every stored column not named for the other direction.
    All,
    /// These columns.
    Only(Vec<String>),
}

/// Which stored columns are recorded higher-is-better and which lower-is-better; a column
/// named by neither list is recorded as unspecified, and whoever analyses it must then
/// say its direction (see [`crate::input::direction`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Directions {
    pub maximize: Listed,
    pub minimize: Listed,
}

impl Directions {
    /// Nothing recorded.
    pub fn unspecified() -> Self {
        Self::default()
    }

    /// Every column recorded higher-is-better.
    pub fn all_maximize() -> Self {
        Directions {
            maximize: Listed::All,
            minimize: Listed::None,
        }
    }

    /// The direction of each of `columns`; an unknown name, or a column given both
    /// directions, is an error.
    pub fn resolve(&self, columns: &[String]) -> Result<Vec<Direction>, Error> {
        let unknown = |name: &String, maximize: bool| {
            let (kind, way) = if maximize {
                let kind = ErrorKind::MaximizeUnknown {
                    column: name.clone(),
                    available: columns.to_vec(),
                };
                (kind, "maximised")
            } else {
                let kind = ErrorKind::MinimizeUnknown {
                    column: name.clone(),
                    available: columns.to_vec(),
                };
                (kind, "minimised")
            };
            Error::new(
                kind,
                format!(
                    "column {name:?} is to be {way}, but it is not among the packed columns ({})",
                    columns.join(", ")
                ),
            )
        };
        for (list, maximize) in [(&self.maximize, true), (&self.minimize, false)] {
            if let Listed::Only(names) = list {
                if let Some(name) = names.iter().find(|n| !columns.contains(n)) {
                    return Err(unknown(name, maximize));
                }
            }
        }
        let named =
            |list: &Listed, c: &String| matches!(list, Listed::Only(names) if names.contains(c));
        columns
            .iter()
            .map(|c| {
                let max = named(&self.maximize, c);
                let min = named(&self.minimize, c);
                let all_max = self.maximize == Listed::All;
                let all_min = self.minimize == Listed::All;
                match (max || (all_max && !min), min || (all_min && !max)) {
                    (true, true) => Err(Error::new(
                        ErrorKind::DirectionTwice { column: c.clone() },
                        format!("column {c:?} is to be both maximised and minimised; give it one direction"),
                    )),
                    (true, false) => Ok(Direction::Maximize),
                    (false, true) => Ok(Direction::Minimize),
                    (false, false) => Ok(Direction::Unspecified),
                }
            })
            .collect()
    }
}

/// A CSV table to take metric columns from.
#[derive(Clone, Debug)]
pub struct TableColumns {
    pub path: PathBuf,
    /// Key column [default for product spaces: the benchmark's, see [`default_key`]].
    pub key: Option<String>,
    /// Columns to store [default: every numeric column but counters and the key].
    pub metrics: Option<Vec<String>>,
    pub directions: Directions,
}

fn base_meta(source: Value) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert(
        "created_by".into(),
        json!(format!("nasland {}", env!("CARGO_PKG_VERSION"))),
    );
    m.insert("source".into(), source);
    m
}

fn metrics_of(text: &CsvText, t: &TableColumns, key: &str) -> Result<(Vec<String>, Vec<LeftOut>)> {
    let (metrics, left_out) = match &t.metrics {
        Some(m) => (m.clone(), vec![]),
        None => {
            let found = text.numeric_columns(key)?;
            (found.metrics, found.left_out)
        }
    };
    if metrics.is_empty() {
        return Err(Error::new(
            ErrorKind::NoMetric,
            format!(
                "{} has no numeric column to store besides the key {key:?}; name the columns to store",
                t.path.display()
            ),
        )
        .with_path(&t.path)
        .into());
    }
    Ok((metrics, left_out))
}

/// The source record of a packed table, noting the columns left out and why (the CLI
/// prints them, so that no column disappears unannounced).
fn table_source(mut source: Value, left_out: &[LeftOut]) -> Value {
    if !left_out.is_empty() {
        source["left_out"] = left_out
            .iter()
            .map(|l| json!({"column": l.column, "why": l.why}))
            .collect();
    }
    source
}

/// Reads the metric columns of `t` (all numeric ones unless named), keyed through `codec`,
/// with the direction of each, and the columns left out.
fn column_sources(
    text: &CsvText,
    t: &TableColumns,
    key: &str,
    codec: &table_csv::KeyCodec,
) -> Result<(Vec<ColumnSource>, Vec<LeftOut>)> {
    let (metrics, left_out) = metrics_of(text, t, key)?;
    let directions = t.directions.resolve(&metrics)?;
    let cols = text.read_columns(key, &metrics, codec)?;
    Ok((
        metrics
            .into_iter()
            .zip(cols.values)
            .zip(directions)
            .map(|((name, values), direction)| ColumnSource {
                name,
                direction,
                values,
            })
            .collect(),
        left_out,
    ))
}

/// Packs product space `spec` (with the columns of `table`, if given) into `out`.
pub fn product(
    spec: &str,
    table: Option<&TableColumns>,
    out: &Path,
    opts: WriteOptions,
) -> Result<()> {
    let space = ProductSpace::parse(spec)?;
    let (columns, source) = match table {
        None => (vec![], json!({"kind": "product", "space": spec})),
        Some(t) => {
            let key = t
                .key
                .clone()
                .unwrap_or_else(|| default_key(spec).to_string());
            let text = CsvText::read(&t.path)?;
            let (metrics, left_out) = metrics_of(&text, t, &key)?;
            let directions = t.directions.resolve(&metrics)?;
            let inputs = Input::from_csv_columns(space.clone(), &text, &key, &metrics, false)?;
            let columns = inputs
                .into_iter()
                .zip(directions)
                .map(|(input, direction)| ColumnSource {
                    name: input.metric,
                    direction,
                    values: input.loss,
                })
                .collect();
            let source = table_source(
                json!({"kind": "product", "space": spec, "table": t.path, "key": key}),
                &left_out,
            );
            (columns, source)
        }
    };
    writer::write(
        out,
        &Contents {
            graph: &space,
            keys: KeySource::Product(spec.to_string()),
            columns,
            meta: base_meta(source),
        },
        opts,
    )?;
    Ok(())
}

/// The key column of a CSV table in row order, with a map back to the row; duplicate
/// or empty keys are errors naming their lines.
pub fn read_keys(
    text: &CsvText,
    key: &str,
) -> Result<(Vec<String>, HashMap<String, VertexId>), Error> {
    let path = text.path();
    let headers = text.headers()?;
    let col = text.column_index(&headers, key, "key")?;
    let mut keys = Vec::new();
    let mut lines = Vec::new();
    let mut id_of = HashMap::new();
    for (row, rec) in text.records().enumerate() {
        let (line, rec) = rec?;
        let k = rec.get(col).filter(|k| !k.is_empty()).ok_or_else(|| {
            Error::new(
                ErrorKind::EmptyKey { row },
                format!(
                    "{} line {line}: the key {key:?} is empty or missing",
                    path.display()
                ),
            )
            .with_path(path)
        })?;
        if keys.len() >= u32::MAX as usize {
            return Err(Error::new(
                ErrorKind::TooManyRows,
                format!("{} has more than {} rows", path.display(), u32::MAX - 1),
            )
            .with_path(path));
        }
        if let Some(&first) = id_of.get(k) {
            return Err(Error::new(
                ErrorKind::Duplicate {
                    key: k.to_string(),
                    rows: [first as usize, row],
                },
                format!(
                    "{} line {line}: key {} appears twice (first on line {}); each vertex needs one row",
                    path.display(),
                    table_csv::printable(k),
                    lines[first as usize]
                ),
            )
            .with_path(path));
        }
        id_of.insert(k.to_string(), keys.len() as VertexId);
        keys.push(k.to_string());
        lines.push(line);
    }
    if keys.is_empty() {
        return Err(Error::new(
            ErrorKind::NoData,
            format!("{} has no data rows", path.display()),
        )
        .with_path(path));
    }
    Ok((keys, id_of))
}

/// Packs the graph of an undirected edge list over the rows of a table into `out`.
pub fn edges(
    edges_path: &Path,
    table: &TableColumns,
    out: &Path,
    opts: WriteOptions,
) -> Result<EdgeReport> {
    let key = table.key.clone().ok_or_else(|| {
        Error::new(
            ErrorKind::KeyNeeded,
            "an edge list needs the key column: the table column holding the keys the edges name",
        )
    })?;
    let text = CsvText::read(&table.path)?;
    let (keys, id_of) = read_keys(&text, &key)?;
    let table_name = format!("{} (column {key:?})", table.path.display());
    let edges = edges_csv::read_edges(edges_path, &id_of, &table_name)?;
    let n = keys.len();
    let csr = Csr::from_undirected_edges(n, &edges)?;
    let isolated = (0..n as VertexId).filter(|&v| csr.degree(v) == 0).count();

    let decode = |s: &str| -> Result<VertexId, table_csv::KeyError> {
        id_of
            .get(s)
            .copied()
            .ok_or_else(|| format!("key {s:?} is not in the table").into())
    };
    let encode = |v: VertexId| keys[v as usize].clone();
    let codec = table_csv::KeyCodec {
        n,
        decode: &decode,
        encode: &encode,
    };
    let (columns, left_out) = column_sources(&text, table, &key, &codec)?;
    let source = table_source(
        json!({"kind": "edges", "edges": edges_path, "table": table.path, "key": key}),
        &left_out,
    );
    writer::write(
        out,
        &Contents {
            graph: &csr,
            keys: KeySource::Strings(keys),
            columns,
            meta: base_meta(source),
        },
        opts,
    )?;
    Ok(EdgeReport {
        vertices: n,
        edges: edges.len(),
        isolated,
    })
}

/// What an edge list turned into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EdgeReport {
    pub vertices: usize,
    pub edges: usize,
    /// Vertices with no edge (each is a local minimum of every landscape).
    pub isolated: usize,
}

/// What packing NAS-Bench-101 built.
#[derive(Clone, Debug)]
pub struct Nb101Report {
    pub stats: crate::space::nb101::BuildStats,
    pub shape: crate::space::nb101::shape::Shape,
}

/// Packs NAS-Bench-101 (every cell, its out-neighbours, keys = official module hashes,
/// vertex ids in ascending hash order; docs/NB101.md) with the columns of `table`, keyed
/// by module hash (column `hash` unless --key says otherwise), into `out`.
pub fn nb101(
    table: Option<&TableColumns>,
    out: &Path,
    opts: WriteOptions,
    progress: &dyn crate::progress::Progress,
) -> Result<Nb101Report> {
    nb101_with(
        crate::space::nb101::Nb101::build(progress)?,
        table,
        out,
        opts,
    )
}

/// [`nb101`] with the space already built.
pub fn nb101_with(
    space: crate::space::nb101::Nb101,
    table: Option<&TableColumns>,
    out: &Path,
    opts: WriteOptions,
) -> Result<Nb101Report> {
    use crate::space::nb101::shape;
    let shape = shape::shape(&space);
    let stats = space.stats();
    let (columns, source) = match table {
        None => (vec![], json!({"kind": "nb101"})),
        Some(t) => {
            let key = t
                .key
                .clone()
                .unwrap_or_else(|| default_key("nb101").to_string());
            let decode = |s: &str| -> Result<VertexId, table_csv::KeyError> {
                space.id_of_hash(s).ok_or_else(|| {
                    "not the module hash of a NAS-Bench-101 cell (32 lower-case hex digits, as \
                     nasbench.hash_iterator() yields)"
                        .into()
                })
            };
            let encode = |v: VertexId| space.keys()[v as usize].clone();
            let codec = table_csv::KeyCodec {
                n: space.len(),
                decode: &decode,
                encode: &encode,
            };
            let (columns, left_out) = column_sources(&CsvText::read(&t.path)?, t, &key, &codec)?;
            (
                columns,
                table_source(
                    json!({"kind": "nb101", "table": t.path, "key": key}),
                    &left_out,
                ),
            )
        }
    };
    let mut meta = base_meta(source);
    meta.insert(
        "nb101".into(),
        json!({
            "vertex_order": "ascending official module hash",
            "neighbourhood": "one op change, one edge removal (then pruned), or one edge addition keeping a DAG with at most 9 edges; re-canonicalised, self and duplicates dropped; out-neighbours, not symmetric (docs/NB101.md)",
            "labelled_cells": stats.labelled_cells,
            "one_way_arcs": shape.one_way_arcs,
            "cells_by_vertices": shape.cells_by_vertices,
        }),
    );
    let (keys, csr) = space.into_parts();
    writer::write(
        out,
        &Contents {
            graph: &csr,
            keys: KeySource::Strings(keys),
            columns,
            meta,
        },
        opts,
    )?;
    Ok(Nb101Report { stats, shape })
}

/// What packing NAS-Bench-Graph built.
#[derive(Clone, Copy, Debug)]
pub struct NbGraphReport {
    pub classes: usize,
    pub labelled_forms: u64,
    pub edges: usize,
}

/// Packs NAS-Bench-Graph (`nbgraph`: 9 ops, `nbgraph-proteins`: 5 ops; keys = the
/// benchmark's hashes, vertex ids in ascending hash order; docs/NBGRAPH.md) with the
/// columns of `table`, keyed by hash (column `hash` unless --key says otherwise), into `out`.
pub fn nbgraph(
    name: &str,
    table: Option<&TableColumns>,
    out: &Path,
    opts: WriteOptions,
) -> Result<NbGraphReport> {
    use crate::space::nbgraph::{NbGraph, OpList};
    let list = match name {
        "nbgraph" => OpList::Full,
        "nbgraph-proteins" => OpList::Proteins,
        _ => anyhow::bail!("{name:?} is not nbgraph or nbgraph-proteins"),
    };
    let space = NbGraph::build(list);
    let (columns, source) = match table {
        None => (vec![], json!({"kind": name})),
        Some(t) => {
            let key = t
                .key
                .clone()
                .unwrap_or_else(|| default_key(name).to_string());
            let decode =
                |s: &str| -> Result<VertexId, table_csv::KeyError> { Ok(space.id_of_key(s)?) };
            let encode = |v: VertexId| space.hashes()[v as usize].to_string();
            let codec = table_csv::KeyCodec {
                n: space.len(),
                decode: &decode,
                encode: &encode,
            };
            let (columns, left_out) = column_sources(&CsvText::read(&t.path)?, t, &key, &codec)?;
            (
                columns,
                table_source(
                    json!({"kind": name, "table": t.path, "key": key}),
                    &left_out,
                ),
            )
        }
    };
    let report = NbGraphReport {
        classes: space.len(),
        labelled_forms: space.labelled_forms(),
        edges: space.csr().targets().len() / 2,
    };
    let mut meta = base_meta(source);
    meta.insert(
        "nbgraph".into(),
        json!({
            "op_list": match list { OpList::Full => "gat,gcn,gin,cheb,sage,arma,graph,fc,skip", OpList::Proteins => "gcn,sage,arma,fc,skip" },
            "vertex_order": "ascending benchmark hash (Arch.valid_hash())",
            "neighbourhood": "classes joined when a labelled member of one is one move (one op changed, or one link l[i] changed within 0..=i) from a labelled member of the other; symmetric (docs/NBGRAPH.md)",
            "labelled_forms": report.labelled_forms,
        }),
    );
    let (keys, csr) = space.into_parts();
    writer::write(
        out,
        &Contents {
            graph: &csr,
            keys: KeySource::Strings(keys),
            columns,
            meta,
        },
        opts,
    )?;
    Ok(report)
}

/// Packs a random simple `s`-regular graph on `n` vertices ([`random_regular::generate`],
/// seeded by `seed`; keys are the ids, no metric columns) into `out`.
///
/// [`random_regular::generate`]: crate::space::random_regular::generate
pub fn random_regular(n: usize, s: usize, seed: u64, out: &Path, opts: WriteOptions) -> Result<()> {
    let graph = crate::space::random_regular::generate(n, s, seed)?;
    let source = json!({"kind": "random-regular", "n": n, "s": s, "seed": seed,
        "method": "configuration model, loops and repeated edges repaired by random edge switches"});
    writer::write(
        out,
        &Contents {
            graph: &graph,
            keys: KeySource::Ids,
            columns: vec![],
            meta: base_meta(source),
        },
        opts,
    )?;
    Ok(())
}
