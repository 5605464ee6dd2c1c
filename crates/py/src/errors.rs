//! Rust errors as Python exceptions. Every exception is a `DetenteError`;
//! the subclasses say which part refused, and every instance carries
//! `problems`: a list of dicts `{file, line, column, message}` (positions
//! are `None` where the error has none), with `file`, `line` and `column`
//! of the first problem also as attributes, as the CLI prints them.

use detente_formats::{FormatError, Location};
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyDict;

pyo3::create_exception!(
    _native,
    DetenteError,
    PyException,
    "Base class of every error detente raises."
);
pyo3::create_exception!(
    _native,
    FormatError_,
    DetenteError,
    "A file or text that could not be read as a scenario (every problem, with its file, line and column)."
);
pyo3::create_exception!(
    _native,
    ScenarioError,
    DetenteError,
    "A scenario, proposal, party or outcome that does not fit the model."
);
pyo3::create_exception!(
    _native,
    AnalysisError,
    DetenteError,
    "An analysis refused or stopped (over a limit, a method that does not apply)."
);
pyo3::create_exception!(
    _native,
    NegotiationError,
    DetenteError,
    "A negotiation that cannot be set up (protocol, strategies, deadline, budgets)."
);
pyo3::create_exception!(
    _native,
    TournamentError,
    DetenteError,
    "A tournament whose configuration, store or run failed."
);
pyo3::create_exception!(
    _native,
    WriteError,
    DetenteError,
    "An output that could not be written."
);

/// Adds the exception classes to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("DetenteError", py.get_type::<DetenteError>())?;
    m.add("FormatError", py.get_type::<FormatError_>())?;
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("AnalysisError", py.get_type::<AnalysisError>())?;
    m.add("NegotiationError", py.get_type::<NegotiationError>())?;
    m.add("TournamentError", py.get_type::<TournamentError>())?;
    m.add("WriteError", py.get_type::<WriteError>())?;
    Ok(())
}

/// One problem: where (when known) and what.
struct Problem {
    file: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    message: String,
}

impl Problem {
    fn at(at: &Location, message: &str) -> Problem {
        Problem {
            file: Some(at.file.clone()),
            line: at.line,
            column: at.column,
            message: message.to_string(),
        }
    }

    fn whole(message: String) -> Problem {
        Problem {
            file: None,
            line: None,
            column: None,
            message,
        }
    }
}

/// Builds an exception of class `E` with the message and the problems.
fn raise<E: pyo3::PyTypeInfo>(message: String, problems: Vec<Problem>) -> PyErr {
    Python::attach(|py| {
        let err = PyErr::new::<E, _>(message);
        let value = err.value(py);
        let list: Vec<Bound<'_, PyDict>> = problems
            .iter()
            .map(|p| {
                let d = PyDict::new(py);
                // Setting items on a fresh dict cannot fail but for memory.
                let _ = d.set_item("file", &p.file);
                let _ = d.set_item("line", p.line);
                let _ = d.set_item("column", p.column);
                let _ = d.set_item("message", &p.message);
                d
            })
            .collect();
        let first = problems.first();
        let _ = value.setattr("file", first.and_then(|p| p.file.clone()));
        let _ = value.setattr("line", first.and_then(|p| p.line));
        let _ = value.setattr("column", first.and_then(|p| p.column));
        let _ = value.setattr("problems", list);
        err
    })
}

/// A format error: every problem with its position.
pub fn format(e: FormatError) -> PyErr {
    let message = e.to_string();
    let problems = match &e {
        FormatError::Invalid { problems } => problems
            .iter()
            .map(|p| Problem::at(&p.at, &p.message))
            .collect(),
        FormatError::At { at, message } => vec![Problem::at(at, message)],
        FormatError::Io { path, error } => vec![Problem {
            file: Some(path.clone()),
            line: None,
            column: None,
            message: error.to_string(),
        }],
        FormatError::Unusable { path, message } => vec![Problem {
            file: Some(path.clone()),
            line: None,
            column: None,
            message: message.clone(),
        }],
    };
    raise::<FormatError_>(message, problems)
}

/// An error of the model (a scenario, a proposal, an outcome).
pub fn scenario(e: impl std::fmt::Display) -> PyErr {
    let message = e.to_string();
    raise::<ScenarioError>(message.clone(), vec![Problem::whole(message)])
}

/// An analysis refused or stopped.
pub fn analysis(e: impl std::fmt::Display) -> PyErr {
    let message = e.to_string();
    raise::<AnalysisError>(message.clone(), vec![Problem::whole(message)])
}

/// A negotiation that cannot be set up.
pub fn negotiation(e: impl std::fmt::Display) -> PyErr {
    let message = e.to_string();
    raise::<NegotiationError>(message.clone(), vec![Problem::whole(message)])
}

/// A tournament whose configuration, store or run failed.
pub fn tournament(e: impl std::fmt::Display) -> PyErr {
    let message = e.to_string();
    raise::<TournamentError>(message.clone(), vec![Problem::whole(message)])
}

/// An output that could not be written.
pub fn write(e: impl std::fmt::Display) -> PyErr {
    let message = e.to_string();
    raise::<WriteError>(message.clone(), vec![Problem::whole(message)])
}
