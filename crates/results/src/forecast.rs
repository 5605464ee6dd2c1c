//! Forecasts of the spatial model of politics and their sweeps.

use detente_forecast::{Model, Move, StopReason};
use schemars::JsonSchema;
use serde::Serialize;

/// A forecast, turn by turn, in the names of KTAB's parameters; positions
/// on 0–100.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Forecast {
    /// The model's name.
    pub scenario: String,
    /// The model's description.
    pub description: String,
    /// The policy dimensions.
    pub dimensions: Vec<String>,
    /// The actors.
    pub actors: Vec<String>,
    /// The model's parameters.
    pub params: Params,
    /// The seed, as a string (it may not fit a double).
    pub seed: String,
    /// Turns played.
    pub num_turns: usize,
    /// Why the run stopped.
    pub stop: Stop,
    /// Every state, from the initial one.
    pub turns: Vec<ForecastTurn>,
    /// The forecast on each dimension: the position, in the last turn, of
    /// the actor most likely to win (KTAB's most probable outcome).
    pub forecast: Vec<Prediction>,
}

/// The forecast on one dimension.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prediction {
    /// The dimension.
    pub dimension: String,
    /// On 0–100.
    pub position: f64,
    /// The actor most likely to win, whose position it is.
    pub actor: String,
}

/// The model's parameters, by KTAB's names.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Params {
    /// KTAB's `VictoryProbModel`.
    #[serde(rename = "VictoryProbModel")]
    pub victory_prob_model: String,
    /// KTAB's `PCEModel`.
    #[serde(rename = "PCEModel")]
    pub pce_model: String,
    /// KTAB's `StateTransitions`.
    #[serde(rename = "StateTransitions")]
    pub state_transitions: String,
    /// KTAB's `VotingRule`.
    #[serde(rename = "VotingRule")]
    pub voting_rule: String,
    /// KTAB's `BigRAdjust`.
    #[serde(rename = "BigRAdjust")]
    pub big_r_adjust: String,
    /// KTAB's `BigRRange`.
    #[serde(rename = "BigRRange")]
    pub big_r_range: String,
    /// KTAB's `ThirdPartyCommit`.
    #[serde(rename = "ThirdPartyCommit")]
    pub third_party_commit: String,
    /// KTAB's `InterVecBrgn`.
    #[serde(rename = "InterVecBrgn")]
    pub inter_vec_brgn: String,
    /// KTAB's `BargnModel`.
    #[serde(rename = "BargnModel")]
    pub bargn_model: String,
    /// Whether KTAB's quirks are reproduced.
    pub ktab_compat: bool,
}

/// Why the run stopped: `converged` (with the ratio), `max_turns` or
/// `cancelled`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stop {
    /// `converged`, `max_turns` or `cancelled`.
    pub reason: String,
    /// The convergence ratio, when converged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
}

/// One state of the run.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastTurn {
    /// Its index, from 0 (the initial state).
    pub turn: usize,
    /// Every actor in it.
    pub actors: Vec<ForecastActor>,
}

/// An actor in one state.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastActor {
    /// The actor.
    pub actor: String,
    /// Its position per dimension, on 0–100.
    pub position: Vec<f64>,
    /// Its probability of winning.
    pub win_prob: f64,
    /// Whether its position changed this turn.
    pub moved: bool,
    /// Why it is where it is.
    pub moved_by: MovedBy,
    /// The challenge it made, if any.
    pub challenge: Option<Challenge>,
}

/// `initial`, `stayed`, or `bargain` with its initiator and receiver.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MovedBy {
    /// `initial`, `stayed` or `bargain`.
    pub kind: String,
    /// Who initiated the bargain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiator: Option<String>,
    /// Who received it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receiver: Option<String>,
}

/// A challenge an actor made.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// The actor challenged.
    pub target: String,
    /// The challenger's estimate of its probability of winning.
    pub prob: f64,
    /// Its expected utility gain (KTAB's scale).
    pub gain: f64,
}

/// A forecast in the one JSON form.
pub fn forecast(model: &Model, forecast: &detente_forecast::Forecast) -> Forecast {
    let p = model.params();
    let names: Vec<String> = model.actors().iter().map(|a| a.name.clone()).collect();
    let turns =
        forecast
            .turns
            .iter()
            .enumerate()
            .map(|(t, turn)| ForecastTurn {
                turn: t,
                actors: (0..forecast.actors)
                    .map(|i| {
                        // KTAB records a mover only when the coordinates changed.
                        let moved = t > 0
                            && (0..forecast.dims).any(|d| {
                                forecast.position(t, i, d) != forecast.position(t - 1, i, d)
                            });
                        let kind = |k: &str| MovedBy {
                            kind: k.to_string(),
                            initiator: None,
                            receiver: None,
                        };
                        let moved_by = match turn.moves[i] {
                            Move::Initial => kind("initial"),
                            Move::Stayed => kind("stayed"),
                            Move::Bargain {
                                initiator,
                                receiver,
                                ..
                            } => MovedBy {
                                initiator: Some(names[initiator].clone()),
                                receiver: Some(names[receiver].clone()),
                                ..kind("bargain")
                            },
                        };
                        ForecastActor {
                            actor: names[i].clone(),
                            position: (0..forecast.dims)
                                .map(|d| 100.0 * forecast.position(t, i, d))
                                .collect(),
                            win_prob: turn.win_prob[i],
                            moved,
                            moved_by,
                            challenge: turn.challenges.get(i).copied().flatten().map(|c| {
                                Challenge {
                                    target: names[c.target].clone(),
                                    prob: c.prob,
                                    gain: c.gain,
                                }
                            }),
                        }
                    })
                    .collect(),
            })
            .collect();
    let stop = match forecast.stop {
        StopReason::Converged { ratio } => Stop {
            reason: "converged".into(),
            ratio: Some(ratio),
        },
        StopReason::MaxTurns => Stop {
            reason: "max_turns".into(),
            ratio: None,
        },
        StopReason::Cancelled => Stop {
            reason: "cancelled".into(),
            ratio: None,
        },
    };
    Forecast {
        scenario: model.name().to_string(),
        description: model.description().to_string(),
        dimensions: model.dimensions().to_vec(),
        actors: names,
        params: Params {
            victory_prob_model: p.victory_prob.name().to_string(),
            pce_model: p.pce.name().to_string(),
            state_transitions: p.transitions.name().to_string(),
            voting_rule: p.voting_rule.name().to_string(),
            big_r_adjust: p.big_r_adjust.name().to_string(),
            big_r_range: p.big_r_range.name().to_string(),
            third_party_commit: p.third_party_commit.name().to_string(),
            inter_vec_brgn: p.inter_vec_brgn.name().to_string(),
            bargn_model: p.bargain_model.name().to_string(),
            ktab_compat: p.ktab_compat,
        },
        seed: model.seed().to_string(),
        num_turns: forecast.num_turns(),
        stop,
        turns,
        forecast: predictions(model, forecast),
    }
}

/// The position of the actor most likely to win in the last turn (the
/// first of equals), on every dimension.
fn predictions(model: &Model, forecast: &detente_forecast::Forecast) -> Vec<Prediction> {
    let last = forecast.last();
    let mut best = 0;
    for a in 1..forecast.actors {
        if last.win_prob[a] > last.win_prob[best] {
            best = a;
        }
    }
    model
        .dimensions()
        .iter()
        .enumerate()
        .map(|(d, dim)| Prediction {
            dimension: dim.clone(),
            position: 100.0 * last.positions[best * forecast.dims + d],
            actor: model.actors()[best].name.clone(),
        })
        .collect()
}

/// A sweep: the base forecast and one row per case (`forecast sweep`).
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    /// The model's name.
    pub scenario: String,
    /// The policy dimensions.
    pub dimensions: Vec<String>,
    /// The actors.
    pub actors: Vec<String>,
    /// The `--vary` specifications.
    pub varied: Vec<String>,
    /// The Monte Carlo settings, if draws were made.
    pub monte_carlo: Option<MonteCarlo>,
    /// The base forecast.
    pub base: SweepBase,
    /// One row per case.
    pub cases: Vec<SweepCase>,
}

/// How the model was perturbed.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonteCarlo {
    /// Draws per case.
    pub draws: usize,
    /// The seed of the draws.
    pub seed: u64,
    /// Capabilities vary by up to this percentage.
    pub capability_pct: f64,
    /// Positions vary by up to this many points.
    pub position_points: f64,
    /// Saliences vary by up to this many points.
    pub salience_points: f64,
}

/// The forecast of the unchanged model.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepBase {
    /// Turns played.
    pub turns: usize,
    /// Per dimension, the position (0–100) of the actor whose position is
    /// most likely to win.
    pub favourite: Vec<f64>,
    /// Per dimension, the mean final position (0–100) weighted by effective
    /// power (capability × salience on that dimension).
    pub weighted_mean: Vec<f64>,
}

/// One case of a sweep.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepCase {
    /// The varied values of this case, in words.
    pub values: Vec<String>,
    /// Turns played.
    pub turns: usize,
    /// As in `base`.
    pub favourite: Vec<f64>,
    /// As in `base`.
    pub weighted_mean: Vec<f64>,
    /// Each actor's final position per dimension, on 0–100.
    pub final_positions: Vec<Vec<f64>>,
}

impl Sweep {
    /// The sweep's result rows in the one JSON form; `base` and `cases`
    /// come from `detente_forecast::sweep`.
    pub fn base(
        forecast: &detente_forecast::Forecast,
        o: &detente_forecast::sweep::Outcome,
    ) -> SweepBase {
        SweepBase {
            turns: forecast.num_turns(),
            favourite: o.favourite.clone(),
            weighted_mean: o.weighted_mean.clone(),
        }
    }

    /// A case's row: its label, forecast and outcome.
    pub fn case(
        label: &[String],
        f: &detente_forecast::Forecast,
        o: &detente_forecast::sweep::Outcome,
    ) -> SweepCase {
        SweepCase {
            values: label.to_vec(),
            turns: f.num_turns(),
            favourite: o.favourite.clone(),
            weighted_mean: o.weighted_mean.clone(),
            final_positions: (0..f.actors)
                .map(|i| {
                    (0..f.dims)
                        .map(|d| 100.0 * f.position(f.num_turns(), i, d))
                        .collect()
                })
                .collect(),
        }
    }
}
