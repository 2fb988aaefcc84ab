//! The number types a loss vector may hold.
//!
//! The kernels are generic over the loss type so that one code path serves both the exact
//! f64 values of a table and the f32 values that halve the memory of a billion-vertex
//! space. Every f32 widens to f64 exactly, so statistics computed from f32 losses equal,
//! to the last bit, those computed from the same values stored as f64.

use std::cmp::Ordering;
use std::fmt::Debug;

/// A loss value: compared as a float, widened to f64 exactly for reporting.
pub trait Loss: Copy + PartialOrd + Default + Debug + Send + Sync + 'static {
    /// Worse than every finite loss: "no neighbour yet".
    const INFINITY: Self;
    /// The value as f64; exact for every implementor.
    fn to_f64(self) -> f64;
    /// IEEE total order, for sorting.
    fn total_cmp(&self, other: &Self) -> Ordering;
}

impl Loss for f64 {
    const INFINITY: Self = f64::INFINITY;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline(always)]
    fn total_cmp(&self, other: &Self) -> Ordering {
        f64::total_cmp(self, other)
    }
}

impl Loss for f32 {
    const INFINITY: Self = f32::INFINITY;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as f64
    }
    #[inline(always)]
    fn total_cmp(&self, other: &Self) -> Ordering {
        f32::total_cmp(self, other)
    }
}

/// The values of `loss` as f32 if every one of them round-trips exactly, else `None`.
/// Checked value by value: a table whose values happen to be f32-representable (e.g.
/// read from an f32 export) loses nothing by being analysed in half the memory.
pub fn narrow_exact(loss: &[f64]) -> Option<Vec<f32>> {
    use rayon::prelude::*;
    let narrow: Vec<f32> = loss.par_iter().map(|&x| x as f32).collect();
    let exact = narrow
        .par_iter()
        .zip(loss.par_iter())
        .all(|(&y, &x)| y as f64 == x || (x.is_nan() && y.is_nan()));
    exact.then_some(narrow)
}

/// The values of `loss` rounded to the nearest f32, with the largest absolute rounding.
pub fn narrow_rounded(loss: &[f64]) -> (Vec<f32>, f64) {
    use rayon::prelude::*;
    let narrow: Vec<f32> = loss.par_iter().map(|&x| x as f32).collect();
    let max = narrow
        .par_iter()
        .zip(loss.par_iter())
        .map(|(&y, &x)| (y as f64 - x).abs())
        .reduce(|| 0.0, f64::max);
    (narrow, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowing_is_exact_only_when_every_value_round_trips() {
        assert_eq!(
            narrow_exact(&[0.5, 0.25, -3.0]),
            Some(vec![0.5, 0.25, -3.0])
        );
        assert_eq!(narrow_exact(&[0.5, 0.1]), None);
        let (v, max) = narrow_rounded(&[0.5, 0.1]);
        assert_eq!(v, vec![0.5f32, 0.1f32]);
        assert_eq!(max, (0.1f32 as f64 - 0.1).abs());
        assert!(max > 0.0);
    }
}
