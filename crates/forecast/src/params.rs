//! The nine SMP model parameters, with KTAB's names, indices and defaults.

use std::fmt;

/// Declares a closed parameter vocabulary: variants in KTAB's index order,
/// each with the name KTAB's XML files and logs use.
macro_rules! param_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $label:literal, default = $default:ident,
        [$($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)?]
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in KTAB's index order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The parameter's name (as in KTAB's XML element).
            pub const LABEL: &'static str = $label;

            /// KTAB's integer code (the position in [`Self::ALL`]).
            pub fn index(self) -> usize {
                Self::ALL.iter().position(|v| *v == self).unwrap_or(0)
            }

            /// The value with KTAB's integer code `i`.
            pub fn from_index(i: usize) -> Option<Self> {
                Self::ALL.get(i).copied()
            }

            /// KTAB's name of this value.
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }

            /// Parses KTAB's name (case-insensitive).
            pub fn from_name(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.name().eq_ignore_ascii_case(s))
            }

            /// The names of all values, for error messages.
            pub fn names() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.name()).collect()
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }
    };
}

param_enum!(
    /// How coalition strengths become pairwise victory probabilities.
    VictoryProbModel, "VictoryProbModel", default = Linear,
    [
        /// Odds in proportion to the coalitions' strengths.
        Linear = "Linear",
        /// Odds in proportion to the squared strengths, favouring the stronger side.
        Square = "Square",
        /// Odds in proportion to the fourth powers of the strengths.
        Quartic = "Quartic",
        /// Odds in proportion to the eighth powers: nearly winner-takes-all.
        Octic = "Octic",
        /// A side at least 10% stronger wins almost surely; closer contests are interpolated.
        Binary = "Binary",
    ]
);
param_enum!(
    /// How pairwise victory probabilities become a distribution over options.
    PceModel, "PCEModel", default = Conditional,
    [
        /// Each option's chance is the product of its pairwise victory probabilities, normalised.
        Conditional = "Conditional",
        /// The stationary distribution of a Markov chain whose moves are weighted by the coalitions' incentives.
        MarkovIncentive = "MarkovIncentive",
        /// The stationary distribution of a Markov chain that picks challengers uniformly.
        MarkovUniform = "MarkovUniform",
    ]
);
param_enum!(
    /// Whether each actor takes its most probable bargain or draws one.
    StateTransitions, "StateTransitions", default = Deterministic,
    [
        /// Each actor adopts its most probable bargain (the first on ties); no randomness.
        Deterministic = "Deterministic",
        /// Each actor draws its bargain with the PCE probabilities, from the model's seeded RNG.
        Stochastic = "Stochastic",
    ]
);
param_enum!(
    /// How a utility difference becomes a vote.
    VotingRule, "VotingRule", default = Prop,
    [
        /// The full weight for the preferred option, whatever the margin (smoothed near zero).
        Binary = "Binary",
        /// 80% proportional and 20% binary.
        PropBin = "PropBin",
        /// Weight times the utility difference.
        Prop = "Prop",
        /// Half proportional, half the cubed difference.
        PropCbc = "PropCbc",
        /// Weight times the cubed utility difference, muting small differences.
        Cubic = "Cubic",
        /// Prospect-theory asymmetry: losses count fully, gains two thirds.
        ASymProsp = "ASymProsp",
    ]
);
param_enum!(
    /// How much an actor's estimate of another's risk attitude uses the other's true attitude.
    BigRAdjust, "BigRAdjust", default = OneThird,
    [
        /// The estimator assumes the other shares its own risk attitude.
        None = "None",
        /// One third the other's attitude, two thirds the estimator's own.
        OneThird = "OneThird",
        /// The mean of the two attitudes.
        Half = "Half",
        /// Two thirds the other's attitude, one third the estimator's own.
        TwoThirds = "TwoThirds",
        /// The other's true attitude.
        Full = "Full",
    ]
);
param_enum!(
    /// The range of inferred risk attitudes.
    BigRRange, "BigRRange", default = Mid,
    [
        /// Risk attitudes in `[0, 1]`: from neutral to risk-averse.
        Min = "Min",
        /// Risk attitudes in `[-1/2, 1]`.
        Mid = "Mid",
        /// Risk attitudes in `[-1, 1]`: from risk-seeking to risk-averse.
        Max = "Max",
    ]
);
param_enum!(
    /// How third parties expect to be treated after joining a contest.
    ThirdPartyCommit, "ThirdPartyCommit", default = SemiCommit,
    [
        /// A third party expects to keep its own position whichever side wins.
        NoCommit = "NoCommit",
        /// A third party expects to keep its position if its side wins and to take the winner's if it loses (KTAB's default).
        SemiCommit = "SemiCommit",
        /// A third party expects to end at the winner's position, whichever side it joined.
        FullCommit = "FullCommit",
    ]
);
param_enum!(
    /// How a bargain between two positions is interpolated, dimension by dimension.
    InterVecBrgn, "InterVecBrgn", default = S2P2,
    [
        /// Weights are salience times win probability.
        S1P1 = "S1P1",
        /// Weights are the squares of salience and of win probability.
        S2P2 = "S2P2",
        /// Each side moves toward the other by its disadvantage in win probability, weighted by squared saliences.
        S2PMax = "S2PMax",
    ]
);
param_enum!(
    /// Which bargains a challenge produces.
    BargnModel, "BargnModel", default = InitOnlyInterp,
    [
        /// Only the bargain interpolated with the initiator's estimate.
        InitOnlyInterp = "InitOnlyInterp",
        /// The initiator's bargain and the one from the receiver's point of view.
        InitRcvrInterp = "InitRcvrInterp",
        /// Both, plus their power-weighted compromise.
        PWCompInterp = "PWCompInterp",
    ]
);

/// All model parameters. [`Params::default`] gives KTAB's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Params {
    /// How coalition strengths become pairwise victory probabilities.
    pub victory_prob: VictoryProbModel,
    /// How pairwise victory probabilities become a distribution over options.
    pub pce: PceModel,
    /// Whether each actor takes its most probable bargain or draws one.
    pub transitions: StateTransitions,
    /// How a utility difference becomes a vote.
    pub voting_rule: VotingRule,
    /// How much an actor's estimate of another's risk attitude uses the other's true attitude.
    pub big_r_adjust: BigRAdjust,
    /// The range of inferred risk attitudes.
    pub big_r_range: BigRRange,
    /// How third parties expect to be treated after joining a contest.
    pub third_party_commit: ThirdPartyCommit,
    /// How a bargain between two positions is interpolated, dimension by dimension.
    pub inter_vec_brgn: InterVecBrgn,
    /// Which bargains a challenge produces.
    pub bargain_model: BargnModel,
    /// Reproduce KTAB's two quirks (true, the default) or apply the
    /// corrected formulas (false). The quirks only matter for
    /// [`BargnModel::InitRcvrInterp`] and [`BargnModel::PWCompInterp`]:
    ///
    /// - Q1: KTAB interpolates the receiver's-perspective bargain with the
    ///   receiver's estimate of the initiator's expected utility *gain* where
    ///   a probability of victory belongs; corrected, the probability is used.
    /// - Q2: KTAB weights the power-weighted compromise by the initiator's
    ///   capability on both sides; corrected, the receiver's weight uses the
    ///   receiver's capability.
    pub ktab_compat: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            victory_prob: VictoryProbModel::default(),
            pce: PceModel::default(),
            transitions: StateTransitions::default(),
            voting_rule: VotingRule::default(),
            big_r_adjust: BigRAdjust::default(),
            big_r_range: BigRRange::default(),
            third_party_commit: ThirdPartyCommit::default(),
            inter_vec_brgn: InterVecBrgn::default(),
            bargain_model: BargnModel::default(),
            ktab_compat: true,
        }
    }
}

/// The parameter names accepted by [`Params::set`], in KTAB's order.
pub const PARAM_NAMES: [&str; 9] = [
    "VictoryProbModel",
    "PCEModel",
    "StateTransitions",
    "VotingRule",
    "BigRAdjust",
    "BigRRange",
    "ThirdPartyCommit",
    "InterVecBrgn",
    "BargnModel",
];

impl Params {
    /// KTAB's nine integer codes, in its order
    /// [VPM, PCE, STM, VotingRule, BigRAdjust, BigRRange, TPC, IVB, BargnModel].
    pub fn indices(&self) -> [usize; 9] {
        [
            self.victory_prob.index(),
            self.pce.index(),
            self.transitions.index(),
            self.voting_rule.index(),
            self.big_r_adjust.index(),
            self.big_r_range.index(),
            self.third_party_commit.index(),
            self.inter_vec_brgn.index(),
            self.bargain_model.index(),
        ]
    }

    /// Builds parameters from KTAB's nine integer codes; the error names the
    /// first code out of range.
    pub fn from_indices(ix: [usize; 9]) -> Result<Params, ParamError> {
        let mut p = Params::default();
        for (name, i) in PARAM_NAMES.iter().zip(ix) {
            p.set(name, &i.to_string())?;
        }
        Ok(p)
    }

    /// Sets one parameter by name (KTAB's element name, case-insensitive,
    /// or `ktab_compat`) from a value name or integer code.
    pub fn set(&mut self, name: &str, value: &str) -> Result<(), ParamError> {
        fn parse<T: Copy>(
            value: &str,
            by_name: fn(&str) -> Option<T>,
            by_index: fn(usize) -> Option<T>,
            names: Vec<&str>,
            label: &'static str,
        ) -> Result<T, ParamError> {
            let v = value.trim();
            if let Ok(i) = v.parse::<usize>() {
                return by_index(i).ok_or(ParamError::CodeOutOfRange {
                    label,
                    code: i,
                    max: names.len() - 1,
                });
            }
            by_name(v).ok_or_else(|| ParamError::UnknownValue {
                label,
                value: v.to_string(),
                expected: names.join(", "),
            })
        }
        macro_rules! set_field {
            ($field:ident, $ty:ident) => {
                self.$field = parse(
                    value,
                    $ty::from_name,
                    $ty::from_index,
                    $ty::names(),
                    $ty::LABEL,
                )?
            };
        }
        match name.trim().to_ascii_lowercase().as_str() {
            "victoryprobmodel" | "vpm" => set_field!(victory_prob, VictoryProbModel),
            "pcemodel" | "pce" => set_field!(pce, PceModel),
            "statetransitions" | "stm" => set_field!(transitions, StateTransitions),
            "votingrule" | "vr" => set_field!(voting_rule, VotingRule),
            "bigradjust" => set_field!(big_r_adjust, BigRAdjust),
            "bigrrange" => set_field!(big_r_range, BigRRange),
            "thirdpartycommit" | "tpc" => set_field!(third_party_commit, ThirdPartyCommit),
            "intervecbrgn" | "ivb" => set_field!(inter_vec_brgn, InterVecBrgn),
            "bargnmodel" => set_field!(bargain_model, BargnModel),
            "ktab_compat" | "ktabcompat" => {
                self.ktab_compat = match value.trim().to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" => true,
                    "false" | "0" | "no" => false,
                    other => {
                        return Err(ParamError::NotABoolean {
                            value: other.to_string(),
                        });
                    }
                }
            }
            other => {
                return Err(ParamError::UnknownParameter {
                    name: other.to_string(),
                });
            }
        }
        Ok(())
    }
}

/// Why a model parameter could not be set.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// The parameter's name is none of KTAB's nine (nor `ktab_compat`).
    #[error("unknown model parameter `{name}`; expected one of {}, ktab_compat", PARAM_NAMES.join(", "))]
    UnknownParameter {
        /// The name as given.
        name: String,
    },
    /// An integer code beyond the parameter's last value.
    #[error("{label} code {code} is out of range 0..{max}")]
    CodeOutOfRange {
        /// The parameter, as KTAB labels it.
        label: &'static str,
        /// The code given.
        code: usize,
        /// The largest valid code.
        max: usize,
    },
    /// A value name the parameter does not have.
    #[error("unknown {label} `{value}`; expected one of {expected}")]
    UnknownValue {
        /// The parameter, as KTAB labels it.
        label: &'static str,
        /// The value as given.
        value: String,
        /// The parameter's value names, comma-separated.
        expected: String,
    },
    /// `ktab_compat` given something other than true or false.
    #[error("ktab_compat must be true or false, not `{value}`")]
    NotABoolean {
        /// The value as given.
        value: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_ktabs() {
        assert_eq!(Params::default().indices(), [0, 0, 0, 2, 1, 1, 1, 1, 0]);
    }

    #[test]
    fn set_by_name_and_code() {
        let mut p = Params::default();
        p.set("VotingRule", "PropCbc").unwrap();
        p.set("victoryprobmodel", "1").unwrap();
        assert_eq!(p.voting_rule, VotingRule::PropCbc);
        assert_eq!(p.victory_prob, VictoryProbModel::Square);
        assert!(p.set("VotingRule", "Proportional").is_err());
        assert!(p.set("Nope", "1").is_err());
        assert_eq!(Params::from_indices(p.indices()).unwrap(), p);
    }
}
