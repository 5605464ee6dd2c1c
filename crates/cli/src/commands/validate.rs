//! `detente validate`: check a scenario and report every problem found.

use crate::args::ScenarioArgs;
use crate::render::{plural, print_json};
use anyhow::Result;
use detente_formats::{FormatError, Loaded};
use detente_results::{Count, Problem, ScenarioSummary, ValidateReport};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Print one JSON object: `ok`, `problems` (each with `file`, `line`,
    /// `column` and `message`) and, when ok, a summary of the scenario.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = args.scenario.load();
    if args.json {
        return Ok(print_report(&args.scenario, loaded));
    }
    // The error lists every problem, one per line; `main` prints it.
    let loaded = loaded?;
    let s = &loaded.scenario;
    // Uncertain numbers are named so that a reader knows `--samples` applies.
    let uncertain = match s.uncertain().len() {
        0 => String::new(),
        n => format!(
            "; {} (sampled by analyze/evaluate --samples N)",
            plural(n, "uncertain number")
        ),
    };
    println!(
        "ok: {} ({}): {}, {}, {}, {} outcomes{uncertain}",
        s.name(),
        loaded.detected,
        plural(s.issues().len(), "issue"),
        plural(s.parties().len(), "party"),
        plural(s.proposals().len(), "proposal"),
        crate::render::count(s.space().count(), s.space().count_f64())
    );
    Ok(ExitCode::SUCCESS)
}

fn print_report(args: &ScenarioArgs, loaded: Result<Loaded>) -> ExitCode {
    match loaded {
        Ok(loaded) => {
            let s = &loaded.scenario;
            print_json(&ValidateReport {
                ok: true,
                problems: Vec::new(),
                summary: Some(ScenarioSummary {
                    scenario: s.name().to_string(),
                    detected: loaded.detected.clone(),
                    issues: s.issues().len(),
                    parties: s.parties().len(),
                    proposals: s.proposals().len(),
                    outcomes: Count::of(
                        s.space().count_u64().map(u128::from),
                        s.space().count_f64(),
                    ),
                }),
            });
            ExitCode::SUCCESS
        }
        Err(e) => {
            let problems: Vec<Problem> = match e.downcast_ref::<FormatError>() {
                Some(fe) => fe.problems().iter().map(problem).collect(),
                None => vec![Problem {
                    file: args
                        .scenario
                        .as_deref()
                        .unwrap_or(detente_formats::builtin::DEFAULT)
                        .to_string(),
                    line: None,
                    column: None,
                    message: format!("{e:#}"),
                }],
            };
            print_json(&ValidateReport {
                ok: false,
                problems,
                summary: None,
            });
            ExitCode::FAILURE
        }
    }
}

fn problem(p: &detente_formats::Problem) -> Problem {
    Problem {
        file: p.at.file.clone(),
        line: p.at.line,
        column: p.at.column,
        message: p.message.clone(),
    }
}
