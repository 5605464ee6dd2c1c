//! The offer protocols: stacked alternating offers (SAOP), of which
//! bilateral alternating offers is the case of two participants.
//!
//! Each round gives every participant one turn in order; the first turn of
//! the session may only offer or walk away; the standing offer is agreed
//! once every other participant has accepted it in sequence. After each
//! turn, the other participants that want to observe are told what was done.

use crate::protocol::{Answer, Clock, Ended, Protocol, Session, Step};
use crate::strategy::{Decision, Observed, Standing};
use crate::{Action, Actor, EndReason, FailureKind, IllegalAction};
use detente_core::{Outcome, PartyId};

/// Where the protocol stands within a turn.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// The current participant is to act.
    Turn,
    /// The current participant did `decision`; participants from `next` on
    /// are still to be told.
    Observing { decision: Decision, next: usize },
}

/// The state of a session under the offer protocols.
pub(crate) struct Offers {
    /// The participant whose turn it is.
    pos: usize,
    phase: Phase,
    standing: Vec<u32>,
    standing_by: Option<PartyId>,
    /// Participants that have accepted the standing offer in sequence.
    accepts: usize,
}

impl Offers {
    pub fn new(issues: usize) -> Offers {
        Offers {
            pos: 0,
            phase: Phase::Turn,
            standing: vec![0; issues],
            standing_by: None,
            accepts: 0,
        }
    }

    fn failure(&self, clock: &Clock, party: PartyId, what: IllegalAction) -> Ended {
        self.end(
            clock,
            None,
            EndReason::Failure {
                party,
                kind: FailureKind::IllegalAction { what },
            },
        )
    }
}

impl Protocol for Offers {
    fn next(&mut self, session: &mut Session<'_>) -> Step<'_> {
        let n = session.participants.len();
        loop {
            match self.phase {
                Phase::Turn => {
                    if session.clock.expired() {
                        return Step::End(self.end(&session.clock, None, EndReason::Deadline));
                    }
                    let standing = self.standing_by.map(|by| Standing {
                        outcome: &self.standing,
                        by,
                    });
                    return Step::Act {
                        pos: self.pos,
                        standing,
                    };
                }
                Phase::Observing { decision, next } => {
                    let observer = (next..n).find(|&q| q != self.pos && session.observers[q]);
                    if let Some(q) = observer {
                        self.phase = Phase::Observing {
                            decision,
                            next: q + 1,
                        };
                        return Step::Observe {
                            pos: q,
                            event: Observed {
                                by: session.participants[self.pos],
                                decision,
                                outcome: &self.standing,
                            },
                        };
                    }
                    // The turn is over.
                    session.clock.actions += 1;
                    self.pos += 1;
                    if self.pos == n {
                        self.pos = 0;
                        session.clock.round += 1;
                    }
                    self.phase = Phase::Turn;
                }
            }
        }
    }

    fn apply(
        &mut self,
        session: &mut Session<'_>,
        answer: Answer,
        offer: &mut [u32],
    ) -> Option<Ended> {
        let Answer::Act(decision) = answer else {
            return None;
        };
        let pos = self.pos;
        let me = session.participants[pos];
        let decision = match decision {
            Decision::Accept if self.standing_by.is_none() => {
                return Some(self.failure(&session.clock, me, IllegalAction::AcceptWithoutOffer));
            }
            // The rationality guard: an accept that crosses a red line or
            // falls below the reservation value is refused; the party
            // re-offers its best acceptable outcome instead.
            Decision::Accept if !session.context(pos).acceptable(&self.standing) => {
                let ctx = session.context(pos);
                let own = ctx.own();
                match own.best_acceptable() {
                    Some(i) => {
                        offer.copy_from_slice(own.outcome(i));
                        Decision::Offer
                    }
                    None => Decision::EndNegotiation,
                }
            }
            Decision::Offer if !session.scenario.space().contains(offer) => {
                return Some(self.failure(
                    &session.clock,
                    me,
                    IllegalAction::OfferOutsideSpace {
                        offer: offer.to_vec(),
                    },
                ));
            }
            d => d,
        };
        match decision {
            Decision::Offer => {
                self.standing.copy_from_slice(offer);
                self.standing_by = Some(me);
                self.accepts = 0;
                session.record(Actor::Party(me), Action::Offer, Some(offer));
            }
            Decision::Accept => {
                self.accepts += 1;
                session.record(Actor::Party(me), Action::Accept, Some(&self.standing));
                if self.accepts + 1 >= session.participants.len() {
                    let agreed = self.standing.clone();
                    return Some(self.end(&session.clock, Some(agreed), EndReason::Agreement));
                }
            }
            Decision::EndNegotiation => {
                session.record(Actor::Party(me), Action::EndNegotiation, None);
                return Some(self.end(&session.clock, None, EndReason::Walkaway { by: me }));
            }
        }
        self.phase = Phase::Observing { decision, next: 0 };
        None
    }

    /// A session that ends in a round counts that round as started; at the
    /// deadline the time is exactly 1.
    fn end(&self, clock: &Clock, agreement: Option<Outcome>, reason: EndReason) -> Ended {
        let expired = clock.expired();
        Ended {
            agreement,
            reason,
            rounds: if expired {
                clock.round
            } else {
                clock.round + 1
            },
            time: if expired { 1.0 } else { clock.time() },
        }
    }
}
