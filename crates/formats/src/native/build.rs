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
    Clause, Condition, Issue, IssueId, IssueKind, Party, Proposal, ScenarioParts, ValueSet,
    format_number,
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
    pub(super) fn len(&self) -> usize {
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
pub(super) struct Issues<'a> {
    /// `None` for an issue that could not be built (its problem is reported).
    pub(super) built: Vec<Option<Issue>>,
    names: Vec<&'a str>,
    /// Name -> index of the first issue of that name.
    pub(super) by_name: HashMap<&'a str, usize>,
    /// Per categorical issue: option name -> index.
    options: Vec<HashMap<String, u32>>,
}

impl Issues<'_> {
    /// The index and issue named `name`; reports an unknown name, and gives
    /// `None` silently for an issue that could not be built.
    pub(super) fn get(&self, name: &str, at: &Path, p: &mut Sink) -> Option<(usize, &Issue)> {
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

    pub(super) fn option(&self, i: usize, name: &str) -> Option<u32> {
        self.options[i].get(name).copied()
    }
}

/// Converts the file structure into model parts, checking every name and
/// number; every problem found is returned.
pub fn build(spec: &ScenarioFile) -> Result<ScenarioParts, Vec<BuildProblem>> {
    let mut p = Sink::default();
    let root = Path::default();
    check_header(spec, &root, &mut p);
    let issues = build_issues(spec, &root, &mut p);
    // Building the parties allocates per value (tables, red lines' value
    // sets): refuse a space whose utility tables would be too large before
    // any of that, by the core's rule, so every front end is protected.
    let built: Vec<detente_core::Issue> = issues.built.iter().flatten().cloned().collect();
    if let Err(e) = detente_core::check_value_cells(&built, spec.parties.len()) {
        p.add(root.key("issues"), e.to_string());
        return Err(p.finish().err().unwrap_or_default());
    }
    let mut uncertain = Vec::new();
    let (parties, party_names) = build_parties(spec, &issues, &root, &mut p, &mut uncertain);
    let mut proposal_names = HashSet::with_capacity(spec.proposals.len());
    let proposals = spec
        .proposals
        .iter()
        .enumerate()
        .map(|(k, pr)| {
            let at = root.key("proposals").index(k);
            build_proposal(
                pr,
                &mut proposal_names,
                spec,
                &party_names,
                &issues,
                &at,
                &mut p,
            )
        })
        .collect();
    p.finish()?;
    uncertain.sort_by_key(detente_core::Uncertain::order_key);
    Ok(ScenarioParts {
        name: spec.name.clone(),
        description: spec.description.clone(),
        issues: issues.built.into_iter().flatten().collect(),
        parties: parties.into_iter().flatten().collect(),
        proposals,
        uncertain,
    })
}

/// The format version, the scenario's name, and that there are issues.
fn check_header(spec: &ScenarioFile, root: &Path, p: &mut Sink) {
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
}

/// Every issue, indexed by name (the first of a repeated name) and, for
/// categorical issues, by option name.
fn build_issues<'a>(spec: &'a ScenarioFile, root: &Path, p: &mut Sink) -> Issues<'a> {
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
        let (issue, options) = match build_issue(is, &at, p) {
            Some((issue, options)) => (Some(issue), options),
            None => (None, HashMap::new()),
        };
        issues.built.push(issue);
        issues.options.push(options);
    }
    issues
}

/// Every party (`None` for one that could not be built), and the set of
/// party names for proposals' `by`.
fn build_parties<'a>(
    spec: &'a ScenarioFile,
    issues: &Issues,
    root: &Path,
    p: &mut Sink,
    uncertain: &mut Vec<detente_core::Uncertain>,
) -> (Vec<Option<Party>>, HashSet<&'a str>) {
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
        let mut found = super::party::Found {
            party: detente_core::PartyId(k as u32),
            out: uncertain,
        };
        parties.push(super::party::build_party(ps, issues, &at, p, &mut found));
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
    (parties, party_names)
}

/// One proposal: a known author, and a value for every issue (`names` holds
/// the proposals' names so far, to report a repeat).
fn build_proposal<'a>(
    pr: &'a ProposalSpec,
    names: &mut HashSet<&'a str>,
    spec: &ScenarioFile,
    party_names: &HashSet<&str>,
    issues: &Issues,
    at: &Path,
    p: &mut Sink,
) -> Proposal {
    if !names.insert(&pr.name) {
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
        if let Some((i, _)) = issues.get(name, &vat, p) {
            // A wrong value is reported; `0` only keeps the count of missing ones right.
            outcome[i] = single_value(issues, i, v, &vat, p).unwrap_or(0);
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
    Proposal {
        name: pr.name.clone(),
        by: pr.by.clone(),
        description: pr.description.clone(),
        outcome,
    }
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
    let mut option_index = HashMap::new();
    let kind = match kind {
        IssueKindName::Categorical => categorical_kind(is, at, &mut option_index, p),
        IssueKindName::Integer => integer_kind(is, at, p)?,
        IssueKindName::Continuous => continuous_kind(is, at, p)?,
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

/// Reports a field that a `kind` of issue does not use.
fn unexpected(kind: IssueKindName, at: &Path, field: &str, present: bool, p: &mut Sink) {
    if present {
        p.add(
            at.key(field),
            format!("`{field}` does not apply to a {kind:?} issue").to_lowercase(),
        );
    }
}

/// A categorical issue: distinct options (indexed into `option_index`), at
/// least one.
fn categorical_kind(
    is: &IssueSpec,
    at: &Path,
    option_index: &mut HashMap<String, u32>,
    p: &mut Sink,
) -> IssueKind {
    let kind = IssueKindName::Categorical;
    unexpected(kind, at, "min", is.min.is_some(), p);
    unexpected(kind, at, "max", is.max.is_some(), p);
    unexpected(kind, at, "step", is.step.is_some(), p);
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

/// An integer issue: whole bounds in order, within the limit on values;
/// `None` when a bound is missing or not finite (reported).
fn integer_kind(is: &IssueSpec, at: &Path, p: &mut Sink) -> Option<IssueKind> {
    let kind = IssueKindName::Integer;
    unexpected(kind, at, "options", is.options.is_some(), p);
    unexpected(kind, at, "step", is.step.is_some(), p);
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
    Some(IssueKind::Integer {
        min: min as i64,
        max: max as i64,
    })
}

/// A continuous issue: bounds in order and a positive step, within the
/// limit on grid points; `None` when a number is missing or not finite
/// (reported).
fn continuous_kind(is: &IssueSpec, at: &Path, p: &mut Sink) -> Option<IssueKind> {
    unexpected(
        IssueKindName::Continuous,
        at,
        "options",
        is.options.is_some(),
        p,
    );
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
    Some(IssueKind::Continuous { min, max, step })
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

pub(super) fn describe(v: &J) -> String {
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
pub(super) fn value_set(
    issues: &Issues,
    i: usize,
    v: &J,
    at: &Path,
    p: &mut Sink,
) -> Option<ValueSet> {
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

pub(super) fn clause(issues: &Issues, when: &When, at: &Path, p: &mut Sink) -> Option<Clause> {
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
