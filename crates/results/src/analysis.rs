//! Analyses and evaluations.

use crate::{Count, Outcome, Point, outcome, point};
use detente_core::{PartyId, Scenario};
use schemars::JsonSchema;
use serde::Serialize;

/// An analysis, with the stable keys documented in the README.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Analysis {
    pub scenario: String,
    /// Exact when it fits in 64 bits, approximate beyond.
    pub outcome_count: Count,
    /// `enumerate`, `additive` or `branch-and-bound`.
    pub method: String,
    pub at_time: Option<f64>,
    pub bargainers: Vec<String>,
    pub parties: Vec<AnalysisParty>,
    pub agreement_zone: Zone,
    pub pareto: Frontier,
    pub feasible_pareto: FrontierCount,
    pub disagreement: Vec<f64>,
    pub solutions: Solutions,
    pub proposals: Vec<Proposal>,
    /// What was read (the CLI's `--json` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalysisParty {
    pub name: String,
    pub role: String,
    pub reservation_value: f64,
    pub best_utility: Option<f64>,
    pub worst_utility: Option<f64>,
    pub discount_factor: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    pub count: Option<u64>,
    pub outcomes_crossing_no_red_line: Option<u64>,
    pub pareto: Frontier,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Frontier {
    pub count: usize,
    pub points: Vec<Point>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontierCount {
    pub count: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Solutions {
    pub nash: Option<Point>,
    pub kalai_smorodinsky: Option<Point>,
    pub max_welfare: Option<Point>,
    pub egalitarian: Option<Point>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    pub name: String,
    pub by: Option<String>,
    pub outcome: Outcome,
    pub utilities: Vec<f64>,
    pub acceptable_to_all: bool,
}

fn names(scenario: &Scenario, ids: &[PartyId]) -> Vec<String> {
    ids.iter()
        .map(|p| scenario.parties()[p.index()].name.clone())
        .collect()
}

fn frontier(scenario: &Scenario, points: &[detente_analysis::Point]) -> Frontier {
    Frontier {
        count: points.len(),
        points: points.iter().map(|p| point(scenario, p)).collect(),
    }
}

/// An analysis in the one JSON form.
pub fn analysis(scenario: &Scenario, a: &detente_analysis::Analysis) -> Analysis {
    let factor = |p: PartyId| a.at_time.map_or(1.0, |t| scenario.discount_factor(p, t));
    let solution = |p: &Option<detente_analysis::Point>| p.as_ref().map(|p| point(scenario, p));
    Analysis {
        scenario: scenario.name().to_string(),
        outcome_count: Count::of(a.outcome_count, a.outcome_count_f64),
        method: a.method.as_str().to_string(),
        at_time: a.at_time,
        bargainers: names(scenario, &a.bargainers),
        parties: a
            .ranges
            .iter()
            .map(|r| {
                let p = &scenario.parties()[r.party.index()];
                AnalysisParty {
                    name: p.name.clone(),
                    role: p.role.as_str().to_string(),
                    reservation_value: r.reservation,
                    best_utility: r.best,
                    worst_utility: r.worst,
                    discount_factor: p.preferences.discount,
                }
            })
            .collect(),
        agreement_zone: Zone {
            count: a.agreement_zone,
            outcomes_crossing_no_red_line: a.acceptable_count,
            pareto: frontier(scenario, &a.zone_pareto),
        },
        pareto: frontier(scenario, &a.pareto),
        feasible_pareto: FrontierCount {
            count: a.feasible_pareto.len(),
        },
        disagreement: a.disagreement.clone(),
        solutions: Solutions {
            nash: solution(&a.solutions.nash),
            kalai_smorodinsky: solution(&a.solutions.kalai_smorodinsky),
            max_welfare: solution(&a.solutions.max_welfare),
            egalitarian: solution(&a.solutions.egalitarian),
        },
        proposals: scenario
            .proposals()
            .iter()
            .map(|pr| Proposal {
                name: pr.name.clone(),
                by: pr.by.clone(),
                outcome: outcome(scenario, &pr.outcome),
                utilities: a
                    .bargainers
                    .iter()
                    .map(|&p| scenario.utility_of(p, &pr.outcome) * factor(p))
                    .collect(),
                acceptable_to_all: scenario.acceptable_to_all(&pr.outcome),
            })
            .collect(),
        detected: None,
    }
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

/// A proposal's evaluation, with the stable keys documented in the README.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Evaluation {
    pub scenario: String,
    pub proposal: String,
    pub by: Option<String>,
    pub outcome: Outcome,
    pub parties: Vec<PartyVerdict>,
    pub acceptable_to_all: bool,
    pub pareto_efficient: bool,
    pub dominated_by: Vec<Point>,
    pub repair_size: Option<usize>,
    pub repair_search_truncated: bool,
    pub repairs: Vec<Repair>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyVerdict {
    pub name: String,
    pub role: String,
    pub utility: f64,
    pub reservation_value: f64,
    pub accepts: bool,
    pub red_lines_crossed: Vec<RedLine>,
}

/// A crossed red line: its note, or its conditions, in words; its note; the
/// issues it speaks of.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedLine {
    pub text: String,
    pub note: String,
    pub issues: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Repair {
    pub outcome: Outcome,
    pub changes: Vec<Change>,
    pub utilities: Vec<f64>,
    pub nash_product: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    pub issue: String,
    pub from: String,
    pub to: String,
}

fn red_line(scenario: &Scenario, p: PartyId, k: usize) -> RedLine {
    let line = &scenario.parties()[p.index()].preferences.red_lines[k];
    RedLine {
        text: red_line_text(scenario, p, k),
        note: line.note.clone(),
        issues: line
            .when
            .conditions
            .iter()
            .map(|c| scenario.issues()[c.issue.index()].name.clone())
            .collect(),
    }
}

/// A proposal's evaluation in the one JSON form.
pub fn evaluation(
    scenario: &Scenario,
    name: &str,
    by: Option<&str>,
    ev: &detente_analysis::Evaluation,
) -> Evaluation {
    Evaluation {
        scenario: scenario.name().to_string(),
        proposal: name.to_string(),
        by: by.map(str::to_string),
        outcome: outcome(scenario, &ev.outcome),
        parties: ev
            .verdicts
            .iter()
            .map(|v| {
                let p = &scenario.parties()[v.party.index()];
                PartyVerdict {
                    name: p.name.clone(),
                    role: p.role.as_str().to_string(),
                    utility: v.utility,
                    reservation_value: v.reservation,
                    accepts: v.accepts,
                    red_lines_crossed: v
                        .red_lines_crossed
                        .iter()
                        .map(|&k| red_line(scenario, v.party, k))
                        .collect(),
                }
            })
            .collect(),
        acceptable_to_all: ev.acceptable_to_all,
        pareto_efficient: ev.pareto_efficient,
        dominated_by: ev.dominated_by.iter().map(|p| point(scenario, p)).collect(),
        repair_size: ev.repair_size,
        repair_search_truncated: ev.repair_search_truncated,
        repairs: ev
            .repairs
            .iter()
            .map(|r| Repair {
                outcome: outcome(scenario, &r.outcome),
                changes: r
                    .changes
                    .iter()
                    .map(|c| {
                        let issue = &scenario.issues()[c.issue.index()];
                        Change {
                            issue: issue.name.clone(),
                            from: issue.value_label(c.from),
                            to: issue.value_label(c.to),
                        }
                    })
                    .collect(),
                utilities: r.utilities.clone(),
                nash_product: r.nash_product,
            })
            .collect(),
    }
}
