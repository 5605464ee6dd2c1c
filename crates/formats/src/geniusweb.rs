//! GeniusWeb JSON: domains and `LinearAdditiveUtilitySpace` profiles, read
//! with GeniusWeb's semantics and written back.
//!
//! - A domain is `{"name", "issuesValues": {issue: valueset}}`; issue order
//!   is the order of the JSON object. A discrete value set becomes a
//!   categorical issue; a number range `{low, high, step}` (or the older
//!   `[low, high, step]`) becomes an integer issue when all three are
//!   integral and the step is 1, else a continuous issue with that step whose
//!   grid is GeniusWeb's values `low, low + step, …` up to `high`.
//! - A profile's utility is `Σ w_i · u_i(v_i)` with numbers as given
//!   ([`Normalisation::AsGiven`]); discrete utilities become tables, number
//!   utilities (linear from `(lowValue, lowUtility)` to `(highValue,
//!   highUtility)`, 0 outside, rounded to 8 decimals as GeniusWebPython
//!   does) are tabulated on the issue's grid.
//! - Both type tags of value-set utilities are read: the class names
//!   (`DiscreteValueSetUtilities`, `NumberValueSetUtilities`) and the short
//!   names (`discreteutils`, `numberutils`). The writer uses the short ones:
//!   every GeniusWeb profile in the corpus (ANL 2022/2023) has them, and they
//!   are the only ones NegMAS 0.16 reads (with the class names it builds
//!   empty tables and fails with a `KeyError` on the first value).
//! - `reservationBid`: the reservation value is that bid's utility; absent or
//!   `null` means 0. There is no discount factor.
//! - Weights must sum to 1 (GeniusWeb checks it in decimal arithmetic; here
//!   within 1e-6, since binary sums such as `party1.json`'s come to
//!   1.0000000000000002).

mod doc;
mod write;

use doc::*;
pub use write::{GeniusWebFiles, write};

use crate::error::{FormatError, Location};
use crate::locate::{Path as DocPath, Seg, Syntax, locate};
use detente_core::{
    Issue, IssueKind, Normalisation, Party, Preferences, Role, Scenario, ScenarioParts,
    UtilityModel, ValueFunction, continuous_points,
};
use serde_json::{Map, Value as J, json};
use std::collections::HashMap;
use std::path::Path;

/// What a GeniusWeb JSON file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A domain: its name and the issues with their values (`issuesValues`).
    Domain,
    /// One party's profile.
    Profile,
    /// Neither: not GeniusWeb JSON, or another kind of object.
    Other,
}

/// Classifies JSON text: a domain has `issuesValues` at the top; a profile
/// is a type-tagged object (`LinearAdditiveUtilitySpace`, or another
/// GeniusWeb profile class).
/// A single-key object whose key is not a known profile class but whose body
/// has a profile's fields (a damaged class name) is a profile too, so that
/// the reader reports it instead of the folder leaving it out.
pub fn classify(text: &str) -> FileKind {
    match serde_json::from_str::<J>(text) {
        Ok(v) => classify_value(&v),
        Err(_) => FileKind::Other,
    }
}

fn classify_value(v: &J) -> FileKind {
    let J::Object(o) = v else {
        return FileKind::Other;
    };
    if o.contains_key("issuesValues") {
        return FileKind::Domain;
    }
    let Some((k, body)) = single_entry(v) else {
        return FileKind::Other;
    };
    let known = k.ends_with("UtilitySpace") || k.ends_with("Ordering") || k.ends_with("Profile");
    let looks = body.as_object().is_some_and(|b| {
        ["issueUtilities", "issueWeights", "domain", "reservationBid"]
            .iter()
            .any(|f| b.contains_key(*f))
    });
    if known || looks {
        FileKind::Profile
    } else {
        FileKind::Other
    }
}

/// Classifies as [`classify`] does, but JSON that claims to be GeniusWeb and
/// cannot be parsed is an error (line, column, reason) instead of
/// [`FileKind::Other`], so a damaged profile is never silently left out.
///
/// A file claims to be GeniusWeb when it is empty, or mentions one of the
/// keys a domain or profile starts with (`issuesValues`,
/// `LinearAdditiveUtilitySpace` or another `…UtilitySpace`, `issueUtilities`,
/// `issueWeights`); other unparsable `.json` files are left alone.
pub fn classify_checked(text: &str, file: &str) -> Result<FileKind, FormatError> {
    match serde_json::from_str::<J>(text) {
        Ok(v) => Ok(classify_value(&v)),
        Err(e) => {
            let t = text.trim_start_matches('\u{feff}').trim();
            let claims = t.is_empty()
                || [
                    "\"issuesValues\"",
                    "UtilitySpace\"",
                    "\"issueUtilities\"",
                    "\"issueWeights\"",
                ]
                .iter()
                .any(|m| t.contains(m));
            if claims {
                Err(FormatError::at(
                    Location {
                        file: file.to_string(),
                        line: Some(e.line()),
                        column: Some(e.column()),
                    },
                    format!(
                        "not valid JSON: {e} (this file looks like a GeniusWeb domain or profile, so it cannot be left out)"
                    ),
                ))
            } else {
                Ok(FileKind::Other)
            }
        }
    }
}

/// A GeniusWeb domain.
#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    /// The domain's name, by which profiles refer to it.
    pub name: String,
    /// The issues as scenario issues, in file order.
    pub issues: Vec<Issue>,
}

/// Reads a domain object (`{"name", "issuesValues"}`); `what` names it in
/// errors (a file, or a file and `domain`).
pub fn domain_from_json(v: &J, what: &str) -> Result<Domain, FormatError> {
    let doc = Doc {
        file: what,
        text: "",
    };
    read_domain(&doc, v, &DocPath::default())
}

fn read_domain(doc: &Doc, v: &J, at: &DocPath) -> Result<Domain, FormatError> {
    let o = doc.object(v, at, "a domain object {\"name\", \"issuesValues\"}")?;
    doc.only(o, at, &["name", "issuesValues"])?;
    let name = doc.optional_string(o, at, "name")?;
    let (iv, iv_path) = doc.object_field(
        o,
        at,
        "issuesValues",
        "{issue: {\"values\": [...]} or {\"range\": ...}}",
        "an object {issue: value set}",
    )?;
    let mut issues = Vec::with_capacity(iv.len());
    for (issue, set) in iv {
        let kind = value_set(doc, set, &iv_path.key(issue))?;
        issues.push(Issue {
            name: issue.clone(),
            description: String::new(),
            kind,
        });
    }
    if issues.is_empty() {
        return Err(doc.err(&iv_path, "the domain has no issues"));
    }
    Ok(Domain { name, issues })
}

fn value_set(doc: &Doc, set: &J, at: &DocPath) -> Result<IssueKind, FormatError> {
    let expected = "{\"values\": [strings]} or {\"range\": {\"low\", \"high\", \"step\"}}";
    let o = doc.object(set, at, expected)?;
    if let Some(values) = o.get("values") {
        doc.only(o, at, &["values"])?;
        let path = at.key("values");
        let J::Array(values) = values else {
            return Err(doc.expected(&path, "an array of strings", values));
        };
        let mut options = Vec::with_capacity(values.len());
        let mut seen = std::collections::HashSet::with_capacity(values.len());
        for (k, v) in values.iter().enumerate() {
            let s = doc.string(v, &path.index(k))?;
            if !seen.insert(s) {
                return Err(doc.err(&path.index(k), format!("the value `{s}` is listed twice")));
            }
            options.push(s.to_string());
        }
        if options.is_empty() {
            return Err(doc.err(&path, "an empty value set; expected at least one value"));
        }
        return Ok(IssueKind::Categorical {
            options,
            ordered: false,
        });
    }
    let Some(range) = o.get("range") else {
        return Err(doc.err(at, format!("expected {expected}")));
    };
    doc.only(o, at, &["range"])?;
    let path = at.key("range");
    let (low, high, step) = match range {
        J::Array(a) if a.len() == 3 => (
            doc.number(&a[0], &path.index(0))?,
            doc.number(&a[1], &path.index(1))?,
            doc.number(&a[2], &path.index(2))?,
        ),
        J::Object(r) => {
            doc.only(r, &path, &["low", "high", "step"])?;
            let get = |k: &str| -> Result<f64, FormatError> {
                doc.number(doc.field(r, &path, k, "a number")?, &path.key(k))
            };
            (get("low")?, get("high")?, get("step")?)
        }
        other => {
            return Err(doc.expected(
                &path,
                "{\"low\": number, \"high\": number, \"step\": number} or [low, high, step]",
                other,
            ));
        }
    };
    if !(low <= high && step > 0.0) {
        return Err(doc.err(
            &path,
            format!("low {low}, high {high}, step {step}: expected low ≤ high and step > 0"),
        ));
    }
    // GeniusWeb's values are low + k·step up to high; the last one may fall
    // short of high.
    let n = ((high - low) / step + 1e-9).floor();
    if n + 1.0 > detente_core::MAX_ISSUE_CARDINALITY as f64 {
        return Err(doc.err(
            &path,
            format!(
                "{} values; at most {} are supported",
                n + 1.0,
                detente_core::MAX_ISSUE_CARDINALITY
            ),
        ));
    }
    if low.fract() == 0.0 && high.fract() == 0.0 && step == 1.0 {
        return Ok(IssueKind::Integer {
            min: low as i64,
            max: high as i64,
        });
    }
    Ok(IssueKind::Continuous {
        min: low,
        max: low + n * step,
        step,
    })
}

/// One issue's utility function in a GeniusWeb profile.
#[derive(Clone, Debug)]
enum Utilities {
    /// Utility by value name (values without one are worth 0).
    Discrete(HashMap<String, f64>),
    Number {
        low: f64,
        low_u: f64,
        high: f64,
        high_u: f64,
    },
}

impl Utilities {
    fn of_name(&self, v: &str) -> f64 {
        match self {
            Utilities::Discrete(m) => m.get(v).copied().unwrap_or(0.0),
            Utilities::Number { .. } => 0.0,
        }
    }

    fn of_number(&self, x: f64) -> f64 {
        match *self {
            Utilities::Number {
                low,
                low_u,
                high,
                high_u,
            } => {
                if x < low || x > high || high <= low {
                    return 0.0;
                }
                let u = low_u + (high_u - low_u) * (x - low) / (high - low);
                (u * 1e8).round() / 1e8
            }
            Utilities::Discrete(_) => 0.0,
        }
    }
}

/// A utility, which GeniusWeb requires to lie in [0, 1].
fn unit(doc: &Doc, v: &J, path: &DocPath) -> Result<f64, FormatError> {
    let u = doc.number(v, path)?;
    if !(0.0..=1.0).contains(&u) {
        return Err(doc.err(path, format!("utility {u} is outside [0, 1]")));
    }
    Ok(u)
}

fn utilities(doc: &Doc, v: &J, at: &DocPath, issue: &Issue) -> Result<Utilities, FormatError> {
    let expected = "{\"discreteutils\": {\"valueUtilities\": {...}}} or {\"numberutils\": {\"lowValue\", \"lowUtility\", \"highValue\", \"highUtility\"}} (or the class names DiscreteValueSetUtilities, NumberValueSetUtilities)";
    let Some((tag, body)) = single_entry(v) else {
        return Err(doc.err(at, format!("expected {expected}")));
    };
    let path = at.key(tag);
    match (tag.as_str(), &issue.kind) {
        ("DiscreteValueSetUtilities" | "discreteutils", IssueKind::Categorical { options, .. }) => {
            let b = doc.object(body, &path, "{\"valueUtilities\": {value: utility}}")?;
            doc.only(b, &path, &["valueUtilities"])?;
            let (vu, vpath) = doc.object_field(
                b,
                &path,
                "valueUtilities",
                "{value: utility}",
                "an object {value: utility}",
            )?;
            let known: std::collections::HashSet<&str> =
                options.iter().map(String::as_str).collect();
            let mut m = HashMap::with_capacity(vu.len());
            for (value, u) in vu {
                if !known.contains(value.as_str()) {
                    return Err(doc.err(&vpath.key(value),
                        format!(
                            "issue `{}` has no value `{value}` in the domain",
                            issue.name
                        ),
                    ));
                }
                m.insert(value.clone(), unit(doc, u, &vpath.key(value))?);
            }
            Ok(Utilities::Discrete(m))
        }
        (
            "NumberValueSetUtilities" | "numberutils",
            IssueKind::Integer { .. } | IssueKind::Continuous { .. },
        ) => {
            let fields = ["lowValue", "lowUtility", "highValue", "highUtility"];
            let b = doc.object(body, &path, "an object {\"lowValue\", \"lowUtility\", \"highValue\", \"highUtility\"}")?;
            doc.only(b, &path, &fields)?;
            let get = |k: &str| -> Result<f64, FormatError> {
                doc.number(doc.field(b, &path, k, "a number")?, &path.key(k))
            };
            let (low, high) = (get("lowValue")?, get("highValue")?);
            if !(high > low) {
                return Err(doc.err(
                    &path,
                    format!("highValue {high} must be above lowValue {low}"),
                ));
            }
            let low_u = unit(doc, doc.field(b, &path, "lowUtility", "a number")?, &path.key("lowUtility"))?;
            let high_u = unit(doc, doc.field(b, &path, "highUtility", "a number")?, &path.key("highUtility"))?;
            Ok(Utilities::Number {
                low,
                low_u,
                high,
                high_u,
            })
        }
        ("DiscreteValueSetUtilities" | "discreteutils", _) => Err(doc.err(
            &path,
            format!("discrete utilities for `{}`, whose domain value set is a number range; expected numberutils", issue.name),
        )),
        ("NumberValueSetUtilities" | "numberutils", _) => Err(doc.err(
            &path,
            format!("number utilities for `{}`, whose domain value set is discrete; expected discreteutils", issue.name),
        )),
        _ => Err(doc.err(&path, format!("unknown utilities class `{tag}`; expected {expected}"))),
    }
}

/// A profile: the party (named after the profile's `name`, else the file)
/// and the domain it embeds.
pub fn read_profile(text: &str, file: &str) -> Result<(Party, Domain), FormatError> {
    let root = parse_json(text, file)?;
    let doc = Doc { file, text };
    let (body, at) = profile_body(&doc, &root)?;
    let domain = read_domain(
        &doc,
        doc.field(body, &at, "domain", "the domain object")?,
        &at.key("domain"),
    )?;
    let name = doc.optional_string(body, &at, "name")?;
    let name = if name.is_empty() {
        crate::genius::party_name(file)
    } else {
        name
    };
    let issues = read_issue_utilities(&doc, body, &at, &domain)?;
    let reservation = match body.get("reservationBid") {
        None | Some(J::Null) => 0.0,
        Some(bid) => reservation_value(&doc, bid, &at.key("reservationBid"), &domain, &issues)?,
    };
    let party = Party {
        name,
        role: Role::Party,
        description: String::new(),
        preferences: Preferences {
            model: UtilityModel::Additive {
                weights: issues.weights,
                values: issues.values,
                interactions: vec![],
            },
            normalisation: Normalisation::AsGiven,
            red_lines: vec![],
            reservation,
            discount: 1.0,
        },
    };
    Ok((party, domain))
}

/// The object inside `{"LinearAdditiveUtilitySpace": {...}}`, the one
/// profile class read, with its path; its fields are checked by name.
fn profile_body<'v>(doc: &Doc, root: &'v J) -> Result<(&'v Map<String, J>, DocPath), FormatError> {
    let Some((tag, body)) = single_entry(root) else {
        return Err(bad(
            doc.file,
            "expected a profile: {\"LinearAdditiveUtilitySpace\": {...}}",
        ));
    };
    if tag != "LinearAdditiveUtilitySpace" {
        return Err(doc.err(&root_path(tag),
            format!(
                "GeniusWeb profile class `{tag}` is not supported; expected LinearAdditiveUtilitySpace"
            ),
        ));
    }
    let at = root_path(tag);
    let body = doc.object(body, &at, "the profile's object")?;
    doc.only(
        body,
        &at,
        &[
            "domain",
            "name",
            "issueUtilities",
            "issueWeights",
            "reservationBid",
        ],
    )?;
    Ok((body, at))
}

/// A profile's weights and utilities, by issue in domain order.
struct IssueUtilities {
    /// Each issue's weight.
    weights: Vec<f64>,
    /// Each issue's utilities tabulated on its values.
    values: Vec<ValueFunction>,
    /// Each issue's utilities as read, to evaluate a reservation bid.
    read: Vec<Utilities>,
}

/// `issueWeights` and `issueUtilities`: one of each for every issue of the
/// domain and none for any other, weights non-negative and summing to 1.
fn read_issue_utilities(
    doc: &Doc,
    body: &Map<String, J>,
    at: &DocPath,
    domain: &Domain,
) -> Result<IssueUtilities, FormatError> {
    let (utils, upath) = doc.object_field(
        body,
        at,
        "issueUtilities",
        "{issue: utilities}",
        "an object {issue: utilities}",
    )?;
    let (weights_json, wpath) = doc.object_field(
        body,
        at,
        "issueWeights",
        "{issue: weight}",
        "an object {issue: weight}",
    )?;
    let known: std::collections::HashSet<&str> =
        domain.issues.iter().map(|i| i.name.as_str()).collect();
    for (keys, path) in [(weights_json, &wpath), (utils, &upath)] {
        if let Some(k) = keys.keys().find(|k| !known.contains(k.as_str())) {
            return Err(doc.err(
                &path.key(k),
                format!("issue `{k}` is not in the profile's domain"),
            ));
        }
    }
    let n = domain.issues.len();
    let mut out = IssueUtilities {
        weights: Vec::with_capacity(n),
        values: Vec::with_capacity(n),
        read: Vec::with_capacity(n),
    };
    for issue in &domain.issues {
        let w = weights_json
            .get(&issue.name)
            .ok_or_else(|| doc.err(&wpath, format!("no weight for issue `{}`", issue.name)))?;
        let w = doc.number(w, &wpath.key(&issue.name))?;
        if w < 0.0 {
            return Err(doc.err(&wpath.key(&issue.name), format!("weight {w} is negative")));
        }
        let u = utils
            .get(&issue.name)
            .ok_or_else(|| doc.err(&upath, format!("no utilities for issue `{}`", issue.name)))?;
        let u = utilities(doc, u, &upath.key(&issue.name), issue)?;
        let table = match &issue.kind {
            IssueKind::Categorical { options, .. } => {
                options.iter().map(|o| u.of_name(o)).collect()
            }
            _ => (0..issue.cardinality())
                .map(|v| u.of_number(issue.numeric_value(v).unwrap_or(f64::NAN)))
                .collect(),
        };
        out.weights.push(w);
        out.values.push(ValueFunction::Table(table));
        out.read.push(u);
    }
    let sum: f64 = out.weights.iter().sum();
    if (sum - 1.0).abs() > 1e-6 {
        return Err(doc.err(
            &wpath,
            format!("the weights sum to {sum}; GeniusWeb requires them to sum to 1"),
        ));
    }
    Ok(out)
}

/// The reservation value: the utility of the `reservationBid` at `rpath`.
fn reservation_value(
    doc: &Doc,
    bid: &J,
    rpath: &DocPath,
    domain: &Domain,
    issues: &IssueUtilities,
) -> Result<f64, FormatError> {
    let b = doc.object(bid, rpath, "{\"issuevalues\": {issue: value}} or null")?;
    doc.only(b, rpath, &["issuevalues"])?;
    let (values, vpath) = doc.object_field(
        b,
        rpath,
        "issuevalues",
        "{issue: value}",
        "an object {issue: value}",
    )?;
    let index: HashMap<&str, usize> = domain
        .issues
        .iter()
        .enumerate()
        .map(|(k, i)| (i.name.as_str(), k))
        .collect();
    let mut contributions = vec![0.0; domain.issues.len()];
    for (name, v) in values {
        let here = vpath.key(name);
        let Some(&k) = index.get(name.as_str()) else {
            return Err(doc.err(
                &here,
                format!("issue `{name}` is not in the profile's domain"),
            ));
        };
        let u = bid_utility(doc, &domain.issues[k], v, &here, &issues.read[k])?;
        contributions[k] = issues.weights[k] * u;
    }
    // Summed in issue order, as GeniusWeb sums a bid.
    Ok(contributions.iter().sum())
}

/// The utility `u` gives to value `v` of `issue` in a bid, once the value is
/// checked to be one of the issue's.
fn bid_utility(
    doc: &Doc,
    issue: &Issue,
    v: &J,
    here: &DocPath,
    u: &Utilities,
) -> Result<f64, FormatError> {
    let name = &issue.name;
    match &issue.kind {
        IssueKind::Categorical { options, .. } => {
            let s = doc.string(v, here)?;
            if !options.iter().any(|o| o == s) {
                return Err(doc.err(here, format!("issue `{name}` has no value `{s}`")));
            }
            Ok(u.of_name(s))
        }
        IssueKind::Integer { min, max } => {
            let x = doc.number(v, here)?;
            if x.fract() != 0.0 || x < *min as f64 || x > *max as f64 {
                return Err(doc.err(here, format!("{x} is not an integer from {min} to {max}")));
            }
            Ok(u.of_number(x))
        }
        IssueKind::Continuous { min, max, .. } => {
            let x = doc.number(v, here)?;
            if x < *min || x > *max {
                return Err(doc.err(here, format!("{x} is outside the range {min} to {max}")));
            }
            Ok(u.of_number(x))
        }
    }
}

/// Builds a scenario from profile files (text, file name) and, optionally, a
/// domain file; every profile's embedded domain must have the same issues.
pub fn scenario(
    domain: Option<(&str, &str)>,
    profiles: &[(String, String)],
) -> Result<Scenario, FormatError> {
    let mut dom = match domain {
        Some((text, file)) => {
            let doc = Doc { file, text };
            let v = parse_json(text, file)?;
            Some((read_domain(&doc, &v, &DocPath::default())?, file))
        }
        None => None,
    };
    if let Some((d, file)) = &dom {
        detente_core::check_value_cells(&d.issues, profiles.len())
            .map_err(|e| FormatError::unusable(*file, e.to_string()))?;
    }
    let mut parties: Vec<Party> = Vec::new();
    let mut names = crate::genius::Distinct::default();
    for (text, file) in profiles {
        let (mut party, d) = read_profile(text, file)?;
        match &dom {
            Some((known, from)) => {
                if known.issues != d.issues {
                    return Err(FormatError::unusable(
                        file,
                        format!(
                            "the profile's domain differs from the one in {from} (issues or values)"
                        ),
                    ));
                }
            }
            None => dom = Some((d, file.as_str())),
        }
        party.name = names.name(&party.name);
        parties.push(party);
    }
    let Some((d, from)) = dom else {
        return Err(FormatError::unusable(
            "GeniusWeb",
            "no domain and no profiles given",
        ));
    };
    if parties.is_empty() {
        return Err(FormatError::unusable(
            from,
            "no profiles to pair with this GeniusWeb domain",
        ));
    }
    let name = if d.name.is_empty() {
        crate::genius::party_name(from)
    } else {
        d.name
    };
    let file_name = Path::new(from)
        .file_name()
        .map_or_else(|| from.to_string(), |n| n.to_string_lossy().into_owned());
    Scenario::new(ScenarioParts {
        name,
        description: format!("GeniusWeb domain {file_name}"),
        issues: d.issues,
        parties,
        proposals: vec![],
        uncertain: vec![],
    })
    .map_err(|e| FormatError::unusable(from, e.to_string()))
}

/// Reads a GeniusWeb domain file (optional) and profile files from disk.
pub fn read_files(domain: Option<&Path>, profiles: &[&Path]) -> Result<Scenario, FormatError> {
    let read = |p: &Path| -> Result<(String, String), FormatError> {
        let bytes = crate::input::read_input(p)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| FormatError::unusable(p.display(), "not UTF-8 text"))?;
        Ok((text, p.display().to_string()))
    };
    let d = domain.map(read).transpose()?;
    let ps: Vec<(String, String)> = profiles.iter().map(|p| read(p)).collect::<Result<_, _>>()?;
    scenario(d.as_ref().map(|(t, f)| (t.as_str(), f.as_str())), &ps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use detente_core::PartyId;

    const PROFILE: &str = r#"{"LinearAdditiveUtilitySpace": {
  "name": "buyer",
  "domain": {"name": "lease", "issuesValues": {
      "car":    {"values": ["small", "large"]},
      "months": {"range": {"low": 12, "high": 36, "step": 12}}}},
  "issueUtilities": {
      "car":    {"DiscreteValueSetUtilities": {"valueUtilities": {"small": 0.5, "large": 1.0}}},
      "months": {"numberutils": {"lowValue": 12, "lowUtility": 1.0,
                                             "highValue": 36, "highUtility": 0.2}}},
  "issueWeights": {"car": 0.6, "months": 0.4},
  "reservationBid": {"issuevalues": {"car": "small", "months": 36}}}}"#;

    #[test]
    fn the_spec_example() {
        assert_eq!(classify(PROFILE), FileKind::Profile);
        let s = scenario(None, &[(PROFILE.into(), "buyer.json".into())]).unwrap();
        assert_eq!(s.space().count(), Some(6));
        let months = s.issues()[1].numeric_index(24.0).unwrap();
        assert!((s.utility_of(PartyId(0), &[1, months]) - 0.84).abs() < 1e-12);
        assert!((s.reservation(PartyId(0)) - 0.38).abs() < 1e-12);
        let w = write(s.parts()).unwrap();
        let again = scenario(
            Some((&w.domain, "d.json")),
            &[(w.profiles[0].1.clone(), "p.json".into())],
        )
        .unwrap();
        for v in 0..3 {
            for c in 0..2 {
                let a = s.utility_of(PartyId(0), &[c, v]);
                let b = again.utility_of(PartyId(0), &[c, v]);
                assert!((a - b).abs() < 1e-8, "{a} {b}");
            }
        }
        assert!((again.reservation(PartyId(0)) - 0.38).abs() < 1e-12);
    }

    #[test]
    fn bad_profiles_are_errors_not_panics() {
        for text in [
            "",
            "[]",
            "{\"LinearAdditiveUtilitySpace\": 3}",
            "{\"FullOrdering\": {}}",
            &PROFILE.replace("0.6", "0.7"),
            &PROFILE.replace("\"step\": 12", "\"step\": -1"),
        ] {
            assert!(scenario(None, &[(text.into(), "p.json".into())]).is_err());
        }
    }
}
