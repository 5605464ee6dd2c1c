//! Rankings computed from a results database.

use crate::TournamentError;
use crate::store::Store;
use std::collections::BTreeMap;

/// The ranking's rows and the whole report are the one JSON form of
/// `detente-results`, so the report is serialised as it is computed.
pub use detente_results::{RankRow, TournamentReport as Report};

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
