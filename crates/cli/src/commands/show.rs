//! `detente scenarios` and `detente show`.

use crate::args::ScenarioArgs;
use anyhow::Result;
use detente_formats::{builtin, native};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Print native JSON instead of TOML.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ListArgs {
    /// Print one JSON array instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn list(args: ListArgs) -> Result<ExitCode> {
    let mut rows = Vec::new();
    for name in builtin::NAMES {
        let scenario = builtin::text(name)
            .map(|t| native::read_str(t, name))
            .transpose()?;
        rows.push((*name, scenario));
    }
    if args.json {
        let v: Vec<detente_results::ScenarioEntry> = rows
            .iter()
            .map(|(name, s)| {
                let with_forecast = builtin::text(name)
                    .and_then(|t| native::read_with_forecast(t, name).ok())
                    .is_some_and(|(_, f)| f.is_some());
                detente_results::scenario_entry(
                    name,
                    *name == builtin::DEFAULT,
                    s.as_ref().map(|s| (s, with_forecast)),
                )
            })
            .collect();
        crate::render::print_json(&v);
        return Ok(ExitCode::SUCCESS);
    }
    for (name, s) in &rows {
        let description = s.as_ref().map_or("", |s| s.description());
        let default = if *name == builtin::DEFAULT {
            " (default)"
        } else {
            ""
        };
        println!("{name:<16}{description}{default}");
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run(args: Args) -> Result<ExitCode> {
    let name = args
        .scenario
        .scenario
        .as_deref()
        .unwrap_or(builtin::DEFAULT);
    // A built-in scenario prints as written, comments and all.
    if !args.json
        && !std::path::Path::new(name).exists()
        && let Some(text) = builtin::text(name)
    {
        print!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    let loaded = args.scenario.load()?;
    if args.json {
        print!(
            "{}",
            native::to_json_with_forecast(loaded.scenario.parts(), loaded.forecast.as_ref())
        );
    } else {
        print!(
            "{}",
            native::to_toml_with_forecast(loaded.scenario.parts(), loaded.forecast.as_ref())?
        );
    }
    Ok(ExitCode::SUCCESS)
}
