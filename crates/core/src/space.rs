//! The outcome space: the cartesian product of the issues' values, with a
//! mixed-radix numbering of its outcomes.

use crate::issue::Issue;

/// An outcome: one value index per issue, in issue order.
pub type Outcome = Vec<u32>;

/// The product of the issues' value sets.
///
/// Outcomes are numbered in mixed radix with the **first issue most
/// significant**, so numeric order equals lexicographic order of the value
/// indices ("issue order"): outcome 0 is every issue at its first value.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeSpace {
    radices: Vec<u32>,
}

impl OutcomeSpace {
    /// The space of every combination of the issues' values.
    pub fn new(issues: &[Issue]) -> Self {
        OutcomeSpace {
            radices: issues.iter().map(Issue::cardinality).collect(),
        }
    }

    /// A space with the given number of values per issue, for callers (such as a sub-space
    /// search) that have no `Issue` list.
    pub fn from_radices(radices: Vec<u32>) -> Self {
        OutcomeSpace { radices }
    }

    /// Number of values of each issue.
    pub fn radices(&self) -> &[u32] {
        &self.radices
    }

    /// The number of issues, which is the length of every outcome.
    pub fn issue_count(&self) -> usize {
        self.radices.len()
    }

    /// The exact number of outcomes, or `None` when it exceeds `u128`.
    pub fn count(&self) -> Option<u128> {
        self.radices
            .iter()
            .try_fold(1u128, |acc, &r| acc.checked_mul(r as u128))
    }

    /// The number of outcomes as a float (always available).
    pub fn count_f64(&self) -> f64 {
        self.radices.iter().map(|&r| r as f64).product()
    }

    /// The number of outcomes if it fits in a `u64` (the enumerable case).
    pub fn count_u64(&self) -> Option<u64> {
        self.count().and_then(|c| u64::try_from(c).ok())
    }

    /// Writes the value indices of outcome number `index` into `out`.
    pub fn decode_into(&self, mut index: u64, out: &mut [u32]) {
        for (slot, &r) in out.iter_mut().zip(&self.radices).rev() {
            let r = r as u64;
            *slot = (index % r) as u32;
            index /= r;
        }
    }

    /// The value indices of outcome number `index`, in a new vector (`decode_into` reuses one).
    pub fn decode(&self, index: u64) -> Outcome {
        let mut out = vec![0; self.radices.len()];
        self.decode_into(index, &mut out);
        out
    }

    /// The number of an outcome (if the space is enumerable).
    pub fn encode(&self, outcome: &[u32]) -> Option<u64> {
        let mut index: u64 = 0;
        for (&v, &r) in outcome.iter().zip(&self.radices) {
            index = index.checked_mul(r as u64)?.checked_add(v as u64)?;
        }
        Some(index)
    }

    /// Advances `outcome` to the next one in issue order; returns the
    /// position of the most significant issue that changed, or `None` after
    /// the last outcome (when `outcome` wraps to all zeros).
    #[inline]
    pub fn advance(&self, outcome: &mut [u32]) -> Option<usize> {
        for k in (0..outcome.len()).rev() {
            outcome[k] += 1;
            if outcome[k] < self.radices[k] {
                return Some(k);
            }
            outcome[k] = 0;
        }
        None
    }

    /// True when every value index is in range.
    pub fn contains(&self, outcome: &[u32]) -> bool {
        outcome.len() == self.radices.len() && outcome.iter().zip(&self.radices).all(|(v, r)| v < r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbering_is_issue_order() {
        let s = OutcomeSpace::from_radices(vec![2, 3]);
        let all: Vec<_> = (0..6).map(|i| s.decode(i)).collect();
        assert_eq!(
            all,
            vec![
                vec![0, 0],
                vec![0, 1],
                vec![0, 2],
                vec![1, 0],
                vec![1, 1],
                vec![1, 2]
            ]
        );
        let mut o = vec![0, 2];
        assert_eq!(s.advance(&mut o), Some(0));
        assert_eq!(o, vec![1, 0]);
        let mut last = vec![1, 2];
        assert_eq!(s.advance(&mut last), None);
    }

    proptest! {
        #[test]
        fn encode_decode_round_trip(radices in proptest::collection::vec(1u32..7, 1..6), seed in any::<u64>()) {
            let s = OutcomeSpace::from_radices(radices);
            let n = s.count_u64().unwrap();
            let i = seed % n;
            let o = s.decode(i);
            prop_assert!(s.contains(&o));
            prop_assert_eq!(s.encode(&o), Some(i));
            let mut next = o.clone();
            if s.advance(&mut next).is_some() {
                prop_assert_eq!(s.encode(&next), Some(i + 1));
            } else {
                prop_assert_eq!(i + 1, n);
            }
        }
    }
}
