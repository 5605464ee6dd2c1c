//! Reading and writing negotiation scenarios.
//!
//! - [`native`]: detente's own versioned format, as TOML or JSON, with a JSON
//!   Schema ([`native::schema`]).
//! - [`ktab`]: KTAB's SMP input files (CSV and XML).
//! - [`genius`] and [`geniusweb`]: the competition formats (GENIUS XML,
//!   GeniusWeb JSON), read with the platforms' exact utility semantics and
//!   written back (`docs/formats.md`).
//! - [`load()`]: opens whatever a user points at and says what it found.
//! - [`convert`]: writes a scenario in a named format (native file, GENIUS
//!   or GeniusWeb folder), for every front end.
//!
//! Every reader returns errors that name the file, the line and column, what
//! is wrong and what was expected; no input makes a reader panic.
//!
//! ```
//! use detente_formats::{LoadOptions, load, native};
//!
//! // A built-in scenario, by name, as the CLI opens it.
//! let loaded = load("car-sale", &LoadOptions::default()).unwrap();
//! assert!(loaded.scenario.parties().len() >= 2);
//!
//! // Native text round-trips through the writer.
//! let text = native::to_toml(loaded.scenario.parts()).unwrap();
//! let again = native::read_str(&text, "car-sale.toml").unwrap();
//! assert_eq!(again.parts(), loaded.scenario.parts());
//!
//! // A wrong file is refused with its position.
//! let err = native::read_str("name = 1", "bad.toml").unwrap_err();
//! assert!(err.to_string().starts_with("bad.toml:1:"));
//! ```

#![warn(missing_docs)]

pub mod builtin;
pub mod convert;
pub mod error;
pub mod genius;
pub mod geniusweb;
mod input;
pub mod ktab;
pub mod load;
mod locate;
pub mod native;
mod write;

pub use error::{FormatError, Location, Problem};

/// A CSV field as RFC 4180 writes it: quoted, with quotes doubled, when it
/// holds a comma, a quote or a line break; as it is otherwise. Every CSV
/// detente writes (KTAB tables, traces, tournament rankings) quotes alike.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
pub use load::{LoadOptions, Loaded, load};
pub use locate::{Path as DocPath, Seg, Syntax};
pub use write::{
    FolderStep, TEMP_PREFIX, WriteError, is_stdout, output_name, remove_temporary_files,
    write_atomic, write_file, write_folder, write_output,
};
