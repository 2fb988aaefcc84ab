//! NAS-Bench-Graph: the canonical hash against the benchmark's own, the class counts,
//! the shared tables' keys, and the class graph against a brute force built from the
//! reference hashes alone.

use crate::util::shared_data;
use nasland::space::nbgraph::{
    canonical, hash, labelled, ErrorKind, Labelled, NbGraph, OpList, NUM_CLASSES_FULL,
    NUM_CLASSES_PROTEINS,
};
use nasland::space::{Neighbourhood, VertexId};
use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

fn full() -> &'static NbGraph {
    static SPACE: OnceLock<NbGraph> = OnceLock::new();
    SPACE.get_or_init(|| NbGraph::build(OpList::Full))
}

fn proteins() -> &'static NbGraph {
    static SPACE: OnceLock<NbGraph> = OnceLock::new();
    SPACE.get_or_init(|| NbGraph::build(OpList::Proteins))
}

/// One row of the reference export: op list, link, ops, the benchmark's valid_hash.
struct Reference {
    list: OpList,
    link: String,
    ops: String,
    hash: u32,
}

fn reference() -> &'static [Reference] {
    static ROWS: OnceLock<Vec<Reference>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let path = shared_data("nbgraph_labelled_hashes.csv");
        let mut r = csv::Reader::from_path(&path).expect("the reference opens");
        r.records()
            .map(|rec| {
                let rec = rec.expect("a well-formed row");
                Reference {
                    list: match &rec[0] {
                        "full" => OpList::Full,
                        "proteins" => OpList::Proteins,
                        other => panic!("unknown op list {other:?}"),
                    },
                    link: rec[1].to_string(),
                    ops: rec[2].to_string(),
                    hash: rec[3].parse().expect("an integer hash"),
                }
            })
            .collect()
    })
}

#[test]
fn canonical_hash_reproduces_the_benchmark_on_every_labelled_form() {
    let rows = reference();
    assert_eq!(rows.len(), 172_416);
    let mut wrong = Vec::new();
    for row in rows {
        let x = Labelled::parse(&row.link, &row.ops).expect("reference rows parse");
        let c = canonical(&x);
        let h = hash::hash(&c).expect("canonical forms hash");
        if h != row.hash {
            wrong.push(format!("{x}: {h} != {}", row.hash));
        }
        assert_eq!(canonical(&c), c, "canonical form not a fixed point: {x}");
        assert_eq!(hash::unhash(h), Some(c), "hash does not decode to the form");
    }
    assert!(
        wrong.is_empty(),
        "{} of {} rows differ, first: {:?}",
        wrong.len(),
        rows.len(),
        &wrong[..wrong.len().min(5)]
    );
}

#[test]
fn labelled_enumeration_is_the_reference_set() {
    for list in [OpList::Full, OpList::Proteins] {
        let ours: BTreeSet<(String, String)> = labelled::all_labelled(list)
            .iter()
            .map(|x| (x.link_string(), x.ops_string()))
            .collect();
        let theirs: BTreeSet<(String, String)> = reference()
            .iter()
            .filter(|r| r.list == list)
            .map(|r| (r.link.clone(), r.ops.clone()))
            .collect();
        assert_eq!(ours, theirs, "{list:?}");
    }
}

#[test]
fn class_counts_are_26206_and_2021() {
    assert_eq!(full().len(), NUM_CLASSES_FULL);
    assert_eq!(full().labelled_forms(), 24 * (9u64.pow(4) - 1));
    assert_eq!(proteins().len(), NUM_CLASSES_PROTEINS);
    assert_eq!(proteins().labelled_forms(), 24 * (5u64.pow(4) - 1));
    for (space, list) in [(full(), OpList::Full), (proteins(), OpList::Proteins)] {
        let hashes: BTreeSet<u32> = reference()
            .iter()
            .filter(|r| r.list == list)
            .map(|r| r.hash)
            .collect();
        assert_eq!(
            space.hashes().iter().copied().collect::<BTreeSet<_>>(),
            hashes
        );
        assert!(space.hashes().windows(2).all(|w| w[0] < w[1]));
    }
}

#[test]
fn every_shared_table_hash_is_a_vertex_and_none_is_missing() {
    let s = full();
    for name in [
        "nbgraph_cora.csv",
        "nbgraph_citeseer.csv",
        "nbgraph_pubmed.csv",
    ] {
        let mut r = csv::Reader::from_path(shared_data(name)).expect("table opens");
        let mut seen = vec![false; s.len()];
        for rec in r.records() {
            let rec = rec.expect("a well-formed row");
            let v = s.id_of_key(&rec[0]).expect("every hash is a vertex");
            assert!(!seen[v as usize], "{name}: {} twice", &rec[0]);
            seen[v as usize] = true;
            let c = s.class(v);
            assert_eq!(
                (c.link_string().as_str(), c.ops_string().as_str()),
                (&rec[1], &rec[2]),
                "{name}: the canonical link/ops of {}",
                &rec[0]
            );
        }
        assert!(seen.iter().all(|&b| b), "{name} misses a vertex");
    }
}

#[test]
fn keys_and_labelled_forms_that_are_not_in_the_space_are_errors() {
    let s = full();
    assert_eq!(s.id_of_key("0"), Ok(0));
    let v = s.id_of_key("10000").expect("the first 0-0-0-1 cell");
    assert_eq!(s.hashes()[v as usize], 10_000);
    for bad in ["", "x", "-1", "10001x", "89999", "99999999999"] {
        assert!(
            matches!(s.id_of_key(bad).unwrap_err().kind(), ErrorKind::Hash(_)),
            "{bad:?}"
        );
    }
    let err = |l: &str, o: &str| Labelled::parse(l, o).unwrap_err().kind().clone();
    assert!(matches!(
        err("0-2-0-0", "gcn-gcn-gcn-gcn"),
        ErrorKind::Link(_)
    ));
    assert!(matches!(
        err("0-0-0", "gcn-gcn-gcn-gcn"),
        ErrorKind::Link(_)
    ));
    assert!(matches!(
        err("0-0-0-0", "gcn-gcn-gcn-conv"),
        ErrorKind::Op(_)
    ));
    assert!(matches!(err("0-0-0-0", "gcn-gcn-gcn"), ErrorKind::Op(_)));
    assert_eq!(err("0-1-2-3", "skip-skip-skip-skip"), ErrorKind::AllSkip);
    // A labelled form with an op outside the proteins list is no proteins vertex.
    let gat = Labelled::parse("0-0-0-0", "gat-gcn-gcn-gcn").unwrap();
    assert!(full().id_of_labelled(&gat).is_some());
    assert_eq!(proteins().id_of_labelled(&gat), None);
}

#[test]
fn neighbours_are_symmetric_sorted_and_never_self() {
    for s in [full(), proteins()] {
        let csr = s.csr();
        assert!(csr.is_symmetric());
        for v in 0..s.len() as VertexId {
            let list = csr.neighbours(v);
            assert!(list.windows(2).all(|w| w[0] < w[1]));
            assert!(!list.contains(&v));
            for &u in list {
                assert!(csr.neighbours(u).binary_search(&v).is_ok(), "{v} -> {u}");
            }
        }
    }
}

/// The brute force: every labelled form of the reference, every move written out on the
/// digits of its strings, classes looked up in the reference's own hashes (no
/// canonicalisation of ours).
/// Computed once per list for the tests that read it.
fn brute_force_edges(list: OpList) -> &'static BTreeSet<(u32, u32)> {
    static FULL: OnceLock<BTreeSet<(u32, u32)>> = OnceLock::new();
    static PROTEINS: OnceLock<BTreeSet<(u32, u32)>> = OnceLock::new();
    let cell = match list {
        OpList::Full => &FULL,
        OpList::Proteins => &PROTEINS,
    };
    cell.get_or_init(|| brute_force_edges_of(list))
}

fn brute_force_edges_of(list: OpList) -> BTreeSet<(u32, u32)> {
    let names: &[&str] = match list {
        OpList::Full => &[
            "gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip",
        ],
        OpList::Proteins => &["gcn", "sage", "arma", "fc", "skip"],
    };
    let k = names.len();
    let skip = names.iter().position(|n| *n == "skip").unwrap();
    // A labelled form as its digits: link[i] in 0..=i, ops[i] an index into `names`. The
    // reference's own strings are parsed into these digits and every move is made on them;
    // a dense table indexed by the digits (24 links × k^4 op lists) replaces a map keyed
    // by re-joined strings, which cost most of this module's CPU time (about 10 s).
    let slot = |link: &[usize; 4], ops: &[usize; 4]| -> usize {
        // link[0] is always 0.
        let l = (link[3] * 3 + link[2]) * 2 + link[1];
        let o = ops.iter().fold(0, |acc, &x| acc * k + x);
        l * k.pow(4) + o
    };
    let mut hash_of: Vec<Option<u32>> = vec![None; 24 * k.pow(4)];
    let mut forms = Vec::new();
    for r in reference().iter().filter(|r| r.list == list) {
        let mut link = [0usize; 4];
        for (i, x) in r.link.split('-').enumerate() {
            link[i] = x.parse().unwrap();
            assert!(link[i] <= i, "link {} of the reference", r.link);
        }
        let mut ops = [0usize; 4];
        for (i, x) in r.ops.split('-').enumerate() {
            ops[i] = names.iter().position(|n| *n == x).unwrap();
        }
        let at = slot(&link, &ops);
        assert!(hash_of[at].is_none(), "{} {} twice", r.link, r.ops);
        hash_of[at] = Some(r.hash);
        forms.push((link, ops, r.hash));
    }
    let mut edges = Vec::new();
    for (link, ops, a) in forms {
        let mut moved = Vec::new();
        for i in 0..4 {
            for name in 0..k {
                if name != ops[i] {
                    let mut p = ops;
                    p[i] = name;
                    moved.push((link, p));
                }
            }
            for value in 0..=i {
                if value != link[i] {
                    let mut q = link;
                    q[i] = value;
                    moved.push((q, ops));
                }
            }
        }
        for (l, o) in moved {
            if o.iter().all(|&x| x == skip) {
                continue;
            }
            let b = hash_of[slot(&l, &o)].expect("every move lands on a reference row");
            if a != b {
                edges.push((a.min(b), a.max(b)));
            }
        }
    }
    edges.sort_unstable();
    edges.dedup();
    edges.into_iter().collect()
}

#[test]
fn class_graph_equals_a_brute_force_over_the_reference_hashes() {
    for (s, list) in [(full(), OpList::Full), (proteins(), OpList::Proteins)] {
        let ours: BTreeSet<(u32, u32)> = (0..s.len() as VertexId)
            .flat_map(|v| {
                s.csr()
                    .neighbours(v)
                    .iter()
                    .filter(move |&&u| u > v)
                    .map(move |&u| (s.hashes()[v as usize], s.hashes()[u as usize]))
            })
            .collect();
        let theirs = brute_force_edges(list);
        assert_eq!(ours.len(), theirs.len(), "{list:?}: edge counts");
        assert!(&ours == theirs, "{list:?}: edge sets differ");
    }
}

/// `analyze` on the shared cora table: its local minima are exactly the distinct ends of
/// a per-start hill climb over the brute-force class graph (ids = ranks of the hashes).
#[test]
fn cli_analyze_on_cora_matches_a_per_start_hill_climb() {
    let table = shared_data("nbgraph_cora.csv");
    let doc = crate::util::json(&[
        "analyze",
        "--space",
        "nbgraph",
        "--table",
        table.to_str().unwrap(),
        "--metric",
        "valid_perf",
        "--maximize",
        "--json",
        "--no-hardness",
    ]);
    assert_eq!(doc["n"], 26_206);
    assert_eq!(doc["source"]["key"], "hash");

    let mut rows: Vec<(u32, f64)> = csv::Reader::from_path(&table)
        .unwrap()
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[0].parse().unwrap(), r[3].parse().unwrap())
        })
        .collect();
    rows.sort_by_key(|r| r.0);
    let id: HashMap<u32, usize> = rows.iter().enumerate().map(|(i, r)| (r.0, i)).collect();
    let loss: Vec<f64> = rows.iter().map(|r| -r.1).collect();
    let mut lists = vec![Vec::new(); rows.len()];
    for &(a, b) in brute_force_edges(OpList::Full) {
        lists[id[&a]].push(id[&b]);
        lists[id[&b]].push(id[&a]);
    }
    let climb = crate::util::oracle::climb_lists(&loss, &lists);
    let ends: BTreeSet<usize> = climb.end.iter().copied().collect();
    assert_eq!(ends.len(), climb.local_minima);
    assert_eq!(doc["local_minima"], climb.local_minima as u64);
    assert_eq!(doc["strict_local_minima"], climb.strict_local_minima as u64);
    let best = (0..loss.len())
        .min_by(|&a, &b| loss[a].total_cmp(&loss[b]))
        .unwrap();
    assert_eq!(doc["global_optimum"]["archs"][0], rows[best].0.to_string());
    let basin = climb.end.iter().filter(|&&e| e == best).count();
    assert_eq!(doc["global_optimum"]["basin"], basin as u64);
}

/// `pack --space nbgraph` stores the same graph and keys: `analyze --graph` agrees with
/// `analyze --space`; the proteins space runs on synthetic losses.
#[test]
fn cli_pack_and_proteins() {
    let table = shared_data("nbgraph_citeseer.csv");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("citeseer.nasl");
    crate::util::nasland()
        .args(["pack", "--space", "nbgraph", "--table"])
        .arg(&table)
        .args(["--metrics", "test_perf", "--maximize", "-o"])
        .arg(&out)
        .assert()
        .success();
    let packed = crate::util::json(&[
        "analyze",
        "--graph",
        out.to_str().unwrap(),
        "--metric",
        "test_perf",
        "--json",
        "--no-hardness",
    ]);
    let direct = crate::util::json(&[
        "analyze",
        "--space",
        "nbgraph",
        "--table",
        table.to_str().unwrap(),
        "--metric",
        "test_perf",
        "--maximize",
        "--json",
        "--no-hardness",
    ]);
    for field in ["n", "local_minima", "strict_local_minima", "degree_stats"] {
        assert_eq!(packed[field], direct[field], "{field}");
    }
    assert_eq!(
        packed["global_optimum"]["archs"],
        direct["global_optimum"]["archs"]
    );

    let p = crate::util::json(&[
        "analyze",
        "--space",
        "nbgraph-proteins",
        "--json",
        "--no-hardness",
    ]);
    assert_eq!(p["n"], 2_021);
    assert_eq!(p["degree_stats"]["min"], 5);
}

/// A table row whose hash is no architecture is an error naming the line.
#[test]
fn cli_rejects_a_table_with_a_foreign_hash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let text = std::fs::read_to_string(shared_data("nbgraph_pubmed.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[5] = "89999,0-1-2-3,skip-skip-skip-skip,0.5,0.5,0.1,1.0";
    std::fs::write(&path, lines.join("\n")).unwrap();
    let out = crate::util::nasland()
        .args(["analyze", "--space", "nbgraph", "--table"])
        .arg(&path)
        .args(["--metric", "valid_perf", "--maximize"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 6"));
}

/// `report` takes a space per table: NB201 and NAS-Bench-Graph side by side, the
/// NAS-Bench-Graph row equal to `analyze` on the same column.
#[test]
fn cli_report_takes_a_space_per_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    let nb201 = shared_data("nb201.csv");
    let cora = shared_data("nbgraph_cora.csv");
    crate::util::nasland()
        .args(["report", "--space", "nb201", "--table"])
        .arg(&nb201)
        .args([
            "--metrics",
            "c10_test_200_mean:max",
            "--space",
            "nbgraph",
            "--table",
        ])
        .arg(&cora)
        .args([
            "--metrics",
            "test_perf:max",
            "--figures",
            "0",
            "--quiet",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let page = std::fs::read_to_string(&out).unwrap();
    let analyze = crate::util::json(&[
        "analyze",
        "--space",
        "nbgraph",
        "--table",
        cora.to_str().unwrap(),
        "--metric",
        "test_perf",
        "--maximize",
        "--json",
        "--no-hardness",
    ]);
    let minima = analyze["local_minima"].as_u64().unwrap();
    let row = page
        .split("<tr>")
        .find(|r| r.contains("nbgraph · test_perf (max)</td>"))
        .expect("a hardness row for the nbgraph input");
    assert!(
        row.contains(&format!(">{minima}<")),
        "row {row:?} lacks the local minima count {minima}"
    );
    assert!(page.contains("nb201 · c10_test_200_mean (max)"));
    assert!(page.contains("--space nbgraph --table"));
}
