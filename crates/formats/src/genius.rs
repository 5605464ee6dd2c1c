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

pub(crate) mod detect;
mod write;
pub mod xml;

pub use write::{GeniusFiles, lossy, lossy_with, write};

use crate::error::{FormatError, Location};
use detente_core::{
    HyperRectangle, Issue, IssueId, IssueKind, Normalisation, Party, Preferences, Role, Scenario,
    ScenarioParts, UtilityModel, ValueFunction,
};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use xml::Element;

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
    pub file: String,
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
    Domain,
    /// A profile; `uncertain` for ANAC 2019 `UNCERTAIN` ones.
    Profile {
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

fn at(file: &str, text: &str, el: &Element, message: impl Into<String>) -> FormatError {
    FormatError::at(Location::at_offset(file, text, el.offset), message)
}

fn parse_f64(s: &str) -> Option<f64> {
    let t = s.trim();
    // Java's Double.parseDouble accepts a trailing type suffix.
    let t = t
        .strip_suffix(['d', 'D', 'f', 'F'])
        .filter(|r| !r.is_empty() && !r.ends_with(|c: char| c.is_ascii_alphabetic()))
        .unwrap_or(t);
    t.parse::<f64>().ok()
}

fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim();
    t.parse::<i64>().ok().or_else(|| {
        // Some writers put `3.0` where GENIUS expects an integer.
        parse_f64(t)
            .filter(|x| x.fract() == 0.0 && x.abs() < 9e15)
            .map(|x| x as i64)
    })
}

/// Reads a required numeric attribute.
fn num_attr(file: &str, text: &str, el: &Element, name: &str) -> Result<f64, FormatError> {
    let v = el.attr(name).ok_or_else(|| {
        at(
            file,
            text,
            el,
            format!("<{}> has no `{name}` attribute; expected a number", el.name),
        )
    })?;
    parse_f64(v).filter(|x| x.is_finite()).ok_or_else(|| {
        at(
            file,
            text,
            el,
            format!("<{}> {name}=\"{v}\": expected a number", el.name),
        )
    })
}

fn int_attr(file: &str, text: &str, el: &Element, name: &str) -> Result<i64, FormatError> {
    let v = el.attr(name).ok_or_else(|| {
        at(
            file,
            text,
            el,
            format!(
                "<{}> has no `{name}` attribute; expected an integer",
                el.name
            ),
        )
    })?;
    parse_int(v).ok_or_else(|| {
        at(
            file,
            text,
            el,
            format!("<{}> {name}=\"{v}\": expected an integer", el.name),
        )
    })
}

/// The scenario name GENIUS files suggest: the file stem without a trailing
/// `-domain` or `_domain`.
pub fn domain_name(file: &str) -> String {
    let stem = Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(file);
    let lower = stem.to_ascii_lowercase();
    for suffix in ["-domain", "_domain", " domain"] {
        if lower.ends_with(suffix) && stem.len() > suffix.len() {
            return stem[..stem.len() - suffix.len()].to_string();
        }
    }
    stem.to_string()
}

/// Reads a domain file's bytes (UTF-8, else Windows-1252).
pub fn read_domain(bytes: &[u8], file: &str) -> Result<Domain, FormatError> {
    let text = xml::decode(bytes);
    let root = xml::parse(&text, file)?;
    let space = match root.name.as_str() {
        "negotiation_template" => root.child("utility_space").ok_or_else(|| {
            at(
                file,
                &text,
                &root,
                "<negotiation_template> has no <utility_space> child; expected the domain's issues inside one",
            )
        })?,
        "utility_space" => &root,
        other => {
            return Err(at(
                file,
                &text,
                &root,
                format!(
                    "root element <{other}>: expected <negotiation_template> (a GENIUS domain)"
                ),
            ));
        }
    };
    let objective = space.child("objective").ok_or_else(|| {
        at(
            file,
            &text,
            space,
            "<utility_space> has no <objective>; expected the issue tree under one",
        )
    })?;
    let mut issues = Vec::new();
    let mut indices = Vec::new();
    let mut offsets = Vec::new();
    // Sets, not searches of the lists: a domain of many issues stays linear.
    let mut seen_indices = HashSet::new();
    let mut seen_names = HashSet::new();
    for el in issue_elements(objective) {
        let index = int_attr(file, &text, el, "index")?;
        if !seen_indices.insert(index) {
            return Err(at(
                file,
                &text,
                el,
                format!("a second issue with index {index}; issue indices must be unique"),
            ));
        }
        let name = el
            .attr("name")
            .map(str::to_string)
            .unwrap_or_else(|| format!("issue {index}"));
        if !seen_names.insert(name.clone()) {
            return Err(at(
                file,
                &text,
                el,
                format!("a second issue named `{name}`; issue names must be unique"),
            ));
        }
        let kind = issue_kind(file, &text, el, &name)?;
        issues.push(Issue {
            name,
            description: el.attr("description").unwrap_or("").trim().to_string(),
            kind,
        });
        indices.push(index);
        offsets.push(el.offset);
    }
    if issues.is_empty() {
        return Err(at(file, &text, objective, "the domain has no issues"));
    }
    Ok(Domain {
        name: domain_name(file),
        file: file.to_string(),
        issues,
        indices,
        offsets,
        text,
    })
}

/// The `<issue>` elements of an objective tree in GENIUS's order: at each
/// level the child objectives first, then the issues, in document order.
fn issue_elements(objective: &Element) -> Vec<&Element> {
    let mut out = Vec::new();
    // An explicit stack of (objective, phase) keeps deep trees off the call stack.
    let mut stack: Vec<(&Element, bool)> = vec![(objective, false)];
    while let Some((obj, issues_done)) = stack.pop() {
        if issues_done {
            out.extend(obj.children_named("issue"));
            continue;
        }
        stack.push((obj, true));
        let subs: Vec<&Element> = obj.children_named("objective").collect();
        for s in subs.into_iter().rev() {
            stack.push((s, false));
        }
    }
    out
}

fn issue_kind(file: &str, text: &str, el: &Element, name: &str) -> Result<IssueKind, FormatError> {
    let ty = el
        .attr("type")
        .unwrap_or("discrete")
        .trim()
        .to_ascii_lowercase();
    match ty.as_str() {
        "discrete" | "" => {
            let mut options: Vec<String> = Vec::new();
            // The options so far, for the repeat check (a search of the list
            // made 40,000 items take seconds).
            let mut seen: HashSet<String> = HashSet::new();
            // The next suffix to try for each repeated value, so that many
            // repeats of one value do not retry `#2`, `#3`, … every time.
            let mut next: HashMap<&str, u32> = HashMap::new();
            for item in el.children_named("item") {
                let Some(v) = item.attr("value") else {
                    return Err(at(file, text, item, "<item> has no `value` attribute"));
                };
                // GENIUS keeps a repeated item as a value of its own (2012
                // FlightBooking lists `Sep4_2011` twice: 4 values, 48 bids),
                // evaluated like the first; detente's options must be
                // distinct, so the repeat is named `value#2`.
                let mut option = v.to_string();
                if seen.contains(&option) {
                    // Every suffix below `n` is already taken, so this is the
                    // smallest free one, as a search from `#2` would find.
                    let n = next.entry(v).or_insert(2);
                    loop {
                        option = format!("{v}#{n}");
                        *n += 1;
                        if !seen.contains(&option) {
                            break;
                        }
                    }
                }
                seen.insert(option.clone());
                options.push(option);
            }
            if options.is_empty() {
                return Err(at(
                    file,
                    text,
                    el,
                    format!("discrete issue `{name}` has no <item> values"),
                ));
            }
            Ok(IssueKind::Categorical {
                options,
                ordered: false,
            })
        }
        "integer" => {
            let min = int_attr(file, text, el, "lowerbound")?;
            let max = int_attr(file, text, el, "upperbound")?;
            if min > max {
                return Err(at(
                    file,
                    text,
                    el,
                    format!("integer issue `{name}`: lowerbound {min} is above upperbound {max}"),
                ));
            }
            if (max as i128 - min as i128 + 1) > detente_core::MAX_ISSUE_CARDINALITY as i128 {
                return Err(at(
                    file,
                    text,
                    el,
                    format!(
                        "integer issue `{name}` has more than {} values",
                        detente_core::MAX_ISSUE_CARDINALITY
                    ),
                ));
            }
            Ok(IssueKind::Integer { min, max })
        }
        "real" => {
            let range = el.child("range").unwrap_or(el);
            let min = num_attr(file, text, range, "lowerbound")?;
            let max = num_attr(file, text, range, "upperbound")?;
            if min > max {
                return Err(at(
                    file,
                    text,
                    range,
                    format!("real issue `{name}`: lowerbound {min} is above upperbound {max}"),
                ));
            }
            let step = if max > min {
                (max - min) / (REAL_GRID_POINTS - 1) as f64
            } else {
                1.0
            };
            Ok(IssueKind::Continuous { min, max, step })
        }
        other => Err(at(
            file,
            text,
            el,
            format!("issue `{name}` has type=\"{other}\"; expected discrete, integer or real"),
        )),
    }
}

/// Reads a profile's bytes against its domain and returns the party (named
/// `party_name`).
pub fn read_profile(
    bytes: &[u8],
    file: &str,
    domain: &Domain,
    party_name: &str,
) -> Result<Party, FormatError> {
    let text = xml::decode(bytes);
    let root = xml::parse(&text, file)?;
    if root.name != "utility_space" {
        let hint = if root.name == "negotiation_template" {
            " (this is a domain file, not a profile)"
        } else {
            ""
        };
        return Err(at(
            file,
            &text,
            &root,
            format!(
                "root element <{}>: expected <utility_space> (a GENIUS profile){hint}",
                root.name
            ),
        ));
    }
    let ty = root
        .attr("type")
        .map(|t| t.trim().to_ascii_uppercase())
        .unwrap_or_else(|| "LINEAR".into());
    let mut reservation = 0.0;
    let mut discount = 1.0;
    for child in &root.children {
        match child.name.as_str() {
            "reservation" => reservation = num_attr(file, &text, child, "value")?,
            // GENIUS's validateDiscount: a bad value means no discounting.
            "discount_factor" => {
                discount = child
                    .attr("value")
                    .and_then(parse_f64)
                    .filter(|d| *d > 0.0 && *d <= 1.0)
                    .unwrap_or(1.0)
            }
            _ => {}
        }
    }
    let objective = root.child("objective").ok_or_else(|| {
        at(
            file,
            &text,
            &root,
            "<utility_space> has no <objective>; expected the weighted issue tree",
        )
    })?;
    let mut description = String::new();
    let model = match ty.as_str() {
        "LINEAR" | "UNCERTAIN" => {
            if ty == "UNCERTAIN" {
                description = uncertain_description(&root);
            }
            additive(file, &text, objective, domain)?
        }
        "NONLINEAR" => hyper_rectangles(file, &text, objective, domain)?,
        other => {
            return Err(FormatError::unusable(
                file,
                format!(
                    "profile type \"{other}\" is not supported; expected a linear, UNCERTAIN or nonlinear (hyper-rectangle) profile"
                ),
            ));
        }
    };
    Ok(Party {
        name: party_name.to_string(),
        role: Role::Party,
        description,
        preferences: Preferences {
            model,
            normalisation: Normalisation::CappedAtOne,
            red_lines: vec![],
            reservation,
            discount,
        },
    })
}

fn uncertain_description(root: &Element) -> String {
    let parts: Vec<String> = UNCERTAIN_EXTRAS
        .iter()
        .map(|(name, default)| {
            let v = root
                .child(name)
                .map(|e| e.text.trim().to_string())
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| default.to_string());
            format!("{name}={v}")
        })
        .collect();
    format!("{UNCERTAIN_PREFIX} {}", parts.join(", "))
}

/// Weight and `<issue>` element by GENIUS issue index.
type Weighted<'a> = HashMap<i64, (f64, &'a Element)>;

/// Weighted issues of a profile: for each GENIUS issue index, its weight and
/// its `<issue>` element. Only issues with a `<weight>` of the same index at
/// the same level get an evaluator in GENIUS.
fn weighted_issues<'a>(
    file: &str,
    text: &str,
    objective: &'a Element,
) -> Result<(Weighted<'a>, bool), FormatError> {
    let mut out = HashMap::new();
    let mut any_evaluation = false;
    let mut stack = vec![objective];
    while let Some(obj) = stack.pop() {
        let mut weights: HashMap<i64, f64> = HashMap::new();
        for w in obj.children_named("weight") {
            let index = int_attr(file, text, w, "index")?;
            let value = num_attr(file, text, w, "value")?;
            weights.insert(index, value);
        }
        for issue in obj.children_named("issue") {
            any_evaluation |= issue.children.iter().any(|c| {
                c.name == "evaluator" || (c.name == "item" && c.attr("evaluation").is_some())
            });
            let index = int_attr(file, text, issue, "index")?;
            if let Some(&w) = weights.get(&index) {
                out.insert(index, (w, issue));
            }
        }
        stack.extend(obj.children_named("objective"));
    }
    Ok((out, any_evaluation))
}

fn additive(
    file: &str,
    text: &str,
    objective: &Element,
    domain: &Domain,
) -> Result<UtilityModel, FormatError> {
    let (weighted, any_evaluation) = weighted_issues(file, text, objective)?;
    if !any_evaluation && weighted.values().all(|(w, _)| *w == 0.0) {
        return Err(FormatError::unusable(
            file,
            "an empty placeholder profile: every weight is zero and no issue has evaluations (GENIUS itself cannot evaluate bids with it)",
        ));
    }
    let mut weights = Vec::with_capacity(domain.issues.len());
    let mut values = Vec::with_capacity(domain.issues.len());
    for (k, issue) in domain.issues.iter().enumerate() {
        let index = domain.indices[k];
        let Some(&(w, el)) = weighted.get(&index) else {
            return Err(FormatError::at(
                Location::at_offset(&domain.file, &domain.text, domain.offsets[k]),
                format!(
                    "profile {file} gives issue `{}` (index {index}) no <weight> at its level, so GENIUS cannot evaluate bids; expected <weight index=\"{index}\" value=…/> beside the issue",
                    issue.name
                ),
            ));
        };
        if !(w >= 0.0) {
            return Err(at(
                file,
                text,
                el,
                format!(
                    "issue `{}` has weight {w}; expected a non-negative number",
                    issue.name
                ),
            ));
        }
        weights.push(w);
        values.push(evaluator(file, text, el, issue)?);
    }
    if weights.iter().all(|w| *w == 0.0) {
        return Err(FormatError::unusable(
            file,
            "every weight is zero, so every bid is worth 0; expected at least one positive <weight>",
        ));
    }
    Ok(UtilityModel::Additive {
        weights,
        values,
        interactions: vec![],
    })
}

/// One issue's evaluator, in the form GENIUS evaluates it.
fn evaluator(
    file: &str,
    text: &str,
    el: &Element,
    issue: &Issue,
) -> Result<ValueFunction, FormatError> {
    // A damaged element or attribute name would otherwise leave an
    // evaluator out and every value of the issue worth 0.
    for c in &el.children {
        if !matches!(
            c.name.as_str(),
            "item" | "evaluator" | "range" | "similarity_function" | "criteria_function"
        ) {
            return Err(at(
                file,
                text,
                c,
                format!(
                    "unknown element <{}> in issue `{}`; expected <item>, <evaluator> or <range>",
                    c.name, issue.name
                ),
            ));
        }
        if c.name == "evaluator"
            && let Some((k, _)) = c.attrs.iter().find(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "ftype"
                        | "type"
                        | "slope"
                        | "offset"
                        | "parameter0"
                        | "parameter1"
                        | "parameter2"
                )
            })
        {
            return Err(at(
                file,
                text,
                c,
                format!(
                    "unknown attribute `{k}` of the <evaluator> of issue `{}`; expected ftype, slope and offset (integer issues) or parameter0 to parameter2 (real issues)",
                    issue.name
                ),
            ));
        }
    }
    match &issue.kind {
        IssueKind::Categorical { options, .. } => {
            // The domain's value strings (a repeated value's `v#2` is `v`).
            let known: HashSet<&str> = options
                .iter()
                .map(|o| genius_value(o, &HashMap::new()))
                .chain(options.iter().map(String::as_str))
                .collect();
            let mut evals: HashMap<&str, f64> = HashMap::new();
            // Values whose evaluation is the literal `null`: no entry, as in
            // GENIUS (a deliberate gap, unlike a missing attribute).
            let mut nulls: HashSet<&str> = HashSet::new();
            for item in el.children_named("item") {
                let Some(v) = item.attr("value") else {
                    return Err(at(
                        file,
                        text,
                        item,
                        format!("<item> of issue `{}` has no `value` attribute", issue.name),
                    ));
                };
                if !known.contains(v) {
                    return Err(at(
                        file,
                        text,
                        item,
                        format!(
                            "value `{v}` is not a value of issue `{}` in the domain",
                            issue.name
                        ),
                    ));
                }
                // A damaged attribute name must not turn a value's
                // evaluation into 0: GENIUS itself cannot evaluate bids
                // with a value that has no evaluation.
                let Some(e) = item.attr("evaluation") else {
                    return Err(at(
                        file,
                        text,
                        item,
                        format!(
                            "value `{v}` of issue `{}` has no `evaluation` attribute; expected evaluation=\"number\"",
                            issue.name
                        ),
                    ));
                };
                if e.trim() == "null" {
                    nulls.insert(v);
                    continue;
                }
                let e = parse_f64(e).filter(|x| x.is_finite()).ok_or_else(|| {
                    at(
                        file,
                        text,
                        item,
                        format!("evaluation=\"{e}\" of value `{v}`: expected a number"),
                    )
                })?;
                evals.insert(v, e);
            }
            if let Some(o) = options.iter().find(|o| {
                let v = genius_value(o, &evals);
                !evals.contains_key(v) && !nulls.contains(v)
            }) {
                return Err(at(
                    file,
                    text,
                    el,
                    format!(
                        "value `{o}` of issue `{}` has no <item> with an evaluation in this profile; GENIUS cannot evaluate bids with it",
                        issue.name
                    ),
                ));
            }
            let max = evals.values().copied().fold(f64::NEG_INFINITY, f64::max);
            // GENIUS: evaluation / the issue's largest evaluation, or 0 when
            // that maximum is (nearly) zero. A value whose evaluation is
            // `null` (GENIUS would fail on it) counts as 0.
            let table = options
                .iter()
                .map(|o| match evals.get(genius_value(o, &evals)) {
                    Some(&e) if max >= 1e-5 => e / max,
                    _ => 0.0,
                })
                .collect();
            Ok(ValueFunction::Table(table))
        }
        IssueKind::Integer { min, max } => {
            let lower = match el.attr("lowerbound") {
                Some(_) => int_attr(file, text, el, "lowerbound")?,
                None => *min,
            };
            // GENIUS: no <evaluator> means slope 0 and offset 0; one that is
            // there needs both numbers.
            let (slope, offset) = match el.child("evaluator") {
                Some(ev) => (
                    num_attr(file, text, ev, "slope")?,
                    num_attr(file, text, ev, "offset")?,
                ),
                None => (0.0, 0.0),
            };
            let table = (*min..=*max)
                .map(|x| (slope * (x - lower) as f64 + offset).clamp(0.0, 1.0))
                .collect();
            Ok(ValueFunction::Table(table))
        }
        IssueKind::Continuous { min, max, .. } => {
            let Some(ev) = el.child("evaluator") else {
                return Ok(ValueFunction::Piecewise(vec![(*min, 0.0)]));
            };
            let p = |k: usize| opt_num(file, text, ev, &format!("parameter{k}"));
            let ftype = ev
                .attr("ftype")
                .unwrap_or("linear")
                .trim()
                .to_ascii_lowercase();
            match ftype.as_str() {
                "linear" => {
                    let (p0, p1) = (p(0)?.unwrap_or(0.0), p(1)?.unwrap_or(0.0));
                    let f = |x: f64| (p1 * x + p0).clamp(0.0, 1.0);
                    let mut xs = vec![*min, *max];
                    if p1 != 0.0 {
                        for y in [0.0, 1.0] {
                            let x = (y - p0) / p1;
                            if x > *min && x < *max {
                                xs.push(x);
                            }
                        }
                    }
                    xs.sort_by(f64::total_cmp);
                    xs.dedup();
                    Ok(ValueFunction::Piecewise(
                        xs.into_iter().map(|x| (x, f(x))).collect(),
                    ))
                }
                "constant" => Ok(ValueFunction::Piecewise(vec![(*min, p(0)?.unwrap_or(0.0))])),
                "faratin" => Ok(ValueFunction::Piecewise(vec![(*min, -1.0)])),
                "triangular" => {
                    let (lo, hi, top) = (
                        p(0)?.unwrap_or(0.0),
                        p(1)?.unwrap_or(0.0),
                        p(2)?.unwrap_or(0.0),
                    );
                    if !(lo <= top && top <= hi) {
                        return Err(at(
                            file,
                            text,
                            ev,
                            format!(
                                "triangular evaluator of `{}`: expected parameter0 ≤ parameter2 ≤ parameter1 (low ≤ top ≤ high)",
                                issue.name
                            ),
                        ));
                    }
                    Ok(ValueFunction::Piecewise(vec![
                        (lo, 0.0),
                        (top, 1.0),
                        (hi, 0.0),
                    ]))
                }
                other => Err(at(
                    file,
                    text,
                    ev,
                    format!(
                        "evaluator ftype=\"{other}\" of `{}`: expected linear, constant or triangular",
                        issue.name
                    ),
                )),
            }
        }
    }
}

/// The GENIUS value string behind an option: `v#2` for a repeated `v`.
fn genius_value<'a>(option: &'a str, evals: &HashMap<&str, f64>) -> &'a str {
    if evals.contains_key(option) {
        return option;
    }
    match option.rsplit_once('#') {
        Some((v, n)) if n.parse::<u32>().is_ok_and(|n| n >= 2) => v,
        _ => option,
    }
}

fn opt_num(file: &str, text: &str, el: &Element, name: &str) -> Result<Option<f64>, FormatError> {
    match el.attr(name) {
        None => Ok(None),
        Some(_) => num_attr(file, text, el, name).map(Some),
    }
}

/// An ANAC 2014 non-linear profile: `<utility maxutility=…>` with `<ufun>`s
/// of `<hyperRectangle>`s.
fn hyper_rectangles(
    file: &str,
    text: &str,
    objective: &Element,
    domain: &Domain,
) -> Result<UtilityModel, FormatError> {
    let utility = objective.child("utility").ok_or_else(|| {
        at(
            file,
            text,
            objective,
            "a nonlinear profile needs a <utility maxutility=…> element inside its <objective>",
        )
    })?;
    let max_utility = num_attr(file, text, utility, "maxutility")?;
    if !(max_utility > 0.0) {
        return Err(at(
            file,
            text,
            utility,
            format!("maxutility=\"{max_utility}\": expected a positive number"),
        ));
    }
    let by_index: HashMap<i64, usize> = domain
        .indices
        .iter()
        .enumerate()
        .map(|(k, &i)| (i, k))
        .collect();
    let mut rectangles = Vec::new();
    for ufun in utility.children_named("ufun") {
        let agg = ufun
            .attr("aggregation")
            .unwrap_or("sum")
            .trim()
            .to_ascii_lowercase();
        if agg != "sum" || ufun.child("ufun").is_some() {
            return Err(FormatError::unusable(
                file,
                format!(
                    "{}: only <ufun aggregation=\"sum\"> with hyper-rectangles is supported (as in ANAC 2014); found aggregation=\"{agg}\" or a nested <ufun>",
                    Location::at_offset(file, text, ufun.offset)
                ),
            ));
        }
        let weight = opt_num(file, text, ufun, "weight")?.unwrap_or(1.0);
        'boxes: for hr in ufun.children_named("hyperRectangle") {
            let u = num_attr(file, text, hr, "utility")?;
            let mut bounds = Vec::new();
            for c in &hr.children {
                if c.name == "EXCLUDES" {
                    return Err(FormatError::unusable(
                        file,
                        format!(
                            "{}: <EXCLUDES> boxes are not supported; expected only <INCLUDES> (as in ANAC 2014)",
                            Location::at_offset(file, text, c.offset)
                        ),
                    ));
                }
                if c.name != "INCLUDES" {
                    continue;
                }
                let index = int_attr(file, text, c, "index")?;
                let Some(&k) = by_index.get(&index) else {
                    return Err(at(
                        file,
                        text,
                        c,
                        format!(
                            "<INCLUDES index=\"{index}\">: the domain has no issue with that index"
                        ),
                    ));
                };
                let IssueKind::Integer { min, max } = domain.issues[k].kind else {
                    return Err(at(
                        file,
                        text,
                        c,
                        format!(
                            "<INCLUDES> on issue `{}`: boxes are supported on integer issues only",
                            domain.issues[k].name
                        ),
                    ));
                };
                let lo = num_attr(file, text, c, "min")?;
                let hi = num_attr(file, text, c, "max")?;
                // Inclusive bounds on the integer values, as value indices.
                let (lo, hi) = (lo.ceil().max(min as f64), hi.floor().min(max as f64));
                if lo > hi {
                    continue 'boxes; // no value of the issue fits: the box never holds
                }
                bounds.push((
                    IssueId(k as u32),
                    (lo as i64 - min) as u32,
                    (hi as i64 - min) as u32,
                ));
            }
            rectangles.push(HyperRectangle {
                bounds,
                utility: u * weight,
            });
        }
    }
    Ok(UtilityModel::HyperRectangles {
        rectangles,
        max_utility,
    })
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
    let mut taken: HashSet<String> = HashSet::with_capacity(profiles.len());
    for (bytes, file) in profiles {
        let mut name = party_name(file);
        let base = name.clone();
        let mut n = 2;
        while taken.contains(&name) {
            name = format!("{base}#{n}");
            n += 1;
        }
        taken.insert(name.clone());
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
    })
    .map_err(|e| FormatError::unusable(&domain.file, e.to_string()))
}

/// Reads a domain file and profile files from disk.
pub fn read_files(domain: &Path, profiles: &[&Path]) -> Result<Scenario, FormatError> {
    let bytes = crate::load::read_input(domain)?;
    let d = read_domain(&bytes, &domain.display().to_string())?;
    let mut ps = Vec::with_capacity(profiles.len());
    for p in profiles {
        let b = crate::load::read_input(p)?;
        ps.push((b, p.display().to_string()));
    }
    scenario(&d, &ps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use detente_core::PartyId;

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
