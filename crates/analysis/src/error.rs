//! Why an analysis could not be done, in words a user can act on.

/// Why an analysis could not be done.
#[derive(Debug)]
pub enum AnalysisError {
    /// The space is too large to enumerate and no method that avoids enumeration applies.
    TooLarge {
        /// The number of outcomes of the space (a float, since it may exceed every integer
        /// type).
        outcomes: f64,
        /// The enumeration limit it exceeded.
        limit: u64,
    },
    /// The additive method was asked for, but some bargainer's utility has interaction terms or
    /// boxes, or a red line spans several issues.
    NotAdditive,
    /// Branch and bound was asked for, but some utility has interaction
    /// terms or a red line spans several issues.
    NotSearchable,
    /// The branch-and-bound search visited its node limit without finishing.
    SearchTooLarge {
        /// The number of outcomes of the space, to show how large the search was.
        outcomes: f64,
        /// The node limit that stopped the search (`Options::search_node_limit`).
        nodes: u64,
    },
    /// A frontier has more points than the budget allows
    /// ([`crate::Budget::max_frontier_points`], lowered by
    /// [`crate::Budget::max_output_bytes`]); `points` is how many it had when the
    /// analysis stopped.
    FrontierTooLarge {
        /// How many points the frontier had when the analysis stopped.
        points: u64,
        /// The largest number of frontier points allowed.
        limit: usize,
    },
    /// The additive method would hold more candidate utilities than
    /// [`crate::Budget::max_candidate_cells`] while merging issue `issue`.
    CandidatesTooLarge {
        /// The name of the issue being merged when the limit was reached.
        issue: String,
        /// How many values that issue has, the usual cause.
        values: u64,
        /// How many candidate utilities the merge would have held, at least.
        cells: u64,
        /// The largest number of candidate utilities allowed.
        limit: u64,
    },
    /// The caller's cancel flag was raised.
    Cancelled,
    /// A robust analysis was asked for no samples.
    NoSamples,
    /// A sample of the uncertain numbers makes a party's utility meaningless
    /// (every weight drawn zero, or every value of every weighted issue
    /// equal).
    Sample {
        /// The sample's index (replay it with the same seed).
        index: u64,
        /// What is wrong with the drawn numbers.
        source: detente_core::ModelError,
    },
    /// The space has more outcomes than a robust analysis checks in every sample
    /// ([`crate::ROBUST_OUTCOME_LIMIT`]).
    RobustTooLarge {
        /// The number of outcomes of the space.
        outcomes: f64,
        /// The most outcomes checked in every sample.
        limit: u64,
    },
    /// The samples asked for would take more utility evaluations than the
    /// work limit ([`crate::ROBUST_WORK_LIMIT`] by default).
    RobustWorkTooLarge {
        /// The most samples that would be drawn.
        samples: u64,
        /// The utility evaluations they would take (samples × outcomes × bargainers).
        evaluations: u64,
        /// The work limit.
        limit: u64,
    },
}

impl std::error::Error for AnalysisError {}

impl std::fmt::Display for AnalysisError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnalysisError::TooLarge { outcomes, limit } => write!(
                f,
                "the outcome space has {outcomes:.3e} outcomes, more than the enumeration limit of {limit}, and the additive method does not apply (some utility has interaction terms or boxes, or a red line spans several issues)"
            ),
            AnalysisError::SearchTooLarge { outcomes, nodes } => write!(
                f,
                "the outcome space has {outcomes:.3e} outcomes; the exact branch-and-bound search over its box utilities stopped after {nodes} nodes without finishing (its node limit)"
            ),
            AnalysisError::NotSearchable => write!(
                f,
                "the branch-and-bound method needs utilities made of per-issue terms and boxes (no interaction terms), and red lines that each exclude values of a single issue"
            ),
            AnalysisError::NotAdditive => write!(
                f,
                "the additive method needs every bargaining party's utility to be a sum of per-issue terms, and red lines that each exclude values of a single issue"
            ),
            AnalysisError::FrontierTooLarge { points, limit } => write!(
                f,
                "the Pareto frontier has more than {limit} points (at least {points}), more than this analysis may hold and write out; the utilities are probably opposed on an issue with very many values (use fewer values, e.g. a coarser integer range)"
            ),
            AnalysisError::CandidatesTooLarge {
                issue,
                values,
                cells,
                limit,
            } => write!(
                f,
                "issue `{issue}` has {values} values: the additive method would hold at least {cells} candidate utilities while merging it, more than the limit of {limit} (use fewer values, e.g. a coarser integer range)"
            ),
            AnalysisError::Cancelled => write!(f, "the analysis was cancelled"),
            AnalysisError::NoSamples => write!(f, "a robust analysis needs at least one sample"),
            AnalysisError::Sample { index, source } => {
                write!(f, "sample {index} of the uncertain numbers: {source}")
            }
            AnalysisError::RobustTooLarge { outcomes, limit } => write!(
                f,
                "the outcome space has {outcomes:.3e} outcomes; a robust analysis checks every outcome in every sample and holds them, at most {limit}"
            ),
            AnalysisError::RobustWorkTooLarge {
                samples,
                evaluations,
                limit,
            } => write!(
                f,
                "{samples} samples would take {evaluations} utility evaluations, more than the limit of {limit}; draw fewer samples"
            ),
        }
    }
}
