//! The `analyze` command as users meet it: the built-in default, the JSON schema, and
//! output that does not depend on the thread count.

use crate::util::nasland;

use crate::util::shared_data;
use serde_json::Value;

fn run(args: &[&str], threads: &str) -> (String, Value) {
    let out = nasland()
        .env("RAYON_NUM_THREADS", threads)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let json = if args.contains(&"--json") {
        serde_json::from_str(&text).unwrap()
    } else {
        Value::Null
    };
    (text, json)
}

#[test]
fn default_run_sets_the_count_beside_625() {
    let (text, _) = run(&["analyze"], "2");
    assert!(
        text.contains("nb201 · 15,625 architectures · 24 neighbours each"),
        "{text}"
    );
    assert!(text.contains("synthetic uniform losses, seed 1"), "{text}");
    assert!(text.contains("iid-loss expectation 625.0 ± 15.8"), "{text}");
    let (_, json) = run(&["analyze", "--json"], "2");
    let lm = json["local_minima"].as_u64().unwrap() as f64;
    assert!((lm - 625.0).abs() < 6.0 * 15.82, "{lm}");
}

#[test]
fn synthetic_json_schema() {
    let args = [
        "analyze",
        "--space",
        "3x4x5",
        "--synthetic",
        "levels:3",
        "--seed",
        "9",
        "--json",
        "--top",
        "4",
    ];
    let (_, j) = run(&args, "2");
    assert_eq!(j["space"], "3x4x5");
    assert_eq!(j["n"], 60);
    assert_eq!(j["degree"], 9);
    assert_eq!(j["seed"], 9);
    assert_eq!(j["source"]["model"], "levels:3");
    assert_eq!(j["expected_local_minima_iid"].as_f64().unwrap(), 6.0);
    for key in [
        "local_minima",
        "strict_local_minima",
        "global_optimum",
        "eps_curve",
        "path_length",
        "minima",
    ] {
        assert!(!j[key].is_null(), "missing {key}");
    }
    assert!(j["local_minima"].as_u64() >= j["strict_local_minima"].as_u64());
    assert_eq!(
        j["minima"].as_array().unwrap().len().min(4),
        j["minima"].as_array().unwrap().len()
    );
    assert_eq!(j["eps_curve"].as_array().unwrap().len(), 4);
    assert!(
        j["hardness"].is_object(),
        "--json carries the hardness section"
    );
    let (_, lean) = run(&[&args[..], &["--no-hardness"]].concat(), "2");
    assert!(lean.get("hardness").is_none());
    assert_eq!(lean["local_minima"], j["local_minima"]);
}

#[test]
fn same_output_for_one_and_two_threads() {
    for args in [
        vec![
            "analyze",
            "--space",
            "5^8",
            "--synthetic",
            "levels:7",
            "--seed",
            "3",
            "--json",
        ],
        vec!["analyze", "--space", "nats-sss", "--json", "--seed", "5"],
    ] {
        assert_eq!(run(&args, "1").0, run(&args, "2").0);
    }
    let table = shared_data("tnb101_micro.csv");
    let table = table.to_str().unwrap();
    let args = [
        "analyze",
        "--space",
        "tnb101",
        "--table",
        table,
        "--metric",
        "jigsaw",
        "--maximize",
        "--json",
    ];
    assert_eq!(run(&args, "1").0, run(&args, "2").0);
}

#[test]
fn nats_sss_architecture_strings() {
    let (_, j) = run(
        &["analyze", "--space", "nats-sss", "--json", "--top", "1"],
        "2",
    );
    assert_eq!(j["n"], 32768);
    assert_eq!(j["degree"], 35);
    let arch = j["minima"][0]["arch"].as_str().unwrap();
    let channels: Vec<u32> = arch.split(':').map(|c| c.parse().unwrap()).collect();
    assert_eq!(channels.len(), 5);
    assert!(
        channels.iter().all(|c| c % 8 == 0 && (8..=64).contains(c)),
        "{arch}"
    );
}
