//! Writing a scenario as GeniusWeb JSON files.

use super::*;
use crate::genius::{Inexpressible, per_issue_terms, unwritable};

/// The JSON texts of a GeniusWeb domain and of one profile per party.
#[derive(Clone, Debug)]
pub struct GeniusWebFiles {
    /// The domain's JSON text.
    pub domain: String,
    /// One `(party name, JSON text)` per party, in party order; the name gives the profile's
    /// file name.
    pub profiles: Vec<(String, String)>,
}

/// Largest space searched for a reservation bid.
const RESERVATION_SEARCH_LIMIT: u64 = 10_000_000;

/// Writes a scenario as GeniusWeb JSON. Each party is written from its
/// compiled per-issue terms `c_i(v)`: with `M = Σ_i max_v c_i(v)` (at most
/// 1), weight `w_i = max_v c_i(v) / M` and utility `c_i(v) / w_i`, so
/// `Σ w_i u_i = Σ c_i` and weights sum to 1. Number issues need linear
/// utilities. A reservation value becomes the reservation bid of the worst
/// outcome worth at least that value (the same outcomes are acceptable).
pub fn write(parts: &ScenarioParts) -> Result<GeniusWebFiles, FormatError> {
    let domain = domain_json(parts)?;
    let scenario = Scenario::new(parts.clone())
        .map_err(|e| FormatError::unusable(&parts.name, e.to_string()))?;
    let mut profiles = Vec::new();
    for (pi, party) in parts.parties.iter().enumerate() {
        let text = profile_json(parts, &scenario, pi, &domain)
            .map_err(|e| unwritable(parts, party, "GeniusWeb", e))?;
        profiles.push((party.name.clone(), text));
    }
    Ok(GeniusWebFiles {
        domain: serde_json::to_string_pretty(&domain).unwrap_or_default(),
        profiles,
    })
}

/// The domain object: every issue's value set (a continuous issue only when
/// its maximum is on its grid, as GeniusWeb's values are `low + k·step`).
fn domain_json(parts: &ScenarioParts) -> Result<J, FormatError> {
    let mut iv = Map::new();
    for issue in &parts.issues {
        let set = match &issue.kind {
            IssueKind::Categorical { options, .. } => json!({ "values": options }),
            IssueKind::Integer { min, max } => {
                json!({ "range": { "low": min, "high": max, "step": 1 } })
            }
            IssueKind::Continuous { min, max, step } => {
                let n = continuous_points(*min, *max, *step);
                if n > 1 && (min + step * (n - 1) as f64 - max).abs() > step * 1e-9 {
                    return Err(FormatError::unusable(
                        &parts.name,
                        format!(
                            "issue `{}`: GeniusWeb's number values are low + k·step, and {max} is not on the grid of step {step}",
                            issue.name
                        ),
                    ));
                }
                json!({ "range": { "low": min, "high": max, "step": step } })
            }
        };
        iv.insert(issue.name.clone(), set);
    }
    Ok(json!({ "name": parts.name, "issuesValues": iv }))
}

/// Party `pi`'s profile, its `domain` embedded.
fn profile_json(
    parts: &ScenarioParts,
    scenario: &Scenario,
    pi: usize,
    domain: &J,
) -> Result<String, Inexpressible> {
    let party = &parts.parties[pi];
    if !party.preferences.red_lines.is_empty() {
        return Err(Inexpressible::RedLines {
            format: "GeniusWeb",
        });
    }
    let terms = per_issue_terms(parts, party)?;
    let maxima: Vec<f64> = terms
        .columns
        .iter()
        .map(|c| c.iter().copied().fold(0.0, f64::max))
        .collect();
    let best: f64 = maxima.iter().sum();
    if best > 1.0 + 1e-9 {
        return Err(Inexpressible::AboveOneUncapped {
            best,
            capped: terms.capped,
        });
    }
    let mut weights = Map::new();
    let mut utils = Map::new();
    for ((issue, col), &m) in parts.issues.iter().zip(&terms.columns).zip(&maxima) {
        if col.iter().any(|&x| x < -1e-12) {
            return Err(Inexpressible::NegativeUtilities {
                issue: issue.name.clone(),
            });
        }
        let w = if best > 0.0 {
            m / best
        } else {
            1.0 / parts.issues.len() as f64
        };
        weights.insert(issue.name.clone(), json!(w));
        utils.insert(issue.name.clone(), issue_utilities(issue, col, w)?);
    }
    let mut body = Map::new();
    body.insert("issueUtilities".into(), J::Object(utils));
    body.insert("issueWeights".into(), J::Object(weights));
    body.insert("domain".into(), domain.clone());
    body.insert("name".into(), json!(party.name));
    let rv = party.preferences.reservation;
    if rv > 0.0 {
        let bid = reservation_bid(scenario, pi, rv)
            .ok_or(Inexpressible::NoReservationBid { reservation: rv })?;
        body.insert("reservationBid".into(), json!({ "issuevalues": bid }));
    }
    Ok(
        serde_json::to_string_pretty(&json!({ "LinearAdditiveUtilitySpace": body }))
            .unwrap_or_default(),
    )
}

/// One issue's utilities for terms `col` under weight `w` (`c(v) / w`):
/// a table for a categorical issue, else the line from the lowest to the
/// highest value, which must reproduce every term.
fn issue_utilities(issue: &Issue, col: &[f64], w: f64) -> Result<J, Inexpressible> {
    let util = |x: f64| {
        if w > 0.0 {
            (x / w).clamp(0.0, 1.0)
        } else {
            0.0
        }
    };
    if let IssueKind::Categorical { options, .. } = &issue.kind {
        let vu: Map<String, J> = options
            .iter()
            .zip(col)
            .map(|(o, &x)| (o.clone(), json!(util(x))))
            .collect();
        return Ok(json!({ "discreteutils": { "valueUtilities": vu } }));
    }
    let n = col.len();
    let lo = issue.numeric_value(0).unwrap_or(0.0);
    let hi = issue.numeric_value(n as u32 - 1).unwrap_or(0.0);
    let (ul, uh) = (util(col[0]), util(col[n - 1]));
    let linear = (0..n).all(|v| {
        let x = issue.numeric_value(v as u32).unwrap_or(0.0);
        let y = if hi > lo {
            ul + (uh - ul) * (x - lo) / (hi - lo)
        } else {
            ul
        };
        (y - util(col[v])).abs() <= 1e-9
    });
    if !linear || !(hi > lo) {
        return Err(Inexpressible::NotLinear {
            issue: issue.name.clone(),
        });
    }
    Ok(json!({ "numberutils": {
        "lowValue": lo, "lowUtility": ul, "highValue": hi, "highUtility": uh } }))
}

/// The worst outcome worth at least `rv` to party `p` (the best one when none
/// is), as a GeniusWeb bid.
pub(super) fn reservation_bid(s: &Scenario, p: usize, rv: f64) -> Option<Map<String, J>> {
    let space = s.space();
    let count = space
        .count_u64()
        .filter(|&c| c <= RESERVATION_SEARCH_LIMIT)?;
    let u = &s.utilities()[p];
    let mut o = vec![0u32; space.issue_count()];
    let mut chosen: Option<(f64, Vec<u32>)> = None;
    let mut best: Option<(f64, Vec<u32>)> = None;
    for _ in 0..count {
        let x = u.eval(&o);
        if x >= rv - 1e-12 && chosen.as_ref().is_none_or(|(c, _)| x < *c) {
            chosen = Some((x, o.clone()));
        }
        if best.as_ref().is_none_or(|(b, _)| x > *b) {
            best = Some((x, o.clone()));
        }
        if space.advance(&mut o).is_none() {
            break;
        }
    }
    let (_, outcome) = chosen.or(best)?;
    Some(
        s.issues()
            .iter()
            .zip(&outcome)
            .map(|(issue, &v)| {
                let value = match &issue.kind {
                    IssueKind::Categorical { .. } => json!(issue.value_label(v)),
                    _ => json!(issue.numeric_value(v).unwrap_or(0.0)),
                };
                (issue.name.clone(), value)
            })
            .collect(),
    )
}
