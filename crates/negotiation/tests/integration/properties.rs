//! Property tests over random scenarios, strategies, protocols and seeds.

use crate::common::random_scenario;
use detente_core::PartyId;
use detente_negotiation::*;
use proptest::prelude::*;

const NAMES: &[&str] = &[
    "boulware",
    "linear",
    "conceder",
    "hardliner",
    "tit-for-tat",
    "tit-for-tat:mode=averaged",
    "nice-tit-for-tat",
    "random",
    "negmas-boulware",
    "negmas-conceder",
    "agent-k",
    "hardheaded",
    "cuhk-agent",
    "atlas3",
    "agreeable2018",
    "boulware:ac=combi,T=0.9",
    "conceder:ac=const,c=0.7",
    "linear:ac=time,T=0.95",
];

fn check(
    parties: usize,
    scenario_seed: u64,
    picks: &[usize],
    protocol: ProtocolKind,
    rounds: u32,
    seed: u64,
) -> Result<(), TestCaseError> {
    let scenario = random_scenario(scenario_seed, parties, 3, 4, true);
    let specs: Vec<StrategySpec> = picks[..parties]
        .iter()
        .map(|&i| NAMES[i % NAMES.len()].parse().unwrap())
        .collect();
    let config = SessionConfig {
        record_trace: true,
        ..SessionConfig::new(protocol, Deadline::Rounds(rounds), seed)
    };
    let r = run_session(&scenario, None, &config, &specs).unwrap();
    // Every session ends by its deadline.
    prop_assert!(r.rounds <= rounds);
    prop_assert!(r.time <= 1.0);
    let in_time = |e: &TraceEvent| e.round < rounds || matches!(e.action, Action::FinalVote { .. });
    prop_assert!(r.trace.iter().all(in_time));
    let acceptable = |p: PartyId, o: &[u32]| {
        !scenario.red_lines(p).crossed(o) && scenario.utility_of(p, o) >= scenario.reservation(p)
    };
    // No party ever accepts below its reservation or across a red line.
    for e in &r.trace {
        if let (Actor::Party(p), Action::Accept | Action::FinalVote { accept: true }) =
            (e.actor, e.action)
        {
            prop_assert!(acceptable(p, e.outcome.as_ref().unwrap()), "{:?}", e);
        }
    }
    match &r.agreement {
        Some(o) => {
            prop_assert_eq!(&r.end_reason, &EndReason::Agreement);
            // Agreements lie in the outcome space and are rational for all.
            prop_assert!(scenario.space().contains(o));
            for p in scenario.bargainers() {
                prop_assert!(acceptable(p, o));
            }
            prop_assert!(r.beats_reservations);
        }
        None => {
            prop_assert!(r.end_reason != EndReason::Agreement);
            for p in 0..parties {
                prop_assert_eq!(r.utilities[p], scenario.reservation(PartyId(p as u32)));
            }
        }
    }
    if protocol == ProtocolKind::Stacked {
        // The stacked rule: agreement exactly when an offer is followed by
        // n - 1 accepts of it, and never earlier.
        let mut run = 0usize;
        let mut last_offer: Option<(PartyId, Vec<u32>)> = None;
        for (k, e) in r.trace.iter().enumerate() {
            match e.action {
                Action::Offer => {
                    run = 0;
                    if let Actor::Party(p) = e.actor {
                        last_offer = Some((p, e.outcome.clone().unwrap()));
                    }
                }
                Action::Accept => {
                    run += 1;
                    let (by, o) = last_offer.as_ref().unwrap();
                    prop_assert_eq!(e.outcome.as_ref().unwrap(), o);
                    prop_assert!(e.actor != Actor::Party(*by));
                    if run + 1 == parties {
                        prop_assert_eq!(k + 1, r.trace.len());
                        prop_assert_eq!(r.agreement.as_ref(), Some(o));
                    }
                }
                _ => {}
            }
        }
        if r.agreement.is_some() {
            prop_assert_eq!(run + 1, parties);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn stacked_sessions_hold_the_invariants(
        parties in 2usize..=6,
        scenario_seed in 0u64..1000,
        picks in proptest::collection::vec(0usize..100, 6),
        rounds in 1u32..120,
        seed in any::<u64>(),
    ) {
        check(parties, scenario_seed, &picks, ProtocolKind::Stacked, rounds, seed)?;
    }

    #[test]
    fn alternating_sessions_hold_the_invariants(
        scenario_seed in 0u64..1000,
        picks in proptest::collection::vec(0usize..100, 6),
        rounds in 1u32..200,
        seed in any::<u64>(),
    ) {
        check(2, scenario_seed, &picks, ProtocolKind::Alternating, rounds, seed)?;
    }

    #[test]
    fn mediated_sessions_hold_the_invariants(
        parties in 2usize..=5,
        scenario_seed in 0u64..1000,
        picks in proptest::collection::vec(0usize..100, 6),
        rounds in 1u32..80,
        seed in any::<u64>(),
        hill in any::<bool>(),
    ) {
        let variant = if hill { MediatedVariant::HillClimbing } else { MediatedVariant::Veto };
        check(parties, scenario_seed, &picks, ProtocolKind::Mediated(variant), rounds, seed)?;
    }
}
