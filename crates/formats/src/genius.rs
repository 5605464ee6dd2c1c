//! GENIUS XML: domain files and utility-space (profile) files, read with
//! GENIUS 10.4's exact semantics, and written back.
//!
//! How GENIUS's model maps onto detente's (see `docs/formats.md`):
//!
//! - discrete issues become categorical issues (options in item order),
//!   integer issues integer issues, and real issues continuous issues on a
//!   grid of 21 points (`step = (upper − lower) / 20`, the 21 points GENIUS
//!   itself draws random bids from; GENIUS has no grid of its own);
//! - a linear-additive profile becomes an additive utility with the weights
//!   **as read** (GENIUS does not renormalise them), each discrete issue's
//!   evaluations divided by that issue's largest evaluation (all zero when
//!   that maximum is below 1e-5), each integer evaluator tabulated exactly as
//!   GENIUS computes it, each real evaluator as a piecewise-linear function,
//!   and [`Normalisation::CappedAtOne`]: the utility is `min(1, Σ w·e)`
//!   summed in issue order, bit-identical to GENIUS;
//! - an ANAC 2014 `nonlinear` profile becomes
//!   [`UtilityModel::HyperRectangles`] (box bounds as value indices);
//! - an ANAC 2019 `UNCERTAIN` profile gives its true utility; its elicitation
//!   settings are kept in the party description (see [`UNCERTAIN_PREFIX`]),
//!   which the writer turns back into the same elements;
//! - `discount_factor`: δ ≤ 0, δ > 1 or not a number means 1 (no
//!   discounting), as in GENIUS; `reservation` defaults to 0.
//!
//! The XML reader is hand-written (module `xml`) because real ANAC files are
//! not well-formed XML and GENIUS's own parser is lenient.

mod attrs;
pub(crate) mod detect;
mod domain;
mod profile;
mod write;
pub mod xml;

pub use write::{GeniusFiles, lossy, lossy_with, write};
pub(crate) use write::{Inexpressible, per_issue_terms, unwritable};

use crate::error::{FormatError, Location};
use detente_core::{
    HyperRectangle, Issue, IssueId, IssueKind, Normalisation, Party, Preferences, Role, Scenario,
    ScenarioParts, UtilityModel, ValueFunction,
};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use xml::Element;

use attrs::*;
pub use domain::{domain_name, read_domain};
pub use profile::read_profile;

/// Number of grid points of a real (continuous) GENIUS issue.
pub const REAL_GRID_POINTS: u32 = 21;

/// Start of the party description that carries an `UNCERTAIN` profile's
/// elicitation settings, e.g. `GENIUS UNCERTAIN profile: comparisons=50,
/// errors=0, elicitation_cost=0, fixed_seed=true, experimental=false`.
pub const UNCERTAIN_PREFIX: &str = "GENIUS UNCERTAIN profile:";

/// The elements of an `UNCERTAIN` profile besides the true utility, and
/// GENIUS's defaults for them.
pub const UNCERTAIN_EXTRAS: [(&str, &str); 5] = [
    ("comparisons", "10"),
    ("errors", "10"),
    ("elicitation_cost", "0"),
    ("fixed_seed", "true"),
    ("experimental", "false"),
];

/// A GENIUS domain: its issues in GENIUS's order, with their GENIUS indices.
#[derive(Clone, Debug)]
pub struct Domain {
    /// The scenario name: the file name without `.xml` and a trailing
    /// `-domain`/`_domain`.
    pub name: String,
    /// The domain file's path as given, for error positions and to find profiles beside it.
    pub file: String,
    /// The issues as scenario issues, in GENIUS's order.
    pub issues: Vec<Issue>,
    /// The `index` attribute of each issue (bids and profiles refer to issues
    /// by it).
    pub indices: Vec<i64>,
    /// Byte offsets of the issues' elements (for error positions).
    offsets: Vec<usize>,
    text: String,
}

/// What a GENIUS XML file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A domain: the issues and their values.
    Domain,
    /// A profile; `uncertain` for ANAC 2019 `UNCERTAIN` ones.
    Profile {
        /// Whether the profile is an ANAC 2019 `UNCERTAIN` one, whose preferences the agent
        /// only partly sees.
        uncertain: bool,
    },
    /// Not a GENIUS domain or profile (or not XML at all).
    Other,
}

/// Classifies GENIUS XML text without building anything: a domain is wrapped
/// in `<negotiation_template>`, or is a `<utility_space>` with no weights,
/// evaluations or utility boxes; any other `<utility_space>` is a profile.
pub fn classify(text: &str) -> FileKind {
    match xml::parse(text, "") {
        Ok(root) => classify_root(&root),
        Err(_) => FileKind::Other,
    }
}

/// Classifies GENIUS XML text as [`classify`] does, but a file that claims to
/// be GENIUS and cannot be parsed is an error (with its line, column and
/// reason) instead of [`FileKind::Other`], so that a damaged profile is never
/// silently left out of its folder.
///
/// What a file claims to be is decided before parsing it:
///
/// - it claims to be GENIUS when its root element is `<utility_space>` or
///   `<negotiation_template>` (any case), or when it holds an `<objective`
///   or `<issue` tag anywhere (a damaged root name still leaves these), or
///   when it is empty or stops inside its prolog (a file cut short);
/// - it is clearly something else when it is not markup at all (ANAC 2014's
///   `pareto.xml` holds lines of numbers) or is XML with another root
///   element; such files are [`FileKind::Other`] whether they parse or not.
///
/// A file that parses is classified by its content alone, as [`classify`].
pub fn classify_checked(text: &str, file: &str) -> Result<FileKind, FormatError> {
    match xml::parse(text, file) {
        Ok(root) => Ok(classify_root(&root)),
        Err(e) if claims_genius(text) => Err(match e {
            FormatError::At { at, message } => FormatError::At {
                at,
                message: format!(
                    "{message} (this file looks like a GENIUS domain or profile, so it cannot be left out)"
                ),
            },
            other => other,
        }),
        Err(_) => Ok(FileKind::Other),
    }
}

fn claims_genius(text: &str) -> bool {
    match xml::root_name(text) {
        Some(name) => {
            name.eq_ignore_ascii_case("utility_space")
                || name.eq_ignore_ascii_case("negotiation_template")
                || text.contains("<objective")
                || text.contains("<issue")
        }
        // Empty, or cut short before the root element's name ends.
        None => {
            let t = text.trim_start_matches('\u{feff}').trim_start();
            t.is_empty() || t.starts_with('<')
        }
    }
}

fn classify_root(root: &Element) -> FileKind {
    match root.name.as_str() {
        "negotiation_template" if root.child("utility_space").is_some() => FileKind::Domain,
        "utility_space" => {
            let uncertain = root
                .attr("type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("uncertain"));
            if uncertain || root.attr("type").is_some() || has_preferences(root) {
                FileKind::Profile { uncertain }
            } else {
                FileKind::Domain
            }
        }
        _ => FileKind::Other,
    }
}

fn has_preferences(root: &Element) -> bool {
    let mut stack = vec![root];
    while let Some(e) = stack.pop() {
        if matches!(
            e.name.as_str(),
            "weight" | "utility" | "evaluator" | "discount_factor" | "reservation"
        ) || e.attr("evaluation").is_some()
        {
            return true;
        }
        stack.extend(e.children.iter());
    }
    false
}

/// Names that must differ, made to: the first `v` stays `v`, a repeat
/// becomes `v#2`, the next `v#3`, … (the smallest suffix not yet taken).
/// Competition files repeat what detente needs distinct: values of a GENIUS
/// issue, profiles' party names, grid labels turned into options.
#[derive(Default)]
pub(crate) struct Distinct {
    /// Every name given out so far.
    seen: HashSet<String>,
    /// The next suffix to try for each repeated name, so that many repeats
    /// of one name do not retry `#2`, `#3`, … every time (a search from `#2`
    /// made 40,000 items take seconds).
    next: HashMap<String, u32>,
}

impl Distinct {
    /// `v`, or `v#n` with the smallest `n` from 2 not yet given out.
    pub(crate) fn name(&mut self, v: &str) -> String {
        let mut name = v.to_string();
        if self.seen.contains(&name) {
            // Every suffix below `n` is already taken, so this is the
            // smallest free one, as a search from `#2` would find.
            let n = self.next.entry(name.clone()).or_insert(2);
            loop {
                name = format!("{v}#{n}");
                *n += 1;
                if !self.seen.contains(&name) {
                    break;
                }
            }
        }
        self.seen.insert(name.clone());
        name
    }
}

/// A party name from a profile file name (its stem).
pub fn party_name(file: &str) -> String {
    Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(file)
        .to_string()
}

/// Builds a scenario from a domain and profile files (bytes, file name).
/// Parties are named after the profile files; repeated names get `#2`, `#3`.
pub fn scenario(domain: &Domain, profiles: &[(Vec<u8>, String)]) -> Result<Scenario, FormatError> {
    detente_core::check_value_cells(&domain.issues, profiles.len())
        .map_err(|e| FormatError::unusable(&domain.file, e.to_string()))?;
    let mut parties: Vec<Party> = Vec::with_capacity(profiles.len());
    let mut names = Distinct::default();
    for (bytes, file) in profiles {
        let name = names.name(&party_name(file));
        parties.push(read_profile(bytes, file, domain, &name)?);
    }
    if parties.is_empty() {
        return Err(FormatError::unusable(
            &domain.file,
            "no profile files to pair with this GENIUS domain; name them with --profile",
        ));
    }
    let file_name = Path::new(&domain.file)
        .file_name()
        .map_or_else(|| domain.file.clone(), |n| n.to_string_lossy().into_owned());
    Scenario::new(ScenarioParts {
        name: domain.name.clone(),
        description: format!("GENIUS domain {file_name}"),
        issues: domain.issues.clone(),
        parties,
        proposals: vec![],
        uncertain: vec![],
    })
    .map_err(|e| FormatError::unusable(&domain.file, e.to_string()))
}

/// Reads a domain file and profile files from disk.
pub fn read_files(domain: &Path, profiles: &[&Path]) -> Result<Scenario, FormatError> {
    let bytes = crate::input::read_input(domain)?;
    let d = read_domain(&bytes, &domain.display().to_string())?;
    let mut ps = Vec::with_capacity(profiles.len());
    for p in profiles {
        let b = crate::input::read_input(p)?;
        ps.push((b, p.display().to_string()));
    }
    scenario(&d, &ps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use detente_core::PartyId;

    #[test]
    fn repeated_names_get_the_smallest_free_suffix() {
        let mut d = Distinct::default();
        let names: Vec<String> = ["v", "v", "v#2", "v", "w"]
            .iter()
            .map(|v| d.name(v))
            .collect();
        assert_eq!(names, ["v", "v#2", "v#2#2", "v#3", "w"]);
    }

    const DOMAIN: &str = r#"<negotiation_template>
  <utility_space number_of_issues="3">
    <objective index="0" name="lease" type="objective">
      <issue index="1" name="car" type="discrete">
        <item index="1" value="small"/><item index="2" value="large"/>
      </issue>
      <issue index="2" name="months" type="integer" lowerbound="12" upperbound="36"/>
      <issue index="3" name="km" type="real"><range lowerbound="0" upperbound="50000"/></issue>
    </objective>
  </utility_space>
</negotiation_template>"#;

    const PROFILE: &str = r#"<utility_space>
  <objective index="0" name="lease" type="objective">
    <issue index="1" name="car" type="discrete">
      <item index="1" value="small" evaluation="3"/><item index="2" value="large" evaluation="6"/>
    </issue>
    <issue index="2" name="months" type="integer" lowerbound="12" upperbound="36">
      <evaluator ftype="linear" slope="-0.04" offset="1.0"/>
    </issue>
    <issue index="3" name="km" type="real"><range lowerbound="0" upperbound="50000"/>
      <evaluator ftype="linear" parameter0="1.0" parameter1="-0.00002"/>
    </issue>
    <weight index="1" value="0.5"/><weight index="2" value="0.3"/><weight index="3" value="0.2"/>
  </objective>
  <discount_factor value="0.8"/>
  <reservation value="0.25"/>
</utility_space>"#;

    #[test]
    fn the_spec_example_evaluates_as_genius_does() {
        let d = read_domain(DOMAIN.as_bytes(), "lease-domain.xml").unwrap();
        assert_eq!(d.name, "lease");
        assert_eq!(classify(DOMAIN), FileKind::Domain);
        assert_eq!(classify(PROFILE), FileKind::Profile { uncertain: false });
        let s = scenario(&d, &[(PROFILE.as_bytes().to_vec(), "buyer.xml".into())]).unwrap();
        let km = s.issues()[2].numeric_index(10000.0).unwrap();
        let u = s.utility_of(PartyId(0), &[1, 12, km]);
        assert!((u - 0.816).abs() < 1e-12, "{u}");
        assert!((s.discounted_utility_of(PartyId(0), &[1, 12, km], 0.5) - 0.7299).abs() < 1e-4);
        assert_eq!(s.reservation(PartyId(0)), 0.25);
    }

    #[test]
    fn bad_discounts_mean_no_discounting() {
        let d = read_domain(DOMAIN.as_bytes(), "d.xml").unwrap();
        for v in ["s", "0.0", "1.5", "-1"] {
            let p = PROFILE.replace("value=\"0.8\"", &format!("value=\"{v}\""));
            let party = read_profile(p.as_bytes(), "p.xml", &d, "p").unwrap();
            assert_eq!(party.preferences.discount, 1.0, "{v}");
        }
    }

    #[test]
    fn a_missing_weight_is_an_error_naming_the_issue() {
        let d = read_domain(DOMAIN.as_bytes(), "d.xml").unwrap();
        let p = PROFILE.replace("<weight index=\"2\" value=\"0.3\"/>", "");
        let e = read_profile(p.as_bytes(), "p.xml", &d, "p")
            .unwrap_err()
            .to_string();
        assert!(e.contains("months") && e.contains("p.xml"), "{e}");
    }

    fn round_trip(s: &Scenario) -> Scenario {
        let files = write(s.parts()).unwrap();
        let d = read_domain(files.domain.as_bytes(), "out-domain.xml").unwrap();
        let ps: Vec<(Vec<u8>, String)> = files
            .profiles
            .iter()
            .map(|(n, t)| (t.as_bytes().to_vec(), format!("{n}.xml")))
            .collect();
        scenario(&d, &ps).unwrap()
    }

    fn all_outcomes(s: &Scenario) -> Vec<Vec<u32>> {
        let n = s.space().count_u64().unwrap();
        (0..n).map(|k| s.space().decode(k)).collect()
    }

    #[test]
    fn real_evaluators_and_their_round_trip() {
        let domain = r#"<negotiation_template><utility_space><objective index="0" name="r">
            <issue index="1" name="a" type="real"><range lowerbound="0" upperbound="10"/></issue>
            <issue index="2" name="b" type="real"><range lowerbound="0" upperbound="10"/></issue>
            <issue index="3" name="c" type="real"><range lowerbound="0" upperbound="10"/></issue>
            </objective></utility_space></negotiation_template>"#;
        let profile = r#"<utility_space><objective index="0" name="r">
            <issue index="1" name="a" type="real"><evaluator ftype="triangular" parameter0="2" parameter1="8" parameter2="5"/></issue>
            <issue index="2" name="b" type="real"><evaluator ftype="linear" parameter0="-0.5" parameter1="0.25"/></issue>
            <issue index="3" name="c" type="real"><evaluator ftype="constant" parameter0="0.5"/></issue>
            <weight index="1" value="0.5"/><weight index="2" value="0.3"/><weight index="3" value="0.2"/>
            </objective></utility_space>"#;
        let d = read_domain(domain.as_bytes(), "r.xml").unwrap();
        assert_eq!(d.issues[0].cardinality(), REAL_GRID_POINTS);
        let s = scenario(&d, &[(profile.as_bytes().to_vec(), "p.xml".into())]).unwrap();
        let at = |x: f64| d.issues[0].numeric_index(x).unwrap();
        let u = |o: [u32; 3]| s.utility_of(PartyId(0), &o);
        // a: triangle 2..5..8; b: clamp(0.25 x - 0.5): 0 up to 2, 1 from 6; c: 0.5.
        assert!((u([at(5.0), at(0.0), 0]) - (0.5 + 0.1)).abs() < 1e-12);
        assert!((u([at(3.5), at(4.0), 0]) - (0.25 + 0.15 + 0.1)).abs() < 1e-12);
        assert!((u([at(8.0), at(10.0), 0]) - (0.3 + 0.1)).abs() < 1e-12);
        let back = round_trip(&s);
        for o in all_outcomes(&s) {
            let (x, y) = (
                s.utility_of(PartyId(0), &o),
                back.utility_of(PartyId(0), &o),
            );
            assert!((x - y).abs() < 1e-12, "{o:?}: {x} vs {y}");
        }
    }

    #[test]
    fn hyper_rectangles_uncertain_extras_and_their_round_trip() {
        let domain = r#"<negotiation_template><utility_space><objective index="0" name="h">
            <issue index="1" name="x" type="integer" lowerbound="1" upperbound="5"/>
            <issue index="2" name="y" type="integer" lowerbound="0" upperbound="3"/>
            </objective></utility_space></negotiation_template>"#;
        let nonlinear = r#"<!-- c --><?xml version="1.0"?><utility_space type="nonlinear">
            <objective index="0" name="h"><utility maxutility="10">
            <ufun type="PlainUfun" weight="2" aggregation="sum">
              <hyperRectangle utility="3"><INCLUDES index="1" min="2" max="9"/></hyperRectangle>
              <hyperRectangle utility="1"><INCLUDES index="1" min="1" max="1"/><INCLUDES index="2" min="3" max="3"/></hyperRectangle>
              <hyperRectangle utility="4"><INCLUDES index="2" min="7" max="9"/></hyperRectangle>
              <hyperRectangle utility="1"></hyperRectangle>
            </ufun></utility></objective>
            <discount_factor value="0.5"/><reservation value="0.1"/></utility_space>"#;
        let uncertain = r#"<utility_space type="UNCERTAIN"><objective index="0" name="h">
            <issue index="1" name="x" type="integer" lowerbound="1" upperbound="5"><evaluator ftype="linear" slope="0.25" offset="0"/></issue>
            <issue index="2" name="y" type="integer" lowerbound="0" upperbound="3"><evaluator ftype="linear" slope="-0.5" offset="1.2"/></issue>
            <weight index="1" value="0.6"/><weight index="2" value="0.4"/></objective>
            <comparisons> 50 </comparisons><fixed_seed>false</fixed_seed></utility_space>"#;
        let d = read_domain(domain.as_bytes(), "h.xml").unwrap();
        assert_eq!(classify(uncertain), FileKind::Profile { uncertain: true });
        let s = scenario(
            &d,
            &[
                (nonlinear.as_bytes().to_vec(), "n.xml".into()),
                (uncertain.as_bytes().to_vec(), "u.xml".into()),
            ],
        )
        .unwrap();
        // x = 2 (index 1), y = 3: box 1 (3·2) + the empty box (1·2) = 8 of 10.
        assert!((s.utility_of(PartyId(0), &[1, 3]) - 0.8).abs() < 1e-12);
        // x = 1, y = 3: box 2 (1·2) + empty box (2) = 0.4.
        assert!((s.utility_of(PartyId(0), &[0, 3]) - 0.4).abs() < 1e-12);
        // Integer evaluators clamp: y = 0 → 1.2 → 1.
        assert!((s.utility_of(PartyId(1), &[4, 0]) - (0.6 + 0.4)).abs() < 1e-12);
        assert!(s.parties()[1].description.contains("comparisons=50"));
        assert!(s.parties()[1].description.contains("fixed_seed=false"));
        assert!(s.parties()[1].description.contains("errors=10"));
        let back = round_trip(&s);
        assert_eq!(back.parties()[1].description, s.parties()[1].description);
        assert_eq!(back.parties()[0].preferences.discount, 0.5);
        assert_eq!(back.reservation(PartyId(0)), 0.1);
        for p in 0..2 {
            for o in all_outcomes(&s) {
                let (x, y) = (
                    s.utility_of(PartyId(p), &o),
                    back.utility_of(PartyId(p), &o),
                );
                assert!((x - y).abs() < 1e-12, "{p} {o:?}: {x} vs {y}");
            }
        }
    }

    #[test]
    fn placeholder_profiles_are_refused_by_name() {
        let d = read_domain(DOMAIN.as_bytes(), "d.xml").unwrap();
        let p = r#"<utility_space><objective index="0" name="lease">
            <issue index="1" name="car" type="discrete"><item index="1" value="small"/></issue>
            <weight index="1" value="0.0"/><weight index="2" value="0"/><weight index="3" value="0"/>
            </objective></utility_space>"#;
        let e = read_profile(p.as_bytes(), "empty_util1.xml", &d, "p")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("empty_util1.xml") && e.contains("placeholder"),
            "{e}"
        );
    }

    #[test]
    fn windows_1252_values_match_between_domain_and_profile() {
        let domain = b"<negotiation_template><utility_space><objective index=\"0\" name=\"s\">\
            <issue index=\"1\" name=\"price\"type=\"discrete\"><item index=\"1\" value=\"\x8010,000\"/>\
            <item index=\"2\" value=\"\x8020,000 & more\"/></issue></objective></utility_space></negotiation_template>";
        let profile = b"<utility_space><objective index=\"0\" name=\"s\">\
            <issue index=\"1\" name=\"price\" type=\"discrete\"><item index=\"1\" value=\"\x8010,000\" evaluation=\"4\"/>\
            <item index=\"2\" value=\"\x8020,000 & more\" evaluation=\"8\"/></issue>\
            <weight index=\"1\" value=\"1\"/></objective></utility_space>";
        let d = read_domain(domain, "sporthal.xml").unwrap();
        assert_eq!(d.issues[0].value_label(0), "\u{20ac}10,000");
        let s = scenario(&d, &[(profile.to_vec(), "p.xml".into())]).unwrap();
        assert_eq!(s.utility_of(PartyId(0), &[0]), 0.5);
        assert_eq!(s.utility_of(PartyId(0), &[1]), 1.0);
    }
}
