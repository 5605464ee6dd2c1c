//! A negotiation: each party's offers in the utility plane, and each
//! party's utility over the rounds.
//!
//! The charts take a [`Session`], a plain record of the offers;
//! [`from_result`] makes one from the negotiation engine's traced result.

use crate::Chart;
use crate::svg::{Frame, c, color, esc, ticks, u};
use detente_core::{PartyId, Scenario};
use detente_negotiation::{Action, Actor, EndReason, SessionResult};
use std::fmt::Write;

/// One offer of a session: when it was made, by whom, and what it is worth
/// to each party, which places it in the utility plane and on the timeline.
#[derive(Clone, Debug, PartialEq)]
pub struct Offer {
    /// The round (or step) at which it was made.
    pub round: u64,
    /// Index into [`Session::movers`] of who made it.
    pub by: usize,
    /// Its utility to every party of [`Session::parties`].
    pub utilities: Vec<f64>,
}

/// What a negotiation chart needs from a session.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// The bargaining parties, in order: the axes of the utilities.
    pub parties: Vec<String>,
    /// Who makes offers: labels (a party and its strategy, or a mediator).
    pub movers: Vec<String>,
    /// The offers in the order they were made.
    pub offers: Vec<Offer>,
    /// The agreement's utilities, when the session ended in one.
    pub agreement: Option<Vec<f64>>,
    /// How the session ended, in words.
    pub end: String,
}

/// The two charts of a session.
pub fn charts(s: &Session) -> Vec<Chart> {
    charts_over(s, &[])
}

/// The two charts, with the Pareto frontier of the first two parties
/// (`(u0, u1)` points) drawn behind the offers.
pub fn charts_over(s: &Session, frontier: &[(f64, f64)]) -> Vec<Chart> {
    let mut out = Vec::new();
    if s.parties.len() >= 2 {
        out.push(offers_chart(s, frontier));
    }
    out.push(rounds_chart(s));
    out
}

/// The label of mover `k` (a party and its strategy, or a mediator).
fn mover_label(s: &Session, k: usize) -> String {
    s.movers.get(k).cloned().unwrap_or_default()
}

/// Offers in the plane of the first two parties, with the frontier behind
/// them and the agreement on top.
fn offers_chart(s: &Session, frontier: &[(f64, f64)]) -> Chart {
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
    if !frontier.is_empty() {
        let mut pts = frontier.to_vec();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let _ = write!(
            svg,
            r#"<g class="frontier" data-series="frontier"><title>Pareto frontier crossing no red line</title><polyline points="{}"/></g>"#,
            f.points(&pts)
        );
    }
    for k in 0..s.movers.len() {
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
            esc(&mover_label(s, k)),
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
    let mut reading = vec![format!("{} offers; {}.", s.offers.len(), s.end)];
    if let Some(a) = &s.agreement {
        let parts: Vec<String> = s
            .parties
            .iter()
            .zip(a)
            .map(|(p, x)| format!("{p} {}", u(*x)))
            .collect();
        reading.push(format!("The agreement gives {}.", parts.join(", ")));
    }
    Chart {
        id: "negotiation-offers".into(),
        title: "Negotiation: offers in the utility plane".into(),
        svg,
        reading,
        legend: (0..s.movers.len())
            .map(|k| (format!("party-{k}"), mover_label(s, k)))
            .collect(),
    }
}

/// Utility over rounds: each party's utility of every offer on the table.
fn rounds_chart(s: &Session) -> Chart {
    let rounds = s.offers.iter().map(|o| o.round).max().unwrap_or(0);
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
        "utility",
        // Rounds are whole numbers; utilities get one decimal.
        |v| {
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        },
    );
    // Per party: the utility of what it asks for (its own offers, solid)
    // and of what it is offered (everyone else's, dashed): the
    // negotiation dance.
    for k in 0..s.parties.len() {
        for (own, class, what) in [
            (true, "own", "its own offers"),
            (false, "received", "offers it receives"),
        ] {
            let pts: Vec<String> = s
                .offers
                .iter()
                .filter(|o| (o.by == k) == own)
                .map(|o| format!("{},{}", c(f.x(o.round as f64)), c(f.y(o.utilities[k]))))
                .collect();
            if pts.is_empty() {
                continue;
            }
            let _ = write!(
                svg,
                r#"<g class="utility-line {class}" style="stroke:{col}" data-series="party-{k}"><title>utility to {} of {what}</title><polyline points="{}"/></g>"#,
                esc(&s.parties[k]),
                pts.join(" "),
                col = color(k)
            );
        }
    }
    svg.push_str("</svg>");
    Chart {
        id: "negotiation-rounds".into(),
        title: "Negotiation: utility over rounds".into(),
        svg,
        reading: vec![rounds_reading(s)],
        legend: s
            .parties
            .iter()
            .enumerate()
            .map(|(k, p)| (format!("party-{k}"), p.clone()))
            .collect(),
    }
}

/// The reading of the utility-over-rounds chart. Under a mediated protocol
/// the parties make no offers of their own: every line is a party's utility
/// of the mediator's texts, so the caption must not speak of own offers.
fn rounds_reading(s: &Session) -> String {
    let parties_offer = s.offers.iter().any(|o| o.by < s.parties.len());
    if parties_offer {
        "For each party, the solid line is its utility of its own offers and the dashed line its utility of the offers it receives: the lines closing in on each other show the sides conceding.".to_string()
    } else {
        "For each party, the line is its utility of each text the mediator puts forward: lines that rise together show the text improving for everyone, a line that falls shows a party giving ground.".to_string()
    }
}

/// A [`Session`] from a negotiation run with `record_trace`: the offers (or,
/// under a mediated protocol, the proposed texts) with the bargaining
/// parties' utilities. `strategies` holds one label per party of the
/// scenario.
pub fn from_result(scenario: &Scenario, result: &SessionResult, strategies: &[String]) -> Session {
    let bargainers = scenario.bargainers();
    let name = |p: PartyId| scenario.parties()[p.index()].name.clone();
    let mut movers: Vec<String> = bargainers
        .iter()
        .map(|&p| match strategies.get(p.index()) {
            Some(st) if !st.is_empty() => format!("{} ({st})", name(p)),
            _ => name(p),
        })
        .collect();
    let mut mediator: Option<usize> = None;
    let mut offers = Vec::new();
    for ev in &result.trace {
        if !matches!(ev.action, Action::Offer | Action::Propose) || ev.utilities.is_empty() {
            continue;
        }
        let by = match ev.actor {
            Actor::Party(p) if bargainers.contains(&p) => {
                bargainers.iter().position(|&b| b == p).unwrap_or(0)
            }
            other => *mediator.get_or_insert_with(|| {
                movers.push(match other {
                    Actor::Party(p) => format!("{} (mediator)", name(p)),
                    Actor::NeutralMediator => "mediator".to_string(),
                });
                movers.len() - 1
            }),
        };
        offers.push(Offer {
            round: ev.round as u64,
            by,
            utilities: bargainers.iter().map(|p| ev.utilities[p.index()]).collect(),
        });
    }
    let agreement = result.agreement.as_ref().map(|o| {
        bargainers
            .iter()
            .map(|&p| scenario.utility_of(p, o))
            .collect()
    });
    let end = match &result.end_reason {
        EndReason::Agreement => format!("agreement after {} round(s)", result.rounds),
        EndReason::Walkaway { by } => {
            format!("{} walked away after {} round(s)", name(*by), result.rounds)
        }
        EndReason::Deadline => format!("no agreement by the deadline ({} rounds)", result.rounds),
        EndReason::Failure { party, .. } => format!("the strategy of {} failed", name(*party)),
    };
    Session {
        parties: bargainers.iter().map(|&p| name(p)).collect(),
        movers,
        offers,
        agreement,
        end,
    }
}

#[cfg(test)]
mod tests {
    use super::{Offer, Session, charts};

    fn session(by: &[usize]) -> Session {
        Session {
            parties: vec!["a".into(), "b".into()],
            movers: vec!["a".into(), "b".into(), "mediator".into()],
            offers: by
                .iter()
                .enumerate()
                .map(|(round, &by)| Offer {
                    round: round as u64,
                    by,
                    utilities: vec![0.5, 0.5],
                })
                .collect(),
            agreement: None,
            end: String::new(),
        }
    }

    fn rounds_caption(s: &Session) -> String {
        let charts = charts(s);
        let chart = charts
            .iter()
            .find(|c| c.id == "negotiation-rounds")
            .expect("a rounds chart");
        chart.reading.join(" ")
    }

    /// Regression (first-hour issue): under the mediated protocol the
    /// caption spoke of the parties' "own offers", which they do not make.
    #[test]
    fn mediated_caption_speaks_of_the_mediators_texts() {
        let caption = rounds_caption(&session(&[2, 2, 2]));
        assert!(!caption.contains("own offers"), "{caption}");
        assert!(caption.contains("mediator"), "{caption}");
        let caption = rounds_caption(&session(&[0, 1, 0]));
        assert!(caption.contains("own offers"), "{caption}");
    }
}
