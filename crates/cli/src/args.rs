//! Arguments shared by every command that takes a scenario.

use anyhow::Result;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use detente_formats::{LoadOptions, Loaded, builtin};
use detente_negotiation::ProtocolKind;

#[derive(clap::Args, Clone, Debug)]
pub struct ScenarioArgs {
    /// A built-in scenario name (see `detente scenarios`) or a scenario file.
    /// Default: peace-talks.
    #[arg(value_name = "SCENARIO")]
    pub scenario: Option<String>,
    /// For a folder with several scenario variants (such as ANAC 2012's A, B and C): which one.
    #[arg(long, value_name = "NAME")]
    pub variant: Option<String>,
    /// Profile files to pair with a GENIUS domain file.
    #[arg(long = "profile", value_name = "FILE")]
    pub profiles: Vec<String>,
}

impl ScenarioArgs {
    /// Loads the scenario; says on stderr what was detected when it was not
    /// a plain native file.
    pub fn load(&self) -> Result<Loaded> {
        let name = self.scenario.as_deref().unwrap_or(builtin::DEFAULT);
        let options = LoadOptions {
            variant: self.variant.clone(),
            profiles: self.profiles.clone(),
        };
        Ok(detente_formats::load(name, &options)?)
    }
}

/// Parses `--protocol` with the negotiation crate's names (listed in `--help`
/// and completions with their descriptions).
pub fn protocol_parser() -> impl TypedValueParser<Value = ProtocolKind> {
    let mut values: Vec<PossibleValue> = ProtocolKind::ALL
        .iter()
        .map(|p| PossibleValue::new(p.as_str()).help(p.description()))
        .collect();
    values.push(PossibleValue::new("mediated-veto").hide(true));
    PossibleValuesParser::new(values).try_map(|name| name.parse::<ProtocolKind>())
}
