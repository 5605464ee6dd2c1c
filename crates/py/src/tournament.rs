//! `tournament`: a tournament between built-in strategies and agents
//! written in Python, through the tournament engine (the same plan, seeds,
//! SQLite store, resume and shards as `detente tournament run`).
//!
//! The engine runs matches on rayon's threads with the GIL released; a
//! match with a Python agent takes the GIL only for that agent's calls, so
//! built-in strategies go on in parallel while Python code runs one call
//! at a time.

use crate::agent::{PyAgent, Responses, Table};
use crate::codec::Codec;
use crate::errors;
use crate::scenario::json;
use detente_core::{PartyId, Scenario};
use detente_negotiation as neg;
use detente_tournament::{NegotiationRunner, RunnerError, Shard, Store, StrategySource};
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

/// A scenario's Python objects: its codec and its parties' names.
type Objects = Arc<(Arc<Codec>, Vec<Py<PyString>>)>;

/// Agents written in Python, by the names the configuration lists: each a
/// factory (a class, or any callable) that makes a fresh agent per match.
struct PySource {
    factories: BTreeMap<String, Py<PyAny>>,
    responses: Arc<(Py<PyAny>, Py<PyAny>, Py<PyAny>)>,
    /// The Python objects of each scenario the engine runs (by address:
    /// the engine keeps every scenario alive for the whole run).
    tables: Mutex<HashMap<usize, Objects>>,
}

impl PySource {
    fn objects(&self, py: Python<'_>, scenario: &Scenario) -> PyResult<Objects> {
        let key = scenario as *const Scenario as usize;
        // A poisoned lock only means another match's set-up panicked; the
        // map itself is whole.
        let mut tables = self.tables.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(t) = tables.get(&key) {
            return Ok(Arc::clone(t));
        }
        let codec = Codec::new(py, Arc::new(scenario.clone()))?;
        let names = scenario
            .parties()
            .iter()
            .map(|p| PyString::new(py, &p.name).unbind())
            .collect();
        let t = Arc::new((Arc::new(codec), names));
        tables.insert(key, Arc::clone(&t));
        Ok(t)
    }
}

impl StrategySource for PySource {
    fn knows(&self, name: &str) -> bool {
        self.factories.contains_key(name)
    }

    fn build(
        &self,
        name: &str,
        scenario: &Scenario,
        prepared: &neg::Prepared,
        party: PartyId,
        seed: u64,
        config: &neg::SessionConfig,
    ) -> Result<Box<dyn neg::Strategy>, RunnerError> {
        Python::attach(|py| {
            let factory = &self.factories[name];
            let agent = factory
                .call0(py)
                .map_err(|e| format!("making agent `{name}` raised {e}"))?;
            let _ = agent.bind(py).setattr(pyo3::intern!(py, "seed"), seed);
            let own = prepared
                .shared(party)
                .ok_or_else(|| format!("party {} does not bargain", party.index()))?;
            let objects = self.objects(py, scenario)?;
            let table = Arc::new(Table {
                codec: Arc::clone(&objects.0),
                responses: Responses {
                    accept: self.responses.0.clone_ref(py),
                    reject: self.responses.1.clone_ref(py),
                    end: self.responses.2.clone_ref(py),
                },
                names: objects.1.iter().map(|n| n.clone_ref(py)).collect(),
                budget: config.step_budget,
            });
            Ok(Box::new(PyAgent::new(py, agent, table, party, own)) as Box<dyn neg::Strategy>)
        })
    }
}

/// Runs (or resumes) the tournament of a TOML configuration into the
/// database `db` (the configuration as JSON text when `is_json`); returns
/// the JSON of `detente tournament run --json`.
/// `base` is the folder relative scenario paths start from.
#[pyfunction]
#[pyo3(signature = (config_text, config_name, is_json, base, db, agents, shard, responses))]
// One argument per keyword of the Python function.
#[allow(clippy::too_many_arguments)]
pub fn tournament(
    py: Python<'_>,
    config_text: &str,
    config_name: &str,
    is_json: bool,
    base: &str,
    db: &str,
    agents: BTreeMap<String, Py<PyAny>>,
    shard: Option<String>,
    responses: (Py<PyAny>, Py<PyAny>, Py<PyAny>),
) -> PyResult<String> {
    let config = if is_json {
        detente_tournament::parse_config_json(config_text, config_name)
    } else {
        detente_tournament::parse_config(config_text, config_name)
    }
    .map_err(errors::tournament)?;
    let parsed_shard = shard
        .as_deref()
        .map(Shard::from_str)
        .transpose()
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    for (name, factory) in &agents {
        if !factory.bind(py).is_callable() {
            return Err(pyo3::exceptions::PyTypeError::new_err(format!(
                "agent `{name}` must be a class or a callable that makes a fresh agent for each match"
            )));
        }
    }
    let source = PySource {
        factories: agents,
        responses: Arc::new(responses),
        tables: Mutex::new(HashMap::new()),
    };
    let runner = NegotiationRunner {
        extra: Some(&source),
    };
    let db_path = Path::new(db);
    let summary = py
        .detach(|| {
            detente_tournament::run(
                &config,
                Path::new(base),
                db_path,
                parsed_shard,
                &runner,
                |_| {},
            )
        })
        .map_err(errors::tournament)?;
    json(&detente_results::TournamentRun {
        planned: summary.planned,
        ran: summary.ran,
        already_stored: summary.skipped,
        failures: summary.failures,
        db: db.to_string(),
        shard,
    })
}

/// The ranking of a results database, as `detente tournament report --json`.
#[pyfunction]
pub fn tournament_report(py: Python<'_>, db: &str) -> PyResult<String> {
    let path = Path::new(db);
    if !path.exists() {
        return Err(errors::tournament(format!("{db}: no such database")));
    }
    let report = py
        .detach(|| {
            let store = Store::open_read_only(path)?;
            detente_tournament::report(&store)
        })
        .map_err(errors::tournament)?;
    json(&report)
}
