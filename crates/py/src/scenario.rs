//! `Scenario`: a loaded scenario with its analyses, evaluations and
//! utilities. Results cross as the one JSON form of `detente-results`
//! (the same objects as the CLI's `--json`); the Python layer parses them.

use crate::codec::Codec;
use crate::errors;
use detente_analysis::{
    Budget, Disagreement, MethodChoice, Options, RepairOptions, RobustOptions, Samples,
    analyze_within, check_time, evaluate,
};
use detente_core::{PartyId, Scenario};
use detente_formats::{LoadOptions, builtin, convert, native};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::Serialize;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// A scenario, validated and compiled, as the Python package holds it.
#[pyclass(frozen, module = "detente._native", name = "NativeScenario")]
pub struct NativeScenario {
    pub(crate) inner: Arc<Scenario>,
    pub(crate) detected: String,
    pub(crate) codec: Arc<Codec>,
    /// The forecasting model the scenario's file declares, kept so that
    /// writing it as native text keeps it too.
    pub(crate) forecast: Option<detente_forecast::Model>,
}

/// A proposal as Python receives it: name, author, outcome.
type NamedProposal<'py> = (String, Option<String>, Bound<'py, pyo3::types::PyDict>);

/// JSON text of a result in the one JSON form.
pub fn json<T: Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value)
        .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
}

impl NativeScenario {
    /// Wraps a scenario, making the Python objects of its issues.
    pub fn new(
        py: Python<'_>,
        scenario: Scenario,
        detected: String,
        forecast: Option<detente_forecast::Model>,
    ) -> PyResult<NativeScenario> {
        let inner = Arc::new(scenario);
        let codec = Arc::new(Codec::new(py, Arc::clone(&inner))?);
        Ok(NativeScenario {
            inner,
            detected,
            codec,
            forecast,
        })
    }

    /// A party named by its name or its index.
    pub fn party(&self, party: &Bound<'_, PyAny>) -> PyResult<PartyId> {
        let n = self.inner.parties().len();
        if let Ok(i) = party.extract::<i64>() {
            if !party.is_instance_of::<pyo3::types::PyBool>() && (0..n as i64).contains(&i) {
                return Ok(PartyId(i as u32));
            }
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "party index {i} is out of range: the scenario has {n} parties (0 to {})",
                n - 1
            )));
        }
        let name: String = party.extract().map_err(|_| {
            pyo3::exceptions::PyTypeError::new_err(
                "a party is given by its name (str) or index (int)",
            )
        })?;
        self.inner.party_id(&name).ok_or_else(|| {
            pyo3::exceptions::PyValueError::new_err(format!(
                "no party `{name}` in the scenario; its parties are: {}",
                self.party_names().join(", ")
            ))
        })
    }

    fn party_names(&self) -> Vec<&str> {
        self.inner
            .parties()
            .iter()
            .map(|p| p.name.as_str())
            .collect()
    }

    /// Reads a Python outcome, raising `ValueError` (or `TypeError`) with
    /// what is wrong.
    pub fn outcome(&self, outcome: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
        self.codec.read(outcome).map_err(|e| {
            pyo3::exceptions::PyValueError::new_err(format!("not an outcome of the scenario: {e}"))
        })
    }
}

fn options(
    disagreement: &str,
    method: &str,
    at_time: Option<f64>,
    enumeration_limit: u64,
    search_nodes: u64,
) -> PyResult<Options> {
    let value_error =
        |e: detente_analysis::ChoiceError| pyo3::exceptions::PyValueError::new_err(e.to_string());
    Ok(Options {
        disagreement: disagreement.parse::<Disagreement>().map_err(value_error)?,
        method: method.parse::<MethodChoice>().map_err(value_error)?,
        enumeration_limit,
        at_time: at_time.map(check_time).transpose().map_err(value_error)?,
        search_node_limit: search_nodes,
    })
}

/// The robust analysis's options from Python's `(samples, seed, limit)`:
/// samples as the CLI's `--samples` reads them (a positive number or
/// `auto`), the repair threshold the library's default.
fn robust_options(
    robust: Option<(String, u64, u64)>,
    at_time: Option<f64>,
    max_repairs: usize,
) -> PyResult<Option<RobustOptions>> {
    let Some((samples, seed, work_limit)) = robust else {
        return Ok(None);
    };
    let samples = samples
        .parse::<Samples>()
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    Ok(Some(RobustOptions {
        samples,
        seed,
        threshold: detente_analysis::DEFAULT_REPAIR_THRESHOLD,
        max_repairs,
        work_limit,
        at_time,
    }))
}

#[pymethods]
impl NativeScenario {
    /// The scenario's name.
    #[getter]
    fn name(&self) -> &str {
        self.inner.name()
    }

    /// The scenario's description.
    #[getter]
    fn description(&self) -> &str {
        self.inner.description()
    }

    /// What was read (a built-in scenario, a native file, a GENIUS folder, ...).
    #[getter]
    fn detected(&self) -> &str {
        &self.detected
    }

    /// The number of outcomes (an exact integer).
    #[getter]
    fn outcome_count(&self) -> u128 {
        self.inner.space().count().unwrap_or(u128::MAX)
    }

    /// The scenario in detente's native format (`toml` or `json`), with
    /// its issues, parties and proposals.
    fn to_native(&self, format: &str) -> PyResult<String> {
        match format {
            "toml" => native::to_toml(self.inner.parts()).map_err(errors::format),
            "json" => Ok(native::to_json(self.inner.parts())),
            other => Err(pyo3::exceptions::PyValueError::new_err(format!(
                "unknown native format `{other}`; expected `toml` or `json`"
            ))),
        }
    }

    /// Writes the scenario as `detente convert` does: `native` (a TOML
    /// file, or JSON when the path ends in `.json`; `-` for standard
    /// output), `genius` or `geniusweb` (a folder, written whole or not at
    /// all). Returns the files written and the notices (what the format
    /// leaves out, and with `lossy` each simplification).
    fn write(
        &self,
        py: Python<'_>,
        path: &str,
        format: &str,
        lossy: bool,
        force: bool,
    ) -> PyResult<(Vec<String>, Vec<String>)> {
        let target = format
            .parse::<convert::Target>()
            .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
        let options = convert::Options { lossy, force };
        let out = std::path::PathBuf::from(path);
        let written = py
            .detach(|| {
                convert::write_scenario(
                    self.inner.parts(),
                    self.forecast.as_ref(),
                    target,
                    &out,
                    &options,
                )
            })
            .map_err(errors::write)?;
        let files = match written.output {
            convert::Output::File { path, .. } => vec![path],
            convert::Output::Folder { domain, profiles } => {
                std::iter::once(domain).chain(profiles).collect()
            }
        };
        Ok((
            files.iter().map(|p| p.display().to_string()).collect(),
            written.notices.iter().map(|n| n.to_string()).collect(),
        ))
    }

    /// A party's undiscounted utility of an outcome.
    fn utility(&self, party: &Bound<'_, PyAny>, outcome: &Bound<'_, PyAny>) -> PyResult<f64> {
        let p = self.party(party)?;
        let o = self.outcome(outcome)?;
        Ok(self.inner.utility_of(p, &o))
    }

    /// Whether an outcome crosses none of a party's red lines and is worth
    /// at least its reservation value.
    fn acceptable(&self, party: &Bound<'_, PyAny>, outcome: &Bound<'_, PyAny>) -> PyResult<bool> {
        let p = self.party(party)?;
        let o = self.outcome(outcome)?;
        Ok(!self.inner.red_lines(p).crossed(&o)
            && self.inner.utility_of(p, &o) >= self.inner.reservation(p))
    }

    /// An outcome as value indices (checked).
    fn indices(&self, outcome: &Bound<'_, PyAny>) -> PyResult<Vec<u32>> {
        self.outcome(outcome)
    }

    /// The outcome with these value indices, as a dict.
    fn outcome_of<'py>(
        &self,
        py: Python<'py>,
        indices: Vec<u32>,
    ) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        if !self.inner.space().contains(&indices) || indices.len() != self.inner.issues().len() {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "{indices:?} is not an outcome of the scenario (one value index per issue, each below the issue's number of values: {:?})",
                self.inner.space().radices()
            )));
        }
        self.codec.to_dict(py, &indices)
    }

    /// Every outcome's utility for every party, row-major (outcomes in
    /// mixed-radix order, first issue most significant; parties in
    /// scenario order), as little-endian f64 bytes; refused above
    /// `max_cells` numbers.
    fn utility_table<'py>(
        &self,
        py: Python<'py>,
        max_cells: u64,
    ) -> PyResult<(Bound<'py, PyBytes>, u64, usize)> {
        let parties = self.inner.parties().len();
        let count = self.inner.space().count_u64();
        let cells = count.and_then(|c| c.checked_mul(parties as u64));
        let Some(cells) = cells.filter(|&c| c <= max_cells) else {
            return Err(errors::analysis(format!(
                "the table of every outcome's utilities would hold {} numbers ({} outcomes x {parties} parties), more than the limit of {max_cells}; pass a larger max_cells to build it",
                self.inner.space().count_f64() * parties as f64,
                self.inner.space().count_f64()
            )));
        };
        let scenario = Arc::clone(&self.inner);
        let bytes: Vec<u8> = py.detach(move || {
            let mut out = Vec::with_capacity(cells as usize * 8);
            let mut outcome = vec![0u32; scenario.issues().len()];
            for _ in 0..count.unwrap_or(0) {
                for p in 0..parties {
                    let u = scenario.utility_of(PartyId(p as u32), &outcome);
                    out.extend_from_slice(&u.to_le_bytes());
                }
                scenario.space().advance(&mut outcome);
            }
            out
        });
        Ok((PyBytes::new(py, &bytes), count.unwrap_or(0), parties))
    }

    /// The analysis, as the JSON of `detente analyze --json`.
    // One argument per keyword of the Python method.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (disagreement, method, at_time, enumeration_limit, search_nodes, max_frontier, robust))]
    fn analyze(
        &self,
        py: Python<'_>,
        disagreement: &str,
        method: &str,
        at_time: Option<f64>,
        enumeration_limit: u64,
        search_nodes: u64,
        max_frontier: usize,
        robust: Option<(String, u64, u64)>,
    ) -> PyResult<String> {
        let opts = options(
            disagreement,
            method,
            at_time,
            enumeration_limit,
            search_nodes,
        )?;
        let robust = robust_options(robust, opts.at_time, RepairOptions::default().max_repairs)?;
        let scenario = Arc::clone(&self.inner);
        let (a, r) = py
            .detach(move || {
                let a = analyze_within(
                    &scenario,
                    &opts,
                    &Budget::with_frontier_points(max_frontier),
                    &AtomicBool::new(false),
                )?;
                let r = robust
                    .map(|o| detente_analysis::robust_analysis(&scenario, &a, &o))
                    .transpose()?;
                Ok::<_, detente_analysis::AnalysisError>((a, r))
            })
            .map_err(errors::analysis)?;
        json(&detente_results::Analysis {
            detected: Some(self.detected.clone()),
            robust: r.map(|r| detente_results::robust_analysis(&self.inner, &r)),
            ..detente_results::analysis(&self.inner, &a)
        })
    }

    /// A proposal's evaluation, as the JSON of `detente evaluate --json`.
    // One argument per keyword of the Python method.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (proposal, edits, disagreement, at_time, repairs, enumeration_limit, robust))]
    fn evaluate(
        &self,
        py: Python<'_>,
        proposal: Option<String>,
        edits: Vec<(String, String)>,
        disagreement: &str,
        at_time: Option<f64>,
        repairs: usize,
        enumeration_limit: u64,
        robust: Option<(String, u64, u64)>,
    ) -> PyResult<String> {
        let outcome = self
            .inner
            .resolve_proposal(proposal.as_deref(), &edits)
            .map_err(errors::scenario)?;
        let (label, by) = self.inner.proposal_label(proposal.as_deref(), &edits);
        let opts = options(
            disagreement,
            "auto",
            at_time,
            enumeration_limit,
            detente_analysis::MAX_SEARCH_NODES,
        )?;
        let robust = robust_options(robust, opts.at_time, repairs)?;
        let scenario = Arc::clone(&self.inner);
        let (ev, r) = py
            .detach(move || {
                let analysis = detente_analysis::analyze(&scenario, &opts)?;
                let ev = evaluate(
                    &scenario,
                    &analysis,
                    &outcome,
                    &RepairOptions {
                        max_repairs: repairs,
                        ..Default::default()
                    },
                );
                let r = robust
                    .map(|o| detente_analysis::robust_evaluation(&scenario, &outcome, &o))
                    .transpose()?;
                Ok::<_, detente_analysis::AnalysisError>((ev, r))
            })
            .map_err(errors::analysis)?;
        json(&detente_results::Evaluation {
            robust: r.map(|r| detente_results::robust_evaluation(&self.inner, &r)),
            ..detente_results::evaluation(&self.inner, &label, by.as_deref(), &ev)
        })
    }

    /// Every issue as `(name, kind, values)`: kind `categorical`,
    /// `integer` or `continuous`, values in value-index order.
    fn issues<'py>(&self, py: Python<'py>) -> Vec<(String, &'static str, Vec<Bound<'py, PyAny>>)> {
        self.inner
            .issues()
            .iter()
            .enumerate()
            .map(|(i, issue)| {
                let kind = match issue.kind {
                    detente_core::IssueKind::Categorical { .. } => "categorical",
                    detente_core::IssueKind::Integer { .. } => "integer",
                    detente_core::IssueKind::Continuous { .. } => "continuous",
                };
                let values = (0..issue.cardinality())
                    .map(|v| self.codec.value(py, i, v))
                    .collect();
                (issue.name.clone(), kind, values)
            })
            .collect()
    }

    /// Every party as `(name, role, reservation value, discount factor,
    /// bargains)`.
    fn parties(&self) -> Vec<(String, &'static str, f64, f64, bool)> {
        let bargainers = self.inner.bargainers();
        self.inner
            .parties()
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let id = PartyId(i as u32);
                (
                    p.name.clone(),
                    p.role.as_str(),
                    self.inner.reservation(id),
                    p.preferences.discount.min(1.0),
                    bargainers.contains(&id),
                )
            })
            .collect()
    }

    /// Every named proposal as `(name, by, outcome)`.
    fn proposals<'py>(&self, py: Python<'py>) -> PyResult<Vec<NamedProposal<'py>>> {
        self.inner
            .proposals()
            .iter()
            .map(|p| {
                Ok((
                    p.name.clone(),
                    p.by.clone(),
                    self.codec.to_dict(py, &p.outcome)?,
                ))
            })
            .collect()
    }

    /// The scenario's structure (issues, parties, proposals) as the JSON of
    /// the native format.
    fn native_json(&self) -> String {
        native::to_json(self.inner.parts())
    }
}

/// Loads a scenario as the CLI does: a built-in name, a native file, a
/// GENIUS file or folder (with a variant), a GeniusWeb folder, KTAB files.
#[pyfunction]
#[pyo3(signature = (name_or_path, variant=None, profiles=Vec::new()))]
pub fn load(
    py: Python<'_>,
    name_or_path: &str,
    variant: Option<String>,
    profiles: Vec<String>,
) -> PyResult<NativeScenario> {
    let options = LoadOptions { variant, profiles };
    let name = name_or_path.to_string();
    let loaded = py
        .detach(move || detente_formats::load(&name, &options))
        .map_err(errors::format)?;
    NativeScenario::new(py, loaded.scenario, loaded.detected, loaded.forecast)
}

/// Reads a scenario from native text (TOML or JSON); `file` names it in
/// error messages and its extension (`.toml`, `.json`) says the syntax.
#[pyfunction]
pub fn from_text(py: Python<'_>, text: &str, file: &str) -> PyResult<NativeScenario> {
    let (scenario, forecast) = native::read_with_forecast(text, file).map_err(errors::format)?;
    NativeScenario::new(py, scenario, format!("native text {file}"), forecast)
}

/// The built-in scenarios, as the JSON of `detente scenarios --json`.
#[pyfunction]
pub fn scenarios() -> PyResult<String> {
    let entries: Vec<detente_results::ScenarioEntry> = builtin::NAMES
        .iter()
        .map(|name| {
            let read = builtin::text(name).and_then(|t| native::read_with_forecast(t, name).ok());
            detente_results::scenario_entry(
                name,
                *name == builtin::DEFAULT,
                read.as_ref().map(|(s, f)| (s, f.is_some())),
            )
        })
        .collect();
    json(&entries)
}
