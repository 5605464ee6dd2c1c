//! Exact analysis of a negotiation scenario: the outcome space, each party's
//! range, the agreement zone, Pareto frontiers, the classic bargaining
//! solutions, and the evaluation and repair of proposals.
//!
//! Two exact methods compute frontiers:
//! - **enumeration** of every outcome, in parallel blocks, with utilities
//!   updated incrementally as the mixed-radix index advances;
//! - the **additive** method, when every bargaining party's utility is a sum
//!   of per-issue terms and red lines only exclude single values: the
//!   frontier is merged issue by issue, so spaces of 10^30 outcomes and more
//!   are solved exactly without enumeration.
//!
//! ```
//! use detente_analysis::{analyze, Options};
//! # use detente_core::*;
//! # let opt = |name: &str| Issue { name: name.into(), description: String::new(),
//! #     kind: IssueKind::Categorical { options: vec!["a".into(), "b".into(), "c".into()], ordered: false } };
//! # let party = |name: &str, w: Vec<f64>, v: Vec<Vec<f64>>| Party { name: name.into(), role: Role::Party,
//! #     description: String::new(), preferences: Preferences { model: UtilityModel::Additive { weights: w,
//! #     values: v.into_iter().map(ValueFunction::Table).collect(), interactions: vec![] },
//! #     normalisation: Normalisation::MinMax, red_lines: vec![], reservation: 0.2, discount: 1.0 } };
//! let scenario = Scenario::new(ScenarioParts {
//!     name: "demo".into(),
//!     issues: vec![opt("x"), opt("y")],
//!     parties: vec![
//!         party("p", vec![2.0, 1.0], vec![vec![0.0, 0.5, 1.0], vec![1.0, 0.0, 0.5]]),
//!         party("q", vec![1.0, 2.0], vec![vec![1.0, 0.5, 0.0], vec![0.0, 1.0, 0.5]]),
//!     ],
//!     ..Default::default()
//! }).unwrap();
//! let a = analyze(&scenario, &Options::default()).unwrap();
//! assert_eq!(a.outcome_count, Some(9));
//! assert!(a.solutions.nash.is_some());
//! ```

#![warn(missing_docs)]

mod additive;
mod boxes;
mod budget;
mod enumerate;
mod error;
mod evaluate;
pub mod frontier;
mod names;
mod robust;
mod solutions;

pub use budget::{Budget, Estimate, estimate};
pub use enumerate::{Visitor, scan, scan_within};
pub use error::AnalysisError;
pub use evaluate::{
    Change, Evaluation, PartyVerdict, REPAIR_BUDGET, Repair, RepairOptions, evaluate,
};
pub use names::{ChoiceError, check_time};
pub use robust::{
    AUTO_SAMPLE_CAP, DEFAULT_REPAIR_THRESHOLD, DEFAULT_TARGET_SE, Explained, OutcomeChance,
    PartyAcceptance, Probability, ROBUST_OUTCOME_LIMIT, ROBUST_WORK_LIMIT, RobustAnalysis,
    RobustEvaluation, RobustOptions, RobustRepair, Samples, SolutionChances, Spread, Subject,
    Threshold, check_robust_cost, explained, robust_acceptance, robust_analysis, robust_evaluation,
    thresholds,
};
pub use solutions::{Point, Solutions, nash_product, solve};

use detente_core::utility::extremes;
use detente_core::{PartyId, Scenario};
use frontier::FrontierBuilder;
use std::sync::atomic::AtomicBool;

/// What each party gets if talks fail: the point from which the bargaining
/// solutions measure gains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Disagreement {
    /// Each party's reservation value (what walking away is worth).
    #[default]
    Reservation,
    /// Zero for every party (the convention of GENIUS's reference values).
    Zero,
}

/// Which method the caller asks for to compute the frontier (the CLI's
/// `--method`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum MethodChoice {
    /// The additive method where it applies, enumeration otherwise, and
    /// branch and bound for spaces too large to enumerate.
    #[default]
    Auto,
    /// Enumerate every outcome, refusing spaces above `Options::enumeration_limit`.
    Enumerate,
    /// Merge issue by issue; refused unless every bargainer's utility is additive and red lines
    /// each exclude values of one issue.
    Additive,
    /// Branch and bound over value classes; refused for interaction terms and red lines
    /// spanning several issues.
    BranchAndBound,
}

/// The method that computed an analysis's frontiers, reported so users know
/// whether outcomes were enumerated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Every outcome was visited.
    Enumeration,
    /// The frontier was merged issue by issue from per-issue terms, without visiting outcomes.
    Additive,
    /// Branch and bound over value classes (box utilities on spaces too
    /// large to enumerate).
    BranchAndBound,
}

impl Method {
    /// The method's name as printed in tables and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Enumeration => "enumeration",
            Method::Additive => "additive",
            Method::BranchAndBound => "branch-and-bound",
        }
    }
}

/// What [`analyze`] computes and within which limits.
#[derive(Clone, Debug)]
pub struct Options {
    /// Which point the bargaining solutions measure gains from.
    pub disagreement: Disagreement,
    /// Which frontier method to use; `Auto` picks the fastest one that applies.
    pub method: MethodChoice,
    /// Largest space that is enumerated (for the frontier when the additive
    /// method does not apply, and to count the agreement zone).
    pub enumeration_limit: u64,
    /// Evaluate utilities and reservation values discounted at this
    /// normalised time; `None` is undiscounted.
    pub at_time: Option<f64>,
    /// Most nodes the branch-and-bound search over box utilities may visit
    /// before the analysis is refused ([`MAX_SEARCH_NODES`] by default).
    pub search_node_limit: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            disagreement: Disagreement::Reservation,
            method: MethodChoice::Auto,
            enumeration_limit: ENUMERATION_LIMIT,
            at_time: None,
            search_node_limit: MAX_SEARCH_NODES,
        }
    }
}

impl Options {
    /// The budgets for a reference analysis that only serves to measure
    /// negotiated outcomes (distances to the frontier and to Nash): it
    /// enumerates at most [`COUNT_LIMIT`] outcomes, since the negotiation
    /// itself does not depend on it and callers say when the distances are
    /// left out.
    pub fn reference() -> Options {
        Options {
            enumeration_limit: COUNT_LIMIT,
            ..Options::default()
        }
    }
}

/// Largest outcome space an analysis enumerates by default (`--enumeration-limit`
/// raises or lowers it): 10^9 outcomes take about 15 s on two cores, in flat
/// memory.
pub const ENUMERATION_LIMIT: u64 = 1_000_000_000;

/// Largest space enumerated only to count the agreement zone when the
/// additive method computes the frontier.
pub const COUNT_LIMIT: u64 = 20_000_000;

/// One party's range of utility over the whole space.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyRange {
    /// The party this range is about.
    pub party: PartyId,
    /// The party's highest utility over the whole space, red lines aside;
    /// `None` when it cannot be computed exactly without enumeration.
    pub best: Option<f64>,
    /// The party's lowest utility over the whole space, red lines aside; `None` when it cannot
    /// be computed exactly without enumeration.
    pub worst: Option<f64>,
    /// The party's reservation value (discounted when the analysis is), to set against the
    /// range.
    pub reservation: f64,
}

/// Everything [`analyze`] finds.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The parties whose consent an agreement needs; frontier utilities are
    /// theirs, in this order.
    pub bargainers: Vec<PartyId>,
    /// The exact number of outcomes of the space, or `None` when it exceeds `u128`.
    pub outcome_count: Option<u128>,
    /// The number of outcomes as a float, always available for display.
    pub outcome_count_f64: f64,
    /// Every party, in scenario order.
    pub ranges: Vec<PartyRange>,
    /// Which frontier method was used.
    pub method: Method,
    /// Outcomes that cross no bargaining party's red line (when enumerated).
    pub acceptable_count: Option<u64>,
    /// Outcomes in the agreement zone (when enumerated).
    pub agreement_zone: Option<u64>,
    /// The frontier of the whole space, red lines aside.
    pub pareto: Vec<Point>,
    /// The frontier of the outcomes that cross no red line.
    pub feasible_pareto: Vec<Point>,
    /// The frontier of the agreement zone.
    pub zone_pareto: Vec<Point>,
    /// The disagreement point used by the solutions.
    pub disagreement: Vec<f64>,
    /// The Nash, Kalai–Smorodinsky, max-welfare and egalitarian points of the agreement zone.
    pub solutions: Solutions,
    /// The time at which utilities were discounted, if any.
    pub at_time: Option<f64>,
}

impl Analysis {
    /// The reservation values of the bargainers (discounted if `at_time`).
    pub fn reservations(&self) -> Vec<f64> {
        self.bargainers
            .iter()
            .map(|p| self.ranges[p.index()].reservation)
            .collect()
    }
}

/// The most nodes the branch-and-bound search visits before giving up, by
/// default. A node costs 1–4 µs on the 2-core reference machine, so this
/// refuses within a few seconds; every ANAC 2014 10-issue domain needs at
/// most 1.5 million nodes, the 30- and 50-issue ones far more.
pub const MAX_SEARCH_NODES: u64 = 2_000_000;

/// Whether the branch-and-bound method applies: no interaction terms, and
/// red lines that each exclude values of a single issue.
pub fn search_applies(scenario: &Scenario) -> bool {
    scenario
        .bargainers()
        .iter()
        .all(|&p| scenario.utility(p).factors.is_empty() && scenario.red_lines(p).is_per_value())
}

/// Whether the additive method applies to the bargaining parties.
pub fn additive_applies(scenario: &Scenario) -> bool {
    scenario
        .bargainers()
        .iter()
        .all(|&p| scenario.utility(p).is_additive() && scenario.red_lines(p).is_per_value())
}

/// Per issue, the values that cross no bargaining party's single-issue red line.
fn allowed_values(scenario: &Scenario, bargainers: &[PartyId]) -> Vec<Vec<bool>> {
    let space = scenario.space();
    (0..space.issue_count())
        .map(|i| {
            (0..space.radices()[i] as usize)
                .map(|v| {
                    bargainers
                        .iter()
                        .all(|&p| !scenario.red_lines(p).forbidden[i][v])
                })
                .collect()
        })
        .collect()
}

struct ScanResult {
    whole: FrontierBuilder,
    feasible: FrontierBuilder,
    acceptable: u64,
    zone: u64,
    best: Vec<f64>,
    worst: Vec<f64>,
    /// Nonzero once a frontier outgrew the limit: its size then. The
    /// frontiers are dropped to free their memory, and the scan stops.
    overflow: u64,
}

struct ScanVisitor<'a> {
    r: ScanResult,
    bargain_idx: &'a [usize],
    rv: &'a [f64],
    frontiers: bool,
    /// False when no bargaining party has a red line: the feasible frontier
    /// is then the whole frontier, and is not built twice.
    red_lines: bool,
    buf: Vec<f64>,
    /// Most points a frontier may have.
    frontier_limit: usize,
}

impl ScanVisitor<'_> {
    /// Records an overflow and drops the frontiers when one is too large.
    fn check_size(&mut self) {
        let size = self.r.whole.len().max(self.r.feasible.len());
        if size > self.frontier_limit {
            self.r.overflow = self.r.overflow.max(size as u64);
            self.r.whole = FrontierBuilder::new(self.r.whole.dim());
            self.r.feasible = FrontierBuilder::new(self.r.feasible.dim());
        }
    }
}

impl Visitor for ScanVisitor<'_> {
    #[inline]
    fn visit(&mut self, key: u64, _outcome: &[u32], utils: &[f64], crossed: bool) {
        for (i, &u) in utils.iter().enumerate() {
            if u > self.r.best[i] {
                self.r.best[i] = u;
            }
            if u < self.r.worst[i] {
                self.r.worst[i] = u;
            }
        }
        for (k, &i) in self.bargain_idx.iter().enumerate() {
            self.buf[k] = utils[i];
        }
        if self.frontiers {
            self.r.whole.insert(&self.buf, key);
        }
        if !crossed {
            self.r.acceptable += 1;
            if self.frontiers && self.red_lines {
                self.r.feasible.insert(&self.buf, key);
            }
            if self.buf.iter().zip(self.rv).all(|(u, r)| u >= r) {
                self.r.zone += 1;
            }
        }
    }

    fn merge(mut self, later: Self) -> Self {
        let a = self.r;
        let b = later.r;
        self.r = ScanResult {
            whole: a.whole.merge(b.whole),
            feasible: a.feasible.merge(b.feasible),
            acceptable: a.acceptable + b.acceptable,
            zone: a.zone + b.zone,
            best: a.best.iter().zip(&b.best).map(|(x, y)| x.max(*y)).collect(),
            worst: a
                .worst
                .iter()
                .zip(&b.worst)
                .map(|(x, y)| x.min(*y))
                .collect(),
            overflow: a.overflow.max(b.overflow),
        };
        self.check_size();
        self
    }

    fn stop(&mut self) -> bool {
        self.check_size();
        self.r.overflow > 0
    }
}

/// The runtime limits of [`analyze_within`], shared by the methods.
pub(crate) struct Limits<'a> {
    /// Most points a frontier may have.
    pub frontier: usize,
    /// Most candidate utilities the additive method may hold.
    pub candidate_cells: u64,
    pub cancel: &'a AtomicBool,
}

impl Limits<'_> {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// What an analysis will do, decided before any work: the method, and
/// what is enumerated.
pub(crate) struct Plan {
    use_additive: bool,
    use_search: bool,
    red_lines: bool,
    /// The agreement zone's size when every outcome is in it (additive
    /// method, no red lines, no reservation above a party's worst).
    trivial_count: Option<u64>,
    /// Outcomes to enumerate (for the frontier or to count the zone).
    scan: Option<u64>,
}

impl Plan {
    fn method(&self) -> Method {
        if self.use_search {
            Method::BranchAndBound
        } else if self.use_additive {
            Method::Additive
        } else {
            Method::Enumeration
        }
    }

    fn enumerated(&self) -> u64 {
        self.scan.unwrap_or(0)
    }
}

/// Chooses the method and what to enumerate; refuses what the options rule
/// out.
pub(crate) fn plan(scenario: &Scenario, options: &Options) -> Result<Plan, AnalysisError> {
    let bargainers = scenario.bargainers();
    let space = scenario.space();
    let count = space
        .count_u64()
        .filter(|&c| c <= options.enumeration_limit);
    let additive = additive_applies(scenario);
    let use_additive = match options.method {
        MethodChoice::Additive => {
            if !additive {
                return Err(AnalysisError::NotAdditive);
            }
            true
        }
        MethodChoice::Enumerate => {
            if count.is_none() {
                return Err(AnalysisError::TooLarge {
                    outcomes: space.count_f64(),
                    limit: options.enumeration_limit,
                });
            }
            false
        }
        MethodChoice::Auto => additive,
        MethodChoice::BranchAndBound => {
            if !search_applies(scenario) {
                return Err(AnalysisError::NotSearchable);
            }
            false
        }
    };
    let use_search = options.method == MethodChoice::BranchAndBound
        || (!use_additive
            && count.is_none()
            && options.method == MethodChoice::Auto
            && search_applies(scenario));
    if !use_additive && !use_search && count.is_none() {
        return Err(AnalysisError::TooLarge {
            outcomes: space.count_f64(),
            limit: options.enumeration_limit,
        });
    }
    let red_lines = bargainers
        .iter()
        .any(|&p| !scenario.red_lines(p).is_empty());
    // With the additive method, enumeration only counts the agreement zone,
    // so it is skipped on spaces where counting would dominate the time.
    let count_limit = if use_additive {
        COUNT_LIMIT.min(options.enumeration_limit)
    } else {
        options.enumeration_limit
    };
    // Without red lines, and with every reservation value at or below the
    // party's worst utility, every outcome is in the agreement zone: the
    // additive method then needs no enumeration at all.
    let whole_space_agrees = use_additive
        && !red_lines
        && bargainers.iter().all(|&p| {
            let u = scenario.utility(p);
            extremes(u, space.radices(), "")
                .is_ok_and(|(lo, _)| scenario.reservation(p) <= u.finish(lo))
        });
    let trivial_count = space.count_u64().filter(|_| whole_space_agrees);
    let scan = count.filter(|&c| c <= count_limit && trivial_count.is_none());
    Ok(Plan {
        use_additive,
        use_search,
        red_lines,
        trivial_count,
        scan,
    })
}

/// Analyses a scenario within the default [`Budget`], with no way to cancel
/// (see [`analyze_within`] for other budgets and cancellation). Memory is
/// bounded by the budget and the options, not by what the scenario claims:
/// what would exceed them is refused with an error that says so.
pub fn analyze(scenario: &Scenario, options: &Options) -> Result<Analysis, AnalysisError> {
    analyze_within(
        scenario,
        options,
        &Budget::default(),
        &AtomicBool::new(false),
    )
}

/// Analyses a scenario within a [`Budget`]: refuses up front what
/// [`estimate`] refuses, and stops with an error when a frontier outgrows the
/// estimate's limit. The work also stops, with [`AnalysisError::Cancelled`],
/// soon after `cancel` is raised (it is checked between blocks of the
/// enumeration, between nodes of the branch and bound and between issues of
/// the additive method), so a server can give back the thread of a request
/// whose client left or whose time ran out.
pub fn analyze_within(
    scenario: &Scenario,
    options: &Options,
    budget: &Budget,
    cancel: &AtomicBool,
) -> Result<Analysis, AnalysisError> {
    let plan = plan(scenario, options)?;
    let limits = Limits {
        frontier: budget::estimate_plan(scenario, &plan, budget)?.frontier_limit,
        candidate_cells: budget.max_candidate_cells,
        cancel,
    };
    let bargainers = scenario.bargainers();
    let all: Vec<PartyId> = (0..scenario.parties().len() as u32).map(PartyId).collect();
    let mut rv: Vec<f64> = bargainers
        .iter()
        .map(|&p| scenario.reservation(p))
        .collect();
    let scanned = match plan.scan {
        None => None,
        Some(count) => Some(scan_space(
            scenario,
            &plan,
            (&all, &bargainers),
            &rv,
            count,
            &limits,
        )?),
    };
    let (mut pareto, mut feasible_pareto) = if plan.use_search {
        search_frontiers(
            scenario,
            &bargainers,
            plan.red_lines,
            options.search_node_limit,
            &limits,
        )?
    } else if plan.use_additive {
        frontier_pair(scenario, &bargainers, plan.red_lines, |mask| {
            additive::additive_frontier(scenario, &bargainers, mask, &limits)
        })?
    } else {
        enumerated_frontiers(scenario, bargainers.len(), plan.red_lines, scanned.as_ref())
    };
    let mut ranges = party_ranges(scenario, &all, scanned.as_ref());
    if let Some(t) = options.at_time {
        let frontiers = [&mut pareto, &mut feasible_pareto];
        discount_at(scenario, t, &bargainers, frontiers, &mut rv, &mut ranges);
    }
    let zone_pareto: Vec<Point> = feasible_pareto
        .iter()
        .filter(|p| p.utilities.iter().zip(&rv).all(|(u, r)| u >= r))
        .cloned()
        .collect();
    let disagreement = match options.disagreement {
        Disagreement::Reservation => rv,
        Disagreement::Zero => vec![0.0; bargainers.len()],
    };
    let solutions = solve(&feasible_pareto, &disagreement);
    let space = scenario.space();
    Ok(Analysis {
        bargainers,
        outcome_count: space.count(),
        outcome_count_f64: space.count_f64(),
        ranges,
        method: plan.method(),
        acceptable_count: scanned
            .as_ref()
            .map(|r| r.acceptable)
            .or(plan.trivial_count),
        agreement_zone: scanned.as_ref().map(|r| r.zone).or(plan.trivial_count),
        pareto,
        feasible_pareto,
        zone_pareto,
        disagreement,
        solutions,
        at_time: options.at_time,
    })
}

/// Enumerates the first `count` outcomes: every party's range, the
/// acceptable outcomes and the agreement zone, and, unless the additive
/// method computes them, the two frontiers. `parties` is every party, then
/// the bargainers.
fn scan_space(
    scenario: &Scenario,
    plan: &Plan,
    (all, bargainers): (&[PartyId], &[PartyId]),
    rv: &[f64],
    count: u64,
    limits: &Limits<'_>,
) -> Result<ScanResult, AnalysisError> {
    let np = bargainers.len();
    let bargain_idx: Vec<usize> = bargainers.iter().map(|p| p.index()).collect();
    let visitor = || ScanVisitor {
        r: ScanResult {
            whole: FrontierBuilder::new(np),
            feasible: FrontierBuilder::new(np),
            acceptable: 0,
            zone: 0,
            best: vec![f64::NEG_INFINITY; all.len()],
            worst: vec![f64::INFINITY; all.len()],
            overflow: 0,
        },
        bargain_idx: &bargain_idx,
        rv,
        frontiers: !plan.use_additive,
        red_lines: plan.red_lines,
        buf: vec![0.0; np],
        frontier_limit: limits.frontier,
    };
    let r = enumerate::scan_within(scenario, all, bargainers, count, limits.cancel, visitor)
        .ok_or(AnalysisError::Cancelled)?
        .r;
    // A single block is never merged: check its frontiers here.
    let size = r.whole.len().max(r.feasible.len());
    if r.overflow > 0 || size > limits.frontier {
        return Err(AnalysisError::FrontierTooLarge {
            points: r.overflow.max(size as u64),
            limit: limits.frontier,
        });
    }
    Ok(r)
}

/// A frontier point as the additive method and the branch and bound find
/// it, before its outcome is numbered.
pub(crate) struct FoundPoint {
    /// The bargaining parties' utilities.
    pub utilities: Vec<f64>,
    /// The first outcome, in issue order, that gives them.
    pub outcome: detente_core::Outcome,
}

/// The whole frontier and the feasible one, from a method that searches the
/// outcomes allowed by one mask of values per issue (`None` when some issue
/// has no allowed value). Without red lines the two are the same, and the
/// search runs once.
fn frontier_pair(
    scenario: &Scenario,
    bargainers: &[PartyId],
    red_lines: bool,
    mut frontier: impl FnMut(&[Vec<bool>]) -> Result<Option<Vec<FoundPoint>>, AnalysisError>,
) -> Result<(Vec<Point>, Vec<Point>), AnalysisError> {
    let space = scenario.space();
    let everything: Vec<Vec<bool>> = space
        .radices()
        .iter()
        .map(|&r| vec![true; r as usize])
        .collect();
    let numbered = |found: Option<Vec<FoundPoint>>| -> Vec<Point> {
        found
            .unwrap_or_default()
            .into_iter()
            .map(|p| Point {
                key: space.encode(&p.outcome),
                utilities: p.utilities,
                outcome: p.outcome,
            })
            .collect()
    };
    let whole = numbered(frontier(&everything)?);
    let feasible = if red_lines {
        numbered(frontier(&allowed_values(scenario, bargainers))?)
    } else {
        whole.clone()
    };
    Ok((whole, feasible))
}

/// The two frontiers by branch and bound, its reasons to stop turned into
/// the analysis's errors.
fn search_frontiers(
    scenario: &Scenario,
    bargainers: &[PartyId],
    red_lines: bool,
    node_limit: u64,
    limits: &Limits<'_>,
) -> Result<(Vec<Point>, Vec<Point>), AnalysisError> {
    frontier_pair(scenario, bargainers, red_lines, |mask| {
        boxes::box_frontier(scenario, bargainers, mask, node_limit, limits).map_err(|e| match e {
            boxes::Stopped::Nodes(nodes) => AnalysisError::SearchTooLarge {
                outcomes: scenario.space().count_f64(),
                nodes,
            },
            boxes::Stopped::Frontier(points) => AnalysisError::FrontierTooLarge {
                points,
                limit: limits.frontier,
            },
            boxes::Stopped::Cancelled => AnalysisError::Cancelled,
        })
    })
}

/// The two frontiers the enumeration built (empty if nothing was
/// enumerated), as points.
fn enumerated_frontiers(
    scenario: &Scenario,
    np: usize,
    red_lines: bool,
    scanned: Option<&ScanResult>,
) -> (Vec<Point>, Vec<Point>) {
    let space = scenario.space();
    let (whole, feasible) = scanned.map_or_else(
        || (FrontierBuilder::new(np), FrontierBuilder::new(np)),
        |r| {
            let feasible = if red_lines { &r.feasible } else { &r.whole };
            (r.whole.clone(), feasible.clone())
        },
    );
    let points = |frontier: FrontierBuilder| -> Vec<Point> {
        frontier
            .into_points()
            .into_iter()
            .map(|(utilities, key)| Point {
                utilities,
                outcome: space.decode(key),
                key: Some(key),
            })
            .collect()
    };
    (points(whole), points(feasible))
}

/// Every party's range: from the enumeration when there was one, otherwise
/// from the utility's extremes where they can be computed without it.
fn party_ranges(
    scenario: &Scenario,
    all: &[PartyId],
    scanned: Option<&ScanResult>,
) -> Vec<PartyRange> {
    let space = scenario.space();
    all.iter()
        .map(|&p| {
            let (best, worst) = match scanned {
                Some(r) => (Some(r.best[p.index()]), Some(r.worst[p.index()])),
                None => {
                    let u = scenario.utility(p);
                    if u.rectangles.is_empty() {
                        match extremes(u, space.radices(), &scenario.parties()[p.index()].name) {
                            Ok((lo, hi)) => (Some(u.finish(hi)), Some(u.finish(lo))),
                            Err(_) => (None, None),
                        }
                    } else {
                        (None, None)
                    }
                }
            };
            PartyRange {
                party: p,
                best,
                worst,
                reservation: scenario.reservation(p),
            }
        })
        .collect()
}

/// Discounts everything at time `t`. Each party's utilities and reservation
/// value are scaled by its own factor; frontiers keep their points (each
/// axis is scaled by a positive constant) but welfare-type solutions can
/// move.
fn discount_at(
    scenario: &Scenario,
    t: f64,
    bargainers: &[PartyId],
    frontiers: [&mut Vec<Point>; 2],
    rv: &mut [f64],
    ranges: &mut [PartyRange],
) {
    let factors: Vec<f64> = bargainers
        .iter()
        .map(|&p| scenario.discount_factor(p, t))
        .collect();
    for pts in frontiers {
        for p in pts.iter_mut() {
            for (u, f) in p.utilities.iter_mut().zip(&factors) {
                *u *= f;
            }
        }
    }
    for (r, f) in rv.iter_mut().zip(&factors) {
        *r *= f;
    }
    for r in ranges.iter_mut() {
        let f = scenario.discount_factor(r.party, t);
        r.best = r.best.map(|x| x * f);
        r.worst = r.worst.map(|x| x * f);
        r.reservation *= f;
    }
}
