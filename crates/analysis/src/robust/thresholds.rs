//! What would have to be true: where each uncertain number flips a verdict,
//! and how much of the uncertainty in "all accept" each one explains.

use crate::AnalysisError;
use detente_core::{PartyId, Sampler, Scenario, Target, Uncertain};

/// What a threshold's verdict is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// The proposal as it stands.
    Proposal,
    /// Its best robust repair.
    Repair,
}

impl Subject {
    /// The subject's name as printed in JSON (`proposal` or `repair`).
    pub fn as_str(self) -> &'static str {
        match self {
            Subject::Proposal => "proposal",
            Subject::Repair => "repair",
        }
    }
}

/// Where one uncertain number, the others held at their point values, flips
/// its party's verdict on the proposal or its best repair.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    /// The uncertain number, by index into [`Scenario::uncertain`].
    pub uncertain: usize,
    /// The party whose verdict flips.
    pub party: PartyId,
    /// What the verdict is about.
    pub subject: Subject,
    /// The flip point: exact for a reservation value (the utility itself),
    /// within one unit in the last place otherwise (found by bisection on
    /// the floating-point numbers, so as exact as a number can be written).
    pub value: f64,
    /// The number's point value.
    pub point: f64,
    /// Whether the party accepts when the number is above `value`.
    pub accepts_above: bool,
    /// Whether the party accepts when the number is below `value`.
    pub accepts_below: bool,
}

/// One uncertain number's share of the uncertainty in "all accept".
#[derive(Clone, Debug, PartialEq)]
pub struct Explained {
    /// The uncertain number, by index into [`Scenario::uncertain`].
    pub uncertain: usize,
    /// Its first-order sensitivity index: the share of the variance of the
    /// all-accept indicator explained by this number alone, in [0, 1].
    pub share: f64,
}

/// Grid intervals over a number's range searched for a flip before bisection.
const GRID: usize = 32;

/// Whether `p` accepts `outcome` with uncertain number `k` at `x` and the
/// others at their points (rejects when the numbers make its utility
/// constant).
fn verdict(
    sampler: &mut Sampler,
    numbers: &mut [f64],
    k: usize,
    x: f64,
    (p, outcome, t): (PartyId, &[u32], Option<f64>),
) -> bool {
    numbers[k] = x;
    if sampler.set(numbers).is_err() {
        return false;
    }
    let f = t.map_or(1.0, |t| sampler.discount_factor(p, t));
    sampler.utility(p).eval(outcome) * f >= sampler.reservation(p) * f
}

/// The flip of number `k` nearest its point, within its range `lo..=hi`:
/// a grid brackets the sign changes, bisection narrows the nearest to
/// adjacent floating-point numbers.
fn flip(
    sampler: &mut Sampler,
    numbers: &mut [f64],
    k: usize,
    (lo, hi, point): (f64, f64, f64),
    judge: (PartyId, &[u32], Option<f64>),
) -> Option<(f64, bool, bool)> {
    let mut xs: Vec<f64> = (0..=GRID)
        .map(|g| lo + (hi - lo) * g as f64 / GRID as f64)
        .collect();
    xs.push(point);
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let vs: Vec<bool> = xs
        .iter()
        .map(|&x| verdict(sampler, numbers, k, x, judge))
        .collect();
    let nearest = (1..xs.len())
        .filter(|&g| vs[g] != vs[g - 1])
        .min_by(|&a, &b| {
            let d = |g: usize| (xs[g] - point).abs().min((xs[g - 1] - point).abs());
            d(a).total_cmp(&d(b))
        })?;
    let (mut a, mut b) = (xs[nearest - 1], xs[nearest]);
    let below = vs[nearest - 1];
    loop {
        let mid = a + (b - a) / 2.0;
        if mid <= a || mid >= b {
            break;
        }
        if verdict(sampler, numbers, k, mid, judge) == below {
            a = mid;
        } else {
            b = mid;
        }
    }
    Some((b, !below, below))
}

/// For every uncertain number of a bargaining party (rankings aside), the
/// flip of its party's verdict on `proposal` and on `repair`, holding the
/// other numbers at their point values, when it lies within the number's
/// range. Red lines are certain, so a party whose red line is crossed has
/// no threshold.
pub fn thresholds(
    scenario: &Scenario,
    proposal: &[u32],
    repair: Option<&[u32]>,
    at_time: Option<f64>,
) -> Result<Vec<Threshold>, AnalysisError> {
    let points = super::points(scenario);
    let mut sampler = Sampler::new(scenario);
    let mut numbers = points.clone();
    let bargainers = scenario.bargainers();
    let mut out = Vec::new();
    let subjects = [
        (Subject::Proposal, Some(proposal)),
        (Subject::Repair, repair),
    ];
    for (k, u) in scenario.uncertain().iter().enumerate() {
        let Uncertain::Number {
            party,
            target,
            distribution,
        } = u
        else {
            continue;
        };
        if !bargainers.contains(party) {
            continue;
        }
        let (lo, hi) = distribution.support();
        for (subject, outcome) in subjects {
            let Some(o) = outcome else { continue };
            if scenario.red_lines(*party).crossed(o) {
                continue;
            }
            let found = if *target == Target::Reservation {
                // Accepts exactly when the reservation value is at most the
                // utility, which does not depend on it.
                // Discounting scales both sides alike, so it changes nothing.
                let u = scenario.utility_of(*party, o);
                (lo <= u && u <= hi).then_some((u, false, true))
            } else {
                let judge = (*party, o, at_time);
                let f = flip(&mut sampler, &mut numbers, k, (lo, hi, points[k]), judge);
                numbers[k] = points[k];
                f
            };
            if let Some((value, accepts_above, accepts_below)) = found {
                out.push(Threshold {
                    uncertain: k,
                    party: *party,
                    subject,
                    value,
                    point: points[k],
                    accepts_above,
                    accepts_below,
                });
            }
        }
    }
    Ok(out)
}

/// Ranks the uncertain numbers by their first-order sensitivity index for
/// "all accept": the samples are sorted by the number and cut into
/// `floor(sqrt(n))` bins of equal size; the index is the variance of the
/// bins' means of the all-accept indicator (weighted by their sizes) over
/// the indicator's variance. Rankings are left out; numbers that explain
/// nothing come last, in scenario order. `numbers` holds every sample's
/// numbers, `all` whether all accepted in that sample.
pub fn explained(scenario: &Scenario, numbers: &[f64], all: &[bool]) -> Vec<Explained> {
    let n = all.len();
    let kinds = scenario.uncertain();
    let width = kinds.len();
    if n == 0 || width == 0 {
        return Vec::new();
    }
    let mean = all.iter().filter(|a| **a).count() as f64 / n as f64;
    let variance = mean * (1.0 - mean);
    let bins = (n as f64).sqrt().floor().max(1.0) as usize;
    let mut out: Vec<Explained> = Vec::new();
    for (k, u) in kinds.iter().enumerate() {
        if matches!(u, Uncertain::Ranking { .. }) {
            continue;
        }
        let share = if variance == 0.0 {
            0.0
        } else {
            let mut order: Vec<usize> = (0..n).collect();
            order.sort_by(|&a, &b| {
                numbers[a * width + k]
                    .total_cmp(&numbers[b * width + k])
                    .then(a.cmp(&b))
            });
            let mut between = 0.0;
            for b in 0..bins {
                let (s, e) = (b * n / bins, (b + 1) * n / bins);
                let hits = order[s..e].iter().filter(|&&i| all[i]).count() as f64;
                let m = hits / (e - s) as f64;
                between += (e - s) as f64 * (m - mean) * (m - mean);
            }
            (between / n as f64 / variance).clamp(0.0, 1.0)
        };
        out.push(Explained {
            uncertain: k,
            share,
        });
    }
    out.sort_by(|a, b| {
        b.share
            .total_cmp(&a.share)
            .then(a.uncertain.cmp(&b.uncertain))
    });
    out
}
