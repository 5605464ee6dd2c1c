//! The session driver: validates the set-up, runs a protocol's state
//! machine ([`Protocol`]: the same loop for every protocol), guards every
//! strategy call, and summarises.

use crate::mediator::Mediated;
use crate::offers::Offers;
use crate::protocol::{Answer, Clock, Ended, Protocol, Session, Step, derive_seed};
use crate::space::OwnSpace;
use crate::strategy::{self, Context, Decision, Observed, Standing, Strategy};
use crate::{
    Deadline, EndReason, FailureKind, NegotiationError, ProtocolKind, SessionConfig, SessionResult,
    StrategySpec, TraceEvent,
};
use detente_analysis::Analysis;
use detente_core::{PartyId, Scenario};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

/// The seed of the strategy of party `p` in a session seeded with
/// `seed`: every strategy, built in or written by a caller of
/// [`run_session_with`], draws from its own stream.
pub fn strategy_seed(seed: u64, p: PartyId) -> u64 {
    derive_seed(seed, p.index() as u64 + 1)
}

/// Ends the current session with `kind` as its strategy's failure, from
/// inside a strategy call. Strategies written outside Rust (a Python agent
/// whose method raised, or returned something that is not an answer) call
/// it: the session driver's guard records `kind` as it is, and, unlike a
/// panic, it prints nothing (no panic hook runs).
pub fn fail(kind: FailureKind) -> ! {
    std::panic::resume_unwind(Box::new(kind))
}

/// Calls between two clock readings while no overrun has been seen.
const CHECK_EVERY: u32 = 16;

thread_local! {
    static IN_STRATEGY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// True while this thread runs a strategy call under the session's guard: a
/// panic raised now will be caught and recorded as the session's failure.
/// A program's panic hook can use it to stay quiet about such panics (the
/// CLI does, so that a tournament with a faulty strategy does not print a
/// backtrace per match).
pub fn strategy_call_in_progress() -> bool {
    IN_STRATEGY.with(|c| c.get())
}

/// Runs strategy calls, turning a panic or an overrun into a failure.
///
/// Reading the clock around every call would cost more than a whole step of
/// the time-based strategies, so the guard reads it every [`CHECK_EVERY`]
/// calls: if that many calls together stayed within one step budget, none of
/// them overran. Once a stretch exceeds the budget, the guard times every
/// call from then on (one reading per call: the end of one call is the start
/// of the next), and the first call over budget ends the session. A
/// strategy that overruns repeatedly is therefore always caught; a single
/// overrun in an otherwise fast stretch may go unpunished.
pub(crate) struct Guard {
    budget: Duration,
    precise: bool,
    calls: u32,
    mark: Instant,
}

impl Guard {
    pub fn new(budget: Duration) -> Guard {
        Guard {
            budget,
            precise: false,
            calls: 0,
            mark: Instant::now(),
        }
    }

    pub fn call<T>(&mut self, party: PartyId, f: impl FnOnce() -> T) -> Result<T, EndReason> {
        IN_STRATEGY.with(|c| c.set(true));
        let result = catch_unwind(AssertUnwindSafe(f));
        IN_STRATEGY.with(|c| c.set(false));
        // A strategy that fails on purpose (one written outside Rust whose
        // call raised) unwinds with its `FailureKind` as the payload.
        let value = result.map_err(|payload| EndReason::Failure {
            party,
            kind: match payload.downcast::<FailureKind>() {
                Ok(kind) => *kind,
                Err(payload) => FailureKind::Panic {
                    message: panic_message(payload),
                },
            },
        })?;
        if self.budget.is_zero() {
            return Ok(value);
        }
        self.calls += 1;
        if self.precise || self.calls.is_multiple_of(CHECK_EVERY) {
            let now = Instant::now();
            let over = now.duration_since(self.mark) > self.budget;
            self.mark = now;
            if over && self.precise {
                return Err(EndReason::Failure {
                    party,
                    kind: FailureKind::OverBudget {
                        budget_ms: u64::try_from(self.budget.as_millis()).unwrap_or(u64::MAX),
                    },
                });
            }
            self.precise |= over;
        }
        Ok(value)
    }
}

/// Every bargaining party's outcomes sorted by its own utility: the one-off
/// work before the first offer. A sorted space depends only on the scenario
/// and the party, so a tournament can prepare a scenario once and share it
/// between all its sessions with [`run_session_prepared`].
#[derive(Clone, Debug)]
pub struct Prepared {
    /// Indexed by party; `None` for parties that do not bargain.
    spaces: Vec<Option<Arc<OwnSpace>>>,
}

impl Prepared {
    /// The sorted space of a party, if it bargains.
    pub fn space(&self, p: PartyId) -> Option<&OwnSpace> {
        self.spaces.get(p.index())?.as_deref()
    }

    /// The sorted space of a party, shared, for a strategy that keeps it
    /// beyond one call (an agent's view of its own outcomes).
    pub fn shared(&self, p: PartyId) -> Option<Arc<OwnSpace>> {
        self.spaces.get(p.index())?.clone()
    }
}

/// Outcome spaces at least this large are sorted for all parties in
/// parallel (scoped threads), smaller ones in turn.
const PARALLEL_SORT: u64 = 1 << 16;

/// Sorts every bargaining party's outcomes (in parallel for large spaces).
pub fn prepare(scenario: &Scenario) -> Prepared {
    let bargainers = scenario.bargainers();
    let mut spaces: Vec<Option<Arc<OwnSpace>>> = vec![None; scenario.parties().len()];
    let large = scenario
        .space()
        .count_u64()
        .is_none_or(|c| c >= PARALLEL_SORT);
    // Asking for the parallelism reads cgroup files: only worth it when large.
    let parallel = large
        && bargainers.len() > 1
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    if parallel {
        // The calling thread sorts the first party's outcomes itself while
        // helper threads sort the others'.
        let built: Vec<(PartyId, OwnSpace)> = std::thread::scope(|s| {
            let handles: Vec<_> = bargainers[1..]
                .iter()
                .map(|&p| s.spawn(move || (p, OwnSpace::build(scenario, p))))
                .collect();
            let first = (bargainers[0], OwnSpace::build(scenario, bargainers[0]));
            let mut built = vec![first];
            for h in handles {
                match h.join() {
                    Ok(x) => built.push(x),
                    Err(e) => std::panic::resume_unwind(e),
                }
            }
            built
        });
        for (p, space) in built {
            spaces[p.index()] = Some(Arc::new(space));
        }
    } else {
        for p in bargainers {
            spaces[p.index()] = Some(Arc::new(OwnSpace::build(scenario, p)));
        }
    }
    Prepared { spaces }
}

/// Runs one negotiation session. See the crate documentation for the
/// guarantees (deterministic, never panics outward).
pub fn run_session(
    scenario: &Scenario,
    reference: Option<&Analysis>,
    config: &SessionConfig,
    strategies: &[StrategySpec],
) -> Result<SessionResult, NegotiationError> {
    check(scenario, config, strategies)?;
    let prepared = prepare(scenario);
    run_session_prepared(scenario, &prepared, reference, config, strategies)
}

/// As [`run_session`], giving up soon after `cancel` is raised: from then
/// on every strategy walks away in the offer protocols, so the session ends
/// at the next step, and votes no and refuses the final text in the mediated
/// ones, which then run to their deadline without calling any strategy's
/// own logic (a few operations per round). The result of a cancelled
/// session means nothing; this is for callers that drop it, such as a
/// server whose client left.
pub fn run_session_within(
    scenario: &Scenario,
    reference: Option<&Analysis>,
    config: &SessionConfig,
    strategies: &[StrategySpec],
    cancel: &Arc<AtomicBool>,
) -> Result<SessionResult, NegotiationError> {
    let specs = check(scenario, config, strategies)?;
    let prepared = prepare(scenario);
    let bargainers = scenario.bargainers();
    let mut built: Vec<Box<dyn Strategy>> = Vec::with_capacity(specs.len());
    for (spec, p) in specs.iter().zip(&bargainers) {
        built.push(Box::new(Cancellable {
            inner: strategy::build(spec, strategy_seed(config.seed, *p))?,
            cancel: Arc::clone(cancel),
        }));
    }
    run_session_with(scenario, &prepared, reference, config, built)
}

/// A strategy that gives up once its flag is raised.
struct Cancellable {
    inner: Box<dyn Strategy>,
    cancel: Arc<AtomicBool>,
}

impl Cancellable {
    fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

impl Strategy for Cancellable {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        if self.cancelled() {
            return Decision::EndNegotiation;
        }
        self.inner.act(ctx, standing, offer)
    }

    fn observe(&mut self, ctx: &Context<'_>, event: Observed<'_>) {
        if !self.cancelled() {
            self.inner.observe(ctx, event);
        }
    }

    fn wants_observations(&self) -> bool {
        self.inner.wants_observations()
    }

    fn aspiration(&self, ctx: &Context<'_>) -> Option<f64> {
        self.inner.aspiration(ctx)
    }

    fn vote(&mut self, ctx: &Context<'_>, text: &[u32], proposal: &[u32]) -> bool {
        !self.cancelled() && self.inner.vote(ctx, text, proposal)
    }

    fn accept_final(&mut self, ctx: &Context<'_>, text: &[u32]) -> bool {
        !self.cancelled() && self.inner.accept_final(ctx, text)
    }
}

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

/// [`check_setup`], then one valid specification per bargaining party, in
/// scenario order (from one per party or one per bargaining party).
fn check(
    scenario: &Scenario,
    config: &SessionConfig,
    strategies: &[StrategySpec],
) -> Result<Vec<StrategySpec>, NegotiationError> {
    check_setup(scenario, config)?;
    let bargainers = scenario.bargainers();
    let nparties = scenario.parties().len();
    let specs: Vec<StrategySpec> = if strategies.len() == nparties {
        bargainers
            .iter()
            .map(|p| strategies[p.index()].clone())
            .collect()
    } else if strategies.len() == bargainers.len() {
        strategies.to_vec()
    } else {
        return Err(NegotiationError::StrategyCount {
            given: strategies.len(),
            parties: nparties,
            bargainers: bargainers.len(),
        });
    };
    for s in &specs {
        crate::validate_strategy(s)?;
    }
    Ok(specs)
}

/// [`run_session`] with the sorted spaces prepared beforehand by
/// [`prepare`] (on the same scenario).
pub fn run_session_prepared(
    scenario: &Scenario,
    prepared: &Prepared,
    reference: Option<&Analysis>,
    config: &SessionConfig,
    strategies: &[StrategySpec],
) -> Result<SessionResult, NegotiationError> {
    let specs = check(scenario, config, strategies)?;
    let bargainers = scenario.bargainers();
    let mut built = Vec::with_capacity(specs.len());
    for (spec, p) in specs.iter().zip(&bargainers) {
        built.push(strategy::build(spec, strategy_seed(config.seed, *p))?);
    }
    run_session_with(scenario, prepared, reference, config, built)
}

/// Runs a session with strategies built by the caller (the open set: any
/// [`Strategy`]), one per bargaining party in scenario order. A strategy
/// that needs randomness should take its own seeded generator, for example
/// from `config.seed`.
pub fn run_session_with(
    scenario: &Scenario,
    prepared: &Prepared,
    reference: Option<&Analysis>,
    config: &SessionConfig,
    built: Vec<Box<dyn Strategy>>,
) -> Result<SessionResult, NegotiationError> {
    check_setup(scenario, config)?;
    let bargainers = scenario.bargainers();
    if built.len() != bargainers.len() {
        return Err(NegotiationError::StrategyCount {
            given: built.len(),
            parties: scenario.parties().len(),
            bargainers: bargainers.len(),
        });
    }
    let own: Vec<Arc<OwnSpace>> = bargainers
        .iter()
        .map(|p| match prepared.spaces.get(p.index()) {
            Some(Some(s)) => Arc::clone(s),
            _ => Arc::new(OwnSpace::build(scenario, *p)),
        })
        .collect();
    let observers = built.iter().map(|s| s.wants_observations()).collect();
    let n = bargainers.len();
    let mut session = Session {
        scenario,
        config,
        participants: bargainers,
        own,
        observers,
        clock: Clock {
            deadline: config.deadline,
            round: 0,
            actions: 0,
        },
        trace: Vec::new(),
    };
    let mut protocol: Box<dyn Protocol> = match config.protocol {
        ProtocolKind::Alternating | ProtocolKind::Stacked => {
            Box::new(Offers::new(scenario.issues().len()))
        }
        ProtocolKind::Mediated(variant) => {
            Box::new(Mediated::new(scenario, config.seed, n, variant))
        }
    };
    let mut strategies = built;
    let ended = drive(&mut session, protocol.as_mut(), &mut strategies);
    Ok(summarize(scenario, reference, ended, session.trace))
}

/// The one session loop, whatever the protocol: ask the protocol what
/// happens next, make that strategy call under the guard, give the answer
/// back to the protocol, until it says the session is over.
fn drive(
    session: &mut Session<'_>,
    protocol: &mut dyn Protocol,
    strategies: &mut [Box<dyn Strategy>],
) -> Ended {
    let mut guard = Guard::new(session.config.step_budget);
    let mut offer: Vec<u32> = vec![0; session.scenario.issues().len()];
    loop {
        let answer = match protocol.next(session) {
            Step::End(ended) => return ended,
            Step::Act { pos, standing } => {
                let ctx = session.context(pos);
                let strat = &mut strategies[pos];
                let buf = &mut offer;
                guard
                    .call(ctx.me, || strat.act(&ctx, standing, buf))
                    .map(Answer::Act)
            }
            Step::Observe { pos, event } => {
                let ctx = session.context(pos);
                let strat = &mut strategies[pos];
                guard
                    .call(ctx.me, || strat.observe(&ctx, event))
                    .map(|()| Answer::Observed)
            }
            Step::Vote {
                pos,
                text,
                proposal,
            } => {
                let ctx = session.context(pos);
                let strat = &mut strategies[pos];
                guard
                    .call(ctx.me, || strat.vote(&ctx, text, proposal))
                    .map(Answer::Vote)
            }
            Step::FinalVote { pos, text } => {
                let ctx = session.context(pos);
                let strat = &mut strategies[pos];
                guard
                    .call(ctx.me, || strat.accept_final(&ctx, text))
                    .map(Answer::FinalVote)
            }
        };
        match answer {
            Ok(answer) => {
                if let Some(ended) = protocol.apply(session, answer, &mut offer) {
                    return ended;
                }
            }
            Err(reason) => return protocol.end(&session.clock, None, reason),
        }
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
