//! Negotiation sessions: protocols as state machines, strategies as a small
//! trait composed from bidding, acceptance and opponent-model parts, and a
//! session driver that records a trace and a summary.
//!
//! - **Protocols** ([`ProtocolKind`]): bilateral alternating offers, the
//!   stacked alternating offers protocol (SAOP) for any number of parties,
//!   and a mediated single-text protocol (veto or hill-climbing).
//! - **Strategies** ([`Strategy`]): time-dependent tactics (Boulware,
//!   linear, Conceder, hardliner), NegMAS-compatible presets, tit-for-tat,
//!   random, and ANAC champions written from their published descriptions.
//!   [`strategy_catalog`] lists them; a [`StrategySpec`] names one with
//!   parameters (`boulware:e=0.1`).
//! - **Sessions** ([`run_session`]): deterministic for a given seed, never
//!   panic outward (a strategy that panics, overruns its step budget or
//!   breaks the protocol's rules ends the session with
//!   [`EndReason::Failure`] and a typed [`FailureKind`]), and record every
//!   action when asked.
//!
//! This crate does no I/O and holds no global random state: every random
//! choice comes from a `ChaCha8Rng` seeded from [`SessionConfig::seed`].
//!
//! ```
//! use detente_core::*;
//! use detente_negotiation::*;
//!
//! # let opt = |name: &str| Issue { name: name.into(), description: String::new(),
//! #     kind: IssueKind::Categorical { options: vec!["a".into(), "b".into(), "c".into()], ordered: false } };
//! # let party = |name: &str, v: Vec<Vec<f64>>| Party { name: name.into(), role: Role::Party,
//! #     description: String::new(), preferences: Preferences { model: UtilityModel::Additive {
//! #     weights: vec![1.0, 1.0], values: v.into_iter().map(ValueFunction::Table).collect(),
//! #     interactions: vec![] }, normalisation: Normalisation::MinMax, red_lines: vec![],
//! #     reservation: 0.2, discount: 1.0 } };
//! let scenario = Scenario::new(ScenarioParts {
//!     name: "demo".into(),
//!     issues: vec![opt("x"), opt("y")],
//!     parties: vec![
//!         party("p", vec![vec![0.0, 0.5, 1.0], vec![1.0, 0.0, 0.5]]),
//!         party("q", vec![vec![1.0, 0.5, 0.0], vec![0.0, 1.0, 0.5]]),
//!     ],
//!     ..Default::default()
//! }).unwrap();
//! let config = SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(50), 7);
//! let strategies = ["boulware".parse().unwrap(), "conceder".parse().unwrap()];
//! let result = run_session(&scenario, None, &config, &strategies).unwrap();
//! assert_eq!(result.end_reason, EndReason::Agreement);
//! assert!(result.beats_reservations);
//! ```

#![warn(missing_docs)]

mod driver;
mod guard;
mod mediator;
mod offers;
mod prepare;
mod protocol;
mod request;
mod session;
mod setup;
mod space;
mod spec;
pub mod strategy;

pub use driver::{Driver, check_setup};
pub use guard::strategy_call_in_progress;
pub use prepare::{Prepared, prepare};
pub use request::{Reply, ReplyError, Request, StandingOffer};
pub use session::{
    fail, run_session, run_session_prepared, run_session_with, run_session_within, strategy_seed,
};
pub use setup::{assign_strategies, default_strategy, parse_strategy_list, party_slots};
pub use space::{OwnSpace, SORT_LIMIT};
pub use spec::StrategySpec;
pub use strategy::catalog::{
    Constructor, Family, ParamInfo, ParamKind, Params, StrategyInfo, listed_strategies,
    strategy_catalog, validate_strategy,
};
pub use strategy::{Context, Decision, Observed, Standing, Strategy};

use detente_core::{Outcome, PartyId};
use std::time::Duration;

/// Virtual seconds one action takes under a [`Deadline::Time`]: the clock
/// is virtual so that sessions are reproducible whatever the machine load.
pub const ACTION_SECONDS: f64 = 0.01;

/// The memory a session may expect to keep, unless its configuration says
/// otherwise ([`SessionConfig::memory_budget`]): 1 GiB. A session keeps
/// what the strategies remember of the offers they received and, when
/// asked, the trace; both grow with every action, so a deadline of four
/// billion rounds once filled gigabytes. [`estimated_memory`] is checked
/// against the budget before the session starts.
pub const DEFAULT_MEMORY_BUDGET: u64 = 1 << 30;

/// The most actions a session can take before its deadline.
pub fn planned_actions(scenario: &detente_core::Scenario, config: &SessionConfig) -> u64 {
    let bargainers = scenario.bargainers().len() as u64;
    let per_round = match config.protocol {
        // The mediator proposes, every bargainer votes.
        ProtocolKind::Mediated(_) => bargainers + 1,
        _ => bargainers,
    };
    match config.deadline {
        Deadline::Rounds(n) => (n as u64).saturating_mul(per_round),
        // A saturating cast: an absurd number of seconds is simply too many.
        Deadline::Time { seconds } => (seconds / ACTION_SECONDS).ceil() as u64,
    }
}

/// The most a session may keep per action, as [`estimated_memory`] counts
/// it: every other bargaining party records the offer (its time and
/// utility, 16 bytes, and room for the outcome's values, 4 bytes per issue,
/// which some strategies keep), and a recorded trace keeps one event with
/// the outcome and every party's utility of it.
pub fn estimated_memory(scenario: &detente_core::Scenario, config: &SessionConfig) -> u64 {
    let bargainers = scenario.bargainers().len() as u64;
    let parties = scenario.parties().len() as u64;
    let issues = scenario.issues().len() as u64;
    let actions = planned_actions(scenario, config);
    let history = bargainers.saturating_sub(1) * (16 + 4 * issues);
    let trace = if config.record_trace {
        std::mem::size_of::<TraceEvent>() as u64 + 4 * issues + 8 * parties
    } else {
        0
    };
    actions.saturating_mul(history + trace)
}

/// How the mediated protocol decides to keep a change of the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediatedVariant {
    /// Keep a change only if no bargaining party objects.
    Veto,
    /// Keep a change when the mediator's estimate of the parties' joint gain
    /// rises: a majority of votes for it, ties settled by what the mediator
    /// has learnt from earlier votes.
    HillClimbing,
}

/// The protocol of a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolKind {
    /// Bilateral alternating offers (exactly two bargaining parties).
    Alternating,
    /// Stacked alternating offers (SAOP), any number of bargaining parties.
    Stacked,
    /// A mediator's single negotiating text, revised by votes.
    Mediated(MediatedVariant),
}

impl ProtocolKind {
    /// The protocol's name, as users write it (`alternating`, `stacked`,
    /// `mediated`, `mediated-hill-climbing`).
    pub fn as_str(self) -> &'static str {
        match self {
            ProtocolKind::Alternating => "alternating",
            ProtocolKind::Stacked => "stacked",
            ProtocolKind::Mediated(MediatedVariant::Veto) => "mediated",
            ProtocolKind::Mediated(MediatedVariant::HillClimbing) => "mediated-hill-climbing",
        }
    }
}

/// When a session ends without agreement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Deadline {
    /// After this many rounds; in round `r` (from 0) the normalised time is
    /// `r / N`.
    Rounds(u32),
    /// After this many virtual seconds; every action takes
    /// [`ACTION_SECONDS`], and the normalised time is `elapsed / seconds`.
    Time {
        /// The length of the session in virtual seconds.
        seconds: f64,
    },
}

/// The deadline in rounds of a session when the user names none (the CLI's
/// `--rounds`, the workbench, the Python package).
pub const DEFAULT_ROUNDS: u32 = 100;

/// The wall-clock budget of one strategy call when the user names none,
/// in milliseconds (a tournament's matches have their own default).
pub const DEFAULT_STEP_BUDGET_MS: u64 = 1_000;

/// Everything a session needs besides the scenario and the strategies.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionConfig {
    /// The protocol the session runs under.
    pub protocol: ProtocolKind,
    /// When the session ends without agreement.
    pub deadline: Deadline,
    /// The seed of every random choice of the session (the strategies' and
    /// the mediator's streams are derived from it).
    pub seed: u64,
    /// Whether to record every action in [`SessionResult::trace`].
    pub record_trace: bool,
    /// Wall-clock budget of a single strategy call; a strategy whose calls
    /// take longer ends the session with [`FailureKind::OverBudget`] (checked
    /// cheaply: see the guard in `session.rs` — a strategy that overruns
    /// repeatedly is always caught, a single overrun may not be). Zero means
    /// no limit.
    pub step_budget: Duration,
    /// Bytes the session may expect to keep ([`estimated_memory`]); a longer
    /// session is refused before it starts with
    /// [`NegotiationError::MemoryBudget`]. [`DEFAULT_MEMORY_BUDGET`] unless
    /// set.
    pub memory_budget: u64,
}

impl SessionConfig {
    /// A configuration with no trace and the default step budget
    /// ([`DEFAULT_STEP_BUDGET_MS`]).
    pub fn new(protocol: ProtocolKind, deadline: Deadline, seed: u64) -> SessionConfig {
        SessionConfig {
            protocol,
            deadline,
            seed,
            record_trace: false,
            step_budget: Duration::from_millis(DEFAULT_STEP_BUDGET_MS),
            memory_budget: DEFAULT_MEMORY_BUDGET,
        }
    }
}

/// How a strategy failed: the closed list of reasons a session ends with
/// [`EndReason::Failure`]. Its [`Display`](std::fmt::Display) is a stable
/// sentence (the tournament database stores it), and [`FailureKind::as_str`]
/// a stable tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// A strategy call panicked, with this message.
    Panic {
        /// The panic's message (or a note that it had no text).
        message: String,
    },
    /// A strategy call took longer than [`SessionConfig::step_budget`].
    OverBudget {
        /// The step budget, in whole milliseconds.
        budget_ms: u64,
    },
    /// The strategy broke the protocol's rules; the session ends instead of
    /// going on with an action the protocol does not allow.
    IllegalAction {
        /// Which rule it broke.
        what: IllegalAction,
    },
    /// A strategy written outside Rust (a Python agent) raised an error,
    /// with this message (the exception's type and text).
    Error {
        /// The error's message.
        message: String,
    },
}

impl FailureKind {
    /// A short stable tag: `panic`, `budget`, `illegal-action` or `error`.
    pub fn as_str(&self) -> &'static str {
        match self {
            FailureKind::Panic { .. } => "panic",
            FailureKind::OverBudget { .. } => "budget",
            FailureKind::IllegalAction { .. } => "illegal-action",
            FailureKind::Error { .. } => "error",
        }
    }
}

impl std::fmt::Display for FailureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FailureKind::Panic { message } => write!(f, "the strategy panicked: {message}"),
            FailureKind::OverBudget { budget_ms } => write!(
                f,
                "a call of the strategy took longer than its step budget of {budget_ms} ms"
            ),
            FailureKind::IllegalAction { what } => {
                write!(f, "the strategy broke the protocol: {what}")
            }
            FailureKind::Error { message } => write!(f, "the strategy raised {message}"),
        }
    }
}

/// An action a protocol does not allow at that point of a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IllegalAction {
    /// Accepting at the first turn of the session, when no offer stands.
    AcceptWithoutOffer,
    /// Offering something that is not an outcome of the scenario's space
    /// (a value index out of its issue's range).
    OfferOutsideSpace {
        /// The value indices offered.
        offer: Vec<u32>,
    },
    /// An answer the protocol cannot read (a strategy written outside Rust
    /// returned something that is not an outcome, a response or a vote).
    Unreadable {
        /// What was returned and what was expected, as a clause (for example
        /// "`propose` returned 3, which is not an outcome of the scenario").
        detail: String,
    },
}

impl std::fmt::Display for IllegalAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            IllegalAction::AcceptWithoutOffer => {
                f.write_str("it accepted at the first turn, when there is no offer to accept")
            }
            IllegalAction::OfferOutsideSpace { offer } => {
                f.write_str("it offered [")?;
                for (i, v) in offer.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("], which is not an outcome of the scenario")
            }
            IllegalAction::Unreadable { detail } => f.write_str(detail),
        }
    }
}

/// Why a session ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EndReason {
    /// Every bargaining party agreed on an outcome.
    Agreement,
    /// A party ended the negotiation (or refused the final text).
    Walkaway {
        /// The party that walked away (the first to refuse, in turn order).
        by: PartyId,
    },
    /// The deadline passed without agreement.
    Deadline,
    /// A party's strategy failed, which ends the session without agreement.
    Failure {
        /// The party whose strategy failed.
        party: PartyId,
        /// How it failed.
        kind: FailureKind,
    },
}

impl EndReason {
    /// A short stable tag: `agreement`, `walkaway`, `deadline` or `failure`.
    pub fn as_str(&self) -> &'static str {
        match self {
            EndReason::Agreement => "agreement",
            EndReason::Walkaway { .. } => "walkaway",
            EndReason::Deadline => "deadline",
            EndReason::Failure { .. } => "failure",
        }
    }
}

/// Who acted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A party of the scenario (a bargaining party, or the scenario's
    /// mediator).
    Party(PartyId),
    /// The protocol's own mediator, when the scenario has none.
    NeutralMediator,
}

/// Every kind of action a trace records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Offer protocols: put an outcome on the table.
    Offer,
    /// Offer protocols: accept the standing offer.
    Accept,
    /// Offer protocols: walk away.
    EndNegotiation,
    /// Mediated: the mediator proposes this text.
    Propose,
    /// Mediated: a party votes on the proposed text.
    Vote {
        /// True for the change, false against it.
        yes: bool,
    },
    /// Mediated: the mediator keeps the proposed text.
    Keep,
    /// Mediated: the mediator drops the proposed text.
    Discard,
    /// Mediated: a party accepts (or refuses) the final text over walking away.
    FinalVote {
        /// True when the party accepts the final text.
        accept: bool,
    },
}

impl Action {
    /// A short stable tag, as traces write it (`offer`, `vote-yes`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Offer => "offer",
            Action::Accept => "accept",
            Action::EndNegotiation => "end",
            Action::Propose => "propose",
            Action::Vote { yes: true } => "vote-yes",
            Action::Vote { yes: false } => "vote-no",
            Action::Keep => "keep",
            Action::Discard => "discard",
            Action::FinalVote { accept: true } => "final-accept",
            Action::FinalVote { accept: false } => "final-refuse",
        }
    }
}

/// One recorded action.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceEvent {
    /// Round, from 0.
    pub round: u32,
    /// Normalised time in `[0, 1]`.
    pub time: f64,
    /// Who acted.
    pub actor: Actor,
    /// What it did.
    pub action: Action,
    /// The outcome acted on (offered, accepted, proposed, voted on), if any.
    pub outcome: Option<Outcome>,
    /// Every party's undiscounted utility of `outcome` (empty without one).
    pub utilities: Vec<f64>,
}

/// The summary of a session.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionResult {
    /// The outcome agreed on, if any.
    pub agreement: Option<Outcome>,
    /// Every party, in scenario order: the utility of the agreement
    /// discounted at the time it was reached, or the party's reservation
    /// value without agreement.
    pub utilities: Vec<f64>,
    /// Why the session ended.
    pub end_reason: EndReason,
    /// Rounds started (an agreement in round `r` counts `r + 1`).
    pub rounds: u32,
    /// Normalised time at the end.
    pub time: f64,
    /// Sum of the bargaining parties' `utilities`.
    pub welfare: f64,
    /// Euclidean distance from the agreement's (undiscounted) utilities of
    /// the bargaining parties to the nearest point of the reference Pareto
    /// frontier; `None` without agreement or reference.
    pub pareto_distance: Option<f64>,
    /// Distance from the same point to the reference Nash point.
    pub nash_distance: Option<f64>,
    /// True when there is an agreement and every bargaining party gets at
    /// least its reservation value from it (both discounted at the time of
    /// agreement, as GENIUS does, which is the same as comparing them
    /// undiscounted).
    pub beats_reservations: bool,
    /// Every action, when [`SessionConfig::record_trace`] is set.
    pub trace: Vec<TraceEvent>,
}

/// Why a session could not be run.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum NegotiationError {
    /// A strategy specification that does not parse.
    #[error("bad strategy `{spec}`: {reason}")]
    BadSpec {
        /// The specification as given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A strategy name the catalog does not hold.
    #[error("unknown strategy `{name}`; the strategies are: {known}")]
    UnknownStrategy {
        /// The name given.
        name: String,
        /// The listed strategies, comma-separated.
        known: String,
    },
    /// A parameter the strategy does not have.
    #[error("strategy `{strategy}` has no parameter `{param}`; its parameters are: {known}")]
    UnknownParameter {
        /// The strategy's name.
        strategy: String,
        /// The parameter given.
        param: String,
        /// The strategy's parameters, comma-separated (`(none)` without).
        known: String,
    },
    /// A parameter value outside what the parameter allows.
    #[error("strategy `{strategy}`: `{param}={value}` is invalid; expected {expected}")]
    BadParameter {
        /// The strategy's name.
        strategy: String,
        /// The parameter's name.
        param: String,
        /// The value given.
        value: String,
        /// What the parameter allows.
        expected: String,
    },
    #[error(
        "{given} strategies given for {parties} parties ({bargainers} of them bargaining); give one per party, in scenario order, or one per bargaining party"
    )]
    /// Not one strategy per party, nor one per bargaining party.
    StrategyCount {
        /// The number of strategies given.
        given: usize,
        /// The scenario's parties.
        parties: usize,
        /// Its bargaining parties.
        bargainers: usize,
    },
    #[error(
        "the alternating offers protocol is bilateral, but the scenario has {0} bargaining parties; use the stacked protocol"
    )]
    /// The alternating offers protocol with other than two bargaining
    /// parties (their number).
    NotBilateral(usize),
    /// Fewer than two bargaining parties (their number).
    #[error("a negotiation needs at least two bargaining parties; the scenario has {0}")]
    TooFewParties(usize),
    /// A mediator played from outside, in a protocol without one (its
    /// name).
    #[error(
        "only the mediated protocols have a mediator to play; this session's protocol is `{0}`"
    )]
    NoMediator(&'static str),
    /// A protocol name that is none of [`ProtocolKind::names`].
    #[error("unknown protocol `{name}`; the protocols are: {known}")]
    UnknownProtocol {
        /// The name given.
        name: String,
        /// The protocols' names, comma-separated.
        known: String,
    },
    /// A party name the scenario does not have.
    #[error("no party `{name}` in the scenario; its parties are: {known}")]
    UnknownParty {
        /// The name given.
        name: String,
        /// The scenario's parties, comma-separated.
        known: String,
    },
    /// A deadline of no rounds or no time (what is wrong with it).
    #[error("bad deadline: {0}")]
    BadDeadline(String),
    #[error(
        "this session could keep about {} MiB (offers received{}, {actions} actions), more than its memory budget of {} MiB; shorten the deadline or raise the budget",
        .needed.div_ceil(1 << 20),
        if *.trace { " and the trace" } else { "" },
        .budget >> 20
    )]
    /// A session that could keep more than [`SessionConfig::memory_budget`].
    MemoryBudget {
        /// The most actions the session can take ([`planned_actions`]).
        actions: u64,
        /// The bytes it could keep ([`estimated_memory`]).
        needed: u64,
        /// The budget, in bytes.
        budget: u64,
        /// Whether a trace was asked for (it counts in `needed`).
        trace: bool,
    },
}
