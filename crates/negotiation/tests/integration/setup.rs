//! The set-up rules every front end shares: protocol names and defaults,
//! default strategies and the assignment of strategies to parties.

use detente_core::{PartyId, Scenario};
use detente_negotiation::{
    MediatedVariant, NegotiationError, ProtocolKind, StrategySpec, assign_strategies,
    default_strategy, parse_strategy_list,
};

fn builtin(name: &str) -> Scenario {
    detente_formats::load(name, &Default::default())
        .unwrap()
        .scenario
}

#[test]
fn every_protocol_name_parses_back_and_unknown_names_list_the_known() {
    for p in ProtocolKind::ALL {
        assert_eq!(p.as_str().parse::<ProtocolKind>().unwrap(), p);
        assert!(!p.description().is_empty());
    }
    assert_eq!(
        "mediated-veto".parse::<ProtocolKind>().unwrap(),
        ProtocolKind::Mediated(MediatedVariant::Veto)
    );
    let e = "auction".parse::<ProtocolKind>().unwrap_err().to_string();
    assert!(
        e.contains("`auction`")
            && e.contains("alternating, stacked, mediated, mediated-hill-climbing"),
        "{e}"
    );
}

#[test]
fn default_protocol_follows_the_parties() {
    assert_eq!(
        ProtocolKind::default_for(&builtin("peace-talks")),
        ProtocolKind::Mediated(MediatedVariant::Veto),
        "a mediator makes it mediated"
    );
    assert_eq!(
        ProtocolKind::default_for(&builtin("car-sale")),
        ProtocolKind::Alternating
    );
    for name in detente_formats::builtin::NAMES {
        let s = builtin(name);
        let mediated = s
            .parties()
            .iter()
            .any(|p| p.role == detente_core::Role::Mediator);
        let expected = match (mediated, s.bargainers().len()) {
            (true, _) => ProtocolKind::Mediated(MediatedVariant::Veto),
            (false, 2) => ProtocolKind::Alternating,
            _ => ProtocolKind::Stacked,
        };
        assert_eq!(ProtocolKind::default_for(&s), expected, "{name}");
    }
}

#[test]
fn strategy_lists_continue_parameters_and_are_validated() {
    let specs = parse_strategy_list("boulware:e=0.1,k=0.05,conceder").unwrap();
    assert_eq!(specs.len(), 2);
    assert_eq!(specs[0].to_string(), "boulware:e=0.1,k=0.05");
    assert_eq!(specs[1].to_string(), "conceder");
    assert!(matches!(
        parse_strategy_list("boulware,nosuch"),
        Err(NegotiationError::UnknownStrategy { .. })
    ));
}

#[test]
fn strategies_are_given_per_party_or_per_bargainer_then_assigned() {
    let s = builtin("peace-talks");
    let n = s.parties().len();
    let bargainers = s.bargainers();
    let defaults: Vec<StrategySpec> = (0..n)
        .map(|p| default_strategy(&s, PartyId(p as u32)))
        .collect();
    assert_eq!(assign_strategies(&s, &[], &[]).unwrap(), defaults);

    // One per bargaining party: the mediator keeps its default.
    let given: Vec<Option<StrategySpec>> = bargainers
        .iter()
        .map(|_| Some(StrategySpec::named("hardheaded")))
        .collect();
    let specs = assign_strategies(&s, &given, &[]).unwrap();
    for (p, spec) in specs.iter().enumerate() {
        if bargainers.contains(&PartyId(p as u32)) {
            assert_eq!(spec.name, "hardheaded");
        } else {
            assert_eq!(spec, &defaults[p]);
        }
    }

    // None keeps a default; a named assignment wins over the list.
    let mut given: Vec<Option<StrategySpec>> = vec![None; n];
    given[0] = Some(StrategySpec::named("conceder"));
    let who = s.parties()[0].name.clone();
    let specs = assign_strategies(&s, &given, &[(who, StrategySpec::named("agent-k"))]).unwrap();
    assert_eq!(specs[0].name, "agent-k");
    assert_eq!(specs[1..], defaults[1..]);

    assert!(matches!(
        assign_strategies(&s, &[Some(StrategySpec::named("linear"))], &[]),
        Err(NegotiationError::StrategyCount { given: 1, .. })
    ));
    let e = assign_strategies(&s, &[], &[("nobody".into(), StrategySpec::named("linear"))])
        .unwrap_err()
        .to_string();
    assert!(e.contains("nobody") && e.contains("ukraine"), "{e}");
}
