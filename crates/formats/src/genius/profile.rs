//! GENIUS utility-space (profile) files: linear-additive, UNCERTAIN and
//! ANAC 2014 non-linear profiles, with GENIUS's exact semantics.

use super::*;

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

pub(super) fn uncertain_description(root: &Element) -> String {
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
pub(super) fn weighted_issues<'a>(
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

pub(super) fn additive(
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
pub(super) fn evaluator(
    file: &str,
    text: &str,
    el: &Element,
    issue: &Issue,
) -> Result<ValueFunction, FormatError> {
    check_evaluator_names(file, text, el, issue)?;
    match &issue.kind {
        IssueKind::Categorical { options, .. } => {
            discrete_evaluator(file, text, el, issue, options)
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
        IssueKind::Continuous { min, max, .. } => match el.child("evaluator") {
            None => Ok(ValueFunction::Piecewise(vec![(*min, 0.0)])),
            Some(ev) => real_evaluator(file, text, ev, issue, *min, *max),
        },
    }
}

/// Refuses an unknown element in an issue or an unknown attribute of its
/// `<evaluator>`: a damaged name would otherwise leave an evaluator out and
/// every value of the issue worth 0.
fn check_evaluator_names(
    file: &str,
    text: &str,
    el: &Element,
    issue: &Issue,
) -> Result<(), FormatError> {
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
    Ok(())
}

/// A discrete issue's evaluations, divided as GENIUS divides them: by the
/// issue's largest evaluation, or all 0 when that maximum is (nearly) zero.
fn discrete_evaluator(
    file: &str,
    text: &str,
    el: &Element,
    issue: &Issue,
    options: &[String],
) -> Result<ValueFunction, FormatError> {
    let (evals, nulls) = item_evaluations(file, text, el, issue, options)?;
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
    // A value whose evaluation is `null` (GENIUS would fail on it) counts
    // as 0.
    let table = options
        .iter()
        .map(|o| match evals.get(genius_value(o, &evals)) {
            Some(&e) if max >= 1e-5 => e / max,
            _ => 0.0,
        })
        .collect();
    Ok(ValueFunction::Table(table))
}

/// The `<item>`s of a discrete issue: each value's evaluation, and the
/// values whose evaluation is the literal `null` (no entry, as in GENIUS: a
/// deliberate gap, unlike a missing attribute).
fn item_evaluations<'e>(
    file: &str,
    text: &str,
    el: &'e Element,
    issue: &Issue,
    options: &[String],
) -> Result<(HashMap<&'e str, f64>, HashSet<&'e str>), FormatError> {
    // The domain's value strings (a repeated value's `v#2` is `v`).
    let known: HashSet<&str> = options
        .iter()
        .map(|o| genius_value(o, &HashMap::new()))
        .chain(options.iter().map(String::as_str))
        .collect();
    let mut evals: HashMap<&str, f64> = HashMap::new();
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
        // A damaged attribute name must not turn a value's evaluation into
        // 0: GENIUS itself cannot evaluate bids with a value that has no
        // evaluation.
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
    Ok((evals, nulls))
}

/// A real issue's `<evaluator>` (linear, constant, triangular, or faratin,
/// which GENIUS evaluates as -1) as a piecewise-linear function on
/// `min..=max`.
fn real_evaluator(
    file: &str,
    text: &str,
    ev: &Element,
    issue: &Issue,
    min: f64,
    max: f64,
) -> Result<ValueFunction, FormatError> {
    let p = |k: usize| opt_num(file, text, ev, &format!("parameter{k}"));
    let ftype = ev
        .attr("ftype")
        .unwrap_or("linear")
        .trim()
        .to_ascii_lowercase();
    match ftype.as_str() {
        "linear" => {
            let (p0, p1) = (p(0)?.unwrap_or(0.0), p(1)?.unwrap_or(0.0));
            Ok(clamped_line(p0, p1, min, max))
        }
        "constant" => Ok(ValueFunction::Piecewise(vec![(min, p(0)?.unwrap_or(0.0))])),
        "faratin" => Ok(ValueFunction::Piecewise(vec![(min, -1.0)])),
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

/// GENIUS's linear real evaluator `clamp(p1·x + p0, 0, 1)` on `min..=max`,
/// exactly: its points are the ends and wherever the line crosses 0 or 1.
fn clamped_line(p0: f64, p1: f64, min: f64, max: f64) -> ValueFunction {
    let f = |x: f64| (p1 * x + p0).clamp(0.0, 1.0);
    let mut xs = vec![min, max];
    if p1 != 0.0 {
        for y in [0.0, 1.0] {
            let x = (y - p0) / p1;
            if x > min && x < max {
                xs.push(x);
            }
        }
    }
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    ValueFunction::Piecewise(xs.into_iter().map(|x| (x, f(x))).collect())
}

/// The GENIUS value string behind an option: `v#2` for a repeated `v`.
pub(super) fn genius_value<'a>(option: &'a str, evals: &HashMap<&str, f64>) -> &'a str {
    if evals.contains_key(option) {
        return option;
    }
    match option.rsplit_once('#') {
        Some((v, n)) if n.parse::<u32>().is_ok_and(|n| n >= 2) => v,
        _ => option,
    }
}

pub(super) fn opt_num(
    file: &str,
    text: &str,
    el: &Element,
    name: &str,
) -> Result<Option<f64>, FormatError> {
    match el.attr(name) {
        None => Ok(None),
        Some(_) => num_attr(file, text, el, name).map(Some),
    }
}

/// An ANAC 2014 non-linear profile: `<utility maxutility=…>` with `<ufun>`s
/// of `<hyperRectangle>`s.
pub(super) fn hyper_rectangles(
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
        for hr in ufun.children_named("hyperRectangle") {
            let u = num_attr(file, text, hr, "utility")?;
            if let Some(bounds) = box_bounds(file, text, hr, domain, &by_index)? {
                rectangles.push(HyperRectangle {
                    bounds,
                    utility: u * weight,
                });
            }
        }
    }
    Ok(UtilityModel::HyperRectangles {
        rectangles,
        max_utility,
    })
}

/// A box's bounds: per issue, the first and last value index it includes.
type Bounds = Vec<(IssueId, u32, u32)>;

/// A `<hyperRectangle>`'s `<INCLUDES>` bounds as value indices of integer
/// issues (`by_index` maps GENIUS issue indices to positions); `None` when
/// some bound holds no value of its issue, so the box never holds.
fn box_bounds(
    file: &str,
    text: &str,
    hr: &Element,
    domain: &Domain,
    by_index: &HashMap<i64, usize>,
) -> Result<Option<Bounds>, FormatError> {
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
                format!("<INCLUDES index=\"{index}\">: the domain has no issue with that index"),
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
            return Ok(None);
        }
        bounds.push((
            IssueId(k as u32),
            (lo as i64 - min) as u32,
            (hi as i64 - min) as u32,
        ));
    }
    Ok(Some(bounds))
}
