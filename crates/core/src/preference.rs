//! Preferences as a user states them: weights, value functions, interaction
//! terms, red lines, a reservation value and a discount factor.
//!
//! These types keep the numbers as written (so a scenario can be written back
//! unchanged); [`crate::utility::CompiledUtility`] is the form the hot paths
//! evaluate.

use crate::issue::IssueId;

/// A set of value indices of one issue, as a membership mask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValueSet(pub Vec<bool>);

impl ValueSet {
    pub fn contains(&self, v: u32) -> bool {
        self.0.get(v as usize).copied().unwrap_or(false)
    }
    pub fn count(&self) -> usize {
        self.0.iter().filter(|b| **b).count()
    }
    /// Indices in the set, in order.
    pub fn indices(&self) -> impl Iterator<Item = u32> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, b)| **b)
            .map(|(i, _)| i as u32)
    }
}

/// "Issue `issue` takes one of `values`."
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub issue: IssueId,
    pub values: ValueSet,
}

/// A conjunction of conditions on distinct issues; an empty clause always holds.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Clause {
    pub conditions: Vec<Condition>,
}

impl Clause {
    #[inline]
    pub fn holds(&self, outcome: &[u32]) -> bool {
        self.conditions
            .iter()
            .all(|c| c.values.contains(outcome[c.issue.index()]))
    }
}

/// An outcome matching `when` is unacceptable to the party, whatever its
/// utility.
#[derive(Clone, Debug, PartialEq)]
pub struct RedLine {
    pub when: Clause,
    pub note: String,
}

/// A bonus (or, when negative, a penalty) added to the party's weighted
/// utility when `when` holds. Units: those of the weighted sum, where weights
/// sum to 1 and each issue's values span `[0, 1]` (see [`Normalisation`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    pub when: Clause,
    pub bonus: f64,
    pub note: String,
}

/// How a party values one issue.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueFunction {
    /// One number per value index (categorical options, or any issue given
    /// value by value).
    Table(Vec<f64>),
    /// For numeric issues: linear interpolation through `(x, value)` points
    /// sorted by `x`, constant beyond the first and last point.
    Piecewise(Vec<(f64, f64)>),
}

impl ValueFunction {
    /// The value of an issue value, given its index and (for numeric issues)
    /// its number.
    pub fn value(&self, index: u32, number: Option<f64>) -> f64 {
        match self {
            ValueFunction::Table(t) => t.get(index as usize).copied().unwrap_or(0.0),
            ValueFunction::Piecewise(points) => piecewise(points, number.unwrap_or(index as f64)),
        }
    }
}

fn piecewise(points: &[(f64, f64)], x: f64) -> f64 {
    match points {
        [] => 0.0,
        [(_, v)] => *v,
        _ => {
            let first = points[0];
            let last = points[points.len() - 1];
            if x <= first.0 {
                return first.1;
            }
            if x >= last.0 {
                return last.1;
            }
            let k = points.partition_point(|p| p.0 <= x);
            let (x0, y0) = points[k - 1];
            let (x1, y1) = points[k];
            if x1 == x0 {
                y1
            } else {
                y0 + (y1 - y0) * (x - x0) / (x1 - x0)
            }
        }
    }
}

/// A box of an ANAC 2014 non-linear profile: contributes `utility` when every
/// bounded issue's value index lies in its inclusive range.
#[derive(Clone, Debug, PartialEq)]
pub struct HyperRectangle {
    pub bounds: Vec<(IssueId, u32, u32)>,
    pub utility: f64,
}

/// The shape of a party's utility function.
#[derive(Clone, Debug, PartialEq)]
pub enum UtilityModel {
    /// Weighted sum of per-issue values, plus interaction terms.
    Additive {
        weights: Vec<f64>,
        values: Vec<ValueFunction>,
        interactions: Vec<Interaction>,
    },
    /// Sum of the utilities of the boxes that contain the outcome, divided by
    /// `max_utility` (GENIUS's non-linear profiles).
    HyperRectangles {
        rectangles: Vec<HyperRectangle>,
        max_utility: f64,
    },
}

/// How raw numbers become utilities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Normalisation {
    /// detente's native scale. Each issue's value function is rescaled to
    /// `[0, 1]` (its lowest value maps to 0, its highest to 1; an issue whose
    /// values are all equal contributes 0), weights are divided by their sum,
    /// interaction bonuses are added in those units, and finally the total is
    /// mapped affinely so that the worst outcome of the whole space (red
    /// lines aside) has utility 0 and the best has 1.
    MinMax,
    /// Numbers used exactly as given: weights as read, values as given
    /// (GeniusWeb's linear-additive spaces).
    AsGiven,
    /// As given, then capped at 1: GENIUS's `min(1, Σ w·e)`. The GENIUS reader
    /// has already divided each discrete issue's evaluations by the issue's
    /// largest evaluation.
    CappedAtOne,
}

/// Everything a party wants.
#[derive(Clone, Debug, PartialEq)]
pub struct Preferences {
    pub model: UtilityModel,
    pub normalisation: Normalisation,
    pub red_lines: Vec<RedLine>,
    /// The utility of walking away (BATNA), on the party's utility scale.
    pub reservation: f64,
    /// Per unit of normalised time: utility at time `t` is `u · δ^t`; 1 means
    /// no discounting.
    pub discount: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piecewise_interpolates_and_clamps() {
        let f = ValueFunction::Piecewise(vec![(0.0, 0.0), (10.0, 1.0), (20.0, 0.5)]);
        assert_eq!(f.value(0, Some(-5.0)), 0.0);
        assert_eq!(f.value(0, Some(5.0)), 0.5);
        assert_eq!(f.value(0, Some(15.0)), 0.75);
        assert_eq!(f.value(0, Some(25.0)), 0.5);
    }
}
