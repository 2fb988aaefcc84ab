//! Will a run fit in memory? An estimate made before starting, so that a request that
//! cannot fit (`simulate --runs 4294967295`, a space of 2^31 vertices) is refused with the
//! figure and the option to lower, instead of being killed by the system part-way.
//!
//! The estimates count the large buffers a run allocates (per vertex, per run, per draw),
//! not every small one: they are lower bounds, so a refusal is never a false alarm.

use std::fmt;

/// Bytes per vertex that any landscape pass needs at its peak: the compact pass of
/// `analyze` (README, "How it is fast") holds the loss as f32, the best neighbour's loss
/// and its id (4 bytes each). Commands that keep more (hardness, per-start DPs, f64
/// losses) need more; this is the lower bound, so a refusal is never a false alarm.
pub const PER_VERTEX: u64 = 4 * 3;

/// A run that needs more memory than the machine has available.
#[derive(Debug)]
pub struct TooBig {
    /// What needs the memory.
    pub what: String,
    /// The estimate, in bytes.
    pub needed: u64,
    /// `MemAvailable`, in bytes.
    pub available: u64,
    /// What to lower, in the caller's words (a flag for the command line).
    pub lower: String,
}

impl fmt::Display for TooBig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} needs at least {} of memory, and {} is available; lower {}",
            self.what,
            bytes(self.needed),
            bytes(self.available),
            self.lower
        )
    }
}

impl std::error::Error for TooBig {}

/// The memory the system can give without swapping: `MemAvailable` of `/proc/meminfo`
/// (Linux). `None` where that file does not exist or has no such line; then nothing is
/// refused. Read by hand because it is one line of one file; a system-information
/// crate would bring far more than that.
pub fn available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Refuses `needed` bytes (saturated products are fine: they mean "too many") when more
/// than is available.
pub fn check(what: &str, needed: u64, lower: &str) -> Result<(), TooBig> {
    match available() {
        Some(available) if needed > available => Err(TooBig {
            what: what.to_string(),
            needed,
            available,
            lower: lower.to_string(),
        }),
        _ => Ok(()),
    }
}

/// `count × each` bytes, saturating.
pub fn times(count: u64, each: u64) -> u64 {
    count.saturating_mul(each)
}

fn bytes(b: u64) -> String {
    const GIB: f64 = (1u64 << 30) as f64;
    if b >= 1 << 30 {
        format!("{:.1} GiB", b as f64 / GIB)
    } else {
        format!("{:.1} MiB", b as f64 / (1 << 20) as f64)
    }
}
