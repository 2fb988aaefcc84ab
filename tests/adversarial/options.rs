//! Option values: a mistyped direction suffix, flags that do nothing, and numbers outside
//! their bound. A bound the command line alone fixes is a usage error (exit status 2)
//! found by the validation layer (`nasland::cli::validate`) before any file is read;
//! an ignored flag warns and changes nothing (issue 14).

use super::snapshot;
use crate::util::nasland;
use std::path::Path;
use std::process::Output;

fn run(dir: &Path, args: &[&str]) -> Output {
    nasland().current_dir(dir).args(args).output().unwrap()
}

/// Runs `args` in `dir`, asserts exit `status`, no panic, `dir` unchanged; returns stderr.
fn refused(status: i32, dir: &Path, args: &[&str]) -> String {
    let before = snapshot(dir);
    let o = run(dir, args);
    let e = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(status), "{args:?}: {e}");
    assert!(!e.contains("panicked"), "{args:?}: {e}");
    assert_eq!(snapshot(dir), before, "{args:?} changed the directory");
    e
}

/// A 3^2 table `t.csv` (keys `0-0` … `2-2`, columns `arch,loss`).
fn table(dir: &Path) {
    let mut s = String::from("arch,loss\n");
    for a in 0..3 {
        for b in 0..3 {
            s.push_str(&format!("{a}-{b},{}\n", (a * 3 + b * 5) % 9));
        }
    }
    std::fs::write(dir.join("t.csv"), s).unwrap();
}

#[test]
fn metrics_suffix_that_is_not_a_direction_is_refused() {
    let d = tempfile::tempdir().unwrap();
    table(d.path());
    let report = |metrics: &'static str, extra: &'static [&'static str]| {
        let mut a = vec![
            "report",
            "--space",
            "3^2",
            "--table",
            "t.csv",
            "--key",
            "arch",
            "--metrics",
        ];
        a.push(metrics);
        a.extend(extra);
        a.extend(["-o", "r.html"]);
        a
    };
    // With or without a default direction, the suffix is named as the fault, not the
    // column as missing or undirected.
    for extra in [&[][..], &["--minimize"][..]] {
        let e = refused(2, d.path(), &report("loss:foo", extra));
        assert!(
            e.contains("--metrics loss:foo") && e.contains("\"foo\" is not a direction"),
            "{e}"
        );
        assert!(e.contains("loss:max") && e.contains("loss:min"), "{e}");
        assert!(!e.contains("has no direction"), "{e}");
    }
    // A column whose own name holds a colon is still a column.
    std::fs::write(
        d.path().join("t.csv"),
        std::fs::read_to_string(d.path().join("t.csv"))
            .unwrap()
            .replacen("arch,loss", "arch,loss:val", 1),
    )
    .unwrap();
    let o = run(d.path(), &report("loss:val", &["--minimize"]));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(d.path().join("r.html").is_file());
}

#[test]
fn ignored_flags_warn_and_change_nothing() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    table(p);
    // --zstd-level without --zstd: a warning, and the same uncompressed bytes.
    let pack = |out: &'static str, extra: &'static [&'static str]| {
        let mut a = vec![
            "pack",
            "--space",
            "3^2",
            "--table",
            "t.csv",
            "--key",
            "arch",
            "--metrics",
            "loss",
            "--minimize",
            "-o",
        ];
        a.push(out);
        a.extend(extra);
        run(p, &a)
    };
    let plain = pack("a.nasl", &[]);
    assert!(plain.status.success());
    let levelled = pack("b.nasl", &["--zstd-level", "19"]);
    let e = String::from_utf8_lossy(&levelled.stderr);
    assert!(levelled.status.success(), "{e}");
    assert!(
        e.contains("warning: --zstd-level 19 has no effect without --zstd"),
        "{e}"
    );
    assert_eq!(
        std::fs::read(p.join("a.nasl")).unwrap(),
        std::fs::read(p.join("b.nasl")).unwrap()
    );
    // --maximize with synthetic losses: a warning, and the same result, in every
    // command that takes it.
    let syn = ["--space", "3^3", "--synthetic", "uniform", "--json"];
    for cmd in ["analyze", "starts", "theory", "lon"] {
        let mut a = vec![cmd];
        a.extend(syn);
        let plain = run(p, &a);
        a.push("--maximize");
        let flagged = run(p, &a);
        let e = String::from_utf8_lossy(&flagged.stderr);
        assert!(flagged.status.success(), "{cmd}: {e}");
        assert!(
            e.contains("warning: --maximize does not apply to synthetic losses"),
            "{cmd}: {e}"
        );
        assert_eq!(plain.stdout, flagged.stdout, "{cmd}");
    }
    let e = String::from_utf8_lossy(
        &run(p, &["theory", "--random-regular", "20,3", "--maximize"]).stderr,
    )
    .into_owned();
    assert!(e.contains("warning: --maximize does not apply"), "{e}");
}

#[test]
fn option_bounds_are_usage_errors_naming_the_option() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    table(p);
    let cases: &[(&[&str], &[&str])] = &[
        (
            &["starts", "--space", "3^2", "--num-init", "10"],
            &["--num-init 10", "at most 9"],
        ),
        (
            &["starts", "--space", "nb201", "--num-init", "4294967295"],
            &["--num-init 4294967295", "at most 15625"],
        ),
        (
            &["simulate", "--space", "3^2", "--num-init", "10"],
            &["--num-init 10", "at most 9"],
        ),
        (
            &["lon", "--space", "3^2", "--strength", "0"],
            &["--strength 1 or more"],
        ),
        (
            &["lon", "--space", "3x4x5", "--strength", "4"],
            &["--strength between 1 and 3"],
        ),
        (
            &["pack", "--random-regular", "10,0", "-o", "g.nasl"],
            &["--random-regular", "degree S of at least 1"],
        ),
        (
            &["pack", "--random-regular", "9,3", "-o", "g.nasl"],
            &["--random-regular", "n·s even"],
        ),
        (
            &["theory", "--random-regular", "10,10"],
            &["--random-regular", "more than 10 vertices"],
        ),
        (
            &["theory", "--random-regular", "4294967296,2"],
            &["--random-regular", "half-edges"],
        ),
        (
            &["theory", "--space", "3^2", "--eps-norm", "0.01,2"],
            &["--eps-norm", "must be in (0, 1]"],
        ),
        (
            &["theory", "--space", "3^2", "--eps-norm", "0"],
            &["--eps-norm", "must be in (0, 1]"],
        ),
    ];
    for (args, named) in cases {
        let e = refused(2, p, args);
        for n in *named {
            assert!(e.contains(n), "{args:?}: {e}");
        }
        // The validation layer alone finds it: no file read, no work.
        let argv = std::iter::once("nasland").chain(args.iter().copied());
        assert!(nasland::cli::validate(argv).is_err(), "{args:?}");
    }
    // The same bounds when only the packed table tells the size: still exit 2.
    let o = run(p, &["pack", "--space", "3^2", "-o", "s.nasl"]);
    assert!(o.status.success());
    let e = refused(2, p, &["starts", "--graph", "s.nasl", "--num-init", "10"]);
    assert!(
        e.contains("--num-init 10") && e.contains("at most 9"),
        "{e}"
    );
    let e = refused(2, p, &["lon", "--graph", "s.nasl", "--strength", "0"]);
    assert!(e.contains("--strength 1 or more"), "{e}");
    // Options that contradict each other's values: also usage errors.
    let e = refused(
        2,
        p,
        &[
            "noise", "--space", "3^2", "--sigma", "0.1,0.2", "--out", "n.csv",
        ],
    );
    assert!(e.contains("--out") && e.contains("single --sigma"), "{e}");
    // Within the bounds, the validation layer passes.
    for args in [
        &["starts", "--space", "3^2", "--num-init", "9"][..],
        &["lon", "--space", "3^2", "--strength", "2"][..],
        &[
            "lon",
            "--space",
            "3^2",
            "--edges",
            "basin",
            "--strength",
            "0",
        ][..],
        &["theory", "--random-regular", "10,3"][..],
    ] {
        let argv = std::iter::once("nasland").chain(args.iter().copied());
        assert!(nasland::cli::validate(argv).is_ok(), "{args:?}");
    }
}

/// Runs `args` in `dir` and asserts a usage error (exit 2, nothing written) whose message
/// names every one of `named`, found by the validation layer alone (no file read).
fn usage_error(dir: &Path, args: &[&str], named: &[&str]) {
    let e = refused(2, dir, args);
    for n in named {
        assert!(e.contains(n), "{args:?}: {e}");
    }
    let argv = std::iter::once("nasland").chain(args.iter().copied());
    let v = nasland::cli::validate(argv);
    assert!(v.is_err(), "{args:?} passes the validation layer");
}

#[test]
fn noise_sigma_from_without_table_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    usage_error(
        d.path(),
        &["noise", "--space", "3^2", "--sigma-from", "mean,one"],
        &["--sigma-from", "--table"],
    );
    // A malformed column pair is the option's fault too.
    usage_error(
        d.path(),
        &["noise", "--space", "3^2", "--sigma-from", "mean"],
        &["--sigma-from", "MEAN_COL,ONESEED_COL"],
    );
}

#[test]
fn pack_maximize_and_minimize_both_unlisted_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    table(d.path());
    let base = [
        "pack", "--space", "3^2", "--table", "t.csv", "--key", "arch",
    ];
    usage_error(
        d.path(),
        &[&base[..], &["--maximize", "--minimize", "-o", "t.nasl"]].concat(),
        &["--maximize", "--minimize", "list the columns"],
    );
    // One of them listed is a valid split.
    let o = run(
        d.path(),
        &[
            &base[..],
            &["--maximize", "--minimize", "loss", "-o", "t.nasl"],
        ]
        .concat(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn pack_key_without_table_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    usage_error(
        d.path(),
        &["pack", "--space", "3^2", "--key", "arch", "-o", "s.nasl"],
        &["--key", "--table"],
    );
}

#[test]
fn report_columns_without_tables_are_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    for extra in [&["--key", "arch"][..], &["--metrics", "loss"][..]] {
        let args = [&["report", "--space", "3^2"][..], extra, &["-o", "r.html"]].concat();
        usage_error(d.path(), &args, &[extra[0], "--table"]);
    }
}

#[test]
fn report_per_table_lists_of_the_wrong_length_are_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    table(d.path());
    usage_error(
        d.path(),
        &[
            "report", "--space", "3^2", "--table", "t.csv", "--table", "t.csv", "--key", "arch",
            "--key", "arch", "--key", "arch", "-o", "r.html",
        ],
        &["3 values of --key for 2 tables"],
    );
}

#[test]
fn theory_table_options_with_random_regular_are_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    let rr = ["theory", "--random-regular", "20,3"];
    for extra in [&["--metric", "loss"][..], &["--key", "arch"][..]] {
        usage_error(
            d.path(),
            &[&rr[..], extra].concat(),
            &["--metric", "--key", "--random-regular"],
        );
    }
    // --graph and --losses would be dropped as silently; the files need not exist.
    for extra in [&["--graph", "g.nasl"][..], &["--losses", "l.npy"][..]] {
        usage_error(
            d.path(),
            &[&rr[..], extra].concat(),
            &["--graph", "--losses", "--random-regular"],
        );
    }
}

/// Runs `args` without and with `flag`: both succeed with the same standard output, and
/// only the flagged run warns `warning` on standard error.
fn ignored(dir: &Path, args: &[&str], flag: &[&str], warning: &str) {
    let plain = run(dir, args);
    let flagged = run(dir, &[args, flag].concat());
    let (pe, fe) = (
        String::from_utf8_lossy(&plain.stderr),
        String::from_utf8_lossy(&flagged.stderr),
    );
    assert!(plain.status.success(), "{args:?}: {pe}");
    assert!(flagged.status.success(), "{args:?} {flag:?}: {fe}");
    assert!(fe.contains(warning), "{args:?} {flag:?}: {fe}");
    assert!(!pe.contains(warning), "{args:?}: {pe}");
    assert_eq!(plain.stdout, flagged.stdout, "{args:?} {flag:?}");
}

#[test]
fn lon_strength_with_basin_edges_warns_and_changes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let args = ["lon", "--space", "3^3", "--edges", "basin", "--json"];
    ignored(
        d.path(),
        &args,
        &["--strength", "2"],
        "warning: --strength 2 has no effect with --edges basin",
    );
    // Not checked against the space either: it is not used.
    ignored(
        d.path(),
        &args,
        &["--strength", "7"],
        "warning: --strength 7 has no effect",
    );
}

#[test]
fn theory_bins_without_a_histogram_warns_and_changes_nothing() {
    let d = tempfile::tempdir().unwrap();
    ignored(
        d.path(),
        &["theory", "--space", "3^3", "--pdf-n", "kde", "--json"],
        &["--bins", "7"],
        "warning: --bins 7 has no effect with --pdf-n kde and --pdf-e paper",
    );
    // With a histogram the bins are used: no warning.
    let o = run(d.path(), &["theory", "--space", "3^3", "--bins", "7"]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && !e.contains("warning"), "{e}");
}

#[test]
fn analyze_no_hardness_without_json_warns_and_changes_nothing() {
    let d = tempfile::tempdir().unwrap();
    ignored(
        d.path(),
        &["analyze", "--space", "3^3"],
        &["--no-hardness"],
        "warning: --no-hardness has no effect without --json",
    );
}

#[test]
fn report_maximize_without_tables_warns() {
    let d = tempfile::tempdir().unwrap();
    let o = run(
        d.path(),
        &[
            "report",
            "--space",
            "3^3",
            "--maximize",
            "--quiet",
            "-o",
            "r.html",
        ],
    );
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{e}");
    assert!(
        e.contains("warning: --maximize does not apply to synthetic losses"),
        "{e}"
    );
}

#[test]
fn theory_cactus_without_a_hamming_space_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    for space in [&["--space", "3x4x5"][..], &["--random-regular", "20,3"][..]] {
        usage_error(
            d.path(),
            &[&["theory", "--recursion", "cactus"][..], space].concat(),
            &[
                "--recursion cactus",
                "Hamming space",
                "--recursion tree-exact",
            ],
        );
    }
    // A Hamming space passes.
    let argv = [
        "nasland",
        "theory",
        "--space",
        "3^3",
        "--recursion",
        "cactus",
    ];
    assert!(nasland::cli::validate(argv).is_ok());
}

#[test]
fn seed_without_anything_random_warns_and_changes_nothing() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path();
    table(p);
    // Values from a table: analyze, starts and lon draw nothing at random.
    let from_table = ["--space", "3^2", "--table", "t.csv", "--key", "arch"];
    for cmd in ["analyze", "starts", "lon"] {
        let mut a = vec![cmd];
        a.extend(from_table);
        a.extend(["--metric", "loss", "--minimize", "--json"]);
        ignored(p, &a, &["--seed", "5"], "warning: --seed 5 has no effect: ");
        let e = String::from_utf8_lossy(&run(p, &[&a[..], &["--seed", "5"]].concat()).stderr)
            .into_owned();
        assert!(
            e.contains("t.csv"),
            "{cmd}: the warning names the file: {e}"
        );
    }
    // Synthetic losses are drawn with the seed: no warning, and another result.
    let syn = ["analyze", "--space", "3^3", "--json"];
    let o = run(p, &[&syn[..], &["--seed", "5"]].concat());
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && !e.contains("warning"), "{e}");
    assert_ne!(o.stdout, run(p, &syn).stdout);
    // pack: only --random-regular is random.
    let o = run(p, &["pack", "--space", "3^2", "-o", "a.nasl"]);
    assert!(o.status.success());
    let o = run(
        p,
        &["pack", "--space", "3^2", "-o", "b.nasl", "--seed", "9"],
    );
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{e}");
    assert!(
        e.contains("warning: --seed 9 has no effect without --random-regular"),
        "{e}"
    );
    assert_eq!(
        std::fs::read(p.join("a.nasl")).unwrap(),
        std::fs::read(p.join("b.nasl")).unwrap()
    );
    let o = run(
        p,
        &[
            "pack",
            "--random-regular",
            "20,3",
            "--seed",
            "9",
            "-o",
            "c.nasl",
        ],
    );
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && !e.contains("warning"), "{e}");
    assert!(e.contains("seed 9"), "{e}");
}

#[test]
fn losses_file_with_the_labelled_space_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    usage_error(
        d.path(),
        &["analyze", "--space", "nb101-labelled", "--losses", "x.npy"],
        &["--losses", "nb101-labelled", "--table", "--synthetic"],
    );
}
