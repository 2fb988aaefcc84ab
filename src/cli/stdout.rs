//! Standard output that reports its failures instead of panicking or losing them.
//!
//! `println!` panics when the write fails (`> /dev/full`: "failed printing to stdout"), and
//! Rust's standard streams silently discard writes to a closed descriptor (`>&-`), so a
//! command could exit 0 having printed nothing. Every result a command prints goes
//! through [`outln!`] instead: the first failure is kept, later lines are skipped, and
//! [`finish`] turns it into an error (exit status 1) once the command is done.
//!
//! A closed standard stream would be worse than lost output: the next file the process
//! opens would take its descriptor number, and a later print would write into that file
//! (a table being packed, say). The Rust runtime prevents that by opening `/dev/null` on
//! closed descriptors 0, 1 and 2 before `main`; [`note_closed_stdout`] runs earlier still
//! and remembers that standard output was closed, so that the first result line fails
//! with a message.
//!
//! A reader that goes away (`| head -1`) ends the process through SIGPIPE, whose default
//! action `main` restores: status 141 and no message, as with other Unix tools.

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// Whether descriptor 1 was closed when the process started.
static CLOSED: AtomicBool = AtomicBool::new(false);
/// The first write error, reported by [`finish`].
static FAILED: Mutex<Option<io::Error>> = Mutex::new(None);

/// Prints one line of a command's result through the checked standard output.
macro_rules! outln {
    () => {
        $crate::cli::stdout::write_fmt(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::stdout::write_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}
/// For printers outside `cli` (by path: `crate::cli::stdout::outln`).
pub(crate) use outln;

/// Records whether descriptor 1 is closed. Must run before the Rust runtime starts: the
/// runtime itself opens `/dev/null` on closed standard descriptors (so no file takes
/// their numbers, the danger the module doc describes) before `main`, after which a
/// closed standard output can no longer be told from `> /dev/null`. The binary calls this
/// from a static constructor.
pub fn note_closed_stdout() {
    #[cfg(unix)]
    // SAFETY: fcntl(F_GETFD) only queries a descriptor number; it touches no memory.
    if unsafe { libc::fcntl(1, libc::F_GETFD) } == -1 {
        CLOSED.store(true, Ordering::Relaxed);
    }
}

fn closed_error() -> io::Error {
    io::Error::other("standard output is closed; redirect it to a file or to /dev/null")
}

/// A writer on standard output that fails if it was closed at start (for commands that
/// stream many lines and handle the error themselves).
pub fn writer() -> io::Result<io::StdoutLock<'static>> {
    if CLOSED.load(Ordering::Relaxed) {
        return Err(closed_error());
    }
    Ok(io::stdout().lock())
}

/// Writes formatted text, keeping the first failure for [`finish`]. Used by [`outln!`].
pub fn write_fmt(args: fmt::Arguments) {
    let mut failed = FAILED.lock().unwrap_or_else(|p| p.into_inner());
    if failed.is_some() {
        return;
    }
    let result = writer().and_then(|mut out| out.write_fmt(args));
    if let Err(e) = result {
        *failed = Some(e);
    }
}

/// Flushes standard output and returns the first failure of any result line.
pub fn finish() -> io::Result<()> {
    let mut failed = FAILED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(e) = failed.take() {
        return Err(e);
    }
    if CLOSED.load(Ordering::Relaxed) {
        return Ok(());
    }
    io::stdout().lock().flush()
}
