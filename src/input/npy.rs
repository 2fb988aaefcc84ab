//! Reading one loss per vertex from a NumPy `.npy` file, memory-mapped.
//!
//! Hand-written rather than through `npyz` or `ndarray-npy`: all that is needed is the
//! offset of the data and three facts from the header (dtype, order, shape), after which
//! the file is mapped and viewed as `[f32]` or `[f64]` in place, with no copy and no
//! array type in between. The format (NumPy's `format.py`, "NEP 1") is a magic string
//! `\x93NUMPY`, a major and minor version byte, a header length (u16 little-endian in
//! version 1, u32 in versions 2 and 3), then a Python dict literal such as
//! `{'descr': '<f8', 'fortran_order': False, 'shape': (15625,), }` padded with spaces to
//! a multiple of 64 bytes, and then the raw values.
//!
//! The array must be one-dimensional, little-endian f32 (`<f4`) or f64 (`<f8`), with one
//! finite value per vertex in vertex-id order. A multi-dimensional array is refused
//! rather than flattened: C order makes the last index fastest, the reverse of a product
//! space's digit order, and the user should say which they mean (`a.ravel()` or
//! `a.transpose().ravel()`).
//!
//! The mapping's contract: the file must not be truncated or rewritten while it is being
//! analysed. If another process truncates it, reading the lost pages raises SIGBUS and
//! the process ends; if it rewrites values, the analysis sees a mixture. Values are
//! checked for finiteness once, when the file is opened.

use super::{Error, ErrorKind};
use memmap2::Mmap;
use rayon::prelude::*;
use std::fs::File;
use std::path::Path;
use zerocopy::FromBytes;

type Result<T, E = Error> = std::result::Result<T, E>;

/// A mapped `.npy` file of losses, viewed as its values.
pub struct Mapped {
    map: Mmap,
    offset: usize,
    dtype: Dtype,
    len: usize,
}

/// The element type of the array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    /// `<f4`
    F32,
    /// `<f8`
    F64,
}

impl Dtype {
    fn size(self) -> usize {
        match self {
            Dtype::F32 => 4,
            Dtype::F64 => 8,
        }
    }
}

impl Mapped {
    /// Opens and maps `path`, checking that it holds `n` finite f32 or f64 values.
    pub fn open(path: &Path, n: usize) -> Result<Self> {
        let io = |e: std::io::Error| {
            Error::new(ErrorKind::Io, format!("{}: {e}", path.display()))
                .with_path(path)
                .with_source(e)
        };
        let file = File::open(path).map_err(io)?;
        // SAFETY: the mapping is read-only; the module documents the contract that the file
        // is not truncated or rewritten while mapped (truncation ends the process with
        // SIGBUS, a rewrite changes values under the analysis).
        let map = unsafe { Mmap::map(&file) }.map_err(io)?;
        let header = parse_header(&map).map_err(|(kind, why)| {
            Error::new(kind, format!("{}: {why}", path.display())).with_path(path)
        })?;
        let refuse = |kind, why: String| {
            Err(Error::new(kind, format!("{}: {why}", path.display())).with_path(path))
        };
        let dtype = match header.descr.as_str() {
            "<f4" => Dtype::F32,
            "<f8" => Dtype::F64,
            "|f4" | "=f4" if cfg!(target_endian = "little") => Dtype::F32,
            "|f8" | "=f8" if cfg!(target_endian = "little") => Dtype::F64,
            other => {
                return refuse(
                    ErrorKind::NpyDtype {
                        descr: other.to_string(),
                    },
                    format!(
                        "the array's dtype is {other:?}; losses must be little-endian float32 or float64 ('<f4' or '<f8'): convert with a.astype('<f8')"
                    ),
                )
            }
        };
        if header.fortran_order {
            return refuse(
                ErrorKind::NpyOrder,
                "the array is stored in Fortran order; save it in C order (np.save(path, np.ascontiguousarray(a)))".into(),
            );
        }
        if header.shape.len() != 1 {
            return refuse(
                ErrorKind::NpyShape {
                    shape: header.shape.clone(),
                },
                format!(
                    "the array has shape {:?}; losses must be one-dimensional, one value per vertex in vertex-id order (digit 0 fastest): flatten it explicitly",
                    header.shape
                ),
            );
        }
        let len = header.shape[0];
        if len != n {
            return refuse(
                ErrorKind::NpyLength {
                    expected: n,
                    found: len,
                },
                format!("the array has {len} values; the space has {n} vertices: give one loss per vertex"),
            );
        }
        let bytes = len.checked_mul(dtype.size());
        if bytes.is_none_or(|b| header.offset + b > map.len()) {
            return refuse(
                ErrorKind::NpyHeader,
                format!(
                    "the file is shorter than its header says ({} values of {} bytes after {} header bytes, {} bytes in all): it is truncated",
                    len,
                    dtype.size(),
                    header.offset,
                    map.len()
                ),
            );
        }
        let mapped = Mapped {
            map,
            offset: header.offset,
            dtype,
            len,
        };
        let bad = match mapped.values() {
            Values::F32(v) => v.par_iter().position_first(|x| !x.is_finite()),
            Values::F64(v) => v.par_iter().position_first(|x| !x.is_finite()),
            Values::Unaligned => None,
        };
        if let Some(index) = bad {
            return refuse(
                ErrorKind::NpyNotFinite { index },
                format!("value {index} is not a finite number (NaN or infinite); every vertex needs a finite loss"),
            );
        }
        Ok(mapped)
    }

    /// Number of values.
    pub fn values_len(&self) -> usize {
        self.len
    }

    /// The element type.
    pub fn dtype(&self) -> Dtype {
        self.dtype
    }

    /// The values in place, or `Unaligned` when the data offset is not a multiple of the
    /// element size (NumPy pads the header to 64 bytes, so only a hand-made file is).
    pub fn values(&self) -> Values<'_> {
        let bytes = &self.map[self.offset..self.offset + self.len * self.dtype.size()];
        if cfg!(target_endian = "big") {
            return Values::Unaligned;
        }
        match self.dtype {
            Dtype::F32 => <[f32]>::ref_from_bytes(bytes).map_or(Values::Unaligned, Values::F32),
            Dtype::F64 => <[f64]>::ref_from_bytes(bytes).map_or(Values::Unaligned, Values::F64),
        }
    }

    /// The values copied out, decoded byte by byte (for any alignment and byte order).
    // chunks_exact(N) yields slices of exactly N bytes, which always convert to [u8; N].
    #[allow(clippy::expect_used)]
    pub fn to_f64(&self) -> Vec<f64> {
        let bytes = &self.map[self.offset..self.offset + self.len * self.dtype.size()];
        match self.dtype {
            Dtype::F32 => bytes
                .par_chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().expect("4 bytes")) as f64)
                .collect(),
            Dtype::F64 => bytes
                .par_chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect(),
        }
    }
}

/// The mapped values, viewed in place.
pub enum Values<'a> {
    /// float32 values.
    F32(&'a [f32]),
    /// float64 values.
    F64(&'a [f64]),
    /// Not viewable in place; use [`Mapped::to_f64`].
    Unaligned,
}

/// What the header says.
#[derive(Debug, PartialEq)]
struct Header {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
    /// Where the data starts.
    offset: usize,
}

type HeaderError = (ErrorKind, String);

fn parse_header(file: &[u8]) -> Result<Header, HeaderError> {
    let bad = |why: &str| {
        (
            ErrorKind::NpyHeader,
            format!("not a NumPy .npy file: {why}"),
        )
    };
    if file.len() < 10 || &file[..6] != b"\x93NUMPY" {
        return Err(bad("it does not start with the .npy magic string"));
    }
    let (len, start) = match file[6] {
        1 => (u16::from_le_bytes([file[8], file[9]]) as usize, 10),
        2 | 3 if file.len() >= 12 => (
            u32::from_le_bytes([file[8], file[9], file[10], file[11]]) as usize,
            12,
        ),
        v => return Err(bad(&format!("unknown format version {v}"))),
    };
    let end = start + len;
    let text = file
        .get(start..end)
        .and_then(|h| std::str::from_utf8(h).ok())
        .ok_or_else(|| bad("the header is cut short or not text"))?;
    let descr = dict_value(text, "descr")
        .and_then(|v| quoted(v).map(str::to_string))
        .ok_or_else(|| {
            bad("the header has no 'descr' string (a structured dtype is not a loss array)")
        })?;
    let fortran_order = match dict_value(text, "fortran_order") {
        Some(v) if v.starts_with("True") => true,
        Some(v) if v.starts_with("False") => false,
        _ => return Err(bad("the header has no 'fortran_order'")),
    };
    let shape = dict_value(text, "shape")
        .and_then(tuple)
        .ok_or_else(|| bad("the header has no 'shape' tuple"))?;
    Ok(Header {
        descr,
        fortran_order,
        shape,
        offset: end,
    })
}

/// The text after `'key':` in the dict literal, spaces skipped.
fn dict_value<'a>(dict: &'a str, key: &str) -> Option<&'a str> {
    let at = dict
        .find(&format!("'{key}'"))
        .or_else(|| dict.find(&format!("\"{key}\"")))?;
    let rest = &dict[at + key.len() + 2..];
    Some(rest.trim_start().strip_prefix(':')?.trim_start())
}

/// The contents of a leading quoted string.
fn quoted(v: &str) -> Option<&str> {
    let q = v.chars().next().filter(|&c| c == '\'' || c == '"')?;
    let rest = &v[1..];
    Some(&rest[..rest.find(q)?])
}

/// A leading tuple of whole numbers: `(3,)`, `(2, 3)`, `()`.
fn tuple(v: &str) -> Option<Vec<usize>> {
    let inner = &v.strip_prefix('(')?[..v.find(')')? - 1];
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches('L').parse().ok())
        .collect()
}

/// Writes a one-dimensional little-endian array as `.npy` format 1.0 (for tests and
/// tools that hand `--losses` a file).
pub fn write<T: NpyElement>(w: &mut dyn std::io::Write, values: &[T]) -> std::io::Result<()> {
    let mut header = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': ({},), }}",
        T::DESCR,
        values.len()
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    w.write_all(b"\x93NUMPY\x01\x00")?;
    w.write_all(&(header.len() as u16).to_le_bytes())?;
    w.write_all(header.as_bytes())?;
    for v in values {
        v.write_le(w)?;
    }
    Ok(())
}

/// An element type [`write`] can store.
pub trait NpyElement: Copy {
    /// The dtype string.
    const DESCR: &'static str;
    /// Writes the value little-endian.
    fn write_le(self, w: &mut dyn std::io::Write) -> std::io::Result<()>;
}

impl NpyElement for f32 {
    const DESCR: &'static str = "<f4";
    fn write_le(self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        w.write_all(&self.to_le_bytes())
    }
}

impl NpyElement for f64 {
    const DESCR: &'static str = "<f8";
    fn write_le(self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        w.write_all(&self.to_le_bytes())
    }
}
