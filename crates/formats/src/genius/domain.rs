//! GENIUS domain files: the issue tree and each issue's values.

use super::*;

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
pub(super) fn issue_elements(objective: &Element) -> Vec<&Element> {
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

/// An issue's kind from its `type` (discrete when absent), read the way
/// GENIUS reads that type.
pub(super) fn issue_kind(
    file: &str,
    text: &str,
    el: &Element,
    name: &str,
) -> Result<IssueKind, FormatError> {
    let ty = el
        .attr("type")
        .unwrap_or("discrete")
        .trim()
        .to_ascii_lowercase();
    match ty.as_str() {
        "discrete" | "" => discrete_kind(file, text, el, name),
        "integer" => integer_kind(file, text, el, name),
        "real" => real_kind(file, text, el, name),
        other => Err(at(
            file,
            text,
            el,
            format!("issue `{name}` has type=\"{other}\"; expected discrete, integer or real"),
        )),
    }
}

/// A discrete issue: its `<item>` values as options, in document order.
fn discrete_kind(
    file: &str,
    text: &str,
    el: &Element,
    name: &str,
) -> Result<IssueKind, FormatError> {
    let mut options: Vec<String> = Vec::new();
    let mut distinct = Distinct::default();
    for item in el.children_named("item") {
        let Some(v) = item.attr("value") else {
            return Err(at(file, text, item, "<item> has no `value` attribute"));
        };
        // GENIUS keeps a repeated item as a value of its own (2012
        // FlightBooking lists `Sep4_2011` twice: 4 values, 48 bids),
        // evaluated like the first; detente's options must be distinct, so
        // the repeat is named `value#2`.
        options.push(distinct.name(v));
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

/// An integer issue: `lowerbound` to `upperbound`, within detente's limit on
/// the number of values.
fn integer_kind(
    file: &str,
    text: &str,
    el: &Element,
    name: &str,
) -> Result<IssueKind, FormatError> {
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

/// A real issue: its `<range>` (or its own bounds) on GENIUS's grid of
/// [`REAL_GRID_POINTS`] points.
fn real_kind(file: &str, text: &str, el: &Element, name: &str) -> Result<IssueKind, FormatError> {
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
