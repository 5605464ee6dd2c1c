//! Invariants of the SMP run on arbitrary scenarios and parameters.

use detente_forecast::{
    Actor, BargnModel, BigRAdjust, BigRRange, InterVecBrgn, MAX_TURNS, Model, Move, Params,
    PceModel, StateTransitions, StopReason, ThirdPartyCommit, VictoryProbModel, VotingRule, run,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

/// Saliences are drawn freely; `model_strategy` scales any total above 1 down.
fn actor_strategy(dims: usize) -> impl Strategy<Value = Actor> {
    (
        1.0f64..200.0,
        prop::collection::vec(0.0f64..=1.0, dims),
        prop::collection::vec(0.05f64..1.0, dims),
    )
        .prop_map(|(cap, pos, sal)| Actor::new("x", cap, pos, sal))
}

fn model_strategy() -> impl Strategy<Value = Model> {
    models(3..=9)
}

fn models(actors: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Model> {
    (1usize..=3, actors)
        .prop_flat_map(|(dims, n)| {
            (
                Just(dims),
                prop::collection::vec(actor_strategy(dims), n),
                params_strategy(),
                any::<u64>(),
            )
        })
        .prop_map(|(dims, mut actors, params, seed)| {
            for (i, a) in actors.iter_mut().enumerate() {
                a.name = format!("A{i}");
                let s = a.total_salience();
                if s > 1.0 {
                    for x in &mut a.salience {
                        *x /= s;
                    }
                }
            }
            let names = (0..dims).map(|d| format!("D{d}")).collect();
            Model::new(names, actors)
                .unwrap()
                .with_params(params)
                .with_seed(seed)
        })
}

fn params_strategy() -> impl Strategy<Value = Params> {
    (
        prop::sample::select(VictoryProbModel::ALL),
        prop::sample::select(PceModel::ALL),
        prop::sample::select(StateTransitions::ALL),
        prop::sample::select(VotingRule::ALL),
        prop::sample::select(BigRAdjust::ALL),
        prop::sample::select(BigRRange::ALL),
        prop::sample::select(ThirdPartyCommit::ALL),
        prop::sample::select(InterVecBrgn::ALL),
        prop::sample::select(BargnModel::ALL),
        any::<bool>(),
    )
        .prop_map(|(vpm, pce, stm, vr, ra, rr, tpc, ivb, bm, compat)| Params {
            victory_prob: vpm,
            pce,
            transitions: stm,
            voting_rule: vr,
            big_r_adjust: ra,
            big_r_range: rr,
            third_party_commit: tpc,
            inter_vec_brgn: ivb,
            bargain_model: bm,
            ktab_compat: compat,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn positions_stay_in_range_and_the_run_stops(model in model_strategy()) {
        let f = run(&model);
        prop_assert!(f.num_turns() >= 1 && f.num_turns() <= MAX_TURNS);
        match f.stop {
            StopReason::MaxTurns => prop_assert_eq!(f.num_turns(), MAX_TURNS),
            StopReason::Converged { ratio } => {
                prop_assert!(ratio < 0.02);
                prop_assert!(f.num_turns() >= 2);
            }
            StopReason::Cancelled => prop_assert!(false, "nobody cancelled"),
        }
        // KTAB's quirk Q1 feeds an expected gain (which may be negative or
        // above 1) into the interpolation weights, so with it bargains can
        // extrapolate beyond the two positions and leave [0, 1].
        let p = model.params();
        let may_leave = p.ktab_compat && p.bargain_model != BargnModel::InitOnlyInterp;
        for turn in &f.turns {
            for &x in turn.positions.iter().chain(&turn.ideals) {
                prop_assert!(x.is_finite());
                if !may_leave {
                    prop_assert!((-1e-12..=1.0 + 1e-12).contains(&x), "position {} out of range", x);
                }
            }
            for &w in &turn.win_prob {
                prop_assert!((0.0..=1.0 + 1e-9).contains(&w));
            }
        }
        // Every move names a bargain of the previous turn that involves the actor.
        for t in 1..f.turns.len() {
            for (a, m) in f.turns[t].moves.iter().enumerate() {
                if let Move::Bargain { bargain, initiator, receiver } = *m {
                    let b = &f.turns[t - 1].bargains[bargain];
                    prop_assert!(b.initiator == initiator && b.receiver == receiver);
                    prop_assert!(a == initiator || a == receiver);
                }
            }
        }
    }

    #[test]
    fn same_seed_same_stochastic_run(model in model_strategy()) {
        let mut p = *model.params();
        p.transitions = StateTransitions::Stochastic;
        let m = model.with_params(p);
        prop_assert_eq!(run(&m), run(&m));
    }
}

/// Results do not depend on the number of worker threads.
#[test]
fn thread_count_does_not_change_results() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..4 {
        // Large enough for the turns to run on the thread pool.
        let model = models(20..=28).new_tree(&mut runner).unwrap().current();
        let mut p = *model.params();
        p.transitions = StateTransitions::Stochastic;
        let model = model.with_params(p);
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let four = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        let a = one.install(|| run(&model));
        let b = four.install(|| run(&model));
        assert_eq!(a, b);
    }
}

/// The seed matters for stochastic runs (so the test above is not vacuous).
#[test]
fn different_seeds_can_differ() {
    let actors = (0..8)
        .map(|i| {
            let x = i as f64 / 7.0;
            Actor::new(
                &format!("A{i}"),
                50.0 + 10.0 * i as f64,
                vec![x, 1.0 - x],
                vec![0.4, 0.3],
            )
        })
        .collect();
    let base = Model::new(vec!["d0".into(), "d1".into()], actors).unwrap();
    let p = Params {
        transitions: StateTransitions::Stochastic,
        ..Params::default()
    };
    let runs: Vec<_> = (0..6u64)
        .map(|s| run(&base.clone().with_params(p).with_seed(s)).turns)
        .collect();
    assert!(runs.windows(2).any(|w| w[0] != w[1]));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// The quirks only touch the receiver's-perspective and compromise
    /// bargains: with initiator-only bargains both settings agree.
    #[test]
    fn quirks_only_matter_for_receiver_bargains(model in model_strategy()) {
        let mut p = *model.params();
        p.bargain_model = BargnModel::InitOnlyInterp;
        p.ktab_compat = true;
        let compat = run(&model.clone().with_params(p));
        p.ktab_compat = false;
        let corrected = run(&model.with_params(p));
        prop_assert_eq!(compat, corrected);
    }
}

/// With receiver-side bargains the corrected formulas do change forecasts.
#[test]
fn corrected_formulas_differ_somewhere() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut differs = false;
    for _ in 0..16 {
        let model = models(5..=9).new_tree(&mut runner).unwrap().current();
        let mut p = *model.params();
        p.bargain_model = BargnModel::PWCompInterp;
        p.transitions = StateTransitions::Deterministic;
        p.ktab_compat = true;
        let a = run(&model.clone().with_params(p));
        p.ktab_compat = false;
        let b = run(&model.with_params(p));
        differs |= a.turns != b.turns;
    }
    assert!(differs);
}
