//! KTAB SMP input files (CSV and XML) and SMP outputs in KTAB's layouts.
//!
//! The readers apply KTAB's own validation rules (`SMPModel::csvRead` and
//! `SMPModel::xmlRead`), including the ones that make KTAB reject two of
//! its shipped samples (an XML file without `IdealAdjustment`, an empty
//! `dCoord`), and report every problem with the file, the line and what
//! was expected.

mod csv;
mod xml;

use crate::csv_field;
pub use csv::read_ktab_csv;
pub use xml::read_ktab_xml;

use std::fmt::Write as _;
use std::path::Path;

use detente_forecast::{
    Actor, BargnModel, BigRAdjust, BigRRange, Forecast, InterVecBrgn, Model, Params, PceModel,
    StateTransitions, ThirdPartyCommit, VictoryProbModel, VotingRule,
};

use crate::error::{FormatError, Location};

/// KTAB's limits on text fields.
const MAX_ACTOR_NAME: usize = 25;
const MAX_ACTOR_DESC: usize = 256;
const MAX_SCENARIO_TEXT: usize = 512;
const MAX_CAPABILITY: f64 = 1e8;

/// Why a KTAB file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KtabError {
    /// A problem at a line of the file.
    #[error("{file}:{line}: {message}")]
    At {
        /// The file as named.
        file: String,
        /// The line, counting from 1.
        line: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A problem with the file as a whole.
    #[error("{file}: {message}")]
    File {
        /// The file as named.
        file: String,
        /// What is wrong and what was expected.
        message: String,
    },
}

impl KtabError {
    fn at(file: &str, line: usize, message: impl Into<String>) -> Self {
        KtabError::At {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
    fn file(file: &str, message: impl Into<String>) -> Self {
        KtabError::File {
            file: file.to_string(),
            message: message.into(),
        }
    }
}

impl From<KtabError> for FormatError {
    fn from(e: KtabError) -> Self {
        match e {
            KtabError::At {
                file,
                line,
                message,
            } => FormatError::at(
                Location {
                    file,
                    line: Some(line),
                    column: None,
                },
                message,
            ),
            KtabError::File { file, message } => FormatError::unusable(file, message),
        }
    }
}

/// Reads a KTAB file by extension (`.csv` or `.xml`), decoding UTF-8 (with
/// or without BOM) or, failing that, Windows-1252.
pub fn read_ktab_file(path: &Path) -> Result<Model, FormatError> {
    let bytes = crate::input::read_input(path)?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(s) => s.to_string(),
        Err(_) => encoding_rs::WINDOWS_1252.decode(&bytes).0.into_owned(),
    };
    let name = path.display().to_string();
    match crate::input::extension(path).as_str() {
        "csv" => Ok(read_ktab_csv(&text, &name)?),
        "xml" => Ok(read_ktab_xml(&text, &name)?),
        _ => Err(FormatError::unusable(
            name,
            "a KTAB scenario must end in .csv or .xml",
        )),
    }
}

// ------------------------------------------------------------------ CSV

/// Splits one CSV line at commas outside double quotes; each field is
/// trimmed of blanks and of its surrounding quotes.
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ',' if !quoted => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    fields.push(cur);
    fields.into_iter().map(|f| f.trim().to_string()).collect()
}

fn parse_number(file: &str, line: usize, what: &str, s: &str) -> Result<f64, KtabError> {
    if s.is_empty() {
        return Err(KtabError::at(
            file,
            line,
            format!("{what} is empty; expected a number"),
        ));
    }
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| KtabError::at(file, line, format!("{what} `{s}` is not a number")))
}

fn parse_count(file: &str, line: usize, what: &str, s: &str) -> Result<usize, KtabError> {
    s.parse::<usize>()
        .map_err(|_| KtabError::at(file, line, format!("{what} `{s}` is not a whole number")))
}

fn check_len(
    file: &str,
    line: usize,
    what: &str,
    s: &str,
    min: usize,
    max: usize,
) -> Result<(), KtabError> {
    let n = s.chars().count();
    if n < min || n > max {
        return Err(KtabError::at(
            file,
            line,
            format!("{what} `{s}` has {n} characters; KTAB allows {min} to {max}"),
        ));
    }
    Ok(())
}

/// The forecast in the layout of KTAB corpus `positions_wide.csv`: one row
/// per actor and dimension, columns `t0..tN` on the 0–100 scale, six
/// decimals, CRLF line ends (byte for byte the corpus files' format).
pub fn positions_wide_csv(model: &Model, forecast: &Forecast) -> String {
    let mut out = turn_header("actor,dim", forecast);
    for (i, a) in model.actors().iter().enumerate() {
        for (d, dim) in model.dimensions().iter().enumerate() {
            let _ = write!(out, "{},{}", csv_field(&a.name), csv_field(dim));
            for t in 0..forecast.turns.len() {
                let _ = write!(out, ",{:.6}", 100.0 * forecast.position(t, i, d));
            }
            out.push_str("\r\n");
        }
    }
    out
}

/// Win probabilities per turn, as corpus `win_prob_by_turn.csv` (4 decimals,
/// CRLF line ends).
pub fn win_prob_csv(model: &Model, forecast: &Forecast) -> String {
    let mut out = turn_header("actor", forecast);
    for (i, a) in model.actors().iter().enumerate() {
        out.push_str(&csv_field(&a.name));
        for turn in &forecast.turns {
            let _ = write!(out, ",{:.4}", turn.win_prob[i]);
        }
        out.push_str("\r\n");
    }
    out
}

/// The header line of KTAB's per-turn tables: the leading columns, then
/// `t0`, `t1`, … one per turn of the forecast, ended by CRLF.
fn turn_header(leading: &str, forecast: &Forecast) -> String {
    let mut out = String::from(leading);
    for t in 0..forecast.turns.len() {
        let _ = write!(out, ",t{t}");
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "Demo ,\"A demo\",3,1,\nActor,Description,Power,P1,S1,\nA, first, 10, 10, 50,\nB, second, 20, 50, 50,\nC, third, 30, 90, 50,\n";

    #[test]
    fn reads_csv() {
        let m = read_ktab_csv(CSV, "demo.csv").unwrap();
        assert_eq!(m.name(), "Demo");
        assert_eq!(m.dimensions(), ["P1"]);
        assert_eq!(m.actors()[2].position, vec![0.9]);
        assert_eq!(m.actors()[1].salience, vec![0.5]);
    }

    #[test]
    fn csv_errors_name_the_line() {
        let bad = CSV.replace("20, 50, 50", "20, 150, 50");
        let e = read_ktab_csv(&bad, "demo.csv").unwrap_err().to_string();
        assert!(e.starts_with("demo.csv:4:"), "{e}");
        assert!(e.contains("outside [0, 100]"), "{e}");
        let short = CSV.replace("C, third, 30, 90, 50,\n", "");
        let e = read_ktab_csv(&short, "demo.csv").unwrap_err().to_string();
        assert!(e.contains("only 2 actor lines"), "{e}");
    }
}
