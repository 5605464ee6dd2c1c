//! The parts strategies are composed from: concession curves, acceptance
//! conditions, a frequency opponent model, bid choice near a target, the
//! turn shared by the strategies that aim at a bid ([`accept_or_offer`]),
//! and the vote of the mediated protocol ([`self_interested_vote`]).

use super::{Context, Decision, Observed, Standing};
use crate::space::OwnSpace;
use detente_core::{PartyId, Scenario};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Faratin et al.'s concession fraction `f(t) = k + (1 - k) t^(1/e)`
/// (`f(t) = k` when `e = 0`).
pub fn faratin_f(t: f64, e: f64, k: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    if e == 0.0 {
        k
    } else {
        k + (1.0 - k) * t.powf(1.0 / e)
    }
}

/// The time-dependent target `Pmin + (Pmax - Pmin)(1 - f(t))`.
pub fn faratin_target(t: f64, e: f64, k: f64, pmin: f64, pmax: f64) -> f64 {
    pmin + (pmax - pmin) * (1.0 - faratin_f(t, e, k))
}

/// An acceptance condition (Baarslag, Hindriks & Jonker).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Acceptance {
    /// `AC_next(α, β)`: accept if `α·u(x) + β >= u(my next bid)`.
    Next {
        /// The factor on the offer's utility.
        alpha: f64,
        /// The term added to it.
        beta: f64,
    },
    /// `AC_const(c)`: accept if `u(x) >= c`.
    Const(f64),
    /// `AC_time(T)`: accept if `t >= T`.
    Time(f64),
    /// `AC_combi(T, MAX^W)`: `AC_next(1, 0)`, or `t >= T` and `u(x)` is at
    /// least the best utility received in the last `W = 1 - t` of time.
    Combi(f64),
}

impl Acceptance {
    /// Whether to accept an offer worth `offered` to me, given the utility of
    /// the bid I would make next, the time, and what I received so far.
    /// Rationality (red lines, reservation) is checked by the caller.
    pub fn accepts(&self, offered: f64, next_bid: f64, t: f64, history: &Received) -> bool {
        match *self {
            Acceptance::Next { alpha, beta } => alpha * offered + beta >= next_bid,
            Acceptance::Const(c) => offered >= c,
            Acceptance::Time(limit) => t >= limit,
            Acceptance::Combi(limit) => {
                offered >= next_bid || (t >= limit && offered >= history.best_since(t - (1.0 - t)))
            }
        }
    }
}

/// The utilities (to me) of the offers I received, with their times.
#[derive(Clone, Debug, Default)]
pub struct Received {
    /// `(time, utility)` of every offer received, in order.
    pub items: Vec<(f64, f64)>,
    /// The best utility received (0 before the first offer).
    pub best: f64,
}

impl Received {
    /// Records an offer worth `u` received at time `t`.
    pub fn push(&mut self, t: f64, u: f64) {
        if self.items.is_empty() || u > self.best {
            self.best = u;
        }
        self.items.push((t, u));
    }

    /// The best utility received at or after time `since`
    /// (`-inf` when none).
    pub fn best_since(&self, since: f64) -> f64 {
        let mut best = f64::NEG_INFINITY;
        for &(t, u) in self.items.iter().rev() {
            if t < since {
                break;
            }
            best = best.max(u);
        }
        best
    }

    /// The utility of the last offer received.
    pub fn last(&self) -> Option<f64> {
        self.items.last().map(|x| x.1)
    }
}

/// A frequency model of one opponent: issue weights grow for issues it keeps
/// unchanged between consecutive offers, value counts grow for the values it
/// offers.
#[derive(Clone, Debug, Default)]
pub struct FrequencyModel {
    counts: Vec<Vec<f64>>,
    weights: Vec<f64>,
    last: Vec<u32>,
    offers: u32,
    /// Per issue, the largest count; and the sum of the weights. Kept up to
    /// date by `update`, so that scoring a candidate (done many times per
    /// step) reads them instead of recomputing them.
    max_count: Vec<f64>,
    total_weight: f64,
}

/// How much an issue's weight grows when the opponent keeps it unchanged.
const UNCHANGED_BONUS: f64 = 0.1;

impl FrequencyModel {
    /// A model that has seen no offer yet.
    pub fn new(scenario: &Scenario) -> FrequencyModel {
        let radices = scenario.space().radices();
        FrequencyModel {
            counts: radices.iter().map(|&r| vec![0.0; r as usize]).collect(),
            weights: vec![1.0; radices.len()],
            last: Vec::new(),
            offers: 0,
            max_count: vec![0.0; radices.len()],
            total_weight: radices.len() as f64,
        }
    }

    /// Learns from the opponent's next offer.
    pub fn update(&mut self, offer: &[u32]) {
        if self.last.len() == offer.len() {
            for (i, (&a, &b)) in self.last.iter().zip(offer).enumerate() {
                if a == b {
                    self.weights[i] += UNCHANGED_BONUS;
                }
            }
        }
        for ((c, m), &v) in self.counts.iter_mut().zip(&mut self.max_count).zip(offer) {
            c[v as usize] += 1.0;
            *m = m.max(c[v as usize]);
        }
        self.total_weight = self.weights.iter().sum();
        self.last.clear();
        self.last.extend_from_slice(offer);
        self.offers += 1;
    }

    /// The number of offers seen.
    pub fn offers(&self) -> u32 {
        self.offers
    }

    /// Estimated utility of the outcome to the opponent, in `[0, 1]`.
    pub fn score(&self, outcome: &[u32]) -> f64 {
        if self.offers == 0 {
            return 0.0;
        }
        let mut s = 0.0;
        for (((c, w), &max), &v) in self
            .counts
            .iter()
            .zip(&self.weights)
            .zip(&self.max_count)
            .zip(outcome)
        {
            if max > 0.0 {
                s += w * c[v as usize] / max;
            }
        }
        s / self.total_weight
    }

    /// How often the opponent offered each value, relative to its most
    /// offered value of the issue.
    pub fn value_share(&self, issue: usize, value: u32) -> f64 {
        let c = &self.counts[issue];
        let max = self.max_count[issue];
        if max > 0.0 {
            c[value as usize] / max
        } else {
            0.0
        }
    }
}

/// One frequency model per party (only opponents' are updated).
#[derive(Clone, Debug, Default)]
pub struct OpponentModels {
    /// One model per party of the scenario, by party index.
    pub models: Vec<FrequencyModel>,
}

impl OpponentModels {
    /// Models that have seen no offer yet.
    pub fn new(scenario: &Scenario) -> OpponentModels {
        OpponentModels {
            models: (0..scenario.parties().len())
                .map(|_| FrequencyModel::new(scenario))
                .collect(),
        }
    }

    /// Learns from an offer of party `by`.
    pub fn update(&mut self, by: PartyId, offer: &[u32]) {
        if let Some(m) = self.models.get_mut(by.index()) {
            m.update(offer);
        }
    }

    /// The summed estimated utility of all modelled opponents.
    pub fn score(&self, outcome: &[u32]) -> f64 {
        self.models.iter().map(|m| m.score(outcome)).sum()
    }

    /// True once any opponent has made an offer.
    pub fn any(&self) -> bool {
        self.models.iter().any(|m| m.offers() > 0)
    }
}

/// My best utility among acceptable outcomes (my best utility of all when
/// none is acceptable): where concession curves start.
pub fn best_acceptable_utility(ctx: &Context<'_>) -> f64 {
    let own = ctx.own();
    own.best_acceptable()
        .map(|i| own.utility(i))
        .unwrap_or(own.max())
}

/// The lowest utility worth aiming at: my worst utility, raised to my
/// reservation value.
pub fn floor_utility(ctx: &Context<'_>) -> f64 {
    ctx.own().min().max(ctx.reservation())
}

/// The worst acceptable outcome worth at least `target`, or the best
/// acceptable one when the target is above all: the bid of a strategy that
/// concedes no more than it must.
pub fn worst_at_least_or_best(own: &OwnSpace, target: f64) -> Option<usize> {
    own.worst_acceptable_at_least(target)
        .or_else(|| own.best_acceptable())
}

/// A random acceptable outcome worth at least `target` (drawn by position
/// among those at or above it, then moved up to the next acceptable one),
/// else the worst acceptable one above the target, else the best acceptable
/// one.
pub fn random_bid_at_least(own: &OwnSpace, target: f64, rng: &mut ChaCha8Rng) -> Option<usize> {
    let start = own.first_at_least(target);
    if start < own.len() {
        let i = rng.random_range(start..own.len());
        own.next_acceptable(i)
            .or_else(|| own.worst_acceptable_at_least(target))
    } else {
        None
    }
    .or_else(|| own.best_acceptable())
}

/// Offers my outcome at sorted position `bid`, or walks away without one.
pub fn offer_or_end(ctx: &Context<'_>, bid: Option<usize>, offer: &mut [u32]) -> Decision {
    match bid {
        Some(i) => {
            offer.copy_from_slice(ctx.own().outcome(i));
            Decision::Offer
        }
        None => Decision::EndNegotiation,
    }
}

/// Most candidates examined when choosing a bid near a target.
pub const CANDIDATES: usize = 64;

/// The bid at or above `target` (within `width` above the worst such bid)
/// that the opponent models rate best, among acceptable outcomes. Without
/// opponent data: the worst acceptable outcome at or above the target.
/// Falls back to the best acceptable outcome when the target is above all.
pub fn pick_near(
    own: &OwnSpace,
    target: f64,
    width: f64,
    models: Option<&OpponentModels>,
) -> Option<usize> {
    let Some(start) = own.worst_acceptable_at_least(target) else {
        return own.best_acceptable();
    };
    let Some(models) = models.filter(|m| m.any()) else {
        return Some(start);
    };
    let limit = own.utility(start) + width;
    let mut best = start;
    let mut best_score = models.score(own.outcome(start));
    let mut i = start + 1;
    let mut seen = 1;
    while seen < CANDIDATES {
        let Some(j) = own.next_acceptable(i) else {
            break;
        };
        if own.utility(j) > limit {
            break;
        }
        let s = models.score(own.outcome(j));
        if s > best_score {
            best = j;
            best_score = s;
        }
        seen += 1;
        i = j + 1;
    }
    Some(best)
}

/// The turn shared by the strategies that aim at a bid: without a bid, walk
/// away; accept the standing offer when it is acceptable to me (red lines,
/// reservation value) and `accept(u(offer), u(bid))` says so; otherwise
/// offer `instead`, when given, or the bid.
pub fn accept_or_offer(
    ctx: &Context<'_>,
    standing: Option<Standing<'_>>,
    bid: Option<usize>,
    instead: Option<&[u32]>,
    offer: &mut [u32],
    accept: impl FnOnce(f64, f64) -> bool,
) -> Decision {
    let Some(bid) = bid else {
        return Decision::EndNegotiation;
    };
    let own = ctx.own();
    if let Some(s) = standing
        && ctx.acceptable(s.outcome)
        && accept(ctx.utility(s.outcome), own.utility(bid))
    {
        return Decision::Accept;
    }
    offer.copy_from_slice(instead.unwrap_or_else(|| own.outcome(bid)));
    Decision::Offer
}

/// The best offer received, by my utility.
#[derive(Clone, Debug, Default)]
pub struct BestReceived {
    utility: f64,
    outcome: Vec<u32>,
}

impl BestReceived {
    /// Keeps `o` if it is worth more to me (`u`) than the best so far.
    pub fn update(&mut self, u: f64, o: &[u32]) {
        if self.outcome.is_empty() || u > self.utility {
            self.utility = u;
            self.outcome.clear();
            self.outcome.extend_from_slice(o);
        }
    }

    /// Keeps an observed offer if it is worth more to me than the best so
    /// far; other events change nothing.
    pub fn observe(&mut self, ctx: &Context<'_>, event: Observed<'_>) {
        if event.decision == Decision::Offer {
            self.update(ctx.utility(event.outcome), event.outcome);
        }
    }

    /// The best offer received and its utility to me, if any.
    pub fn get(&self) -> Option<(f64, &[u32])> {
        (!self.outcome.is_empty()).then_some((self.utility, self.outcome.as_slice()))
    }

    /// The best offer received, when it is acceptable to me and worth at
    /// least `floor`: the offer worth making again.
    pub fn at_least(&self, ctx: &Context<'_>, floor: f64) -> Option<(f64, &[u32])> {
        self.get().filter(|&(u, o)| u >= floor && ctx.acceptable(o))
    }
}

/// The default vote on a change of the single text: for a change that
/// crosses fewer of my red lines; against one that crosses more; otherwise
/// for it when it is worth at least as much to me as the text, or (when
/// `aspiration` is given) at least my current aspiration.
pub fn self_interested_vote(
    ctx: &Context<'_>,
    text: &[u32],
    proposal: &[u32],
    aspiration: Option<f64>,
) -> bool {
    let red = ctx.scenario.red_lines(ctx.me);
    let crossed = |o: &[u32]| ctx.scenario.red_lines_crossed(ctx.me, o).len();
    let (now, then) = if red.is_empty() {
        (0, 0)
    } else {
        (crossed(text), crossed(proposal))
    };
    if then != now {
        return then < now;
    }
    let (a, b) = (ctx.utility(text), ctx.utility(proposal));
    b >= a || aspiration.is_some_and(|x| b >= x && b >= ctx.reservation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faratin_curve_matches_its_formula() {
        // Boulware (e = 0.2), linear, Conceder (e = 2), hardliner (e = 0).
        for &(e, k) in &[(0.2, 0.0), (1.0, 0.0), (2.0, 0.0), (0.0, 0.0), (0.5, 0.1)] {
            for i in 0..=20 {
                let t = i as f64 / 20.0;
                let expect = if e == 0.0 {
                    k
                } else {
                    k + (1.0 - k) * t.powf(1.0 / e)
                };
                assert_eq!(faratin_f(t, e, k), expect);
                let p = faratin_target(t, e, k, 0.3, 0.9);
                assert!((p - (0.3 + 0.6 * (1.0 - expect))).abs() < 1e-15);
            }
        }
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        assert!(close(faratin_target(0.0, 0.2, 0.0, 0.3, 0.9), 0.9));
        assert!(close(faratin_target(1.0, 0.2, 0.0, 0.3, 0.9), 0.3));
        assert!(close(faratin_target(1.0, 0.0, 0.0, 0.3, 0.9), 0.9));
        // Boulware stays above linear, which stays above Conceder.
        let t = 0.5;
        let b = faratin_target(t, 0.2, 0.0, 0.0, 1.0);
        let l = faratin_target(t, 1.0, 0.0, 0.0, 1.0);
        let c = faratin_target(t, 2.0, 0.0, 0.0, 1.0);
        assert!(b > l && l > c);
        assert_eq!(l, 0.5);
    }

    #[test]
    fn acceptance_conditions_match_their_definitions() {
        let mut h = Received::default();
        h.push(0.1, 0.5);
        h.push(0.6, 0.7);
        h.push(0.9, 0.6);
        let next = Acceptance::Next {
            alpha: 1.0,
            beta: 0.0,
        };
        assert!(next.accepts(0.8, 0.8, 0.0, &h));
        assert!(!next.accepts(0.79, 0.8, 0.0, &h));
        let scaled = Acceptance::Next {
            alpha: 1.02,
            beta: 0.0,
        };
        assert!(scaled.accepts(0.79, 0.8, 0.0, &h));
        let shifted = Acceptance::Next {
            alpha: 1.0,
            beta: 0.05,
        };
        assert!(shifted.accepts(0.76, 0.8, 0.0, &h));
        assert!(Acceptance::Const(0.6).accepts(0.6, 1.0, 0.0, &h));
        assert!(!Acceptance::Const(0.6).accepts(0.59, 0.0, 0.0, &h));
        assert!(Acceptance::Time(0.9).accepts(0.0, 1.0, 0.9, &h));
        assert!(!Acceptance::Time(0.9).accepts(1.0, 1.0, 0.89, &h));
        // combi at t = 0.95: window 0.05 -> received since 0.9: best 0.6.
        let combi = Acceptance::Combi(0.9);
        assert!(combi.accepts(0.6, 0.99, 0.95, &h));
        assert!(!combi.accepts(0.59, 0.99, 0.95, &h));
        assert!(!combi.accepts(0.6, 0.99, 0.85, &h));
        assert!(combi.accepts(0.99, 0.99, 0.1, &h));
        // at t = 0.7 the window reaches back to 0.4: best 0.7
        assert!(!Acceptance::Combi(0.5).accepts(0.65, 0.99, 0.7, &h));
    }

    #[test]
    fn frequency_model_learns_values_and_weights() {
        let s = crate::space::tests_support::small();
        let mut m = FrequencyModel::new(&s);
        m.update(&[0, 1]);
        m.update(&[0, 2]);
        m.update(&[0, 1]);
        // Issue 0 was kept twice, issue 1 never: issue 0 weighs more, and
        // value 0 of issue 0 is its favourite.
        assert!(m.score(&[0, 0]) > m.score(&[1, 1]));
        assert!(m.score(&[0, 1]) > m.score(&[0, 2]));
        assert_eq!(m.value_share(1, 1), 1.0);
        assert_eq!(m.value_share(1, 2), 0.5);
    }
}
