//! Fuzzes the CSV table import: any bytes as a table of the 3^2 product space must give
//! the space's losses or an input error, never a panic; and losses that load are one
//! finite value per vertex.
//!
//! The bytes are written to a file because the importer reads paths (it streams tables
//! of millions of rows). The seeds (fuzz/corpus/csv_import) are small valid and nearly
//! valid tables with the columns `arch` (keys `0-0` … `2-2`) and `loss`.
//!
//! Run for a bounded time (docs/TESTING.md):
//!   RUSTC_BOOTSTRAP=1 cargo fuzz run csv_import -- -max_total_time=600

#![no_main]

use libfuzzer_sys::fuzz_target;
use nasland::input::Input;
use nasland::io::table_csv;
use nasland::space::ProductSpace;
use std::io::Write;

fuzz_target!(|data: &[u8]| {
    let mut file = tempfile::NamedTempFile::new().expect("a temporary file");
    file.write_all(data).expect("write the input");
    let path = file.path();
    let space = ProductSpace::parse("3^2").expect("a valid space");
    let n = 9;
    if let Ok(input) = Input::from_table(space.clone(), path, "arch", "loss", false) {
        assert_eq!(input.loss.len(), n);
        assert!(input.loss.iter().all(|x| x.is_finite()));
    }
    // Every column that looks numeric, read together, as `pack` stores them.
    if let Ok(names) = table_csv::numeric_columns(path, "arch") {
        if let Ok(inputs) = Input::from_table_columns(space, path, "arch", &names, false) {
            assert_eq!(inputs.len(), names.len());
            for input in inputs {
                assert_eq!(input.loss.len(), n);
            }
        }
    }
});
