//! Strategies: the [`Strategy`] trait, the [`Context`] a strategy sees, and
//! the built-in strategies composed from the parts in [`parts`].

pub mod anac;
pub mod builtin;
pub mod parts;

use crate::NegotiationError;
use crate::space::OwnSpace;
use crate::spec::{StrategySpec, resolve};
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
    pub outcome: &'a [u32],
    pub by: PartyId,
}

/// Another party's action, as every other participant sees it.
#[derive(Clone, Copy, Debug)]
pub struct Observed<'a> {
    pub by: PartyId,
    pub decision: Decision,
    /// The offer made, or the standing offer accepted.
    pub outcome: &'a [u32],
}

/// What a strategy may know at a turn: its own preferences (through the
/// scenario), the clock, and the participants. Strategies must only read
/// their own party's utility; the scenario is shared for its structure.
pub struct Context<'a> {
    pub scenario: &'a Scenario,
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
/// methods have rational defaults.
pub trait Strategy {
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

    /// Mediated protocol: vote on replacing the current `text` by
    /// `proposal`. The default votes for a change that crosses fewer of my
    /// red lines, or as many and is worth at least as much to me.
    fn vote(&mut self, ctx: &Context<'_>, text: &[u32], proposal: &[u32]) -> bool {
        parts::self_interested_vote(ctx, text, proposal, None)
    }

    /// Mediated protocol: accept the final text rather than walk away. The
    /// default accepts exactly the rational texts.
    fn accept_final(&mut self, ctx: &Context<'_>, text: &[u32]) -> bool {
        ctx.acceptable(text)
    }
}

/// Builds the strategy a specification names, with its own random stream.
pub fn build(spec: &StrategySpec, seed: u64) -> Result<Box<dyn Strategy>, NegotiationError> {
    let (info, params) = resolve(spec)?;
    Ok(match info.name {
        "time-dependent" | "boulware" | "linear" | "conceder" | "hardliner" => {
            Box::new(builtin::TimeDependent::from_params(&params))
        }
        "negmas-boulware" => Box::new(builtin::NegmasTimeBased::new(4.0, params.num("eps"))),
        "negmas-conceder" => Box::new(builtin::NegmasTimeBased::new(0.25, params.num("eps"))),
        "negmas-linear" => Box::new(builtin::NegmasTimeBased::new(1.0, params.num("eps"))),
        "tit-for-tat" => Box::new(builtin::TitForTat::from_params(&params)),
        "nice-tit-for-tat" => Box::new(builtin::NiceTitForTat::new(params.num("bonus_from"))),
        "random" => Box::new(builtin::RandomStrategy::new(
            params.num("p_accept"),
            params.num("p_end"),
            seed,
        )),
        "agent-k" => Box::new(anac::AgentK::new(params.num("tremor"), seed)),
        "hardheaded" => Box::new(anac::HardHeaded::new(params.num("e"), params.num("floor"))),
        "cuhk-agent" => Box::new(anac::CuhkAgent::new(params.num("beta"))),
        "atlas3" => Box::new(anac::Atlas3::new(seed)),
        "agreeable2018" => Box::new(anac::Agreeable2018::new(params.num("floor"), seed)),
        "chaos" => Box::new(builtin::Chaos::new(
            params.count("panic_at"),
            params.count("sleep_ms"),
        )),
        other => {
            return Err(NegotiationError::UnknownStrategy {
                name: other.to_string(),
                known: String::new(),
            });
        }
    })
}
