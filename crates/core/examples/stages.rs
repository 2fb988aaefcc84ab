//! Times each stage of the compact product-space pass in-process, in wall and CPU time
//! (CPU time because the machine is shared): a profiling aid, not a benchmark.
//!
//! `cargo run --release -p nasland-core --example stages -- 5^11`
use nasland_core::landscape::Compact;
use nasland_core::progress::Progress;
use nasland_core::space::{Neighbourhood, ProductSpace};
use nasland_core::stats::summary::{summarize_compact, SummaryOptions};
use std::sync::Mutex;
use std::time::Instant;

/// User + system time of this process, in seconds (Linux).
fn cpu() -> f64 {
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
    (ticks(11) + ticks(12)) / 100.0
}

/// Prints the time since the last lap.
struct Laps(Mutex<(Instant, f64)>);

impl Laps {
    fn lap(&self, what: &str) {
        let mut last = self.0.lock().unwrap();
        let now = (Instant::now(), cpu());
        eprintln!(
            "{what:>14}: wall {:7.3} s  cpu {:7.2} s",
            (now.0 - last.0).as_secs_f64(),
            now.1 - last.1
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

fn main() {
    let spec = std::env::args().nth(1).unwrap_or_else(|| "5^10".into());
    let space = ProductSpace::parse(&spec).expect("a product space such as 5^10");
    let laps = Laps(Mutex::new((Instant::now(), cpu())));
    let loss = nasland_core::synth::Model::Uniform.draw_f32(space.len(), 1);
    laps.lap("draw");
    let landscape = Compact::of_product(&space, &loss, &laps);
    let opts = SummaryOptions {
        eps: vec![0.0, 1e-3, 1e-2, 1e-1],
        top: 10,
        max_optimum_archs: 20,
    };
    let summary = summarize_compact(&loss, &landscape, 1.0, &|v| v.to_string(), &opts);
    laps.lap("summary");
    eprintln!(
        "{} local minima, longest path {}",
        summary.local_minima, summary.path_length.max
    );
}
