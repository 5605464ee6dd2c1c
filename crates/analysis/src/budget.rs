//! Resource budgets of one analysis, and the estimate that checks a
//! scenario against them before any work starts.
//!
//! An analysis can need far more memory than its input suggests: one integer
//! issue with 2^24 values makes the additive method hold tens of millions of
//! candidate sums, and two parties with opposed utilities make every outcome
//! efficient, so the frontier (and its JSON) grows with the whole space. A
//! [`Budget`] bounds both. [`estimate`] refuses, before the analysis starts,
//! what is certain to exceed it; the analysis itself ([`analyze_within`])
//! stops with an error as soon as a frontier outgrows the limit the estimate
//! derived, so memory stays bounded whatever the frontier turns out to be.
//!
//! [`analyze_within`]: crate::analyze_within

use crate::{AnalysisError, Method, Options, Plan};
use detente_core::{IssueKind, Scenario};

/// Limits on the memory and output of one analysis.
///
/// The outcome count that may be enumerated is [`Options::enumeration_limit`];
/// a budget adds what enumeration alone does not bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Most points a frontier may have ([`Budget::MAX_FRONTIER_POINTS`] by
    /// default). Frontiers are held in memory and written out in full.
    pub max_frontier_points: usize,
    /// Most candidate utilities (one per party per candidate) the additive
    /// method may hold while merging one issue
    /// ([`Budget::MAX_CANDIDATE_CELLS`] by default).
    pub max_candidate_cells: u64,
    /// Largest estimated JSON form of the analysis
    /// ([`Budget::MAX_OUTPUT_BYTES`] by default): with the per-point size of
    /// this scenario, it lowers the frontier limit.
    pub max_output_bytes: u64,
}

impl Budget {
    /// Default of [`Budget::max_frontier_points`]. Real negotiation domains
    /// have frontiers of a few hundred to a few thousand points.
    pub const MAX_FRONTIER_POINTS: usize = 100_000;
    /// Default of [`Budget::max_candidate_cells`]: 2^24 utilities, 128 MiB
    /// of sums plus their links.
    pub const MAX_CANDIDATE_CELLS: u64 = 1 << 24;
    /// Default of [`Budget::max_output_bytes`]: 64 MiB.
    pub const MAX_OUTPUT_BYTES: u64 = 64 << 20;

    /// No limit (for callers that bound the work otherwise).
    pub const UNLIMITED: Budget = Budget {
        max_frontier_points: usize::MAX,
        max_candidate_cells: u64::MAX,
        max_output_bytes: u64::MAX,
    };
}

impl Budget {
    /// The default budget with room for `points` frontier points (and their
    /// JSON, in proportion), for a user who asks for more or less.
    pub fn with_frontier_points(points: usize) -> Budget {
        let scale = points as f64 / Budget::MAX_FRONTIER_POINTS as f64;
        Budget {
            max_frontier_points: points,
            max_output_bytes: ((Budget::MAX_OUTPUT_BYTES as f64 * scale) as u64)
                .max(Budget::MAX_OUTPUT_BYTES),
            ..Budget::default()
        }
    }
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            max_frontier_points: Budget::MAX_FRONTIER_POINTS,
            max_candidate_cells: Budget::MAX_CANDIDATE_CELLS,
            max_output_bytes: Budget::MAX_OUTPUT_BYTES,
        }
    }
}

/// What an analysis of a scenario will cost, worked out before it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Outcomes in the space.
    pub outcomes: f64,
    /// The method the analysis will use.
    pub method: Method,
    /// Outcomes that will be enumerated (for the frontier, or to count the
    /// agreement zone); zero when none are.
    pub enumerated: u64,
    /// Values of the largest issue.
    pub largest_issue: u64,
    /// Candidate utilities the additive method holds at least once (the
    /// largest issue's values times the parties); zero for other methods.
    pub candidate_cells: u64,
    /// Bytes of one frontier point in the JSON form of the analysis (an
    /// upper estimate: utilities, and the longest label of every issue).
    pub bytes_per_point: u64,
    /// Most points a frontier may have: the budget's limit, lowered so that
    /// the two frontiers written out fit [`Budget::max_output_bytes`].
    pub frontier_limit: usize,
    /// Upper estimate of the JSON form's size with frontiers at the limit
    /// (or at the number of outcomes, if smaller).
    pub output_bytes: u64,
}

/// Bytes of the JSON form of the analysis besides its frontiers.
const FIXED_OUTPUT_BYTES: u64 = 64 << 10;

/// Works out what analysing `scenario` with `options` will cost, and refuses
/// (with the error the analysis would give, or a budget error) what is
/// certain to exceed `budget` or the enumeration limit. Cheap: nothing is
/// enumerated.
pub fn estimate(
    scenario: &Scenario,
    options: &Options,
    budget: &Budget,
) -> Result<Estimate, AnalysisError> {
    let plan = crate::plan(scenario, options)?;
    estimate_plan(scenario, &plan, budget)
}

pub(crate) fn estimate_plan(
    scenario: &Scenario,
    plan: &Plan,
    budget: &Budget,
) -> Result<Estimate, AnalysisError> {
    let space = scenario.space();
    let np = scenario.bargainers().len() as u64;
    let (largest, largest_issue) = space
        .radices()
        .iter()
        .enumerate()
        .map(|(i, &r)| (i, u64::from(r)))
        .max_by_key(|&(_, r)| r)
        .unwrap_or((0, 0));
    let method = plan.method();
    let candidate_cells = if method == Method::Additive {
        largest_issue.saturating_mul(np)
    } else {
        0
    };
    if candidate_cells > budget.max_candidate_cells {
        return Err(AnalysisError::CandidatesTooLarge {
            issue: scenario.issues()[largest].name.clone(),
            values: largest_issue,
            cells: candidate_cells,
            limit: budget.max_candidate_cells,
        });
    }
    let bytes_per_point = bytes_per_point(scenario);
    let by_output =
        budget.max_output_bytes.saturating_sub(FIXED_OUTPUT_BYTES) / (2 * bytes_per_point).max(1);
    let frontier_limit = budget
        .max_frontier_points
        .min(usize::try_from(by_output).unwrap_or(usize::MAX));
    if frontier_limit == 0 {
        return Err(AnalysisError::FrontierTooLarge {
            points: 1,
            limit: 0,
        });
    }
    let points = (frontier_limit as f64).min(space.count_f64()) as u64;
    Ok(Estimate {
        outcomes: space.count_f64(),
        method,
        enumerated: plan.enumerated(),
        largest_issue,
        candidate_cells,
        bytes_per_point,
        frontier_limit,
        output_bytes: FIXED_OUTPUT_BYTES.saturating_add(points.saturating_mul(2 * bytes_per_point)),
    })
}

/// An upper estimate of one frontier point in JSON:
/// `{"utilities": [..], "outcome": {"issue": "label", ..}}`.
fn bytes_per_point(scenario: &Scenario) -> u64 {
    let np = scenario.bargainers().len() as u64;
    let issues: u64 = scenario
        .issues()
        .iter()
        .map(|issue| {
            let label = match &issue.kind {
                IssueKind::Categorical { options, .. } => {
                    options.iter().map(|o| o.len()).max().unwrap_or(0) as u64
                }
                IssueKind::Integer { .. } => 20,
                _ => 24,
            };
            // Quotes, colon, comma; labels are escaped, so allow for some.
            issue.name.len() as u64 + label + 8
        })
        .sum();
    32 + 25 * np + issues
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AnalysisError, analyze_within};
    use detente_core::*;
    use std::sync::atomic::AtomicBool;

    /// Two parties opposed on one integer issue of `n` values (and a
    /// three-option issue before it): every value of the integer issue is
    /// efficient for some option.
    fn opposed(n: i64) -> Scenario {
        let party = |name: &str, up: bool| Party {
            name: name.into(),
            role: Role::Party,
            description: String::new(),
            preferences: Preferences {
                model: UtilityModel::Additive {
                    weights: vec![1.0, 1.0],
                    values: vec![
                        ValueFunction::Table(if up {
                            vec![0.0, 0.5, 1.0]
                        } else {
                            vec![1.0, 0.5, 0.0]
                        }),
                        ValueFunction::Piecewise(if up {
                            vec![(0.0, 0.0), ((n - 1) as f64, 1.0)]
                        } else {
                            vec![(0.0, 1.0), ((n - 1) as f64, 0.0)]
                        }),
                    ],
                    interactions: vec![],
                },
                normalisation: Normalisation::MinMax,
                red_lines: vec![],
                reservation: 0.2,
                discount: 1.0,
            },
        };
        Scenario::new(ScenarioParts {
            name: "opposed".into(),
            issues: vec![
                Issue {
                    name: "a".into(),
                    description: String::new(),
                    kind: IssueKind::Categorical {
                        options: vec!["x".into(), "y".into(), "z".into()],
                        ordered: false,
                    },
                },
                Issue {
                    name: "b".into(),
                    description: String::new(),
                    kind: IssueKind::Integer { min: 0, max: n - 1 },
                },
            ],
            parties: vec![party("p", true), party("q", false)],
            ..Default::default()
        })
        .unwrap()
    }

    #[test]
    fn estimate_refuses_an_issue_too_large_for_the_additive_method() {
        let s = opposed(1 << 20);
        let budget = Budget {
            max_candidate_cells: 1 << 20,
            ..Budget::default()
        };
        let e = estimate(&s, &Options::default(), &budget).unwrap_err();
        assert!(
            matches!(e, AnalysisError::CandidatesTooLarge { values, .. } if values == 1 << 20),
            "{e}"
        );
        // Within the default budget it is estimated, with a frontier limit.
        let e = estimate(&s, &Options::default(), &Budget::default()).unwrap();
        assert_eq!(e.method, crate::Method::Additive);
        assert_eq!(e.largest_issue, 1 << 20);
        assert!(e.frontier_limit <= Budget::MAX_FRONTIER_POINTS);
        assert!(e.output_bytes <= Budget::MAX_OUTPUT_BYTES);
    }

    #[test]
    fn a_frontier_beyond_the_limit_stops_the_analysis() {
        let s = opposed(1000);
        let cancel = AtomicBool::new(false);
        let small = Budget {
            max_frontier_points: 500,
            ..Budget::default()
        };
        let methods = [
            crate::MethodChoice::Additive,
            crate::MethodChoice::Enumerate,
        ];
        for method in methods {
            let options = Options {
                method,
                ..Options::default()
            };
            let e = analyze_within(&s, &options, &small, &cancel).unwrap_err();
            assert!(
                matches!(e, AnalysisError::FrontierTooLarge { limit: 500, .. }),
                "{method:?}: {e}"
            );
            // The default budget holds it, with the same frontier as
            // without a budget.
            let a = analyze_within(&s, &options, &Budget::default(), &cancel).unwrap();
            let b = crate::analyze(&s, &options).unwrap();
            assert_eq!(a.pareto.len(), b.pareto.len());
            assert!(a.pareto.len() > 500);
        }
    }

    #[test]
    fn a_raised_flag_cancels_every_method() {
        let s = opposed(1000);
        let cancel = AtomicBool::new(true);
        let methods = [
            crate::MethodChoice::Additive,
            crate::MethodChoice::Enumerate,
            crate::MethodChoice::BranchAndBound,
        ];
        for method in methods {
            let options = Options {
                method,
                ..Options::default()
            };
            let e = analyze_within(&s, &options, &Budget::default(), &cancel).unwrap_err();
            assert!(matches!(e, AnalysisError::Cancelled), "{method:?}: {e}");
        }
    }
}
