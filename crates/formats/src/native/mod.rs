//! detente's native scenario format (version 1), as TOML or JSON.
//!
//! The two syntaxes carry the same structure. A minimal file:
//!
//! ```toml
//! version = 1
//! name = "sale"
//!
//! [[issues]]
//! name = "price"
//! options = ["low", "high"]
//!
//! [[parties]]
//! name = "buyer"
//! reservation = 0.2
//! weights = { price = 1 }
//! values.price = { low = 1, high = 0 }
//!
//! [[parties]]
//! name = "seller"
//! weights = { price = 1 }
//! values.price = { low = 0, high = 1 }
//! ```
//!
//! [`schema`] gives the JSON Schema; [`read_str`] parses and validates;
//! [`to_toml`] and [`to_json`] write a scenario back.

mod build;
mod forecast;
mod party;
mod read;
mod schema;
mod uncertain;
mod write;

pub use build::{BuildProblem, build};
pub use forecast::build_forecast;
pub use schema::*;
pub use write::{
    forecast_spec, to_file, to_json, to_json_with_forecast, to_toml, to_toml_with_forecast,
};

use crate::error::{FormatError, Location};
use crate::locate::Syntax;
use detente_core::Scenario;

/// Guesses the syntax from a file name, then from the first non-blank byte.
pub fn syntax_of(file: &str, text: &str) -> Syntax {
    if file.ends_with(".json") {
        return Syntax::Json;
    }
    if file.ends_with(".toml") {
        return Syntax::Toml;
    }
    match text
        .trim_start_matches('\u{feff}')
        .trim_start()
        .as_bytes()
        .first()
    {
        Some(b'{') => Syntax::Json,
        _ => Syntax::Toml,
    }
}

/// Parses and validates a native scenario. `file` is used in messages only.
///
/// A syntax error is reported alone ([`FormatError::At`]); otherwise every
/// problem found is reported at once ([`FormatError::Invalid`]), each with
/// its line and column.
pub fn read_str(text: &str, file: &str) -> Result<Scenario, FormatError> {
    read(text, file, false).map(|(s, _)| s)
}

/// Parses a native scenario and its forecasting model (if it has one); the
/// problems of both are reported together.
pub fn read_with_forecast(
    text: &str,
    file: &str,
) -> Result<(Scenario, Option<detente_forecast::Model>), FormatError> {
    read(text, file, true)
}

fn read(
    text: &str,
    file: &str,
    with_forecast: bool,
) -> Result<(Scenario, Option<detente_forecast::Model>), FormatError> {
    // Editors on Windows may start a UTF-8 file with a byte-order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let syntax = syntax_of(file, text);
    let read::Structure {
        spec,
        found,
        removed,
    } = read::structure(syntax, text, file)?;
    let mut checked = Vec::new();
    let mut parts = None;
    let mut forecast = None;
    if let Some(spec) = &spec {
        match build(spec) {
            Ok(p) => parts = Some(p),
            Err(problems) => checked.extend(problems),
        }
        if with_forecast && let Some(f) = &spec.forecast {
            match build_forecast(f, &spec.name) {
                Ok(m) => forecast = Some(m),
                Err(problems) => checked.extend(problems),
            }
        }
    }
    if !found.is_empty() || !checked.is_empty() {
        return Err(read::position(syntax, file, text, found, checked, &removed));
    }
    let Some(parts) = parts else {
        // Unreachable: no problem means the file was read and built.
        return Err(FormatError::at(
            Location::file(file),
            "the file could not be read",
        ));
    };
    let scenario =
        Scenario::new(parts).map_err(|e| FormatError::at(Location::file(file), e.to_string()))?;
    Ok((scenario, forecast))
}
