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

/// Packs a graph whose degrees vary (2 to about 20) over 600 vertices with locally
/// correlated values, and returns (directory, graph path).
fn irregular_graph() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let n = 600usize;
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut table = String::from("arch,score\n");
    for v in 0..n {
        let noise = (next() % 1000) as f64 / 1000.0;
        table.push_str(&format!("v{v},{}\n", (v as f64 / 40.0).sin() + noise));
    }
    let mut edges = std::collections::BTreeSet::new();
    for v in 0..n {
        // Every vertex reaches its next neighbour in id order, and a varying number of
        // vertices nearby, so degrees vary and values are correlated along edges.
        edges.insert((v, (v + 1) % n));
        for _ in 0..(next() % 10) {
            let u = (v + 2 + (next() % 30) as usize) % n;
            edges.insert((v.min(u), v.max(u)));
        }
    }
    let mut list = String::from("a,b\n");
    for (a, b) in edges {
        list.push_str(&format!("v{a},v{b}\n"));
    }
    let (t, e, g) = (
        dir.path().join("t.csv"),
        dir.path().join("e.csv"),
        dir.path().join("g.nasl"),
    );
    std::fs::write(&t, table).unwrap();
    std::fs::write(&e, list).unwrap();
    nasland()
        .args(["pack", "--edges", e.to_str().unwrap(), "--table"])
        .args([
            t.to_str().unwrap(),
            "--key",
            "arch",
            "--metrics",
            "score",
            "--minimize",
        ])
        .args(["-o", g.to_str().unwrap()])
        .assert()
        .success();
    (dir, g)
}

/// `theory --json` and the report fit the model by the same pipeline: on a graph whose
/// degrees vary, the report's two predictions are the ones its reproducing commands print,
/// to the last bit, and s follows the harmonic rule of `nasland::fit`.
#[test]
fn report_and_theory_agree_on_an_irregular_graph() {
    let (_dir, graph) = irregular_graph();
    let graph = graph.to_str().unwrap();
    let input = nasland::input::InputSpec {
        graph: Some(graph.into()),
        metric: Some("score".into()),
        ..Default::default()
    }
    .load()
    .unwrap();
    let degree = input.space.degree_stats();
    assert!(degree.min < degree.max, "the test graph must be irregular");
    let profile = nasland::report::profile::profile(
        &input,
        None,
        &nasland::report::profile::ProfileOptions {
            seed: 1,
            noise_draws: 2,
            figures: true,
        },
    )
    .unwrap();
    let fits = profile.theory.expect("the report fits the theory");
    for (fit, model) in fits.iter().zip([
        ["--pdf-e", "empirical", "--recursion", "tree-exact"],
        ["--pdf-e", "paper", "--recursion", "paper"],
    ]) {
        let cli = json(
            &[
                &["theory", "--graph", graph, "--metric", "score"][..],
                &model,
            ]
            .concat(),
        );
        assert_eq!(
            cli["predicted"]["local_minima"].as_f64().unwrap(),
            fit.prediction.local_minima,
            "{model:?}"
        );
        let curve = cli["predicted"]["eps_curve"].as_array().unwrap();
        assert_eq!(curve.len(), fit.prediction.eps_curve.len());
        for (c, p) in curve.iter().zip(&fit.prediction.eps_curve) {
            assert_eq!(c["eps_norm"].as_f64().unwrap(), p.eps_norm);
            assert_eq!(c["p"].as_f64().unwrap(), p.p);
        }
        assert_eq!(cli["model"]["s"].as_u64().unwrap() as usize, fit.s);
        // s + 1 is the harmonic mean of degree + 1.
        let iid = input.space.expected_iid_local_minima();
        let s = (input.loss.len() as f64 / iid).round() as usize - 1;
        assert_eq!(fit.s, s);
        assert!(
            s as f64 + 0.5 < degree.mean,
            "harmonic s {s} below the mean degree"
        );
    }
}
