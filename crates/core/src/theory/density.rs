//! pdf_n: the global density of normalised losses on [0, 1].
//!
//! Three forms, each with what the integrator needs (value, cumulative, breakpoints):
//! - [`PdfN::histogram`]: equal-width bins on [0, 1]. Bin rule (Freedman–Diaconis):
//!   width 2·IQR·n^{−1/3}, so ⌈1/width⌉ bins, clamped to [`MIN_BINS`, `MAX_BINS`]
//!   (200 bins when the IQR is 0, i.e. at least half the values tie). The value 1 falls
//!   in the last bin.
//! - [`PdfN::kde`]: Gaussian kernel density, bandwidth by Silverman's rule
//!   h = 0.9·min(sd, IQR/1.34)·n^{−1/5}, reflected at 0 and 1 so no mass leaks out of
//!   [0, 1], then renormalised to integrate to exactly 1 there. The points are linearly
//!   binned on a grid of step h/64 first (relative change of the estimate ≈ 10⁻⁵), so an
//!   evaluation costs O(1/64) of a bandwidth's worth of bins, not O(n).
//! - [`PdfN::Uniform`]: U[0, 1], the known density of synthetic uniform losses (no
//!   estimation), for checks against closed forms.

use serde::Serialize;

/// Fewest histogram bins.
pub(crate) const MIN_BINS: usize = 10;
/// Most histogram bins (each bin edge is a breakpoint of the integration grid).
pub(crate) const MAX_BINS: usize = 200;

/// A density of normalised losses on [0, 1].
#[derive(Clone, Debug)]
pub enum PdfN {
    /// U[0, 1].
    Uniform,
    /// Equal-width bins; `density[b]` on [b/B, (b+1)/B), `cdf[b]` = mass below b/B.
    Histogram {
        /// Density of each bin.
        density: Vec<f64>,
        /// Mass below each bin's lower edge, so the CDF is one lookup and one product.
        cdf: Vec<f64>,
    },
    /// Reflected Gaussian kernels of bandwidth `h`. The points and their mirror images
    /// in 0 and 1 are linearly binned on the grid `start + k·step` (step = h/64) with
    /// weights `weight`; `below[k]` = `Σ_{j<k} weight[j]`; `offset` and `mass` renormalise.
    Kde {
        /// Position of the first grid point.
        start: f64,
        /// Grid spacing, h/64.
        step: f64,
        /// Binned kernel weight at each grid point.
        weight: Vec<f64>,
        /// Cumulative weight below each grid point, so the CDF needs no sum at query time.
        below: Vec<f64>,
        /// Kernel bandwidth.
        h: f64,
        /// Mass that the reflected kernels put below 0, subtracted when renormalising.
        offset: f64,
        /// Mass on [0, 1] that the CDF is divided by.
        mass: f64,
    },
}

/// How pdf_n was estimated, for the JSON output.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum PdfNInfo {
    /// U[0, 1]: the model of a landscape whose losses are a random permutation.
    Uniform,
    /// Equal-width bins.
    Histogram {
        /// Number of bins.
        bins: usize,
        /// The rule that chose the number of bins, so a reader can reproduce it.
        rule: &'static str,
    },
    /// A reflected Gaussian kernel density estimate.
    Kde {
        /// Kernel bandwidth in normalised units.
        bandwidth: f64,
        /// The rule that chose the bandwidth.
        rule: &'static str,
    },
}

/// Kernel reach in bandwidths: φ(8) < 10⁻¹⁴.
const REACH: f64 = 8.0;

impl PdfN {
    /// Histogram of `x` (values in [0, 1]) with `bins` bins, or the Freedman–Diaconis count.
    pub fn histogram(x: &[f64], bins: Option<usize>) -> PdfN {
        let b = bins.unwrap_or_else(|| freedman_diaconis_bins(x)).max(1);
        let mut counts = vec![0u64; b];
        for &v in x {
            counts[bin_of(v, b)] += 1;
        }
        let n = x.len() as f64;
        let density: Vec<f64> = counts.iter().map(|&c| c as f64 / n * b as f64).collect();
        let mut cdf = vec![0.0; b + 1];
        for i in 0..b {
            cdf[i + 1] = cdf[i] + counts[i] as f64 / n;
        }
        PdfN::Histogram { density, cdf }
    }

    /// Reflected Gaussian kernel density of `x` (values in [0, 1]), Silverman bandwidth.
    pub fn kde(x: &[f64]) -> PdfN {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let sd = (x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        let (q1, q3) = quartiles(x);
        let spread = if q3 > q1 {
            sd.min((q3 - q1) / 1.34)
        } else {
            sd
        };
        let h = (0.9 * spread * n.powf(-0.2)).max(1e-4);
        let step = h / 64.0;
        let start = -REACH * h - step;
        let len = ((1.0 + 2.0 * REACH * h) / step).ceil() as usize + 3;
        let mut weight = vec![0.0; len];
        for c in x.iter().flat_map(|&v| [v, -v, 2.0 - v]) {
            let t = (c - start) / step;
            if t < 0.0 || t >= (len - 1) as f64 {
                continue; // an image too far out to reach [0, 1]
            }
            let k = t as usize;
            let frac = t - k as f64;
            weight[k] += 1.0 - frac;
            weight[k + 1] += frac;
        }
        let mut below = vec![0.0; len + 1];
        for k in 0..len {
            below[k + 1] = below[k] + weight[k];
        }
        // Mass of every kernel below 0, so that the cumulative starts at 0.
        let offset: f64 = weight
            .iter()
            .enumerate()
            .map(|(k, w)| w * norm_cdf(-(start + k as f64 * step) / h))
            .sum();
        let mut pdf = PdfN::Kde {
            start,
            step,
            weight,
            below,
            h,
            offset,
            mass: 1.0,
        };
        let mass = pdf.cdf(1.0);
        if let PdfN::Kde { mass: m, .. } = &mut pdf {
            *m = mass;
        }
        pdf
    }

    /// Bins of a binned KDE within reach of x.
    fn window(start: f64, step: f64, len: usize, h: f64, x: f64) -> (usize, usize) {
        let lo = ((x - REACH * h - start) / step).ceil().max(0.0) as usize;
        let hi = (((x + REACH * h - start) / step).floor().max(-1.0) as i64 + 1) as usize;
        (lo.min(len), hi.min(len))
    }

    /// The density at x ∈ [0, 1].
    pub fn density(&self, x: f64) -> f64 {
        match self {
            PdfN::Uniform => 1.0,
            PdfN::Histogram { density, .. } => density[bin_of(x, density.len())],
            PdfN::Kde {
                start,
                step,
                weight,
                h,
                mass,
                ..
            } => {
                let (lo, hi) = Self::window(*start, *step, weight.len(), *h, x);
                (lo..hi)
                    .map(|k| weight[k] * norm_pdf((x - start - k as f64 * step) / h))
                    .sum::<f64>()
                    / (h * mass)
            }
        }
    }

    /// The mass below x ∈ [0, 1].
    pub fn cdf(&self, x: f64) -> f64 {
        let x = x.clamp(0.0, 1.0);
        match self {
            PdfN::Uniform => x,
            PdfN::Histogram { density, cdf } => {
                let b = density.len();
                let i = bin_of(x, b);
                cdf[i] + density[i] * (x - i as f64 / b as f64)
            }
            PdfN::Kde {
                start,
                step,
                weight,
                below,
                h,
                offset,
                mass,
            } => {
                let (lo, hi) = Self::window(*start, *step, weight.len(), *h, x);
                let near: f64 = (lo..hi)
                    .map(|k| weight[k] * norm_cdf((x - start - k as f64 * step) / h))
                    .sum();
                (below[lo] + near - offset) / mass
            }
        }
    }

    /// Points where the density may jump (bin edges), for the integration grid.
    pub(crate) fn breakpoints(&self) -> Vec<f64> {
        match self {
            PdfN::Histogram { density, .. } => {
                let b = density.len();
                (1..b).map(|i| i as f64 / b as f64).collect()
            }
            _ => vec![],
        }
    }

    /// Widest integration panel that resolves the density's features.
    pub(crate) fn max_width(&self) -> f64 {
        match self {
            PdfN::Kde { h, .. } => h / 2.0,
            _ => 1.0,
        }
    }

    /// What this density is, for output.
    pub fn info(&self) -> PdfNInfo {
        match self {
            PdfN::Uniform => PdfNInfo::Uniform,
            PdfN::Histogram { density, .. } => PdfNInfo::Histogram {
                bins: density.len(),
                rule: "freedman-diaconis",
            },
            PdfN::Kde { h, .. } => PdfNInfo::Kde {
                bandwidth: *h,
                rule: "silverman, reflected at 0 and 1",
            },
        }
    }
}

/// The bin of x ∈ [0, 1] among `b` equal bins (1 goes in the last).
#[inline]
pub(crate) fn bin_of(x: f64, b: usize) -> usize {
    ((x * b as f64) as usize).min(b - 1)
}

/// Freedman–Diaconis bin count on [0, 1], clamped to [MIN_BINS, MAX_BINS].
pub fn freedman_diaconis_bins(x: &[f64]) -> usize {
    let (q1, q3) = quartiles(x);
    if q3 <= q1 {
        return MAX_BINS;
    }
    let width = 2.0 * (q3 - q1) * (x.len() as f64).powf(-1.0 / 3.0);
    ((1.0 / width).ceil() as usize).clamp(MIN_BINS, MAX_BINS)
}

/// First and third quartiles (nearest rank).
fn quartiles(x: &[f64]) -> (f64, f64) {
    let mut s = x.to_vec();
    s.sort_by(f64::total_cmp);
    let at = |q: f64| s[((q * (s.len() - 1) as f64).round() as usize).min(s.len() - 1)];
    (at(0.25), at(0.75))
}

/// Standard normal density.
#[inline]
pub(crate) fn norm_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal cumulative, accurate in both tails.
#[inline]
pub(crate) fn norm_cdf(z: f64) -> f64 {
    0.5 * libm::erfc(-z / std::f64::consts::SQRT_2)
}

/// Φ(a) − Φ(b) for a ≥ b without cancellation when both are far in the upper tail.
#[inline]
pub(crate) fn norm_diff(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        0.5 * (libm::erfc(b / std::f64::consts::SQRT_2) - libm::erfc(a / std::f64::consts::SQRT_2))
    } else {
        norm_cdf(a) - norm_cdf(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(n: usize) -> Vec<f64> {
        // A skewed deterministic sample: x = u² on a regular grid of u.
        (0..n)
            .map(|i| ((i as f64 + 0.5) / n as f64).powi(2))
            .collect()
    }

    #[test]
    fn histogram_integrates_to_one_and_follows_the_rule() {
        let x = sample(10_000);
        let pdf = PdfN::histogram(&x, None);
        let b = freedman_diaconis_bins(&x);
        assert!((MIN_BINS..=MAX_BINS).contains(&b));
        assert_eq!(pdf.breakpoints().len(), b - 1);
        assert!((pdf.cdf(1.0) - 1.0).abs() < 1e-12);
        // u² has cdf √x.
        for t in [0.1, 0.25, 0.5, 0.9] {
            if t > 0.1 {
                // Away from the singularity of the density at 0, the smoothing bias is small.
                assert!((pdf.cdf(t) - t.sqrt()).abs() < 0.02, "{t}: {}", pdf.cdf(t));
            }
        }
    }

    #[test]
    fn kde_is_a_density_on_the_unit_interval() {
        let x = sample(5_000);
        let pdf = PdfN::kde(&x);
        assert!(pdf.cdf(0.0).abs() < 1e-12);
        assert!((pdf.cdf(1.0) - 1.0).abs() < 1e-12);
        // The density is the derivative of the cumulative.
        for t in [0.05, 0.3, 0.7] {
            let d = (pdf.cdf(t + 1e-6) - pdf.cdf(t - 1e-6)) / 2e-6;
            assert!((d - pdf.density(t)).abs() < 1e-4 * pdf.density(t), "{t}");
            if t > 0.1 {
                // Away from the singularity of the density at 0, the smoothing bias is small.
                assert!((pdf.cdf(t) - t.sqrt()).abs() < 0.02, "{t}: {}", pdf.cdf(t));
            }
        }
    }

    #[test]
    fn normal_differences_in_the_tail() {
        assert!((norm_diff(40.0, 39.0) - 0.0).abs() < 1e-300);
        // Φ(10) − Φ(9) = Φ(−9) − Φ(−10), where the lower tails are accurate.
        let d = norm_diff(10.0, 9.0);
        let e = norm_cdf(-9.0) - norm_cdf(-10.0);
        assert!(d > 1e-19 && ((d - e) / e).abs() < 1e-12, "{d} vs {e}");
        assert!((norm_diff(1.0, -1.0) - 0.6826894921370859).abs() < 1e-15);
    }
}
