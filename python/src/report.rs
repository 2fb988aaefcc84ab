//! `report`: the HTML page of `nasland report`, by the same functions (`nasland::report`).

use crate::errors::{self, Class};
use nasland::input::{Input, InputSpec};
use nasland::report::html::{self, Meta};
use nasland::report::profile::{profile, quote, ProfileOptions};
use nasland::report::sha256_file;
use nasland::space::ProductSpace;
use nasland::table::atomic::write_atomic;
use pyo3::prelude::*;
use std::collections::HashMap;
use std::path::PathBuf;

/// Which metrics are better when higher: one flag for all, or one per column name.
#[derive(FromPyObject)]
pub enum Maximize {
    All(bool),
    Each(HashMap<String, bool>),
}

/// Write the HTML report (see ``nasland.report``); returns the path written.
#[pyfunction]
#[pyo3(signature = (path=PathBuf::from("nasland-report.html"), *, space="nb201", table=None, key=None,
    metrics=None, maximize=None, synthetic="uniform,levels:10,smooth", seed=1, figures=6,
    noise_draws=8))]
#[allow(clippy::too_many_arguments)]
pub fn report(
    py: Python<'_>,
    path: PathBuf,
    space: &str,
    table: Option<PathBuf>,
    key: Option<String>,
    metrics: Option<Vec<String>>,
    maximize: Option<Maximize>,
    synthetic: &str,
    seed: u64,
    figures: usize,
    noise_draws: usize,
) -> PyResult<PathBuf> {
    if noise_draws == 0 {
        return Err(errors::input(
            "noise_draws",
            "noise_draws must be at least 1",
        ));
    }
    if path.is_dir() {
        return Err(errors::input(
            "output_is_directory",
            format!("{} is a directory: give a file name", path.display()),
        ));
    }
    if let Err(e) = nasland::table::atomic::refuse_inputs(&path, table.as_slice()) {
        return Err(errors::input("output_is_input", e.to_string()));
    }
    let space = space.to_string();
    let synthetic = synthetic.to_string();
    let out = path.clone();
    py.detach(move || -> anyhow::Result<()> {
        let mut command = format!("nasland report --space {}", quote(&space));
        let inputs: Vec<(Input, Option<String>)> = match &table {
            None => {
                if key.is_some() || metrics.is_some() {
                    anyhow::bail!("key= and metrics= name columns of a table=; none was given");
                }
                command += &format!(" --synthetic {}", quote(&synthetic));
                synthetic
                    .split(',')
                    .map(str::trim)
                    .map(|model| {
                        let spec = InputSpec {
                            space: space.clone(),
                            synthetic: Some(model.to_string()),
                            seed,
                            ..Default::default()
                        };
                        Ok((spec.load()?, None))
                    })
                    .collect::<anyhow::Result<_>>()?
            }
            Some(csv) => {
                table_inputs(&space, csv, key.as_deref(), metrics, maximize, &mut command)?
            }
        };
        if inputs.is_empty() {
            anyhow::bail!("no input to report");
        }
        let mut profiles = Vec::with_capacity(inputs.len());
        for (i, (input, checksum)) in inputs.iter().enumerate() {
            profiles.push(profile(
                input,
                checksum.clone(),
                &ProfileOptions {
                    seed,
                    noise_draws,
                    figures: i < figures,
                },
            )?);
        }
        command += &format!(
            " --seed {seed} --figures {figures} --noise-draws {noise_draws} -o {}",
            quote(&out.display().to_string())
        );
        let page = html::render(
            &Meta {
                command,
                seed,
                figures_for: figures,
            },
            &profiles,
        );
        write_atomic(&out, |w| -> anyhow::Result<()> {
            w.write_all(page.as_bytes())?;
            Ok(())
        })?;
        Ok(())
    })
    .map_err(|e| errors::to_py(e, Class::Input))?;
    Ok(path)
}

/// The named columns of one CSV table, each with its direction, in the order given.
fn table_inputs(
    space_name: &str,
    csv: &std::path::Path,
    key: Option<&str>,
    metrics: Option<Vec<String>>,
    maximize: Option<Maximize>,
    command: &mut String,
) -> anyhow::Result<Vec<(Input, Option<String>)>> {
    let space = ProductSpace::parse(space_name)?;
    let key = key.unwrap_or(nasland::input::default_key(space_name));
    let metrics = metrics
        .filter(|m| !m.is_empty())
        .ok_or_else(|| anyhow::anyhow!("metrics= names the columns of the table to report"))?;
    // A table column's direction is never guessed: one for all, or one per column.
    let said = |m: &str| match &maximize {
        None => None,
        Some(Maximize::All(b)) => Some(*b),
        Some(Maximize::Each(map)) => map.get(m).copied(),
    };
    if let Some(m) = metrics.iter().find(|m| said(m).is_none()) {
        return Err(nasland::input::direction::needed(m, &[], csv).into());
    }
    let direction = |m: &str| said(m).unwrap_or_default();
    let checksum = sha256_file(csv)?;
    let mut out = Vec::with_capacity(metrics.len());
    for dir in [true, false] {
        let names: Vec<String> = metrics
            .iter()
            .filter(|m| direction(m) == dir)
            .cloned()
            .collect();
        if !names.is_empty() {
            for input in Input::from_table_columns(space.clone(), csv, key, &names, dir)? {
                out.push((input, Some(checksum.clone())));
            }
        }
    }
    out.sort_by_key(|(input, _)| metrics.iter().position(|m| *m == input.metric));
    let list: Vec<String> = metrics
        .iter()
        .map(|m| format!("{m}:{}", if direction(m) { "max" } else { "min" }))
        .collect();
    *command += &format!(
        " --table {} --key {} --metrics {}",
        quote(&csv.display().to_string()),
        quote(key),
        quote(&list.join(","))
    );
    Ok(out)
}
