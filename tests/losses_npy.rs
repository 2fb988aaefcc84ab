//! `--losses FILE.npy`: one loss per vertex from a NumPy array, memory-mapped. Each way a
//! file can be wrong has its own error kind; the right file gives exactly the answer of
//! the same values read from a table.

use crate::util::{json, nasland, shared_data};
use nasland::input::{npy, ErrorKind, InputSpec};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A `.npy` file with a header of our own making (for the files NumPy would not write).
fn raw(dir: &Path, name: &str, descr: &str, fortran: bool, shape: &str, data: &[u8]) -> PathBuf {
    let mut header = format!(
        "{{'descr': '{descr}', 'fortran_order': {}, 'shape': {shape}, }}",
        if fortran { "True" } else { "False" }
    );
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let path = dir.join(name);
    let mut f = std::fs::File::create(&path).unwrap();
    f.write_all(b"\x93NUMPY\x01\x00").unwrap();
    f.write_all(&(header.len() as u16).to_le_bytes()).unwrap();
    f.write_all(header.as_bytes()).unwrap();
    f.write_all(data).unwrap();
    path
}

fn f64_bytes(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn kind_of(space: &str, path: &Path) -> ErrorKind {
    InputSpec {
        space: space.into(),
        losses: Some(path.to_path_buf()),
        ..InputSpec::default()
    }
    .load_losses()
    .unwrap_err()
    .kind()
    .clone()
}

#[test]
fn every_wrong_file_has_its_own_kind() {
    let d = tempfile::tempdir().unwrap();
    let good: Vec<f64> = (0..81).map(|v| v as f64).collect();
    let dir = d.path();
    let cases = [
        (
            raw(
                dir,
                "short.npy",
                "<f8",
                false,
                "(80,)",
                &f64_bytes(&good[..80]),
            ),
            ErrorKind::NpyLength {
                expected: 81,
                found: 80,
            },
        ),
        (
            raw(dir, "int.npy", "<i8", false, "(81,)", &f64_bytes(&good)),
            ErrorKind::NpyDtype {
                descr: "<i8".into(),
            },
        ),
        (
            raw(dir, "big.npy", ">f8", false, "(81,)", &f64_bytes(&good)),
            ErrorKind::NpyDtype {
                descr: ">f8".into(),
            },
        ),
        (
            raw(dir, "fortran.npy", "<f8", true, "(81,)", &f64_bytes(&good)),
            ErrorKind::NpyOrder,
        ),
        (
            raw(dir, "square.npy", "<f8", false, "(9, 9)", &f64_bytes(&good)),
            ErrorKind::NpyShape { shape: vec![9, 9] },
        ),
        (
            raw(
                dir,
                "cut.npy",
                "<f8",
                false,
                "(81,)",
                &f64_bytes(&good[..40]),
            ),
            ErrorKind::NpyHeader,
        ),
    ];
    for (path, kind) in cases {
        assert_eq!(kind_of("3^4", &path), kind, "{}", path.display());
    }
    let mut nan = good.clone();
    nan[17] = f64::NAN;
    let p = raw(dir, "nan.npy", "<f8", false, "(81,)", &f64_bytes(&nan));
    assert_eq!(kind_of("3^4", &p), ErrorKind::NpyNotFinite { index: 17 });
    let mut inf = good.clone();
    inf[80] = f64::NEG_INFINITY;
    let p = raw(dir, "inf.npy", "<f8", false, "(81,)", &f64_bytes(&inf));
    assert_eq!(kind_of("3^4", &p), ErrorKind::NpyNotFinite { index: 80 });
    let p = dir.join("text.npy");
    std::fs::write(&p, "arch,loss\n").unwrap();
    assert_eq!(kind_of("3^4", &p), ErrorKind::NpyHeader);
    assert_eq!(kind_of("3^4", &dir.join("absent.npy")), ErrorKind::Io);

    let ok = raw(dir, "ok.npy", "<f8", false, "(81,)", &f64_bytes(&good));
    let both = InputSpec {
        space: "3^4".into(),
        losses: Some(ok),
        synthetic: Some("uniform".into()),
        ..InputSpec::default()
    };
    assert_eq!(
        both.load_losses().unwrap_err().kind(),
        &ErrorKind::LossesAndOther
    );
}

#[test]
fn the_command_line_names_the_file_and_what_to_do() {
    let d = tempfile::tempdir().unwrap();
    let good: Vec<f64> = (0..80).map(|v| v as f64).collect();
    let p = raw(
        d.path(),
        "short.npy",
        "<f8",
        false,
        "(80,)",
        &f64_bytes(&good),
    );
    let out = nasland()
        .args(["analyze", "--space", "3^4", "--losses"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a data error exits with 1 (docs/RELIABILITY.md)"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("short.npy"), "{err}");
    assert!(
        err.contains("80 values") && err.contains("81 vertices"),
        "{err}"
    );
}

/// The fields of an `analyze --json` document that are about the landscape.
fn numbers(doc: &serde_json::Value) -> serde_json::Value {
    let keys = [
        "n",
        "local_minima",
        "strict_local_minima",
        "global_optimum",
        "eps_curve",
        "path_length",
        "minima",
        "maximize",
    ];
    keys.iter()
        .map(|&k| (k.to_string(), doc[k].clone()))
        .collect()
}

#[test]
fn an_array_gives_the_answer_of_the_same_values_from_a_table() {
    let table = shared_data("nb201.csv");
    let metric = "c100_test_200_mean";
    let input = InputSpec {
        space: "nb201".into(),
        table: Some(table.clone()),
        metric: Some(metric.into()),
        direction: nasland::input::Direction::Maximize,
        ..InputSpec::default()
    }
    .load()
    .unwrap();
    // The loss is the negated accuracy; the array holds the accuracy itself.
    let accuracy: Vec<f64> = input.loss.iter().map(|&x| -x).collect();
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("acc.npy");
    npy::write(&mut std::fs::File::create(&path).unwrap(), &accuracy).unwrap();
    let t = table.to_str().unwrap();
    let p = path.to_str().unwrap();
    for extra in [&["--no-hardness"][..], &[]] {
        let mut from_table = vec!["analyze", "--space", "nb201", "--table", t, "--metric"];
        from_table.extend([metric, "--maximize", "--json"]);
        from_table.extend(extra);
        let mut from_array = vec!["analyze", "--space", "nb201", "--losses", p];
        from_array.extend(["--maximize", "--json"]);
        from_array.extend(extra);
        let (a, b) = (json(&from_table), json(&from_array));
        assert_eq!(numbers(&a), numbers(&b), "{extra:?}");
        assert_eq!(a["hardness"], b["hardness"], "{extra:?}");
        assert_eq!(b["source"]["kind"], "npy");
    }
}

#[test]
fn float32_and_float64_arrays_of_the_same_values_agree() {
    let d = tempfile::tempdir().unwrap();
    let n = 5usize.pow(6);
    let v32: Vec<f32> = (0..n).map(|v| ((v * 7919) % 1000) as f32 / 64.0).collect();
    let v64: Vec<f64> = v32.iter().map(|&x| x as f64).collect();
    let (p32, p64) = (d.path().join("a32.npy"), d.path().join("a64.npy"));
    npy::write(&mut std::fs::File::create(&p32).unwrap(), &v32).unwrap();
    npy::write(&mut std::fs::File::create(&p64).unwrap(), &v64).unwrap();
    let run = |p: &Path| {
        json(&[
            "analyze",
            "--space",
            "5^6",
            "--losses",
            p.to_str().unwrap(),
            "--json",
            "--no-hardness",
        ])
    };
    assert_eq!(numbers(&run(&p32)), numbers(&run(&p64)));
}

/// What `npy::write` makes, `Mapped` opens in place: the header padded so the data is
/// aligned, the dtype and length read back, and a file that is not `.npy` refused by its
/// magic string.
#[test]
fn written_arrays_open_with_their_dtype_and_values() {
    let d = tempfile::tempdir().unwrap();
    let path = d.path().join("w.npy");
    let mut f = Vec::new();
    npy::write(&mut f, &[1.0f64, 2.0, 3.0]).unwrap();
    assert_eq!(f.len(), 128 + 3 * 8, "a 128-byte header, then the data");
    std::fs::write(&path, &f).unwrap();
    let m = npy::Mapped::open(&path, 3).unwrap();
    assert_eq!(m.values_len(), 3);
    assert_eq!(m.dtype(), npy::Dtype::F64);
    assert_eq!(m.to_f64(), vec![1.0, 2.0, 3.0]);
    assert!(matches!(open_err(&path, 4), ErrorKind::NpyLength { .. }));
    let zip = d.path().join("zip.npy");
    std::fs::write(&zip, b"PK\x03\x04 not numpy").unwrap();
    assert_eq!(open_err(&zip, 3), ErrorKind::NpyHeader);
    // Shapes are tuples of any length; only one dimension is a loss array.
    let empty = raw(
        d.path(),
        "scalar.npy",
        "<f8",
        false,
        "()",
        &f64_bytes(&[1.0]),
    );
    assert_eq!(open_err(&empty, 1), ErrorKind::NpyShape { shape: vec![] });
    let two = raw(
        d.path(),
        "two.npy",
        "<f8",
        false,
        "(1, 3)",
        &f64_bytes(&[1.0, 2.0, 3.0]),
    );
    assert_eq!(open_err(&two, 3), ErrorKind::NpyShape { shape: vec![1, 3] });
}

/// The kind of error `Mapped::open` gives (a mapping has no `Debug`, so no `unwrap_err`).
fn open_err(path: &Path, n: usize) -> ErrorKind {
    match npy::Mapped::open(path, n) {
        Ok(_) => panic!("{} opened", path.display()),
        Err(e) => e.kind().clone(),
    }
}
