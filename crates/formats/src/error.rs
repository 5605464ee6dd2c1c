//! Errors with file positions.

use std::fmt;

/// A place in an input file. Lines and columns count from 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file as the user named it (or a file found inside a folder they named), so the
    /// message says which file.
    pub file: String,
    /// The line, counting from 1, when the problem has one.
    pub line: Option<usize>,
    /// The column in characters, counting from 1, when known.
    pub column: Option<usize>,
}

impl Location {
    /// A location naming the whole file, for problems that have no better position.
    pub fn file(file: &str) -> Self {
        Location {
            file: file.to_string(),
            line: None,
            column: None,
        }
    }

    /// The line and column of byte `offset` in `text`.
    pub fn at_offset(file: &str, text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let before = &text.as_bytes()[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let column = String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count()
            + 1;
        Location {
            file: file.to_string(),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{}:{l}:{c}", self.file),
            (Some(l), None) => write!(f, "{}:{l}", self.file),
            _ => write!(f, "{}", self.file),
        }
    }
}

/// One thing wrong in a file: where, and what (with what was expected).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is.
    pub at: Location,
    /// What is wrong and what was expected, as a sentence for the user.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}

/// The problems of a file, one per line.
fn lines(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(Problem::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The OS refused to read a file. The OS error is part of the message
    /// and deliberately not a `source`: printed as a chain it would repeat.
    #[error("{path}: {error}")]
    Io {
        /// The path that could not be read, as given.
        path: String,
        /// The OS's error, whose message is part of this error's.
        error: std::io::Error,
    },
    /// Something wrong at a place in a file.
    #[error("{at}: {message}")]
    At {
        /// Where the problem is.
        at: Location,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A file that parses but breaks the format's rules in one place or
    /// more: every problem found, in file order (the file is not loaded).
    #[error("{}", lines(problems))]
    Invalid {
        /// Every problem found, in file order.
        problems: Vec<Problem>,
    },
    /// A file or folder that is not something detente can read.
    #[error("{path}: {message}")]
    Unusable {
        /// The file or folder that was named.
        path: String,
        /// Why it cannot be read, and what detente reads instead.
        message: String,
    },
}

impl FormatError {
    /// An error at one place, for readers that stop at the first problem (a syntax error).
    pub fn at(at: Location, message: impl Into<String>) -> Self {
        FormatError::At {
            at,
            message: message.into(),
        }
    }

    /// The OS error of reading `path`, with the path as displayed.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        FormatError::Io {
            path: path.display().to_string(),
            error: source,
        }
    }

    /// A file or folder that detente cannot read, with the reason.
    pub fn unusable(path: impl fmt::Display, message: impl Into<String>) -> Self {
        FormatError::Unusable {
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// Every problem this error reports, each with its place (as precise as
    /// known: a file, or a file, line and column).
    pub fn problems(&self) -> Vec<Problem> {
        match self {
            FormatError::Invalid { problems } => problems.clone(),
            FormatError::At { at, message } => vec![Problem {
                at: at.clone(),
                message: message.clone(),
            }],
            FormatError::Io { path, error } => vec![Problem {
                at: Location::file(path),
                message: error.to_string(),
            }],
            FormatError::Unusable { path, message } => vec![Problem {
                at: Location::file(path),
                message: message.clone(),
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let text = "a = 1\nbé = 2\n";
        let loc = Location::at_offset("f.toml", text, text.find('2').unwrap());
        assert_eq!(loc.to_string(), "f.toml:2:6");
        assert_eq!(Location::at_offset("f", text, 0).to_string(), "f:1:1");
    }
}
