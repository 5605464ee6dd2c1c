//! The CLI's reports and lists: `validate --json`, `show --list --json`
//! (the built-in scenarios) and `strategies --json`.

use crate::Count;
use detente_negotiation::{ParamKind, StrategyInfo};
use schemars::JsonSchema;
use serde::Serialize;

/// What `validate --json` prints: `ok`, every problem found, and when the
/// scenario is valid a summary of it.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidateReport {
    pub ok: bool,
    pub problems: Vec<Problem>,
    #[serde(flatten)]
    pub summary: Option<ScenarioSummary>,
}

/// A valid scenario in numbers.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSummary {
    pub scenario: String,
    pub detected: String,
    pub issues: usize,
    pub parties: usize,
    pub proposals: usize,
    pub outcomes: Count,
}

/// A problem found in a scenario: where (`line` and `column` when known)
/// and what.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Problem {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

/// A built-in scenario in the list of `show --list --json`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioEntry {
    pub name: String,
    pub description: String,
    pub default: bool,
    pub issues: Option<usize>,
    pub parties: Option<usize>,
    pub proposals: Option<usize>,
}

/// A strategy of `strategies --json`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StrategyEntry {
    pub name: String,
    pub family: String,
    pub description: String,
    pub params: Vec<Param>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Param {
    pub name: String,
    /// The values it takes, in words (`number in [0, 1]`, ...).
    #[serde(rename = "type")]
    pub kind: String,
    pub default: String,
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
