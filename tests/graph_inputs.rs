//! theory, starts, simulate and noise on a packed graph file give the same numbers as on
//! the table it was packed from: every command takes every kind of input.

use crate::util::nasland;

use crate::util::shared_data;
use serde_json::Value;

use crate::util::json;

#[test]
fn every_command_reads_graph_files() {
    let dir = tempfile::tempdir().unwrap();
    let graph = dir.path().join("nb201.nasl");
    let table = shared_data("nb201.csv");
    let (graph, table) = (graph.to_str().unwrap(), table.to_str().unwrap());
    let pack = nasland()
        .args([
            "pack",
            "--space",
            "nb201",
            "--table",
            table,
            "--key",
            "arch_str",
            "--metrics",
            "c100_test_200_mean",
            "-o",
            graph,
        ])
        .output()
        .unwrap();
    assert!(
        pack.status.success(),
        "{}",
        String::from_utf8_lossy(&pack.stderr)
    );

    let metric = ["--metric", "c100_test_200_mean", "--maximize", "--json"];
    let from_table =
        |cmd: &[&str]| json(&[cmd, &["--space", "nb201", "--table", table], &metric[..]].concat());
    let from_graph = |cmd: &[&str]| json(&[cmd, &["--graph", graph], &metric[..]].concat());

    let (t, g) = (from_table(&["theory"]), from_graph(&["theory"]));
    assert_eq!(t["exact"], g["exact"]);
    assert_eq!(t["predicted"], g["predicted"]);

    for variant in ["best", "first"] {
        let cmd = ["starts", "--variant", variant];
        let (t, g) = (from_table(&cmd), from_graph(&cmd));
        for key in ["p_success", "expected_evaluations", "expected_moves"] {
            // Neighbours are visited in another order (by dimension vs by id), so sums
            // of probabilities may differ in the last bit.
            let (a, b) = (t[key].as_f64().unwrap(), g[key].as_f64().unwrap());
            assert!(
                (a - b).abs() <= 1e-12 * a.abs().max(1.0),
                "starts {variant} {key}: {a} vs {b}"
            );
        }
    }

    // The simulator draws neighbour orders over the listed neighbours, which a product
    // space and a graph file list in different orders: same law, other samples.
    let cmd = ["simulate", "--runs", "300", "--seed", "4"];
    let (t, g) = (&from_table(&cmd)["found"], &from_graph(&cmd)["found"]);
    let f = |j: &Value, k: &str| j[k].as_f64().unwrap();
    let se = (f(t, "se").powi(2) + f(g, "se").powi(2)).sqrt();
    assert!(
        (f(t, "mean") - f(g, "mean")).abs() < 5.0 * se,
        "simulate: {t} vs {g}"
    );

    let cmd = ["noise", "--sigma", "0.5", "--draws", "3", "--seed", "2"];
    let (t, g) = (from_table(&cmd), from_graph(&cmd));
    assert_eq!(t["local_minima"], g["local_minima"]);
    let (a, b) = (
        t["p_success"].as_f64().unwrap(),
        g["p_success"].as_f64().unwrap(),
    );
    assert!((a - b).abs() <= 1e-12, "noise p_success: {a} vs {b}");
}
