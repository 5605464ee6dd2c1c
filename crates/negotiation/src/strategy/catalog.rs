//! The catalog of built-in strategies: one entry per strategy with its
//! name, family, description, parameters and constructor, so that adding a
//! strategy touches one place; and the validation of a specification
//! against the catalog.

use super::{Strategy, anac, builtin};
use crate::NegotiationError;
use crate::spec::StrategySpec;

/// The type and range of a parameter.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamKind {
    /// A finite number in `[min, max]`.
    Number {
        /// The smallest value allowed.
        min: f64,
        /// The largest value allowed.
        max: f64,
    },
    /// A non-negative integer.
    Count,
    /// One of the listed words.
    Choice(&'static [&'static str]),
}

/// One parameter of a strategy.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamInfo {
    /// The key written in a specification (`e` in `boulware:e=0.1`).
    pub name: &'static str,
    /// Its type and range.
    pub kind: ParamKind,
    /// The default, as text (`"rv"` style symbolic defaults are explained in
    /// the description).
    pub default: &'static str,
    /// What the parameter does, for listings.
    pub description: &'static str,
}

/// What kind of strategy an entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Faratin et al.'s time-dependent tactics.
    TimeDependent,
    /// Reproductions of NegMAS's time-based presets.
    NegmasCompatible,
    /// Strategies that respond to the other parties' offers.
    Reactive,
    /// ANAC champions, from their published descriptions.
    Anac,
    /// Deliberately misbehaving strategies for tests of failure handling.
    Test,
}

impl Family {
    /// The family's name in listings.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::TimeDependent => "time-dependent",
            Family::NegmasCompatible => "negmas-compatible",
            Family::Reactive => "reactive",
            Family::Anac => "anac-champion",
            Family::Test => "test",
        }
    }
}

/// Builds a strategy from its validated parameters (defaults filled in) and
/// the seed of its own random stream.
pub type Constructor = fn(&Params, u64) -> Box<dyn Strategy>;

/// A catalog entry: what `detente strategies` lists about a strategy, and
/// how to build it.
#[derive(Clone, Debug)]
pub struct StrategyInfo {
    /// The name users give (`boulware`).
    pub name: &'static str,
    /// What kind of strategy it is.
    pub family: Family,
    /// What it does, for listings.
    pub description: &'static str,
    /// Its parameters, with their defaults.
    pub params: Vec<ParamInfo>,
    /// Builds the strategy; [`build`] calls it once the specification has
    /// been validated against `params`.
    pub build: Constructor,
}

/// Entries are equal when they list the same strategy the same way; the
/// constructor is left out (function addresses are not comparable).
impl PartialEq for StrategyInfo {
    fn eq(&self, other: &StrategyInfo) -> bool {
        self.name == other.name
            && self.family == other.family
            && self.description == other.description
            && self.params == other.params
    }
}

impl StrategyInfo {
    /// Whether users see this strategy in listings (test-only ones are hidden).
    pub fn listed(&self) -> bool {
        self.family != Family::Test
    }
}

const NUM01: ParamKind = ParamKind::Number { min: 0.0, max: 1.0 };
const ACCEPTANCE: &[&str] = &["next", "const", "time", "combi"];

fn p(name: &'static str, kind: ParamKind, default: &'static str, d: &'static str) -> ParamInfo {
    ParamInfo {
        name,
        kind,
        default,
        description: d,
    }
}

/// The acceptance parameters shared by the composed strategies.
fn acceptance_params() -> Vec<ParamInfo> {
    vec![
        p(
            "ac",
            ParamKind::Choice(ACCEPTANCE),
            "next",
            "acceptance condition: next = AC_next(alpha, beta), const = AC_const(c), time = AC_time(T), combi = AC_next or (t >= T and the offer is the best received in the last 1-t of time)",
        ),
        p(
            "alpha",
            ParamKind::Number {
                min: 0.0,
                max: 10.0,
            },
            "1",
            "AC_next: accept if alpha*u(offer) + beta >= u(my next bid)",
        ),
        p(
            "beta",
            ParamKind::Number {
                min: -1.0,
                max: 1.0,
            },
            "0",
            "AC_next additive term",
        ),
        p("c", NUM01, "0.8", "AC_const threshold"),
        p("T", NUM01, "0.98", "AC_time / AC_combi time threshold"),
    ]
}

fn time_dependent(name: &'static str, e: &'static str, description: &'static str) -> StrategyInfo {
    let mut params = vec![
        p(
            "e",
            ParamKind::Number {
                min: 0.0,
                max: 100.0,
            },
            e,
            "concession exponent: f(t) = k + (1-k) t^(1/e); e < 1 Boulware, 1 linear, > 1 Conceder, 0 hardliner",
        ),
        p("k", NUM01, "0", "initial concession f(0)"),
        p(
            "pmin",
            ParamKind::Number {
                min: -1.0,
                max: 1.0,
            },
            "-1",
            "lowest target utility; -1 (default) means the party's reservation value",
        ),
        p(
            "pmax",
            ParamKind::Number {
                min: -1.0,
                max: 1.0,
            },
            "-1",
            "highest target utility; -1 (default) means the party's best utility",
        ),
    ];
    params.extend(acceptance_params());
    StrategyInfo {
        name,
        family: Family::TimeDependent,
        description,
        params,
        build: |params, _| Box::new(builtin::TimeDependent::from_params(params)),
    }
}

fn negmas(name: &'static str, description: &'static str, build: Constructor) -> StrategyInfo {
    StrategyInfo {
        name,
        family: Family::NegmasCompatible,
        description,
        build,
        params: vec![p(
            "eps",
            ParamKind::Number { min: 0.0, max: 1.0 },
            "0.0001",
            "tolerance below the aspiration level (NegMAS's default)",
        )],
    }
}

/// The strategies shown to users (`detente strategies`, the workbench, the
/// list in an unknown-name error): every catalog entry but the test-only ones.
pub fn listed_strategies() -> Vec<StrategyInfo> {
    strategy_catalog()
        .into_iter()
        .filter(StrategyInfo::listed)
        .collect()
}

/// Every built-in strategy with its parameters and defaults, the test-only
/// ones included (they stay usable by name, for tests of failure handling).
pub fn strategy_catalog() -> Vec<StrategyInfo> {
    let mut v = time_based();
    v.extend(reactive());
    v.extend(anac_champions());
    v.push(chaos());
    v
}

/// The time-dependent tactics and the NegMAS presets.
fn time_based() -> Vec<StrategyInfo> {
    vec![
        time_dependent(
            "time-dependent",
            "1",
            "Faratin et al.'s time-dependent tactic: target Pmin + (Pmax-Pmin)(1-f(t)), f(t) = k + (1-k) t^(1/e); offers the outcome closest above the target that the opponent model likes best",
        ),
        time_dependent(
            "boulware",
            "0.2",
            "time-dependent with e = 0.2: holds out, concedes near the deadline",
        ),
        time_dependent("linear", "1", "time-dependent with e = 1"),
        time_dependent("conceder", "2", "time-dependent with e = 2: concedes early"),
        time_dependent(
            "hardliner",
            "0",
            "time-dependent with e = 0: never concedes from Pmax",
        ),
        negmas(
            "negmas-boulware",
            "NegMAS 0.16 BoulwareTBNegotiator: aspiration 1 - t^4 over the utility range, t = (step+1)/(n_steps+1), offers the worst outcome within the band, accepts offers within the band",
            |params, _| Box::new(builtin::NegmasTimeBased::new(4.0, params.num("eps"))),
        ),
        negmas(
            "negmas-conceder",
            "NegMAS 0.16 ConcederTBNegotiator: as negmas-boulware with exponent 0.25",
            |params, _| Box::new(builtin::NegmasTimeBased::new(0.25, params.num("eps"))),
        ),
        negmas(
            "negmas-linear",
            "NegMAS 0.16 LinearTBNegotiator: as negmas-boulware with exponent 1",
            |params, _| Box::new(builtin::NegmasTimeBased::new(1.0, params.num("eps"))),
        ),
    ]
}

/// The strategies that answer what the others do: tit-for-tat, nice
/// tit-for-tat, random.
fn reactive() -> Vec<StrategyInfo> {
    let mut tft = vec![
        p(
            "mode",
            ParamKind::Choice(&["relative", "averaged"]),
            "relative",
            "relative: copy the opponent's last concession ratio; averaged: its ratio over a window of gamma offers",
        ),
        p(
            "gamma",
            ParamKind::Count,
            "3",
            "window of the averaged mode (offers)",
        ),
    ];
    tft.extend(acceptance_params());
    vec![
        StrategyInfo {
            name: "tit-for-tat",
            build: |params, _| Box::new(builtin::TitForTat::from_params(params)),
            family: Family::Reactive,
            description: "imitative tactic (Faratin): next target = u(opponent offer gamma back) / u(opponent last offer) * u(my last offer), clamped to [max(min, rv), max]",
            params: tft,
        },
        StrategyInfo {
            name: "nice-tit-for-tat",
            build: |params, _| Box::new(builtin::NiceTitForTat::new(params.num("bonus_from"))),
            family: Family::Reactive,
            description: "concedes towards its estimate of its own Nash utility (from a frequency opponent model) in proportion to the opponent's concession, with a time bonus near the deadline",
            params: vec![p(
                "bonus_from",
                NUM01,
                "0.9",
                "time after which it concedes further towards the Nash estimate",
            )],
        },
        StrategyInfo {
            name: "random",
            build: |params, seed| {
                Box::new(builtin::RandomStrategy::new(
                    params.num("p_accept"),
                    params.num("p_end"),
                    seed,
                ))
            },
            family: Family::Reactive,
            description: "offers a uniformly random outcome it finds acceptable; accepts an acceptable offer with probability p_accept; walks away with probability p_end",
            params: vec![
                p(
                    "p_accept",
                    NUM01,
                    "0.15",
                    "probability of accepting an acceptable offer",
                ),
                p(
                    "p_end",
                    NUM01,
                    "0",
                    "probability of walking away at each turn",
                ),
            ],
        },
    ]
}

/// The ANAC champions, written from their descriptions.
fn anac_champions() -> Vec<StrategyInfo> {
    vec![
        StrategyInfo {
            name: "agent-k",
            build: |params, seed| Box::new(anac::AgentK::new(params.num("tremor"), seed)),
            family: Family::Anac,
            description: "ANAC 2010 winner (from its description): target 1 - t^a (1 - estimate), estimate from the mean and spread of the opponent's offers; probabilistic acceptance",
            params: vec![p("tremor", NUM01, "0.02", "random tremor of the target")],
        },
        StrategyInfo {
            name: "hardheaded",
            build: |params, _| {
                Box::new(anac::HardHeaded::new(params.num("e"), params.num("floor")))
            },
            family: Family::Anac,
            description: "ANAC 2011 winner (from its description): Boulware p(t) with Ka = 0.05, e = 0.05 down to 0.585, bids ordered by a frequency opponent model",
            params: vec![
                p(
                    "e",
                    ParamKind::Number {
                        min: 0.001,
                        max: 10.0,
                    },
                    "0.05",
                    "concession exponent",
                ),
                p("floor", NUM01, "0.585", "lowest target"),
            ],
        },
        StrategyInfo {
            name: "cuhk-agent",
            build: |params, _| Box::new(anac::CuhkAgent::new(params.num("beta"))),
            family: Family::Anac,
            description: "ANAC 2012 winner (from its description): threshold falls until a discount-dependent time lambda, delayed by the opponent's toughness; bids chosen by opponent value frequencies",
            params: vec![p(
                "beta",
                ParamKind::Number { min: 0.1, max: 5.0 },
                "1.5",
                "lambda = 0.08 + 0.92 * delta^beta",
            )],
        },
        StrategyInfo {
            name: "atlas3",
            build: |_, seed| Box::new(anac::Atlas3::new(seed)),
            family: Family::Anac,
            description: "ANAC 2015 (multilateral) winner (from its description): floor from the evolutionarily stable mix of a hardline/compromise game; local search with opponents' frequent values; end game re-offers bids every opponent supported",
            params: vec![],
        },
        StrategyInfo {
            name: "agreeable2018",
            build: |params, seed| Box::new(anac::Agreeable2018::new(params.num("floor"), seed)),
            family: Family::Anac,
            description: "ANAC 2018 winner (from its description): best bid until t = 0.2, then Boulware (e = 0.1) to a floor of 0.8; roulette-wheel choice by opponent models; accepts at least its next bid, or anything rational after t = 0.99",
            params: vec![p("floor", NUM01, "0.8", "lowest target")],
        },
    ]
}

/// The test-only strategy that misbehaves on request.
fn chaos() -> StrategyInfo {
    StrategyInfo {
        name: "chaos",
        build: |params, _| {
            Box::new(builtin::Chaos::new(
                params.count("panic_at"),
                params.count("sleep_ms"),
            ))
        },
        family: Family::Test,
        description: "TEST ONLY: behaves like boulware, but panics at round panic_at or sleeps sleep_ms at every step (to exercise failure handling)",
        params: vec![
            p(
                "panic_at",
                ParamKind::Count,
                "0",
                "round at which to panic (0 = never)",
            ),
            p(
                "sleep_ms",
                ParamKind::Count,
                "0",
                "milliseconds to sleep at every step",
            ),
        ],
    }
}

/// The parameters of a validated specification, with defaults filled in:
/// what a [`Constructor`] reads. Validation has checked every value against
/// its [`ParamKind`], so the readers need not fail.
#[derive(Clone, Debug)]
pub struct Params {
    values: Vec<(&'static str, String)>,
}

impl Params {
    /// A [`ParamKind::Number`] parameter (0 for a name the entry lacks).
    pub fn num(&self, key: &str) -> f64 {
        self.text(key).parse().unwrap_or(0.0)
    }

    /// A [`ParamKind::Count`] parameter (0 for a name the entry lacks).
    pub fn count(&self, key: &str) -> u64 {
        self.text(key).parse().unwrap_or(0)
    }

    /// A parameter as text, such as a [`ParamKind::Choice`] (empty for a
    /// name the entry lacks).
    pub fn text(&self, key: &str) -> &str {
        self.values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// Checks a specification against the catalog; unknown names, unknown
/// parameters and bad values give an error listing what is expected.
pub fn validate_strategy(spec: &StrategySpec) -> Result<(), NegotiationError> {
    resolve(spec).map(|_| ())
}

/// Builds the strategy a specification names, with its own random stream.
pub fn build(spec: &StrategySpec, seed: u64) -> Result<Box<dyn Strategy>, NegotiationError> {
    let (info, params) = resolve(spec)?;
    Ok((info.build)(&params, seed))
}

fn resolve(spec: &StrategySpec) -> Result<(StrategyInfo, Params), NegotiationError> {
    // The catalog is immutable: build it once, not at every session.
    static CATALOG: std::sync::LazyLock<Vec<StrategyInfo>> =
        std::sync::LazyLock::new(strategy_catalog);
    let Some(info) = CATALOG.iter().find(|s| s.name == spec.name).cloned() else {
        return Err(NegotiationError::UnknownStrategy {
            name: spec.name.clone(),
            known: CATALOG
                .iter()
                .filter(|s| s.listed())
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let mut values: Vec<(&'static str, String)> = info
        .params
        .iter()
        .map(|p| (p.name, p.default.to_string()))
        .collect();
    for (k, v) in &spec.params {
        let Some(pi) = info.params.iter().find(|p| p.name == k) else {
            return Err(NegotiationError::UnknownParameter {
                strategy: info.name.to_string(),
                param: k.clone(),
                known: if info.params.is_empty() {
                    "(none)".into()
                } else {
                    info.params
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            });
        };
        let bad = |expected: String| NegotiationError::BadParameter {
            strategy: info.name.to_string(),
            param: k.clone(),
            value: v.clone(),
            expected,
        };
        match pi.kind {
            ParamKind::Number { min, max } => {
                let x: f64 = v
                    .parse()
                    .map_err(|_| bad(format!("a number in [{min}, {max}]")))?;
                if !(x.is_finite() && x >= min && x <= max) {
                    return Err(bad(format!("a number in [{min}, {max}]")));
                }
            }
            ParamKind::Count => {
                v.parse::<u64>()
                    .map_err(|_| bad("a non-negative integer".into()))?;
            }
            ParamKind::Choice(words) => {
                if !words.contains(&v.as_str()) {
                    return Err(bad(format!("one of {}", words.join(", "))));
                }
            }
        }
        let slot = values.iter_mut().find(|(n, _)| *n == pi.name);
        if let Some(slot) = slot {
            slot.1 = v.clone();
        }
    }
    Ok((info, Params { values }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_parameters() {
        let s: StrategySpec = "boulware:e=0.1,k=0.05".parse().unwrap();
        assert_eq!(s.name, "boulware");
        assert_eq!(
            s.params,
            vec![("e".into(), "0.1".into()), ("k".into(), "0.05".into())]
        );
        assert_eq!(s.to_string(), "boulware:e=0.1,k=0.05");
        assert!(validate_strategy(&s).is_ok());
        let plain: StrategySpec = "Conceder".parse().unwrap();
        assert_eq!(plain, StrategySpec::named("conceder"));
    }

    #[test]
    fn rejects_bad_specifications_with_what_is_expected() {
        assert!("boulware:e".parse::<StrategySpec>().is_err());
        assert!("boulware:e=1,e=2".parse::<StrategySpec>().is_err());
        let e = validate_strategy(&"nope".parse().unwrap()).unwrap_err();
        assert!(e.to_string().contains("boulware"), "{e}");
        let e = validate_strategy(&"boulware:z=1".parse().unwrap()).unwrap_err();
        assert!(e.to_string().contains("pmin"), "{e}");
        let e = validate_strategy(&"boulware:e=abc".parse().unwrap()).unwrap_err();
        assert!(e.to_string().contains("a number in"), "{e}");
        let e = validate_strategy(&"boulware:ac=maybe".parse().unwrap()).unwrap_err();
        assert!(e.to_string().contains("combi"), "{e}");
    }

    #[test]
    fn every_catalog_default_validates() {
        for s in strategy_catalog() {
            let params = s
                .params
                .iter()
                .map(|p| (p.name.to_string(), p.default.to_string()))
                .collect();
            let spec = StrategySpec {
                name: s.name.into(),
                params,
            };
            validate_strategy(&spec).unwrap();
            // Every entry carries its constructor: building needs no
            // second list kept in step with this one.
            build(&spec, 1).unwrap();
        }
    }

    #[test]
    fn names_are_unique_and_listing_hides_only_test_strategies() {
        let all = strategy_catalog();
        for (i, s) in all.iter().enumerate() {
            assert!(all[..i].iter().all(|t| t.name != s.name), "{}", s.name);
        }
        let listed: Vec<&str> = listed_strategies().iter().map(|s| s.name).collect();
        let shown: Vec<&str> = all.iter().filter(|s| s.listed()).map(|s| s.name).collect();
        assert_eq!(listed, shown);
        assert!(!listed.contains(&"chaos"));
        assert!(build(&StrategySpec::named("chaos"), 1).is_ok());
    }
}
