//! `nasland keys`: the architecture keys of a table, one per line, in vertex-id order.

use crate::table::Table;
use anyhow::Result;
use clap::Args;
use std::io::{ErrorKind, Write};
use std::path::PathBuf;

/// Print the architecture keys of a table, one per line, in vertex-id order (line v + 1
/// names vertex v).
#[derive(Args, Debug)]
pub struct KeysArgs {
    /// A .nasl or .nasl.zst table.
    pub file: PathBuf,
}

pub fn run(args: KeysArgs) -> Result<()> {
    let table = Table::open(&args.file)?;
    table.verify_keys()?;
    let result = (|| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, super::stdout::writer()?);
        for v in 0..table.header().n as u32 {
            writeln!(out, "{}", table.key(v))?;
        }
        out.flush()
    })();
    match result {
        // `nasland keys t.nasl | head` closes the pipe early: not an error.
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        r => Ok(r?),
    }
}
