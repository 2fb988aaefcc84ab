//! The `starts`, `simulate` and `noise` commands end to end: JSON fields, output files,
//! synthetic and table inputs, and errors that say what to do.

use crate::util::nasland;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.push("--json");
    crate::util::json(&args)
}

fn table() -> String {
    crate::util::shared_data("nb201.csv").display().to_string()
}

#[test]
fn starts_json_and_tables() {
    let t = table();
    let args = [
        "starts",
        "--table",
        &t,
        "--metric",
        "c100_test_200_mean",
        "--maximize",
    ];
    let best = json(&args);
    assert_eq!(best["variant"], "best");
    assert_eq!(best["eps"], 0.0);
    // Equals analyze's P(0).
    let analyze = json(&[
        "analyze",
        "--table",
        &t,
        "--metric",
        "c100_test_200_mean",
        "--maximize",
        "--eps",
        "0",
    ]);
    assert_eq!(best["p_success"], analyze["eps_curve"][0]["p"]);
    for field in ["expected_evaluations", "expected_moves"] {
        assert!(best[field].as_f64().unwrap() > 0.0, "{field}");
    }
    assert_eq!(best["best_minima"][0]["value"], 73.513333);
    assert_eq!(best["local_minima"], analyze["local_minima"]);

    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("first.csv");
    let npy = dir.path().join("first.npy");
    for out in [&csv, &npy] {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--variant", "first", "--eps", "0.5", "--out"]);
        a.push(out.to_str().unwrap());
        nasland().args(&a).assert().success();
    }
    let mut rdr = csv::Reader::from_path(&csv).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "id",
            "row",
            "arch",
            "value",
            "p_success",
            "expected_moves",
            "expected_evaluations",
            "expected_end_value",
            "end_id",
            "end_arch",
            "p_end_1",
            "p_end_2",
            "p_end_3",
            "p_end_other"
        ]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 15_625);
    let p: f64 = rows
        .iter()
        .map(|r| r[4].parse::<f64>().unwrap())
        .sum::<f64>()
        / 15_625.0;
    let first = json(&[&args[..], &["--variant", "first", "--eps", "0.5"]].concat());
    assert!((p - first["p_success"].as_f64().unwrap()).abs() < 1e-12);
    assert_eq!(&rows[0][8], "-1", "no single end for a random variant");
    // The .npy holds the numeric columns: id, row, 5 floats, end_id, 4 p_end.
    let bytes = std::fs::read(&npy).unwrap();
    let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    assert_eq!(
        bytes.len() - 10 - hlen,
        15_625 * (4 + 4 + 5 * 8 + 8 + 4 * 8)
    );
    let header = String::from_utf8_lossy(&bytes[10..10 + hlen]);
    assert!(header.contains("('p_success', '<f8')") && header.contains("(15625,)"));
}

#[test]
fn synthetic_inputs_and_search_cost() {
    let doc = json(&[
        "starts",
        "--space",
        "3x4x5",
        "--synthetic",
        "levels:3",
        "--variant",
        "best-random-ties",
        "--num-init",
        "2",
    ]);
    assert_eq!(doc["n"], 60);
    assert_eq!(doc["search_cost"]["num_init"], 2);
    let p = doc["search_cost"]["p_restart"].as_f64().unwrap();
    assert!(p > 0.0 && p <= 1.0);

    let sim = json(&[
        "simulate",
        "--space",
        "4^4",
        "--synthetic",
        "uniform",
        "--seed",
        "11",
        "--runs",
        "300",
        "--cache",
        "none",
        "--variant",
        "first",
    ]);
    assert_eq!(sim["seed"], 11);
    assert_eq!(sim["cache"], "none");
    assert_eq!(sim["found"]["runs"], 300);
    let exact = sim["exact_independent"]["until_end"].as_f64().unwrap();
    let got = sim["ended"]["mean"].as_f64().unwrap();
    let se = sim["ended"]["se"].as_f64().unwrap();
    assert!((got - exact).abs() < 5.0 * se, "{got} vs {exact} ± {se}");
}

#[test]
fn simulate_paper_setting_with_budget() {
    let t = table();
    let doc = json(&[
        "simulate",
        "--table",
        &t,
        "--metric",
        "c100_test_200_mean",
        "--maximize",
        "--runs",
        "200",
        "--budget",
        "150",
    ]);
    assert_eq!(doc["variant"], "best-random-ties");
    assert_eq!(doc["cache"], "paper");
    assert_eq!(doc["budget"], 150);
    let share = doc["found_within_budget"].as_f64().unwrap();
    assert!(share > 0.0 && share < 1.0);
    assert!(doc["found"]["max"].as_f64().unwrap() <= 150.0);
}

#[test]
fn noise_sweep_and_sigma_from_columns() {
    let doc = json(&[
        "noise", "--space", "5^4", "--sigma", "0", "--draws", "2", "--seed", "4",
    ]);
    assert_eq!(doc["sigma"], 0.0);
    assert_eq!(doc["draws"], 2);
    assert_eq!(doc["local_minima"]["min"], doc["noiseless"]["local_minima"]);
    assert_eq!(doc["local_minima"]["max"], doc["noiseless"]["local_minima"]);
    assert_eq!(doc["p_success"], doc["noiseless"]["p_success"]);

    let sweep = json(&[
        "noise", "--space", "5^4", "--sigma", "0,0.5", "--draws", "2",
    ]);
    assert_eq!(sweep.as_array().unwrap().len(), 2);

    let t = table();
    let doc = json(&[
        "noise",
        "--table",
        &t,
        "--maximize",
        "--sigma-from",
        "c100_test_200_mean,c100_test_200_oneseed",
        "--draws",
        "4",
    ]);
    assert_eq!(doc["metric"], "c100_test_200_mean");
    let sigma = doc["sigma"].as_f64().unwrap();
    assert!(sigma > 0.0 && sigma < 5.0, "{sigma}");
    assert_eq!(doc["sigma_estimate"]["n"], 15_625);
    // Noise creates local minima: the one-seed column and the draws have more.
    let mean_lm = doc["noiseless"]["local_minima"].as_u64().unwrap();
    assert!(doc["observed_oneseed"]["local_minima"].as_u64().unwrap() > mean_lm);
    assert!(doc["local_minima"]["mean"].as_f64().unwrap() > mean_lm as f64);
}

#[test]
fn errors_say_what_to_do() {
    let t = table();
    let err = |args: &[&str], needle: &str| {
        let out = nasland().args(args).assert().failure();
        let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    };
    err(
        &["starts", "--variant", "worst"],
        "best, best-random-ties or first",
    );
    err(&["starts", "--eps=-1"], "finite number >= 0");
    err(&["starts", "--out", "x.txt"], ".csv or .npy");
    err(&["noise", "--sigma-from", "a,b"], "--table");
    err(&["noise", "--sigma", "0,0.1", "--out", "x.csv"], "one σ");
    err(
        &[
            "noise",
            "--table",
            &t,
            "--sigma-from",
            "c100_test_200_mean,no_such_column",
        ],
        "no_such_column",
    );
    err(&["simulate", "--cache", "lru"], "paper");
}
