//! A negotiation: each party's offers in the utility plane, and each
//! party's utility over the rounds.
//!
//! The chart takes a [`Session`], a plain record of the offers, so this
//! crate does not depend on the negotiation engine; callers convert its
//! trace.

use crate::Chart;
use crate::svg::{Frame, c, color, esc, ticks, u};
use std::fmt::Write;

/// One offer of a session.
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    /// The round (or step) at which it was made.
    pub round: u64,
    /// Index into [`Session::parties`] of the party that made it.
    pub by: usize,
    /// Its utility to every party of [`Session::parties`].
    pub utilities: Vec<f64>,
}

/// What a negotiation chart needs from a session.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// The negotiating parties, in order.
    pub parties: Vec<String>,
    /// Each party's strategy, for the labels.
    pub strategies: Vec<String>,
    pub offers: Vec<Offer>,
    /// The agreement's utilities, when the session ended in one.
    pub agreement: Option<Vec<f64>>,
    /// How the session ended, in words.
    pub end: String,
}

/// The two charts of a session.
pub fn charts(s: &Session) -> Vec<Chart> {
    let label = |k: usize| match s.strategies.get(k) {
        Some(st) if !st.is_empty() => format!("{} ({st})", s.parties[k]),
        _ => s.parties[k].clone(),
    };
    let mut out = Vec::new();
    let rounds = s.offers.iter().map(|o| o.round).max().unwrap_or(0);
    if s.parties.len() >= 2 {
        // Offers in the plane of the first two parties.
        let f = Frame::new(520.0, 440.0, (0.0, 1.0), (0.0, 1.0));
        let mut svg = String::new();
        f.open(&mut svg, "chart offers", "Offers in the utility plane");
        f.axes(
            &mut svg,
            &ticks(0.0, 1.0, 5),
            &ticks(0.0, 1.0, 5),
            &format!("utility of {}", s.parties[0]),
            &format!("utility of {}", s.parties[1]),
            |v| format!("{v:.1}"),
        );
        for k in 0..s.parties.len() {
            let pts: Vec<String> = s
                .offers
                .iter()
                .filter(|o| o.by == k)
                .map(|o| format!("{},{}", c(f.x(o.utilities[0])), c(f.y(o.utilities[1]))))
                .collect();
            if pts.is_empty() {
                continue;
            }
            let _ = write!(
                svg,
                r#"<g class="offers" style="stroke:{col};fill:{col}" data-series="party-{k}"><title>offers of {}</title><polyline points="{}"/>"#,
                esc(&label(k)),
                pts.join(" "),
                col = color(k)
            );
            for p in &pts {
                let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
                let _ = write!(svg, r#"<circle cx="{x}" cy="{y}" r="2.5"/>"#);
            }
            svg.push_str("</g>");
        }
        if let Some(a) = &s.agreement {
            let (x, y) = (f.x(a[0]), f.y(a[1]));
            let _ = write!(
                svg,
                r#"<g class="agreement"><title>agreement ({}, {})</title><circle cx="{}" cy="{}" r="7"/><text x="{}" y="{}">agreement</text></g>"#,
                u(a[0]),
                u(a[1]),
                c(x),
                c(y),
                c(x + 9.0),
                c(y - 8.0)
            );
        }
        svg.push_str("</svg>");
        let mut reading = vec![format!(
            "{} offers over {} round(s); {}.",
            s.offers.len(),
            rounds,
            s.end
        )];
        if let Some(a) = &s.agreement {
            let parts: Vec<String> = s
                .parties
                .iter()
                .zip(a)
                .map(|(p, x)| format!("{p} {}", u(*x)))
                .collect();
            reading.push(format!("The agreement gives {}.", parts.join(", ")));
        }
        out.push(Chart {
            id: "negotiation-offers".into(),
            title: "Negotiation: offers in the utility plane".into(),
            svg,
            reading,
            legend: (0..s.parties.len())
                .map(|k| (format!("party-{k}"), label(k)))
                .collect(),
        });
    }
    // Utility over rounds: each party's utility of every offer on the table.
    let mut f = Frame::new(620.0, 320.0, (0.0, rounds.max(1) as f64), (0.0, 1.0));
    f.right = 24.0;
    let mut svg = String::new();
    f.open(&mut svg, "chart rounds", "Each party's utility over rounds");
    let step = (rounds / 8).max(1);
    let xt: Vec<f64> = (0..=rounds)
        .step_by(step as usize)
        .map(|t| t as f64)
        .collect();
    f.axes(
        &mut svg,
        &xt,
        &ticks(0.0, 1.0, 5),
        "round",
        "utility of the offer on the table",
        |v| format!("{v:.1}"),
    );
    for k in 0..s.parties.len() {
        let pts: Vec<String> = s
            .offers
            .iter()
            .map(|o| format!("{},{}", c(f.x(o.round as f64)), c(f.y(o.utilities[k]))))
            .collect();
        let _ = write!(
            svg,
            r#"<g class="utility-line" style="stroke:{col}" data-series="party-{k}"><title>utility of {}</title><polyline points="{}"/></g>"#,
            esc(&s.parties[k]),
            pts.join(" "),
            col = color(k)
        );
    }
    svg.push_str("</svg>");
    out.push(Chart {
        id: "negotiation-rounds".into(),
        title: "Negotiation: utility over rounds".into(),
        svg,
        reading: vec![
            "Each line follows one party's utility of the offers as they were made: converging lines mean the sides conceded towards each other.".to_string(),
        ],
        legend: (0..s.parties.len()).map(|k| (format!("party-{k}"), label(k))).collect(),
    });
    out
}
