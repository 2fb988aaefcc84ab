//! From Python arguments to one `nasland::input::Input`: a product space, a packed table
//! or a CSV table, with values from an array, from keyed rows (pandas) or a synthetic
//! model. Keyed rows go through the application layer's CSV reader, so their
//! architecture strings are mapped to vertex ids and checked (unknown, duplicate,
//! missing, not finite) by exactly the code the command line runs.

use crate::errors::{self, Class};
use nasland::input::{Input, InputSpec, Source};
use nasland::space::{Neighbourhood, ProductSpace, Space};
use pyo3::prelude::*;
use std::path::PathBuf;

/// What the caller asked to analyse, as plain Rust values (no Python objects), so that
/// resolving it can run without the GIL. The package builds it once, as a dict, for every
/// function that takes an input (`nasland._request` in `__init__.py`), so the extension's
/// functions take one `request` argument instead of repeating eleven.
#[derive(Clone, Debug, FromPyObject)]
pub struct Request {
    #[pyo3(item, default)]
    pub space: Option<String>,
    /// Metric values: by vertex id (no `keys`), or row by row beside `keys`.
    #[pyo3(item, default, from_py_with = float_array)]
    pub values: Option<Vec<f64>>,
    /// Architecture strings, one per value (pandas input).
    #[pyo3(item, default)]
    pub keys: Option<Vec<String>>,
    #[pyo3(item, default)]
    pub key: Option<String>,
    #[pyo3(item, default)]
    pub metric: Option<String>,
    #[pyo3(item, default)]
    pub maximize: Option<bool>,
    #[pyo3(item, default)]
    pub graph: Option<PathBuf>,
    #[pyo3(item, default)]
    pub table: Option<PathBuf>,
    #[pyo3(item, default)]
    pub synthetic: Option<String>,
    #[pyo3(item)]
    pub seed: u64,
    /// How to call keyed rows in messages and in the summary's `source.path`.
    #[pyo3(item, default)]
    pub label: Option<String>,
}

impl Request {
    /// Resolves the request into an input. Call it inside `py.detach`.
    pub fn load(mut self) -> PyResult<Input> {
        if self.keys.is_some() {
            return self.load_keyed();
        }
        if let Some(values) = self.values.take() {
            return self.load_array(values);
        }
        if self.key.is_some() && self.table.is_none() {
            return Err(errors::input(
                "column_without_table",
                "key= names the architecture column of a table or DataFrame; none was given",
            ));
        }
        let spec = InputSpec {
            space: self.space.clone().unwrap_or_else(|| "nb201".into()),
            table: self.table.clone(),
            key: self.key.clone(),
            metric: self.metric.clone(),
            direction: nasland::input::direction::from_maximize(self.maximize),
            synthetic: self.synthetic.clone(),
            seed: self.seed,
            graph: self.graph.clone(),
            losses: None,
        };
        spec.load().map_err(|e| errors::to_py(e, Class::Input))
    }

    fn space_name(&self) -> &str {
        self.space.as_deref().unwrap_or("nb201")
    }

    fn product(&self) -> PyResult<ProductSpace> {
        ProductSpace::parse(self.space_name()).map_err(|e| errors::to_py(e, Class::Space))
    }

    fn no_other_source(&self, what: &str) -> PyResult<()> {
        if self.table.is_some() || self.synthetic.is_some() {
            return Err(errors::input(
                "conflicting_inputs",
                format!("{what} brings its own values; table= and synthetic= do not apply"),
            ));
        }
        Ok(())
    }

    /// Values indexed by vertex id, on a product space or a packed table's graph.
    fn load_array(&self, mut values: Vec<f64>) -> PyResult<Input> {
        self.no_other_source("an array of values")?;
        let space = match &self.graph {
            Some(path) => {
                let table = nasland::table::Table::open(path)
                    .map_err(|e| errors::to_py(e, Class::Table))?;
                Space::Graph(table.graph().map_err(|e| errors::to_py(e, Class::Table))?)
            }
            None => Space::Product(self.product()?),
        };
        let n = space.len();
        if values.len() != n {
            return Err(errors::input(
                "wrong_length",
                format!(
                    "{} values for space {} of {n} architectures; give one value per vertex id",
                    values.len(),
                    space.name()
                ),
            ));
        }
        if let Some(v) = values.iter().position(|x| !x.is_finite()) {
            return Err(errors::input(
                "not_a_number",
                format!(
                    "values[{v}] = {} is not finite; remove or impute it before analysis",
                    values[v]
                ),
            ));
        }
        let maximize = self.maximize.unwrap_or(false);
        if maximize {
            values.iter_mut().for_each(|x| *x = -*x);
        }
        Ok(Input {
            loss: values,
            space,
            metric: self.metric.clone().unwrap_or_else(|| "values".into()),
            maximize,
            source: Source::Table {
                path: PathBuf::from(self.label.as_deref().unwrap_or("<numpy array>")),
                key: "vertex id".into(),
                row_of: Vec::new(),
            },
        })
    }

    /// Rows keyed by architecture string: written as a two-column CSV and read back by
    /// the application layer's table reader (the one `analyze --table` uses), so keys are
    /// decoded and checked exactly as on the command line. Rows are numbered as in a CSV
    /// file with a header: row i of the frame is "line i + 2".
    fn load_keyed(&self) -> PyResult<Input> {
        self.no_other_source("a DataFrame or Series")?;
        let keys = self.keys.as_deref().unwrap_or(&[]);
        if self.graph.is_some() {
            return Err(errors::input(
                "graph_and_table",
                "a packed graph= brings its own metric columns; analyse a column of it by metric=, or pass values by vertex id",
            ));
        }
        let values = self.values.as_deref().unwrap_or(&[]);
        let space = self.product()?;
        let key = self.key.as_deref().unwrap_or("arch");
        let metric = self.metric.as_deref().unwrap_or("value");
        let maximize = self.maximize.unwrap_or(false);
        let label = self.label.as_deref().unwrap_or("<DataFrame>");
        let dir = tempfile::tempdir().map_err(|e| errors::to_py(e, Class::Other))?;
        let path = dir.path().join("rows.csv");
        write_rows(&path, key, metric, keys, values).map_err(|e| errors::to_py(e, Class::Other))?;
        let shown = path.display().to_string();
        let mut input = Input::from_table(space, &path, key, metric, maximize)
            .map_err(|e| errors::to_py_rewritten(e, Class::Input, (&shown, label)))?;
        if let Source::Table { path, .. } = &mut input.source {
            *path = PathBuf::from(label);
        }
        Ok(input)
    }
}

/// Writes `key,metric` rows; values in Rust's shortest round-trip form, so parsing them
/// back gives the same f64 bits.
fn write_rows(
    path: &std::path::Path,
    key: &str,
    metric: &str,
    keys: &[String],
    values: &[f64],
) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path)?;
    w.write_record([key, metric])?;
    let mut buf = String::new();
    for (k, x) in keys.iter().zip(values) {
        buf.clear();
        use std::fmt::Write;
        write!(buf, "{x}")?;
        w.write_record([k.as_str(), buf.as_str()])?;
    }
    w.flush()?;
    Ok(())
}

/// The float64 values of a 1-D numpy array, or None (the package converts other dtypes
/// and shapes first, with its own messages).
fn float_array(obj: &Bound<'_, PyAny>) -> PyResult<Option<Vec<f64>>> {
    use numpy::PyArrayMethods;
    if obj.is_none() {
        return Ok(None);
    }
    let array = obj.cast::<numpy::PyArray1<f64>>()?.readonly();
    Ok(Some(match array.as_slice() {
        Ok(s) => s.to_vec(),
        Err(_) => array.as_array().iter().copied().collect(),
    }))
}
