//! Writing a scenario back as native TOML or JSON (the inverse of [`super::build`]).

use super::schema::*;
use crate::error::FormatError;
use detente_core::{
    Clause, Distribution, HyperRectangle, Issue, IssueId, IssueKind, Normalisation, Party, PartyId,
    Role, ScenarioParts, Target, Uncertain, UtilityModel, ValueFunction, ValueSet,
};
use indexmap::IndexMap;
use serde_json::{Value as J, json};

fn value_json(issue: &Issue, v: u32) -> J {
    match &issue.kind {
        IssueKind::Categorical { .. } => J::String(issue.value_label(v)),
        IssueKind::Integer { .. } => json!(issue.numeric_value(v).unwrap_or(0.0) as i64),
        IssueKind::Continuous { .. } => json!(issue.numeric_value(v).unwrap_or(0.0)),
    }
}

fn set_json(issue: &Issue, set: &ValueSet) -> J {
    let vals: Vec<J> = set.indices().map(|v| value_json(issue, v)).collect();
    if vals.len() == 1 {
        vals.into_iter().next().unwrap_or(J::Null)
    } else {
        J::Array(vals)
    }
}

fn when_json(issues: &[Issue], c: &Clause) -> When {
    c.conditions
        .iter()
        .map(|cond| {
            let issue = &issues[cond.issue.index()];
            (issue.name.clone(), set_json(issue, &cond.values))
        })
        .collect()
}

/// The file structure of a scenario (the inverse of [`super::build`]).
pub fn to_file(parts: &ScenarioParts) -> ScenarioFile {
    let issues = &parts.issues;
    ScenarioFile {
        version: Some(VERSION),
        name: parts.name.clone(),
        description: parts.description.clone(),
        issues: issues.iter().map(issue_spec).collect(),
        parties: parts
            .parties
            .iter()
            .enumerate()
            .map(|(k, p)| {
                let of = Of {
                    party: PartyId(k as u32),
                    uncertain: &parts.uncertain,
                };
                party_spec(issues, p, &of)
            })
            .collect(),
        proposals: parts
            .proposals
            .iter()
            .map(|p| ProposalSpec {
                name: p.name.clone(),
                by: p.by.clone(),
                description: p.description.clone(),
                outcome: issues
                    .iter()
                    .zip(&p.outcome)
                    .map(|(i, &v)| (i.name.clone(), value_json(i, v)))
                    .collect(),
            })
            .collect(),
        forecast: None,
    }
}

/// One issue as written: options for a categorical issue (its `kind` left
/// out, as it is the default), else its kind and range.
fn issue_spec(i: &Issue) -> IssueSpec {
    let mut s = IssueSpec {
        name: i.name.clone(),
        description: i.description.clone(),
        kind: None,
        options: None,
        ordered: None,
        min: None,
        max: None,
        step: None,
    };
    match &i.kind {
        IssueKind::Categorical { options, ordered } => {
            s.options = Some(options.clone());
            s.ordered = ordered.then_some(true);
        }
        IssueKind::Integer { min, max } => {
            s.kind = Some(IssueKindName::Integer);
            s.min = Some(*min as f64);
            s.max = Some(*max as f64);
        }
        IssueKind::Continuous { min, max, step } => {
            s.kind = Some(IssueKindName::Continuous);
            s.min = Some(*min);
            s.max = Some(*max);
            s.step = Some(*step);
        }
    }
    s
}

/// The uncertain numbers of one party, to write them back as distributions.
struct Of<'a> {
    party: PartyId,
    uncertain: &'a [Uncertain],
}

impl Of<'_> {
    /// The distribution of the party's number `target`, if it is uncertain.
    fn distribution(&self, target: &Target) -> Option<&Distribution> {
        self.uncertain.iter().find_map(|u| match u {
            Uncertain::Number {
                party,
                target: t,
                distribution,
            } if *party == self.party && t == target => Some(distribution),
            _ => None,
        })
    }

    /// The number `x` as written: plain, or its distribution with `x` as its point value.
    fn spec(&self, target: Target, x: f64) -> NumberSpec {
        match self.distribution(&target) {
            None => NumberSpec::Plain(x),
            Some(d) => {
                let mut spec = DistributionSpec {
                    value: Some(x),
                    ..Default::default()
                };
                match d {
                    Distribution::Uniform { low, high } => spec.uniform = Some(vec![*low, *high]),
                    Distribution::Triangular { low, mode, high } => {
                        spec.triangular = Some(vec![*low, *mode, *high])
                    }
                    Distribution::Choices { values, p } => {
                        spec.choices = Some(values.clone());
                        spec.p = Some(p.clone());
                    }
                }
                NumberSpec::Distribution(spec)
            }
        }
    }

    /// The ordering of issue `i`'s options, when the party gave only that.
    fn ranking(&self, i: usize) -> Option<&[u32]> {
        self.uncertain.iter().find_map(|u| match u {
            Uncertain::Ranking {
                party,
                issue,
                order,
            } if *party == self.party && issue.index() == i => Some(order.as_slice()),
            _ => None,
        })
    }
}

/// One party as written; defaults (role `party`, no discount, min-max
/// normalisation) are left out.
fn party_spec(issues: &[Issue], p: &Party, of: &Of) -> PartySpec {
    let prefs = &p.preferences;
    let uncertain_discount = of.distribution(&Target::Discount).is_some();
    let mut s = PartySpec {
        name: p.name.clone(),
        role: (p.role == Role::Mediator).then_some(RoleName::Mediator),
        description: p.description.clone(),
        reservation: Some(of.spec(Target::Reservation, prefs.reservation)),
        discount: (prefs.discount < 1.0 || uncertain_discount)
            .then(|| of.spec(Target::Discount, prefs.discount)),
        normalisation: match prefs.normalisation {
            Normalisation::MinMax => None,
            Normalisation::AsGiven => Some(NormalisationName::AsGiven),
            Normalisation::CappedAtOne => Some(NormalisationName::CappedAtOne),
        },
        weights: IndexMap::new(),
        values: IndexMap::new(),
        interactions: Vec::new(),
        red_lines: prefs
            .red_lines
            .iter()
            .map(|r| RedLineSpec {
                when: when_json(issues, &r.when),
                note: r.note.clone(),
            })
            .collect(),
        boxes: None,
    };
    match &prefs.model {
        UtilityModel::Additive {
            weights,
            values,
            interactions,
        } => {
            for (i, issue) in issues.iter().enumerate() {
                let target = Target::Weight(IssueId(i as u32));
                // An issue that weighs nothing needs no values either.
                if weights[i] == 0.0 && of.distribution(&target).is_none() {
                    continue;
                }
                s.weights
                    .insert(issue.name.clone(), of.spec(target, weights[i]));
                let vf = match of.ranking(i) {
                    Some(order) => json!({
                        "order": order.iter().map(|&v| issue.value_label(v)).collect::<Vec<_>>()
                    }),
                    None => value_function_json(issue, i, &values[i], of),
                };
                s.values.insert(issue.name.clone(), vf);
            }
            s.interactions = interactions
                .iter()
                .enumerate()
                .map(|(k, it)| InteractionSpec {
                    when: when_json(issues, &it.when),
                    bonus: of.spec(Target::Bonus(k), it.bonus),
                    note: it.note.clone(),
                })
                .collect();
        }
        UtilityModel::HyperRectangles {
            rectangles,
            max_utility,
        } => s.boxes = Some(boxes_spec(issues, rectangles, *max_utility)),
    }
    s
}

/// A value function as written: a table by option for a categorical issue,
/// else `{ points = [[x, value], ...] }` (a table becomes the points of the
/// issue's grid).
fn value_function_json(issue: &Issue, i: usize, vf: &ValueFunction, of: &Of) -> J {
    let id = IssueId(i as u32);
    let number = |target: Target, x: f64| json!(of.spec(target, x));
    match (vf, &issue.kind) {
        (ValueFunction::Table(t), IssueKind::Categorical { options, .. }) => J::Object(
            options
                .iter()
                .cloned()
                .zip(
                    t.iter()
                        .enumerate()
                        .map(|(v, x)| number(Target::Value(id, v as u32), *x)),
                )
                .collect(),
        ),
        (ValueFunction::Table(t), _) => json!({
            "points": t
                .iter()
                .enumerate()
                .map(|(k, x)| json!([issue.numeric_value(k as u32).unwrap_or(0.0), x]))
                .collect::<Vec<_>>()
        }),
        (ValueFunction::Piecewise(points), _) => json!({
            "points": points
                .iter()
                .enumerate()
                .map(|(k, (x, y))| json!([x, number(Target::Point(id, k), *y)]))
                .collect::<Vec<_>>()
        }),
    }
}

/// Box utilities as written: each box's bounds as `{min, max}` values.
fn boxes_spec(issues: &[Issue], rectangles: &[HyperRectangle], max_utility: f64) -> BoxesSpec {
    BoxesSpec {
        max_utility,
        boxes: rectangles
            .iter()
            .map(|r| BoxSpec {
                utility: r.utility,
                within: r
                    .bounds
                    .iter()
                    .map(|&(i, lo, hi)| {
                        let issue = &issues[i.index()];
                        (
                            issue.name.clone(),
                            json!({"min": value_json(issue, lo), "max": value_json(issue, hi)}),
                        )
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The forecast section of a model (the inverse of [`super::build_forecast`]).
pub fn forecast_spec(m: &detente_forecast::Model) -> ForecastSpec {
    let dims = m.dimensions();
    let pct = |v: &[f64]| -> IndexMap<String, f64> {
        dims.iter()
            .cloned()
            .zip(v.iter().map(|x| (x * 100.0 * 1e9).round() / 1e9))
            .collect()
    };
    ForecastSpec {
        description: m.description().to_string(),
        dimensions: dims
            .iter()
            .map(|d| DimensionSpec {
                name: d.clone(),
                description: String::new(),
            })
            .collect(),
        actors: m
            .actors()
            .iter()
            .map(|a| ActorSpec {
                name: a.name.clone(),
                description: a.description.clone(),
                capability: a.capability,
                position: pct(&a.position),
                salience: pct(&a.salience),
            })
            .collect(),
        params: IndexMap::new(),
    }
}

/// Writes a scenario as native TOML.
pub fn to_toml(parts: &ScenarioParts) -> Result<String, FormatError> {
    to_toml_with_forecast(parts, None)
}

/// Writes a scenario as native JSON (pretty-printed).
pub fn to_json(parts: &ScenarioParts) -> String {
    to_json_with_forecast(parts, None)
}

fn with_forecast(
    parts: &ScenarioParts,
    forecast: Option<&detente_forecast::Model>,
) -> ScenarioFile {
    let mut f = to_file(parts);
    f.forecast = forecast.map(forecast_spec);
    f
}

/// Writes a scenario and its forecasting model as native TOML.
pub fn to_toml_with_forecast(
    parts: &ScenarioParts,
    forecast: Option<&detente_forecast::Model>,
) -> Result<String, FormatError> {
    toml::to_string(&with_forecast(parts, forecast))
        .map_err(|e| FormatError::unusable("<toml writer>", e.to_string()))
}

/// Writes a scenario and its forecasting model as native JSON.
pub fn to_json_with_forecast(
    parts: &ScenarioParts,
    forecast: Option<&detente_forecast::Model>,
) -> String {
    let mut s = serde_json::to_string_pretty(&with_forecast(parts, forecast)).unwrap_or_default();
    s.push('\n');
    s
}
