//! `detente convert`: write a scenario in another format.
//!
//! The writing itself, all or nothing, with `--lossy`'s simplifications and
//! `--force`'s replacement of a folder, is the formats crate's
//! ([`detente_formats::convert`], shared with the Python package); this file
//! converts the arguments and prints the notices and the summary.

use crate::args::ScenarioArgs;
use anyhow::Result;
use detente_formats::convert::{self, Output};
use detente_formats::output_name;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Target {
    /// detente's own format (TOML, or JSON when OUT ends in .json).
    Native,
    /// GENIUS XML: a folder with a domain file and one profile per party.
    Genius,
    /// GeniusWeb JSON: a folder with a domain file and one profile per party.
    Geniusweb,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Where to write: a file for native (`-` for standard output), a
    /// folder for genius and geniusweb.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    pub output: PathBuf,
    /// The format to write.
    #[arg(long = "to", value_enum)]
    pub to: Target,
    /// When GENIUS or GeniusWeb cannot express the scenario: drop red lines
    /// and interaction terms and write numeric issues as discrete values,
    /// saying what changed, instead of failing.
    #[arg(long)]
    pub lossy: bool,
    /// For genius and geniusweb: replace OUT when it is a folder that is not
    /// empty (its old files are deleted, so none is read as an extra party).
    #[arg(long)]
    pub force: bool,
}

/// The library's name for a target.
fn target(to: Target) -> convert::Target {
    match to {
        Target::Native => convert::Target::Native,
        Target::Genius => convert::Target::Genius,
        Target::Geniusweb => convert::Target::GeniusWeb,
    }
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = args.scenario.load()?;
    let options = convert::Options {
        lossy: args.lossy,
        force: args.force,
    };
    let output = convert::write_scenario_with(
        loaded.scenario.parts(),
        loaded.forecast.as_ref(),
        target(args.to),
        &args.output,
        &options,
        &mut |n| {
            let kind = if n.is_simplification() {
                "note"
            } else {
                "warning"
            };
            eprintln!("{kind}: {n}");
        },
    )?;
    match output {
        Output::File { path, json } => eprintln!(
            "read {}; wrote {} ({})",
            loaded.detected,
            output_name(&path),
            if json { "JSON" } else { "TOML" }
        ),
        Output::Folder { domain, profiles } => eprintln!(
            "read {}; wrote {} domain {} and profiles {}",
            loaded.detected,
            if args.to == Target::Genius {
                "GENIUS"
            } else {
                "GeniusWeb"
            },
            domain.display(),
            list(&profiles)
        ),
    }
    Ok(ExitCode::SUCCESS)
}
