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
    /// An integer in the order of [`Loss::total_cmp`]: sorting by it sorts by the loss,
    /// without reading the losses again at every comparison.
    fn order_key(self) -> u64;
}

/// Maps IEEE bits to unsigned integers in total order: negative values have their
/// magnitude bits flipped (as `total_cmp` does) and the sign bit is flipped for all, so
/// that negatives come first.
macro_rules! order_key {
    ($bits:expr, $signed:ty, $unsigned:ty) => {{
        let bits = $bits;
        let flip = ((bits as $signed >> (<$unsigned>::BITS - 1)) as $unsigned) >> 1;
        ((bits ^ flip) ^ (1 << (<$unsigned>::BITS - 1))) as u64
    }};
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
    #[inline(always)]
    fn order_key(self) -> u64 {
        order_key!(self.to_bits(), i64, u64)
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
    #[inline(always)]
    fn order_key(self) -> u64 {
        order_key!(self.to_bits(), i32, u32)
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
    use proptest::prelude::*;

    const SPECIAL: [f64; 12] = [
        f64::NEG_INFINITY,
        -1.5,
        -f64::MIN_POSITIVE,
        -0.0,
        0.0,
        f64::MIN_POSITIVE,
        1e-300,
        0.1,
        1.0,
        f64::MAX,
        f64::INFINITY,
        f64::NAN,
    ];

    fn assert_same_order<L: Loss>(a: L, b: L) {
        assert_eq!(
            a.order_key().cmp(&b.order_key()),
            a.total_cmp(&b),
            "{a:?} {b:?}"
        );
    }

    #[test]
    fn order_keys_follow_the_total_order_on_special_values() {
        for a in SPECIAL.iter().chain(&[-f64::NAN]) {
            for b in SPECIAL.iter().chain(&[-f64::NAN]) {
                assert_same_order(*a, *b);
                assert_same_order(*a as f32, *b as f32);
            }
        }
    }

    proptest! {
        #[test]
        fn order_keys_follow_the_total_order(a in any::<u64>(), b in any::<u64>()) {
            assert_same_order(f64::from_bits(a), f64::from_bits(b));
            assert_same_order(f32::from_bits(a as u32), f32::from_bits(b as u32));
        }
    }

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
