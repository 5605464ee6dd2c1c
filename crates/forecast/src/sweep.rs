//! Sensitivity analysis: vary actors' attributes or model parameters, run
//! every combination, and summarise how the forecast moves; or perturb a
//! scenario at random (Monte Carlo) with a seed.
//!
//! Variation specs (positions and saliences on the 0–100 scale):
//!
//! | spec | values |
//! |---|---|
//! | `Alice.capability=+-10%` | base −10 %, base, base +10 % |
//! | `Alice.position[Dim1]=+-5` | base −5, base, base +5 |
//! | `Bob.salience[0]=20,40,60` | the listed values |
//! | `Bob.capability=50:25:150` | 50, 75, …, 150 (min:step:max) |
//! | `VotingRule=Prop,Cubic` | parameter values by name or code |

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

use crate::model::Model;
use crate::params::PARAM_NAMES;
use crate::smp::{Forecast, run};

/// What a variation changes.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// An actor's capability.
    Capability {
        /// The actor, by index into `Model::actors`.
        actor: usize,
    },
    /// An actor's position on one dimension.
    Position {
        /// The actor, by index into `Model::actors`.
        actor: usize,
        /// The dimension, by index into `Model::dimensions`.
        dim: usize,
    },
    /// An actor's salience on one dimension.
    Salience {
        /// The actor, by index into `Model::actors`.
        actor: usize,
        /// The dimension, by index into `Model::dimensions`.
        dim: usize,
    },
    /// A model parameter (one of `PARAM_NAMES`), set by value name.
    Param {
        /// The parameter's name as the user wrote it.
        name: String,
    },
}

/// One axis of a sweep: a target and the values it takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Variation {
    /// The variation as the user wrote it (`TARGET=VALUES`), for labels and messages.
    pub spec: String,
    /// What the variation changes.
    pub target: Target,
    /// Numbers (0–100 for positions and saliences) or parameter values.
    pub values: Vec<String>,
}

/// One scenario of a sweep with the labels of its varied values.
#[derive(Clone, Debug)]
pub struct Case {
    /// The value each variation takes in this case, in the order the variations were given.
    pub label: Vec<String>,
    /// The model with those values applied, ready to run.
    pub model: Model,
}

fn target_value(model: &Model, t: &Target) -> Option<f64> {
    let a = model.actors();
    match *t {
        Target::Capability { actor } => Some(a[actor].capability),
        Target::Position { actor, dim } => Some(100.0 * a[actor].position[dim]),
        Target::Salience { actor, dim } => Some(100.0 * a[actor].salience[dim]),
        Target::Param { .. } => None,
    }
}

/// Why a sweep could not be set up: a variation that cannot be read, a
/// combination the model refuses, or a request beyond the limits.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SweepError {
    /// A variation without `=`.
    #[error("`{spec}`: expected TARGET=VALUES")]
    Syntax {
        /// The variation as given.
        spec: String,
    },
    /// A target that is neither `ACTOR.attribute` nor a parameter.
    #[error("`{target}`: expected ACTOR.capability, ACTOR.position[DIM], ACTOR.salience[DIM] or a parameter ({})", PARAM_NAMES.join(", "))]
    BadTarget {
        /// The target as given.
        target: String,
    },
    /// An actor the scenario does not have.
    #[error("`{name}` is not an actor of the scenario")]
    UnknownActor {
        /// The name as given.
        name: String,
    },
    /// `[` without its `]`.
    #[error("`{target}`: missing `]`")]
    MissingBracket {
        /// The target as given.
        target: String,
    },
    /// A dimension the scenario does not have.
    #[error("`{name}` is not a dimension (expected one of {expected})")]
    UnknownDimension {
        /// The dimension as given.
        name: String,
        /// The scenario's dimensions, comma-separated.
        expected: String,
    },
    /// A position or salience of a scenario with several dimensions, given
    /// without one.
    #[error("`{target}`: name the dimension, e.g. {example}")]
    DimensionNeeded {
        /// The target as given.
        target: String,
        /// The same target with the first dimension named.
        example: String,
    },
    /// An attribute other than capability, position or salience.
    #[error("`{name}`: expected capability, position or salience")]
    UnknownAttribute {
        /// The attribute as given.
        name: String,
    },
    /// A value that should be a number.
    #[error("`{text}` is not a number")]
    NotANumber {
        /// The text as given.
        text: String,
    },
    /// A `min:step:max` range with no values.
    #[error("min:step:max needs step > 0 and max >= min")]
    BadRange,
    /// A range of more than 10,000 values.
    #[error("{count} values is too many")]
    TooManyValues {
        /// How many values the range has.
        count: usize,
    },
    /// A variation whose values part lists nothing.
    #[error("`{spec}`: no values")]
    NoValues {
        /// The variation as given.
        spec: String,
    },
    /// The values of a variation cannot be read.
    #[error("`{spec}`: {error}")]
    Values {
        /// The variation as given.
        spec: String,
        /// What is wrong with its values.
        error: Box<SweepError>,
    },
    /// One value of a variation gives a model that cannot be built.
    #[error("{spec}: {error}")]
    Case {
        /// The variation as given.
        spec: String,
        /// Why its value was refused.
        error: Box<SweepError>,
    },
    /// A parameter value that cannot be set.
    #[error(transparent)]
    Param(#[from] crate::ParamError),
    /// A changed model that the model's own checks refuse.
    #[error(transparent)]
    Model(crate::model::ModelError),
    /// More combinations than the limit.
    #[error("{count} combinations is more than the limit of {max} cases")]
    TooManyCases {
        /// How many combinations the variations give.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A perturbation outside its range.
    #[error("{name} = {value} is outside {range}")]
    OutOfRange {
        /// The perturbation's name.
        name: &'static str,
        /// Its value, as printed.
        value: String,
        /// The valid range.
        range: &'static str,
    },
}

/// Parses a variation spec against `model` (see the module docs).
pub fn parse_variation(model: &Model, spec: &str) -> Result<Variation, SweepError> {
    let (lhs, rhs) = spec.split_once('=').ok_or_else(|| SweepError::Syntax {
        spec: spec.to_string(),
    })?;
    let (lhs, rhs) = (lhs.trim(), rhs.trim());
    let target = if PARAM_NAMES.iter().any(|p| p.eq_ignore_ascii_case(lhs))
        || lhs.eq_ignore_ascii_case("ktab_compat")
    {
        Target::Param {
            name: lhs.to_string(),
        }
    } else {
        let (actor_name, attr) = lhs.rsplit_once('.').ok_or_else(|| SweepError::BadTarget {
            target: lhs.to_string(),
        })?;
        let actor = model
            .actor_index(actor_name)
            .ok_or_else(|| SweepError::UnknownActor {
                name: actor_name.to_string(),
            })?;
        let (attr, dim) = match attr.split_once('[') {
            None => (attr, None),
            Some((a, rest)) => {
                let d = rest
                    .strip_suffix(']')
                    .ok_or_else(|| SweepError::MissingBracket {
                        target: lhs.to_string(),
                    })?;
                let dims = model.dimensions();
                let idx = dims
                    .iter()
                    .position(|x| x == d)
                    .or_else(|| d.parse::<usize>().ok().filter(|&i| i < dims.len()))
                    .ok_or_else(|| SweepError::UnknownDimension {
                        name: d.to_string(),
                        expected: dims.join(", "),
                    })?;
                (a, Some(idx))
            }
        };
        let dim_or_only = || -> Result<usize, SweepError> {
            match dim {
                Some(d) => Ok(d),
                None if model.dimensions().len() == 1 => Ok(0),
                None => Err(SweepError::DimensionNeeded {
                    target: lhs.to_string(),
                    example: format!("{attr}[{}]", model.dimensions()[0]),
                }),
            }
        };
        match attr {
            "capability" | "cap" => Target::Capability { actor },
            "position" | "pos" => Target::Position {
                actor,
                dim: dim_or_only()?,
            },
            "salience" | "sal" => Target::Salience {
                actor,
                dim: dim_or_only()?,
            },
            other => {
                return Err(SweepError::UnknownAttribute {
                    name: other.to_string(),
                });
            }
        }
    };
    let values = match target_value(model, &target) {
        None => rhs.split(',').map(|v| v.trim().to_string()).collect(),
        Some(base) => numeric_values(base, rhs).map_err(|e| SweepError::Values {
            spec: spec.to_string(),
            error: Box::new(e),
        })?,
    };
    if values.is_empty() {
        return Err(SweepError::NoValues {
            spec: spec.to_string(),
        });
    }
    Ok(Variation {
        spec: spec.to_string(),
        target,
        values,
    })
}

fn num(s: &str) -> Result<f64, SweepError> {
    s.trim().parse::<f64>().map_err(|_| SweepError::NotANumber {
        text: s.to_string(),
    })
}

fn numeric_values(base: f64, rhs: &str) -> Result<Vec<String>, SweepError> {
    let fmt = |x: f64| format!("{}", (x * 1e9).round() / 1e9);
    if let Some(d) = rhs.strip_prefix("+-").or_else(|| rhs.strip_prefix('±')) {
        let delta = match d.strip_suffix('%') {
            Some(p) => base * num(p)? / 100.0,
            None => num(d)?,
        };
        return Ok(vec![fmt(base - delta), fmt(base), fmt(base + delta)]);
    }
    let parts: Vec<&str> = rhs.split(':').collect();
    if parts.len() == 3 {
        let (lo, step, hi) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
        if !(step > 0.0) || hi < lo {
            return Err(SweepError::BadRange);
        }
        let count = ((hi - lo) / step + 1e-9).floor() as usize + 1;
        if count > 10_000 {
            return Err(SweepError::TooManyValues { count });
        }
        return Ok((0..count).map(|i| fmt(lo + step * i as f64)).collect());
    }
    rhs.split(',').map(|v| num(v).map(fmt)).collect()
}

fn apply(model: &Model, target: &Target, value: &str) -> Result<Model, SweepError> {
    if let Target::Param { name } = target {
        let mut p = *model.params();
        p.set(name, value)?;
        return Ok(model.clone().with_params(p));
    }
    let v = num(value)?;
    let mut actors = model.actors().to_vec();
    match *target {
        Target::Capability { actor } => actors[actor].capability = v,
        Target::Position { actor, dim } => actors[actor].position[dim] = v / 100.0,
        Target::Salience { actor, dim } => actors[actor].salience[dim] = v / 100.0,
        Target::Param { .. } => {}
    }
    rebuild(model, actors)
}

fn rebuild(model: &Model, actors: Vec<crate::model::Actor>) -> Result<Model, SweepError> {
    Model::new(model.dimensions().to_vec(), actors)
        .and_then(|m| m.with_accommodation(model.accommodation().to_vec()))
        .map(|m| {
            m.with_name(model.name(), model.description())
                .with_params(*model.params())
                .with_seed(model.seed())
        })
        .map_err(SweepError::Model)
}

/// Every combination of the variations' values (the first variation
/// varies slowest). Fails on the first invalid combination.
pub fn cases(model: &Model, variations: &[Variation]) -> Result<Vec<Case>, SweepError> {
    cases_limited(model, variations, DEFAULT_MAX_CASES)
}

/// The most cases a sweep runs unless told otherwise. Every case keeps its
/// model and its forecast in memory until the sweep ends (a few kB to a few
/// tens of kB each, more with many actors), so 100,000 cases take up to
/// about a gigabyte; the CLI's `--max-cases` raises it.
pub const DEFAULT_MAX_CASES: usize = 100_000;

/// [`cases`], refusing more than `max` combinations.
pub fn cases_limited(
    model: &Model,
    variations: &[Variation],
    max: usize,
) -> Result<Vec<Case>, SweepError> {
    let mut out = vec![Case {
        label: Vec::new(),
        model: model.clone(),
    }];
    for var in variations {
        let mut next = Vec::with_capacity(out.len() * var.values.len());
        for case in &out {
            for v in &var.values {
                let m = apply(&case.model, &var.target, v).map_err(|e| SweepError::Case {
                    spec: var.spec.clone(),
                    error: Box::new(e),
                })?;
                let mut label = case.label.clone();
                label.push(v.clone());
                next.push(Case { label, model: m });
            }
        }
        if next.len() > max {
            return Err(SweepError::TooManyCases {
                count: next.len(),
                max,
            });
        }
        out = next;
    }
    Ok(out)
}

/// Random perturbations for Monte Carlo runs: each actor's capability is
/// scaled by a uniform factor in `1 ± capability_pct/100`, and each
/// position and salience moved by a uniform amount in `± points` (0–100
/// scale), clipped to the valid range (saliences rescaled to sum ≤ 100).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Perturbation {
    /// The largest change of each capability, in percent.
    pub capability_pct: f64,
    /// The largest move of each position, in points on the 0–100 scale.
    pub position_points: f64,
    /// The largest move of each salience, in points on the 0–100 scale.
    pub salience_points: f64,
}

impl Perturbation {
    /// Checks the ranges: a capability scaled by 100% or more could reach
    /// zero or below, and moves beyond 100 points are larger than the scale.
    pub fn validate(&self) -> Result<(), SweepError> {
        let checks = [
            ("capability_pct", self.capability_pct, 100.0, false),
            ("position_points", self.position_points, 100.0, true),
            ("salience_points", self.salience_points, 100.0, true),
        ];
        for (name, v, max, inclusive) in checks {
            let ok = v.is_finite() && v >= 0.0 && (v < max || (inclusive && v == max));
            if !ok {
                let range = if inclusive { "[0, 100]" } else { "[0, 100)" };
                return Err(SweepError::OutOfRange {
                    name,
                    value: crate::model::short(v),
                    range,
                });
            }
        }
        Ok(())
    }
}

fn uniform(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `draws` randomly perturbed copies of `model`; draw r uses its own
/// generator seeded from `seed` and r, so any draw can be replayed alone.
pub fn monte_carlo(
    model: &Model,
    spec: Perturbation,
    draws: usize,
    seed: u64,
) -> Result<Vec<Case>, SweepError> {
    spec.validate()?;
    (0..draws)
        .map(|r| {
            let mut rng =
                ChaCha8Rng::seed_from_u64(seed ^ (r as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            let mut actors = model.actors().to_vec();
            for a in &mut actors {
                let f = 1.0 + spec.capability_pct / 100.0 * (2.0 * uniform(&mut rng) - 1.0);
                a.capability = (a.capability * f).max(1e-9);
                for p in &mut a.position {
                    let d = spec.position_points / 100.0 * (2.0 * uniform(&mut rng) - 1.0);
                    *p = (*p + d).clamp(0.0, 1.0);
                }
                for s in &mut a.salience {
                    let d = spec.salience_points / 100.0 * (2.0 * uniform(&mut rng) - 1.0);
                    *s = (*s + d).clamp(0.001, 1.0);
                }
                let total = a.total_salience();
                if total > 1.0 {
                    for s in &mut a.salience {
                        *s /= total;
                    }
                }
            }
            rebuild(model, actors).map(|m| Case {
                label: vec![format!("draw {r}")],
                model: m,
            })
        })
        .collect()
}

/// Runs every case in parallel; results in the order of `cases`.
pub fn run_all(cases: &[Case]) -> Vec<Forecast> {
    cases.par_iter().map(|c| run(&c.model)).collect()
}

/// Two one-number-per-dimension readings of a forecast's last state.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The position (0–100) of the actor whose position is most likely to win.
    pub favourite: Vec<f64>,
    /// The mean final position (0–100) weighted by effective power
    /// (capability × salience on that dimension).
    pub weighted_mean: Vec<f64>,
}

/// Summarises the last state of `forecast` of `model`.
pub fn outcome(model: &Model, forecast: &Forecast) -> Outcome {
    let last = forecast.last();
    let k = forecast.dims;
    let mut best = 0;
    for (i, &w) in last.win_prob.iter().enumerate() {
        if w > last.win_prob[best] {
            best = i;
        }
    }
    let favourite = (0..k)
        .map(|d| 100.0 * last.positions[best * k + d])
        .collect();
    let weighted_mean = (0..k)
        .map(|d| {
            let (mut num, mut den) = (0.0, 0.0);
            for (i, a) in model.actors().iter().enumerate() {
                let w = a.capability * a.salience[d];
                num += w * last.positions[i * k + d];
                den += w;
            }
            if den > 0.0 {
                100.0 * num / den
            } else {
                f64::NAN
            }
        })
        .collect();
    Outcome {
        favourite,
        weighted_mean,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Actor;

    fn model() -> Model {
        let actors = vec![
            Actor::new("A", 100.0, vec![0.1, 0.2], vec![0.5, 0.3]),
            Actor::new("B", 50.0, vec![0.5, 0.9], vec![0.4, 0.4]),
            Actor::new("C", 80.0, vec![0.9, 0.4], vec![0.6, 0.2]),
        ];
        Model::new(vec!["X".into(), "Y".into()], actors).unwrap()
    }

    #[test]
    fn specs() {
        let m = model();
        let v = parse_variation(&m, "A.capability=+-10%").unwrap();
        assert_eq!(v.values, ["90", "100", "110"]);
        let v = parse_variation(&m, "B.position[Y]=+-5").unwrap();
        assert_eq!(v.target, Target::Position { actor: 1, dim: 1 });
        assert_eq!(v.values, ["85", "90", "95"]);
        let v = parse_variation(&m, "C.salience[0]=10:10:30").unwrap();
        assert_eq!(v.values, ["10", "20", "30"]);
        let v = parse_variation(&m, "VotingRule=Prop,Cubic").unwrap();
        assert_eq!(v.values.len(), 2);
        assert!(parse_variation(&m, "Z.capability=1").is_err());
        assert!(parse_variation(&m, "A.position=1").is_err());
        let all = cases(
            &m,
            &[
                parse_variation(&m, "A.capability=+-10%").unwrap(),
                parse_variation(&m, "VotingRule=Prop,Cubic").unwrap(),
            ],
        )
        .unwrap();
        assert_eq!(all.len(), 6);
        assert!(cases(&m, &[parse_variation(&m, "A.position[X]=150").unwrap()]).is_err());
    }

    #[test]
    fn monte_carlo_is_reproducible() {
        let m = model();
        let spec = Perturbation {
            capability_pct: 20.0,
            position_points: 5.0,
            salience_points: 5.0,
        };
        let a = monte_carlo(&m, spec, 4, 7).unwrap();
        let b = monte_carlo(&m, spec, 4, 7).unwrap();
        assert_eq!(
            a.iter().map(|c| c.model.clone()).collect::<Vec<_>>(),
            b.iter().map(|c| c.model.clone()).collect::<Vec<_>>()
        );
        assert_ne!(a[0].model, a[1].model);
        let f = run_all(&a);
        let o = outcome(&a[0].model, &f[0]);
        assert_eq!(o.favourite.len(), 2);
    }

    /// Issue "hostile input": `--capability-pct 1e308` gave NaN summaries.
    #[test]
    fn hostile_input_perturbations_out_of_range_are_refused() {
        let m = model();
        for (spec, name) in [
            (
                Perturbation {
                    capability_pct: 1e308,
                    ..Perturbation::default()
                },
                "capability_pct",
            ),
            (
                Perturbation {
                    capability_pct: 100.0,
                    ..Perturbation::default()
                },
                "capability_pct",
            ),
            (
                Perturbation {
                    position_points: f64::NAN,
                    ..Perturbation::default()
                },
                "position_points",
            ),
            (
                Perturbation {
                    salience_points: -1.0,
                    ..Perturbation::default()
                },
                "salience_points",
            ),
        ] {
            let e = monte_carlo(&m, spec, 2, 1).unwrap_err();
            assert!(
                matches!(e, SweepError::OutOfRange { name: n, .. } if n == name),
                "{e}"
            );
        }
        let edge = Perturbation {
            capability_pct: 99.0,
            position_points: 100.0,
            salience_points: 100.0,
        };
        let cases = monte_carlo(&m, edge, 8, 1).unwrap();
        assert!(run_all(&cases).iter().all(Forecast::is_finite));
    }

    #[test]
    fn hostile_input_too_many_combinations_name_the_limit() {
        let m = model();
        let v = parse_variation(&m, "A.capability=1:1:20").unwrap();
        let e = cases_limited(&m, &[v.clone(), v], 100).unwrap_err();
        assert_eq!(
            e,
            SweepError::TooManyCases {
                count: 400,
                max: 100
            }
        );
        assert_eq!(
            e.to_string(),
            "400 combinations is more than the limit of 100 cases"
        );
    }
}
