//! The mediator played from outside (a person in the chair): the same
//! protocol, asked for each revision instead of drawing it.

use crate::common::random_scenario;
use detente_core::*;
use detente_negotiation::*;

fn traced(variant: MediatedVariant, rounds: u32, seed: u64) -> SessionConfig {
    SessionConfig {
        record_trace: true,
        ..SessionConfig::new(
            ProtocolKind::Mediated(variant),
            Deadline::Rounds(rounds),
            seed,
        )
    }
}

/// A session of two external parties and an external mediator.
fn chaired<'a>(
    scenario: &'a Scenario,
    prepared: &Prepared,
    config: &'a SessionConfig,
) -> Driver<'a> {
    Driver::new(scenario, prepared, None, config, vec![None, None])
        .unwrap()
        .with_external_mediator()
        .unwrap()
}

fn agents(scenario: &Scenario, seed: u64, names: &[&str]) -> Vec<Option<Box<dyn Strategy>>> {
    scenario
        .bargainers()
        .iter()
        .zip(names)
        .map(|(&p, n)| Some(strategy::build(&n.parse().unwrap(), strategy_seed(seed, p)).unwrap()))
        .collect()
}

/// An external mediator that proposes exactly what detente's mediator drew
/// (read off the automated session's trace) gives the same session: the
/// votes, the kept texts, the final vote and the result.
#[test]
fn an_external_mediator_replaying_the_draws_gives_the_same_session() {
    for (variant, seed) in [
        (MediatedVariant::Veto, 3),
        (MediatedVariant::HillClimbing, 5),
    ] {
        let scenario = random_scenario(seed, 3, 4, 5, true);
        let names = ["boulware", "conceder", "linear"];
        let config = traced(variant, 25, seed);
        let prepared = prepare(&scenario);
        let whole = Driver::new(
            &scenario,
            &prepared,
            None,
            &config,
            agents(&scenario, seed, &names),
        )
        .unwrap()
        .finish();
        // Every Propose after the opening text is a drawn revision.
        let draws: Vec<Outcome> = whole
            .trace
            .iter()
            .filter(|e| e.action == Action::Propose)
            .skip(1)
            .map(|e| e.outcome.clone().unwrap())
            .collect();
        assert_eq!(draws.len(), 25);
        let mut driver = Driver::new(
            &scenario,
            &prepared,
            None,
            &config,
            agents(&scenario, seed, &names),
        )
        .unwrap()
        .with_external_mediator()
        .unwrap();
        let mut next = draws.iter();
        while let Some(request) = driver.advance().cloned() {
            let Request::Propose { mediator, .. } = request else {
                panic!("only the mediator is external: {request:?}");
            };
            assert_eq!(mediator, Actor::NeutralMediator);
            driver.answer(Reply::Offer(next.next().unwrap())).unwrap();
        }
        assert!(next.next().is_none());
        assert_eq!(driver.finish(), whole, "{variant:?}");
    }
}

#[test]
fn the_mediator_may_change_several_issues_and_close_the_talks_early() {
    let scenario = random_scenario(7, 2, 3, 4, false);
    let config = traced(MediatedVariant::Veto, 30, 1);
    let prepared = prepare(&scenario);
    let mut driver = chaired(&scenario, &prepared, &config);
    let Some(Request::Propose { text, .. }) = driver.advance().cloned() else {
        panic!("the mediator drafts first");
    };
    let revised: Vec<u32> = text.iter().map(|&v| (v + 1) % 4).collect();
    driver.answer(Reply::Offer(&revised)).unwrap();
    for yes in [true, true] {
        let Some(Request::Vote { proposal, .. }) = driver.advance().cloned() else {
            panic!("each party votes");
        };
        assert_eq!(proposal, revised);
        driver.answer(Reply::Vote(yes)).unwrap();
    }
    // Kept: the next draft starts from the revision.
    let Some(Request::Propose { text, .. }) = driver.advance().cloned() else {
        panic!("the mediator drafts again");
    };
    assert_eq!(text, revised);
    assert_eq!(driver.round(), 1);
    driver.answer(Reply::End).unwrap();
    for _ in 0..2 {
        let Some(Request::FinalVote { text, .. }) = driver.advance().cloned() else {
            panic!("closing calls the final vote");
        };
        assert_eq!(text, revised);
        driver.answer(Reply::Vote(true)).unwrap();
    }
    let r = driver.finish();
    assert_eq!(r.rounds, 1);
    let acceptable = scenario.bargainers().iter().all(|&p| {
        scenario.red_lines_crossed(p, &revised).is_empty()
            && scenario.utility_of(p, &revised) >= scenario.reservation(p)
    });
    if acceptable {
        assert_eq!(r.end_reason, EndReason::Agreement);
        assert_eq!(r.agreement, Some(revised));
    } else {
        assert!(matches!(r.end_reason, EndReason::Walkaway { .. }));
    }
}

#[test]
fn malformed_revisions_are_refused_and_change_nothing() {
    let scenario = random_scenario(2, 2, 3, 4, false);
    let config = traced(MediatedVariant::Veto, 10, 1);
    let prepared = prepare(&scenario);
    let mut driver = chaired(&scenario, &prepared, &config);
    let asked = driver.advance().cloned().unwrap();
    let Request::Propose { text, .. } = &asked else {
        panic!("the mediator drafts first");
    };
    let mut outside = text.clone();
    outside[0] = 99;
    for bad in [&text[..], &outside[..], &text[..1]] {
        assert!(matches!(
            driver.answer(Reply::Offer(bad)),
            Err(ReplyError::BadProposal(_))
        ));
        assert_eq!(driver.advance(), Some(&asked));
    }
    assert!(matches!(
        driver.answer(Reply::Vote(true)),
        Err(ReplyError::Mismatch { .. })
    ));
    assert!(matches!(
        driver.fail(FailureKind::Error {
            message: "x".into()
        }),
        Err(ReplyError::Mismatch { .. })
    ));
    assert_eq!(driver.advance(), Some(&asked));
    assert!(
        driver.trace().len() == 1,
        "only the opening text is recorded"
    );
}

#[test]
fn only_mediated_sessions_have_a_mediator_to_play() {
    let scenario = random_scenario(2, 2, 3, 4, false);
    let config = SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(10), 1);
    let prepared = prepare(&scenario);
    let err = Driver::new(&scenario, &prepared, None, &config, vec![None, None])
        .unwrap()
        .with_external_mediator()
        .err()
        .unwrap();
    assert!(matches!(err, NegotiationError::NoMediator("alternating")));
}

/// An outside clock (a live room's wall clock) moves the time strategies
/// see: Boulware answering the same offer late in the session concedes
/// more than early, and the time never goes back.
#[test]
fn an_outside_clock_moves_the_time_strategies_see() {
    let scenario = random_scenario(4, 2, 3, 5, false);
    let config = SessionConfig {
        record_trace: true,
        ..SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(100), 1)
    };
    let prepared = prepare(&scenario);
    let space = scenario.space();
    let worst_for_them = (0..space.count_u64().unwrap())
        .map(|i| space.decode(i))
        .min_by(|a, b| {
            let u = |o: &[u32]| scenario.utility_of(PartyId(1), o);
            u(a).total_cmp(&u(b))
        })
        .unwrap();
    let reply_at = |floor: f64| {
        let boulware = strategy::build(&"boulware".parse().unwrap(), strategy_seed(1, PartyId(1)));
        let mut d = Driver::new(
            &scenario,
            &prepared,
            None,
            &config,
            vec![None, Some(boulware.unwrap())],
        )
        .unwrap();
        d.advance();
        d.set_time_floor(floor);
        d.set_time_floor(floor / 2.0);
        d.answer(Reply::Offer(&worst_for_them)).unwrap();
        d.advance();
        let e = d.trace().last().unwrap().clone();
        assert_eq!(e.action, Action::Offer);
        (e.time, e.utilities[1])
    };
    let (early_t, early_u) = reply_at(0.0);
    let (late_t, late_u) = reply_at(0.9);
    assert!(early_t < 0.05, "{early_t}");
    assert!(late_t >= 0.9, "{late_t}");
    assert!(
        late_u < early_u,
        "Boulware at 0.9 asks {late_u}, at the start {early_u}"
    );
}
