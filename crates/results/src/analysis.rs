//! Analyses and evaluations.

pub mod robust;

use crate::{Count, Outcome, Point, outcome, point};
use detente_core::{PartyId, Scenario};
use schemars::JsonSchema;
use serde::Serialize;

/// An analysis, with the stable keys documented in the README.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Analysis {
    /// The scenario's name.
    pub scenario: String,
    /// The number of outcomes: exact when it fits in 64 bits, approximate
    /// beyond.
    pub outcome_count: Count,
    /// How the frontier was found: `enumerate`, `additive` or
    /// `branch-and-bound`.
    pub method: String,
    /// The normalised time at which utilities are discounted, if any.
    pub at_time: Option<f64>,
    /// The bargaining parties, in the order of every `utilities` list.
    pub bargainers: Vec<String>,
    /// Every bargaining party's range of utilities.
    pub parties: Vec<AnalysisParty>,
    /// The outcomes every party could accept.
    pub agreement_zone: Zone,
    /// The Pareto frontier of the whole space.
    pub pareto: Frontier,
    /// The Pareto frontier of the outcomes crossing no red line.
    pub feasible_pareto: FrontierCount,
    /// The disagreement point of the bargaining solutions, per bargainer.
    pub disagreement: Vec<f64>,
    /// The bargaining solutions.
    pub solutions: Solutions,
    /// The scenario's proposals, each with its utilities.
    pub proposals: Vec<Proposal>,
    /// What was read (the CLI's `--json` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<String>,
    /// How sure the agreement zone is, when uncertain numbers were sampled (`--samples`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robust: Option<robust::RobustAnalysis>,
}

/// A bargaining party's utilities.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalysisParty {
    /// The party's name.
    pub name: String,
    /// Its role: `party`, `mediator`, ...
    pub role: String,
    /// What walking away is worth to it.
    pub reservation_value: f64,
    /// Its best utility (null when not computed exactly without
    /// enumeration).
    pub best_utility: Option<f64>,
    /// Its worst utility (null likewise).
    pub worst_utility: Option<f64>,
    /// Its discount factor (1: no discount).
    pub discount_factor: f64,
}

/// The agreement zone: outcomes crossing no red line and worth at least
/// every reservation value.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Zone {
    /// How many outcomes it holds (null when the space was not enumerated).
    pub count: Option<u64>,
    /// How many outcomes cross no red line (null likewise).
    pub outcomes_crossing_no_red_line: Option<u64>,
    /// Its Pareto frontier.
    pub pareto: Frontier,
}

/// A Pareto frontier.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Frontier {
    /// The number of distinct utility vectors.
    pub count: usize,
    /// Its points, one per utility vector.
    pub points: Vec<Point>,
}

/// A frontier given by its size only.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontierCount {
    /// The number of distinct utility vectors.
    pub count: usize,
}

/// The bargaining solutions, each a frontier point (null when there is
/// none).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Solutions {
    /// The Nash bargaining solution.
    pub nash: Option<Point>,
    /// The Kalai–Smorodinsky solution.
    pub kalai_smorodinsky: Option<Point>,
    /// The outcome of maximum welfare.
    pub max_welfare: Option<Point>,
    /// The egalitarian solution.
    pub egalitarian: Option<Point>,
}

/// A proposal of the scenario.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Proposal {
    /// Its name.
    pub name: String,
    /// Who tabled it, if known.
    pub by: Option<String>,
    /// What it proposes.
    pub outcome: Outcome,
    /// The bargainers' utilities, in the order of `bargainers`.
    pub utilities: Vec<f64>,
    /// Whether every party could accept it.
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
        robust: None,
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
    /// The scenario's name.
    pub scenario: String,
    /// The proposal's name (`custom` for values given by hand).
    pub proposal: String,
    /// Who tabled it, if known.
    pub by: Option<String>,
    /// What it proposes.
    pub outcome: Outcome,
    /// Every party's verdict.
    pub parties: Vec<PartyVerdict>,
    /// Whether every party could accept it.
    pub acceptable_to_all: bool,
    /// Whether no outcome is at least as good for every bargainer and
    /// better for one.
    pub pareto_efficient: bool,
    /// Frontier points that dominate it.
    pub dominated_by: Vec<Point>,
    /// The fewest issues to change to make it acceptable to all, if found.
    pub repair_size: Option<usize>,
    /// Whether the search for repairs stopped at its budget.
    pub repair_search_truncated: bool,
    /// The repairs found, best Nash product first.
    pub repairs: Vec<Repair>,
    /// How sure each verdict is, when uncertain numbers were sampled (`--samples`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robust: Option<robust::RobustEvaluation>,
}

/// A party's verdict on a proposal.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyVerdict {
    /// The party's name.
    pub name: String,
    /// Its role.
    pub role: String,
    /// What the proposal is worth to it.
    pub utility: f64,
    /// What walking away is worth to it.
    pub reservation_value: f64,
    /// Whether it could accept the proposal.
    pub accepts: bool,
    /// The red lines the proposal crosses.
    pub red_lines_crossed: Vec<RedLine>,
}

/// A crossed red line.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedLine {
    /// Its note, or its conditions in words.
    pub text: String,
    /// Its note (empty when it has none).
    pub note: String,
    /// The issues it speaks of.
    pub issues: Vec<String>,
}

/// A repair: a nearby outcome every party could accept.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Repair {
    /// The repaired outcome.
    pub outcome: Outcome,
    /// The issues changed.
    pub changes: Vec<Change>,
    /// The bargainers' utilities of the repaired outcome.
    pub utilities: Vec<f64>,
    /// The Nash product of those utilities over the disagreement point.
    pub nash_product: f64,
}

/// One issue changed by a repair.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The issue.
    pub issue: String,
    /// Its value in the proposal.
    pub from: String,
    /// Its value in the repair.
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
                changes: r.changes.iter().map(|c| change(scenario, c)).collect(),
                utilities: r.utilities.clone(),
                nash_product: r.nash_product,
            })
            .collect(),
        robust: None,
    }
}

/// One changed issue, labelled.
fn change(scenario: &Scenario, c: &detente_analysis::Change) -> Change {
    let issue = &scenario.issues()[c.issue.index()];
    Change {
        issue: issue.name.clone(),
        from: issue.value_label(c.from),
        to: issue.value_label(c.to),
    }
}
