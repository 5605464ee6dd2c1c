//! `detente analyze`: the agreement zone, frontiers and bargaining solutions.

use crate::args::ScenarioArgs;
use crate::render::{count, num, print_json, table, u};
use anyhow::Result;
use comfy_table::Cell;
use detente_analysis::{
    Analysis, AnalysisError, Budget, Disagreement, MethodChoice, Options, RepairOptions,
    analyze_within,
};
use detente_core::Scenario;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Print one JSON object instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Disagreement point of the bargaining solutions.
    #[arg(long, value_enum, default_value = "reservation")]
    pub disagreement: DisagreementArg,
    /// Frontier method: additive where it applies, else enumeration.
    #[arg(long, value_enum, default_value = "auto")]
    pub method: MethodArg,
    /// Evaluate utilities discounted at normalised time T in [0, 1].
    #[arg(long, value_name = "T")]
    pub at_time: Option<f64>,
    /// Largest outcome space to enumerate.
    #[arg(long, value_name = "N", default_value_t = detente_analysis::ENUMERATION_LIMIT)]
    pub enumeration_limit: u64,
    /// Most nodes the exact branch-and-bound search (box utilities on large
    /// spaces) may visit before the analysis is refused.
    #[arg(long, value_name = "N", default_value_t = detente_analysis::MAX_SEARCH_NODES)]
    pub search_nodes: u64,
    /// Most points a Pareto frontier may have before the analysis is refused
    /// (its memory and its JSON grow with it).
    #[arg(long, value_name = "N", default_value_t = detente_analysis::Budget::MAX_FRONTIER_POINTS)]
    pub max_frontier: usize,
    /// Frontier points to list in the terminal (all are in --json).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
    #[command(flatten)]
    pub robust: crate::robust::RobustArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum DisagreementArg {
    /// Each party's reservation value.
    Reservation,
    /// Zero for every party (GENIUS's reference convention).
    Zero,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum MethodArg {
    Auto,
    Enumerate,
    Additive,
    BranchAndBound,
}

/// Adds to a refusal the option of this command that raises the limit (the
/// library's message cannot know the command's options).
pub fn with_option(e: AnalysisError) -> anyhow::Error {
    let option = match e {
        AnalysisError::SearchTooLarge { .. } => "--search-nodes",
        AnalysisError::FrontierTooLarge { .. } => "--max-frontier",
        AnalysisError::TooLarge { .. } => "--enumeration-limit",
        _ => return e.into(),
    };
    anyhow::anyhow!("{e}; or raise the limit with `{option}`")
}

/// Options shared with `evaluate`.
pub fn options(
    disagreement: DisagreementArg,
    method: MethodArg,
    at_time: Option<f64>,
    limit: u64,
    search_nodes: u64,
) -> Result<Options> {
    if let Some(t) = at_time {
        detente_analysis::check_time(t).map_err(|e| anyhow::anyhow!("--at-time: {e}"))?;
    }
    Ok(Options {
        disagreement: match disagreement {
            DisagreementArg::Reservation => Disagreement::Reservation,
            DisagreementArg::Zero => Disagreement::Zero,
        },
        method: match method {
            MethodArg::Auto => MethodChoice::Auto,
            MethodArg::Enumerate => MethodChoice::Enumerate,
            MethodArg::Additive => MethodChoice::Additive,
            MethodArg::BranchAndBound => MethodChoice::BranchAndBound,
        },
        enumeration_limit: limit,
        at_time,
        search_node_limit: search_nodes,
    })
}

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = args.scenario.load()?;
    let scenario = &loaded.scenario;
    let opts = options(
        args.disagreement,
        args.method,
        args.at_time,
        args.enumeration_limit,
        args.search_nodes,
    )?;
    let spinner = crate::progress::Spinner::start("analysing");
    let a = analyze_within(
        scenario,
        &opts,
        &Budget::with_frontier_points(args.max_frontier),
        &AtomicBool::new(false),
    )
    .map_err(with_option)?;
    let robust = match args
        .robust
        .options(args.at_time, RepairOptions::default().max_repairs)
    {
        Some(o) => {
            crate::robust::note_if_certain(scenario)?;
            Some(
                detente_analysis::robust_analysis(scenario, &a, &o)
                    .map_err(crate::robust::with_option)?,
            )
        }
        None => None,
    };
    drop(spinner);
    if args.json {
        let mut json = to_json(scenario, &a, &loaded.detected);
        json.robust = robust
            .as_ref()
            .map(|r| detente_results::robust_analysis(scenario, r));
        print_json(&json);
    } else {
        print_text(scenario, &a, &loaded.detected, args.limit);
        if let Some(r) = &robust {
            crate::robust::print_analysis(scenario, r);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The analysis as the stable JSON object documented in the README.
pub fn to_json(scenario: &Scenario, a: &Analysis, detected: &str) -> detente_results::Analysis {
    detente_results::Analysis {
        detected: Some(detected.to_string()),
        ..detente_results::analysis(scenario, a)
    }
}

/// Splits columns of the given content widths into consecutive groups that
/// each fit `total` characters beside a label column (a column wider than the
/// total gets a group of its own).
fn column_groups(
    label_width: usize,
    widths: &[usize],
    total: usize,
) -> Vec<std::ops::Range<usize>> {
    // Each column takes its content plus one space of padding either side
    // and a separating space.
    let cost = |w: usize| w + 3;
    let mut groups = Vec::new();
    let mut start = 0;
    let mut used = cost(label_width);
    for (k, &w) in widths.iter().enumerate() {
        if k > start && used + cost(w) > total {
            groups.push(start..k);
            start = k;
            used = cost(label_width);
        }
        used += cost(w);
    }
    if start < widths.len() {
        groups.push(start..widths.len());
    }
    groups
}

fn print_text(scenario: &Scenario, a: &Analysis, detected: &str, limit: usize) {
    print_space(scenario, a, detected);
    print_ranges(scenario, a);
    print_zone(a);
    print_frontier(scenario, a, limit);
    print_solutions(scenario, a);
    print_proposals(scenario, a);
}

/// The title, what was read and the size of the outcome space.
fn print_space(scenario: &Scenario, a: &Analysis, detected: &str) {
    println!("{}", crate::render::title(scenario));
    println!("Read: {detected}");
    println!(
        "Outcome space: {} outcomes over {} issues (frontier method: {}){}",
        count(a.outcome_count, a.outcome_count_f64),
        scenario.issues().len(),
        a.method.as_str(),
        a.at_time.map_or(String::new(), |t| format!(
            "; utilities discounted at t = {t}"
        ))
    );
    println!();
}

/// Each party's role, reservation value, best and worst utility, discount.
fn print_ranges(scenario: &Scenario, a: &Analysis) {
    let parties = scenario.parties();
    let mut t = table(vec![
        "party",
        "role",
        "reservation",
        "best",
        "worst",
        "discount",
    ]);
    for r in &a.ranges {
        let p = &parties[r.party.index()];
        let opt = |x: Option<f64>| x.map_or("?".to_string(), u);
        t.add_row(vec![
            Cell::new(&p.name),
            Cell::new(p.role.as_str()),
            num(u(r.reservation)),
            num(opt(r.best)),
            num(opt(r.worst)),
            num(if p.preferences.discount < 1.0 {
                format!("{}", p.preferences.discount)
            } else {
                "-".into()
            }),
        ]);
    }
    println!("{t}");
    println!();
}

/// The size of the agreement zone, when it was counted.
fn print_zone(a: &Analysis) {
    match (a.agreement_zone, a.acceptable_count) {
        (Some(z), Some(ok)) => {
            let total = a.outcome_count_f64;
            println!(
                "Agreement zone: {} outcomes ({:.2}% of the space) cross no red line and give every party at least its reservation value.",
                count(Some(z as u128), z as f64),
                100.0 * z as f64 / total
            );
            println!(
                "  {} outcomes cross no red line.",
                count(Some(ok as u128), ok as f64)
            );
        }
        _ => println!(
            "Agreement zone: not counted (the space is too large to enumerate); its frontier is exact."
        ),
    }
}

/// The sizes of the frontiers, and the first `limit` efficient deals of the
/// agreement zone.
fn print_frontier(scenario: &Scenario, a: &Analysis, limit: usize) {
    let parties = scenario.parties();
    let names: Vec<&str> = a
        .bargainers
        .iter()
        .map(|p| parties[p.index()].name.as_str())
        .collect();
    println!(
        "Pareto frontier: {} efficient utility vectors over the whole space; {} crossing no red line; {} in the agreement zone.",
        a.pareto.len(),
        a.feasible_pareto.len(),
        a.zone_pareto.len()
    );
    if a.zone_pareto.is_empty() {
        return;
    }
    println!();
    println!(
        "Efficient deals in the agreement zone{}:",
        if a.zone_pareto.len() > limit {
            format!(
                " (first {limit} of {}; all with --json)",
                a.zone_pareto.len()
            )
        } else {
            String::new()
        }
    );
    let mut header = vec!["#"];
    header.extend(names.iter().copied());
    let mut t = table(header);
    for (i, p) in a.zone_pareto.iter().take(limit).enumerate() {
        let mut row = vec![num((i + 1).to_string())];
        row.extend(p.utilities.iter().map(|&x| num(u(x))));
        t.add_row(row);
    }
    println!("{t}");
}

/// The four bargaining solutions, in columns.
fn print_solutions(scenario: &Scenario, a: &Analysis) {
    println!();
    let d = if a.disagreement.iter().all(|&x| x == 0.0) {
        "zero"
    } else {
        "the reservation values"
    };
    println!("Bargaining solutions (disagreement point: {d}):");
    let sols = [
        ("Nash", &a.solutions.nash),
        ("Kalai–Smorodinsky", &a.solutions.kalai_smorodinsky),
        ("max welfare", &a.solutions.max_welfare),
        ("egalitarian", &a.solutions.egalitarian),
    ];
    if sols.iter().all(|(_, s)| s.is_none()) {
        println!(
            "  none: no outcome crosses no red line while giving every party at least its disagreement utility."
        );
    } else {
        print_solution_tables(scenario, a, &sols);
    }
}

/// One column per solution, a row per issue and per party. Labels do not
/// wrap well (they are long hyphenated words), so when the four columns do
/// not fit the width they are shown in groups that do.
fn print_solution_tables(
    scenario: &Scenario,
    a: &Analysis,
    sols: &[(&str, &Option<detente_analysis::Point>)],
) {
    let cell_text = |k: usize, row: usize| -> String {
        let s = sols[k].1.as_ref();
        if let Some(issue) = scenario.issues().get(row) {
            s.map_or("-".into(), |p| issue.value_label(p.outcome[row]))
        } else {
            let pid = detente_core::PartyId((row - scenario.issues().len()) as u32);
            let f = a.at_time.map_or(1.0, |t| scenario.discount_factor(pid, t));
            s.map_or("-".into(), |p| u(scenario.utility_of(pid, &p.outcome) * f))
        }
    };
    let labels: Vec<String> = scenario
        .issues()
        .iter()
        .map(|i| i.name.clone())
        .chain(scenario.parties().iter().map(|p| format!("u({})", p.name)))
        .collect();
    let widths: Vec<usize> = (0..sols.len())
        .map(|k| {
            (0..labels.len())
                .map(|r| cell_text(k, r).chars().count())
                .chain([sols[k].0.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let label_width = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    for (g, group) in column_groups(label_width, &widths, crate::render::width())
        .into_iter()
        .enumerate()
    {
        if g > 0 {
            println!();
        }
        let mut header = vec![""];
        header.extend(group.clone().map(|k| sols[k].0));
        let mut t = table(header);
        for (r, label) in labels.iter().enumerate() {
            let mut row = vec![Cell::new(label)];
            row.extend(group.clone().map(|k| {
                if r < scenario.issues().len() {
                    Cell::new(cell_text(k, r))
                } else {
                    num(cell_text(k, r))
                }
            }));
            t.add_row(row);
        }
        println!("{t}");
    }
}

/// Each proposal of the scenario: who rejects it and why, and its utilities.
fn print_proposals(scenario: &Scenario, a: &Analysis) {
    let parties = scenario.parties();
    if !scenario.proposals().is_empty() {
        println!();
        println!("Proposals:");
    }
    for pr in scenario.proposals() {
        let verdicts: Vec<String> = a
            .bargainers
            .iter()
            .filter_map(|&p| {
                let crossed = scenario.red_lines_crossed(p, &pr.outcome);
                let name = &parties[p.index()].name;
                if !crossed.is_empty() {
                    Some(format!("crosses a red line of {name}"))
                } else if scenario.utility_of(p, &pr.outcome) < scenario.reservation(p) {
                    Some(format!("is below the reservation value of {name}"))
                } else {
                    None
                }
            })
            .collect();
        let utils: Vec<String> = a
            .bargainers
            .iter()
            .map(|&p| {
                format!(
                    "{} {}",
                    parties[p.index()].name,
                    u(scenario.utility_of(p, &pr.outcome))
                )
            })
            .collect();
        let verdict = if verdicts.is_empty() {
            "acceptable to every party".to_string()
        } else {
            verdicts.join("; ")
        };
        println!("  {:<18} {verdict}", pr.name);
        println!("  {:<18} utilities: {}", "", utils.join(", "));
    }
}

#[cfg(test)]
mod tests {
    use super::column_groups;

    #[test]
    fn solution_columns_are_grouped_to_fit_the_width() {
        // Label 10 (+3), columns 20 (+3) each: two fit in 60, not three.
        assert_eq!(column_groups(10, &[20, 20, 20, 20], 60), vec![0..2, 2..4]);
        assert_eq!(column_groups(10, &[20, 20, 20, 20], 200), vec![0..4]);
        // A column wider than everything still gets shown, alone.
        assert_eq!(column_groups(10, &[100, 5], 50), vec![0..1, 1..2]);
        assert!(column_groups(10, &[], 50).is_empty());
    }
}
