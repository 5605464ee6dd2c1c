//! Agents written in Python, run by the engine's session driver like any
//! other strategy (`PyAgent`), and what such an agent sees: its `AgentView`
//! (its own utility, sorted outcomes, reservation value) and the `State` of
//! each turn.
//!
//! Every call into Python runs under the driver's guards and two of its
//! own: an exception, or an answer that is not an outcome, a response or a
//! vote, ends the session with the failure recorded
//! (`detente_negotiation::fail`), and every call is timed against the step
//! budget (the driver samples its clock; a Python call costs far more than
//! a clock reading, so each one is timed exactly).

use crate::codec::{Codec, repr};
use detente_core::{PartyId, Scenario};
use detente_negotiation::strategy::{Context, Decision, Observed, Standing, Strategy};
use detente_negotiation::{FailureKind, IllegalAction, OwnSpace, fail};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};
use pyo3::{PyTypeInfo, intern};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The clock and deadline at one turn, as an agent written in Python sees
/// them.
#[pyclass(frozen, module = "detente._native", name = "State")]
pub struct State {
    /// The round, from 0.
    #[pyo3(get)]
    pub round: u32,
    /// Normalised time in [0, 1] (1 is the deadline).
    #[pyo3(get)]
    pub time: f64,
    /// The number of rounds under a rounds deadline, else `None`.
    #[pyo3(get)]
    pub rounds: Option<u32>,
    /// This party's position in the turn order of the round, from 0.
    #[pyo3(get)]
    pub position: usize,
    /// The number of bargaining parties taking turns.
    #[pyo3(get)]
    pub parties: usize,
    /// The name of the party that made the offer on the table, if any.
    #[pyo3(get)]
    pub offer_by: Option<Py<PyString>>,
}

#[pymethods]
impl State {
    /// True in the last round of a rounds deadline.
    #[getter]
    fn last_round(&self) -> bool {
        self.rounds.is_some_and(|n| self.round + 1 >= n)
    }

    fn __repr__(&self) -> String {
        format!(
            "State(round={}, time={}, rounds={:?}, position={})",
            self.round, self.time, self.rounds, self.position
        )
    }
}

/// What an agent may know of the scenario: its own preferences (utility,
/// red lines, reservation value, discount), its outcomes sorted by its own
/// utility, and the issues. Other parties' preferences are not in it.
#[pyclass(frozen, module = "detente._native", name = "AgentView")]
pub struct AgentView {
    scenario: Arc<Scenario>,
    party: PartyId,
    own: Arc<OwnSpace>,
    codec: Arc<Codec>,
}

impl AgentView {
    fn outcome(&self, outcome: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
        self.codec.read(outcome).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("not an outcome of the scenario: {e}"))
        })
    }
}

#[pymethods]
impl AgentView {
    /// My party's name.
    #[getter]
    fn party(&self) -> &str {
        &self.scenario.parties()[self.party.index()].name
    }

    /// The issues' names, in order.
    #[getter]
    fn issues(&self) -> Vec<String> {
        self.scenario
            .issues()
            .iter()
            .map(|i| i.name.clone())
            .collect()
    }

    /// Every issue's values (option names, or numbers), in value-index order.
    fn values<'py>(&self, py: Python<'py>, issue: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let id = self.scenario.issue_id(issue).ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err(format!(
                "no issue `{issue}`; the issues are: {}",
                self.issues().join(", ")
            ))
        })?;
        let n = self.scenario.issues()[id.index()].cardinality();
        Ok((0..n)
            .map(|v| self.codec.value(py, id.index(), v))
            .collect())
    }

    /// My reservation value (what walking away is worth).
    #[getter]
    fn reservation(&self) -> f64 {
        self.scenario.reservation(self.party)
    }

    /// My discount factor (1 when I do not discount).
    #[getter]
    fn discount(&self) -> f64 {
        self.scenario.parties()[self.party.index()]
            .preferences
            .discount
            .min(1.0)
    }

    /// My undiscounted utility of an outcome.
    fn utility(&self, outcome: &Bound<'_, PyAny>) -> PyResult<f64> {
        Ok(self
            .scenario
            .utility_of(self.party, &self.outcome(outcome)?))
    }

    /// True when an outcome crosses none of my red lines and is worth at
    /// least my reservation value.
    fn acceptable(&self, outcome: &Bound<'_, PyAny>) -> PyResult<bool> {
        let o = self.outcome(outcome)?;
        Ok(!self.scenario.red_lines(self.party).crossed(&o)
            && self.scenario.utility_of(self.party, &o) >= self.reservation())
    }

    /// My best acceptable outcome (my best outcome when none is acceptable).
    fn best<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let i = self
            .own
            .best_acceptable()
            .unwrap_or(self.own.len().saturating_sub(1));
        self.codec.to_dict(py, self.own.outcome(i))
    }

    /// The acceptable outcome worth the least to me among those worth at
    /// least `target` (what a conceding agent offers), or `None`.
    fn at_least<'py>(&self, py: Python<'py>, target: f64) -> PyResult<Option<Bound<'py, PyDict>>> {
        self.own
            .worst_acceptable_at_least(target)
            .map(|i| self.codec.to_dict(py, self.own.outcome(i)))
            .transpose()
    }

    /// The number of my sorted outcomes (all outcomes, or a sample of a
    /// space too large to sort).
    fn __len__(&self) -> usize {
        self.own.len()
    }

    /// My outcome at sorted position `i` (0 is my worst), as a dict.
    fn nth<'py>(&self, py: Python<'py>, i: usize) -> PyResult<Bound<'py, PyDict>> {
        if i >= self.own.len() {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!(
                "position {i} is beyond my {} sorted outcomes",
                self.own.len()
            )));
        }
        self.codec.to_dict(py, self.own.outcome(i))
    }

    /// My highest and lowest utility.
    #[getter]
    fn utility_range(&self) -> (f64, f64) {
        (self.own.min(), self.own.max())
    }
}

/// The three answers to an offer, as the Python package defines them.
pub struct Responses {
    /// `detente.ACCEPT`.
    pub accept: Py<PyAny>,
    /// `detente.REJECT`.
    pub reject: Py<PyAny>,
    /// `detente.END`.
    pub end: Py<PyAny>,
}

/// What every Python agent of a session shares: the scenario's Python
/// objects, the three responses, the parties' names, the step budget.
pub struct Table {
    /// The scenario's outcomes in and out of Python.
    pub codec: Arc<Codec>,
    /// `detente.ACCEPT`, `REJECT`, `END`.
    pub responses: Responses,
    /// Every party's name, as Python strings.
    pub names: Vec<Py<PyString>>,
    /// The step budget (zero: none).
    pub budget: Duration,
}

/// An agent written in Python, as a [`Strategy`].
pub struct PyAgent {
    obj: Py<PyAny>,
    table: Arc<Table>,
    view: Option<Py<AgentView>>,
    party: PartyId,
    own: Arc<OwnSpace>,
    observes: bool,
    started: bool,
}

impl PyAgent {
    /// Wraps `obj` (an instance of `detente.Agent`, or any object with its
    /// methods) to play `party`.
    pub fn new(
        py: Python<'_>,
        obj: Py<PyAny>,
        table: Arc<Table>,
        party: PartyId,
        own: Arc<OwnSpace>,
    ) -> PyAgent {
        let observes = obj
            .bind(py)
            .getattr(intern!(py, "_detente_observes"))
            .and_then(|v| v.is_truthy())
            .unwrap_or(false);
        PyAgent {
            obj,
            table,
            view: None,
            party,
            own,
            observes,
            started: false,
        }
    }

    /// Ends the session with the Python exception as the failure.
    fn raised(py: Python<'_>, err: PyErr) -> ! {
        let name = err
            .get_type(py)
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "an exception".to_string());
        let text = err
            .value(py)
            .str()
            .map(|s| s.to_string())
            .unwrap_or_default();
        let message = if text.is_empty() {
            name
        } else {
            format!("{name}: {text}")
        };
        fail(FailureKind::Error { message })
    }

    fn unreadable(detail: String) -> ! {
        fail(FailureKind::IllegalAction {
            what: IllegalAction::Unreadable { detail },
        })
    }

    /// Calls `f` with the GIL, timing it against the step budget, after
    /// handing the agent its view on the first call.
    fn call<T>(&mut self, f: impl FnOnce(&mut Self, Python<'_>) -> T) -> T {
        Python::attach(|py| {
            let start = Instant::now();
            if !self.started {
                self.started = true;
                let view = AgentView {
                    scenario: Arc::clone(self.table.codec.scenario()),
                    party: self.party,
                    own: Arc::clone(&self.own),
                    codec: Arc::clone(&self.table.codec),
                };
                let view = Py::new(py, view).unwrap_or_else(|e| Self::raised(py, e));
                if let Err(e) =
                    self.obj
                        .call_method1(py, intern!(py, "_detente_start"), (view.clone_ref(py),))
                {
                    Self::raised(py, e);
                }
                self.view = Some(view);
            }
            let value = f(self, py);
            if !self.table.budget.is_zero() && start.elapsed() > self.table.budget {
                fail(FailureKind::OverBudget {
                    budget_ms: u64::try_from(self.table.budget.as_millis()).unwrap_or(u64::MAX),
                });
            }
            value
        })
    }

    fn state<'py>(
        &self,
        py: Python<'py>,
        ctx: &Context<'_>,
        offer_by: Option<PartyId>,
    ) -> Bound<'py, State> {
        let position = ctx
            .participants
            .iter()
            .position(|&p| p == ctx.me)
            .unwrap_or(0);
        let state = State {
            round: ctx.round,
            time: ctx.time,
            rounds: ctx.total_rounds,
            position,
            parties: ctx.participants.len(),
            offer_by: offer_by.map(|p| self.table.names[p.index()].clone_ref(py)),
        };
        Bound::new(py, state).unwrap_or_else(|e| Self::raised(py, e))
    }

    fn outcome<'py>(&self, py: Python<'py>, outcome: &[u32]) -> Bound<'py, PyDict> {
        self.table
            .codec
            .to_dict(py, outcome)
            .unwrap_or_else(|e| Self::raised(py, e))
    }

    fn yes_no(answer: PyResult<Bound<'_, PyAny>>, what: &str, py: Python<'_>) -> bool {
        let answer = answer.unwrap_or_else(|e| Self::raised(py, e));
        match answer.cast::<pyo3::types::PyBool>() {
            Ok(b) => b.is_true(),
            Err(_) => Self::unreadable(format!(
                "`{what}` returned {}, where True or False was expected",
                repr(&answer)
            )),
        }
    }
}

impl Strategy for PyAgent {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        self.call(|me, py| {
            let state = me.state(py, ctx, standing.map(|s| s.by));
            if let Some(s) = standing {
                let o = me.outcome(py, s.outcome);
                let answer = me
                    .obj
                    .bind(py)
                    .call_method1(intern!(py, "respond"), (&state, o))
                    .unwrap_or_else(|e| Self::raised(py, e));
                let r = &me.table.responses;
                if answer.is(r.accept.bind(py)) {
                    return Decision::Accept;
                } else if answer.is(r.end.bind(py)) {
                    return Decision::EndNegotiation;
                } else if !answer.is(r.reject.bind(py)) {
                    Self::unreadable(format!(
                        "`respond` returned {}, where detente.ACCEPT, detente.REJECT or detente.END was expected",
                        repr(&answer)
                    ));
                }
            }
            let proposal = me
                .obj
                .bind(py)
                .call_method1(intern!(py, "propose"), (&state,))
                .unwrap_or_else(|e| Self::raised(py, e));
            if proposal.is(me.table.responses.end.bind(py)) || proposal.is_none() {
                return Decision::EndNegotiation;
            }
            if let Err(detail) = me.table.codec.read_into(&proposal, offer) {
                Self::unreadable(format!(
                    "`propose` returned {}, which is not an outcome of the scenario: {detail}",
                    repr(&proposal)
                ));
            }
            Decision::Offer
        })
    }

    fn observe(&mut self, ctx: &Context<'_>, event: Observed<'_>) {
        if !self.observes {
            return;
        }
        self.call(|me, py| {
            let state = me.state(py, ctx, Some(event.by));
            let action = match event.decision {
                Decision::Offer => intern!(py, "offer"),
                Decision::Accept => intern!(py, "accept"),
                Decision::EndNegotiation => intern!(py, "end"),
            };
            let o = me.outcome(py, event.outcome);
            let by = me.table.names[event.by.index()].bind(py);
            if let Err(e) = me
                .obj
                .bind(py)
                .call_method1(intern!(py, "observe"), (&state, by, action, o))
            {
                Self::raised(py, e);
            }
        })
    }

    fn wants_observations(&self) -> bool {
        self.observes
    }

    fn vote(&mut self, ctx: &Context<'_>, text: &[u32], proposal: &[u32]) -> bool {
        self.call(|me, py| {
            let state = me.state(py, ctx, None);
            let answer = me.obj.bind(py).call_method1(
                intern!(py, "vote"),
                (&state, me.outcome(py, text), me.outcome(py, proposal)),
            );
            Self::yes_no(answer, "vote", py)
        })
    }

    fn accept_final(&mut self, ctx: &Context<'_>, text: &[u32]) -> bool {
        self.call(|me, py| {
            let state = me.state(py, ctx, None);
            let answer = me
                .obj
                .bind(py)
                .call_method1(intern!(py, "accept_final"), (&state, me.outcome(py, text)));
            Self::yes_no(answer, "accept_final", py)
        })
    }
}

/// Registers the classes an agent sees.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<State>()?;
    m.add_class::<AgentView>()?;
    let _ = AgentView::type_object(m.py());
    Ok(())
}
