//! Benchmark tables as CSV: one row per architecture, keyed by its architecture string.
//!
//! The import is strict because a wrong number is worse than no number: every
//! architecture of the space must appear exactly once, and every metric value must be a
//! finite number. Errors name the file, the line (header = line 1) and what to do.

use crate::input::{Error, ErrorKind};
use crate::space::VertexId;
use std::path::Path;

type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a key is not a vertex, as a [`KeyCodec`] reports it (the source of
/// [`ErrorKind::UnknownArchitecture`]).
pub type KeyError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Metric columns of a table, indexed by vertex id.
#[derive(Clone, Debug)]
pub struct Columns {
    /// For each vertex, its 0-based data row in the file (the benchmark's own order).
    pub row_of: Vec<u32>,
    /// One vector per requested metric, in request order, indexed by vertex id.
    pub values: Vec<Vec<f64>>,
}

/// How a table's keys map onto a space's vertices.
pub struct KeyCodec<'a> {
    /// Number of vertices; every one must appear once.
    pub n: usize,
    /// Architecture string → vertex id, or why the string is not an architecture.
    pub decode: &'a dyn Fn(&str) -> Result<VertexId, KeyError>,
    /// Vertex id → architecture string (names missing architectures in errors).
    pub encode: &'a dyn Fn(VertexId) -> String,
}

fn open(path: &Path) -> Result<csv::Reader<std::fs::File>> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| Error::csv(path, |_| format!("cannot open table {}", path.display()), e))
}

/// The column names of a CSV file.
pub fn headers(path: &Path) -> Result<Vec<String>> {
    let mut r = open(path)?;
    let h = r.headers().map_err(|e| {
        Error::csv(
            path,
            |_| format!("cannot read the header line of {}", path.display()),
            e,
        )
    })?;
    Ok(h.iter().map(str::to_string).collect())
}

/// The position of column `name`; `what` says what it is for ("key", "metric").
pub fn column_index(headers: &[String], name: &str, what: &str, path: &Path) -> Result<usize> {
    headers.iter().position(|h| h == name).ok_or_else(|| {
        Error::new(
            ErrorKind::UnknownColumn {
                name: name.to_string(),
                available: headers.to_vec(),
            },
            format!(
                "{} has no {what} column {name:?}; its columns are: {}",
                path.display(),
                headers.join(", ")
            ),
        )
        .with_path(path)
    })
}

fn bad_record(path: &Path, row: usize, e: csv::Error) -> Error {
    Error::csv(
        path,
        |line| {
            let line = line.unwrap_or(row as u64 + 2);
            format!("{} line {line}: malformed CSV record", path.display())
        },
        e,
    )
}

/// The columns that can serve as metrics: every value a finite number, not the key, and
/// not a plain row counter (values exactly 0, 1, 2, … or 1, 2, 3, … in file order, such as
/// NB201's `index`).
pub fn numeric_columns(path: &Path, key: &str) -> Result<Vec<String>> {
    let headers = headers(path)?;
    let mut numeric = vec![true; headers.len()];
    let mut counter0 = vec![true; headers.len()];
    let mut counter1 = vec![true; headers.len()];
    let mut r = open(path)?;
    for (row, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| bad_record(path, row, e))?;
        for (c, field) in rec.iter().enumerate().take(headers.len()) {
            match field.parse::<f64>() {
                Ok(x) if x.is_finite() => {
                    counter0[c] &= x == row as f64;
                    counter1[c] &= x == row as f64 + 1.0;
                }
                _ => numeric[c] = false,
            }
        }
    }
    Ok(headers
        .iter()
        .enumerate()
        .filter(|&(c, h)| numeric[c] && !counter0[c] && !counter1[c] && h != key)
        .map(|(_, h)| h.clone())
        .collect())
}

/// Reads `metrics` of every architecture, keyed by column `key`.
pub fn read_columns(
    path: &Path,
    key: &str,
    metrics: &[String],
    codec: &KeyCodec,
) -> Result<Columns> {
    let headers = headers(path)?;
    let key_col = column_index(&headers, key, "key", path)?;
    let metric_cols: Vec<usize> = metrics
        .iter()
        .map(|m| column_index(&headers, m, "metric", path))
        .collect::<Result<_>>()?;

    const UNSEEN: u32 = u32::MAX;
    let mut row_of = vec![UNSEEN; codec.n];
    let mut values = vec![vec![f64::NAN; codec.n]; metrics.len()];
    let mut r = open(path)?;
    for (row, rec) in r.records().enumerate() {
        let line = row + 2;
        let rec = rec.map_err(|e| bad_record(path, row, e))?;
        let arch = rec.get(key_col).ok_or_else(|| {
            Error::new(
                ErrorKind::EmptyKey { row },
                format!(
                    "{} line {line}: the row has no {key:?} field",
                    path.display()
                ),
            )
            .with_path(path)
        })?;
        let v = (codec.decode)(arch).map_err(|e| {
            Error::new(
                ErrorKind::UnknownArchitecture {
                    row,
                    key: arch.to_string(),
                },
                format!(
                    "{} line {line}: {arch:?} is not an architecture of this space; fix the row or choose another space or key column",
                    path.display()
                ),
            )
            .with_path(path)
            .with_source(e)
        })? as usize;
        if v >= codec.n {
            return Err(Error::new(
                ErrorKind::UnknownArchitecture {
                    row,
                    key: arch.to_string(),
                },
                format!(
                    "{} line {line}: {arch:?} names vertex {v}, beyond the space's {} vertices",
                    path.display(),
                    codec.n
                ),
            )
            .with_path(path));
        }
        if row_of[v] != UNSEEN {
            let first = row_of[v] as usize;
            return Err(Error::new(
                ErrorKind::Duplicate {
                    key: arch.to_string(),
                    rows: [first, row],
                },
                format!(
                    "{} line {line}: architecture {arch:?} appears twice (first on line {}); each architecture must have exactly one row",
                    path.display(),
                    first + 2
                ),
            )
            .with_path(path));
        }
        row_of[v] = row as u32;
        for ((&c, name), column) in metric_cols.iter().zip(metrics).zip(values.iter_mut()) {
            let field = rec.get(c).unwrap_or("");
            let not_a_number = |message: String| {
                Error::new(
                    ErrorKind::NotANumber {
                        row,
                        column: name.clone(),
                        value: field.to_string(),
                    },
                    message,
                )
                .with_path(path)
            };
            let x: f64 = field.parse().map_err(|_| {
                not_a_number(format!(
                    "{} line {line}, column {name:?}: {field:?} is not a number",
                    path.display()
                ))
            })?;
            if !x.is_finite() {
                return Err(not_a_number(format!(
                    "{} line {line}, column {name:?}: value {field:?} is not finite; remove or impute it before analysis",
                    path.display()
                )));
            }
            column[v] = x;
        }
    }
    let missing: Vec<VertexId> = (0..codec.n as VertexId)
        .filter(|&v| row_of[v as usize] == UNSEEN)
        .collect();
    if !missing.is_empty() {
        let first: Vec<String> = missing.iter().take(5).map(|&v| (codec.encode)(v)).collect();
        return Err(Error::new(
            ErrorKind::Missing {
                count: missing.len(),
                first: first[0].clone(),
            },
            format!(
                "{} covers {} of the space's {} architectures: {} missing, first: {}; every architecture needs a row",
                path.display(),
                codec.n - missing.len(),
                codec.n,
                missing.len(),
                first.join(", ")
            ),
        )
        .with_path(path));
    }
    Ok(Columns { row_of, values })
}
