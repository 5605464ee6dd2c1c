//! Writing a scenario back as native TOML or JSON (the inverse of [`super::build`]).

use super::schema::*;
use crate::error::FormatError;
use detente_core::{
    Clause, HyperRectangle, Issue, IssueKind, Normalisation, Party, Role, ScenarioParts,
    UtilityModel, ValueFunction, ValueSet,
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
            .map(|p| party_spec(issues, p))
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

/// One party as written; defaults (role `party`, no discount, min-max
/// normalisation) are left out.
fn party_spec(issues: &[Issue], p: &Party) -> PartySpec {
    let prefs = &p.preferences;
    let mut s = PartySpec {
        name: p.name.clone(),
        role: (p.role == Role::Mediator).then_some(RoleName::Mediator),
        description: p.description.clone(),
        reservation: Some(prefs.reservation),
        discount: (prefs.discount < 1.0).then_some(prefs.discount),
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
                // An issue that weighs nothing needs no values either.
                if weights[i] == 0.0 {
                    continue;
                }
                s.weights.insert(issue.name.clone(), weights[i]);
                s.values
                    .insert(issue.name.clone(), value_function_json(issue, &values[i]));
            }
            s.interactions = interactions
                .iter()
                .map(|it| InteractionSpec {
                    when: when_json(issues, &it.when),
                    bonus: it.bonus,
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
fn value_function_json(issue: &Issue, vf: &ValueFunction) -> J {
    match (vf, &issue.kind) {
        (ValueFunction::Table(t), IssueKind::Categorical { options, .. }) => J::Object(
            options
                .iter()
                .cloned()
                .zip(t.iter().map(|x| json!(x)))
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
            "points": points.iter().map(|(x, y)| json!([x, y])).collect::<Vec<_>>()
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
