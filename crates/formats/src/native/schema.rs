//! The serde types of the native format and its JSON Schema.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value as J;

/// The format version this build reads and writes.
pub const VERSION: u32 = 1;

/// A scenario file.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "detente scenario",
    description = "A negotiation scenario in detente's native format, version 1."
)]
pub struct ScenarioFile {
    /// Format version; 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Short name of the scenario.
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The questions to settle, each with the values it can take.
    pub issues: Vec<IssueSpec>,
    /// The participants and their preferences.
    pub parties: Vec<PartySpec>,
    /// Named outcomes to evaluate (for example a mediator's draft).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub proposals: Vec<ProposalSpec>,
    /// A spatial model of the same talks for `detente forecast` (KTAB's SMP).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast: Option<ForecastSpec>,
}

/// The forecasting model: dimensions on a 0–100 scale, and each actor's
/// capability, position and salience (KTAB's conventions).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastSpec {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The policy dimensions, each a 0–100 scale.
    pub dimensions: Vec<DimensionSpec>,
    pub actors: Vec<ActorSpec>,
    /// Model parameters by name (see `detente forecast --help`), e.g. `{ VotingRule = "Cubic" }`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub params: IndexMap<String, String>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DimensionSpec {
    pub name: String,
    /// What 0 and 100 mean.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Power to influence the outcome; positive.
    pub capability: f64,
    /// Dimension name -> position on 0–100.
    pub position: IndexMap<String, f64>,
    /// Dimension name -> salience on 0–100; they sum to at most 100.
    pub salience: IndexMap<String, f64>,
}

/// One issue.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// `categorical` (the default when `options` is given), `integer` or `continuous`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<IssueKindName>,
    /// Categorical: the option names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<Vec<String>>,
    /// Categorical: whether the listed order is meaningful.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ordered: Option<bool>,
    /// Integer and continuous: lowest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Integer and continuous: highest value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Continuous: the grid step used when outcomes are enumerated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<f64>,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum IssueKindName {
    Categorical,
    Integer,
    Continuous,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RoleName {
    Party,
    Mediator,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum NormalisationName {
    /// Rescale so the worst outcome is 0 and the best 1 (the default).
    MinMax,
    /// Use weights and values exactly as given (GeniusWeb semantics).
    AsGiven,
    /// As given, capped at 1 (GENIUS semantics).
    CappedAtOne,
}

/// One party.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartySpec {
    pub name: String,
    /// `party` (default) or `mediator` (no veto; left out of the agreement zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleName>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Utility of walking away, in [0, 1] on the normalised scale; 0 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation: Option<f64>,
    /// Discount factor per unit of normalised time, in (0, 1]; 1 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalisation: Option<NormalisationName>,
    /// Issue name -> non-negative weight. Issues left out weigh 0.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub weights: IndexMap<String, f64>,
    /// Issue name -> value function: for a categorical issue a table
    /// `{ option = value, ... }`; for a numeric issue `"increasing"`,
    /// `"decreasing"` or `{ points = [[x, value], ...] }` (piecewise linear).
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(with = "IndexMap<String, ValueFunctionSchema>")]
    pub values: IndexMap<String, J>,
    /// Bonuses or penalties for combinations of values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interactions: Vec<InteractionSpec>,
    /// Combinations the party will never accept.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub red_lines: Vec<RedLineSpec>,
    /// A non-linear utility (GENIUS's ANAC 2014 boxes), instead of weights and values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boxes: Option<BoxesSpec>,
}

/// Schema-only description of a value function.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ValueFunctionSchema {
    Table(IndexMap<String, f64>),
    Shape(ShapeName),
    Points { points: Vec<(f64, f64)> },
}

#[derive(JsonSchema)]
#[serde(rename_all = "lowercase")]
#[allow(dead_code)]
enum ShapeName {
    Increasing,
    Decreasing,
}

/// Schema-only description of a condition value.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum ConditionSchema {
    One(String),
    Number(f64),
    Many(Vec<serde_json::Value>),
    Range {
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    },
}

/// Issue name -> the values that satisfy the condition: an option, a list of
/// options, a number, a list of numbers, or `{ min, max }` (inclusive).
pub type When = IndexMap<String, J>;

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionSpec {
    /// Every listed issue must take one of the listed values.
    #[schemars(with = "IndexMap<String, ConditionSchema>")]
    pub when: When,
    /// Added to the weighted utility (before normalisation) when `when` holds; negative for a penalty.
    pub bonus: f64,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedLineSpec {
    /// The outcome is unacceptable when every listed issue takes one of the listed values.
    #[schemars(with = "IndexMap<String, ConditionSchema>")]
    pub when: When,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoxesSpec {
    /// The sum of box utilities is divided by this.
    pub max_utility: f64,
    pub boxes: Vec<BoxSpec>,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoxSpec {
    pub utility: f64,
    /// Issue name -> `{ min, max }` bounds (inclusive) the value must lie within.
    #[schemars(with = "IndexMap<String, ConditionSchema>")]
    pub within: When,
}

#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalSpec {
    pub name: String,
    /// The party that tabled it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Issue name -> value (option name or number), for every issue.
    #[schemars(with = "IndexMap<String, ConditionSchema>")]
    pub outcome: IndexMap<String, J>,
}

/// The JSON Schema of the native format.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ScenarioFile)).unwrap_or_default()
}
