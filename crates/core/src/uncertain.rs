//! Uncertain numbers: a distribution in place of a weight, a value, a point
//! of a value function, a reservation value, a discount factor or an
//! interaction bonus, and value functions known only as an ordering.
//!
//! The scenario's [`Preferences`] always hold the *point* value of every
//! uncertain number (the one the deterministic model uses), so a scenario
//! reads the same with or without its distributions. A
//! [`Sampler`](crate::Sampler) draws numbers from uniform numbers the caller
//! provides (the core holds no random state) and recompiles only the
//! utilities whose numbers changed: the space, the red lines and every
//! table's shape are built once.

use crate::ids::PartyId;
use crate::issue::{Issue, IssueId};
use crate::preference::{Preferences, UtilityModel, ValueFunction};

/// How far from 1 the probabilities of a `choices` distribution may sum.
pub const PROBABILITY_TOLERANCE: f64 = 1e-9;

/// A distribution of one number.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// Every number between `low` and `high` equally likely; its point value
    /// by default is the midpoint.
    Uniform {
        /// The smallest possible number.
        low: f64,
        /// The largest possible number.
        high: f64,
    },
    /// The triangular distribution from `low` to `high`, most likely at
    /// `mode`; its point value by default is the mode.
    Triangular {
        /// The smallest possible number.
        low: f64,
        /// The most likely number.
        mode: f64,
        /// The largest possible number.
        high: f64,
    },
    /// One of a few numbers, each with its probability; its point value by
    /// default is the most probable number (the first listed among equals).
    Choices {
        /// The possible numbers.
        values: Vec<f64>,
        /// The probability of each number, in the same order; they sum to 1.
        p: Vec<f64>,
    },
}

/// Why a distribution is not one: each variant says what to fix.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DistributionError {
    /// A bound, mode, value or probability is not a finite number.
    #[error("every number of a distribution must be finite")]
    NotFinite,
    /// `low` is above `high`.
    #[error("low {low} is above high {high}")]
    Inverted {
        /// The lower bound as written.
        low: f64,
        /// The upper bound as written.
        high: f64,
    },
    /// The mode of a triangular distribution lies outside `[low, high]`.
    #[error("mode {mode} is outside [{low}, {high}]")]
    ModeOutside {
        /// The lower bound.
        low: f64,
        /// The mode as written.
        mode: f64,
        /// The upper bound.
        high: f64,
    },
    /// `choices` lists no number.
    #[error("`choices` lists no number")]
    NoChoices,
    /// `choices` and `p` have different lengths.
    #[error(
        "`choices` has {values} numbers but `p` has {p} probabilities; give one probability per number"
    )]
    Lengths {
        /// How many numbers `choices` lists.
        values: usize,
        /// How many probabilities `p` lists.
        p: usize,
    },
    /// A probability is negative.
    #[error("probability {0} is negative")]
    NegativeProbability(f64),
    /// The probabilities do not sum to 1.
    #[error("the probabilities sum to {0}, not 1")]
    Sum(f64),
    /// The explicit point value lies outside the distribution's range.
    #[error("the point value {value} is outside the distribution's range [{low}, {high}]")]
    PointOutside {
        /// The point value as written.
        value: f64,
        /// The smallest possible number.
        low: f64,
        /// The largest possible number.
        high: f64,
    },
}

impl Distribution {
    /// Checks the numbers: finite, `low <= mode <= high`, probabilities
    /// non-negative and summing to 1 (within [`PROBABILITY_TOLERANCE`]).
    pub fn check(&self) -> Result<(), DistributionError> {
        match self {
            Distribution::Uniform { low, high } => {
                if !(low.is_finite() && high.is_finite()) {
                    return Err(DistributionError::NotFinite);
                }
                if low > high {
                    return Err(DistributionError::Inverted {
                        low: *low,
                        high: *high,
                    });
                }
            }
            Distribution::Triangular { low, mode, high } => {
                if !(low.is_finite() && mode.is_finite() && high.is_finite()) {
                    return Err(DistributionError::NotFinite);
                }
                if low > high {
                    return Err(DistributionError::Inverted {
                        low: *low,
                        high: *high,
                    });
                }
                if mode < low || mode > high {
                    return Err(DistributionError::ModeOutside {
                        low: *low,
                        mode: *mode,
                        high: *high,
                    });
                }
            }
            Distribution::Choices { values, p } => {
                if values.is_empty() {
                    return Err(DistributionError::NoChoices);
                }
                if values.len() != p.len() {
                    return Err(DistributionError::Lengths {
                        values: values.len(),
                        p: p.len(),
                    });
                }
                if values.iter().chain(p).any(|x| !x.is_finite()) {
                    return Err(DistributionError::NotFinite);
                }
                if let Some(&q) = p.iter().find(|q| **q < 0.0) {
                    return Err(DistributionError::NegativeProbability(q));
                }
                let sum: f64 = p.iter().sum();
                if (sum - 1.0).abs() > PROBABILITY_TOLERANCE {
                    return Err(DistributionError::Sum(sum));
                }
            }
        }
        Ok(())
    }

    /// The smallest and largest possible number.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Distribution::Uniform { low, high } | Distribution::Triangular { low, high, .. } => {
                (*low, *high)
            }
            Distribution::Choices { values, .. } => (
                values.iter().copied().fold(f64::INFINITY, f64::min),
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        }
    }

    /// The point value used when none is written: the midpoint of a uniform
    /// range, the mode of a triangle, the most probable choice (the first
    /// among equally probable ones).
    pub fn default_point(&self) -> f64 {
        match self {
            Distribution::Uniform { low, high } => {
                if low == high {
                    *low
                } else {
                    (low + high) / 2.0
                }
            }
            Distribution::Triangular { mode, .. } => *mode,
            Distribution::Choices { values, p } => {
                let mut best = 0;
                for (k, q) in p.iter().enumerate() {
                    if *q > p[best] {
                        best = k;
                    }
                }
                values[best]
            }
        }
    }

    /// The number at uniform draw `u` in `[0, 1)`, by the inverse of the
    /// cumulative distribution. A distribution of one number gives exactly
    /// that number, whatever `u`.
    pub fn sample(&self, u: f64) -> f64 {
        match self {
            Distribution::Uniform { low, high } => {
                if low == high {
                    *low
                } else {
                    (low + u * (high - low)).min(*high)
                }
            }
            Distribution::Triangular { low, mode, high } => {
                if low == high {
                    return *low;
                }
                let span = high - low;
                let f = (mode - low) / span;
                let x = if u < f {
                    low + (u * span * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * span * (high - mode)).sqrt()
                };
                x.clamp(*low, *high)
            }
            Distribution::Choices { values, p } => {
                let mut acc = 0.0;
                for (v, q) in values.iter().zip(p) {
                    acc += q;
                    if u < acc {
                        return *v;
                    }
                }
                // Rounding may leave the sum a hair below 1.
                let last = p.iter().rposition(|q| *q > 0.0).unwrap_or(values.len() - 1);
                values[last]
            }
        }
    }

    /// The probability that a draw is at most `x`.
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            Distribution::Uniform { low, high } => {
                if x < *low {
                    0.0
                } else if x >= *high {
                    1.0
                } else {
                    (x - low) / (high - low)
                }
            }
            Distribution::Triangular { low, mode, high } => {
                if x < *low {
                    0.0
                } else if x >= *high {
                    1.0
                } else if x <= *mode {
                    (x - low) * (x - low) / ((high - low) * (mode - low))
                } else {
                    1.0 - (high - x) * (high - x) / ((high - low) * (high - mode))
                }
            }
            Distribution::Choices { values, p } => values
                .iter()
                .zip(p)
                .filter(|(v, _)| **v <= x)
                .map(|(_, q)| q)
                .sum(),
        }
    }
}

/// The number of a party's preferences an uncertain number stands for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// The weight of an issue (additive preferences).
    Weight(IssueId),
    /// The value of one option (a value index) in an issue's value table.
    Value(IssueId, u32),
    /// The value (not the x) of point `k` of a piecewise-linear value function.
    Point(IssueId, usize),
    /// The reservation value.
    Reservation,
    /// The discount factor.
    Discount,
    /// The bonus of interaction term `k`.
    Bonus(usize),
}

/// One uncertain part of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub enum Uncertain {
    /// A number given as a distribution; the party's preferences hold its
    /// point value.
    Number {
        /// The party whose number it is.
        party: PartyId,
        /// Which of its numbers.
        target: Target,
        /// How the number is distributed.
        distribution: Distribution,
    },
    /// A value table known only as an ordering of the options (ANAC 2019's
    /// ranked profiles): every table consistent with it is possible. The
    /// best option is worth 1 and the worst 0 (min-max normalisation makes
    /// this no loss of generality); the others are the order statistics of
    /// uniform draws, which makes every table consistent with the ordering
    /// equally likely. The point model spaces them evenly.
    Ranking {
        /// The party whose value table it is.
        party: PartyId,
        /// The issue of the table.
        issue: IssueId,
        /// Value indices from the best option to the worst; every option once.
        order: Vec<u32>,
    },
}

impl Uncertain {
    /// The party the uncertain part belongs to.
    pub fn party(&self) -> PartyId {
        match self {
            Uncertain::Number { party, .. } | Uncertain::Ranking { party, .. } => *party,
        }
    }

    /// How many uniform numbers one draw of it takes.
    pub fn draws(&self) -> usize {
        match self {
            Uncertain::Number { .. } => 1,
            Uncertain::Ranking { order, .. } => order.len().saturating_sub(2),
        }
    }

    /// The path by which files and output name it, such as
    /// `parties[1].reservation` or `parties[0].values.warranty.none`.
    pub fn path(&self, issues: &[Issue]) -> String {
        let party = self.party();
        let at = format!("parties[{}]", party.index());
        let issue_name = |i: &IssueId| issues[i.index()].name.clone();
        match self {
            Uncertain::Number { target, .. } => match target {
                Target::Weight(i) => format!("{at}.weights.{}", issue_name(i)),
                Target::Value(i, v) => format!(
                    "{at}.values.{}.{}",
                    issue_name(i),
                    issues[i.index()].value_label(*v)
                ),
                Target::Point(i, k) => format!("{at}.values.{}.points[{k}]", issue_name(i)),
                Target::Reservation => format!("{at}.reservation"),
                Target::Discount => format!("{at}.discount"),
                Target::Bonus(k) => format!("{at}.interactions[{k}].bonus"),
            },
            Uncertain::Ranking { issue, .. } => format!("{at}.values.{}", issue_name(issue)),
        }
    }
}

impl Uncertain {
    /// The canonical order of uncertain parts (by party; then reservation
    /// value, discount factor, weights, values, points, bonuses, rankings,
    /// each by issue), so that a scenario samples the same way whatever
    /// order its file lists them in (JSON objects have none).
    pub fn order_key(&self) -> (u32, u8, u32, u32) {
        let party = self.party().0;
        match self {
            Uncertain::Number { target, .. } => match target {
                Target::Reservation => (party, 0, 0, 0),
                Target::Discount => (party, 1, 0, 0),
                Target::Weight(i) => (party, 2, i.0, 0),
                Target::Value(i, v) => (party, 3, i.0, *v),
                Target::Point(i, k) => (party, 4, i.0, *k as u32),
                Target::Bonus(k) => (party, 5, *k as u32, 0),
            },
            Uncertain::Ranking { issue, .. } => (party, 6, issue.0, 0),
        }
    }

    /// The number in words, as its party's: `its reservation value`, `its
    /// weight of nato`, `its value of nato = deferred`, for sentences.
    pub fn label(&self, issues: &[Issue]) -> String {
        let issue = |i: &IssueId| issues[i.index()].name.clone();
        match self {
            Uncertain::Number { target, .. } => match target {
                Target::Reservation => "its reservation value".into(),
                Target::Discount => "its discount factor".into(),
                Target::Weight(i) => format!("its weight of {}", issue(i)),
                Target::Value(i, v) => format!(
                    "its value of {} = {}",
                    issue(i),
                    issues[i.index()].value_label(*v)
                ),
                Target::Point(i, k) => format!("its value at point {k} of {}", issue(i)),
                Target::Bonus(k) => format!("the bonus of its interaction {k}"),
            },
            Uncertain::Ranking { issue: i, .. } => format!("its ranking of {}", issue(i)),
        }
    }
}

/// The number `target` of `prefs`, if the preferences have it.
pub fn number_of(prefs: &Preferences, target: &Target) -> Option<f64> {
    match (target, &prefs.model) {
        (Target::Reservation, _) => Some(prefs.reservation),
        (Target::Discount, _) => Some(prefs.discount),
        (Target::Weight(i), UtilityModel::Additive { weights, .. }) => {
            weights.get(i.index()).copied()
        }
        (Target::Value(i, v), UtilityModel::Additive { values, .. }) => {
            match values.get(i.index())? {
                ValueFunction::Table(t) => t.get(*v as usize).copied(),
                ValueFunction::Piecewise(_) => None,
            }
        }
        (Target::Point(i, k), UtilityModel::Additive { values, .. }) => {
            match values.get(i.index())? {
                ValueFunction::Piecewise(pts) => pts.get(*k).map(|p| p.1),
                ValueFunction::Table(_) => None,
            }
        }
        (Target::Bonus(k), UtilityModel::Additive { interactions, .. }) => {
            interactions.get(*k).map(|it| it.bonus)
        }
        _ => None,
    }
}

/// Sets the number `target` of `prefs` to `x` (nothing when the preferences
/// do not have it; `Scenario::new` has checked that they do).
pub fn set_number(prefs: &mut Preferences, target: &Target, x: f64) {
    match (target, &mut prefs.model) {
        (Target::Reservation, _) => prefs.reservation = x,
        (Target::Discount, _) => prefs.discount = x,
        (Target::Weight(i), UtilityModel::Additive { weights, .. }) => {
            if let Some(w) = weights.get_mut(i.index()) {
                *w = x;
            }
        }
        (Target::Value(i, v), UtilityModel::Additive { values, .. }) => {
            if let Some(ValueFunction::Table(t)) = values.get_mut(i.index())
                && let Some(slot) = t.get_mut(*v as usize)
            {
                *slot = x;
            }
        }
        (Target::Point(i, k), UtilityModel::Additive { values, .. }) => {
            if let Some(ValueFunction::Piecewise(pts)) = values.get_mut(i.index())
                && let Some(pt) = pts.get_mut(*k)
            {
                pt.1 = x;
            }
        }
        (Target::Bonus(k), UtilityModel::Additive { interactions, .. }) => {
            if let Some(it) = interactions.get_mut(*k) {
                it.bonus = x;
            }
        }
        _ => {}
    }
}

/// The evenly spaced table of a ranking (best 1, worst 0), the point model
/// of [`Uncertain::Ranking`]; `inner` replaces the inner values (sorted
/// from high to low) when given.
pub fn ranking_table(order: &[u32], inner: Option<&[f64]>) -> Vec<f64> {
    let n = order.len();
    let mut t = vec![0.0; n];
    for (rank, &v) in order.iter().enumerate() {
        t[v as usize] = if rank == 0 {
            1.0
        } else if rank == n - 1 {
            0.0
        } else {
            match inner {
                Some(x) => x[rank - 1],
                None => (n - 1 - rank) as f64 / (n - 1) as f64,
            }
        };
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_number_distributions_give_that_number() {
        let u = Distribution::Uniform {
            low: 0.3,
            high: 0.3,
        };
        let t = Distribution::Triangular {
            low: 0.3,
            mode: 0.3,
            high: 0.3,
        };
        let c = Distribution::Choices {
            values: vec![0.3],
            p: vec![1.0],
        };
        for d in [u, t, c] {
            for x in [0.0, 0.5, 0.999_999] {
                assert_eq!(d.sample(x), 0.3);
            }
            assert_eq!(d.default_point(), 0.3);
        }
    }

    #[test]
    fn the_inverse_cdf_inverts_the_cdf() {
        let t = Distribution::Triangular {
            low: 1.0,
            mode: 2.0,
            high: 4.0,
        };
        for k in 1..100 {
            let u = k as f64 / 100.0;
            assert!((t.cdf(t.sample(u)) - u).abs() < 1e-12);
        }
        let c = Distribution::Choices {
            values: vec![0.0, 0.2],
            p: vec![0.7, 0.3],
        };
        assert_eq!(c.sample(0.69), 0.0);
        assert_eq!(c.sample(0.71), 0.2);
        assert_eq!(c.default_point(), 0.0);
    }

    #[test]
    fn bad_distributions_say_why() {
        let bad = |d: Distribution| d.check().unwrap_err().to_string();
        assert_eq!(
            bad(Distribution::Uniform {
                low: 0.6,
                high: 0.2
            }),
            "low 0.6 is above high 0.2"
        );
        assert_eq!(
            bad(Distribution::Choices {
                values: vec![0.0, 1.0],
                p: vec![0.5, 0.6]
            }),
            "the probabilities sum to 1.1, not 1"
        );
        assert_eq!(
            bad(Distribution::Choices {
                values: vec![0.0, 1.0],
                p: vec![-0.5, 1.5]
            }),
            "probability -0.5 is negative"
        );
    }

    #[test]
    fn rankings_space_the_point_table_evenly() {
        assert_eq!(ranking_table(&[2, 0, 1], None), vec![0.5, 0.0, 1.0]);
        assert_eq!(ranking_table(&[1, 0], None), vec![0.0, 1.0]);
    }
}
