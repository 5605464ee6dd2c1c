//! `detente schema`: the JSON Schema of the native format.

use anyhow::Result;
use std::process::ExitCode;

pub fn run() -> Result<ExitCode> {
    crate::render::print_json(&detente_formats::native::schema());
    Ok(ExitCode::SUCCESS)
}
