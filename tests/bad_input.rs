//! Bad input gets a clear error, never a number: exit status 1 for bad data, 2 for a
//! command line that is wrong before any file is read (docs/RELIABILITY.md).

use crate::util::nasland;

use crate::util::shared_data;
use predicates::prelude::*;
use predicates::str::contains;
use std::path::PathBuf;

/// NB201 table with its lines edited by `edit` (line 0 is the header).
fn edited_nb201(edit: impl Fn(&mut Vec<String>)) -> (tempfile::TempDir, PathBuf) {
    let text = std::fs::read_to_string(shared_data("nb201.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    edit(&mut lines);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    (dir, path)
}

/// Replaces field `col` of line `line`.
fn set_field(lines: &mut [String], line: usize, col: usize, value: &str) {
    let mut fields: Vec<&str> = lines[line].split(',').collect();
    fields[col] = value;
    lines[line] = fields.join(",");
}

fn analyze(table: &PathBuf, extra: &[&str]) -> assert_cmd::assert::Assert {
    nasland()
        .args(["analyze", "--space", "nb201", "--table"])
        .arg(table)
        .args(extra)
        .assert()
}

const METRIC: [&str; 3] = ["--metric", "c10_test_200_mean", "--maximize"];

#[test]
fn malformed_architecture_string() {
    let (_d, t) = edited_nb201(|l| set_field(l, 5, 1, "|nor_conv_3x3~0|+|none~0|"));
    analyze(&t, &METRIC).code(1).stderr(
        contains("line 6")
            .and(contains("is not an architecture"))
            .and(contains("3 node groups"))
            .and(contains("hint: --space names the space, --key the column")),
    );
}

#[test]
fn unknown_operation() {
    let (_d, t) = edited_nb201(|l| {
        set_field(
            l,
            9,
            1,
            "|conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|",
        )
    });
    analyze(&t, &METRIC)
        .code(1)
        .stderr(contains("line 10").and(contains("unknown operation \"conv_9x9\"")));
}

#[test]
fn duplicate_architecture() {
    let (_d, t) = edited_nb201(|l| {
        let arch = l[2].split(',').nth(1).unwrap().to_string();
        set_field(l, 7, 1, &arch);
    });
    analyze(&t, &METRIC)
        .code(1)
        .stderr(contains("line 8").and(contains("appears twice (first on line 3)")));
}

#[test]
fn missing_architectures() {
    let (_d, t) = edited_nb201(|l| {
        l.remove(100);
        l.remove(50);
    });
    analyze(&t, &METRIC)
        .code(1)
        .stderr(contains("15623 of the space's 15625").and(contains("2 missing, first: |")));
}

#[test]
fn non_numeric_value() {
    let (_d, t) = edited_nb201(|l| set_field(l, 12, 2, "n/a"));
    analyze(&t, &METRIC).code(1).stderr(contains(
        "line 13, column \"c10_test_200_mean\": \"n/a\" is not a number",
    ));
}

#[test]
fn empty_value() {
    let (_d, t) = edited_nb201(|l| set_field(l, 12, 2, ""));
    analyze(&t, &METRIC)
        .code(1)
        .stderr(contains("line 13").and(contains("is not a number")));
}

#[test]
fn nan_and_infinite_values() {
    for bad in ["NaN", "nan", "inf", "-inf"] {
        let (_d, t) = edited_nb201(|l| set_field(l, 3, 2, bad));
        analyze(&t, &METRIC)
            .code(1)
            .stderr(contains("line 4").and(contains("is not finite")));
    }
}

#[test]
fn unknown_metric_column_lists_the_columns() {
    let t = shared_data("nb201.csv");
    analyze(&t, &["--metric", "c10_test_999"])
        .code(1)
        .stderr(contains("no metric column \"c10_test_999\"").and(contains("c100_test_200_mean")));
}

#[test]
fn unknown_key_column() {
    let t = shared_data("nb201.csv");
    analyze(&t, &["--metric", "c10_test_200_mean", "--key", "arch"])
        .code(1)
        .stderr(contains("no key column \"arch\"").and(contains("arch_str")));
}

#[test]
fn wrong_space_for_the_table() {
    nasland()
        .args([
            "analyze",
            "--space",
            "tnb101",
            "--key",
            "arch_str",
            "--metric",
            "c10_test_200_mean",
            "--table",
        ])
        .arg(shared_data("nb201.csv"))
        .assert()
        .code(1)
        .stderr(
            contains("line 2")
                .and(contains("is an architecture of nb201, not of tnb101"))
                .and(contains("64-41414-"))
                .and(contains("hint: pass --space nb201")),
        );
}

#[test]
fn missing_file_and_bad_options() {
    nasland()
        .args(["analyze", "--table", "/nonexistent/t.csv", "--metric", "x"])
        .assert()
        .code(1)
        .stderr(contains("cannot open table /nonexistent/t.csv"));
    nasland()
        .args(["analyze", "--space", "5^q"])
        .assert()
        .code(2)
        .stderr(contains("unknown space \"5^q\""));
    nasland()
        .args(["analyze", "--table"])
        .arg(shared_data("nb201.csv"))
        .assert()
        .code(2)
        .stderr(contains("--table needs --metric"));
    nasland()
        .args(["analyze", "--synthetic", "gaussian"])
        .assert()
        .code(2)
        .stderr(contains("unknown synthetic model \"gaussian\""));
    nasland()
        .args(["analyze", "--eps", "0,-1"])
        .assert()
        .code(2)
        .stderr(contains("ε must be a finite number >= 0"));
}
