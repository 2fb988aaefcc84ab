//! Adversarial inputs and outputs (issue 14): one test per fault, named after what it
//! protects. Each asserts the exit status, that the message names the file, line or
//! option, and that no file was changed or left behind.

mod complete_graph;
mod input;
mod options;
mod output;

/// Every file of `dir` with its bytes: what a refused or failed run must not change.
fn snapshot(dir: &std::path::Path) -> std::collections::BTreeMap<std::path::PathBuf, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}
