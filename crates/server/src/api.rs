//! The handlers: the page and its assets, and the JSON API.

mod export;
mod forecast;
mod negotiate;
mod rooms;

pub use export::*;
pub use forecast::*;
pub use negotiate::*;
pub use rooms::*;

use crate::error::ApiError;
use crate::{Shared, json};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use detente_analysis::{
    Analysis, AnalysisError, Disagreement, Evaluation, Options, RepairOptions, analyze_within,
    check_time,
};
use detente_core::{Issue, IssueKind, ProposalError, Scenario};
use detente_forecast::Model;
use detente_formats::{LoadOptions, builtin, native};
use detente_report::Report;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLES: &str = include_str!("page/app.css");
const OPENAPI: &str = include_str!("openapi.json");
const ROOMS_PAGE: &str = include_str!("page/rooms.html");
const SEAT_PAGE: &str = include_str!("page/seat.html");
const ROOMS_SCRIPT: &str = include_str!("page/rooms.js");
const ROOMS_STYLES: &str = include_str!("page/rooms.css");

/// Only the page's own script, styles and API; inline SVG from the API is
/// markup, not script.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    res
}

pub async fn page() -> Response {
    asset(PAGE, "text/html; charset=utf-8")
}

pub async fn script() -> Response {
    asset(SCRIPT, "text/javascript; charset=utf-8")
}

pub async fn styles() -> Response {
    asset(STYLES, "text/css; charset=utf-8")
}

pub async fn rooms_page() -> Response {
    asset(ROOMS_PAGE, "text/html; charset=utf-8")
}

pub async fn seat_page() -> Response {
    asset(SEAT_PAGE, "text/html; charset=utf-8")
}

pub async fn rooms_script() -> Response {
    asset(ROOMS_SCRIPT, "text/javascript; charset=utf-8")
}

pub async fn rooms_styles() -> Response {
    asset(ROOMS_STYLES, "text/css; charset=utf-8")
}

pub async fn openapi() -> Response {
    asset(OPENAPI, "application/json")
}

pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::NotFound(format!("no such page or endpoint: {}", uri.path()))
}

/// Raises its flag when dropped: with the future of a request, when the
/// time budget runs out or the client goes away.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Runs CPU work on the blocking pool, at most `max_concurrent_jobs` at
/// once, within the time budget. The work gets a cancel flag, raised when
/// the budget runs out or the request's future is dropped (the client
/// closed the connection); the engines check it between blocks, nodes,
/// issues, turns and steps, so the job ends soon after and gives its slot
/// back. The permit moves into the job, so a job counts until it has
/// really stopped.
async fn blocking<T: Send + 'static>(
    app: &Shared,
    f: impl FnOnce(&crate::Config, &Arc<AtomicBool>) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let budget = app.config.time_budget;
    let config = app.config.clone();
    let jobs = app.jobs.clone();
    let cancel = Arc::new(AtomicBool::new(false));
    let guard = CancelOnDrop(Arc::clone(&cancel));
    let work = async move {
        let permit = jobs
            .acquire_owned()
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            if cancel.load(Ordering::Relaxed) {
                return Err(ApiError::Cancelled);
            }
            f(&config, &cancel)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("the computation failed: {e}")))?
    };
    let result = tokio::time::timeout(budget, work).await;
    drop(guard);
    match result {
        Ok(Err(ApiError::Cancelled)) | Err(_) => Err(ApiError::Timeout {
            seconds: budget.as_secs_f64(),
        }),
        Ok(r) => r,
    }
}

/// The bytes of a request body, turning extractor rejections into JSON
/// errors.
fn body_bytes(app: &Shared, body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge {
                limit: app.config.max_body_bytes,
            }
        } else {
            ApiError::BadRequest(r.body_text())
        }
    })
}

/// Parses a JSON request body.
fn parse<T: DeserializeOwned>(
    app: &Shared,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let bytes = body_bytes(app, body)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::BadRequest(format!("the request is not valid: {e}")))
}

/// A scenario in a request: the native structure as a JSON object, or the
/// text of a native file (TOML or JSON).
#[derive(Deserialize)]
#[serde(untagged)]
pub enum ScenarioInput {
    Text(String),
    Native(Map<String, Value>),
}

fn read(input: &ScenarioInput) -> Result<(Scenario, Option<Model>), ApiError> {
    check_size(input)?;
    let r = match input {
        ScenarioInput::Text(t) => native::read_with_forecast(t, "scenario"),
        ScenarioInput::Native(m) => {
            let text = serde_json::to_string_pretty(m).unwrap_or_default();
            native::read_with_forecast(&text, "scenario.json")
        }
    };
    r.map_err(|e| ApiError::InvalidScenario(e.to_string()))
}

/// Refuses, before it is built, a scenario whose utility tables would be
/// too large, by the core's rule ([`detente_core::check_value_cells`]): the
/// native reader allocates per value while it builds the parties (value
/// sets of red lines, tables of unweighted issues), so a few lines naming a
/// 2^24-value range for many parties would take gigabytes before
/// `Scenario::new` refused them. A scenario that does not parse is left to
/// the reader, whose message says where.
fn check_size(input: &ScenarioInput) -> Result<(), ApiError> {
    let spec: Option<native::ScenarioFile> = match input {
        ScenarioInput::Native(m) => serde_json::from_value(Value::Object(m.clone())).ok(),
        ScenarioInput::Text(t) => match native::syntax_of("scenario", t) {
            detente_formats::Syntax::Json => serde_json::from_str(t).ok(),
            detente_formats::Syntax::Toml => toml::from_str(t).ok(),
        },
    };
    let Some(spec) = spec else {
        return Ok(());
    };
    let issues: Vec<Issue> = spec.issues.iter().map(counted_issue).collect();
    detente_core::check_value_cells(&issues, spec.parties.len())
        .map_err(|e| ApiError::TooLarge(e.to_string()))
}

/// An issue with as many values as the specification gives (as the reader
/// will count them; nonsense counts as one, the reader refuses it later):
/// only the number of values matters to the bound.
fn counted_issue(issue: &native::IssueSpec) -> Issue {
    let values = match (&issue.options, issue.min, issue.max) {
        (Some(options), _, _) => options.len() as f64,
        (None, Some(min), Some(max)) => match issue.step {
            Some(step) if step > 0.0 => ((max - min) / step).floor() + 1.0,
            _ => (max - min).floor() + 1.0,
        },
        _ => 1.0,
    };
    let values = if values.is_finite() {
        values.max(1.0)
    } else {
        1.0
    };
    Issue {
        name: issue.name.clone(),
        description: String::new(),
        kind: IssueKind::Integer {
            min: 0,
            max: values.min(f64::from(u32::MAX)) as i64 - 1,
        },
    }
}

/// The native structure of a scenario, as a JSON value.
fn native_value(scenario: &Scenario, forecast: Option<&Model>) -> Value {
    serde_json::from_str(&native::to_json_with_forecast(scenario.parts(), forecast))
        .unwrap_or(Value::Null)
}

fn analyze_with(
    config: &crate::Config,
    cancel: &AtomicBool,
    scenario: &Scenario,
    disagreement: Option<&str>,
    at_time: Option<f64>,
) -> Result<Analysis, ApiError> {
    // The analysis crate's names and time check, as `detente analyze`.
    let disagreement = match disagreement {
        Some(name) => name
            .parse::<Disagreement>()
            .map_err(|e| ApiError::BadRequest(format!("disagreement: {e}")))?,
        None => Disagreement::default(),
    };
    if let Some(t) = at_time {
        check_time(t).map_err(|e| ApiError::BadRequest(format!("at_time: {e}")))?;
    }
    analyze_within(
        scenario,
        &Options {
            disagreement,
            enumeration_limit: config.max_outcomes,
            at_time,
            ..Options::default()
        },
        &config.analysis_budget,
        cancel,
    )
    .map_err(|e| match e {
        AnalysisError::Cancelled => ApiError::Cancelled,
        e => ApiError::TooLarge(e.to_string()),
    })
}

/// What a request's samples of the uncertain numbers found, for the
/// report's charts of them.
#[derive(Clone, Copy, Default)]
struct Robust<'a> {
    /// The chance of every outcome (analyses): the outcome cloud coloured by it.
    analysis: Option<&'a detente_analysis::RobustAnalysis>,
    /// How sure the evaluated proposal's verdicts are: acceptance by party
    /// and the tornado of thresholds.
    evaluation: Option<&'a detente_analysis::RobustEvaluation>,
}

/// The charts of an analysis over at most `draw_limit` drawn outcomes, with
/// an evaluated proposal drawn in when given and the report's charts of the
/// robust analysis when sampled; none unless `wanted`.
fn analysis_charts(
    config: &crate::Config,
    s: &Scenario,
    a: &Analysis,
    evaluated: Option<(&str, &Evaluation)>,
    robust: Robust<'_>,
    wanted: bool,
) -> Vec<detente_report::Chart> {
    if !wanted {
        return Vec::new();
    }
    let cloud = detente_report::cloud(s, a, config.draw_limit);
    detente_report::charts(&Report {
        cloud: Some(&cloud),
        evaluated,
        robust: robust.evaluation,
        robust_analysis: robust.analysis,
        ..Report::new(s, a)
    })
}

fn yes() -> bool {
    true
}

pub async fn list_scenarios() -> Response {
    // The entries of `detente scenarios --json`.
    let list: Vec<detente_results::ScenarioEntry> = builtin::NAMES
        .iter()
        .filter_map(|name| {
            let text = builtin::text(name)?;
            let (s, f) = native::read_with_forecast(text, name).ok()?;
            Some(detente_results::scenario_entry(
                name,
                *name == builtin::DEFAULT,
                Some((&s, f.is_some())),
            ))
        })
        .collect();
    axum::Json(json!({"default": builtin::DEFAULT, "scenarios": list})).into_response()
}

pub async fn get_scenario(Path(name): Path<String>) -> Result<Response, ApiError> {
    let text = builtin::text(&name).ok_or_else(|| {
        ApiError::NotFound(format!(
            "no built-in scenario `{name}`; they are {}",
            builtin::NAMES.join(", ")
        ))
    })?;
    let (s, f) =
        native::read_with_forecast(text, &name).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(axum::Json(json!({
        "name": name,
        "detected": format!("built-in scenario `{name}`"),
        "scenario": native_value(&s, f.as_ref()),
    }))
    .into_response())
}

/// Upload: the body is the file; `?filename=NAME` gives its type by
/// extension. Written to a fresh temporary folder, read, and deleted.
pub async fn upload(
    State(app): State<Shared>,
    RawQuery(query): RawQuery,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let bytes = body_bytes(&app, body)?;
    if bytes.is_empty() {
        return Err(ApiError::BadRequest("the uploaded file is empty".into()));
    }
    let filename = query
        .as_deref()
        .unwrap_or("")
        .split('&')
        .find_map(|kv| kv.strip_prefix("filename="))
        .unwrap_or("")
        .to_string();
    // Only the extension of the user's name is used; the file on disk is
    // always `upload.EXT` in a new temporary folder.
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .filter(|e| ["toml", "json", "xml", "csv"].contains(&e.as_str()))
        .unwrap_or_else(|| {
            match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
                Some(b'{') => "json",
                Some(b'<') => "xml",
                _ => "toml",
            }
            .to_string()
        });
    blocking(&app, move |_, _| {
        // A native file is checked like a scenario in a request body before
        // the reader builds it.
        if (ext == "toml" || ext == "json")
            && let Ok(text) = std::str::from_utf8(&bytes)
        {
            check_size(&ScenarioInput::Text(text.to_string()))?;
        }
        let dir = tempfile::tempdir().map_err(|e| ApiError::Internal(e.to_string()))?;
        let path = dir.path().join(format!("upload.{ext}"));
        std::fs::write(&path, &bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
        let loaded = detente_formats::load(&path.to_string_lossy(), &LoadOptions::default())
            .map_err(|e| {
                // Name the user's file, not the temporary path.
                let msg = e
                    .to_string()
                    .replace(&path.to_string_lossy().to_string(), &filename);
                ApiError::InvalidScenario(msg)
            })?;
        drop(dir);
        Ok(axum::Json(json!({
            "detected": loaded.detected,
            "scenario": native_value(&loaded.scenario, loaded.forecast.as_ref()),
        }))
        .into_response())
    })
    .await
}

/// The most samples of uncertain numbers one request may ask for.
const MAX_SAMPLES: u64 = 20_000;

/// The most utility evaluations a request's robust analysis may make
/// (about a second on the reference machine).
const MAX_ROBUST_WORK: u64 = 300_000_000;

/// The options of a robust analysis from a request's `samples` and `seed`
/// (`None` without `samples`), within the server's limits.
fn robust_options(
    samples: Option<u64>,
    seed: Option<u64>,
    at_time: Option<f64>,
) -> Result<Option<detente_analysis::RobustOptions>, ApiError> {
    let Some(n) = samples else {
        return Ok(None);
    };
    if n == 0 || n > MAX_SAMPLES {
        return Err(ApiError::BadRequest(format!(
            "samples: {n} is outside 1..={MAX_SAMPLES}"
        )));
    }
    Ok(Some(detente_analysis::RobustOptions {
        samples: detente_analysis::Samples::Fixed(n),
        seed: seed.unwrap_or(0),
        work_limit: MAX_ROBUST_WORK,
        at_time,
        ..Default::default()
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeRequest {
    scenario: ScenarioInput,
    #[serde(default)]
    disagreement: Option<String>,
    #[serde(default)]
    at_time: Option<f64>,
    #[serde(default = "yes")]
    charts: bool,
    /// Samples of the uncertain numbers: adds `analysis.robust`.
    #[serde(default)]
    samples: Option<u64>,
    /// The seed of the samples (0 by default).
    #[serde(default)]
    seed: Option<u64>,
}

pub async fn analyze(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: AnalyzeRequest = parse(&app, body)?;
    blocking(&app, move |config, cancel| {
        let (s, _) = read(&req.scenario)?;
        let a = analyze_with(config, cancel, &s, req.disagreement.as_deref(), req.at_time)?;
        let mut analysis = detente_results::analysis(&s, &a);
        let robust = match robust_options(req.samples, req.seed, req.at_time)? {
            Some(o) => Some(
                detente_analysis::robust_analysis(&s, &a, &o)
                    .map_err(|e| ApiError::TooLarge(e.to_string()))?,
            ),
            None => None,
        };
        analysis.robust = robust
            .as_ref()
            .map(|r| detente_results::robust_analysis(&s, r));
        let robust = Robust {
            analysis: robust.as_ref(),
            ..Robust::default()
        };
        let charts = analysis_charts(config, &s, &a, None, robust, req.charts);
        Ok(axum::Json(json!({
            "analysis": analysis,
            "charts": json::charts(&charts),
        }))
        .into_response())
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluateRequest {
    scenario: ScenarioInput,
    /// A proposal of the scenario, by name; `outcome` overrides its values.
    #[serde(default)]
    proposal: Option<String>,
    /// Issue -> value (an option name, or a number for numeric issues).
    #[serde(default)]
    outcome: Option<Map<String, Value>>,
    #[serde(default)]
    repairs: Option<usize>,
    #[serde(default = "yes")]
    charts: bool,
    /// Samples of the uncertain numbers: adds `evaluation.robust`.
    #[serde(default)]
    samples: Option<u64>,
    /// The seed of the samples (0 by default).
    #[serde(default)]
    seed: Option<u64>,
}

/// Resolves a proposal name and issue values to a label, the proposal's
/// author and an outcome by
/// the core's rules ([`Scenario::resolve_proposal`] and
/// [`Scenario::proposal_label`], which `detente evaluate` uses too). The API adds its documented contract: `outcome`
/// without `proposal` is an outcome of its own, labelled `custom`, so it
/// must give every issue a value rather than edit the first proposal.
fn proposal_outcome(
    s: &Scenario,
    proposal: Option<&str>,
    values: Option<&Map<String, Value>>,
) -> Result<(String, Option<String>, Vec<u32>), ApiError> {
    let edits = outcome_edits(values)?;
    let custom = proposal.is_none() && values.is_some();
    let resolved = s.resolve_proposal(proposal, &edits);
    // Wrong names and values are reported before missing ones.
    let bad_edit = matches!(
        resolved,
        Err(ProposalError::UnknownIssue { .. } | ProposalError::UnknownValue { .. })
    );
    if custom && !bad_edit {
        check_every_issue_set(s, &edits)?;
    }
    let outcome = resolved.map_err(|e| {
        ApiError::Unprocessable(match e {
            ProposalError::UnknownIssue { .. } | ProposalError::UnknownValue { .. } => {
                format!("outcome: {e}")
            }
            ProposalError::Missing { .. } => format!("{e} in `outcome`"),
            ProposalError::UnknownProposal { .. } => e.to_string(),
        })
    })?;
    let (label, by) = s.proposal_label(proposal, &edits);
    Ok((label, by, outcome))
}

/// The request's issue values as edits (issue, value label): an option
/// name, or a number for a numeric issue.
fn outcome_edits(values: Option<&Map<String, Value>>) -> Result<Vec<(String, String)>, ApiError> {
    values
        .into_iter()
        .flatten()
        .map(|(name, value)| match value {
            Value::String(t) => Ok((name.clone(), t.clone())),
            Value::Number(n) => Ok((name.clone(), n.to_string())),
            other => Err(ApiError::Unprocessable(format!(
                "outcome: issue `{name}` needs an option name or a number, not {other}"
            ))),
        })
        .collect()
}

/// Refuses a custom outcome that leaves issues without a value, naming
/// them all.
fn check_every_issue_set(s: &Scenario, edits: &[(String, String)]) -> Result<(), ApiError> {
    let mut set = vec![false; s.issues().len()];
    for (issue, _) in edits {
        if let Some(id) = s.issue_id(issue.trim()) {
            set[id.index()] = true;
        }
    }
    let missing: Vec<&str> = s
        .issues()
        .iter()
        .zip(&set)
        .filter(|(_, set)| !**set)
        .map(|(i, _)| i.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Unprocessable(format!(
            "outcome: no value for {}",
            missing.join(", ")
        )))
    }
}

/// The most repairs a request may ask for (the OpenAPI description's
/// maximum); by default the analysis crate's number, as `detente evaluate`.
const MAX_REPAIRS: usize = 50;

fn evaluate_outcome(
    config: &crate::Config,
    s: &Scenario,
    a: &Analysis,
    outcome: &[u32],
    repairs: Option<usize>,
) -> Evaluation {
    detente_analysis::evaluate(
        s,
        a,
        outcome,
        &RepairOptions {
            max_repairs: repairs
                .map_or(RepairOptions::default().max_repairs, |n| n.min(MAX_REPAIRS)),
            budget: config.max_outcomes.max(1),
            ..RepairOptions::default()
        },
    )
}

pub async fn evaluate(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: EvaluateRequest = parse(&app, body)?;
    blocking(&app, move |config, cancel| {
        let (s, _) = read(&req.scenario)?;
        let (label, by, outcome) =
            proposal_outcome(&s, req.proposal.as_deref(), req.outcome.as_ref())?;
        let a = analyze_with(config, cancel, &s, None, None)?;
        let ev = evaluate_outcome(config, &s, &a, &outcome, req.repairs);
        let mut evaluation = detente_results::evaluation(&s, &label, by.as_deref(), &ev);
        let robust = match robust_options(req.samples, req.seed, None)? {
            Some(o) => Some(
                detente_analysis::robust_evaluation(&s, &outcome, &o)
                    .map_err(|e| ApiError::TooLarge(e.to_string()))?,
            ),
            None => None,
        };
        evaluation.robust = robust
            .as_ref()
            .map(|r| detente_results::robust_evaluation(&s, r));
        let robust = Robust {
            evaluation: robust.as_ref(),
            ..Robust::default()
        };
        let charts = analysis_charts(config, &s, &a, Some((&label, &ev)), robust, req.charts);
        Ok(axum::Json(json!({
            "evaluation": evaluation,
            "reading": detente_report::reading::proposal(&s, &a, &label, &ev),
            "charts": json::charts(&charts),
        }))
        .into_response())
    })
    .await
}
