//! One party's preferences: weights and value functions, or boxes; red
//! lines, reservation value and discount. Every problem is collected.

use super::build::{Issues, Sink, clause, describe, expected_list, value_set};
use super::schema::*;
use super::uncertain::{json_number, number};
use crate::locate::Path;
use detente_core::{
    HyperRectangle, Interaction, IssueId, IssueKind, Normalisation, Party, PartyId, Preferences,
    RedLine, Role, Target, Uncertain, UtilityModel, ValueFunction, uncertain::ranking_table,
};
use serde_json::Value as J;

/// The uncertain numbers of the party being built, as they are found.
pub(super) struct Found<'a> {
    /// The party's index in the scenario.
    pub(super) party: PartyId,
    /// Where its uncertain numbers go.
    pub(super) out: &'a mut Vec<Uncertain>,
}

impl Found<'_> {
    /// The point value of `n`, recording its distribution (if any) as `target`.
    fn point(&mut self, n: (f64, Option<detente_core::Distribution>), target: Target) -> f64 {
        if let Some(distribution) = n.1 {
            self.out.push(Uncertain::Number {
                party: self.party,
                target,
                distribution,
            });
        }
        n.0
    }
}

/// A party from its specification: normalisation, reservation value,
/// discount factor, utility model and red lines, every problem reported.
pub(super) fn build_party(
    ps: &PartySpec,
    issues: &Issues,
    at: &Path,
    p: &mut Sink,
    found: &mut Found,
) -> Option<Party> {
    let before = p.len();
    let normalisation = match ps.normalisation.unwrap_or(NormalisationName::MinMax) {
        NormalisationName::MinMax => Normalisation::MinMax,
        NormalisationName::AsGiven => Normalisation::AsGiven,
        NormalisationName::CappedAtOne => Normalisation::CappedAtOne,
    };
    let reservation = match &ps.reservation {
        Some(n) => number(n, &at.key("reservation"), p),
        None => None,
    };
    // A range reaching outside [0, 1] is as wrong as a number outside it.
    let reach = reservation
        .as_ref()
        .and_then(|n| n.1.as_ref().map(|d| d.support()));
    let reservation = reservation.map_or(0.0, |n| found.point(n, Target::Reservation));
    if let Some((lo, hi)) = reach
        && normalisation == Normalisation::MinMax
        && !(lo >= 0.0 && hi <= 1.0)
    {
        p.add(
            at.key("reservation"),
            format!(
                "the range [{lo}, {hi}] of party `{}`'s reservation value reaches outside [0, 1]",
                ps.name
            ),
        );
    } else if normalisation == Normalisation::MinMax && !(0.0..=1.0).contains(&reservation) {
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
    let discount = discount(ps, at, p, found);
    let model = match &ps.boxes {
        Some(b) => boxes_model(ps, b, issues, at, p),
        None => additive_model(ps, issues, at, p, found),
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

/// A party's discount factor (1 when none is given), with an uncertain
/// one's point value; a factor or range outside (0, 1] is reported.
fn discount(ps: &PartySpec, at: &Path, p: &mut Sink, found: &mut Found) -> f64 {
    let discount = match &ps.discount {
        Some(n) => number(n, &at.key("discount"), p),
        None => None,
    };
    let reach = discount
        .as_ref()
        .and_then(|n| n.1.as_ref().map(|d| d.support()));
    let discount = discount.map_or(1.0, |n| found.point(n, Target::Discount));
    if let Some((lo, hi)) = reach
        && !(lo > 0.0 && hi <= 1.0)
    {
        p.add(
            at.key("discount"),
            format!("the range [{lo}, {hi}] of the discount factor reaches outside (0, 1]"),
        );
    } else if !(discount > 0.0 && discount <= 1.0) {
        p.add(
            at.key("discount"),
            format!("discount factor {discount} is outside (0, 1]; 1 means no discounting"),
        );
    }
    discount
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

/// A party's weights, one per issue (0 where none is given), with each
/// uncertain weight's point value; every wrong weight is reported, and a
/// party whose weights are all zero.
fn additive_weights(
    ps: &PartySpec,
    issues: &Issues,
    at: &Path,
    p: &mut Sink,
    found: &mut Found,
) -> Vec<f64> {
    let before = p.len();
    let mut weights = vec![0.0; issues.built.len()];
    // A weight on an issue that could not be built is neither zero nor an
    // error of this party's.
    let mut on_broken_issue = false;
    for (name, w) in &ps.weights {
        let wat = at.key("weights").key(name);
        let Some((i, _)) = issues.get(name, &wat, p) else {
            on_broken_issue |= issues.by_name.contains_key(name.as_str());
            continue;
        };
        let Some(w) = number(w, &wat, p) else {
            continue;
        };
        if w.1.as_ref().is_some_and(|d| d.support().0 < 0.0) {
            p.add(
                wat,
                format!("the weight of issue `{name}` may not be negative"),
            );
            continue;
        }
        let w = found.point(w, Target::Weight(IssueId(i as u32)));
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
    if p.len() == before && !on_broken_issue && weights.iter().all(|w| *w == 0.0) {
        p.add(
            at.key("weights"),
            format!(
                "every weight of party `{}` is zero (or none is given); expected at least one positive weight",
                ps.name
            ),
        );
    }
    weights
}

fn additive_model(
    ps: &PartySpec,
    issues: &Issues,
    at: &Path,
    p: &mut Sink,
    found: &mut Found,
) -> Option<UtilityModel> {
    let before = p.len();
    let n = issues.built.len();
    let weights = additive_weights(ps, issues, at, p, found);
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
            Some(v) => value_function(issues, i, v, &vat, p, found),
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
        let bonus = number(&it.bonus, &iat.key("bonus"), p)
            .map_or(f64::NAN, |n| found.point(n, Target::Bonus(k)));
        if !bonus.is_finite() && p.len() == before {
            p.add(iat.key("bonus"), "`bonus` must be a finite number");
        }
        if let Some(when) = clause(issues, &it.when, &iat.key("when"), p) {
            interactions.push(Interaction {
                when,
                bonus,
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

/// Issue `i`'s value function: a table by option for a categorical issue;
/// `"increasing"`, `"decreasing"` or `{ points = [...] }` for a numeric one.
fn value_function(
    issues: &Issues,
    i: usize,
    v: &J,
    at: &Path,
    p: &mut Sink,
    found: &mut Found,
) -> Option<ValueFunction> {
    let issue = issues.built[i].as_ref()?;
    match (&issue.kind, v) {
        (IssueKind::Categorical { .. }, J::Object(table))
            if table.len() == 1 && matches!(table.get("order"), Some(J::Array(_))) =>
        {
            ranking(issues, i, &table["order"], &at.key("order"), p, found)
        }
        (IssueKind::Categorical { .. }, J::Object(table)) => {
            option_table(issues, i, table, at, p, found)
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
            piecewise(i, &o["points"], &at.key("points"), p, found)
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

/// A categorical issue's table `{ option = value, ... }`: a finite value
/// for every option of issue `i` and no unknown option.
fn option_table(
    issues: &Issues,
    i: usize,
    table: &serde_json::Map<String, J>,
    at: &Path,
    p: &mut Sink,
    found: &mut Found,
) -> Option<ValueFunction> {
    let issue = issues.built[i].as_ref()?;
    let IssueKind::Categorical { options, .. } = &issue.kind else {
        return None;
    };
    let before = p.len();
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
        if let Some(x) = json_number(x, &oat, p) {
            t[j as usize] = found.point(x, Target::Value(IssueId(i as u32), j));
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

/// `points` (at `pat`): a non-empty list of finite `[x, value]` pairs sorted
/// by x, a piecewise-linear function.
fn piecewise(
    i: usize,
    points: &J,
    pat: &Path,
    p: &mut Sink,
    found: &mut Found,
) -> Option<ValueFunction> {
    let before = p.len();
    let J::Array(items) = points else {
        p.add(pat.clone(), "`points` must be a list of [x, value] pairs");
        return None;
    };
    if items.is_empty() {
        p.add(
            pat.clone(),
            "`points` is empty; expected at least one [x, value] pair",
        );
        return None;
    }
    let mut points = Vec::new();
    for (k, item) in items.iter().enumerate() {
        let iat = pat.index(k);
        match item {
            J::Array(pair) if pair.len() == 2 => {
                let (x, y) = (finite(&pair[0], &iat, p), json_number(&pair[1], &iat, p));
                if let (Some(x), Some(y)) = (x, y) {
                    points.push((x, found.point(y, Target::Point(IssueId(i as u32), k))));
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

/// A categorical issue's values given as an ordering only, `order = [best,
/// ..., worst]`: every option once. The point table spaces them evenly.
fn ranking(
    issues: &Issues,
    i: usize,
    order: &J,
    at: &Path,
    p: &mut Sink,
    found: &mut Found,
) -> Option<ValueFunction> {
    let issue = issues.built[i].as_ref()?;
    let IssueKind::Categorical { options, .. } = &issue.kind else {
        return None;
    };
    let before = p.len();
    let J::Array(items) = order else {
        return None;
    };
    let mut ranked = Vec::with_capacity(items.len());
    let mut seen = vec![false; options.len()];
    for (k, item) in items.iter().enumerate() {
        let j = item.as_str().and_then(|s| issues.option(i, s));
        match j {
            Some(j) if !seen[j as usize] => {
                seen[j as usize] = true;
                ranked.push(j);
            }
            Some(_) => p.add(
                at.index(k),
                format!("option {} is ranked twice", describe(item)),
            ),
            None => p.add(
                at.index(k),
                format!(
                    "unknown option {} for issue `{}`; expected one of {}",
                    describe(item),
                    issue.name,
                    expected_list(options)
                ),
            ),
        }
    }
    if p.len() == before
        && let Some(j) = seen.iter().position(|s| !s)
    {
        p.add(
            at.clone(),
            format!(
                "the ordering leaves out option `{}` of issue `{}`; rank every option",
                options[j], issue.name
            ),
        );
    }
    if p.len() > before {
        return None;
    }
    let table = ranking_table(&ranked, None);
    found.out.push(Uncertain::Ranking {
        party: found.party,
        issue: IssueId(i as u32),
        order: ranked,
    });
    Some(ValueFunction::Table(table))
}
