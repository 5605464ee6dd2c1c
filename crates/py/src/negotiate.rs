//! `negotiate`: one session between built-in strategies and agents written
//! in Python, through the same set-up rules as `detente negotiate` and the
//! same session driver.

use crate::agent::{PyAgent, Responses, Table};
use crate::errors;
use crate::scenario::{NativeScenario, json};
use detente_analysis::{Analysis, Options, analyze};
use detente_core::{PartyId, Scenario};
use detente_negotiation::strategy::Strategy;
use detente_negotiation::{
    Deadline, Prepared, ProtocolKind, SessionConfig, StrategySpec, assign_strategies, check_setup,
    party_slots, prepare, run_session_with, strategy, strategy_seed,
};
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// What a caller gives for one party: a built-in strategy, an agent
/// object (with its name), or nothing (the party's default).
pub(crate) enum Given {
    Spec(StrategySpec),
    Agent(Py<PyAny>, String),
    Default,
}

/// Reads one entry of an `agents` list: `None`, a strategy's name (parsed
/// and checked by the negotiation crate), or an object with an agent's
/// methods.
pub(crate) fn read_given(py: Python<'_>, agent: &Bound<'_, PyAny>) -> PyResult<Given> {
    if agent.is_none() {
        return Ok(Given::Default);
    }
    if let Ok(text) = agent.cast::<PyString>() {
        let spec = text
            .to_cow()?
            .parse::<StrategySpec>()
            .map_err(errors::negotiation)?;
        detente_negotiation::validate_strategy(&spec).map_err(errors::negotiation)?;
        return Ok(Given::Spec(spec));
    }
    for method in ["propose", "respond", "_detente_start"] {
        if !agent.hasattr(method)? {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "an agent is a strategy name (str), an instance of detente.Agent, or None; {} has no `{method}` method",
                crate::codec::repr(agent)
            )));
        }
    }
    let name = agent
        .getattr(pyo3::intern!(py, "name"))
        .and_then(|n| n.extract::<String>())
        .unwrap_or_else(|_| "python".to_string());
    Ok(Given::Agent(agent.clone().unbind(), name))
}

/// Who plays each party: a built-in strategy for every party (the
/// defaults where none is given) and the Python agents that replace some.
pub(crate) struct Lineup {
    /// One strategy per party, in scenario order.
    pub specs: Vec<StrategySpec>,
    /// The parties played by Python agents, with the agents' names.
    pub agents: BTreeMap<PartyId, (Py<PyAny>, String)>,
}

impl Lineup {
    /// Reads what the caller gave (one entry per party, or one per
    /// bargaining party; the negotiation crate's rules).
    pub fn read(py: Python<'_>, s: &Scenario, agents: &[Bound<'_, PyAny>]) -> PyResult<Lineup> {
        let given: Vec<Given> = agents
            .iter()
            .map(|a| read_given(py, a))
            .collect::<PyResult<_>>()?;
        let specs_given: Vec<Option<StrategySpec>> = given
            .iter()
            .map(|g| match g {
                Given::Spec(spec) => Some(spec.clone()),
                _ => None,
            })
            .collect();
        let specs = assign_strategies(s, &specs_given, &[]).map_err(errors::negotiation)?;
        let mut objects = BTreeMap::new();
        if !given.is_empty() {
            let slots = party_slots(s, given.len()).map_err(errors::negotiation)?;
            for (p, g) in slots.into_iter().zip(given) {
                if let Given::Agent(obj, name) = g {
                    if !s.bargainers().contains(&p) {
                        return Err(errors::negotiation(format!(
                            "party `{}` does not bargain (it is an observer or a mediator), so it cannot be given an agent",
                            s.parties()[p.index()].name
                        )));
                    }
                    objects.insert(p, (obj, name));
                }
            }
        }
        Ok(Lineup {
            specs,
            agents: objects,
        })
    }

    /// Every party's strategy as results name it.
    fn labels(&self) -> Vec<String> {
        (0..self.specs.len())
            .map(|p| match self.agents.get(&PartyId(p as u32)) {
                Some((_, name)) => name.clone(),
                None => self.specs[p].to_string(),
            })
            .collect()
    }

    /// One strategy per bargaining party, Python agents wrapped.
    fn build(
        &self,
        py: Python<'_>,
        s: &Scenario,
        prepared: &Prepared,
        seed: u64,
        table: &Arc<Table>,
    ) -> PyResult<Vec<Box<dyn Strategy>>> {
        s.bargainers()
            .into_iter()
            .map(|p| match self.agents.get(&p) {
                Some((obj, _)) => {
                    let own = prepared.shared(p).ok_or_else(|| {
                        errors::negotiation("a Python agent needs a bargaining party")
                    })?;
                    let agent = PyAgent::new(py, obj.clone_ref(py), Arc::clone(table), p, own);
                    Ok(Box::new(agent) as Box<dyn Strategy>)
                }
                None => strategy::build(&self.specs[p.index()], strategy_seed(seed, p))
                    .map_err(errors::negotiation),
            })
            .collect()
    }
}

/// What every Python agent of a session shares.
pub(crate) fn table(
    py: Python<'_>,
    scenario: &NativeScenario,
    responses: (Py<PyAny>, Py<PyAny>, Py<PyAny>),
    budget: Duration,
) -> Arc<Table> {
    Arc::new(Table {
        codec: Arc::clone(&scenario.codec),
        responses: Responses {
            accept: responses.0,
            reject: responses.1,
            end: responses.2,
        },
        names: scenario
            .inner
            .parties()
            .iter()
            .map(|p| PyString::new(py, &p.name).unbind())
            .collect(),
        budget,
    })
}

/// A session's settings from the Python keywords (the default protocol is
/// the negotiation crate's), checked as every session is.
// One argument per keyword of the Python functions that take them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn session_config(
    s: &Scenario,
    protocol: Option<&str>,
    rounds: u32,
    seconds: Option<f64>,
    seed: u64,
    step_budget_ms: u64,
    memory_budget_mib: u64,
    trace: bool,
) -> PyResult<SessionConfig> {
    let config = SessionConfig {
        protocol: match protocol {
            Some(name) => name.parse::<ProtocolKind>().map_err(errors::negotiation)?,
            None => ProtocolKind::default_for(s),
        },
        deadline: match seconds {
            Some(seconds) => Deadline::Time { seconds },
            None => Deadline::Rounds(rounds),
        },
        seed,
        record_trace: trace,
        step_budget: Duration::from_millis(step_budget_ms),
        memory_budget: memory_budget_mib.saturating_mul(1 << 20),
    };
    check_setup(s, &config).map_err(errors::negotiation)?;
    Ok(config)
}

/// Every party's sorted outcomes and the reference analysis behind the
/// distances to the frontier (or why it was left out), with the GIL
/// released.
pub(crate) fn prepare_with_reference(
    py: Python<'_>,
    s: &Scenario,
) -> (Prepared, Option<Analysis>, Option<String>) {
    py.detach(|| {
        let prepared = prepare(s);
        match analyze(s, &Options::reference()) {
            Ok(a) => (prepared, Some(a), None),
            Err(e) => (prepared, None, Some(e.to_string())),
        }
    })
}

/// Runs one negotiation session and returns it as the JSON of `detente
/// negotiate --json` (with its trace when `trace` is set). Without Python
/// agents the session runs with the GIL released.
#[pyfunction]
#[pyo3(signature = (scenario, agents, protocol, rounds, seconds, seed, step_budget_ms, memory_budget_mib, trace, responses))]
// One argument per keyword of the Python function.
#[allow(clippy::too_many_arguments)]
pub fn negotiate(
    py: Python<'_>,
    scenario: &NativeScenario,
    agents: Vec<Bound<'_, PyAny>>,
    protocol: Option<&str>,
    rounds: u32,
    seconds: Option<f64>,
    seed: u64,
    step_budget_ms: u64,
    memory_budget_mib: u64,
    trace: bool,
    responses: (Py<PyAny>, Py<PyAny>, Py<PyAny>),
) -> PyResult<String> {
    let s = &scenario.inner;
    let lineup = Lineup::read(py, s, &agents)?;
    let config = session_config(
        s,
        protocol,
        rounds,
        seconds,
        seed,
        step_budget_ms,
        memory_budget_mib,
        trace,
    )?;
    let (prepared, reference, skipped) = prepare_with_reference(py, s);
    let result = if lineup.agents.is_empty() {
        py.detach(|| {
            let built = s
                .bargainers()
                .into_iter()
                .map(|p| strategy::build(&lineup.specs[p.index()], strategy_seed(seed, p)))
                .collect::<Result<Vec<_>, _>>()?;
            run_session_with(s, &prepared, reference.as_ref(), &config, built)
        })
    } else {
        let table = table(py, scenario, responses, config.step_budget);
        let built = lineup.build(py, s, &prepared, seed, &table)?;
        run_session_with(s, &prepared, reference.as_ref(), &config, built)
    }
    .map_err(errors::negotiation)?;
    json(&detente_results::Negotiation {
        detected: Some(scenario.detected.clone()),
        distances_skipped: skipped,
        trace: trace.then(|| detente_results::trace(s, &result.trace)),
        ..detente_results::negotiation(s, config.protocol, &lineup.labels(), seed, &result)
    })
}
