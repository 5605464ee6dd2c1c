//! The [`Runner`] over the negotiation engine: a match is one session, with
//! the configuration's protocol, deadline and step budget, and strategies
//! from the built-in catalog or from a caller's [`StrategySource`] (agents
//! written in Python). The CLI and the Python package both run tournaments
//! through it.

use crate::Config;
use crate::run::{MatchOutcome, Runner, RunnerError};
use crate::store::TraceRow;
use detente_analysis::Analysis;
use detente_core::{PartyId, Scenario};
use detente_negotiation as neg;
use std::str::FromStr;

/// A match's step budget when the configuration sets none, in
/// milliseconds: more generous than a single session's one second, since
/// a tournament runs many sessions side by side on shared cores.
pub const DEFAULT_STEP_BUDGET_MS: u64 = 5_000;

/// Strategies the built-in catalog does not hold, known by the names the
/// configuration lists (agents written in Python, registered by name).
pub trait StrategySource: Sync {
    /// True when `name` is one of this source's strategies.
    fn knows(&self, name: &str) -> bool;

    /// A fresh strategy `name` for party `party` of one match, with the
    /// seed it should draw from; the source's error when it cannot be made
    /// (the match is then recorded as failed, with its message).
    fn build(
        &self,
        name: &str,
        scenario: &Scenario,
        prepared: &neg::Prepared,
        party: PartyId,
        seed: u64,
        config: &neg::SessionConfig,
    ) -> Result<Box<dyn neg::Strategy>, RunnerError>;
}

/// Runs matches with the negotiation engine.
#[derive(Clone, Copy, Default)]
pub struct NegotiationRunner<'a> {
    /// Where strategies outside the built-in catalog come from, if any.
    pub extra: Option<&'a dyn StrategySource>,
}

/// The session settings of a match (`Config::validate` has already refused
/// a missing, doubled or non-positive deadline).
pub fn session_config(
    config: &Config,
    seed: u64,
) -> Result<neg::SessionConfig, neg::NegotiationError> {
    let deadline = match (config.rounds, config.time) {
        (Some(r), _) => neg::Deadline::Rounds(r),
        (None, Some(t)) => neg::Deadline::Time { seconds: t },
        (None, None) => {
            return Err(neg::NegotiationError::BadDeadline(
                "set `rounds = N` or `time = SECONDS`".into(),
            ));
        }
    };
    Ok(neg::SessionConfig {
        protocol: config.protocol.parse()?,
        deadline,
        seed,
        record_trace: config.record_traces,
        step_budget: std::time::Duration::from_millis(
            config.step_budget_ms.unwrap_or(DEFAULT_STEP_BUDGET_MS),
        ),
        memory_budget: neg::DEFAULT_MEMORY_BUDGET,
    })
}

impl NegotiationRunner<'_> {
    fn is_extra(&self, name: &str) -> bool {
        self.extra.is_some_and(|x| x.knows(name))
    }

    /// One session whose strategies include some of the extra source's.
    fn run_with_extra(
        &self,
        scenario: &Scenario,
        prepared: &neg::Prepared,
        reference: Option<&Analysis>,
        cfg: &neg::SessionConfig,
        strategies: &[&str],
    ) -> Result<neg::SessionResult, RunnerError> {
        let slots = neg::party_slots(scenario, strategies.len())?;
        let bargainers = scenario.bargainers();
        let mut built: Vec<Box<dyn neg::Strategy>> = Vec::with_capacity(bargainers.len());
        for p in bargainers {
            // `party_slots` gives every bargaining party a slot.
            let k = slots.iter().position(|&s| s == p).unwrap_or(0);
            let name = strategies[k];
            let seed = neg::strategy_seed(cfg.seed, p);
            built.push(match self.extra {
                Some(x) if x.knows(name) => x.build(name, scenario, prepared, p, seed, cfg)?,
                _ => neg::strategy::build(&neg::StrategySpec::from_str(name)?, seed)?,
            });
        }
        Ok(neg::run_session_with(
            scenario, prepared, reference, cfg, built,
        )?)
    }
}

/// A session's result as a stored match.
fn outcome(scenario: &Scenario, r: neg::SessionResult) -> MatchOutcome {
    MatchOutcome {
        end_reason: r.end_reason.as_str().to_string(),
        failure: match &r.end_reason {
            // The stable sentence, not Rust's Debug text.
            neg::EndReason::Failure { party, kind } => Some((party.index(), kind.to_string())),
            _ => None,
        },
        // The rows are the trace's one JSON form (`detente_results::trace`):
        // outcomes issue -> value, utilities party -> utility (NULL without
        // an outcome).
        trace: detente_results::trace(scenario, &r.trace)
            .into_iter()
            .map(|e| TraceRow {
                round: e.round,
                time: e.time,
                actor: e.actor,
                action: e.action,
                outcome: e.outcome.map(|o| o.to_string()),
                utilities: (!e.utilities.is_empty())
                    .then(|| serde_json::to_string(&e.utilities).unwrap_or_default()),
            })
            .collect(),
        agreement: r.agreement,
        utilities: r.utilities,
        rounds: r.rounds,
        time: r.time,
        welfare: r.welfare,
        pareto_distance: r.pareto_distance,
        nash_distance: r.nash_distance,
    }
}

impl Runner for NegotiationRunner<'_> {
    type Prepared = neg::Prepared;

    fn prepare(&self, scenario: &Scenario) -> neg::Prepared {
        neg::prepare(scenario)
    }

    fn check_config(&self, config: &Config, scenario: &Scenario) -> Result<(), RunnerError> {
        // The checks every session makes, once per scenario instead of
        // failing every match.
        let session = session_config(config, 0)?;
        neg::check_setup(scenario, &session)?;
        Ok(())
    }

    fn check_strategy(&self, spec: &str) -> Result<(), RunnerError> {
        if self.is_extra(spec) {
            return Ok(());
        }
        neg::validate_strategy(&neg::StrategySpec::from_str(spec)?)?;
        Ok(())
    }

    fn run(
        &self,
        scenario: &Scenario,
        prepared: &neg::Prepared,
        reference: Option<&Analysis>,
        config: &Config,
        strategies: &[&str],
        seed: u64,
    ) -> MatchOutcome {
        let n = scenario.parties().len();
        let cfg = match session_config(config, seed) {
            Ok(c) => c,
            Err(e) => return MatchOutcome::failed(n, e.to_string()),
        };
        let result = if strategies.iter().any(|s| self.is_extra(s)) {
            self.run_with_extra(scenario, prepared, reference, &cfg, strategies)
        } else {
            strategies
                .iter()
                .map(|s| neg::StrategySpec::from_str(s))
                .collect::<Result<Vec<_>, _>>()
                .and_then(|specs| {
                    neg::run_session_prepared(scenario, prepared, reference, &cfg, &specs)
                })
                .map_err(RunnerError::from)
        };
        match result {
            Ok(r) => outcome(scenario, r),
            Err(why) => MatchOutcome::failed(n, why.to_string()),
        }
    }
}
