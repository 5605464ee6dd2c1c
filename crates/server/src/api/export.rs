//! Downloads: the edited scenario as TOML and the HTML report.

use super::*;

/// A file name made of the scenario's name: letters, digits, `-`, `_`, `.`.
pub(super) fn file_name(s: &Scenario, ext: &str) -> String {
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

pub(super) fn download(body: String, content_type: &'static str, name: &str) -> Response {
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
    blocking(&app, move |_, _| {
        let (s, f) = read(&req.scenario)?;
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
        let (s, model) = read(&req.scenario)?;
        let a = analyze_with(config, cancel, &s, None, None)?;
        let evaluated =
            if req.proposal.is_some() || req.outcome.is_some() || !s.proposals().is_empty() {
                let (label, _, outcome) =
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
