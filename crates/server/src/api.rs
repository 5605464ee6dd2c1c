//! The handlers: the page and its assets, and the JSON API.

mod export;
mod forecast;
mod negotiate;

pub use export::*;
pub use forecast::*;
pub use negotiate::*;

use crate::error::ApiError;
use crate::{Shared, json};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use detente_analysis::{
    Analysis, AnalysisError, Evaluation, Options, RepairOptions, analyze_within,
};
use detente_core::Scenario;
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

/// Parses a JSON request body, turning extractor rejections into JSON
/// errors.
fn parse<T: DeserializeOwned>(
    app: &Shared,
    body: Result<Bytes, BytesRejection>,
) -> Result<T, ApiError> {
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge {
                limit: app.config.max_body_bytes,
            }
        } else {
            ApiError::BadRequest(r.body_text())
        }
    })?;
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

fn read(
    config: &crate::Config,
    input: &ScenarioInput,
) -> Result<(Scenario, Option<Model>), ApiError> {
    check_size(config, input)?;
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
/// too large: building one compiles a table of every issue's values for
/// every party, so a few lines naming a 2^24-value range for many parties
/// would take gigabytes. A scenario that does not parse is left to the
/// reader, whose message says where.
fn check_size(config: &crate::Config, input: &ScenarioInput) -> Result<(), ApiError> {
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
    let values: f64 = spec.issues.iter().map(issue_values).sum();
    let cells = values * (spec.parties.len() as f64 + 1.0);
    if cells > config.max_value_cells as f64 {
        return Err(ApiError::TooLarge(format!(
            "the scenario's issues have {values} values in all; with {} parties its utility tables would have {cells} entries, more than the limit of {} (use fewer values, e.g. a coarser integer range or a larger step)",
            spec.parties.len(),
            config.max_value_cells
        )));
    }
    Ok(())
}

/// The number of values an issue specification gives (as the reader will
/// count them; nonsense counts as one, the reader refuses it later).
fn issue_values(issue: &native::IssueSpec) -> f64 {
    if let Some(options) = &issue.options {
        return options.len() as f64;
    }
    let (Some(min), Some(max)) = (issue.min, issue.max) else {
        return 1.0;
    };
    let n = match issue.step {
        Some(step) if step > 0.0 => ((max - min) / step).floor() + 1.0,
        _ => (max - min).floor() + 1.0,
    };
    if n.is_finite() { n.max(1.0) } else { 1.0 }
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
    let disagreement = match disagreement {
        None | Some("reservation") => detente_analysis::Disagreement::Reservation,
        Some("zero") => detente_analysis::Disagreement::Zero,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "disagreement `{other}`: expected `reservation` or `zero`"
            )));
        }
    };
    if let Some(t) = at_time
        && !(0.0..=1.0).contains(&t)
    {
        return Err(ApiError::BadRequest(format!(
            "at_time {t} is outside [0, 1]"
        )));
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
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::BodyTooLarge {
                limit: app.config.max_body_bytes,
            }
        } else {
            ApiError::BadRequest(r.body_text())
        }
    })?;
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
    blocking(&app, move |config, _| {
        // A native file is checked like a scenario in a request body before
        // the reader builds it.
        if (ext == "toml" || ext == "json")
            && let Ok(text) = std::str::from_utf8(&bytes)
        {
            check_size(config, &ScenarioInput::Text(text.to_string()))?;
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
}

pub async fn analyze(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: AnalyzeRequest = parse(&app, body)?;
    blocking(&app, move |config, cancel| {
        let (s, _) = read(config, &req.scenario)?;
        let a = analyze_with(config, cancel, &s, req.disagreement.as_deref(), req.at_time)?;
        let charts = if req.charts {
            let cloud = detente_report::cloud(&s, &a, config.draw_limit);
            detente_report::charts(&Report {
                cloud: Some(&cloud),
                ..Report::new(&s, &a)
            })
        } else {
            Vec::new()
        };
        Ok(axum::Json(json!({
            "analysis": detente_results::analysis(&s, &a),
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
}

/// Resolves a proposal name and issue values to an outcome.
fn proposal_outcome(
    s: &Scenario,
    proposal: Option<&str>,
    values: Option<&Map<String, Value>>,
) -> Result<(String, Vec<u32>), ApiError> {
    let mut label = "custom".to_string();
    let mut outcome: Vec<Option<u32>> = vec![None; s.issues().len()];
    let base = match proposal {
        Some(name) => Some(s.proposal(name).ok_or_else(|| {
            let names: Vec<&str> = s.proposals().iter().map(|p| p.name.as_str()).collect();
            ApiError::Unprocessable(format!(
                "no proposal `{name}`; the scenario's proposals are: {}",
                if names.is_empty() {
                    "(none)".into()
                } else {
                    names.join(", ")
                }
            ))
        })?),
        None if values.is_none() => Some(s.proposals().first().ok_or_else(|| {
            ApiError::Unprocessable(
                "the scenario has no proposals; give `outcome` with a value for every issue".into(),
            )
        })?),
        None => None,
    };
    if let Some(p) = base {
        label = p.name.clone();
        outcome = p.outcome.iter().map(|&v| Some(v)).collect();
    }
    for (name, value) in values.into_iter().flatten() {
        let id = s.issue_id(name).ok_or_else(|| {
            ApiError::Unprocessable(format!("outcome: no issue `{name}` in the scenario"))
        })?;
        let issue = &s.issues()[id.index()];
        let text = match value {
            Value::String(t) => t.clone(),
            Value::Number(n) => n.to_string(),
            other => {
                return Err(ApiError::Unprocessable(format!(
                    "outcome: issue `{name}` needs an option name or a number, not {other}"
                )));
            }
        };
        let v = issue.parse_value(&text).ok_or_else(|| {
            ApiError::Unprocessable(format!(
                "outcome: `{text}` is not a value of issue `{name}`"
            ))
        })?;
        outcome[id.index()] = Some(v);
    }
    let missing: Vec<&str> = s
        .issues()
        .iter()
        .zip(&outcome)
        .filter(|(_, v)| v.is_none())
        .map(|(i, _)| i.name.as_str())
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::Unprocessable(format!(
            "outcome: no value for {}",
            missing.join(", ")
        )));
    }
    Ok((label, outcome.into_iter().map(|v| v.unwrap_or(0)).collect()))
}

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
            max_repairs: repairs.unwrap_or(5).min(50),
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
        let (s, _) = read(config, &req.scenario)?;
        let (label, outcome) = proposal_outcome(&s, req.proposal.as_deref(), req.outcome.as_ref())?;
        let a = analyze_with(config, cancel, &s, None, None)?;
        let ev = evaluate_outcome(config, &s, &a, &outcome, req.repairs);
        let charts = if req.charts {
            let cloud = detente_report::cloud(&s, &a, config.draw_limit);
            detente_report::charts(&Report {
                cloud: Some(&cloud),
                evaluated: Some((&label, &ev)),
                ..Report::new(&s, &a)
            })
        } else {
            Vec::new()
        };
        Ok(axum::Json(json!({
            "evaluation": detente_results::evaluation(&s, &label, None, &ev),
            "reading": detente_report::reading::proposal(&s, &a, &label, &ev),
            "charts": json::charts(&charts),
        }))
        .into_response())
    })
    .await
}
