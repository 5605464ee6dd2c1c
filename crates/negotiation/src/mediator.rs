//! The mediated single-text protocol.
//!
//! The mediator is the scenario's first party with role `mediator`, or else
//! a neutral one. It starts from a text: the first proposal tabled by the
//! mediator, else the scenario's first proposal, else (the documented
//! choice) every issue at its middle value. Each round it proposes one
//! change: one issue set to another value, drawn with the session's seeded
//! generator — half the time, while the text crosses a bargaining party's
//! stated red line, a value that lifts one such red line (a mediator with preferences of its own only proposes texts
//! worth at least its reservation value to it, when it finds one in 16
//! draws). Every bargaining party votes; the variant decides whether the
//! change is kept. At the deadline every bargaining party says whether it
//! accepts the final text over walking away; the text is an agreement only if
//! all do (a party never accepts a text that crosses its red lines or is
//! worth less than its reservation value).

use crate::session::{Ended, Guard, Run, derive_seed};
use crate::{Action, Actor, EndReason, MediatedVariant};
use detente_core::{PartyId, Role};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Tag mixed into the session seed for the mediator's generator.
const MEDIATOR_TAG: u64 = 0x6d65_6469_6174_6f72;

pub(crate) fn run(run: &mut Run<'_>, variant: MediatedVariant) -> Ended {
    let scenario = run.scenario;
    let mediator: Option<PartyId> = scenario
        .parties()
        .iter()
        .position(|p| p.role == Role::Mediator)
        .map(|i| PartyId(i as u32));
    let actor = mediator.map_or(Actor::NeutralMediator, Actor::Party);
    let mut text: Vec<u32> = match mediator
        .and_then(|m| {
            let name = &scenario.parties()[m.index()].name;
            scenario
                .proposals()
                .iter()
                .find(|p| p.by.as_deref() == Some(name.as_str()))
        })
        .or_else(|| scenario.proposals().first())
    {
        Some(p) => p.outcome.clone(),
        None => scenario.space().radices().iter().map(|&r| r / 2).collect(),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(derive_seed(run.config.seed, MEDIATOR_TAG));
    let radices: Vec<u32> = scenario.space().radices().to_vec();
    let changeable: Vec<usize> = (0..radices.len()).filter(|&i| radices[i] > 1).collect();
    let n = run.participants.len();
    let mut guard = Guard::new(run.config.step_budget);
    // What the hill-climbing mediator has learnt from the votes: a score per
    // party, issue and value.
    let mut learnt: Vec<Vec<Vec<f64>>> = (0..n)
        .map(|_| radices.iter().map(|&r| vec![0.0; r as usize]).collect())
        .collect();
    let mut votes = vec![false; n];
    let mut proposal = text.clone();
    // Taken out of `run` so that contexts can borrow the rest.
    let mut strategies = std::mem::take(&mut run.strategies);
    run.record(actor, Action::Propose, Some(&text));
    while !run.clock.expired() && !changeable.is_empty() {
        // Draw a change: half the time (while the text crosses a stated red
        // line of a bargaining party) one that lifts such a red line.
        let fix = red_line_fix(run, &text, &mut rng);
        let mut issue = 0;
        let mut value = 0;
        for attempt in 0..16 {
            match fix {
                Some((i, v)) if attempt == 0 && rng.random_bool(0.5) => {
                    issue = i;
                    value = v;
                }
                _ => {
                    issue = changeable[rng.random_range(0..changeable.len())];
                    value = rng.random_range(0..radices[issue] - 1);
                    if value >= text[issue] {
                        value += 1;
                    }
                }
            }
            proposal.copy_from_slice(&text);
            proposal[issue] = value;
            let fine = mediator
                .is_none_or(|m| scenario.utility_of(m, &proposal) >= scenario.reservation(m));
            if fine || attempt == 15 {
                break;
            }
        }
        run.record(actor, Action::Propose, Some(&proposal));
        for pos in 0..n {
            let me = run.participants[pos];
            let ctx = run.context(pos);
            let strat = &mut strategies[pos];
            match guard.call(me, || strat.vote(&ctx, &text, &proposal)) {
                Ok(v) => votes[pos] = v,
                Err(reason) => return ended(run, None, reason),
            }
            run.record(
                Actor::Party(me),
                Action::Vote { yes: votes[pos] },
                Some(&proposal),
            );
        }
        let old = text[issue] as usize;
        for (pos, &yes) in votes.iter().enumerate() {
            let d = if yes { 1.0 } else { -1.0 };
            learnt[pos][issue][value as usize] += d;
            learnt[pos][issue][old] -= d;
        }
        let yes = votes.iter().filter(|v| **v).count();
        let keep = match variant {
            MediatedVariant::Veto => yes == n,
            MediatedVariant::HillClimbing => {
                let gain: f64 = learnt
                    .iter()
                    .map(|l| l[issue][value as usize] - l[issue][old])
                    .sum();
                2 * yes > n || (2 * yes == n && gain > 0.0)
            }
        };
        if keep {
            text.copy_from_slice(&proposal);
            run.record(actor, Action::Keep, Some(&text));
        } else {
            run.record(actor, Action::Discard, Some(&proposal));
        }
        run.clock.round += 1;
        run.clock.actions += 1 + n as u64;
    }
    let mut refused: Option<PartyId> = None;
    for (pos, strat) in strategies.iter_mut().enumerate() {
        let me = run.participants[pos];
        let ctx = run.context(pos);
        let accept = match guard.call(me, || strat.accept_final(&ctx, &text)) {
            Ok(a) => a && ctx.acceptable(&text),
            Err(reason) => return ended(run, None, reason),
        };
        run.record(Actor::Party(me), Action::FinalVote { accept }, Some(&text));
        if !accept && refused.is_none() {
            refused = Some(me);
        }
    }
    match refused {
        None => ended(run, Some(text), EndReason::Agreement),
        Some(by) => ended(run, None, EndReason::Walkaway { by }),
    }
}

/// A change that lifts one of the red lines the text crosses: red lines are
/// stated positions, so the mediator knows them. Picks a crossed red line,
/// one of its conditions, and a value outside it, at random.
fn red_line_fix(run: &Run<'_>, text: &[u32], rng: &mut ChaCha8Rng) -> Option<(usize, u32)> {
    let scenario = run.scenario;
    let mut crossed: Vec<&detente_core::Clause> = Vec::new();
    for &p in &run.participants {
        for r in &scenario.parties()[p.index()].preferences.red_lines {
            if r.when.holds(text) && !r.when.conditions.is_empty() {
                crossed.push(&r.when);
            }
        }
    }
    if crossed.is_empty() {
        return None;
    }
    let clause = crossed[rng.random_range(0..crossed.len())];
    let condition = &clause.conditions[rng.random_range(0..clause.conditions.len())];
    let issue = condition.issue.index();
    let allowed: Vec<u32> = (0..scenario.space().radices()[issue])
        .filter(|&v| !condition.values.contains(v))
        .collect();
    if allowed.is_empty() {
        return None;
    }
    Some((issue, allowed[rng.random_range(0..allowed.len())]))
}

fn ended(run: &Run<'_>, agreement: Option<Vec<u32>>, reason: EndReason) -> Ended {
    Ended {
        agreement,
        reason,
        rounds: run.clock.round,
        time: run.clock.time(),
    }
}
