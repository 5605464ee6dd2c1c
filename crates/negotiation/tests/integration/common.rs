//! Helpers shared by the integration tests.

use detente_core::*;

/// A scenario from NegMAS's plain-JSON synthetic domain description.
pub fn synth_scenario(path: &std::path::Path) -> Scenario {
    let text = std::fs::read_to_string(path).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let issues: Vec<Issue> = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| Issue {
            name: i["name"].as_str().unwrap().into(),
            description: String::new(),
            kind: IssueKind::Categorical {
                options: i["values"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect(),
                ordered: false,
            },
        })
        .collect();
    let nums = |x: &serde_json::Value| -> Vec<f64> {
        x.as_array()
            .unwrap()
            .iter()
            .map(|y| y.as_f64().unwrap())
            .collect()
    };
    let parties = v["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Party {
            name: p["name"].as_str().unwrap().into(),
            role: Role::Party,
            description: String::new(),
            preferences: Preferences {
                model: UtilityModel::Additive {
                    weights: nums(&p["weights"]),
                    values: p["values"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|t| ValueFunction::Table(nums(t)))
                        .collect(),
                    interactions: vec![],
                },
                normalisation: Normalisation::AsGiven,
                red_lines: vec![],
                reservation: 0.0,
                discount: 1.0,
            },
        })
        .collect();
    Scenario::new(ScenarioParts {
        name: "synth".into(),
        issues,
        parties,
        ..Default::default()
    })
    .unwrap()
}

/// A random additive scenario with `parties` parties, optional red lines
/// and reservation values, built from a seed.
pub fn random_scenario(
    seed: u64,
    parties: usize,
    issues: usize,
    values: u32,
    red_lines: bool,
) -> Scenario {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let issues_v: Vec<Issue> = (0..issues)
        .map(|i| Issue {
            name: format!("i{i}"),
            description: String::new(),
            kind: IssueKind::Categorical {
                options: (0..values).map(|v| format!("v{v}")).collect(),
                ordered: false,
            },
        })
        .collect();
    let parties_v = (0..parties)
        .map(|p| {
            let mut rl = vec![];
            if red_lines && rng.random_bool(0.5) {
                let issue = rng.random_range(0..issues);
                let mut mask = vec![false; values as usize];
                mask[rng.random_range(0..values) as usize] = true;
                rl.push(RedLine {
                    when: Clause {
                        conditions: vec![Condition {
                            issue: IssueId(issue as u32),
                            values: ValueSet(mask),
                        }],
                    },
                    note: String::new(),
                });
            }
            Party {
                name: format!("p{p}"),
                role: Role::Party,
                description: String::new(),
                preferences: Preferences {
                    model: UtilityModel::Additive {
                        weights: (0..issues).map(|_| rng.random_range(0.1..1.0)).collect(),
                        values: (0..issues)
                            .map(|_| {
                                let mut t: Vec<f64> =
                                    (0..values).map(|_| rng.random::<f64>()).collect();
                                // Every party has a worst and a best value on
                                // every issue, at random places.
                                let lo = rng.random_range(0..values) as usize;
                                let hi =
                                    (lo + rng.random_range(1..values) as usize) % values as usize;
                                t[lo] = 0.0;
                                t[hi] = 1.0;
                                ValueFunction::Table(t)
                            })
                            .collect(),
                        interactions: vec![],
                    },
                    normalisation: Normalisation::MinMax,
                    red_lines: rl,
                    reservation: if red_lines {
                        rng.random_range(0.0..0.5)
                    } else {
                        0.0
                    },
                    discount: if rng.random_bool(0.3) { 0.8 } else { 1.0 },
                },
            }
        })
        .collect();
    Scenario::new(ScenarioParts {
        name: format!("random-{seed}"),
        issues: issues_v,
        parties: parties_v,
        ..Default::default()
    })
    .unwrap()
}
