//! Drawing a scenario's uncertain numbers: a [`Sampler`] sets them from
//! uniform numbers the caller provides and refills the compiled utilities in
//! place.

use crate::ModelError;
use crate::ids::PartyId;
use crate::preference::{Preferences, UtilityModel, ValueFunction};
use crate::scenario::Scenario;
use crate::uncertain::{Target, Uncertain, number_of, ranking_table, set_number};
use crate::utility::{CompiledUtility, RefillPlan, refill_planned, refill_utility};

/// A source of uniform numbers in `[0, 1)`, provided by the caller (the core
/// holds no random state).
pub trait UniformSource {
    /// The next uniform number in `[0, 1)`.
    fn uniform(&mut self) -> f64;
}

impl<F: FnMut() -> f64> UniformSource for F {
    fn uniform(&mut self) -> f64 {
        self()
    }
}

/// Draws the uncertain numbers of a scenario and holds the utilities they
/// give, reusing the scenario's structure: only the parties whose weights,
/// values or bonuses are uncertain are recompiled, and only their numbers
/// change.
#[derive(Clone, Debug)]
pub struct Sampler<'a> {
    scenario: &'a Scenario,
    prefs: Vec<Preferences>,
    recompile: Vec<bool>,
    plans: Vec<Option<RefillPlan>>,
    utilities: Vec<CompiledUtility>,
    numbers: Vec<f64>,
    scratch: Vec<f64>,
}

impl<'a> Sampler<'a> {
    /// A sampler at the point model: every number at its point value.
    pub fn new(scenario: &'a Scenario) -> Sampler<'a> {
        let parties = scenario.parties();
        let mut recompile = vec![false; parties.len()];
        for u in scenario.uncertain() {
            let structural = !matches!(
                u,
                Uncertain::Number {
                    target: Target::Reservation | Target::Discount,
                    ..
                }
            );
            recompile[u.party().index()] |= structural;
        }
        let plans = parties
            .iter()
            .zip(scenario.utilities())
            .zip(&recompile)
            .map(|((p, u), &re)| match &p.preferences.model {
                UtilityModel::Additive { interactions, .. } if re => {
                    RefillPlan::new(u, interactions)
                }
                _ => None,
            })
            .collect();
        Sampler {
            scenario,
            prefs: parties.iter().map(|p| p.preferences.clone()).collect(),
            recompile,
            plans,
            utilities: scenario.utilities().to_vec(),
            numbers: point_numbers(scenario),
            scratch: Vec::new(),
        }
    }

    /// Draws every uncertain part from `source` (in the order of
    /// [`Scenario::uncertain`], [`Uncertain::draws`] numbers each) and
    /// recompiles the utilities that changed. Fails when a drawn party's
    /// utility is constant (every weight drawn zero, say).
    pub fn draw(&mut self, source: &mut impl UniformSource) -> Result<(), ModelError> {
        for (k, u) in self.scenario.uncertain().iter().enumerate() {
            match u {
                Uncertain::Number {
                    party,
                    target,
                    distribution,
                } => {
                    let x = distribution.sample(source.uniform());
                    self.numbers[k] = x;
                    set_number(&mut self.prefs[party.index()], target, x);
                }
                Uncertain::Ranking {
                    party,
                    issue,
                    order,
                } => {
                    self.scratch.clear();
                    for _ in 0..u.draws() {
                        self.scratch.push(source.uniform());
                    }
                    self.scratch.sort_by(|a, b| b.total_cmp(a));
                    let table = ranking_table(order, Some(&self.scratch));
                    if let UtilityModel::Additive { values, .. } =
                        &mut self.prefs[party.index()].model
                    {
                        values[issue.index()] = ValueFunction::Table(table);
                    }
                }
            }
        }
        self.compile()
    }

    /// Sets the uncertain numbers to `numbers` (one per entry of
    /// [`Scenario::uncertain`]; a ranking's entry is ignored and the ranking
    /// keeps its point table) and recompiles.
    pub fn set(&mut self, numbers: &[f64]) -> Result<(), ModelError> {
        for (k, u) in self.scenario.uncertain().iter().enumerate() {
            if let Uncertain::Number { party, target, .. } = u {
                self.numbers[k] = numbers[k];
                set_number(&mut self.prefs[party.index()], target, numbers[k]);
            }
        }
        self.compile()
    }

    fn compile(&mut self) -> Result<(), ModelError> {
        let issues = self.scenario.issues();
        for (p, party) in self.scenario.parties().iter().enumerate() {
            if !self.recompile[p] {
                continue;
            }
            let u = &mut self.utilities[p];
            match &self.plans[p] {
                Some(plan) => refill_planned(u, plan, &party.name, &self.prefs[p], issues)?,
                None => refill_utility(u, &party.name, &self.prefs[p], issues)?,
            }
        }
        Ok(())
    }

    /// The numbers of the last draw, one per entry of
    /// [`Scenario::uncertain`] (NaN for a ranking).
    pub fn numbers(&self) -> &[f64] {
        &self.numbers
    }
    /// Party `p`'s utility under the current numbers.
    pub fn utility(&self, p: PartyId) -> &CompiledUtility {
        &self.utilities[p.index()]
    }
    /// Party `p`'s reservation value under the current numbers.
    pub fn reservation(&self, p: PartyId) -> f64 {
        self.prefs[p.index()].reservation
    }
    /// `δ^t` for party `p` under the current numbers (1 without discounting).
    pub fn discount_factor(&self, p: PartyId, t: f64) -> f64 {
        let d = self.prefs[p.index()].discount;
        if d >= 1.0 {
            1.0
        } else {
            d.powf(t.clamp(0.0, 1.0))
        }
    }
}

/// The point value of every uncertain number (NaN for a ranking), in the
/// order of [`Scenario::uncertain`].
pub fn point_numbers(scenario: &Scenario) -> Vec<f64> {
    scenario
        .uncertain()
        .iter()
        .map(|u| match u {
            Uncertain::Number { party, target, .. } => {
                number_of(&scenario.parties()[party.index()].preferences, target)
                    .unwrap_or(f64::NAN)
            }
            Uncertain::Ranking { .. } => f64::NAN,
        })
        .collect()
}
