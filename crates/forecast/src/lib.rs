//! The spatial model of politics (SMP), as in KTAB (KAPSARC's Toolkit for
//! Behavioral Analysis), reproducing its forecasts.
//!
//! Actors with a capability, a position and a salience on each dimension
//! challenge one another, propose bargains and resolve them through
//! probabilistic Condorcet elections, turn after turn, until positions
//! settle. [`run`] returns every turn's positions, win probabilities, and
//! which bargain moved each actor.
//!
//! The library does no I/O and reads no clock; stochastic runs draw from a
//! [`rand_chacha::ChaCha8Rng`] seeded from [`Model::seed`], so the same
//! model gives the same forecast with any number of threads.
//!
//! ```
//! use detente_forecast::{Actor, Model, run};
//!
//! let actors = vec![
//!     Actor::new("a", 100.0, vec![0.10], vec![0.8]),
//!     Actor::new("b", 60.0, vec![0.50], vec![0.5]),
//!     Actor::new("c", 80.0, vec![0.90], vec![0.6]),
//! ];
//! let model = Model::new(vec!["policy".into()], actors).unwrap();
//! let forecast = run(&model);
//! assert!(forecast.num_turns() >= 2);
//! for p in &forecast.last().positions {
//!     assert!((0.0..=1.0).contains(p));
//! }
//! ```

// Index loops mirror the matrix formulas (and KTAB's order of summation)
// more plainly than iterator chains.
#![allow(clippy::needless_range_loop)]
#![warn(missing_docs)]

pub mod model;
pub mod params;
pub mod pce;
pub mod smp;
pub mod sweep;

pub use model::{Actor, DEFAULT_SEED, MAX_CAPABILITY, Model, ModelError};
pub use params::{
    BargnModel, BigRAdjust, BigRRange, InterVecBrgn, PARAM_NAMES, ParamError, Params, PceModel,
    StateTransitions, ThirdPartyCommit, VictoryProbModel, VotingRule,
};
pub use smp::{
    Bargain, Challenge, Forecast, MAX_TURNS, Move, Perspective, StopReason, Turn, run, run_observed,
};
