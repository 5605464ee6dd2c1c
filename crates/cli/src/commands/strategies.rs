//! `detente strategies`: the built-in negotiation strategies and their
//! parameters.

use crate::render::{print_json, table, wrap};
use anyhow::Result;
use detente_negotiation::listed_strategies;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print one JSON array instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let catalog = listed_strategies();
    if args.json {
        print_json(&detente_results::strategies(&catalog));
        return Ok(ExitCode::SUCCESS);
    }
    let mut t = table(vec!["strategy", "family", "parameters (defaults)"]);
    for s in &catalog {
        let params = s
            .params
            .iter()
            .map(|p| format!("{}={}", p.name, p.default))
            .collect::<Vec<_>>()
            .join(",");
        t.add_row(vec![
            s.name.to_string(),
            s.family.as_str().to_string(),
            params,
        ]);
    }
    println!("{t}\n");
    for s in &catalog {
        println!(
            "{}",
            wrap(&format!("{} — {}", s.name, s.description), "", "  ")
        );
        for p in &s.params {
            let text = format!(
                "{} ({}, default {}): {}",
                p.name,
                detente_results::kind_text(p.kind),
                p.default,
                p.description
            );
            println!("{}", wrap(&text, "    ", "      "));
        }
    }
    println!(
        "\nUse as NAME or NAME:key=value,key=value, e.g. `detente negotiate --strategies boulware:e=0.1,conceder`."
    );
    Ok(ExitCode::SUCCESS)
}
