//! The JSON forms of results, shared by `detente ... --json`, the workbench's
//! API and the tournament database, so that every output spells an outcome,
//! an analysis and an evaluation the same way.

use detente_analysis::{Analysis, Evaluation, Point};
use detente_core::{IssueKind, PartyId, Scenario};
use serde_json::{Map, Value, json};

/// An outcome as an object `issue -> value`, in issue order: option names
/// for categorical issues, numbers otherwise.
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

/// A frontier point: the bargaining parties' utilities and its outcome.
pub fn point(scenario: &Scenario, p: &Point) -> Value {
    json!({"utilities": p.utilities, "outcome": outcome(scenario, &p.outcome)})
}

fn solution(scenario: &Scenario, p: &Option<Point>) -> Value {
    p.as_ref().map_or(Value::Null, |p| point(scenario, p))
}

fn names(scenario: &Scenario, ids: &[PartyId]) -> Vec<String> {
    ids.iter()
        .map(|p| scenario.parties()[p.index()].name.clone())
        .collect()
}

/// An analysis, with the stable keys documented in the README: `scenario`,
/// `outcome_count`, `parties`, `agreement_zone`, `pareto`, `solutions`, and
/// more.
pub fn analysis(scenario: &Scenario, a: &Analysis) -> Value {
    let outcome_count = match a.outcome_count {
        Some(n) if n <= u64::MAX as u128 => json!(n as u64),
        _ => json!(a.outcome_count_f64),
    };
    let factor = |p: PartyId| a.at_time.map_or(1.0, |t| scenario.discount_factor(p, t));
    json!({
        "scenario": scenario.name(),
        "outcome_count": outcome_count,
        "method": a.method.as_str(),
        "at_time": a.at_time,
        "bargainers": names(scenario, &a.bargainers),
        "parties": a.ranges.iter().map(|r| {
            let p = &scenario.parties()[r.party.index()];
            json!({
                "name": p.name,
                "role": p.role.as_str(),
                "reservation_value": r.reservation,
                "best_utility": r.best,
                "worst_utility": r.worst,
                "discount_factor": p.preferences.discount,
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
        "proposals": scenario.proposals().iter().map(|pr| {
            json!({
                "name": pr.name,
                "by": pr.by,
                "outcome": outcome(scenario, &pr.outcome),
                "utilities": a.bargainers.iter().map(|&p| scenario.utility_of(p, &pr.outcome) * factor(p)).collect::<Vec<_>>(),
                "acceptable_to_all": scenario.acceptable_to_all(&pr.outcome),
            })
        }).collect::<Vec<_>>(),
    })
}

/// A red line in words: its note, or its conditions.
pub fn red_line_text(scenario: &Scenario, p: PartyId, k: usize) -> String {
    let r = &scenario.parties()[p.index()].preferences.red_lines[k];
    if !r.note.is_empty() {
        return r.note.clone();
    }
    r.when
        .conditions
        .iter()
        .map(|cond| {
            let issue = &scenario.issues()[cond.issue.index()];
            let vals: Vec<String> = cond
                .values
                .indices()
                .map(|v| issue.value_label(v))
                .collect();
            format!("{} in {{{}}}", issue.name, vals.join(", "))
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A crossed red line: `text` (its note, or its conditions in words), `note`
/// and the `issues` it speaks of.
fn red_line(scenario: &Scenario, p: PartyId, k: usize) -> Value {
    let line = &scenario.parties()[p.index()].preferences.red_lines[k];
    let issues: Vec<&str> = line
        .when
        .conditions
        .iter()
        .map(|c| scenario.issues()[c.issue.index()].name.as_str())
        .collect();
    json!({"text": red_line_text(scenario, p, k), "note": line.note, "issues": issues})
}

/// A proposal's evaluation, with the stable keys documented in the README:
/// `proposal`, `parties`, `acceptable_to_all`, `pareto_efficient`,
/// `dominated_by`, `repairs`, and more.
pub fn evaluation(scenario: &Scenario, name: &str, by: Option<&str>, ev: &Evaluation) -> Value {
    json!({
        "scenario": scenario.name(),
        "proposal": name,
        "by": by,
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
