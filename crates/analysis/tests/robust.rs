//! Robust analysis against answers worked out by hand: probabilities within
//! four standard errors, thresholds exactly; single-number distributions
//! give the deterministic answers bit for bit; threads change nothing.

use detente_analysis::{
    Options, RobustOptions, Samples, Subject, analyze, evaluate, robust_analysis, robust_evaluation,
};
use detente_core::*;

fn issue(name: &str, n: usize) -> Issue {
    Issue {
        name: name.into(),
        description: String::new(),
        kind: IssueKind::Categorical {
            options: (0..n).map(|k| format!("o{k}")).collect(),
            ordered: true,
        },
    }
}

fn party(name: &str, weights: Vec<f64>, values: Vec<Vec<f64>>, reservation: f64) -> Party {
    Party {
        name: name.into(),
        role: Role::Party,
        description: String::new(),
        preferences: Preferences {
            model: UtilityModel::Additive {
                weights,
                values: values.into_iter().map(ValueFunction::Table).collect(),
                interactions: vec![],
            },
            normalisation: Normalisation::MinMax,
            red_lines: vec![],
            reservation,
            discount: 1.0,
        },
    }
}

/// One issue of five options; `a` values them 0, 0.25, ..., 1 and `b` the
/// reverse; `a`'s reservation value is uniform on [0.2, 0.6] (point 0.4).
fn one_issue(reservation: Distribution, point: f64) -> Scenario {
    let up = vec![0.0, 0.25, 0.5, 0.75, 1.0];
    let down: Vec<f64> = up.iter().rev().copied().collect();
    Scenario::new(ScenarioParts {
        name: "one".into(),
        issues: vec![issue("x", 5)],
        parties: vec![
            party("a", vec![1.0], vec![up], point),
            party("b", vec![1.0], vec![down], 0.1),
        ],
        uncertain: vec![Uncertain::Number {
            party: PartyId(0),
            target: Target::Reservation,
            distribution: reservation,
        }],
        ..Default::default()
    })
    .unwrap()
}

fn within_four_se(p: detente_analysis::Probability, expected: f64) {
    assert!(
        (p.p - expected).abs() <= 4.0 * p.se.max(1e-9),
        "{} ± {} is not {expected}",
        p.p,
        p.se
    );
}

fn options(samples: u64, seed: u64) -> RobustOptions {
    RobustOptions {
        samples: Samples::Fixed(samples),
        seed,
        ..RobustOptions::default()
    }
}

#[test]
fn a_uniform_reservation_value_gives_u_minus_a_over_b_minus_a() {
    let s = one_issue(
        Distribution::Uniform {
            low: 0.2,
            high: 0.6,
        },
        0.4,
    );
    let r = robust_evaluation(&s, &[2], &options(20_000, 7)).unwrap();
    // u = 0.5: (0.5 - 0.2) / (0.6 - 0.2).
    within_four_se(r.parties[0].accept, 0.75);
    assert_eq!(r.parties[1].accept.p, 1.0);
    within_four_se(r.all_accept, 0.75);
    let t = &r.thresholds[0];
    assert_eq!(
        (t.subject, t.party, t.value),
        (Subject::Proposal, PartyId(0), 0.5)
    );
    assert!(t.accepts_below && !t.accepts_above);
    // The reservation value is the only uncertainty: it explains nearly all.
    assert!(r.explained[0].share > 0.9, "{:?}", r.explained);
}

#[test]
fn a_triangular_reservation_value_follows_its_cdf() {
    let d = Distribution::Triangular {
        low: 0.2,
        mode: 0.3,
        high: 0.7,
    };
    let expected = d.cdf(0.5);
    let s = one_issue(d, 0.3);
    let r = robust_evaluation(&s, &[2], &options(20_000, 3)).unwrap();
    within_four_se(r.parties[0].accept, expected);
}

/// Two issues; `a` weighs the first w (uniform on [0.5, 4]) and the second 1,
/// and the proposal gives it the best of the first and the worst of the
/// second: u = w / (w + 1) >= 0.6 exactly when w >= 1.5.
fn weighted() -> Scenario {
    Scenario::new(ScenarioParts {
        name: "w".into(),
        issues: vec![issue("x", 2), issue("y", 2)],
        parties: vec![
            party(
                "a",
                vec![2.25, 1.0],
                vec![vec![0.0, 1.0], vec![0.0, 1.0]],
                0.6,
            ),
            party(
                "b",
                vec![1.0, 1.0],
                vec![vec![1.0, 0.0], vec![1.0, 0.0]],
                0.0,
            ),
        ],
        uncertain: vec![Uncertain::Number {
            party: PartyId(0),
            target: Target::Weight(IssueId(0)),
            distribution: Distribution::Uniform {
                low: 0.5,
                high: 4.0,
            },
        }],
        ..Default::default()
    })
    .unwrap()
}

#[test]
fn a_weight_threshold_is_exact() {
    let s = weighted();
    let r = robust_evaluation(&s, &[1, 0], &options(20_000, 11)).unwrap();
    within_four_se(r.parties[0].accept, (4.0 - 1.5) / 3.5);
    let t = r
        .thresholds
        .iter()
        .find(|t| t.subject == Subject::Proposal)
        .unwrap();
    // The flip of the floating-point model, which rounding in the utility's
    // sums and normalisation moves a few units in the last place at most.
    assert!(
        (t.value - 1.5).abs() <= 4.0 * f64::EPSILON * 1.5,
        "{}",
        t.value
    );
    assert!(t.accepts_above && !t.accepts_below);
}

#[test]
fn single_number_distributions_give_the_deterministic_answers_bit_for_bit() {
    let d = Distribution::Choices {
        values: vec![0.45],
        p: vec![1.0],
    };
    let s = one_issue(d, 0.45);
    let point = analyze(&s, &Options::default()).unwrap();
    for o in 0..5u32 {
        let ev = evaluate(&s, &point, &[o], &Default::default());
        let r = robust_evaluation(&s, &[o], &options(300, 1)).unwrap();
        for (v, a) in ev.verdicts.iter().zip(&r.parties) {
            assert_eq!(a.utility.mean.to_bits(), v.utility.to_bits());
            assert_eq!(a.utility.q05.to_bits(), v.utility.to_bits());
            assert_eq!(a.accept.p, if v.accepts { 1.0 } else { 0.0 });
        }
        assert_eq!(r.all_accept.p == 1.0, ev.acceptable_to_all);
    }
    let ra = robust_analysis(&s, &point, &options(300, 1)).unwrap();
    assert_eq!(ra.zone_nonempty.p, 1.0);
    let acceptable: Vec<Vec<u32>> = (0..5u32)
        .map(|o| vec![o])
        .filter(|o| s.acceptable_to_all(o))
        .collect();
    let mut robust: Vec<Vec<u32>> = ra.outcomes.iter().map(|c| c.outcome.clone()).collect();
    robust.sort();
    assert_eq!(robust, acceptable);
    assert!(ra.outcomes.iter().all(|c| c.all_accept.p == 1.0));
}

#[test]
fn a_sampler_at_the_point_values_compiles_the_same_bits() {
    let s = weighted();
    let mut sampler = Sampler::new(&s);
    sampler.set(&[2.25]).unwrap();
    assert_eq!(sampler.utility(PartyId(0)), s.utility(PartyId(0)));
}

#[test]
fn threads_change_no_bit() {
    let s = weighted();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let point = analyze(&s, &Options::default()).unwrap();
                (
                    robust_evaluation(&s, &[1, 0], &options(3_000, 5)).unwrap(),
                    robust_analysis(&s, &point, &options(3_000, 5)).unwrap(),
                )
            })
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn auto_stops_once_every_standard_error_is_small() {
    let s = one_issue(
        Distribution::Uniform {
            low: 0.2,
            high: 0.6,
        },
        0.4,
    );
    let auto = RobustOptions {
        samples: Samples::Auto {
            target_se: 0.01,
            cap: 100_000,
        },
        ..RobustOptions::default()
    };
    let r = robust_evaluation(&s, &[2], &auto).unwrap();
    assert!(r.all_accept.se <= 0.01);
    assert!(r.samples <= 3072, "{}", r.samples);
    // The same samples, asked for by number, give the same answer.
    let fixed = robust_evaluation(&s, &[2], &options(r.samples, 0)).unwrap();
    assert_eq!(fixed, r);
}

#[test]
fn too_much_work_is_refused_before_sampling() {
    let s = weighted();
    let o = RobustOptions {
        work_limit: 1000,
        ..options(10_000, 0)
    };
    let e = robust_evaluation(&s, &[1, 0], &o).unwrap_err();
    assert!(e.to_string().contains("more than the limit of 1000"), "{e}");
}

fn peace_talks() -> Scenario {
    let text = detente_formats::builtin::text("peace-talks").unwrap();
    detente_formats::native::read_str(text, "peace-talks").unwrap()
}

/// A sample refills the compiled tables in place; a scenario built afresh
/// from the same numbers compiles to the same bits.
#[test]
fn a_drawn_sample_is_the_scenario_of_its_numbers() {
    let s = peace_talks();
    let mut sampler = Sampler::new(&s);
    let mut k = 0u64;
    for _ in 0..20 {
        sampler
            .draw(&mut || {
                k += 1;
                (k as f64 * 0.618_033_988_749_895).fract()
            })
            .unwrap();
        let mut parts = s.parts().clone();
        for (u, &x) in s.uncertain().iter().zip(sampler.numbers()) {
            if let Uncertain::Number { party, target, .. } = u {
                uncertain::set_number(&mut parts.parties[party.index()].preferences, target, x);
            }
        }
        let fresh = Scenario::new(parts).unwrap();
        for p in 0..s.parties().len() as u32 {
            assert_eq!(sampler.utility(PartyId(p)), fresh.utility(PartyId(p)));
            assert_eq!(
                sampler.reservation(PartyId(p)),
                fresh.reservation(PartyId(p))
            );
        }
    }
}

#[test]
fn peace_talks_point_values_are_its_deterministic_model() {
    let s = peace_talks();
    let mut sampler = Sampler::new(&s);
    sampler.set(&point_numbers(&s)).unwrap();
    for p in 0..s.parties().len() as u32 {
        assert_eq!(sampler.utility(PartyId(p)), s.utility(PartyId(p)));
    }
}

/// A value table known only as an ordering: every draw keeps the order,
/// best worth 1 and worst 0, and the inner values vary.
#[test]
fn a_ranking_samples_tables_consistent_with_its_order() {
    let s = Scenario::new(ScenarioParts {
        name: "ranked".into(),
        issues: vec![issue("x", 4)],
        parties: vec![
            party(
                "a",
                vec![1.0],
                vec![vec![1.0 / 3.0, 1.0, 0.0, 2.0 / 3.0]],
                0.0,
            ),
            party("b", vec![1.0], vec![vec![0.0, 1.0, 2.0, 3.0]], 0.0),
        ],
        uncertain: vec![Uncertain::Ranking {
            party: PartyId(0),
            issue: IssueId(0),
            order: vec![1, 3, 0, 2],
        }],
        ..Default::default()
    })
    .unwrap();
    let mut sampler = Sampler::new(&s);
    let mut k = 0u64;
    let mut seen = Vec::new();
    for _ in 0..50 {
        sampler
            .draw(&mut || {
                k += 1;
                (k as f64 * 0.754_877_666_246_693).fract()
            })
            .unwrap();
        let u = |v: u32| sampler.utility(PartyId(0)).eval(&[v]);
        assert_eq!((u(1), u(2)), (1.0, 0.0));
        assert!(u(1) >= u(3) && u(3) >= u(0) && u(0) >= u(2));
        seen.push(u(3));
    }
    assert!(seen.iter().any(|x| *x != seen[0]), "the inner values vary");
}
