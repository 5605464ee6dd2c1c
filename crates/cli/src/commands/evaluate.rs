//! `detente evaluate`: how a proposal fares, and the smallest repairs.

use super::analyze::{DisagreementArg, MethodArg, options};
use crate::args::ScenarioArgs;
use crate::render::{num, print_json, table, u};
use anyhow::{Result, anyhow};
use comfy_table::Cell;
use detente_analysis::{Evaluation, RepairOptions, analyze, evaluate};
use detente_core::{ProposalError, Role, Scenario};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The proposal to evaluate (default: the scenario's first proposal).
    #[arg(long, value_name = "NAME")]
    pub proposal: Option<String>,
    /// Set an issue's value, as ISSUE=VALUE (repeatable); edits --proposal, or the
    /// scenario's first proposal.
    #[arg(long = "set", value_name = "ISSUE=VALUE")]
    pub set: Vec<String>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Disagreement point used to rank repairs and deals that dominate the proposal.
    #[arg(long, value_enum, default_value = "reservation")]
    pub disagreement: DisagreementArg,
    /// Evaluate utilities discounted at normalised time T in [0, 1].
    #[arg(long, value_name = "T")]
    pub at_time: Option<f64>,
    /// How many repairs to list.
    #[arg(long, value_name = "N", default_value_t = RepairOptions::default().max_repairs)]
    pub repairs: usize,
    /// Largest outcome space to enumerate.
    #[arg(long, value_name = "N", default_value_t = detente_analysis::ENUMERATION_LIMIT)]
    pub enumeration_limit: u64,
    #[command(flatten)]
    pub robust: crate::robust::RobustArgs,
}

/// Resolves `--proposal` and `--set` to an outcome and a label: the edits
/// apply to the named proposal, else to the scenario's first one.
fn proposal_outcome(
    scenario: &Scenario,
    args: &Args,
) -> Result<(String, Option<String>, Vec<u32>)> {
    let edits = args
        .set
        .iter()
        .map(|s| {
            s.split_once('=')
                .map(|(issue, value)| (issue.to_string(), value.to_string()))
                .ok_or_else(|| anyhow!("--set `{s}`: expected ISSUE=VALUE"))
        })
        .collect::<Result<Vec<_>>>()?;
    let outcome = scenario
        .resolve_proposal(args.proposal.as_deref(), &edits)
        .map_err(|e| match e {
            ProposalError::UnknownIssue { .. } | ProposalError::UnknownValue { .. } => {
                anyhow!("--set: {e}")
            }
            ProposalError::Missing { .. } => anyhow!("{e} with --set ISSUE=VALUE"),
            ProposalError::UnknownProposal { .. } => anyhow!(e),
        })?;
    let (label, by) = scenario.proposal_label(args.proposal.as_deref(), &edits);
    Ok((label, by, outcome))
}

pub use detente_results::red_line_text;

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = args.scenario.load()?;
    let scenario = &loaded.scenario;
    let (label, by, outcome) = proposal_outcome(scenario, &args)?;
    let opts = options(
        args.disagreement,
        MethodArg::Auto,
        args.at_time,
        args.enumeration_limit,
        detente_analysis::MAX_SEARCH_NODES,
    )?;
    let spinner = crate::progress::Spinner::start("evaluating");
    let analysis = analyze(scenario, &opts)?;
    let ev = evaluate(
        scenario,
        &analysis,
        &outcome,
        &RepairOptions {
            max_repairs: args.repairs,
            ..Default::default()
        },
    );
    let robust = match args.robust.options(args.at_time, args.repairs) {
        Some(o) => {
            crate::robust::note_if_certain(scenario)?;
            Some(
                detente_analysis::robust_evaluation(scenario, &outcome, &o)
                    .map_err(crate::robust::with_option)?,
            )
        }
        None => None,
    };
    drop(spinner);
    if args.json {
        let mut json = to_json(scenario, &label, by.as_deref(), &ev);
        json.robust = robust
            .as_ref()
            .map(|r| detente_results::robust_evaluation(scenario, r));
        print_json(&json);
    } else {
        print_text(scenario, &label, by.as_deref(), &ev);
        if let Some(r) = &robust {
            crate::robust::print_evaluation(scenario, &format!("proposal {label}"), r);
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn to_json(
    scenario: &Scenario,
    label: &str,
    by: Option<&str>,
    ev: &Evaluation,
) -> detente_results::Evaluation {
    detente_results::evaluation(scenario, label, by, ev)
}

fn print_text(scenario: &Scenario, label: &str, by: Option<&str>, ev: &Evaluation) {
    println!(
        "Proposal {label}{} in {}:",
        by.map_or(String::new(), |b| format!(" (tabled by {b})")),
        scenario.name()
    );
    for (issue, &v) in scenario.issues().iter().zip(&ev.outcome) {
        println!("  {:<20} {}", issue.name, issue.value_label(v));
    }
    println!();
    println!("{}", verdict_table(scenario, ev));
    println!();
    print_efficiency(ev);
    if ev.acceptable_to_all {
        return;
    }
    println!();
    print_repairs(scenario, label, by, ev);
}

/// Each party's utility, reservation value and verdict.
fn verdict_table(scenario: &Scenario, ev: &Evaluation) -> crate::render::TextTable {
    let parties = scenario.parties();
    let mut t = table(vec!["party", "utility", "reservation", "verdict"]);
    for v in &ev.verdicts {
        let p = &parties[v.party.index()];
        let verdict = if !v.red_lines_crossed.is_empty() {
            let lines: Vec<String> = v
                .red_lines_crossed
                .iter()
                .map(|&k| format!("\"{}\"", red_line_text(scenario, v.party, k)))
                .collect();
            let below = if v.utility < v.reservation {
                "; also below its reservation value"
            } else {
                ""
            };
            format!("rejects: crosses red line {}{below}", lines.join("; "))
        } else if v.utility < v.reservation {
            format!(
                "rejects: below its reservation value by {}",
                u(v.reservation - v.utility)
            )
        } else {
            format!("accepts (gain {})", u(v.utility - v.reservation))
        };
        let name = if p.role == Role::Mediator {
            format!("{} (mediator)", p.name)
        } else {
            p.name.clone()
        };
        t.add_row(vec![
            Cell::new(name),
            num(u(v.utility)),
            num(u(v.reservation)),
            Cell::new(verdict),
        ]);
    }
    t
}

/// Whether every party accepts, and whether a deal beats the proposal for
/// everyone.
fn print_efficiency(ev: &Evaluation) {
    println!(
        "Acceptable to every party: {}",
        if ev.acceptable_to_all { "yes" } else { "no" }
    );
    if ev.pareto_efficient {
        println!("Pareto-efficient: yes (no outcome gives every party as much and one more).");
    } else {
        println!(
            "Pareto-efficient: no{}",
            if ev.dominated_by.is_empty() {
                " (only outcomes that cross a red line beat it for everyone)".to_string()
            } else {
                format!(
                    "; {} efficient deal(s) crossing no red line beat it for every party{}",
                    ev.dominated_by.len(),
                    if ev.dominated_by.len() == 10 {
                        " (the best ten are in --json)"
                    } else {
                        ""
                    }
                )
            }
        );
    }
}

/// The smallest repairs, each with its changes (labelled as in `--json`)
/// and the bargainers' utilities.
fn print_repairs(scenario: &Scenario, label: &str, by: Option<&str>, ev: &Evaluation) {
    let Some(k) = ev.repair_size else {
        if ev.repair_search_truncated {
            println!("Repairs: the search stopped at its budget without finding one.")
        } else {
            println!(
                "Repairs: none. No outcome is acceptable to every party (the agreement zone is empty)."
            )
        }
        return;
    };
    println!(
        "Repairs: the smallest change that every party accepts touches {k} issue{} ({} found, best Nash product first):",
        if k == 1 { "" } else { "s" },
        ev.repairs.len()
    );
    let parties = scenario.parties();
    let bargainers = scenario.bargainers();
    let labelled = to_json(scenario, label, by, ev).repairs;
    for (i, r) in labelled.iter().enumerate() {
        let changes: Vec<String> = r
            .changes
            .iter()
            .map(|c| format!("{}: {} -> {}", c.issue, c.from, c.to))
            .collect();
        let utils: Vec<String> = bargainers
            .iter()
            .map(|p| format!("{} {}", parties[p.index()].name, u(r.utilities[p.index()])))
            .collect();
        println!("  {}. {}", i + 1, changes.join("; "));
        println!("     utilities: {}", utils.join(", "));
    }
}
