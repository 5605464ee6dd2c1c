//! The `robust` objects that `--samples` adds to analyses and evaluations.

use super::Change;
use crate::{Outcome, outcome};
use detente_analysis as da;
use detente_core::{PartyId, Scenario};
use schemars::JsonSchema;
use serde::Serialize;

/// How many outcomes an analysis's `robust.outcomes` lists at most (the most likely).
pub const LISTED_OUTCOMES: usize = 100;

/// How the uncertain numbers are ranked in `explained`, in words.
pub const EXPLAINED_METHOD: &str = "first-order sensitivity index: the share of the variance of the all-accept indicator explained by the number alone, estimated by sorting the samples by the number into floor(sqrt(n)) equal bins";

/// A probability estimated from samples.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Probability {
    /// The share of samples in which it happened.
    pub p: f64,
    /// Its standard error, sqrt(p (1 - p) / samples).
    pub se: f64,
}

impl From<da::Probability> for Probability {
    fn from(p: da::Probability) -> Self {
        Probability { p: p.p, se: p.se }
    }
}

/// A number's spread over the samples.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spread {
    /// Its mean.
    pub mean: f64,
    /// The standard error of the mean.
    pub se: f64,
    /// Its 5% quantile (nearest rank).
    pub q05: f64,
    /// Its 95% quantile (nearest rank).
    pub q95: f64,
}

/// An outcome with its probability of being acceptable to all.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeChance {
    /// The outcome.
    pub outcome: Outcome,
    /// The probability that every bargaining party accepts it.
    pub probability: Probability,
    /// The mean Nash product of the gains over the reservation values (0 in
    /// samples where a party rejects it).
    pub expected_nash: f64,
    /// The standard error of `expected_nash`.
    pub expected_nash_se: f64,
}

/// The bargaining solutions of the point model, each with the probability
/// that it is acceptable to all (null without a solution).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
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

/// What `analyze --samples` adds: how sure the agreement zone is.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RobustAnalysis {
    /// Samples drawn.
    pub samples: u64,
    /// The seed: the same seed gives the same samples.
    pub seed: u64,
    /// The probability that some outcome is acceptable to all.
    pub zone_nonempty: Probability,
    /// The outcome most likely acceptable to all (ties: the higher expected
    /// Nash product); null when none ever is.
    pub robust_deal: Option<OutcomeChance>,
    /// The probability that each bargaining solution of the point model is acceptable to all.
    pub solutions: SolutionChances,
    /// How many outcomes are acceptable to all in some sample.
    pub outcomes_with_chance: usize,
    /// The most likely of them (at most 100), most likely first.
    pub outcomes: Vec<OutcomeChance>,
}

/// One party's acceptance of the proposal over the samples.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartyAcceptance {
    /// The party's name.
    pub name: String,
    /// The probability that it accepts.
    pub accept: Probability,
    /// Its utility of the proposal.
    pub utility: Spread,
}

/// A robust repair.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RobustRepair {
    /// The issues changed.
    pub changes: Vec<Change>,
    /// The repaired outcome.
    pub outcome: Outcome,
    /// The probability that every bargaining party accepts it.
    pub all_accept: Probability,
    /// Its mean Nash product over the samples.
    pub expected_nash: f64,
    /// The standard error of `expected_nash`.
    pub expected_nash_se: f64,
}

/// Where an uncertain number flips a party's verdict, the others at their point values.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Threshold {
    /// The party whose verdict flips.
    pub party: String,
    /// The uncertain number, as a path into the scenario file
    /// (`parties[1].reservation`).
    pub parameter: String,
    /// What the verdict is about: `proposal` or `repair` (its best robust repair).
    pub subject: String,
    /// The flip point.
    pub value: f64,
    /// The number's point value.
    pub point: f64,
    /// The verdict above the flip point: `accepts` or `rejects`.
    pub verdict_above: String,
    /// The verdict below the flip point: `accepts` or `rejects`.
    pub verdict_below: String,
}

/// An uncertain number's share of the uncertainty in "all accept".
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Explained {
    /// The party the number belongs to.
    pub party: String,
    /// The uncertain number, as a path into the scenario file.
    pub parameter: String,
    /// Its share, in [0, 1].
    pub share: f64,
}

/// What `evaluate --samples` adds: how sure each verdict is.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RobustEvaluation {
    /// Samples drawn.
    pub samples: u64,
    /// The seed: the same seed gives the same samples.
    pub seed: u64,
    /// The probability that every bargaining party accepts.
    pub all_accept: Probability,
    /// Every party, in the order of the point model's `parties`.
    pub parties: Vec<PartyAcceptance>,
    /// The fewest changes of the robust repairs (0 when the proposal reaches
    /// the threshold; null when the space is too large to search).
    pub repair_size: Option<usize>,
    /// The fewest changes that bring the probability that all accept to the
    /// threshold (or to its maximum, if lower), most likely first.
    pub repairs: Vec<RobustRepair>,
    /// Every party's acceptance of the best repair, in the order of `parties` (empty without
    /// a repair).
    pub repair_parties: Vec<PartyAcceptance>,
    /// Where each uncertain number flips a verdict on the proposal or its best repair.
    pub thresholds: Vec<Threshold>,
    /// How `explained` is computed.
    pub explained_method: String,
    /// What `explained` is about: `proposal`, or `repair` (its best robust
    /// repair) when every sample gives the proposal the same fate.
    pub explained_subject: String,
    /// The uncertain numbers by the share of the uncertainty in "all accept" each explains.
    pub explained: Vec<Explained>,
}

fn chance(scenario: &Scenario, c: &da::OutcomeChance) -> OutcomeChance {
    OutcomeChance {
        outcome: outcome(scenario, &c.outcome),
        probability: c.all_accept.into(),
        expected_nash: c.expected_nash,
        expected_nash_se: c.expected_nash_se,
    }
}

fn name(scenario: &Scenario, p: PartyId) -> String {
    scenario.parties()[p.index()].name.clone()
}

/// A robust analysis in the one JSON form.
pub fn robust_analysis(scenario: &Scenario, r: &da::RobustAnalysis) -> RobustAnalysis {
    let s = &r.solutions;
    let p = |x: Option<da::Probability>| x.map(Probability::from);
    RobustAnalysis {
        samples: r.samples,
        seed: r.seed,
        zone_nonempty: r.zone_nonempty.into(),
        robust_deal: r.robust_deal.as_ref().map(|c| chance(scenario, c)),
        solutions: SolutionChances {
            nash: p(s.nash),
            kalai_smorodinsky: p(s.kalai_smorodinsky),
            max_welfare: p(s.max_welfare),
            egalitarian: p(s.egalitarian),
        },
        outcomes_with_chance: r.outcomes.len(),
        outcomes: r
            .outcomes
            .iter()
            .take(LISTED_OUTCOMES)
            .map(|c| chance(scenario, c))
            .collect(),
    }
}

fn verdict(accepts: bool) -> String {
    if accepts { "accepts" } else { "rejects" }.to_string()
}

fn acceptances(scenario: &Scenario, parties: &[da::PartyAcceptance]) -> Vec<PartyAcceptance> {
    parties
        .iter()
        .map(|a| PartyAcceptance {
            name: name(scenario, a.party),
            accept: a.accept.into(),
            utility: Spread {
                mean: a.utility.mean,
                se: a.utility.se,
                q05: a.utility.q05,
                q95: a.utility.q95,
            },
        })
        .collect()
}

/// A robust evaluation in the one JSON form.
pub fn robust_evaluation(scenario: &Scenario, r: &da::RobustEvaluation) -> RobustEvaluation {
    let path = |k: usize| scenario.uncertain()[k].path(scenario.issues());
    RobustEvaluation {
        samples: r.samples,
        seed: r.seed,
        all_accept: r.all_accept.into(),
        parties: acceptances(scenario, &r.parties),
        repair_parties: acceptances(scenario, &r.repair_parties),
        repair_size: r.repair_size,
        repairs: r
            .repairs
            .iter()
            .map(|rep| RobustRepair {
                changes: rep
                    .changes
                    .iter()
                    .map(|c| super::change(scenario, c))
                    .collect(),
                outcome: outcome(scenario, &rep.chance.outcome),
                all_accept: rep.chance.all_accept.into(),
                expected_nash: rep.chance.expected_nash,
                expected_nash_se: rep.chance.expected_nash_se,
            })
            .collect(),
        thresholds: r
            .thresholds
            .iter()
            .map(|t| Threshold {
                party: name(scenario, t.party),
                parameter: path(t.uncertain),
                subject: t.subject.as_str().to_string(),
                value: t.value,
                point: t.point,
                verdict_above: verdict(t.accepts_above),
                verdict_below: verdict(t.accepts_below),
            })
            .collect(),
        explained_method: EXPLAINED_METHOD.to_string(),
        explained_subject: r.explained_subject.as_str().to_string(),
        explained: r
            .explained
            .iter()
            .map(|e| Explained {
                party: name(scenario, scenario.uncertain()[e.uncertain].party()),
                parameter: path(e.uncertain),
                share: e.share,
            })
            .collect(),
    }
}
