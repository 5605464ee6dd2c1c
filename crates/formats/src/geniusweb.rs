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
//! - Both the current type tags (`DiscreteValueSetUtilities`,
//!   `NumberValueSetUtilities`) and the older ones (`discreteutils`,
//!   `numberutils`) are read.
//! - `reservationBid`: the reservation value is that bid's utility; absent or
//!   `null` means 0. There is no discount factor.
//! - Weights must sum to 1 (GeniusWeb checks it in decimal arithmetic; here
//!   within 1e-6, since binary sums such as `party1.json`'s come to
//!   1.0000000000000002).

use crate::error::{FormatError, Location};
use detente_core::{
    Issue, IssueKind, Normalisation, Party, Preferences, Role, Scenario, ScenarioParts,
    UtilityModel, ValueFunction, continuous_points, utility::compile,
};
use serde_json::{Map, Value as J, json};
use std::path::Path;

/// What a GeniusWeb JSON file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Domain,
    Profile,
    Other,
}

/// Classifies JSON text: a domain has `issuesValues` at the top; a profile
/// is a type-tagged object (`LinearAdditiveUtilitySpace`, or another
/// GeniusWeb profile class).
pub fn classify(text: &str) -> FileKind {
    match serde_json::from_str::<J>(text) {
        Ok(J::Object(o)) => {
            if o.contains_key("issuesValues") {
                FileKind::Domain
            } else if o.len() == 1
                && o.keys().next().is_some_and(|k| {
                    k.ends_with("UtilitySpace") || k.ends_with("Ordering") || k.ends_with("Profile")
                })
            {
                FileKind::Profile
            } else {
                FileKind::Other
            }
        }
        _ => FileKind::Other,
    }
}

fn bad(file: &str, message: impl Into<String>) -> FormatError {
    FormatError::at(Location::file(file), message)
}

fn parse_json(text: &str, file: &str) -> Result<J, FormatError> {
    serde_json::from_str(text).map_err(|e| {
        FormatError::at(
            Location {
                file: file.to_string(),
                line: Some(e.line()),
                column: Some(e.column()),
            },
            format!("not valid JSON: {e}"),
        )
    })
}

fn number(v: &J) -> Option<f64> {
    match v {
        J::Number(n) => n.as_f64(),
        J::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

/// A GeniusWeb domain.
#[derive(Clone, Debug, PartialEq)]
pub struct Domain {
    pub name: String,
    pub issues: Vec<Issue>,
}

/// Reads a domain object (`{"name", "issuesValues"}`); `what` names it in
/// errors (a file, or a file and `domain`).
pub fn domain_from_json(v: &J, what: &str) -> Result<Domain, FormatError> {
    let o = v
        .as_object()
        .ok_or_else(|| bad(what, "a domain must be a JSON object"))?;
    let name = o.get("name").and_then(J::as_str).unwrap_or("").to_string();
    let iv = o.get("issuesValues").and_then(J::as_object).ok_or_else(|| {
        bad(
            what,
            "the domain has no `issuesValues` object; expected {\"issuesValues\": {issue: {\"values\": [...]} or {\"range\": ...}}}",
        )
    })?;
    let mut issues = Vec::with_capacity(iv.len());
    for (issue, set) in iv {
        let kind = value_set(set).ok_or_else(|| {
            bad(
                what,
                format!(
                    "issuesValues.{issue}: expected {{\"values\": [strings]}} or {{\"range\": {{\"low\", \"high\", \"step\"}}}} with low ≤ high, step > 0 and at most {} values", detente_core::MAX_ISSUE_CARDINALITY
                ),
            )
        })?;
        issues.push(Issue {
            name: issue.clone(),
            description: String::new(),
            kind,
        });
    }
    if issues.is_empty() {
        return Err(bad(what, "the domain has no issues"));
    }
    Ok(Domain { name, issues })
}

fn value_set(set: &J) -> Option<IssueKind> {
    if let Some(values) = set.get("values").and_then(J::as_array) {
        let options: Vec<String> = values
            .iter()
            .map(|v| match v {
                J::String(s) => Some(s.clone()),
                // Lenient: a bare number in a discrete set is its text.
                J::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect::<Option<_>>()?;
        if options.is_empty() {
            return None;
        }
        return Some(IssueKind::Categorical {
            options,
            ordered: false,
        });
    }
    let range = set.get("range")?;
    let (low, high, step) = match range {
        J::Array(a) if a.len() == 3 => (number(&a[0])?, number(&a[1])?, number(&a[2])?),
        J::Object(_) => (
            number(range.get("low")?)?,
            number(range.get("high")?)?,
            number(range.get("step")?)?,
        ),
        _ => return None,
    };
    if !(low <= high && step > 0.0) {
        return None;
    }
    if low.fract() == 0.0 && high.fract() == 0.0 && step == 1.0 && high - low < 1e15 {
        return Some(IssueKind::Integer {
            min: low as i64,
            max: high as i64,
        });
    }
    // GeniusWeb's values are low + k·step up to high; the last one may fall
    // short of high.
    let n = ((high - low) / step + 1e-9).floor();
    if n > detente_core::MAX_ISSUE_CARDINALITY as f64 {
        return None;
    }
    Some(IssueKind::Continuous {
        min: low,
        max: low + n * step,
        step,
    })
}

/// One issue's utility function in a GeniusWeb profile.
#[derive(Clone, Debug)]
enum Utilities {
    Discrete(Map<String, J>),
    Number {
        low: f64,
        low_u: f64,
        high: f64,
        high_u: f64,
    },
}

impl Utilities {
    /// GeniusWeb's utility of a value (a JSON string or number).
    fn of(&self, v: &J) -> f64 {
        match self {
            Utilities::Discrete(m) => match v {
                J::String(s) => Some(s.clone()),
                J::Number(n) => Some(n.to_string()),
                _ => None,
            }
            .and_then(|s| m.get(&s))
            .and_then(number)
            .unwrap_or(0.0),
            Utilities::Number { .. } => number(v).map_or(0.0, |x| self.of_number(x)),
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

fn utilities(v: &J) -> Option<Utilities> {
    let (tag, body) = v.as_object().filter(|o| o.len() == 1)?.iter().next()?;
    match tag.as_str() {
        "DiscreteValueSetUtilities" | "discreteutils" => Some(Utilities::Discrete(
            body.get("valueUtilities")?.as_object()?.clone(),
        )),
        "NumberValueSetUtilities" | "numberutils" => Some(Utilities::Number {
            low: number(body.get("lowValue")?)?,
            low_u: number(body.get("lowUtility")?)?,
            high: number(body.get("highValue")?)?,
            high_u: number(body.get("highUtility")?)?,
        }),
        _ => None,
    }
}

/// A profile: the party (named after the profile's `name`, else the file)
/// and the domain it embeds.
pub fn read_profile(text: &str, file: &str) -> Result<(Party, Domain), FormatError> {
    let root = parse_json(text, file)?;
    let Some((tag, body)) = root
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.iter().next())
    else {
        return Err(bad(
            file,
            "expected a profile: {\"LinearAdditiveUtilitySpace\": {...}}",
        ));
    };
    if tag != "LinearAdditiveUtilitySpace" {
        return Err(FormatError::unusable(
            file,
            format!(
                "GeniusWeb profile class `{tag}` is not supported; expected LinearAdditiveUtilitySpace"
            ),
        ));
    }
    let domain = domain_from_json(
        body.get("domain")
            .ok_or_else(|| bad(file, "the profile has no `domain`"))?,
        &format!("{file} (domain)"),
    )?;
    let name = body
        .get("name")
        .and_then(J::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| crate::genius::party_name(file));
    let utils = body
        .get("issueUtilities")
        .and_then(J::as_object)
        .ok_or_else(|| bad(file, "the profile has no `issueUtilities` object"))?;
    let weights_json = body
        .get("issueWeights")
        .and_then(J::as_object)
        .ok_or_else(|| bad(file, "the profile has no `issueWeights` object"))?;
    let mut weights = Vec::with_capacity(domain.issues.len());
    let mut per_issue = Vec::with_capacity(domain.issues.len());
    let mut values = Vec::with_capacity(domain.issues.len());
    for issue in &domain.issues {
        let w = weights_json
            .get(&issue.name)
            .and_then(number)
            .ok_or_else(|| {
                bad(
                    file,
                    format!("issueWeights has no number for issue `{}`", issue.name),
                )
            })?;
        if w < 0.0 {
            return Err(bad(
                file,
                format!("issueWeights.{}: {w} is negative", issue.name),
            ));
        }
        let u = utils.get(&issue.name).and_then(utilities).ok_or_else(|| {
            bad(
                file,
                format!(
                    "issueUtilities.{}: expected {{\"DiscreteValueSetUtilities\": {{\"valueUtilities\": {{...}}}}}} or {{\"NumberValueSetUtilities\": {{\"lowValue\", \"lowUtility\", \"highValue\", \"highUtility\"}}}}",
                    issue.name
                ),
            )
        })?;
        let table = match (&issue.kind, &u) {
            (IssueKind::Categorical { options, .. }, Utilities::Discrete(_)) => options
                .iter()
                .map(|o| u.of(&J::String(o.clone())))
                .collect(),
            (
                IssueKind::Integer { .. } | IssueKind::Continuous { .. },
                Utilities::Number { .. },
            ) => (0..issue.cardinality())
                .map(|v| u.of_number(issue.numeric_value(v).unwrap_or(f64::NAN)))
                .collect(),
            _ => {
                return Err(bad(
                    file,
                    format!(
                        "issueUtilities.{}: discrete utilities need a discrete value set, number utilities a number range",
                        issue.name
                    ),
                ));
            }
        };
        weights.push(w);
        values.push(ValueFunction::Table(table));
        per_issue.push(u);
    }
    for k in weights_json.keys().chain(utils.keys()) {
        if !domain.issues.iter().any(|i| &i.name == k) {
            return Err(bad(
                file,
                format!("the profile weighs or values issue `{k}`, which its domain lacks"),
            ));
        }
    }
    let sum: f64 = weights.iter().sum();
    if (sum - 1.0).abs() > 1e-6 {
        return Err(bad(
            file,
            format!("issueWeights sum to {sum}; GeniusWeb requires them to sum to 1"),
        ));
    }
    let reservation = match body.get("reservationBid") {
        None | Some(J::Null) => 0.0,
        Some(bid) => {
            let values = bid.get("issuevalues").unwrap_or(bid);
            let values = values.as_object().ok_or_else(|| {
                bad(
                    file,
                    "reservationBid: expected {\"issuevalues\": {issue: value}}",
                )
            })?;
            let mut u = 0.0;
            for ((issue, w), f) in domain.issues.iter().zip(&weights).zip(&per_issue) {
                if let Some(v) = values.get(&issue.name) {
                    u += w * f.of(v);
                }
            }
            u
        }
    };
    let party = Party {
        name,
        role: Role::Party,
        description: String::new(),
        preferences: Preferences {
            model: UtilityModel::Additive {
                weights,
                values,
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

/// Builds a scenario from profile files (text, file name) and, optionally, a
/// domain file; every profile's embedded domain must have the same issues.
pub fn scenario(
    domain: Option<(&str, &str)>,
    profiles: &[(String, String)],
) -> Result<Scenario, FormatError> {
    let mut dom = match domain {
        Some((text, file)) => Some((domain_from_json(&parse_json(text, file)?, file)?, file)),
        None => None,
    };
    let mut parties: Vec<Party> = Vec::new();
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
        let base = party.name.clone();
        let mut n = 2;
        while parties.iter().any(|p| p.name == party.name) {
            party.name = format!("{base}#{n}");
            n += 1;
        }
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
    })
    .map_err(|e| FormatError::unusable(from, e.to_string()))
}

/// Reads a GeniusWeb domain file (optional) and profile files from disk.
pub fn read_files(domain: Option<&Path>, profiles: &[&Path]) -> Result<Scenario, FormatError> {
    let read = |p: &Path| -> Result<(String, String), FormatError> {
        let bytes = std::fs::read(p).map_err(|e| FormatError::io(p, e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| FormatError::unusable(p.display(), "not UTF-8 text"))?;
        Ok((text, p.display().to_string()))
    };
    let d = domain.map(read).transpose()?;
    let ps: Vec<(String, String)> = profiles.iter().map(|p| read(p)).collect::<Result<_, _>>()?;
    scenario(d.as_ref().map(|(t, f)| (t.as_str(), f.as_str())), &ps)
}

/// The JSON texts of a GeniusWeb domain and of one profile per party.
#[derive(Clone, Debug)]
pub struct GeniusWebFiles {
    pub domain: String,
    pub profiles: Vec<(String, String)>,
}

/// Largest space searched for a reservation bid.
const RESERVATION_SEARCH_LIMIT: u64 = 10_000_000;

/// Writes a scenario as GeniusWeb JSON. Each party is written from its
/// compiled per-issue terms `c_i(v)`: with `M = Σ_i max_v c_i(v)` (at most
/// 1), weight `w_i = max_v c_i(v) / M` and utility `c_i(v) / w_i`, so
/// `Σ w_i u_i = Σ c_i` and weights sum to 1. Number issues need linear
/// utilities. A reservation value becomes the reservation bid of the worst
/// outcome worth at least that value (the same outcomes are acceptable).
pub fn write(parts: &ScenarioParts) -> Result<GeniusWebFiles, FormatError> {
    let unusable = |m: String| FormatError::unusable(&parts.name, m);
    let mut iv = Map::new();
    for issue in &parts.issues {
        let set = match &issue.kind {
            IssueKind::Categorical { options, .. } => json!({ "values": options }),
            IssueKind::Integer { min, max } => {
                json!({ "range": { "low": min, "high": max, "step": 1 } })
            }
            IssueKind::Continuous { min, max, step } => {
                let n = continuous_points(*min, *max, *step);
                if n > 1 && (min + step * (n - 1) as f64 - max).abs() > step * 1e-9 {
                    return Err(unusable(format!(
                        "issue `{}`: GeniusWeb's number values are low + k·step, and {max} is not on the grid of step {step}",
                        issue.name
                    )));
                }
                json!({ "range": { "low": min, "high": max, "step": step } })
            }
        };
        iv.insert(issue.name.clone(), set);
    }
    let domain = json!({ "name": parts.name, "issuesValues": iv });
    let scenario = Scenario::new(parts.clone()).map_err(|e| unusable(e.to_string()))?;
    let mut profiles = Vec::new();
    for (pi, party) in parts.parties.iter().enumerate() {
        let fail = |m: String| {
            unusable(format!(
                "party `{}` cannot be written as GeniusWeb: {m}",
                party.name
            ))
        };
        if !party.preferences.red_lines.is_empty() {
            return Err(fail("GeniusWeb profiles have no red lines".into()));
        }
        let (u, _) = compile(&party.name, &party.preferences, &parts.issues)
            .map_err(|e| fail(e.to_string()))?;
        if !u.is_additive() {
            return Err(fail("the utility is not a sum of per-issue terms".into()));
        }
        let mut columns: Vec<Vec<f64>> = u
            .terms
            .iter()
            .map(|t| t.iter().map(|&x| x * u.scale).collect())
            .collect();
        if u.offset != 0.0 {
            for x in columns[0].iter_mut() {
                *x += u.offset;
            }
        }
        let maxima: Vec<f64> = columns
            .iter()
            .map(|c| c.iter().copied().fold(0.0, f64::max))
            .collect();
        let best: f64 = maxima.iter().sum();
        if best > 1.0 + 1e-9 {
            return Err(fail(format!(
                "its utility reaches {best} before {}capping at 1, and GeniusWeb utilities have no cap",
                if u.cap.is_finite() { "GENIUS's " } else { "" }
            )));
        }
        let mut weights = Map::new();
        let mut utils = Map::new();
        for ((issue, col), &m) in parts.issues.iter().zip(&columns).zip(&maxima) {
            if col.iter().any(|&x| x < -1e-12) {
                return Err(fail(format!(
                    "issue `{}` has negative utilities",
                    issue.name
                )));
            }
            let w = if best > 0.0 {
                m / best
            } else {
                1.0 / parts.issues.len() as f64
            };
            let util = |x: f64| {
                if w > 0.0 {
                    (x / w).clamp(0.0, 1.0)
                } else {
                    0.0
                }
            };
            let body = match &issue.kind {
                IssueKind::Categorical { options, .. } => {
                    let vu: Map<String, J> = options
                        .iter()
                        .zip(col)
                        .map(|(o, &x)| (o.clone(), json!(util(x))))
                        .collect();
                    json!({ "DiscreteValueSetUtilities": { "valueUtilities": vu } })
                }
                _ => {
                    let n = col.len();
                    let lo = issue.numeric_value(0).unwrap_or(0.0);
                    let hi = issue.numeric_value(n as u32 - 1).unwrap_or(0.0);
                    let (ul, uh) = (util(col[0]), util(col[n - 1]));
                    let linear = (0..n).all(|v| {
                        let x = issue.numeric_value(v as u32).unwrap_or(0.0);
                        let y = if hi > lo {
                            ul + (uh - ul) * (x - lo) / (hi - lo)
                        } else {
                            ul
                        };
                        (y - util(col[v])).abs() <= 1e-9
                    });
                    if !linear || !(hi > lo) {
                        return Err(fail(format!(
                            "issue `{}`: GeniusWeb number utilities are linear from the lowest to the highest value",
                            issue.name
                        )));
                    }
                    json!({ "NumberValueSetUtilities": {
                        "lowValue": lo, "lowUtility": ul, "highValue": hi, "highUtility": uh } })
                }
            };
            weights.insert(issue.name.clone(), json!(w));
            utils.insert(issue.name.clone(), body);
        }
        let mut body = Map::new();
        body.insert("issueUtilities".into(), J::Object(utils));
        body.insert("issueWeights".into(), J::Object(weights));
        body.insert("domain".into(), domain.clone());
        body.insert("name".into(), json!(party.name));
        let rv = party.preferences.reservation;
        if rv > 0.0 {
            let bid = reservation_bid(&scenario, pi, rv).ok_or_else(|| {
                fail(format!(
                    "its reservation value {rv} must become a reservation bid, and the space is too large to search for one"
                ))
            })?;
            body.insert("reservationBid".into(), json!({ "issuevalues": bid }));
        }
        let text = serde_json::to_string_pretty(&json!({ "LinearAdditiveUtilitySpace": body }))
            .unwrap_or_default();
        profiles.push((party.name.clone(), text));
    }
    Ok(GeniusWebFiles {
        domain: serde_json::to_string_pretty(&domain).unwrap_or_default(),
        profiles,
    })
}

/// The worst outcome worth at least `rv` to party `p` (the best one when none
/// is), as a GeniusWeb bid.
fn reservation_bid(s: &Scenario, p: usize, rv: f64) -> Option<Map<String, J>> {
    let space = s.space();
    let count = space
        .count_u64()
        .filter(|&c| c <= RESERVATION_SEARCH_LIMIT)?;
    let u = &s.utilities()[p];
    let mut o = vec![0u32; space.issue_count()];
    let mut chosen: Option<(f64, Vec<u32>)> = None;
    let mut best: Option<(f64, Vec<u32>)> = None;
    for _ in 0..count {
        let x = u.eval(&o);
        if x >= rv - 1e-12 && chosen.as_ref().is_none_or(|(c, _)| x < *c) {
            chosen = Some((x, o.clone()));
        }
        if best.as_ref().is_none_or(|(b, _)| x > *b) {
            best = Some((x, o.clone()));
        }
        if space.advance(&mut o).is_none() {
            break;
        }
    }
    let (_, outcome) = chosen.or(best)?;
    Some(
        s.issues()
            .iter()
            .zip(&outcome)
            .map(|(issue, &v)| {
                let value = match &issue.kind {
                    IssueKind::Categorical { .. } => json!(issue.value_label(v)),
                    _ => json!(issue.numeric_value(v).unwrap_or(0.0)),
                };
                (issue.name.clone(), value)
            })
            .collect(),
    )
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
