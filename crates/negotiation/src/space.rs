//! One party's view of the outcome space: outcomes sorted by its own
//! utility, built once per party and session, so that "the worst outcome
//! worth at least x" is a binary search.

use detente_core::{CompiledRedLines, CompiledUtility, OutcomeSpace, PartyId, Scenario};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::OnceLock;

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
    outcomes: Outcomes,
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

/// How the sorted outcomes are stored.
#[derive(Clone, Debug)]
enum Outcomes {
    /// Value indices, `issues` per outcome.
    Flat(Vec<u32>),
    /// Outcome numbers, decoded into value indices a chunk at a time on
    /// first use: a negotiation touches few of them, and decoding all would
    /// double the cost of sorting.
    Lazy {
        keys: Vec<u32>,
        decoder: SplitDecoder,
        chunks: Vec<OnceLock<Box<[u32]>>>,
    },
}

/// Outcomes decoded together on first use.
const CHUNK: usize = 512;

/// Every outcome of `space` (it has `count`), sorted by the utility `u`:
/// the utilities in that order, and the outcomes as numbers decoded on
/// first use.
fn sorted_whole(space: &OutcomeSpace, u: &CompiledUtility, count: usize) -> (Vec<f64>, Outcomes) {
    let utils_k = utilities_in_order(space, u, count);
    let order = ascending_order(&utils_k);
    let utils: Vec<f64> = order.iter().map(|&k| utils_k[k as usize]).collect();
    drop(utils_k);
    let chunks = (0..count.div_ceil(CHUNK))
        .map(|_| OnceLock::new())
        .collect();
    let outcomes = Outcomes::Lazy {
        keys: order,
        decoder: SplitDecoder::new(space.radices()),
        chunks,
    };
    (utils, outcomes)
}

/// The utility `u` of each of the `count` outcomes of `space`, in issue
/// order.
fn utilities_in_order(space: &OutcomeSpace, u: &CompiledUtility, count: usize) -> Vec<f64> {
    let n = space.issue_count();
    let mut utils_k: Vec<f64> = Vec::with_capacity(count);
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
            match space.advance(&mut o) {
                Some(k) => from = k,
                None => break,
            }
        }
    } else {
        loop {
            utils_k.push(u.eval(&o));
            if space.advance(&mut o).is_none() {
                break;
            }
        }
    }
    utils_k
}

/// A seeded sample of a space too large to sort, with the outcome that is
/// best and the one that is worst under `u`'s additive terms, sorted by `u`
/// without repeats.
fn sorted_sample(
    space: &OutcomeSpace,
    u: &CompiledUtility,
    party: PartyId,
) -> (Vec<f64>, Outcomes) {
    let n = space.issue_count();
    // The sample depends on the party only, so that a sorted space is a
    // pure function of the scenario and the party (and can be shared
    // between sessions).
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
    let mut keyed: Vec<(f64, Vec<u32>)> = rows.into_iter().map(|o| (u.eval(&o), o)).collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    keyed.dedup_by(|a, b| a.1 == b.1);
    let mut flat = Vec::with_capacity(keyed.len() * n);
    for (_, o) in &keyed {
        flat.extend_from_slice(o);
    }
    (
        keyed.into_iter().map(|(x, _)| x).collect::<Vec<f64>>(),
        Outcomes::Flat(flat),
    )
}

/// `next_ok` of [`OwnSpace`]: for each of the `len` sorted positions, the
/// first one at or after it that crosses none of the red lines and is at or
/// after `first_ok` (`len` when there is none).
fn next_acceptable(
    red: &CompiledRedLines,
    len: usize,
    first_ok: usize,
    outcomes: &Outcomes,
    n: usize,
) -> Vec<u32> {
    let mut next_ok = vec![len as u32; len];
    let mut next = len as u32;
    let mut scratch = vec![0u32; n];
    for i in (first_ok..len).rev() {
        let o = match outcomes {
            Outcomes::Flat(flat) => &flat[i * n..(i + 1) * n],
            Outcomes::Lazy { keys, decoder, .. } => {
                decoder.decode(keys[i] as u64, &mut scratch);
                &scratch[..]
            }
        };
        if !red.crossed(o) {
            next = i as u32;
        }
        next_ok[i] = next;
    }
    for slot in &mut next_ok[..first_ok] {
        *slot = next;
    }
    next_ok
}

impl OwnSpace {
    /// Sorts the whole space when it has at most [`SORT_LIMIT`] outcomes;
    /// otherwise sorts a seeded sample of it that always contains the
    /// party's best and worst outcome under its additive terms.
    pub fn build(scenario: &Scenario, party: PartyId) -> OwnSpace {
        let space = scenario.space();
        let u = scenario.utility(party);
        let n = space.issue_count();
        let (utils, outcomes, exhaustive) = match space.count_u64() {
            Some(count) if count <= SORT_LIMIT => {
                let (utils, outcomes) = sorted_whole(space, u, count as usize);
                (utils, outcomes, true)
            }
            _ => {
                let (utils, outcomes) = sorted_sample(space, u, party);
                (utils, outcomes, false)
            }
        };
        let red = scenario.red_lines(party);
        let first_ok = utils.partition_point(|&x| x < scenario.reservation(party));
        // Without red lines the acceptable outcomes are exactly those from
        // `first_ok` on, and no table is needed.
        let next_ok =
            (!red.is_empty()).then(|| next_acceptable(red, utils.len(), first_ok, &outcomes, n));
        let min = utils.first().copied().unwrap_or(0.0);
        let max = utils.last().copied().unwrap_or(0.0);
        OwnSpace {
            issues: n,
            utils,
            outcomes,
            next_ok,
            first_ok,
            exhaustive,
            min,
            max,
        }
    }

    /// The number of outcomes.
    pub fn len(&self) -> usize {
        self.utils.len()
    }

    /// True when the space has no outcome.
    pub fn is_empty(&self) -> bool {
        self.utils.is_empty()
    }

    /// The outcome at sorted position `i`.
    #[inline]
    pub fn outcome(&self, i: usize) -> &[u32] {
        let n = self.issues;
        match &self.outcomes {
            Outcomes::Flat(flat) => &flat[i * n..(i + 1) * n],
            Outcomes::Lazy {
                keys,
                decoder,
                chunks,
            } => {
                let c = i / CHUNK;
                let chunk = chunks[c].get_or_init(|| {
                    let end = keys.len().min((c + 1) * CHUNK);
                    let mut out = vec![0u32; (end - c * CHUNK) * n];
                    for (slot, &k) in out.chunks_exact_mut(n.max(1)).zip(&keys[c * CHUNK..end]) {
                        decoder.decode(k as u64, slot);
                    }
                    out.into_boxed_slice()
                });
                let j = i % CHUNK;
                &chunk[j * n..(j + 1) * n]
            }
        }
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
        fn small_inputs_get_the_stable_comparison_order(
            xs in proptest::collection::vec(-3.0f64..3.0, 0..300),
            dup in 1usize..5,
        ) {
            let xs: Vec<f64> = xs.iter().map(|x| (x * dup as f64).round() / dup as f64).collect();
            let mut expect: Vec<u32> = (0..xs.len() as u32).collect();
            expect.sort_by(|&a, &b| xs[a as usize].total_cmp(&xs[b as usize]));
            proptest::prop_assert_eq!(ascending_order(&xs), expect);
        }

        #[test]
        fn radix_order_survives_an_outlier_that_crushes_the_fixed_point(
            xs in proptest::collection::vec(0.0f64..1.0, 4096..5000),
        ) {
            let mut xs = xs;
            xs[7] = 1e300;
            let mut expect: Vec<u32> = (0..xs.len() as u32).collect();
            expect.sort_by(|&a, &b| xs[a as usize].total_cmp(&xs[b as usize]));
            proptest::prop_assert_eq!(ascending_order(&xs), expect);
        }

        #[test]
        fn radix_order_is_the_stable_comparison_order(
            xs in proptest::collection::vec(-3.0f64..3.0, 4096..6000),
            dup in 1usize..50,
            tiny in proptest::collection::vec(0u32..3, 4096..6000),
        ) {
            // Quantise so that ties are common, and add differences below
            // the fixed-point resolution so that the insertion pass works.
            let xs: Vec<f64> = xs
                .iter()
                .zip(tiny.iter().cycle())
                .map(|(x, &t)| (x * dup as f64).round() / dup as f64 + t as f64 * 1e-15)
                .collect();
            let mut expect: Vec<u32> = (0..xs.len() as u32).collect();
            expect.sort_by(|&a, &b| xs[a as usize].total_cmp(&xs[b as usize]));
            proptest::prop_assert_eq!(ascending_order(&xs), expect);
        }
    }

    #[test]
    fn split_decoder_matches_the_mixed_radix_numbering() {
        for radices in [
            vec![3u32, 4, 5, 2],
            vec![7],
            vec![2, 2, 2, 2, 2, 2, 2, 9],
            vec![97, 89, 83, 3],
        ] {
            let space = OutcomeSpace::from_radices(radices.clone());
            let d = SplitDecoder::new(&radices);
            let mut out = vec![0u32; radices.len()];
            for k in 0..space.count_u64().unwrap() {
                d.decode(k, &mut out);
                assert_eq!(out, space.decode(k));
            }
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

/// Decodes outcome numbers with one division: the issues are split into a
/// high and a low group, and the value indices of every number of each
/// group are tabulated (both tables are small for a sortable space).
#[derive(Clone, Debug)]
struct SplitDecoder {
    /// Number of issues in the high group.
    split: usize,
    /// Product of the low group's radices.
    low_count: u64,
    /// `ceil(2^42 / low_count)`: numbers below 2^21 are divided exactly by
    /// a multiplication and a shift.
    reciprocal: u64,
    high: Vec<u32>,
    low: Vec<u32>,
}

impl SplitDecoder {
    fn new(radices: &[u32]) -> SplitDecoder {
        let total: u64 = radices.iter().map(|&r| r as u64).product();
        // Move issues into the low group until it holds about sqrt(total).
        let mut split = radices.len();
        let mut low_count = 1u64;
        while split > 0 && low_count * low_count < total {
            split -= 1;
            low_count *= radices[split] as u64;
        }
        let table = |rs: &[u32]| -> Vec<u32> {
            let sub = OutcomeSpace::from_radices(rs.to_vec());
            let count = sub.count_u64().unwrap_or(0) as usize;
            let mut t = Vec::with_capacity(count * rs.len());
            let mut o = vec![0u32; rs.len()];
            for _ in 0..count {
                t.extend_from_slice(&o);
                sub.advance(&mut o);
            }
            t
        };
        SplitDecoder {
            split,
            low_count,
            reciprocal: (1u64 << 42).div_ceil(low_count),
            high: table(&radices[..split]),
            low: table(&radices[split..]),
        }
    }

    #[inline]
    fn decode(&self, key: u64, out: &mut [u32]) {
        let h = if key < 1 << 21 {
            (key * self.reciprocal) >> 42
        } else {
            key / self.low_count
        };
        let l = (key - h * self.low_count) as usize;
        let h = h as usize;
        let nh = self.split;
        let nl = out.len() - nh;
        out[..nh].copy_from_slice(&self.high[h * nh..(h + 1) * nh]);
        out[nh..].copy_from_slice(&self.low[l * nl..(l + 1) * nl]);
    }
}

/// The stable ascending order of `values` (ties keep their index order).
///
/// Large inputs: every value is mapped monotonically to a 43-bit fixed-point
/// number over `[min, max]` and packed above its 21-bit index; a stable LSD
/// radix sort on the 43 high bits (three passes) leaves equal numbers in
/// index order, and a final insertion pass puts in exact order the rare
/// distinct values that share a fixed-point number.
pub(crate) fn ascending_order(values: &[f64]) -> Vec<u32> {
    let n = values.len();
    const INDEX_BITS: u32 = 21;
    if !(1 << 12..=1 << INDEX_BITS).contains(&n) {
        // Order-preserving bit patterns (the order of `f64::total_cmp`)
        // with the index as tie-break: distinct pairs, so an unstable sort
        // gives the stable order.
        let key = |x: f64| {
            let b = x.to_bits();
            if b >> 63 == 1 { !b } else { b | (1 << 63) }
        };
        let mut pairs: Vec<(u64, u32)> = values
            .iter()
            .enumerate()
            .map(|(i, &x)| (key(x), i as u32))
            .collect();
        pairs.sort_unstable();
        return pairs.into_iter().map(|(_, i)| i).collect();
    }
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let levels = ((1u64 << (64 - INDEX_BITS)) - 1) as f64;
    let scale = if hi > lo { levels / (hi - lo) } else { 0.0 };
    let mut keys: Vec<u64> = values
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let q = (((x - lo) * scale) as u64).min(levels as u64);
            (q << INDEX_BITS) | i as u64
        })
        .collect();
    let mut other = vec![0u64; n];
    let mut counts = vec![0u32; 1 << 15];
    for (shift, bits) in [
        (INDEX_BITS, 15u32),
        (INDEX_BITS + 15, 14),
        (INDEX_BITS + 29, 14),
    ] {
        let mask = (1u64 << bits) - 1;
        let counts = &mut counts[..1 << bits];
        counts.iter_mut().for_each(|c| *c = 0);
        for &k in &keys {
            counts[((k >> shift) & mask) as usize] += 1;
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
        for &k in &keys {
            let d = ((k >> shift) & mask) as usize;
            other[counts[d] as usize] = k;
            counts[d] += 1;
        }
        std::mem::swap(&mut keys, &mut other);
    }
    let index_mask = (1u64 << INDEX_BITS) - 1;
    let mut idx: Vec<u32> = keys.iter().map(|&k| (k & index_mask) as u32).collect();
    // Values with different fixed-point numbers are in order already (the
    // mapping is monotone); only runs that share a number need the exact
    // comparison, and they are short unless an outlier stretched the range.
    let mut start = 0;
    while start < n {
        let q = keys[start] >> INDEX_BITS;
        let mut end = start + 1;
        while end < n && keys[end] >> INDEX_BITS == q {
            end += 1;
        }
        if end - start > 1 {
            idx[start..end].sort_by(|&a, &b| {
                values[a as usize]
                    .total_cmp(&values[b as usize])
                    .then(a.cmp(&b))
            });
        }
        start = end;
    }
    idx
}
