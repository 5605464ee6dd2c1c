//! The exact Pareto frontier of box utilities (GENIUS's non-linear ANAC 2014
//! profiles) on spaces far too large to enumerate, by branch and bound.
//!
//! Two ideas make it tractable:
//! - **Value classes.** Two values of an issue that every party's boxes
//!   treat alike (each box either contains both or neither) and that have the
//!   same additive terms give every outcome the same utilities, so the search
//!   branches on classes, each represented by its first value.
//! - **Bounds.** A partial assignment bounds each party's utility from above:
//!   what is already certain, plus every box still possible with a positive
//!   utility, plus the best additive term of every issue not yet assigned. A
//!   branch whose bound is already matched by a frontier point for every
//!   party cannot add a point, and is cut.
//!
//! The search visits classes in increasing order of their first value, so
//! leaves come in issue order and the first outcome of each utility vector is
//! kept, as with enumeration. Leaf utilities are evaluated exactly with
//! [`CompiledUtility::eval`].

use crate::frontier::FrontierBuilder;
use crate::{FoundPoint, Limits};
use detente_core::{CompiledUtility, Outcome, PartyId, Scenario};

/// Why the search gave up.
pub enum Stopped {
    /// It visited this many nodes, more than allowed.
    Nodes(u64),
    /// The frontier found so far has this many points, more than allowed.
    Frontier(u64),
    /// The cancel flag was raised.
    Cancelled,
}

/// Nodes visited between two checks of the cancel flag.
const CHECK_EVERY: u64 = 1 << 12;

struct PartyBoxes {
    /// Per box: utility and the number of issues it bounds.
    utility: Vec<f64>,
    bounds: Vec<usize>,
    /// Per issue, per class: the boxes (by index) the class falls outside of.
    kills: Vec<Vec<Vec<usize>>>,
    /// Per issue: the boxes that bound it (to count satisfied bounds).
    bounding: Vec<Vec<usize>>,
    /// Sum of the utilities of boxes that bound no issue.
    always: f64,
    /// Per issue, per class: the additive term.
    terms: Vec<Vec<f64>>,
    /// Suffix sums of each issue's best additive term.
    best_rest: Vec<f64>,
}

struct State {
    alive: Vec<bool>,
    left: Vec<usize>,
    certain: f64,
    pending: f64,
}

/// Searches the frontier of the bargaining `parties` over outcomes whose
/// values are allowed by `allowed`. Utilities must have no factor terms.
pub fn box_frontier(
    scenario: &Scenario,
    parties: &[PartyId],
    allowed: &[Vec<bool>],
    max_nodes: u64,
    limits: &Limits<'_>,
) -> Result<Option<Vec<FoundPoint>>, Stopped> {
    let n = allowed.len();
    let utils: Vec<&CompiledUtility> = parties.iter().map(|&p| scenario.utility(p)).collect();
    let Some(classes) = value_classes(&utils, allowed) else {
        return Ok(None);
    };
    let boxes: Vec<PartyBoxes> = utils.iter().map(|u| party_boxes(u, &classes)).collect();
    let mut states: Vec<State> = boxes.iter().map(PartyBoxes::start).collect();
    let np = parties.len();
    let seeds = seed_points(&utils, &classes);
    let mut search = Search {
        utils: &utils,
        boxes: &boxes,
        classes: &classes,
        frontier: FrontierBuilder::new(np),
        outcome: vec![0; n],
        nodes: 0,
        leaves: 0,
        max_nodes,
        limits,
        ub: vec![0.0; np],
        leaf_u: vec![0.0; np],
        found: Vec::new(),
        seeds,
    };
    search.dfs(0, &mut states)?;
    let keep: std::collections::HashSet<u64> = search
        .frontier
        .into_points()
        .into_iter()
        .map(|(_, k)| k)
        .collect();
    Ok(Some(
        search
            .found
            .into_iter()
            .filter(|(k, _, _)| keep.contains(k))
            .map(|(_, utilities, outcome)| FoundPoint { utilities, outcome })
            .collect(),
    ))
}

/// The value classes of every issue, each represented by its first allowed
/// value: two values are in one class when they have the same additive terms
/// and fall in the same boxes of every party. `None` when some issue has no
/// allowed value.
fn value_classes(utils: &[&CompiledUtility], allowed: &[Vec<bool>]) -> Option<Vec<Vec<u32>>> {
    let mut classes: Vec<Vec<u32>> = Vec::with_capacity(allowed.len());
    for (i, mask) in allowed.iter().enumerate() {
        let mut reps: Vec<(Vec<u64>, u32)> = Vec::new();
        for v in (0..mask.len() as u32).filter(|&v| mask[v as usize]) {
            let mut sig = Vec::new();
            for u in utils {
                sig.push(u.terms[i][v as usize].to_bits());
                for r in u.rectangles.iter() {
                    for &(j, lo, hi) in r.bounds.iter() {
                        if j == i {
                            sig.push((v >= lo && v <= hi) as u64);
                        }
                    }
                }
            }
            if !reps.iter().any(|(s, _)| *s == sig) {
                reps.push((sig, v));
            }
        }
        if reps.is_empty() {
            return None;
        }
        classes.push(reps.into_iter().map(|(_, v)| v).collect());
    }
    Some(classes)
}

/// One party's boxes as the search reads them, indexed by value class.
fn party_boxes(u: &CompiledUtility, classes: &[Vec<u32>]) -> PartyBoxes {
    let n = classes.len();
    let mut kills = vec![Vec::new(); n];
    let mut bounding = vec![Vec::new(); n];
    for i in 0..n {
        kills[i] = vec![Vec::new(); classes[i].len()];
    }
    let mut always = 0.0;
    for (b, r) in u.rectangles.iter().enumerate() {
        if r.bounds.is_empty() {
            always += r.utility;
        }
        for &(i, lo, hi) in r.bounds.iter() {
            bounding[i].push(b);
            for (c, &v) in classes[i].iter().enumerate() {
                if v < lo || v > hi {
                    kills[i][c].push(b);
                }
            }
        }
    }
    let terms: Vec<Vec<f64>> = (0..n)
        .map(|i| classes[i].iter().map(|&v| u.terms[i][v as usize]).collect())
        .collect();
    let mut best_rest = vec![0.0; n + 1];
    for i in (0..n).rev() {
        let best = terms[i].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        best_rest[i] = best_rest[i + 1] + best;
    }
    PartyBoxes {
        utility: u.rectangles.iter().map(|r| r.utility).collect(),
        bounds: u.rectangles.iter().map(|r| r.bounds.len()).collect(),
        kills,
        bounding,
        always,
        terms,
        best_rest,
    }
}

impl PartyBoxes {
    /// The search's state at the root: every box alive, none of its bounds
    /// met, every positive box still possible.
    fn start(&self) -> State {
        State {
            alive: vec![true; self.utility.len()],
            left: self.bounds.clone(),
            certain: self.always,
            pending: self
                .utility
                .iter()
                .zip(&self.bounds)
                .filter(|(_, k)| **k > 0)
                .map(|(u, _)| u.max(0.0))
                .sum(),
        }
    }
}

struct Search<'a> {
    utils: &'a [&'a CompiledUtility],
    boxes: &'a [PartyBoxes],
    classes: &'a [Vec<u32>],
    frontier: FrontierBuilder,
    outcome: Vec<u32>,
    nodes: u64,
    leaves: u64,
    max_nodes: u64,
    limits: &'a Limits<'a>,
    ub: Vec<f64>,
    leaf_u: Vec<f64>,
    /// Every leaf that entered the frontier: (key, utilities, outcome).
    found: Vec<(u64, Vec<f64>, Outcome)>,
    /// Utility vectors of good outcomes found by a quick local search,
    /// used only to cut branches they strictly beat (so that the search
    /// itself still finds every frontier vector, with its first outcome).
    seeds: Vec<Vec<f64>>,
}

impl Search<'_> {
    fn dfs(&mut self, i: usize, states: &mut [State]) -> Result<(), Stopped> {
        self.nodes += 1;
        if self.nodes > self.max_nodes {
            return Err(Stopped::Nodes(self.nodes));
        }
        if self.nodes.is_multiple_of(CHECK_EVERY) && self.limits.cancelled() {
            return Err(Stopped::Cancelled);
        }
        let n = self.classes.len();
        if i == n {
            for (p, u) in self.utils.iter().enumerate() {
                self.leaf_u[p] = u.eval(&self.outcome);
            }
            let key = self.leaves;
            self.leaves += 1;
            // A covered leaf is matched by an earlier outcome (or beaten).
            if !self.frontier.covers(&self.leaf_u) {
                self.frontier.insert(&self.leaf_u, key);
                self.found
                    .push((key, self.leaf_u.clone(), self.outcome.clone()));
                // `found` also keeps points dominated later: it may hold a
                // few times the limit before the search gives up.
                if self.frontier.len() > self.limits.frontier
                    || self.found.len() > self.limits.frontier.saturating_mul(4)
                {
                    return Err(Stopped::Frontier(self.frontier.len() as u64));
                }
            }
            return Ok(());
        }
        for c in 0..self.classes[i].len() {
            self.outcome[i] = self.classes[i][c];
            // Apply: boxes killed by this class, boxes whose last bound this is.
            let mut undo: Vec<(usize, usize, bool, usize)> = Vec::new();
            for (p, b) in self.boxes.iter().enumerate() {
                let st = &mut states[p];
                st.certain += b.terms[i][c];
                for &k in &b.kills[i][c] {
                    if st.alive[k] {
                        st.alive[k] = false;
                        if st.left[k] > 0 {
                            st.pending -= b.utility[k].max(0.0);
                        }
                        undo.push((p, k, true, 0));
                    }
                }
                for &k in &b.bounding[i] {
                    if st.alive[k] {
                        st.left[k] -= 1;
                        undo.push((p, k, false, 1));
                        if st.left[k] == 0 {
                            st.pending -= b.utility[k].max(0.0);
                            st.certain += b.utility[k];
                        }
                    }
                }
            }
            // Bound and prune.
            for (p, b) in self.boxes.iter().enumerate() {
                let raw = states[p].certain + states[p].pending + b.best_rest[i + 1];
                // A little slack so that rounding in the running sums never
                // cuts a branch that holds a frontier point.
                let slack = 1e-9 * (1.0 + raw.abs());
                self.ub[p] = self.utils[p].finish(raw + slack);
            }
            let ub = &self.ub;
            let cut = self.frontier.covers(ub)
                || self.seeds.iter().any(|q| {
                    q.iter().zip(ub).all(|(a, b)| a >= b) && q.iter().zip(ub).any(|(a, b)| a > b)
                });
            let result = if cut { Ok(()) } else { self.dfs(i + 1, states) };
            // Undo in reverse.
            for &(p, k, killed, _) in undo.iter().rev() {
                let b = &self.boxes[p];
                let st = &mut states[p];
                if killed {
                    st.alive[k] = true;
                    if st.left[k] > 0 {
                        st.pending += b.utility[k].max(0.0);
                    }
                } else {
                    if st.left[k] == 0 {
                        st.pending += b.utility[k].max(0.0);
                        st.certain -= b.utility[k];
                    }
                    st.left[k] += 1;
                }
            }
            for (p, b) in self.boxes.iter().enumerate() {
                states[p].certain -= b.terms[i][c];
            }
            result?;
        }
        Ok(())
    }
}

/// Good outcomes for a head start: for a spread of weightings of the
/// parties, coordinate ascent on the weighted sum of utilities, starting
/// from each issue's first class.
fn seed_points(utils: &[&CompiledUtility], classes: &[Vec<u32>]) -> Vec<Vec<f64>> {
    let np = utils.len();
    let n = classes.len();
    let mut seeds: Vec<Vec<f64>> = Vec::new();
    let steps = 20;
    for k in 0..=steps {
        // Weights: for two parties a sweep from one to the other; for more,
        // each party in turn with the rest sharing the remainder.
        let w: Vec<f64> = if np == 2 {
            let a = k as f64 / steps as f64;
            vec![a, 1.0 - a]
        } else {
            let lead = k % np;
            (0..np)
                .map(|p| {
                    if p == lead {
                        0.6
                    } else {
                        0.4 / (np - 1) as f64
                    }
                })
                .collect()
        };
        let score = |o: &[u32]| -> f64 { utils.iter().zip(&w).map(|(u, x)| x * u.eval(o)).sum() };
        let mut o: Vec<u32> = classes.iter().map(|c| c[0]).collect();
        let mut best = score(&o);
        for _round in 0..20 {
            let mut improved = false;
            for i in 0..n {
                let keep = o[i];
                for &v in &classes[i] {
                    o[i] = v;
                    let s = score(&o);
                    if s > best {
                        best = s;
                        improved = true;
                        break;
                    }
                    o[i] = keep;
                }
            }
            if !improved {
                break;
            }
        }
        seeds.push(utils.iter().map(|u| u.eval(&o)).collect());
    }
    seeds
}
