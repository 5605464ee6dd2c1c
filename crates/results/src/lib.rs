//! The one JSON form of every result detente reports: analyses and
//! evaluations, negotiation sessions and their traces, forecasts and sweeps,
//! tournament reports, and the lists and reports of the CLI.
//!
//! Each kind is a typed struct deriving `serde::Serialize` and
//! `schemars::JsonSchema`, built from an engine's result by a plain
//! function, so the JSON Schema ([`schema`]) comes from the same types as the
//! output. The CLI's `--json`, the workbench's API and the tournament's stored
//! rows all go through here; the engines know no JSON.
//!
//! ```
//! let schema = detente_results::schema();
//! assert!(schema["oneOf"].as_array().is_some_and(|kinds| kinds.len() >= 10));
//! ```

#![warn(missing_docs)]

mod analysis;
mod forecast;
mod lists;
mod negotiation;
mod tournament;

pub use analysis::robust::{
    EXPLAINED_METHOD, Explained, LISTED_OUTCOMES, OutcomeChance, PartyAcceptance, Probability,
    RobustAnalysis, RobustEvaluation, RobustRepair, SolutionChances, Spread, Threshold,
    robust_analysis, robust_evaluation,
};
pub use analysis::{
    Analysis, AnalysisParty, Change, Evaluation, Frontier, FrontierCount, PartyVerdict, Proposal,
    RedLine, Repair, Solutions, Zone, analysis, evaluation, red_line_text,
};
pub use forecast::{
    Challenge, Forecast, ForecastActor, ForecastTurn, MonteCarlo, MovedBy, Params, Prediction,
    Stop, Sweep, SweepBase, SweepCase, forecast,
};
pub use lists::{
    Param, Problem, ScenarioEntry, ScenarioSummary, StrategyEntry, ValidateReport, kind_text,
    scenario_entry, strategies,
};

pub use negotiation::{EndDetail, Negotiation, TraceEvent, actor_name, negotiation, trace};
pub use tournament::{RankRow, TournamentReport, TournamentRun};

use detente_core::{IssueKind, Scenario};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;

/// One issue's value in an outcome: the option's name for a categorical
/// issue, a number otherwise.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Value {
    /// An option's name (categorical issues).
    Label(String),
    /// A whole number (integer issues).
    Integer(i64),
    /// A number (continuous issues).
    Number(f64),
}

/// An outcome as an object `issue -> value`, in issue order.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Outcome(pub IndexMap<String, Value>);

impl std::fmt::Display for Outcome {
    /// The compact JSON text, as the tournament database stores it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| std::fmt::Error)?)
    }
}

/// An outcome in the one JSON form: option names for categorical issues,
/// numbers otherwise.
pub fn outcome(scenario: &Scenario, outcome: &[u32]) -> Outcome {
    Outcome(
        scenario
            .issues()
            .iter()
            .zip(outcome)
            .map(|(issue, &v)| {
                let value = match issue.kind {
                    IssueKind::Categorical { .. } => Value::Label(issue.value_label(v)),
                    IssueKind::Integer { .. } => {
                        Value::Integer(issue.numeric_value(v).unwrap_or(0.0) as i64)
                    }
                    IssueKind::Continuous { .. } => {
                        Value::Number(issue.numeric_value(v).unwrap_or(0.0))
                    }
                };
                (issue.name.clone(), value)
            })
            .collect(),
    )
}

/// A point: the bargaining parties' utilities and its outcome.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
pub struct Point {
    /// The bargainers' utilities, in the order of `bargainers`.
    pub utilities: Vec<f64>,
    /// The outcome.
    pub outcome: Outcome,
}

/// A frontier point in the one JSON form.
pub fn point(scenario: &Scenario, p: &detente_analysis::Point) -> Point {
    Point {
        utilities: p.utilities.clone(),
        outcome: outcome(scenario, &p.outcome),
    }
}

/// A count that is exact when it fits in 64 bits, approximate beyond.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Count {
    /// The exact count.
    Exact(u64),
    /// An approximation, beyond 2^64.
    Approximate(f64),
}

impl Count {
    /// The exact count when it fits, else the approximation.
    pub fn of(exact: Option<u128>, approx: f64) -> Count {
        match exact {
            Some(n) if n <= u64::MAX as u128 => Count::Exact(n as u64),
            _ => Count::Approximate(approx),
        }
    }
}

/// Every kind of result, for the schema: each output of `--json` (and each
/// API answer's result) validates against exactly one of them.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
#[allow(dead_code, clippy::large_enum_variant)]
enum AnyResult {
    Analysis(Analysis),
    Evaluation(Evaluation),

    Negotiation(Negotiation),
    Forecast(Forecast),
    Sweep(Sweep),
    TournamentReport(TournamentReport),
    TournamentRun(TournamentRun),
    ValidateReport(ValidateReport),
    ScenarioList(Vec<ScenarioEntry>),
    StrategyList(Vec<StrategyEntry>),
}

/// One JSON Schema document that every result validates against: `oneOf`
/// the kinds (analysis, evaluation, negotiation, forecast, sweep, tournament
/// report, tournament run, validate report, scenario list, strategies list),
/// each a definition under `$defs`.
pub fn schema() -> serde_json::Value {
    let mut generator =
        schemars::SchemaGenerator::new(schemars::generate::SchemaSettings::draft2020_12());
    let mut root = serde_json::to_value(generator.root_schema_for::<AnyResult>())
        .unwrap_or(serde_json::Value::Null);
    if let Some(m) = root.as_object_mut() {
        // An untagged enum is `anyOf`; the kinds are disjoint (each has its
        // own required keys), so `oneOf` says so and checks it.
        if let Some(kinds) = m.remove("anyOf") {
            m.insert("oneOf".into(), kinds);
        }
        m.insert(
            "title".into(),
            serde_json::Value::String("detente results".into()),
        );
        m.insert(
            "description".into(),
            serde_json::Value::String(
                "Every result detente prints with --json: analysis, evaluation, negotiation, forecast, sweep, tournament report, tournament run, validate report, scenario list, strategies list."
                    .into(),
            ),
        );
    }
    root
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_is_one_of_every_kind() {
        let s = schema();
        let kinds: Vec<String> = s["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| {
                let r = k["$ref"].as_str().or(k["items"]["$ref"].as_str());
                r.unwrap().trim_start_matches("#/$defs/").to_string()
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "Analysis",
                "Evaluation",
                "Negotiation",
                "Forecast",
                "Sweep",
                "TournamentReport",
                "TournamentRun",
                "ValidateReport",
                "ScenarioEntry",
                "StrategyEntry"
            ]
        );
        // Unknown keys are refused, so a key added to an output without its
        // type fails the CLI's schema test.
        assert_eq!(s["$defs"]["Analysis"]["additionalProperties"], false);
    }

    #[test]
    fn counts_are_exact_up_to_64_bits() {
        assert_eq!(Count::of(Some(12), 12.0), Count::Exact(12));
        assert_eq!(
            Count::of(Some(u64::MAX as u128 + 1), 1.8e19),
            Count::Approximate(1.8e19)
        );
        assert_eq!(Count::of(None, 1e30), Count::Approximate(1e30));
        assert_eq!(serde_json::to_string(&Count::Exact(3)).unwrap(), "3");
    }

    #[test]
    fn an_outcome_is_compact_json_in_issue_order() {
        let o = Outcome(
            [
                ("price".to_string(), Value::Integer(20_000)),
                ("colour".to_string(), Value::Label("red".into())),
                ("rate".to_string(), Value::Number(0.5)),
            ]
            .into_iter()
            .collect(),
        );
        assert_eq!(
            o.to_string(),
            r#"{"price":20000,"colour":"red","rate":0.5}"#
        );
    }
}
