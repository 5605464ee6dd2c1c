//! Property tests: random additive scenarios written as GENIUS and GeniusWeb
//! and read back give the same utility on every outcome.

use detente_core::{
    Issue, IssueKind, Normalisation, Party, PartyId, Preferences, Role, Scenario, ScenarioParts,
    UtilityModel, ValueFunction,
};
use detente_formats::{genius, geniusweb};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum IssueSpec {
    Options(usize),
    /// `min`, number of values.
    Integer(i64, u32),
}

fn issue_spec() -> impl Strategy<Value = IssueSpec> {
    prop_oneof![
        (2usize..6).prop_map(IssueSpec::Options),
        (-5i64..5, 1u32..7).prop_map(|(m, n)| IssueSpec::Integer(m, n)),
    ]
}

fn normalisation() -> impl Strategy<Value = Normalisation> {
    prop_oneof![
        Just(Normalisation::MinMax),
        Just(Normalisation::AsGiven),
        Just(Normalisation::CappedAtOne),
    ]
}

/// Per issue: a weight, a table for categorical issues and (slope, offset)
/// for integer ones (GENIUS's integer evaluators are clamped-linear).
type PartySpec = (Normalisation, Vec<(f64, Vec<f64>, f64, f64)>, f64);

fn party_spec(n: usize) -> impl Strategy<Value = PartySpec> {
    (
        normalisation(),
        prop::collection::vec(
            (
                0.0f64..1.0,
                prop::collection::vec(0.0f64..1.0, 6),
                -0.5f64..0.5,
                0.0f64..1.0,
            ),
            n,
        ),
        0.0f64..0.5,
    )
}

fn scenario_parts() -> impl Strategy<Value = ScenarioParts> {
    prop::collection::vec(issue_spec(), 1..4)
        .prop_flat_map(|issues| {
            let n = issues.len();
            (Just(issues), prop::collection::vec(party_spec(n), 1..4))
        })
        .prop_map(|(issues, parties)| {
            let issues: Vec<Issue> = issues
                .iter()
                .enumerate()
                .map(|(k, spec)| Issue {
                    name: format!("issue {k} & co"),
                    description: String::new(),
                    kind: match *spec {
                        IssueSpec::Options(m) => IssueKind::Categorical {
                            options: (0..m).map(|j| format!("v\"{j}\"<")).collect(),
                            ordered: false,
                        },
                        IssueSpec::Integer(min, count) => IssueKind::Integer {
                            min,
                            max: min + count as i64 - 1,
                        },
                    },
                })
                .collect();
            let parties = parties
                .into_iter()
                .enumerate()
                .map(|(p, (norm, per_issue, rv))| {
                    let total: f64 = per_issue.iter().map(|x| x.0).sum::<f64>().max(1e-9);
                    let mut weights = Vec::new();
                    let mut values = Vec::new();
                    for (issue, (w, table, slope, offset)) in issues.iter().zip(per_issue) {
                        // As-given utilities must stay within [0, 1] for GeniusWeb.
                        weights.push(if norm == Normalisation::MinMax {
                            w
                        } else {
                            w / total
                        });
                        let card = issue.cardinality() as usize;
                        values.push(ValueFunction::Table(match issue.kind {
                            IssueKind::Categorical { .. } => table[..card].to_vec(),
                            _ => (0..card)
                                .map(|x| (slope * x as f64 + offset).clamp(0.0, 1.0))
                                .collect(),
                        }));
                    }
                    Party {
                        name: format!("party/{p}"),
                        role: Role::Party,
                        description: String::new(),
                        preferences: Preferences {
                            model: UtilityModel::Additive {
                                weights,
                                values,
                                interactions: vec![],
                            },
                            normalisation: norm,
                            red_lines: vec![],
                            reservation: rv,
                            discount: 1.0,
                        },
                    }
                })
                .collect();
            ScenarioParts {
                name: "random".into(),
                issues,
                parties,
                ..Default::default()
            }
        })
}

fn all_outcomes(s: &Scenario) -> Vec<Vec<u32>> {
    let n = s.space().count_u64().unwrap();
    (0..n).map(|k| s.space().decode(k)).collect()
}

fn same(a: &Scenario, b: &Scenario, tol: f64) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.space().radices(), b.space().radices());
    for p in 0..a.parties().len() as u32 {
        for o in all_outcomes(a) {
            let (x, y) = (a.utility_of(PartyId(p), &o), b.utility_of(PartyId(p), &o));
            prop_assert!((x - y).abs() <= tol, "party {} {:?}: {} vs {}", p, o, x, y);
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn genius_and_geniusweb_round_trips_keep_utilities(parts in scenario_parts()) {
        let Ok(s) = Scenario::new(parts) else {
            // An indifferent min-max party cannot be built at all.
            return Ok(());
        };
        // GENIUS: categorical and clamped-linear integer issues are always
        // expressible, since every utility here stays within [0, 1].
        let files = genius::write(s.parts()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let domain = genius::read_domain(files.domain.as_bytes(), "d.xml").unwrap();
        let profiles: Vec<(Vec<u8>, String)> = files
            .profiles
            .iter()
            .enumerate()
            .map(|(k, (_, t))| (t.as_bytes().to_vec(), format!("p{k}.xml")))
            .collect();
        let back = genius::scenario(&domain, &profiles).unwrap();
        same(&s, &back, 1e-12)?;
        for p in 0..s.parties().len() as u32 {
            prop_assert_eq!(s.reservation(PartyId(p)), back.reservation(PartyId(p)));
        }
        // GeniusWeb: number utilities must be linear, so clamped integer
        // tables may be refused, with a reason.
        match geniusweb::write(s.parts()) {
            Ok(files) => {
                let profiles: Vec<(String, String)> = files
                    .profiles
                    .iter()
                    .enumerate()
                    .map(|(k, (_, t))| (t.clone(), format!("p{k}.json")))
                    .collect();
                let back = geniusweb::scenario(Some((&files.domain, "d.json")), &profiles).unwrap();
                same(&s, &back, 1e-8)?;
            }
            Err(e) => prop_assert!(e.to_string().contains("linear"), "{}", e),
        }
    }
}
