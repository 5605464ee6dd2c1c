//! The SMP turn: challenges, bargains, resolution, ideals, and the stop rule.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::ops::ControlFlow;

use crate::model::Model;
use crate::params::{BargnModel, InterVecBrgn, Params, StateTransitions};
use crate::pce::{Square, big_r, distance, est_risk, scalar_pce, util, vote};

mod bargain;
use bargain::propose;
#[cfg(test)]
use bargain::round4;

/// Most turns before the run stops regardless of movement.
pub const MAX_TURNS: usize = 100;
/// Fewest turns before the convergence test applies.
const MIN_TURNS: usize = 2;
/// Stop when a turn moves less than this fraction of the first turn.
const MIN_DELTA_RATIO: f64 = 0.02;
/// Added to the first turn's movement to avoid 0/0.
const MIN_SIG_DELTA: f64 = 1e-4;
/// A challenge must promise at least this expected gain.
const MIN_SIG_GAIN: f64 = 1e-5;
/// Positions closer than this (Euclidean, on [0, 1]) count as one.
pub const POS_TOL: f64 = 1e-3;

/// Which of the bargains a challenge produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perspective {
    /// Interpolated with the initiator's estimate of its chance of winning.
    Initiator,
    /// Interpolated from the receiver's point of view (quirk Q1 in KTAB mode).
    Receiver,
    /// The power-weighted compromise of the two (quirk Q2 in KTAB mode).
    Compromise,
}

/// A bargain proposed in a turn.
#[derive(Clone, Debug, PartialEq)]
pub struct Bargain {
    /// The challenger, by index into `Model::actors`.
    pub initiator: usize,
    /// The challenged actor, by index into `Model::actors`.
    pub receiver: usize,
    /// Which of the challenge's bargains this is.
    pub perspective: Perspective,
    /// The position offered to the initiator (`[0, 1]` scale, one per dimension).
    pub initiator_position: Vec<f64>,
    /// The position offered to the receiver.
    pub receiver_position: Vec<f64>,
}

/// Why an actor is where it is at a turn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    /// Turn 0: the input position.
    Initial,
    /// The actor kept its position (its status-quo bargain won its queue).
    Stayed,
    /// The actor adopted its side of bargain `bargain` of the previous turn
    /// (an index into that turn's [`Turn::bargains`]).
    Bargain {
        /// The index of the bargain in the previous turn's bargains.
        bargain: usize,
        /// The bargain's initiator, by index into `Model::actors`.
        initiator: usize,
        /// The bargain's receiver, by index into `Model::actors`.
        receiver: usize,
    },
}

/// The challenge an actor made from a state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Challenge {
    /// The challenged actor, by index into `Model::actors`.
    pub target: usize,
    /// The challenger's estimate of its probability of winning.
    pub prob: f64,
    /// The challenger's expected utility gain (KTAB's "2x" scale).
    pub gain: f64,
}

/// One state of the run.
#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    /// Row-major `actors x dimensions`, on `[0, 1]`.
    pub positions: Vec<f64>,
    /// Ideal points, same layout.
    pub ideals: Vec<f64>,
    /// Inferred risk attitudes.
    pub risk: Vec<f64>,
    /// The probability that each actor's position (its class of equivalent
    /// positions) wins, as KTAB's "History of actors' winning probabilities".
    pub win_prob: Vec<f64>,
    /// How each actor got here.
    pub moves: Vec<Move>,
    /// Challenges made from this state (empty for the last state).
    pub challenges: Vec<Option<Challenge>>,
    /// Bargains proposed from this state (empty for the last state).
    pub bargains: Vec<Bargain>,
}

/// Why the run stopped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StopReason {
    /// The last turn moved less than 2% of the first (`ratio`).
    Converged {
        /// The last turn's movement as a fraction of the first turn's.
        ratio: f64,
    },
    /// [`MAX_TURNS`] turns were run.
    MaxTurns,
    /// The observer of [`run_observed`] asked to stop.
    Cancelled,
}

/// The result of a run: every state from the input (turn 0) to the last.
#[derive(Clone, Debug, PartialEq)]
pub struct Forecast {
    /// The number of actors, the row count of every per-turn matrix.
    pub actors: usize,
    /// The number of dimensions, the column count of `Turn::positions` and `Turn::ideals`.
    pub dims: usize,
    /// Every state from the input (turn 0) to the last.
    pub turns: Vec<Turn>,
    /// Why the run stopped.
    pub stop: StopReason,
}

impl Forecast {
    /// The number of turns run (states minus one).
    pub fn num_turns(&self) -> usize {
        self.turns.len() - 1
    }
    /// The position of `actor` on `dim` at `turn`, on `[0, 1]`.
    pub fn position(&self, turn: usize, actor: usize, dim: usize) -> f64 {
        self.turns[turn].positions[actor * self.dims + dim]
    }
    /// The last state: the forecast itself.
    pub fn last(&self) -> &Turn {
        &self.turns[self.turns.len() - 1]
    }
    /// Whether every position, ideal, risk attitude and win probability is
    /// a finite number. Validated models give finite forecasts; this is the
    /// check that says so before a result is printed.
    pub fn is_finite(&self) -> bool {
        self.turns.iter().all(|t| {
            [&t.positions, &t.ideals, &t.risk, &t.win_prob]
                .into_iter()
                .all(|v| v.iter().all(|x| x.is_finite()))
        })
    }
}

/// Below this many actors a turn is too small to repay thread hand-offs.
const PARALLEL_MIN_ACTORS: usize = 20;

/// `f(0..n)` in order, on the rayon pool when `n` is large enough. Each
/// item is computed independently, so the result is identical either way.
fn map_indices<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync + Send) -> Vec<T> {
    if n < PARALLEL_MIN_ACTORS {
        (0..n).map(f).collect()
    } else {
        (0..n).into_par_iter().map(f).collect()
    }
}

/// Fixed data of a run.
struct Ctx<'a> {
    n: usize,
    k: usize,
    caps: Vec<f64>,
    sal: Vec<f64>,
    tot_sal: Vec<f64>,
    accommodation: &'a [f64],
    params: Params,
}

impl Ctx<'_> {
    #[inline]
    fn sal(&self, i: usize) -> &[f64] {
        &self.sal[i * self.k..(i + 1) * self.k]
    }
}

/// A state with everything its turn needs.
struct State {
    pos: Vec<f64>,
    ideal: Vec<f64>,
    /// `dist(i, j)`: i's salience-weighted distance from its ideal to j's position.
    dist: Square,
    risk: Vec<f64>,
    /// `self_util(a, m)`: a's utility of m's position (KTAB's `aUtil[a](a, m)`).
    self_util: Square,
}

impl State {
    #[inline]
    fn pos(&self, i: usize, k: usize) -> &[f64] {
        &self.pos[i * k..(i + 1) * k]
    }
    #[inline]
    fn ideal(&self, i: usize, k: usize) -> &[f64] {
        &self.ideal[i * k..(i + 1) * k]
    }
}

fn setup(ctx: &Ctx, pos: Vec<f64>, ideal: Vec<f64>) -> State {
    let (n, k) = (ctx.n, ctx.k);
    let mut dist = Square::zeros(n);
    for i in 0..n {
        for j in 0..n {
            let d = distance(
                &ideal[i * k..(i + 1) * k],
                &pos[j * k..(j + 1) * k],
                ctx.sal(i),
            );
            dist.set(i, j, d);
        }
    }
    // Risk-neutral election over the actors' positions, capability-weighted.
    let rule = ctx.params.voting_rule;
    let rows: Vec<Vec<(f64, f64)>> = map_indices(n, |i| {
        (0..i)
            .map(|j| {
                let (mut cij, mut cji) = (1e-8, 1e-8);
                for v in 0..n {
                    let x = vote(
                        rule,
                        ctx.caps[v],
                        util(dist.at(v, i), 0.0),
                        util(dist.at(v, j), 0.0),
                    );
                    if x > 0.0 {
                        cij += x;
                    }
                    if x < 0.0 {
                        cji -= x;
                    }
                }
                (cij, cji)
            })
            .collect()
    });
    let mut c = Square::zeros(n);
    for (i, row) in rows.iter().enumerate() {
        for (j, &(cij, cji)) in row.iter().enumerate() {
            c.set(i, j, cij);
            c.set(j, i, cji);
        }
        c.set(i, i, 1e-8);
    }
    let p = crate::pce::pce(ctx.params.pce, ctx.params.victory_prob, &c);
    let risk = big_r(&p, ctx.params.big_r_range);
    let mut self_util = Square::zeros(n);
    for a in 0..n {
        let r = est_risk(risk[a], risk[a], ctx.params.big_r_adjust);
        for m in 0..n {
            self_util.set(a, m, util(dist.at(a, m), r));
        }
    }
    State {
        pos,
        ideal,
        dist,
        risk,
        self_util,
    }
}

/// An entry of an actor's queue: its status quo or a proposed bargain.
#[derive(Clone, Copy)]
enum Entry {
    StatusQuo,
    Proposed(usize),
}

/// The probabilities, for actor k, of each bargain in its queue.
fn queue_probs(ctx: &Ctx, s: &State, bargains: &[Bargain], queue: &[Entry]) -> Vec<f64> {
    let (n, k) = (ctx.n, ctx.k);
    let nb = queue.len();
    // u[a * nb + b]: actor a's utility of the state after bargain b
    // (the mean utility of all n positions, as KTAB's `brgnStateUtil`).
    let mut u = vec![0.0; n * nb];
    for a in 0..n {
        for (b, e) in queue.iter().enumerate() {
            let mut sum = 0.0;
            match *e {
                Entry::StatusQuo => {
                    for m in 0..n {
                        sum += s.self_util.at(a, m);
                    }
                }
                Entry::Proposed(id) => {
                    let br = &bargains[id];
                    let ideal = s.ideal(a, k);
                    let sal = ctx.sal(a);
                    sum += util(distance(ideal, &br.initiator_position, sal), s.risk[a]);
                    sum += util(distance(ideal, &br.receiver_position, sal), s.risk[a]);
                    for m in 0..n {
                        if m != br.initiator && m != br.receiver {
                            sum += s.self_util.at(a, m);
                        }
                    }
                }
            }
            u[a * nb + b] = sum / n as f64;
        }
    }
    scalar_pce(
        &ctx.caps,
        nb,
        |v, b| u[v * nb + b],
        ctx.params.voting_rule,
        ctx.params.victory_prob,
        ctx.params.pce,
    )
}

/// The index of the first largest probability.
fn first_max(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, &x) in p.iter().enumerate() {
        if x.abs() > p[best].abs() {
            best = i;
        }
    }
    best
}

/// A uniform draw in [0, 1) with 53 random bits.
fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

fn draw(p: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let x = uniform(rng);
    let mut acc = 0.0;
    for (i, &pi) in p.iter().enumerate() {
        acc += pi;
        if x < acc {
            return i;
        }
    }
    p.len() - 1
}

/// KTAB's "History of actors' winning probabilities" for one state.
fn win_probs(ctx: &Ctx, s: &State) -> Vec<f64> {
    let (n, k) = (ctx.n, ctx.k);
    let equiv = |i: usize, j: usize| {
        let d: f64 = s
            .pos(i, k)
            .iter()
            .zip(s.pos(j, k))
            .fold(0.0, |acc, (a, b)| acc + (a - b) * (a - b));
        d.sqrt() < POS_TOL
    };
    let mut unique: Vec<usize> = Vec::new();
    for i in 0..n {
        if !unique.iter().any(|&j| equiv(i, j)) {
            unique.push(i);
        }
    }
    let p = scalar_pce(
        &ctx.caps,
        unique.len(),
        |v, m| s.self_util.at(v, unique[m]),
        ctx.params.voting_rule,
        ctx.params.victory_prob,
        ctx.params.pce,
    );
    (0..n)
        .map(|i| {
            // KTAB takes the last equivalent class representative.
            let c = (0..unique.len())
                .rev()
                .find(|&c| equiv(i, unique[c]))
                .unwrap_or(0);
            p[c]
        })
        .collect()
}

fn state_dist(k: usize, a: &[f64], b: &[f64]) -> f64 {
    let mut total = 0.0;
    for (pa, pb) in a.chunks(k).zip(b.chunks(k)) {
        let sq = pa
            .iter()
            .zip(pb)
            .fold(0.0, |acc, (x, y)| acc + (x - y) * (x - y));
        total += sq.sqrt();
    }
    total
}

/// Runs the spatial model of politics on `model` until the stop rule fires.
pub fn run(model: &Model) -> Forecast {
    run_observed(model, |_, _| ControlFlow::Continue(()))
}

/// As [`run`], calling `observe` with each state's index and the state as
/// soon as it exists (turn 0 first; a state's challenges and bargains are
/// filled in with the next turn; the final state is not observed).
/// Returning `ControlFlow::Break` stops the run there
/// ([`StopReason::Cancelled`]), e.g. for a progress display with a cancel
/// button.
pub fn run_observed(
    model: &Model,
    mut observe: impl FnMut(usize, &Turn) -> ControlFlow<()>,
) -> Forecast {
    let ctx = Ctx::new(model);
    let (n, k) = (ctx.n, ctx.k);
    let mut rng = ChaCha8Rng::seed_from_u64(model.seed());
    let pos0: Vec<f64> = model
        .actors()
        .iter()
        .flat_map(|a| a.position.iter().copied())
        .collect();
    let mut state = setup(&ctx, pos0.clone(), pos0);
    let mut turns = vec![observed(&ctx, &state, vec![Move::Initial; n])];
    let mut d01 = 0.0;
    let mut iter = 0;
    let mut stop = observe(0, &turns[0])
        .is_break()
        .then_some(StopReason::Cancelled);
    while stop.is_none() {
        iter += 1;
        let Proposals {
            challenges,
            bargains,
            queues,
        } = proposals(&ctx, &state);
        let (pos, moves) = resolve_queues(&ctx, &state, &bargains, &queues, &mut rng);
        let ideal = accommodate(&ctx, &state, &pos);
        let last = turns.len() - 1;
        turns[last].challenges = challenges;
        turns[last].bargains = bargains;
        let prev_pos = std::mem::take(&mut state.pos);
        state = setup(&ctx, pos, ideal);
        let dxy = state_dist(k, &prev_pos, &state.pos);
        if iter == 1 {
            d01 = dxy + MIN_SIG_DELTA;
        }
        turns.push(observed(&ctx, &state, moves));
        let ratio = dxy / d01;
        if MAX_TURNS <= iter {
            stop = Some(StopReason::MaxTurns);
        } else if MIN_TURNS <= iter && ratio < MIN_DELTA_RATIO {
            stop = Some(StopReason::Converged { ratio });
        } else if observe(iter, &turns[iter]).is_break() {
            stop = Some(StopReason::Cancelled);
        }
    }
    let stop = stop.unwrap_or(StopReason::MaxTurns);
    Forecast {
        actors: n,
        dims: k,
        turns,
        stop,
    }
}

impl<'a> Ctx<'a> {
    /// What every turn of a run of `model` reads: sizes, capabilities,
    /// saliences, accommodation and parameters.
    fn new(model: &'a Model) -> Self {
        Ctx {
            n: model.actors().len(),
            k: model.dimensions().len(),
            caps: model.actors().iter().map(|a| a.capability).collect(),
            sal: model
                .actors()
                .iter()
                .flat_map(|a| a.salience.iter().copied())
                .collect(),
            tot_sal: model.actors().iter().map(|a| a.total_salience()).collect(),
            accommodation: model.accommodation(),
            params: *model.params(),
        }
    }
}

/// The record of a state as observers see it; its challenges and bargains
/// are filled in by the next turn.
fn observed(ctx: &Ctx, state: &State, moves: Vec<Move>) -> Turn {
    Turn {
        positions: state.pos.clone(),
        ideals: state.ideal.clone(),
        risk: state.risk.clone(),
        win_prob: win_probs(ctx, state),
        moves,
        challenges: Vec::new(),
        bargains: Vec::new(),
    }
}

/// What the actors propose in one turn.
struct Proposals {
    /// Each actor's challenge, if it makes one.
    challenges: Vec<Option<Challenge>>,
    /// Every bargain proposed, numbered in actor order.
    bargains: Vec<Bargain>,
    /// Each actor's queue: its status quo, then the bargains it proposed or
    /// receives.
    queues: Vec<Vec<Entry>>,
}

/// Steps (a)-(c) of a turn: every actor's challenge and bargains, computed
/// in parallel, then numbered in actor order.
fn proposals(ctx: &Ctx, state: &State) -> Proposals {
    let n = ctx.n;
    let proposals: Vec<(Option<Challenge>, Vec<Bargain>)> =
        map_indices(n, |i| propose(ctx, state, i));
    let mut bargains = Vec::new();
    let mut queues: Vec<Vec<Entry>> = vec![Vec::new(); n];
    let mut challenges = Vec::with_capacity(n);
    for (i, (ch, bs)) in proposals.into_iter().enumerate() {
        queues[i].push(Entry::StatusQuo);
        challenges.push(ch);
        let first = bargains.len();
        let count = bs.len();
        bargains.extend(bs);
        if let Some(ch) = ch {
            for id in first..first + count {
                queues[i].push(Entry::Proposed(id));
            }
            for id in first..first + count {
                queues[ch.target].push(Entry::Proposed(id));
            }
        }
    }
    Proposals {
        challenges,
        bargains,
        queues,
    }
}

/// Step (d) of a turn: each actor resolves its own queue (the most likely
/// entry, or a draw from the queue's probabilities) and moves there.
/// Returns the new positions and how each actor got there.
fn resolve_queues(
    ctx: &Ctx,
    state: &State,
    bargains: &[Bargain],
    queues: &[Vec<Entry>],
    rng: &mut ChaCha8Rng,
) -> (Vec<f64>, Vec<Move>) {
    let (n, k) = (ctx.n, ctx.k);
    let probs: Vec<Vec<f64>> = map_indices(n, |a| queue_probs(ctx, state, bargains, &queues[a]));
    let mut pos = vec![0.0; n * k];
    let mut moves = Vec::with_capacity(n);
    for a in 0..n {
        let chosen = match ctx.params.transitions {
            StateTransitions::Deterministic => first_max(&probs[a]),
            StateTransitions::Stochastic => draw(&probs[a], rng),
        };
        let dst = &mut pos[a * k..(a + 1) * k];
        match queues[a][chosen] {
            Entry::StatusQuo => {
                dst.copy_from_slice(state.pos(a, k));
                moves.push(Move::Stayed);
            }
            Entry::Proposed(id) => {
                let b = &bargains[id];
                if b.initiator == a {
                    dst.copy_from_slice(&b.initiator_position);
                } else {
                    dst.copy_from_slice(&b.receiver_position);
                }
                moves.push(Move::Bargain {
                    bargain: id,
                    initiator: b.initiator,
                    receiver: b.receiver,
                });
            }
        }
    }
    (pos, moves)
}

/// Step (e) of a turn: ideals follow the new positions through the
/// accommodation matrix, keeping the old ideal for what the row leaves.
fn accommodate(ctx: &Ctx, state: &State, pos: &[f64]) -> Vec<f64> {
    let (n, k) = (ctx.n, ctx.k);
    let mut ideal = vec![0.0; n * k];
    for i in 0..n {
        let mut si = 0.0;
        let row = &mut ideal[i * k..(i + 1) * k];
        for j in 0..n {
            let aij = ctx.accommodation[i * n + j];
            si += aij;
            for d in 0..k {
                row[d] += aij * pos[j * k + d];
            }
        }
        let lag = 1.0 - if si > 1.0 { 1.0 } else { si };
        for d in 0..k {
            row[d] += lag * state.ideal[i * k + d];
        }
    }
    ideal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observers_can_cancel() {
        let actors = vec![
            crate::Actor::new("a", 100.0, vec![0.1], vec![0.8]),
            crate::Actor::new("b", 60.0, vec![0.5], vec![0.5]),
            crate::Actor::new("c", 80.0, vec![0.9], vec![0.6]),
        ];
        let model = Model::new(vec!["x".into()], actors).unwrap();
        let mut seen = Vec::new();
        let f = run_observed(&model, |t, _| {
            seen.push(t);
            if t == 1 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        assert_eq!(seen, [0, 1]);
        assert_eq!(f.stop, StopReason::Cancelled);
        assert_eq!(f.num_turns(), 1);
    }

    #[test]
    fn round4_is_half_up() {
        assert_eq!(round4(0.12345), 0.1235);
        assert_eq!(round4(0.5), 0.5);
        assert_eq!(round4(0.99996), 1.0);
    }
}
