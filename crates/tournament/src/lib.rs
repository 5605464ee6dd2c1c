//! Tournaments: strategies × scenarios × assignments of strategies to parties
//! × repetitions, run in parallel, stored in SQLite, resumable after a kill,
//! and shardable across machines.
//!
//! - [`config`]: the TOML configuration and the deterministic plan of
//!   matches (each match's seed derives from the master seed and its index).
//! - [`run()`]: runs the matches not yet stored, in parallel; each match is
//!   stored whole or not at all (matches that complete close together share
//!   a transaction).
//! - [`store`]: the database schema, merging shards, the writer's lock, the
//!   scenario digests and the integrity check on open.
//! - [`report()`]: the ranking.
//!
//! The negotiation engine is reached through the [`Runner`] trait, so this
//! crate can be tested with simple runners; [`NegotiationRunner`] is the
//! runner over it, with room for strategies from outside the catalog
//! ([`StrategySource`]: agents written in Python).
//!
//! ```
//! let plan = detente_tournament::config::assignments(3, 2, true, true);
//! assert_eq!(plan.len(), 9); // every ordered pair, self-play included
//! ```

#![warn(missing_docs)]

pub mod config;
pub mod negotiation;
pub mod report;
pub mod run;
pub mod store;

pub use config::{Config, ConfigError, MatchPlan, ScenarioEntry};
pub use negotiation::{NegotiationRunner, StrategySource};
pub use report::{RankRow, Report, report};
pub use run::{
    DigestError, MatchOutcome, Progress, RunSummary, Runner, RunnerError, Shard, ShardError,
    load_scenarios, run,
};
pub use store::{Store, TraceRow};

/// Why a tournament could not run.
#[derive(Debug, thiserror::Error)]
pub enum TournamentError {
    /// The configuration file is not valid TOML or has a wrong field.
    #[error("{path}: {message}")]
    ConfigFile {
        /// The file, with the line and column of the problem when known.
        path: String,
        /// What is wrong, as the TOML parser says it.
        message: String,
    },
    /// The configuration parses but cannot describe a tournament (the
    /// message names the setting).
    #[error("invalid tournament: {0}")]
    Config(#[from] ConfigError),
    /// A scenario of the configuration could not be loaded or checked.
    #[error("scenario `{entry}`: {message}")]
    Scenario {
        /// The scenario entry as the configuration wrote it.
        entry: String,
        /// Why it was refused, with the reader's file positions.
        message: String,
    },
    /// The results database could not be opened, read, written or merged,
    /// or belongs to another tournament.
    #[error("database {path}: {message}")]
    Database {
        /// The database file.
        path: String,
        /// What went wrong, and what to do about it when known.
        message: String,
    },
}

/// Parses a configuration file's text; errors name the file, line and column.
pub fn parse_config(text: &str, file: &str) -> Result<Config, TournamentError> {
    toml::from_str(text).map_err(|e| {
        let at = match e.span() {
            Some(s) => detente_formats::Location::at_offset(file, text, s.start).to_string(),
            None => file.to_string(),
        };
        TournamentError::ConfigFile {
            path: at,
            message: e.message().trim().to_string(),
        }
    })
}

/// Parses a configuration given as JSON text (the same fields as the TOML
/// file; front ends that hold it as a dict, such as the Python package,
/// pass it so); errors name `file`, the line and the column.
pub fn parse_config_json(text: &str, file: &str) -> Result<Config, TournamentError> {
    serde_json::from_str(text).map_err(|e| TournamentError::ConfigFile {
        path: format!("{file}:{}:{}", e.line(), e.column()),
        message: e.to_string(),
    })
}
