//! Where values lie: their range, and which of them count as within ε of the best.
//!
//! The statistics and the searches both ask these questions; answering them here, below
//! both, keeps the tolerance one number and the imports one-way (stats → search → range).

/// Two values closer than this count as equal when comparing with an ε (issue contract:
/// "within ε" means |value(LS*(v)) − best| ≤ ε + 1e-9).
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

/// Whether `loss` is within `eps` of `best`, with the [`EPS_SLACK`] tolerance `analyze`
/// uses.
pub fn is_within(loss: f64, best: f64, eps: f64) -> bool {
    loss - best <= eps + EPS_SLACK
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
    }
}
