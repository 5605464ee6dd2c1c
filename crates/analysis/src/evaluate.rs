//! How a proposal fares: each party's verdict, efficiency, the deals that
//! beat it, and repairs (the acceptable deals that change the fewest issues).

use crate::Analysis;
use crate::solutions::{Point, nash_product};
use detente_core::{IssueId, Outcome, PartyId, Scenario};

/// One party's view of a proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyVerdict {
    /// The party this verdict is about.
    pub party: PartyId,
    /// The party's utility of the proposal (discounted when the analysis was), to compare with
    /// `reservation`.
    pub utility: f64,
    /// The party's reservation value on the same scale: the least the proposal must be worth
    /// for it to accept.
    pub reservation: f64,
    /// Indices into the party's red lines.
    pub red_lines_crossed: Vec<usize>,
    /// Crosses none of its red lines and is worth at least its reservation.
    pub accepts: bool,
}

/// One issue changed by a repair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The issue whose value the repair changes.
    pub issue: IssueId,
    /// The proposal's value index for the issue.
    pub from: u32,
    /// The value index the repair gives the issue instead.
    pub to: u32,
}

/// An acceptable-to-all outcome close to the proposal.
#[derive(Clone, Debug, PartialEq)]
pub struct Repair {
    /// The repaired deal, one value index per issue.
    pub outcome: Outcome,
    /// The issues the repair changes, in issue order, so a reader sees what to concede.
    pub changes: Vec<Change>,
    /// Every party's utility, in scenario order.
    pub utilities: Vec<f64>,
    /// Product of the bargaining parties' gains over their reservation values.
    pub nash_product: f64,
}

/// Limits on the search for repairs in [`evaluate`], so that evaluation stays bounded on large
/// spaces.
#[derive(Clone, Debug)]
pub struct RepairOptions {
    /// How many repairs to return (the best by Nash product).
    pub max_repairs: usize,
    /// How many issues a repair may change at most.
    pub max_changes: usize,
    /// How many candidate outcomes the search may examine.
    pub budget: u64,
}

/// How many candidate outcomes a repair search examines by default.
pub const REPAIR_BUDGET: u64 = 20_000_000;

impl Default for RepairOptions {
    fn default() -> Self {
        RepairOptions {
            max_repairs: 5,
            max_changes: usize::MAX,
            budget: REPAIR_BUDGET,
        }
    }
}

/// Everything [`evaluate`] finds about a proposal.
#[derive(Clone, Debug)]
pub struct Evaluation {
    /// The evaluated deal, one value index per issue.
    pub outcome: Outcome,
    /// Every party, in scenario order.
    pub verdicts: Vec<PartyVerdict>,
    /// True when every bargaining party accepts: the proposal is a deal as it
    /// stands, and needs no repair.
    pub acceptable_to_all: bool,
    /// No outcome of the whole space gives every bargaining party at least as
    /// much and one of them more.
    pub pareto_efficient: bool,
    /// Pareto-efficient outcomes that cross no red line and dominate the
    /// proposal, best Nash product first (at most ten).
    pub dominated_by: Vec<Point>,
    /// The smallest number of changed issues that makes the proposal
    /// acceptable to all, when the search found one.
    pub repair_size: Option<usize>,
    /// The repairs found, best Nash product first, each changing `repair_size` issues.
    pub repairs: Vec<Repair>,
    /// The search stopped at its budget before finding a repair.
    pub repair_search_truncated: bool,
}

/// Evaluates `outcome` against the scenario, using the frontiers of a
/// previous [`crate::analyze`] (and its discounting time, if any).
pub fn evaluate(
    scenario: &Scenario,
    analysis: &Analysis,
    outcome: &[u32],
    opts: &RepairOptions,
) -> Evaluation {
    let t = analysis.at_time;
    let factor = |p: PartyId| t.map_or(1.0, |t| scenario.discount_factor(p, t));
    let verdicts: Vec<PartyVerdict> = scenario
        .parties()
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let p = PartyId(i as u32);
            let utility = scenario.utility_of(p, outcome) * factor(p);
            let reservation = scenario.reservation(p) * factor(p);
            let red_lines_crossed = scenario.red_lines_crossed(p, outcome);
            PartyVerdict {
                party: p,
                utility,
                reservation,
                accepts: red_lines_crossed.is_empty() && utility >= reservation,
                red_lines_crossed,
            }
        })
        .collect();
    let bargainers = &analysis.bargainers;
    let acceptable_to_all = bargainers.iter().all(|p| verdicts[p.index()].accepts);
    let u: Vec<f64> = bargainers
        .iter()
        .map(|p| verdicts[p.index()].utility)
        .collect();
    let dominates =
        |q: &[f64]| q.iter().zip(&u).all(|(a, b)| a >= b) && q.iter().zip(&u).any(|(a, b)| a > b);
    let pareto_efficient = !analysis.pareto.iter().any(|p| dominates(&p.utilities));
    let mut dominated_by: Vec<Point> = analysis
        .feasible_pareto
        .iter()
        .filter(|p| dominates(&p.utilities))
        .cloned()
        .collect();
    let rv = analysis.reservations();
    dominated_by.sort_by(|a, b| {
        nash_product(&b.utilities, &rv)
            .total_cmp(&nash_product(&a.utilities, &rv))
            .then_with(|| a.outcome.cmp(&b.outcome))
    });
    dominated_by.truncate(10);

    let (repair_size, repairs, repair_search_truncated) = if acceptable_to_all {
        (Some(0), Vec::new(), false)
    } else {
        search_repairs(scenario, outcome, opts)
    };
    Evaluation {
        outcome: outcome.to_vec(),
        verdicts,
        acceptable_to_all,
        pareto_efficient,
        dominated_by,
        repair_size,
        repairs,
        repair_search_truncated,
    }
}

/// Breadth-first over the number of changed issues: all single changes,
/// then all pairs, and so on, stopping at the first size that yields an
/// acceptable outcome.
fn search_repairs(
    scenario: &Scenario,
    base: &[u32],
    opts: &RepairOptions,
) -> (Option<usize>, Vec<Repair>, bool) {
    let radices = scenario.space().radices().to_vec();
    let n = radices.len();
    let bargainers = scenario.bargainers();
    let rv: Vec<f64> = bargainers
        .iter()
        .map(|&p| scenario.reservation(p))
        .collect();
    let mut examined: u64 = 0;
    let mut candidate = base.to_vec();
    for k in 1..=n.min(opts.max_changes) {
        let mut found: Vec<Repair> = Vec::new();
        let mut combo: Vec<usize> = (0..k).collect();
        loop {
            // Every alternative value on the chosen issues: an odometer over
            // offsets 1..radix (0 would be the proposal's own value).
            let mut offs = vec![1u32; k];
            if combo.iter().all(|&i| radices[i] > 1) {
                loop {
                    for (j, &i) in combo.iter().enumerate() {
                        candidate[i] = (base[i] + offs[j]) % radices[i];
                    }
                    examined += 1;
                    if examined > opts.budget {
                        return (None, Vec::new(), true);
                    }
                    let ok = bargainers.iter().all(|&p| {
                        !scenario.red_lines(p).crossed(&candidate)
                            && scenario.utility_of(p, &candidate) >= scenario.reservation(p)
                    });
                    if ok {
                        let bu: Vec<f64> = bargainers
                            .iter()
                            .map(|&p| scenario.utility_of(p, &candidate))
                            .collect();
                        found.push(Repair {
                            outcome: candidate.clone(),
                            changes: combo
                                .iter()
                                .map(|&i| Change {
                                    issue: IssueId(i as u32),
                                    from: base[i],
                                    to: candidate[i],
                                })
                                .collect(),
                            utilities: (0..scenario.parties().len() as u32)
                                .map(|p| scenario.utility_of(PartyId(p), &candidate))
                                .collect(),
                            nash_product: nash_product(&bu, &rv),
                        });
                    }
                    if !next_offsets(&mut offs, &combo, &radices) {
                        break;
                    }
                }
                for &i in &combo {
                    candidate[i] = base[i];
                }
            }
            // Next combination of k issues out of n.
            let mut j = k;
            let mut advanced = false;
            while j > 0 {
                j -= 1;
                if combo[j] < n - k + j {
                    combo[j] += 1;
                    for m in j + 1..k {
                        combo[m] = combo[m - 1] + 1;
                    }
                    advanced = true;
                    break;
                }
            }
            if !advanced {
                break;
            }
        }
        if !found.is_empty() {
            found.sort_by(|a, b| {
                b.nash_product
                    .total_cmp(&a.nash_product)
                    .then_with(|| a.outcome.cmp(&b.outcome))
            });
            found.truncate(opts.max_repairs);
            return (Some(k), found, false);
        }
    }
    (None, Vec::new(), false)
}

/// Advances the odometer of alternative-value offsets; false when done.
fn next_offsets(offs: &mut [u32], combo: &[usize], radices: &[u32]) -> bool {
    for j in (0..offs.len()).rev() {
        offs[j] += 1;
        if offs[j] < radices[combo[j]] {
            return true;
        }
        offs[j] = 1;
    }
    false
}
