//! The input side of issue 14: bad, unusual or hostile tables, edge lists, packed files
//! and options. Each test runs the command line in a scratch directory and checks the
//! exit status, the message and that the directory is exactly as before.

use super::snapshot;
use crate::util::nasland;
use std::path::{Path, PathBuf};

/// `analyze` of the column `loss` of `t.csv` over 3^4: the command most faults are tried on.
const ANALYZE_T: [&str; 8] = [
    "analyze",
    "--space",
    "3^4",
    "--table",
    "t.csv",
    "--metric",
    "loss",
    "--minimize",
];

/// Runs `nasland ARGS` in `dir`, asserts exit status 1 (the data or a file is at fault,
/// docs/RELIABILITY.md) and that `dir` is unchanged (nothing written, nothing left
/// behind), and returns stderr.
fn refused(dir: &Path, args: &[&str]) -> String {
    refused_with(1, dir, args)
}

/// [`refused`] for a usage error (exit status 2): the command line is at fault.
fn refused_usage(dir: &Path, args: &[&str]) -> String {
    refused_with(2, dir, args)
}

fn refused_with(status: i32, dir: &Path, args: &[&str]) -> String {
    let before = snapshot(dir);
    let out = nasland().current_dir(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(status), "{args:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    assert_eq!(snapshot(dir), before, "{args:?} changed the directory");
    stderr
}

/// Runs `nasland ARGS` in `dir`, asserts success, returns (stdout, stderr).
fn ok(dir: &Path, args: &[&str]) -> (String, String) {
    let out = nasland().current_dir(dir).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{args:?}: {stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

/// The 81 keys of 3^4 in vertex order.
fn keys_3x4() -> Vec<String> {
    let mut keys = vec![];
    for v in 0..81 {
        let (a, b, c, d) = (v % 3, v / 3 % 3, v / 9 % 3, v / 27);
        keys.push(format!("{a}-{b}-{c}-{d}"));
    }
    keys
}

/// A deterministic loss with distinct values in [0, 1).
fn loss(v: usize) -> f64 {
    ((v * 37 + 11) % 81) as f64 / 81.0 + v as f64 * 1e-6
}

/// `header` then one line per row of 3^4, `row(v, key)` giving the rest of the line.
fn table(dir: &Path, name: &str, header: &str, row: impl Fn(usize, &str) -> String) -> PathBuf {
    let mut text = format!("{header}\n");
    for (v, k) in keys_3x4().iter().enumerate() {
        text += &row(v, k);
        text.push('\n');
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn random_regular_degree_zero_is_an_error_not_a_panic() {
    let d = scratch();
    let e = refused_usage(
        d.path(),
        &["pack", "--random-regular", "10,0", "-o", "g.nasl"],
    );
    assert!(e.contains("degree S of at least 1"), "{e}");
    let e = refused_usage(d.path(), &["theory", "--random-regular", "10,0"]);
    assert!(e.contains("degree S of at least 1"), "{e}");
}

#[test]
fn dense_random_regular_is_built_fast_from_its_complement() {
    let d = scratch();
    ok(
        d.path(),
        &["pack", "--random-regular", "600,599", "-o", "k.nasl"],
    );
    let info: serde_json::Value =
        serde_json::from_str(&ok(d.path(), &["info", "k.nasl", "--json", "--verify"]).0).unwrap();
    assert_eq!(info["degree"]["min"], 599);
    assert_eq!(info["symmetric"], true);
}

#[test]
fn table_rewritten_while_mapped_reads_no_out_of_range_index() {
    use nasland::landscape::Landscape;
    use nasland::space::Neighbourhood;
    let d = scratch();
    // Varying degrees, so that the file has CSR offsets to damage.
    let keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
    let mut t = "key,loss\n".to_string();
    for (i, k) in keys.iter().enumerate() {
        t += &format!("{k},{}\n", loss(i));
    }
    std::fs::write(d.path().join("t.csv"), t).unwrap();
    let mut e = "a,b\n".to_string();
    for i in 1..40 {
        e += &format!("k0,k{i}\n");
        if i % 3 == 0 {
            e += &format!("k{},k{i}\n", i - 1);
        }
    }
    std::fs::write(d.path().join("e.csv"), e).unwrap();
    ok(
        d.path(),
        &[
            "pack", "--edges", "e.csv", "--table", "t.csv", "--key", "key", "-o", "g.nasl",
        ],
    );
    let path = d.path().join("g.nasl");
    let table = nasland::table::Table::open(&path).unwrap();
    let graph = table.graph().unwrap();
    let loss: Vec<f64> = (0..graph.len()).map(loss).collect();
    // Another process rewrites the file in place (breaking the documented contract):
    // everything after the header and directory becomes 0xff.
    let mut bytes = std::fs::read(&path).unwrap();
    let keep = 4096.min(bytes.len() / 2);
    for b in &mut bytes[keep..] {
        *b = 0xff;
    }
    {
        use std::io::{Seek, SeekFrom, Write};
        let mut f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.seek(SeekFrom::Start(0)).unwrap();
        f.write_all(&bytes).unwrap();
        f.sync_all().unwrap();
    }
    // Wrong numbers are allowed; an out-of-range index (a panic) is not.
    let landscape = Landscape::of_graph(&graph, &loss);
    assert_eq!(landscape.len(), graph.len());
    let h = nasland::stats::hardness(&graph, &loss, &landscape, 1.0, &[0.0, 0.1]);
    assert_eq!(h.n, graph.len());
    for v in 0..graph.len() as u32 {
        graph.for_each_neighbour(v, |u| assert!((u as usize) < graph.len()));
        let _ = graph.key(v);
    }
}

/// The estimate saturates instead of wrapping, so an absurd request is refused with the
/// figure and the option to lower, never let through by an overflow.
#[test]
fn a_saturated_memory_estimate_is_refused_with_the_figure_and_what_to_lower() {
    use nasland::memory::{available, check, times};
    assert_eq!(times(u64::MAX, 48), u64::MAX);
    if available().is_none() {
        return; // not Linux: nothing is refused, by design (src/memory.rs)
    }
    let e = check("4294967295 runs", times(u64::MAX, 48), "--runs").unwrap_err();
    let text = e.to_string();
    assert!(text.contains("4294967295 runs needs at least") && text.ends_with("lower --runs"));
    assert!(check("a small run", 1 << 10, "--runs").is_ok());
}

#[test]
fn oversized_runs_are_refused_with_the_memory_figure_and_the_option() {
    let d = scratch();
    let e = refused_usage(
        d.path(),
        &["simulate", "--space", "3^4", "--runs", "4294967295"],
    );
    assert!(e.contains("GiB") && e.contains("lower --runs"), "{e}");
    let e = refused_usage(
        d.path(),
        &[
            "noise",
            "--space",
            "3^4",
            "--sigma",
            "0.1",
            "--draws",
            "4294967295",
        ],
    );
    assert!(e.contains("GiB") && e.contains("lower --draws"), "{e}");
    let e = refused_usage(d.path(), &["analyze", "--space", "3^20"]);
    assert!(
        e.contains("3486784401 architectures") && e.contains("lower the size of the space"),
        "{e}"
    );
    // More restart draws than architectures: a usage error naming the option.
    let e = refused_usage(
        d.path(),
        &["starts", "--space", "3^4", "--num-init", "4294967295"],
    );
    assert!(
        e.contains("--num-init 4294967295") && e.contains("at most 81"),
        "{e}"
    );
    // K beyond the number of minima is capped, not allocated.
    let doc: serde_json::Value = serde_json::from_str(
        &ok(
            d.path(),
            &[
                "starts",
                "--space",
                "3^7",
                "--top-minima",
                "100000",
                "--json",
            ],
        )
        .0,
    )
    .unwrap();
    let listed = doc["best_minima"].as_array().unwrap().len();
    assert!(listed > 0 && listed < 3usize.pow(7) / 2, "{listed}");
}

#[test]
fn many_eps_norm_values_cost_a_sweep_not_a_square() {
    let d = scratch();
    let k = 3000;
    let list: Vec<String> = (1..=k)
        .map(|i| format!("{}", i as f64 / k as f64))
        .collect();
    let list = list.join(",");
    let doc: serde_json::Value = serde_json::from_str(
        &ok(
            d.path(),
            &["theory", "--space", "3^4", "--eps-norm", &list, "--json"],
        )
        .0,
    )
    .unwrap();
    let predicted = doc["predicted"]["eps_curve"]
        .as_array()
        .or_else(|| doc["eps_curve"]["predicted"].as_array())
        .or_else(|| doc["predicted"].as_array())
        .unwrap_or_else(|| panic!("no predicted curve in {}", doc));
    assert_eq!(predicted.len(), k);
    let p: Vec<f64> = predicted.iter().map(|x| x["p"].as_f64().unwrap()).collect();
    assert!(
        p.windows(2).all(|w| w[0] <= w[1] + 1e-12),
        "P(ε) is monotone"
    );
}

#[test]
fn dev_zero_and_binary_tables_are_refused_after_a_bounded_read() {
    let d = scratch();
    let e = refused(
        d.path(),
        &[
            "analyze",
            "--space",
            "3^4",
            "--table",
            "/dev/zero",
            "--metric",
            "x",
        ],
    );
    assert!(e.contains("/dev/zero is binary"), "{e}");
    // A packed table given as a CSV: say what it is and which option reads it.
    ok(d.path(), &["pack", "--space", "3^4", "-o", "s.nasl"]);
    let e = refused(
        d.path(),
        &[
            "analyze", "--space", "3^4", "--table", "s.nasl", "--metric", "x",
        ],
    );
    assert!(
        e.contains("s.nasl is a packed .nasl table") && e.contains("--graph s.nasl"),
        "{e}"
    );
    std::fs::write(d.path().join("t.csv.gz"), [0x1f, 0x8b, 8, 0, 0, 0]).unwrap();
    let e = refused(
        d.path(),
        &[
            "analyze", "--space", "3^4", "--table", "t.csv.gz", "--metric", "x",
        ],
    );
    assert!(e.contains("t.csv.gz is gzip-compressed"), "{e}");
    // One line of 2 MB with no line break: refused after the first MiB.
    std::fs::write(d.path().join("long.csv"), vec![b'a'; 2 << 20]).unwrap();
    let e = refused(
        d.path(),
        &[
            "analyze", "--space", "3^4", "--table", "long.csv", "--metric", "x",
        ],
    );
    assert!(e.contains("long.csv: the first line is longer than"), "{e}");
}

#[test]
fn a_fifo_table_is_read_once() {
    let d = scratch();
    let fifo = d.path().join("t.fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: a plain libc call with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let text: String = std::iter::once("arch,loss,acc\n".to_string())
        .chain(
            keys_3x4()
                .iter()
                .enumerate()
                .map(|(v, k)| format!("{k},{},{}\n", loss(v), 1.0 - loss(v))),
        )
        .collect();
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, text).unwrap())
    };
    // pack reads the header, picks the numeric columns and reads them: one open.
    ok(
        d.path(),
        &[
            "pack", "--space", "3^4", "--table", "t.fifo", "-o", "f.nasl",
        ],
    );
    writer.join().unwrap();
    let info: serde_json::Value =
        serde_json::from_str(&ok(d.path(), &["info", "f.nasl", "--json"]).0).unwrap();
    assert_eq!(info["metrics"].as_array().unwrap().len(), 2);
}

#[test]
fn zstd_declaring_a_huge_size_is_refused_after_its_first_block() {
    // A hand-made zstd frame: a 128 KiB window (descriptor 0x38), content size 1 GiB
    // declared, then RLE blocks of 128 KiB zeros (4 bytes each): 32 KiB that would
    // decompress to 1 GiB before the header was looked at.
    let d = scratch();
    let size: u64 = 1 << 30;
    let mut z = vec![0x28, 0xb5, 0x2f, 0xfd, 0xc0, 0x38];
    z.extend_from_slice(&size.to_le_bytes());
    let blocks = size / (128 << 10);
    for i in 0..blocks {
        let last = u32::from(i + 1 == blocks);
        let header = ((128u32 << 10) << 3) | (1 << 1) | last;
        z.extend_from_slice(&header.to_le_bytes()[..3]);
        z.push(0);
    }
    std::fs::write(d.path().join("big.nasl.zst"), &z).unwrap();
    let e = refused(d.path(), &["info", "big.nasl.zst"]);
    assert!(
        e.contains("big.nasl.zst") && e.contains("first decompressed bytes"),
        "{e}"
    );
}

#[test]
fn pack_refuses_a_metric_column_with_one_bad_cell_and_notes_the_ones_it_leaves_out() {
    let d = scratch();
    for bad in ["nan", "", "inf", "n/a"] {
        table(d.path(), "t.csv", "index,arch,loss,acc", |v, k| {
            let acc = if v == 4 {
                bad.to_string()
            } else {
                format!("{}", 1.0 - loss(v))
            };
            format!("{v},{k},{},{acc}", loss(v))
        });
        let e = refused(
            d.path(),
            &["pack", "--space", "3^4", "--table", "t.csv", "-o", "o.nasl"],
        );
        assert!(
            e.contains("t.csv line 6, column \"acc\"") && e.contains(&format!("{bad:?}")),
            "{bad}: {e}"
        );
    }
    // Counters and text columns are left out, and said so.
    table(d.path(), "c.csv", "index,arch,loss,rank1,name", |v, k| {
        format!("{v},{k},{},{},model{v}", loss(v), v + 1)
    });
    let (_, err) = ok(
        d.path(),
        &["pack", "--space", "3^4", "--table", "c.csv", "-o", "c.nasl"],
    );
    for column in ["index", "rank1", "name"] {
        assert!(
            err.contains(&format!("column \"{column}\" not stored")),
            "{column}: {err}"
        );
    }
}

#[test]
fn duplicate_header_is_refused() {
    let d = scratch();
    table(d.path(), "t.csv", "arch,loss,loss", |v, k| {
        format!("{k},{},{}", loss(v), 2.0 * loss(v))
    });
    let e = refused(d.path(), &ANALYZE_T);
    assert!(
        e.contains("t.csv line 1: column \"loss\" appears twice"),
        "{e}"
    );
    let e = refused(
        d.path(),
        &["pack", "--space", "3^4", "--table", "t.csv", "-o", "o.nasl"],
    );
    assert!(e.contains("appears twice"), "{e}");
}

#[test]
fn huge_values_keep_a_finite_range() {
    let d = scratch();
    table(d.path(), "t.csv", "arch,loss", |v, k| {
        format!("{k},{:e}", (loss(v) * 2.0 - 1.0) * 1.7e308)
    });
    table(d.path(), "s.csv", "arch,loss", |v, k| {
        format!("{k},{:e}", (loss(v) * 2.0 - 1.0) * 1.7e8)
    });
    let run = |file: &str| -> serde_json::Value {
        serde_json::from_str(
            &ok(
                d.path(),
                &[
                    "analyze",
                    "--space",
                    "3^4",
                    "--table",
                    file,
                    "--metric",
                    "loss",
                    "--minimize",
                    "--json",
                ],
            )
            .0,
        )
        .unwrap()
    };
    let (huge, small) = (run("t.csv"), run("s.csv"));
    for (h, s) in huge["eps_curve"]
        .as_array()
        .unwrap()
        .iter()
        .zip(small["eps_curve"].as_array().unwrap())
    {
        let eps = h["eps"].as_f64().expect("a finite ε, not null");
        assert!(eps.is_finite());
        assert_eq!(h["p"], s["p"], "P(ε) does not depend on the scale");
    }
    for key in ["fdc", "rho1", "correlation_length"] {
        let (a, b) = (
            huge["hardness"][key].as_f64().expect(key),
            small["hardness"][key].as_f64().expect(key),
        );
        assert!((a - b).abs() < 1e-9, "{key}: {a} vs {b}");
    }
}

#[test]
fn tiny_scale_metric_p0_is_the_share_reaching_the_optimum() {
    let d = scratch();
    table(d.path(), "t.csv", "arch,loss", |v, k| {
        format!("{k},{:e}", loss(v) * 1e-9)
    });
    let doc: serde_json::Value = serde_json::from_str(
        &ok(
            d.path(),
            &[
                "analyze",
                "--space",
                "3^4",
                "--table",
                "t.csv",
                "--metric",
                "loss",
                "--minimize",
                "--json",
            ],
        )
        .0,
    )
    .unwrap();
    let basin = doc["global_optimum"]["basin"].as_f64().unwrap();
    let p0 = doc["eps_curve"][0]["p"].as_f64().unwrap();
    assert_eq!(doc["eps_curve"][0]["eps"], 0.0);
    assert!(p0 < 1.0, "P(0) = {p0}");
    assert_eq!(p0, basin / 81.0);
}

#[test]
fn verify_checks_the_symmetric_claim() {
    use nasland::table::writer::{write, Contents, KeySource, WriteOptions};
    let d = scratch();
    let path = d.path().join("directed.nasl");
    // A directed cycle 0 → 1 → 2 → 3 → 0, plus 0 → 2.
    let csr = nasland::space::Csr::new(vec![0, 2, 3, 4, 5], vec![1, 2, 2, 3, 0]).unwrap();
    write(
        &path,
        &Contents {
            graph: &csr,
            keys: KeySource::Ids,
            columns: vec![],
            meta: serde_json::Map::new(),
        },
        WriteOptions::default(),
    )
    .unwrap();
    // Craft the lie: set the SYMMETRIC flag (bit 1 of the flags at byte 12) and fix the
    // header checksum (bytes 60..64, over bytes 0..60).
    let mut bytes = std::fs::read(&path).unwrap();
    assert_eq!(bytes[12] & 2, 0, "the writer saw a directed graph");
    bytes[12] |= 2;
    let crc = crc32fast::hash(&bytes[0..60]);
    bytes[60..64].copy_from_slice(&crc.to_le_bytes());
    std::fs::write(&path, &bytes).unwrap();
    let e = refused(d.path(), &["info", "directed.nasl", "--verify"]);
    assert!(
        e.contains("directed.nasl") && e.contains("claims a symmetric"),
        "{e}"
    );
}

#[test]
fn edge_list_first_line_with_one_key_is_refused() {
    let d = scratch();
    let mut t = "key,loss\n".to_string();
    for i in 0..5 {
        t += &format!("k{i},{}\n", loss(i));
    }
    std::fs::write(d.path().join("t.csv"), t).unwrap();
    // The first line is an edge with a mistyped key: neither a header nor an edge.
    std::fs::write(d.path().join("e.csv"), "k0,kk1\nk1,k2\nk2,k3\nk3,k4\n").unwrap();
    let e = refused(
        d.path(),
        &[
            "pack", "--edges", "e.csv", "--table", "t.csv", "--key", "key", "-o", "g.nasl",
        ],
    );
    assert!(
        e.contains("e.csv line 1") && e.contains("\"k0\" is a key") && e.contains("\"kk1\""),
        "{e}"
    );
}

#[test]
fn csv_line_numbers_count_physical_lines() {
    let d = scratch();
    // Two blank lines after the header and a quoted field spanning two lines.
    let mut text = "arch,note,loss\n\n\n".to_string();
    for (v, k) in keys_3x4().iter().enumerate() {
        let note = if v == 2 { "\"two\nlines\"" } else { "x" };
        let value = if v == 5 {
            "oops".to_string()
        } else {
            loss(v).to_string()
        };
        text += &format!("{k},{note},{value}\n");
    }
    std::fs::write(d.path().join("t.csv"), text).unwrap();
    // Physical lines: 1 header, 2–3 blank, rows from 4; row 2 spans 6–7, so row 5 is on 10.
    let e = refused(d.path(), &ANALYZE_T);
    assert!(e.contains("t.csv line 10, column \"loss\""), "{e}");
}

#[test]
fn empty_table_says_it_is_empty() {
    let d = scratch();
    std::fs::write(d.path().join("t.csv"), "").unwrap();
    let e = refused(d.path(), &ANALYZE_T);
    assert!(
        e.contains("t.csv is empty") && !e.contains("columns are: \n"),
        "{e}"
    );
}

#[test]
fn semicolon_and_tab_delimiters_get_a_hint() {
    let d = scratch();
    for (sep, word) in [(";", "semicolon"), ("\t", "tab")] {
        table(d.path(), "t.csv", &format!("arch{sep}loss"), |v, k| {
            format!("{k}{sep}{}", loss(v))
        });
        let e = refused(d.path(), &ANALYZE_T);
        assert!(
            e.contains("t.csv has no key column") && e.contains(&format!("{word}-separated")),
            "{e}"
        );
    }
}

#[test]
fn analyze_nb101_says_pack_it_first() {
    let d = scratch();
    let e = refused_usage(d.path(), &["analyze", "--space", "nb101"]);
    assert!(e.contains("nasland pack --space nb101"), "{e}");
}

#[test]
fn keys_with_control_characters_are_escaped_when_printed() {
    let d = scratch();
    table(d.path(), "t.csv", "arch,loss", |v, k| {
        if v == 3 {
            format!("\"bad\u{1b}[2Jkey\",{}", loss(v))
        } else {
            format!("{k},{}", loss(v))
        }
    });
    let e = refused(d.path(), &ANALYZE_T);
    assert!(
        e.contains("t.csv line 5") && e.contains("\\u{1b}[2J"),
        "{e}"
    );
    assert!(!e.contains('\u{1b}'), "raw escape printed: {e:?}");
}

#[test]
fn synthetic_smooth_without_a_product_space_names_the_models_that_work() {
    let d = scratch();
    ok(
        d.path(),
        &["pack", "--random-regular", "20,3", "-o", "rr.nasl"],
    );
    // A packed graph and a built-in explicit space: the model is known, the space is
    // the fault, and the message says what to use instead.
    for (args, names) in [
        (
            &["analyze", "--graph", "rr.nasl", "--synthetic", "smooth"][..],
            "rr.nasl",
        ),
        (
            &["analyze", "--space", "nbgraph", "--synthetic", "smooth"][..],
            "nbgraph",
        ),
    ] {
        let e = refused(d.path(), args);
        assert!(
            e.contains("smooth synthetic model needs a product space"),
            "{e}"
        );
        assert!(
            e.contains(names) && e.contains("use uniform or levels:K"),
            "{e}"
        );
        assert!(!e.contains("unknown"), "{e}");
    }
}
