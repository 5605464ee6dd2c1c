//! Checking a parsed native file and turning it into model parts.
//!
//! Every check records its problem and goes on, so one run reports all that
//! is wrong; a part that could not be built (an issue with a bad range, say)
//! is left out silently from the checks that refer to it, so one mistake is
//! reported once. Names are looked up in hash maps built once, so a file
//! with 10^5 issues or options is checked in linear time.

use super::schema::*;
use crate::locate::Path;
use detente_core::{
    Clause, Condition, HyperRectangle, Interaction, Issue, IssueId, IssueKind, Normalisation,
    Party, Preferences, Proposal, RedLine, Role, ScenarioParts, UtilityModel, ValueFunction,
    ValueSet, format_number,
};
use serde_json::Value as J;
use std::collections::{HashMap, HashSet};

/// A problem found after parsing: where it is (a path into the document)
/// and what is wrong.
pub type BuildProblem = (Path, String);

/// Where checks put their problems.
#[derive(Default)]
pub(crate) struct Sink(Vec<BuildProblem>);

impl Sink {
    pub(crate) fn add(&mut self, at: Path, message: impl Into<String>) {
        self.0.push((at, message.into()));
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    /// `Ok` when nothing was found.
    pub(crate) fn finish(self) -> Result<(), Vec<BuildProblem>> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(self.0)
        }
    }
}

/// How many names an "expected one of" list shows before it says how many
/// more there are (a file with 10^5 issues would otherwise give messages of
/// megabytes).
const LISTED: usize = 12;

pub(crate) fn expected_list<T: AsRef<str>>(items: &[T]) -> String {
    let mut s = items
        .iter()
        .take(LISTED)
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > LISTED {
        s.push_str(&format!(", ... ({} in all)", items.len()));
    }
    s
}

/// The issues as built, with their names and option names indexed.
struct Issues<'a> {
    /// `None` for an issue that could not be built (its problem is reported).
    built: Vec<Option<Issue>>,
    names: Vec<&'a str>,
    /// Name -> index of the first issue of that name.
    by_name: HashMap<&'a str, usize>,
    /// Per categorical issue: option name -> index.
    options: Vec<HashMap<String, u32>>,
}

impl Issues<'_> {
    /// The index and issue named `name`; reports an unknown name, and gives
    /// `None` silently for an issue that could not be built.
    fn get(&self, name: &str, at: &Path, p: &mut Sink) -> Option<(usize, &Issue)> {
        match self.by_name.get(name) {
            Some(&i) => self.built[i].as_ref().map(|issue| (i, issue)),
            None => {
                p.add(
                    at.clone(),
                    format!(
                        "unknown issue `{name}`; expected one of {}",
                        expected_list(&self.names)
                    ),
                );
                None
            }
        }
    }

    fn option(&self, i: usize, name: &str) -> Option<u32> {
        self.options[i].get(name).copied()
    }
}

/// Converts the file structure into model parts, checking every name and
/// number; every problem found is returned.
pub fn build(spec: &ScenarioFile) -> Result<ScenarioParts, Vec<BuildProblem>> {
    let mut p = Sink::default();
    let root = Path::default();
    if let Some(v) = spec.version
        && v != super::VERSION
    {
        p.add(
            root.key("version"),
            format!(
                "unsupported format version {v}; this build reads version {}",
                super::VERSION
            ),
        );
    }
    if spec.name.trim().is_empty() {
        p.add(root.key("name"), "the scenario name is empty");
    }
    if spec.issues.is_empty() {
        p.add(root.key("issues"), "a scenario needs at least one issue");
    }
    let mut issues = Issues {
        built: Vec::with_capacity(spec.issues.len()),
        names: spec.issues.iter().map(|i| i.name.as_str()).collect(),
        by_name: HashMap::with_capacity(spec.issues.len()),
        options: Vec::with_capacity(spec.issues.len()),
    };
    for (k, is) in spec.issues.iter().enumerate() {
        let at = root.key("issues").index(k);
        if is.name.trim().is_empty() {
            p.add(at.key("name"), "an issue name is empty");
        }
        if issues.by_name.contains_key(is.name.as_str()) {
            p.add(
                at.key("name"),
                format!("issue `{}` is declared twice", is.name),
            );
        } else {
            issues.by_name.insert(&is.name, k);
        }
        let (issue, options) = match build_issue(is, &at, &mut p) {
            Some((issue, options)) => (Some(issue), options),
            None => (None, HashMap::new()),
        };
        issues.built.push(issue);
        issues.options.push(options);
    }
    if spec.parties.is_empty() {
        p.add(root.key("parties"), "a scenario needs at least one party");
    }
    let mut party_names: HashSet<&str> = HashSet::with_capacity(spec.parties.len());
    let mut parties = Vec::with_capacity(spec.parties.len());
    for (k, ps) in spec.parties.iter().enumerate() {
        let at = root.key("parties").index(k);
        if ps.name.trim().is_empty() {
            p.add(at.key("name"), "a party name is empty");
        }
        if !party_names.insert(&ps.name) {
            p.add(
                at.key("name"),
                format!("party `{}` is declared twice", ps.name),
            );
        }
        parties.push(build_party(ps, &issues, &at, &mut p));
    }
    if !spec.parties.is_empty()
        && spec
            .parties
            .iter()
            .all(|ps| ps.role == Some(RoleName::Mediator))
    {
        p.add(
            root.key("parties"),
            "every party is a mediator; at least one needs role `party`",
        );
    }
    let mut proposal_names: HashSet<&str> = HashSet::with_capacity(spec.proposals.len());
    let mut proposals = Vec::with_capacity(spec.proposals.len());
    for (k, pr) in spec.proposals.iter().enumerate() {
        let at = root.key("proposals").index(k);
        if !proposal_names.insert(&pr.name) {
            p.add(
                at.key("name"),
                format!("proposal `{}` is declared twice", pr.name),
            );
        }
        if let Some(by) = &pr.by
            && !party_names.contains(by.as_str())
        {
            let names: Vec<&str> = spec.parties.iter().map(|p| p.name.as_str()).collect();
            p.add(
                at.key("by"),
                format!(
                    "unknown party `{by}`; expected one of {}",
                    expected_list(&names)
                ),
            );
        }
        let mut outcome = vec![u32::MAX; issues.built.len()];
        for (name, v) in &pr.outcome {
            let vat = at.key("outcome").key(name);
            if let Some((i, _)) = issues.get(name, &vat, &mut p) {
                // A wrong value is reported; `0` only keeps the count of missing ones right.
                outcome[i] = single_value(&issues, i, v, &vat, &mut p).unwrap_or(0);
            }
        }
        let missing = (0..outcome.len()).find(|&i| {
            outcome[i] == u32::MAX
                && issues.built[i].is_some()
                && issues.by_name.get(issues.names[i]) == Some(&i)
        });
        if let Some(i) = missing {
            p.add(
                at.key("outcome"),
                format!(
                    "proposal `{}` gives no value for issue `{}`; a proposal must settle every issue",
                    pr.name, issues.names[i]
                ),
            );
        }
        proposals.push(Proposal {
            name: pr.name.clone(),
            by: pr.by.clone(),
            description: pr.description.clone(),
            outcome,
        });
    }
    p.finish()?;
    Ok(ScenarioParts {
        name: spec.name.clone(),
        description: spec.description.clone(),
        issues: issues.built.into_iter().flatten().collect(),
        parties: parties.into_iter().flatten().collect(),
        proposals,
    })
}

/// One issue, with its option names indexed when it is categorical; `None`
/// when something is wrong (reported).
fn build_issue(is: &IssueSpec, at: &Path, p: &mut Sink) -> Option<(Issue, HashMap<String, u32>)> {
    let kind = match is.kind {
        Some(k) => k,
        None if is.options.is_some() => IssueKindName::Categorical,
        None => {
            p.add(
                at.clone(),
                format!(
                    "issue `{}` has neither `options` nor `kind`; expected `options = [...]` or `kind = \"integer\"|\"continuous\"` with `min` and `max`",
                    is.name
                ),
            );
            return None;
        }
    };
    let before = p.len();
    let mut unexpected = |field: &str, present: bool| {
        if present {
            p.add(
                at.key(field),
                format!("`{field}` does not apply to a {kind:?} issue").to_lowercase(),
            );
        }
    };
    let mut option_index = HashMap::new();
    let kind = match kind {
        IssueKindName::Categorical => {
            unexpected("min", is.min.is_some());
            unexpected("max", is.max.is_some());
            unexpected("step", is.step.is_some());
            let options = is.options.clone().unwrap_or_default();
            if options.is_empty() {
                p.add(
                    at.key("options"),
                    format!("issue `{}` has no options", is.name),
                );
            }
            option_index.reserve(options.len());
            for (j, o) in options.iter().enumerate() {
                if option_index.insert(o.clone(), j as u32).is_some() {
                    p.add(
                        at.key("options").index(j),
                        format!("issue `{}` lists option `{o}` twice", is.name),
                    );
                }
            }
            IssueKind::Categorical {
                options,
                ordered: is.ordered.unwrap_or(false),
            }
        }
        IssueKindName::Integer => {
            unexpected("options", is.options.is_some());
            unexpected("step", is.step.is_some());
            let (min, max) = (
                number(is, at, "min", is.min, p),
                number(is, at, "max", is.max, p),
            );
            let (Some(min), Some(max)) = (min, max) else {
                return None;
            };
            if min.fract() != 0.0 || max.fract() != 0.0 {
                p.add(at.key("min"), "integer bounds must be whole numbers");
            } else if min > max {
                p.add(at.key("max"), format!("max {max} is below min {min}"));
            } else if max - min + 1.0 > detente_core::MAX_ISSUE_CARDINALITY as f64 {
                p.add(
                    at.key("max"),
                    format!(
                        "the range has {} values; at most {} are supported",
                        max - min + 1.0,
                        detente_core::MAX_ISSUE_CARDINALITY
                    ),
                );
            }
            IssueKind::Integer {
                min: min as i64,
                max: max as i64,
            }
        }
        IssueKindName::Continuous => {
            unexpected("options", is.options.is_some());
            let (min, max, step) = (
                number(is, at, "min", is.min, p),
                number(is, at, "max", is.max, p),
                number(is, at, "step", is.step, p),
            );
            let (Some(min), Some(max), Some(step)) = (min, max, step) else {
                return None;
            };
            if min > max {
                p.add(at.key("max"), format!("max {max} is below min {min}"));
            } else if step <= 0.0 {
                p.add(at.key("step"), format!("step must be positive, not {step}"));
            } else if (max - min) / step > detente_core::MAX_ISSUE_CARDINALITY as f64 {
                p.add(
                    at.key("step"),
                    format!(
                        "the step gives more than {} grid points; use a larger step",
                        detente_core::MAX_ISSUE_CARDINALITY
                    ),
                );
            }
            IssueKind::Continuous { min, max, step }
        }
    };
    if p.len() > before {
        return None;
    }
    let issue = Issue {
        name: is.name.clone(),
        description: is.description.clone(),
        kind,
    };
    Some((issue, option_index))
}

/// A finite bound of a numeric issue.
fn number(is: &IssueSpec, at: &Path, field: &str, v: Option<f64>, p: &mut Sink) -> Option<f64> {
    match v {
        Some(x) if x.is_finite() => Some(x),
        Some(x) => {
            p.add(
                at.key(field),
                format!("`{field}` must be a finite number, not {x}"),
            );
            None
        }
        None => {
            p.add(at.clone(), format!("issue `{}` needs `{field}`", is.name));
            None
        }
    }
}

pub(crate) fn describe(v: &J) -> String {
    match v {
        J::String(s) => format!("`{s}`"),
        other => other.to_string(),
    }
}

/// One value of issue `i`, written as an option name or a number.
fn single_value(issues: &Issues, i: usize, v: &J, at: &Path, p: &mut Sink) -> Option<u32> {
    let issue = issues.built[i].as_ref()?;
    let found = match (&issue.kind, v) {
        (IssueKind::Categorical { options, .. }, J::String(s)) => {
            issues.option(i, s).ok_or_else(|| {
                format!(
                    "unknown option `{s}` for issue `{}`; expected one of {}",
                    issue.name,
                    expected_list(options)
                )
            })
        }
        (IssueKind::Categorical { options, .. }, other) => Err(format!(
            "issue `{}` is categorical: expected an option name ({}), found {}",
            issue.name,
            expected_list(options),
            describe(other)
        )),
        (_, J::Number(n)) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            issue.numeric_index(x).ok_or_else(|| {
                format!(
                    "{} is not a value of issue `{}` ({})",
                    format_number(x),
                    issue.name,
                    range_text(issue)
                )
            })
        }
        (_, other) => Err(format!(
            "issue `{}` is numeric: expected a number ({}), found {}",
            issue.name,
            range_text(issue),
            describe(other)
        )),
    };
    found.map_err(|m| p.add(at.clone(), m)).ok()
}

fn range_text(issue: &Issue) -> String {
    match &issue.kind {
        IssueKind::Integer { min, max } => format!("an integer from {min} to {max}"),
        IssueKind::Continuous { min, max, step } => format!(
            "from {} to {} on a grid of step {}",
            format_number(*min),
            format_number(*max),
            format_number(*step)
        ),
        IssueKind::Categorical { options, .. } => format!("one of {}", expected_list(options)),
    }
}

/// A set of values of issue `i`: a value, a list of values, or `{ min, max }`
/// for numeric issues.
fn value_set(issues: &Issues, i: usize, v: &J, at: &Path, p: &mut Sink) -> Option<ValueSet> {
    let issue = issues.built[i].as_ref()?;
    let before = p.len();
    let mut set = vec![false; issue.cardinality() as usize];
    match v {
        J::Array(items) => {
            if items.is_empty() {
                p.add(
                    at.clone(),
                    "an empty list matches nothing; list at least one value",
                );
            }
            for (k, item) in items.iter().enumerate() {
                if let Some(j) = single_value(issues, i, item, &at.index(k), p) {
                    set[j as usize] = true;
                }
            }
        }
        J::Object(range) if issue.is_numeric() => {
            for key in range.keys() {
                if key != "min" && key != "max" {
                    p.add(
                        at.key(key),
                        format!("unknown key `{key}`; expected `min` and/or `max`"),
                    );
                }
            }
            let mut bound = |k: &str, default: f64| match range.get(k) {
                None => default,
                Some(J::Number(x)) => x.as_f64().unwrap_or(default),
                Some(other) => {
                    p.add(
                        at.key(k),
                        format!("`{k}` must be a number, found {}", describe(other)),
                    );
                    default
                }
            };
            let lo = bound("min", f64::NEG_INFINITY);
            let hi = bound("max", f64::INFINITY);
            for (j, slot) in set.iter_mut().enumerate() {
                let x = issue.numeric_value(j as u32).unwrap_or(f64::NAN);
                *slot = x >= lo && x <= hi;
            }
            if p.len() == before && !set.iter().any(|b| *b) {
                p.add(
                    at.clone(),
                    format!(
                        "the range matches no value of issue `{}` ({})",
                        issue.name,
                        range_text(issue)
                    ),
                );
            }
        }
        other => {
            if let Some(j) = single_value(issues, i, other, at, p) {
                set[j as usize] = true;
            }
        }
    }
    (p.len() == before).then_some(ValueSet(set))
}

fn clause(issues: &Issues, when: &When, at: &Path, p: &mut Sink) -> Option<Clause> {
    if when.is_empty() {
        p.add(
            at.clone(),
            "`when` is empty; expected at least one `issue = value` condition",
        );
        return None;
    }
    let mut conditions = Vec::new();
    let mut complete = true;
    for (name, v) in when {
        let vat = at.key(name);
        let values = issues
            .get(name, &vat, p)
            .and_then(|(i, _)| Some((i, value_set(issues, i, v, &vat, p)?)));
        match values {
            Some((i, values)) => conditions.push(Condition {
                issue: IssueId(i as u32),
                values,
            }),
            None => complete = false,
        }
    }
    complete.then_some(Clause { conditions })
}

fn build_party(ps: &PartySpec, issues: &Issues, at: &Path, p: &mut Sink) -> Option<Party> {
    let before = p.len();
    let normalisation = match ps.normalisation.unwrap_or(NormalisationName::MinMax) {
        NormalisationName::MinMax => Normalisation::MinMax,
        NormalisationName::AsGiven => Normalisation::AsGiven,
        NormalisationName::CappedAtOne => Normalisation::CappedAtOne,
    };
    let reservation = ps.reservation.unwrap_or(0.0);
    if normalisation == Normalisation::MinMax && !(0.0..=1.0).contains(&reservation) {
        p.add(
            at.key("reservation"),
            format!(
                "reservation value {reservation} of party `{}` is outside [0, 1]; utilities are normalised so the worst outcome is 0 and the best is 1",
                ps.name
            ),
        );
    } else if !reservation.is_finite() {
        p.add(
            at.key("reservation"),
            "the reservation value must be a finite number",
        );
    }
    let discount = ps.discount.unwrap_or(1.0);
    if !(discount > 0.0 && discount <= 1.0) {
        p.add(
            at.key("discount"),
            format!("discount factor {discount} is outside (0, 1]; 1 means no discounting"),
        );
    }
    let model = match &ps.boxes {
        Some(b) => boxes_model(ps, b, issues, at, p),
        None => additive_model(ps, issues, at, p),
    };
    let mut red_lines = Vec::new();
    for (k, r) in ps.red_lines.iter().enumerate() {
        let rat = at.key("red_lines").index(k);
        if let Some(when) = clause(issues, &r.when, &rat.key("when"), p) {
            red_lines.push(RedLine {
                when,
                note: r.note.clone(),
            });
        }
    }
    if p.len() > before {
        return None;
    }
    Some(Party {
        name: ps.name.clone(),
        role: match ps.role.unwrap_or(RoleName::Party) {
            RoleName::Party => Role::Party,
            RoleName::Mediator => Role::Mediator,
        },
        description: ps.description.clone(),
        preferences: Preferences {
            model: model?,
            normalisation,
            red_lines,
            reservation,
            discount,
        },
    })
}

fn boxes_model(
    ps: &PartySpec,
    b: &BoxesSpec,
    issues: &Issues,
    at: &Path,
    p: &mut Sink,
) -> Option<UtilityModel> {
    let before = p.len();
    if !ps.weights.is_empty() || !ps.values.is_empty() || !ps.interactions.is_empty() {
        p.add(
            at.key("boxes"),
            "a party has either `boxes` or `weights`/`values`/`interactions`, not both",
        );
    }
    if !(b.max_utility.is_finite() && b.max_utility > 0.0) {
        p.add(
            at.key("boxes").key("max_utility"),
            "`max_utility` must be a positive number",
        );
    }
    let mut rectangles = Vec::new();
    for (k, bx) in b.boxes.iter().enumerate() {
        let bat = at.key("boxes").key("boxes").index(k);
        let mut bounds = Vec::new();
        for (name, v) in &bx.within {
            let vat = bat.key("within").key(name);
            let Some((i, _)) = issues.get(name, &vat, p) else {
                continue;
            };
            let Some(set) = value_set(issues, i, v, &vat, p) else {
                continue;
            };
            let idx: Vec<u32> = set.indices().collect();
            let (lo, hi) = (idx[0], idx[idx.len() - 1]);
            if idx.len() as u32 != hi - lo + 1 {
                p.add(vat, "box bounds must be a contiguous range");
                continue;
            }
            bounds.push((IssueId(i as u32), lo, hi));
        }
        if !bx.utility.is_finite() {
            p.add(bat.key("utility"), "box utility must be a finite number");
        }
        rectangles.push(HyperRectangle {
            bounds,
            utility: bx.utility,
        });
    }
    (p.len() == before).then_some(UtilityModel::HyperRectangles {
        rectangles,
        max_utility: b.max_utility,
    })
}

fn additive_model(
    ps: &PartySpec,
    issues: &Issues,
    at: &Path,
    p: &mut Sink,
) -> Option<UtilityModel> {
    let before = p.len();
    let n = issues.built.len();
    let mut weights = vec![0.0; n];
    for (name, &w) in &ps.weights {
        let wat = at.key("weights").key(name);
        let Some((i, _)) = issues.get(name, &wat, p) else {
            continue;
        };
        if !w.is_finite() || w < 0.0 {
            p.add(
                wat,
                format!(
                    "weight {w} of issue `{name}` is negative or not a number; expected a number >= 0"
                ),
            );
            continue;
        }
        weights[i] = w;
    }
    // A weight reported wrong above would make this message a repetition.
    if p.len() == before && weights.iter().all(|w| *w == 0.0) {
        p.add(
            at.key("weights"),
            format!(
                "every weight of party `{}` is zero (or none is given); expected at least one positive weight",
                ps.name
            ),
        );
    }
    for name in ps.values.keys() {
        if !issues.by_name.contains_key(name.as_str()) {
            issues.get(name, &at.key("values").key(name), p);
        }
    }
    let mut values = Vec::with_capacity(n);
    for (i, issue) in issues.built.iter().enumerate() {
        let Some(issue) = issue else { continue };
        if issues.by_name.get(issue.name.as_str()) != Some(&i) {
            continue; // a second issue of the same name, reported already
        }
        let vat = at.key("values").key(&issue.name);
        let vf = match ps.values.get(&issue.name) {
            Some(v) => value_function(issues, i, v, &vat, p),
            None if weights[i] > 0.0 => {
                p.add(
                    at.key("values"),
                    format!(
                        "party `{}` weighs issue `{}` but gives it no values",
                        ps.name, issue.name
                    ),
                );
                None
            }
            None => Some(ValueFunction::Table(vec![
                0.0;
                issue.cardinality() as usize
            ])),
        };
        values.extend(vf);
    }
    let mut interactions = Vec::new();
    for (k, it) in ps.interactions.iter().enumerate() {
        let iat = at.key("interactions").index(k);
        if !it.bonus.is_finite() {
            p.add(iat.key("bonus"), "`bonus` must be a finite number");
        }
        if let Some(when) = clause(issues, &it.when, &iat.key("when"), p) {
            interactions.push(Interaction {
                when,
                bonus: it.bonus,
                note: it.note.clone(),
            });
        }
    }
    (p.len() == before).then_some(UtilityModel::Additive {
        weights,
        values,
        interactions,
    })
}

fn finite(x: &J, at: &Path, p: &mut Sink) -> Option<f64> {
    match x.as_f64() {
        Some(f) if f.is_finite() => Some(f),
        _ => {
            p.add(
                at.clone(),
                format!("expected a number, found {}", describe(x)),
            );
            None
        }
    }
}

fn value_function(
    issues: &Issues,
    i: usize,
    v: &J,
    at: &Path,
    p: &mut Sink,
) -> Option<ValueFunction> {
    let issue = issues.built[i].as_ref()?;
    let before = p.len();
    match (&issue.kind, v) {
        (IssueKind::Categorical { options, .. }, J::Object(table)) => {
            let mut t = vec![f64::NAN; options.len()];
            for (name, x) in table {
                let oat = at.key(name);
                let Some(j) = issues.option(i, name) else {
                    p.add(
                        oat,
                        format!(
                            "unknown option `{name}` for issue `{}`; expected one of {}",
                            issue.name,
                            expected_list(options)
                        ),
                    );
                    continue;
                };
                if let Some(x) = finite(x, &oat, p) {
                    t[j as usize] = x;
                }
            }
            if p.len() == before
                && let Some(j) = t.iter().position(|x| x.is_nan())
            {
                p.add(
                    at.clone(),
                    format!(
                        "no value for option `{}` of issue `{}`; give every option a value",
                        options[j], issue.name
                    ),
                );
            }
            (p.len() == before).then_some(ValueFunction::Table(t))
        }
        (IssueKind::Categorical { .. }, other) => {
            p.add(
                at.clone(),
                format!(
                    "issue `{}` is categorical: expected a table `{{ option = value, ... }}`, found {}",
                    issue.name,
                    describe(other)
                ),
            );
            None
        }
        (_, J::String(s)) if s == "increasing" || s == "decreasing" => {
            let lo = issue.numeric_value(0).unwrap_or(0.0);
            let hi = issue.numeric_value(issue.cardinality() - 1).unwrap_or(1.0);
            Some(ValueFunction::Piecewise(if s == "increasing" {
                vec![(lo, 0.0), (hi, 1.0)]
            } else {
                vec![(lo, 1.0), (hi, 0.0)]
            }))
        }
        (_, J::Object(o)) if o.len() == 1 && o.contains_key("points") => {
            let pat = at.key("points");
            let J::Array(items) = &o["points"] else {
                p.add(pat, "`points` must be a list of [x, value] pairs");
                return None;
            };
            if items.is_empty() {
                p.add(
                    pat,
                    "`points` is empty; expected at least one [x, value] pair",
                );
                return None;
            }
            let mut points = Vec::new();
            for (k, item) in items.iter().enumerate() {
                let iat = pat.index(k);
                match item {
                    J::Array(pair) if pair.len() == 2 => {
                        let (x, y) = (finite(&pair[0], &iat, p), finite(&pair[1], &iat, p));
                        if let (Some(x), Some(y)) = (x, y) {
                            points.push((x, y));
                        }
                    }
                    other => p.add(
                        iat,
                        format!("expected an [x, value] pair, found {}", describe(other)),
                    ),
                }
            }
            if p.len() > before {
                return None;
            }
            if let Some(k) = points.windows(2).position(|w| w[0].0 > w[1].0) {
                p.add(pat.index(k + 1), "points must be sorted by x");
                return None;
            }
            Some(ValueFunction::Piecewise(points))
        }
        (_, other) => {
            p.add(
                at.clone(),
                format!(
                    "issue `{}` is numeric: expected \"increasing\", \"decreasing\" or {{ points = [[x, value], ...] }}, found {}",
                    issue.name,
                    describe(other)
                ),
            );
            None
        }
    }
}
