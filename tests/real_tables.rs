//! Every numeric column of the shared benchmark tables, analysed by `nasland analyze` and
//! by the per-start hill climber of `crate::util::oracle`, must agree field for field.

use crate::util::nasland;

use crate::util::oracle::{self, Climb};
use crate::util::shared_data;
use nasland::input::Input;
use nasland::space::ProductSpace;
use serde_json::Value;

const NB201_OPS: [&str; 5] = [
    "none",
    "skip_connect",
    "nor_conv_1x1",
    "nor_conv_3x3",
    "avg_pool_3x3",
];

/// The test's own decoding of NB201 strings: op names in string order.
fn nb201_digits(arch: &str) -> Vec<usize> {
    arch.split('|')
        .filter(|t| t.contains('~'))
        .map(|t| {
            NB201_OPS
                .iter()
                .position(|&o| o == t.split('~').next().unwrap())
                .unwrap()
        })
        .collect()
}

/// The test's own decoding of TransNAS-Bench-101 micro strings: the digits after the prefix.
fn tnb101_digits(arch: &str) -> Vec<usize> {
    arch["64-41414-".len()..]
        .chars()
        .filter(|c| c.is_ascii_digit())
        .map(|c| c.to_digit(10).unwrap() as usize)
        .collect()
}

struct Table {
    columns: Vec<String>,
    /// values[column][vertex], in the metric's own direction.
    values: Vec<Vec<f64>>,
}

/// Reads a table with the test's own decoding; numeric columns are those whose every
/// value parses, minus the benchmark's row-index column.
fn read(
    file: &str,
    key: &str,
    index: Option<&str>,
    radices: &[usize],
    decode: fn(&str) -> Vec<usize>,
) -> Table {
    let mut r = csv::Reader::from_path(shared_data(file)).unwrap();
    let headers: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let n: usize = radices.iter().product();
    let mut raw = vec![vec![f64::NAN; n]; headers.len()];
    let mut numeric = vec![true; headers.len()];
    let key_col = headers.iter().position(|h| h == key).unwrap();
    let mut seen = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        let v = oracle::vertex(&decode(&rec[key_col]), radices);
        seen += 1;
        for (c, field) in rec.iter().enumerate() {
            match field.parse::<f64>() {
                Ok(x) => raw[c][v] = x,
                Err(_) => numeric[c] = false,
            }
        }
    }
    assert_eq!(seen, n, "{file} should have one row per architecture");
    let keep: Vec<usize> = (0..headers.len())
        .filter(|&c| numeric[c] && Some(headers[c].as_str()) != index)
        .collect();
    Table {
        columns: keep.iter().map(|&c| headers[c].clone()).collect(),
        values: keep.iter().map(|&c| raw[c].clone()).collect(),
    }
}

fn analyze_json(
    space: &str,
    file: &str,
    key: &str,
    metric: &str,
    maximize: bool,
    eps: &[f64],
) -> Value {
    let eps: Vec<String> = eps.iter().map(|e| e.to_string()).collect();
    let mut cmd = nasland();
    cmd.args(["analyze", "--space", space, "--table"])
        .arg(shared_data(file))
        .args([
            "--key",
            key,
            "--metric",
            metric,
            "--json",
            "--top",
            "15",
            "--eps",
            &eps.join(","),
        ]);
    cmd.arg(if maximize { "--maximize" } else { "--minimize" });
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Compares the CLI's JSON with what the oracle's climbs imply.
fn check_json(
    doc: &Value,
    values: &[f64],
    loss: &[f64],
    c: &Climb,
    eps: &[f64],
    space: &ProductSpace,
    what: &str,
) {
    let n = loss.len();
    assert_eq!(doc["n"], n, "{what}");
    assert_eq!(doc["local_minima"], c.local_minima, "{what}");
    assert_eq!(doc["strict_local_minima"], c.strict_local_minima, "{what}");

    let best = loss.iter().cloned().fold(f64::INFINITY, f64::min);
    let optima: Vec<usize> = (0..n).filter(|&v| loss[v] == best).collect();
    let g = &doc["global_optimum"];
    assert_eq!(g["value"].as_f64().unwrap(), values[optima[0]], "{what}");
    assert_eq!(g["count"], optima.len(), "{what}");
    assert_eq!(g["archs"][0], space.encode(optima[0] as u32), "{what}");
    let in_optimum = c.end.iter().filter(|&&m| loss[m] == best).count();
    assert_eq!(g["basin"], in_optimum, "{what}");

    for (i, &e) in eps.iter().enumerate() {
        let p = doc["eps_curve"][i]["p"].as_f64().unwrap();
        assert_eq!(p, oracle::p_eps(loss, c, e), "{what} P({e})");
    }
    let mean = c.steps.iter().map(|&s| s as f64).sum::<f64>() / n as f64;
    assert!(
        (doc["path_length"]["mean"].as_f64().unwrap() - mean).abs() < 1e-12,
        "{what}"
    );
    assert_eq!(
        doc["path_length"]["max"],
        *c.steps.iter().max().unwrap(),
        "{what}"
    );

    let mut minima: Vec<usize> = (0..n).filter(|&v| c.end[v] == v).collect();
    minima.sort_by(|&a, &b| loss[a].total_cmp(&loss[b]).then(a.cmp(&b)));
    let listed = doc["minima"].as_array().unwrap();
    assert_eq!(listed.len(), minima.len().min(15), "{what}");
    for (m, j) in minima.iter().zip(listed) {
        assert_eq!(j["arch"], space.encode(*m as u32), "{what}");
        assert_eq!(j["value"].as_f64().unwrap(), values[*m], "{what}");
        assert_eq!(
            j["basin"],
            c.end.iter().filter(|&&e| e == *m).count(),
            "{what}"
        );
    }
}

fn check_table(
    space_name: &str,
    file: &str,
    key: &str,
    index: Option<&str>,
    maximize: bool,
    decode: fn(&str) -> Vec<usize>,
) {
    let space = ProductSpace::parse(space_name).unwrap();
    let radices: Vec<usize> = space.radices().iter().map(|&k| k as usize).collect();
    let table = read(file, key, index, &radices, decode);
    assert!(!table.columns.is_empty());
    // The library's notion of "numeric column" agrees with the test's.
    let listed = nasland::io::table_csv::numeric_columns(&shared_data(file), key).unwrap();
    assert_eq!(listed, table.columns, "{file}");

    let inputs = Input::from_table_columns(
        space.clone(),
        &shared_data(file),
        key,
        &table.columns,
        maximize,
    )
    .unwrap();
    for ((metric, values), input) in table.columns.iter().zip(&table.values).zip(&inputs) {
        let what = format!("{file}:{metric}");
        let sign = if maximize { -1.0 } else { 1.0 };
        let loss: Vec<f64> = values.iter().map(|&x| sign * x).collect();
        let c = oracle::climb(&loss, &radices);

        // Library, per vertex.
        let land = input.space.landscape(&input.loss);
        for v in 0..loss.len() {
            assert_eq!(land.ls_star[v] as usize, c.end[v], "{what}: LS* of {v}");
            assert_eq!(land.steps[v], c.steps[v], "{what}: path length of {v}");
        }
        assert_eq!(land.local_minima, c.local_minima, "{what}");
        assert_eq!(land.strict_local_minima, c.strict_local_minima, "{what}");

        // CLI, summary fields.
        let range = loss.iter().cloned().fold(f64::NEG_INFINITY, f64::max)
            - loss.iter().cloned().fold(f64::INFINITY, f64::min);
        let eps = [0.0, 0.001 * range, 0.01 * range, 0.1 * range, 0.5];
        let doc = analyze_json(space_name, file, key, metric, maximize, &eps);
        assert_eq!(doc["metric"], metric.as_str());
        assert_eq!(doc["maximize"], maximize);
        check_json(&doc, values, &loss, &c, &eps, &space, &what);
    }
}

#[test]
fn nb201_accuracy_columns() {
    check_table(
        "nb201",
        "nb201.csv",
        "arch_str",
        Some("index"),
        true,
        nb201_digits,
    );
}

#[test]
fn nb201_latency_columns() {
    check_table(
        "nb201",
        "nb201_latency_ms.csv",
        "arch_str",
        Some("nb201_index"),
        false,
        nb201_digits,
    );
}

#[test]
fn tnb101_columns_with_plateaus() {
    check_table(
        "tnb101",
        "tnb101_micro.csv",
        "tnb_arch_str",
        None,
        true,
        tnb101_digits,
    );
}
