//! Bargaining solutions chosen among frontier points.
//!
//! Every solution here is attained on the Pareto frontier of the feasible set
//! (outcomes that cross no red line and give each party at least its
//! disagreement utility), so it is chosen among those frontier points. Ties
//! go to the outcome that comes first in issue order.

use detente_core::Outcome;

/// A frontier point: the bargaining parties' utilities and the first outcome
/// (in issue order) that gives them.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// The bargaining parties' utilities at this point, in the order of `Analysis::bargainers`.
    pub utilities: Vec<f64>,
    /// The first outcome, in issue order, that gives these utilities.
    pub outcome: Outcome,
    /// Position of `outcome` in issue order, where the space is enumerable.
    pub key: Option<u64>,
}

/// The four classic solutions; `None` when no outcome is feasible.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Solutions {
    /// Maximises the product of gains over the disagreement point.
    pub nash: Option<Point>,
    /// Maximises the smallest gain relative to each party's best feasible
    /// gain (Kalai–Smorodinsky).
    pub kalai_smorodinsky: Option<Point>,
    /// Maximises the sum of utilities.
    pub max_welfare: Option<Point>,
    /// Maximises the smallest gain over the disagreement point; ties go to
    /// the larger sum of utilities.
    pub egalitarian: Option<Point>,
}

fn earlier(a: &Point, b: &Point) -> bool {
    match (a.key, b.key) {
        (Some(x), Some(y)) => x < y,
        _ => a.outcome < b.outcome,
    }
}

/// Picks the point maximising `score`, ties by issue order.
fn best(points: &[Point], score: impl Fn(&Point) -> (f64, f64)) -> Option<&Point> {
    let mut best: Option<(&Point, (f64, f64))> = None;
    for p in points {
        let s = score(p);
        best = match best {
            None => Some((p, s)),
            Some((q, t)) => {
                if s > t || (s == t && earlier(p, q)) {
                    Some((p, s))
                } else {
                    Some((q, t))
                }
            }
        };
    }
    best.map(|(p, _)| p)
}

/// The product of gains, multiplied in party order.
pub fn nash_product(u: &[f64], d: &[f64]) -> f64 {
    u.iter().zip(d).fold(1.0, |acc, (x, y)| acc * (x - y))
}

/// Chooses the solutions among `frontier` (the frontier of the outcomes that
/// cross no red line), with disagreement point `d`.
pub fn solve(frontier: &[Point], d: &[f64]) -> Solutions {
    let feasible: Vec<Point> = frontier
        .iter()
        .filter(|p| p.utilities.iter().zip(d).all(|(u, x)| u >= x))
        .cloned()
        .collect();
    if feasible.is_empty() {
        return Solutions::default();
    }
    let np = d.len();
    let ideal: Vec<f64> = (0..np)
        .map(|i| {
            feasible
                .iter()
                .map(|p| p.utilities[i])
                .fold(f64::NEG_INFINITY, f64::max)
        })
        .collect();
    let sum = |p: &Point| p.utilities.iter().sum::<f64>();
    let min_gain = |p: &Point| {
        p.utilities
            .iter()
            .zip(d)
            .map(|(u, x)| u - x)
            .fold(f64::INFINITY, f64::min)
    };
    Solutions {
        nash: best(&feasible, |p| (nash_product(&p.utilities, d), 0.0)).cloned(),
        kalai_smorodinsky: best(&feasible, |p| {
            let r = p
                .utilities
                .iter()
                .zip(d)
                .zip(&ideal)
                .map(|((u, x), m)| if m > x { (u - x) / (m - x) } else { 1.0 })
                .fold(f64::INFINITY, f64::min);
            (r, 0.0)
        })
        .cloned(),
        max_welfare: best(&feasible, |p| (sum(p), 0.0)).cloned(),
        egalitarian: best(&feasible, |p| (min_gain(p), sum(p))).cloned(),
    }
}
