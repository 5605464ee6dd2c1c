//! Strategies: the [`Strategy`] trait, the [`Context`] a strategy sees, and
//! the built-in strategies composed from the parts in [`parts`].

pub mod anac;
pub mod builtin;
pub mod catalog;
pub mod parts;

pub use catalog::build;

use crate::space::OwnSpace;
use detente_core::{PartyId, Scenario};

/// What a strategy does at its turn in an offer protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Offer the outcome written into the `offer` buffer.
    Offer,
    /// Accept the standing offer.
    Accept,
    /// Walk away.
    EndNegotiation,
}

/// The offer on the table.
#[derive(Clone, Copy, Debug)]
pub struct Standing<'a> {
    /// The outcome offered.
    pub outcome: &'a [u32],
    /// Who offered it.
    pub by: PartyId,
}

/// Another party's action, as every other participant sees it.
#[derive(Clone, Copy, Debug)]
pub struct Observed<'a> {
    /// Who acted.
    pub by: PartyId,
    /// What it did.
    pub decision: Decision,
    /// The offer made, or the standing offer accepted.
    pub outcome: &'a [u32],
}

/// What a strategy may know at a turn: its own preferences (through the
/// scenario), the clock, and the participants. Strategies must only read
/// their own party's utility; the scenario is shared for its structure.
pub struct Context<'a> {
    /// The scenario, for its structure and my own preferences.
    pub scenario: &'a Scenario,
    /// The party I play.
    pub me: PartyId,
    /// Participants in turn order.
    pub participants: &'a [PartyId],
    /// Round, from 0.
    pub round: u32,
    /// Normalised time in `[0, 1]`.
    pub time: f64,
    /// The number of rounds, under a rounds deadline.
    pub total_rounds: Option<u32>,
    pub(crate) own: &'a OwnSpace,
}

impl Context<'_> {
    /// My undiscounted utility of an outcome.
    #[inline]
    pub fn utility(&self, outcome: &[u32]) -> f64 {
        self.scenario.utility_of(self.me, outcome)
    }

    /// My reservation value.
    pub fn reservation(&self) -> f64 {
        self.scenario.reservation(self.me)
    }

    /// `δ^t` at the current time.
    pub fn discount_now(&self) -> f64 {
        self.scenario.discount_factor(self.me, self.time)
    }

    /// My discount factor δ (1 when I do not discount).
    pub fn discount(&self) -> f64 {
        self.scenario.parties()[self.me.index()]
            .preferences
            .discount
            .min(1.0)
    }

    /// True when accepting the outcome is rational for me: it crosses none
    /// of my red lines and is worth at least my reservation value.
    #[inline]
    pub fn acceptable(&self, outcome: &[u32]) -> bool {
        !self.scenario.red_lines(self.me).crossed(outcome)
            && self.utility(outcome) >= self.reservation()
    }

    /// My outcomes sorted by my utility.
    #[inline]
    pub fn own(&self) -> &OwnSpace {
        self.own
    }

    /// The other participants.
    pub fn opponents(&self) -> impl Iterator<Item = PartyId> + '_ {
        self.participants.iter().copied().filter(|&p| p != self.me)
    }

    /// True in the last round of a rounds deadline.
    pub fn last_round(&self) -> bool {
        self.total_rounds.is_some_and(|n| self.round + 1 >= n)
    }
}

/// A negotiation strategy. Only [`Strategy::act`] is required; the other
/// methods have rational defaults. Strategies are `Send` so that a session
/// in progress can move between threads (a live room is driven by
/// whichever server thread takes its next action).
pub trait Strategy: Send {
    /// My turn in an offer protocol. `standing` is the offer on the table
    /// (none at the very first turn, when accepting is not allowed). To
    /// offer, write the outcome into `offer` and return [`Decision::Offer`].
    fn act(
        &mut self,
        ctx: &Context<'_>,
        standing: Option<Standing<'_>>,
        offer: &mut [u32],
    ) -> Decision;

    /// Another participant acted.
    fn observe(&mut self, _ctx: &Context<'_>, _event: Observed<'_>) {}

    /// False when [`Strategy::observe`] does nothing, so that the session
    /// can skip calling it.
    fn wants_observations(&self) -> bool {
        true
    }

    /// The utility I aim at now, if I aim at one (a concession curve's
    /// target): the default [`Strategy::vote`] also accepts changes worth at
    /// least this much. `None` by default.
    fn aspiration(&self, _ctx: &Context<'_>) -> Option<f64> {
        None
    }

    /// Mediated protocol: vote on replacing the current `text` by
    /// `proposal`. The default ([`parts::self_interested_vote`]) votes for a
    /// change that crosses fewer of my red lines, or as many and is worth at
    /// least as much to me as the text or at least my
    /// [`Strategy::aspiration`].
    fn vote(&mut self, ctx: &Context<'_>, text: &[u32], proposal: &[u32]) -> bool {
        parts::self_interested_vote(ctx, text, proposal, self.aspiration(ctx))
    }

    /// Mediated protocol: accept the final text rather than walk away. The
    /// default accepts exactly the rational texts.
    fn accept_final(&mut self, ctx: &Context<'_>, text: &[u32]) -> bool {
        ctx.acceptable(text)
    }
}

#[cfg(test)]
mod tests {
    use super::anac::{Agreeable2018, Atlas3, HardHeaded};
    use super::builtin::{NegmasTimeBased, TimeDependent};
    use super::parts::{Acceptance, faratin_target};
    use super::*;
    use crate::space::tests_support::small;
    use detente_core::PartyId;

    fn with_ctx<T>(
        time: f64,
        round: u32,
        total: Option<u32>,
        f: impl FnOnce(&Context<'_>) -> T,
    ) -> T {
        let s = small();
        let own = OwnSpace::build(&s, PartyId(0));
        let participants = [PartyId(0), PartyId(1)];
        let ctx = Context {
            scenario: &s,
            me: PartyId(0),
            participants: &participants,
            round,
            time,
            total_rounds: total,
            own: &own,
        };
        f(&ctx)
    }

    #[test]
    fn time_dependent_target_follows_faratin_between_reservation_and_best() {
        let next = Acceptance::Next {
            alpha: 1.0,
            beta: 0.0,
        };
        for e in [0.0, 0.2, 1.0, 2.0] {
            for i in 0..=10 {
                let t = i as f64 / 10.0;
                with_ctx(t, 0, None, |ctx| {
                    let own = ctx.own();
                    let best = own.utility(own.best_acceptable().unwrap());
                    let td = TimeDependent::new(e, 0.0, next);
                    let expect = faratin_target(t, e, 0.0, 0.3f64.max(own.min()), best);
                    assert!((td.target(ctx) - expect).abs() < 1e-12);
                });
            }
        }
    }

    #[test]
    fn time_dependent_offers_just_above_its_target_and_accepts_by_ac_next() {
        let next = Acceptance::Next {
            alpha: 1.0,
            beta: 0.0,
        };
        with_ctx(0.5, 5, Some(10), |ctx| {
            let mut td = TimeDependent::new(1.0, 0.0, next);
            let target = td.target(ctx);
            let mut offer = [0u32; 2];
            assert_eq!(td.act(ctx, None, &mut offer), Decision::Offer);
            let u = ctx.utility(&offer);
            assert!(u >= target && ctx.acceptable(&offer));
            // No acceptable outcome lies in [target, u).
            let own = ctx.own();
            assert_eq!(
                own.utility(own.worst_acceptable_at_least(target).unwrap()),
                u
            );
            // AC_next: accept exactly the offers worth at least that bid.
            for i in 0..own.len() {
                let o = own.outcome(i).to_vec();
                let st = Standing {
                    outcome: &o,
                    by: PartyId(1),
                };
                let d = td.act(ctx, Some(st), &mut offer);
                let expect = ctx.acceptable(&o) && ctx.utility(&o) >= u;
                assert_eq!(d == Decision::Accept, expect, "{o:?}");
            }
        });
    }

    #[test]
    fn negmas_level_uses_step_plus_one_over_steps_plus_one() {
        for (e, round) in [(4.0, 0), (0.25, 41), (1.0, 999)] {
            with_ctx(0.0, round, Some(1000), |ctx| {
                let own = ctx.own();
                let t = (round as f64 + 1.0) / 1001.0;
                let expect = own.min() + (own.max() - own.min()) * (1.0 - t.powf(e));
                assert_eq!(NegmasTimeBased::new(e, 1e-4).level(ctx), expect);
            });
        }
    }

    #[test]
    fn hardheaded_level_is_its_boulware_formula() {
        for t in [0.0, 0.5, 0.9, 1.0] {
            with_ctx(t, 0, None, |ctx| {
                let own = ctx.own();
                let best = own.utility(own.best_acceptable().unwrap());
                let floor = 0.585f64.min(best);
                let f = 0.05 + 0.95 * t.powf(1.0 / 0.05);
                let expect = best - (best - floor) * f;
                assert!((HardHeaded::new(0.05, 0.585).level(ctx) - expect).abs() < 1e-12);
            });
        }
    }

    #[test]
    fn agreeable_holds_its_best_until_0_2_then_concedes_to_its_floor() {
        let a = Agreeable2018::new(0.8, 1);
        let best = with_ctx(0.0, 0, None, |ctx| a.target(ctx));
        assert_eq!(with_ctx(0.19, 0, None, |ctx| a.target(ctx)), best);
        let mid = with_ctx(0.6, 0, None, |ctx| a.target(ctx));
        let floor = 0.8f64.min(best);
        let expect = floor + (best - floor) * (1.0 - 0.5f64.powf(10.0));
        assert!((mid - expect).abs() < 1e-12);
        assert!((with_ctx(1.0, 0, None, |ctx| a.target(ctx)) - 0.8f64.min(best)).abs() < 1e-12);
    }

    #[test]
    fn atlas3_floor_is_the_expected_utility_of_the_stable_mix() {
        // Hardline prob p = (best - c) / (best + c - 2 rv).
        let (best, c, rv) = (1.0, 0.6, 0.2);
        let p = (best - c) / (best + c - 2.0 * rv);
        let expect = p * rv + (1.0 - p) * best;
        assert!((Atlas3::game_floor(best, c, rv) - expect).abs() < 1e-15);
        // When the opponents already offer the best, there is nothing to fight for.
        assert_eq!(Atlas3::game_floor(1.0, 1.0, 0.2), 1.0);
        // Undiscounted threshold: floor + (best - floor)(1 - t).
        let a = Atlas3::new(0);
        with_ctx(0.25, 0, None, |ctx| {
            let own = ctx.own();
            let best = own.utility(own.best_acceptable().unwrap());
            let rv = 0.3f64.max(own.min());
            let floor = Atlas3::game_floor(best, rv, rv).max(rv).min(best);
            let expect = floor + (best - floor) * 0.75;
            assert!((a.threshold(ctx) - expect).abs() < 1e-12);
        });
    }
}
