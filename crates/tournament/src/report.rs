//! Rankings computed from a results database.

use crate::TournamentError;
use crate::store::Store;
use std::collections::BTreeMap;

/// One strategy's line in the ranking.
#[derive(Clone, Debug, PartialEq)]
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

/// The whole report: the tournament's progress and the ranking, as the CLI
/// prints it and the HTML report draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
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

#[derive(Default)]
struct Acc {
    utilities: Vec<f64>,
    agreements: u64,
    advantage: f64,
    welfare: f64,
    nash: (f64, u64),
    pareto: (f64, u64),
    failures: u64,
}

fn mean_ci(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    if xs.is_empty() {
        return (0.0, 0.0);
    }
    let mean = xs.iter().sum::<f64>() / n;
    if xs.len() < 2 {
        return (mean, 0.0);
    }
    let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    (mean, 1.96 * var.sqrt() / n.sqrt())
}

/// Computes the ranking, best mean utility first (ties by name).
pub fn report(store: &Store) -> Result<Report, TournamentError> {
    let total_matches = store.tournament()?.map(|t| t.2).unwrap_or(0);
    let err = store.err();
    let (matches, failures, agreements): (i64, i64, i64) = store
        .conn
        .query_row(
            "SELECT COUNT(*), COALESCE(SUM(end_reason = 'failure'), 0), COALESCE(SUM(end_reason = 'agreement'), 0) FROM matches",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .map_err(&err)?;
    let mut st = store
        .conn
        .prepare(
            "SELECT r.strategy, r.utility, r.advantage, r.failed, m.end_reason = 'agreement', m.welfare, m.nash_distance, m.pareto_distance
             FROM results r JOIN matches m ON m.id = r.match_id
             ORDER BY r.match_id, r.party_index",
        )
        .map_err(&err)?;
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    let rows = st
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, f64>(1)?,
                r.get::<_, f64>(2)?,
                r.get::<_, i64>(3)? != 0,
                r.get::<_, i64>(4)? != 0,
                r.get::<_, f64>(5)?,
                r.get::<_, Option<f64>>(6)?,
                r.get::<_, Option<f64>>(7)?,
            ))
        })
        .map_err(&err)?;
    for row in rows {
        let (strategy, utility, advantage, failed, agreed, welfare, nash, pareto) =
            row.map_err(&err)?;
        let a = acc.entry(strategy).or_default();
        a.utilities.push(utility);
        a.agreements += agreed as u64;
        a.advantage += advantage;
        a.welfare += welfare;
        if let Some(d) = nash {
            a.nash.0 += d;
            a.nash.1 += 1;
        }
        if let Some(d) = pareto {
            a.pareto.0 += d;
            a.pareto.1 += 1;
        }
        a.failures += failed as u64;
    }
    let mut ranking: Vec<RankRow> = acc
        .into_iter()
        .map(|(strategy, a)| {
            let n = a.utilities.len() as u64;
            let (mean_utility, ci95) = mean_ci(&a.utilities);
            let per = |x: f64| if n == 0 { 0.0 } else { x / n as f64 };
            RankRow {
                strategy,
                n,
                mean_utility,
                ci95,
                agreement_rate: per(a.agreements as f64),
                mean_advantage: per(a.advantage),
                mean_welfare: per(a.welfare),
                mean_nash_distance: (a.nash.1 > 0).then(|| a.nash.0 / a.nash.1 as f64),
                mean_pareto_distance: (a.pareto.1 > 0).then(|| a.pareto.0 / a.pareto.1 as f64),
                failures: a.failures,
            }
        })
        .collect();
    ranking.sort_by(|a, b| {
        b.mean_utility
            .total_cmp(&a.mean_utility)
            .then_with(|| a.strategy.cmp(&b.strategy))
    });
    Ok(Report {
        matches: matches as u64,
        total_matches,
        failures: failures as u64,
        agreements: agreements as u64,
        ranking,
    })
}
