//! What each reader sees of a room, as JSON: a seat its own preferences
//! and what the protocol shows of the others; the facilitator the progress
//! and, once the room is over, everything.
//!
//! A seat's history keeps the offers, proposals and votes (the protocol
//! shows them to every participant) with the seat's own utility of each;
//! other parties' utilities and every reason are left out. The mediator's
//! seat sees the same, with its own utilities only if the scenario's
//! mediator party has preferences.

use crate::replay::{Built, Replayed, Settle};
use crate::{Event, RoomSpec};
use detente_core::{PartyId, Scenario};
use detente_negotiation::{Actor, Request, TraceEvent};
use detente_results::{actor_name, outcome};
use serde_json::{Value, json};

/// The parts of a room the views read.
pub struct RoomInfo<'a> {
    pub id: &'a str,
    pub batch: &'a str,
    pub created_ms: u64,
    pub deadline_ms: Option<u64>,
    pub spec: &'a RoomSpec,
    pub events: &'a [(u64, Event)],
}

fn name(s: &Scenario, p: PartyId) -> &str {
    &s.parties()[p.index()].name
}

/// Who reads a seat's view: the seat's actor in the session, and whose
/// utilities it is shown (none for a neutral mediator).
#[derive(Clone, Copy, Debug)]
pub struct Viewer {
    /// The seat's actor.
    pub actor: Actor,
    /// The party whose preferences the seat holds.
    pub own: Option<PartyId>,
}

impl Viewer {
    /// The viewer of `actor`'s seat.
    pub fn of(actor: Actor) -> Viewer {
        let own = match actor {
            Actor::Party(p) => Some(p),
            Actor::NeutralMediator => None,
        };
        Viewer { actor, own }
    }

    fn utility(&self, s: &Scenario, o: &[u32]) -> Option<f64> {
        self.own.map(|p| s.utility_of(p, o))
    }
}

/// The mediator of a mediated room: its seat name and who plays it.
fn mediator(built: &Built) -> Value {
    built.mediator.as_ref().map_or(Value::Null, |name| {
        json!({
            "seat": name,
            "player": if built.human_mediator { "human" } else { "detente" },
        })
    })
}

fn status(state: &Replayed) -> &'static str {
    if state.session.is_none() {
        "running"
    } else if matches!(state.settle, Settle::Pending { .. }) {
        "settling"
    } else {
        "over"
    }
}

/// Where the room stands in time: rounds (null in a room given only
/// minutes, whose rounds are only a cap) and wall-clock time left.
fn time(room: &RoomInfo<'_>, state: &Replayed, now_ms: u64) -> Value {
    let rounds = room.spec.rounds;
    json!({
        "round": state.round,
        "rounds": rounds,
        "rounds_left": rounds.map(|n| n.saturating_sub(state.round)),
        "deadline_ms": room.deadline_ms,
        "seconds_left": room.deadline_ms.map(|d| d.saturating_sub(now_ms) as f64 / 1000.0),
    })
}

fn issues(s: &Scenario) -> Value {
    s.issues()
        .iter()
        .map(|i| {
            json!({
                "name": i.name,
                "values": (0..i.cardinality()).map(|v| i.value_label(v)).collect::<Vec<_>>(),
            })
        })
        .collect()
}

/// Who plays each bargaining party, as a seat is told: a person or an
/// agent (not which strategy).
fn players(built: &Built, reveal: bool) -> Value {
    let s = &built.scenario;
    s.bargainers()
        .iter()
        .zip(&built.players)
        .map(|(&p, player)| {
            let label = match (player, reveal) {
                (None, _) => "human".to_string(),
                (Some(spec), true) => spec.to_string(),
                (Some(_), false) => "agent".to_string(),
            };
            json!({"party": name(s, p), "player": label})
        })
        .collect()
}

/// One action of the trace as a seat sees it (its own utility only).
fn seen(s: &Scenario, e: &TraceEvent, v: Viewer) -> Value {
    json!({
        "round": e.round,
        "actor": actor_name(s, e.actor),
        "mine": e.actor == v.actor,
        "action": e.action.as_str(),
        "outcome": e.outcome.as_ref().map(|o| outcome(s, o)),
        "utility": e.outcome.as_ref().and_then(|o| v.utility(s, o)),
    })
}

fn question(built: &Built, state: &Replayed, v: Viewer) -> Value {
    let s = &built.scenario;
    if let Settle::Pending { proposal, votes } = &state.settle {
        return json!({
            "asked": "settle",
            "proposal": outcome(s, proposal),
            "utility": v.utility(s, proposal),
            "answered": votes.iter().filter(|v| v.is_some()).count(),
            "of": votes.len(),
        });
    }
    let Some(asked) = &state.asked else {
        return Value::Null;
    };
    let mut q = json!({
        "party": built.seat_name(asked.actor()),
        "yours": asked.actor() == v.actor,
    });
    match asked {
        Request::Act { standing, .. } => {
            q["asked"] = "act".into();
            q["standing"] = standing.as_ref().map_or(Value::Null, |o| {
                json!({
                    "outcome": outcome(s, &o.outcome),
                    "by": name(s, o.by),
                    "utility": v.utility(s, &o.outcome),
                })
            });
        }
        Request::Vote { text, proposal, .. } => {
            q["asked"] = "vote".into();
            q["text"] = json!({"outcome": outcome(s, text), "utility": v.utility(s, text)});
            q["proposal"] =
                json!({"outcome": outcome(s, proposal), "utility": v.utility(s, proposal)});
        }
        Request::FinalVote { text, .. } => {
            q["asked"] = "final-vote".into();
            q["text"] = json!({"outcome": outcome(s, text), "utility": v.utility(s, text)});
        }
        Request::Propose { text, .. } => {
            q["asked"] = "propose".into();
            q["text"] = json!({"outcome": outcome(s, text), "utility": v.utility(s, text)});
        }
    }
    q
}

/// Who a result is for: a seat (its own utility) or the facilitator
/// (every party's).
enum Reader {
    Seat(Viewer),
    Facilitator,
}

fn result(s: &Scenario, state: &Replayed, reader: Reader) -> Value {
    let Some(r) = state.session.as_ref().filter(|_| !state.running()) else {
        return Value::Null;
    };
    let deal = state.deal();
    let mut v = json!({
        "end_reason": r.end_reason.as_str(),
        "agreement": deal.map(|o| outcome(s, o)),
        "settled": matches!(state.settle, Settle::Adopted(_)),
        "better_deal_refused": matches!(state.settle, Settle::Refused { .. }),
        "rounds": r.rounds,
    });
    if let detente_negotiation::EndReason::Walkaway { by } = r.end_reason {
        v["by"] = name(s, by).into();
    }
    if let Reader::Seat(viewer) = reader {
        v["utility"] = viewer
            .own
            .map(|p| match deal {
                Some(o) => s.utility_of(p, o),
                None => s.reservation(p),
            })
            .into();
    } else {
        v["utilities"] = s
            .parties()
            .iter()
            .enumerate()
            .map(|(i, party)| {
                let p = PartyId(i as u32);
                let u = deal.map_or(s.reservation(p), |o| s.utility_of(p, o));
                (party.name.clone(), Value::from(u))
            })
            .collect::<serde_json::Map<_, _>>()
            .into();
    }
    v
}

/// What a seat reads: who it is, its [`Built::preferences`] (null for a neutral
/// mediator), and for an update the history entry it has up to.
pub struct Reading {
    /// The seat's actor and whose utilities it is shown.
    pub viewer: Viewer,
    /// Its preferences (left out of an update).
    pub own: Value,
    /// `Some(n)`: an update from history entry `n`, without the parts of
    /// the view that never change.
    pub since: Option<usize>,
}

/// A seat's view, whole or as an update ([`Reading::since`]).
pub fn seat(
    room: &RoomInfo<'_>,
    built: &Built,
    state: &Replayed,
    reading: Reading,
    now_ms: u64,
) -> Value {
    let s = &built.scenario;
    let v = reading.viewer;
    let chair = built.human_mediator && v.actor == built.mediator_actor();
    let from = reading.since.unwrap_or(0).min(state.trace.len());
    let mut view = json!({
        "room": room.id,
        "party": built.seat_name(v.actor),
        "role": if chair { "mediator" } else { "party" },
        "scenario": room.spec.scenario,
        "protocol": room.spec.protocol,
        "status": status(state),
        "version": room.events.len(),
        "turn": question(built, state, v),
        "time": time(room, state, now_ms),
        "history_from": from,
        "history": state.trace[from..].iter().map(|e| seen(s, e, v)).collect::<Vec<_>>(),
        "result": result(s, state, Reader::Seat(v)),
    });
    if reading.since.is_none() {
        view["issues"] = issues(s);
        view["players"] = players(built, false);
        view["mediator"] = mediator(built);
        view["you"] = reading.own;
    }
    view
}

/// The facilitator's view: progress while the room runs, and the result
/// (with every party's utility) once it is over.
pub fn facilitator(room: &RoomInfo<'_>, built: &Built, state: &Replayed, now_ms: u64) -> Value {
    let s = &built.scenario;
    json!({
        "room": room.id,
        "batch": room.batch,
        "scenario": room.spec.scenario,
        "protocol": room.spec.protocol,
        "status": status(state),
        "version": room.events.len(),
        "players": players(built, true),
        "mediator": mediator(built),
        "waiting_for": state.asked.as_ref().map(|a| built.seat_name(a.actor())),
        "actions": state.trace.len(),
        "time": time(room, state, now_ms),
        "result": result(s, state, Reader::Facilitator),
    })
}

/// Everything about a room that is over.
pub fn transcript(room: &RoomInfo<'_>, built: &Built, state: &Replayed) -> Value {
    let s = &built.scenario;
    let session = state.session.as_ref().map(|r| {
        let strategies: Vec<String> = built
            .players
            .iter()
            .map(|p| p.as_ref().map_or("human".to_string(), |s| s.to_string()))
            .collect();
        detente_results::negotiation(s, built.config.protocol, &strategies, built.config.seed, r)
    });
    let settle = match &state.settle {
        Settle::None => Value::Null,
        Settle::Pending { proposal, .. } => {
            json!({"proposal": outcome(s, proposal), "adopted": Value::Null})
        }
        Settle::Adopted(o) => json!({"proposal": outcome(s, o), "adopted": true}),
        Settle::Refused { proposal, by } => {
            json!({"proposal": outcome(s, proposal), "adopted": false, "refused_by": name(s, *by)})
        }
    };
    json!({
        "room": room.id,
        "batch": room.batch,
        "created_ms": room.created_ms,
        "spec": room.spec,
        "players": players(built, true),
        "mediator": mediator(built),
        "events": room.events.iter().map(|(at, e)| json!({"at_ms": at, "event": e})).collect::<Vec<_>>(),
        "trace": detente_results::trace(s, &state.trace),
        "session": session,
        "better_deal": settle,
        "result": result(s, state, Reader::Facilitator),
    })
}

/// The CSV header of a batch's results.
pub fn csv_header(built: &Built) -> String {
    let s = &built.scenario;
    let mut cols: Vec<String> = [
        "room",
        "status",
        "end_reason",
        "rounds",
        "actions",
        "settled",
    ]
    .map(String::from)
    .to_vec();
    for &p in &s.bargainers() {
        cols.push(format!("player:{}", name(s, p)));
    }
    if let Some(m) = &built.mediator {
        cols.push(format!("mediator:{m}"));
    }
    for &p in &s.bargainers() {
        cols.push(format!("utility:{}", name(s, p)));
    }
    for i in s.issues() {
        cols.push(format!("agreement:{}", i.name));
    }
    let mut line = cols
        .iter()
        .map(|c| detente_formats::csv_field(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}

/// One room's line of a batch's results.
pub fn csv_row(room: &RoomInfo<'_>, built: &Built, state: &Replayed) -> String {
    let s = &built.scenario;
    let over = !state.running();
    let r = state.session.as_ref().filter(|_| over);
    let deal = if over { state.deal() } else { None };
    let mut cols = vec![
        room.id.to_string(),
        status(state).to_string(),
        r.map_or(String::new(), |r| r.end_reason.as_str().to_string()),
        state.round.to_string(),
        state.trace.len().to_string(),
        matches!(state.settle, Settle::Adopted(_)).to_string(),
    ];
    for (_, player) in s.bargainers().iter().zip(&built.players) {
        cols.push(
            player
                .as_ref()
                .map_or("human".to_string(), |p| p.to_string()),
        );
    }
    if built.mediator.is_some() {
        let who = if built.human_mediator {
            "human"
        } else {
            "detente"
        };
        cols.push(who.to_string());
    }
    for &p in &s.bargainers() {
        cols.push(if over {
            deal.map_or(s.reservation(p), |o| s.utility_of(p, o))
                .to_string()
        } else {
            String::new()
        });
    }
    for (k, i) in s.issues().iter().enumerate() {
        cols.push(deal.map_or(String::new(), |o| i.value_label(o[k])));
    }
    let mut line = cols
        .iter()
        .map(|c| detente_formats::csv_field(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push('\n');
    line
}
