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

pub fn list() -> Result<ExitCode> {
    for name in builtin::NAMES {
        let description = builtin::text(name)
            .and_then(|t| native::read_str(t, name).ok())
            .map(|s| s.description().to_string())
            .unwrap_or_default();
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
