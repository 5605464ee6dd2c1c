//! Forecasts of the spatial model of politics and their sweeps.

use detente_forecast::{Model, Move, StopReason};
use schemars::JsonSchema;
use serde::Serialize;

/// A forecast, turn by turn, in the names of KTAB's parameters; positions
/// on 0–100.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Forecast {
    pub scenario: String,
    pub description: String,
    pub dimensions: Vec<String>,
    pub actors: Vec<String>,
    pub params: Params,
    /// The seed, as a string (it may not fit a double).
    pub seed: String,
    pub num_turns: usize,
    pub stop: Stop,
    pub turns: Vec<ForecastTurn>,
    /// The forecast on each dimension: the position, in the last turn, of
    /// the actor most likely to win (KTAB's most probable outcome).
    pub forecast: Vec<Prediction>,
}

/// The forecast on one dimension.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Prediction {
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
    #[serde(rename = "VictoryProbModel")]
    pub victory_prob_model: String,
    #[serde(rename = "PCEModel")]
    pub pce_model: String,
    #[serde(rename = "StateTransitions")]
    pub state_transitions: String,
    #[serde(rename = "VotingRule")]
    pub voting_rule: String,
    #[serde(rename = "BigRAdjust")]
    pub big_r_adjust: String,
    #[serde(rename = "BigRRange")]
    pub big_r_range: String,
    #[serde(rename = "ThirdPartyCommit")]
    pub third_party_commit: String,
    #[serde(rename = "InterVecBrgn")]
    pub inter_vec_brgn: String,
    #[serde(rename = "BargnModel")]
    pub bargn_model: String,
    pub ktab_compat: bool,
}

/// Why the run stopped: `converged` (with the ratio), `max_turns` or
/// `cancelled`.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stop {
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastTurn {
    pub turn: usize,
    pub actors: Vec<ForecastActor>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ForecastActor {
    pub actor: String,
    pub position: Vec<f64>,
    pub win_prob: f64,
    pub moved: bool,
    pub moved_by: MovedBy,
    pub challenge: Option<Challenge>,
}

/// `initial`, `stayed`, or `bargain` with its initiator and receiver.
#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MovedBy {
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiator: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receiver: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    pub target: String,
    pub prob: f64,
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
    pub scenario: String,
    pub dimensions: Vec<String>,
    pub actors: Vec<String>,
    /// The `--vary` specifications.
    pub varied: Vec<String>,
    pub monte_carlo: Option<MonteCarlo>,
    pub base: SweepBase,
    pub cases: Vec<SweepCase>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonteCarlo {
    pub draws: usize,
    pub seed: u64,
    pub capability_pct: f64,
    pub position_points: f64,
    pub salience_points: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepBase {
    pub turns: usize,
    pub favourite: Vec<f64>,
    pub weighted_mean: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SweepCase {
    /// The varied values of this case, in words.
    pub values: Vec<String>,
    pub turns: usize,
    pub favourite: Vec<f64>,
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
