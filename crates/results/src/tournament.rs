//! Tournament reports: the ranking of the strategies.

use schemars::JsonSchema;
use serde::Serialize;

/// One strategy's line in the ranking.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RankRow {
    /// The strategy spec the row ranks.
    pub strategy: String,
    /// Number of (match, party) results of this strategy.
    pub n: u64,
    /// The mean utility the strategy obtained, the ranking's key.
    pub mean_utility: f64,
    /// Half-width of the 95% confidence interval of the mean utility:
    /// `1.96 · s / √n` with `s` the sample standard deviation (0 when n < 2).
    pub ci95: f64,
    /// Share of its results that come from matches ending in agreement.
    pub agreement_rate: f64,
    /// The mean gain over the party's reservation value, so that parties with
    /// different reservation values compare fairly.
    pub mean_advantage: f64,
    /// The mean welfare (sum of utilities) of the strategy's matches, to
    /// tell cooperative strategies from greedy ones.
    pub mean_welfare: f64,
    /// The mean distance of the results from the Nash point, over the
    /// matches where the distance is known.
    pub mean_nash_distance: Option<f64>,
    /// The mean distance of the results from the Pareto frontier, over the
    /// matches where the distance is known.
    pub mean_pareto_distance: Option<f64>,
    /// Matches in which this strategy's party failed (panic or budget).
    pub failures: u64,
}

/// The whole report: the tournament's progress and the ranking, as
/// `detente_tournament::report` computes it, `tournament report --json`
/// prints it and the HTML report draws it.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TournamentReport {
    /// How many matches the database holds.
    pub matches: u64,
    /// How many matches the tournament plans, to show how far it has got.
    pub total_matches: u64,
    /// How many stored matches ended in a strategy's failure.
    pub failures: u64,
    /// How many stored matches ended in agreement.
    pub agreements: u64,
    /// One row per strategy, best mean utility first (ties by name).
    pub ranking: Vec<RankRow>,
}

/// What `tournament run --json` prints: how many matches this run planned,
/// ran and found stored.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TournamentRun {
    /// Matches in this run (its shard, or the whole tournament).
    pub planned: u64,
    /// Matches run and stored now.
    pub ran: u64,
    /// Matches found already stored (an earlier, interrupted run).
    pub already_stored: u64,
    /// Matches run now that ended in a strategy's failure.
    pub failures: u64,
    /// The database.
    pub db: String,
    /// The shard run, as `I/N`, or null for the whole tournament.
    pub shard: Option<String>,
}
