//! A table metric's direction is said or recorded, never guessed (issue #16): every
//! command refuses an undirected table metric; `.nasl` columns keep the direction `pack`
//! recorded; synthetic losses need none.

use crate::util::{json, nasland};
use nasland::input::{Direction, ErrorKind, InputSpec};
use std::path::{Path, PathBuf};

/// A 3x4 product space with three metric columns: `a`, `b`, `c` (distinct values), and
/// `val_acc` (accuracies in [0, 1], for the suggestion).
fn small_table(dir: &Path) -> PathBuf {
    let path = dir.join("t.csv");
    let mut text = String::from("arch,a,b,c,val_acc\n");
    for v in 0..12u32 {
        let (d0, d1) = (v % 3, v / 3);
        // A permutation of 0..12, so every column has distinct values.
        let x = (v * 5 + 3) % 12;
        text += &format!(
            "{d0}-{d1},{x},{},{},{}\n",
            11 - x,
            (x * 7) % 12,
            x as f64 / 12.0
        );
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs `nasland ARGS`, expects exit status 2, returns stderr.
fn refused(args: &[&str]) -> String {
    let out = nasland().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    stderr
}

fn names_both_flags(stderr: &str) {
    assert!(
        stderr.contains("--maximize") && stderr.contains("--minimize"),
        "{stderr}"
    );
}

/// Every command that analyses a table column refuses one without a direction, before any
/// work, with exit status 2 and a message naming both flags.
#[test]
fn every_command_refuses_an_undirected_table_metric() {
    let dir = tempfile::tempdir().unwrap();
    let t = small_table(dir.path());
    let t = t.to_str().unwrap();
    let input = ["--space", "3x4", "--table", t, "--metric", "a"];
    let out = dir.path().join("r.html");
    let cases: Vec<Vec<&str>> = vec![
        [&["analyze"][..], &input].concat(),
        [&["starts"][..], &input].concat(),
        [&["simulate"][..], &input].concat(),
        [&["noise"][..], &input, &["--sigma", "0.5", "--draws", "2"]].concat(),
        [&["theory"][..], &input].concat(),
        [&["lon"][..], &input].concat(),
        vec![
            "report",
            "--space",
            "3x4",
            "--table",
            t,
            "--metrics",
            "a",
            "-o",
            out.to_str().unwrap(),
        ],
    ];
    for args in &cases {
        let stderr = refused(args);
        names_both_flags(&stderr);
        assert!(
            stderr.contains("\"a\""),
            "{args:?} names the column: {stderr}"
        );
    }
    assert!(!out.exists(), "a refused report writes nothing");
    // The same commands run once the direction is said.
    for args in &cases[..1] {
        nasland().args(args).arg("--minimize").assert().success();
    }
}

#[test]
fn report_takes_suffixes_and_refuses_bare_columns() {
    let dir = tempfile::tempdir().unwrap();
    let t = small_table(dir.path());
    let out = dir.path().join("r.html");
    let run = |metrics: &str, extra: &[&str]| {
        nasland()
            .args(["report", "--quiet", "--space", "3x4", "--table"])
            .args([t.to_str().unwrap(), "--metrics", metrics, "-o"])
            .arg(&out)
            .args(["--figures", "0", "--noise-draws", "1"])
            .args(extra)
            .output()
            .unwrap()
    };
    // One bare column among suffixed ones is refused, by name.
    let o = run("a:max,b", &[]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    names_both_flags(&stderr);
    assert!(stderr.contains("\"b\""), "{stderr}");
    // Suffixes alone, or a flag for the bare ones, are enough.
    assert!(run("a:max,b:min", &[]).status.success());
    assert!(run("a:max,b", &["--minimize"]).status.success());
    let page = std::fs::read_to_string(&out).unwrap();
    assert!(
        page.contains("--metric b --minimize"),
        "reproducing commands say the direction"
    );
    // `all` without a direction is refused too.
    assert_eq!(run("all", &[]).status.code(), Some(2));
}

#[test]
fn refusal_suggests_but_never_picks() {
    let dir = tempfile::tempdir().unwrap();
    let t = small_table(dir.path());
    let stderr = refused(&[
        "analyze",
        "--space",
        "3x4",
        "--table",
        t.to_str().unwrap(),
        "--metric",
        "val_acc",
    ]);
    names_both_flags(&stderr);
    assert!(stderr.contains("probably --maximize"), "{stderr}");
    // The library's kind carries the suggestion; the column is still refused.
    let err = InputSpec {
        space: "3x4".into(),
        table: Some(t.clone()),
        metric: Some("val_acc".into()),
        ..InputSpec::default()
    }
    .load()
    .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::DirectionNeeded {
            column: "val_acc".into(),
            suggestion: Some(true)
        }
    );
    let err = InputSpec {
        space: "3x4".into(),
        table: Some(t),
        metric: Some("a".into()),
        ..InputSpec::default()
    }
    .load()
    .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::DirectionNeeded {
            column: "a".into(),
            suggestion: None
        }
    );
}

/// `pack` records `a` maximised, `b` minimised and says that `c` and `val_acc` are left
/// unspecified; `--graph` then uses what was recorded, refuses a contradicting flag, and
/// needs a flag for an unspecified column.
#[test]
fn packed_directions_recorded_contradicted_unspecified() {
    let dir = tempfile::tempdir().unwrap();
    let t = small_table(dir.path());
    let g = dir.path().join("t.nasl");
    let out = nasland()
        .args(["pack", "--space", "3x4", "--table", t.to_str().unwrap()])
        .args(["--maximize", "a", "--minimize", "b", "-o"])
        .arg(&g)
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no direction recorded for c, val_acc"),
        "{stderr}"
    );
    let g = g.to_str().unwrap();
    let table = nasland::table::Table::open(Path::new(g)).unwrap();
    let recorded: Vec<Direction> = table.columns().iter().map(|c| c.direction).collect();
    assert_eq!(
        recorded,
        [
            Direction::Maximize,
            Direction::Minimize,
            Direction::Unspecified,
            Direction::Unspecified
        ]
    );

    // Recorded: no flag needed, and the agreeing flag changes nothing.
    let a = json(&["analyze", "--graph", g, "--metric", "a", "--json"]);
    assert_eq!(a["maximize"], true);
    assert_eq!(a["global_optimum"]["value"], 11.0);
    let a2 = json(&[
        "analyze",
        "--graph",
        g,
        "--metric",
        "a",
        "--maximize",
        "--json",
    ]);
    assert_eq!(a["local_minima"], a2["local_minima"]);
    let b = json(&["analyze", "--graph", g, "--metric", "b", "--json"]);
    assert_eq!(b["maximize"], false);
    assert_eq!(b["global_optimum"]["value"], 0.0);

    // Contradicted: refused, naming the flag to drop.
    let stderr = refused(&["analyze", "--graph", g, "--metric", "a", "--minimize"]);
    assert!(
        stderr.contains("higher-is-better") && stderr.contains("drop --minimize"),
        "{stderr}"
    );
    let stderr = refused(&["starts", "--graph", g, "--metric", "b", "--maximize"]);
    assert!(
        stderr.contains("lower-is-better") && stderr.contains("drop --maximize"),
        "{stderr}"
    );
    let err = InputSpec {
        graph: Some(g.into()),
        metric: Some("b".into()),
        direction: Direction::Maximize,
        ..InputSpec::default()
    }
    .load()
    .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::DirectionConflict {
            column: "b".into(),
            recorded: false
        }
    );

    // Unspecified: needs a flag, then follows it.
    names_both_flags(&refused(&["analyze", "--graph", g, "--metric", "c"]));
    let c = json(&[
        "analyze",
        "--graph",
        g,
        "--metric",
        "c",
        "--minimize",
        "--json",
    ]);
    assert_eq!(c["maximize"], false);
    let c = json(&[
        "analyze",
        "--graph",
        g,
        "--metric",
        "c",
        "--maximize",
        "--json",
    ]);
    assert_eq!(c["maximize"], true);
}

#[test]
fn pack_refuses_a_column_given_both_directions_or_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let t = small_table(dir.path());
    let g = dir.path().join("t.nasl");
    let pack = |extra: &[&str]| {
        let out = nasland()
            .args([
                "pack",
                "--space",
                "3x4",
                "--table",
                t.to_str().unwrap(),
                "-o",
            ])
            .arg(&g)
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = pack(&["--maximize", "a", "--minimize", "a"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("both --maximize and --minimize"),
        "{stderr}"
    );
    let (code, stderr) = pack(&["--minimize", "zz"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("--minimize names \"zz\""), "{stderr}");
    // All minimised but one: nothing left unspecified.
    let (code, stderr) = pack(&["--minimize", "--maximize", "a,val_acc"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("no direction recorded"), "{stderr}");
}

/// Synthetic losses are losses: `--maximize` is ignored with a warning and changes nothing.
#[test]
fn synthetic_losses_need_no_direction() {
    let args = [
        "analyze",
        "--space",
        "3x4x5",
        "--synthetic",
        "uniform",
        "--json",
    ];
    let plain = json(&args);
    let out = nasland().args(args).arg("--maximize").output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("warning: --maximize does not apply"));
    let flagged: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(plain, flagged);
    assert_eq!(flagged["maximize"], false);
}

/// The rule itself, without a command: what is said or recorded wins, and a said
/// direction that contradicts the recorded one is refused, naming which one was recorded.
#[test]
fn said_or_recorded_wins_and_contradiction_is_refused() {
    use nasland::input::direction::resolve;
    use Direction::{Maximize, Minimize, Unspecified};
    let kind = |r: Result<bool, nasland::input::Error>| r.unwrap_err().kind().clone();
    let p = Path::new("t.nasl");
    assert!(resolve("a", Maximize, Unspecified, &[], p).unwrap());
    assert!(!resolve("a", Unspecified, Minimize, &[], p).unwrap());
    assert!(!resolve("a", Minimize, Minimize, &[], p).unwrap());
    assert!(resolve("a", Unspecified, Maximize, &[], p).unwrap());
    assert_eq!(
        kind(resolve("a", Maximize, Minimize, &[], p)),
        ErrorKind::DirectionConflict {
            column: "a".into(),
            recorded: false
        }
    );
    assert_eq!(
        kind(resolve("a", Minimize, Maximize, &[], p)),
        ErrorKind::DirectionConflict {
            column: "a".into(),
            recorded: true
        }
    );
    // Nothing said: refused, with a suggestion at most.
    let p = Path::new("t.csv");
    assert_eq!(
        kind(resolve(
            "c10_acc",
            Unspecified,
            Unspecified,
            &[10.0, 93.5],
            p
        )),
        ErrorKind::DirectionNeeded {
            column: "c10_acc".into(),
            suggestion: Some(true)
        }
    );
    assert_eq!(
        kind(resolve("val", Unspecified, Unspecified, &[1.0], p)),
        ErrorKind::DirectionNeeded {
            column: "val".into(),
            suggestion: None
        }
    );
}

#[test]
fn suggestions_follow_name_and_range() {
    use nasland::input::direction::suggest;
    assert!(suggest("test_accuracy", &[0.1, 0.9]).unwrap().maximize);
    assert!(suggest("test_accuracy", &[0.1, 93.0]).unwrap().maximize);
    // An "accuracy" outside both ranges is not what the rule knows.
    assert_eq!(suggest("acc", &[-1.0, 3.0]), None);
    assert!(!suggest("train_loss", &[0.3]).unwrap().maximize);
    assert!(!suggest("pixel3_latency", &[12.0]).unwrap().maximize);
    assert!(!suggest("FLOPS", &[1e6]).unwrap().maximize);
    assert_eq!(suggest("pixel3", &[12.0]), None);
}
