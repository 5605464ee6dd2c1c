//! `detente validate`: check a scenario and report every problem found.

use crate::args::ScenarioArgs;
use crate::render::{plural, print_json};
use anyhow::Result;
use detente_formats::{FormatError, Loaded, Problem};
use serde_json::{Value, json};
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
    println!(
        "ok: {} ({}): {}, {}, {}, {} outcomes",
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
            let outcomes = match s.space().count_u64() {
                Some(n) => json!(n),
                None => json!(s.space().count_f64()),
            };
            print_json(&json!({
                "ok": true,
                "problems": [],
                "scenario": s.name(),
                "detected": loaded.detected,
                "issues": s.issues().len(),
                "parties": s.parties().len(),
                "proposals": s.proposals().len(),
                "outcomes": outcomes,
            }));
            ExitCode::SUCCESS
        }
        Err(e) => {
            let problems: Vec<Value> = match e.downcast_ref::<FormatError>() {
                Some(fe) => fe.problems().iter().map(problem_json).collect(),
                None => vec![json!({
                    "file": args.scenario.as_deref().unwrap_or(detente_formats::builtin::DEFAULT),
                    "line": null,
                    "column": null,
                    "message": format!("{e:#}"),
                })],
            };
            print_json(&json!({ "ok": false, "problems": problems }));
            ExitCode::FAILURE
        }
    }
}

fn problem_json(p: &Problem) -> Value {
    json!({
        "file": p.at.file,
        "line": p.at.line,
        "column": p.at.column,
        "message": p.message,
    })
}
