//! Baseline strategies: time-dependent tactics, the NegMAS-compatible
//! presets, tit-for-tat, nice tit-for-tat, random, and the chaos strategy
//! used to test failure handling.

use super::catalog::Params;
use super::parts::{
    Acceptance, OpponentModels, Received, accept_or_offer, best_acceptable_utility, faratin_target,
    floor_utility, offer_or_end, pick_near, worst_at_least_or_best,
};
use super::{Context, Decision, Observed, Standing, Strategy};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Width above the target within which the opponent model picks a bid.
const BID_WIDTH: f64 = 0.02;

pub(crate) fn acceptance_from(params: &Params) -> Acceptance {
    match params.text("ac") {
        "const" => Acceptance::Const(params.num("c")),
        "time" => Acceptance::Time(params.num("T")),
        "combi" => Acceptance::Combi(params.num("T")),
        _ => Acceptance::Next {
            alpha: params.num("alpha"),
            beta: params.num("beta"),
        },
    }
}

/// Shared bookkeeping of what the other participants offered.
#[derive(Default)]
pub(crate) struct Memory {
    pub models: Option<OpponentModels>,
    pub received: Received,
}

impl Memory {
    pub fn observe(&mut self, ctx: &Context<'_>, event: Observed<'_>) {
        if event.decision != Decision::Offer {
            return;
        }
        self.models
            .get_or_insert_with(|| OpponentModels::new(ctx.scenario))
            .update(event.by, event.outcome);
        self.received.push(ctx.time, ctx.utility(event.outcome));
    }
}

/// Faratin et al.'s time-dependent tactic with an acceptance condition and
/// a frequency opponent model to choose among bids near the target.
pub struct TimeDependent {
    /// The concession exponent `e` of `f(t)`.
    pub e: f64,
    /// The initial concession `k = f(0)`.
    pub k: f64,
    /// `None`: the party's reservation value (or its worst utility, if
    /// higher).
    pub pmin: Option<f64>,
    /// `None`: the party's best acceptable utility.
    pub pmax: Option<f64>,
    /// When to accept an offer.
    pub acceptance: Acceptance,
    memory: Memory,
}

impl TimeDependent {
    /// The tactic with exponent `e`, initial concession `k`, the default
    /// `pmin` and `pmax`, and an acceptance condition.
    pub fn new(e: f64, k: f64, acceptance: Acceptance) -> TimeDependent {
        TimeDependent {
            e,
            k,
            pmin: None,
            pmax: None,
            acceptance,
            memory: Memory::default(),
        }
    }

    pub(crate) fn from_params(params: &Params) -> TimeDependent {
        let opt = |x: f64| (x >= 0.0).then_some(x);
        TimeDependent {
            pmin: opt(params.num("pmin")),
            pmax: opt(params.num("pmax")),
            ..TimeDependent::new(params.num("e"), params.num("k"), acceptance_from(params))
        }
    }

    /// The target utility at the context's time.
    pub fn target(&self, ctx: &Context<'_>) -> f64 {
        let pmax = self.pmax.unwrap_or_else(|| best_acceptable_utility(ctx));
        let pmin = self.pmin.unwrap_or_else(|| floor_utility(ctx)).min(pmax);
        faratin_target(ctx.time, self.e, self.k, pmin, pmax)
    }
}

impl Strategy for TimeDependent {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        let target = self.target(ctx);
        let bid = pick_near(ctx.own(), target, BID_WIDTH, self.memory.models.as_ref());
        accept_or_offer(ctx, standing, bid, None, offer, |u, next| {
            self.acceptance
                .accepts(u, next, ctx.time, &self.memory.received)
        })
    }

    fn observe(&mut self, ctx: &Context<'_>, event: Observed<'_>) {
        self.memory.observe(ctx, event);
    }

    fn aspiration(&self, ctx: &Context<'_>) -> Option<f64> {
        Some(self.target(ctx))
    }
}

/// NegMAS 0.16's `BoulwareTBNegotiator`, `ConcederTBNegotiator` and
/// `LinearTBNegotiator`, reproduced from their documented behaviour and
/// checked against their recorded runs: the aspiration level is
/// `min + (max - min)(1 - t^e)` over the party's utility range, with
/// `t = (step + 1) / (n_steps + 1)` under a rounds deadline; the party
/// offers the worst outcome worth at least `level - eps` and accepts any
/// offer worth at least `level - eps`. Outcomes of equal utility are taken in
/// issue order. Departure: it never offers or accepts an outcome that
/// crosses its red lines or falls below its reservation value (NegMAS's
/// presets have neither on the compared domains).
pub struct NegmasTimeBased {
    /// The exponent of `t` in the aspiration level (4 Boulware, 1 linear,
    /// 0.25 Conceder).
    pub exponent: f64,
    /// The tolerance below the aspiration level.
    pub eps: f64,
}

impl NegmasTimeBased {
    /// The preset with this exponent and tolerance.
    pub fn new(exponent: f64, eps: f64) -> NegmasTimeBased {
        NegmasTimeBased { exponent, eps }
    }

    /// NegMAS's relative time.
    pub fn time(ctx: &Context<'_>) -> f64 {
        match ctx.total_rounds {
            Some(n) => (ctx.round as f64 + 1.0) / (n as f64 + 1.0),
            None => ctx.time,
        }
    }

    /// The aspiration level at the context's time.
    pub fn level(&self, ctx: &Context<'_>) -> f64 {
        let own = ctx.own();
        let t = Self::time(ctx);
        own.min() + (own.max() - own.min()) * (1.0 - t.powf(self.exponent))
    }
}

impl Strategy for NegmasTimeBased {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        let level = self.level(ctx) - self.eps;
        if let Some(s) = standing
            && ctx.utility(s.outcome) >= level
            && ctx.acceptable(s.outcome)
        {
            return Decision::Accept;
        }
        let bid = worst_at_least_or_best(ctx.own(), level);
        offer_or_end(ctx, bid, offer)
    }

    fn wants_observations(&self) -> bool {
        false
    }

    fn aspiration(&self, ctx: &Context<'_>) -> Option<f64> {
        Some(self.level(ctx) - self.eps)
    }
}

/// Faratin's imitative tactic in its own-utility form: the next target is
/// `u(opponent offer gamma back) / u(opponent last offer) · u(my last offer)`,
/// clamped to `[max(min, rv), max]`. Relative mode copies the last concession
/// (`gamma = 1`); averaged mode the ratio over a window of `gamma` offers. In
/// multilateral sessions "the opponent" is every other party's offers in
/// turn order.
pub struct TitForTat {
    /// How many offers back the concession is measured.
    pub gamma: usize,
    /// When to accept an offer.
    pub acceptance: Acceptance,
    my_last: Option<f64>,
    memory: Memory,
}

impl TitForTat {
    pub(crate) fn from_params(params: &Params) -> TitForTat {
        let gamma = if params.text("mode") == "averaged" {
            params.count("gamma").max(1) as usize
        } else {
            1
        };
        TitForTat {
            gamma,
            acceptance: acceptance_from(params),
            my_last: None,
            memory: Memory::default(),
        }
    }

    /// The target after the offers received so far.
    pub fn target(&self, ctx: &Context<'_>) -> f64 {
        let max = best_acceptable_utility(ctx);
        let min = floor_utility(ctx).min(max);
        let items = &self.memory.received.items;
        let (Some(mine), true) = (self.my_last, items.len() > self.gamma) else {
            return max;
        };
        let then = items[items.len() - 1 - self.gamma].1;
        let now = items[items.len() - 1].1;
        let target = if now > 0.0 { then / now * mine } else { mine };
        target.clamp(min, max)
    }
}

impl Strategy for TitForTat {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        let target = self.target(ctx);
        let own = ctx.own();
        let bid = pick_near(own, target, BID_WIDTH, self.memory.models.as_ref());
        let received = &self.memory.received;
        let decision = accept_or_offer(ctx, standing, bid, None, offer, |u, next| {
            self.acceptance.accepts(u, next, ctx.time, received)
                || (ctx.last_round() && u >= received.best)
        });
        if decision == Decision::Offer {
            self.my_last = bid.map(|b| own.utility(b));
        }
        decision
    }

    fn observe(&mut self, ctx: &Context<'_>, event: Observed<'_>) {
        self.memory.observe(ctx, event);
    }
}

/// Estimated Nash utility for me: the acceptable outcome maximising
/// `(u_me - rv) · score_opponents`, scanning at most about 4096 of my
/// acceptable outcomes spread over my sorted list.
pub(crate) fn nash_estimate(ctx: &Context<'_>, models: &OpponentModels) -> Option<(usize, f64)> {
    let own = ctx.own();
    let rv = ctx.reservation();
    let start = own.next_acceptable(0)?;
    let step = ((own.len() - start) / 4096).max(1);
    let mut best: Option<(usize, f64)> = None;
    let mut i = start;
    while i < own.len() {
        let Some(j) = own.next_acceptable(i) else {
            break;
        };
        let score = (own.utility(j) - rv) * models.score(own.outcome(j));
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((j, score));
        }
        i = j + step;
    }
    best.map(|(j, _)| (j, own.utility(j)))
}

/// Nice tit-for-tat (after Baarslag, Hindriks & Jonker's ANAC 2011 agent):
/// concedes from its best towards its estimated Nash utility in proportion
/// to the opponent's concession (measured from the opponent's first offer),
/// and further near the deadline. Departure: a frequency opponent model
/// instead of the original's Bayesian one.
pub struct NiceTitForTat {
    /// The time after which it concedes further towards its Nash estimate.
    pub bonus_from: f64,
    memory: Memory,
    first: Option<f64>,
    nash: Option<f64>,
    seen: u32,
}

impl NiceTitForTat {
    /// The strategy with its time bonus starting at `bonus_from`.
    pub fn new(bonus_from: f64) -> NiceTitForTat {
        NiceTitForTat {
            bonus_from,
            memory: Memory::default(),
            first: None,
            nash: None,
            seen: 0,
        }
    }

    fn target(&self, ctx: &Context<'_>) -> f64 {
        let max = best_acceptable_utility(ctx);
        let (Some(first), Some(last), Some(nash)) =
            (self.first, self.memory.received.last(), self.nash)
        else {
            return max;
        };
        let nash = nash.min(max);
        let conceded = if nash > first {
            ((last - first) / (nash - first)).clamp(0.0, 1.0)
        } else {
            1.0
        };
        let mut target = max - (max - nash) * conceded;
        if ctx.time > self.bonus_from && self.bonus_from < 1.0 {
            let x = (ctx.time - self.bonus_from) / (1.0 - self.bonus_from);
            target -= (target - nash) * x;
        }
        target.max(nash).max(ctx.reservation())
    }
}

impl Strategy for NiceTitForTat {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        let target = self.target(ctx);
        let bid = pick_near(ctx.own(), target, BID_WIDTH, self.memory.models.as_ref());
        let best = self.memory.received.best;
        accept_or_offer(ctx, standing, bid, None, offer, |u, next| {
            u >= next || (ctx.last_round() && u >= best)
        })
    }

    fn observe(&mut self, ctx: &Context<'_>, event: Observed<'_>) {
        self.memory.observe(ctx, event);
        if event.decision == Decision::Offer {
            self.first.get_or_insert(ctx.utility(event.outcome));
            self.seen += 1;
            // Re-estimating the Nash point costs a scan; do it on a
            // doubling schedule and every 16 offers after that.
            if (self.seen.is_power_of_two() || self.seen.is_multiple_of(16))
                && let Some(m) = &self.memory.models
            {
                self.nash = nash_estimate(ctx, m).map(|x| x.1);
            }
        }
    }
}

/// Offers uniformly random acceptable outcomes (drawn by position in the
/// sorted list, then moved up to the next acceptable one), accepts an
/// acceptable offer with probability `p_accept`, walks away with
/// probability `p_end`.
pub struct RandomStrategy {
    /// The probability of accepting an acceptable offer.
    pub p_accept: f64,
    /// The probability of walking away at each turn.
    pub p_end: f64,
    rng: ChaCha8Rng,
}

impl RandomStrategy {
    /// The strategy with these probabilities and its own seeded stream.
    pub fn new(p_accept: f64, p_end: f64, seed: u64) -> RandomStrategy {
        RandomStrategy {
            p_accept,
            p_end,
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }
}

impl Strategy for RandomStrategy {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        if self.p_end > 0.0 && self.rng.random_bool(self.p_end) {
            return Decision::EndNegotiation;
        }
        if let Some(s) = standing
            && ctx.acceptable(s.outcome)
            && self.rng.random_bool(self.p_accept)
        {
            return Decision::Accept;
        }
        let own = ctx.own();
        let i = self.rng.random_range(0..own.len());
        let bid = own.next_acceptable(i).or_else(|| own.best_acceptable());
        offer_or_end(ctx, bid, offer)
    }
}

/// TEST ONLY: a Boulware strategy that panics from round `panic_at`
/// (when non-zero) or sleeps `sleep_ms` at every call (when non-zero).
pub struct Chaos {
    /// The round from which it panics (0: never).
    pub panic_at: u64,
    /// Milliseconds it sleeps at every call (0: none).
    pub sleep_ms: u64,
    inner: TimeDependent,
}

impl Chaos {
    /// The strategy with these misbehaviours.
    pub fn new(panic_at: u64, sleep_ms: u64) -> Chaos {
        Chaos {
            panic_at,
            sleep_ms,
            inner: TimeDependent::new(
                0.2,
                0.0,
                Acceptance::Next {
                    alpha: 1.0,
                    beta: 0.0,
                },
            ),
        }
    }

    fn misbehave(&self, ctx: &Context<'_>) {
        if self.panic_at > 0 && ctx.round as u64 >= self.panic_at {
            panic!("chaos strategy panics at round {} as asked", ctx.round);
        }
        if self.sleep_ms > 0 {
            std::thread::sleep(std::time::Duration::from_millis(self.sleep_ms));
        }
    }
}

impl Strategy for Chaos {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        self.misbehave(ctx);
        self.inner.act(ctx, standing, offer)
    }

    fn vote(&mut self, ctx: &Context<'_>, text: &[u32], proposal: &[u32]) -> bool {
        self.misbehave(ctx);
        self.inner.vote(ctx, text, proposal)
    }
}
