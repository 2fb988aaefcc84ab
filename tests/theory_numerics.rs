//! The theory's numerical integration against closed forms and identities.

use nasland::theory::density::PdfN;
use nasland::theory::edge::{self, PdfE};
use nasland::theory::iid;
use nasland::theory::predict::{predict, Model, Options};
use nasland::theory::recursion::Recursion;

const EPS: [f64; 8] = [0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.77];

fn options(recursion: Recursion) -> Options {
    Options {
        recursion,
        eps_norm: EPS.to_vec(),
        profile_x: vec![0.0, 0.0005, 0.01, 0.2, 0.6],
        ..Options::default()
    }
}

/// iid uniform losses: every predicted number within 1e-6 of its closed form, for both
/// recursions and several degrees.
#[test]
fn uniform_numerics_match_closed_forms() {
    for s in [2usize, 5, 24, 35] {
        for recursion in [Recursion::Paper, Recursion::TreeExact] {
            let n = 15_625;
            let model = Model {
                pdf_n: &PdfN::Uniform,
                pdf_e: &PdfE::Iid,
                s,
                n,
            };
            let pred = predict(model, &options(recursion));
            let what = format!("s={s} {recursion:?}");
            assert!(pred.accuracy.converged, "{what}");
            let lm = n as f64 / (s as f64 + 1.0);
            assert!(
                (pred.local_minima - lm).abs() / lm < 1e-6,
                "{what}: {}",
                pred.local_minima
            );
            let total = iid::uniform_eps_mass(recursion, s, 1.0);
            assert!(
                (pred.normaliser - total).abs() < 1e-6,
                "{what}: {} vs {total}",
                pred.normaliser
            );
            for pt in &pred.eps_curve {
                let want = iid::uniform_p_eps(recursion, s, pt.eps_norm);
                assert!(
                    (pt.p - want).abs() < 1e-6,
                    "{what} ε={}: {} vs {want}",
                    pt.eps_norm,
                    pt.p
                );
            }
            assert!(
                pred.accuracy.p_abs < 1e-6,
                "{what}: stated accuracy {}",
                pred.accuracy.p_abs
            );
            for pr in &pred.profile {
                let x = pr.x;
                assert!(
                    (pr.p_min - iid::uniform_min_prob(s, x)).abs() < 1e-6,
                    "{what} x={x}"
                );
                for (k, &got) in pr.preimage.iter().enumerate() {
                    let want = iid::uniform_preimage(recursion, s, k + 1, x);
                    assert!(
                        (got - want).abs() < 1e-6 * want.max(1.0),
                        "{what} x={x} k={}: {got} vs {want}",
                        k + 1
                    );
                }
                let want = iid::uniform_basin(recursion, s, x);
                assert!(
                    (pr.basin - want).abs() < 1e-6 * want,
                    "{what} x={x}: {} vs {want}",
                    pr.basin
                );
            }
        }
    }
}

/// With pdf_e = pdf_n, E[#LM] = n ∫ pdf_n (1 − F)^s = n/(s + 1) for any continuous pdf_n.
#[test]
fn iid_local_minima_identity_for_any_pdf_n() {
    let shapes: Vec<(&str, Vec<f64>)> = vec![
        (
            "square",
            (0..5_000)
                .map(|i| ((i as f64 + 0.5) / 5_000.0).powi(2))
                .collect(),
        ),
        (
            "root",
            (0..5_000)
                .map(|i| ((i as f64 + 0.5) / 5_000.0).sqrt())
                .collect(),
        ),
        (
            "bimodal",
            (0..5_000)
                .map(|i| {
                    let u = (i as f64 + 0.5) / 5_000.0;
                    if i % 2 == 0 {
                        0.1 + 0.1 * u
                    } else {
                        0.7 + 0.3 * u * u
                    }
                })
                .collect(),
        ),
    ];
    for (name, x) in &shapes {
        for pdf_n in [
            PdfN::histogram(x, None),
            PdfN::histogram(x, Some(37)),
            PdfN::kde(x),
        ] {
            for s in [3usize, 24] {
                let n = 10_000;
                let model = Model {
                    pdf_n: &pdf_n,
                    pdf_e: &PdfE::Iid,
                    s,
                    n,
                };
                let pred = predict(model, &options(Recursion::TreeExact));
                let want = n as f64 / (s as f64 + 1.0);
                assert!(
                    (pred.local_minima - want).abs() / want < 1e-6,
                    "{name} {:?} s={s}: {} vs {want}",
                    pdf_n.info(),
                    pred.local_minima
                );
                // On a tree every start is counted once, whatever pdf_n (iid losses).
                assert!(
                    (pred.normaliser - 1.0).abs() < 1e-6,
                    "{name} s={s}: {}",
                    pred.normaliser
                );
            }
        }
    }
}

/// σ of the `paper` model recovered from data drawn from that model on a tree.
#[test]
fn paper_sigma_is_recovered_on_a_tree() {
    // The complete ternary tree: 4 neighbours inside, every edge drawn from the model.
    let n = 60_000;
    let edges: Vec<(u32, u32)> = (1..n as u32).map(|v| (v, (v - 1) / 3)).collect();
    let tree = nasland::space::Csr::from_undirected_edges(n, &edges).unwrap();
    for (sigma, seed) in [(0.03, 1), (0.1, 2), (0.4, 3)] {
        let x = edge::sample_paper_model(&tree, sigma, seed);
        let fit = edge::fit_sigma(&tree, &x);
        assert!(!fit.at_bound);
        assert!(
            (fit.sigma - sigma).abs() < 0.02 * sigma,
            "σ={sigma}: fitted {}",
            fit.sigma
        );
    }
}
