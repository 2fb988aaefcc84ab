//! Undirected edge lists as CSV: a header line, then one edge per line as two
//! architecture keys.
//!
//! Like the table import, this is strict: a self-loop, an edge given twice (in either
//! direction) or a key the table does not have is an error, reported with its line
//! numbers (header = line 1), never silently dropped.
//! The header rule is in [`read_edges`].

use crate::input::{Error, ErrorKind};
use crate::io::table_csv::{printable, CsvText};
use crate::space::VertexId;
use std::collections::HashMap;
use std::path::Path;

type Result<T, E = Error> = std::result::Result<T, E>;

/// How many examples of each problem an error lists.
const SHOWN: usize = 5;

/// Reads the edges of `path` (read once), naming vertices through `id_of` (key → vertex id). The
/// edges come back as (smaller id, larger id) in file order.
///
/// The first line is the header only if neither of its fields is a key of the table: a
/// line naming two keys is an edge (refused, so that no edge is lost), and a line naming
/// one key is refused too, because it is either an edge with a mistyped key or a header
/// that would shadow a key, and guessing would drop an edge silently.
pub fn read_edges(
    path: &Path,
    id_of: &HashMap<String, VertexId>,
    table: &str,
) -> Result<Vec<(VertexId, VertexId)>> {
    let text = CsvText::read(path)?;
    let header = text.headers()?;
    if header.len() != 2 {
        return Err(Error::new(
            ErrorKind::EdgeHeader {
                columns: header.len(),
            },
            format!(
                "{} line 1: the header has {} columns; an edge list has exactly two (e.g. `a,b`)",
                path.display(),
                header.len()
            ),
        )
        .with_path(path));
    }
    match (
        id_of.contains_key(&header[0]),
        id_of.contains_key(&header[1]),
    ) {
        (true, true) => {
            return Err(Error::new(
                ErrorKind::EdgeListWithoutHeader,
                format!(
                    "{} line 1 ({}, {}) is an edge between two keys of {table}, not a header; \
                     add a header line such as `a,b` so that no edge is lost",
                    path.display(),
                    printable(&header[0]),
                    printable(&header[1])
                ),
            )
            .with_path(path))
        }
        (true, false) | (false, true) => {
            let (key, other) = if id_of.contains_key(&header[0]) {
                (&header[0], &header[1])
            } else {
                (&header[1], &header[0])
            };
            return Err(Error::new(
                ErrorKind::EdgeHeaderNamesKey { key: key.clone() },
                format!(
                    "{} line 1 ({}, {}): {} is a key of {table} but {} is not, so the line is \
                     neither a clear header nor an edge; if it is an edge, fix the key; if it is \
                     the header, name its columns with words that are not keys (e.g. `a,b`)",
                    path.display(),
                    printable(&header[0]),
                    printable(&header[1]),
                    printable(key),
                    printable(other)
                ),
            )
            .with_path(path));
        }
        (false, false) => {}
    }
    let mut missing: Vec<String> = Vec::new();
    let mut missing_count = 0usize;
    let mut loops: Vec<String> = Vec::new();
    let mut loop_count = 0usize;
    let mut edges = Vec::new();
    let mut lines = Vec::new();
    for (row, rec) in text.records().enumerate() {
        let (line, rec) = rec?;
        if rec.len() != 2 {
            return Err(Error::new(
                ErrorKind::EdgeFields {
                    row,
                    fields: rec.len(),
                },
                format!(
                    "{} line {line}: {} fields; every line of an edge list has two keys",
                    path.display(),
                    rec.len()
                ),
            )
            .with_path(path));
        }
        let (a, b) = (id_of.get(&rec[0]), id_of.get(&rec[1]));
        for (k, id) in [(&rec[0], a), (&rec[1], b)] {
            if id.is_none() {
                missing_count += 1;
                if missing.len() < SHOWN {
                    missing.push(format!("line {line}: {}", printable(k)));
                }
            }
        }
        let (Some(&a), Some(&b)) = (a, b) else {
            continue;
        };
        if a == b {
            loop_count += 1;
            if loops.len() < SHOWN {
                loops.push(format!("line {line}: {}", printable(&rec[0])));
            }
            continue;
        }
        edges.push((a.min(b), a.max(b)));
        lines.push(line);
    }
    // Duplicates: sort edge numbers by endpoints, compare neighbours.
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_unstable_by_key(|&i| (edges[i], i));
    let mut dups: Vec<String> = Vec::new();
    let mut dup_count = 0usize;
    for pair in order.windows(2) {
        let (i, j) = (pair[0], pair[1]);
        if edges[i] == edges[j] {
            dup_count += 1;
            if dups.len() < SHOWN {
                dups.push(format!("lines {} and {}", lines[i], lines[j]));
            }
        }
    }
    if missing_count + loop_count + dup_count > 0 {
        let mut msg = format!(
            "{} is not a simple undirected graph on the keys of {table}:",
            path.display()
        );
        if missing_count > 0 {
            msg += &format!(
                "\n  {missing_count} keys are not in the table ({})",
                missing.join("; ")
            );
        }
        if loop_count > 0 {
            msg += &format!("\n  {loop_count} self-loops ({})", loops.join("; "));
        }
        if dup_count > 0 {
            msg += &format!(
                "\n  {dup_count} repeated edges, either direction counting as the same edge ({})",
                dups.join("; ")
            );
        }
        msg += "\nfix these lines (or the key column) and pack again";
        return Err(Error::new(
            ErrorKind::NotASimpleGraph {
                unknown_keys: missing_count,
                self_loops: loop_count,
                repeated_edges: dup_count,
            },
            msg,
        )
        .with_path(path));
    }
    Ok(edges)
}
