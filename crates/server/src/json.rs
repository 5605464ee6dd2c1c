//! JSON forms of the results, with the keys of the CLI's `--json` output.

use detente_analysis::Evaluation;
use detente_core::Scenario;
use detente_report::Chart;
use serde_json::{Value, json};

pub use detente_formats::results::{analysis, outcome};

/// The evaluation, with the keys of `detente evaluate --json`.
pub fn evaluation(scenario: &Scenario, name: &str, ev: &Evaluation) -> Value {
    detente_formats::results::evaluation(scenario, name, None, ev)
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

/// A forecast: dimensions, actors, every turn's positions on 0–100, and the
/// final forecast per dimension.
pub fn forecast(model: &detente_forecast::Model, f: &detente_forecast::Forecast) -> Value {
    let dims = model.dimensions();
    json!({
        "dimensions": dims,
        "actors": model.actors().iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
        "turns": f.num_turns(),
        "positions": f.turns.iter().map(|t| t.positions.iter().map(|x| x * 100.0).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "forecast": (0..dims.len()).map(|d| {
            let (actor, at) = detente_report::forecast::predicted(f, d);
            json!({"dimension": dims[d], "position": at * 100.0, "actor": model.actors()[actor].name})
        }).collect::<Vec<_>>(),
    })
}
