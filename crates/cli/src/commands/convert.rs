//! `detente convert`: write a scenario in another format.
//!
//! - `--to native`: one file, TOML (or JSON when OUT ends in `.json`).
//! - `--to genius`: a folder (created if needed) holding `<name>-domain.xml`
//!   and one `<party>.xml` profile per party, which `detente analyze OUT`
//!   reads back (parties in file-name order).
//! - `--to geniusweb`: a folder holding `<name>.json` (the domain) and one
//!   `<party>.json` profile per party.
//!
//! Every file is written atomically. What a format cannot express (red
//! lines in GENIUS, a discount factor in GeniusWeb, ...) is an error naming
//! the party and the reason, except GeniusWeb's missing discount factor,
//! which is reported as a warning.

use crate::args::ScenarioArgs;
use anyhow::{Context, Result, bail};
use detente_core::ScenarioParts;
use detente_formats::{genius, geniusweb, is_stdout, native, output_name, write_output};
use std::path::{Path, PathBuf};
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
}

/// Runs a writer; with `--lossy`, retries on a simplified scenario and
/// prints what was simplified.
fn write_with<T>(
    parts: &ScenarioParts,
    lossy: bool,
    writer: impl Fn(&ScenarioParts) -> Result<T, detente_formats::FormatError>,
) -> Result<T> {
    match writer(parts) {
        Ok(files) => Ok(files),
        Err(e) if lossy => {
            let (simpler, notes) = genius::lossy(parts);
            let files = writer(&simpler).map_err(|e2| {
                anyhow::anyhow!("{e2} (even after the --lossy simplifications; first error: {e})")
            })?;
            for n in notes {
                eprintln!("note: {n}");
            }
            Ok(files)
        }
        Err(e) => {
            Err(anyhow::Error::new(e)
                .context("use --lossy to simplify what the format cannot express"))
        }
    }
}

/// A file name from a scenario or party name: path separators and other
/// characters that are unsafe in file names become `_`.
fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let s = s.trim().trim_start_matches('.').to_string();
    if s.is_empty() { "scenario".into() } else { s }
}

/// Unique file names for the profiles, none equal to `taken`.
fn profile_paths(dir: &Path, names: &[String], ext: &str, taken: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = Vec::with_capacity(names.len());
    for n in names {
        let base = file_stem(n);
        let mut path = dir.join(format!("{base}.{ext}"));
        let mut k = 2;
        while path == taken || out.contains(&path) {
            path = dir.join(format!("{base}-{k}.{ext}"));
            k += 1;
        }
        out.push(path);
    }
    out
}

fn write(path: &Path, text: &str) -> Result<()> {
    write_output(path, text.as_bytes()).with_context(|| format!("writing {}", output_name(path)))
}

fn folder(path: &Path) -> Result<()> {
    if path.exists() && !path.is_dir() {
        bail!(
            "{} exists and is not a folder; GENIUS and GeniusWeb scenarios are written as a folder",
            path.display()
        );
    }
    std::fs::create_dir_all(path).with_context(|| format!("creating {}", path.display()))
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What GENIUS and GeniusWeb files have no place for.
fn warn_unwritten(parts: &ScenarioParts) {
    for p in &parts.parties {
        if p.role == detente_core::Role::Mediator {
            eprintln!(
                "warning: party `{}` is a mediator; competition profiles have no roles, so it is written as a party",
                p.name
            );
        }
    }
    if !parts.proposals.is_empty() {
        eprintln!(
            "warning: {} proposal(s) not written; competition formats have no proposals",
            parts.proposals.len()
        );
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = args.scenario.load()?;
    let parts = loaded.scenario.parts();
    let out = &args.output;
    if args.to != Target::Native && is_stdout(out) {
        bail!(
            "-o -: GENIUS and GeniusWeb scenarios are several files (a domain and one profile per party), so they cannot go to standard output; name a folder"
        );
    }
    if args.to != Target::Native {
        warn_unwritten(parts);
    }
    match args.to {
        Target::Native => {
            let json = out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"));
            let text = if json {
                native::to_json_with_forecast(parts, loaded.forecast.as_ref())
            } else {
                native::to_toml_with_forecast(parts, loaded.forecast.as_ref())?
            };
            write(out, &text)?;
            eprintln!(
                "read {}; wrote {} ({})",
                loaded.detected,
                output_name(out),
                if json { "JSON" } else { "TOML" }
            );
        }
        Target::Genius => {
            let files = write_with(parts, args.lossy, genius::write)?;
            folder(out)?;
            let domain = out.join(format!("{}-domain.xml", file_stem(&parts.name)));
            let names: Vec<String> = files.profiles.iter().map(|(n, _)| n.clone()).collect();
            let paths = profile_paths(out, &names, "xml", &domain);
            write(&domain, &files.domain)?;
            for (p, (_, text)) in paths.iter().zip(&files.profiles) {
                write(p, text)?;
            }
            eprintln!(
                "read {}; wrote GENIUS domain {} and profiles {}",
                loaded.detected,
                domain.display(),
                list(&paths)
            );
        }
        Target::Geniusweb => {
            let files = write_with(parts, args.lossy, geniusweb::write)?;
            folder(out)?;
            let domain = out.join(format!("{}.json", file_stem(&parts.name)));
            let names: Vec<String> = files.profiles.iter().map(|(n, _)| n.clone()).collect();
            let paths = profile_paths(out, &names, "json", &domain);
            write(&domain, &files.domain)?;
            for (p, (_, text)) in paths.iter().zip(&files.profiles) {
                write(p, text)?;
            }
            for p in parts.parties.iter() {
                if p.preferences.discount < 1.0 {
                    eprintln!(
                        "warning: party `{}` discounts (δ = {}); GeniusWeb profiles have no discount factor, so it is dropped",
                        p.name, p.preferences.discount
                    );
                }
            }
            eprintln!(
                "read {}; wrote GeniusWeb domain {} and profiles {}",
                loaded.detected,
                domain.display(),
                list(&paths)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
