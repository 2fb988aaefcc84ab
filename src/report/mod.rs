//! Reports for people: plots, and the `nasland report` page.
//!
//! [`eps_plot`] draws the P(ε) plot of `nasland theory`; [`profile`] computes everything shown about one input (summary, hardness, figures,
//! the commands that reproduce them); [`figures`] draws the charts (plotters, SVG);
//! [`tree`] draws the basin-tree figure; [`lon_figure`] the local optima network; [`html`] lays the page out; [`markup`] escapes
//! text for both. Imports run one way: html → profile → {figures, tree, lon_figure} → markup. Nothing here
//! depends on the clock or on thread scheduling: one input and seed, one page.

pub mod eps_plot;
pub mod figures;
pub mod html;
pub mod lon_figure;
pub mod markup;
pub mod profile;
pub mod tree;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::path::Path;

/// SHA-256 of a file's bytes, lowercase hex.
pub fn sha256_file(path: &Path) -> Result<String> {
    let mut file = std::fs::File::open(path)
        .with_context(|| format!("cannot open {} to checksum it", path.display()))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher)
        .with_context(|| format!("cannot read {} to checksum it", path.display()))?;
    Ok(hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}
