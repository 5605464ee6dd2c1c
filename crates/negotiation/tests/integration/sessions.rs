//! Sessions end to end: determinism, failures, protocols, errors.

use crate::common::random_scenario;
use detente_negotiation::*;
use std::time::Duration;

fn specs(names: &[&str]) -> Vec<StrategySpec> {
    names.iter().map(|n| n.parse().unwrap()).collect()
}

fn traced(protocol: ProtocolKind, rounds: u32, seed: u64) -> SessionConfig {
    SessionConfig {
        record_trace: true,
        ..SessionConfig::new(protocol, Deadline::Rounds(rounds), seed)
    }
}

#[test]
fn same_seed_same_trace_for_every_strategy() {
    let scenario = random_scenario(3, 2, 4, 6, true);
    for info in strategy_catalog() {
        if info.name == "chaos" {
            continue;
        }
        let s = specs(&[info.name, "agent-k"]);
        let c = traced(ProtocolKind::Alternating, 200, 11);
        let a = run_session(&scenario, None, &c, &s).unwrap();
        let b = run_session(&scenario, None, &c, &s).unwrap();
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{}", info.name);
        assert!(!a.trace.is_empty());
    }
}

#[test]
fn a_panicking_strategy_is_a_recorded_failure() {
    let scenario = random_scenario(1, 2, 3, 5, false);
    let c = traced(ProtocolKind::Alternating, 100, 1);
    let r = run_session(
        &scenario,
        None,
        &c,
        &specs(&["hardliner", "chaos:panic_at=5"]),
    )
    .unwrap();
    match &r.end_reason {
        EndReason::Failure {
            party,
            kind: FailureKind::Panic { message: msg },
        } => {
            assert_eq!(party.0, 1);
            assert!(msg.contains("round 5"), "{msg}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    assert_eq!(r.end_reason.as_str(), "failure");
    assert_eq!(r.rounds, 6);
    assert!(r.agreement.is_none());
}

#[test]
fn an_overrunning_strategy_is_a_recorded_failure() {
    let scenario = random_scenario(1, 2, 3, 5, false);
    let c = SessionConfig {
        step_budget: Duration::from_millis(5),
        ..SessionConfig::new(ProtocolKind::Stacked, Deadline::Rounds(100), 1)
    };
    let r = run_session(
        &scenario,
        None,
        &c,
        &specs(&["chaos:sleep_ms=30", "hardliner"]),
    )
    .unwrap();
    assert_eq!(
        r.end_reason,
        EndReason::Failure {
            party: detente_core::PartyId(0),
            kind: FailureKind::OverBudget { budget_ms: 5 }
        }
    );
}

#[test]
fn mediated_failures_are_recorded_too() {
    let scenario = random_scenario(1, 3, 3, 5, false);
    let c = traced(ProtocolKind::Mediated(MediatedVariant::Veto), 50, 1);
    let r = run_session(
        &scenario,
        None,
        &c,
        &specs(&["boulware", "chaos:panic_at=3", "conceder"]),
    )
    .unwrap();
    assert!(matches!(r.end_reason, EndReason::Failure { .. }));
}

#[test]
fn configuration_errors_are_clear() {
    let two = random_scenario(1, 2, 3, 4, false);
    let three = random_scenario(1, 3, 3, 4, false);
    let c = SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(10), 0);
    let e = run_session(&three, None, &c, &specs(&["boulware"; 3])).unwrap_err();
    assert!(e.to_string().contains("stacked"), "{e}");
    let e = run_session(&two, None, &c, &specs(&["boulware"])).unwrap_err();
    assert!(
        e.to_string().contains("1 strategies given for 2 parties"),
        "{e}"
    );
    let e = run_session(&two, None, &c, &specs(&["boulware", "nope"])).unwrap_err();
    assert!(e.to_string().contains("unknown strategy `nope`"), "{e}");
    let bad = SessionConfig::new(ProtocolKind::Stacked, Deadline::Rounds(0), 0);
    assert!(run_session(&two, None, &bad, &specs(&["boulware"; 2])).is_err());
    let bad = SessionConfig::new(
        ProtocolKind::Stacked,
        Deadline::Time { seconds: f64::NAN },
        0,
    );
    assert!(run_session(&two, None, &bad, &specs(&["boulware"; 2])).is_err());
}

#[test]
fn time_deadlines_are_virtual_and_reproducible() {
    let scenario = random_scenario(5, 2, 3, 6, false);
    let c = SessionConfig {
        record_trace: true,
        ..SessionConfig::new(
            ProtocolKind::Alternating,
            Deadline::Time { seconds: 1.0 },
            2,
        )
    };
    let s = specs(&["hardliner", "hardliner"]);
    let a = run_session(&scenario, None, &c, &s).unwrap();
    assert_eq!(a.end_reason, EndReason::Deadline);
    // 1 s at 10 ms per action: 100 actions, 50 rounds.
    assert_eq!(a.trace.len(), 100);
    assert_eq!(a.rounds, 50);
    assert_eq!(a.time, 1.0);
    let b = run_session(&scenario, None, &c, &s).unwrap();
    assert_eq!(a, b);
}

#[test]
fn distances_to_the_reference_frontier_and_nash_point() {
    let scenario = random_scenario(9, 2, 3, 5, false);
    let analysis = detente_analysis::analyze(&scenario, &Default::default()).unwrap();
    let c = SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(100), 0);
    let r = run_session(
        &scenario,
        Some(&analysis),
        &c,
        &specs(&["boulware", "conceder"]),
    )
    .unwrap();
    assert_eq!(r.end_reason, EndReason::Agreement);
    let d = r.pareto_distance.unwrap();
    assert!((0.0..0.5).contains(&d), "{d}");
    assert!(r.nash_distance.unwrap() >= d - 1e-12);
    assert!(r.beats_reservations);
    assert!((r.welfare - r.utilities.iter().sum::<f64>()).abs() < 1e-12);
}

#[test]
fn champions_reach_agreements_against_each_other() {
    let scenario = random_scenario(21, 2, 4, 5, false);
    let names = [
        "boulware",
        "conceder",
        "tit-for-tat",
        "nice-tit-for-tat",
        "agent-k",
        "hardheaded",
        "cuhk-agent",
        "atlas3",
        "agreeable2018",
    ];
    let mut agreements = 0;
    for a in names {
        for b in names {
            let c = SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(500), 4);
            let r = run_session(&scenario, None, &c, &specs(&[a, b])).unwrap();
            if r.end_reason == EndReason::Agreement {
                agreements += 1;
            }
        }
    }
    // Every pairing has an agreement zone here; nearly all should find it.
    assert!(
        agreements >= names.len() * names.len() * 3 / 4,
        "{agreements}"
    );
}

#[test]
fn atlas3_in_a_multilateral_stacked_session() {
    let scenario = random_scenario(8, 4, 4, 5, false);
    let c = traced(ProtocolKind::Stacked, 300, 2);
    let r = run_session(
        &scenario,
        None,
        &c,
        &specs(&["atlas3", "atlas3", "boulware", "conceder"]),
    )
    .unwrap();
    assert_eq!(r.end_reason, EndReason::Agreement, "{:?}", r.end_reason);
}

/// The open set: a strategy written outside the crate.
struct TakeTheFirstAcceptable;

impl Strategy for TakeTheFirstAcceptable {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        if let Some(s) = standing
            && ctx.acceptable(s.outcome)
        {
            return Decision::Accept;
        }
        let own = ctx.own();
        match own.best_acceptable() {
            Some(i) => {
                offer.copy_from_slice(own.outcome(i));
                Decision::Offer
            }
            None => Decision::EndNegotiation,
        }
    }
}

#[test]
fn custom_strategies_run_through_the_same_driver() {
    let scenario = random_scenario(4, 3, 3, 4, false);
    let prepared = prepare(&scenario);
    let c = traced(ProtocolKind::Stacked, 50, 0);
    let built: Vec<Box<dyn Strategy>> = vec![
        Box::new(TakeTheFirstAcceptable),
        Box::new(TakeTheFirstAcceptable),
        Box::new(TakeTheFirstAcceptable),
    ];
    let r = run_session_with(&scenario, &prepared, None, &c, built).unwrap();
    // The first offer is everyone else's to accept: agreement in round 1.
    assert_eq!(r.end_reason, EndReason::Agreement);
    assert_eq!(r.rounds, 1);
    assert_eq!(r.trace.len(), 3);
    let too_few: Vec<Box<dyn Strategy>> = vec![Box::new(TakeTheFirstAcceptable)];
    assert!(matches!(
        run_session_with(&scenario, &prepared, None, &c, too_few),
        Err(NegotiationError::StrategyCount { given: 1, .. })
    ));
    // The set-up is checked without any strategy specification.
    let never = traced(ProtocolKind::Stacked, 0, 0);
    let three: Vec<Box<dyn Strategy>> = (0..3)
        .map(|_| Box::new(TakeTheFirstAcceptable) as Box<dyn Strategy>)
        .collect();
    assert!(matches!(
        run_session_with(&scenario, &prepared, None, &never, three),
        Err(NegotiationError::BadDeadline(_))
    ));
}

/// A strategy that breaks the offer protocol's rules in a chosen way.
enum Cheat {
    /// Accepts at once, even at the very first turn.
    AcceptAtOnce,
    /// Offers a value one past the last of the first issue.
    OfferOutOfRange,
}

impl Strategy for Cheat {
    fn act(&mut self, ctx: &Context<'_>, _: Option<Standing<'_>>, offer: &mut [u32]) -> Decision {
        match self {
            Cheat::AcceptAtOnce => Decision::Accept,
            Cheat::OfferOutOfRange => {
                offer.fill(0);
                offer[0] = ctx.scenario.space().radices()[0];
                Decision::Offer
            }
        }
    }
}

/// Issue "one home for every rule and every result": a protocol violation
/// was reported as a panic with a Debug-formatted outcome in its text; it is
/// now a typed failure of the session whose sentence is stable.
#[test]
fn one_home_protocol_violations_are_typed_failures_not_panics() {
    let scenario = random_scenario(4, 2, 3, 4, false);
    let prepared = prepare(&scenario);
    let c = traced(ProtocolKind::Alternating, 50, 0);
    let run = |first: Cheat| {
        let built: Vec<Box<dyn Strategy>> = vec![Box::new(first), Box::new(TakeTheFirstAcceptable)];
        run_session_with(&scenario, &prepared, None, &c, built).unwrap()
    };
    let r = run(Cheat::AcceptAtOnce);
    let kind = FailureKind::IllegalAction {
        what: IllegalAction::AcceptWithoutOffer,
    };
    assert_eq!(
        r.end_reason,
        EndReason::Failure {
            party: detente_core::PartyId(0),
            kind: kind.clone()
        }
    );
    assert_eq!(
        kind.to_string(),
        "the strategy broke the protocol: it accepted at the first turn, when there is no offer to accept"
    );
    assert_eq!(kind.as_str(), "illegal-action");
    assert!(r.agreement.is_none() && r.trace.is_empty());

    let r = run(Cheat::OfferOutOfRange);
    let EndReason::Failure { party, kind } = &r.end_reason else {
        panic!("expected a failure, got {:?}", r.end_reason);
    };
    assert_eq!(party.0, 0);
    assert_eq!(
        *kind,
        FailureKind::IllegalAction {
            what: IllegalAction::OfferOutsideSpace {
                offer: vec![4, 0, 0]
            }
        }
    );
    assert_eq!(
        kind.to_string(),
        "the strategy broke the protocol: it offered [4, 0, 0], which is not an outcome of the scenario"
    );
}

/// The sentences of the other failures are stable too: the tournament
/// database stores them.
#[test]
fn one_home_failure_sentences_are_stable() {
    let panic = FailureKind::Panic {
        message: "chaos strategy panics at round 5 as asked".into(),
    };
    assert_eq!(
        panic.to_string(),
        "the strategy panicked: chaos strategy panics at round 5 as asked"
    );
    assert_eq!(panic.as_str(), "panic");
    let budget = FailureKind::OverBudget { budget_ms: 1000 };
    assert_eq!(
        budget.to_string(),
        "a call of the strategy took longer than its step budget of 1000 ms"
    );
    assert_eq!(budget.as_str(), "budget");
}

/// Issue "hostile input": `negotiate --rounds 4294967295` grew to gigabytes
/// before anything said no; the estimate refuses it before it starts.
#[test]
fn hostile_input_a_session_beyond_its_memory_budget_is_refused_before_it_starts() {
    let scenario = random_scenario(2, 2, 4, 3, false);
    let s = specs(&["boulware", "boulware"]);
    let huge = SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(u32::MAX), 1);
    assert!(estimated_memory(&scenario, &huge) > DEFAULT_MEMORY_BUDGET);
    let e = run_session(&scenario, None, &huge, &s).unwrap_err();
    assert!(matches!(e, NegotiationError::MemoryBudget { .. }), "{e}");
    let text = e.to_string();
    assert!(text.contains("memory budget of 1024 MiB"), "{text}");
    assert!(text.contains("8589934590 actions"), "{text}");
    // Absurd virtual time is refused the same way.
    let forever = SessionConfig::new(
        ProtocolKind::Alternating,
        Deadline::Time { seconds: 1e300 },
        1,
    );
    assert!(matches!(
        run_session(&scenario, None, &forever, &s),
        Err(NegotiationError::MemoryBudget { .. })
    ));
    // A larger budget lets a session through, and the estimate bounds what
    // the trace really holds.
    let traced = SessionConfig {
        record_trace: true,
        memory_budget: u64::MAX,
        ..SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(200), 1)
    };
    let r = run_session(&scenario, None, &traced, &s).unwrap();
    let per_event = std::mem::size_of::<TraceEvent>() as u64;
    assert!(r.trace.len() as u64 * per_event <= estimated_memory(&scenario, &traced));
    let tight = SessionConfig {
        memory_budget: estimated_memory(&scenario, &traced) - 1,
        ..traced
    };
    assert!(run_session(&scenario, None, &tight, &s).is_err());
}

#[test]
fn run_session_within_ends_at_once_when_cancelled() {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;
    let scenario = random_scenario(3, 2, 4, 6, true);
    let s = specs(&["boulware", "linear"]);
    for protocol in [
        ProtocolKind::Alternating,
        ProtocolKind::Mediated(MediatedVariant::Veto),
    ] {
        let c = traced(protocol, 500, 4);
        // Not raised: the same session as run_session.
        let calm = Arc::new(AtomicBool::new(false));
        let a = run_session_within(&scenario, None, &c, &s, &calm).unwrap();
        let b = run_session(&scenario, None, &c, &s).unwrap();
        assert_eq!(format!("{a:?}"), format!("{b:?}"), "{protocol:?}");
        // Raised: offer protocols end at the first step (the strategy walks
        // away); in a mediated one every vote is no and the final text is
        // refused, so the remaining rounds cost next to nothing.
        let raised = Arc::new(AtomicBool::new(true));
        let r = run_session_within(&scenario, None, &c, &s, &raised).unwrap();
        assert!(r.agreement.is_none(), "{protocol:?}");
        if protocol == ProtocolKind::Alternating {
            assert_eq!(r.trace.len(), 1, "{:?}", r.trace);
        } else {
            assert!(
                r.trace
                    .iter()
                    .all(|e| !matches!(e.action, Action::Vote { yes: true })),
                "{:?}",
                r.trace
            );
        }
    }
}
