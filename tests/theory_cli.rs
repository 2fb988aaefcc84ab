//! `nasland theory` end to end: its exact fields are `analyze`'s, inputs of every kind
//! work, bad input fails clearly, the plot is written.

use crate::util::nasland;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let out = nasland().args(args).arg("--json").assert().success();
    serde_json::from_slice(&out.get_output().stdout).unwrap()
}

/// The exact half of `theory` is `analyze` on the same input at the same ε (metric units).
fn exact_equals_analyze(input: &[&str], model: &[&str]) {
    let mut args = vec!["theory"];
    args.extend(input);
    args.extend(model);
    let theory = json(&args);
    let eps: Vec<String> = theory["exact"]["eps_curve"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["eps"].as_f64().unwrap().to_string())
        .collect();
    let eps = eps.join(",");
    let mut args = vec!["analyze"];
    args.extend(input);
    args.extend(["--eps", &eps]);
    let analyze = json(&args);
    assert_eq!(theory["exact"]["local_minima"], analyze["local_minima"]);
    assert_eq!(
        theory["exact"]["strict_local_minima"],
        analyze["strict_local_minima"]
    );
    let a = analyze["eps_curve"].as_array().unwrap();
    let t = theory["exact"]["eps_curve"].as_array().unwrap();
    assert_eq!(a.len(), t.len());
    for (a, t) in a.iter().zip(t) {
        assert_eq!(a["eps"], t["eps"]);
        assert_eq!(a["p"], t["p"]);
    }
    // Differences are predicted − exact.
    let d = theory["difference"]["local_minima"].as_f64().unwrap();
    let p = theory["predicted"]["local_minima"].as_f64().unwrap();
    let e = theory["exact"]["local_minima"].as_f64().unwrap();
    assert!((d - (p - e)).abs() < 1e-9);
}

#[test]
fn exact_fields_equal_analyze_on_a_table() {
    let table = crate::util::shared_data("nb201.csv");
    let table = table.to_str().unwrap();
    exact_equals_analyze(
        &[
            "--table",
            table,
            "--metric",
            "c10_test_200_mean",
            "--maximize",
        ],
        &[],
    );
    exact_equals_analyze(
        &[
            "--table",
            table,
            "--metric",
            "cifar100_val_12",
            "--maximize",
        ],
        &["--pdf-e", "empirical", "--eps-norm", "0.002,0.05,1"],
    );
}

#[test]
fn exact_fields_equal_analyze_on_synthetic_losses() {
    exact_equals_analyze(
        &["--space", "4^5", "--seed", "3"],
        &["--pdf-e", "iid", "--recursion", "paper"],
    );
    exact_equals_analyze(
        &["--space", "tnb101", "--synthetic", "levels:20"],
        &["--pdf-n", "kde"],
    );
}

#[test]
fn random_regular_graph_input_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("eps.svg");
    let doc = json(&[
        "theory",
        "--random-regular",
        "20000,6",
        "--seed",
        "5",
        "--pdf-e",
        "iid",
        "--pdf-n",
        "uniform",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(doc["model"]["s"], 6);
    assert_eq!(doc["source"]["kind"], "random-regular");
    // iid uniform, s = 6: E[#LM] = n/7 exactly in the model; the graph is near it.
    let pred = doc["predicted"]["local_minima"].as_f64().unwrap();
    assert!((pred - 20000.0 / 7.0).abs() < 1e-6 * pred);
    let exact = doc["exact"]["local_minima"].as_f64().unwrap();
    assert!(
        (exact - pred).abs() < 5.0 * (20000.0f64 / 7.0).sqrt(),
        "{exact} vs {pred}"
    );
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.contains("exact") && text.contains("predicted"));
    // Nothing else is left beside the plot (the write is a rename of a temporary file).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn bad_input_fails_with_a_clear_message() {
    let cases: [(&[&str], &str); 4] = [
        (&["theory", "--eps-norm", "0.01,2"], "must be in (0, 1]"),
        (&["theory", "--random-regular", "100"], "give N,S"),
        (&["theory", "--random-regular", "101,3"], "n·s even"),
        (
            &[
                "theory",
                "--space",
                "5^2",
                "--synthetic",
                "levels:2",
                "--seed",
                "1",
                "--bins",
                "1",
            ],
            "--bins",
        ),
    ];
    for (args, msg) in cases {
        let out = nasland().args(args).assert().failure();
        let err = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(err.contains(msg), "{args:?}: {err}");
    }
}
