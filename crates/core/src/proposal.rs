//! Turning a proposal and edits of some of its values into an outcome.

use crate::issue::IssueKind;
use crate::scenario::Scenario;
use crate::space::Outcome;

/// Why a proposal and its edits do not name an outcome.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProposalError {
    /// The proposal named by the user is not in the scenario.
    #[error("no proposal `{name}` in scenario `{scenario}`; its proposals are: {known}")]
    UnknownProposal {
        /// The proposal name as the user gave it.
        name: String,
        /// The name of the scenario searched, so the message says where it looked.
        scenario: String,
        /// The scenario's proposals, comma-separated, or `(none)`.
        known: String,
    },
    /// An edit names an issue the scenario does not have.
    #[error("unknown issue `{issue}`; expected one of {known}")]
    UnknownIssue {
        /// The issue name as the user gave it.
        issue: String,
        /// The scenario's issue names, comma-separated, to suggest instead.
        known: String,
    },
    /// An edit gives an issue a value it cannot take.
    #[error("`{value}` is not a value of issue `{issue}`; expected {expected}")]
    UnknownValue {
        /// The issue the edit names.
        issue: String,
        /// The value label as the user gave it.
        value: String,
        /// The values the issue accepts (its options, or its numeric range), to suggest
        /// instead.
        expected: String,
    },
    /// The scenario has no proposal to start from and the edits leave an issue without a value.
    #[error(
        "scenario `{scenario}` has no proposals, and no value is given for issue `{issue}`; give every issue a value"
    )]
    Missing {
        /// The name of the scenario that has no proposals.
        scenario: String,
        /// The first issue left without a value.
        issue: String,
    },
}

impl Scenario {
    /// The outcome of proposal `name` (the first proposal when `None`) with
    /// `edits` applied, each an issue name and a value label (an option
    /// name, or a number for a numeric issue). A scenario without proposals
    /// starts from nothing, so then the edits must give every issue a value.
    /// Later edits of the same issue win.
    pub fn resolve_proposal(
        &self,
        name: Option<&str>,
        edits: &[(String, String)],
    ) -> Result<Outcome, ProposalError> {
        let base = match name {
            Some(n) => Some(self.proposal(n).ok_or_else(|| {
                let known: Vec<&str> = self.proposals().iter().map(|p| p.name.as_str()).collect();
                ProposalError::UnknownProposal {
                    name: n.to_string(),
                    scenario: self.name().to_string(),
                    known: if known.is_empty() {
                        "(none)".to_string()
                    } else {
                        known.join(", ")
                    },
                }
            })?),
            None => self.proposals().first(),
        };
        let mut values: Vec<Option<u32>> = match base {
            Some(p) => p.outcome.iter().map(|&v| Some(v)).collect(),
            None => vec![None; self.issues().len()],
        };
        for (issue, value) in edits {
            let (issue, value) = (issue.trim(), value.trim());
            let id = self
                .issue_id(issue)
                .ok_or_else(|| ProposalError::UnknownIssue {
                    issue: issue.to_string(),
                    known: self
                        .issues()
                        .iter()
                        .map(|i| i.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            let i = &self.issues()[id.index()];
            let v = i
                .parse_value(value)
                .ok_or_else(|| ProposalError::UnknownValue {
                    issue: issue.to_string(),
                    value: value.to_string(),
                    expected: match &i.kind {
                        IssueKind::Categorical { options, .. } => {
                            format!("one of {}", options.join(", "))
                        }
                        _ => format!(
                            "a number from {} to {} on the issue's grid",
                            i.value_label(0),
                            i.value_label(i.cardinality() - 1)
                        ),
                    },
                })?;
            values[id.index()] = Some(v);
        }
        values
            .iter()
            .zip(self.issues())
            .map(|(v, i)| {
                v.ok_or_else(|| ProposalError::Missing {
                    scenario: self.name().to_string(),
                    issue: i.name.clone(),
                })
            })
            .collect()
    }

    /// How a resolved proposal is named in output, and who tabled it: the
    /// proposal's own name and author without edits, `NAME (modified)` with
    /// them, and `custom` when no proposal is its base (edits of every issue
    /// name an outcome of their own, whatever the first proposal).
    pub fn proposal_label(
        &self,
        name: Option<&str>,
        edits: &[(String, String)],
    ) -> (String, Option<String>) {
        let every_issue_set = self.issues().iter().all(|i| {
            edits
                .iter()
                .any(|(issue, _)| issue.trim() == i.name.as_str())
        });
        let base = match name {
            Some(name) => self.proposal(name),
            None if every_issue_set => None,
            None => self.proposals().first(),
        };
        match base {
            Some(p) if edits.is_empty() => (p.name.clone(), p.by.clone()),
            Some(p) => (format!("{} (modified)", p.name), p.by.clone()),
            None => ("custom".to_string(), None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::*;

    fn scenario(proposals: Vec<Proposal>) -> Scenario {
        let issue = |name: &str, kind| Issue {
            name: name.into(),
            description: String::new(),
            kind,
        };
        let issues = vec![
            issue(
                "price",
                IssueKind::Categorical {
                    options: vec!["low".into(), "high".into()],
                    ordered: false,
                },
            ),
            issue("years", IssueKind::Integer { min: 1, max: 3 }),
        ];
        let party = |name: &str, t: Vec<f64>| Party {
            name: name.into(),
            role: Role::Party,
            description: String::new(),
            preferences: Preferences {
                model: UtilityModel::Additive {
                    weights: vec![1.0, 0.0],
                    values: vec![ValueFunction::Table(t), ValueFunction::Table(vec![0.0; 3])],
                    interactions: vec![],
                },
                normalisation: Normalisation::MinMax,
                red_lines: vec![],
                reservation: 0.0,
                discount: 1.0,
            },
        };
        Scenario::new(ScenarioParts {
            name: "sale".into(),
            issues,
            parties: vec![party("a", vec![1.0, 0.0]), party("b", vec![0.0, 1.0])],
            proposals,
            ..Default::default()
        })
        .unwrap()
    }

    fn proposal(name: &str, outcome: Vec<u32>) -> Proposal {
        Proposal {
            name: name.into(),
            by: None,
            description: String::new(),
            outcome,
        }
    }

    fn edits(e: &[(&str, &str)]) -> Vec<(String, String)> {
        e.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn edits_start_from_the_first_or_the_named_proposal() {
        let s = scenario(vec![
            proposal("first", vec![0, 0]),
            proposal("second", vec![1, 2]),
        ]);
        assert_eq!(s.resolve_proposal(None, &[]).unwrap(), vec![0, 0]);
        assert_eq!(
            s.resolve_proposal(None, &edits(&[("years", "3")])).unwrap(),
            vec![0, 2]
        );
        assert_eq!(
            s.resolve_proposal(Some("second"), &edits(&[("price", "low")]))
                .unwrap(),
            vec![0, 2]
        );
        // The last edit of an issue wins.
        assert_eq!(
            s.resolve_proposal(None, &edits(&[("years", "3"), ("years", " 2 ")]))
                .unwrap(),
            vec![0, 1]
        );
    }

    #[test]
    fn labels_name_the_base_proposal_and_say_when_it_was_edited() {
        let s = scenario(vec![
            proposal("first", vec![0, 0]),
            proposal("second", vec![1, 2]),
        ]);
        assert_eq!(s.proposal_label(None, &[]).0, "first");
        assert_eq!(s.proposal_label(Some("second"), &[]).0, "second");
        assert_eq!(
            s.proposal_label(None, &edits(&[("years", "3")])).0,
            "first (modified)"
        );
        assert_eq!(
            s.proposal_label(None, &edits(&[("years", "3"), ("price", "low")]))
                .0,
            "custom"
        );
        assert_eq!(
            s.proposal_label(Some("second"), &edits(&[("years", "3"), ("price", "low")]))
                .0,
            "second (modified)"
        );
    }

    #[test]
    fn without_proposals_every_issue_must_be_set() {
        let s = scenario(vec![]);
        let e = s
            .resolve_proposal(None, &edits(&[("price", "high")]))
            .unwrap_err();
        assert_eq!(
            e,
            ProposalError::Missing {
                scenario: "sale".into(),
                issue: "years".into()
            }
        );
        assert_eq!(
            s.resolve_proposal(None, &edits(&[("price", "high"), ("years", "1")]))
                .unwrap(),
            vec![1, 0]
        );
    }

    #[test]
    fn unknown_names_say_what_was_expected() {
        let s = scenario(vec![proposal("first", vec![0, 0])]);
        let msg =
            |name, e: &[(&str, &str)]| s.resolve_proposal(name, &edits(e)).unwrap_err().to_string();
        assert_eq!(
            msg(Some("nope"), &[]),
            "no proposal `nope` in scenario `sale`; its proposals are: first"
        );
        assert_eq!(
            msg(None, &[("prize", "low")]),
            "unknown issue `prize`; expected one of price, years"
        );
        assert_eq!(
            msg(None, &[("price", "medium")]),
            "`medium` is not a value of issue `price`; expected one of low, high"
        );
        assert_eq!(
            msg(None, &[("years", "7")]),
            "`7` is not a value of issue `years`; expected a number from 1 to 3 on the issue's grid"
        );
        assert!(msg(Some("x"), &[]).ends_with("first"));
        let empty = scenario(vec![]);
        assert!(
            empty
                .resolve_proposal(Some("x"), &[])
                .unwrap_err()
                .to_string()
                .ends_with("(none)")
        );
    }
}
