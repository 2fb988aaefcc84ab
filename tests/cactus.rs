//! The cactus recursion (docs/THEORY.md §3a): it is tree-exact when cliques are edges, its
//! numerics meet its closed forms for iid uniform losses, and the CLI refuses spaces that
//! have no clique structure.

use crate::util::nasland;
use nasland::theory::cactus::{self, CactusErrorKind, Cliques};
use nasland::theory::density::PdfN;
use nasland::theory::edge::{PdfE, SigmaFit};
use nasland::theory::predict::{predict, Model, Options, Prediction};
use nasland::theory::recursion::Recursion;

const EPS: [f64; 7] = [0.0003, 0.003, 0.01, 0.03, 0.1, 0.3, 0.77];
const PROFILE: [f64; 5] = [0.0, 0.0005, 0.01, 0.2, 0.6];
/// The four Hamming spaces of the study: NB201 (5^6), 4^8, 8^5, 3^10.
const HAMMING: [(usize, usize); 4] = [(5, 6), (4, 8), (8, 5), (3, 10)];

fn run(
    pdf_n: &PdfN,
    pdf_e: &PdfE,
    s: usize,
    recursion: Recursion,
    cliques: Option<Cliques>,
) -> Prediction {
    predict(
        Model {
            pdf_n,
            pdf_e,
            s,
            n: 10_000,
        },
        &Options {
            recursion,
            eps_norm: EPS.to_vec(),
            profile_x: PROFILE.to_vec(),
            cliques,
            ..Options::default()
        },
    )
}

fn paper_pdf_e(sigma: f64) -> PdfE {
    PdfE::Paper {
        fit: SigmaFit {
            sigma,
            log_likelihood: 0.0,
            pairs: 0,
            at_bound: false,
        },
    }
}

/// Cliques of two are edges: the cactus of K = 2 is the tree, for any pdf_e, so every
/// number the two recursions give agrees to rounding.
#[test]
fn cactus_of_edges_is_tree_exact() {
    let skewed = PdfN::histogram(
        &(0..4000)
            .map(|i| ((i as f64 + 0.5) / 4000.0).powi(3))
            .collect::<Vec<_>>(),
        Some(40),
    );
    let cases = [
        (PdfN::Uniform, PdfE::Iid),
        (PdfN::Uniform, paper_pdf_e(0.15)),
        (skewed.clone(), paper_pdf_e(0.3)),
        (skewed, PdfE::Iid),
    ];
    for (pdf_n, pdf_e) in &cases {
        for s in [2usize, 5, 24] {
            let tree = run(pdf_n, pdf_e, s, Recursion::TreeExact, None);
            let cac = run(
                pdf_n,
                pdf_e,
                s,
                Recursion::Cactus,
                Some(Cliques::new(2, s).unwrap()),
            );
            let what = format!("s={s} {pdf_e:?}");
            assert!(cac.accuracy.converged, "{what}");
            assert!(
                (tree.local_minima - cac.local_minima).abs() < 1e-9 * tree.local_minima,
                "{what}"
            );
            assert!((tree.normaliser - cac.normaliser).abs() < 1e-10, "{what}");
            for (a, b) in tree.eps_curve.iter().zip(&cac.eps_curve) {
                assert!(
                    (a.p - b.p).abs() < 1e-10,
                    "{what} ε={}: {} vs {}",
                    a.eps_norm,
                    a.p,
                    b.p
                );
            }
            for (a, b) in tree.profile.iter().zip(&cac.profile) {
                assert!(
                    (a.basin - b.basin).abs() < 1e-9 * a.basin,
                    "{what} x={}",
                    a.x
                );
                assert!(
                    (a.basin_of_minimum - b.basin_of_minimum).abs() < 1e-9 * a.basin_of_minimum,
                    "{what} x={}",
                    a.x
                );
            }
        }
    }
}

/// The closed forms themselves: K = 2 gives the tree's coefficients, and the P(ε) weight
/// integrates to 1 (every start is counted once) for every K and D.
#[test]
fn uniform_closed_forms_are_consistent() {
    use nasland::theory::iid;
    for s in [2usize, 5, 24] {
        for j in 1..6 {
            for x in [0.0, 0.1, 0.5] {
                let a = cactus::uniform_preimage(Cliques::edges(s), j, x);
                let b = iid::uniform_preimage(Recursion::TreeExact, s, j, x);
                assert!((a - b).abs() <= 1e-12 * b.max(1e-300), "s={s} j={j} x={x}");
            }
        }
    }
    for (k, d) in HAMMING.into_iter().chain([(2, 1), (7, 1), (3, 2), (10, 3)]) {
        let c = Cliques::new(k, d).unwrap();
        let total = cactus::uniform_eps_mass(c, 1.0);
        assert!((total - 1.0).abs() < 1e-12, "K={k} D={d}: {total}");
        // The first level needs only u's closed neighbourhood: s q^s whatever the cliques.
        let s = c.degree();
        let first = cactus::uniform_preimage(c, 1, 0.3);
        assert!((first - s as f64 * 0.7f64.powi(s as i32)).abs() < 1e-12);
    }
    // Clique-mates share neighbours, so deeper levels are smaller than on the tree.
    let (nb201, tree) = (Cliques::new(5, 6).unwrap(), Cliques::edges(24));
    assert!(cactus::uniform_preimage(nb201, 2, 0.0) < cactus::uniform_preimage(tree, 2, 0.0));
    assert!(cactus::uniform_p_eps(nb201, 0.03) < cactus::uniform_p_eps(tree, 0.03));
}

/// The numerical pipeline agrees with the closed forms on the four Hamming spaces, and
/// E[#LM] = n/(s + 1), which needs only the closed neighbourhood, does not depend on the
/// structure: cactus and tree give it alike.
#[test]
fn uniform_numerics_match_closed_forms() {
    for (k, d) in HAMMING {
        let c = Cliques::new(k, d).unwrap();
        let s = c.degree();
        let pred = run(&PdfN::Uniform, &PdfE::Iid, s, Recursion::Cactus, Some(c));
        let tree = run(&PdfN::Uniform, &PdfE::Iid, s, Recursion::TreeExact, None);
        let what = format!("{k}^{d}");
        assert!(pred.accuracy.converged, "{what}");
        let lm = 10_000.0 / (s as f64 + 1.0);
        assert!(
            (pred.local_minima - lm).abs() / lm < 1e-6,
            "{what}: {}",
            pred.local_minima
        );
        assert!(
            (pred.local_minima - tree.local_minima).abs() / lm < 1e-12,
            "{what}"
        );
        assert!(
            (pred.normaliser - 1.0).abs() < 1e-6,
            "{what}: {}",
            pred.normaliser
        );
        for pt in &pred.eps_curve {
            let want = cactus::uniform_p_eps(c, pt.eps_norm);
            assert!(
                (pt.p - want).abs() < 1e-6,
                "{what} ε={}: {} vs {want}",
                pt.eps_norm,
                pt.p
            );
        }
        for pr in &pred.profile {
            for (j, v) in pr.preimage.iter().enumerate() {
                let want = cactus::uniform_preimage(c, j + 1, pr.x);
                assert!(
                    (v - want).abs() < 1e-6 * want.max(1.0),
                    "{what} x={} level {}",
                    pr.x,
                    j + 1
                );
            }
            let want = cactus::uniform_basin(c, pr.x);
            assert!((pr.basin - want).abs() < 1e-6 * want, "{what} x={}", pr.x);
        }
    }
}

/// Only a product space whose positions all have the same number of choices has the
/// cactus's cliques.
#[test]
fn cliques_of_radices() {
    assert_eq!(
        Cliques::of_radices(&[5; 6]).unwrap(),
        Cliques { k: 5, d: 6 }
    );
    // A position with one choice changes nothing.
    assert_eq!(
        Cliques::of_radices(&[1, 4, 4]).unwrap(),
        Cliques { k: 4, d: 2 }
    );
    assert!(matches!(
        Cliques::of_radices(&[3, 4, 5]).unwrap_err().kind(),
        CactusErrorKind::MixedRadices(_)
    ));
    assert!(matches!(
        Cliques::of_radices(&[1, 1]).unwrap_err().kind(),
        CactusErrorKind::NoNeighbours
    ));
    assert!(Cliques::new(1, 3).is_err());
}

#[test]
fn cli_runs_cactus_on_hamming_spaces_and_refuses_others() {
    let out = nasland()
        .args([
            "theory", "--space", "4^5", "--seed", "3", "--pdf-n", "uniform", "--pdf-e", "iid",
        ])
        .args(["--recursion", "cactus", "--eps-norm", "0.01,0.1", "--json"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let c = Cliques::new(4, 5).unwrap();
    let p = doc["predicted"]["eps_curve"][1]["p"].as_f64().unwrap();
    assert!((p - cactus::uniform_p_eps(c, 0.1)).abs() < 1e-6, "{p}");
    for args in [
        &["--space", "3x4x5"][..],
        &["--random-regular", "1000,4"][..],
    ] {
        nasland()
            .arg("theory")
            .args(args)
            .args([
                "--pdf-n",
                "uniform",
                "--pdf-e",
                "iid",
                "--recursion",
                "cactus",
            ])
            .assert()
            .failure();
    }
}
