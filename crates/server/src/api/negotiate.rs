//! `/api/strategies` and `/api/negotiate`: a negotiation run under the
//! request's budget, with its charts.

use super::*;

/// The largest deadline a negotiation may have here, in rounds.
pub const MAX_ROUNDS: u32 = 2000;

pub async fn strategies() -> Response {
    // The entries of `detente strategies --json`.
    let list = detente_results::strategies(&detente_negotiation::listed_strategies());
    axum::Json(json!({ "strategies": list })).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegotiateRequest {
    scenario: ScenarioInput,
    /// `alternating`, `stacked`, `mediated` or `mediated-hill-climbing`;
    /// by default mediated with a mediator, alternating for two parties,
    /// stacked for more.
    #[serde(default)]
    protocol: Option<String>,
    /// One strategy per party, or one per bargaining party, in order
    /// (`boulware`, `boulware:e=0.1`, ...).
    #[serde(default)]
    strategies: Option<Vec<String>>,
    #[serde(default)]
    rounds: Option<u32>,
    #[serde(default)]
    seed: Option<u64>,
    #[serde(default = "yes")]
    charts: bool,
}

/// A strategy from its text; `None` for an empty text (the default).
pub(super) fn parse_strategy(
    text: &str,
) -> Result<Option<detente_negotiation::StrategySpec>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let spec: detente_negotiation::StrategySpec =
        text.parse()
            .map_err(|e: detente_negotiation::NegotiationError| {
                ApiError::Unprocessable(e.to_string())
            })?;
    detente_negotiation::validate_strategy(&spec)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    Ok(Some(spec))
}

/// How to run a negotiation: the fields of `/api/negotiate` and of the
/// report's `negotiation`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegotiationSettings {
    #[serde(default)]
    protocol: Option<String>,
    #[serde(default)]
    strategies: Option<Vec<String>>,
    #[serde(default)]
    rounds: Option<u32>,
    #[serde(default)]
    seed: Option<u64>,
}

/// A negotiation with a recorded trace: the protocol, the result, each
/// party's strategy as text, and the reference analysis (if the space could
/// be analysed).
pub(super) struct Negotiated {
    pub(super) protocol: detente_negotiation::ProtocolKind,
    pub(super) result: detente_negotiation::SessionResult,
    pub(super) labels: Vec<String>,
    pub(super) reference: Option<Analysis>,
    /// Why the reference analysis was left out, if it was.
    pub(super) skipped: Option<String>,
    pub(super) seed: u64,
}

impl NegotiationSettings {
    /// The deadline in rounds: 100 by default, as `detente negotiate`, and
    /// at most [`MAX_ROUNDS`] here.
    fn rounds(&self) -> Result<u32, ApiError> {
        let rounds = self.rounds.unwrap_or(detente_negotiation::DEFAULT_ROUNDS);
        if rounds == 0 || rounds > MAX_ROUNDS {
            return Err(ApiError::BadRequest(format!(
                "rounds must be between 1 and {MAX_ROUNDS}"
            )));
        }
        Ok(rounds)
    }

    /// The protocol named, or the negotiation crate's default for the
    /// scenario.
    fn protocol(&self, s: &Scenario) -> Result<detente_negotiation::ProtocolKind, ApiError> {
        match self.protocol.as_deref() {
            Some(name) => name
                .parse()
                .map_err(|e: detente_negotiation::NegotiationError| {
                    ApiError::BadRequest(e.to_string())
                }),
            None => Ok(detente_negotiation::ProtocolKind::default_for(s)),
        }
    }

    /// One strategy per party, by the negotiation crate's assignment (an
    /// empty string keeps that party's default).
    fn strategies(&self, s: &Scenario) -> Result<Vec<detente_negotiation::StrategySpec>, ApiError> {
        let given: Vec<Option<detente_negotiation::StrategySpec>> = self
            .strategies
            .iter()
            .flatten()
            .map(|t| parse_strategy(t))
            .collect::<Result<_, ApiError>>()?;
        detente_negotiation::assign_strategies(s, &given, &[])
            .map_err(|e| ApiError::Unprocessable(e.to_string()))
    }
}

pub(super) fn run_negotiation(
    config: &crate::Config,
    cancel: &Arc<AtomicBool>,
    s: &Scenario,
    settings: &NegotiationSettings,
) -> Result<Negotiated, ApiError> {
    use detente_negotiation::{Deadline, SessionConfig, check_setup, run_session_within};
    let rounds = settings.rounds()?;
    let protocol = settings.protocol(s)?;
    let specs = settings.strategies(s)?;
    let seed = settings.seed.unwrap_or(0);
    let mut session = SessionConfig::new(protocol, Deadline::Rounds(rounds), seed);
    session.record_trace = true;
    check_negotiation_memory(s)?;
    // Refused set-ups are refused before the reference analysis is spent.
    check_setup(s, &session).map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let (reference, skipped) = match analyze_with(config, cancel, s, None, None) {
        Err(ApiError::Cancelled) => return Err(ApiError::Cancelled),
        Ok(a) => (Some(a), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let result = run_session_within(s, reference.as_ref(), &session, &specs, cancel)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    if cancel.load(Ordering::Relaxed) {
        return Err(ApiError::Cancelled);
    }
    let labels: Vec<String> = specs.iter().map(|x| x.to_string()).collect();
    Ok(Negotiated {
        protocol,
        result,
        labels,
        reference,
        skipped,
        seed,
    })
}

/// Bytes a negotiation may use to sort each bargaining party's outcomes
/// before it starts.
pub const MAX_NEGOTIATION_SORT_BYTES: u64 = 512 << 20;

/// Outcomes sorted per party when a space has more than
/// [`detente_negotiation::SORT_LIMIT`] (the sample `OwnSpace::build` draws).
pub(super) const NEGOTIATION_SAMPLE: u64 = 200_000;

/// Refuses a negotiation whose preparation would sort too much: every
/// bargaining party's outcomes (all of them up to
/// [`detente_negotiation::SORT_LIMIT`], a sample beyond) are sorted by
/// utility, about 16 bytes each, so many parties over a large space would
/// take gigabytes.
pub(super) fn check_negotiation_memory(s: &Scenario) -> Result<(), ApiError> {
    let per_party = match s.space().count_u64() {
        Some(n) if n <= detente_negotiation::SORT_LIMIT => n,
        _ => NEGOTIATION_SAMPLE,
    };
    let parties = s.bargainers().len() as u64;
    let bytes = per_party.saturating_mul(parties).saturating_mul(16);
    if bytes > MAX_NEGOTIATION_SORT_BYTES {
        return Err(ApiError::TooLarge(format!(
            "a negotiation sorts every bargaining party's outcomes first: {parties} parties × {per_party} outcomes would take about {} MiB, more than the limit of {} MiB (use fewer parties or a smaller space)",
            bytes >> 20,
            MAX_NEGOTIATION_SORT_BYTES >> 20
        )));
    }
    Ok(())
}

/// The two negotiation charts, with the frontier behind a two-party plane.
pub(super) fn negotiation_charts(s: &Scenario, n: &Negotiated) -> Vec<detente_report::Chart> {
    let view = detente_report::negotiation::from_result(s, &n.result, &n.labels);
    detente_report::negotiation::charts_over(&view, &frontier_of(n.reference.as_ref()))
}

pub(super) fn frontier_of(a: Option<&Analysis>) -> Vec<(f64, f64)> {
    match a {
        Some(a) if a.bargainers.len() == 2 => a
            .feasible_pareto
            .iter()
            .map(|p| (p.utilities[0], p.utilities[1]))
            .collect(),
        _ => Vec::new(),
    }
}

pub async fn negotiate(
    State(app): State<Shared>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let req: NegotiateRequest = parse(&app, body)?;
    let settings = NegotiationSettings {
        protocol: req.protocol.clone(),
        strategies: req.strategies.clone(),
        rounds: req.rounds,
        seed: req.seed,
    };
    // Refused before the scenario is read.
    settings.rounds()?;
    blocking(&app, move |config, cancel| {
        let (s, _) = read(&req.scenario)?;
        let negotiated = run_negotiation(config, cancel, &s, &settings)?;
        let n = &negotiated;
        let charts = if req.charts {
            negotiation_charts(&s, n)
        } else {
            Vec::new()
        };
        // The result has the form of `detente negotiate --json`; the trace
        // that of `--trace FILE.jsonl`.
        Ok(axum::Json(json!({
            "result": detente_results::Negotiation {
                distances_skipped: n.skipped.clone(),
                ..detente_results::negotiation(&s, n.protocol, &n.labels, n.seed, &n.result)
            },
            "parties": s.parties().iter().map(|p| p.name.clone()).collect::<Vec<_>>(),
            "trace": detente_results::trace(&s, &n.result.trace),
            "charts": json::charts(&charts),
        }))
        .into_response())
    })
    .await
}
