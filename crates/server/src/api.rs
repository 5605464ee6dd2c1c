//! The handlers: the page and its assets, and the JSON API.

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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRequest {
    scenario: ScenarioInput,
}

pub async fn forecast(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: ScenarioRequest = parse(&app, body)?;
    blocking(&app, move |config, cancel| {
        let (s, model) = read(config, &req.scenario)?;
        let model = model.ok_or_else(|| no_forecast(&s))?;
        let f = run_forecast(&model, cancel)?;
        let chart = detente_report::forecast::chart(&model, &f);
        Ok(axum::Json(json!({
            "forecast": detente_results::forecast(&model, &f),
            "charts": json::charts(&[chart]),
        }))
        .into_response())
    })
    .await
}

/// The forecast, stopped between turns once `cancel` is raised.
fn run_forecast(
    model: &Model,
    cancel: &AtomicBool,
) -> Result<detente_forecast::Forecast, ApiError> {
    let f = detente_forecast::run_observed(model, |_, _| {
        if cancel.load(Ordering::Relaxed) {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    });
    if cancel.load(Ordering::Relaxed) {
        return Err(ApiError::Cancelled);
    }
    Ok(f)
}

fn no_forecast(s: &Scenario) -> ApiError {
    ApiError::Unprocessable(format!(
        "scenario `{}` has no forecasting model (a `forecast` section with dimensions and actors)",
        s.name()
    ))
}

/// A file name made of the scenario's name: letters, digits, `-`, `_`, `.`.
fn file_name(s: &Scenario, ext: &str) -> String {
    let stem: String = s
        .name()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    let stem = if stem.is_empty() {
        "scenario".to_string()
    } else {
        stem
    };
    format!("{stem}.{ext}")
}

fn download(body: String, content_type: &'static str, name: &str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

pub async fn export_toml(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: ScenarioRequest = parse(&app, body)?;
    blocking(&app, move |config, _| {
        let (s, f) = read(config, &req.scenario)?;
        let text = native::to_toml_with_forecast(s.parts(), f.as_ref())
            .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(download(
            text,
            "application/toml; charset=utf-8",
            &file_name(&s, "toml"),
        ))
    })
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    scenario: ScenarioInput,
    #[serde(default)]
    proposal: Option<String>,
    #[serde(default)]
    outcome: Option<Map<String, Value>>,
    /// Add the forecast chart (the scenario needs a forecasting model).
    #[serde(default)]
    forecast: bool,
    /// Add a negotiation run with these settings.
    #[serde(default)]
    negotiation: Option<NegotiationSettings>,
}

pub async fn export_report(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: ReportRequest = parse(&app, body)?;
    blocking(&app, move |config, cancel| {
        let (s, model) = read(config, &req.scenario)?;
        let a = analyze_with(config, cancel, &s, None, None)?;
        let evaluated =
            if req.proposal.is_some() || req.outcome.is_some() || !s.proposals().is_empty() {
                let (label, outcome) =
                    proposal_outcome(&s, req.proposal.as_deref(), req.outcome.as_ref())?;
                Some((label, evaluate_outcome(config, &s, &a, &outcome, None)))
            } else {
                None
            };
        let forecast = if req.forecast {
            let m = model.as_ref().ok_or_else(|| no_forecast(&s))?;
            Some((m, run_forecast(m, cancel)?))
        } else {
            None
        };
        let session = match &req.negotiation {
            Some(settings) => {
                let n = run_negotiation(config, cancel, &s, settings)?;
                Some(detente_report::negotiation::from_result(
                    &s, &n.result, &n.labels,
                ))
            }
            None => None,
        };
        let cloud = detente_report::cloud(&s, &a, config.draw_limit);
        let html = detente_report::render(&Report {
            negotiation: session.as_ref(),
            cloud: Some(&cloud),
            evaluated: evaluated.as_ref().map(|(l, e)| (l.as_str(), e)),
            forecast: forecast.as_ref().map(|(m, f)| (*m, f)),
            source: Some("the detente workbench"),
            ..Report::new(&s, &a)
        });
        Ok(download(
            html,
            "text/html; charset=utf-8",
            &file_name(&s, "html"),
        ))
    })
    .await
}

/// The largest deadline a negotiation may have here, in rounds.
pub const MAX_ROUNDS: u32 = 2000;

pub async fn strategies() -> Response {
    // The entries of `detente strategies --json`.
    let list = detente_results::strategies(&detente_negotiation::listed_strategies());
    axum::Json(json!({ "strategies": list })).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegotiateRequest {
    scenario: ScenarioInput,
    /// `alternating`, `stacked`, `mediated` or `mediated-hill-climbing`;
    /// by default mediated with a mediator, alternating for two parties,
    /// stacked for more.
    #[serde(default)]
    protocol: Option<String>,
    /// One strategy per party, or one per bargaining party, in order
    /// (`boulware`, `boulware:e=0.1`, ...).
    #[serde(default)]
    strategies: Option<Vec<String>>,
    #[serde(default)]
    rounds: Option<u32>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default = "yes")]
    charts: bool,
}

/// Boulware when walking away is worth a lot (reservation >= 0.5), Conceder
/// under time pressure (discount < 0.9), linear otherwise: the defaults of
/// `detente negotiate`.
/// A strategy from its text; `None` for an empty text (the default).
fn parse_strategy(text: &str) -> Result<Option<detente_negotiation::StrategySpec>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let spec: detente_negotiation::StrategySpec =
        text.parse()
            .map_err(|e: detente_negotiation::NegotiationError| {
                ApiError::Unprocessable(e.to_string())
            })?;
    detente_negotiation::validate_strategy(&spec)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    Ok(Some(spec))
}

/// How to run a negotiation: the fields of `/api/negotiate` and of the
/// report's `negotiation`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegotiationSettings {
    #[serde(default)]
    protocol: Option<String>,
    #[serde(default)]
    strategies: Option<Vec<String>>,
    #[serde(default)]
    rounds: Option<u32>,
    #[serde(default)]
    seed: Option<u64>,
}

/// A negotiation with a recorded trace: the protocol, the result, each
/// party's strategy as text, and the reference analysis (if the space could
/// be analysed).
struct Negotiated {
    protocol: detente_negotiation::ProtocolKind,
    result: detente_negotiation::SessionResult,
    labels: Vec<String>,
    reference: Option<Analysis>,
    /// Why the reference analysis was left out, if it was.
    skipped: Option<String>,
    seed: u64,
}

fn run_negotiation(
    config: &crate::Config,
    cancel: &Arc<AtomicBool>,
    s: &Scenario,
    settings: &NegotiationSettings,
) -> Result<Negotiated, ApiError> {
    use detente_negotiation::{
        Deadline, ProtocolKind, SessionConfig, StrategySpec, run_session_within,
    };
    let rounds = settings.rounds.unwrap_or(100);
    if rounds == 0 || rounds > MAX_ROUNDS {
        return Err(ApiError::BadRequest(format!(
            "rounds must be between 1 and {MAX_ROUNDS}"
        )));
    }
    let protocol = match settings.protocol.as_deref() {
        Some(name) => name
            .parse::<ProtocolKind>()
            .map_err(|e| ApiError::BadRequest(e.to_string()))?,
        None => ProtocolKind::default_for(s),
    };
    // An empty string keeps that party's default.
    let given: Vec<Option<StrategySpec>> = settings
        .strategies
        .iter()
        .flatten()
        .map(|t| parse_strategy(t))
        .collect::<Result<_, ApiError>>()?;
    let specs = detente_negotiation::assign_strategies(s, &given, &[])
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    check_negotiation_memory(s)?;
    let (reference, skipped) = match analyze_with(config, cancel, s, None, None) {
        Err(ApiError::Cancelled) => return Err(ApiError::Cancelled),
        Ok(a) => (Some(a), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let mut session = SessionConfig::new(
        protocol,
        Deadline::Rounds(rounds),
        settings.seed.unwrap_or(0),
    );
    session.record_trace = true;
    let result = run_session_within(s, reference.as_ref(), &session, &specs, cancel)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    if cancel.load(Ordering::Relaxed) {
        return Err(ApiError::Cancelled);
    }
    let labels: Vec<String> = specs.iter().map(|x| x.to_string()).collect();
    Ok(Negotiated {
        protocol,
        result,
        labels,
        reference,
        skipped,
        seed: settings.seed.unwrap_or(0),
    })
}

/// Bytes a negotiation may use to sort each bargaining party's outcomes
/// before it starts.
pub const MAX_NEGOTIATION_SORT_BYTES: u64 = 512 << 20;

/// Outcomes sorted per party when a space has more than
/// [`detente_negotiation::SORT_LIMIT`] (the sample `OwnSpace::build` draws).
const NEGOTIATION_SAMPLE: u64 = 200_000;

/// Refuses a negotiation whose preparation would sort too much: every
/// bargaining party's outcomes (all of them up to
/// [`detente_negotiation::SORT_LIMIT`], a sample beyond) are sorted by
/// utility, about 16 bytes each, so many parties over a large space would
/// take gigabytes.
fn check_negotiation_memory(s: &Scenario) -> Result<(), ApiError> {
    let per_party = match s.space().count_u64() {
        Some(n) if n <= detente_negotiation::SORT_LIMIT => n,
        _ => NEGOTIATION_SAMPLE,
    };
    let parties = s.bargainers().len() as u64;
    let bytes = per_party.saturating_mul(parties).saturating_mul(16);
    if bytes > MAX_NEGOTIATION_SORT_BYTES {
        return Err(ApiError::TooLarge(format!(
            "a negotiation sorts every bargaining party's outcomes first: {parties} parties × {per_party} outcomes would take about {} MiB, more than the limit of {} MiB (use fewer parties or a smaller space)",
            bytes >> 20,
            MAX_NEGOTIATION_SORT_BYTES >> 20
        )));
    }
    Ok(())
}

/// The two negotiation charts, with the frontier behind a two-party plane.
fn negotiation_charts(s: &Scenario, n: &Negotiated) -> Vec<detente_report::Chart> {
    let view = detente_report::negotiation::from_result(s, &n.result, &n.labels);
    detente_report::negotiation::charts_over(&view, &frontier_of(n.reference.as_ref()))
}

fn frontier_of(a: Option<&Analysis>) -> Vec<(f64, f64)> {
    match a {
        Some(a) if a.bargainers.len() == 2 => a
            .feasible_pareto
            .iter()
            .map(|p| (p.utilities[0], p.utilities[1]))
            .collect(),
        _ => Vec::new(),
    }
}

pub async fn negotiate(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: NegotiateRequest = parse(&app, body)?;
    let settings = NegotiationSettings {
        protocol: req.protocol.clone(),
        strategies: req.strategies.clone(),
        rounds: req.rounds,
        seed: req.seed,
    };
    if settings.rounds.is_some_and(|r| r == 0 || r > MAX_ROUNDS) {
        return Err(ApiError::BadRequest(format!(
            "rounds must be between 1 and {MAX_ROUNDS}"
        )));
    }
    blocking(&app, move |config, cancel| {
        let (s, _) = read(config, &req.scenario)?;
        let negotiated = run_negotiation(config, cancel, &s, &settings)?;
        let n = &negotiated;
        let charts = if req.charts {
            negotiation_charts(&s, n)
        } else {
            Vec::new()
        };
        // The result has the form of `detente negotiate --json`; the trace
        // that of `--trace FILE.jsonl`.
        Ok(axum::Json(json!({
            "result": detente_results::Negotiation {
                distances_skipped: n.skipped.clone(),
                ..detente_results::negotiation(&s, n.protocol, &n.labels, n.seed, &n.result)
            },
            "parties": s.parties().iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
            "trace": detente_results::trace(&s, &n.result.trace),
            "charts": json::charts(&charts),
        }))
        .into_response())
    })
    .await
}
