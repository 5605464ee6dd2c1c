//! The session driver: one loop over a protocol's state machine
//! ([`Protocol`], the same loop for every protocol) that makes each
//! strategy call under the guards and hands the answer back, until the
//! session ends, or until a participant that is not a strategy of the
//! driver (an external participant: a learning agent stepped from outside,
//! a person) must act. [`Driver`] is that loop made resumable:
//! [`Driver::advance`] runs the built-in strategies up to the next
//! [`Request`] to an external participant, [`Driver::answer`] feeds its
//! [`Reply`] back through the protocol's own checks, [`Driver::finish`]
//! summarises. In the mediated protocols the mediator may be external too
//! ([`Driver::with_external_mediator`]): a person drafting the single text. [`run_session_with`](crate::run_session_with) is a driver
//! without external participants, so both ways of running a session share
//! every rule and give the same results.

use crate::guard::Guard;
use crate::mediator::Mediated;
use crate::offers::Offers;
use crate::prepare::Prepared;
use crate::protocol::{Answer, Ended, Protocol, Session, Step};
use crate::request::{Reply, ReplyError, Request, StandingOffer};
use crate::space::OwnSpace;
use crate::strategy::{Decision, Strategy};
use crate::{
    Actor, Deadline, EndReason, FailureKind, IllegalAction, NegotiationError, ProtocolKind,
    SessionConfig, SessionResult, TraceEvent,
};
use detente_analysis::Analysis;
use detente_core::{PartyId, Scenario};
use std::sync::Arc;

/// Checks what a session needs whatever its strategies: a deadline, room in
/// the memory budget, enough bargaining parties for the protocol. Every
/// session runs it; tournaments run it once per scenario before any match.
pub fn check_setup(scenario: &Scenario, config: &SessionConfig) -> Result<(), NegotiationError> {
    match config.deadline {
        Deadline::Rounds(0) => {
            return Err(NegotiationError::BadDeadline(
                "a rounds deadline needs at least one round".into(),
            ));
        }
        Deadline::Time { seconds } if !(seconds.is_finite() && seconds > 0.0) => {
            return Err(NegotiationError::BadDeadline(format!(
                "a time deadline needs a positive number of seconds, not {seconds}"
            )));
        }
        _ => {}
    }
    let needed = crate::estimated_memory(scenario, config);
    if needed > config.memory_budget {
        return Err(NegotiationError::MemoryBudget {
            actions: crate::planned_actions(scenario, config),
            needed,
            budget: config.memory_budget,
            trace: config.record_trace,
        });
    }
    let bargainers = scenario.bargainers();
    if bargainers.len() < 2 {
        return Err(NegotiationError::TooFewParties(bargainers.len()));
    }
    if config.protocol == ProtocolKind::Alternating && bargainers.len() != 2 {
        return Err(NegotiationError::NotBilateral(bargainers.len()));
    }
    Ok(())
}

/// A session run step by step: the one session loop, paused whenever a
/// participant without a strategy (an external participant) must act.
///
/// ```
/// # use detente_core::*;
/// # use detente_negotiation::*;
/// # let opt = |name: &str| Issue { name: name.into(), description: String::new(),
/// #     kind: IssueKind::Categorical { options: vec!["a".into(), "b".into(), "c".into()], ordered: false } };
/// # let party = |name: &str, v: Vec<Vec<f64>>| Party { name: name.into(), role: Role::Party,
/// #     description: String::new(), preferences: Preferences { model: UtilityModel::Additive {
/// #     weights: vec![1.0, 1.0], values: v.into_iter().map(ValueFunction::Table).collect(),
/// #     interactions: vec![] }, normalisation: Normalisation::MinMax, red_lines: vec![],
/// #     reservation: 0.2, discount: 1.0 } };
/// # let scenario = Scenario::new(ScenarioParts {
/// #     name: "demo".into(),
/// #     issues: vec![opt("x"), opt("y")],
/// #     parties: vec![
/// #         party("p", vec![vec![0.0, 0.5, 1.0], vec![1.0, 0.0, 0.5]]),
/// #         party("q", vec![vec![1.0, 0.5, 0.0], vec![0.0, 1.0, 0.5]]),
/// #     ],
/// #     ..Default::default()
/// # }).unwrap();
/// let config = SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(50), 7);
/// let prepared = prepare(&scenario);
/// // Party 0 is played from outside; party 1 by the built-in Boulware.
/// let boulware = strategy::build(&"boulware".parse().unwrap(), strategy_seed(7, PartyId(1))).unwrap();
/// let mut driver = Driver::new(&scenario, &prepared, None, &config, vec![None, Some(boulware)]).unwrap();
/// while let Some(request) = driver.advance().cloned() {
///     let reply = match request {
///         // Accept whatever stands from the second round on.
///         Request::Act { standing: Some(_), .. } if driver.round() > 0 => Reply::Accept,
///         _ => Reply::Offer(&[2, 0]),
///     };
///     driver.answer(reply).unwrap();
/// }
/// let result = driver.finish();
/// assert_eq!(result.end_reason, EndReason::Agreement);
/// ```
pub struct Driver<'a> {
    session: Session<'a>,
    protocol: Box<dyn Protocol>,
    /// One per participant, in turn order; `None` for an external one.
    strategies: Vec<Option<Box<dyn Strategy>>>,
    reference: Option<&'a Analysis>,
    guard: Guard,
    /// The offer buffer strategies write into and the protocol reads.
    offer: Vec<u32>,
    /// What the external participant waited for has been asked.
    asked: Option<Request>,
    ended: Option<Ended>,
}

impl<'a> Driver<'a> {
    /// A session ready to run: [`check_setup`], then one strategy per
    /// bargaining party in scenario order (`None` for a participant played
    /// from outside). `prepared` holds the sorted spaces ([`prepare`](crate::prepare)
    /// on the same scenario; a party missing from it is sorted now);
    /// `reference` is the analysis the result's distances are measured to.
    pub fn new(
        scenario: &'a Scenario,
        prepared: &Prepared,
        reference: Option<&'a Analysis>,
        config: &'a SessionConfig,
        strategies: Vec<Option<Box<dyn Strategy>>>,
    ) -> Result<Driver<'a>, NegotiationError> {
        check_setup(scenario, config)?;
        let bargainers = scenario.bargainers();
        if strategies.len() != bargainers.len() {
            return Err(NegotiationError::StrategyCount {
                given: strategies.len(),
                parties: scenario.parties().len(),
                bargainers: bargainers.len(),
            });
        }
        let own: Vec<Arc<OwnSpace>> = bargainers
            .iter()
            .map(|&p| {
                prepared
                    .shared(p)
                    .unwrap_or_else(|| Arc::new(OwnSpace::build(scenario, p)))
            })
            .collect();
        // An external participant is told nothing between its turns: what
        // it needs is in its next request.
        let observers = strategies
            .iter()
            .map(|s| s.as_ref().is_some_and(|s| s.wants_observations()))
            .collect();
        let n = bargainers.len();
        let session = Session {
            scenario,
            config,
            participants: bargainers,
            own,
            observers,
            clock: crate::protocol::Clock {
                deadline: config.deadline,
                round: 0,
                actions: 0,
                floor: 0.0,
            },
            trace: Vec::new(),
        };
        let protocol: Box<dyn Protocol> = match config.protocol {
            ProtocolKind::Alternating | ProtocolKind::Stacked => {
                Box::new(Offers::new(scenario.issues().len()))
            }
            ProtocolKind::Mediated(variant) => {
                Box::new(Mediated::new(scenario, config.seed, n, variant, false))
            }
        };
        Ok(Driver {
            session,
            protocol,
            strategies,
            reference,
            guard: Guard::new(config.step_budget),
            offer: vec![0; scenario.issues().len()],
            asked: None,
            ended: None,
        })
    }

    /// The same session with the mediator played from outside: instead of
    /// drawing each change itself, the protocol asks
    /// [`Request::Propose`] every round. Only the mediated protocols have a
    /// mediator, and only a session that has not started may be changed.
    pub fn with_external_mediator(mut self) -> Result<Driver<'a>, NegotiationError> {
        let config = self.session.config;
        let ProtocolKind::Mediated(variant) = config.protocol else {
            return Err(NegotiationError::NoMediator(config.protocol.as_str()));
        };
        assert!(
            self.session.trace.is_empty() && self.asked.is_none() && self.ended.is_none(),
            "with_external_mediator is for a session that has not started"
        );
        let n = self.session.participants.len();
        self.protocol = Box::new(Mediated::new(
            self.session.scenario,
            config.seed,
            n,
            variant,
            true,
        ));
        Ok(self)
    }

    /// Runs the session up to the next request to an external participant
    /// and returns it, or `None` once the session is over. Calling it again
    /// before answering returns the same request.
    pub fn advance(&mut self) -> Option<&Request> {
        if self.asked.is_none() && self.ended.is_none() {
            self.run();
        }
        self.asked.as_ref()
    }

    /// The one session loop: ask the protocol what happens next, make that
    /// strategy call under the guard, give the answer back to the protocol,
    /// until it says the session is over or an external participant is
    /// asked.
    fn run(&mut self) {
        loop {
            let answer = match self.protocol.next(&mut self.session) {
                Step::End(ended) => {
                    self.ended = Some(ended);
                    return;
                }
                Step::Act { pos, standing } => {
                    let ctx = self.session.context(pos);
                    let Some(strat) = self.strategies[pos].as_mut() else {
                        self.asked = Some(Request::Act {
                            party: ctx.me,
                            standing: standing.map(|s| StandingOffer {
                                outcome: s.outcome.to_vec(),
                                by: s.by,
                            }),
                        });
                        return;
                    };
                    let buf = &mut self.offer;
                    self.guard
                        .call(ctx.me, || strat.act(&ctx, standing, buf))
                        .map(Answer::Act)
                }
                Step::Observe { pos, event } => {
                    let ctx = self.session.context(pos);
                    match self.strategies[pos].as_mut() {
                        Some(strat) => self
                            .guard
                            .call(ctx.me, || strat.observe(&ctx, event))
                            .map(|()| Answer::Observed),
                        None => Ok(Answer::Observed),
                    }
                }
                Step::Vote {
                    pos,
                    text,
                    proposal,
                } => {
                    let ctx = self.session.context(pos);
                    let Some(strat) = self.strategies[pos].as_mut() else {
                        self.asked = Some(Request::Vote {
                            party: ctx.me,
                            text: text.to_vec(),
                            proposal: proposal.to_vec(),
                        });
                        return;
                    };
                    self.guard
                        .call(ctx.me, || strat.vote(&ctx, text, proposal))
                        .map(Answer::Vote)
                }
                Step::FinalVote { pos, text } => {
                    let ctx = self.session.context(pos);
                    let Some(strat) = self.strategies[pos].as_mut() else {
                        self.asked = Some(Request::FinalVote {
                            party: ctx.me,
                            text: text.to_vec(),
                        });
                        return;
                    };
                    self.guard
                        .call(ctx.me, || strat.accept_final(&ctx, text))
                        .map(Answer::FinalVote)
                }
                Step::Propose { mediator, text } => {
                    self.asked = Some(Request::Propose {
                        mediator,
                        text: text.to_vec(),
                    });
                    return;
                }
            };
            if let Some(ended) = self.give(answer) {
                self.ended = Some(ended);
                return;
            }
        }
    }

    /// Hands an answer (or the failure of the call) to the protocol.
    fn give(&mut self, answer: Result<Answer, EndReason>) -> Option<Ended> {
        match answer {
            Ok(answer) => self
                .protocol
                .apply(&mut self.session, answer, &mut self.offer),
            Err(reason) => Some(self.protocol.end(&self.session.clock, None, reason)),
        }
    }

    /// Answers the pending request through the protocol's own rules, as a
    /// strategy's answer would be: an offer outside the space (or of the
    /// wrong length), or an accept when no offer stands, ends the session
    /// with the participant's [`FailureKind::IllegalAction`]. A reply of the
    /// wrong kind, or with nothing asked, is a [`ReplyError`] and changes
    /// nothing.
    pub fn answer(&mut self, reply: Reply<'_>) -> Result<(), ReplyError> {
        let Some(request) = self.asked.take() else {
            return Err(ReplyError::NotAsked);
        };
        let answer = match (&request, reply) {
            (Request::Act { party, .. }, Reply::Offer(offer)) => {
                if offer.len() == self.offer.len() {
                    self.offer.copy_from_slice(offer);
                    Ok(Answer::Act(Decision::Offer))
                } else {
                    Err(EndReason::Failure {
                        party: *party,
                        kind: FailureKind::IllegalAction {
                            what: IllegalAction::OfferOutsideSpace {
                                offer: offer.to_vec(),
                            },
                        },
                    })
                }
            }
            (Request::Act { .. }, Reply::Accept) => Ok(Answer::Act(Decision::Accept)),
            (Request::Act { .. }, Reply::End) => Ok(Answer::Act(Decision::EndNegotiation)),
            (Request::Vote { .. }, Reply::Vote(yes)) => Ok(Answer::Vote(yes)),
            (Request::FinalVote { .. }, Reply::Vote(yes)) => Ok(Answer::FinalVote(yes)),
            (Request::Propose { text, .. }, Reply::Offer(proposal)) => {
                if let Err(e) = self.check_proposal(text, proposal) {
                    self.asked = Some(request);
                    return Err(e);
                }
                self.offer.copy_from_slice(proposal);
                Ok(Answer::Propose)
            }
            (Request::Propose { .. }, Reply::End) => Ok(Answer::Close),
            (asked, given) => {
                let error = ReplyError::Mismatch {
                    asked: asked.what(),
                    given: given.what(),
                };
                self.asked = Some(request);
                return Err(error);
            }
        };
        self.ended = self.give(answer);
        self.guard.restart();
        Ok(())
    }

    /// Whether `proposal` is a revision of `text` the mediator may put to
    /// the vote: in the space, and not the text itself.
    fn check_proposal(&self, text: &[u32], proposal: &[u32]) -> Result<(), ReplyError> {
        let radices = self.session.scenario.space().radices();
        if proposal.len() != radices.len() {
            return Err(ReplyError::BadProposal(format!(
                "{} values for {} issues",
                proposal.len(),
                radices.len()
            )));
        }
        if let Some(i) = (0..radices.len()).find(|&i| proposal[i] >= radices[i]) {
            return Err(ReplyError::BadProposal(format!(
                "value {} of issue {} (it has {})",
                proposal[i], i, radices[i]
            )));
        }
        if proposal == text {
            return Err(ReplyError::BadProposal(
                "it is the text as it stands; change at least one issue".into(),
            ));
        }
        Ok(())
    }

    /// Ends the session with the failure of the participant asked (for a
    /// caller that could not read what its participant answered). The
    /// mediator is not a party that can fail: asked to propose, this is a
    /// [`ReplyError::Mismatch`].
    pub fn fail(&mut self, kind: FailureKind) -> Result<(), ReplyError> {
        let Some(request) = self.asked.take() else {
            return Err(ReplyError::NotAsked);
        };
        let Actor::Party(party) = request.actor() else {
            let error = ReplyError::Mismatch {
                asked: request.what(),
                given: "a failure",
            };
            self.asked = Some(request);
            return Err(error);
        };
        self.ended = self.give(Err(EndReason::Failure { party, kind }));
        Ok(())
    }

    /// The actions recorded so far (empty unless the configuration records
    /// a trace): what a front end shows of a session still running.
    pub fn trace(&self) -> &[TraceEvent] {
        &self.session.trace
    }

    /// The rounds completed so far.
    pub fn round(&self) -> u32 {
        self.session.clock.round
    }

    /// Sets the time elapsed on an outside clock, as a fraction of the
    /// deadline it keeps (a live room's wall clock): from now on the
    /// session's time, which strategies see and the trace records, is at
    /// least `fraction` (clamped to `[0, 1]`; it never goes back). The
    /// session still ends by its own deadline; ending it by the outside
    /// clock is the caller's.
    pub fn set_time_floor(&mut self, fraction: f64) {
        let clock = &mut self.session.clock;
        if fraction.is_finite() {
            clock.floor = clock.floor.max(fraction.clamp(0.0, 1.0));
        }
    }

    /// The normalised time now, in `[0, 1]`.
    pub fn time(&self) -> f64 {
        self.session.clock.time()
    }

    /// The bargaining parties, in turn order.
    pub fn participants(&self) -> &[PartyId] {
        &self.session.participants
    }

    /// The sorted space of participant `p`, if it bargains.
    pub fn own_space(&self, p: PartyId) -> Option<&Arc<OwnSpace>> {
        let pos = self.session.participants.iter().position(|&q| q == p)?;
        self.session.own.get(pos)
    }

    /// True once the session is over.
    pub fn is_over(&self) -> bool {
        self.ended.is_some()
    }

    /// The summary, once the session is over (the trace is copied; see
    /// [`Driver::finish`] to move it).
    pub fn result(&self) -> Option<SessionResult> {
        let ended = self.ended.clone()?;
        Some(summarize(
            self.session.scenario,
            self.reference,
            ended,
            self.session.trace.clone(),
        ))
    }

    /// Runs the session to its end and summarises it. External
    /// participants still to answer give up: they walk away when asked to
    /// act and say no to every vote; a mediator closes the talks.
    pub fn finish(mut self) -> SessionResult {
        let ended = loop {
            if let Some(ended) = self.ended.take() {
                break ended;
            }
            let reply = match self.advance() {
                Some(Request::Act { .. } | Request::Propose { .. }) => Reply::End,
                Some(Request::Vote { .. } | Request::FinalVote { .. }) => Reply::Vote(false),
                // The session has ended.
                None => continue,
            };
            // The reply is of the kind asked, so it is taken.
            let _ = self.answer(reply);
        };
        summarize(
            self.session.scenario,
            self.reference,
            ended,
            self.session.trace,
        )
    }
}

fn summarize(
    scenario: &Scenario,
    reference: Option<&Analysis>,
    ended: Ended,
    trace: Vec<TraceEvent>,
) -> SessionResult {
    let n = scenario.parties().len();
    let bargainers = scenario.bargainers();
    let utilities: Vec<f64> = (0..n)
        .map(|p| {
            let p = PartyId(p as u32);
            match &ended.agreement {
                Some(o) => scenario.discounted_utility_of(p, o, ended.time),
                None => scenario.reservation(p),
            }
        })
        .collect();
    let welfare = bargainers.iter().map(|p| utilities[p.index()]).sum();
    // Walking away at time t is worth the reservation value discounted like
    // any other outcome (GENIUS's convention), so an agreement beats it
    // exactly when its undiscounted utility reaches the reservation value.
    let beats_reservations = ended.agreement.as_ref().is_some_and(|o| {
        bargainers
            .iter()
            .all(|p| scenario.utility_of(*p, o) >= scenario.reservation(*p))
    });
    let point: Option<Vec<f64>> = ended.agreement.as_ref().map(|o| {
        reference
            .map(|a| &a.bargainers)
            .unwrap_or(&bargainers)
            .iter()
            .map(|p| scenario.utility_of(*p, o))
            .collect()
    });
    let dist = |a: &[f64], b: &[f64]| -> f64 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y) * (x - y))
            .sum::<f64>()
            .sqrt()
    };
    let (pareto_distance, nash_distance) = match (reference, &point) {
        (Some(a), Some(x)) => (
            a.pareto
                .iter()
                .map(|q| dist(x, &q.utilities))
                .min_by(f64::total_cmp),
            a.solutions.nash.as_ref().map(|q| dist(x, &q.utilities)),
        ),
        _ => (None, None),
    };
    SessionResult {
        agreement: ended.agreement,
        utilities,
        end_reason: ended.reason,
        rounds: ended.rounds,
        time: ended.time,
        welfare,
        pareto_distance,
        nash_distance,
        beats_reservations,
        trace,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::space::tests_support::small;
    use crate::strategy;
    use crate::{Deadline, run_session, strategy_seed};

    fn config(seed: u64) -> SessionConfig {
        SessionConfig {
            record_trace: true,
            ..SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(30), seed)
        }
    }

    fn built(name: &str, seed: u64, p: u32) -> Box<dyn Strategy> {
        strategy::build(&name.parse().unwrap(), strategy_seed(seed, PartyId(p))).unwrap()
    }

    #[test]
    fn an_external_participant_replaying_a_strategy_gives_the_same_session() {
        let s = small();
        let prepared = crate::prepare(&s);
        for seed in [1, 2, 3] {
            let cfg = config(seed);
            let whole = run_session(
                &s,
                None,
                &cfg,
                &["conceder".parse().unwrap(), "boulware".parse().unwrap()],
            )
            .unwrap();
            let mut outside = built("conceder", seed, 0);
            let mut driver = Driver::new(
                &s,
                &prepared,
                None,
                &cfg,
                vec![None, Some(built("boulware", seed, 1))],
            )
            .unwrap();
            let mut buf = vec![0; 2];
            while let Some(request) = driver.advance().cloned() {
                let Request::Act { standing, .. } = request else {
                    panic!("an offer protocol only asks to act");
                };
                let ctx = driver.session.context(0);
                let standing = standing.as_ref().map(|s| crate::Standing {
                    outcome: &s.outcome,
                    by: s.by,
                });
                let reply = match outside.act(&ctx, standing, &mut buf) {
                    Decision::Offer => Reply::Offer(&buf),
                    Decision::Accept => Reply::Accept,
                    Decision::EndNegotiation => Reply::End,
                };
                driver.answer(reply).unwrap();
            }
            assert_eq!(driver.result().unwrap(), whole);
            assert_eq!(driver.finish(), whole);
        }
    }

    #[test]
    fn illegal_moves_of_an_external_participant_are_its_recorded_failures() {
        let s = small();
        let prepared = crate::prepare(&s);
        let cfg = config(0);
        let new = || {
            Driver::new(
                &s,
                &prepared,
                None,
                &cfg,
                vec![None, Some(built("boulware", 0, 1))],
            )
            .unwrap()
        };
        let failure = |d: Driver<'_>| match d.finish().end_reason {
            EndReason::Failure {
                party,
                kind: FailureKind::IllegalAction { what },
            } => (party, what),
            other => panic!("not a failure: {other:?}"),
        };
        let mut d = new();
        d.advance();
        d.answer(Reply::Accept).unwrap();
        assert!(d.is_over());
        assert_eq!(failure(d), (PartyId(0), IllegalAction::AcceptWithoutOffer));
        let mut d = new();
        d.advance();
        d.answer(Reply::Offer(&[0, 7])).unwrap();
        assert_eq!(
            failure(d),
            (
                PartyId(0),
                IllegalAction::OfferOutsideSpace { offer: vec![0, 7] }
            )
        );
        let mut d = new();
        d.advance();
        d.answer(Reply::Offer(&[0])).unwrap();
        assert_eq!(
            failure(d),
            (
                PartyId(0),
                IllegalAction::OfferOutsideSpace { offer: vec![0] }
            )
        );
    }

    #[test]
    fn replies_of_the_wrong_kind_or_unasked_change_nothing() {
        let s = small();
        let prepared = crate::prepare(&s);
        let cfg = config(0);
        let mut d = Driver::new(
            &s,
            &prepared,
            None,
            &cfg,
            vec![None, Some(built("boulware", 0, 1))],
        )
        .unwrap();
        assert_eq!(d.answer(Reply::End), Err(ReplyError::NotAsked));
        let asked = d.advance().cloned();
        assert!(matches!(
            d.answer(Reply::Vote(true)),
            Err(ReplyError::Mismatch { .. })
        ));
        assert_eq!(d.advance().cloned(), asked);
        d.answer(Reply::End).unwrap();
        assert_eq!(d.advance(), None);
        assert_eq!(d.answer(Reply::End), Err(ReplyError::NotAsked));
        assert_eq!(
            d.finish().end_reason,
            EndReason::Walkaway { by: PartyId(0) }
        );
    }

    #[test]
    fn finishing_gives_up_for_external_participants_still_to_answer() {
        let s = small();
        let prepared = crate::prepare(&s);
        let cfg = config(0);
        let d = Driver::new(
            &s,
            &prepared,
            None,
            &cfg,
            vec![Some(built("boulware", 0, 0)), None],
        )
        .unwrap();
        let r = d.finish();
        assert_eq!(r.end_reason, EndReason::Walkaway { by: PartyId(1) });
        assert_eq!(r.rounds, 1);
        let mediated = SessionConfig {
            protocol: ProtocolKind::Mediated(crate::MediatedVariant::Veto),
            ..config(0)
        };
        let mut d = Driver::new(
            &s,
            &prepared,
            None,
            &mediated,
            vec![None, Some(built("boulware", 0, 1))],
        )
        .unwrap();
        assert!(matches!(
            d.advance(),
            Some(Request::Vote {
                party: PartyId(0),
                ..
            })
        ));
        let r = d.finish();
        assert_eq!(r.end_reason, EndReason::Walkaway { by: PartyId(0) });
        assert_eq!(r.rounds, 30);
    }
}
