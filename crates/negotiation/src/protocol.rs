//! The protocol interface: a protocol is a state machine that says what
//! happens next (whose turn it is and what it is asked), applies the answer
//! (refusing actions its rules do not allow) and says how the session ends.
//! One driver (`driver.rs`) runs every protocol, the way argmin's
//! `Executor` runs every `Solver`: it owns the strategies and the guard
//! around their calls; protocols never call a strategy themselves.
//!
//! This module also holds what protocols and the driver share: the virtual
//! [`Clock`], the [`Session`] state (participants, their sorted spaces, the
//! trace) and how a session [`Ended`].

use crate::space::OwnSpace;
use crate::strategy::{Context, Decision, Observed, Standing};
use crate::{ACTION_SECONDS, Action, Actor, Deadline, EndReason, SessionConfig, TraceEvent};
use detente_core::{Outcome, PartyId, Scenario};
use std::sync::Arc;

/// SplitMix64: derives independent seeds for parties and the mediator.
pub(crate) fn derive_seed(seed: u64, tag: u64) -> u64 {
    let mut z = seed
        .wrapping_add(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(tag.wrapping_mul(0xbf58_476d_1ce4_e5b9));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The virtual clock of a session.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Clock {
    pub deadline: Deadline,
    /// Rounds completed.
    pub round: u32,
    /// Actions taken (each costs [`ACTION_SECONDS`] under a time deadline).
    pub actions: u64,
    /// The time on an outside clock (a live room's wall clock), as a
    /// fraction of its own deadline: the session's time is never less.
    pub floor: f64,
}

impl Clock {
    /// The time by the session's own deadline.
    fn own_time(&self) -> f64 {
        match self.deadline {
            Deadline::Rounds(n) => self.round as f64 / n as f64,
            Deadline::Time { seconds } => (self.actions as f64 * ACTION_SECONDS / seconds).min(1.0),
        }
    }

    /// The normalised time strategies see and the trace records.
    pub fn time(&self) -> f64 {
        self.own_time().max(self.floor)
    }

    /// Whether the session's own deadline has come (an outside clock's
    /// deadline is its owner's to enforce).
    pub fn expired(&self) -> bool {
        match self.deadline {
            Deadline::Rounds(n) => self.round >= n,
            Deadline::Time { .. } => self.own_time() >= 1.0,
        }
    }

    pub fn total_rounds(&self) -> Option<u32> {
        match self.deadline {
            Deadline::Rounds(n) => Some(n),
            Deadline::Time { .. } => None,
        }
    }
}

/// How a session ended.
#[derive(Clone, Debug)]
pub(crate) struct Ended {
    pub agreement: Option<Outcome>,
    pub reason: EndReason,
    pub rounds: u32,
    pub time: f64,
}

/// The state of a session that is not a protocol's own: who takes part,
/// what each knows of its outcomes, the clock and the trace.
pub(crate) struct Session<'a> {
    pub scenario: &'a Scenario,
    pub config: &'a SessionConfig,
    /// Bargaining parties, in turn order.
    pub participants: Vec<PartyId>,
    /// One sorted space per participant.
    pub own: Vec<Arc<OwnSpace>>,
    /// Which participants want to observe the others' actions.
    pub observers: Vec<bool>,
    pub clock: Clock,
    pub trace: Vec<TraceEvent>,
}

impl Session<'_> {
    /// The context of participant `pos` at the current clock.
    pub fn context(&self, pos: usize) -> Context<'_> {
        let me = self.participants[pos];
        Context {
            scenario: self.scenario,
            me,
            participants: &self.participants,
            round: self.clock.round,
            time: self.clock.time(),
            total_rounds: self.clock.total_rounds(),
            own: &self.own[pos],
        }
    }

    /// Records an action in the trace, when the configuration asks for one.
    pub fn record(&mut self, actor: Actor, action: Action, outcome: Option<&[u32]>) {
        if !self.config.record_trace {
            return;
        }
        let utilities = outcome
            .map(|o| {
                (0..self.scenario.parties().len())
                    .map(|p| self.scenario.utility_of(PartyId(p as u32), o))
                    .collect()
            })
            .unwrap_or_default();
        self.trace.push(TraceEvent {
            round: self.clock.round,
            time: self.clock.time(),
            actor,
            action,
            outcome: outcome.map(<[u32]>::to_vec),
            utilities,
        });
    }
}

/// What a protocol asks for next: one strategy call, or the end.
pub(crate) enum Step<'p> {
    /// Participant `pos` takes its turn in an offer protocol.
    Act {
        pos: usize,
        standing: Option<Standing<'p>>,
    },
    /// Participant `pos` is told what another participant did.
    Observe { pos: usize, event: Observed<'p> },
    /// Participant `pos` votes on replacing `text` by `proposal`.
    Vote {
        pos: usize,
        text: &'p [u32],
        proposal: &'p [u32],
    },
    /// Participant `pos` accepts or refuses the final `text`.
    FinalVote { pos: usize, text: &'p [u32] },
    /// The mediator, played from outside, revises `text` or closes the
    /// talks.
    Propose { mediator: Actor, text: &'p [u32] },
    /// The session is over.
    End(Ended),
}

/// A strategy's answer to the call a [`Step`] asked for.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Answer {
    /// To [`Step::Act`]; an offer is in the driver's offer buffer.
    Act(Decision),
    /// To [`Step::Observe`].
    Observed,
    /// To [`Step::Vote`].
    Vote(bool),
    /// To [`Step::FinalVote`].
    FinalVote(bool),
    /// To [`Step::Propose`]: the revised text is in the driver's offer
    /// buffer (checked to be in the space and to differ from the text).
    Propose,
    /// To [`Step::Propose`]: no more revisions; the final vote now.
    Close,
}

/// A protocol: a state machine over the session.
pub(crate) trait Protocol: Send {
    /// What happens next. Advances the clock and records the protocol's own
    /// actions (a mediator's proposals) on the way.
    fn next(&mut self, session: &mut Session<'_>) -> Step<'_>;

    /// Applies the answer to the call the last [`Protocol::next`] asked
    /// for; `offer` is the driver's offer buffer. Returns how the session
    /// ended when the answer ends it (an agreement, a walkaway, or an
    /// action the protocol does not allow).
    fn apply(
        &mut self,
        session: &mut Session<'_>,
        answer: Answer,
        offer: &mut [u32],
    ) -> Option<Ended>;

    /// How the session ends now, for a reason found by the driver (a
    /// strategy call that failed).
    fn end(&self, clock: &Clock, agreement: Option<Outcome>, reason: EndReason) -> Ended;
}
