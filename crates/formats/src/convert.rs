//! Writing a scenario in a named format, for every front end (`detente
//! convert`, the Python package's `Scenario.write`).
//!
//! - [`Target::Native`]: one file, TOML (or JSON when the path ends in
//!   `.json`), written atomically ([`crate::write_output`]; `-` is standard
//!   output).
//! - [`Target::Genius`]: a folder holding `<name>-domain.xml` and one
//!   `<party>.xml` profile per party, which [`crate::load()`] reads back
//!   (parties in file-name order).
//! - [`Target::GeniusWeb`]: a folder holding `<name>.json` (the domain) and
//!   one `<party>.json` profile per party.
//!
//! A folder is written all or nothing by [`crate::write_folder`]: whole into
//! a temporary sibling folder, then renamed into place; a non-empty folder
//! is replaced only with [`Options::force`].
//!
//! What a format cannot express (red lines in GENIUS, interaction terms,
//! ...) is an error naming the party and the reason, unless
//! [`Options::lossy`] asks for a simplified scenario
//! ([`crate::genius::lossy_with`]); each simplification is then reported as
//! a [`Notice`], as is what the competition formats leave out (roles,
//! proposals, GeniusWeb's discount factors).
//!
//! ```
//! use detente_formats::convert::{Notice, Options, Output, Target, write_scenario};
//! use detente_formats::{LoadOptions, load};
//!
//! let loaded = load("car-sale", &LoadOptions::default()).unwrap();
//! let dir = tempfile::tempdir().unwrap();
//! let out = dir.path().join("car-sale");
//! let options = Options { lossy: true, force: false };
//! let target: Target = "geniusweb".parse().unwrap();
//! let written = write_scenario(loaded.scenario.parts(), None, target, &out, &options).unwrap();
//! // The dealer's red line has no place in GeniusWeb: dropped, and said so.
//! assert!(written.notices.iter().any(|n| matches!(n, Notice::Simplified { .. })));
//! assert!(matches!(written.output, Output::Folder { .. }));
//! assert!(out.join("car-sale.json").exists());
//! ```

use crate::error::FormatError;
use crate::write::{WriteError, file_stem, is_stdout, output_name, write_folder, write_output};
use crate::{genius, geniusweb, native};
use detente_core::{Role, ScenarioParts};
use std::path::{Path, PathBuf};

/// A format a scenario can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// detente's own format: one TOML file, or JSON when the path ends in
    /// `.json`.
    Native,
    /// GENIUS XML: a folder with a domain file and one profile per party.
    Genius,
    /// GeniusWeb JSON: a folder with a domain file and one profile per party.
    GeniusWeb,
}

impl Target {
    /// Every target, in the order front ends list them.
    pub const ALL: [Target; 3] = [Target::Native, Target::Genius, Target::GeniusWeb];

    /// The target's name as front ends spell it: `native`, `genius`,
    /// `geniusweb`.
    pub fn name(self) -> &'static str {
        match self {
            Target::Native => "native",
            Target::Genius => "genius",
            Target::GeniusWeb => "geniusweb",
        }
    }

    /// Whether the target is a folder of files rather than one file.
    pub fn is_folder(self) -> bool {
        self != Target::Native
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Target {
    type Err = ConvertError;

    /// Reads a target's name, without regard to case.
    fn from_str(s: &str) -> Result<Target, ConvertError> {
        Target::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| ConvertError::UnknownTarget {
                name: s.to_string(),
            })
    }
}

/// How to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// When GENIUS or GeniusWeb cannot express the scenario, write a
    /// simplified one (red lines and interaction terms dropped, numeric
    /// issues tabulated as discrete values where the format needs it) and
    /// report each simplification, instead of failing.
    pub lossy: bool,
    /// Replace a target folder that is not empty (its old files are deleted,
    /// so none is read as an extra party).
    pub force: bool,
}

/// Something a front end should tell the user about a conversion.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    /// A mediator is written as a plain party: competition profiles have no
    /// roles.
    MediatorAsParty {
        /// The mediator's name.
        party: String,
    },
    /// The scenario's proposals are not written: competition formats have
    /// none.
    ProposalsDropped {
        /// How many proposals there were.
        count: usize,
    },
    /// A simplification made because of [`Options::lossy`].
    Simplified {
        /// What was changed, as a sentence about the party or issue.
        note: String,
    },
    /// The distributions of uncertain numbers are dropped (with
    /// [`Options::lossy`]): competition formats hold one number each, so the
    /// point values are written.
    UncertaintyDropped {
        /// How many uncertain numbers and rankings there were.
        count: usize,
    },
    /// A discount factor is dropped: GeniusWeb profiles have none.
    DiscountDropped {
        /// The party that discounts.
        party: String,
        /// Its discount factor.
        discount: f64,
    },
}

impl Notice {
    /// Whether this notice is a simplification asked for with
    /// [`Options::lossy`] (a note), rather than a warning about what the
    /// format leaves out.
    pub fn is_simplification(&self) -> bool {
        matches!(self, Notice::Simplified { .. })
    }
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Notice::MediatorAsParty { party } => write!(
                f,
                "party `{party}` is a mediator; competition profiles have no roles, so it is written as a party"
            ),
            Notice::ProposalsDropped { count } => write!(
                f,
                "{count} proposal(s) not written; competition formats have no proposals"
            ),
            Notice::Simplified { note } => f.write_str(note),
            Notice::UncertaintyDropped { count } => write!(
                f,
                "{count} uncertain number(s) written as their point values; competition formats have no distributions"
            ),
            Notice::DiscountDropped { party, discount } => write!(
                f,
                "party `{party}` discounts (δ = {discount}); GeniusWeb profiles have no discount factor, so it is dropped"
            ),
        }
    }
}

/// Where a scenario was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Output {
    /// One native file (or standard output, for `-`).
    File {
        /// The path as given.
        path: PathBuf,
        /// Whether it was written as JSON rather than TOML.
        json: bool,
    },
    /// A GENIUS or GeniusWeb folder.
    Folder {
        /// The domain file's path.
        domain: PathBuf,
        /// The profiles' paths, in party order.
        profiles: Vec<PathBuf>,
    },
}

/// What [`write_scenario`] did.
#[derive(Clone, Debug, PartialEq)]
pub struct Written {
    /// Where the scenario now is.
    pub output: Output,
    /// What the user should be told, in the order it arose.
    pub notices: Vec<Notice>,
}

/// Why a scenario could not be written.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    /// A target name that is not `native`, `genius` or `geniusweb`.
    #[error("unknown format `{name}`; expected native, genius or geniusweb")]
    UnknownTarget {
        /// The name given.
        name: String,
    },
    /// A folder format was asked for on standard output (`-`).
    #[error(
        "-o -: GENIUS and GeniusWeb scenarios are several files (a domain and one profile per party), so they cannot go to standard output; name a folder"
    )]
    FolderToStandardOutput,
    /// The format cannot express the scenario, and [`Options::lossy`] was not
    /// given; the source says what and for which party.
    #[error("use --lossy to simplify what the format cannot express")]
    Inexpressible {
        /// The writer's refusal.
        #[source]
        source: FormatError,
    },
    /// The scenario has uncertain numbers, which competition formats cannot
    /// hold, and [`Options::lossy`] was not given.
    #[error(
        "the scenario has {count} uncertain number(s) (distributions or rankings), which competition formats cannot hold; use --lossy to write their point values"
    )]
    Uncertain {
        /// How many uncertain numbers and rankings there are.
        count: usize,
    },
    /// Even the simplified scenario cannot be written.
    #[error("{last} (even after the --lossy simplifications; first error: {first})")]
    InexpressibleEvenLossy {
        /// Why the scenario as given could not be written.
        first: Box<FormatError>,
        /// Why the most simplified scenario could not be written either.
        last: Box<FormatError>,
    },
    /// The native writer failed (a scenario TOML cannot hold).
    #[error(transparent)]
    Format(#[from] FormatError),
    /// The native file could not be written.
    #[error("writing {name}")]
    WriteFile {
        /// The output as named in messages (`standard output` for `-`).
        name: String,
        /// Why.
        #[source]
        source: WriteError,
    },
    /// The folder could not be written; nothing was (see
    /// [`crate::write_folder`]).
    #[error(transparent)]
    WriteFolder(#[from] WriteError),
}

/// Writes a scenario (with its forecasting model, which only the native
/// format holds) at `out` in the `target` format, as `options` say.
/// Returns where it went and every [`Notice`], in order.
pub fn write_scenario(
    parts: &ScenarioParts,
    forecast: Option<&detente_forecast::Model>,
    target: Target,
    out: &Path,
    options: &Options,
) -> Result<Written, ConvertError> {
    let mut notices = Vec::new();
    let output = write_scenario_with(parts, forecast, target, out, options, &mut |n| {
        notices.push(n.clone())
    })?;
    Ok(Written { output, notices })
}

/// [`write_scenario`], handing each notice to `on_notice` as it arises, so
/// that a front end can show it even when a later step fails (the warnings
/// about what a format leaves out come before the writer runs, the
/// simplifications once it succeeds, the dropped discount factors once the
/// folder is written).
pub fn write_scenario_with(
    parts: &ScenarioParts,
    forecast: Option<&detente_forecast::Model>,
    target: Target,
    out: &Path,
    options: &Options,
    on_notice: &mut dyn FnMut(&Notice),
) -> Result<Output, ConvertError> {
    if target.is_folder() && is_stdout(out) {
        return Err(ConvertError::FolderToStandardOutput);
    }
    // Competition formats hold point values only; the lossy simplifications
    // then work on a scenario without distributions.
    let certain;
    let parts = if target.is_folder() && !parts.uncertain.is_empty() {
        let count = parts.uncertain.len();
        if !options.lossy {
            return Err(ConvertError::Uncertain { count });
        }
        on_notice(&Notice::UncertaintyDropped { count });
        certain = ScenarioParts {
            uncertain: Vec::new(),
            ..parts.clone()
        };
        &certain
    } else {
        parts
    };
    match target {
        Target::Native => write_native(parts, forecast, out),
        Target::Genius => {
            unwritten_notices(parts).iter().for_each(&mut *on_notice);
            let (domain, profiles) = with_lossy(parts, options.lossy, on_notice, |p| {
                genius::write(p).map(|f| (f.domain, f.profiles))
            })?;
            let domain_name = format!("{}-domain.xml", file_stem(&parts.name));
            write_competition(out, options.force, &domain_name, &domain, &profiles, "xml")
        }
        Target::GeniusWeb => {
            unwritten_notices(parts).iter().for_each(&mut *on_notice);
            let (domain, profiles) = with_lossy(parts, options.lossy, on_notice, |p| {
                geniusweb::write(p).map(|f| (f.domain, f.profiles))
            })?;
            let domain_name = format!("{}.json", file_stem(&parts.name));
            let output =
                write_competition(out, options.force, &domain_name, &domain, &profiles, "json")?;
            for p in &parts.parties {
                if p.preferences.discount < 1.0 {
                    on_notice(&Notice::DiscountDropped {
                        party: p.name.clone(),
                        discount: p.preferences.discount,
                    });
                }
            }
            Ok(output)
        }
    }
}

/// One native file, TOML or JSON as the path's extension says.
fn write_native(
    parts: &ScenarioParts,
    forecast: Option<&detente_forecast::Model>,
    out: &Path,
) -> Result<Output, ConvertError> {
    let json = out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    let text = if json {
        native::to_json_with_forecast(parts, forecast)
    } else {
        native::to_toml_with_forecast(parts, forecast)?
    };
    write_output(out, text.as_bytes()).map_err(|source| ConvertError::WriteFile {
        name: output_name(out),
        source,
    })?;
    Ok(Output::File {
        path: out.to_path_buf(),
        json,
    })
}

/// What GENIUS and GeniusWeb files have no place for.
fn unwritten_notices(parts: &ScenarioParts) -> Vec<Notice> {
    let mut notices: Vec<Notice> = parts
        .parties
        .iter()
        .filter(|p| p.role == Role::Mediator)
        .map(|p| Notice::MediatorAsParty {
            party: p.name.clone(),
        })
        .collect();
    if !parts.proposals.is_empty() {
        notices.push(Notice::ProposalsDropped {
            count: parts.proposals.len(),
        });
    }
    notices
}

/// A competition format's files: the domain's text, and a party name and
/// profile text per party.
type CompetitionFiles = (String, Vec<(String, String)>);

/// Runs a writer; with `lossy`, retries on a simplified scenario and
/// reports what was simplified.
fn with_lossy(
    parts: &ScenarioParts,
    lossy: bool,
    on_notice: &mut dyn FnMut(&Notice),
    writer: impl Fn(&ScenarioParts) -> Result<CompetitionFiles, FormatError>,
) -> Result<CompetitionFiles, ConvertError> {
    let first = match writer(parts) {
        Ok(files) => return Ok(files),
        Err(source) if !lossy => return Err(ConvertError::Inexpressible { source }),
        Err(e) => e,
    };
    // First keep numeric issues whose values are linear for everyone (an
    // integer issue stays an integer issue, not strings such as "20"); if
    // the format still refuses, tabulate every numeric one.
    let (simpler, notes) = genius::lossy_with(parts, true);
    let (files, notes) = match writer(&simpler) {
        Ok(files) => (files, notes),
        Err(_) => {
            let (simplest, notes) = genius::lossy_with(parts, false);
            let files = writer(&simplest).map_err(|last| ConvertError::InexpressibleEvenLossy {
                first: Box::new(first),
                last: Box::new(last),
            })?;
            (files, notes)
        }
    };
    for note in notes {
        on_notice(&Notice::Simplified { note });
    }
    Ok(files)
}

/// Writes a domain (as `domain_name`) and its profiles as the folder `out`.
fn write_competition(
    out: &Path,
    force: bool,
    domain_name: &str,
    domain: &str,
    profiles: &[(String, String)],
    ext: &str,
) -> Result<Output, ConvertError> {
    let party_names: Vec<&str> = profiles.iter().map(|(n, _)| n.as_str()).collect();
    let names = profile_names(&party_names, ext, domain_name);
    let mut files: Vec<(&str, &str)> = vec![(domain_name, domain)];
    files.extend(
        names
            .iter()
            .zip(profiles)
            .map(|(n, (_, text))| (n.as_str(), text.as_str())),
    );
    let mut paths = write_folder(out, &files, force)?.into_iter();
    let domain = paths.next().unwrap_or_else(|| out.join(domain_name));
    Ok(Output::Folder {
        domain,
        profiles: paths.collect(),
    })
}

/// Unique file names for the profiles, none equal to `taken`.
fn profile_names(names: &[&str], ext: &str, taken: &str) -> Vec<String> {
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

    #[test]
    fn long_names_are_shortened_to_fit_a_file_system() {
        let long = "é".repeat(300);
        let files = profile_names(&[long.as_str(), long.as_str()], "xml", "d.xml");
        assert!(files.iter().all(|f| f.len() <= 255), "{files:?}");
        assert_ne!(files[0], files[1]);
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let texts: Vec<(&str, &str)> = files.iter().map(|f| (f.as_str(), "x")).collect();
        write_folder(&out, &texts, false).unwrap();
        assert_eq!(entries(&out).len(), 2);
    }

    #[test]
    fn profile_names_are_unique_without_regard_to_case() {
        assert_eq!(
            profile_names(&["A", "a", "d-domain", "x/y"], "xml", "d-domain.xml"),
            ["A.xml", "a-2.xml", "d-domain-2.xml", "x_y.xml"]
        );
    }

    #[test]
    fn targets_are_named_as_front_ends_spell_them() {
        for t in Target::ALL {
            assert_eq!(t.name().parse::<Target>().unwrap(), t);
        }
        assert_eq!("GeniusWeb".parse::<Target>().unwrap(), Target::GeniusWeb);
        let e = "xml".parse::<Target>().unwrap_err().to_string();
        assert!(e.contains("native, genius or geniusweb"), "{e}");
    }

    /// The front ends' whole job in one call: a lossy GeniusWeb folder, the
    /// simplifications and warnings in the order they arose, and what was
    /// written read back.
    #[test]
    fn a_lossy_conversion_reports_its_notices_in_order() {
        let loaded = crate::load("car-sale", &crate::LoadOptions::default()).unwrap();
        let parts = loaded.scenario.parts();
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("gw");
        let strict = write_scenario(parts, None, Target::GeniusWeb, &out, &Options::default());
        assert!(
            matches!(strict, Err(ConvertError::Inexpressible { .. })),
            "{strict:?}"
        );
        assert!(!out.exists());
        let options = Options {
            lossy: true,
            force: false,
        };
        let written = write_scenario(parts, None, Target::GeniusWeb, &out, &options).unwrap();
        let shown: Vec<String> = written.notices.iter().map(ToString::to_string).collect();
        assert_eq!(
            shown,
            [
                "1 proposal(s) not written; competition formats have no proposals",
                "party `dealer`: 1 red line(s) dropped",
                "issue `price`: written as 7 discrete values",
            ]
        );
        assert!(!written.notices[0].is_simplification());
        assert!(written.notices[1].is_simplification());
        let Output::Folder { domain, profiles } = &written.output else {
            panic!("{:?}", written.output);
        };
        assert_eq!(domain, &out.join("car-sale.json"));
        assert_eq!(profiles, &[out.join("buyer.json"), out.join("dealer.json")]);
        let back = crate::load(&out.display().to_string(), &crate::LoadOptions::default());
        assert_eq!(back.unwrap().scenario.parties().len(), 2);
        // A second write over the folder needs force.
        let again = write_scenario(parts, None, Target::GeniusWeb, &out, &options);
        assert!(
            matches!(
                again,
                Err(ConvertError::WriteFolder(WriteError::FolderNotEmpty { .. }))
            ),
            "{again:?}"
        );
        let e = write_scenario(parts, None, Target::Genius, Path::new("-"), &options);
        assert!(
            matches!(e, Err(ConvertError::FolderToStandardOutput)),
            "{e:?}"
        );
    }
}
