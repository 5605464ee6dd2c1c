//! The CLI's reports and lists: `validate --json`, `show --list --json`
//! (the built-in scenarios) and `strategies --json`.

use crate::Count;
use detente_core::Scenario;
use detente_negotiation::{ParamKind, StrategyInfo};
use schemars::JsonSchema;
use serde::Serialize;

/// What `validate --json` prints: `ok`, every problem found, and when the
/// scenario is valid a summary of it.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateReport {
    /// Whether the scenario loaded.
    pub ok: bool,
    /// Every problem found (empty when ok).
    pub problems: Vec<Problem>,
    /// When ok, the scenario in numbers (its keys sit beside `ok`).
    #[serde(flatten)]
    pub summary: Option<ScenarioSummary>,
}

/// A valid scenario in numbers.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSummary {
    /// The scenario's name.
    pub scenario: String,
    /// What was read.
    pub detected: String,
    /// How many issues.
    pub issues: usize,
    /// How many parties.
    pub parties: usize,
    /// How many proposals.
    pub proposals: usize,
    /// How many outcomes.
    pub outcomes: Count,
}

/// A problem found in a scenario: where (`line` and `column` when known)
/// and what.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    /// The file.
    pub file: String,
    /// The line, from 1, when known.
    pub line: Option<usize>,
    /// The column, from 1, when known.
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
}

/// A built-in scenario in the list of `detente scenarios --json` (and the
/// workbench's `/api/scenarios`).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioEntry {
    /// Its name, to give to any command.
    pub name: String,
    /// What it is about.
    pub description: String,
    /// Whether commands use it when given none.
    pub default: bool,
    /// How many issues (null if it did not load).
    pub issues: Option<usize>,
    /// How many parties (null likewise).
    pub parties: Option<usize>,
    /// How many proposals (null likewise).
    pub proposals: Option<usize>,
    /// How many outcomes (null likewise).
    pub outcomes: Option<Count>,
    /// Whether it has a forecasting model (null likewise).
    pub forecast: Option<bool>,
}

/// A built-in scenario's entry: `scenario` and whether it has a
/// forecasting model, when it loaded.
pub fn scenario_entry(
    name: &str,
    default: bool,
    scenario: Option<(&Scenario, bool)>,
) -> ScenarioEntry {
    ScenarioEntry {
        name: name.to_string(),
        description: scenario.map_or("", |(s, _)| s.description()).to_string(),
        default,
        issues: scenario.map(|(s, _)| s.issues().len()),
        parties: scenario.map(|(s, _)| s.parties().len()),
        proposals: scenario.map(|(s, _)| s.proposals().len()),
        outcomes: scenario
            .map(|(s, _)| Count::of(s.space().count_u64().map(u128::from), s.space().count_f64())),
        forecast: scenario.map(|(_, f)| f),
    }
}

/// A strategy of `strategies --json`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StrategyEntry {
    /// Its name, as `--strategies` takes it.
    pub name: String,
    /// Its family (time-dependent, ANAC, ...).
    pub family: String,
    /// What it does.
    pub description: String,
    /// Its parameters (`name:key=value,...`).
    pub params: Vec<Param>,
}

/// A strategy's parameter.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Param {
    /// Its key.
    pub name: String,
    /// The values it takes, in words (`number in [0, 1]`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    /// Its default, as text.
    pub default: String,
    /// What it changes.
    pub description: String,
}

/// A parameter's values in words.
pub fn kind_text(kind: ParamKind) -> String {
    match kind {
        ParamKind::Number { min, max } => format!("number in [{min}, {max}]"),
        ParamKind::Count => "integer >= 0".to_string(),
        ParamKind::Choice(words) => words.join("|"),
    }
}

/// The strategies in the one JSON form.
pub fn strategies(catalog: &[StrategyInfo]) -> Vec<StrategyEntry> {
    catalog
        .iter()
        .map(|s| StrategyEntry {
            name: s.name.to_string(),
            family: s.family.as_str().to_string(),
            description: s.description.to_string(),
            params: s
                .params
                .iter()
                .map(|p| Param {
                    name: p.name.to_string(),
                    kind: kind_text(p.kind),
                    default: p.default.to_string(),
                    description: p.description.to_string(),
                })
                .collect(),
        })
        .collect()
}
