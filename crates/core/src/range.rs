//! Where values lie: their range, and which of them count as within ε of the best.
//!
//! The statistics and the searches both ask these questions; answering them here, below
//! both, keeps the tolerance one number and the imports one-way (stats → search → range).

/// Two values count as equal when comparing with an ε if they differ by at most this
/// share of their magnitude: "within ε" means
/// value(LS*(v)) − best ≤ ε + EPS_SLACK · max(|value(LS*(v))|, |best|).
///
/// The slack absorbs the rounding of values that went through arithmetic (a negated,
/// rescaled or averaged metric): rounding is relative to a value's magnitude, so the
/// slack is too. An absolute slack (1e-9 before) made every start "succeed" on a metric
/// whose values are themselves around 1e-9.
pub const EPS_SLACK: f64 = 1e-9;

/// The smallest and largest of `values`, ignoring NaN; (∞, −∞) when there is none, so
/// that `hi - lo` is never a positive range by accident.
pub fn min_max(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    values
        .into_iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        })
}

/// Whether `loss` is within `eps` of `best`, with the relative [`EPS_SLACK`] tolerance
/// `analyze` uses.
pub fn is_within(loss: f64, best: f64, eps: f64) -> bool {
    loss - best <= eps + EPS_SLACK * loss.abs().max(best.abs())
}

/// `share` × (`hi` − `lo`) for a share in [0, 1], finite whenever `lo` and `hi` are:
/// the halves are subtracted first, so values near ±1.7e308 give a finite ε instead of
/// an overflowed infinity.
pub fn share_of_range(lo: f64, hi: f64, share: f64) -> f64 {
    (hi * 0.5 - lo * 0.5) * share * 2.0
}

/// A power of two that brings the largest magnitude among `values` to about 2^300, so that
/// sums of squares (variances, correlations) cannot overflow; multiplying by a power of
/// two is exact, and correlations do not depend on the scale. 1 when the values are
/// already moderate or there is none.
pub fn correlation_scale(values: &[f64]) -> f64 {
    let top = values
        .iter()
        .filter(|x| x.is_finite())
        .fold(0.0f64, |m, x| m.max(x.abs()));
    if top <= 1e100 {
        return 1.0;
    }
    // top > 1e100 ≈ 2^332: bring it to about 2^300, whose square, summed over even
    // 2^32 terms, is far from overflow; the factor 2^-(e − 300) ≥ 2^-724 is a normal
    // number, so no value loses bits.
    2f64.powi(-(top.log2().ceil() as i32 - 300))
}

/// Vertices within `eps` of the lowest loss, as a mask: the success set of a search.
pub fn within_eps(loss: &[f64], eps: f64) -> Vec<bool> {
    let (best, _) = min_max(loss.iter().copied());
    loss.iter().map(|&l| is_within(l, best, eps)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn range_ignores_nan_and_is_empty_for_nothing() {
        assert_eq!(min_max([3.0, f64::NAN, -1.0, 2.0]), (-1.0, 3.0));
        assert_eq!(min_max([]), (f64::INFINITY, f64::NEG_INFINITY));
        assert_eq!(
            within_eps(&[1.0, 1.0 + 5e-10, 1.5, 2.0], 0.5),
            [true, true, true, false]
        );
        // The slack follows the values' scale: on values around 1e-9, a loss twice the
        // best is not "within 0" of it.
        assert_eq!(
            within_eps(&[1e-9, 2e-9, 1e-9 * (1.0 + 1e-12)], 0.0),
            [true, false, true]
        );
    }

    #[test]
    fn extreme_values_keep_a_finite_range() {
        let (lo, hi): (f64, f64) = (-1.7e308, 1.7e308);
        assert!((hi - lo).is_infinite(), "the plain range overflows");
        let eps = share_of_range(lo, hi, 0.1);
        assert!(eps.is_finite() && (eps - 3.4e307).abs() < 1e293);
        let s = correlation_scale(&[lo, hi]);
        let top = hi * s;
        assert!((top * top * 1e9).is_finite() && top > 1.0);
        assert_eq!(correlation_scale(&[1.0, -3.0]), 1.0);
    }
}
