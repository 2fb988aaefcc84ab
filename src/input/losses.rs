//! A loss vector in the type it came in: f32 (synthetic models, f32 files, narrowed
//! tables), f64, or a mapped `.npy` file viewed in place.
//!
//! Most commands want `&[f64]` and get it from [`Losses::into_f64`], which widens f32
//! exactly. `analyze` keeps the narrow type, so a billion-vertex space fits in memory.

use super::npy::{self, Mapped};
use nasland_core::landscape::loss::{narrow_exact, narrow_rounded};

/// One loss per vertex, lower is better.
pub enum Losses {
    /// f32 values.
    F32(Vec<f32>),
    /// f64 values.
    F64(Vec<f64>),
    /// A mapped `.npy` file whose values are the losses as they are (no negation needed,
    /// aligned), viewed without a copy.
    Mapped(Mapped),
}

/// The values, borrowed in their own type.
pub enum View<'a> {
    /// f32 values.
    F32(&'a [f32]),
    /// f64 values.
    F64(&'a [f64]),
}

impl Losses {
    /// The values in their own type.
    pub fn view(&self) -> View<'_> {
        match self {
            Losses::F32(v) => View::F32(v),
            Losses::F64(v) => View::F64(v),
            Losses::Mapped(m) => match m.values() {
                npy::Values::F32(v) => View::F32(v),
                npy::Values::F64(v) => View::F64(v),
                npy::Values::Unaligned => unreachable!("unaligned files are copied when opened"),
            },
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self.view() {
            View::F32(v) => v.len(),
            View::F64(v) => v.len(),
        }
    }

    /// True when there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values as f64 (f32 widens exactly).
    pub fn into_f64(self) -> Vec<f64> {
        match self {
            Losses::F64(v) => v,
            other => match other.view() {
                View::F32(v) => v.iter().map(|&x| x as f64).collect(),
                View::F64(v) => v.to_vec(),
            },
        }
    }

    /// The values as f32 when every one round-trips exactly, else unchanged.
    pub fn narrowed_if_exact(self) -> Losses {
        let narrow = match self.view() {
            View::F32(_) => return self,
            View::F64(v) => narrow_exact(v),
        };
        match narrow {
            Some(v) => Losses::F32(v),
            None => self,
        }
    }

    /// The values rounded to f32, with the largest absolute rounding (0 when exact).
    pub fn narrowed(self) -> (Losses, f64) {
        match self.view() {
            View::F32(_) => (self, 0.0),
            View::F64(v) => {
                let (v, max) = narrow_rounded(v);
                (Losses::F32(v), max)
            }
        }
    }
}

impl std::fmt::Debug for Losses {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (what, n) = match self {
            Losses::F32(v) => ("f32", v.len()),
            Losses::F64(v) => ("f64", v.len()),
            Losses::Mapped(m) => ("mapped", m.values_len()),
        };
        write!(f, "Losses::{what}({n} values)")
    }
}
