//! Opening whatever a user names: a built-in scenario, a native file, or a
//! competition scenario (a GENIUS domain file or folder, a GeniusWeb folder or
//! file; detection rules in `genius::detect`).

pub use crate::input::{
    LoadOptions, Loaded, MAX_INPUT_BYTES, MAX_INPUT_ENV, max_input_bytes, read_input,
};

use crate::error::FormatError;
use crate::input::{BOM, extension};
use crate::{builtin, native};
use std::path::Path;

/// Loads a scenario: `name_or_path` is a built-in name (see
/// [`builtin::NAMES`]) unless a file or folder of that name exists.
pub fn load(name_or_path: &str, options: &LoadOptions) -> Result<Loaded, FormatError> {
    let path = Path::new(name_or_path);
    if !path.exists() {
        if let Some(text) = builtin::text(name_or_path) {
            let (scenario, forecast) =
                native::read_with_forecast(text, &format!("<built-in {name_or_path}>"))?;
            return Ok(Loaded {
                scenario,
                detected: format!("built-in scenario `{name_or_path}`"),
                forecast,
            });
        }
        return Err(FormatError::unusable(
            name_or_path,
            format!(
                "no such file or folder, and not a built-in scenario; built-in scenarios are {}",
                builtin::NAMES.join(", ")
            ),
        ));
    }
    if path.is_dir() {
        return load_folder(path, options);
    }
    load_file(path, options)
}

fn read_text(path: &Path) -> Result<String, FormatError> {
    let mut bytes = read_input(path)?;
    if bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    String::from_utf8(bytes).map_err(|e| {
        FormatError::unusable(
            path.display(),
            format!(
                "the file is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

fn load_file(path: &Path, options: &LoadOptions) -> Result<Loaded, FormatError> {
    let name = path.display().to_string();
    let ext = extension(path);
    match ext.as_str() {
        "toml" | "json" => {
            let text = read_text(path)?;
            if ext == "json" && !looks_native_json(&text) {
                return crate::genius::detect::load_geniusweb_file(path, &text, options);
            }
            let (scenario, forecast) = native::read_with_forecast(&text, &name)?;
            Ok(Loaded {
                scenario,
                detected: format!("detente scenario ({})", ext.to_uppercase()),
                forecast,
            })
        }
        "xml" => crate::genius::detect::load_xml_file(path, options),
        _ => Err(FormatError::unusable(
            &name,
            "unrecognised file type; expected a detente scenario (.toml or .json), a GENIUS domain (.xml) or a GeniusWeb domain or profile (.json)",
        )),
    }
}

/// True when a JSON text has `issues` or `parties` at the top (or does not
/// parse, so that the native reader reports the syntax error with its
/// position). Only the top-level keys are kept: values are skipped.
fn looks_native_json(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    struct Probe {
        issues: Option<serde::de::IgnoredAny>,
        parties: Option<serde::de::IgnoredAny>,
    }
    match serde_json::from_str::<Probe>(text) {
        Ok(p) => p.issues.is_some() || p.parties.is_some(),
        Err(_) => true,
    }
}

/// A folder holding a GENIUS domain and its profiles (or several variants),
/// or a GeniusWeb domain and profiles; see `genius::detect` for the rules.
fn load_folder(path: &Path, options: &LoadOptions) -> Result<Loaded, FormatError> {
    crate::genius::detect::load_folder(path, options)
}
