//! The negotiation model of detente: issues and their values, the outcome
//! space, each party's preferences (weights, value functions, interaction
//! terms, red lines, reservation value, discounting) and named proposals.
//!
//! This crate does no I/O, reads no clock and holds no random state. Readers
//! for files live in `detente-formats`; algorithms in `detente-analysis`.
//!
//! ```
//! use detente_core::*;
//!
//! let issues = vec![Issue {
//!     name: "price".into(),
//!     description: String::new(),
//!     kind: IssueKind::Categorical { options: vec!["low".into(), "high".into()], ordered: true },
//! }];
//! let party = |name: &str, values: Vec<f64>| Party {
//!     name: name.into(),
//!     role: Role::Party,
//!     description: String::new(),
//!     preferences: Preferences {
//!         model: UtilityModel::Additive {
//!             weights: vec![1.0],
//!             values: vec![ValueFunction::Table(values)],
//!             interactions: vec![],
//!         },
//!         normalisation: Normalisation::MinMax,
//!         red_lines: vec![],
//!         reservation: 0.0,
//!         discount: 1.0,
//!     },
//! };
//! let scenario = Scenario::new(ScenarioParts {
//!     name: "sale".into(),
//!     issues,
//!     parties: vec![party("buyer", vec![10.0, 0.0]), party("seller", vec![0.0, 10.0])],
//!     ..Default::default()
//! })
//! .unwrap();
//! assert_eq!(scenario.space().count(), Some(2));
//! assert_eq!(scenario.utility_of(PartyId(0), &[0]), 1.0);
//! assert_eq!(scenario.utility_of(PartyId(1), &[0]), 0.0);
//! ```

#![warn(missing_docs)]

mod ids;
mod issue;
mod preference;
mod proposal;
mod sampler;
mod scenario;
mod space;
pub mod uncertain;
pub mod utility;

pub use issue::{
    Issue, IssueId, IssueKind, MAX_ISSUE_CARDINALITY, MAX_VALUE_CELLS, continuous_points,
    format_number,
};
pub use preference::{
    Clause, Condition, HyperRectangle, Interaction, Normalisation, Preferences, RedLine,
    UtilityModel, ValueFunction, ValueSet,
};
pub use proposal::ProposalError;
pub use sampler::{Sampler, UniformSource, point_numbers};
pub use scenario::{Party, PartyId, Proposal, Role, Scenario, ScenarioParts, check_value_cells};
pub use space::{Outcome, OutcomeSpace};
pub use uncertain::{Distribution, DistributionError, Target, Uncertain};
pub use utility::{CompiledRedLines, CompiledUtility};

/// Why a scenario could not be built.
#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum ModelError {
    /// The parts are inconsistent (duplicate names, out-of-range indices, bad numbers); the
    /// message says which part and why.
    #[error("invalid scenario: {0}")]
    Invalid(String),
    /// A party's utility is constant over the space, so the min–max normalisation would divide
    /// by zero.
    #[error(
        "party `{party}`: every outcome is worth the same (all weighted issues have equal values), so its utility cannot be normalised to [0, 1]"
    )]
    Indifferent {
        /// The name of the party whose utility is flat.
        party: String,
    },
    /// A party's interaction terms couple too many values (more than
    /// `utility::MAX_COUPLED_OUTCOMES`) for its best and worst outcome to be found exactly.
    #[error(
        "party `{party}`: interaction terms couple {size} value combinations, more than can be searched for the best and worst outcome"
    )]
    TooManyCoupledValues {
        /// The name of the party whose interaction terms are too large.
        party: String,
        /// How many value combinations the coupled issues span.
        size: u64,
    },
    /// The issues have more values than the utility tables may hold
    /// ([`MAX_VALUE_CELLS`] numbers), so the scenario is refused before any
    /// table is built.
    #[error(
        "the issues have {values} values in all; with {parties} parties the utility tables would hold {cells} numbers, more than the limit of {limit} (256 MiB); use fewer values, e.g. a coarser integer range or a larger step",
        limit = crate::MAX_VALUE_CELLS
    )]
    TooManyValues {
        /// The number of values of all issues together.
        values: u64,
        /// The number of parties, each with a table.
        parties: usize,
        /// The numbers the tables would hold: values × (parties + 1).
        cells: u64,
    },
}
