//! What loading takes and gives ([`LoadOptions`], [`Loaded`]) and how every
//! input file is read ([`read_input`]: bounded, devices refused). Kept apart
//! from `load.rs` so that the format detectors it calls can use these
//! without importing it back.

use crate::error::FormatError;
use detente_core::Scenario;
use std::path::Path;

/// Choices that matter only for some inputs.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// For a folder holding several scenario variants (ANAC 2012's
    /// `X-A-domain.xml`, `X-B-domain.xml`, ...): which one.
    pub variant: Option<String>,
    /// Profile files to pair with a GENIUS domain file.
    pub profiles: Vec<String>,
}

/// A scenario and a sentence saying what was read.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The scenario, validated and compiled.
    pub scenario: Scenario,
    /// A sentence saying what was read (a built-in scenario, a native file, a GENIUS folder,
    /// ...), shown so the user can check the detection.
    pub detected: String,
    /// The scenario's forecasting model, when it declares one.
    pub forecast: Option<detente_forecast::Model>,
}

/// The largest input file the loaders read, in bytes (64 MiB), unless the
/// environment variable [`MAX_INPUT_ENV`] gives another number. Scenario
/// files are far smaller; the cap keeps a wrong path (a disk image, a
/// device, a link to `/dev/zero`) from exhausting memory.
pub const MAX_INPUT_BYTES: u64 = 64 * 1024 * 1024;

/// The environment variable that raises (or lowers) [`MAX_INPUT_BYTES`].
pub const MAX_INPUT_ENV: &str = "DETENTE_MAX_INPUT_BYTES";

/// The input cap in force: [`MAX_INPUT_ENV`] when set, else [`MAX_INPUT_BYTES`].
pub fn max_input_bytes() -> Result<u64, FormatError> {
    match std::env::var(MAX_INPUT_ENV) {
        Err(_) => Ok(MAX_INPUT_BYTES),
        Ok(v) => v.trim().parse::<u64>().map_err(|_| {
            FormatError::unusable(
                MAX_INPUT_ENV,
                format!(
                    "`{v}` is not a number of bytes; expected a whole number such as 268435456"
                ),
            )
        }),
    }
}

/// Reads an input file whole, refusing one larger than the cap (see
/// [`MAX_INPUT_BYTES`]) and devices, which may never end. Every file the
/// loaders read (native, GENIUS, GeniusWeb, KTAB) goes through here.
pub fn read_input(path: &Path) -> Result<Vec<u8>, FormatError> {
    use std::io::Read;
    let cap = max_input_bytes()?;
    let too_large = || {
        let mib = if cap >= 1 << 20 && cap % (1 << 20) == 0 {
            format!(" ({} MiB)", cap >> 20)
        } else {
            String::new()
        };
        FormatError::unusable(
            path.display(),
            format!(
                "the file is larger than the input limit of {cap} bytes{mib}; set {MAX_INPUT_ENV} to a larger number of bytes to read it"
            ),
        )
    };
    let meta = std::fs::metadata(path).map_err(|e| FormatError::io(path, e))?;
    let kind = meta.file_type();
    if kind.is_dir() {
        return Err(FormatError::unusable(
            path.display(),
            "is a folder; expected a file",
        ));
    }
    if !kind.is_file() && !is_pipe(&kind) {
        return Err(FormatError::unusable(
            path.display(),
            "is not a regular file (a device or a socket); expected a scenario file",
        ));
    }
    if kind.is_file() && meta.len() > cap {
        return Err(too_large());
    }
    // A pipe, or a file that grows while it is read, stops at one byte past the cap.
    let file = std::fs::File::open(path).map_err(|e| FormatError::io(path, e))?;
    let mut bytes = Vec::with_capacity(if kind.is_file() {
        meta.len() as usize
    } else {
        0
    });
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| FormatError::io(path, e))?;
    if bytes.len() as u64 > cap {
        return Err(too_large());
    }
    // Editors on Windows may start a UTF-8 file with a byte-order mark. JSON
    // parsers refuse it (TOML, XML and CSV readers accept it), so it is
    // dropped here for every JSON reader at once.
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if json && bytes.starts_with(BOM) {
        bytes.drain(..BOM.len());
    }
    Ok(bytes)
}

/// A file's extension in lower case, empty when it has none: how every
/// loader tells formats apart, so that `.XML` and `.xml` are read alike.
pub(crate) fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// The UTF-8 byte-order mark.
pub(crate) const BOM: &[u8] = b"\xEF\xBB\xBF";

#[cfg(unix)]
fn is_pipe(kind: &std::fs::FileType) -> bool {
    use std::os::unix::fs::FileTypeExt;
    kind.is_fifo()
}

#[cfg(not(unix))]
fn is_pipe(_: &std::fs::FileType) -> bool {
    false
}
