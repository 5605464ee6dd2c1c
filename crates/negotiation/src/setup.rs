//! The rules that turn what a user names into a session's set-up: protocol
//! names, the default protocol of a scenario, the default strategy of a
//! party, lists of strategies and their assignment to parties.
//!
//! They live here, once, so that `detente negotiate`, `detente report
//! --negotiate`, the workbench and tournaments give the same answer to the
//! same request.

use crate::{MediatedVariant, NegotiationError, ProtocolKind, StrategySpec, validate_strategy};
use detente_core::{PartyId, Role, Scenario};
use std::str::FromStr;

impl ProtocolKind {
    /// Every protocol, in the order they are listed to users.
    pub const ALL: [ProtocolKind; 4] = [
        ProtocolKind::Alternating,
        ProtocolKind::Stacked,
        ProtocolKind::Mediated(MediatedVariant::Veto),
        ProtocolKind::Mediated(MediatedVariant::HillClimbing),
    ];

    /// The names users give ([`ProtocolKind::as_str`] of each of
    /// [`ProtocolKind::ALL`]); `mediated-veto` is also read as `mediated`.
    pub fn names() -> [&'static str; 4] {
        ProtocolKind::ALL.map(ProtocolKind::as_str)
    }

    /// A sentence saying what the protocol is, for help texts and listings.
    pub fn description(self) -> &'static str {
        match self {
            ProtocolKind::Alternating => "bilateral alternating offers",
            ProtocolKind::Stacked => {
                "stacked alternating offers (SAOP), any number of bargaining parties"
            }
            ProtocolKind::Mediated(MediatedVariant::Veto) => {
                "a mediator's single negotiating text; a change is kept only if no party objects"
            }
            ProtocolKind::Mediated(MediatedVariant::HillClimbing) => {
                "a mediator's single negotiating text; the mediator hill-climbs on its estimate of the parties' joint gain"
            }
        }
    }

    /// The protocol a scenario is negotiated under when none is named: the
    /// mediated single text when it has a mediator, alternating offers for
    /// two bargaining parties, stacked offers for more.
    pub fn default_for(scenario: &Scenario) -> ProtocolKind {
        if scenario.parties().iter().any(|p| p.role == Role::Mediator) {
            ProtocolKind::Mediated(MediatedVariant::Veto)
        } else if scenario.bargainers().len() == 2 {
            ProtocolKind::Alternating
        } else {
            ProtocolKind::Stacked
        }
    }
}

impl FromStr for ProtocolKind {
    type Err = NegotiationError;

    fn from_str(name: &str) -> Result<ProtocolKind, NegotiationError> {
        let name = name.trim();
        if name == "mediated-veto" {
            return Ok(ProtocolKind::Mediated(MediatedVariant::Veto));
        }
        ProtocolKind::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or_else(|| NegotiationError::UnknownProtocol {
                name: name.to_string(),
                known: ProtocolKind::names().join(", "),
            })
    }
}

/// The default strategy of a party: Boulware when walking away is worth a
/// lot to it (reservation at least 0.5), Conceder under strong time pressure
/// (discount below 0.9), linear otherwise.
pub fn default_strategy(scenario: &Scenario, p: PartyId) -> StrategySpec {
    let prefs = &scenario.parties()[p.index()].preferences;
    let name = if prefs.reservation >= 0.5 {
        "boulware"
    } else if prefs.discount < 0.9 {
        "conceder"
    } else {
        "linear"
    };
    StrategySpec::named(name)
}

/// Parses and validates a comma-separated list of strategies such as
/// `boulware:e=0.1,k=0.05,conceder`: a token with `=` and no `:` continues
/// the parameters of the strategy before it.
pub fn parse_strategy_list(list: &str) -> Result<Vec<StrategySpec>, NegotiationError> {
    let mut texts: Vec<String> = Vec::new();
    for token in list.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        match texts.last_mut() {
            Some(last) if token.contains('=') && !token.contains(':') => {
                last.push(',');
                last.push_str(token);
            }
            _ => texts.push(token.to_string()),
        }
    }
    texts
        .iter()
        .map(|t| {
            let spec: StrategySpec = t.parse()?;
            validate_strategy(&spec)?;
            Ok(spec)
        })
        .collect()
}

/// One strategy per party of the scenario, in scenario order.
///
/// Starts from every party's [`default_strategy`]; `given` then replaces
/// them in order, with one entry per party or one per bargaining party
/// (`None` keeps that party's default); `assign` last gives named parties a
/// strategy. Every strategy is validated.
pub fn assign_strategies(
    scenario: &Scenario,
    given: &[Option<StrategySpec>],
    assign: &[(String, StrategySpec)],
) -> Result<Vec<StrategySpec>, NegotiationError> {
    let n = scenario.parties().len();
    let mut specs: Vec<StrategySpec> = (0..n)
        .map(|p| default_strategy(scenario, PartyId(p as u32)))
        .collect();
    if !given.is_empty() {
        for (slot, spec) in party_slots(scenario, given.len())?.into_iter().zip(given) {
            if let Some(spec) = spec {
                validate_strategy(spec)?;
                specs[slot.index()] = spec.clone();
            }
        }
    }
    for (party, spec) in assign {
        let p = scenario
            .party_id(party.trim())
            .ok_or_else(|| NegotiationError::UnknownParty {
                name: party.clone(),
                known: scenario
                    .parties()
                    .iter()
                    .map(|p| p.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        validate_strategy(spec)?;
        specs[p.index()] = spec.clone();
    }
    Ok(specs)
}

/// The parties that a list of `count` strategies is for, in order: every
/// party when there is one strategy per party, else every bargaining party
/// when there is one per bargaining party; any other count is an error.
pub fn party_slots(scenario: &Scenario, count: usize) -> Result<Vec<PartyId>, NegotiationError> {
    let n = scenario.parties().len();
    let bargainers = scenario.bargainers();
    if count == n {
        Ok((0..n).map(|p| PartyId(p as u32)).collect())
    } else if count == bargainers.len() {
        Ok(bargainers)
    } else {
        Err(NegotiationError::StrategyCount {
            given: count,
            parties: n,
            bargainers: bargainers.len(),
        })
    }
}
