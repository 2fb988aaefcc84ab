//! The terminal's progress bar: the one place that draws one. Library layers report
//! through [`nasland_core::progress::Progress`]; this draws it with indicatif, and only
//! when stderr is a terminal.

use indicatif::{ProgressBar, ProgressStyle};
use nasland_core::progress::Progress;
use std::io::IsTerminal;
use std::sync::Mutex;

/// A progress bar per stage on stderr, or nothing when stderr is not a terminal.
pub struct Bar {
    shown: bool,
    bar: Mutex<ProgressBar>,
}

impl Bar {
    /// A bar that draws only if stderr is a terminal.
    pub fn new() -> Self {
        Bar {
            shown: std::io::stderr().is_terminal(),
            bar: Mutex::new(ProgressBar::hidden()),
        }
    }

    fn current(&self) -> ProgressBar {
        // A poisoned lock only means another thread panicked while swapping bars; the
        // bar itself is still usable.
        self.bar.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Default for Bar {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for Bar {
    fn stage(&self, what: &str, len: u64) {
        if !self.shown {
            return;
        }
        let b = ProgressBar::new(len);
        b.set_style(
            ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} {elapsed_precise}")
                .expect("the template is a constant and valid")
                .progress_chars("=> "),
        );
        b.set_prefix(what.to_string());
        *self.bar.lock().unwrap_or_else(|e| e.into_inner()) = b;
    }

    fn advance(&self, n: u64) {
        self.current().inc(n);
    }

    fn finish(&self) {
        self.current().finish_and_clear();
    }
}
