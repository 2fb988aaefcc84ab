//! A complete graph, `100000^1`: every vertex is a neighbour of every other, so anything
//! that scans neighbourhoods one by one reads 10¹⁰ arcs and runs for minutes (issue 14,
//! item 11). These runs finish in a fraction of a second; a quadratic stage would make
//! the suite time out, which is the failure (no timed assertion).
//!
//! The expected numbers follow from the shape. On a clique the only local minima are the
//! global minima, and every other vertex has the optimum as a neighbour: best improvement
//! reaches it in one move, first improvement in some, and every start succeeds. With one
//! optimum (the synthetic losses of seed 1 have one) best improvement from a start of
//! the other n − 1 scans its n − 1 neighbours, moves, scans again and stops: 2n − 1
//! evaluations with the start, n from the optimum itself.

use crate::util::json;
use serde_json::Value;

const N: f64 = 100_000.0;

fn f(v: &Value, path: &[&str]) -> f64 {
    let mut v = v;
    for p in path {
        v = &v[*p];
    }
    v.as_f64()
        .unwrap_or_else(|| panic!("{path:?} is not a number: {v}"))
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn complete_graph_hardness_is_not_quadratic() {
    let d = json(&["analyze", "--space", "100000^1", "--json"]);
    let h = &d["hardness"];
    assert_eq!(h["local_minima"], 1, "{h}");
    assert_eq!(d["global_optimum"]["count"], 1, "{d}");
    assert_eq!(f(h, &["optimum_basin_share"]), 1.0);
    assert_eq!(h["path_length_max"], 1);
    assert!(near(f(h, &["path_length_mean"]), (N - 1.0) / N));
    assert_eq!(h["distance_max"], 1);
    assert_eq!(h["unreachable"], 0);
    // First improvement ends at the optimum from every start: P = 1 up to rounding.
    assert!(near(f(h, &["first_p_success"]), 1.0), "{h}");
    // The synthetic draws repeat a few values: a few equal-loss arcs among 10^10, and a
    // plateau of the vertices sharing one value.
    assert!(f(h, &["neutrality"]) < 1e-6, "{h}");
    assert!(h["largest_plateau"]["size"].as_u64().unwrap() >= 1);
}

#[test]
fn complete_graph_starts_are_not_quadratic() {
    for variant in ["best", "best-random-ties"] {
        let d = json(&[
            "starts",
            "--space",
            "100000^1",
            "--json",
            "--variant",
            variant,
        ]);
        assert_eq!(f(&d, &["p_success"]), 1.0, "{variant}: {d}");
        assert_eq!(d["local_minima"], 1, "{variant}");
        assert_eq!(f(&d["best_minima"][0], &["p_end"]), 1.0, "{variant}");
        assert!(
            near(f(&d, &["expected_moves"]), (N - 1.0) / N),
            "{variant}: {d}"
        );
        let evaluations = ((N - 1.0) * (2.0 * N - 1.0) + N) / N;
        assert!(
            near(f(&d, &["expected_evaluations"]), evaluations),
            "{variant}: {d}"
        );
    }
    let d = json(&[
        "starts",
        "--space",
        "100000^1",
        "--json",
        "--variant",
        "first",
        "--top-minima",
        "100000",
    ]);
    assert!(near(f(&d, &["p_success"]), 1.0), "{d}");
    assert_eq!(d["local_minima"], 1);
    assert_eq!(d["best_minima"].as_array().unwrap().len(), 1, "{d}");
    assert!(near(f(&d["best_minima"][0], &["p_end"]), 1.0), "{d}");
    // At least one move from every start but the optimum, and at most ln n + 1 on
    // average (the expected number of records of a random order).
    let moves = f(&d, &["expected_moves"]);
    assert!(moves > 1.0 && moves < N.ln() + 1.0, "{d}");
}

#[test]
fn complete_graph_simulate_is_not_quadratic() {
    for variant in ["best-random-ties", "first"] {
        let d = json(&[
            "simulate",
            "--space",
            "100000^1",
            "--json",
            "--runs",
            "10",
            "--variant",
            variant,
        ]);
        // Every run ends at the optimum in its first restart, having evaluated every
        // architecture once (the query cache skips repeats).
        assert_eq!(f(&d, &["found_within_budget"]), 1.0, "{variant}: {d}");
        assert_eq!(f(&d, &["ended_within_budget"]), 1.0, "{variant}: {d}");
        assert_eq!(f(&d["restarts_to_end"], &["max"]), 1.0, "{variant}: {d}");
        assert_eq!(f(&d["ended"], &["max"]), N, "{variant}: {d}");
        assert!(
            near(f(&d["exact_independent"], &["p_restart"]), 1.0),
            "{variant}: {d}"
        );
    }
}
