//! `detente schema`: the JSON Schema of the native format, or with
//! `--results` the one schema of every result printed with `--json`.

use anyhow::Result;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Print the schema of the results instead (every `--json` output
    /// validates against it: one of analysis, evaluation, negotiation,
    /// forecast, sweep, tournament report, validate report, scenario list,
    /// strategies list).
    #[arg(long)]
    pub results: bool,
}

pub fn run(args: Args) -> Result<ExitCode> {
    if args.results {
        crate::render::print_json(&detente_results::schema());
    } else {
        crate::render::print_json(&detente_formats::native::schema());
    }
    Ok(ExitCode::SUCCESS)
}
