//! SIGINT and SIGTERM: remove the temporary files of unfinished outputs, then end the
//! way the signal would have ended the process.
//!
//! A handler is needed because the default action kills the process on the spot, leaving
//! a half-written `.NAME.XXXXXX.tmp` (tens of megabytes for a big `pack`) beside the
//! output. The work happens on an ordinary thread (`signal-hook`'s iterator), not in the
//! signal handler, so it may take the lock of the temporary-file list and remove files.
//! After cleaning up, the default action is re-raised, so the parent sees death by that
//! signal (a shell reports status 130 or 143) and a shell loop around nasland stops on
//! Ctrl-C as it should.

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;

/// Starts the thread that waits for SIGINT or SIGTERM.
pub fn install() -> anyhow::Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                nasland_table::atomic::remove_temporaries();
                // Restores and raises the default action (terminate); the exit below is
                // reached only if that somehow returns.
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        })?;
    Ok(())
}
