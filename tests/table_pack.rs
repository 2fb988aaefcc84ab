//! `.nasl` tables against the product kernels: a product space made explicit, and the
//! same space spelled as an edge list, must give the streaming pass's results field for
//! field on every numeric column of the shared tables.

use crate::util::nasland;

use crate::util::shared_data;
use nasland::input::Input;
use nasland::io::table_csv;
use nasland::landscape::Landscape;
use nasland::pack::{self, Directions, TableColumns};
use nasland::space::{Neighbourhood, ProductSpace, VertexId};
use nasland::stats::{summarize, Summary, SummaryOptions};
use nasland::table::{PackedGraph, Table, WriteOptions};
use serde_json::Value;
use std::io::Write;
use std::path::Path;

const TABLES: [(&str, &str, &str); 3] = [
    ("nb201.csv", "nb201", "arch_str"),
    ("nb201_latency_ms.csv", "nb201", "arch_str"),
    ("tnb101_micro.csv", "tnb101", "tnb_arch_str"),
];

fn summary(
    loss: &[f64],
    land: &Landscape,
    sign: f64,
    name: &dyn Fn(VertexId) -> String,
) -> Summary {
    let opts = SummaryOptions {
        eps: vec![0.0, 0.01, 0.1, 1.0],
        top: 25,
        max_optimum_archs: 20,
    };
    summarize(loss, land, sign, name, &opts)
}

/// Every numeric column of `csv`, read through the product space (the reference).
fn product_inputs(file: &str, space: &str, key: &str) -> (ProductSpace, Vec<Input>) {
    let path = shared_data(file);
    let space = ProductSpace::parse(space).unwrap();
    let metrics = table_csv::numeric_columns(&path, key).unwrap();
    assert!(metrics.len() >= 7, "{file}: {metrics:?}");
    let inputs = Input::from_table_columns(space.clone(), &path, key, &metrics, false).unwrap();
    (space, inputs)
}

/// Compares the packed graph's landscape of every column, in both directions, with the
/// streaming product pass, field for field.
fn assert_same_as_streaming(
    space: &ProductSpace,
    inputs: &[Input],
    table: &Table,
    graph: &PackedGraph,
    what: &str,
) {
    assert_eq!(table.columns().len(), inputs.len(), "{what}");
    for input in inputs {
        let i = table.column_index(&input.metric).unwrap();
        let values = table.column(i).unwrap();
        // The stored column is the parsed column, bit for bit (f32 only when lossless).
        for v in 0..values.len() {
            assert_eq!(
                values.get(v).to_bits(),
                input.loss[v].to_bits(),
                "{what} {} vertex {v}",
                input.metric
            );
        }
        for sign in [1.0, -1.0] {
            let loss = values.to_loss(sign);
            let streaming = Landscape::of_product(space, &loss);
            let explicit = Landscape::of_graph(graph, &loss);
            assert_eq!(streaming, explicit, "{what} {} sign {sign}", input.metric);
            let a = summary(&loss, &streaming, sign, &|v| space.encode(v));
            let b = summary(&loss, &explicit, sign, &|v| graph.key(v));
            assert_eq!(a, b, "{what} {} sign {sign}", input.metric);
        }
    }
}

#[test]
fn packed_product_equals_streaming_on_every_shared_column() {
    let dir = tempfile::tempdir().unwrap();
    for (file, spec, key) in TABLES {
        let (space, inputs) = product_inputs(file, spec, key);
        let out = dir.path().join(format!("{file}.nasl"));
        let cols = TableColumns {
            path: shared_data(file),
            key: Some(key.into()),
            metrics: None,
            directions: Directions::all_maximize(),
        };
        pack::product(spec, Some(&cols), &out, WriteOptions::default()).unwrap();
        let table = Table::open(&out).unwrap();
        let graph = table.graph().unwrap();
        assert_eq!(graph.len(), space.len());
        assert!(graph.symmetric());
        for v in 0..space.len() as VertexId {
            assert_eq!(graph.key(v), space.encode(v));
            let mut a = vec![];
            let mut b = vec![];
            graph.for_each_neighbour(v, |u| a.push(u));
            space.for_each_neighbour(v, |u| b.push(u));
            b.sort_unstable();
            assert_eq!(a, b, "{file} vertex {v}");
        }
        assert_same_as_streaming(&space, &inputs, &table, &graph, file);
    }
}

/// TransNAS-Bench-101's values are float32 in origin: stored as f32, exactly.
#[test]
fn lossless_columns_narrow_to_f32_and_others_stay_f64() {
    let dir = tempfile::tempdir().unwrap();
    for (file, spec, key, ty) in [
        ("tnb101_micro.csv", "tnb101", "tnb_arch_str", "f32"),
        ("nb201.csv", "nb201", "arch_str", "f64"),
    ] {
        let out = dir.path().join("t.nasl");
        let cols = TableColumns {
            path: shared_data(file),
            key: Some(key.into()),
            metrics: None,
            directions: Directions::unspecified(),
        };
        pack::product(spec, Some(&cols), &out, WriteOptions::default()).unwrap();
        let table = Table::open(&out).unwrap();
        for c in table.columns() {
            assert_eq!(serde_json::to_value(c.ty).unwrap(), ty, "{file} {}", c.name);
        }
    }
}

/// Writes NB201 as a CSV table in the given row order and its Hamming graph as an edge list.
fn write_nb201_as_edges(
    dir: &Path,
    space: &ProductSpace,
    inputs: &[Input],
    rows: &[VertexId],
) -> (std::path::PathBuf, std::path::PathBuf) {
    let table = dir.join("table.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&table).unwrap());
    let names: Vec<&str> = inputs.iter().map(|i| i.metric.as_str()).collect();
    writeln!(f, "arch_str,{}", names.join(",")).unwrap();
    for &v in rows {
        let vals: Vec<String> = inputs
            .iter()
            .map(|i| format!("{:?}", i.loss[v as usize]))
            .collect();
        writeln!(f, "{},{}", space.encode(v), vals.join(",")).unwrap();
    }
    drop(f);
    let edges = dir.join("edges.csv");
    let mut f = std::io::BufWriter::new(std::fs::File::create(&edges).unwrap());
    writeln!(f, "from,to").unwrap();
    for v in 0..space.len() as VertexId {
        space.for_each_neighbour(v, |u| {
            if u > v {
                // Alternate the direction each edge is written in.
                let (a, b) = if (u + v) % 2 == 0 { (v, u) } else { (u, v) };
                writeln!(f, "{},{}", space.encode(a), space.encode(b)).unwrap();
            }
        });
    }
    drop(f);
    (table, edges)
}

#[test]
fn nb201_hamming_edge_list_gives_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let (space, inputs) = product_inputs("nb201.csv", "nb201", "arch_str");
    let ids: Vec<VertexId> = (0..space.len() as VertexId).collect();
    let (table_csv, edges) = write_nb201_as_edges(dir.path(), &space, &inputs, &ids);
    let out = dir.path().join("edges.nasl");
    let cols = TableColumns {
        path: table_csv.clone(),
        key: Some("arch_str".into()),
        metrics: None,
        directions: Directions::unspecified(),
    };
    let report = pack::edges(&edges, &cols, &out, WriteOptions::default()).unwrap();
    assert_eq!(
        (report.vertices, report.edges, report.isolated),
        (15_625, 15_625 * 24 / 2, 0)
    );
    let table = Table::open(&out).unwrap();
    let graph = table.graph().unwrap();
    assert!(graph.symmetric());
    assert_same_as_streaming(&space, &inputs, &table, &graph, "edge list");

    // Rows in another order renumber the vertices: tie-breaking by id may then pick other
    // neighbours, but which vertices are (strict) minima, and the optimum, cannot change.
    let mut rows = ids.clone();
    rows.reverse();
    rows.rotate_left(777);
    let sub = dir.path().join("shuffled");
    std::fs::create_dir(&sub).unwrap();
    let (table_csv, edges) = write_nb201_as_edges(&sub, &space, &inputs, &rows);
    let out = sub.join("edges.nasl");
    let cols = TableColumns {
        path: table_csv,
        key: Some("arch_str".into()),
        metrics: None,
        directions: Directions::unspecified(),
    };
    pack::edges(&edges, &cols, &out, WriteOptions::default()).unwrap();
    let table = Table::open(&out).unwrap();
    let graph = table.graph().unwrap();
    for input in &inputs {
        let loss = table
            .column(table.column_index(&input.metric).unwrap())
            .unwrap()
            .to_loss(-1.0);
        let streaming =
            Landscape::of_product(&space, &input.loss.iter().map(|x| -x).collect::<Vec<_>>());
        let explicit = Landscape::of_graph(&graph, &loss);
        assert_eq!(
            streaming.local_minima, explicit.local_minima,
            "{}",
            input.metric
        );
        assert_eq!(
            streaming.strict_local_minima, explicit.strict_local_minima,
            "{}",
            input.metric
        );
        let mut a: Vec<String> = (0..space.len() as VertexId)
            .filter(|&v| streaming.ls[v as usize] == v)
            .map(|v| space.encode(v))
            .collect();
        let mut b: Vec<String> = (0..graph.len() as VertexId)
            .filter(|&v| explicit.ls[v as usize] == v)
            .map(|v| graph.key(v))
            .collect();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{}", input.metric);
    }
}

fn run(args: &[&str]) -> std::process::Output {
    crate::util::nasland().args(args).output().unwrap()
}

use crate::util::json as json_of;

/// The analysis JSON minus what names the input (space, source), the closed-form
/// standard deviation, which the graph computes by enumeration, and the `hardness`
/// block, whose floating-point sums over neighbours (ρ(1), correlation length,
/// first-improvement success) run in another order on sorted packed lists than on the
/// product's per-dimension order, so they may differ in the last bits. All three are
/// compared separately, the floats within 1e-12 relative.
fn comparable(mut v: Value) -> (Value, f64, Value) {
    let o = v.as_object_mut().unwrap();
    o.remove("space");
    o.remove("source");
    let sd = o
        .remove("expected_local_minima_iid_sd")
        .unwrap()
        .as_f64()
        .unwrap();
    let hardness = o.remove("hardness").unwrap_or(Value::Null);
    (v, sd, hardness)
}

/// Equal JSON, except that non-integer numbers may differ by 1e-12 relative.
fn assert_close(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}"
            );
            for (k, v) in x {
                assert_close(v, &y[k], &format!("{at}.{k}"));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}");
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                assert_close(v, w, &format!("{at}[{i}]"));
            }
        }
        (Value::Number(x), Value::Number(y)) if x.is_f64() || y.is_f64() => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0),
                "{at}: {x} vs {y}"
            );
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

#[test]
fn analyze_graph_gives_the_product_json() {
    let dir = tempfile::tempdir().unwrap();
    let nb201 = shared_data("nb201.csv");
    for (file, zstd) in [("nb201.nasl", false), ("nb201.nasl.zst", true)] {
        let out = dir.path().join(file);
        let mut args = vec![
            "pack",
            "--space",
            "nb201",
            "--table",
            nb201.to_str().unwrap(),
            "--maximize",
            "-o",
            out.to_str().unwrap(),
        ];
        if zstd {
            args.push("--zstd");
        }
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let g = out.to_str().unwrap();
        for metric in ["c100_test_200_mean", "cifar10_val_12"] {
            let (a, sa, ha) = comparable(json_of(&[
                "analyze",
                "--graph",
                g,
                "--metric",
                metric,
                "--maximize",
                "--json",
            ]));
            let (b, sb, hb) = comparable(json_of(&[
                "analyze",
                "--space",
                "nb201",
                "--table",
                nb201.to_str().unwrap(),
                "--metric",
                metric,
                "--maximize",
                "--json",
            ]));
            assert_eq!(a, b, "{metric}");
            assert!((sa - sb).abs() < 1e-9, "{sa} vs {sb}");
            assert_close(&ha, &hb, metric);
            // The packed direction is used without the flag too.
            let (c, _, _) = comparable(json_of(&[
                "analyze", "--graph", g, "--metric", metric, "--json",
            ]));
            assert_eq!(a, c);
        }
        let (a, _, ha) = comparable(json_of(&[
            "analyze",
            "--graph",
            g,
            "--synthetic",
            "levels:20",
            "--seed",
            "5",
            "--json",
        ]));
        let (b, _, hb) = comparable(json_of(&[
            "analyze",
            "--space",
            "nb201",
            "--synthetic",
            "levels:20",
            "--seed",
            "5",
            "--json",
        ]));
        assert_eq!(a, b);
        assert_close(&ha, &hb, "levels:20");
        assert!(
            ha.is_object(),
            "the hardness block is compared, not skipped"
        );
    }
}

#[test]
fn info_and_keys_describe_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("t.nasl");
    let tnb = shared_data("tnb101_micro.csv");
    let o = run(&[
        "pack",
        "--space",
        "tnb101",
        "--table",
        tnb.to_str().unwrap(),
        "--metrics",
        "jigsaw,normal",
        "--maximize",
        "jigsaw",
        "--minimize",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let info = json_of(&["info", out.to_str().unwrap(), "--json", "--verify"]);
    assert_eq!(info["n"], 4096);
    assert_eq!(info["neighbour_entries"], 4096 * 18);
    assert_eq!(info["degree"]["min"], 18);
    assert_eq!(info["degree"]["max"], 18);
    assert_eq!(info["bits_per_index"], 12);
    assert_eq!(info["symmetric"], true);
    assert_eq!(info["keys"]["space"], "tnb101");
    let metrics: Vec<(String, String)> = info["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().into(),
                m["direction"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        metrics,
        [
            ("jigsaw".into(), "maximize".into()),
            ("normal".into(), "minimize".into())
        ]
    );
    let sections = info["sections"].as_array().unwrap();
    let neighbours = sections.iter().find(|s| s["kind"] == "neighbours").unwrap();
    assert_eq!(neighbours["bytes"], (4096 * 18 * 12) / 8 + 8);
    let total: u64 = sections.iter().map(|s| s["bytes"].as_u64().unwrap()).sum();
    assert!(total <= info["bytes"].as_u64().unwrap());
    assert!(info["overhead"].as_f64().unwrap() < 0.01, "{info}");

    // A column packed as lower-is-better refuses --maximize.
    let o = run(&[
        "analyze",
        "--graph",
        out.to_str().unwrap(),
        "--metric",
        "normal",
        "--maximize",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("lower-is-better"));

    let keys = run(&["keys", out.to_str().unwrap()]);
    assert!(keys.status.success());
    let text = String::from_utf8(keys.stdout).unwrap();
    let space = ProductSpace::parse("tnb101").unwrap();
    let want: Vec<String> = (0..4096).map(|v| space.encode(v)).collect();
    assert_eq!(text.lines().collect::<Vec<_>>(), want);
}

/// Same input, same bytes; a failed write leaves the old file and no temporary behind.
#[test]
fn writes_are_deterministic_and_atomic() {
    let dir = tempfile::tempdir().unwrap();
    let tnb = shared_data("tnb101_micro.csv");
    let a = dir.path().join("a.nasl.zst");
    let b = dir.path().join("b.nasl.zst");
    for (out, threads) in [(&a, "1"), (&b, "2")] {
        let o = nasland()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "pack",
                "--space",
                "tnb101",
                "--table",
                tnb.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

    // A table missing an architecture fails the import: a.nasl.zst must be untouched.
    let partial = dir.path().join("partial.csv");
    let text = std::fs::read_to_string(&tnb).unwrap();
    std::fs::write(
        &partial,
        text.lines().take(100).collect::<Vec<_>>().join("\n"),
    )
    .unwrap();
    let before = std::fs::read(&a).unwrap();
    let o = run(&[
        "pack",
        "--space",
        "tnb101",
        "--table",
        partial.to_str().unwrap(),
        "-o",
        a.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("missing"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read(&a).unwrap(), before);
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
}

/// Random regular graphs: iid uniform losses give E[#minima] = N/(S+1) exactly, with the
/// exact variance from `theory::iid_graph` (closed neighbourhoods of adjacent vertices and
/// of vertices at distance 2 overlap). Chebyshev makes |count − N/(S+1)| ≤ 6σ fail with
/// probability below 1/36 for any distribution; the count is a sum of weakly dependent
/// indicators, nearly normal, so the real chance is about 2·10⁻⁹ per seed.
#[test]
fn random_regular_minima_match_n_over_s_plus_one() {
    let dir = tempfile::tempdir().unwrap();
    for (n, s, seed) in [
        (20_000usize, 3usize, 1u64),
        (20_000, 8, 2),
        (5_001, 24, 3),
        (1_001, 3, 4),
    ] {
        let out = dir.path().join(format!("rr-{n}-{s}.nasl"));
        let arg = format!("{n},{s}");
        let o = run(&[
            "pack",
            "--random-regular",
            &arg,
            "--seed",
            &seed.to_string(),
            "-o",
            out.to_str().unwrap(),
        ]);
        if n * s % 2 == 1 {
            // An impossible --random-regular is a usage error (docs/RELIABILITY.md).
            assert_eq!(o.status.code(), Some(2));
            assert!(String::from_utf8_lossy(&o.stderr).contains("even"));
            continue;
        }
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let table = Table::open(&out).unwrap();
        let graph = table.graph().unwrap();
        assert_eq!(graph.degree_stats().min, s);
        assert_eq!(graph.degree_stats().max, s);
        assert!(graph.symmetric());
        let mean = n as f64 / (s as f64 + 1.0);
        let sd = nasland::theory::iid_graph::local_minima_variance(&graph).sqrt();
        // Sanity of the variance against the independent-vertex bound it must undercut.
        assert!(sd > 0.0 && sd * sd < mean, "{sd}");
        for loss_seed in 1..=3u64 {
            let json = json_of(&[
                "analyze",
                "--graph",
                out.to_str().unwrap(),
                "--seed",
                &loss_seed.to_string(),
                "--json",
            ]);
            let count = json["local_minima"].as_f64().unwrap();
            assert!((json["expected_local_minima_iid"].as_f64().unwrap() - mean).abs() < 1e-6);
            assert!(
                (count - mean).abs() <= 6.0 * sd,
                "n {n} s {s} seed {loss_seed}: {count} vs {mean} ± {sd}"
            );
        }
    }
}

/// A directed relation is stored as such and flagged not symmetric; the closed-form
/// variance (which needs an undirected graph) is then not claimed.
/// Packs a graph with vertex ids as keys and no metric column.
fn write_bare_graph(path: &std::path::Path, g: &nasland::space::Csr) {
    nasland::table::write(
        path,
        &nasland::table::Contents {
            graph: g,
            keys: nasland::table::KeySource::Ids,
            columns: vec![],
            meta: Default::default(),
        },
        WriteOptions::default(),
    )
    .unwrap();
}

#[test]
fn asymmetric_relations_are_flagged() {
    use nasland::space::Csr;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.nasl");
    // 0 → 1, 1 → 2, 2 → 0, 2 → 1: a directed triangle plus one back edge.
    let g = Csr::new(vec![0, 1, 2, 4], vec![1, 2, 0, 1]).unwrap();
    write_bare_graph(&path, &g);
    let t = Table::open(&path).unwrap();
    assert!(!t.header().symmetric());
    assert!(!t.header().fixed_degree());
    let json = json_of(&["analyze", "--graph", path.to_str().unwrap(), "--json"]);
    assert!(json.get("expected_local_minima_iid_sd").is_none(), "{json}");
    assert_eq!(json["degree_stats"]["min"], 1);
    assert_eq!(json["degree_stats"]["max"], 2);
    let info = json_of(&["info", path.to_str().unwrap(), "--json"]);
    assert_eq!(info["symmetric"], false);
    assert_eq!(info["bits_per_offset"], 3);
    // Every upward edge has its reverse, but one downward edge (2 → 0) has none.
    let g = Csr::new(vec![0, 1, 2, 3], vec![1, 0, 0]).unwrap();
    write_bare_graph(&path, &g);
    assert!(!Table::open(&path).unwrap().header().symmetric());
    // The symmetric completion is symmetric.
    let g = Csr::from_undirected_edges(3, &[(0, 1), (1, 2), (2, 0)]).unwrap();
    write_bare_graph(&path, &g);
    assert!(Table::open(&path).unwrap().header().symmetric());
}
