//! Standard error that never panics.
//!
//! `eprintln!` panics when the write fails, so with `2>/dev/full` (or a closed pipe on
//! descriptor 2) a progress note or an error message would turn into exit status 101
//! and hide the status the command meant. Messages on standard error are for people:
//! when they cannot be written there is nowhere left to report that, so [`errln!`] drops
//! them and the exit status alone carries the outcome (docs/RELIABILITY.md).

use std::fmt;
use std::io::Write;

/// Prints one line on standard error, ignoring a failed write (see the module doc).
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::cli::stderr::write_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Writes formatted text to standard error; a failure is dropped. Used by [`errln!`].
pub fn write_fmt(args: fmt::Arguments) {
    let _ = std::io::stderr().lock().write_fmt(args);
}
