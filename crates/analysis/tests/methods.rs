//! Differential tests: the additive frontier against enumeration, and both
//! against a brute-force definition of the frontier and the solutions.

use detente_analysis::{Disagreement, MethodChoice, Options, analyze, nash_product};
use detente_core::*;
use proptest::prelude::*;

/// A random additive scenario: utilities are multiples of 1/8 so that ties
/// (equal utility vectors, equal products) are common and exact.
fn scenario_strategy() -> impl Strategy<Value = (Scenario, bool)> {
    (1usize..5, 2usize..5, any::<bool>())
        .prop_flat_map(|(n_issues, n_parties, capped)| {
            let radices = proptest::collection::vec(1u32..5, n_issues);
            (radices, Just(n_parties), Just(capped)).prop_flat_map(
                |(radices, n_parties, capped)| {
                    let total: usize = radices.iter().map(|&r| r as usize).sum();
                    let party = (
                        proptest::collection::vec(0u8..4, radices.len()),
                        proptest::collection::vec(0u8..9, total),
                        proptest::collection::vec(0u8..12, total),
                        0u8..6,
                    );
                    (
                        Just(radices),
                        proptest::collection::vec(party, n_parties),
                        Just(capped),
                    )
                },
            )
        })
        .prop_filter_map(
            "needs a positive weight per party",
            |(radices, parties, capped)| {
                let issues: Vec<Issue> = radices
                    .iter()
                    .enumerate()
                    .map(|(i, &r)| Issue {
                        name: format!("i{i}"),
                        description: String::new(),
                        kind: IssueKind::Categorical {
                            options: (0..r).map(|v| format!("v{v}")).collect(),
                            ordered: false,
                        },
                    })
                    .collect();
                let mut ps = Vec::new();
                for (k, (w, vals, red, rv)) in parties.iter().enumerate() {
                    if w.iter().all(|&x| x == 0) {
                        return None;
                    }
                    let mut offset = 0;
                    let mut values = Vec::new();
                    let mut red_lines = Vec::new();
                    for (i, &r) in radices.iter().enumerate() {
                        let t: Vec<f64> = (0..r as usize)
                            .map(|v| vals[offset + v] as f64 / 8.0)
                            .collect();
                        values.push(ValueFunction::Table(t));
                        for v in 0..r as usize {
                            // About one value in twelve is a red line.
                            if red[offset + v] == 0 {
                                let mut mask = vec![false; r as usize];
                                mask[v] = true;
                                red_lines.push(RedLine {
                                    when: Clause {
                                        conditions: vec![Condition {
                                            issue: IssueId(i as u32),
                                            values: ValueSet(mask),
                                        }],
                                    },
                                    note: String::new(),
                                });
                            }
                        }
                        offset += r as usize;
                    }
                    ps.push(Party {
                        name: format!("p{k}"),
                        role: Role::Party,
                        description: String::new(),
                        preferences: Preferences {
                            model: UtilityModel::Additive {
                                weights: w.iter().map(|&x| x as f64 / 4.0).collect(),
                                values,
                                interactions: vec![],
                            },
                            normalisation: if capped {
                                Normalisation::CappedAtOne
                            } else {
                                Normalisation::AsGiven
                            },
                            red_lines,
                            reservation: *rv as f64 / 8.0,
                            discount: 1.0,
                        },
                    });
                }
                Scenario::new(ScenarioParts {
                    name: "random".into(),
                    issues,
                    parties: ps,
                    ..Default::default()
                })
                .ok()
                .map(|s| (s, capped))
            },
        )
}

/// The frontier by definition: every outcome, pairwise dominance.
fn brute_frontier(s: &Scenario, feasible_only: bool) -> Vec<(Vec<f64>, u64)> {
    let n = s.space().count_u64().unwrap();
    let parties = s.bargainers();
    let all: Vec<(Vec<f64>, u64)> = (0..n)
        .map(|k| {
            let o = s.space().decode(k);
            (
                parties
                    .iter()
                    .map(|&p| s.utility_of(p, &o))
                    .collect::<Vec<f64>>(),
                k,
            )
        })
        .filter(|(_, k)| {
            let o = s.space().decode(*k);
            !feasible_only || parties.iter().all(|&p| !s.red_lines(p).crossed(&o))
        })
        .collect();
    let mut out: Vec<(Vec<f64>, u64)> = Vec::new();
    for (u, k) in &all {
        let dominated = all.iter().any(|(v, _)| {
            v.iter().zip(u).all(|(a, b)| a >= b) && v.iter().zip(u).any(|(a, b)| a > b)
        });
        if !dominated && !out.iter().any(|(v, _)| v == u) {
            out.push((u.clone(), *k));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn additive_equals_enumeration_equals_definition((s, capped) in scenario_strategy()) {
        let opts = |m| Options { method: m, ..Options::default() };
        let e = analyze(&s, &opts(MethodChoice::Enumerate)).unwrap();
        let a = analyze(&s, &opts(MethodChoice::Additive)).unwrap();
        let key = |pts: &[detente_analysis::Point]| pts.iter().map(|p| (p.utilities.clone(), p.key.unwrap())).collect::<Vec<_>>();
        let utils = |pts: &[detente_analysis::Point]| {
            let mut v: Vec<Vec<f64>> = pts.iter().map(|p| p.utilities.clone()).collect();
            v.sort_by(|a, b| a.partial_cmp(b).unwrap());
            v
        };
        let mut whole = brute_frontier(&s, false);
        whole.sort_by_key(|p| p.1);
        let mut feasible = brute_frontier(&s, true);
        feasible.sort_by_key(|p| p.1);
        // Enumeration: exact points, first outcome in issue order.
        prop_assert_eq!(key(&e.pareto), whole.clone());
        prop_assert_eq!(key(&e.feasible_pareto), feasible.clone());
        // Additive: the same utility vectors; the same first outcomes unless
        // the cap at 1 merged vectors (then any representative is valid).
        prop_assert_eq!(utils(&a.pareto), utils(&e.pareto));
        // Counts, whether scanned or known without enumeration.
        prop_assert_eq!(a.agreement_zone, e.agreement_zone);
        prop_assert_eq!(a.acceptable_count, e.acceptable_count);
        prop_assert_eq!(utils(&a.feasible_pareto), utils(&e.feasible_pareto));
        if !capped {
            let mut ak = key(&a.pareto);
            ak.sort_by_key(|p| p.1);
            prop_assert_eq!(ak, whole);
            let sol = |x: &Option<detente_analysis::Point>| x.as_ref().map(|p| (p.utilities.clone(), p.outcome.clone()));
            prop_assert_eq!(sol(&a.solutions.nash), sol(&e.solutions.nash));
            prop_assert_eq!(sol(&a.solutions.max_welfare), sol(&e.solutions.max_welfare));
            prop_assert_eq!(sol(&a.solutions.kalai_smorodinsky), sol(&e.solutions.kalai_smorodinsky));
            prop_assert_eq!(sol(&a.solutions.egalitarian), sol(&e.solutions.egalitarian));
        }
        // The Nash solution maximises the product over every feasible outcome.
        if let Some(nash) = &e.solutions.nash {
            let d = &e.disagreement;
            let best = nash_product(&nash.utilities, d);
            for k in 0..s.space().count_u64().unwrap() {
                let o = s.space().decode(k);
                if s.acceptable_to_all(&o) {
                    let u: Vec<f64> = s.bargainers().iter().map(|&p| s.utility_of(p, &o)).collect();
                    prop_assert!(nash_product(&u, d) <= best);
                }
            }
        } else {
            prop_assert_eq!(e.agreement_zone, Some(0));
        }
    }
}

#[test]
fn zero_disagreement_ignores_reservation_values() {
    let issue = Issue {
        name: "x".into(),
        description: String::new(),
        kind: IssueKind::Categorical {
            options: vec!["a".into(), "b".into(), "c".into()],
            ordered: true,
        },
    };
    let party = |name: &str, t: Vec<f64>, rv: f64| Party {
        name: name.into(),
        role: Role::Party,
        description: String::new(),
        preferences: Preferences {
            model: UtilityModel::Additive {
                weights: vec![1.0],
                values: vec![ValueFunction::Table(t)],
                interactions: vec![],
            },
            normalisation: Normalisation::AsGiven,
            red_lines: vec![],
            reservation: rv,
            discount: 1.0,
        },
    };
    let s = Scenario::new(ScenarioParts {
        name: "t".into(),
        issues: vec![issue],
        parties: vec![
            party("p", vec![1.0, 0.75, 0.0], 0.9),
            party("q", vec![0.0, 0.5, 1.0], 0.0),
        ],
        ..Default::default()
    })
    .unwrap();
    let with_rv = analyze(&s, &Options::default()).unwrap();
    // Only `a` gives p at least 0.9.
    assert_eq!(with_rv.solutions.nash.unwrap().outcome, vec![0]);
    assert_eq!(with_rv.agreement_zone, Some(1));
    let zero = analyze(
        &s,
        &Options {
            disagreement: Disagreement::Zero,
            ..Options::default()
        },
    )
    .unwrap();
    // 0.75 * 0.5 = 0.375 beats 1 * 0 and 0 * 1.
    assert_eq!(zero.solutions.nash.unwrap().outcome, vec![1]);
    assert_eq!(zero.solutions.max_welfare.unwrap().outcome, vec![1]);
}

/// A random scenario with box utilities (GENIUS's non-linear profiles):
/// integer utilities, some negative, boxes over one to three issues.
fn box_scenario_strategy() -> impl Strategy<Value = Scenario> {
    (1usize..5, 2usize..4)
        .prop_flat_map(|(n_issues, n_parties)| {
            let radices = proptest::collection::vec(1u32..5, n_issues);
            let boxes = proptest::collection::vec(
                proptest::collection::vec(
                    (
                        -3i8..10,
                        proptest::collection::vec((0usize..4, 0u32..4, 0u32..4), 0..3),
                    ),
                    0..6,
                ),
                n_parties,
            );
            let reds = proptest::collection::vec(
                proptest::collection::vec((0usize..4, 0u32..4), 0..2),
                n_parties,
            );
            (radices, boxes, reds, any::<bool>())
        })
        .prop_filter_map("valid boxes", |(radices, parties, reds, capped)| {
            let n = radices.len();
            let issues: Vec<Issue> = radices
                .iter()
                .enumerate()
                .map(|(i, &r)| Issue {
                    name: format!("i{i}"),
                    description: String::new(),
                    kind: IssueKind::Integer {
                        min: 0,
                        max: r as i64 - 1,
                    },
                })
                .collect();
            let ps = parties
                .iter()
                .zip(&reds)
                .enumerate()
                .map(|(k, (bs, red))| Party {
                    name: format!("p{k}"),
                    role: Role::Party,
                    description: String::new(),
                    preferences: Preferences {
                        model: UtilityModel::HyperRectangles {
                            rectangles: bs
                                .iter()
                                .map(|(u, bounds)| HyperRectangle {
                                    bounds: bounds
                                        .iter()
                                        .filter(|(i, _, _)| *i < n)
                                        .map(|&(i, a, b)| {
                                            let r = radices[i];
                                            let (lo, hi) = (a.min(b) % r, a.max(b) % r);
                                            (IssueId(i as u32), lo.min(hi), lo.max(hi))
                                        })
                                        .collect(),
                                    utility: *u as f64,
                                })
                                .collect(),
                            max_utility: 7.0,
                        },
                        normalisation: if capped {
                            Normalisation::CappedAtOne
                        } else {
                            Normalisation::AsGiven
                        },
                        red_lines: red
                            .iter()
                            .filter(|(i, _)| *i < n)
                            .map(|&(i, v)| {
                                let mut mask = vec![false; radices[i] as usize];
                                mask[(v % radices[i]) as usize] = true;
                                RedLine {
                                    when: Clause {
                                        conditions: vec![Condition {
                                            issue: IssueId(i as u32),
                                            values: ValueSet(mask),
                                        }],
                                    },
                                    note: String::new(),
                                }
                            })
                            .collect(),
                        reservation: 0.0,
                        discount: 1.0,
                    },
                })
                .collect();
            Scenario::new(ScenarioParts {
                name: "boxes".into(),
                issues,
                parties: ps,
                ..Default::default()
            })
            .ok()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn branch_and_bound_equals_enumeration(s in box_scenario_strategy()) {
        let opts = |m| Options { method: m, ..Options::default() };
        let e = analyze(&s, &opts(MethodChoice::Enumerate)).unwrap();
        let b = analyze(&s, &opts(MethodChoice::BranchAndBound)).unwrap();
        let pts = |a: &detente_analysis::Analysis, feasible: bool| {
            let f = if feasible { &a.feasible_pareto } else { &a.pareto };
            f.iter().map(|p| (p.utilities.clone(), p.outcome.clone())).collect::<Vec<_>>()
        };
        prop_assert_eq!(pts(&b, false), pts(&e, false));
        prop_assert_eq!(pts(&b, true), pts(&e, true));
    }
}

/// Regression (one-home issue): asking for branch and bound where it does
/// not apply said the *additive* method needs additive utilities.
#[test]
fn branch_and_bound_refusal_names_branch_and_bound() {
    use detente_core::*;
    let issue = |name: &str| Issue {
        name: name.into(),
        description: String::new(),
        kind: IssueKind::Categorical {
            options: vec!["a".into(), "b".into()],
            ordered: false,
        },
    };
    let party = |name: &str, interactions: Vec<Interaction>| Party {
        name: name.into(),
        role: Role::Party,
        description: String::new(),
        preferences: Preferences {
            model: UtilityModel::Additive {
                weights: vec![1.0, 1.0],
                values: vec![
                    ValueFunction::Table(vec![0.0, 1.0]),
                    ValueFunction::Table(vec![1.0, 0.0]),
                ],
                interactions,
            },
            normalisation: Normalisation::MinMax,
            red_lines: vec![],
            reservation: 0.0,
            discount: 1.0,
        },
    };
    let bonus = Interaction {
        when: Clause {
            conditions: vec![Condition {
                issue: IssueId(0),
                values: ValueSet(vec![true, false]),
            }],
        },
        bonus: 0.5,
        note: String::new(),
    };
    let scenario = Scenario::new(ScenarioParts {
        name: "s".into(),
        description: String::new(),
        issues: vec![issue("x"), issue("y")],
        parties: vec![party("p", vec![bonus]), party("q", vec![])],
        proposals: vec![],
        uncertain: vec![],
    })
    .unwrap();
    let e = detente_analysis::analyze(
        &scenario,
        &detente_analysis::Options {
            method: detente_analysis::MethodChoice::BranchAndBound,
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("branch-and-bound"), "{e}");
    assert!(!e.contains("additive method"), "{e}");
}
