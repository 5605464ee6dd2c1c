//! ANAC champions, written from the descriptions in
//! `shared/specs/anac-agents.md` and their papers (never from GENIUS or
//! NegMAS code). Utilities are on each party's own scale; where an original
//! assumes utilities in `[0, 1]` with 1 the best, "1" here is the party's
//! best acceptable utility. Every agent is rational: it never offers or
//! accepts an outcome across its red lines or below its reservation value.

use super::builtin::Memory;
use super::parts::{
    BestReceived, accept_or_offer, best_acceptable_utility, floor_utility, offer_or_end, pick_near,
    random_bid_at_least, worst_at_least_or_best,
};
use super::{Context, Decision, Observed, Standing, Strategy};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// AgentK (ANAC 2010). Keeps the mean and variance of the utilities of the
/// opponents' offers and estimates the best it can expect as
/// `mean + (1 - mean)·deviation`; its target falls from its best along
/// `best - t^a (best - estimate)` with `a = 1 + 5·mean` (a generous opponent
/// keeps it tough) plus a random tremor. Bids: re-offers the opponents' best
/// offer when it beats the target, else a random acceptable bid above the
/// target. Accepts offers above the target, and offers above the estimate
/// with a probability growing with time and with how far they exceed it.
/// Departures: the exponent's dependence on the mean and the acceptance
/// probability `t^3 (u - estimate) / (target - estimate)` are our choices
/// (the description gives their direction only).
pub struct AgentK {
    tremor: f64,
    rng: ChaCha8Rng,
    n: f64,
    sum: f64,
    sumsq: f64,
    best: BestReceived,
}

impl AgentK {
    /// The agent with this tremor of its target and its own seeded stream.
    pub fn new(tremor: f64, seed: u64) -> AgentK {
        AgentK {
            tremor,
            rng: ChaCha8Rng::seed_from_u64(seed),
            n: 0.0,
            sum: 0.0,
            sumsq: 0.0,
            best: BestReceived::default(),
        }
    }

    fn estimate(&self, best: f64) -> (f64, f64) {
        if self.n == 0.0 {
            return (best, 0.0);
        }
        let mean = self.sum / self.n;
        let var = (self.sumsq / self.n - mean * mean).max(0.0);
        let est = (mean + (best - mean) * var.sqrt()).min(best);
        (est, mean)
    }
}

impl Strategy for AgentK {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        let best = best_acceptable_utility(ctx);
        let floor = floor_utility(ctx).min(best);
        let (est, mean) = self.estimate(best);
        let a = 1.0 + 5.0 * mean.max(0.0);
        let noise = self.tremor * (self.rng.random::<f64>() - 0.5) * 2.0;
        let target = (best - ctx.time.powf(a) * (best - est) + noise).clamp(floor, best);
        if let Some(s) = standing
            && ctx.acceptable(s.outcome)
        {
            let u = ctx.utility(s.outcome);
            if u >= target {
                return Decision::Accept;
            }
            if u > est && target > est {
                let p = ctx.time.powi(3) * (u - est) / (target - est);
                if self.rng.random::<f64>() < p {
                    return Decision::Accept;
                }
            }
        }
        if let Some((_, o)) = self.best.at_least(ctx, target) {
            offer.copy_from_slice(o);
            return Decision::Offer;
        }
        let bid = random_bid_at_least(ctx.own(), target, &mut self.rng);
        offer_or_end(ctx, bid, offer)
    }

    fn observe(&mut self, ctx: &Context<'_>, event: Observed<'_>) {
        if event.decision == Decision::Offer {
            let u = ctx.utility(event.outcome);
            self.n += 1.0;
            self.sum += u;
            self.sumsq += u * u;
            self.best.update(u, event.outcome);
        }
    }
}

/// HardHeaded (ANAC 2011). Boulware concession `F(t) = Ka + (1 - Ka) t^(1/e)`
/// with `Ka = 0.05`, `e = 0.05`, from its best utility down to a floor of
/// 0.585 (time divided by δ when δ < 0.9); among the bids within 0.01 above
/// the current level it offers the one a frequency opponent model rates best;
/// it re-offers the opponents' best offer when that beats its planned bid.
/// Accepts an offer worth at least the lowest utility it has offered so far
/// or its next bid. Departure: it walks a sorted list by utility bands rather
/// than the original's bid queue, and the floor is raised to the reservation
/// value.
pub struct HardHeaded {
    e: f64,
    floor: f64,
    memory: Memory,
    lowest_offered: f64,
    best: BestReceived,
}

impl HardHeaded {
    /// The agent with concession exponent `e` and lowest target `floor`.
    pub fn new(e: f64, floor: f64) -> HardHeaded {
        HardHeaded {
            e,
            floor,
            memory: Memory::default(),
            lowest_offered: f64::INFINITY,
            best: BestReceived::default(),
        }
    }

    /// The concession level at the context's time.
    pub fn level(&self, ctx: &Context<'_>) -> f64 {
        const KA: f64 = 0.05;
        let d = ctx.discount();
        let t = if d < 0.9 {
            (ctx.time / d).min(1.0)
        } else {
            ctx.time
        };
        let best = best_acceptable_utility(ctx);
        let floor = self.floor.max(ctx.reservation()).min(best);
        let f = KA + (1.0 - KA) * t.powf(1.0 / self.e);
        best - (best - floor) * f
    }
}

impl Strategy for HardHeaded {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        let level = self.level(ctx);
        let own = ctx.own();
        let Some(bid) = pick_near(own, level, 0.01, self.memory.models.as_ref()) else {
            return Decision::EndNegotiation;
        };
        let next = own.utility(bid);
        // It offers the opponents' best offer again when that beats its bid.
        let again = self.best.at_least(ctx, next);
        let lowest = self.lowest_offered;
        let decision = accept_or_offer(
            ctx,
            standing,
            Some(bid),
            again.map(|b| b.1),
            offer,
            |u, next| u >= lowest || u >= next,
        );
        if decision == Decision::Offer {
            self.lowest_offered = lowest.min(again.map_or(next, |b| b.0));
        }
        decision
    }

    fn observe(&mut self, ctx: &Context<'_>, event: Observed<'_>) {
        self.memory.observe(ctx, event);
        self.best.observe(ctx, event);
    }

    fn aspiration(&self, ctx: &Context<'_>) -> Option<f64> {
        Some(self.level(ctx))
    }
}

/// CUHKAgent (ANAC 2012). Its threshold falls from its best utility as
/// `(t/λ)^3` towards the best the opponents have offered until the
/// concede-to-discount time `λ = 0.08 + 0.92 δ^β`, which moves later the
/// more distinct bids appear among the opponents' last ten (their
/// "toughness"); it offers the opponents' best past bid when that clears the
/// threshold, else the bid within 0.05 above the threshold whose values the
/// opponents offered most. Accepts offers above the threshold or its next
/// bid, or, after t = 0.98, within 0.01 of the opponents' best. Departures:
/// after λ the threshold decays as `threshold(λ)·δ^(t-λ)` (the description's
/// `max·δ/δ^t` would rise); the exponent 3 and the toughness shift
/// `λ + (1 - λ)·toughness/2` are our choices.
pub struct CuhkAgent {
    beta: f64,
    memory: Memory,
    best: BestReceived,
    recent: Vec<Vec<u32>>,
}

impl CuhkAgent {
    /// The agent with `λ = 0.08 + 0.92 δ^β`.
    pub fn new(beta: f64) -> CuhkAgent {
        CuhkAgent {
            beta,
            memory: Memory::default(),
            best: BestReceived::default(),
            recent: Vec::new(),
        }
    }

    /// The utility it accepts and aims at, at the context's time.
    pub fn threshold(&self, ctx: &Context<'_>) -> f64 {
        let d = ctx.discount();
        let mut distinct = 0;
        for (i, o) in self.recent.iter().enumerate() {
            if !self.recent[..i].contains(o) {
                distinct += 1;
            }
        }
        let toughness = if self.recent.is_empty() {
            0.0
        } else {
            distinct as f64 / 10.0
        };
        let lambda = 0.08 + 0.92 * d.powf(self.beta);
        let lambda = (lambda + (1.0 - lambda) * toughness / 2.0).min(1.0);
        let best = best_acceptable_utility(ctx);
        let floor = floor_utility(ctx)
            .max(self.best.get().map_or(f64::NEG_INFINITY, |b| b.0))
            .min(best);
        let at = |t: f64| best - (best - floor) * (t / lambda).min(1.0).powi(3);
        let t = ctx.time;
        if t <= lambda {
            at(t)
        } else {
            (at(lambda) * d.powf(t - lambda)).max(floor)
        }
    }
}

impl Strategy for CuhkAgent {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        let thr = self.threshold(ctx);
        let bid = pick_near(ctx.own(), thr, 0.05, self.memory.models.as_ref());
        let best = self.best.get().map(|b| b.0);
        let again = self.best.at_least(ctx, thr).map(|b| b.1);
        accept_or_offer(ctx, standing, bid, again, offer, |u, next| {
            let near_best = ctx.time > 0.98 && best.is_some_and(|b| u >= b - 0.01);
            u >= thr || u >= next || near_best
        })
    }

    fn observe(&mut self, ctx: &Context<'_>, event: Observed<'_>) {
        self.memory.observe(ctx, event);
        self.best.observe(ctx, event);
        if event.decision == Decision::Offer {
            if self.recent.len() == 10 {
                self.recent.remove(0);
            }
            self.recent.push(event.outcome.to_vec());
        }
    }

    fn aspiration(&self, ctx: &Context<'_>) -> Option<f64> {
        Some(self.threshold(ctx))
    }
}

/// Atlas3 (ANAC 2015, multilateral). Models the end game as a 2×2
/// hardline/compromise game between itself and the opponents — hardline
/// against compromise gives its best, compromise against hardline the best
/// offer received, both hardline the reservation value, both compromise the
/// midpoint — and takes the expected utility of the evolutionarily stable
/// mix as its floor. Threshold: `floor + (best - floor)(1 - t)` without
/// discounting, else `max(best (1 - t/δ), floor)`. Bids: a local search from
/// a random bid above the threshold that swaps in the opponents' most
/// frequent values while staying above it; in the final phase (t > 0.98) it
/// re-offers, best first, bids that every opponent supported (offered or
/// accepted). Accepts offers above the threshold; walks away when its
/// discounted reservation value exceeds the threshold. Departure: the game's
/// payoffs are our reading of the description.
pub struct Atlas3 {
    rng: ChaCha8Rng,
    memory: Memory,
    best: BestReceived,
    /// The standing offer and who supports it.
    current: Vec<u32>,
    supporters: Vec<u32>,
    supported: Vec<(f64, Vec<u32>)>,
    scratch: Vec<u32>,
}

impl Atlas3 {
    /// The agent with its own seeded stream.
    pub fn new(seed: u64) -> Atlas3 {
        Atlas3 {
            rng: ChaCha8Rng::seed_from_u64(seed),
            memory: Memory::default(),
            best: BestReceived::default(),
            current: Vec::new(),
            supporters: Vec::new(),
            supported: Vec::new(),
            scratch: Vec::new(),
        }
    }

    /// Expected utility of the evolutionarily stable mix of the end game.
    pub fn game_floor(best: f64, compromise: f64, rv: f64) -> f64 {
        let b = compromise.min(best);
        let denom = best + b - 2.0 * rv;
        let p = if denom > 0.0 {
            ((best - b) / denom).clamp(0.0, 1.0)
        } else {
            1.0
        };
        p * rv + (1.0 - p) * best
    }

    /// The utility it accepts and aims at, at the context's time.
    pub fn threshold(&self, ctx: &Context<'_>) -> f64 {
        let best = best_acceptable_utility(ctx);
        let rv = ctx.reservation().max(ctx.own().min());
        let compromise = self.best.get().map_or(rv, |b| b.0);
        let floor = Self::game_floor(best, compromise, rv).max(rv).min(best);
        let d = ctx.discount();
        if d >= 1.0 {
            floor + (best - floor) * (1.0 - ctx.time)
        } else {
            (best * (1.0 - ctx.time / d)).max(floor)
        }
    }
}

impl Strategy for Atlas3 {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        let thr = self.threshold(ctx);
        if ctx.reservation() * ctx.discount_now() > thr {
            return Decision::EndNegotiation;
        }
        if let Some(s) = standing
            && ctx.acceptable(s.outcome)
            && ctx.utility(s.outcome) >= thr
        {
            return Decision::Accept;
        }
        if ctx.time > 0.98
            && let Some((_, o)) = self.supported.pop()
        {
            offer.copy_from_slice(&o);
            return Decision::Offer;
        }
        let own = ctx.own();
        let Some(seed_bid) = random_bid_at_least(own, thr, &mut self.rng) else {
            return Decision::EndNegotiation;
        };
        self.scratch.clear();
        self.scratch.extend_from_slice(own.outcome(seed_bid));
        if let Some(models) = &self.memory.models {
            let issues = self.scratch.len();
            for _ in 0..2 * issues {
                let i = self.rng.random_range(0..issues);
                let radix = ctx.scenario.space().radices()[i];
                let favourite = (0..radix)
                    .max_by(|&a, &b| {
                        let sa: f64 = models.models.iter().map(|m| m.value_share(i, a)).sum();
                        let sb: f64 = models.models.iter().map(|m| m.value_share(i, b)).sum();
                        sa.total_cmp(&sb).then(b.cmp(&a))
                    })
                    .unwrap_or(0);
                let old = self.scratch[i];
                self.scratch[i] = favourite;
                if !(ctx.acceptable(&self.scratch) && ctx.utility(&self.scratch) >= thr) {
                    self.scratch[i] = old;
                }
            }
        }
        offer.copy_from_slice(&self.scratch);
        Decision::Offer
    }

    fn observe(&mut self, ctx: &Context<'_>, event: Observed<'_>) {
        self.memory.observe(ctx, event);
        match event.decision {
            Decision::Offer => {
                self.best.update(ctx.utility(event.outcome), event.outcome);
                self.current.clear();
                self.current.extend_from_slice(event.outcome);
                self.supporters.clear();
                self.supporters.push(event.by.0);
            }
            Decision::Accept => {
                if !self.supporters.contains(&event.by.0) {
                    self.supporters.push(event.by.0);
                }
            }
            Decision::EndNegotiation => {}
        }
        let all = ctx.opponents().all(|p| self.supporters.contains(&p.0));
        if all && !self.current.is_empty() && ctx.acceptable(&self.current) {
            let u = ctx.utility(&self.current);
            if !self.supported.iter().any(|(_, o)| *o == self.current) {
                self.supported.push((u, self.current.clone()));
                // Kept ascending, so that `pop` gives the best first.
                self.supported.sort_by(|a, b| a.0.total_cmp(&b.0));
            }
        }
    }

    fn aspiration(&self, ctx: &Context<'_>) -> Option<f64> {
        Some(self.threshold(ctx))
    }
}

/// AgreeableAgent2018 (ANAC 2018). Offers its best bid until t = 0.2, then
/// follows `pmin + (pmax - pmin)(1 - t'^(1/0.1))` with `t'` rescaled after
/// 0.2 and `pmin` = 0.8 (or the reservation value, if higher). After a
/// domain-size dependent time (0.2 below 1,000 outcomes, 0.3 below 10,000,
/// else 0.4 — the sizes are our choice) it considers bids within
/// `±0.05 (1 - target)` of the target and picks one by roulette wheel on the
/// frequency opponent models' summed scores. Accepts an offer worth at least
/// its next bid, or any rational offer after t = 0.99. Departure: one
/// frequency model per opponent rather than the original's two.
pub struct Agreeable2018 {
    floor: f64,
    rng: ChaCha8Rng,
    memory: Memory,
}

impl Agreeable2018 {
    /// The agent with lowest target `floor` and its own seeded stream.
    pub fn new(floor: f64, seed: u64) -> Agreeable2018 {
        Agreeable2018 {
            floor,
            rng: ChaCha8Rng::seed_from_u64(seed),
            memory: Memory::default(),
        }
    }

    /// The utility it aims at, at the context's time.
    pub fn target(&self, ctx: &Context<'_>) -> f64 {
        let pmax = best_acceptable_utility(ctx);
        if ctx.time < 0.2 {
            return pmax;
        }
        let pmin = self.floor.max(ctx.reservation()).min(pmax);
        let t = ((ctx.time - 0.2) / 0.8).clamp(0.0, 1.0);
        pmin + (pmax - pmin) * (1.0 - t.powf(1.0 / 0.1))
    }

    fn choose(&mut self, ctx: &Context<'_>, target: f64) -> Option<usize> {
        let own = ctx.own();
        let size = own.len();
        let explore_from = if size < 1_000 {
            0.2
        } else if size < 10_000 {
            0.3
        } else {
            0.4
        };
        // Without opponent data, or before exploring, it concedes no more
        // than it must.
        let models = self.memory.models.as_ref().filter(|m| m.any());
        let Some(models) = models.filter(|_| ctx.time >= explore_from) else {
            return worst_at_least_or_best(own, target);
        };
        let half = 0.05 * (1.0 - target).max(0.0);
        let mut candidates: [(usize, f64); 64] = [(0, 0.0); 64];
        let mut count = 0;
        let mut total = 0.0;
        let mut i = own.first_at_least(target - half);
        while count < candidates.len() {
            let Some(j) = own.next_acceptable(i) else {
                break;
            };
            if own.utility(j) > target + half && count > 0 {
                break;
            }
            let w = models.score(own.outcome(j)) + 1e-9;
            candidates[count] = (j, w);
            total += w;
            count += 1;
            i = j + 1;
        }
        if count == 0 {
            return own.best_acceptable();
        }
        let mut x = self.rng.random::<f64>() * total;
        for &(j, w) in &candidates[..count] {
            if x < w {
                return Some(j);
            }
            x -= w;
        }
        Some(candidates[count - 1].0)
    }
}

impl Strategy for Agreeable2018 {
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision {
        let target = self.target(ctx);
        let bid = self.choose(ctx, target);
        accept_or_offer(ctx, standing, bid, None, offer, |u, next| {
            u >= next || ctx.time > 0.99 || ctx.last_round()
        })
    }

    fn observe(&mut self, ctx: &Context<'_>, event: Observed<'_>) {
        self.memory.observe(ctx, event);
    }

    fn aspiration(&self, ctx: &Context<'_>) -> Option<f64> {
        Some(self.target(ctx))
    }
}
