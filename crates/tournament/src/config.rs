//! The tournament configuration file (TOML) and the deterministic plan of
//! matches it defines.

use serde::{Deserialize, Serialize};

/// A tournament, as written in its TOML file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `alternating` (bilateral), `stacked` (multilateral SAOP) or `mediated`.
    pub protocol: String,
    /// Deadline in rounds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rounds: Option<u32>,
    /// Deadline in virtual seconds (normalised time is elapsed / seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<f64>,
    /// How many times each pairing is run (with different seeds).
    #[serde(default = "one")]
    pub repetitions: u32,
    /// Whether a strategy may meet itself.
    #[serde(default = "yes")]
    pub self_play: bool,
    /// Every assignment of strategies to the scenario's parties (ordered
    /// tuples); when false, each combination once, in a canonical order.
    #[serde(default = "yes")]
    pub rotate: bool,
    /// Also rotate which party moves first (each assignment is run once per
    /// starting party).
    #[serde(default)]
    pub rotate_first_mover: bool,
    /// Master seed; each match's seed derives from it and the match's index.
    #[serde(default)]
    pub seed: u64,
    /// Strategy specs, e.g. `"boulware"` or `"boulware:e=0.1"`.
    pub strategies: Vec<String>,
    /// Scenarios: built-in names, files or folders (relative paths are read
    /// from the config file's folder), or `{ path = "...", variant = "A" }`.
    pub scenarios: Vec<ScenarioEntry>,
    /// Store every action of every match in the `traces` table.
    #[serde(default)]
    pub record_traces: bool,
    /// A strategy that takes longer than this for one step fails the match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_budget_ms: Option<u64>,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}

/// One scenario of the configuration: what to load, and which variant of a folder holding
/// several.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum ScenarioEntry {
    /// A built-in scenario's name or a path (relative to the configuration file's folder),
    /// loaded as `detente_formats::load` detects it.
    Name(String),
    /// A path with the variant to pick from a folder holding several.
    Detailed {
        /// A built-in scenario's name or a path, relative to the configuration file's folder.
        path: String,
        /// Which variant of a folder of several scenarios to load (as `--variant` picks it);
        /// `None` when there is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        variant: Option<String>,
    },
}

impl ScenarioEntry {
    /// The name or path to load, whichever form the entry has.
    pub fn path(&self) -> &str {
        match self {
            ScenarioEntry::Name(p) => p,
            ScenarioEntry::Detailed { path, .. } => path,
        }
    }
    /// The variant to pick, if the entry names one.
    pub fn variant(&self) -> Option<&str> {
        match self {
            ScenarioEntry::Name(_) => None,
            ScenarioEntry::Detailed { variant, .. } => variant.as_deref(),
        }
    }
}

impl Config {
    /// Refuses settings that cannot describe a tournament, naming the key:
    /// without this, `rounds = 0` or `time = nan` stored every match as a
    /// failure.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match (self.rounds, self.time) {
            (Some(_), Some(_)) => return Err(ConfigError::BothDeadlines),
            (None, None) => return Err(ConfigError::NoDeadline),
            (Some(0), None) => return Err(ConfigError::ZeroRounds),
            (None, Some(t)) if !(t.is_finite() && t > 0.0) => {
                return Err(ConfigError::BadTime { time: t });
            }
            _ => {}
        }
        if self.repetitions == 0 {
            return Err(ConfigError::ZeroRepetitions);
        }
        if self.strategies.is_empty() {
            return Err(ConfigError::NoStrategies);
        }
        if self.scenarios.is_empty() {
            return Err(ConfigError::NoScenarios);
        }
        for (i, s) in self.strategies.iter().enumerate() {
            if self.strategies[..i].contains(s) {
                return Err(ConfigError::DuplicateStrategy { name: s.clone() });
            }
        }
        Ok(())
    }
}

/// Why a configuration cannot describe a tournament; each message names the
/// setting to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Both deadlines given.
    #[error("set `rounds` or `time`, not both")]
    BothDeadlines,
    /// No deadline given.
    #[error("set a deadline: `rounds = N` or `time = SECONDS`")]
    NoDeadline,
    /// `rounds = 0`.
    #[error("`rounds = 0`: a deadline needs at least one round")]
    ZeroRounds,
    /// A time deadline that is not a positive, finite number.
    #[error("`time = {time}`: a deadline needs a positive, finite number of seconds")]
    BadTime {
        /// The time as given.
        time: f64,
    },
    /// `repetitions = 0`.
    #[error("`repetitions = 0`: run each pairing at least once")]
    ZeroRepetitions,
    /// No strategies listed.
    #[error("`strategies` is empty; list at least one strategy")]
    NoStrategies,
    /// No scenarios listed.
    #[error("`scenarios` is empty; list at least one scenario")]
    NoScenarios,
    /// A strategy listed twice.
    #[error("strategy `{name}` is listed twice")]
    DuplicateStrategy {
        /// The strategy as written.
        name: String,
    },
    /// More matches than [`MAX_MATCHES`].
    #[error(
        "the tournament would run {total} matches, more than the limit of {MAX_MATCHES}; use fewer strategies, scenarios or repetitions"
    )]
    TooManyMatches {
        /// How many matches the configuration plans.
        total: u64,
    },
    /// A strategy the runner refuses.
    #[error("strategy `{name}`: {error}")]
    Strategy {
        /// The strategy as written.
        name: String,
        /// Why the runner refuses it.
        error: crate::RunnerError,
    },
    /// Settings a scenario cannot be negotiated under (its number of
    /// parties, the memory a match of it would need).
    #[error("scenario `{entry}`: {error}")]
    Scenario {
        /// The scenario entry as the configuration wrote it.
        entry: String,
        /// Why the runner refuses it.
        error: crate::RunnerError,
    },
}

/// One match of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchPlan {
    /// Position in the whole tournament (the primary key in the database).
    pub index: u64,
    /// The scenario, by index into `Config::scenarios` (and into the loaded scenarios).
    pub scenario: usize,
    /// Strategy index per party, in the scenario's party order.
    pub assignment: Vec<usize>,
    /// The party that moves first (the session runs with the parties
    /// rotated so that this one comes first).
    pub first_mover: usize,
    /// Which repetition of this pairing the match is (0 for the first), so repeated matches
    /// differ only by seed.
    pub repetition: u32,
    /// The seed of the match's RNG, derived from the master seed and `index` so that it does
    /// not depend on which shard or thread runs it.
    pub seed: u64,
}

/// The largest number of matches a tournament may plan.
pub const MAX_MATCHES: u64 = 100_000_000;

/// A 64-bit mixer (SplitMix64's finaliser): a match's seed is
/// `mix(master ^ mix(index))`, so seeds do not depend on which matches run
/// where, or in which order.
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The assignments of `k` strategies to `n` parties.
pub fn assignments(k: usize, n: usize, rotate: bool, self_play: bool) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    if k == 0 || n == 0 {
        return out;
    }
    let mut a = vec![0usize; n];
    loop {
        let canonical = a.windows(2).all(|w| w[0] <= w[1]);
        let distinct = (0..n).all(|i| !a[..i].contains(&a[i]));
        if (rotate || canonical) && (self_play || distinct) {
            out.push(a.clone());
        }
        // Odometer, last party fastest.
        let mut j = n;
        loop {
            if j == 0 {
                return out;
            }
            j -= 1;
            a[j] += 1;
            if a[j] < k {
                break;
            }
            a[j] = 0;
        }
    }
}

/// Every match of the tournament, in a fixed order: scenario, assignment,
/// first mover, repetition. `parties[s]` is the number of parties of
/// scenario `s`.
pub fn plan(config: &Config, parties: &[usize]) -> Result<Vec<MatchPlan>, ConfigError> {
    let k = config.strategies.len();
    let mut total: u64 = 0;
    let per: Vec<Vec<Vec<usize>>> = parties
        .iter()
        .map(|&n| assignments(k, n, config.rotate, config.self_play))
        .collect();
    for (s, a) in per.iter().enumerate() {
        let movers = if config.rotate_first_mover {
            parties[s] as u64
        } else {
            1
        };
        total = total.saturating_add(a.len() as u64 * movers * config.repetitions as u64);
    }
    if total > MAX_MATCHES {
        return Err(ConfigError::TooManyMatches { total });
    }
    let mut out = Vec::with_capacity(total as usize);
    let mut index = 0u64;
    for (s, list) in per.iter().enumerate() {
        let movers = if config.rotate_first_mover {
            parties[s]
        } else {
            1
        };
        for a in list {
            for first_mover in 0..movers {
                for repetition in 0..config.repetitions {
                    out.push(MatchPlan {
                        index,
                        scenario: s,
                        assignment: a.clone(),
                        first_mover,
                        repetition,
                        seed: mix(config.seed ^ mix(index)),
                    });
                    index += 1;
                }
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assignment_counts() {
        assert_eq!(assignments(3, 2, true, true).len(), 9);
        assert_eq!(assignments(3, 2, true, false).len(), 6);
        assert_eq!(assignments(3, 2, false, true).len(), 6); // {aa, ab, ac, bb, bc, cc}
        assert_eq!(assignments(3, 2, false, false).len(), 3);
        assert_eq!(assignments(2, 3, true, false).len(), 0);
        assert_eq!(
            assignments(4, 3, false, false),
            vec![vec![0, 1, 2], vec![0, 1, 3], vec![0, 2, 3], vec![1, 2, 3]]
        );
    }

    #[test]
    fn seeds_depend_only_on_master_seed_and_index() {
        let mut c = Config {
            protocol: "alternating".into(),
            rounds: Some(10),
            time: None,
            repetitions: 2,
            self_play: true,
            rotate: true,
            rotate_first_mover: true,
            seed: 7,
            strategies: vec!["a".into(), "b".into()],
            scenarios: vec![],
            record_traces: false,
            step_budget_ms: None,
        };
        let p = plan(&c, &[2, 3]).unwrap();
        assert_eq!(p.len(), 4 * 2 * 2 + 8 * 3 * 2);
        assert!(p.iter().enumerate().all(|(i, m)| m.index == i as u64));
        let seeds: std::collections::HashSet<u64> = p.iter().map(|m| m.seed).collect();
        assert_eq!(seeds.len(), p.len());
        c.seed = 8;
        assert_ne!(plan(&c, &[2, 3]).unwrap()[0].seed, p[0].seed);
    }

    /// Issue "hostile input": nonsense deadlines were accepted and every
    /// match stored as a failure.
    #[test]
    fn hostile_input_nonsense_settings_are_refused_naming_the_key() {
        let base = Config {
            protocol: "alternating".into(),
            rounds: Some(10),
            time: None,
            repetitions: 1,
            self_play: true,
            rotate: true,
            rotate_first_mover: false,
            seed: 0,
            strategies: vec!["a".into()],
            scenarios: vec![ScenarioEntry::Name("car-sale".into())],
            record_traces: false,
            step_budget_ms: None,
        };
        assert!(base.validate().is_ok());
        let cases: Vec<(Config, &str)> = vec![
            (
                Config {
                    rounds: Some(0),
                    ..base.clone()
                },
                "`rounds = 0`",
            ),
            (
                Config {
                    rounds: None,
                    time: Some(f64::INFINITY),
                    ..base.clone()
                },
                "`time = inf`",
            ),
            (
                Config {
                    rounds: None,
                    time: Some(f64::NAN),
                    ..base.clone()
                },
                "`time = NaN`",
            ),
            (
                Config {
                    rounds: None,
                    time: Some(0.0),
                    ..base.clone()
                },
                "`time = 0`",
            ),
            (
                Config {
                    rounds: None,
                    time: Some(-5.0),
                    ..base.clone()
                },
                "`time = -5`",
            ),
            (
                Config {
                    rounds: Some(5),
                    time: Some(5.0),
                    ..base.clone()
                },
                "not both",
            ),
            (
                Config {
                    rounds: None,
                    ..base.clone()
                },
                "set a deadline",
            ),
            (
                Config {
                    repetitions: 0,
                    ..base.clone()
                },
                "`repetitions = 0`",
            ),
            (
                Config {
                    strategies: vec!["a".into(), "b".into(), "a".into()],
                    ..base.clone()
                },
                "listed twice",
            ),
            (
                Config {
                    scenarios: vec![],
                    ..base.clone()
                },
                "`scenarios` is empty",
            ),
        ];
        for (c, key) in cases {
            let e = c.validate().unwrap_err();
            assert!(e.to_string().contains(key), "{e} should name {key}");
        }
    }
}
