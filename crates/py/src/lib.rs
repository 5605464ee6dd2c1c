//! The native half of the `detente` Python package (`detente._native`):
//! thin conversions between Python objects and the engines. The rules
//! (names, defaults, limits, the JSON form of results) live in the library
//! crates; the typed Python layer is in `crates/py/python/detente`.

mod agent;
mod codec;
mod errors;
mod negotiate;
mod scenario;
mod stepper;
mod tournament;

use pyo3::prelude::*;

/// The protocols, as `(name, description)` in the order users see them.
#[pyfunction]
fn protocols() -> Vec<(&'static str, &'static str)> {
    detente_negotiation::ProtocolKind::ALL
        .iter()
        .map(|p| (p.as_str(), p.description()))
        .collect()
}

/// The strategies, as the JSON of `detente strategies --json`.
#[pyfunction]
fn strategies() -> PyResult<String> {
    scenario::json(&detente_results::strategies(
        &detente_negotiation::listed_strategies(),
    ))
}

/// The JSON Schema of every result, as `detente schema --results` prints it.
#[pyfunction]
fn results_schema() -> PyResult<String> {
    scenario::json(&detente_results::schema())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    agent::register(m)?;
    m.add_class::<scenario::NativeScenario>()?;
    m.add_class::<stepper::Stepper>()?;
    m.add_function(wrap_pyfunction!(scenario::load, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::from_text, m)?)?;
    m.add_function(wrap_pyfunction!(scenario::scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(negotiate::negotiate, m)?)?;
    m.add_function(wrap_pyfunction!(tournament::tournament, m)?)?;
    m.add_function(wrap_pyfunction!(tournament::tournament_report, m)?)?;
    m.add_function(wrap_pyfunction!(protocols, m)?)?;
    m.add_function(wrap_pyfunction!(strategies, m)?)?;
    m.add_function(wrap_pyfunction!(results_schema, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    // The defaults the Python signatures show, from the crates that own them.
    m.add("DEFAULT_ROUNDS", detente_negotiation::DEFAULT_ROUNDS)?;
    m.add(
        "DEFAULT_STEP_BUDGET_MS",
        detente_negotiation::DEFAULT_STEP_BUDGET_MS,
    )?;
    m.add(
        "DEFAULT_MEMORY_BUDGET_MIB",
        detente_negotiation::DEFAULT_MEMORY_BUDGET >> 20,
    )?;
    m.add("ENUMERATION_LIMIT", detente_analysis::ENUMERATION_LIMIT)?;
    m.add("SEARCH_NODES", detente_analysis::MAX_SEARCH_NODES)?;
    m.add(
        "MAX_FRONTIER",
        detente_analysis::Budget::MAX_FRONTIER_POINTS,
    )?;
    m.add(
        "REPAIRS",
        detente_analysis::RepairOptions::default().max_repairs,
    )?;
    m.add("ROBUST_WORK_LIMIT", detente_analysis::ROBUST_WORK_LIMIT)?;
    Ok(())
}
