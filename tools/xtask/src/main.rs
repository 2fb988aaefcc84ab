//! `cargo xtask test`: every Rust and Python test from a fresh clone, with one total.
//!
//! This is the README's test command and what `.ci/run` runs. It is a cargo alias
//! (`.cargo/config.toml`) for this small program, so the command works wherever cargo
//! does and needs nothing installed first. Stages, each run even when an earlier one
//! failed:
//!
//! 1. `cargo test --release --workspace --no-fail-fast`: unit, integration and doc
//!    tests; examples are built to check they compile. Generic instances are shared
//!    between crates (`-Zshare-generics`) and each crate is one codegen unit (see
//!    [`test()`]). Not `--all-targets`, which also
//!    builds every library again as a test harness where it has no tests (the Python
//!    extension). The criterion benches are a package of their own (benches/), not
//!    built here;
//! 2. Python: a virtual environment `target/venv` (created when absent) with maturin and
//!    the package's `test` extra (numpy, pandas, pytest) from PyPI, installed in a
//!    thread while stage 1 runs; the package built into it by `maturin develop
//!    --release`, then `pytest python/tests`;
//! 3. the fuzz smoke run: `FUZZ_PROFILE=smoke tools/fuzz-smoke 5` with its build in
//!    `target/fuzz`, each fuzz target one test (docs/TESTING.md). That build shares
//!    nothing with the others, so it starts at once in the background at the lowest
//!    CPU priority (`nice -n 19`, output in `target/fuzz-build.log`): it takes only the
//!    CPU time the stages above leave idle (the serial ends of builds, test binaries
//!    with fewer tests left than cores, pip's downloads, pytest's one process), and the
//!    smoke run then finds it built.
//!
//! The last line is the combined total, `N passed, M failed`; the exit status is non-zero
//! if any test failed or any stage could not run (such a stage counts as one failure, so
//! the total never hides it). Tests read `../shared/data/*.csv` beside the project root.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["test"] => test(),
        _ => {
            eprintln!("usage: cargo xtask test    (every Rust and Python test; see tools/xtask)");
            ExitCode::from(2)
        }
    }
}

/// Passed and failed tests of one stage, and whether the stage itself ran to the end.
struct Outcome {
    passed: u64,
    failed: u64,
    completed: bool,
}

fn test() -> ExitCode {
    let root = project_root();
    // The release profile keeps line tables for profilers; tests need none, and
    // without them the workspace's own crates build about a fifth faster. Every cargo
    // and maturin run below inherits this, so they share one build.
    std::env::set_var("CARGO_PROFILE_RELEASE_DEBUG", "false");
    // One codegen unit per crate instead of the profile's four: with several, each unit
    // is optimised apart and then again with what it imports from the others, which
    // cost nasland-core's test harness a third more CPU time (docs/TESTING.md, "Where
    // CI's time goes"). The two cores stay busy with other crates and the background
    // fuzz build, so CI gains the CPU time; the released binary keeps the profile.
    std::env::set_var("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "1");
    // Generic code is compiled again in every crate that uses it, unless the crate that
    // first instantiated it shares the copy, as debug builds do by default. Sharing in
    // this release build saves about a tenth of CI's CPU time (docs/TESTING.md, "Where
    // CI's time goes"): the integration binary and the Python extension reuse what the
    // libraries instantiated. The flag is unstable, hence RUSTC_BOOTSTRAP, as for the
    // fuzz build; it changes linkage only, not what the code computes. Every cargo and
    // maturin run below inherits it, so they still share one build.
    std::env::set_var("RUSTC_BOOTSTRAP", "1");
    let rustflags = std::env::var("RUSTFLAGS").unwrap_or_default();
    std::env::set_var(
        "RUSTFLAGS",
        format!("{rustflags} -Zshare-generics=y").trim(),
    );
    let fuzz_build = start_fuzz_build(&root);
    let venv_ready = {
        let root = root.clone();
        std::thread::spawn(move || prepare_venv(&root))
    };
    let mut stages: Vec<(&str, Outcome)> = Vec::new();

    banner("cargo test --release --workspace --no-fail-fast");
    stages.push(("cargo test", cargo_stage(&root)));

    banner("Python: target/venv, maturin develop --release, pytest");
    stages.push(("python", python_stage(&root, venv_ready)));

    // Last, so that it never delays the results above: its build shares nothing with
    // theirs (docs/TESTING.md, "Smoke run (CI)").
    banner("fuzz smoke: FUZZ_PROFILE=smoke tools/fuzz-smoke 5 (each target, target/fuzz)");
    if let Some(mut child) = fuzz_build {
        // Its status does not matter: the smoke run builds again (a no-op after a
        // good build) and reports a failed build itself, with cargo's error.
        let _ = child.wait();
    }
    stages.push(("fuzz smoke", fuzz_stage(&root)));

    let mut passed = 0;
    let mut failed = 0;
    for (name, outcome) in &stages {
        passed += outcome.passed;
        failed += outcome.failed;
        // A stage that stopped without a failed test (it did not build, or did not run)
        // counts as one failure.
        if !outcome.completed && outcome.failed == 0 {
            println!("xtask test: stage \"{name}\" failed before its tests could report (counted as 1 failed)");
            failed += 1;
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The workspace root: this crate lives in `tools/xtask`.
fn project_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| manifest.to_path_buf())
}

fn banner(what: &str) {
    println!("== {what}");
}

fn cargo_stage(root: &Path) -> Outcome {
    let mut cmd = Command::new(cargo());
    cmd.current_dir(root)
        .args(["test", "--release", "--workspace", "--no-fail-fast"]);
    let (status, lines) = run_teed(cmd);
    let (mut passed, mut failed) = (0, 0);
    for line in &lines {
        // "test result: ok. 12 passed; 0 failed; 1 ignored; ..."
        if let Some(rest) = line.strip_prefix("test result: ") {
            passed += count_before(rest, "passed;");
            failed += count_before(rest, "failed;");
        }
    }
    Outcome {
        passed,
        failed,
        completed: status,
    }
}

/// Creates `target/venv` (when absent) and installs maturin, then the Python package's
/// dependencies and its `test` extra as python/pyproject.toml lists them (read with
/// tomllib, Python 3.11 and later; on an older Python `maturin develop --extras test`
/// installs them later). It is mostly downloads and unpacking, so [`test()`] runs it in a
/// thread beside the cargo stage, its output in `target/venv-setup.log`.
fn prepare_venv(root: &Path) -> Result<(), ()> {
    let target = root.join("target");
    std::fs::create_dir_all(&target).map_err(|_| ())?;
    let log = std::fs::File::create(target.join("venv-setup.log")).map_err(|_| ())?;
    let logged = |mut cmd: Command| -> Result<(), ()> {
        cmd.stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|_| ())?)
            .stderr(log.try_clone().map_err(|_| ())?);
        ok(&mut cmd)
    };
    let venv = target.join("venv");
    if !venv.join("bin").join("python").exists() {
        let mut cmd = Command::new("python3");
        cmd.arg("-m").arg("venv").arg(&venv);
        logged(cmd)?;
    }
    let pip = ["-m", "pip", "install", "--quiet", "--no-input"];
    let mut maturin = in_venv(&venv, "python");
    maturin.args(pip).arg("maturin>=1.5,<2");
    logged(maturin)?;
    let mut deps = in_venv(&venv, "python");
    deps.current_dir(root).arg("-c").arg(
        "import subprocess, sys\n\
         try:\n    import tomllib\n\
         except ImportError:\n    sys.exit(0)\n\
         p = tomllib.load(open('python/pyproject.toml', 'rb'))['project']\n\
         reqs = p.get('dependencies', []) + p.get('optional-dependencies', {}).get('test', [])\n\
         sys.exit(subprocess.call([sys.executable, *sys.argv[1:], *reqs]))",
    );
    deps.args(pip);
    logged(deps)
}

fn python_stage(root: &Path, venv_ready: std::thread::JoinHandle<Result<(), ()>>) -> Outcome {
    let venv = root.join("target").join("venv");
    let prepared = (|| {
        if venv_ready.join().unwrap_or(Err(())).is_err() {
            eprintln!("xtask test: the virtual environment could not be prepared:");
            let log = std::fs::read_to_string(root.join("target").join("venv-setup.log"));
            eprintln!("{}", log.unwrap_or_default());
            return Err(());
        }
        // The parity tests compare against target/release/nasland, which the cargo
        // stage built for the integration tests. Building it again here with `cargo
        // build --bin` would resolve features without the dev-dependencies and rebuild
        // half the workspace (minutes).
        // Builds the extension into the venv and installs the `test` extra of
        // python/pyproject.toml (the minimum versions are pinned there).
        ok(in_venv(&venv, "maturin").current_dir(root).args([
            "develop",
            "--release",
            "--manifest-path",
            "python/Cargo.toml",
            "--extras",
            "test",
        ]))
    })();
    if prepared.is_err() {
        return Outcome {
            passed: 0,
            failed: 0,
            completed: false,
        };
    }
    let mut pytest = in_venv(&venv, "python");
    pytest.current_dir(root).args([
        "-m",
        "pytest",
        "python/tests",
        "-q",
        "-p",
        "no:cacheprovider",
    ]);
    let (status, lines) = run_teed(pytest);
    // pytest's last summary line: "3 failed, 87 passed, 1 error in 30.1s" (any order,
    // any subset).
    let summary = lines
        .iter()
        .rev()
        .find(|l| l.contains(" passed") || l.contains(" failed") || l.contains(" error"))
        .map(String::as_str)
        .unwrap_or("");
    let words: Vec<&str> = summary
        .split(|c: char| c.is_whitespace() || c == ',' || c == '=')
        .filter(|w| !w.is_empty())
        .collect();
    let (mut passed, mut failed) = (0, 0);
    for pair in words.windows(2) {
        let n: u64 = pair[0].parse().unwrap_or(0);
        match pair[1] {
            "passed" => passed += n,
            "failed" | "error" | "errors" => failed += n,
            _ => {}
        }
    }
    Outcome {
        passed,
        failed,
        completed: status,
    }
}

/// The fuzz smoke stage's command: tools/fuzz-smoke with the smoke profile, built in
/// `target/fuzz`.
fn fuzz_smoke(root: &Path) -> Command {
    let mut cmd = Command::new("sh");
    cmd.current_dir(root)
        .arg(root.join("tools").join("fuzz-smoke"))
        .env("FUZZ_PROFILE", "smoke")
        .env("FUZZ_TARGET_DIR", root.join("target").join("fuzz"));
    cmd
}

/// Starts `tools/fuzz-smoke build` in the background under `nice -n 19` (plain when
/// `nice` is missing), its output in `target/fuzz-build.log`. None if it cannot start:
/// the smoke stage then builds in the foreground.
fn start_fuzz_build(root: &Path) -> Option<std::process::Child> {
    let target = root.join("target");
    std::fs::create_dir_all(&target).ok()?;
    let log = std::fs::File::create(target.join("fuzz-build.log")).ok()?;
    let smoke = fuzz_smoke(root);
    let spawn = |niced: bool| {
        let mut cmd = if niced {
            let mut nice = Command::new("nice");
            nice.args(["-n", "19"]).arg(smoke.get_program());
            nice
        } else {
            Command::new(smoke.get_program())
        };
        cmd.args(smoke.get_args())
            .arg("build")
            .current_dir(root)
            .envs(smoke.get_envs().filter_map(|(k, v)| Some((k, v?))))
            .stdin(Stdio::null())
            .stdout(log.try_clone().ok()?)
            .stderr(log.try_clone().ok()?)
            .spawn()
            .ok()
    };
    spawn(true).or_else(|| spawn(false))
}

/// Builds the fuzz targets with the cheap `smoke` profile into `target/fuzz` and runs
/// each for a few seconds on its committed corpus (tools/fuzz-smoke). Each target is one
/// test: "fuzz-smoke: TARGET ok: …" passed, "fuzz-smoke: TARGET FAILED…" failed (a
/// build that fails fails every target).
fn fuzz_stage(root: &Path) -> Outcome {
    let mut cmd = fuzz_smoke(root);
    cmd.arg("5");
    let (status, lines) = run_teed(cmd);
    let (passed, failed) = count_fuzz_smoke(&lines);
    Outcome {
        passed,
        failed,
        completed: status,
    }
}

/// Passed and failed targets in tools/fuzz-smoke's output.
fn count_fuzz_smoke(lines: &[String]) -> (u64, u64) {
    let (mut passed, mut failed) = (0, 0);
    for rest in lines.iter().filter_map(|l| l.strip_prefix("fuzz-smoke: ")) {
        let verdict = rest.split_whitespace().nth(1).unwrap_or("");
        if verdict.starts_with("ok") {
            passed += 1;
        } else if verdict.starts_with("FAILED") {
            failed += 1;
        }
    }
    (passed, failed)
}

/// A command that runs inside the virtual environment (its `bin` first on PATH).
fn in_venv(venv: &Path, program: &str) -> Command {
    let bin = venv.join("bin");
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut paths = vec![bin.clone()];
    paths.extend(std::env::split_paths(&path));
    let mut cmd = Command::new(bin.join(program));
    cmd.env("VIRTUAL_ENV", venv)
        .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
        .env("PATH", std::env::join_paths(paths).unwrap_or(path));
    cmd
}

/// Runs a command with inherited output; Err if it could not start or failed.
fn ok(cmd: &mut Command) -> Result<(), ()> {
    match cmd.status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => {
            eprintln!("xtask test: {cmd:?} exited with {s}");
            Err(())
        }
        Err(e) => {
            eprintln!("xtask test: could not run {cmd:?}: {e}");
            Err(())
        }
    }
}

/// Runs a command, copying its standard output to ours line by line as it comes and
/// keeping the lines to count results; standard error passes straight through.
fn run_teed(mut cmd: Command) -> (bool, Vec<String>) {
    let mut child = match cmd.stdout(Stdio::piped()).spawn() {
        Ok(child) => child,
        Err(e) => {
            eprintln!("xtask test: could not run {cmd:?}: {e}");
            return (false, Vec::new());
        }
    };
    let mut lines = Vec::new();
    if let Some(out) = child.stdout.take() {
        let stdout = std::io::stdout();
        for line in BufReader::new(out).split(b'\n') {
            let Ok(bytes) = line else { break };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let mut lock = stdout.lock();
            // A closed stdout must not stop the tests: keep counting.
            let _ = writeln!(lock, "{text}");
            lines.push(text);
        }
    }
    let status = child.wait().map(|s| s.success()).unwrap_or(false);
    (status, lines)
}

/// The number just before `word` in "… 12 passed; 0 failed; …", or 0.
fn count_before(text: &str, word: &str) -> u64 {
    let Some(end) = text.find(word) else { return 0 };
    text[..end]
        .split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The cargo that runs us (cargo sets CARGO for `cargo run`), else `cargo` on PATH.
fn cargo() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

#[cfg(test)]
mod tests {
    use super::{count_before, count_fuzz_smoke};

    #[test]
    fn fuzz_targets_are_counted_one_test_each() {
        let lines: Vec<String> = [
            "fuzz-smoke: read_table ok: 1200 runs in 5 s, no crash",
            "fuzz-smoke: csv_import FAILED",
            "==123== ERROR: libFuzzer: deadly signal",
            "fuzz-smoke: cli_args FAILED: not built",
            "fuzz-smoke: crashing input kept as fuzz/artifacts/csv_import/crash-1",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(count_fuzz_smoke(&lines), (1, 2));
    }

    #[test]
    fn counts_are_read_from_cargo_result_lines() {
        let line =
            "ok. 12 passed; 3 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.5s";
        assert_eq!(count_before(line, "passed;"), 12);
        assert_eq!(count_before(line, "failed;"), 3);
        assert_eq!(count_before("no numbers here", "passed;"), 0);
    }
}
