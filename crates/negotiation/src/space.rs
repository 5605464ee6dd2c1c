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
    next_ok: Option<Vec<u32>>,
    /// The first position worth at least the reservation value.
    first_ok: usize,
    /// True when every outcome is listed (false: a sample).
    pub exhaustive: bool,
    min: f64,
    max: f64,
}

impl OwnSpace {
    /// Sorts the whole space when it has at most [`SORT_LIMIT`] outcomes;
    /// otherwise sorts a seeded sample of it that always contains the
    /// party's best and worst outcome under its additive terms.
    pub fn build(scenario: &Scenario, party: PartyId) -> OwnSpace {
        let space = scenario.space();
        let u = scenario.utility(party);
        let n = space.issue_count();
        let (utils, flat, exhaustive) = match space.count_u64() {
            Some(count) if count <= SORT_LIMIT => {
                let count = count as usize;
                let mut utils_k: Vec<f64> = Vec::with_capacity(count);
                let mut flat_k: Vec<u32> = Vec::with_capacity(count * n);
                let mut o = vec![0u32; n];
                if u.is_additive() {
                    // Partial sums in issue order, recomputed from the most
                    // significant issue that changed: the same additions as
                    // `CompiledUtility::eval`, so the same bits.
                    let mut prefix = vec![0.0f64; n + 1];
                    let mut from = 0;
                    loop {
                        for i in from..n {
                            prefix[i + 1] = prefix[i] + u.terms[i][o[i] as usize];
                        }
                        utils_k.push(u.finish(prefix[n] + 0.0));
                        flat_k.extend_from_slice(&o);
                        match space.advance(&mut o) {
                            Some(k) => from = k,
                            None => break,
                        }
                    }
                } else {
                    loop {
                        utils_k.push(u.eval(&o));
                        flat_k.extend_from_slice(&o);
                        if space.advance(&mut o).is_none() {
                            break;
                        }
                    }
                }
                let order = ascending_order(&utils_k);
                let mut flat = Vec::with_capacity(count * n);
                let mut utils = Vec::with_capacity(count);
                for &k in &order {
                    let k = k as usize;
                    utils.push(utils_k[k]);
                    flat.extend_from_slice(&flat_k[k * n..(k + 1) * n]);
                }
                (utils, flat, true)
            }
            _ => {
                // The sample depends on the party only, so that a sorted
                // space is a pure function of the scenario and the party
                // (and can be shared between sessions).
                let mut rng = ChaCha8Rng::seed_from_u64(0x5eed_0000 ^ party.0 as u64);
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
                (
                    keyed.into_iter().map(|(x, _)| x).collect::<Vec<f64>>(),
                    flat,
                    false,
                )
            }
        };
        let red = scenario.red_lines(party);
        let rv = scenario.reservation(party);
        let len = utils.len();
        let first_ok = utils.partition_point(|&x| x < rv);
        // Without red lines the acceptable outcomes are exactly those from
        // `first_ok` on, and no table is needed.
        let next_ok = (!red.is_empty()).then(|| {
            let mut next_ok = vec![len as u32; len];
            let mut next = len as u32;
            for i in (first_ok..len).rev() {
                if !red.crossed(&flat[i * n..(i + 1) * n]) {
                    next = i as u32;
                }
                next_ok[i] = next;
            }
            for slot in &mut next_ok[..first_ok] {
                *slot = next;
            }
            next_ok
        });
        let min = utils.first().copied().unwrap_or(0.0);
        let max = utils.last().copied().unwrap_or(0.0);
        OwnSpace {
            issues: n,
            utils,
            flat,
            next_ok,
            first_ok,
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
        let j = match &self.next_ok {
            Some(table) => *table.get(i)? as usize,
            None => i.max(self.first_ok),
        };
        (j < self.utils.len()).then_some(j)
    }

    /// The worst acceptable outcome worth at least `x`.
    #[inline]
    pub fn worst_acceptable_at_least(&self, x: f64) -> Option<usize> {
        self.next_acceptable(self.first_at_least(x))
    }

    /// The best acceptable outcome.
    pub fn best_acceptable(&self) -> Option<usize> {
        let len = self.utils.len();
        match &self.next_ok {
            Some(table) => (0..len).rev().find(|&i| table[i] as usize == i),
            None => (self.first_ok < len).then(|| len - 1),
        }
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

    proptest::proptest! {
        #[test]
        fn radix_order_is_the_stable_comparison_order(
            xs in proptest::collection::vec(-3.0f64..3.0, 4096..6000),
            dup in 1usize..50,
        ) {
            // Quantise so that ties are common.
            let xs: Vec<f64> = xs.iter().map(|x| (x * dup as f64).round() / dup as f64).collect();
            let mut expect: Vec<u32> = (0..xs.len() as u32).collect();
            expect.sort_by(|&a, &b| xs[a as usize].total_cmp(&xs[b as usize]));
            proptest::prop_assert_eq!(ascending_order(&xs), expect);
        }
    }

    #[test]
    fn sorted_ascending_with_acceptability() {
        let s = small();
        let own = OwnSpace::build(&s, PartyId(0));
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

/// The stable ascending order of `values` (ties keep their index order): an
/// LSD radix sort on the order-preserving bit patterns of the floats for
/// large inputs, a comparison sort for small ones.
pub(crate) fn ascending_order(values: &[f64]) -> Vec<u32> {
    let n = values.len();
    let mut idx: Vec<u32> = (0..n as u32).collect();
    if n < 1 << 12 {
        idx.sort_by(|&a, &b| values[a as usize].total_cmp(&values[b as usize]));
        return idx;
    }
    // The same order as `f64::total_cmp`.
    let key = |x: f64| {
        let b = x.to_bits();
        if b >> 63 == 1 { !b } else { b | (1 << 63) }
    };
    let mut keys: Vec<u64> = values.iter().map(|&x| key(x)).collect();
    let mut keys2 = vec![0u64; n];
    let mut idx2 = vec![0u32; n];
    // 11-bit digits: six passes, with counts that stay in the L1 cache.
    const BITS: u32 = 11;
    const MASK: u64 = (1 << BITS) - 1;
    let mut counts = vec![0u32; 1 << BITS];
    for pass in 0..64u32.div_ceil(BITS) {
        let shift = pass * BITS;
        counts.iter_mut().for_each(|c| *c = 0);
        for &k in &keys {
            counts[((k >> shift) & MASK) as usize] += 1;
        }
        if counts.contains(&(n as u32)) {
            continue;
        }
        let mut sum = 0;
        for c in counts.iter_mut() {
            let here = *c;
            *c = sum;
            sum += here;
        }
        for (&k, &i) in keys.iter().zip(&idx) {
            let d = ((k >> shift) & MASK) as usize;
            keys2[counts[d] as usize] = k;
            idx2[counts[d] as usize] = i;
            counts[d] += 1;
        }
        std::mem::swap(&mut keys, &mut keys2);
        std::mem::swap(&mut idx, &mut idx2);
    }
    idx
}
