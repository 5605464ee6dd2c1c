//! The JSON of the charts; the results themselves take their one form from
//! `detente-results`.

use detente_report::Chart;
use serde_json::{Value, json};

/// The charts of an answer: id, title, SVG, reading and legend.
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
