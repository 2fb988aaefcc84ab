//! Reports for people: plots.

pub mod eps_plot;
