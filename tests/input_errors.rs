//! Every refused input comes back as an `input::Error` of the right kind, naming the
//! offending row and column; the tests match kinds, never message text.

use crate::util::shared_data;
use nasland::input::{Error, ErrorKind, Input, InputSpec};
use nasland::io::edges_csv::read_edges;
use nasland::space::{ParseError, ParseErrorKind, ProductSpace, VertexId};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const METRIC: &str = "c10_test_200_mean";
/// Field positions in nb201.csv.
const KEY_FIELD: usize = 1;
const METRIC_FIELD: usize = 2;

/// The NB201 table in a fixed shuffled row order, its data rows given to `edit` (row 0 is
/// the first line after the header), written to a temporary file.
fn shuffled_nb201(edit: impl Fn(&mut Vec<String>)) -> (tempfile::TempDir, PathBuf, Vec<String>) {
    let text = std::fs::read_to_string(shared_data("nb201.csv")).unwrap();
    let mut lines = text.lines().map(String::from);
    let header = lines.next().unwrap();
    let mut rows: Vec<String> = lines.collect();
    rows.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(10));
    edit(&mut rows);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.csv");
    std::fs::write(&path, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    (dir, path, rows)
}

fn field(rows: &[String], row: usize, col: usize) -> String {
    rows[row].split(',').nth(col).unwrap().to_string()
}

fn set_field(rows: &mut [String], row: usize, col: usize, value: &str) {
    let mut fields: Vec<&str> = rows[row].split(',').collect();
    fields[col] = value;
    rows[row] = fields.join(",");
}

fn nb201() -> ProductSpace {
    ProductSpace::parse("nb201").unwrap()
}

fn load(path: &Path, key: &str, metric: &str) -> Error {
    Input::from_table(nb201(), path, key, metric, true).unwrap_err()
}

fn load_nb201(path: &Path) -> Error {
    load(path, "arch_str", METRIC)
}

#[test]
fn the_shuffled_table_itself_loads() {
    let (_d, path, rows) = shuffled_nb201(|_| {});
    let input = Input::from_table(nb201(), &path, "arch_str", METRIC, true).unwrap();
    let nasland::input::Source::Table { row_of, .. } = &input.source else {
        panic!("a table source");
    };
    let v = nb201().decode(&field(&rows, 0, KEY_FIELD)).unwrap();
    assert_eq!(row_of[v as usize], 0, "row order is the file's");
}

#[test]
fn unknown_operation() {
    let bad = "|conv_9x9~0|+|none~0|none~1|+|none~0|none~1|none~2|";
    let (_d, path, _) = shuffled_nb201(|r| set_field(r, 7, KEY_FIELD, bad));
    let err = load_nb201(&path);
    assert_eq!(
        err.kind(),
        &ErrorKind::UnknownArchitecture {
            row: 7,
            key: bad.into()
        }
    );
    assert_eq!(err.path(), Some(path.as_path()));
    let source = std::error::Error::source(&err).expect("the codec's reason");
    let parse = source.downcast_ref::<ParseError>().expect("a ParseError");
    assert_eq!(
        parse.kind(),
        &ParseErrorKind::UnknownOperation {
            op: "conv_9x9".into()
        }
    );
}

#[test]
fn malformed_architecture_string() {
    let (_d, path, _) = shuffled_nb201(|r| set_field(r, 4, KEY_FIELD, "|nor_conv_3x3~0|+|none~0|"));
    let err = load_nb201(&path);
    assert!(
        matches!(err.kind(), ErrorKind::UnknownArchitecture { row: 4, .. }),
        "{err:?}"
    );
    let source = std::error::Error::source(&err).unwrap();
    assert_eq!(
        source.downcast_ref::<ParseError>().unwrap().kind(),
        &ParseErrorKind::Malformed
    );
}

#[test]
fn duplicate_row() {
    let (_d, path, rows) = shuffled_nb201(|r| {
        let key = field(r, 3, KEY_FIELD);
        set_field(r, 9, KEY_FIELD, &key);
    });
    assert_eq!(
        load_nb201(&path).kind(),
        &ErrorKind::Duplicate {
            key: field(&rows, 3, KEY_FIELD),
            rows: [3, 9]
        }
    );
}

#[test]
fn missing_rows() {
    let (_d, path, rows) = shuffled_nb201(|r| {
        r.remove(100);
        r.remove(50);
    });
    let full = shuffled_nb201(|_| {}).2;
    let space = nb201();
    let gone: Vec<VertexId> = [&full[50], &full[100]]
        .iter()
        .map(|line| {
            space
                .decode(line.split(',').nth(KEY_FIELD).unwrap())
                .unwrap()
        })
        .collect();
    assert_eq!(rows.len(), 15_623);
    assert_eq!(
        load_nb201(&path).kind(),
        &ErrorKind::Missing {
            count: 2,
            first: space.encode(*gone.iter().min().unwrap())
        }
    );
}

#[test]
fn non_numeric_empty_nan_and_infinite_values() {
    for bad in ["n/a", "", "NaN", "nan", "inf", "-inf"] {
        let (_d, path, _) = shuffled_nb201(|r| set_field(r, 12, METRIC_FIELD, bad));
        assert_eq!(
            load_nb201(&path).kind(),
            &ErrorKind::NotANumber {
                row: 12,
                column: METRIC.into(),
                value: bad.into()
            },
            "{bad:?}"
        );
    }
}

#[test]
fn unknown_metric_and_key_columns() {
    let (_d, path, _) = shuffled_nb201(|_| {});
    let text = std::fs::read_to_string(&path).unwrap();
    let headers: Vec<String> = text
        .lines()
        .next()
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    assert_eq!(
        load(&path, "arch_str", "c10_test_999").kind(),
        &ErrorKind::UnknownColumn {
            name: "c10_test_999".into(),
            available: headers.clone()
        }
    );
    assert_eq!(
        load(&path, "arch", METRIC).kind(),
        &ErrorKind::UnknownColumn {
            name: "arch".into(),
            available: headers
        }
    );
}

#[test]
fn tnb101_table_given_for_nb201() {
    let err = load(&shared_data("tnb101_micro.csv"), "tnb_arch_str", "jigsaw");
    assert_eq!(
        err.kind(),
        &ErrorKind::WrongSpace {
            space: "nb201".into(),
            found: "tnb101".into()
        }
    );
    assert!(
        std::error::Error::source(&err).is_some(),
        "keeps why the key was refused"
    );
}

#[test]
fn nb201_table_given_for_tnb101() {
    let (_d, path, _) = shuffled_nb201(|_| {});
    let err = Input::from_table(
        ProductSpace::parse("tnb101").unwrap(),
        &path,
        "arch_str",
        METRIC,
        true,
    )
    .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::WrongSpace {
            space: "tnb101".into(),
            found: "nb201".into()
        }
    );
}

#[test]
fn a_foreign_key_after_the_first_row_is_one_bad_row() {
    let tnb_key = "64-41414-0_00_000";
    let (_d, path, _) = shuffled_nb201(|r| set_field(r, 20, KEY_FIELD, tnb_key));
    assert_eq!(
        load_nb201(&path).kind(),
        &ErrorKind::UnknownArchitecture {
            row: 20,
            key: tnb_key.into()
        }
    );
}

#[test]
fn unreadable_files_and_ragged_records() {
    let err = load_nb201(Path::new("/nonexistent/t.csv"));
    assert_eq!(err.kind(), &ErrorKind::Io);
    assert_eq!(err.path(), Some(Path::new("/nonexistent/t.csv")));
    assert!(std::error::Error::source(&err).is_some());

    let (_d, path, _) = shuffled_nb201(|r| r[30].push_str(",extra"));
    assert_eq!(load_nb201(&path).kind(), &ErrorKind::Csv { line: Some(32) });
}

#[test]
fn conflicting_or_incomplete_options() {
    let table = || Some(shared_data("nb201.csv"));
    let spec = |s: InputSpec| s.load().unwrap_err().kind().clone();
    let base = InputSpec {
        space: "nb201".into(),
        ..InputSpec::default()
    };
    assert_eq!(
        spec(InputSpec {
            table: table(),
            synthetic: Some("uniform".into()),
            ..base.clone()
        }),
        ErrorKind::TableAndSynthetic
    );
    assert_eq!(
        spec(InputSpec {
            table: table(),
            ..base.clone()
        }),
        ErrorKind::MetricNeeded
    );
    assert_eq!(
        spec(InputSpec {
            key: Some("arch_str".into()),
            ..base.clone()
        }),
        ErrorKind::ColumnWithoutTable
    );
    assert_eq!(
        spec(InputSpec {
            synthetic: Some("gaussian".into()),
            ..base.clone()
        }),
        ErrorKind::Model
    );
    assert_eq!(
        spec(InputSpec {
            table: table(),
            graph: Some("x.nasl".into()),
            ..base.clone()
        }),
        ErrorKind::GraphAndTable
    );
    let err = InputSpec {
        space: "5^q".into(),
        ..base
    }
    .load()
    .unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::Space);
    // A pass-through error shows the space's own message and keeps its chain.
    let parse = ProductSpace::parse("5^q").unwrap_err();
    assert_eq!(err.to_string(), parse.to_string());
}

#[test]
fn edge_list_faults() {
    let ids: HashMap<String, VertexId> = ["a", "b", "c"]
        .iter()
        .enumerate()
        .map(|(i, k)| (k.to_string(), i as VertexId))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let read = |text: &str| {
        let path = dir.path().join("e.csv");
        std::fs::write(&path, text).unwrap();
        read_edges(&path, &ids, "t.csv").map_err(|e| e.kind().clone())
    };
    assert_eq!(read("u,v\na,b\nb,c\n"), Ok(vec![(0, 1), (1, 2)]));
    assert_eq!(read("a,b\nb,c\n"), Err(ErrorKind::EdgeListWithoutHeader));
    assert_eq!(
        read("u,v,w\na,b,c\n"),
        Err(ErrorKind::EdgeHeader { columns: 3 })
    );
    assert_eq!(
        read("u,v\na,b\nb,a\nc,c\nx,a\n"),
        Err(ErrorKind::NotASimpleGraph {
            unknown_keys: 1,
            self_loops: 1,
            repeated_edges: 1
        })
    );
}
