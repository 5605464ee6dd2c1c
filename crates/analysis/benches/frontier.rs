//! Frontier and solution benchmarks on synthetic linear-additive scenarios.
//!
//! Run: `cargo bench -p detente-analysis --bench frontier`.

use criterion::{Criterion, criterion_group, criterion_main};
use detente_analysis::{MethodChoice, Options, analyze};
use detente_core::*;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;
use std::time::Duration;

/// `n_issues` categorical issues of `n_values` values; each party has random
/// weights and values in [0, 1]; optionally one interaction term on the
/// first two issues (so the additive method cannot be used).
fn synthetic(
    seed: u64,
    n_issues: usize,
    n_values: usize,
    n_parties: usize,
    interaction: bool,
) -> Scenario {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let issues: Vec<Issue> = (0..n_issues)
        .map(|i| Issue {
            name: format!("i{i}"),
            description: String::new(),
            kind: IssueKind::Categorical {
                options: (0..n_values).map(|v| format!("v{v}")).collect(),
                ordered: false,
            },
        })
        .collect();
    let parties = (0..n_parties)
        .map(|p| {
            let interactions = if interaction {
                let mut a = vec![false; n_values];
                a[0] = true;
                let mut b = vec![false; n_values];
                b[n_values - 1] = true;
                vec![Interaction {
                    when: Clause {
                        conditions: vec![
                            Condition {
                                issue: IssueId(0),
                                values: ValueSet(a),
                            },
                            Condition {
                                issue: IssueId(1),
                                values: ValueSet(b),
                            },
                        ],
                    },
                    bonus: 0.05,
                    note: String::new(),
                }]
            } else {
                vec![]
            };
            Party {
                name: format!("p{p}"),
                role: Role::Party,
                description: String::new(),
                preferences: Preferences {
                    model: UtilityModel::Additive {
                        weights: (0..n_issues).map(|_| rng.random_range(0.1..1.0)).collect(),
                        values: (0..n_issues)
                            .map(|_| {
                                ValueFunction::Table(
                                    (0..n_values).map(|_| rng.random_range(0.0..1.0)).collect(),
                                )
                            })
                            .collect(),
                        interactions,
                    },
                    normalisation: Normalisation::MinMax,
                    red_lines: vec![],
                    reservation: 0.0,
                    discount: 1.0,
                },
            }
        })
        .collect();
    Scenario::new(ScenarioParts {
        name: "synthetic".into(),
        issues,
        parties,
        ..Default::default()
    })
    .unwrap()
}

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("frontier");
    g.sample_size(10)
        .measurement_time(Duration::from_secs(20))
        .warm_up_time(Duration::from_secs(1));

    let s = synthetic(1, 8, 10, 2, true);
    g.bench_function("enumeration_1e8_2p_interaction", |b| {
        b.iter(|| black_box(analyze(&s, &Options::default()).unwrap().solutions.nash))
    });

    let s = synthetic(2, 30, 10, 2, false);
    g.bench_function("additive_1e30_2p", |b| {
        b.iter(|| black_box(analyze(&s, &Options::default()).unwrap().solutions.nash))
    });

    let s = synthetic(3, 6, 10, 2, false);
    g.bench_function("additive_1e6_2p", |b| {
        b.iter(|| black_box(analyze(&s, &Options::default()).unwrap().solutions.nash))
    });
    let enumerate = Options {
        method: MethodChoice::Enumerate,
        ..Options::default()
    };
    g.bench_function("enumeration_1e6_2p", |b| {
        b.iter(|| black_box(analyze(&s, &enumerate).unwrap().solutions.nash))
    });
    let s = synthetic(4, 6, 10, 3, false);
    g.bench_function("enumeration_1e6_3p", |b| {
        b.iter(|| black_box(analyze(&s, &enumerate).unwrap().solutions.nash))
    });
    g.finish();
}

criterion_group!(group, benches);
criterion_main!(group);
