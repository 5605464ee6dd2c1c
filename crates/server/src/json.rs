//! JSON forms of the results, with the keys of the CLI's `--json` output.

use detente_analysis::Evaluation;
use detente_core::Scenario;
use detente_report::Chart;
use serde_json::{Value, json};

pub use detente_results::analysis;

/// The evaluation, with the keys of `detente evaluate --json`.
pub fn evaluation(scenario: &Scenario, name: &str, ev: &Evaluation) -> detente_results::Evaluation {
    detente_results::evaluation(scenario, name, None, ev)
}

pub fn charts(charts: &[Chart]) -> Value {
    Value::Array(
        charts
            .iter()
            .map(|c| {
                json!({
                    "id": c.id,
                    "title": c.title,
                    "svg": c.svg,
                    "reading": c.reading,
                    "legend": c.legend.iter().map(|(s, t)| json!({"series": s, "text": t})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    )
}

/// A forecast, in the form of `detente forecast --json`.
pub fn forecast(
    model: &detente_forecast::Model,
    f: &detente_forecast::Forecast,
) -> detente_results::Forecast {
    detente_results::forecast(model, f)
}
