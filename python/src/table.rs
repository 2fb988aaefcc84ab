//! `Table`: a packed `.nasl` table, memory-mapped, its metric columns viewed in place.

use crate::errors::{self, Class};
use nasland::space::{Neighbourhood, VertexId};
use nasland::table::{PackedGraph, Values};
use numpy::ndarray::ArrayView1;
use numpy::PyArray1;
use pyo3::prelude::*;
use std::path::PathBuf;
use std::sync::OnceLock;

/// A packed ``.nasl`` table (from ``nasland.pack`` or ``nasland pack``), memory-mapped.
///
/// Open it with ``Table.open(path)``. Opening reads the header and the directory only;
/// each large section (neighbours, keys, a metric column) is verified (checksum and
/// structure) the first time it is used. ``column(name)`` returns a read-only numpy view
/// of the mapped bytes: no copy is made, and the array keeps the table open through its
/// ``base``. As with any memory map, the file must not be modified while it is open;
/// nasland itself only replaces files by rename. A ``.nasl.zst`` file is decompressed
/// into anonymous memory instead.
#[pyclass(module = "nasland._nasland", frozen)]
pub struct Table {
    table: nasland::table::Table,
    graph: OnceLock<PackedGraph>,
}

impl Table {
    /// The neighbour relation, verified on first use.
    fn graph(&self, py: Python<'_>) -> PyResult<&PackedGraph> {
        if let Some(g) = self.graph.get() {
            return Ok(g);
        }
        let g = py
            .detach(|| self.table.graph())
            .map_err(|e| errors::to_py(e, Class::Table))?;
        Ok(self.graph.get_or_init(|| g))
    }

    fn check_vertex(&self, v: u64) -> PyResult<VertexId> {
        let n = self.table.header().n;
        if v >= n {
            return Err(errors::raise(
                Class::Input,
                "vertex_out_of_range",
                format!("vertex {v} is not below the table's {n} vertices"),
            ));
        }
        Ok(v as VertexId)
    }
}

#[pymethods]
impl Table {
    /// Opens a ``.nasl`` (or ``.nasl.zst``) file. Raises ``TableError`` (with ``.kind``
    /// ``truncated``, ``not_a_table``, ``newer_version``, ``checksum_mismatch``,
    /// ``structure``, ``not_found``, …) when it cannot be read.
    #[staticmethod]
    pub(crate) fn open(py: Python<'_>, path: PathBuf) -> PyResult<Table> {
        let table = py
            .detach(|| nasland::table::Table::open(&path))
            .map_err(|e| errors::to_py(e, Class::Table))?;
        Ok(Table {
            table,
            graph: OnceLock::new(),
        })
    }

    /// Number of vertices.
    #[getter]
    fn n(&self) -> u64 {
        self.table.header().n
    }

    fn __len__(&self) -> usize {
        self.table.header().n as usize
    }

    /// The names of the metric columns, in stored order.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.table
            .columns()
            .iter()
            .map(|c| c.name.clone())
            .collect()
    }

    /// The recorded direction of each column: ``"maximize"``, ``"minimize"`` or
    /// ``"unspecified"``.
    #[getter]
    fn directions(&self) -> Vec<String> {
        self.table
            .columns()
            .iter()
            .map(|c| format!("{:?}", c.direction).to_lowercase())
            .collect()
    }

    /// The table's provenance record (the meta section), as a dict.
    #[getter]
    fn meta<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        py.import("json")?
            .call_method1("loads", (self.table.meta().to_string(),))
    }

    /// The values of metric column ``name`` as a read-only numpy array (float64 or
    /// float32, as stored) viewing the mapped file: zero-copy, verified on first use.
    fn column<'py>(slf: &Bound<'py, Self>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        let py = slf.py();
        let this = slf.get();
        let i = this
            .table
            .column_index(name)
            .map_err(|e| errors::to_py(e, Class::Input))?;
        let values = py
            .detach(|| this.table.column(i))
            .map_err(|e| errors::to_py(e, Class::Table))?;
        let owner = slf.clone().into_any();
        // SAFETY: the slice lies in the table's map, which lives as long as `owner` (the
        // Python Table holds the `Table`, whose shared map is never unmapped while a
        // clone exists); numpy keeps `owner` alive as the array's base. The array is made
        // read-only below, since the map is read-only.
        let array = unsafe {
            match values {
                Values::F64(s) => {
                    PyArray1::borrow_from_array(&ArrayView1::from(s), owner).into_any()
                }
                Values::F32(s) => {
                    PyArray1::borrow_from_array(&ArrayView1::from(s), owner).into_any()
                }
            }
        };
        array.getattr("flags")?.setattr("writeable", false)?;
        Ok(array)
    }

    /// The neighbours of vertex ``v`` (uint32 ids, ascending).
    fn neighbours<'py>(&self, py: Python<'py>, v: u64) -> PyResult<Bound<'py, PyArray1<u32>>> {
        let v = self.check_vertex(v)?;
        let g = self.graph(py)?;
        let mut out = Vec::with_capacity(g.degree(v));
        g.for_each_neighbour(v, |u| out.push(u));
        Ok(PyArray1::from_vec(py, out))
    }

    /// The degree of vertex ``v``.
    fn degree(&self, py: Python<'_>, v: u64) -> PyResult<usize> {
        let v = self.check_vertex(v)?;
        Ok(self.graph(py)?.degree(v))
    }

    /// The key (architecture string) of vertex ``v``.
    fn key(&self, py: Python<'_>, v: u64) -> PyResult<String> {
        let v = self.check_vertex(v)?;
        self.verify_keys(py)?;
        Ok(self.table.key(v))
    }

    /// Every key, in vertex-id order.
    fn keys(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.verify_keys(py)?;
        let n = self.table.header().n as VertexId;
        Ok(py.detach(|| (0..n).map(|v| self.table.key(v)).collect()))
    }

    fn __repr__(&self) -> String {
        format!(
            "<nasland.Table {} · {} vertices · {} columns>",
            self.table.name(),
            self.table.header().n,
            self.table.columns().len()
        )
    }
}

impl Table {
    fn verify_keys(&self, py: Python<'_>) -> PyResult<()> {
        py.detach(|| self.table.verify_keys())
            .map_err(|e| errors::to_py(e, Class::Table))
    }
}
