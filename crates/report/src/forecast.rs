//! A forecast: each actor's position per dimension over the turns, with the
//! final forecast marked.

use crate::Chart;
use crate::svg::{Frame, c, color, esc, ticks};
use detente_forecast::{Forecast, Model, StopReason};
use std::fmt::Write;

/// The forecast on a dimension: the position of the actor most likely to
/// win in the last state (KTAB's most probable outcome).
pub fn predicted(forecast: &Forecast, dim: usize) -> (usize, f64) {
    let last = forecast.last();
    let mut best = 0;
    for a in 1..forecast.actors {
        if last.win_prob[a] > last.win_prob[best] {
            best = a;
        }
    }
    (best, last.positions[best * forecast.dims + dim])
}

/// One small chart per dimension.
pub fn chart(model: &Model, forecast: &Forecast) -> Chart {
    let mut svg = String::new();
    let mut reading = Vec::new();
    let turns = forecast.turns.len().max(1) - 1;
    svg.push_str(r#"<div class="planes">"#);
    for (d, dim) in model.dimensions().iter().enumerate() {
        let mut f = Frame::new(460.0, 300.0, (0.0, turns.max(1) as f64), (0.0, 100.0));
        f.right = 110.0;
        f.open(
            &mut svg,
            "chart forecast",
            &format!("Positions on {dim} over turns"),
        );
        let step = (turns / 8).max(1);
        let xt: Vec<f64> = (0..=turns).step_by(step).map(|t| t as f64).collect();
        f.axes(
            &mut svg,
            &xt,
            &ticks(0.0, 100.0, 4),
            "turn",
            &format!("position on {dim}"),
            |v| format!("{v:.0}"),
        );
        let (winner, at) = predicted(forecast, d);
        let _ = write!(
            svg,
            r#"<g class="forecast-final" data-series="forecast"><line x1="{}" y1="{y}" x2="{}" y2="{y}"/><text x="{}" y="{}">forecast {:.1}</text></g>"#,
            c(f.x(0.0)),
            c(f.x(turns as f64) + 6.0),
            c(f.x(turns as f64) + 8.0),
            c(f.y(at * 100.0) + 4.0),
            at * 100.0,
            y = c(f.y(at * 100.0)),
        );
        for (a, actor) in model.actors().iter().enumerate() {
            let pts: Vec<String> = (0..forecast.turns.len())
                .map(|t| {
                    format!(
                        "{},{}",
                        c(f.x(t as f64)),
                        c(f.y(forecast.position(t, a, d) * 100.0))
                    )
                })
                .collect();
            let end = forecast.position(turns, a, d) * 100.0;
            let _ = write!(
                svg,
                r#"<g class="actor" data-series="actor-{a}" style="stroke:{col};fill:{col}"><title>{}: {:.1} → {:.1}</title><polyline points="{}"/><circle cx="{}" cy="{}" r="3"/></g>"#,
                esc(&actor.name),
                forecast.position(0, a, d) * 100.0,
                end,
                pts.join(" "),
                c(f.x(turns as f64)),
                c(f.y(end)),
                col = color(a),
            );
        }
        svg.push_str("</svg>");
        let first = forecast.position(0, winner, d) * 100.0;
        reading.push(format!(
            "On {dim}, the forecast settles at {:.1} after {turns} turn(s): the position of {}, the actor most likely to prevail, which started at {first:.1}.",
            at * 100.0,
            model.actors()[winner].name
        ));
    }
    svg.push_str("</div>");
    reading.push(match forecast.stop {
        StopReason::Converged { .. } => {
            "The run stopped because positions stopped moving.".to_string()
        }
        StopReason::MaxTurns => {
            "The run stopped at the turn limit, before positions settled.".to_string()
        }
        _ => "The run was stopped before positions settled.".to_string(),
    });
    Chart {
        id: "forecast".into(),
        title: format!(
            "Forecast: {}",
            if model.name().is_empty() {
                "spatial model"
            } else {
                model.name()
            }
        ),
        svg,
        reading,
        legend: model
            .actors()
            .iter()
            .enumerate()
            .map(|(a, actor)| (format!("actor-{a}"), actor.name.clone()))
            .collect(),
    }
}
