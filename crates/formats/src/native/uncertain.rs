//! Numbers that may be distributions: `{ uniform = [low, high] }`,
//! `{ triangular = [low, mode, high] }`, `{ choices = [...], p = [...] }`,
//! each with an optional point `value`. Every problem is reported at the
//! part of the distribution it is about.

use super::build::{Sink, describe};
use super::schema::{DistributionSpec, NumberSpec};
use crate::locate::Path;
use detente_core::{Distribution, DistributionError};
use serde_json::Value as J;

/// A number as the model needs it: its point value, and its distribution
/// when it is uncertain.
pub(super) type Number = (f64, Option<Distribution>);

/// A weight, reservation value, discount factor or bonus as written: a
/// plain number must be finite; a distribution must be one.
pub(super) fn number(spec: &NumberSpec, at: &Path, p: &mut Sink) -> Option<Number> {
    match spec {
        NumberSpec::Plain(x) => Some((*x, None)),
        NumberSpec::Distribution(d) => distribution(d, at, p),
    }
}

/// A number inside a value table or a list of points, given as JSON: a
/// number, or an object read as a distribution.
pub(super) fn json_number(x: &J, at: &Path, p: &mut Sink) -> Option<Number> {
    match x {
        J::Number(n) => match n.as_f64() {
            Some(f) if f.is_finite() => Some((f, None)),
            _ => {
                p.add(at.clone(), format!("expected a finite number, found {n}"));
                None
            }
        },
        J::Object(_) => match serde_json::from_value::<DistributionSpec>(x.clone()) {
            Ok(d) => distribution(&d, at, p),
            Err(e) => {
                p.add(at.clone(), format!("not a distribution: {e}"));
                None
            }
        },
        other => {
            p.add(
                at.clone(),
                format!(
                    "expected a number or a distribution such as {{ uniform = [low, high] }}, found {}",
                    describe(other)
                ),
            );
            None
        }
    }
}

/// Which parameters name the distribution, with how many numbers each takes.
const KINDS: [(&str, usize); 3] = [("uniform", 2), ("triangular", 3), ("choices", 0)];

fn distribution(d: &DistributionSpec, at: &Path, p: &mut Sink) -> Option<Number> {
    let given: Vec<(&str, usize, &Vec<f64>)> = [&d.uniform, &d.triangular, &d.choices]
        .into_iter()
        .zip(KINDS)
        .filter_map(|(v, (name, arity))| v.as_ref().map(|v| (name, arity, v)))
        .collect();
    let &[(kind, arity, numbers)] = given.as_slice() else {
        p.add(
            at.clone(),
            if given.is_empty() {
                "a distribution needs one of `uniform = [low, high]`, `triangular = [low, mode, high]` or `choices = [...]`".to_string()
            } else {
                "a distribution has one of `uniform`, `triangular` and `choices`, not several".to_string()
            },
        );
        return None;
    };
    if arity > 0 && numbers.len() != arity {
        let shape = if arity == 2 {
            "[low, high]"
        } else {
            "[low, mode, high]"
        };
        p.add(
            at.key(kind),
            format!(
                "`{kind}` takes {arity} numbers {shape}, found {}",
                numbers.len()
            ),
        );
        return None;
    }
    if d.p.is_some() && kind != "choices" {
        p.add(at.key("p"), "`p` belongs with `choices`");
        return None;
    }
    let dist = match kind {
        "uniform" => Distribution::Uniform {
            low: numbers[0],
            high: numbers[1],
        },
        "triangular" => Distribution::Triangular {
            low: numbers[0],
            mode: numbers[1],
            high: numbers[2],
        },
        _ => Distribution::Choices {
            values: numbers.clone(),
            p: d.p
                .clone()
                .unwrap_or_else(|| vec![1.0 / numbers.len().max(1) as f64; numbers.len()]),
        },
    };
    if let Err(e) = dist.check() {
        let part = match e {
            DistributionError::Lengths { .. }
            | DistributionError::NegativeProbability(_)
            | DistributionError::Sum(_)
                if d.p.is_some() =>
            {
                at.key("p")
            }
            _ => at.key(kind),
        };
        p.add(part, e.to_string());
        return None;
    }
    let point = match d.value {
        Some(v) => {
            let (low, high) = dist.support();
            if !(v >= low && v <= high) {
                p.add(
                    at.key("value"),
                    DistributionError::PointOutside {
                        value: v,
                        low,
                        high,
                    }
                    .to_string(),
                );
                return None;
            }
            v
        }
        None => dist.default_point(),
    };
    Some((point, Some(dist)))
}
