//! Helpers shared by the integration tests: where the shared data is, how to run the
//! command line, and how to read its JSON.
#![allow(dead_code)]

pub mod oracle;

use std::path::PathBuf;

/// Path of a file in `../shared/data` (relative to the project root). Panics, failing the
/// test, when the file is missing: a test never skips because its data is absent.
pub fn shared_data(file: &str) -> PathBuf {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data")).join(file);
    assert!(
        path.is_file(),
        "missing test data {}: these tests need the shared benchmark tables in ../shared/data beside the project root",
        path.display()
    );
    path
}

/// The `nasland` binary, ready for arguments.
pub fn nasland() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("nasland").expect("cargo builds the nasland binary for tests")
}

/// Runs `nasland ARGS` (which should ask for `--json`), asserts success, and parses stdout.
pub fn json(args: &[&str]) -> serde_json::Value {
    let out = nasland().args(args).output().expect("the binary runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON value")
}

/// The NAS-Bench-101 space, built once per test process (about 8 s of CPU, mostly module
/// hashes) and shared by every module that needs it. It is built on one thread, so the
/// command-line build (all threads) can be compared with it.
pub fn nb101() -> &'static nasland::space::nb101::Nb101 {
    static SPACE: std::sync::OnceLock<nasland::space::nb101::Nb101> = std::sync::OnceLock::new();
    SPACE.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .expect("a one-thread pool")
            .install(|| nasland::space::nb101::Nb101::build(&nasland::progress::Silent))
            .expect("the NAS-Bench-101 space builds")
    })
}
