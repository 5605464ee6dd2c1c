//! `detente validate`: check a scenario.

use crate::args::ScenarioArgs;
use crate::render::plural;
use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = args.scenario.load()?;
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
