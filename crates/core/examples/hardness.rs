//! Times the hardness block in-process beside the compact pass it follows, and its
//! first-improvement success alone, in wall and CPU time (CPU because the machine is
//! shared): a profiling aid, not a benchmark.
//!
//! `cargo run --release -p nasland-core --example hardness -- 5^10`
use nasland_core::landscape::Compact;
use nasland_core::progress::Progress;
use nasland_core::space::ProductSpace;
use nasland_core::stats::hardness::hardness_compact;
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

struct Quiet;
impl Progress for Quiet {
    fn stage(&self, _what: &str, _len: u64) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}

fn lap(what: &str, t: &mut (Instant, f64)) {
    let now = (Instant::now(), cpu());
    eprintln!(
        "{what:>32}: wall {:7.3} s  cpu {:7.2} s",
        (now.0 - t.0).as_secs_f64(),
        now.1 - t.1
    );
    *t = now;
}

fn main() {
    let spec = std::env::args().nth(1).unwrap_or_else(|| "5^10".into());
    let space = ProductSpace::parse(&spec).expect("a product space such as 5^10");
    let loss: Vec<f64> = nasland_core::synth::Model::Uniform
        .draw_f32(nasland_core::space::Neighbourhood::len(&space), 1)
        .into_iter()
        .map(f64::from)
        .collect();
    let mut t = (Instant::now(), cpu());
    let landscape = Compact::of_product(&space, &loss, &Quiet);
    lap("compact landscape", &mut t);
    let first = nasland_core::search::dp::first_improvement_success(&space, &loss);
    lap("first improvement alone", &mut t);
    let h = hardness_compact(&space, &loss, &landscape, 1.0, &[0.0, 0.01, 0.1]);
    lap("hardness block", &mut t);
    eprintln!("first p success {first:e} (block {:e})", h.first_p_success);
}
