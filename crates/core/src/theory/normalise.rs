//! Losses mapped to [0, 1] with the global minimum at 0: the units of the theory.
//!
//! x(v) = (loss(v) − min loss) / (max loss − min loss). The loss is "lower is better"
//! (a maximised metric is negated first), so x = 0 is the best architecture and x = 1
//! the worst whatever the metric's direction. An ε in these units is ε × range in the
//! metric's own units, which is how `nasland theory` sets the exact P(ε) beside the
//! predicted one.

use anyhow::{bail, Result};

/// Normalised losses and the affine map back to metric distances.
#[derive(Clone, Debug)]
pub struct Normalised {
    /// Lowest loss (the best value, in loss units).
    pub min: f64,
    /// max loss − min loss (infinite when that overflows; see `half_range`).
    pub range: f64,
    /// (max loss − min loss) / 2, finite whenever the losses are.
    pub half_range: f64,
    /// x(v) ∈ [0, 1] for every vertex.
    pub x: Vec<f64>,
}

impl Normalised {
    /// Normalises `loss`; fails when it is empty, has a non-finite value or is constant.
    pub fn new(loss: &[f64]) -> Result<Self> {
        if loss.is_empty() {
            bail!("no losses to normalise");
        }
        if let Some(v) = loss.iter().position(|x| !x.is_finite()) {
            bail!(
                "vertex {v} has loss {}: the theory needs finite values",
                loss[v]
            );
        }
        let (min, max) = crate::range::min_max(loss.iter().copied());
        // Halves first: max − min overflows for values near ±1.7e308, the halves do not.
        let half = max * 0.5 - min * 0.5;
        let range = half * 2.0;
        if half <= 0.0 {
            bail!(
                "every vertex has the same value {min}: there is no landscape to predict (P(ε) = 1)"
            );
        }
        let x = loss
            .iter()
            .map(|&l| ((l * 0.5 - min * 0.5) / half).clamp(0.0, 1.0))
            .collect();
        Ok(Normalised {
            min,
            range,
            half_range: half,
            x,
        })
    }

    /// An ε in normalised units as a distance in the metric's units.
    pub fn to_metric(&self, eps_norm: f64) -> f64 {
        // Through the half range, so that ε ≤ 1/2 of an overflowing range stays finite.
        eps_norm * self.half_range * 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_best_to_zero_and_worst_to_one() {
        let n = Normalised::new(&[3.0, 1.0, 5.0, 2.0]).unwrap();
        assert_eq!(n.x, vec![0.5, 0.0, 1.0, 0.25]);
        assert_eq!(n.to_metric(0.1), 0.4);
        assert!(Normalised::new(&[2.0, 2.0]).is_err());
        assert!(Normalised::new(&[2.0, f64::NAN]).is_err());
    }
}
