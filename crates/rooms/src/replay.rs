//! A room's state: its set-up becomes a negotiation [`Driver`] in which
//! every person is an external participant (the mediator too, when a
//! person chairs a mediated room) and every agent a built-in strategy, and
//! the people's actions are fed to it through [`Driver::answer`].
//!
//! The [`Engine`] keeps that driver live between actions, so an action
//! costs one step of the session, not a replay of the room. A room read
//! back from the database is its events applied in order to a fresh
//! engine: the same code path, so a restarted server reaches the state it
//! had. That holds because agents are deterministic for a given seed, their
//! guard reads no clock here (no step budget), and the only outside input,
//! the wall clock agents pace themselves by, is the time stored with each
//! event.

use crate::{Event, RoomError, RoomSpec};
use detente_core::{Outcome, PartyId, Role, Scenario};
use detente_negotiation::{
    Actor, Deadline, Driver, EndReason, Prepared, ProtocolKind, Reply, Request, SessionConfig,
    SessionResult, StrategySpec, TraceEvent, prepare, strategy, strategy_seed,
};
use serde_json::{Value, json};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Most rounds a room may have. A room given only wall-clock minutes gets
/// this many, so that its clock, not its rounds, sets the pace.
pub const MAX_ROUNDS: u32 = 2000;

/// The seat name of the protocol's own mediator, when the scenario has no
/// mediator party (the name traces give it).
pub const NEUTRAL_MEDIATOR: &str = "mediator";

/// What a room's events are applied to: the scenario, the sorted spaces
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
    /// The mediator's seat name in a mediated room (the scenario's
    /// mediator party, or [`NEUTRAL_MEDIATOR`]).
    pub mediator: Option<String>,
    /// A person chairs the mediated room (else detente's mediator does).
    pub human_mediator: bool,
    /// The wall clock, when the room has minutes: its start and its
    /// deadline, in milliseconds since the Unix epoch.
    pub wall: Option<(u64, u64)>,
    /// Each party's preferences as a seat's view shows them (its utility
    /// of every outcome), made once and shared by every room of a batch.
    preferences: Vec<OnceLock<Value>>,
}

impl Built {
    /// Party `p`'s preferences as its seat's view shows them (its
    /// reservation value, red lines and utility of every outcome), made at
    /// the first request.
    pub fn preferences(&self, p: PartyId) -> &Value {
        self.preferences[p.index()].get_or_init(|| preferences(self, p))
    }

    /// The seat name of whoever `actor` is.
    pub fn seat_name(&self, actor: Actor) -> &str {
        match actor {
            Actor::Party(p) => &self.scenario.parties()[p.index()].name,
            Actor::NeutralMediator => NEUTRAL_MEDIATOR,
        }
    }

    /// Who the seat called `name` is: a bargaining party, or the mediator.
    pub fn actor_of(&self, name: &str) -> Option<Actor> {
        if self.human_mediator && is_mediator_seat(name, &self.scenario) {
            return Some(self.mediator_actor());
        }
        let p = self.scenario.party_id(name)?;
        self.scenario
            .bargainers()
            .contains(&p)
            .then_some(Actor::Party(p))
    }

    /// The mediator as the protocol names it.
    pub fn mediator_actor(&self) -> Actor {
        mediator_party(&self.scenario).map_or(Actor::NeutralMediator, Actor::Party)
    }

    /// The seats people take, in order: the bargaining parties they play,
    /// then the mediator's chair if a person has it.
    pub fn people(&self) -> Vec<String> {
        let mut seats: Vec<String> = self
            .humans
            .iter()
            .map(|&p| self.scenario.parties()[p.index()].name.clone())
            .collect();
        if self.human_mediator {
            seats.extend(self.mediator.clone());
        }
        seats
    }
}

/// What seat `p` knows of its own preferences: its reservation value,
/// its red lines' notes, its utility of every outcome (in mixed-radix
/// order, first issue most significant) and the outcomes crossing one of
/// its red lines. It does not change while the room lasts, so the set-up
/// keeps it once made.
fn preferences(built: &Built, p: PartyId) -> Value {
    let s = &built.scenario;
    let space = s.space();
    let count = space.count_u64().unwrap_or(0);
    let mut o = vec![0u32; space.issue_count()];
    let mut utilities = Vec::with_capacity(count as usize);
    let mut crossed = Vec::new();
    for index in 0..count {
        space.decode_into(index, &mut o);
        utilities.push(s.utility_of(p, &o));
        if !s.red_lines_crossed(p, &o).is_empty() {
            crossed.push(index);
        }
    }
    let prefs = &s.parties()[p.index()].preferences;
    json!({
        "reservation": s.reservation(p),
        "red_lines": prefs.red_lines.iter().map(|r| r.note.clone()).collect::<Vec<_>>(),
        "utilities": utilities,
        "crossed": crossed,
    })
}

/// The scenario's mediator party (its first party with role `mediator`),
/// as the mediated protocol chooses it.
fn mediator_party(scenario: &Scenario) -> Option<PartyId> {
    scenario
        .parties()
        .iter()
        .position(|p| p.role == Role::Mediator)
        .map(|i| PartyId(i as u32))
}

/// Whether a seat named `name` is the mediator's: it names the scenario's
/// mediator party, or it is [`NEUTRAL_MEDIATOR`] and no party has that
/// name.
fn is_mediator_seat(name: &str, scenario: &Scenario) -> bool {
    (name == NEUTRAL_MEDIATOR && scenario.party_id(name).is_none())
        || mediator_party(scenario).is_some_and(|m| scenario.parties()[m.index()].name == name)
}

/// Builds what a room's events are applied to, checking the set-up: a
/// seat for each bargaining party, known strategies, a deadline, and at
/// most one seat for the mediator of a mediated room. `created_ms` starts
/// the wall clock of a room with minutes.
pub fn build(spec: &RoomSpec, scenario: Scenario, created_ms: u64) -> Result<Built, RoomError> {
    let protocol: ProtocolKind = spec
        .protocol
        .parse()
        .map_err(|e: detente_negotiation::NegotiationError| RoomError::BadRequest(e.to_string()))?;
    let mediator = matches!(protocol, ProtocolKind::Mediated(_)).then(|| {
        mediator_party(&scenario).map_or(NEUTRAL_MEDIATOR.to_string(), |m| {
            scenario.parties()[m.index()].name.clone()
        })
    });
    let human_mediator = mediator_seat(spec, &scenario, mediator.as_deref())?;
    let (players, humans) = bargaining_seats(spec, &scenario)?;
    let rounds = match (spec.rounds, spec.minutes) {
        (Some(r), _) if r > MAX_ROUNDS => {
            return Err(RoomError::BadRequest(format!(
                "a room has at most {MAX_ROUNDS} rounds"
            )));
        }
        (Some(r), _) => r,
        (None, Some(_)) => MAX_ROUNDS,
        (None, None) => {
            return Err(RoomError::BadRequest(
                "a room needs a deadline: `rounds`, `minutes` or both".into(),
            ));
        }
    };
    let wall = match spec.minutes {
        Some(m) if !(m.is_finite() && m > 0.0 && m <= 24.0 * 60.0) => {
            return Err(RoomError::BadRequest(format!(
                "`minutes` must be positive and at most a day, not {m}"
            )));
        }
        Some(m) => Some((created_ms, created_ms + (m * 60_000.0) as u64)),
        None => None,
    };
    let config = SessionConfig {
        record_trace: true,
        // The room's state must be the same whatever the machine's load,
        // so no clock may end an agent's turn; panics are still caught.
        step_budget: Duration::ZERO,
        ..SessionConfig::new(protocol, Deadline::Rounds(rounds), spec.seed)
    };
    detente_negotiation::check_setup(&scenario, &config)
        .map_err(|e| RoomError::BadRequest(e.to_string()))?;
    let prepared = prepare(&scenario);
    let preferences = (0..scenario.parties().len())
        .map(|_| OnceLock::new())
        .collect();
    Ok(Built {
        scenario,
        prepared,
        config,
        players,
        humans,
        mediator,
        human_mediator,
        wall,
        preferences,
    })
}

/// Whether a person chairs the room: the mediator's seat, if the set-up
/// has one, is `human` or `detente` (the default), and only in a mediated
/// room.
fn mediator_seat(
    spec: &RoomSpec,
    scenario: &Scenario,
    mediator: Option<&str>,
) -> Result<bool, RoomError> {
    let mut seats = spec
        .seats
        .iter()
        .filter(|s| is_mediator_seat(&s.party, scenario));
    let (seat, extra) = (seats.next(), seats.next());
    let Some(seat) = seat else {
        return Ok(false);
    };
    let Some(name) = mediator else {
        return Err(RoomError::BadRequest(format!(
            "`{}` is the mediator's seat, and only a mediated room has one (protocol `mediated` or `mediated-hill-climbing`)",
            seat.party
        )));
    };
    if extra.is_some() {
        return Err(RoomError::BadRequest(format!(
            "the mediator `{name}` has more than one seat"
        )));
    }
    match seat.player.as_str() {
        "human" => Ok(true),
        "detente" => Ok(false),
        other => Err(RoomError::BadRequest(format!(
            "the mediator `{name}` is played by `human` or `detente` (detente's mediator), not `{other}`"
        ))),
    }
}

/// Who plays each bargaining party: exactly one seat each, `human` or a
/// known strategy; no seat for a party that does not bargain.
type Seats = (Vec<Option<StrategySpec>>, Vec<PartyId>);

fn bargaining_seats(spec: &RoomSpec, scenario: &Scenario) -> Result<Seats, RoomError> {
    let bargainers = scenario.bargainers();
    for seat in &spec.seats {
        if is_mediator_seat(&seat.party, scenario) {
            continue;
        }
        let Some(p) = scenario.party_id(&seat.party) else {
            return Err(RoomError::BadRequest(format!(
                "the scenario has no party `{}` (its bargaining parties: {})",
                seat.party,
                names(scenario, &bargainers)
            )));
        };
        if !bargainers.contains(&p) {
            return Err(RoomError::BadRequest(format!(
                "`{}` does not bargain in this scenario: seats are for the bargaining parties ({}) and, in a mediated room, the mediator",
                seat.party,
                names(scenario, &bargainers)
            )));
        }
    }
    let mut players = Vec::with_capacity(bargainers.len());
    let mut humans = Vec::new();
    for &p in &bargainers {
        let name = &scenario.parties()[p.index()].name;
        let mut seats = spec.seats.iter().filter(|s| &s.party == name);
        let (Some(seat), None) = (seats.next(), seats.next()) else {
            return Err(RoomError::BadRequest(format!(
                "every bargaining party needs exactly one seat ({}): `{name}` has {}",
                names(scenario, &bargainers),
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
    Ok((players, humans))
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

self_cell::self_cell!(
    /// The room's set-up and the session driver borrowing it.
    struct Running {
        owner: Arc<Built>,
        #[covariant]
        dependent: Driver,
    }
);

/// A room's session, live: events go in one at a time, the state after
/// the last one is always at hand.
pub struct Engine {
    running: Running,
    state: Replayed,
}

impl Engine {
    /// A fresh session of the room, run up to the first person's turn.
    pub fn new(built: Arc<Built>) -> Result<Engine, RoomError> {
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
        let running = Running::try_new(built, |b| {
            let driver = Driver::new(&b.scenario, &b.prepared, None, &b.config, strategies)?;
            if b.human_mediator {
                driver.with_external_mediator()
            } else {
                Ok(driver)
            }
        })
        .map_err(|e| RoomError::Corrupt(e.to_string()))?;
        let mut engine = Engine {
            running,
            state: Replayed {
                trace: Vec::new(),
                asked: None,
                round: 0,
                session: None,
                expired: false,
                settle: Settle::None,
            },
        };
        engine.sync();
        Ok(engine)
    }

    /// The state after the events applied so far.
    pub fn state(&self) -> &Replayed {
        &self.state
    }

    /// Applies event number `i`, stored at `at_ms`. An event the session
    /// does not take is [`RoomError::Corrupt`]: events are checked before
    /// they are stored, so only a log edited by hand has one. On an error
    /// the engine may be part-way through the event: rebuild it from the
    /// log.
    pub fn apply(&mut self, i: usize, at_ms: u64, event: &Event) -> Result<(), RoomError> {
        let corrupt = |what: &str| RoomError::Corrupt(format!("event {i}: {what}"));
        if self.state.session.is_some() {
            return self.settle(event).map_err(corrupt);
        }
        if matches!(event, Event::Expired) {
            let session = self.running.with_dependent(|b, d| deadline_result(b, d));
            self.state.expired = true;
            self.state.asked = None;
            self.state.session = Some(session);
            return Ok(());
        }
        self.running
            .with_dependent_mut(|b, driver| {
                if let Some((start, end)) = b.wall {
                    let span = end.saturating_sub(start).max(1) as f64;
                    driver.set_time_floor(at_ms.saturating_sub(start) as f64 / span);
                }
                let asked = driver.advance().ok_or("a move after the session ended")?;
                let actor = event
                    .party()
                    .and_then(|name| b.actor_of(name))
                    .ok_or("no such seat")?;
                if asked.actor() != actor {
                    return Err("a move out of turn");
                }
                let reply = match (asked, event) {
                    (Request::Act { .. }, Event::Offer { outcome, .. })
                    | (Request::Propose { .. }, Event::Propose { outcome, .. }) => {
                        Reply::Offer(outcome)
                    }
                    (Request::Act { .. }, Event::Accept { .. }) => Reply::Accept,
                    (Request::Act { .. }, Event::End { .. })
                    | (Request::Propose { .. }, Event::Close { .. }) => Reply::End,
                    (
                        Request::Vote { .. } | Request::FinalVote { .. },
                        Event::Vote { accept, .. },
                    ) => Reply::Vote(*accept),
                    _ => return Err("not the move asked for"),
                };
                driver
                    .answer(reply)
                    .map_err(|_| "a move the session refuses")
            })
            .map_err(corrupt)?;
        self.sync();
        Ok(())
    }

    /// Runs the agents up to the next person's turn (or the end) and
    /// brings the state up to date.
    fn sync(&mut self) {
        let known = self.state.trace.len();
        let (new, asked, round, result) = self.running.with_dependent_mut(|_, driver| {
            let asked = driver.advance().cloned();
            let result = if asked.is_none() {
                driver.result()
            } else {
                None
            };
            (
                driver.trace()[known..].to_vec(),
                asked,
                driver.round(),
                result,
            )
        });
        self.state.trace.extend(new);
        self.state.asked = asked;
        self.state.round = round;
        if let Some(r) = result {
            let built = self.running.borrow_owner();
            self.state.settle = match r.agreement.as_ref() {
                Some(a) if r.end_reason == EndReason::Agreement && !built.humans.is_empty() => {
                    better_deal(built, a).map_or(Settle::None, |proposal| Settle::Pending {
                        proposal,
                        votes: vec![None; built.humans.len()],
                    })
                }
                _ => Settle::None,
            };
            self.state.session = Some(r);
        }
    }

    /// A person's answer to the better deal after agreement (Smartsettle's
    /// step); the wall-clock deadline passing after the session changes
    /// nothing.
    fn settle(&mut self, event: &Event) -> Result<(), &'static str> {
        let Event::Settle { party, accept, .. } = event else {
            return if matches!(event, Event::Expired) {
                Ok(())
            } else {
                Err("a move after the session ended")
            };
        };
        let built = self.running.borrow_owner();
        let Settle::Pending { proposal, votes } = &mut self.state.settle else {
            return Err("a vote with no better deal proposed");
        };
        let pos = built
            .scenario
            .party_id(party)
            .and_then(|p| built.humans.iter().position(|&h| h == p))
            .ok_or("not a person's seat")?;
        if votes[pos].is_some() {
            return Err("a second vote");
        }
        votes[pos] = Some(*accept);
        if !accept {
            self.state.settle = Settle::Refused {
                proposal: proposal.clone(),
                by: built.humans[pos],
            };
        } else if votes.iter().all(|v| *v == Some(true)) {
            self.state.settle = Settle::Adopted(proposal.clone());
        }
        Ok(())
    }
}

/// A room's events applied in order to a fresh engine.
pub fn replay(built: Arc<Built>, events: &[(u64, Event)]) -> Result<Engine, RoomError> {
    let mut engine = Engine::new(built)?;
    for (i, (at, event)) in events.iter().enumerate() {
        engine.apply(i, *at, event)?;
    }
    Ok(engine)
}

/// The summary of a session stopped by the wall clock: no agreement, every
/// party its reservation value.
fn deadline_result(built: &Built, driver: &Driver<'_>) -> SessionResult {
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
        trace: driver.trace().to_vec(),
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
