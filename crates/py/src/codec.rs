//! Outcomes between Python and the engine: a Python outcome is a dict
//! `issue -> value` (or a tuple or list of values in issue order, as NegMAS
//! writes outcomes); a value is the option's name for a categorical issue and
//! a number otherwise. The engine's outcomes are value indices.

use detente_core::{IssueKind, Scenario};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::sync::Arc;

/// Why a Python value is not an outcome of the scenario: a clause such as
/// "'free' is not a number, and issue `price` takes numbers", which callers
/// put after what was read.
#[derive(Debug, Clone, PartialEq)]
pub struct NotAnOutcome(pub String);

impl std::fmt::Display for NotAnOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A [`NotAnOutcome`] from a format string.
macro_rules! not_outcome {
    ($($arg:tt)*) => {
        NotAnOutcome(format!($($arg)*))
    };
}

/// The Python objects of a scenario's issues and options, made once so
/// that turning an outcome into a dict allocates only the dict.
pub struct Codec {
    scenario: Arc<Scenario>,
    /// Every issue's name.
    names: Vec<Py<PyString>>,
    /// Categorical issues: every option's name, by value index.
    labels: Vec<Option<Vec<Py<PyString>>>>,
    /// Categorical issues: option name -> value index.
    lookup: Vec<Option<Py<PyDict>>>,
}

impl Codec {
    /// Makes the Python objects of `scenario`'s issues.
    pub fn new(py: Python<'_>, scenario: Arc<Scenario>) -> PyResult<Codec> {
        let mut names = Vec::new();
        let mut labels = Vec::new();
        let mut lookup = Vec::new();
        for issue in scenario.issues() {
            names.push(PyString::new(py, &issue.name).unbind());
            match &issue.kind {
                IssueKind::Categorical { options, .. } => {
                    let strings: Vec<Py<PyString>> = options
                        .iter()
                        .map(|o| PyString::new(py, o).unbind())
                        .collect();
                    let d = PyDict::new(py);
                    for (i, s) in strings.iter().enumerate() {
                        d.set_item(s, i)?;
                    }
                    labels.push(Some(strings));
                    lookup.push(Some(d.unbind()));
                }
                _ => {
                    labels.push(None);
                    lookup.push(None);
                }
            }
        }
        Ok(Codec {
            scenario,
            names,
            labels,
            lookup,
        })
    }

    /// The scenario these objects are of.
    pub fn scenario(&self) -> &Arc<Scenario> {
        &self.scenario
    }

    /// The Python value of issue `i` at value index `v`.
    pub fn value<'py>(&self, py: Python<'py>, i: usize, v: u32) -> Bound<'py, PyAny> {
        if let Some(labels) = &self.labels[i] {
            return labels[v as usize].bind(py).clone().into_any();
        }
        let issue = &self.scenario.issues()[i];
        let x = issue.numeric_value(v).unwrap_or(f64::NAN);
        match issue.kind {
            IssueKind::Integer { .. } => (x as i64)
                .into_pyobject(py)
                .map_or_else(|_| PyFloat::new(py, x).into_any(), |n| n.into_any()),
            _ => PyFloat::new(py, x).into_any(),
        }
    }

    /// An outcome as a dict `issue -> value`, in issue order.
    pub fn to_dict<'py>(&self, py: Python<'py>, outcome: &[u32]) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (i, &v) in outcome.iter().enumerate() {
            d.set_item(self.names[i].bind(py), self.value(py, i, v))?;
        }
        Ok(d)
    }

    /// The value index of `value` for issue `i`, or a clause saying what is
    /// wrong with it. (Messages say why a Python value is not an outcome;
    /// callers prefix what was read.)
    fn index_of(&self, i: usize, value: &Bound<'_, PyAny>) -> Result<u32, NotAnOutcome> {
        let issue = &self.scenario.issues()[i];
        if let Some(lookup) = &self.lookup[i] {
            let found = lookup
                .bind(value.py())
                .get_item(value)
                .ok()
                .flatten()
                .and_then(|v| v.extract::<u32>().ok());
            return found.ok_or_else(|| {
                not_outcome!("{} is not an option of issue `{}`", repr(value), issue.name)
            });
        }
        let number = if value.is_instance_of::<PyBool>() {
            None
        } else if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
            value.extract::<f64>().ok()
        } else {
            None
        };
        let Some(x) = number else {
            return Err(not_outcome!(
                "{} is not a number, and issue `{}` takes numbers",
                repr(value),
                issue.name
            ));
        };
        issue.numeric_index(x).ok_or_else(|| {
            not_outcome!(
                "{} is not a value of issue `{}` (it takes {} to {} on its grid)",
                repr(value),
                issue.name,
                issue.value_label(0),
                issue.value_label(issue.cardinality() - 1)
            )
        })
    }

    /// Reads a Python outcome into `out` (one value index per issue), or
    /// says what is wrong with it.
    pub fn read_into(
        &self,
        outcome: &Bound<'_, PyAny>,
        out: &mut [u32],
    ) -> Result<(), NotAnOutcome> {
        let n = self.names.len();
        if let Ok(d) = outcome.cast::<PyDict>() {
            if d.len() != n {
                return Err(not_outcome!(
                    "it gives {} values, where the scenario has {n} issues ({})",
                    d.len(),
                    self.issue_list()
                ));
            }
            for (i, name) in self.names.iter().enumerate() {
                let value = d
                    .get_item(name.bind(outcome.py()))
                    .ok()
                    .flatten()
                    .ok_or_else(|| {
                        not_outcome!(
                            "it gives no value for issue `{}` (the issues are {})",
                            self.scenario.issues()[i].name,
                            self.issue_list()
                        )
                    })?;
                out[i] = self.index_of(i, &value)?;
            }
            return Ok(());
        }
        let items: Vec<Bound<'_, PyAny>> = if let Ok(t) = outcome.cast::<PyTuple>() {
            t.iter().collect()
        } else if let Ok(l) = outcome.cast::<PyList>() {
            l.iter().collect()
        } else {
            return Err(not_outcome!(
                "a {} is neither a dict issue -> value nor a tuple of values in issue order",
                outcome
                    .get_type()
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_default()
            ));
        };
        if items.len() != n {
            return Err(not_outcome!(
                "it gives {} values, where the scenario has {n} issues ({})",
                items.len(),
                self.issue_list()
            ));
        }
        for (i, value) in items.iter().enumerate() {
            out[i] = self.index_of(i, value)?;
        }
        Ok(())
    }

    /// Reads a Python outcome as value indices.
    pub fn read(&self, outcome: &Bound<'_, PyAny>) -> Result<Vec<u32>, NotAnOutcome> {
        let mut out = vec![0; self.names.len()];
        self.read_into(outcome, &mut out)?;
        Ok(out)
    }

    fn issue_list(&self) -> String {
        self.scenario
            .issues()
            .iter()
            .map(|i| i.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// A short `repr` of a Python value for messages (at most 80 characters).
pub fn repr(value: &Bound<'_, PyAny>) -> String {
    let text = value
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "an unprintable value".to_string());
    if text.chars().count() > 80 {
        let cut: String = text.chars().take(77).collect();
        format!("{cut}...")
    } else {
        text
    }
}
