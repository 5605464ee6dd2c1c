//! `detente strategies`: the built-in negotiation strategies and their
//! parameters.

use crate::render::{print_json, table, wrap};
use anyhow::Result;
use detente_negotiation::{ParamKind, listed_strategies};
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print one JSON array instead of text.
    #[arg(long)]
    pub json: bool,
}

fn kind_text(kind: ParamKind) -> String {
    match kind {
        ParamKind::Number { min, max } => format!("number in [{min}, {max}]"),
        ParamKind::Count => "integer >= 0".to_string(),
        ParamKind::Choice(words) => words.join("|"),
    }
}

pub fn run(args: Args) -> Result<ExitCode> {
    let catalog = listed_strategies();
    if args.json {
        let v: Vec<_> = catalog
            .iter()
            .map(|s| {
                json!({
                    "name": s.name,
                    "family": s.family.as_str(),
                    "description": s.description,
                    "params": s.params.iter().map(|p| json!({
                        "name": p.name,
                        "type": kind_text(p.kind),
                        "default": p.default,
                        "description": p.description,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        print_json(&json!(v));
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
                kind_text(p.kind),
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
