//! detente's native scenario format (version 1), as TOML or JSON.
//!
//! The two syntaxes carry the same structure. A minimal file:
//!
//! ```toml
//! version = 1
//! name = "sale"
//!
//! [[issues]]
//! name = "price"
//! options = ["low", "high"]
//!
//! [[parties]]
//! name = "buyer"
//! reservation = 0.2
//! weights = { price = 1 }
//! values.price = { low = 1, high = 0 }
//!
//! [[parties]]
//! name = "seller"
//! weights = { price = 1 }
//! values.price = { low = 0, high = 1 }
//! ```
//!
//! [`schema`] gives the JSON Schema; [`read_str`] parses and validates;
//! [`to_toml`] and [`to_json`] write a scenario back.

use crate::error::{FormatError, Location};
use crate::locate::{Path, Syntax, locate};
use detente_core::{
    Clause, Condition, HyperRectangle, Interaction, Issue, IssueId, IssueKind, Normalisation,
    Party, Preferences, Proposal, RedLine, Role, Scenario, ScenarioParts, UtilityModel,
    ValueFunction, ValueSet, format_number,
};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value as J, json};

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

/// Guesses the syntax from a file name, then from the first non-blank byte.
pub fn syntax_of(file: &str, text: &str) -> Syntax {
    if file.ends_with(".json") {
        return Syntax::Json;
    }
    if file.ends_with(".toml") {
        return Syntax::Toml;
    }
    match text.trim_start().as_bytes().first() {
        Some(b'{') => Syntax::Json,
        _ => Syntax::Toml,
    }
}

/// Parses and validates a native scenario. `file` is used in messages only.
pub fn read_str(text: &str, file: &str) -> Result<Scenario, FormatError> {
    let syntax = syntax_of(file, text);
    let spec: ScenarioFile = match syntax {
        Syntax::Toml => toml::from_str(text).map_err(|e| {
            let at = match e.span() {
                Some(s) => Location::at_offset(file, text, s.start),
                None => Location::file(file),
            };
            FormatError::at(at, e.message().trim().to_string())
        })?,
        Syntax::Json => serde_json::from_str(text).map_err(|e| {
            let at = Location {
                file: file.to_string(),
                line: Some(e.line()),
                column: Some(e.column()),
            };
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            FormatError::at(at, msg)
        })?,
    };
    let located =
        |path: &Path, message: String| FormatError::at(locate(syntax, file, text, path), message);
    let parts = build(&spec).map_err(|(path, msg)| located(&path, msg))?;
    Scenario::new(parts).map_err(|e| FormatError::at(Location::file(file), e.to_string()))
}

/// Parses a native scenario and its forecasting model (if it has one).
pub fn read_with_forecast(
    text: &str,
    file: &str,
) -> Result<(Scenario, Option<detente_forecast::Model>), FormatError> {
    let scenario = read_str(text, file)?;
    let syntax = syntax_of(file, text);
    // `read_str` has parsed the text already, so this cannot fail.
    let spec: Option<ScenarioFile> = match syntax {
        Syntax::Toml => toml::from_str(text).ok(),
        Syntax::Json => serde_json::from_str(text).ok(),
    };
    let Some(f) = spec.and_then(|s| s.forecast) else {
        return Ok((scenario, None));
    };
    let model = build_forecast(&f, scenario.name())
        .map_err(|(path, msg)| FormatError::at(locate(syntax, file, text, &path), msg))?;
    Ok((scenario, Some(model)))
}

/// Converts the forecast section into a model, checking names and ranges.
pub fn build_forecast(f: &ForecastSpec, name: &str) -> Result<detente_forecast::Model, BuildError> {
    let at = Path::default().key("forecast");
    if f.dimensions.is_empty() {
        return Err((
            at.key("dimensions"),
            "the forecast needs at least one dimension".into(),
        ));
    }
    let dims: Vec<&str> = f.dimensions.iter().map(|d| d.name.as_str()).collect();
    for (k, d) in dims.iter().enumerate() {
        if dims[..k].contains(d) {
            return Err((
                at.key("dimensions").index(k),
                format!("dimension `{d}` is declared twice"),
            ));
        }
    }
    let mut actors = Vec::new();
    for (k, a) in f.actors.iter().enumerate() {
        let aat = at.key("actors").index(k);
        let per_dim = |field: &str, m: &IndexMap<String, f64>| -> Result<Vec<f64>, BuildError> {
            for key in m.keys() {
                if !dims.contains(&key.as_str()) {
                    return Err((
                        aat.key(field).key(key),
                        format!(
                            "unknown dimension `{key}`; expected one of {}",
                            expected_list(&dims)
                        ),
                    ));
                }
            }
            dims.iter()
                .map(|d| match m.get(*d) {
                    Some(&x) if (0.0..=100.0).contains(&x) => Ok(x / 100.0),
                    Some(&x) => Err((
                        aat.key(field).key(d),
                        format!("{field} {x} on dimension `{d}` is outside [0, 100]"),
                    )),
                    None => Err((
                        aat.key(field),
                        format!("actor `{}` has no {field} on dimension `{d}`", a.name),
                    )),
                })
                .collect()
        };
        let position = per_dim("position", &a.position)?;
        let salience = per_dim("salience", &a.salience)?;
        let mut actor = detente_forecast::Actor::new(&a.name, a.capability, position, salience);
        actor.description = a.description.clone();
        actors.push(actor);
    }
    let mut params = detente_forecast::Params::default();
    for (k, v) in &f.params {
        params.set(k, v).map_err(|e| (at.key("params").key(k), e))?;
    }
    detente_forecast::Model::new(dims.iter().map(|d| d.to_string()).collect(), actors)
        .map(|m| m.with_name(name, &f.description).with_params(params))
        .map_err(|e| (at.key("actors"), e.to_string()))
}

type BuildError = (Path, String);

fn expected_list<T: AsRef<str>>(items: &[T]) -> String {
    items
        .iter()
        .map(|s| format!("`{}`", s.as_ref()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Converts the file structure into model parts, checking every name and number.
pub fn build(spec: &ScenarioFile) -> Result<ScenarioParts, BuildError> {
    let root = Path::default();
    if let Some(v) = spec.version
        && v != VERSION
    {
        return Err((
            root.key("version"),
            format!("unsupported format version {v}; this build reads version {VERSION}"),
        ));
    }
    if spec.name.trim().is_empty() {
        return Err((root.key("name"), "the scenario name is empty".into()));
    }
    if spec.issues.is_empty() {
        return Err((
            root.key("issues"),
            "a scenario needs at least one issue".into(),
        ));
    }
    let mut issues = Vec::new();
    for (k, is) in spec.issues.iter().enumerate() {
        let at = root.key("issues").index(k);
        if is.name.trim().is_empty() {
            return Err((at.key("name"), "an issue name is empty".into()));
        }
        if spec.issues[..k].iter().any(|o| o.name == is.name) {
            return Err((
                at.key("name"),
                format!("issue `{}` is declared twice", is.name),
            ));
        }
        issues.push(build_issue(is, &at)?);
    }
    let issue_names: Vec<&str> = spec.issues.iter().map(|i| i.name.as_str()).collect();
    if spec.parties.is_empty() {
        return Err((
            root.key("parties"),
            "a scenario needs at least one party".into(),
        ));
    }
    let mut parties = Vec::new();
    for (k, ps) in spec.parties.iter().enumerate() {
        let at = root.key("parties").index(k);
        if ps.name.trim().is_empty() {
            return Err((at.key("name"), "a party name is empty".into()));
        }
        if spec.parties[..k].iter().any(|o| o.name == ps.name) {
            return Err((
                at.key("name"),
                format!("party `{}` is declared twice", ps.name),
            ));
        }
        parties.push(build_party(ps, &issues, &issue_names, &at)?);
    }
    if !parties.iter().any(|p: &Party| p.role == Role::Party) {
        return Err((
            root.key("parties"),
            "every party is a mediator; at least one needs role `party`".into(),
        ));
    }
    let mut proposals = Vec::new();
    for (k, pr) in spec.proposals.iter().enumerate() {
        let at = root.key("proposals").index(k);
        if spec.proposals[..k].iter().any(|o| o.name == pr.name) {
            return Err((
                at.key("name"),
                format!("proposal `{}` is declared twice", pr.name),
            ));
        }
        if let Some(by) = &pr.by
            && !spec.parties.iter().any(|p| &p.name == by)
        {
            let names: Vec<&str> = spec.parties.iter().map(|p| p.name.as_str()).collect();
            return Err((
                at.key("by"),
                format!(
                    "unknown party `{by}`; expected one of {}",
                    expected_list(&names)
                ),
            ));
        }
        let mut outcome = vec![u32::MAX; issues.len()];
        for (name, v) in &pr.outcome {
            let vat = at.key("outcome").key(name);
            let i = issue_index(&issue_names, name, &vat)?;
            outcome[i] = single_value(&issues[i], v, &vat)?;
        }
        if let Some(i) = outcome.iter().position(|&v| v == u32::MAX) {
            return Err((
                at.key("outcome"),
                format!(
                    "proposal `{}` gives no value for issue `{}`; a proposal must settle every issue",
                    pr.name, issues[i].name
                ),
            ));
        }
        proposals.push(Proposal {
            name: pr.name.clone(),
            by: pr.by.clone(),
            description: pr.description.clone(),
            outcome,
        });
    }
    Ok(ScenarioParts {
        name: spec.name.clone(),
        description: spec.description.clone(),
        issues,
        parties,
        proposals,
    })
}

fn build_issue(is: &IssueSpec, at: &Path) -> Result<Issue, BuildError> {
    let kind = match is.kind {
        Some(k) => k,
        None if is.options.is_some() => IssueKindName::Categorical,
        None => {
            return Err((
                at.clone(),
                format!(
                    "issue `{}` has neither `options` nor `kind`; expected `options = [...]` or `kind = \"integer\"|\"continuous\"` with `min` and `max`",
                    is.name
                ),
            ));
        }
    };
    let unexpected = |field: &str, present: bool| -> Result<(), BuildError> {
        if present {
            Err((
                at.key(field),
                format!("`{field}` does not apply to a {kind:?} issue").to_lowercase(),
            ))
        } else {
            Ok(())
        }
    };
    let num = |field: &str, v: Option<f64>| -> Result<f64, BuildError> {
        match v {
            Some(x) if x.is_finite() => Ok(x),
            Some(x) => Err((
                at.key(field),
                format!("`{field}` must be a finite number, not {x}"),
            )),
            None => Err((at.clone(), format!("issue `{}` needs `{field}`", is.name))),
        }
    };
    let kind = match kind {
        IssueKindName::Categorical => {
            unexpected("min", is.min.is_some())?;
            unexpected("max", is.max.is_some())?;
            unexpected("step", is.step.is_some())?;
            let options = is.options.clone().unwrap_or_default();
            if options.is_empty() {
                return Err((
                    at.key("options"),
                    format!("issue `{}` has no options", is.name),
                ));
            }
            for (j, o) in options.iter().enumerate() {
                if options[..j].contains(o) {
                    return Err((
                        at.key("options").index(j),
                        format!("issue `{}` lists option `{o}` twice", is.name),
                    ));
                }
            }
            IssueKind::Categorical {
                options,
                ordered: is.ordered.unwrap_or(false),
            }
        }
        IssueKindName::Integer => {
            unexpected("options", is.options.is_some())?;
            unexpected("step", is.step.is_some())?;
            let (min, max) = (num("min", is.min)?, num("max", is.max)?);
            if min.fract() != 0.0 || max.fract() != 0.0 {
                return Err((at.key("min"), "integer bounds must be whole numbers".into()));
            }
            if min > max {
                return Err((at.key("max"), format!("max {max} is below min {min}")));
            }
            if max - min + 1.0 > detente_core::MAX_ISSUE_CARDINALITY as f64 {
                return Err((
                    at.key("max"),
                    format!(
                        "the range has {} values; at most {} are supported",
                        max - min + 1.0,
                        detente_core::MAX_ISSUE_CARDINALITY
                    ),
                ));
            }
            IssueKind::Integer {
                min: min as i64,
                max: max as i64,
            }
        }
        IssueKindName::Continuous => {
            unexpected("options", is.options.is_some())?;
            let (min, max, step) = (
                num("min", is.min)?,
                num("max", is.max)?,
                num("step", is.step)?,
            );
            if min > max {
                return Err((at.key("max"), format!("max {max} is below min {min}")));
            }
            if step <= 0.0 {
                return Err((at.key("step"), format!("step must be positive, not {step}")));
            }
            if (max - min) / step > detente_core::MAX_ISSUE_CARDINALITY as f64 {
                return Err((
                    at.key("step"),
                    format!(
                        "the step gives more than {} grid points; use a larger step",
                        detente_core::MAX_ISSUE_CARDINALITY
                    ),
                ));
            }
            IssueKind::Continuous { min, max, step }
        }
    };
    Ok(Issue {
        name: is.name.clone(),
        description: is.description.clone(),
        kind,
    })
}

fn issue_index(names: &[&str], name: &str, at: &Path) -> Result<usize, BuildError> {
    names.iter().position(|n| *n == name).ok_or_else(|| {
        (
            at.clone(),
            format!(
                "unknown issue `{name}`; expected one of {}",
                expected_list(names)
            ),
        )
    })
}

fn describe(v: &J) -> String {
    match v {
        J::String(s) => format!("`{s}`"),
        other => other.to_string(),
    }
}

/// One value of an issue, written as an option name or a number.
fn single_value(issue: &Issue, v: &J, at: &Path) -> Result<u32, BuildError> {
    match (&issue.kind, v) {
        (IssueKind::Categorical { options, .. }, J::String(s)) => {
            issue.option_index(s).ok_or_else(|| {
                (
                    at.clone(),
                    format!(
                        "unknown option `{s}` for issue `{}`; expected one of {}",
                        issue.name,
                        expected_list(options)
                    ),
                )
            })
        }
        (IssueKind::Categorical { options, .. }, other) => Err((
            at.clone(),
            format!(
                "issue `{}` is categorical: expected an option name ({}), found {}",
                issue.name,
                expected_list(options),
                describe(other)
            ),
        )),
        (_, J::Number(n)) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            issue.numeric_index(x).ok_or_else(|| {
                (
                    at.clone(),
                    format!(
                        "{} is not a value of issue `{}` ({})",
                        format_number(x),
                        issue.name,
                        range_text(issue)
                    ),
                )
            })
        }
        (_, other) => Err((
            at.clone(),
            format!(
                "issue `{}` is numeric: expected a number ({}), found {}",
                issue.name,
                range_text(issue),
                describe(other)
            ),
        )),
    }
}

fn range_text(issue: &Issue) -> String {
    match &issue.kind {
        IssueKind::Integer { min, max } => format!("an integer from {min} to {max}"),
        IssueKind::Continuous { min, max, step } => format!(
            "from {} to {} on a grid of step {}",
            format_number(*min),
            format_number(*max),
            format_number(*step)
        ),
        IssueKind::Categorical { options, .. } => format!("one of {}", expected_list(options)),
    }
}

/// A set of values: a value, a list of values, or `{ min, max }` for numeric issues.
fn value_set(issue: &Issue, v: &J, at: &Path) -> Result<ValueSet, BuildError> {
    let n = issue.cardinality() as usize;
    let mut set = vec![false; n];
    match v {
        J::Array(items) => {
            if items.is_empty() {
                return Err((
                    at.clone(),
                    "an empty list matches nothing; list at least one value".into(),
                ));
            }
            for (k, item) in items.iter().enumerate() {
                set[single_value(issue, item, &at.index(k))? as usize] = true;
            }
        }
        J::Object(range) if issue.is_numeric() => {
            for key in range.keys() {
                if key != "min" && key != "max" {
                    return Err((
                        at.key(key),
                        format!("unknown key `{key}`; expected `min` and/or `max`"),
                    ));
                }
            }
            let bound = |k: &str| -> Result<Option<f64>, BuildError> {
                match range.get(k) {
                    None => Ok(None),
                    Some(J::Number(x)) => Ok(x.as_f64()),
                    Some(other) => Err((
                        at.key(k),
                        format!("`{k}` must be a number, found {}", describe(other)),
                    )),
                }
            };
            let lo = bound("min")?.unwrap_or(f64::NEG_INFINITY);
            let hi = bound("max")?.unwrap_or(f64::INFINITY);
            for (i, slot) in set.iter_mut().enumerate() {
                let x = issue.numeric_value(i as u32).unwrap_or(f64::NAN);
                *slot = x >= lo && x <= hi;
            }
            if !set.iter().any(|b| *b) {
                return Err((
                    at.clone(),
                    format!(
                        "the range matches no value of issue `{}` ({})",
                        issue.name,
                        range_text(issue)
                    ),
                ));
            }
        }
        other => set[single_value(issue, other, at)? as usize] = true,
    }
    Ok(ValueSet(set))
}

fn clause(issues: &[Issue], names: &[&str], when: &When, at: &Path) -> Result<Clause, BuildError> {
    if when.is_empty() {
        return Err((
            at.clone(),
            "`when` is empty; expected at least one `issue = value` condition".into(),
        ));
    }
    let mut conditions = Vec::new();
    for (name, v) in when {
        let vat = at.key(name);
        let i = issue_index(names, name, &vat)?;
        conditions.push(Condition {
            issue: IssueId(i as u32),
            values: value_set(&issues[i], v, &vat)?,
        });
    }
    Ok(Clause { conditions })
}

fn build_party(
    ps: &PartySpec,
    issues: &[Issue],
    names: &[&str],
    at: &Path,
) -> Result<Party, BuildError> {
    let normalisation = match ps.normalisation.unwrap_or(NormalisationName::MinMax) {
        NormalisationName::MinMax => Normalisation::MinMax,
        NormalisationName::AsGiven => Normalisation::AsGiven,
        NormalisationName::CappedAtOne => Normalisation::CappedAtOne,
    };
    let reservation = ps.reservation.unwrap_or(0.0);
    if normalisation == Normalisation::MinMax && !(0.0..=1.0).contains(&reservation) {
        return Err((
            at.key("reservation"),
            format!(
                "reservation value {reservation} of party `{}` is outside [0, 1]; utilities are normalised so the worst outcome is 0 and the best is 1",
                ps.name
            ),
        ));
    }
    if !reservation.is_finite() {
        return Err((
            at.key("reservation"),
            "the reservation value must be a finite number".into(),
        ));
    }
    let discount = ps.discount.unwrap_or(1.0);
    if !(discount > 0.0 && discount <= 1.0) {
        return Err((
            at.key("discount"),
            format!("discount factor {discount} is outside (0, 1]; 1 means no discounting"),
        ));
    }
    let model = if let Some(b) = &ps.boxes {
        if !ps.weights.is_empty() || !ps.values.is_empty() || !ps.interactions.is_empty() {
            return Err((
                at.key("boxes"),
                "a party has either `boxes` or `weights`/`values`/`interactions`, not both".into(),
            ));
        }
        if !(b.max_utility.is_finite() && b.max_utility > 0.0) {
            return Err((
                at.key("boxes").key("max_utility"),
                "`max_utility` must be a positive number".into(),
            ));
        }
        let mut rectangles = Vec::new();
        for (k, bx) in b.boxes.iter().enumerate() {
            let bat = at.key("boxes").key("boxes").index(k);
            let mut bounds = Vec::new();
            for (name, v) in &bx.within {
                let vat = bat.key("within").key(name);
                let i = issue_index(names, name, &vat)?;
                let set = value_set(&issues[i], v, &vat)?;
                let idx: Vec<u32> = set.indices().collect();
                let (lo, hi) = (idx[0], idx[idx.len() - 1]);
                if idx.len() as u32 != hi - lo + 1 {
                    return Err((vat, "box bounds must be a contiguous range".into()));
                }
                bounds.push((IssueId(i as u32), lo, hi));
            }
            if !bx.utility.is_finite() {
                return Err((
                    bat.key("utility"),
                    "box utility must be a finite number".into(),
                ));
            }
            rectangles.push(HyperRectangle {
                bounds,
                utility: bx.utility,
            });
        }
        UtilityModel::HyperRectangles {
            rectangles,
            max_utility: b.max_utility,
        }
    } else {
        let mut weights = vec![0.0; issues.len()];
        for (name, &w) in &ps.weights {
            let wat = at.key("weights").key(name);
            let i = issue_index(names, name, &wat)?;
            if !w.is_finite() || w < 0.0 {
                return Err((
                    wat,
                    format!(
                        "weight {w} of issue `{name}` is negative or not a number; expected a number >= 0"
                    ),
                ));
            }
            weights[i] = w;
        }
        if weights.iter().all(|w| *w == 0.0) {
            return Err((
                at.key("weights"),
                format!(
                    "every weight of party `{}` is zero (or none is given); expected at least one positive weight",
                    ps.name
                ),
            ));
        }
        for name in ps.values.keys() {
            issue_index(names, name, &at.key("values").key(name))?;
        }
        let mut values = Vec::new();
        for (i, issue) in issues.iter().enumerate() {
            let vat = at.key("values").key(&issue.name);
            let vf = match ps.values.get(&issue.name) {
                Some(v) => value_function(issue, v, &vat)?,
                None if weights[i] > 0.0 => {
                    return Err((
                        at.key("values"),
                        format!(
                            "party `{}` weighs issue `{}` but gives it no values",
                            ps.name, issue.name
                        ),
                    ));
                }
                None => ValueFunction::Table(vec![0.0; issue.cardinality() as usize]),
            };
            values.push(vf);
        }
        let mut interactions = Vec::new();
        for (k, it) in ps.interactions.iter().enumerate() {
            let iat = at.key("interactions").index(k);
            if !it.bonus.is_finite() {
                return Err((iat.key("bonus"), "`bonus` must be a finite number".into()));
            }
            interactions.push(Interaction {
                when: clause(issues, names, &it.when, &iat.key("when"))?,
                bonus: it.bonus,
                note: it.note.clone(),
            });
        }
        UtilityModel::Additive {
            weights,
            values,
            interactions,
        }
    };
    let mut red_lines = Vec::new();
    for (k, r) in ps.red_lines.iter().enumerate() {
        let rat = at.key("red_lines").index(k);
        red_lines.push(RedLine {
            when: clause(issues, names, &r.when, &rat.key("when"))?,
            note: r.note.clone(),
        });
    }
    Ok(Party {
        name: ps.name.clone(),
        role: match ps.role.unwrap_or(RoleName::Party) {
            RoleName::Party => Role::Party,
            RoleName::Mediator => Role::Mediator,
        },
        description: ps.description.clone(),
        preferences: Preferences {
            model,
            normalisation,
            red_lines,
            reservation,
            discount,
        },
    })
}

fn value_function(issue: &Issue, v: &J, at: &Path) -> Result<ValueFunction, BuildError> {
    let finite = |x: &J, at: &Path| -> Result<f64, BuildError> {
        match x.as_f64() {
            Some(f) if f.is_finite() => Ok(f),
            _ => Err((
                at.clone(),
                format!("expected a number, found {}", describe(x)),
            )),
        }
    };
    match (&issue.kind, v) {
        (IssueKind::Categorical { options, .. }, J::Object(table)) => {
            let mut t = vec![f64::NAN; options.len()];
            for (name, x) in table {
                let oat = at.key(name);
                let j = issue.option_index(name).ok_or_else(|| {
                    (
                        oat.clone(),
                        format!(
                            "unknown option `{name}` for issue `{}`; expected one of {}",
                            issue.name,
                            expected_list(options)
                        ),
                    )
                })?;
                t[j as usize] = finite(x, &oat)?;
            }
            if let Some(j) = t.iter().position(|x| x.is_nan()) {
                return Err((
                    at.clone(),
                    format!(
                        "no value for option `{}` of issue `{}`; give every option a value",
                        options[j], issue.name
                    ),
                ));
            }
            Ok(ValueFunction::Table(t))
        }
        (IssueKind::Categorical { .. }, other) => Err((
            at.clone(),
            format!(
                "issue `{}` is categorical: expected a table `{{ option = value, ... }}`, found {}",
                issue.name,
                describe(other)
            ),
        )),
        (_, J::String(s)) if s == "increasing" || s == "decreasing" => {
            let lo = issue.numeric_value(0).unwrap_or(0.0);
            let hi = issue.numeric_value(issue.cardinality() - 1).unwrap_or(1.0);
            Ok(ValueFunction::Piecewise(if s == "increasing" {
                vec![(lo, 0.0), (hi, 1.0)]
            } else {
                vec![(lo, 1.0), (hi, 0.0)]
            }))
        }
        (_, J::Object(o)) if o.len() == 1 && o.contains_key("points") => {
            let pat = at.key("points");
            let J::Array(items) = &o["points"] else {
                return Err((pat, "`points` must be a list of [x, value] pairs".into()));
            };
            if items.is_empty() {
                return Err((
                    pat,
                    "`points` is empty; expected at least one [x, value] pair".into(),
                ));
            }
            let mut points = Vec::new();
            for (k, item) in items.iter().enumerate() {
                let iat = pat.index(k);
                match item {
                    J::Array(pair) if pair.len() == 2 => {
                        points.push((finite(&pair[0], &iat)?, finite(&pair[1], &iat)?))
                    }
                    other => {
                        return Err((
                            iat,
                            format!("expected an [x, value] pair, found {}", describe(other)),
                        ));
                    }
                }
            }
            if let Some(k) = points.windows(2).position(|w| w[0].0 > w[1].0) {
                return Err((pat.index(k + 1), "points must be sorted by x".into()));
            }
            Ok(ValueFunction::Piecewise(points))
        }
        (_, other) => Err((
            at.clone(),
            format!(
                "issue `{}` is numeric: expected \"increasing\", \"decreasing\" or {{ points = [[x, value], ...] }}, found {}",
                issue.name,
                describe(other)
            ),
        )),
    }
}

// ---------------------------------------------------------------- writing

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

/// The file structure of a scenario (the inverse of [`build`]).
pub fn to_file(parts: &ScenarioParts) -> ScenarioFile {
    let issues = &parts.issues;
    ScenarioFile {
        version: Some(VERSION),
        name: parts.name.clone(),
        description: parts.description.clone(),
        issues: issues
            .iter()
            .map(|i| {
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
            })
            .collect(),
        parties: parts
            .parties
            .iter()
            .map(|p| {
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
                            if weights[i] == 0.0 {
                                continue;
                            }
                            s.weights.insert(issue.name.clone(), weights[i]);
                            let v = match (&values[i], &issue.kind) {
                                (ValueFunction::Table(t), IssueKind::Categorical { options, .. }) => J::Object(
                                    options.iter().cloned().zip(t.iter().map(|x| json!(x))).collect(),
                                ),
                                (ValueFunction::Table(t), _) => json!({
                                    "points": t.iter().enumerate().map(|(k, x)| json!([issue.numeric_value(k as u32).unwrap_or(0.0), x])).collect::<Vec<_>>()
                                }),
                                (ValueFunction::Piecewise(points), _) => json!({
                                    "points": points.iter().map(|(x, y)| json!([x, y])).collect::<Vec<_>>()
                                }),
                            };
                            s.values.insert(issue.name.clone(), v);
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
                    } => {
                        s.boxes = Some(BoxesSpec {
                            max_utility: *max_utility,
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
                        });
                    }
                }
                s
            })
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

/// The forecast section of a model (the inverse of [`build_forecast`]).
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
