//! `pack`: write a `.nasl` table, by the recipes of `nasland pack` (`nasland::pack`).

use crate::errors::{self, Class};
use crate::table::Table;
use nasland::pack::{self as recipes, Directions, Listed, TableColumns};
use nasland::progress::Silent;
use nasland::table::WriteOptions;
use pyo3::prelude::*;
use std::path::PathBuf;

/// Columns recorded in one direction: ``True`` (all not named for the other), a list of
/// names, or nothing.
#[derive(FromPyObject)]
pub enum Maximize {
    All(bool),
    Names(Vec<String>),
}

/// Pack a space into a ``.nasl`` table (see ``nasland.pack``); returns it opened.
#[pyfunction]
#[pyo3(signature = (output, *, space=None, table=None, key=None, metrics=None,
    maximize=None, minimize=None, edges=None, random_regular=None, seed=1, zstd=false, zstd_level=9))]
#[allow(clippy::too_many_arguments)]
pub fn pack(
    py: Python<'_>,
    output: PathBuf,
    space: Option<String>,
    table: Option<PathBuf>,
    key: Option<String>,
    metrics: Option<Vec<String>>,
    maximize: Option<Maximize>,
    minimize: Option<Maximize>,
    edges: Option<PathBuf>,
    random_regular: Option<(usize, usize)>,
    seed: u64,
    zstd: bool,
    zstd_level: i32,
) -> PyResult<Table> {
    let sources = [space.is_some(), edges.is_some(), random_regular.is_some()];
    if sources.iter().filter(|&&x| x).count() != 1 {
        return Err(errors::input(
            "graph_source",
            "give exactly one of space=, edges=, random_regular=",
        ));
    }
    if !(1..=22).contains(&zstd_level) {
        return Err(errors::input(
            "zstd_level",
            format!("zstd_level = {zstd_level}: give 1 (fast) to 22 (small)"),
        ));
    }
    let column_args = table.is_none()
        && (key.is_some() || metrics.is_some() || maximize.is_some() || minimize.is_some());
    if column_args || (random_regular.is_some() && table.is_some()) {
        return Err(errors::input(
            "column_without_table",
            "key=, metrics=, maximize= and minimize= name columns of a table=; a random regular graph takes none",
        ));
    }
    let compress = zstd || output.extension().is_some_and(|e| e == "zst");
    let opts = WriteOptions {
        zstd_level: compress.then_some(zstd_level),
    };
    let listed = |arg: Option<Maximize>| match arg {
        None | Some(Maximize::All(false)) => Listed::None,
        Some(Maximize::All(true)) => Listed::All,
        Some(Maximize::Names(names)) => Listed::Only(names),
    };
    let directions = Directions {
        maximize: listed(maximize),
        minimize: listed(minimize),
    };
    if directions.maximize == Listed::All && directions.minimize == Listed::All {
        return Err(errors::input(
            "direction_twice",
            "maximize=True and minimize=True both name every column: list the columns of one of them",
        ));
    }
    let columns = table.map(|path| TableColumns {
        path,
        key,
        metrics,
        directions,
    });
    let out = output.clone();
    py.detach(move || -> anyhow::Result<()> {
        if let Some(spec) = &space {
            if spec == "nb101" {
                recipes::nb101(columns.as_ref(), &out, opts, &Silent)?;
            } else {
                recipes::product(spec, columns.as_ref(), &out, opts)?;
            }
        } else if let Some(edges) = &edges {
            let columns = columns.ok_or_else(|| {
                anyhow::anyhow!("edges= needs table=: the table whose rows the edges connect")
            })?;
            recipes::edges(edges, &columns, &out, opts)?;
        } else if let Some((n, s)) = random_regular {
            recipes::random_regular(n, s, seed, &out, opts)?;
        }
        Ok(())
    })
    .map_err(|e| errors::to_py(e, Class::Input))?;
    Table::open(py, output)
}
