//! Robust analysis: how sure the verdicts are when numbers are uncertain.
//!
//! Each sample draws every uncertain number of the scenario (see
//! [`detente_core::uncertain`]) from its own generator, a `ChaCha8Rng`
//! seeded with the seed and switched to the stream of the sample's index, so
//! any sample can be replayed alone. Samples run in parallel blocks; the
//! blocks' results are kept in sample order and merged in that order, so one
//! thread and many give the same bits.
//!
//! Every probability is a share of samples with its standard error
//! `sqrt(p (1 - p) / n)`. Quantiles are the nearest-rank sample quantiles;
//! a mean is the point-model value plus the mean deviation from it, so a
//! scenario whose distributions are single numbers gives the deterministic
//! values bit for bit.

mod thresholds;

use crate::AnalysisError;
use crate::evaluate::Change;
use detente_core::{
    IssueId, Outcome, PartyId, Sampler, Scenario, point_numbers, utility::CompiledUtility,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

pub use thresholds::{Explained, Subject, Threshold, explained, thresholds};

/// The standard error `--samples auto` aims at by default for every reported probability.
pub const DEFAULT_TARGET_SE: f64 = 0.005;
/// The most samples `--samples auto` draws by default.
pub const AUTO_SAMPLE_CAP: u64 = 100_000;
/// The probability that all accept a robust repair aims at by default.
pub const DEFAULT_REPAIR_THRESHOLD: f64 = 0.9;
/// The most utility evaluations (samples × outcomes × bargainers) a robust
/// analysis may make by default; about ten seconds on two cores.
pub const ROBUST_WORK_LIMIT: u64 = 2_000_000_000;
/// The largest outcome space whose every outcome is checked in every sample
/// (the agreement zone, the robust deal, robust repairs): its outcomes are
/// held in memory.
pub const ROBUST_OUTCOME_LIMIT: u64 = 1_000_000;
/// Samples per parallel block.
const BLOCK: u64 = 256;
/// Samples per round of `--samples auto`, between checks of the standard errors.
const AUTO_ROUND: u64 = 1024;

/// How many samples to draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Samples {
    /// Exactly this many.
    Fixed(u64),
    /// Rounds of samples until the standard error of every reported
    /// probability is at most `target_se`, or `cap` samples. Since a
    /// standard error is at most `0.5 / sqrt(n)`, at most `0.25 / target_se²`
    /// samples (rounded up to a whole round) are ever needed.
    Auto {
        /// The standard error to reach.
        target_se: f64,
        /// The most samples to draw.
        cap: u64,
    },
}

impl Samples {
    /// The most samples this may draw.
    pub fn most(self) -> u64 {
        match self {
            Samples::Fixed(n) => n,
            Samples::Auto { target_se, cap } => {
                let needed = (0.25 / (target_se * target_se)).ceil() as u64;
                needed
                    .div_ceil(AUTO_ROUND)
                    .saturating_mul(AUTO_ROUND)
                    .min(cap)
            }
        }
    }
}

/// What a robust analysis draws and within which limits.
#[derive(Clone, Debug)]
pub struct RobustOptions {
    /// How many samples.
    pub samples: Samples,
    /// The master seed: sample `i` depends on it and on `i` only.
    pub seed: u64,
    /// The probability that all accept a robust repair should reach.
    pub threshold: f64,
    /// How many robust repairs to report.
    pub max_repairs: usize,
    /// The most utility evaluations allowed ([`ROBUST_WORK_LIMIT`] by default).
    pub work_limit: u64,
    /// Discount utilities and reservation values at this normalised time.
    pub at_time: Option<f64>,
}

impl Default for RobustOptions {
    fn default() -> Self {
        RobustOptions {
            samples: Samples::Fixed(10_000),
            seed: 0,
            threshold: DEFAULT_REPAIR_THRESHOLD,
            max_repairs: 5,
            work_limit: ROBUST_WORK_LIMIT,
            at_time: None,
        }
    }
}

/// A probability estimated from samples, with its standard error.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Probability {
    /// The share of samples in which the event happened.
    pub p: f64,
    /// Its standard error, `sqrt(p (1 - p) / n)`.
    pub se: f64,
}

impl Probability {
    /// The estimate from `count` of `n` samples.
    pub fn of(count: u64, n: u64) -> Probability {
        if n == 0 {
            return Probability { p: 0.0, se: 0.0 };
        }
        let p = count as f64 / n as f64;
        Probability {
            p,
            se: (p * (1.0 - p) / n as f64).sqrt(),
        }
    }
}

/// A number's spread over the samples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Spread {
    /// The mean.
    pub mean: f64,
    /// The standard error of the mean: the samples' standard deviation over `sqrt(n)`.
    pub se: f64,
    /// The 5% quantile (nearest rank).
    pub q05: f64,
    /// The 95% quantile (nearest rank).
    pub q95: f64,
}

/// One party's acceptance of a proposal over the samples.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyAcceptance {
    /// The party.
    pub party: PartyId,
    /// The probability that it accepts: no red line crossed and at least its reservation value.
    pub accept: Probability,
    /// Its utility of the proposal.
    pub utility: Spread,
}

/// An outcome with its probability of being acceptable to all.
#[derive(Clone, Debug, PartialEq)]
pub struct OutcomeChance {
    /// The outcome, one value index per issue.
    pub outcome: Outcome,
    /// The probability that every bargaining party accepts it.
    pub all_accept: Probability,
    /// The mean over the samples of the Nash product of the gains over the
    /// reservation values (0 in samples where some party rejects it).
    pub expected_nash: f64,
    /// The standard error of `expected_nash`.
    pub expected_nash_se: f64,
}

/// A robust repair: the fewest changes to the proposal that reach the threshold.
#[derive(Clone, Debug, PartialEq)]
pub struct RobustRepair {
    /// The repaired outcome and its probability.
    pub chance: OutcomeChance,
    /// The issues changed, in issue order.
    pub changes: Vec<Change>,
}

/// How the bargaining solutions of the point model fare over the samples:
/// the probability that each is acceptable to all (`None` without a solution).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct SolutionChances {
    /// The Nash bargaining solution.
    pub nash: Option<Probability>,
    /// The Kalai–Smorodinsky solution.
    pub kalai_smorodinsky: Option<Probability>,
    /// The outcome of maximum welfare.
    pub max_welfare: Option<Probability>,
    /// The egalitarian solution.
    pub egalitarian: Option<Probability>,
}

/// What a robust analysis of the whole space finds.
#[derive(Clone, Debug, PartialEq)]
pub struct RobustAnalysis {
    /// Samples drawn.
    pub samples: u64,
    /// The master seed.
    pub seed: u64,
    /// The probability that some outcome is acceptable to all.
    pub zone_nonempty: Probability,
    /// The outcome most likely acceptable to all (ties: higher expected Nash
    /// product, then the first outcome); `None` when none ever is.
    pub robust_deal: Option<OutcomeChance>,
    /// Every outcome acceptable to all in some sample, most likely first.
    pub outcomes: Vec<OutcomeChance>,
    /// The probability that each point-model bargaining solution is acceptable to all.
    pub solutions: SolutionChances,
}

/// What a robust evaluation of a proposal finds.
#[derive(Clone, Debug, PartialEq)]
pub struct RobustEvaluation {
    /// Samples drawn.
    pub samples: u64,
    /// The master seed.
    pub seed: u64,
    /// Every party, in scenario order.
    pub parties: Vec<PartyAcceptance>,
    /// The probability that every bargaining party accepts.
    pub all_accept: Probability,
    /// The fewest changes of the robust repairs (0 when the proposal reaches
    /// the threshold); `None` when the space was too large to search.
    pub repair_size: Option<usize>,
    /// The robust repairs, most likely first.
    pub repairs: Vec<RobustRepair>,
    /// Every party's acceptance of the best robust repair, in scenario order
    /// (empty without one).
    pub repair_parties: Vec<PartyAcceptance>,
    /// Where each uncertain number flips a verdict on the proposal or its best repair.
    pub thresholds: Vec<Threshold>,
    /// What `explained` is about: the proposal, or its best repair when the
    /// proposal's fate is the same in every sample.
    pub explained_subject: Subject,
    /// The uncertain numbers by the share of the uncertainty in "all accept" each explains.
    pub explained: Vec<Explained>,
}

/// The outcomes crossing no bargaining party's red line, checked in every sample.
struct Candidates {
    /// Value indices, `issues` per outcome, in key order.
    flat: Vec<u32>,
    issues: usize,
}

impl Candidates {
    fn len(&self) -> usize {
        self.flat.len() / self.issues.max(1)
    }
    fn get(&self, k: usize) -> &[u32] {
        &self.flat[k * self.issues..(k + 1) * self.issues]
    }
    /// The position of `outcome`, if it crosses no red line.
    fn find(&self, outcome: &[u32]) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.get(mid).cmp(outcome) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

fn candidates(scenario: &Scenario) -> Candidates {
    let space = scenario.space();
    let bargainers = scenario.bargainers();
    let issues = space.issue_count();
    let mut flat = Vec::new();
    let mut o = vec![0u32; issues];
    loop {
        if bargainers
            .iter()
            .all(|&p| !scenario.red_lines(p).crossed(&o))
        {
            flat.extend_from_slice(&o);
        }
        if space.advance(&mut o).is_none() {
            break;
        }
    }
    Candidates { flat, issues }
}

/// What one run of samples records, in sample order.
#[derive(Default)]
struct Tally {
    samples: u64,
    /// Per sample, every party's utility of the proposal.
    utilities: Vec<f64>,
    /// Per sample, whether each party accepts the proposal.
    accepts: Vec<bool>,
    /// Per sample, the uncertain numbers drawn.
    numbers: Vec<f64>,
    /// Samples in which some candidate is acceptable to all.
    zone: u64,
    /// Per candidate, samples in which it is acceptable to all.
    counts: Vec<u64>,
    /// Per candidate, the sum of its Nash products.
    nash: Vec<f64>,
    /// Per candidate, the sum of the squares of its Nash products.
    nash2: Vec<f64>,
}

impl Tally {
    fn append(&mut self, later: Tally) {
        self.samples += later.samples;
        self.utilities.extend(later.utilities);
        self.accepts.extend(later.accepts);
        self.numbers.extend(later.numbers);
        self.zone += later.zone;
        if self.counts.is_empty() {
            self.counts = later.counts;
            self.nash = later.nash;
            self.nash2 = later.nash2;
        } else {
            for (a, b) in self.counts.iter_mut().zip(later.counts) {
                *a += b;
            }
            for (a, b) in self.nash.iter_mut().zip(later.nash) {
                *a += b;
            }
            for (a, b) in self.nash2.iter_mut().zip(later.nash2) {
                *a += b;
            }
        }
    }
}

/// The work a run asks for.
struct Job<'a> {
    scenario: &'a Scenario,
    proposal: Option<&'a [u32]>,
    candidates: Option<&'a Candidates>,
    seed: u64,
    at_time: Option<f64>,
}

/// A uniform number in [0, 1) with 53 random bits.
fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The generator of sample `index`: the seed's, on the index's stream.
fn generator(seed: u64, index: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

/// Party `p`'s discounted utility of `outcome` and reservation value.
#[inline]
fn judged(
    sampler: &Sampler,
    u: &CompiledUtility,
    p: PartyId,
    o: &[u32],
    t: Option<f64>,
) -> (f64, f64) {
    let f = t.map_or(1.0, |t| sampler.discount_factor(p, t));
    (u.eval(o) * f, sampler.reservation(p) * f)
}

/// Samples `range` in order.
fn run_block(job: &Job, range: std::ops::Range<u64>) -> Result<Tally, AnalysisError> {
    let scenario = job.scenario;
    let parties = scenario.parties().len();
    let bargainers = scenario.bargainers();
    let mut sampler = Sampler::new(scenario);
    let n_candidates = job.candidates.map_or(0, Candidates::len);
    let mut t = Tally {
        counts: vec![0; n_candidates],
        nash: vec![0.0; n_candidates],
        nash2: vec![0.0; n_candidates],
        ..Tally::default()
    };
    for index in range {
        let mut rng = generator(job.seed, index);
        sampler
            .draw(&mut || uniform(&mut rng))
            .map_err(|source| AnalysisError::Sample { index, source })?;
        t.samples += 1;
        t.numbers.extend_from_slice(sampler.numbers());
        if let Some(o) = job.proposal {
            for p in (0..parties as u32).map(PartyId) {
                let (u, r) = judged(&sampler, sampler.utility(p), p, o, job.at_time);
                t.utilities.push(u);
                t.accepts.push(!scenario.red_lines(p).crossed(o) && u >= r);
            }
        }
        if let Some(c) = job.candidates {
            let mut any = false;
            for k in 0..c.len() {
                let o = c.get(k);
                let mut product = 1.0;
                let all = bargainers.iter().all(|&p| {
                    let (u, r) = judged(&sampler, sampler.utility(p), p, o, job.at_time);
                    product *= u - r;
                    u >= r
                });
                if all {
                    any = true;
                    t.counts[k] += 1;
                    t.nash[k] += product;
                    t.nash2[k] += product * product;
                }
            }
            t.zone += u64::from(any);
        }
    }
    Ok(t)
}

/// Samples `start..end` in parallel blocks, merged in sample order.
fn run(job: &Job, start: u64, end: u64) -> Result<Tally, AnalysisError> {
    let blocks: Vec<(u64, u64)> = (start..end)
        .step_by(BLOCK as usize)
        .map(|b| (b, (b + BLOCK).min(end)))
        .collect();
    let parts: Vec<Result<Tally, AnalysisError>> = blocks
        .par_iter()
        .map(|&(a, b)| run_block(job, a..b))
        .collect();
    let mut all = Tally::default();
    for part in parts {
        all.append(part?);
    }
    Ok(all)
}

/// Samples as `samples` says: a fixed number, or rounds until `done` says the
/// standard errors are small enough.
fn sample(
    job: &Job,
    samples: Samples,
    done: impl Fn(&Tally, f64) -> bool,
) -> Result<Tally, AnalysisError> {
    match samples {
        Samples::Fixed(n) => run(job, 0, n),
        Samples::Auto { target_se, .. } => {
            let cap = samples.most();
            let mut all = Tally::default();
            while all.samples < cap {
                let end = (all.samples + AUTO_ROUND).min(cap);
                all.append(run(job, all.samples, end)?);
                if done(&all, target_se) {
                    break;
                }
            }
            Ok(all)
        }
    }
}

/// Refuses, before any sampling, a run that would exceed the work limit or
/// the outcome limit, with the numbers the options would need.
pub fn check_robust_cost(
    scenario: &Scenario,
    options: &RobustOptions,
    every_outcome: bool,
) -> Result<u64, AnalysisError> {
    let samples = options.samples.most();
    if samples == 0 {
        return Err(AnalysisError::NoSamples);
    }
    let bargainers = scenario.bargainers().len() as u64;
    let outcomes = if every_outcome {
        let count = scenario
            .space()
            .count_u64()
            .filter(|&c| c <= ROBUST_OUTCOME_LIMIT);
        let Some(count) = count else {
            return Err(AnalysisError::RobustTooLarge {
                outcomes: scenario.space().count_f64(),
                limit: ROBUST_OUTCOME_LIMIT,
            });
        };
        count + 1
    } else {
        1
    };
    let work = samples
        .saturating_mul(outcomes)
        .saturating_mul(bargainers.max(1));
    if work > options.work_limit {
        return Err(AnalysisError::RobustWorkTooLarge {
            samples,
            evaluations: work,
            limit: options.work_limit,
        });
    }
    Ok(work)
}

fn chance(c: &Candidates, t: &Tally, k: usize) -> OutcomeChance {
    OutcomeChance {
        outcome: c.get(k).to_vec(),
        all_accept: Probability::of(t.counts[k], t.samples),
        expected_nash: t.nash[k] / t.samples as f64,
        expected_nash_se: {
            let n = t.samples as f64;
            let mean = t.nash[k] / n;
            let variance = (t.nash2[k] / n - mean * mean).max(0.0) * n / (n - 1.0).max(1.0);
            (variance / n).sqrt()
        },
    }
}

/// Most likely first; ties by expected Nash product, then outcome order.
fn better(a: (u64, f64, usize), b: (u64, f64, usize)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && (a.1 > b.1 || (a.1 == b.1 && a.2 < b.2)))
}

/// The robust analysis of the whole space: the chance that the agreement
/// zone is not empty, every outcome's chance of being acceptable to all, the
/// robust deal, and how the point model's bargaining solutions (from
/// `point`) fare.
pub fn robust_analysis(
    scenario: &Scenario,
    point: &crate::Analysis,
    options: &RobustOptions,
) -> Result<RobustAnalysis, AnalysisError> {
    check_robust_cost(scenario, options, true)?;
    let c = candidates(scenario);
    let job = Job {
        scenario,
        proposal: None,
        candidates: Some(&c),
        seed: options.seed,
        at_time: options.at_time,
    };
    let t = sample(&job, options.samples, |t, se| {
        let best = t.counts.iter().copied().max().unwrap_or(0);
        Probability::of(t.zone, t.samples).se <= se && Probability::of(best, t.samples).se <= se
    })?;
    let mut order: Vec<usize> = (0..c.len()).filter(|&k| t.counts[k] > 0).collect();
    order.sort_by(|&a, &b| {
        let (ka, kb) = ((t.counts[a], t.nash[a], a), (t.counts[b], t.nash[b], b));
        if better(ka, kb) {
            std::cmp::Ordering::Less
        } else if better(kb, ka) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
    let outcomes: Vec<OutcomeChance> = order.iter().map(|&k| chance(&c, &t, k)).collect();
    let of_point = |p: &Option<crate::Point>| {
        p.as_ref().map(|p| {
            let count = c.find(&p.outcome).map_or(0, |k| t.counts[k]);
            Probability::of(count, t.samples)
        })
    };
    Ok(RobustAnalysis {
        samples: t.samples,
        seed: options.seed,
        zone_nonempty: Probability::of(t.zone, t.samples),
        robust_deal: outcomes.first().cloned(),
        solutions: SolutionChances {
            nash: of_point(&point.solutions.nash),
            kalai_smorodinsky: of_point(&point.solutions.kalai_smorodinsky),
            max_welfare: of_point(&point.solutions.max_welfare),
            egalitarian: of_point(&point.solutions.egalitarian),
        },
        outcomes,
    })
}

/// The nearest-rank quantile `q` of `xs` (reordered; selection, not a sort).
fn quantile(xs: &mut [f64], q: f64) -> f64 {
    let n = xs.len();
    let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
    *xs.select_nth_unstable_by(rank - 1, f64::total_cmp).1
}

/// Each party's acceptance and utility spread, from the tally's records.
fn acceptance(scenario: &Scenario, proposal: &[u32], t: &Tally) -> Vec<PartyAcceptance> {
    let parties = scenario.parties().len();
    let n = t.samples as usize;
    (0..parties)
        .map(|i| {
            let p = PartyId(i as u32);
            let point = scenario.utility_of(p, proposal);
            let mut xs: Vec<f64> = (0..n).map(|s| t.utilities[s * parties + i]).collect();
            let accepted = (0..n).filter(|&s| t.accepts[s * parties + i]).count() as u64;
            let deviation: f64 = xs.iter().map(|x| x - point).sum();
            let squares: f64 = xs.iter().map(|x| (x - point) * (x - point)).sum();
            let (d, nf) = (deviation / n as f64, n as f64);
            let variance = (squares / nf - d * d).max(0.0) * nf / (nf - 1.0).max(1.0);
            PartyAcceptance {
                party: p,
                accept: Probability::of(accepted, t.samples),
                utility: Spread {
                    mean: point + d,
                    se: (variance / nf).sqrt(),
                    q05: quantile(&mut xs, 0.05),
                    q95: quantile(&mut xs, 0.95),
                },
            }
        })
        .collect()
}

/// Per sample, whether every bargaining party accepts the proposal.
fn all_accepts(scenario: &Scenario, t: &Tally) -> Vec<bool> {
    let parties = scenario.parties().len();
    let bargainers = scenario.bargainers();
    (0..t.samples as usize)
        .map(|s| {
            bargainers
                .iter()
                .all(|p| t.accepts[s * parties + p.index()])
        })
        .collect()
}

/// The fewest changes to `proposal` whose chance of acceptance by all
/// reaches `threshold`, or the most likely outcomes with the fewest changes
/// when none does; at most `max` of them, most likely first.
fn robust_repairs(
    c: &Candidates,
    t: &Tally,
    proposal: &[u32],
    threshold: f64,
    max: usize,
) -> (usize, Vec<RobustRepair>) {
    let distance = |o: &[u32]| o.iter().zip(proposal).filter(|(a, b)| a != b).count();
    let needed = (threshold * t.samples as f64).ceil() as u64;
    let best = t.counts.iter().copied().max().unwrap_or(0);
    let aim = needed.min(best).max(1);
    let size = (0..c.len())
        .filter(|&k| t.counts[k] >= aim)
        .map(|k| distance(c.get(k)))
        .min();
    let Some(size) = size else {
        return (0, Vec::new());
    };
    let mut found: Vec<usize> = (0..c.len())
        .filter(|&k| t.counts[k] >= aim && distance(c.get(k)) == size)
        .collect();
    found.sort_by(|&a, &b| {
        let (ka, kb) = ((t.counts[a], t.nash[a], a), (t.counts[b], t.nash[b], b));
        if better(ka, kb) {
            std::cmp::Ordering::Less
        } else {
            std::cmp::Ordering::Greater
        }
    });
    found.truncate(max);
    let repairs = found
        .into_iter()
        .map(|k| {
            let o = c.get(k);
            RobustRepair {
                chance: chance(c, t, k),
                changes: (0..o.len())
                    .filter(|&i| o[i] != proposal[i])
                    .map(|i| Change {
                        issue: IssueId(i as u32),
                        from: proposal[i],
                        to: o[i],
                    })
                    .collect(),
            }
        })
        .collect();
    (size, repairs)
}

/// Each party's chance of accepting `proposal` and the chance that all
/// accept, without repairs, thresholds or ranking: the Monte Carlo part of
/// [`robust_evaluation`] alone.
pub fn robust_acceptance(
    scenario: &Scenario,
    proposal: &[u32],
    options: &RobustOptions,
) -> Result<(u64, Vec<PartyAcceptance>, Probability), AnalysisError> {
    check_robust_cost(scenario, options, false)?;
    let job = Job {
        scenario,
        proposal: Some(proposal),
        candidates: None,
        seed: options.seed,
        at_time: options.at_time,
    };
    let t = sample(&job, options.samples, |t, se| {
        let all = all_accepts(scenario, t);
        let count = all.iter().filter(|a| **a).count() as u64;
        Probability::of(count, t.samples).se <= se
            && acceptance(scenario, proposal, t)
                .iter()
                .all(|a| a.accept.se <= se)
    })?;
    let count = all_accepts(scenario, &t).iter().filter(|a| **a).count() as u64;
    Ok((
        t.samples,
        acceptance(scenario, proposal, &t),
        Probability::of(count, t.samples),
    ))
}

/// The robust evaluation of `proposal`: each party's chance of accepting it
/// and its utility spread, the chance that all accept, robust repairs (when
/// the space has at most [`ROBUST_OUTCOME_LIMIT`] outcomes), the exact
/// thresholds of every uncertain number and the share of the uncertainty
/// each explains.
pub fn robust_evaluation(
    scenario: &Scenario,
    proposal: &[u32],
    options: &RobustOptions,
) -> Result<RobustEvaluation, AnalysisError> {
    let searchable = scenario
        .space()
        .count_u64()
        .is_some_and(|c| c <= ROBUST_OUTCOME_LIMIT);
    check_robust_cost(scenario, options, searchable)?;
    let c = searchable.then(|| candidates(scenario));
    let job = Job {
        scenario,
        proposal: Some(proposal),
        candidates: c.as_ref(),
        seed: options.seed,
        at_time: options.at_time,
    };
    let t = sample(&job, options.samples, |t, se| {
        let all = all_accepts(scenario, t);
        let count = all.iter().filter(|a| **a).count() as u64;
        let parties = acceptance(scenario, proposal, t);
        Probability::of(count, t.samples).se <= se
            && parties.iter().all(|a| a.accept.se <= se)
            && c.as_ref().is_none_or(|c| {
                let best = c.find(proposal).map_or(0, |k| t.counts[k]);
                let top = t.counts.iter().copied().max().unwrap_or(0);
                Probability::of(best.max(top), t.samples).se <= se
            })
    })?;
    let all = all_accepts(scenario, &t);
    let all_count = all.iter().filter(|a| **a).count() as u64;
    let all_accept = Probability::of(all_count, t.samples);
    let (repair_size, repairs) = match &c {
        Some(_) if all_accept.p >= options.threshold => (Some(0), Vec::new()),
        Some(c) => {
            let (size, r) = robust_repairs(c, &t, proposal, options.threshold, options.max_repairs);
            (Some(size), r)
        }
        None => (None, Vec::new()),
    };
    let best_repair = repairs.first().map(|r| r.chance.outcome.as_slice());
    let thresholds = thresholds(scenario, proposal, best_repair, options.at_time)?;
    // The best repair's samples are the same numbers again (same seed,
    // same indices): each party's acceptance of it, and, when the
    // proposal's fate is certain (so nothing explains its uncertainty), the
    // ranking about it.
    let repaired = match best_repair {
        Some(r) => {
            let again = Job {
                proposal: Some(r),
                candidates: None,
                ..job
            };
            Some((r, run(&again, 0, t.samples)?))
        }
        None => None,
    };
    let (explained_subject, explained) = match &repaired {
        Some((_, rt)) if all_count == 0 || all_count == t.samples => (
            Subject::Repair,
            explained(scenario, &rt.numbers, &all_accepts(scenario, rt)),
        ),
        _ => (Subject::Proposal, explained(scenario, &t.numbers, &all)),
    };
    let repair_parties = repaired
        .map(|(r, rt)| acceptance(scenario, r, &rt))
        .unwrap_or_default();
    Ok(RobustEvaluation {
        samples: t.samples,
        seed: options.seed,
        parties: acceptance(scenario, proposal, &t),
        all_accept,
        repair_size,
        repairs,
        repair_parties,
        thresholds,
        explained_subject,
        explained,
    })
}

/// The point value of every uncertain number, as [`point_numbers`] gives them.
pub(crate) fn points(scenario: &Scenario) -> Vec<f64> {
    point_numbers(scenario)
}
