//! Builds the NAS-Bench-101 space and prints its counts, timings and shape as JSON.
//! `cargo run --release --example nb101_build`
fn main() -> anyhow::Result<()> {
    let t = std::time::Instant::now();
    let space = nasland::space::nb101::Nb101::build(true)?;
    let total = t.elapsed().as_secs_f64();
    let shape = nasland::space::nb101::shape::shape(&space);
    println!(
        "{}",
        serde_json::json!({"n": space.len(), "build_seconds": total, "stats": space.stats(), "shape": shape})
    );
    Ok(())
}
