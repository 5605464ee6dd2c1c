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
    /// Whether value index `v` is in the set; indices beyond the mask are not.
    pub fn contains(&self, v: u32) -> bool {
        self.0.get(v as usize).copied().unwrap_or(false)
    }
    /// How many value indices are in the set, for sizing and for reporting.
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
    /// The issue the condition constrains.
    pub issue: IssueId,
    /// The values of `issue` that satisfy the condition.
    pub values: ValueSet,
}

/// A conjunction of conditions on distinct issues; an empty clause always holds.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Clause {
    /// The conditions that must all hold; each names a different issue.
    pub conditions: Vec<Condition>,
}

impl Clause {
    /// Whether every condition holds for `outcome` (value indices in issue order).
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
    /// The outcomes the red line forbids: those for which this clause holds.
    pub when: Clause,
    /// The party's reason for the red line, shown in verdicts and reports; may be empty.
    pub note: String,
}

/// A bonus (or, when negative, a penalty) added to the party's weighted
/// utility when `when` holds. Units: those of the weighted sum, where weights
/// sum to 1 and each issue's values span `[0, 1]` (see [`Normalisation`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Interaction {
    /// The outcomes that earn the bonus: those for which this clause holds.
    pub when: Clause,
    /// The amount added to the weighted sum when `when` holds (negative for a penalty).
    pub bonus: f64,
    /// What the interaction stands for, shown in reports; may be empty.
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
    /// The constrained issues, each with its inclusive range of value indices (lowest,
    /// highest); issues not listed are unconstrained.
    pub bounds: Vec<(IssueId, u32, u32)>,
    /// What the box adds to the sum when the outcome lies inside it.
    pub utility: f64,
}

/// The shape of a party's utility function.
#[derive(Clone, Debug, PartialEq)]
pub enum UtilityModel {
    /// Weighted sum of per-issue values, plus interaction terms.
    Additive {
        /// The relative importance of each issue, in issue order; normalised to sum to 1 under
        /// `Normalisation::MinMax`.
        weights: Vec<f64>,
        /// How the party values each issue's values, in issue order.
        values: Vec<ValueFunction>,
        /// Bonuses and penalties for combinations of values across issues.
        interactions: Vec<Interaction>,
    },
    /// Sum of the utilities of the boxes that contain the outcome, divided by
    /// `max_utility` (GENIUS's non-linear profiles).
    HyperRectangles {
        /// The boxes whose utilities are summed for an outcome.
        rectangles: Vec<HyperRectangle>,
        /// The divisor that maps the sum of box utilities onto the profile's scale (GENIUS
        /// divides by the profile's maximum).
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

/// Everything a party wants: how it values outcomes, which it refuses, what
/// it gets by walking away and how impatient it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Preferences {
    /// The shape of the utility function: an additive model or boxes.
    pub model: UtilityModel,
    /// How the model's numbers are mapped onto the utility scale.
    pub normalisation: Normalisation,
    /// Outcomes the party refuses whatever their utility, so they lie outside the agreement
    /// zone.
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
