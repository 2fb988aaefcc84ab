//! Benchmark tables as CSV: one row per architecture, keyed by its architecture string.
//!
//! The import is strict because a wrong number is worse than no number: every
//! architecture of the space must appear exactly once, and every metric value must be a
//! finite number. Errors name the file, the line (header = line 1) and what to do.

use crate::space::VertexId;
use anyhow::{bail, Context, Result};
use std::path::Path;

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
    pub decode: &'a dyn Fn(&str) -> Result<VertexId>,
    /// Vertex id → architecture string (names missing architectures in errors).
    pub encode: &'a dyn Fn(VertexId) -> String,
}

fn open(path: &Path) -> Result<csv::Reader<std::fs::File>> {
    csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot open table {}", path.display()))
}

/// The column names of a CSV file.
pub fn headers(path: &Path) -> Result<Vec<String>> {
    let mut r = open(path)?;
    let h = r
        .headers()
        .with_context(|| format!("cannot read the header line of {}", path.display()))?;
    Ok(h.iter().map(str::to_string).collect())
}

fn column_index(headers: &[String], name: &str, what: &str, path: &Path) -> Result<usize> {
    headers.iter().position(|h| h == name).with_context(|| {
        format!(
            "{} has no {what} column {name:?}; its columns are: {}",
            path.display(),
            headers.join(", ")
        )
    })
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
        let rec = rec.with_context(|| format!("cannot read {}", path.display()))?;
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
        let rec =
            rec.with_context(|| format!("{} line {line}: malformed CSV record", path.display()))?;
        let arch = rec.get(key_col).with_context(|| {
            format!(
                "{} line {line}: the row has no {key:?} field",
                path.display()
            )
        })?;
        let v = (codec.decode)(arch).with_context(|| {
            format!(
                "{} line {line}: {arch:?} is not an architecture of this space; fix the row or choose another --space/--key",
                path.display()
            )
        })? as usize;
        if row_of[v] != UNSEEN {
            bail!(
                "{} line {line}: architecture {arch:?} appears twice (first on line {}); each architecture must have exactly one row",
                path.display(),
                row_of[v] as usize + 2
            );
        }
        row_of[v] = row as u32;
        for ((&c, name), column) in metric_cols.iter().zip(metrics).zip(values.iter_mut()) {
            let field = rec.get(c).unwrap_or("");
            let x: f64 = field.parse().map_err(|_| {
                anyhow::anyhow!(
                    "{} line {line}, column {name:?}: {field:?} is not a number",
                    path.display()
                )
            })?;
            if !x.is_finite() {
                bail!(
                    "{} line {line}, column {name:?}: value {field:?} is not finite; remove or impute it before analysis",
                    path.display()
                );
            }
            column[v] = x;
        }
    }
    let missing: Vec<VertexId> = (0..codec.n as VertexId)
        .filter(|&v| row_of[v as usize] == UNSEEN)
        .collect();
    if !missing.is_empty() {
        let first: Vec<String> = missing.iter().take(5).map(|&v| (codec.encode)(v)).collect();
        bail!(
            "{} covers {} of the space's {} architectures: {} missing, first: {}; every architecture needs a row",
            path.display(),
            codec.n - missing.len(),
            codec.n,
            missing.len(),
            first.join(", ")
        );
    }
    Ok(Columns { row_of, values })
}
