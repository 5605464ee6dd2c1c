//! Short text readings of what each chart shows.

use crate::ProposalMark;
use crate::space::{Cloud, solutions, utilities_of};
use crate::svg::{count, u};
use detente_analysis::{Analysis, Evaluation};
use detente_core::Scenario;

fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [a] => a.clone(),
        [a, b] => format!("{a} and {b}"),
        [rest @ .., last] => format!("{}, and {last}", rest.join(", ")),
    }
}

/// The reading of the utility-space chart.
pub fn space(
    scenario: &Scenario,
    analysis: &Analysis,
    cloud: Option<&Cloud>,
    proposals: &[ProposalMark<'_>],
) -> Vec<String> {
    let mut out = Vec::new();
    let names: Vec<&str> = analysis
        .bargainers
        .iter()
        .map(|p| scenario.parties()[p.index()].name.as_str())
        .collect();
    if let Some(cl) = cloud {
        let ok = cl.acceptable.iter().filter(|&&b| b).count();
        let what = if cl.sampled {
            format!(
                "A sample of {} of the {} outcomes",
                count(cl.len() as f64),
                count(cl.total)
            )
        } else {
            format!("All {} outcomes", count(cl.len() as f64))
        };
        out.push(format!(
            "{what} are drawn; {} of them ({:.1}%) are acceptable to every party.",
            count(ok as f64),
            100.0 * ok as f64 / cl.len().max(1) as f64
        ));
    }
    if analysis.zone_pareto.is_empty() {
        out.push(
            "There is no agreement zone: no outcome crossing no red line gives every party its reservation value, so some side is better off walking away.".to_string(),
        );
    } else {
        out.push(format!(
            "The Pareto frontier has {} efficient deals crossing no red line; {} of them lie in the agreement zone.",
            analysis.feasible_pareto.len(),
            analysis.zone_pareto.len()
        ));
    }
    if let Some((_, long, p)) = solutions(analysis).first() {
        let parts: Vec<String> = names
            .iter()
            .zip(&p.utilities)
            .map(|(n, x)| format!("{n} {}", u(*x)))
            .collect();
        out.push(format!("The {long} solution gives {}.", list(&parts)));
    }
    for pm in proposals {
        if let Some(ev) = pm.evaluation {
            out.push(proposal(scenario, analysis, pm.name, ev));
        } else {
            let pu = utilities_of(scenario, analysis, pm.outcome);
            let parts: Vec<String> = names
                .iter()
                .zip(&pu)
                .map(|(n, x)| format!("{n} {}", u(*x)))
                .collect();
            let ok = scenario.acceptable_to_all(pm.outcome);
            out.push(format!(
                "Proposal {} gives {}; it is {}acceptable to every party.",
                pm.name,
                list(&parts),
                if ok { "" } else { "not " }
            ));
        }
    }
    out
}

/// One sentence (or a few) about an evaluated proposal: who rejects it and
/// why, and what the nearest acceptable deal changes.
pub fn proposal(scenario: &Scenario, analysis: &Analysis, name: &str, ev: &Evaluation) -> String {
    let issues = scenario.issues();
    let mut s = String::new();
    if ev.acceptable_to_all {
        s.push_str(&format!("The proposal {name} is acceptable to every party"));
        s.push_str(if ev.pareto_efficient {
            " and Pareto-efficient."
        } else {
            ", but not Pareto-efficient."
        });
    } else {
        let mut why = Vec::new();
        for v in &ev.verdicts {
            if v.accepts || !analysis.bargainers.contains(&v.party) {
                continue;
            }
            let party = &scenario.parties()[v.party.index()];
            for &r in &v.red_lines_crossed {
                let line = &party.preferences.red_lines[r];
                let on: Vec<String> = line
                    .when
                    .conditions
                    .iter()
                    .map(|c| issues[c.issue.index()].name.clone())
                    .collect();
                why.push(format!(
                    "crosses {}'s red line on {}",
                    party.name,
                    list(&on)
                ));
            }
            if v.utility < v.reservation {
                why.push(format!(
                    "gives {} {} (below its reservation value {})",
                    party.name,
                    u(v.utility),
                    u(v.reservation)
                ));
            }
        }
        s.push_str(&format!("The proposal {name} {}", list(&why)));
        match ev.repairs.first() {
            Some(rep) => {
                let changes: Vec<String> = rep
                    .changes
                    .iter()
                    .map(|ch| {
                        let issue = &issues[ch.issue.index()];
                        format!("{} to {}", issue.name, issue.value_label(ch.to))
                    })
                    .collect();
                s.push_str(&format!(
                    "; the nearest acceptable deal changes {}.",
                    list(&changes)
                ));
            }
            None if ev.repair_search_truncated => {
                s.push_str(
                    "; the repair search stopped at its budget before finding an acceptable deal.",
                );
            }
            None => s.push_str("; no change of its issues makes it acceptable to every party."),
        }
    }
    if !ev.dominated_by.is_empty() {
        s.push_str(&format!(
            " {} efficient deal(s) crossing no red line are better for every party.",
            ev.dominated_by.len()
        ));
    }
    s
}
