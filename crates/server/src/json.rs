//! JSON forms of the results, with the keys of the CLI's `--json` output.

use detente_analysis::{Analysis, Evaluation, Point};
use detente_core::{IssueKind, PartyId, Scenario};
use detente_report::Chart;
use serde_json::{Map, Value, json};

/// An outcome as an object `issue -> value`, in issue order.
pub fn outcome(scenario: &Scenario, outcome: &[u32]) -> Value {
    let mut m = Map::new();
    for (issue, &v) in scenario.issues().iter().zip(outcome) {
        let value = match issue.kind {
            IssueKind::Categorical { .. } => json!(issue.value_label(v)),
            IssueKind::Integer { .. } => json!(issue.numeric_value(v).unwrap_or(0.0) as i64),
            IssueKind::Continuous { .. } => json!(issue.numeric_value(v).unwrap_or(0.0)),
        };
        m.insert(issue.name.clone(), value);
    }
    Value::Object(m)
}

fn point(scenario: &Scenario, p: &Point) -> Value {
    json!({"utilities": p.utilities, "outcome": outcome(scenario, &p.outcome)})
}

fn solution(scenario: &Scenario, p: &Option<Point>) -> Value {
    p.as_ref().map_or(Value::Null, |p| point(scenario, p))
}

pub fn charts(charts: &[Chart]) -> Value {
    Value::Array(
        charts
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "title": c.title,
                    "svg": c.svg,
                    "reading": c.reading,
                    "legend": c.legend.iter().map(|(s, t)| json!({"series": s, "text": t})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// The analysis, as `detente analyze --json` prints it.
pub fn analysis(scenario: &Scenario, a: &Analysis) -> Value {
    let names = |ids: &[PartyId]| -> Vec<String> {
        ids.iter()
            .map(|p| scenario.parties()[p.index()].name.clone())
            .collect()
    };
    let outcome_count = match a.outcome_count {
        Some(n) if n <= u64::MAX as u128 => json!(n as u64),
        _ => json!(a.outcome_count_f64),
    };
    json!({
        "scenario": scenario.name(),
        "outcome_count": outcome_count,
        "method": a.method.as_str(),
        "at_time": a.at_time,
        "bargainers": names(&a.bargainers),
        "parties": a.ranges.iter().map(|r| {
            let p = &scenario.parties()[r.party.index()];
            json!({
                "name": p.name,
                "role": p.role.as_str(),
                "reservation_value": r.reservation,
                "best_utility": r.best,
                "worst_utility": r.worst,
            })
        }).collect::<Vec<_>>(),
        "agreement_zone": {
            "count": a.agreement_zone,
            "outcomes_crossing_no_red_line": a.acceptable_count,
            "pareto": {
                "count": a.zone_pareto.len(),
                "points": a.zone_pareto.iter().map(|p| point(scenario, p)).collect::<Vec<_>>(),
            },
        },
        "pareto": {
            "count": a.pareto.len(),
            "points": a.pareto.iter().map(|p| point(scenario, p)).collect::<Vec<_>>(),
        },
        "feasible_pareto": {
            "count": a.feasible_pareto.len(),
        },
        "disagreement": a.disagreement,
        "solutions": {
            "nash": solution(scenario, &a.solutions.nash),
            "kalai_smorodinsky": solution(scenario, &a.solutions.kalai_smorodinsky),
            "max_welfare": solution(scenario, &a.solutions.max_welfare),
            "egalitarian": solution(scenario, &a.solutions.egalitarian),
        },
    })
}

/// A red line as text: its note, or its conditions.
fn red_line(scenario: &Scenario, p: PartyId, k: usize) -> Value {
    let line = &scenario.parties()[p.index()].preferences.red_lines[k];
    let issues: Vec<&str> = line
        .when
        .conditions
        .iter()
        .map(|c| scenario.issues()[c.issue.index()].name.as_str())
        .collect();
    json!({"note": line.note, "issues": issues})
}

/// The evaluation, with the keys of `detente evaluate --json`.
pub fn evaluation(scenario: &Scenario, name: &str, ev: &Evaluation) -> Value {
    json!({
        "proposal": name,
        "outcome": outcome(scenario, &ev.outcome),
        "parties": ev.verdicts.iter().map(|v| {
            let p = &scenario.parties()[v.party.index()];
            json!({
                "name": p.name,
                "role": p.role.as_str(),
                "utility": v.utility,
                "reservation_value": v.reservation,
                "accepts": v.accepts,
                "red_lines_crossed": v.red_lines_crossed.iter().map(|&k| red_line(scenario, v.party, k)).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
        "acceptable_to_all": ev.acceptable_to_all,
        "pareto_efficient": ev.pareto_efficient,
        "dominated_by": ev.dominated_by.iter().map(|p| point(scenario, p)).collect::<Vec<_>>(),
        "repair_size": ev.repair_size,
        "repair_search_truncated": ev.repair_search_truncated,
        "repairs": ev.repairs.iter().map(|r| json!({
            "outcome": outcome(scenario, &r.outcome),
            "changes": r.changes.iter().map(|c| {
                let issue = &scenario.issues()[c.issue.index()];
                json!({"issue": issue.name, "from": issue.value_label(c.from), "to": issue.value_label(c.to)})
            }).collect::<Vec<_>>(),
            "utilities": r.utilities,
            "nash_product": r.nash_product,
        })).collect::<Vec<_>>(),
    })
}

/// A forecast: dimensions, actors, every turn's positions on 0–100, and the
/// final forecast per dimension.
pub fn forecast(model: &detente_forecast::Model, f: &detente_forecast::Forecast) -> Value {
    let dims = model.dimensions();
    json!({
        "dimensions": dims,
        "actors": model.actors().iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
        "turns": f.num_turns(),
        "positions": f.turns.iter().map(|t| t.positions.iter().map(|x| x * 100.0).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "forecast": (0..dims.len()).map(|d| {
            let (actor, at) = detente_report::forecast::predicted(f, d);
            json!({"dimension": dims[d], "position": at * 100.0, "actor": model.actors()[actor].name})
        }).collect::<Vec<_>>(),
    })
}
