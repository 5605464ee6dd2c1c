//! `Stepper`: a session stepped from Python, for environments in which a
//! learning agent plays one or more bargaining parties (`detente.gym`).
//!
//! The engine keeps control: the negotiation crate's resumable session
//! driver (`detente_negotiation::Driver`) runs the built-in strategies and
//! the Python agents under their guards until a party played from Python
//! must act, and Python answers through the protocol's own checks. No rule
//! of a protocol is written here.
//!
//! The driver borrows its scenario, configuration and reference analysis;
//! a Python object must own everything it holds, so a running session is a
//! `self_cell` of the owned parts and the driver borrowing them. (Making
//! the driver own its scenario would have cost every tournament match a
//! scenario clone or an `Arc` per session, for the sake of this one caller;
//! `self_cell` keeps the borrowed driver and moves its `unsafe` into a
//! small, widely used crate.)

use crate::agent::{PyAgent, Table};
use crate::errors;
use crate::negotiate::{Given, prepare_with_reference, read_given, session_config, table};
use crate::scenario::{NativeScenario, json};
use detente_analysis::Analysis;
use detente_core::{PartyId, Scenario};
use detente_negotiation::strategy::Strategy;
use detente_negotiation::{
    Driver, FailureKind, IllegalAction, Prepared, Reply, Request, SessionConfig, StrategySpec,
    default_strategy, strategy, strategy_seed,
};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::Arc;

/// What a running session borrows.
struct Owner {
    scenario: Arc<Scenario>,
    config: SessionConfig,
    reference: Option<Arc<Analysis>>,
}

self_cell::self_cell!(
    /// A session in progress: its owned parts and the driver borrowing them.
    struct Running {
        owner: Owner,
        #[covariant]
        dependent: Driver,
    }
);

/// Who plays a bargaining party.
enum Slot {
    /// The caller, from Python.
    External,
    /// A built-in strategy.
    Builtin(StrategySpec),
    /// An agent written in Python.
    Agent(Py<PyAny>),
}

/// Kinds of request, as `advance` reports them.
const ACT: u8 = 0;
const VOTE: u8 = 1;
const FINAL_VOTE: u8 = 2;

/// Answers to `act`.
const OFFER: u8 = 0;
const ACCEPT: u8 = 1;
const END: u8 = 2;

/// A negotiation session stepped from Python: some bargaining parties are
/// played by the caller (external), the others by built-in strategies or
/// agents written in Python. `reset` starts a session, `advance` runs it to
/// the next turn of an external party, `act` / `vote` answer it, `result`
/// summarises it as `negotiate` does.
#[pyclass(unsendable, module = "detente._native", name = "Stepper")]
pub struct Stepper {
    scenario: Arc<Scenario>,
    detected: String,
    prepared: Prepared,
    reference: Option<Arc<Analysis>>,
    skipped: Option<String>,
    config: SessionConfig,
    /// One per bargaining party, in scenario order.
    slots: Vec<Slot>,
    table: Option<Arc<Table>>,
    labels: Vec<String>,
    running: Option<Running>,
}

impl Stepper {
    fn driver_mut(&mut self) -> PyResult<&mut Running> {
        self.running.as_mut().ok_or_else(|| {
            pyo3::exceptions::PyRuntimeError::new_err("no session: call reset() first")
        })
    }

    fn build(&self, py: Python<'_>, seed: u64) -> PyResult<Vec<Option<Box<dyn Strategy>>>> {
        let s = &self.scenario;
        s.bargainers()
            .into_iter()
            .zip(&self.slots)
            .map(|(p, slot)| {
                Ok(match slot {
                    Slot::External => None,
                    Slot::Builtin(spec) => Some(
                        strategy::build(spec, strategy_seed(seed, p))
                            .map_err(errors::negotiation)?,
                    ),
                    Slot::Agent(obj) => {
                        let (Some(table), Some(own)) = (&self.table, self.prepared.shared(p))
                        else {
                            return Err(errors::negotiation("an agent needs a bargaining party"));
                        };
                        let agent = PyAgent::new(py, obj.clone_ref(py), Arc::clone(table), p, own);
                        Some(Box::new(agent) as Box<dyn Strategy>)
                    }
                })
            })
            .collect()
    }
}

#[pymethods]
impl Stepper {
    /// `agents` holds one entry per bargaining party, in scenario order: a
    /// built-in strategy's name, an agent object, or `None` for a party
    /// played from Python. `labels` names the external parties in results.
    #[new]
    #[pyo3(signature = (scenario, agents, protocol, rounds, seconds, step_budget_ms, memory_budget_mib, trace, responses, external_label))]
    // One argument per keyword of the Python class.
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        scenario: Bound<'_, NativeScenario>,
        agents: Vec<Bound<'_, PyAny>>,
        protocol: Option<&str>,
        rounds: u32,
        seconds: Option<f64>,
        step_budget_ms: u64,
        memory_budget_mib: u64,
        trace: bool,
        responses: (Py<PyAny>, Py<PyAny>, Py<PyAny>),
        external_label: &str,
    ) -> PyResult<Stepper> {
        let native = scenario.get();
        let s = Arc::clone(&native.inner);
        let config = session_config(
            &s,
            protocol,
            rounds,
            seconds,
            0,
            step_budget_ms,
            memory_budget_mib,
            trace,
        )?;
        let bargainers = s.bargainers();
        if agents.len() != bargainers.len() {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "{} agents given for {} bargaining parties; give one per bargaining party (None for a party played from Python)",
                agents.len(),
                bargainers.len()
            )));
        }
        let mut labels: Vec<String> = (0..s.parties().len())
            .map(|p| default_strategy(&s, PartyId(p as u32)).to_string())
            .collect();
        let mut slots = Vec::with_capacity(agents.len());
        for (a, &p) in agents.iter().zip(&bargainers) {
            let (slot, label) = match read_given(py, a)? {
                Given::Default => (Slot::External, external_label.to_string()),
                Given::Spec(spec) => {
                    let label = spec.to_string();
                    (Slot::Builtin(spec), label)
                }
                Given::Agent(obj, name) => (Slot::Agent(obj), name),
            };
            labels[p.index()] = label;
            slots.push(slot);
        }
        let table = slots
            .iter()
            .any(|s| matches!(s, Slot::Agent(_)))
            .then(|| table(py, native, responses, config.step_budget));
        let (prepared, reference, skipped) = prepare_with_reference(py, &s);
        let reference = reference.map(Arc::new);
        Ok(Stepper {
            scenario: s,
            detected: native.detected.clone(),
            prepared,
            reference,
            skipped,
            config,
            slots,
            table,
            labels,
            running: None,
        })
    }

    /// Starts a new session with this seed (the built-in strategies' and
    /// the mediator's streams derive from it, as in `negotiate`).
    fn reset(&mut self, py: Python<'_>, seed: u64) -> PyResult<()> {
        self.running = None;
        let strategies = self.build(py, seed)?;
        let owner = Owner {
            scenario: Arc::clone(&self.scenario),
            config: SessionConfig {
                seed,
                ..self.config.clone()
            },
            reference: self.reference.clone(),
        };
        let prepared = &self.prepared;
        let running = Running::try_new(owner, |o| {
            Driver::new(
                &o.scenario,
                prepared,
                o.reference.as_deref(),
                &o.config,
                strategies,
            )
        })
        .map_err(errors::negotiation)?;
        self.running = Some(running);
        Ok(())
    }

    /// Runs the session to the next turn of a party played from Python and
    /// says what it is asked, as a tuple `(kind, party, round, time, offer,
    /// by, utility, text)`: `kind` 0 (act: offer, accept or end), 1 (vote on
    /// the mediator's proposal) or 2 (accept the final text); `party` the
    /// party's index; `offer` the standing offer (act) or the proposal or
    /// final text (votes) as value indices, or `None`; `by` the index of the
    /// party that made the standing offer (-1 without); `utility` the asked
    /// party's undiscounted utility of `offer` (NaN without); `text` the
    /// current text of a vote, else `None`. `None` once the session is over.
    fn advance<'py>(&mut self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyTuple>>> {
        let running = self.driver_mut()?;
        running.with_dependent_mut(|owner, driver| {
            let (round, time) = (driver.round(), driver.time());
            let Some(request) = driver.advance() else {
                return Ok(None);
            };
            // The stepper never plays the mediator (it builds its drivers
            // without `with_external_mediator`), so every request is a
            // bargaining party's.
            let detente_negotiation::Actor::Party(party) = request.actor() else {
                return Err(pyo3::exceptions::PyRuntimeError::new_err(
                    "the mediator asked the stepper to propose; it only plays parties",
                ));
            };
            let tuple = |offer: Option<&[u32]>, kind: u8, by: i64, text: Option<&[u32]>| {
                let utility = offer.map_or(f64::NAN, |o| owner.scenario.utility_of(party, o));
                let offer = offer.map(|o| PyTuple::new(py, o)).transpose()?;
                let text = text.map(|o| PyTuple::new(py, o)).transpose()?;
                (kind, party.index(), round, time, offer, by, utility, text).into_pyobject(py)
            };
            let t = match request {
                Request::Act { standing, .. } => match standing {
                    Some(s) => tuple(Some(&s.outcome), ACT, s.by.index() as i64, None),
                    None => tuple(None, ACT, -1, None),
                },
                Request::Vote { text, proposal, .. } => tuple(Some(proposal), VOTE, -1, Some(text)),
                Request::FinalVote { text, .. } => tuple(Some(text), FINAL_VOTE, -1, None),
                Request::Propose { .. } => unreachable!("answered above: not a party's request"),
            }?;
            Ok(Some(t))
        })
    }

    /// Answers a turn: `decision` 0 offers `offer` (value indices, one per
    /// issue), 1 accepts the standing offer, 2 walks away. An offer outside
    /// the space, or an accept with no offer standing, ends the session
    /// with the party's recorded failure, as for any strategy.
    #[pyo3(signature = (decision, offer=None))]
    fn act(&mut self, decision: u8, offer: Option<&Bound<'_, PyAny>>) -> PyResult<()> {
        let running = self.driver_mut()?;
        let outcome: Result<Vec<u32>, String> = match (decision, offer) {
            (OFFER, Some(o)) => o.extract::<Vec<i64>>().map_err(|e| e.to_string()).map(|v| {
                // An index that is no u32 is outside every issue's range.
                v.into_iter()
                    .map(|x| u32::try_from(x).unwrap_or(u32::MAX))
                    .collect()
            }),
            (OFFER, None) => Err("an offer needs its outcome".to_string()),
            (ACCEPT | END, _) => Ok(Vec::new()),
            (d, _) => {
                return Err(pyo3::exceptions::PyValueError::new_err(format!(
                    "decision {d} is none of 0 (offer), 1 (accept), 2 (end)"
                )));
            }
        };
        running.with_dependent_mut(|_, driver| {
            let answered = match (decision, &outcome) {
                (OFFER, Ok(o)) => driver.answer(Reply::Offer(o)),
                (OFFER, Err(detail)) => driver.fail(FailureKind::IllegalAction {
                    what: IllegalAction::Unreadable {
                        detail: format!("the offer is not a list of value indices: {detail}"),
                    },
                }),
                (ACCEPT, _) => driver.answer(Reply::Accept),
                _ => driver.answer(Reply::End),
            };
            answered.map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
        })
    }

    /// Answers a vote on the mediator's proposal, or on the final text.
    fn vote(&mut self, yes: bool) -> PyResult<()> {
        let running = self.driver_mut()?;
        running.with_dependent_mut(|_, driver| {
            driver
                .answer(Reply::Vote(yes))
                .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
        })
    }

    /// True once the session is over (or before the first `reset`).
    #[getter]
    fn over(&self) -> bool {
        self.running
            .as_ref()
            .is_none_or(|r| r.borrow_dependent().is_over())
    }

    /// The session's result, as the JSON `negotiate` returns; only once it
    /// is over.
    fn result(&self) -> PyResult<String> {
        let result = self
            .running
            .as_ref()
            .and_then(|r| r.borrow_dependent().result())
            .ok_or_else(|| {
                pyo3::exceptions::PyRuntimeError::new_err("the session is not over yet")
            })?;
        let s = &self.scenario;
        let seed = self
            .running
            .as_ref()
            .map_or(0, |r| r.borrow_owner().config.seed);
        json(&detente_results::Negotiation {
            detected: Some(self.detected.clone()),
            distances_skipped: self.skipped.clone(),
            trace: self
                .config
                .record_trace
                .then(|| detente_results::trace(s, &result.trace)),
            ..detente_results::negotiation(s, self.config.protocol, &self.labels, seed, &result)
        })
    }

    /// The protocol's name.
    #[getter]
    fn protocol(&self) -> &'static str {
        self.config.protocol.as_str()
    }

    /// The bargaining parties' indices, in turn order.
    #[getter]
    fn bargainers(&self) -> Vec<usize> {
        self.scenario
            .bargainers()
            .into_iter()
            .map(|p| p.index())
            .collect()
    }

    /// The number of values of every issue.
    #[getter]
    fn radices(&self) -> Vec<u32> {
        self.scenario.space().radices().to_vec()
    }

    /// A party's undiscounted utility of an outcome given as value indices.
    fn utility(&self, party: usize, outcome: Vec<u32>) -> PyResult<f64> {
        if party >= self.scenario.parties().len() || !self.scenario.space().contains(&outcome) {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "party {party} or outcome {outcome:?} is not of the scenario"
            )));
        }
        Ok(self.scenario.utility_of(PartyId(party as u32), &outcome))
    }

    /// A bargaining party's lowest and highest utility, and its best
    /// acceptable outcome as value indices (its best outcome when none is
    /// acceptable).
    fn own(&self, party: usize) -> PyResult<(f64, f64, Vec<u32>)> {
        let own = self.prepared.shared(PartyId(party as u32)).ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err(format!("party {party} does not bargain"))
        })?;
        let best = own.best_acceptable().unwrap_or(own.len().saturating_sub(1));
        Ok((own.min(), own.max(), own.outcome(best).to_vec()))
    }
}
