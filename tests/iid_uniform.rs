//! iid continuous losses: the local-minima count must match its exact distribution.
//!
//! The mean over R seeds has standard error sd/√R, with sd the exact standard deviation
//! of the count (theory::iid::hamming_local_minima_variance, itself checked by
//! enumeration in its unit tests). A deviation beyond 5 standard errors has probability
//! below 6·10⁻⁷ under a correct implementation.

use nasland::landscape::Landscape;
use nasland::space::{Neighbourhood, ProductSpace};
use nasland::synth::Model;
use nasland::theory::iid;

fn check(spec: &str, seeds: u64) {
    let space = ProductSpace::parse(spec).unwrap();
    let expected = iid::expected_local_minima(&space);
    let radices = space.radices();
    let var = iid::hamming_local_minima_variance(radices);
    let counts: Vec<f64> = (0..seeds)
        .map(|seed| {
            let loss = Model::Uniform.draw(space.len(), seed);
            let land = Landscape::of_product(&space, &loss);
            assert_eq!(
                land.local_minima, land.strict_local_minima,
                "no ties expected"
            );
            land.local_minima as f64
        })
        .collect();
    let r = seeds as f64;
    let mean = counts.iter().sum::<f64>() / r;
    let se = (var / r).sqrt();
    assert!(
        (mean - expected).abs() < 5.0 * se,
        "{spec}: mean {mean} over {seeds} seeds, expected {expected} ± {se} (s.e.)"
    );
    // The sample variance against the exact one: for R = 400 its relative s.e. is about
    // √(2/R) = 7%; allow 6 of those.
    let sample_var = counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (r - 1.0);
    assert!(
        (sample_var / var - 1.0).abs() < 6.0 * (2.0 / r).sqrt(),
        "{spec}: sample variance {sample_var}, exact {var}"
    );
}

#[test]
fn nb201_mean_is_625() {
    let space = ProductSpace::parse("nb201").unwrap();
    assert!((iid::expected_local_minima(&space) - 625.0).abs() < 1e-9);
    check("nb201", 400);
}

#[test]
fn other_product_spaces() {
    check("tnb101", 400);
    check("3x4x5x2", 400);
    check("2^12", 400);
}
