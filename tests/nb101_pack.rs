//! NAS-Bench-101 as a `.nasl` table: the pack recipe joins a table by module hash, and
//! the commands work from the command line.

use crate::util::{nasland, nb101 as space};

use nasland::pack::{self, Directions, TableColumns};
use nasland::space::{Neighbourhood, VertexId};
use nasland::table::{Table, WriteOptions};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::io::Write;

/// A metric for vertex v that is not monotone in the id: from the middle of its hash.
fn metric(key: &str) -> f64 {
    u32::from_str_radix(&key[8..16], 16).unwrap() as f64 / 4e9
}

#[test]
fn pack_joins_a_shuffled_table_by_module_hash() {
    let space = space().clone();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("nb101.csv");
    let mut order: Vec<VertexId> = (0..space.len() as VertexId).collect();
    order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(5));
    let mut f = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
    writeln!(f, "hash,val_acc_mean,num_vertices").unwrap();
    for &v in &order {
        let k = &space.keys()[v as usize];
        writeln!(f, "{k},{:?},{}", metric(k), space.cell(v).n()).unwrap();
    }
    drop(f);

    let out = dir.path().join("nb101.nasl");
    let columns = TableColumns {
        path: csv.clone(),
        key: None,
        metrics: Some(vec!["val_acc_mean".into()]),
        directions: Directions::all_maximize(),
    };
    let report =
        pack::nb101_with(space.clone(), Some(&columns), &out, WriteOptions::default()).unwrap();
    assert_eq!(report.stats.classes, 423_624);

    let table = Table::open(&out).unwrap();
    let graph = table.graph().unwrap();
    assert_eq!(graph.len(), space.len());
    assert!(!graph.symmetric());
    let values = table
        .column(table.column_index("val_acc_mean").unwrap())
        .unwrap();
    for v in (0..space.len() as VertexId).step_by(97) {
        let k = &space.keys()[v as usize];
        assert_eq!(&table.key(v), k);
        assert_eq!(values.get(v as usize), metric(k));
        let mut nb = vec![];
        graph.for_each_neighbour(v, |u| nb.push(u));
        assert_eq!(nb, space.csr().neighbours(v), "vertex {v}");
    }

    // A row whose key is not a module hash is named with its line.
    let text = std::fs::read_to_string(&csv).unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, text.replacen("\n0", "\nzz", 1)).unwrap();
    let err = pack::nb101_with(
        space,
        Some(&TableColumns {
            path: bad,
            ..columns
        }),
        &dir.path().join("bad.nasl"),
        WriteOptions::default(),
    )
    .unwrap_err();
    let msg = format!("{err:#}");
    assert!(msg.contains("line") && msg.contains("module hash"), "{msg}");
    assert!(!dir.path().join("bad.nasl").exists());
}

/// The "done when": pack, info reports n, analyze --graph gives a count beside
/// its expectation (within 6 × the sound sd bound it reports). The packed graph and keys
/// equal the single-threaded build's.
#[test]
fn pack_info_keys_analyze_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nb101.nasl");
    nasland()
        .args(["pack", "--space", "nb101", "-o"])
        .arg(&out)
        .assert()
        .success();
    let info = nasland()
        .arg("info")
        .arg(&out)
        .arg("--json")
        .output()
        .unwrap();
    assert!(info.status.success());
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["n"], 423_624);
    assert_eq!(info["symmetric"], false);

    let space = space();
    let table = Table::open(&out).unwrap();
    let graph = table.graph().unwrap();
    let mut nb = vec![];
    for v in 0..space.len() as VertexId {
        assert_eq!(&table.key(v), &space.keys()[v as usize]);
        nb.clear();
        graph.for_each_neighbour(v, |u| nb.push(u));
        assert_eq!(nb, space.csr().neighbours(v), "vertex {v}");
    }

    let keys = nasland().arg("keys").arg(&out).output().unwrap();
    let keys = String::from_utf8(keys.stdout).unwrap();
    assert_eq!(keys.lines().count(), 423_624);
    assert_eq!(
        keys.lines().next(),
        Some("00005c142e6f48ac74fdcf73e3439874")
    );

    let analyze = nasland()
        .args([
            "analyze",
            "--synthetic",
            "uniform",
            "--seed",
            "1",
            "--json",
            "--graph",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        analyze.status.success(),
        "{}",
        String::from_utf8_lossy(&analyze.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&analyze.stdout).unwrap();
    let count = doc["local_minima"].as_f64().unwrap();
    let expected = doc["expected_local_minima_iid"].as_f64().unwrap();
    let sd = doc["expected_local_minima_iid_sd_bound"].as_f64().unwrap();
    assert!((expected - 22_908.9).abs() < 0.1, "{expected}");
    assert!(
        (count - expected).abs() < 6.0 * sd,
        "{count} vs {expected} ± {sd}"
    );
}
