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
    /// Free text about the scenario, shown by reports and the workbench.
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
    /// Free text about the forecasting model, shown in reports.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The policy dimensions, each a 0–100 scale.
    pub dimensions: Vec<DimensionSpec>,
    /// The actors of the spatial model, each with a capability and a position and salience on
    /// every dimension.
    pub actors: Vec<ActorSpec>,
    /// Model parameters by name (see `detente forecast --help`), e.g. `{ VotingRule = "Cubic" }`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub params: IndexMap<String, String>,
}

/// One policy dimension of the forecasting model, a 0–100 scale.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DimensionSpec {
    /// The dimension's name: the key of the actors' `position` and `salience` tables.
    pub name: String,
    /// What 0 and 100 mean.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// One actor of the forecasting model: a stakeholder with power and a stance on each dimension.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorSpec {
    /// The actor's name, unique in the model.
    pub name: String,
    /// Free text about the actor, shown in reports.
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
    /// The issue's name, unique in the scenario; weights, values, conditions and proposals
    /// refer to it.
    pub name: String,
    /// Free text about the issue, shown by reports and the workbench.
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

/// The kind of an issue, as written in its `kind` field.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum IssueKindName {
    /// Named options, listed in `options`.
    Categorical,
    /// Every integer from `min` to `max`, inclusive.
    Integer,
    /// The real interval from `min` to `max`, enumerated on a grid of `step`.
    Continuous,
}

/// A party's role, as written in its `role` field.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RoleName {
    /// A side whose consent an agreement needs.
    Party,
    /// A go-between with interests of its own but no veto.
    Mediator,
}

/// How a party's weights and values become utilities, as written in its `normalisation` field.
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
    /// The party's name, unique in the scenario; proposals' `by` refers to it.
    pub name: String,
    /// `party` (default) or `mediator` (no veto; left out of the agreement zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<RoleName>,
    /// Free text about the party, shown by reports and the workbench.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Utility of walking away, in [0, 1] on the normalised scale; 0 when absent. A number or
    /// a distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reservation: Option<NumberSpec>,
    /// Discount factor per unit of normalised time, in (0, 1]; 1 when absent. A number or a
    /// distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<NumberSpec>,
    /// How weights and values become utilities; `min-max` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub normalisation: Option<NormalisationName>,
    /// Issue name -> non-negative weight (a number or a distribution). Issues left out weigh 0.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub weights: IndexMap<String, NumberSpec>,
    /// Issue name -> value function: for a categorical issue a table
    /// `{ option = value, ... }` (each value a number or a distribution) or an
    /// ordering only, `{ order = [best, ..., worst] }`; for a numeric issue
    /// `"increasing"`, `"decreasing"` or `{ points = [[x, value], ...] }`
    /// (piecewise linear; each value a number or a distribution).
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
    Order { order: Vec<String> },
    Table(IndexMap<String, NumberSpec>),
    Shape(ShapeName),
    Points { points: Vec<(f64, NumberSpec)> },
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

/// A bonus or penalty that a party's utility gets when a combination of values occurs.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionSpec {
    /// Every listed issue must take one of the listed values.
    #[schemars(with = "IndexMap<String, ConditionSchema>")]
    pub when: When,
    /// Added to the weighted utility (before normalisation) when `when` holds; negative for a
    /// penalty. A number or a distribution.
    pub bonus: NumberSpec,
    /// What the interaction stands for, shown in reports.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A combination of values that a party refuses, whatever else it gets.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedLineSpec {
    /// The outcome is unacceptable when every listed issue takes one of the listed values.
    #[schemars(with = "IndexMap<String, ConditionSchema>")]
    pub when: When,
    /// The party's reason, shown in verdicts and reports.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// A non-linear utility: the sum of the utilities of the boxes an outcome lies in (GENIUS's
/// ANAC 2014 profiles).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoxesSpec {
    /// The sum of box utilities is divided by this.
    pub max_utility: f64,
    /// The boxes whose utilities are summed.
    pub boxes: Vec<BoxSpec>,
}

/// One box: a utility earned when every bounded issue's value lies within its bounds.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BoxSpec {
    /// What the box adds to the sum when the outcome lies within it.
    pub utility: f64,
    /// Issue name -> `{ min, max }` bounds (inclusive) the value must lie within.
    #[schemars(with = "IndexMap<String, ConditionSchema>")]
    pub within: When,
}

/// A named outcome to evaluate, such as a mediator's draft.
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalSpec {
    /// The proposal's name, by which `evaluate --proposal` selects it.
    pub name: String,
    /// The party that tabled it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// Free text about the proposal, shown in reports.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Issue name -> value (option name or number), for every issue.
    #[schemars(with = "IndexMap<String, ConditionSchema>")]
    pub outcome: IndexMap<String, J>,
}

/// A number that may be uncertain: a plain number, or a distribution such as
/// `{ uniform = [0.2, 0.6] }`, `{ triangular = [1, 2, 4] }` (low, mode, high)
/// or `{ choices = [0, 0.2], p = [0.7, 0.3] }`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum NumberSpec {
    /// A number known for sure.
    Plain(f64),
    /// A distribution; the deterministic model uses its `value`, or its
    /// midpoint (uniform), mode (triangular) or most probable choice.
    Distribution(DistributionSpec),
}

impl NumberSpec {
    /// The number as written when it is plain, else the distribution's
    /// explicit `value` (`None` when a distribution gives none).
    pub fn plain(&self) -> Option<f64> {
        match self {
            NumberSpec::Plain(x) => Some(*x),
            NumberSpec::Distribution(d) => d.value,
        }
    }
}

impl From<f64> for NumberSpec {
    fn from(x: f64) -> Self {
        NumberSpec::Plain(x)
    }
}

impl<'de> Deserialize<'de> for NumberSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = NumberSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number or a distribution such as { uniform = [low, high] }")
            }
            fn visit_f64<E>(self, x: f64) -> Result<NumberSpec, E> {
                Ok(NumberSpec::Plain(x))
            }
            fn visit_i64<E>(self, x: i64) -> Result<NumberSpec, E> {
                Ok(NumberSpec::Plain(x as f64))
            }
            fn visit_u64<E>(self, x: u64) -> Result<NumberSpec, E> {
                Ok(NumberSpec::Plain(x as f64))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, m: A) -> Result<NumberSpec, A::Error> {
                DistributionSpec::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(NumberSpec::Distribution)
            }
        }
        d.deserialize_any(V)
    }
}

/// A distribution of an uncertain number: exactly one of `uniform`,
/// `triangular` and `choices` (with `p`), and optionally the point `value`
/// the deterministic model uses.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistributionSpec {
    /// `[low, high]`: every number in between equally likely.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uniform: Option<Vec<f64>>,
    /// `[low, mode, high]`: the triangular distribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triangular: Option<Vec<f64>>,
    /// The possible numbers, each with its probability in `p`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<f64>>,
    /// The probabilities of `choices`, non-negative and summing to 1; equal when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p: Option<Vec<f64>>,
    /// The point value of the deterministic model; the midpoint, the mode or
    /// the most probable choice when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// The JSON Schema of the native format.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ScenarioFile)).unwrap_or_default()
}
