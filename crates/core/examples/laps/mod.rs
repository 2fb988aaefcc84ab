//! Wall and CPU time between the laps of an example run in-process (CPU because the
//! machine is shared): the profiling aids' one clock. A folder with a `mod.rs`, so that
//! cargo does not take it for an example of its own.
use nasland_core::progress::Progress;
use std::sync::Mutex;
use std::time::Instant;

/// User and system time of this process, in seconds (Linux; 0 elsewhere): apart, because
/// the system time (the kernel zeroing fresh pages) moves from run to run on its own.
fn cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) / 100.0, ticks(12) / 100.0)
}

/// Prints the time since the last lap; as a [`Progress`], a lap before and after each
/// stage of a pass.
pub struct Laps(Mutex<(Instant, (f64, f64))>);

impl Laps {
    /// Starts the clock.
    pub fn start() -> Laps {
        Laps(Mutex::new((Instant::now(), cpu())))
    }

    /// Prints the wall and CPU time since the last lap, under `what`.
    pub fn lap(&self, what: &str) {
        let mut last = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = (Instant::now(), cpu());
        eprintln!(
            "{what:>26}: wall {:7.3} s  cpu {:7.2} s = {:6.2} u + {:6.2} s",
            (now.0 - last.0).as_secs_f64(),
            now.1 .0 - last.1 .0 + now.1 .1 - last.1 .1,
            now.1 .0 - last.1 .0,
            now.1 .1 - last.1 .1
        );
        *last = now;
    }
}

impl Progress for Laps {
    fn stage(&self, what: &str, _len: u64) {
        self.lap(&format!("(before {what})"));
    }
    fn advance(&self, _n: u64) {}
    fn finish(&self) {
        self.lap("stage");
    }
}
