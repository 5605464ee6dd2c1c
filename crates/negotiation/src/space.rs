//! One party's view of the outcome space: outcomes sorted by its own
//! utility, built once per party and session, so that "the worst outcome
//! worth at least x" is a binary search.

use detente_core::{PartyId, Scenario};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Largest space sorted exhaustively; larger spaces are sampled.
pub const SORT_LIMIT: u64 = 1 << 21;

/// Outcomes drawn from a space too large to sort.
const SAMPLE: usize = 200_000;

/// Outcomes in ascending order of one party's utility (ties in issue
/// order), with the party's acceptability of each.
#[derive(Clone, Debug)]
pub struct OwnSpace {
    issues: usize,
    utils: Vec<f64>,
    flat: Vec<u32>,
    /// `next_ok[i]`: the first position `>= i` that crosses none of the
    /// party's red lines and is worth at least its reservation value
    /// (`len` when there is none).
    next_ok: Vec<u32>,
    /// True when every outcome is listed (false: a sample).
    pub exhaustive: bool,
    min: f64,
    max: f64,
}

impl OwnSpace {
    /// Sorts the whole space when it has at most [`SORT_LIMIT`] outcomes;
    /// otherwise sorts a seeded sample of it that always contains the
    /// party's best and worst outcome under its additive terms.
    pub fn build(scenario: &Scenario, party: PartyId, seed: u64) -> OwnSpace {
        let space = scenario.space();
        let u = scenario.utility(party);
        let n = space.issue_count();
        let (utils, flat, exhaustive) = match space.count_u64() {
            Some(count) if count <= SORT_LIMIT => {
                let mut keyed: Vec<(f64, u32)> = Vec::with_capacity(count as usize);
                let mut o = vec![0u32; n];
                let mut key = 0u32;
                loop {
                    keyed.push((u.eval(&o), key));
                    key += 1;
                    if space.advance(&mut o).is_none() {
                        break;
                    }
                }
                keyed.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                let mut flat = vec![0u32; keyed.len() * n];
                for (slot, &(_, k)) in flat.chunks_exact_mut(n.max(1)).zip(&keyed) {
                    space.decode_into(k as u64, slot);
                }
                (
                    keyed.into_iter().map(|(x, _)| x).collect::<Vec<f64>>(),
                    flat,
                    true,
                )
            }
            _ => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5eed_0000 ^ party.0 as u64);
                let radices = space.radices();
                let mut rows: Vec<Vec<u32>> = Vec::with_capacity(SAMPLE + 2);
                let extreme = |pick_max: bool| -> Vec<u32> {
                    u.terms
                        .iter()
                        .map(|t| {
                            let mut best = 0usize;
                            for (i, &x) in t.iter().enumerate() {
                                if (pick_max && x > t[best]) || (!pick_max && x < t[best]) {
                                    best = i;
                                }
                            }
                            best as u32
                        })
                        .collect()
                };
                rows.push(extreme(true));
                rows.push(extreme(false));
                for _ in 0..SAMPLE {
                    rows.push(radices.iter().map(|&r| rng.random_range(0..r)).collect());
                }
                let mut keyed: Vec<(f64, Vec<u32>)> =
                    rows.into_iter().map(|o| (u.eval(&o), o)).collect();
                keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
                keyed.dedup_by(|a, b| a.1 == b.1);
                let mut flat = Vec::with_capacity(keyed.len() * n);
                for (_, o) in &keyed {
                    flat.extend_from_slice(o);
                }
                (keyed.into_iter().map(|(x, _)| x).collect(), flat, false)
            }
        };
        let red = scenario.red_lines(party);
        let rv = scenario.reservation(party);
        let len = utils.len();
        let mut next_ok = vec![len as u32; len];
        let mut next = len as u32;
        for i in (0..len).rev() {
            let o = &flat[i * n..(i + 1) * n];
            if utils[i] >= rv && !red.crossed(o) {
                next = i as u32;
            }
            next_ok[i] = next;
        }
        let min = utils.first().copied().unwrap_or(0.0);
        let max = utils.last().copied().unwrap_or(0.0);
        OwnSpace {
            issues: n,
            utils,
            flat,
            next_ok,
            exhaustive,
            min,
            max,
        }
    }

    pub fn len(&self) -> usize {
        self.utils.len()
    }

    pub fn is_empty(&self) -> bool {
        self.utils.is_empty()
    }

    /// The outcome at sorted position `i`.
    #[inline]
    pub fn outcome(&self, i: usize) -> &[u32] {
        &self.flat[i * self.issues..(i + 1) * self.issues]
    }

    /// The utility at sorted position `i`.
    #[inline]
    pub fn utility(&self, i: usize) -> f64 {
        self.utils[i]
    }

    /// The utilities, ascending.
    pub fn utilities(&self) -> &[f64] {
        &self.utils
    }

    /// The lowest utility of the space (of the sample, when not exhaustive).
    pub fn min(&self) -> f64 {
        self.min
    }

    /// The highest utility.
    pub fn max(&self) -> f64 {
        self.max
    }

    /// The first position whose utility is at least `x` (`len` if none).
    #[inline]
    pub fn first_at_least(&self, x: f64) -> usize {
        self.utils.partition_point(|&u| u < x)
    }

    /// The first acceptable position at or after `i`.
    #[inline]
    pub fn next_acceptable(&self, i: usize) -> Option<usize> {
        let j = *self.next_ok.get(i)? as usize;
        (j < self.utils.len()).then_some(j)
    }

    /// The worst acceptable outcome worth at least `x`.
    #[inline]
    pub fn worst_acceptable_at_least(&self, x: f64) -> Option<usize> {
        self.next_acceptable(self.first_at_least(x))
    }

    /// The best acceptable outcome.
    pub fn best_acceptable(&self) -> Option<usize> {
        // The last position is acceptable iff any is at or after it; walk
        // down from the top to the highest acceptable one.
        let len = self.utils.len();
        (0..len).rev().find(|&i| self.next_ok[i] as usize == i)
    }

    /// The lowest acceptable utility (the party's floor), if any outcome is
    /// acceptable.
    pub fn lowest_acceptable(&self) -> Option<f64> {
        self.next_acceptable(0).map(|i| self.utils[i])
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use detente_core::*;

    /// Two parties, two issues of three values; each party's red line forbids
    /// value 2 of issue 0.
    pub(crate) fn small() -> Scenario {
        let opt = |name: &str| Issue {
            name: name.into(),
            description: String::new(),
            kind: IssueKind::Categorical {
                options: vec!["a".into(), "b".into(), "c".into()],
                ordered: false,
            },
        };
        let party = |name: &str, v: Vec<Vec<f64>>, rv: f64| Party {
            name: name.into(),
            role: Role::Party,
            description: String::new(),
            preferences: Preferences {
                model: UtilityModel::Additive {
                    weights: vec![1.0, 1.0],
                    values: v.into_iter().map(ValueFunction::Table).collect(),
                    interactions: vec![],
                },
                normalisation: Normalisation::MinMax,
                red_lines: vec![RedLine {
                    when: Clause {
                        conditions: vec![Condition {
                            issue: IssueId(0),
                            values: ValueSet(vec![false, false, true]),
                        }],
                    },
                    note: String::new(),
                }],
                reservation: rv,
                discount: 1.0,
            },
        };
        Scenario::new(ScenarioParts {
            name: "s".into(),
            issues: vec![opt("x"), opt("y")],
            parties: vec![
                party("p", vec![vec![0.0, 0.5, 1.0], vec![1.0, 0.0, 0.5]], 0.3),
                party("q", vec![vec![1.0, 0.5, 0.0], vec![0.0, 1.0, 0.5]], 0.3),
            ],
            ..Default::default()
        })
        .unwrap()
    }
}

#[cfg(test)]
mod tests {
    use super::tests_support::small;
    use super::*;

    #[test]
    fn sorted_ascending_with_acceptability() {
        let s = small();
        let own = OwnSpace::build(&s, PartyId(0), 1);
        assert_eq!(own.len(), 9);
        assert!(own.utilities().windows(2).all(|w| w[0] <= w[1]));
        for i in 0..own.len() {
            assert_eq!(own.utility(i), s.utility_of(PartyId(0), own.outcome(i)));
        }
        // The best outcome for p crosses its red line (x = c), so the best
        // acceptable one is lower.
        let best = own.best_acceptable().unwrap();
        assert_ne!(own.outcome(best)[0], 2);
        assert!(own.utility(best) < own.max());
        let w = own.worst_acceptable_at_least(0.0).unwrap();
        assert!(own.utility(w) >= 0.3);
    }
}
