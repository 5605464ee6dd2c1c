//! A room's state, rebuilt from its events: the room's set-up becomes a
//! negotiation [`Driver`] in which every person is an external
//! participant and every agent a built-in strategy, and the people's
//! recorded actions are fed back through [`Driver::answer`] in order.
//! Agents are deterministic for a given seed and their guard reads no
//! clock here (no step budget), so a replay reaches the same state every
//! time: the state after the last event is the room's state, before a
//! restart or after it.

use crate::{Event, RoomError, RoomSpec};
use detente_core::{Outcome, PartyId, Scenario};
use detente_negotiation::{
    Deadline, Driver, EndReason, Prepared, ProtocolKind, Reply, Request, SessionConfig,
    SessionResult, StrategySpec, TraceEvent, prepare, strategy, strategy_seed,
};
use std::time::Duration;

/// The rounds of a room given only wall-clock minutes: agents measure
/// time in rounds, so they need some number of them.
pub const DEFAULT_ROUNDS: u32 = 100;

/// What a room's events are replayed on: the scenario, the sorted spaces
/// and the session's configuration, built once per room.
pub struct Built {
    /// The scenario negotiated.
    pub scenario: Scenario,
    /// Every bargaining party's sorted space.
    pub prepared: Prepared,
    /// The session's configuration (with a trace, without a step budget).
    pub config: SessionConfig,
    /// Per bargaining party in scenario order: the agent's strategy, or
    /// `None` for a person.
    pub players: Vec<Option<StrategySpec>>,
    /// The parties played by people, in scenario order.
    pub humans: Vec<PartyId>,
}

/// Builds what a room's events are replayed on, checking the set-up: a
/// seat for each bargaining party, known strategies, a deadline.
pub fn build(spec: &RoomSpec, scenario: Scenario) -> Result<Built, RoomError> {
    let protocol: ProtocolKind = spec
        .protocol
        .parse()
        .map_err(|e: detente_negotiation::NegotiationError| RoomError::BadRequest(e.to_string()))?;
    let bargainers = scenario.bargainers();
    let mut players = Vec::with_capacity(bargainers.len());
    let mut humans = Vec::new();
    for seat in &spec.seats {
        let Some(p) = scenario.party_id(&seat.party) else {
            return Err(RoomError::BadRequest(format!(
                "the scenario has no party `{}` (its bargaining parties: {})",
                seat.party,
                names(&scenario, &bargainers)
            )));
        };
        if !bargainers.contains(&p) {
            return Err(RoomError::BadRequest(format!(
                "`{}` does not bargain in this scenario: only bargaining parties take seats ({}); the mediator is detente's",
                seat.party,
                names(&scenario, &bargainers)
            )));
        }
    }
    for &p in &bargainers {
        let name = &scenario.parties()[p.index()].name;
        let mut seats = spec.seats.iter().filter(|s| &s.party == name);
        let (Some(seat), None) = (seats.next(), seats.next()) else {
            return Err(RoomError::BadRequest(format!(
                "every bargaining party needs exactly one seat ({}): `{name}` has {}",
                names(&scenario, &bargainers),
                spec.seats.iter().filter(|s| &s.party == name).count()
            )));
        };
        if seat.player == "human" {
            humans.push(p);
            players.push(None);
        } else {
            let s: StrategySpec =
                seat.player
                    .parse()
                    .map_err(|e: detente_negotiation::NegotiationError| {
                        RoomError::BadRequest(format!("seat `{name}`: {e}"))
                    })?;
            detente_negotiation::validate_strategy(&s)
                .map_err(|e| RoomError::BadRequest(format!("seat `{name}`: {e}")))?;
            players.push(Some(s));
        }
    }
    let rounds = match (spec.rounds, spec.minutes) {
        (Some(r), _) => r,
        (None, Some(_)) => DEFAULT_ROUNDS,
        (None, None) => {
            return Err(RoomError::BadRequest(
                "a room needs a deadline: `rounds`, `minutes` or both".into(),
            ));
        }
    };
    if let Some(m) = spec.minutes
        && !(m.is_finite() && m > 0.0 && m <= 24.0 * 60.0)
    {
        return Err(RoomError::BadRequest(format!(
            "`minutes` must be positive and at most a day, not {m}"
        )));
    }
    let config = SessionConfig {
        record_trace: true,
        // A replay must reach the same state whatever the machine's load,
        // so no clock may end an agent's turn; panics are still caught.
        step_budget: Duration::ZERO,
        ..SessionConfig::new(protocol, Deadline::Rounds(rounds), spec.seed)
    };
    detente_negotiation::check_setup(&scenario, &config)
        .map_err(|e| RoomError::BadRequest(e.to_string()))?;
    let prepared = prepare(&scenario);
    Ok(Built {
        scenario,
        prepared,
        config,
        players,
        humans,
    })
}

fn names(scenario: &Scenario, parties: &[PartyId]) -> String {
    parties
        .iter()
        .map(|p| scenario.parties()[p.index()].name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The better deal proposed to every seat after an agreement, and where
/// the votes on it stand.
#[derive(Clone, Debug, PartialEq)]
pub enum Settle {
    /// No agreement, or no deal better for every person and acceptable to
    /// every party.
    None,
    /// Proposed; people still to answer are `None`.
    Pending {
        /// The deal proposed.
        proposal: Outcome,
        /// Per person (in [`Built::humans`] order), the answer so far.
        votes: Vec<Option<bool>>,
    },
    /// Every person accepted: the proposal replaces the agreement.
    Adopted(Outcome),
    /// A person refused: the agreement stands.
    Refused {
        /// The deal proposed.
        proposal: Outcome,
        /// The person who refused.
        by: PartyId,
    },
}

/// A room's state after its events.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// Every action of the session so far (with every party's utility:
    /// views choose what each seat sees).
    pub trace: Vec<TraceEvent>,
    /// What the session waits for, while it runs.
    pub asked: Option<Request>,
    /// Rounds completed.
    pub round: u32,
    /// The session's summary once it is over (also after the wall-clock
    /// deadline, as a deadline without agreement).
    pub session: Option<SessionResult>,
    /// The wall-clock deadline passed while the session ran.
    pub expired: bool,
    /// The step after an agreement.
    pub settle: Settle,
}

impl Replayed {
    /// True while people are still asked something (the session or the
    /// vote on a better deal).
    pub fn running(&self) -> bool {
        self.session.is_none() || matches!(self.settle, Settle::Pending { .. })
    }

    /// The deal the room ends with: the adopted proposal, or the session's
    /// agreement.
    pub fn deal(&self) -> Option<&Outcome> {
        match &self.settle {
            Settle::Adopted(o) => Some(o),
            _ => self.session.as_ref()?.agreement.as_ref(),
        }
    }
}

/// The people's answers to the better deal after agreement (Smartsettle's
/// step), replayed from the events after the session.
fn replay_settle<'e>(
    built: &Built,
    mut settle: Settle,
    rest: impl Iterator<Item = (usize, &'e Event)>,
) -> Result<Settle, RoomError> {
    let corrupt = |i: usize, what: &str| RoomError::Corrupt(format!("event {i}: {what}"));
    for (i, event) in rest {
        let Event::Settle { party, accept, .. } = event else {
            if matches!(event, Event::Expired) {
                continue;
            }
            return Err(corrupt(i, "a move after the session ended"));
        };
        let Settle::Pending { proposal, votes } = &mut settle else {
            return Err(corrupt(i, "a vote with no better deal proposed"));
        };
        let pos = built
            .scenario
            .party_id(party)
            .and_then(|p| built.humans.iter().position(|&h| h == p))
            .ok_or_else(|| corrupt(i, "not a person's seat"))?;
        if votes[pos].is_some() {
            return Err(corrupt(i, "a second vote"));
        }
        votes[pos] = Some(*accept);
        if !accept {
            settle = Settle::Refused {
                proposal: proposal.clone(),
                by: built.humans[pos],
            };
        } else if votes.iter().all(|v| *v == Some(true)) {
            settle = Settle::Adopted(proposal.clone());
        }
    }
    Ok(settle)
}

/// Replays `events` on a fresh session. An event the session does not
/// take is a corrupt log ([`RoomError::Corrupt`]): events are checked
/// before they are stored.
pub fn replay(built: &Built, events: &[Event]) -> Result<Replayed, RoomError> {
    let strategies = built
        .players
        .iter()
        .zip(built.scenario.bargainers())
        .map(|(s, p)| {
            s.as_ref()
                .map(|s| strategy::build(s, strategy_seed(built.config.seed, p)))
                .transpose()
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| RoomError::Corrupt(e.to_string()))?;
    let mut driver = Driver::new(
        &built.scenario,
        &built.prepared,
        None,
        &built.config,
        strategies,
    )
    .map_err(|e| RoomError::Corrupt(e.to_string()))?;
    let corrupt = |i: usize, what: &str| RoomError::Corrupt(format!("event {i}: {what}"));
    let mut expired = false;
    let mut rest = events.iter().enumerate();
    // The session proper: people's moves until it ends.
    for (i, event) in rest.by_ref() {
        if matches!(event, Event::Expired) {
            expired = true;
            break;
        }
        let asked = driver
            .advance()
            .cloned()
            .ok_or_else(|| corrupt(i, "a move after the session ended"))?;
        let party = event
            .party()
            .and_then(|name| built.scenario.party_id(name))
            .ok_or_else(|| corrupt(i, "no such party"))?;
        if asked.party() != party {
            return Err(corrupt(i, "a move out of turn"));
        }
        let reply = match event {
            Event::Offer { outcome, .. } => Reply::Offer(outcome),
            Event::Accept { .. } => Reply::Accept,
            Event::End { .. } => Reply::End,
            Event::Vote { accept, .. } => Reply::Vote(*accept),
            Event::Expired | Event::Settle { .. } => {
                return Err(corrupt(i, "not a move of the session"));
            }
        };
        driver
            .answer(reply)
            .map_err(|e| corrupt(i, &e.to_string()))?;
        if driver.advance().is_none() {
            break;
        }
    }
    // Run the agents up to the next person's turn (or the end) before
    // reading the trace: with no events yet, agents that move first have
    // not moved.
    let asked = if expired {
        None
    } else {
        driver.advance().cloned()
    };
    let trace = driver.trace().to_vec();
    let round = driver.round();
    let session = if expired {
        Some(deadline_result(built, &driver, trace.clone()))
    } else if asked.is_none() {
        driver.result()
    } else {
        None
    };
    let settle = match &session {
        Some(r) if r.end_reason == EndReason::Agreement && !built.humans.is_empty() => {
            match r.agreement.as_ref().and_then(|a| better_deal(built, a)) {
                Some(proposal) => Settle::Pending {
                    proposal,
                    votes: vec![None; built.humans.len()],
                },
                None => Settle::None,
            }
        }
        _ => Settle::None,
    };
    let settle = replay_settle(built, settle, rest)?;
    Ok(Replayed {
        trace,
        asked,
        round,
        session,
        expired,
        settle,
    })
}

/// The summary of a session stopped by the wall clock: no agreement, every
/// party its reservation value.
fn deadline_result(built: &Built, driver: &Driver<'_>, trace: Vec<TraceEvent>) -> SessionResult {
    let s = &built.scenario;
    let utilities: Vec<f64> = (0..s.parties().len())
        .map(|p| s.reservation(PartyId(p as u32)))
        .collect();
    let welfare = s.bargainers().iter().map(|p| utilities[p.index()]).sum();
    SessionResult {
        agreement: None,
        utilities,
        end_reason: EndReason::Deadline,
        rounds: driver.round(),
        time: driver.time(),
        welfare,
        pareto_distance: None,
        nash_distance: None,
        beats_reservations: false,
        trace,
    }
}

/// Smartsettle's step: among the outcomes that every bargaining party can
/// accept (no red line crossed, at least its reservation value), every
/// person strictly prefers to `agreed` and every agent likes at least as
/// much, the one whose smallest gain for a person is largest, then whose
/// welfare is largest, then the first in issue order. Such an outcome is
/// on the Pareto frontier of those outcomes: one dominating it would meet
/// the same conditions with a gain at least as large and more welfare.
/// Spaces too large to enumerate get no proposal.
pub fn better_deal(built: &Built, agreed: &[u32]) -> Option<Outcome> {
    let s = &built.scenario;
    let space = s.space();
    let count = space
        .count_u64()
        .filter(|&n| n <= crate::MAX_ROOM_OUTCOMES)?;
    let bargainers = s.bargainers();
    let base: Vec<f64> = bargainers
        .iter()
        .map(|&p| s.utility_of(p, agreed))
        .collect();
    let mut best: Option<(f64, f64, u64)> = None;
    let mut o = vec![0u32; space.issue_count()];
    for index in 0..count {
        space.decode_into(index, &mut o);
        if !s.acceptable_to_all(&o) {
            continue;
        }
        let mut min_gain = f64::INFINITY;
        let mut welfare = 0.0;
        let mut ok = true;
        for (k, &p) in bargainers.iter().enumerate() {
            let u = s.utility_of(p, &o);
            welfare += u;
            let gain = u - base[k];
            if built.humans.contains(&p) {
                ok &= gain > 1e-9;
                min_gain = min_gain.min(gain);
            } else {
                ok &= gain >= 0.0;
            }
        }
        if ok
            && best.is_none_or(|(g, w, _)| {
                min_gain > g + 1e-12 || (min_gain >= g - 1e-12 && welfare > w + 1e-12)
            })
        {
            best = Some((min_gain, welfare, index));
        }
    }
    best.map(|(_, _, index)| space.decode(index))
}
