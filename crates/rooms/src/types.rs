//! The rooms' public data: what a facilitator sets up, what seats do,
//! what is stored, who a token is, what can go wrong and what creating
//! rooms hands back.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What a room is: the set-up a facilitator chooses, stored as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoomSpec {
    /// The scenario's name (a built-in name, or what the facilitator called
    /// the uploaded one).
    pub scenario: String,
    /// The protocol's name (`alternating`, `stacked`, `mediated`,
    /// `mediated-hill-climbing`).
    pub protocol: String,
    /// The deadline in rounds, if any.
    #[serde(default)]
    pub rounds: Option<u32>,
    /// The deadline in wall-clock minutes from the room's creation, if any.
    #[serde(default)]
    pub minutes: Option<f64>,
    /// One seat per bargaining party and, in a mediated room, at most one
    /// for the mediator (its party's name, or `mediator`).
    pub seats: Vec<SeatSpec>,
    /// The seed of the agents' and the mediator's random choices.
    #[serde(default)]
    pub seed: u64,
}

/// Who plays a bargaining party, or the mediator.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeatSpec {
    /// The party's name in the scenario (for the mediator, its party's
    /// name or `mediator`).
    pub party: String,
    /// `human` for a person, otherwise a strategy (`boulware`,
    /// `boulware:e=0.1`, ...); the mediator is `human` or `detente`.
    pub player: String,
}

/// An action a seat takes, as the API receives it.
///
/// The mediator's seat proposes and closes; the other seats offer, accept,
/// end and vote.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum Action {
    /// Put this outcome on the table (issue name → value label or number).
    Offer {
        /// Every issue's value.
        outcome: Map<String, Value>,
    },
    /// Accept what is asked: the offer on the table, the mediator's
    /// proposal or final text, or the better deal after an agreement.
    Accept,
    /// Refuse what is asked: in a mediated room a vote against, after an
    /// agreement a refusal of the better deal (in an offer protocol one
    /// rejects by making a counter-offer).
    Reject,
    /// Walk away.
    End,
    /// The mediator: put this revision of the single text to the vote
    /// (issue name → value label or number; it must change the text).
    Propose {
        /// Every issue's value.
        outcome: Map<String, Value>,
    },
    /// The mediator: no more revisions; every party now says whether it
    /// accepts the text as it stands.
    Close,
    /// A vote with a short reason (mediated rooms, and the better deal).
    Vote {
        /// For (true) or against.
        accept: bool,
        /// Why, in a few words; only the facilitator reads it, after the end.
        #[serde(default)]
        reason: String,
    },
}

/// Longest reason a vote may carry, in characters.
pub const MAX_REASON_CHARS: usize = 500;

/// An accepted action, as stored (parties by name).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Event {
    /// A person's offer (value indices).
    Offer {
        /// Who.
        party: String,
        /// The outcome, as value indices.
        outcome: Vec<u32>,
    },
    /// A person accepted the standing offer.
    Accept {
        /// Who.
        party: String,
    },
    /// A person walked away.
    End {
        /// Who.
        party: String,
    },
    /// The mediator's revision of the single text (value indices).
    Propose {
        /// The mediator's seat.
        party: String,
        /// The revised text, as value indices.
        outcome: Vec<u32>,
    },
    /// The mediator closed the talks: the final vote follows.
    Close {
        /// The mediator's seat.
        party: String,
    },
    /// A person's vote on the mediator's proposal or final text.
    Vote {
        /// Who.
        party: String,
        /// For or against.
        accept: bool,
        /// The reason given.
        reason: String,
    },
    /// The wall-clock deadline passed.
    Expired,
    /// A person's answer to the better deal proposed after an agreement.
    Settle {
        /// Who.
        party: String,
        /// Accepted or refused.
        accept: bool,
        /// The reason given.
        reason: String,
    },
}

impl Event {
    /// The party that acted, for a person's action.
    pub fn party(&self) -> Option<&str> {
        match self {
            Event::Offer { party, .. }
            | Event::Accept { party }
            | Event::End { party }
            | Event::Propose { party, .. }
            | Event::Close { party }
            | Event::Vote { party, .. }
            | Event::Settle { party, .. } => Some(party),
            Event::Expired => None,
        }
    }
}

/// Who a token belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Who {
    /// The room's facilitator.
    Facilitator,
    /// The seat of this party.
    Seat(String),
}

/// Why a request about rooms was refused.
#[derive(Debug, thiserror::Error)]
pub enum RoomError {
    /// No room has this id.
    #[error("no room `{0}`")]
    NotFound(String),
    /// No token, or one that is not this room's.
    #[error("a token of this room is needed: send `Authorization: Bearer TOKEN`")]
    Unauthorized,
    /// The token is this room's, but not allowed this.
    #[error("{0}")]
    Forbidden(String),
    /// The protocol does not allow this now.
    #[error("{0}")]
    Illegal(String),
    /// The request cannot be read or names what does not exist.
    #[error("{0}")]
    BadRequest(String),
    /// A limit on rooms or actions.
    #[error("{0}")]
    TooMany(String),
    /// Another process (a second server) has the database open.
    #[error(
        "the rooms database is in use by another process (another `detente serve --rooms` on the same file?)"
    )]
    Locked,
    /// An event could not be committed.
    #[error("the rooms database could not store the action: {0}")]
    Commit(String),
    /// The database failed.
    #[error("the rooms database: {0}")]
    Store(#[from] rusqlite::Error),
    /// The operating system's random generator failed.
    #[error("no random bits for a token: {0}")]
    Random(String),
    /// A stored room does not replay (a database edited by hand).
    #[error("a stored room does not replay: {0}")]
    Corrupt(String),
}

/// Limits on rooms and actions.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Rooms the database may hold.
    pub max_rooms: usize,
    /// Rooms created by one request.
    pub max_batch: usize,
    /// Actions a seat may take within one second.
    pub actions_per_second: usize,
    /// Outcome utilities (outcomes × parties) the rooms' scenarios may hold
    /// in memory together: what a room costs is set by its scenario, so
    /// rooms are refused before their scenario is built beyond this. The
    /// rooms of a batch share theirs.
    pub max_cells: u64,
}

/// The default of [`Limits::max_cells`]: about a gigabyte of rooms.
pub const DEFAULT_MAX_CELLS: u64 = 20_000_000;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rooms: 5_000,
            max_batch: 200,
            actions_per_second: 10,
            max_cells: DEFAULT_MAX_CELLS,
        }
    }
}

/// A seat of a new room, as the facilitator hands it out.
#[derive(Clone, Debug, Serialize)]
pub struct NewSeat {
    /// The party.
    pub party: String,
    /// The seat's token (only people's seats have one).
    pub token: String,
}

/// A new room.
#[derive(Clone, Debug, Serialize)]
pub struct NewRoom {
    /// The room's id.
    pub room: String,
    /// The people's seats.
    pub seats: Vec<NewSeat>,
}

/// What [`Rooms::create`](crate::Rooms::create) made.
#[derive(Clone, Debug, Serialize)]
pub struct Created {
    /// The batch the rooms belong to.
    pub batch: String,
    /// The facilitator's token, for every room of the batch.
    pub facilitator_token: String,
    /// The rooms.
    pub rooms: Vec<NewRoom>,
}

/// A room that is over, as the negotiation engine summarises it.
pub struct Finished {
    /// The room's scenario.
    pub scenario: detente_core::Scenario,
    /// The session (its agreement is the one reached by negotiating, before
    /// any better deal was adopted), with its trace.
    pub session: detente_negotiation::SessionResult,
    /// Per party in scenario order: `person`, the agent's strategy, or
    /// empty for a party that does not bargain.
    pub players: Vec<String>,
}
