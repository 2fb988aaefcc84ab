//! The output side: no command loses a user's file, leaves a temporary behind, or panics
//! or exits 0 when its result cannot be written (issue #14, items 1–4 and 6; the promise
//! is docs/RELIABILITY.md).
//!
//! Each test asserts the exit status, that the message names the file, and that nothing
//! was changed or left behind in the directory.

use crate::util::nasland;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A 3^2 table (keys `0-0` … `2-2`, columns `arch,loss`).
fn table(dir: &Path) -> PathBuf {
    let mut s = String::from("arch,loss\n");
    for a in 0..3 {
        for b in 0..3 {
            s.push_str(&format!("{a}-{b},{}\n", (a * 3 + b * 5) % 9));
        }
    }
    let path = dir.join("in.csv");
    fs::write(&path, s).unwrap();
    path
}

/// Every entry of `dir` with its bytes (or a marker for non-files), to compare before
/// and after a command.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let m = fs::symlink_metadata(e.path()).unwrap();
            let bytes = if m.is_file() {
                fs::read(e.path()).unwrap()
            } else {
                format!("{:?}", m.file_type()).into_bytes()
            };
            (name, bytes)
        })
        .collect()
}

fn temporaries(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .into_keys()
        .filter(|n| n.ends_with(".tmp"))
        .collect()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn output_equal_to_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = table(dir.path());
    let d = dir.path();
    // The same file under other names: a symbolic link and a hard link.
    std::os::unix::fs::symlink(&input, d.join("link.csv")).unwrap();
    fs::hard_link(&input, d.join("hard.csv")).unwrap();
    let before = snapshot(d);
    let common = ["--space", "3^2", "--table", "in.csv", "--metric", "loss"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "pack", "--space", "3^2", "--table", "in.csv", "-o", "in.csv",
            ],
            "in.csv",
        ),
        (
            vec![
                "pack", "--space", "3^2", "--table", "in.csv", "-o", "link.csv",
            ],
            "link.csv",
        ),
        (
            vec![
                "pack", "--space", "3^2", "--table", "./in.csv", "-o", "hard.csv",
            ],
            "hard.csv",
        ),
        (
            [&["starts"][..], &common, &["--out", "in.csv"]].concat(),
            "in.csv",
        ),
        (
            [
                &["noise"][..],
                &common,
                &["--sigma", "0.1", "--out", "link.csv"],
            ]
            .concat(),
            "link.csv",
        ),
        (
            [&["theory"][..], &common, &["--plot", "in.csv"]].concat(),
            "in.csv",
        ),
        (
            vec![
                "report",
                "--space",
                "3^2",
                "--table",
                "in.csv",
                "--metrics",
                "loss",
                "-o",
                "hard.csv",
            ],
            "hard.csv",
        ),
    ];
    for (args, named) in cases {
        let o = nasland().current_dir(d).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let msg = stderr(&o);
        assert!(
            msg.contains(named) && msg.contains("is the input"),
            "{args:?}: {msg}"
        );
        assert_eq!(snapshot(d), before, "{args:?} changed a file");
    }
}

#[test]
fn non_regular_outputs_are_written_through() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    table(d);
    // /dev/null stays a device (the issue: run as root, a rename made it a regular file).
    let o = nasland()
        .current_dir(d)
        .args([
            "pack",
            "--space",
            "3^2",
            "--table",
            "in.csv",
            "-o",
            "/dev/null",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());

    // A FIFO gets the whole CSV and stays a FIFO.
    let fifo = d.join("fifo.csv");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo with a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read(fifo).unwrap())
    };
    let o = nasland()
        .current_dir(d)
        .args([
            "starts",
            "--space",
            "3^2",
            "--table",
            "in.csv",
            "--metric",
            "loss",
            "--minimize",
        ])
        .args(["--out", "fifo.csv"])
        .output()
        .unwrap();
    if !reader.is_finished() {
        // Unblock the reader if nasland never opened the FIFO (the assertion below fails).
        let _ = fs::OpenOptions::new().write(true).open(&fifo);
    }
    let got = String::from_utf8(reader.join().unwrap()).unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(got.starts_with("id,") && got.lines().count() == 10, "{got}");
    assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
    assert!(temporaries(d).is_empty());

    // A directory cannot take a table: refused, named, nothing left.
    fs::create_dir(d.join("sub")).unwrap();
    let before = snapshot(d);
    let o = nasland()
        .current_dir(d)
        .args(["pack", "--space", "3^2", "-o", "sub"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("sub is a directory"), "{}", stderr(&o));
    assert_eq!(snapshot(d), before);
    assert!(fs::read_dir(d.join("sub")).unwrap().next().is_none());
}

#[test]
fn symlinked_output_updates_target() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    table(d);
    fs::create_dir(d.join("real")).unwrap();
    fs::write(d.join("real/out.csv"), "old\n").unwrap();
    std::os::unix::fs::symlink("real/out.csv", d.join("link.csv")).unwrap();
    // A dangling link is a place to write too: its target is created.
    std::os::unix::fs::symlink("real/new.nasl", d.join("dangling.nasl")).unwrap();
    let o = nasland()
        .current_dir(d)
        .args([
            "starts",
            "--space",
            "3^2",
            "--table",
            "in.csv",
            "--metric",
            "loss",
            "--minimize",
        ])
        .args(["--out", "link.csv"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let o = nasland()
        .current_dir(d)
        .args(["pack", "--space", "3^2", "-o", "dangling.nasl"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    for link in ["link.csv", "dangling.nasl"] {
        assert!(fs::symlink_metadata(d.join(link))
            .unwrap()
            .file_type()
            .is_symlink());
    }
    assert!(fs::read_to_string(d.join("real/out.csv"))
        .unwrap()
        .starts_with("id,"));
    assert!(fs::read(d.join("real/new.nasl"))
        .unwrap()
        .starts_with(b"\x89NASL"));
    assert!(temporaries(d).is_empty() && temporaries(&d.join("real")).is_empty());
}

#[test]
fn existing_output_keeps_mode() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    table(d);
    for (out, mode, args) in [
        (
            "out.csv",
            0o600,
            vec![
                "starts",
                "--space",
                "3^2",
                "--synthetic",
                "uniform",
                "--out",
            ],
        ),
        ("t.nasl", 0o640, vec!["pack", "--space", "3^2", "-o"]),
        ("p.svg", 0o604, vec!["theory", "--space", "3^2", "--plot"]),
    ] {
        let path = d.join(out);
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        let o = nasland()
            .current_dir(d)
            .args(&args)
            .arg(out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert_ne!(fs::read(&path).unwrap(), b"old", "{out} was not rewritten");
        assert_eq!(fs::metadata(&path).unwrap().mode() & 0o7777, mode, "{out}");
    }
    assert!(temporaries(d).is_empty());
}

#[test]
fn foreign_temp_file_is_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    table(d);
    // Names that the old writers derived from the PID, and ones shaped like today's.
    for i in 0..50 {
        fs::write(
            d.join(format!(".out.csv.{}.tmp", 1000 + i)),
            "someone else's",
        )
        .unwrap();
    }
    fs::write(d.join(".out.csv.abcdef.tmp"), "someone else's").unwrap();
    fs::write(d.join("out.csv"), "old").unwrap();
    let before = snapshot(d);
    // A run that fails after parsing (no such column) and one that succeeds.
    let o = nasland()
        .current_dir(d)
        .args([
            "starts", "--space", "3^2", "--table", "in.csv", "--metric", "nope",
        ])
        .args(["--out", "out.csv"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("in.csv"), "{}", stderr(&o));
    assert_eq!(snapshot(d), before);
    let o = nasland()
        .current_dir(d)
        .args([
            "starts",
            "--space",
            "3^2",
            "--table",
            "in.csv",
            "--metric",
            "loss",
            "--minimize",
        ])
        .args(["--out", "out.csv"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let mut after = snapshot(d);
    assert!(after.remove("out.csv").unwrap().starts_with(b"id,"));
    let mut expected = before;
    expected.remove("out.csv");
    assert_eq!(
        after, expected,
        "a file that nasland did not create changed or went"
    );
}

/// Starts `pack` of a space big enough to take a while, waits until its temporary file
/// exists, sends `signal`, and checks that the process died of it and left nothing.
fn interrupt_pack(signal: libc::c_int, zstd: bool) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join(".big.nasl.foreign.tmp"), "not nasland's").unwrap();
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("nasland"));
    // 4^10: 1,048,576 vertices, a 79 MB table (several seconds with zstd).
    cmd.current_dir(d)
        .args(["pack", "--space", "4^10", "-o", "big.nasl"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if zstd {
        cmd.args(["--zstd", "--zstd-level", "19"]);
    }
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    loop {
        let mine = temporaries(d)
            .into_iter()
            .any(|n| n != ".big.nasl.foreign.tmp");
        if mine {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "pack ended before it was interrupted"
        );
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.signal(),
        Some(signal),
        "{:?}: {}",
        out.status,
        stderr(&out)
    );
    assert_eq!(
        snapshot(d).into_keys().collect::<Vec<_>>(),
        vec![".big.nasl.foreign.tmp".to_string()],
        "only the file nasland did not create is left"
    );
}

#[test]
fn sigint_during_pack_leaves_no_temp_file() {
    interrupt_pack(libc::SIGINT, false);
}

#[test]
fn sigterm_during_zstd_pack_leaves_no_temp_file() {
    interrupt_pack(libc::SIGTERM, true);
}

/// Every command that prints a result, with arguments that make it quick.
fn printing_commands(d: &Path) -> Vec<Vec<String>> {
    let nasl = d.join("t.nasl");
    let o = nasland()
        .args(["pack", "--space", "3^3", "-o"])
        .arg(&nasl)
        .output()
        .unwrap();
    assert!(o.status.success());
    let nasl = nasl.to_str().unwrap();
    let out = d.join("p.nasl");
    let syn = ["--space", "3^3", "--synthetic", "uniform"];
    let with = |cmd: &str, extra: &[&str]| -> Vec<String> {
        std::iter::once(cmd)
            .chain(syn)
            .chain(extra.iter().copied())
            .map(String::from)
            .collect()
    };
    vec![
        with("analyze", &[]),
        with("analyze", &["--json"]),
        with("starts", &[]),
        with("simulate", &["--runs", "5"]),
        with("noise", &["--sigma", "0.1", "--draws", "2"]),
        with("theory", &[]),
        with("lon", &[]),
        vec!["info".into(), nasl.into()],
        vec!["keys".into(), nasl.into()],
        vec![
            "pack".into(),
            "--space".into(),
            "3^2".into(),
            "-o".into(),
            out.to_str().unwrap().into(),
        ],
    ]
}

#[test]
fn dev_full_gives_error_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in printing_commands(d) {
        let before = snapshot(d);
        let o = Command::new(assert_cmd::cargo::cargo_bin("nasland"))
            .args(&args)
            .stdout(fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let msg = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {msg}");
        assert!(msg.contains("No space left on device"), "{args:?}: {msg}");
        assert!(!msg.contains("panicked"), "{args:?}: {msg}");
        // pack writes its table before printing; nothing else may appear or change.
        let mut after = snapshot(d);
        if args[0] == "pack" {
            after.remove("p.nasl");
        }
        assert_eq!(after, before, "{args:?}");
    }
}

#[test]
fn closed_stdout_is_an_error_not_a_silent_success() {
    let dir = tempfile::tempdir().unwrap();
    for args in printing_commands(dir.path()) {
        // `>&-` as a shell does it: descriptor 1 closed when nasland starts.
        let o = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$@" >&-"#)
            .arg("sh")
            .arg(assert_cmd::cargo::cargo_bin("nasland"))
            .args(&args)
            .output()
            .unwrap();
        let msg = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {msg}");
        assert!(msg.contains("standard output is closed"), "{args:?}: {msg}");
    }
    // A command that prints no result (the report goes to its file) is fine without it.
    let o = Command::new("sh")
        .arg("-c")
        .arg(r#"exec "$@" >&-"#)
        .arg("sh")
        .arg(assert_cmd::cargo::cargo_bin("nasland"))
        .args([
            "report",
            "--space",
            "3^2",
            "--synthetic",
            "uniform",
            "--noise-draws",
            "1",
        ])
        .args(["-o", dir.path().join("r.html").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn broken_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let nasl = dir.path().join("t.nasl");
    assert!(nasland()
        .args(["pack", "--space", "4^8", "-o"])
        .arg(&nasl)
        .output()
        .unwrap()
        .status
        .success());
    // `nasland keys t.nasl | head -1`: 65,536 lines into a pipe whose reader leaves.
    for args in [vec!["keys"], vec!["info"]] {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("nasland"))
            .args(&args)
            .arg(&nasl)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = [0u8; 1];
        use std::io::Read;
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        // The read end is dropped here: the next write gets EPIPE / SIGPIPE.
        let o = child.wait_with_output().unwrap();
        let msg = stderr(&o);
        assert!(
            o.status.success() || o.status.signal() == Some(libc::SIGPIPE),
            "{args:?}: {:?} {msg}",
            o.status
        );
        assert!(
            !msg.contains("error") && !msg.contains("panicked"),
            "{args:?}: {msg}"
        );
    }
}

#[test]
fn exit_status_separates_usage_from_runtime_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    table(d);
    // Usage: clap's own check, and options that contradict each other.
    for args in [
        vec!["analyze", "--no-such-flag"],
        vec!["analyze", "--space", "3^2", "--table", "in.csv"],
    ] {
        let o = nasland().current_dir(d).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    }
    // Runtime: a file that is not there, data that does not fit.
    for (args, named) in [
        (
            vec![
                "analyze",
                "--space",
                "3^2",
                "--table",
                "missing.csv",
                "--metric",
                "loss",
            ],
            "missing.csv",
        ),
        (
            vec![
                "analyze", "--space", "4^2", "--table", "in.csv", "--metric", "loss",
            ],
            "in.csv",
        ),
        (vec!["info", "in.csv"], "in.csv"),
    ] {
        let o = nasland().current_dir(d).args(&args).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(named), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn over_long_output_name_is_not_called_a_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    table(d);
    // A name past NAME_MAX (255 bytes), and a path past PATH_MAX (4096 bytes) whose every
    // component is short enough.
    let long_name = "n".repeat(300);
    let long_path = vec!["d".repeat(200); 25].join("/");
    let syn = ["--space", "3^2", "--synthetic", "uniform"];
    for base in [long_name, long_path] {
        let writers: Vec<Vec<String>> = vec![
            vec![
                "pack".into(),
                "--space".into(),
                "3^2".into(),
                "-o".into(),
                format!("{base}.nasl"),
            ],
            ["starts", "--out"]
                .iter()
                .map(|s| s.to_string())
                .chain([format!("{base}.csv")])
                .collect(),
            ["noise", "--sigma", "0.1", "--draws", "2", "--out"]
                .iter()
                .map(|s| s.to_string())
                .chain([format!("{base}.csv")])
                .collect(),
            vec!["theory".into(), "--plot".into(), format!("{base}.svg")],
            vec![
                "report".into(),
                "--space".into(),
                "3^2".into(),
                "-o".into(),
                format!("{base}.html"),
            ],
            vec!["lon".into(), "--out".into(), base.clone()],
            vec!["lon".into(), "--graphml".into(), format!("{base}.graphml")],
        ];
        for mut args in writers {
            if !matches!(args[0].as_str(), "pack" | "report") {
                args.splice(1..1, syn.iter().map(|s| s.to_string()));
            }
            let before = snapshot(d);
            let o = nasland().current_dir(d).args(&args).output().unwrap();
            let msg = stderr(&o);
            let what = format!("{} {}", args[0], &args[args.len() - 2]);
            assert_eq!(o.status.code(), Some(1), "{what}: {msg}");
            assert!(msg.contains("File name too long"), "{what}: {msg}");
            // The message names the path it could not use.
            assert!(
                msg.contains(&"d".repeat(200)) || msg.contains(&"n".repeat(300)),
                "{what}"
            );
            assert!(!msg.contains("does the directory exist"), "{what}: {msg}");
            assert!(!msg.contains("panicked"), "{what}: {msg}");
            assert_eq!(snapshot(d), before, "{what} changed the directory");
        }
    }
}

#[test]
fn unwritable_stderr_never_panics_and_keeps_the_status() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    table(d);
    let syn = ["--space", "3^2", "--synthetic", "uniform"];
    let cases: Vec<(Vec<&str>, i32)> = vec![
        // Successes that print progress and timings on standard error.
        ([&["analyze"][..], &syn].concat(), 0),
        ([&["lon"][..], &syn].concat(), 0),
        ([&["analyze", "--maximize"][..], &syn].concat(), 0),
        (
            vec![
                "pack",
                "--space",
                "3^2",
                "-o",
                "p.nasl",
                "--zstd-level",
                "3",
            ],
            0,
        ),
        // A runtime failure: its message cannot be shown, its status stays 1.
        (
            vec![
                "analyze",
                "--space",
                "3^2",
                "--table",
                "missing.csv",
                "--metric",
                "loss",
            ],
            1,
        ),
        // Usage errors, clap's own and the validation layer's: status 2.
        (vec!["analyze", "--no-such-flag"], 2),
        ([&["starts", "--num-init", "10"][..], &syn].concat(), 2),
    ];
    for (args, status) in cases {
        let o = Command::new(assert_cmd::cargo::cargo_bin("nasland"))
            .current_dir(d)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(
                fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .status()
            .unwrap();
        assert_ne!(o.code(), Some(101), "{args:?} panicked");
        assert_eq!(o.code(), Some(status), "{args:?}");
    }
    fs::remove_file(d.join("p.nasl")).unwrap();
    assert_eq!(snapshot(d).into_keys().collect::<Vec<_>>(), ["in.csv"]);
}
