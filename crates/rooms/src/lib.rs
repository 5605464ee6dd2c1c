//! Live negotiation rooms: people and detente's agents at one table.
//!
//! A room is a scenario, a protocol, a deadline (rounds, wall-clock minutes
//! or both) and one seat per bargaining party, played by a person or by an
//! agent (any strategy name). The rules are the negotiation crate's: a
//! room is a [`detente_negotiation::Driver`] in which every person is an
//! external participant, so an offer, an accept, a vote is checked by the
//! same protocol code that runs `detente negotiate`.
//!
//! - **Event-sourced.** People's actions are the only input; each is
//!   checked against the room's state, applied to the room's live session
//!   ([`replay::Engine`]), appended to SQLite (WAL, `synchronous = FULL`)
//!   and only then acknowledged. A room read back from the database is its
//!   events applied in order to a fresh session ([`replay::replay`]), the
//!   same code path, so a restarted server and a replay agree by
//!   construction.
//! - **A person may chair** a mediated room: the mediator's seat proposes
//!   each revision of the single text (any number of issues at once) and
//!   may close the talks, which calls the final vote.
//! - **Private seats.** Each person's seat has its own token (256 bits
//!   from the operating system), stored as a SHA-256 digest and compared
//!   in constant time ([`token`]). A seat's view ([`Rooms::seat_view`])
//!   holds its own preferences and what the protocol shows of the others
//!   (offers, proposals, votes), never their utilities or reasons.
//! - **After agreement**, Smartsettle's step: a deal every person strictly
//!   prefers and every agent likes at least as much is proposed to all
//!   people, and adopted only if all accept ([`replay::better_deal`]).
//! - **A class at once.** [`Rooms::create`] makes `count` identical rooms
//!   sharing one facilitator token; [`Rooms::results_csv`] is one line
//!   per room.
//!
//! The library reads no clock: callers pass the time in milliseconds.
//!
//! ```
//! use detente_rooms::*;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let rooms = Rooms::open(&dir.path().join("rooms.db"), Limits::default()).unwrap();
//! let spec = RoomSpec {
//!     scenario: "car-sale".into(),
//!     protocol: "alternating".into(),
//!     rounds: Some(10),
//!     minutes: None,
//!     seats: vec![
//!         SeatSpec { party: "buyer".into(), player: "human".into() },
//!         SeatSpec { party: "dealer".into(), player: "boulware".into() },
//!     ],
//!     seed: 1,
//! };
//! let text = detente_formats::builtin::text("car-sale").unwrap();
//! let created = rooms.create(&spec, text, 1, 0).unwrap();
//! let room = &created.rooms[0];
//! let who = rooms.authorize(&room.room, Some(&room.seats[0].token)).unwrap();
//! assert_eq!(who, Who::Seat("buyer".into()));
//! // The buyer walks away at once.
//! rooms.act(&room.room, "buyer", &Action::End, 10).unwrap();
//! let view = rooms.seat_view(&room.room, "buyer", 20).unwrap();
//! assert_eq!(view["status"], "over");
//! assert_eq!(view["result"]["end_reason"], "walkaway");
//! ```

#![warn(missing_docs)]

mod commit;
pub mod replay;
mod rules;
mod store;
pub mod token;
mod types;
mod view;

pub use types::*;

use commit::Committer;
use replay::{Built, Engine, Replayed, Settle};
use rules::check;
use serde_json::Value;
use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use store::{Record, Store, StoredRoom};
use token::TokenHash;

/// Largest outcome space a room accepts: every seat is sent its utility of
/// every outcome, and the better deal after an agreement is found by
/// enumeration.
pub const MAX_ROOM_OUTCOMES: u64 = 20_000;

/// What never changes in a room: its batch and who its tokens belong to.
/// Kept apart from the room's lock, so that checking a token never waits
/// for the room's action in flight.
struct Keys {
    batch: String,
    facilitator: TokenHash,
    /// People's seats: party and token digest.
    seats: Vec<(String, TokenHash)>,
}

/// A room in the server's map: its keys and the room itself.
struct Entry {
    keys: Arc<Keys>,
    room: Arc<Mutex<Room>>,
}

/// A person's seat in memory.
struct Seat {
    party: String,
    /// Times of recent actions, for the rate limit.
    recent: VecDeque<u64>,
}

/// A room in memory: what is stored, and its session, live.
struct Room {
    id: String,
    batch: String,
    created_ms: u64,
    spec: RoomSpec,
    /// People's seats.
    seats: Vec<Seat>,
    events: Vec<(u64, Event)>,
    built: Arc<Built>,
    /// The session after `events`.
    engine: Engine,
}

impl Room {
    /// The room's state after its events.
    fn state(&self) -> &Replayed {
        self.engine.state()
    }

    fn deadline_ms(&self) -> Option<u64> {
        self.built.wall.map(|(_, end)| end)
    }
}

/// Every room, kept in memory and in the database.
pub struct Rooms {
    store: Committer,
    rooms: RwLock<HashMap<String, Entry>>,
    /// Room ids in creation order.
    order: RwLock<Vec<String>>,
    limits: Limits,
    /// Outcome utilities held by the rooms' set-ups (see
    /// [`Limits::max_cells`]).
    cells: AtomicU64,
}

/// A room set-up's outcome utilities: outcomes × parties.
fn cells_of(scenario: &detente_core::Scenario) -> u64 {
    let outcomes = scenario.space().count_u64().unwrap_or(u64::MAX);
    outcomes.saturating_mul(scenario.parties().len() as u64)
}

/// Cells reserved for a batch being created, given back unless kept.
struct Reservation<'a> {
    cells: &'a AtomicU64,
    n: u64,
    kept: bool,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.kept {
            self.cells.fetch_sub(self.n, Ordering::SeqCst);
        }
    }
}

fn random(bytes: usize) -> Result<String, RoomError> {
    token::random_hex(bytes).map_err(|e| RoomError::Random(e.to_string()))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while a room was locked left it as it was before the
    // action (events are appended last), so the lock can be taken again.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Rooms {
    /// Opens (or creates) the rooms database at `path` and replays every
    /// room in it.
    pub fn open(path: &Path, limits: Limits) -> Result<Rooms, RoomError> {
        let store = Store::open(path).map_err(|e| match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                RoomError::Locked
            }
            _ => RoomError::Store(e),
        })?;
        let mut rooms = HashMap::new();
        let mut order = Vec::new();
        let mut shared = Shared::default();
        for stored in store.load()? {
            let (id, entry) = restore(stored, &mut shared)?;
            order.push(id.clone());
            rooms.insert(id, entry);
        }
        // Rooms already stored are kept whatever the limit: it bounds new
        // ones.
        let cells = shared.0.values().map(|(.., b)| cells_of(&b.scenario)).sum();
        Ok(Rooms {
            store: Committer::new(store).map_err(|e| {
                RoomError::Commit(format!("no thread to write the rooms' events: {e}"))
            })?,
            rooms: RwLock::new(rooms),
            order: RwLock::new(order),
            limits,
            cells: AtomicU64::new(cells),
        })
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Creates `count` identical rooms of `spec` on the scenario whose
    /// native text is `scenario_text`, at time `now_ms`; one facilitator
    /// token for all of them, one token per person's seat.
    pub fn create(
        &self,
        spec: &RoomSpec,
        scenario_text: &str,
        count: usize,
        now_ms: u64,
    ) -> Result<Created, RoomError> {
        if count == 0 || count > self.limits.max_batch {
            return Err(RoomError::BadRequest(format!(
                "`count` must be between 1 and {}",
                self.limits.max_batch
            )));
        }
        let scenario = load_scenario(&spec.scenario, scenario_text)?;
        let mut reserved = self.reserve(cells_of(&scenario))?;
        // Checks the set-up once (and that its session starts) before
        // storing.
        let built = Arc::new(replay::build(spec, scenario, now_ms)?);
        Engine::new(built.clone())?;
        let people = built.people();
        if self.rooms.read().map_or(0, |r| r.len()) + count > self.limits.max_rooms {
            return Err(RoomError::TooMany(format!(
                "this server keeps at most {} rooms",
                self.limits.max_rooms
            )));
        }
        let batch = random(8)?;
        let (facilitator_token, facilitator) =
            token::new_token().map_err(|e| RoomError::Random(e.to_string()))?;
        let spec_json = serde_json::to_string(spec).expect("a room's set-up serialises");
        let mut stored = Vec::with_capacity(count);
        let mut created = Vec::with_capacity(count);
        let mut store = self.store.store();
        for _ in 0..count {
            let mut id = random(8)?;
            while store.exists(&id)? || stored.iter().any(|r: &StoredRoom| r.id == id) {
                id = random(8)?;
            }
            let mut seats = Vec::new();
            let mut new_seats = Vec::new();
            for party in &people {
                let (t, h) = token::new_token().map_err(|e| RoomError::Random(e.to_string()))?;
                seats.push((party.clone(), Some(h)));
                new_seats.push(NewSeat {
                    party: party.clone(),
                    token: t,
                });
            }
            stored.push(StoredRoom {
                id: id.clone(),
                batch: batch.clone(),
                created_ms: now_ms,
                spec: spec_json.clone(),
                scenario_text: scenario_text.to_string(),
                facilitator,
                seats,
                events: Vec::new(),
            });
            created.push(NewRoom {
                room: id,
                seats: new_seats,
            });
        }
        store.insert_rooms(&stored)?;
        drop(store);
        let mut rooms = self.rooms.write().unwrap_or_else(|e| e.into_inner());
        let mut order = self.order.write().unwrap_or_else(|e| e.into_inner());
        // The batch's rooms share one set-up (and the seats' preferences).
        let mut shared = Shared::default();
        shared.insert(stored[0].batch.clone(), built, &stored[0]);
        for s in stored {
            let (id, entry) = restore(s, &mut shared)?;
            order.push(id.clone());
            rooms.insert(id, entry);
        }
        reserved.kept = true;
        Ok(Created {
            batch,
            facilitator_token,
            rooms: created,
        })
    }

    /// Reserves `n` outcome utilities for a new batch within
    /// [`Limits::max_cells`].
    fn reserve(&self, n: u64) -> Result<Reservation<'_>, RoomError> {
        let max = self.limits.max_cells;
        self.cells
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |held| {
                held.checked_add(n).filter(|&total| total <= max)
            })
            .map_err(|held| {
                RoomError::TooMany(format!(
                    "the rooms' scenarios would hold {} outcome utilities (outcomes × parties), more than this server's {max} (`detente serve --max-room-cells`); rooms made together share theirs, so make one batch of many rooms rather than many batches",
                    held.saturating_add(n)
                ))
            })?;
        Ok(Reservation {
            cells: &self.cells,
            n,
            kept: false,
        })
    }

    fn room(&self, id: &str) -> Result<Arc<Mutex<Room>>, RoomError> {
        self.rooms
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .map(|e| e.room.clone())
            .ok_or_else(|| RoomError::NotFound(id.to_string()))
    }

    fn keys(&self, id: &str) -> Result<Arc<Keys>, RoomError> {
        self.rooms
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .map(|e| e.keys.clone())
            .ok_or_else(|| RoomError::NotFound(id.to_string()))
    }

    /// Who `token` is in room `id`: its facilitator or one of its people's
    /// seats. Every digest of the room is compared (in constant time), so
    /// the time taken does not say which matched.
    pub fn authorize(&self, id: &str, token: Option<&str>) -> Result<Who, RoomError> {
        let token = token.ok_or(RoomError::Unauthorized)?;
        let keys = self.keys(id)?;
        let mut who = None;
        if token::matches(token, &keys.facilitator) {
            who = Some(Who::Facilitator);
        }
        for (party, hash) in &keys.seats {
            if token::matches(token, hash) && who.is_none() {
                who = Some(Who::Seat(party.clone()));
            }
        }
        who.ok_or(RoomError::Unauthorized)
    }

    /// Whether `token` is the facilitator's of batch `batch`.
    pub fn authorize_batch(&self, batch: &str, token: Option<&str>) -> Result<(), RoomError> {
        let token = token.ok_or(RoomError::Unauthorized)?;
        let ids = self.batch_rooms(batch);
        let first = ids
            .first()
            .ok_or_else(|| RoomError::NotFound(batch.to_string()))?;
        let ok = token::matches(token, &self.keys(first)?.facilitator);
        if ok {
            Ok(())
        } else {
            Err(RoomError::Unauthorized)
        }
    }

    fn batch_rooms(&self, batch: &str) -> Vec<String> {
        let order = self.order.read().unwrap_or_else(|e| e.into_inner());
        let rooms = self.rooms.read().unwrap_or_else(|e| e.into_inner());
        order
            .iter()
            .filter(|id| rooms.get(*id).is_some_and(|e| e.keys.batch == batch))
            .cloned()
            .collect()
    }

    /// The room's current version: the number of its events, bumped by
    /// every change (live updates wait for it to move).
    pub fn version(&self, id: &str) -> Result<u64, RoomError> {
        let room = self.room(id)?;
        let n = lock(&room).events.len() as u64;
        Ok(n)
    }

    /// Applies an event to the room's session, then stores it; it is
    /// acknowledged only once on disk. If either step fails the session is
    /// rebuilt from the stored events, so the room is as it was.
    fn append(&self, room: &mut Room, now_ms: u64, event: Event) -> Result<(), RoomError> {
        let seq = room.events.len();
        let stored = room.engine.apply(seq, now_ms, &event).and_then(|()| {
            let json = serde_json::to_string(&event).expect("an event serialises");
            self.store
                .append(Record {
                    room: room.id.clone(),
                    seq,
                    at_ms: now_ms,
                    event: json,
                })
                .map_err(RoomError::Commit)
        });
        match stored {
            Ok(()) => {
                room.events.push((now_ms, event));
                Ok(())
            }
            Err(e) => {
                room.engine = replay::replay(room.built.clone(), &room.events)?;
                Err(e)
            }
        }
    }

    /// The wall-clock deadline: once passed while the session runs, an
    /// `Expired` event ends it.
    fn tick(&self, room: &mut Room, now_ms: u64) -> Result<(), RoomError> {
        if room.state().session.is_none() && room.deadline_ms().is_some_and(|d| now_ms >= d) {
            self.append(room, now_ms, Event::Expired)?;
        }
        Ok(())
    }

    /// Takes `party`'s action in room `id` at `now_ms`: checked against the
    /// room's state (409 [`RoomError::Illegal`] with a message when the
    /// protocol does not allow it now), then stored, then applied.
    pub fn act(
        &self,
        id: &str,
        party: &str,
        action: &Action,
        now_ms: u64,
    ) -> Result<(), RoomError> {
        let room = self.room(id)?;
        let mut room = lock(&room);
        self.tick(&mut room, now_ms)?;
        let seat = room
            .seats
            .iter_mut()
            .find(|s| s.party == party)
            .ok_or_else(|| RoomError::Forbidden(format!("`{party}` is not a person's seat")))?;
        while seat.recent.front().is_some_and(|&t| t + 1000 <= now_ms) {
            seat.recent.pop_front();
        }
        if seat.recent.len() >= self.limits.actions_per_second {
            return Err(RoomError::TooMany(format!(
                "at most {} actions per second per seat",
                self.limits.actions_per_second
            )));
        }
        seat.recent.push_back(now_ms);
        let event = check(&room.built, room.state(), party, action)?;
        self.append(&mut room, now_ms, event)
    }

    /// What `party`'s seat sees of room `id` at `now_ms` (JSON): the whole
    /// view.
    pub fn seat_view(&self, id: &str, party: &str, now_ms: u64) -> Result<Value, RoomError> {
        self.seat_update(id, party, now_ms, None)
    }

    /// The seat's view as an update for a reader that already has the
    /// history up to entry `since` and the parts of the view that never
    /// change (`issues`, `players`, `mediator`, `you`): those are left out
    /// and `history` holds the entries from `since` on (`history_from`
    /// says where they start). A page following a long room thus receives
    /// what changed, not the whole room, after each action. `None` is the
    /// whole view.
    pub fn seat_update(
        &self,
        id: &str,
        party: &str,
        now_ms: u64,
        since: Option<usize>,
    ) -> Result<Value, RoomError> {
        let room = self.room(id)?;
        let mut room = lock(&room);
        self.tick(&mut room, now_ms)?;
        let actor = room
            .built
            .actor_of(party)
            .ok_or_else(|| RoomError::Forbidden(format!("no seat `{party}`")))?;
        let room = &mut *room;
        let viewer = view::Viewer::of(actor);
        let own = match (viewer.own, since) {
            (_, Some(_)) | (None, None) => Value::Null,
            (Some(p), None) => room.built.preferences(p).clone(),
        };
        Ok(view::seat(
            &view_room(room),
            &room.built,
            room.engine.state(),
            view::Reading { viewer, own, since },
            now_ms,
        ))
    }

    /// What the facilitator sees of room `id`: its progress while it runs,
    /// everything once it is over.
    pub fn facilitator_view(&self, id: &str, now_ms: u64) -> Result<Value, RoomError> {
        let room = self.room(id)?;
        let mut room = lock(&room);
        self.tick(&mut room, now_ms)?;
        Ok(view::facilitator(
            &view_room(&room),
            &room.built,
            room.state(),
            now_ms,
        ))
    }

    /// The progress of every room of a batch.
    pub fn batch_view(&self, batch: &str, now_ms: u64) -> Result<Value, RoomError> {
        let mut rooms = Vec::new();
        for id in self.batch_rooms(batch) {
            rooms.push(self.facilitator_view(&id, now_ms)?);
        }
        Ok(serde_json::json!({"batch": batch, "rooms": rooms}))
    }

    /// The event log of room `id` (with reasons: facilitators only).
    pub fn events(&self, id: &str) -> Result<Value, RoomError> {
        let room = self.room(id)?;
        let room = lock(&room);
        Ok(Value::Array(
            room.events
                .iter()
                .enumerate()
                .map(|(seq, (at, e))| serde_json::json!({"seq": seq, "at_ms": at, "event": e}))
                .collect(),
        ))
    }

    /// The whole transcript of a room that is over: set-up, every action
    /// with every party's utility, reasons, result. Refused while it runs.
    pub fn transcript(&self, id: &str, now_ms: u64) -> Result<Value, RoomError> {
        let room = self.room(id)?;
        let mut room = lock(&room);
        self.tick(&mut room, now_ms)?;
        if room.state().running() {
            return Err(RoomError::Illegal(
                "the transcript is given once the room is over".into(),
            ));
        }
        Ok(view::transcript(
            &view_room(&room),
            &room.built,
            room.state(),
        ))
    }

    /// A room that is over, as the negotiation engine's result (for the
    /// HTML report); refused while it runs.
    pub fn finished(&self, id: &str, now_ms: u64) -> Result<Finished, RoomError> {
        let room = self.room(id)?;
        let mut room = lock(&room);
        self.tick(&mut room, now_ms)?;
        let state = room.state();
        let session = match (&state.session, state.running()) {
            (Some(s), false) => s.clone(),
            _ => {
                return Err(RoomError::Illegal(
                    "the report is given once the room is over".into(),
                ));
            }
        };
        let s = &room.built.scenario;
        let mut players = vec![String::new(); s.parties().len()];
        for (p, player) in s.bargainers().iter().zip(&room.built.players) {
            players[p.index()] = player
                .as_ref()
                .map_or("person".to_string(), |spec| spec.to_string());
        }
        Ok(Finished {
            scenario: s.clone(),
            session,
            players,
        })
    }

    /// One CSV line per room of a batch (with a header line).
    pub fn results_csv(&self, batch: &str, now_ms: u64) -> Result<String, RoomError> {
        let mut out = String::new();
        let mut first = true;
        for id in self.batch_rooms(batch) {
            let room = self.room(&id)?;
            let mut room = lock(&room);
            self.tick(&mut room, now_ms)?;
            if first {
                out.push_str(&view::csv_header(&room.built));
                first = false;
            }
            out.push_str(&view::csv_row(&view_room(&room), &room.built, room.state()));
        }
        Ok(out)
    }
}

fn view_room(room: &Room) -> view::RoomInfo<'_> {
    view::RoomInfo {
        id: &room.id,
        batch: &room.batch,
        created_ms: room.created_ms,
        deadline_ms: room.deadline_ms(),
        spec: &room.spec,
        events: &room.events,
    }
}

fn load_scenario(name: &str, text: &str) -> Result<detente_core::Scenario, RoomError> {
    let scenario = detente_formats::native::read_str(text, name)
        .map_err(|e| RoomError::BadRequest(format!("the scenario: {e}")))?;
    if scenario
        .space()
        .count_u64()
        .is_none_or(|n| n > MAX_ROOM_OUTCOMES)
    {
        return Err(RoomError::BadRequest(format!(
            "a room's scenario may have at most {MAX_ROOM_OUTCOMES} outcomes (every seat is shown its utility of each)"
        )));
    }
    Ok(scenario)
}

/// The set-ups built so far, by batch: the rooms of a batch have the same
/// set-up, scenario and creation time, so they share one [`Built`] (its
/// sorted spaces and the seats' preferences are the bulk of a room's
/// memory). A room that differs from its batch's (a database edited by
/// hand) gets its own.
#[derive(Default)]
struct Shared(HashMap<String, (String, String, u64, Arc<Built>)>);

impl Shared {
    fn insert(&mut self, batch: String, built: Arc<Built>, like: &StoredRoom) {
        let key = (
            like.spec.clone(),
            like.scenario_text.clone(),
            like.created_ms,
        );
        self.0.insert(batch, (key.0, key.1, key.2, built));
    }

    fn get(&self, stored: &StoredRoom) -> Option<Arc<Built>> {
        let (spec, text, created, built) = self.0.get(&stored.batch)?;
        (*spec == stored.spec && *text == stored.scenario_text && *created == stored.created_ms)
            .then(|| built.clone())
    }
}

/// A stored room, in memory: its keys, and its session after its events.
fn restore(stored: StoredRoom, shared: &mut Shared) -> Result<(String, Entry), RoomError> {
    let spec: RoomSpec =
        serde_json::from_str(&stored.spec).map_err(|e| RoomError::Corrupt(e.to_string()))?;
    let built = match shared.get(&stored) {
        Some(built) => built,
        None => {
            let scenario = load_scenario(&spec.scenario, &stored.scenario_text)?;
            let built = Arc::new(replay::build(&spec, scenario, stored.created_ms)?);
            shared.insert(stored.batch.clone(), built.clone(), &stored);
            built
        }
    };
    let events = stored
        .events
        .into_iter()
        .map(|(at, e)| {
            serde_json::from_str(&e)
                .map(|e| (at, e))
                .map_err(|e| RoomError::Corrupt(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let engine = replay::replay(built.clone(), &events)?;
    // Only people's seats have tokens.
    let people: Vec<(String, TokenHash)> = stored
        .seats
        .into_iter()
        .filter_map(|(party, token)| Some((party, token?)))
        .collect();
    let keys = Keys {
        batch: stored.batch.clone(),
        facilitator: stored.facilitator,
        seats: people.clone(),
    };
    let room = Room {
        id: stored.id.clone(),
        batch: stored.batch,
        created_ms: stored.created_ms,
        spec,
        seats: people
            .into_iter()
            .map(|(party, _)| Seat {
                party,
                recent: VecDeque::new(),
            })
            .collect(),
        events,
        built,
        engine,
    };
    Ok((
        stored.id,
        Entry {
            keys: Arc::new(keys),
            room: Arc::new(Mutex::new(room)),
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rooms of a batch share one set-up, when created and when read
    /// back; another batch has its own.
    #[test]
    fn a_batch_shares_one_set_up() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rooms.db");
        let spec = RoomSpec {
            scenario: "car-sale".into(),
            protocol: "alternating".into(),
            rounds: Some(10),
            minutes: None,
            seats: ["buyer", "dealer"]
                .map(|p| SeatSpec {
                    party: p.into(),
                    player: "human".into(),
                })
                .to_vec(),
            seed: 1,
        };
        let text = detente_formats::builtin::text("car-sale").unwrap();
        let built = |rooms: &Rooms, id: &str| lock(&rooms.room(id).unwrap()).built.clone();
        let (a, b) = {
            let rooms = Rooms::open(&path, Limits::default()).unwrap();
            let a = rooms.create(&spec, text, 3, 0).unwrap();
            let b = rooms.create(&spec, text, 1, 0).unwrap();
            let ids = |c: &Created| c.rooms.iter().map(|r| r.room.clone()).collect::<Vec<_>>();
            let (a, b) = (ids(&a), ids(&b));
            let first = built(&rooms, &a[0]);
            assert!(a.iter().all(|id| Arc::ptr_eq(&built(&rooms, id), &first)));
            (a, b)
        };
        let rooms = Rooms::open(&path, Limits::default()).unwrap();
        let first = built(&rooms, &a[0]);
        assert!(a.iter().all(|id| Arc::ptr_eq(&built(&rooms, id), &first)));
        assert!(!Arc::ptr_eq(&built(&rooms, &b[0]), &first));
    }
}
