//! Issues: the questions a negotiation settles, and the values each can take.

/// Index of an issue in its scenario's issue list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IssueId(pub u32);

impl IssueId {
    /// The position of the issue in the scenario's issue list.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// What values an issue can take.
///
/// Every kind is finite once built: a continuous range carries the
/// discretisation step used whenever outcomes must be enumerated, so every
/// value of every issue has an index in `0..cardinality()`.
#[derive(Clone, Debug, PartialEq)]
pub enum IssueKind {
    /// Named options. `ordered` says the listed order is meaningful (for
    /// example from least to most favourable to one side); it is used for
    /// display and for the nearest-value changes of a repair.
    Categorical {
        /// The option names, in the order their value indices number them.
        options: Vec<String>,
        /// Whether the order of `options` carries meaning, so a repair may
        /// step to a neighbouring option and displays keep the order.
        ordered: bool,
    },
    /// Every integer from `min` to `max`, inclusive.
    Integer {
        /// The smallest value, the one at index 0.
        min: i64,
        /// The largest value, the one at the last index.
        max: i64,
    },
    /// The real interval `[min, max]`, enumerated on the grid
    /// `min, min + step, ...`, with `max` always included as the last point.
    Continuous {
        /// The lower end of the interval, the grid's first point.
        min: f64,
        /// The upper end of the interval, always the grid's last point.
        max: f64,
        /// The spacing of the grid on which outcomes are enumerated.
        step: f64,
    },
}

/// One question the negotiation settles, with the values an agreement may
/// give it.
#[derive(Clone, Debug, PartialEq)]
pub struct Issue {
    /// The name by which files, proposals, edits and output refer to the issue; unique in its
    /// scenario.
    pub name: String,
    /// Free text explaining the issue to readers of reports and the workbench; may be empty.
    pub description: String,
    /// The values the issue can take, which fix its value indices.
    pub kind: IssueKind,
}

/// The largest number of values a single issue may have. Outcomes store value
/// indices as `u32`, and a larger issue could not be enumerated anyway.
pub const MAX_ISSUE_CARDINALITY: u64 = 1 << 24;

/// Most entries a scenario's utility tables may have: the values of all its
/// issues times (parties + 1). 2^25 entries are 256 MiB of numbers, so one
/// issue may have 2^24 values only in a scenario with a single party.
pub const MAX_VALUE_CELLS: u64 = 1 << 25;

impl Issue {
    /// Number of distinct values (grid points for a continuous issue).
    pub fn cardinality(&self) -> u32 {
        match &self.kind {
            IssueKind::Categorical { options, .. } => options.len() as u32,
            IssueKind::Integer { min, max } => (max - min + 1) as u32,
            IssueKind::Continuous { min, max, step } => continuous_points(*min, *max, *step),
        }
    }

    /// The numeric value at `index`, for integer and continuous issues;
    /// categorical options have no number.
    pub fn numeric_value(&self, index: u32) -> Option<f64> {
        match &self.kind {
            IssueKind::Categorical { .. } => None,
            IssueKind::Integer { min, .. } => Some((*min + index as i64) as f64),
            IssueKind::Continuous { min, max, step } => {
                let last = continuous_points(*min, *max, *step) - 1;
                if index >= last {
                    Some(*max)
                } else {
                    Some(min + step * index as f64)
                }
            }
        }
    }

    /// A human-readable label of the value at `index`.
    pub fn value_label(&self, index: u32) -> String {
        match &self.kind {
            IssueKind::Categorical { options, .. } => options
                .get(index as usize)
                .cloned()
                .unwrap_or_else(|| format!("#{index}")),
            IssueKind::Integer { min, .. } => (*min + index as i64).to_string(),
            IssueKind::Continuous { .. } => {
                format_number(self.numeric_value(index).unwrap_or(f64::NAN))
            }
        }
    }

    /// The index of a categorical option by name.
    pub fn option_index(&self, name: &str) -> Option<u32> {
        match &self.kind {
            IssueKind::Categorical { options, .. } => {
                options.iter().position(|o| o == name).map(|i| i as u32)
            }
            _ => None,
        }
    }

    /// The index of a numeric value, if it lies on the issue's grid
    /// (within a relative tolerance of 1e-9 of the step for continuous issues).
    pub fn numeric_index(&self, x: f64) -> Option<u32> {
        match &self.kind {
            IssueKind::Categorical { .. } => None,
            IssueKind::Integer { min, max } => {
                if x.fract() != 0.0 || x < *min as f64 || x > *max as f64 {
                    None
                } else {
                    Some((x as i64 - min) as u32)
                }
            }
            IssueKind::Continuous { min, max, step } => {
                if !(x >= *min - step * 1e-9 && x <= *max + step * 1e-9) {
                    return None;
                }
                let n = continuous_points(*min, *max, *step);
                if (x - max).abs() <= step * 1e-9 {
                    return Some(n - 1);
                }
                let k = ((x - min) / step).round();
                if ((min + k * step) - x).abs() <= step * 1e-9 && (k as u32) < n {
                    Some(k as u32)
                } else {
                    None
                }
            }
        }
    }

    /// Looks a value up by its label: an option name, or a number for
    /// numeric issues.
    pub fn parse_value(&self, text: &str) -> Option<u32> {
        match &self.kind {
            IssueKind::Categorical { .. } => self.option_index(text),
            _ => text
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(|x| self.numeric_index(x)),
        }
    }

    /// True for integer and continuous issues.
    pub fn is_numeric(&self) -> bool {
        !matches!(self.kind, IssueKind::Categorical { .. })
    }
}

/// Number of grid points of a continuous range: `min`, `min + step`, ...
/// strictly below `max`, then `max` itself.
pub fn continuous_points(min: f64, max: f64, step: f64) -> u32 {
    if !(max > min) || !(step > 0.0) {
        return 1;
    }
    let inner = ((max - min) / step * (1.0 - 1e-12)).ceil();
    (inner as u32).saturating_add(1)
}

/// Formats a number without a trailing `.0` for integers and with at most
/// enough digits to round-trip.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cont(min: f64, max: f64, step: f64) -> Issue {
        Issue {
            name: "x".into(),
            description: String::new(),
            kind: IssueKind::Continuous { min, max, step },
        }
    }

    #[test]
    fn continuous_grid_includes_both_ends() {
        let i = cont(0.0, 1.0, 0.25);
        assert_eq!(i.cardinality(), 5);
        assert_eq!(i.numeric_value(4), Some(1.0));
        let j = cont(0.0, 1.0, 0.3);
        assert_eq!(j.cardinality(), 5); // 0, .3, .6, .9, 1
        assert_eq!(j.numeric_value(3), Some(0.8999999999999999));
        assert_eq!(j.numeric_value(4), Some(1.0));
        assert_eq!(j.numeric_index(0.9), Some(3));
        assert_eq!(j.numeric_index(1.0), Some(4));
        assert_eq!(j.numeric_index(0.5), None);
    }

    #[test]
    fn integer_values_and_labels() {
        let i = Issue {
            name: "n".into(),
            description: String::new(),
            kind: IssueKind::Integer { min: -2, max: 3 },
        };
        assert_eq!(i.cardinality(), 6);
        assert_eq!(i.value_label(0), "-2");
        assert_eq!(i.parse_value("3"), Some(5));
        assert_eq!(i.parse_value("3.5"), None);
        assert_eq!(i.parse_value("4"), None);
    }
}
