//! Helpers shared by the integration tests.
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
