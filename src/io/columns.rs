//! Per-vertex result tables, written as CSV or as a NumPy structured array (`.npy`).
//!
//! A [`Columns`] is a list of named, equally long columns. CSV keeps every column; the
//! `.npy` file is a one-dimensional structured array (`np.load(path)["p_success"]`) of
//! the numeric columns only — text columns (architecture strings) are left out, since
//! the `id` column names the vertex. Both are written atomically.

use crate::input::{Error, ErrorKind};
use anyhow::Result;
use nasland_table::atomic::write_atomic;
use std::io::Write;
use std::path::Path;

/// One column's values.
#[derive(Clone, Debug)]
pub enum Data {
    U32(Vec<u32>),
    I64(Vec<i64>),
    F64(Vec<f64>),
    Str(Vec<String>),
}

impl Data {
    fn len(&self) -> usize {
        match self {
            Data::U32(v) => v.len(),
            Data::I64(v) => v.len(),
            Data::F64(v) => v.len(),
            Data::Str(v) => v.len(),
        }
    }
}

/// Named columns of equal length.
#[derive(Clone, Debug, Default)]
pub struct Columns {
    cols: Vec<(String, Data)>,
}

impl Columns {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a column; panics if its length differs from the first column's.
    pub fn push(&mut self, name: &str, data: Data) -> &mut Self {
        if let Some((_, first)) = self.cols.first() {
            assert_eq!(
                first.len(),
                data.len(),
                "column {name} has a different length"
            );
        }
        self.cols.push((name.to_string(), data));
        self
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.cols.first().map_or(0, |(_, d)| d.len())
    }

    /// Column names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.cols.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Checks that `path` names a format (`.csv` or `.npy`), before any work is done.
    pub fn check_path(path: &Path) -> Result<(), Error> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("npy" | "csv") => Ok(()),
            _ => Err(Error::new(
                ErrorKind::UnknownFormat,
                format!(
                    "{}: the file name must end in .csv or .npy (that chooses the format)",
                    path.display()
                ),
            )
            .with_path(path)),
        }
    }

    /// Writes `path` as `.npy` or `.csv`, by its extension.
    pub fn write(&self, path: &Path) -> Result<()> {
        Self::check_path(path)?;
        if path.extension().and_then(|e| e.to_str()) == Some("npy") {
            write_atomic(path, |w| self.write_npy(w))
        } else {
            write_atomic(path, |w| self.write_csv(w))
        }
    }

    /// CSV with a header row; floats in Rust's shortest round-trip form.
    pub fn write_csv(&self, w: &mut dyn Write) -> Result<()> {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(self.names())?;
        let mut row: Vec<String> = Vec::with_capacity(self.cols.len());
        for i in 0..self.rows() {
            row.clear();
            for (_, d) in &self.cols {
                row.push(match d {
                    Data::U32(v) => v[i].to_string(),
                    Data::I64(v) => v[i].to_string(),
                    Data::F64(v) => v[i].to_string(),
                    Data::Str(v) => v[i].clone(),
                });
            }
            out.write_record(&row)?;
        }
        out.flush()?;
        Ok(())
    }

    /// NumPy format 1.0 (2.0 if the header is huge), one packed little-endian record per
    /// row, numeric columns only.
    pub fn write_npy(&self, w: &mut dyn Write) -> Result<()> {
        let numeric: Vec<&(String, Data)> = self
            .cols
            .iter()
            .filter(|(_, d)| !matches!(d, Data::Str(_)))
            .collect();
        let descr: Vec<String> = numeric
            .iter()
            .map(|(name, d)| {
                let t = match d {
                    Data::U32(_) => "<u4",
                    Data::I64(_) => "<i8",
                    _ => "<f8",
                };
                format!("('{name}', '{t}')")
            })
            .collect();
        let mut header = format!(
            "{{'descr': [{}], 'fortran_order': False, 'shape': ({},), }}",
            descr.join(", "),
            self.rows()
        );
        // Pad so that magic + version + length + header is a multiple of 64, ending in \n.
        let (version, len_bytes) = if header.len() + 11 + 64 < u16::MAX as usize {
            (1u8, 2)
        } else {
            (2u8, 4)
        };
        let fixed = 6 + 2 + len_bytes;
        let pad = (64 - (fixed + header.len() + 1) % 64) % 64;
        header.push_str(&" ".repeat(pad));
        header.push('\n');
        w.write_all(b"\x93NUMPY")?;
        w.write_all(&[version, 0])?;
        if version == 1 {
            w.write_all(&(header.len() as u16).to_le_bytes())?;
        } else {
            w.write_all(&(header.len() as u32).to_le_bytes())?;
        }
        w.write_all(header.as_bytes())?;
        for i in 0..self.rows() {
            for (_, d) in &numeric {
                match d {
                    Data::U32(v) => w.write_all(&v[i].to_le_bytes())?,
                    Data::I64(v) => w.write_all(&v[i].to_le_bytes())?,
                    Data::F64(v) => w.write_all(&v[i].to_le_bytes())?,
                    Data::Str(_) => unreachable!("filtered out"),
                }
            }
        }
        Ok(())
    }
}
