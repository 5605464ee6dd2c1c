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
        }
    }
}
