//! Reading and writing negotiation scenarios.
//!
//! - [`native`]: detente's own versioned format, as TOML or JSON, with a JSON
//!   Schema ([`native::schema`]).
//! - [`ktab`]: KTAB's SMP input files (CSV and XML).
//! - [`genius`] and [`geniusweb`]: the competition formats (GENIUS XML,
//!   GeniusWeb JSON), read with the platforms' exact utility semantics and
//!   written back (`docs/formats.md`).
//! - [`load()`]: opens whatever a user points at and says what it found.
//!
//! Every reader returns errors that name the file, the line and column, what
//! is wrong and what was expected; no input makes a reader panic.

pub mod builtin;
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
pub use load::{LoadOptions, Loaded, load};
pub use locate::{Path as DocPath, Seg, Syntax};
pub use write::{
    TEMP_PREFIX, WriteError, is_stdout, output_name, remove_temporary_files, write_atomic,
    write_file, write_output,
};
