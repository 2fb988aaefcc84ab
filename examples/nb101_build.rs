//! Builds the NAS-Bench-101 space and prints its counts, timings, shape and the iid
//! local-minima figures as JSON (the numbers quoted in docs/NB101.md).
//! `cargo run --release --example nb101_build`
use nasland::landscape::Landscape;
use nasland::space::nb101::{shape, Nb101};
use nasland::synth::Model;
use nasland::theory::{iid, iid_directed};

fn main() -> anyhow::Result<()> {
    let t = std::time::Instant::now();
    let space = Nb101::build(&nasland::progress::Silent)?;
    let total = t.elapsed().as_secs_f64();
    let shape = shape::shape(&space);
    let csr = space.csr();
    let expected = iid::expected_local_minima(csr);
    let sd_bound = iid_directed::local_minima_variance_bound(csr).sqrt();
    let counts: Vec<usize> = (1..=5)
        .map(|seed| Landscape::of_graph(csr, &Model::Uniform.draw(space.len(), seed)).local_minima)
        .collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "n": space.len(),
            "build_seconds": total,
            "stats": space.stats(),
            "shape": shape,
            "iid_uniform": {
                "expected_local_minima": expected,
                "sd_upper_bound": sd_bound,
                "local_minima_seeds_1_to_5": counts,
            },
        }))?
    );
    Ok(())
}
