//! The names users give the analysis's choices (`--disagreement`,
//! `--method`, and the same arguments from Python), and the check of a
//! normalised time, so that every front end reads them alike.

use crate::{AUTO_SAMPLE_CAP, DEFAULT_TARGET_SE, Disagreement, MethodChoice, Samples};
use std::str::FromStr;

/// A name that is none of a choice's names, or a time outside `[0, 1]`.
#[derive(Debug, Clone, PartialEq)]
pub enum ChoiceError {
    /// A name that is none of the choice's names.
    Unknown {
        /// Which choice (`disagreement point`, `frontier method`).
        what: &'static str,
        /// The name given.
        name: String,
        /// The choice's names, comma-separated.
        known: String,
    },
    /// A number of samples that is neither a positive whole number nor
    /// `auto`.
    BadSamples(String),
    /// A normalised time outside `[0, 1]` (or not a number).
    TimeOutOfRange(f64),
}

impl std::fmt::Display for ChoiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChoiceError::Unknown { what, name, known } => {
                write!(f, "unknown {what} `{name}`; expected one of: {known}")
            }
            ChoiceError::BadSamples(s) => write!(
                f,
                "expected a positive number of samples or `auto`, not `{s}`"
            ),
            ChoiceError::TimeOutOfRange(t) => write!(
                f,
                "time {t} is outside [0, 1]; time is normalised so the deadline is 1"
            ),
        }
    }
}

impl std::error::Error for ChoiceError {}

fn parse<T: Copy>(
    what: &'static str,
    name: &str,
    all: &[(T, &'static str)],
) -> Result<T, ChoiceError> {
    let name = name.trim();
    all.iter()
        .find(|(_, n)| *n == name)
        .map(|(v, _)| *v)
        .ok_or_else(|| ChoiceError::Unknown {
            what,
            name: name.to_string(),
            known: all.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(", "),
        })
}

impl Disagreement {
    /// Every disagreement point with its name, in the order users see them.
    pub const ALL: [(Disagreement, &'static str); 2] = [
        (Disagreement::Reservation, "reservation"),
        (Disagreement::Zero, "zero"),
    ];
}

impl FromStr for Disagreement {
    type Err = ChoiceError;

    fn from_str(name: &str) -> Result<Self, ChoiceError> {
        parse("disagreement point", name, &Disagreement::ALL)
    }
}

impl MethodChoice {
    /// Every frontier method with its name, in the order users see them.
    pub const ALL: [(MethodChoice, &'static str); 4] = [
        (MethodChoice::Auto, "auto"),
        (MethodChoice::Enumerate, "enumerate"),
        (MethodChoice::Additive, "additive"),
        (MethodChoice::BranchAndBound, "branch-and-bound"),
    ];
}

impl FromStr for MethodChoice {
    type Err = ChoiceError;

    fn from_str(name: &str) -> Result<Self, ChoiceError> {
        parse("frontier method", name, &MethodChoice::ALL)
    }
}

impl FromStr for Samples {
    type Err = ChoiceError;

    /// `auto` (sample until every reported probability's standard error is
    /// at most [`DEFAULT_TARGET_SE`], at most [`AUTO_SAMPLE_CAP`] samples)
    /// or a positive whole number.
    fn from_str(s: &str) -> Result<Self, ChoiceError> {
        let s = s.trim();
        if s == "auto" {
            return Ok(Samples::Auto {
                target_se: DEFAULT_TARGET_SE,
                cap: AUTO_SAMPLE_CAP,
            });
        }
        match s.parse::<u64>() {
            Ok(n) if n > 0 => Ok(Samples::Fixed(n)),
            _ => Err(ChoiceError::BadSamples(s.to_string())),
        }
    }
}

/// Checks a normalised time (`--at-time`): analyses discount at a time in
/// `[0, 1]`, where 1 is the deadline.
pub fn check_time(t: f64) -> Result<f64, ChoiceError> {
    if (0.0..=1.0).contains(&t) {
        Ok(t)
    } else {
        Err(ChoiceError::TimeOutOfRange(t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_list_the_known_ones() {
        for (d, n) in Disagreement::ALL {
            assert_eq!(n.parse::<Disagreement>().unwrap(), d);
        }
        for (m, n) in MethodChoice::ALL {
            assert_eq!(n.parse::<MethodChoice>().unwrap(), m);
        }
        let e = "bnb".parse::<MethodChoice>().unwrap_err().to_string();
        assert_eq!(
            e,
            "unknown frontier method `bnb`; expected one of: auto, enumerate, additive, branch-and-bound"
        );
        assert_eq!("12".parse::<Samples>().unwrap(), Samples::Fixed(12));
        assert!(matches!(
            "auto".parse::<Samples>().unwrap(),
            Samples::Auto { .. }
        ));
        assert!("0".parse::<Samples>().is_err() && "-3".parse::<Samples>().is_err());
        assert!(check_time(1.0).is_ok());
        assert!(check_time(f64::NAN).is_err());
        assert!(check_time(-0.1).is_err());
    }
}
