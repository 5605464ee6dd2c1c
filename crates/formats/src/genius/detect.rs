//! Finding GENIUS and GeniusWeb scenarios in files and folders.
//!
//! Rules (also in `docs/formats.md`):
//!
//! - **A GENIUS domain file** (`<negotiation_template>`) is paired with the
//!   profiles named by `--profile` (paths, or names in the domain's folder);
//!   without them, with the domain's default profiles in its folder.
//! - **A folder**: its `.xml` files are classified by content (domain,
//!   profile, UNCERTAIN profile, or other, such as ANAC 2014's `pareto.xml`).
//!   A file is left out only when it is clearly something else (not markup,
//!   or XML with another root and no `<objective>`/`<issue>`); one that
//!   claims to be a GENIUS domain or profile but does not parse (a flipped
//!   bit, a truncated copy, an empty file) is an error naming the file, line
//!   and reason whenever it may belong to the domain being loaded, never a
//!   party silently missing (see `genius::classify_checked`). The same holds
//!   for `.json` files in a GeniusWeb folder (`geniusweb::classify_checked`).
//!   With several domains (ANAC 2012's `X-A-domain.xml`, `X-B-domain.xml`,
//!   ...), `--variant` picks one: the part of the domain's name that differs
//!   between them (`A`), its full name (`Laptop-A`) or its file name; a
//!   profile belongs to the domain whose name (without `domain`) is the
//!   longest prefix of the profile's file name.
//! - **Default profiles** of a domain: every profile of its folder that
//!   belongs to it and is not `type="UNCERTAIN"` (the ANAC 2019 elicitation
//!   variants `England10.xml`, `Amsterdam_A100.xml`, ... repeat a base
//!   profile's utility), in file-name order. This gives exactly the pairs of
//!   `reference-values.json`. `--profile` overrides it (names or paths).
//! - **A GeniusWeb folder**: `.json` files with `issuesValues` are domains,
//!   type-tagged objects are profiles; all profiles, in file-name order.
//! - **A GeniusWeb domain or profile file**: paired with `--profile` files,
//!   else with the profiles of its folder.

use super::{FileKind, read_domain, scenario as genius_scenario};
use crate::error::{FormatError, Location};
use crate::geniusweb;
use crate::input::{LoadOptions, Loaded, extension as ext};
use std::path::{Path, PathBuf};

fn names(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The files of a folder, sorted by name.
fn files(dir: &Path) -> Result<Vec<PathBuf>, FormatError> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| FormatError::io(dir, e))? {
        let entry = entry.map_err(|e| FormatError::io(dir, e))?;
        let p = entry.path();
        if p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

/// The GENIUS files of a folder, classified.
struct GeniusFolder {
    domains: Vec<PathBuf>,
    /// Profiles with whether they are UNCERTAIN.
    profiles: Vec<(PathBuf, bool)>,
    /// Files that claim to be GENIUS domains or profiles but cannot be parsed
    /// (see [`super::classify_checked`]), with why. Loading a domain that
    /// such a file may belong to is an error, never a silent omission.
    broken: Vec<(PathBuf, Location, String)>,
}

fn scan_genius(dir: &Path) -> Result<GeniusFolder, FormatError> {
    let mut f = GeniusFolder {
        domains: vec![],
        profiles: vec![],
        broken: vec![],
    };
    for p in files(dir)? {
        if ext(&p) != "xml" {
            continue;
        }
        let bytes = crate::input::read_input(&p)?;
        match super::classify_checked(&super::xml::decode(&bytes), &p.display().to_string()) {
            Ok(FileKind::Domain) => f.domains.push(p),
            Ok(FileKind::Profile { uncertain }) => f.profiles.push((p, uncertain)),
            Ok(FileKind::Other) => {}
            Err(FormatError::At { at, message }) => f.broken.push((p, at, message)),
            Err(e) => {
                let message = e.to_string();
                f.broken
                    .push((p.clone(), Location::file(&p.display().to_string()), message));
            }
        }
    }
    Ok(f)
}

/// The first unreadable file that may belong to `domain`: with one domain in
/// the folder every such file may; with several (ANAC 2012 variants), those
/// whose name starts with this domain's prefix (the longest matching one) or
/// with no domain's prefix at all.
fn broken_for(folder: &GeniusFolder, domain: &Path) -> Option<FormatError> {
    let prefixes: Vec<String> = folder.domains.iter().map(|d| domain_prefix(d)).collect();
    let mine = domain_prefix(domain);
    folder
        .broken
        .iter()
        .find(|(p, _, _)| {
            folder.domains.len() <= 1 || owner(&prefixes, p).is_none_or(|b| *b == mine)
        })
        .map(|(_, at, message)| FormatError::at(at.clone(), message.clone()))
}

/// The prefix a domain's profiles start with: its file stem without a
/// trailing `domain` (ANAC 2012: `Laptop-A-domain` → `Laptop-A-`).
fn domain_prefix(domain: &Path) -> String {
    let s = stem(domain);
    let lower = s.to_ascii_lowercase();
    match lower.strip_suffix("domain") {
        Some(rest) => s[..rest.len()].to_string(),
        None => s,
    }
}

/// The domain prefix a file belongs to: the longest of `prefixes` its stem
/// starts with (`Laptop-A-` rather than `Laptop-`), or `None`.
fn owner<'a>(prefixes: &'a [String], file: &Path) -> Option<&'a String> {
    let s = stem(file);
    prefixes
        .iter()
        .filter(|pre| !pre.is_empty() && s.starts_with(pre.as_str()))
        .max_by_key(|pre| pre.len())
}

/// The profiles of `folder` that belong to `domain` among `domains`.
fn belonging(folder: &GeniusFolder, domain: &Path) -> Vec<(PathBuf, bool)> {
    if folder.domains.len() <= 1 {
        return folder.profiles.clone();
    }
    let prefixes: Vec<String> = folder.domains.iter().map(|d| domain_prefix(d)).collect();
    let mine = domain_prefix(domain);
    folder
        .profiles
        .iter()
        .filter(|(p, _)| owner(&prefixes, p).is_some_and(|b| *b == mine))
        .cloned()
        .collect()
}

/// Variant labels: each domain's name without the prefix and suffix all
/// domain names share.
fn variant_labels(domains: &[PathBuf]) -> Vec<String> {
    let names: Vec<String> = domains
        .iter()
        .map(|d| super::domain_name(&d.display().to_string()))
        .collect();
    if names.len() < 2 {
        return names;
    }
    let common_prefix = names.iter().skip(1).fold(names[0].len(), |n, s| {
        names[0]
            .char_indices()
            .zip(s.chars())
            .take_while(|((_, a), b)| a == b)
            .count()
            .min(n)
    });
    let labels: Vec<String> = names
        .iter()
        .map(|n| {
            let rest: String = n.chars().skip(common_prefix).collect();
            let rest = rest.trim_matches(['-', '_', ' ']).to_string();
            if rest.is_empty() { n.clone() } else { rest }
        })
        .collect();
    labels
}

/// Resolves `--profile` names: a bare file name beside the domain first,
/// then as given; a path as given first, then relative to `dir`.
fn resolve(dir: &Path, names: &[String]) -> Result<Vec<PathBuf>, FormatError> {
    names
        .iter()
        .map(|n| {
            let p = PathBuf::from(n);
            let q = dir.join(n);
            let bare = p.components().count() == 1;
            let order = if bare { [&q, &p] } else { [&p, &q] };
            if let Some(found) = order.into_iter().find(|c| c.is_file()) {
                return Ok(found.clone());
            }
            Err(FormatError::unusable(
                n,
                format!(
                    "no such profile file (looked for it as given and in {})",
                    dir.display()
                ),
            ))
        })
        .collect()
}

fn read_all(paths: &[PathBuf]) -> Result<Vec<(Vec<u8>, String)>, FormatError> {
    paths
        .iter()
        .map(|p| crate::input::read_input(p).map(|b| (b, p.display().to_string())))
        .collect()
}

/// A GENIUS domain with the given profiles (or its default ones).
fn genius_domain(
    domain_path: &Path,
    folder: &GeniusFolder,
    options: &LoadOptions,
    variant_note: &str,
) -> Result<Loaded, FormatError> {
    let dir = domain_path.parent().unwrap_or(Path::new("."));
    let bytes = crate::input::read_input(domain_path)?;
    let domain = read_domain(&bytes, &domain_path.display().to_string())?;
    let mine = belonging(folder, domain_path);
    let (profiles, note) = if options.profiles.is_empty() {
        // A damaged profile must not turn a two-party scenario into a
        // one-party one: it is an error naming the file.
        if let Some(e) = broken_for(folder, domain_path) {
            return Err(e);
        }
        let base: Vec<PathBuf> = mine
            .iter()
            .filter(|(_, u)| !u)
            .map(|(p, _)| p.clone())
            .collect();
        let skipped: Vec<PathBuf> = mine
            .iter()
            .filter(|(_, u)| *u)
            .map(|(p, _)| p.clone())
            .collect();
        if base.is_empty() {
            return Err(FormatError::unusable(
                domain_path.display(),
                if skipped.is_empty() {
                    "no profiles found for this GENIUS domain; name them with --profile".to_string()
                } else {
                    format!(
                        "only UNCERTAIN profiles found for this GENIUS domain ({}); choose them with --profile",
                        names(&skipped)
                    )
                },
            ));
        }
        let note = if skipped.is_empty() {
            String::new()
        } else {
            format!(
                " (not the UNCERTAIN variants {}; choose profiles with --profile)",
                names(&skipped)
            )
        };
        (base, note)
    } else {
        (resolve(dir, &options.profiles)?, String::new())
    };
    let scenario = genius_scenario(&domain, &read_all(&profiles)?)?;
    Ok(Loaded {
        detected: format!(
            "GENIUS domain {}{variant_note} with profiles {}{note}",
            domain.name,
            names(&profiles)
        ),
        scenario,
        forecast: None,
    })
}

/// Loads a GENIUS `.xml` file named directly.
pub(crate) fn load_xml_file(path: &Path, options: &LoadOptions) -> Result<Loaded, FormatError> {
    let bytes = crate::input::read_input(path)?;
    match super::classify(&super::xml::decode(&bytes)) {
        FileKind::Domain => {
            let dir = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let folder = if options.profiles.is_empty() {
                scan_genius(dir)?
            } else {
                GeniusFolder {
                    domains: vec![path.to_path_buf()],
                    profiles: vec![],
                    broken: vec![],
                }
            };
            genius_domain(path, &folder, options, "")
        }
        FileKind::Profile { .. } => Err(FormatError::unusable(
            path.display(),
            "this is a GENIUS profile, not a domain; name the domain file (with --profile for the profiles) or the folder",
        )),
        FileKind::Other => {
            // Let the domain reader say what is wrong, with a position.
            read_domain(&bytes, &path.display().to_string())?;
            Err(FormatError::unusable(
                path.display(),
                "not a GENIUS domain or profile",
            ))
        }
    }
}

/// Loads a GeniusWeb `.json` domain or profile named directly.
pub(crate) fn load_geniusweb_file(
    path: &Path,
    text: &str,
    options: &LoadOptions,
) -> Result<Loaded, FormatError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let kind = geniusweb::classify(text);
    let (domain, profiles) = match kind {
        geniusweb::FileKind::Domain => {
            let profiles = if options.profiles.is_empty() {
                geniusweb_folder(dir)?.1
            } else {
                resolve(dir, &options.profiles)?
            };
            (Some(path.to_path_buf()), profiles)
        }
        geniusweb::FileKind::Profile => {
            let mut ps = vec![path.to_path_buf()];
            ps.extend(resolve(dir, &options.profiles)?);
            (None, ps)
        }
        geniusweb::FileKind::Other => {
            return Err(FormatError::unusable(
                path.display(),
                "this JSON file is neither a detente scenario (it has no `issues` and `parties`) nor a GeniusWeb domain (`issuesValues`) or profile (`LinearAdditiveUtilitySpace`)",
            ));
        }
    };
    let refs: Vec<&Path> = profiles.iter().map(PathBuf::as_path).collect();
    let scenario = geniusweb::read_files(domain.as_deref(), &refs)?;
    Ok(Loaded {
        detected: format!(
            "GeniusWeb {}{} with profiles {}",
            if domain.is_some() {
                "domain "
            } else {
                "profile's domain "
            },
            scenario.name(),
            names(&profiles)
        ),
        scenario,
        forecast: None,
    })
}

/// The GeniusWeb domain files and profile files of a folder.
fn geniusweb_folder(dir: &Path) -> Result<(Vec<PathBuf>, Vec<PathBuf>), FormatError> {
    let mut domains = vec![];
    let mut profiles = vec![];
    for p in files(dir)? {
        if ext(&p) != "json" {
            continue;
        }
        let bytes = crate::input::read_input(&p)?;
        // Not UTF-8: JSON cannot be, but a damaged profile can; decide by
        // what the readable part claims.
        let text = String::from_utf8_lossy(&bytes);
        let kind = geniusweb::classify_checked(&text, &p.display().to_string())?;
        if std::str::from_utf8(&bytes).is_err() && kind != geniusweb::FileKind::Other {
            return Err(FormatError::unusable(
                p.display(),
                "a GeniusWeb domain or profile that is not UTF-8 text",
            ));
        }
        match kind {
            geniusweb::FileKind::Domain => domains.push(p),
            geniusweb::FileKind::Profile => profiles.push(p),
            geniusweb::FileKind::Other => {}
        }
    }
    Ok((domains, profiles))
}

fn pick_variant<'a>(
    dir: &Path,
    domains: &'a [PathBuf],
    options: &LoadOptions,
) -> Result<(&'a PathBuf, String), FormatError> {
    if domains.len() == 1 {
        return Ok((&domains[0], String::new()));
    }
    let labels = variant_labels(domains);
    let Some(want) = options.variant.as_deref() else {
        return Err(FormatError::unusable(
            dir.display(),
            format!(
                "this folder holds {} scenario variants; choose one with --variant: {}",
                domains.len(),
                labels.join(", ")
            ),
        ));
    };
    let found = domains.iter().zip(&labels).find(|(d, label)| {
        label.eq_ignore_ascii_case(want)
            || super::domain_name(&d.display().to_string()).eq_ignore_ascii_case(want)
            || d.file_name()
                .is_some_and(|n| n.to_string_lossy().eq_ignore_ascii_case(want))
            || stem(d).eq_ignore_ascii_case(want)
    });
    match found {
        Some((d, label)) => Ok((d, format!(" (variant {label} of {})", labels.join(", ")))),
        None => Err(FormatError::unusable(
            dir.display(),
            format!(
                "no variant `{want}` here; the variants are {}",
                labels.join(", ")
            ),
        )),
    }
}

/// Loads a folder holding a GENIUS or GeniusWeb scenario.
pub(crate) fn load_folder(dir: &Path, options: &LoadOptions) -> Result<Loaded, FormatError> {
    let g = scan_genius(dir)?;
    if !g.domains.is_empty() {
        // Profiles named without a variant choose their own domain.
        if g.domains.len() > 1
            && options.variant.is_none()
            && let Some(first) = options.profiles.first()
        {
            let s = stem(Path::new(first));
            let owner = g
                .domains
                .iter()
                .map(|d| (d, domain_prefix(d)))
                .filter(|(_, pre)| !pre.is_empty() && s.starts_with(pre.as_str()))
                .max_by_key(|(_, pre)| pre.len());
            if let Some((d, _)) = owner {
                return genius_domain(d, &g, options, "");
            }
        }
        let (domain, note) = pick_variant(dir, &g.domains, options)?;
        return genius_domain(domain, &g, options, &note);
    }
    let (domains, mut profiles) = geniusweb_folder(dir)?;
    if !domains.is_empty() || !profiles.is_empty() {
        let (domain, note) = if domains.is_empty() {
            (None, String::new())
        } else {
            let (d, note) = pick_variant(dir, &domains, options)?;
            (Some(d.clone()), note)
        };
        if !options.profiles.is_empty() {
            profiles = resolve(dir, &options.profiles)?;
        }
        if profiles.is_empty() {
            return Err(FormatError::unusable(
                dir.display(),
                "a GeniusWeb domain without profiles; add profile files or name them with --profile",
            ));
        }
        let refs: Vec<&Path> = profiles.iter().map(PathBuf::as_path).collect();
        let scenario = geniusweb::read_files(domain.as_deref(), &refs)?;
        return Ok(Loaded {
            detected: format!(
                "GeniusWeb domain {}{note} with profiles {}",
                scenario.name(),
                names(&profiles)
            ),
            scenario,
            forecast: None,
        });
    }
    // A damaged domain file leaves its profiles without a domain: say which
    // file is damaged rather than that there is no domain.
    if let Some((_, at, message)) = g.broken.first() {
        return Err(FormatError::at(at.clone(), message.clone()));
    }
    if !g.profiles.is_empty() {
        return Err(FormatError::unusable(
            dir.display(),
            format!(
                "GENIUS profiles ({}) but no domain file (an XML file wrapped in <negotiation_template>)",
                names(
                    &g.profiles
                        .iter()
                        .map(|(p, _)| p.clone())
                        .collect::<Vec<_>>()
                )
            ),
        ));
    }
    Err(FormatError::unusable(
        dir.display(),
        "no scenario in this folder: expected a GENIUS domain (.xml) with profiles, or a GeniusWeb domain and profiles (.json); a detente scenario is a single .toml or .json file",
    ))
}

#[cfg(test)]
mod tests {
    use crate::{LoadOptions, load};
    use std::path::Path;

    const DOMAIN: &str = r#"<negotiation_template><utility_space><objective index="0" name="d">
        <issue index="1" name="colour" type="discrete"><item index="1" value="red"/><item index="2" value="blue"/></issue>
        </objective></utility_space></negotiation_template>"#;

    fn profile(red: f64, blue: f64, ty: &str) -> String {
        format!(
            r#"<utility_space{ty}><objective index="0" name="d">
            <issue index="1" name="colour" type="discrete">
            <item index="1" value="red" evaluation="{red}"/><item index="2" value="blue" evaluation="{blue}"/></issue>
            <weight index="1" value="1"/></objective></utility_space>"#
        )
    }

    fn put(dir: &Path, name: &str, text: &str) {
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn variants_uncertain_profiles_and_explicit_profiles() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        for v in ["A", "B"] {
            put(dir, &format!("Shop-{v}-domain.xml"), DOMAIN);
            put(dir, &format!("Shop-{v}-prof1.xml"), &profile(1.0, 0.0, ""));
            put(dir, &format!("Shop-{v}-prof2.xml"), &profile(0.0, 2.0, ""));
        }
        put(
            dir,
            "Shop-A-prof1u.xml",
            &profile(1.0, 0.5, " type=\"UNCERTAIN\""),
        );
        put(dir, "pareto.xml", "0.5, 0.5\n");
        let d = dir.display().to_string();
        let e = load(&d, &LoadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("--variant: A, B"), "{e}");
        let e = load(
            &d,
            &LoadOptions {
                variant: Some("C".into()),
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("no variant `C`"), "{e}");
        let a = load(
            &d,
            &LoadOptions {
                variant: Some("a".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(a.scenario.parties().len(), 2);
        assert!(a.detected.contains("variant A"), "{}", a.detected);
        assert!(a.detected.contains("Shop-A-prof1u.xml"), "{}", a.detected);
        // Explicit profiles pick their variant and may be UNCERTAIN.
        let u = load(
            &d,
            &LoadOptions {
                profiles: vec!["Shop-A-prof1u.xml".into(), "Shop-A-prof2.xml".into()],
                ..Default::default()
            },
        )
        .unwrap();
        assert!(u.scenario.parties()[0].description.contains("UNCERTAIN"));
        // A domain file named directly pairs with its own variant's profiles.
        let b = load(
            &dir.join("Shop-B-domain.xml").display().to_string(),
            &LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(b.scenario.parties()[0].name, "Shop-B-prof1");
        // A profile named directly is not a scenario.
        let e = load(
            &dir.join("Shop-B-prof1.xml").display().to_string(),
            &LoadOptions::default(),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("profile, not a domain"), "{e}");
    }

    #[test]
    fn geniusweb_folder_and_empty_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let d = dir.display().to_string();
        let e = load(&d, &LoadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("no scenario in this folder"), "{e}");
        let domain = r#"{"name": "shop", "issuesValues": {"colour": {"values": ["red", "blue"]}}}"#;
        put(dir, "shop.json", domain);
        let e = load(&d, &LoadOptions::default()).unwrap_err().to_string();
        assert!(e.contains("without profiles"), "{e}");
        for (name, red) in [("a", 1.0), ("b", 0.0)] {
            let p = format!(
                r#"{{"LinearAdditiveUtilitySpace": {{"name": "{name}", "domain": {domain},
                "issueUtilities": {{"colour": {{"DiscreteValueSetUtilities": {{"valueUtilities": {{"red": {red}, "blue": {}}}}}}}}},
                "issueWeights": {{"colour": 1}}}}}}"#,
                1.0 - red
            );
            put(dir, &format!("{name}.json"), &p);
        }
        let l = load(&d, &LoadOptions::default()).unwrap();
        assert_eq!(l.scenario.parties().len(), 2);
        assert!(
            l.detected.starts_with("GeniusWeb domain shop"),
            "{}",
            l.detected
        );
        let one = load(
            &dir.join("a.json").display().to_string(),
            &LoadOptions::default(),
        )
        .unwrap();
        assert_eq!(one.scenario.parties().len(), 1);
    }
}
