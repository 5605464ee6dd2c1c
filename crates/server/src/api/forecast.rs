//! `/api/forecast`: the scenario's spatial model of politics.

use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioRequest {
    pub(super) scenario: ScenarioInput,
}

pub async fn forecast(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: ScenarioRequest = parse(&app, body)?;
    blocking(&app, move |_, cancel| {
        let (s, model) = read(&req.scenario)?;
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
pub(super) fn run_forecast(
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

pub(super) fn no_forecast(s: &Scenario) -> ApiError {
    ApiError::Unprocessable(format!(
        "scenario `{}` has no forecasting model (a `forecast` section with dimensions and actors)",
        s.name()
    ))
}
