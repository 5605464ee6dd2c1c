//! A negotiation scenario: issues, parties with preferences, named proposals.

use crate::ModelError;
pub use crate::ids::PartyId;
use crate::issue::{Issue, IssueId, IssueKind, MAX_ISSUE_CARDINALITY, MAX_VALUE_CELLS};
use crate::preference::{Clause, Preferences, UtilityModel, ValueFunction};
use crate::space::{Outcome, OutcomeSpace};
use crate::uncertain::{Target, Uncertain, number_of};
use crate::utility::{CompiledRedLines, CompiledUtility, compile};
use std::collections::HashSet;

/// Whether a party bargains for itself or mediates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A side of the negotiation: its consent is needed for an agreement.
    Party,
    /// A go-between with interests of its own (its utility is reported), but
    /// no veto: it is left out of the agreement zone, the Pareto frontier and
    /// the bargaining solutions.
    Mediator,
}

impl Role {
    /// The role's name as written in native files and JSON output (`party` or `mediator`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Party => "party",
            Role::Mediator => "mediator",
        }
    }
}

/// One participant: a bargaining side or a mediator, with the preferences
/// that give it a utility for every outcome.
#[derive(Clone, Debug, PartialEq)]
pub struct Party {
    /// The name by which files, proposals and output refer to the party; unique in its
    /// scenario.
    pub name: String,
    /// Whether the party's consent is needed for an agreement or it only mediates.
    pub role: Role,
    /// Free text about the party for reports and the workbench; may be empty.
    pub description: String,
    /// How the party values outcomes, and which it refuses.
    pub preferences: Preferences,
}

/// A named outcome to evaluate, such as a mediator's draft.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    /// The name by which users select the proposal (for example `evaluate --proposal`); unique
    /// in its scenario.
    pub name: String,
    /// The name of the party that tabled the proposal, if known, shown in reports.
    pub by: Option<String>,
    /// Free text about the proposal for reports; may be empty.
    pub description: String,
    /// The deal the proposal stands for, one value index per issue.
    pub outcome: Outcome,
}

/// The parts of a scenario, before validation.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ScenarioParts {
    /// The scenario's name, used as a title in output and to name built-in scenarios.
    pub name: String,
    /// Free text about the scenario for reports and the workbench; may be empty.
    pub description: String,
    /// The questions the negotiation settles, in the order outcomes list their values.
    pub issues: Vec<Issue>,
    /// Everyone taking part, bargainers and mediators, in the order `PartyId` indexes them.
    pub parties: Vec<Party>,
    /// Named deals to evaluate, in the order they were given; the first is the default for
    /// `resolve_proposal`.
    pub proposals: Vec<Proposal>,
    /// The numbers given as distributions (and value tables given as orderings); the
    /// parties' preferences hold their point values. Empty for a scenario of plain numbers.
    pub uncertain: Vec<Uncertain>,
}

/// A validated scenario with every party's preferences compiled.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    parts: ScenarioParts,
    space: OutcomeSpace,
    utilities: Vec<CompiledUtility>,
    red_lines: Vec<CompiledRedLines>,
}

impl Scenario {
    /// Checks the parts for consistency and compiles every party's
    /// preferences. The readers in `detente-formats` report problems with file
    /// positions before getting here; these checks are the last line.
    pub fn new(parts: ScenarioParts) -> Result<Scenario, ModelError> {
        check(&parts)?;
        let space = OutcomeSpace::new(&parts.issues);
        let mut utilities = Vec::with_capacity(parts.parties.len());
        let mut red_lines = Vec::with_capacity(parts.parties.len());
        for p in &parts.parties {
            let (u, r) = compile(&p.name, &p.preferences, &parts.issues)?;
            utilities.push(u);
            red_lines.push(r);
        }
        Ok(Scenario {
            parts,
            space,
            utilities,
            red_lines,
        })
    }

    /// The scenario's name, used as a title in output.
    pub fn name(&self) -> &str {
        &self.parts.name
    }
    /// Free text about the scenario for reports; may be empty.
    pub fn description(&self) -> &str {
        &self.parts.description
    }
    /// The issues, in the order outcomes list their values and `IssueId` indexes them.
    pub fn issues(&self) -> &[Issue] {
        &self.parts.issues
    }
    /// Every party, bargainers and mediators, in the order `PartyId` indexes them.
    pub fn parties(&self) -> &[Party] {
        &self.parts.parties
    }
    /// The named deals to evaluate, in the order they were given.
    pub fn proposals(&self) -> &[Proposal] {
        &self.parts.proposals
    }
    /// The uncertain numbers and rankings, in the order samplers draw them; empty when every
    /// number is plain.
    pub fn uncertain(&self) -> &[Uncertain] {
        &self.parts.uncertain
    }
    /// The validated parts, for writers that need the scenario as it was stated.
    pub fn parts(&self) -> &ScenarioParts {
        &self.parts
    }
    /// Gives the validated parts back, to edit them and build a new scenario.
    pub fn into_parts(self) -> ScenarioParts {
        self.parts
    }
    /// The outcome space, for counting, numbering and enumerating outcomes.
    pub fn space(&self) -> &OutcomeSpace {
        &self.space
    }
    /// Party `p`'s compiled utility, for evaluating many outcomes fast.
    pub fn utility(&self, p: PartyId) -> &CompiledUtility {
        &self.utilities[p.index()]
    }
    /// Every party's compiled utility, indexed by `PartyId`, for loops over all parties.
    pub fn utilities(&self) -> &[CompiledUtility] {
        &self.utilities
    }
    /// The compiled red lines of party `p`, for fast acceptability checks in hot loops.
    pub fn red_lines(&self, p: PartyId) -> &CompiledRedLines {
        &self.red_lines[p.index()]
    }
    /// Every party's compiled red lines, indexed by `PartyId`.
    pub fn all_red_lines(&self) -> &[CompiledRedLines] {
        &self.red_lines
    }

    /// The parties whose consent an agreement needs (role `party`), in order.
    pub fn bargainers(&self) -> Vec<PartyId> {
        self.parts
            .parties
            .iter()
            .enumerate()
            .filter(|(_, p)| p.role == Role::Party)
            .map(|(i, _)| PartyId(i as u32))
            .collect()
    }

    /// The id of the party called `name`, to turn user input into an index.
    pub fn party_id(&self, name: &str) -> Option<PartyId> {
        self.parts
            .parties
            .iter()
            .position(|p| p.name == name)
            .map(|i| PartyId(i as u32))
    }

    /// The id of the issue called `name`, to turn user input into an index.
    pub fn issue_id(&self, name: &str) -> Option<IssueId> {
        self.parts
            .issues
            .iter()
            .position(|i| i.name == name)
            .map(|i| IssueId(i as u32))
    }

    /// The proposal called `name`, if the scenario has one.
    pub fn proposal(&self, name: &str) -> Option<&Proposal> {
        self.parts.proposals.iter().find(|p| p.name == name)
    }

    /// Utility of `outcome` to party `p`, undiscounted.
    pub fn utility_of(&self, p: PartyId, outcome: &[u32]) -> f64 {
        self.utilities[p.index()].eval(outcome)
    }

    /// Utility at normalised time `t` in `[0, 1]`: `u · δ^t`.
    pub fn discounted_utility_of(&self, p: PartyId, outcome: &[u32], t: f64) -> f64 {
        self.utility_of(p, outcome) * self.discount_factor(p, t)
    }

    /// `δ^t` for party `p` (1 when the party does not discount).
    pub fn discount_factor(&self, p: PartyId, t: f64) -> f64 {
        let d = self.parts.parties[p.index()].preferences.discount;
        if d >= 1.0 {
            1.0
        } else {
            d.powf(t.clamp(0.0, 1.0))
        }
    }

    /// Party `p`'s utility of walking away, on its utility scale: a deal worth less is no
    /// agreement for it.
    pub fn reservation(&self, p: PartyId) -> f64 {
        self.parts.parties[p.index()].preferences.reservation
    }

    /// The red lines of party `p` that `outcome` crosses, by index into the
    /// party's `red_lines`.
    pub fn red_lines_crossed(&self, p: PartyId, outcome: &[u32]) -> Vec<usize> {
        self.parts.parties[p.index()]
            .preferences
            .red_lines
            .iter()
            .enumerate()
            .filter(|(_, r)| r.when.holds(outcome))
            .map(|(i, _)| i)
            .collect()
    }

    /// True when the outcome crosses no red line of any bargaining party and
    /// gives each of them at least its reservation value.
    pub fn acceptable_to_all(&self, outcome: &[u32]) -> bool {
        self.bargainers().into_iter().all(|p| {
            !self.red_lines[p.index()].crossed(outcome)
                && self.utility_of(p, outcome) >= self.reservation(p)
        })
    }

    /// The labels of an outcome's values, in issue order.
    pub fn labels(&self, outcome: &[u32]) -> Vec<String> {
        self.parts
            .issues
            .iter()
            .zip(outcome)
            .map(|(i, &v)| i.value_label(v))
            .collect()
    }
}

/// Refuses issues whose utility tables for `parties` parties would exceed
/// [`MAX_VALUE_CELLS`] numbers. [`Scenario::new`] checks it; readers call it
/// as soon as they know the issues and how many profiles they will read, so
/// that a few hundred bytes of input cannot make them fill gigabytes first.
pub fn check_value_cells(issues: &[Issue], parties: usize) -> Result<(), ModelError> {
    let values: u64 = issues.iter().map(|i| u64::from(i.cardinality())).sum();
    let cells = values.saturating_mul(parties as u64 + 1);
    if cells > MAX_VALUE_CELLS {
        return Err(ModelError::TooManyValues {
            values,
            parties,
            cells,
        });
    }
    Ok(())
}

/// Checks the parts of a scenario in the order a reader would fix them:
/// issues, the memory their tables need, parties, then proposals; stops at
/// the first problem.
fn check(parts: &ScenarioParts) -> Result<(), ModelError> {
    if parts.issues.is_empty() {
        return bad("a scenario needs at least one issue".into());
    }
    // Names are checked with hash sets: scenarios may have 10^5 issues or options.
    let mut issue_names = HashSet::with_capacity(parts.issues.len());
    for issue in &parts.issues {
        if !issue_names.insert(issue.name.as_str()) {
            return bad(format!("issue `{}` is declared twice", issue.name));
        }
        check_issue(issue)?;
    }
    let radices: Vec<u32> = parts.issues.iter().map(Issue::cardinality).collect();
    check_value_cells(&parts.issues, parts.parties.len())?;
    if parts.parties.is_empty() {
        return bad("a scenario needs at least one party".into());
    }
    let mut party_names = HashSet::with_capacity(parts.parties.len());
    for p in &parts.parties {
        if !party_names.insert(p.name.as_str()) {
            return bad(format!("party `{}` is declared twice", p.name));
        }
        check_party(p, &parts.issues, &radices)?;
    }
    check_uncertain(&parts.uncertain, &parts.parties)?;
    let mut proposal_names = HashSet::with_capacity(parts.proposals.len());
    for prop in &parts.proposals {
        if !proposal_names.insert(prop.name.as_str()) {
            return bad(format!("proposal `{}` is declared twice", prop.name));
        }
        if prop.outcome.len() != radices.len()
            || prop.outcome.iter().zip(&radices).any(|(v, r)| v >= r)
        {
            return bad(format!(
                "proposal `{}` does not give every issue a valid value",
                prop.name
            ));
        }
    }
    Ok(())
}

/// The refusal of an invalid scenario, saying what is wrong.
fn bad(what: String) -> Result<(), ModelError> {
    Err(ModelError::Invalid(what))
}

/// Checks one issue's values: some, distinct, and not more than
/// [`MAX_ISSUE_CARDINALITY`].
fn check_issue(issue: &Issue) -> Result<(), ModelError> {
    match &issue.kind {
        IssueKind::Categorical { options, .. } => {
            if options.is_empty() {
                return bad(format!("issue `{}` has no options", issue.name));
            }
            let mut seen = HashSet::with_capacity(options.len());
            for o in options {
                if !seen.insert(o.as_str()) {
                    return bad(format!("issue `{}` lists option `{o}` twice", issue.name));
                }
            }
            if options.len() as u64 > MAX_ISSUE_CARDINALITY {
                return bad(format!("issue `{}` has too many options", issue.name));
            }
        }
        IssueKind::Integer { min, max } => {
            if min > max {
                return bad(format!(
                    "issue `{}`: min {min} is above max {max}",
                    issue.name
                ));
            }
            if (*max as i128 - *min as i128 + 1) as u128 > MAX_ISSUE_CARDINALITY as u128 {
                return bad(format!(
                    "issue `{}` has more than {MAX_ISSUE_CARDINALITY} values",
                    issue.name
                ));
            }
        }
        IssueKind::Continuous { min, max, step } => {
            if !(min.is_finite() && max.is_finite() && min <= max) {
                return bad(format!("issue `{}`: bad range [{min}, {max}]", issue.name));
            }
            if !(step.is_finite() && *step > 0.0) {
                return bad(format!(
                    "issue `{}`: step must be a positive number",
                    issue.name
                ));
            }
            if (max - min) / step > MAX_ISSUE_CARDINALITY as f64 {
                return bad(format!(
                    "issue `{}`: the step gives more than {MAX_ISSUE_CARDINALITY} grid points",
                    issue.name
                ));
            }
        }
    }
    Ok(())
}

/// Whether every condition of a clause names an issue of the space and gives
/// one flag per value of it.
fn clause_fits(c: &Clause, radices: &[u32]) -> bool {
    c.conditions.iter().all(|cond| {
        cond.issue.index() < radices.len()
            && cond.values.0.len() == radices[cond.issue.index()] as usize
    })
}

/// Checks the uncertain parts against the parties they name: a known party
/// and number, a valid distribution, and ranges that make sense for the
/// number (weights not negative, discount factors in (0, 1]).
fn check_uncertain(uncertain: &[Uncertain], parties: &[Party]) -> Result<(), ModelError> {
    let mut seen = std::collections::HashSet::new();
    for u in uncertain {
        let Some(party) = parties.get(u.party().index()) else {
            return Err(ModelError::Invalid(
                "an uncertain number names a missing party".into(),
            ));
        };
        let bad = |what: &str| {
            Err(ModelError::Invalid(format!(
                "party `{}`: {what}",
                party.name
            )))
        };
        match u {
            Uncertain::Number {
                target,
                distribution,
                ..
            } => {
                if !seen.insert((u.party(), Some(target.clone()), None)) {
                    return bad("a number is given two distributions");
                }
                if let Err(e) = distribution.check() {
                    return bad(&e.to_string());
                }
                if number_of(&party.preferences, target).is_none() {
                    return bad("an uncertain number names a number the preferences do not have");
                }
                let (lo, hi) = distribution.support();
                match target {
                    Target::Weight(_) if lo < 0.0 => return bad("a weight may not be negative"),
                    Target::Discount if !(lo > 0.0 && hi <= 1.0) => {
                        return bad("a discount factor must lie in (0, 1]");
                    }
                    _ => {}
                }
            }
            Uncertain::Ranking { issue, order, .. } => {
                if !seen.insert((u.party(), None, Some(*issue))) {
                    return bad("an issue is ranked twice");
                }
                let UtilityModel::Additive { values, .. } = &party.preferences.model else {
                    return bad("a ranking needs additive preferences");
                };
                let Some(ValueFunction::Table(t)) = values.get(issue.index()) else {
                    return bad("a ranking needs a table of values");
                };
                let mut hit = vec![false; t.len()];
                for &v in order {
                    match hit.get_mut(v as usize) {
                        Some(h) if !*h => *h = true,
                        _ => return bad("a ranking must list every option once"),
                    }
                }
                if hit.iter().any(|h| !h) {
                    return bad("a ranking must list every option once");
                }
            }
        }
    }
    Ok(())
}

/// Checks one party's preferences against the issues (`radices` holds
/// their numbers of values).
fn check_party(p: &Party, issues: &[Issue], radices: &[u32]) -> Result<(), ModelError> {
    let prefs = &p.preferences;
    if !prefs.reservation.is_finite() {
        return bad(format!(
            "party `{}`: reservation value is not a number",
            p.name
        ));
    }
    if !(prefs.discount > 0.0 && prefs.discount <= 1.0) {
        return bad(format!(
            "party `{}`: discount factor {} is outside (0, 1]",
            p.name, prefs.discount
        ));
    }
    if !prefs
        .red_lines
        .iter()
        .all(|r| clause_fits(&r.when, radices))
    {
        return bad(format!(
            "party `{}`: a red line refers to a missing value",
            p.name
        ));
    }
    match &prefs.model {
        UtilityModel::Additive {
            weights,
            values,
            interactions,
        } => {
            if weights.len() != radices.len() || values.len() != radices.len() {
                return bad(format!(
                    "party `{}`: needs one weight and one value function per issue",
                    p.name
                ));
            }
            if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
                return bad(format!(
                    "party `{}`: weights must be non-negative numbers",
                    p.name
                ));
            }
            if weights.iter().all(|w| *w == 0.0) {
                return bad(format!("party `{}`: every weight is zero", p.name));
            }
            for (i, vf) in values.iter().enumerate() {
                check_value_function(&p.name, &issues[i].name, vf, radices[i])?;
            }
            for it in interactions {
                if !clause_fits(&it.when, radices) || !it.bonus.is_finite() {
                    return bad(format!("party `{}`: bad interaction term", p.name));
                }
            }
        }
        UtilityModel::HyperRectangles {
            rectangles,
            max_utility,
        } => {
            if !(max_utility.is_finite() && *max_utility > 0.0) {
                return bad(format!(
                    "party `{}`: maximum utility must be positive",
                    p.name
                ));
            }
            for r in rectangles {
                if r.bounds.iter().any(|&(i, lo, hi)| {
                    i.index() >= radices.len() || lo > hi || hi >= radices[i.index()]
                }) {
                    return bad(format!("party `{}`: a box bound is out of range", p.name));
                }
            }
        }
    }
    Ok(())
}

/// Checks party `party`'s value function of issue `issue`, which has
/// `values` values.
fn check_value_function(
    party: &str,
    issue: &str,
    vf: &ValueFunction,
    values: u32,
) -> Result<(), ModelError> {
    match vf {
        ValueFunction::Table(t) => {
            if t.len() != values as usize || t.iter().any(|x| !x.is_finite()) {
                return bad(format!(
                    "party `{party}`: value table of issue `{issue}` must have one number per value"
                ));
            }
        }
        ValueFunction::Piecewise(points) => {
            if points.is_empty()
                || points.iter().any(|(x, v)| !x.is_finite() || !v.is_finite())
                || points.windows(2).any(|w| w[0].0 > w[1].0)
            {
                return bad(format!(
                    "party `{party}`: the points of issue `{issue}` must be finite and sorted by x"
                ));
            }
        }
    }
    Ok(())
}
