//! Negotiation sessions and their traces.

use crate::{Outcome, outcome};
use detente_core::{PartyId, Scenario};
use detente_negotiation::{Actor, EndReason, FailureKind, ProtocolKind, SessionResult};
use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::Serialize;

/// A negotiation session: the settings, how it ended, and how good the
/// result is.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Negotiation {
    /// The scenario's name.
    pub scenario: String,
    /// The protocol: `alternating`, `stacked`, `mediated`, ...
    pub protocol: String,
    /// The seed of every random choice.
    pub seed: u64,
    /// Every party, in scenario order.
    pub parties: Vec<String>,
    /// Each party's strategy, in the order of `parties`.
    pub strategies: Vec<String>,
    /// The agreed outcome, or null.
    pub agreement: Option<Outcome>,
    /// Each party's utility, in the order of `parties`.
    pub utilities: Vec<f64>,
    /// How it ended: `agreement`, `walkaway`, `deadline` or `failure`.
    pub end_reason: String,
    /// Who walked away or failed (null otherwise).
    pub end_detail: Option<EndDetail>,
    /// Rounds played.
    pub rounds: u32,
    /// Normalised time at the end (1: the deadline).
    pub time: f64,
    /// The sum of the bargainers' utilities.
    pub welfare: f64,
    /// Distance of the result to the Pareto frontier (null when not computed).
    pub pareto_distance: Option<f64>,
    /// Distance of the result to the Nash point (null likewise).
    pub nash_distance: Option<f64>,
    /// Whether every bargainer does at least as well as by walking away.
    pub beats_reservations: bool,
    /// What was read (the CLI's `--json` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detected: Option<String>,
    /// Why the distances are missing (`null` when they were computed).
    pub distances_skipped: Option<String>,
    /// Every action, when the trace was asked for (the workbench's answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceEvent>>,
}

/// Who walked away, or whose strategy failed and how.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum EndDetail {
    /// A party walked away (or refused the final text).
    Walkaway {
        /// Who.
        by: String,
    },
    /// A party's strategy failed.
    Failure {
        /// Whose.
        party: String,
        /// `panic`, `budget`, `illegal-action` or `error`.
        kind: String,
        /// What happened.
        message: String,
    },
}

/// One action of a session: a line of `negotiate --trace FILE.jsonl`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceEvent {
    /// The round, from 0.
    pub round: u32,
    /// Normalised time of the action.
    pub time: f64,
    /// A party's name, or `mediator`.
    pub actor: String,
    /// The action: `offer`, `accept`, `walkaway`, `propose`, `vote`, ...
    pub action: String,
    /// The outcome it is about, if any.
    pub outcome: Option<Outcome>,
    /// Each party's utility of `outcome`, by party name (empty without one).
    pub utilities: IndexMap<String, f64>,
}

fn party_name(scenario: &Scenario, p: PartyId) -> String {
    scenario.parties()[p.index()].name.clone()
}

/// A party's name, or `mediator`.
pub fn actor_name(scenario: &Scenario, a: Actor) -> String {
    match a {
        Actor::Party(p) => party_name(scenario, p),
        Actor::NeutralMediator => "mediator".to_string(),
    }
}

/// A session in the one JSON form, without its trace; `strategies` holds
/// each party's strategy as text.
pub fn negotiation(
    scenario: &Scenario,
    protocol: ProtocolKind,
    strategies: &[String],
    seed: u64,
    r: &SessionResult,
) -> Negotiation {
    let end_detail = match &r.end_reason {
        EndReason::Walkaway { by } => Some(EndDetail::Walkaway {
            by: party_name(scenario, *by),
        }),
        EndReason::Failure { party, kind } => Some(EndDetail::Failure {
            party: party_name(scenario, *party),
            kind: kind.as_str().to_string(),
            message: match kind {
                FailureKind::Panic { message } | FailureKind::Error { message } => message.clone(),
                FailureKind::OverBudget { .. } => "exceeded the step budget".into(),
                other => other.to_string(),
            },
        }),
        _ => None,
    };
    Negotiation {
        scenario: scenario.name().to_string(),
        protocol: protocol.as_str().to_string(),
        seed,
        parties: scenario.parties().iter().map(|p| p.name.clone()).collect(),
        strategies: strategies.to_vec(),
        agreement: r.agreement.as_ref().map(|o| outcome(scenario, o)),
        utilities: r.utilities.clone(),
        end_reason: r.end_reason.as_str().to_string(),
        end_detail,
        rounds: r.rounds,
        time: r.time,
        welfare: r.welfare,
        pareto_distance: r.pareto_distance,
        nash_distance: r.nash_distance,
        beats_reservations: r.beats_reservations,
        detected: None,
        distances_skipped: None,
        trace: None,
    }
}

/// A trace in the one JSON form.
pub fn trace(scenario: &Scenario, trace: &[detente_negotiation::TraceEvent]) -> Vec<TraceEvent> {
    trace
        .iter()
        .map(|e| TraceEvent {
            round: e.round,
            time: e.time,
            actor: actor_name(scenario, e.actor),
            action: e.action.as_str().to_string(),
            outcome: e.outcome.as_ref().map(|o| outcome(scenario, o)),
            utilities: scenario
                .parties()
                .iter()
                .zip(&e.utilities)
                .map(|(p, &x)| (p.name.clone(), x))
                .collect(),
        })
        .collect()
}
