//! The mediated single-text protocol.
//!
//! The mediator is the scenario's first party with role `mediator`, or else
//! a neutral one. It starts from a text: the first proposal tabled by the
//! mediator, else the scenario's first proposal, else (the documented
//! choice) every issue at its middle value. Each round it proposes one
//! change: one issue set to another value, drawn with the session's seeded
//! generator — half the time, while the text crosses a bargaining party's
//! stated red line, a value that lifts one such red line (a mediator with preferences of its own only proposes texts
//! worth at least its reservation value to it, when it finds one in 16
//! draws). Every bargaining party votes; the variant decides whether the
//! change is kept. At the deadline every bargaining party says whether it
//! accepts the final text over walking away; the text is an agreement only if
//! all do (a party never accepts a text that crosses its red lines or is
//! worth less than its reservation value).
//!
//! The mediator may also be played from outside (a person in the chair):
//! then each round it is asked for the revised text, which may change any
//! number of issues, and it may close the talks before the deadline, which
//! calls the final vote on the text as it stands. The votes and the
//! variant's rule are the same; the hill-climbing variant learns from every
//! issue a revision changes.

use crate::protocol::{Answer, Clock, Ended, Protocol, Session, Step, derive_seed};
use crate::{Action, Actor, EndReason, MediatedVariant};
use detente_core::{Outcome, PartyId, Role, Scenario};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Tag mixed into the session seed for the mediator's generator.
const MEDIATOR_TAG: u64 = 0x6d65_6469_6174_6f72;

/// Where the protocol stands.
#[derive(Clone, Copy, Debug)]
enum Phase {
    /// Nothing has happened yet: the mediator is to table its first text.
    Start,
    /// The mediator is to propose a change (or, at the deadline, to ask for
    /// the final votes).
    Propose,
    /// The mediator, played from outside, has been asked for its revision.
    Drafting,
    /// Participants from this one on are to vote on the proposal.
    Voting(usize),
    /// Participants from this one on are to accept or refuse the final text.
    Final(usize),
}

/// The state of a session under the mediated single-text protocol.
pub(crate) struct Mediated {
    variant: MediatedVariant,
    /// The scenario's mediator, if it has one.
    mediator: Option<PartyId>,
    actor: Actor,
    text: Vec<u32>,
    proposal: Vec<u32>,
    /// The issues the proposal changes, each with its new value.
    changes: Vec<(usize, u32)>,
    /// The mediator is played from outside.
    external: bool,
    rng: ChaCha8Rng,
    radices: Vec<u32>,
    /// The issues with more than one value.
    changeable: Vec<usize>,
    /// What the hill-climbing mediator has learnt from the votes: a score per
    /// participant, issue and value.
    learnt: Vec<Vec<Vec<f64>>>,
    votes: Vec<bool>,
    /// The first participant to refuse the final text.
    refused: Option<PartyId>,
    phase: Phase,
}

impl Mediated {
    pub fn new(
        scenario: &Scenario,
        seed: u64,
        participants: usize,
        variant: MediatedVariant,
        external: bool,
    ) -> Mediated {
        let mediator: Option<PartyId> = scenario
            .parties()
            .iter()
            .position(|p| p.role == Role::Mediator)
            .map(|i| PartyId(i as u32));
        let actor = mediator.map_or(Actor::NeutralMediator, Actor::Party);
        let text: Vec<u32> = match mediator
            .and_then(|m| {
                let name = &scenario.parties()[m.index()].name;
                scenario
                    .proposals()
                    .iter()
                    .find(|p| p.by.as_deref() == Some(name.as_str()))
            })
            .or_else(|| scenario.proposals().first())
        {
            Some(p) => p.outcome.clone(),
            None => scenario.space().radices().iter().map(|&r| r / 2).collect(),
        };
        let radices: Vec<u32> = scenario.space().radices().to_vec();
        let changeable: Vec<usize> = (0..radices.len()).filter(|&i| radices[i] > 1).collect();
        let learnt = (0..participants)
            .map(|_| radices.iter().map(|&r| vec![0.0; r as usize]).collect())
            .collect();
        Mediated {
            variant,
            mediator,
            actor,
            proposal: text.clone(),
            text,
            changes: Vec::with_capacity(radices.len()),
            external,
            rng: ChaCha8Rng::seed_from_u64(derive_seed(seed, MEDIATOR_TAG)),
            radices,
            changeable,
            learnt,
            votes: vec![false; participants],
            refused: None,
            phase: Phase::Start,
        }
    }

    /// Draws the next change: half the time (while the text crosses a
    /// stated red line of a bargaining party) one that lifts such a red line.
    fn draw(&mut self, session: &Session<'_>) {
        let scenario = session.scenario;
        let fix = red_line_fix(session, &self.text, &mut self.rng);
        let mut issue = 0;
        let mut value = 0;
        for attempt in 0..16 {
            match fix {
                Some((i, v)) if attempt == 0 && self.rng.random_bool(0.5) => {
                    issue = i;
                    value = v;
                }
                _ => {
                    issue = self.changeable[self.rng.random_range(0..self.changeable.len())];
                    value = self.rng.random_range(0..self.radices[issue] - 1);
                    if value >= self.text[issue] {
                        value += 1;
                    }
                }
            }
            self.proposal.copy_from_slice(&self.text);
            self.proposal[issue] = value;
            let fine = self
                .mediator
                .is_none_or(|m| scenario.utility_of(m, &self.proposal) >= scenario.reservation(m));
            if fine || attempt == 15 {
                break;
            }
        }
        self.changes.clear();
        self.changes.push((issue, value));
    }

    /// Takes the external mediator's revision from the driver's offer
    /// buffer (checked by the driver: in the space, not the text).
    fn revise(&mut self, offer: &[u32]) {
        self.proposal.copy_from_slice(offer);
        self.changes.clear();
        for (i, (&new, &old)) in offer.iter().zip(&self.text).enumerate() {
            if new != old {
                self.changes.push((i, new));
            }
        }
    }

    /// Counts the votes: learns from them, keeps or drops the change, and
    /// ends the round.
    fn tally(&mut self, session: &mut Session<'_>) {
        let n = self.votes.len();
        for &(issue, value) in &self.changes {
            let old = self.text[issue] as usize;
            for (pos, &yes) in self.votes.iter().enumerate() {
                let d = if yes { 1.0 } else { -1.0 };
                self.learnt[pos][issue][value as usize] += d;
                self.learnt[pos][issue][old] -= d;
            }
        }
        let yes = self.votes.iter().filter(|v| **v).count();
        let keep = match self.variant {
            MediatedVariant::Veto => yes == n,
            MediatedVariant::HillClimbing => {
                let gain: f64 = self
                    .changes
                    .iter()
                    .map(|&(issue, value)| {
                        let old = self.text[issue] as usize;
                        self.learnt
                            .iter()
                            .map(|l| l[issue][value as usize] - l[issue][old])
                            .sum::<f64>()
                    })
                    .sum();
                2 * yes > n || (2 * yes == n && gain > 0.0)
            }
        };
        if keep {
            self.text.copy_from_slice(&self.proposal);
            session.record(self.actor, Action::Keep, Some(&self.text));
        } else {
            session.record(self.actor, Action::Discard, Some(&self.proposal));
        }
        session.clock.round += 1;
        session.clock.actions += 1 + n as u64;
    }
}

impl Protocol for Mediated {
    fn next(&mut self, session: &mut Session<'_>) -> Step<'_> {
        let n = session.participants.len();
        loop {
            match self.phase {
                Phase::Start => {
                    session.record(self.actor, Action::Propose, Some(&self.text));
                    self.phase = Phase::Propose;
                }
                Phase::Propose => {
                    if session.clock.expired() || self.changeable.is_empty() {
                        self.phase = Phase::Final(0);
                    } else if self.external {
                        self.phase = Phase::Drafting;
                    } else {
                        self.draw(session);
                        session.record(self.actor, Action::Propose, Some(&self.proposal));
                        self.phase = Phase::Voting(0);
                    }
                }
                Phase::Drafting => {
                    return Step::Propose {
                        mediator: self.actor,
                        text: &self.text,
                    };
                }
                Phase::Voting(pos) if pos < n => {
                    return Step::Vote {
                        pos,
                        text: &self.text,
                        proposal: &self.proposal,
                    };
                }
                Phase::Voting(_) => {
                    self.tally(session);
                    self.phase = Phase::Propose;
                }
                Phase::Final(pos) if pos < n => {
                    return Step::FinalVote {
                        pos,
                        text: &self.text,
                    };
                }
                Phase::Final(_) => {
                    let ended = match self.refused {
                        None => self.end(
                            &session.clock,
                            Some(self.text.clone()),
                            EndReason::Agreement,
                        ),
                        Some(by) => self.end(&session.clock, None, EndReason::Walkaway { by }),
                    };
                    return Step::End(ended);
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
        match (self.phase, answer) {
            (Phase::Drafting, Answer::Propose) => {
                self.revise(offer);
                session.record(self.actor, Action::Propose, Some(&self.proposal));
                self.phase = Phase::Voting(0);
            }
            (Phase::Drafting, Answer::Close) => self.phase = Phase::Final(0),
            (Phase::Voting(pos), Answer::Vote(yes)) => {
                self.votes[pos] = yes;
                let me = session.participants[pos];
                session.record(Actor::Party(me), Action::Vote { yes }, Some(&self.proposal));
                self.phase = Phase::Voting(pos + 1);
            }
            (Phase::Final(pos), Answer::FinalVote(accept)) => {
                let me = session.participants[pos];
                // A party never accepts a text that crosses its red lines
                // or is worth less than its reservation value.
                let accept = accept && session.context(pos).acceptable(&self.text);
                session.record(
                    Actor::Party(me),
                    Action::FinalVote { accept },
                    Some(&self.text),
                );
                if !accept && self.refused.is_none() {
                    self.refused = Some(me);
                }
                self.phase = Phase::Final(pos + 1);
            }
            _ => {}
        }
        None
    }

    fn end(&self, clock: &Clock, agreement: Option<Outcome>, reason: EndReason) -> Ended {
        Ended {
            agreement,
            reason,
            rounds: clock.round,
            time: clock.time(),
        }
    }
}

/// A change that lifts one of the red lines the text crosses: red lines are
/// stated positions, so the mediator knows them. Picks a crossed red line,
/// one of its conditions, and a value outside it, at random.
fn red_line_fix(session: &Session<'_>, text: &[u32], rng: &mut ChaCha8Rng) -> Option<(usize, u32)> {
    let scenario = session.scenario;
    let mut crossed: Vec<&detente_core::Clause> = Vec::new();
    for &p in &session.participants {
        for r in &scenario.parties()[p.index()].preferences.red_lines {
            if r.when.holds(text) && !r.when.conditions.is_empty() {
                crossed.push(&r.when);
            }
        }
    }
    if crossed.is_empty() {
        return None;
    }
    let clause = crossed[rng.random_range(0..crossed.len())];
    let condition = &clause.conditions[rng.random_range(0..clause.conditions.len())];
    let issue = condition.issue.index();
    let allowed: Vec<u32> = (0..scenario.space().radices()[issue])
        .filter(|&v| !condition.values.contains(v))
        .collect();
    if allowed.is_empty() {
        return None;
    }
    Some((issue, allowed[rng.random_range(0..allowed.len())]))
}
