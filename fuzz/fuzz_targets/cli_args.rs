//! Fuzzes the command line's argument layer: any argument vector must be accepted or
//! refused with an error, never a panic or an abort. The bytes are split at NUL into
//! arguments (any bytes, not only UTF-8, as a shell can pass), after the program name.
//!
//! Only `nasland::cli::validate` runs: clap's parsing and the checks that need neither a
//! file nor any work (space names, synthetic models, ε and σ lists, number ranges). No
//! command is run, so a valid command line costs microseconds, not a landscape.
//!
//! Run for a bounded time (docs/TESTING.md):
//!   RUSTC_BOOTSTRAP=1 cargo fuzz run cli_args -- -max_total_time=600

#![no_main]

use libfuzzer_sys::fuzz_target;
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

fuzz_target!(|data: &[u8]| {
    let argv = std::iter::once(OsString::from("nasland"))
        .chain(data.split(|&b| b == 0).map(|a| OsString::from_vec(a.to_vec())));
    let _ = nasland::cli::validate(argv);
});
