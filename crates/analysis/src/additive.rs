//! The exact Pareto frontier of additive utilities without enumerating
//! outcomes.
//!
//! When every utility is a sum of per-issue terms, the utility vector of an
//! outcome is the sum of one vector per issue. A sum is Pareto-optimal only if
//! each partial sum over the first k issues is Pareto-optimal among all
//! partial sums over those issues (otherwise replacing the prefix by one that
//! dominates it would dominate the whole). So the frontier is built issue by
//! issue, keeping only the non-dominated partial sums.
//!
//! Partial sums are accumulated in issue order from 0.0, exactly as
//! [`detente_core::CompiledUtility::eval`] sums, so the utilities are
//! bit-identical to those of enumeration. Candidates are generated in issue
//! order of their prefixes, and among equal vectors the first is kept, so each
//! frontier vector is represented by its first outcome in issue order.

use crate::frontier::pareto_indices;
use crate::{AnalysisError, FoundPoint, Limits};
use detente_core::{PartyId, Scenario};

/// The frontier over outcomes whose every value is allowed by `allowed`
/// (one mask per issue), for the given parties, whose utilities must be
/// additive. Returns `None` if some issue has no allowed value. Stops when
/// `limits` are exceeded (the candidates of one issue, the frontier of a
/// prefix) or cancelled, between issues.
pub(crate) fn additive_frontier(
    scenario: &Scenario,
    parties: &[PartyId],
    allowed: &[Vec<bool>],
    limits: &Limits<'_>,
) -> Result<Option<Vec<FoundPoint>>, AnalysisError> {
    let np = parties.len();
    let utils: Vec<_> = parties.iter().map(|&p| scenario.utility(p)).collect();
    // Nodes of the current level: sums (flat), and (parent, value) links.
    let mut sums: Vec<f64> = vec![0.0; np];
    let mut links: Vec<Vec<(u32, u32)>> = Vec::new();
    for (k, mask) in allowed.iter().enumerate() {
        let values: Vec<u32> = (0..mask.len() as u32)
            .filter(|&v| mask[v as usize])
            .collect();
        if values.is_empty() {
            return Ok(None);
        }
        if limits.cancelled() {
            return Err(AnalysisError::Cancelled);
        }
        let nodes = sums.len() / np.max(1);
        let cells = (nodes as u64)
            .saturating_mul(values.len() as u64)
            .saturating_mul(np as u64);
        if cells > limits.candidate_cells {
            return Err(AnalysisError::CandidatesTooLarge {
                issue: scenario.issues()[k].name.clone(),
                values: values.len() as u64,
                cells,
                limit: limits.candidate_cells,
            });
        }
        let mut cand = Vec::with_capacity(nodes * values.len() * np);
        let mut cand_links = Vec::with_capacity(nodes * values.len());
        for node in 0..nodes {
            for &v in &values {
                for (p, u) in utils.iter().enumerate() {
                    cand.push(sums[node * np + p] + u.terms[k][v as usize]);
                }
                cand_links.push((node as u32, v));
            }
        }
        let keep = pareto_indices(&cand, np);
        if keep.len() > limits.frontier {
            return Err(AnalysisError::FrontierTooLarge {
                points: keep.len() as u64,
                limit: limits.frontier,
            });
        }
        sums = keep
            .iter()
            .flat_map(|&i| cand[i * np..(i + 1) * np].iter().copied())
            .collect();
        links.push(keep.iter().map(|&i| cand_links[i]).collect());
    }
    // Map raw sums to utilities (scale, offset, cap); the cap can make
    // distinct sums equal, so filter once more.
    let finished: Vec<f64> = sums
        .chunks(np)
        .flat_map(|s| {
            s.iter()
                .zip(&utils)
                .map(|(x, u)| u.finish(*x))
                .collect::<Vec<_>>()
        })
        .collect();
    let keep = pareto_indices(&finished, np);
    let n_issues = allowed.len();
    Ok(Some(
        keep.into_iter()
            .map(|i| {
                let mut outcome = vec![0u32; n_issues];
                let mut node = i as u32;
                for k in (0..n_issues).rev() {
                    let (parent, v) = links[k][node as usize];
                    outcome[k] = v;
                    node = parent;
                }
                FoundPoint {
                    utilities: finished[i * np..(i + 1) * np].to_vec(),
                    outcome,
                }
            })
            .collect(),
    ))
}
