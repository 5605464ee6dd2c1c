//! The input of a forecast: actors, dimensions, parameters, accommodation, seed.

use crate::params::Params;

/// KTAB's default seed (used only by stochastic transitions).
pub const DEFAULT_SEED: u64 = 15_455_440_707_583_219_804;

/// The fewest and most actors KTAB accepts.
pub const MIN_ACTORS: usize = 3;
/// The most actors KTAB accepts; more would also make each turn's pairwise contests slow.
pub const MAX_ACTORS: usize = 250;

/// The largest capability an actor may have. Capabilities are relative
/// (only their ratios matter), but SMP multiplies them with saliences and
/// utilities and, under cubic voting, cubes the products: beyond about
/// 1e100 a sum overflows to infinity and the forecast turns into `inf` and
/// NaN. 1e12 leaves a wide margin and is far above any real scale (KTAB's
/// examples use 0-100 or 0-1000).
pub const MAX_CAPABILITY: f64 = 1e12;

/// One stakeholder. Positions and saliences are on the `[0, 1]` scale
/// (KTAB's files use 0–100; the readers divide by 100).
#[derive(Clone, Debug, PartialEq)]
pub struct Actor {
    /// The actor's name, unique in its model, used in output and in variation specs.
    pub name: String,
    /// Free text about the actor for reports; may be empty.
    pub description: String,
    /// Capability (power, influence); must be positive.
    pub capability: f64,
    /// One coordinate per dimension, in `[0, 1]`.
    pub position: Vec<f64>,
    /// One salience per dimension, in `[0, 1]`, summing to at most 1 and
    /// to more than 0.
    pub salience: Vec<f64>,
}

impl Actor {
    /// An actor with an empty description.
    pub fn new(name: &str, capability: f64, position: Vec<f64>, salience: Vec<f64>) -> Actor {
        Actor {
            name: name.to_string(),
            description: String::new(),
            capability,
            position,
            salience,
        }
    }

    /// An actor from numbers on KTAB's 0–100 scale (positions and
    /// saliences), as analysts usually write them.
    pub fn from_percent(name: &str, capability: f64, position: &[f64], salience: &[f64]) -> Actor {
        Actor::new(
            name,
            capability,
            position.iter().map(|x| x / 100.0).collect(),
            salience.iter().map(|x| x / 100.0).collect(),
        )
    }

    /// Gives the actor a description, shown in reports.
    pub fn with_description(mut self, description: &str) -> Actor {
        self.description = description.to_string();
        self
    }

    /// The actor's total salience `S_i`, summed in dimension order.
    pub fn total_salience(&self) -> f64 {
        self.salience.iter().fold(0.0, |a, &s| a + s)
    }
}

/// A number as a person would write it: `1e308`, not 309 digits.
pub(crate) fn short(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-4..1e9).contains(&v.abs()) {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Why a model could not be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// The model has no dimension to take positions on.
    #[error("a model needs at least one dimension")]
    NoDimensions,
    /// The number of actors (given) is outside what KTAB accepts.
    #[error("a model needs between {MIN_ACTORS} and {MAX_ACTORS} actors, not {0}")]
    ActorCount(usize),
    /// An actor has more or fewer positions or saliences than the model has dimensions.
    #[error("actor `{actor}` has {found} {what}, but the model has {expected} dimensions")]
    Arity {
        /// The actor's name.
        actor: String,
        /// Which list is the wrong length (`positions` or `saliences`).
        what: &'static str,
        /// How many entries the list has.
        found: usize,
        /// How many dimensions the model has, which the list must match.
        expected: usize,
    },
    /// An actor's capability is not positive, is not finite or exceeds `MAX_CAPABILITY`.
    #[error(
        "actor `{actor}`: capability {} must be positive, finite and at most {MAX_CAPABILITY:e} (capabilities are relative: scale them all down)",
        short(*.value)
    )]
    Capability {
        /// The actor's name.
        actor: String,
        /// The capability given.
        value: f64,
    },
    /// An actor's position or salience on a dimension is outside `[0, 1]`.
    #[error("actor `{actor}`: {what} {value} on dimension `{dim}` is outside [0, 1]")]
    OutOfRange {
        /// The actor's name.
        actor: String,
        /// Which number is out of range (`position` or `salience`).
        what: &'static str,
        /// The dimension's name.
        dim: String,
        /// The number given.
        value: f64,
    },
    /// An actor's saliences sum to zero or to more than 1.
    #[error("actor `{actor}`: saliences sum to {sum}, which must be in (0, 1]")]
    SalienceSum {
        /// The actor's name.
        actor: String,
        /// The sum of its saliences.
        sum: f64,
    },
    /// Two actors share a name (given), so output and specs could not tell them apart.
    #[error("two actors are named `{0}`")]
    DuplicateName(String),
    /// The accommodation matrix is not square with one row and column per actor.
    #[error("the accommodation matrix must be {n}x{n}")]
    AccommodationShape {
        /// The number of actors, which the matrix's rows and columns must match.
        n: usize,
    },
    /// An accommodation entry is outside `[0, 1]`, or its row sums to more than 1.
    #[error(
        "accommodation of `{actor}` toward `{other}` is {value}; entries must be in [0, 1] and each row must sum to at most 1"
    )]
    Accommodation {
        /// The name of the actor whose row holds the entry.
        actor: String,
        /// The name of the actor the entry is toward.
        other: String,
        /// The offending entry: out of range, or the one that takes its row's sum
        /// above 1.
        value: f64,
    },
}

/// A validated SMP scenario: build with [`Model::new`].
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    name: String,
    description: String,
    dimensions: Vec<String>,
    actors: Vec<Actor>,
    params: Params,
    /// Row-major `n x n`; `a[i*n + j]` is how much i's ideal follows j's position.
    accommodation: Vec<f64>,
    seed: u64,
}

impl Model {
    /// Builds a model with KTAB's default parameters, the identity
    /// accommodation matrix and KTAB's default seed.
    ///
    /// ```
    /// use detente_forecast::{Actor, Model, Params, VotingRule, run};
    ///
    /// let actors = vec![
    ///     Actor::from_percent("Government", 100.0, &[20.0, 70.0], &[60.0, 30.0]),
    ///     Actor::from_percent("Rebels", 60.0, &[90.0, 20.0], &[70.0, 20.0]),
    ///     Actor::from_percent("Mediator", 40.0, &[50.0, 50.0], &[40.0, 40.0]),
    /// ];
    /// let model = Model::new(vec!["territory".into(), "security".into()], actors)?
    ///     .with_params(Params { voting_rule: VotingRule::PropCbc, ..Params::default() });
    /// let forecast = run(&model);
    /// assert!(forecast.num_turns() >= 2);
    /// # Ok::<(), detente_forecast::ModelError>(())
    /// ```
    pub fn new(dimensions: Vec<String>, actors: Vec<Actor>) -> Result<Model, ModelError> {
        if dimensions.is_empty() {
            return Err(ModelError::NoDimensions);
        }
        let n = actors.len();
        if !(MIN_ACTORS..=MAX_ACTORS).contains(&n) {
            return Err(ModelError::ActorCount(n));
        }
        let k = dimensions.len();
        for (i, a) in actors.iter().enumerate() {
            if actors[..i].iter().any(|b| b.name == a.name) {
                return Err(ModelError::DuplicateName(a.name.clone()));
            }
            for (what, v) in [("positions", &a.position), ("saliences", &a.salience)] {
                if v.len() != k {
                    return Err(ModelError::Arity {
                        actor: a.name.clone(),
                        what,
                        found: v.len(),
                        expected: k,
                    });
                }
            }
            if !(a.capability.is_finite() && a.capability > 0.0 && a.capability <= MAX_CAPABILITY) {
                return Err(ModelError::Capability {
                    actor: a.name.clone(),
                    value: a.capability,
                });
            }
            for d in 0..k {
                for (what, v) in [("position", a.position[d]), ("salience", a.salience[d])] {
                    if !(0.0..=1.0).contains(&v) {
                        return Err(ModelError::OutOfRange {
                            actor: a.name.clone(),
                            what,
                            dim: dimensions[d].clone(),
                            value: v,
                        });
                    }
                }
            }
            let sum = a.total_salience();
            // KTAB checks the sum on the 0-100 scale; allow rounding slack.
            if !(sum > 0.0 && sum <= 1.0 + 1e-9) {
                return Err(ModelError::SalienceSum {
                    actor: a.name.clone(),
                    sum,
                });
            }
        }
        let mut accommodation = vec![0.0; n * n];
        for i in 0..n {
            accommodation[i * n + i] = 1.0;
        }
        Ok(Model {
            name: String::new(),
            description: String::new(),
            dimensions,
            actors,
            params: Params::default(),
            accommodation,
            seed: DEFAULT_SEED,
        })
    }

    /// Sets the scenario's name and description.
    pub fn with_name(mut self, name: &str, description: &str) -> Model {
        self.name = name.to_string();
        self.description = description.to_string();
        self
    }

    /// Replaces KTAB's default parameters with `params`, to run the model
    /// under other voting rules, victory models or bargaining models.
    pub fn with_params(mut self, params: Params) -> Model {
        self.params = params;
        self
    }

    /// Sets the seed of stochastic transitions.
    pub fn with_seed(mut self, seed: u64) -> Model {
        self.seed = seed;
        self
    }

    /// Sets the accommodation (ideal adjustment) matrix, row-major `n x n`.
    pub fn with_accommodation(mut self, matrix: Vec<f64>) -> Result<Model, ModelError> {
        let n = self.actors.len();
        if matrix.len() != n * n {
            return Err(ModelError::AccommodationShape { n });
        }
        for i in 0..n {
            let mut sum = 0.0;
            for j in 0..n {
                let v = matrix[i * n + j];
                sum += v;
                if !(0.0..=1.0).contains(&v) || sum > 1.0 + 1e-10 {
                    return Err(ModelError::Accommodation {
                        actor: self.actors[i].name.clone(),
                        other: self.actors[j].name.clone(),
                        value: v,
                    });
                }
            }
        }
        self.accommodation = matrix;
        Ok(self)
    }

    /// The model's name, used as a title in output.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Free text about the model for reports; may be empty.
    pub fn description(&self) -> &str {
        &self.description
    }
    /// The names of the dimensions, in the order positions and saliences list them.
    pub fn dimensions(&self) -> &[String] {
        &self.dimensions
    }
    /// The actors, in the order every per-actor result lists them.
    pub fn actors(&self) -> &[Actor] {
        &self.actors
    }
    /// The SMP parameters the run uses.
    pub fn params(&self) -> &Params {
        &self.params
    }
    /// The seed of the run's ChaCha8 RNG; only stochastic transitions draw from it.
    pub fn seed(&self) -> u64 {
        self.seed
    }
    /// Row-major `n x n` accommodation matrix.
    pub fn accommodation(&self) -> &[f64] {
        &self.accommodation
    }
    /// Whether the accommodation matrix is the identity (ideals = positions).
    pub fn identity_accommodation(&self) -> bool {
        let n = self.actors.len();
        (0..n).all(|i| {
            (0..n).all(|j| self.accommodation[i * n + j] == if i == j { 1.0 } else { 0.0 })
        })
    }
    /// The index of the actor named `name`.
    pub fn actor_index(&self, name: &str) -> Option<usize> {
        self.actors.iter().position(|a| a.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> Vec<Actor> {
        vec![
            Actor::new("a", 1.0, vec![0.1], vec![0.5]),
            Actor::new("b", 2.0, vec![0.5], vec![0.5]),
            Actor::new("c", 3.0, vec![0.9], vec![0.5]),
        ]
    }

    #[test]
    fn validation() {
        assert!(Model::new(vec!["x".into()], three()).is_ok());
        assert_eq!(Actor::from_percent("a", 1.0, &[10.0], &[50.0]), three()[0]);
        assert_eq!(
            Model::new(vec!["x".into()], three()[..2].to_vec()),
            Err(ModelError::ActorCount(2))
        );
        let mut bad = three();
        bad[1].capability = 0.0;
        assert!(matches!(
            Model::new(vec!["x".into()], bad),
            Err(ModelError::Capability { .. })
        ));
        // Issue "hostile input": a capability of 1e308 was accepted and
        // the forecast came out as `inf, inf`.
        let mut bad = three();
        bad[0].capability = 1e308;
        let e = Model::new(vec!["x".into()], bad).unwrap_err();
        assert!(e.to_string().contains("at most 1e12"), "{e}");
        let mut edge = three();
        edge[0].capability = MAX_CAPABILITY;
        edge[1].capability = MAX_CAPABILITY;
        let m = Model::new(vec!["x".into()], edge).unwrap();
        for rule in [crate::VotingRule::Cubic, crate::VotingRule::Prop] {
            let m = m.clone().with_params(crate::Params {
                voting_rule: rule,
                ..crate::Params::default()
            });
            assert!(crate::run(&m).is_finite(), "{rule:?}");
        }
        let mut bad = three();
        bad[2].position[0] = 1.5;
        assert!(matches!(
            Model::new(vec!["x".into()], bad),
            Err(ModelError::OutOfRange { .. })
        ));
        let m = Model::new(vec!["x".into()], three()).unwrap();
        assert!(m.identity_accommodation());
        assert!(m.clone().with_accommodation(vec![0.6; 9]).is_err());
    }
}
