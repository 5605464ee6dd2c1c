//! `detente convert`: write a scenario in another format.
//!
//! - `--to native`: one file, TOML (or JSON when OUT ends in `.json`).
//! - `--to genius`: a folder (created if needed) holding `<name>-domain.xml`
//!   and one `<party>.xml` profile per party, which `detente analyze OUT`
//!   reads back (parties in file-name order).
//! - `--to geniusweb`: a folder holding `<name>.json` (the domain) and one
//!   `<party>.json` profile per party.
//!
//! Every output is all or nothing. A native file is written atomically. A
//! GENIUS or GeniusWeb folder is written whole into a temporary sibling
//! folder (`.detente-tmp-…`, every file flushed to disk), which is then
//! renamed to OUT: a conversion that fails or is killed midway leaves either
//! no OUT or the previous one, never a folder holding only some of the
//! parties (which would later load as a smaller scenario). On an error the
//! temporary folder is removed; only a process killed outright can leave one
//! behind, and it is safe to delete.
//!
//! An existing OUT that is an empty folder is replaced. A non-empty one is
//! refused unless `--force` is given, because files left in it from an
//! earlier conversion would be read as extra parties; with `--force` the old
//! folder is moved aside, the new one renamed into place, and the old one
//! deleted (if the process dies between the two renames, the old folder is
//! still whole under its `.detente-tmp-…` name).
//!
//! What a format cannot express (red lines in GENIUS, a discount factor in
//! GeniusWeb, ...) is an error naming the party and the reason, except
//! GeniusWeb's missing discount factor, which is reported as a warning.

use crate::args::ScenarioArgs;
use anyhow::{Context, Result, bail};
use detente_core::ScenarioParts;
use detente_formats::{
    TEMP_PREFIX, genius, geniusweb, is_stdout, native, output_name, write_output,
};
use std::io::Write as _;
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
    /// For genius and geniusweb: replace OUT when it is a folder that is not
    /// empty (its old files are deleted, so none is read as an extra party).
    #[arg(long)]
    pub force: bool,
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
            // First keep numeric issues whose values are linear for everyone
            // (an integer issue stays an integer issue, not strings such as
            // "20"); if the format still refuses, tabulate every numeric one.
            let (simpler, notes) = genius::lossy_with(parts, true);
            let (files, notes) = match writer(&simpler) {
                Ok(files) => (files, notes),
                Err(_) => {
                    let (simplest, notes) = genius::lossy_with(parts, false);
                    let files = writer(&simplest).map_err(|e2| {
                        anyhow::anyhow!(
                            "{e2} (even after the --lossy simplifications; first error: {e})"
                        )
                    })?;
                    (files, notes)
                }
            };
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
    let mut s = s.trim().trim_start_matches('.').to_string();
    // File systems refuse names over 255 bytes; leave room for `-N.xml`.
    if s.len() > MAX_STEM {
        let mut end = MAX_STEM;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    if s.is_empty() { "scenario".into() } else { s }
}

/// Longest file stem written, in bytes.
const MAX_STEM: usize = 200;

/// Unique file names for the profiles, none equal to `taken`.
fn profile_names(names: &[String], ext: &str, taken: &str) -> Vec<String> {
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    seen.insert(taken.to_ascii_lowercase());
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names {
        let base = file_stem(n);
        let mut name = format!("{base}.{ext}");
        let mut k = 2;
        // Compared without case: on a case-insensitive file system `A.xml`
        // and `a.xml` would be one file, and a party would vanish.
        while seen.contains(&name.to_ascii_lowercase()) {
            name = format!("{base}-{k}.{ext}");
            k += 1;
        }
        seen.insert(name.to_ascii_lowercase());
        out.push(name);
    }
    out
}

/// A temporary folder beside the output, removed when dropped unless kept.
struct TempFolder {
    path: PathBuf,
    keep: bool,
}

impl TempFolder {
    /// Creates `.detente-tmp-<what>-<pid>-<n>` in `parent`.
    fn new(parent: &Path, what: &str) -> Result<TempFolder> {
        let pid = std::process::id();
        for n in 0..1000u32 {
            let path = parent.join(format!("{TEMP_PREFIX}{what}-{pid}-{n}"));
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(TempFolder { path, keep: false }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => {
                    return Err(anyhow::Error::new(e).context(format!(
                        "creating a temporary folder in {}",
                        parent.display()
                    )));
                }
            }
        }
        bail!(
            "could not create a temporary folder in {}",
            parent.display()
        )
    }
}

impl Drop for TempFolder {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

/// Flushes a folder's entries (new names, renames) to disk; not every
/// platform can open a folder for that, so failure is ignored.
fn sync_folder(path: &Path) {
    if let Ok(f) = std::fs::File::open(path) {
        let _ = f.sync_all();
    }
}

/// Writes `files` (file name, text) as the folder `out`, all or nothing (see
/// the module documentation).
fn write_folder(out: &Path, files: &[(String, &str)], force: bool) -> Result<()> {
    let existing = match std::fs::symlink_metadata(out) {
        Ok(m) => Some(m),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(anyhow::Error::new(e).context(format!("reading {}", out.display()))),
    };
    let replace = match &existing {
        None => false,
        Some(m) if !m.is_dir() => bail!(
            "{} exists and is not a folder; GENIUS and GeniusWeb scenarios are written as a folder",
            out.display()
        ),
        Some(_) => {
            let empty = std::fs::read_dir(out)
                .with_context(|| format!("reading {}", out.display()))?
                .next()
                .is_none();
            if !empty && !force {
                bail!(
                    "{} is a folder that is not empty; its files would be read with the new ones (an old profile as an extra party). Choose a new folder, or use --force to replace it",
                    out.display()
                );
            }
            !empty
        }
    };
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).with_context(|| format!("creating {}", parent.display()))?;
    let stem = out
        .file_name()
        .map_or_else(|| "out".into(), |n| file_stem(&n.to_string_lossy()));
    let tmp = TempFolder::new(&parent, &stem)?;
    for (name, text) in files {
        let path = tmp.path.join(name);
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::File::create(&path)?;
            f.write_all(text.as_bytes())?;
            f.sync_all()
        };
        write().with_context(|| {
            format!(
                "writing {} (nothing was written to {})",
                out.join(name).display(),
                out.display()
            )
        })?;
    }
    sync_folder(&tmp.path);
    let mut tmp = tmp;
    if replace {
        // POSIX rename cannot replace a folder that is not empty: move the
        // old one aside first, then delete it once the new one is in place.
        let old = TempFolder::new(&parent, &format!("{stem}-old"))?;
        std::fs::remove_dir(&old.path)
            .with_context(|| format!("preparing to replace {}", out.display()))?;
        std::fs::rename(out, &old.path)
            .with_context(|| format!("moving the old {} aside", out.display()))?;
        if let Err(e) = std::fs::rename(&tmp.path, out) {
            // Put the old folder back: the user keeps what they had.
            let _ = std::fs::rename(&old.path, out);
            return Err(anyhow::Error::new(e)
                .context(format!("renaming the new folder to {}", out.display())));
        }
        tmp.keep = true;
        drop(old); // deletes the old folder
    } else {
        // Replaces an empty folder, or creates OUT, in one step.
        std::fs::rename(&tmp.path, out)
            .with_context(|| format!("renaming the new folder to {}", out.display()))?;
        tmp.keep = true;
    }
    sync_folder(&parent);
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<()> {
    write_output(path, text.as_bytes()).with_context(|| format!("writing {}", output_name(path)))
}

/// Writes a domain and its profiles as the folder `out`; returns the paths
/// they now have.
fn write_scenario_folder(
    out: &Path,
    force: bool,
    domain_name: &str,
    domain: &str,
    profiles: &[(String, String)],
    ext: &str,
) -> Result<(PathBuf, Vec<PathBuf>)> {
    let party_names: Vec<String> = profiles.iter().map(|(n, _)| n.clone()).collect();
    let names = profile_names(&party_names, ext, domain_name);
    let mut files: Vec<(String, &str)> = vec![(domain_name.to_string(), domain)];
    files.extend(
        names
            .iter()
            .zip(profiles)
            .map(|(n, (_, text))| (n.clone(), text.as_str())),
    );
    write_folder(out, &files, force)?;
    Ok((
        out.join(domain_name),
        names.iter().map(|n| out.join(n)).collect(),
    ))
}

/// Writes a competition format's domain (as `domain_name`) and one profile
/// per party into the folder `--output`, as `--lossy` and `--force` say;
/// `write` gives the domain's text and each party's profile text.
fn write_competition(
    args: &Args,
    parts: &ScenarioParts,
    domain_name: &str,
    ext: &str,
    write: impl Fn(&ScenarioParts) -> Result<CompetitionFiles, detente_formats::FormatError>,
) -> Result<(PathBuf, Vec<PathBuf>)> {
    let (domain, profiles) = write_with(parts, args.lossy, write)?;
    write_scenario_folder(
        &args.output,
        args.force,
        domain_name,
        &domain,
        &profiles,
        ext,
    )
}

/// A competition format's files: the domain's text, and a party name and
/// profile text per party.
type CompetitionFiles = (String, Vec<(String, String)>);

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
            let domain_name = format!("{}-domain.xml", file_stem(&parts.name));
            let (domain, paths) = write_competition(&args, parts, &domain_name, "xml", |p| {
                genius::write(p).map(|f| (f.domain, f.profiles))
            })?;
            eprintln!(
                "read {}; wrote GENIUS domain {} and profiles {}",
                loaded.detected,
                domain.display(),
                list(&paths)
            );
        }
        Target::Geniusweb => {
            let domain_name = format!("{}.json", file_stem(&parts.name));
            let (domain, paths) = write_competition(&args, parts, &domain_name, "json", |p| {
                geniusweb::write(p).map(|f| (f.domain, f.profiles))
            })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn files<'a>(names: &[&str], text: &'a str) -> Vec<(String, &'a str)> {
        names.iter().map(|n| (n.to_string(), text)).collect()
    }

    #[test]
    fn folders_are_written_whole_and_replaced_only_with_force() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_folder(&out, &files(&["d.xml", "a.xml", "b.xml"], "new"), false).unwrap();
        assert_eq!(entries(&out), ["a.xml", "b.xml", "d.xml"]);
        // Not empty: refused without --force, and left as it was.
        let e = write_folder(&out, &files(&["d.xml", "c.xml"], "newer"), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("--force"), "{e}");
        assert_eq!(entries(&out), ["a.xml", "b.xml", "d.xml"]);
        // With --force the old files are gone, not mixed with the new ones.
        write_folder(&out, &files(&["d.xml", "c.xml"], "newer"), true).unwrap();
        assert_eq!(entries(&out), ["c.xml", "d.xml"]);
        assert_eq!(std::fs::read_to_string(out.join("c.xml")).unwrap(), "newer");
        // An empty folder is simply replaced.
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        write_folder(&empty, &files(&["d.xml"], "x"), false).unwrap();
        assert_eq!(entries(&empty), ["d.xml"]);
        assert_eq!(
            entries(tmp.path()),
            ["empty", "out"],
            "temporary folders left"
        );
        // A file where the folder should be is refused.
        let file = tmp.path().join("file");
        std::fs::write(&file, "keep").unwrap();
        assert!(write_folder(&file, &files(&["d.xml"], "x"), true).is_err());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
    }

    #[test]
    fn a_failure_midway_leaves_no_partial_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        // The third file's name is too long for any file system, so writing
        // fails after the domain and the first profile are written.
        let long = format!("{}.xml", "p".repeat(300));
        let names = ["d.xml", "a.xml", long.as_str(), "b.xml"];
        let e = write_folder(&out, &files(&names, "new"), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("nothing was written"), "{e}");
        assert!(!out.exists(), "a partial folder was left");
        assert!(entries(tmp.path()).is_empty(), "{:?}", entries(tmp.path()));
        // With --force over an existing folder, the old one is kept whole.
        write_folder(&out, &files(&["d.xml", "a.xml", "b.xml"], "old"), false).unwrap();
        assert!(write_folder(&out, &files(&names, "new"), true).is_err());
        assert_eq!(entries(&out), ["a.xml", "b.xml", "d.xml"]);
        assert_eq!(std::fs::read_to_string(out.join("a.xml")).unwrap(), "old");
        assert_eq!(entries(tmp.path()), ["out"]);
    }

    #[test]
    fn long_names_are_shortened_to_fit_a_file_system() {
        let long = "é".repeat(300);
        let names = vec![long.clone(), long];
        let files = profile_names(&names, "xml", "d.xml");
        assert!(files.iter().all(|f| f.len() <= 255), "{files:?}");
        assert_ne!(files[0], files[1]);
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let texts: Vec<(String, &str)> = files.iter().map(|f| (f.clone(), "x")).collect();
        write_folder(&out, &texts, false).unwrap();
        assert_eq!(entries(&out).len(), 2);
    }

    #[test]
    fn profile_names_are_unique_without_regard_to_case() {
        let names: Vec<String> = ["A", "a", "d-domain", "x/y"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            profile_names(&names, "xml", "d-domain.xml"),
            ["A.xml", "a-2.xml", "d-domain-2.xml", "x_y.xml"]
        );
    }
}
