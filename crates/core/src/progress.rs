//! Progress reporting for long builds, through a callback: a library crate never draws
//! on the terminal itself; the command line decides whether and how to show it.

/// Receives how far a long computation has come. Called from many threads at once.
pub trait Progress: Sync {
    /// A new stage named `what` begins, with `len` units of work.
    fn stage(&self, what: &str, len: u64);
    /// `n` more units of the current stage are done.
    fn advance(&self, n: u64);
    /// The current stage is over.
    fn finish(&self);
}

/// Reports nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn stage(&self, _what: &str, _len: u64) {}
    fn advance(&self, _n: u64) {}
    fn finish(&self) {}
}
