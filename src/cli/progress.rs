//! The terminal's progress bar: the one place that draws one. Library layers report
//! through [`nasland_core::progress::Progress`]; this draws it with indicatif, only when
//! stderr is a terminal, and only once the run has lasted [`DELAY`]: a quick run prints
//! nothing extra, a long one shows where it is.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nasland_core::progress::Progress;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a run goes before its bar appears.
const DELAY: Duration = Duration::from_secs(2);

/// A progress bar per stage on stderr, or nothing when stderr is not a terminal.
pub struct Bar {
    terminal: bool,
    start: Instant,
    visible: AtomicBool,
    bar: Mutex<ProgressBar>,
}

impl Bar {
    /// A bar that draws only if stderr is a terminal, from [`DELAY`] after its creation.
    pub fn new() -> Self {
        Bar {
            terminal: std::io::stderr().is_terminal(),
            start: Instant::now(),
            visible: AtomicBool::new(false),
            bar: Mutex::new(ProgressBar::hidden()),
        }
    }

    fn current(&self) -> ProgressBar {
        // A poisoned lock only means another thread panicked while swapping bars; the
        // bar itself is still usable.
        self.bar.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Starts drawing once the run has lasted [`DELAY`]; called once per reported chunk,
    /// never per vertex, so the clock read costs nothing that shows.
    fn reveal(&self, b: &ProgressBar) {
        if self.terminal && !self.visible.load(Relaxed) && self.start.elapsed() >= DELAY {
            self.visible.store(true, Relaxed);
            b.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Default for Bar {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for Bar {
    fn stage(&self, what: &str, len: u64) {
        if !self.terminal {
            return;
        }
        let target = if self.visible.load(Relaxed) {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let b = ProgressBar::with_draw_target(Some(len), target);
        // A stage of unknown length (len 0) counts rounds under a spinner.
        let template = if len == 0 {
            "{prefix:>12} {spinner} {pos} {elapsed_precise}"
        } else {
            "{prefix:>12} [{bar:30}] {pos}/{len} {elapsed_precise}"
        };
        // The templates are constants that parse; were one not to, the default style does.
        if let Ok(style) = ProgressStyle::with_template(template) {
            b.set_style(style.progress_chars("=> "));
        }
        b.set_prefix(what.to_string());
        *self.bar.lock().unwrap_or_else(|e| e.into_inner()) = b;
    }

    fn advance(&self, n: u64) {
        if !self.terminal {
            return;
        }
        let b = self.current();
        self.reveal(&b);
        b.inc(n);
    }

    fn finish(&self) {
        self.current().finish_and_clear();
    }
}
