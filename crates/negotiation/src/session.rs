//! Running whole sessions: checks the strategies, builds them from their
//! specifications with their seeds, and runs them to the end with the
//! session driver ([`Driver`], which holds the loop, the guards and the
//! summary).

use crate::driver::{Driver, check_setup};
use crate::prepare::{Prepared, prepare};
use crate::protocol::derive_seed;
use crate::strategy::{self, Context, Decision, Observed, Standing, Strategy};
use crate::{FailureKind, NegotiationError, SessionConfig, SessionResult, StrategySpec};
use detente_analysis::Analysis;
use detente_core::{PartyId, Scenario};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

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
    let strategies = built.into_iter().map(Some).collect();
    Ok(Driver::new(scenario, prepared, reference, config, strategies)?.finish())
}
