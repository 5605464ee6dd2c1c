//! What a [`Driver`](crate::Driver) asks an external participant (a
//! learning agent stepped from outside, a person, or a person in the
//! mediator's chair) and what it may answer.

use crate::Actor;
use detente_core::{Outcome, PartyId};

/// The offer on the table, as an external participant is shown it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StandingOffer {
    /// The outcome offered (value indices).
    pub outcome: Outcome,
    /// Who offered it.
    pub by: PartyId,
}

/// What an external participant is asked, owned (it outlives the
/// protocol's own borrow of its state).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Its turn in an offer protocol: offer, accept the standing offer
    /// (none at the very first turn, when accepting is not allowed) or walk
    /// away. Answered by [`Reply::Offer`], [`Reply::Accept`] or
    /// [`Reply::End`].
    Act {
        /// The participant asked.
        party: PartyId,
        /// The offer on the table.
        standing: Option<StandingOffer>,
    },
    /// Mediated protocol: vote on replacing `text` by `proposal`. Answered
    /// by [`Reply::Vote`].
    Vote {
        /// The participant asked.
        party: PartyId,
        /// The current text.
        text: Outcome,
        /// The change the mediator proposes.
        proposal: Outcome,
    },
    /// Mediated protocol: accept the final `text` rather than walk away.
    /// Answered by [`Reply::Vote`].
    FinalVote {
        /// The participant asked.
        party: PartyId,
        /// The final text.
        text: Outcome,
    },
    /// Mediated protocol with the mediator played from outside
    /// ([`Driver::with_external_mediator`](crate::Driver::with_external_mediator)):
    /// propose a revision of `text` for the parties to vote on, answered by
    /// [`Reply::Offer`] with the revised text (any outcome that differs
    /// from `text`, in as many issues as the mediator likes), or close the
    /// talks, answered by [`Reply::End`]: the parties then say whether they
    /// accept `text` as it stands, as they do at the deadline.
    Propose {
        /// The mediator: the scenario's mediator party, or the neutral one.
        mediator: Actor,
        /// The current text.
        text: Outcome,
    },
}

impl Request {
    /// Who is asked: a bargaining party, or the mediator.
    pub fn actor(&self) -> Actor {
        match self {
            Request::Act { party, .. }
            | Request::Vote { party, .. }
            | Request::FinalVote { party, .. } => Actor::Party(*party),
            Request::Propose { mediator, .. } => *mediator,
        }
    }

    pub(crate) fn what(&self) -> &'static str {
        match self {
            Request::Act { .. } => "act (offer, accept or end)",
            Request::Vote { .. } => "vote on the mediator's proposal",
            Request::FinalVote { .. } => "accept or refuse the final text",
            Request::Propose { .. } => "propose a revision of the text or close the talks",
        }
    }
}

/// An external participant's answer to a [`Request`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply<'o> {
    /// Offer this outcome (value indices, one per issue); from the
    /// mediator, propose it as the revised text.
    Offer(&'o [u32]),
    /// Accept the standing offer.
    Accept,
    /// Walk away; from the mediator, close the talks (the final vote).
    End,
    /// Yes or no to a vote or to the final text.
    Vote(bool),
}

impl Reply<'_> {
    pub(crate) fn what(&self) -> &'static str {
        match self {
            Reply::Offer(_) => "an offer",
            Reply::Accept => "an accept",
            Reply::End => "an end",
            Reply::Vote(_) => "a vote",
        }
    }
}

/// A reply the driver cannot take: a mistake of the caller stepping the
/// driver, not a move in the negotiation (the session goes on as if it
/// had not been made). A bargaining party's moves that the protocol does
/// not allow, such as an offer outside the space, are not errors: they end
/// the session with the participant's
/// [`FailureKind::IllegalAction`](crate::FailureKind::IllegalAction), as
/// they do for a strategy. The mediator is not a party that can fail, so
/// its malformed proposals are errors.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// No external participant is waiting for an answer: the session has
    /// ended, or [`Driver::advance`](crate::Driver::advance) has not been
    /// called since the last answer.
    #[error(
        "no participant is waiting for an answer (the session is over, or advance() was not called)"
    )]
    NotAsked,
    /// A reply of the wrong kind (a vote where an action was asked).
    #[error("the participant was asked to {asked}, and {given} does not answer that")]
    Mismatch {
        /// What the participant was asked.
        asked: &'static str,
        /// What the reply was.
        given: &'static str,
    },
    /// A mediator's proposal that is not a revision of the text: outside
    /// the space, or the text itself.
    #[error("not a revision of the text: {0}")]
    BadProposal(String),
}
