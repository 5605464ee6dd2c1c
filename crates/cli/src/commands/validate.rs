//! `detente validate`: check a scenario.

use crate::args::ScenarioArgs;
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
        "ok: {} ({}): {} issues, {} parties, {} proposals, {} outcomes",
        s.name(),
        loaded.detected,
        s.issues().len(),
        s.parties().len(),
        s.proposals().len(),
        crate::render::count(s.space().count(), s.space().count_f64())
    );
    Ok(ExitCode::SUCCESS)
}
