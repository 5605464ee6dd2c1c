//! Strategy specifications (`name:key=value,...`): only their syntax. The
//! catalog that gives names their meaning, and validates parameters, is
//! `strategy/catalog.rs`.

use crate::NegotiationError;
use std::str::FromStr;

/// A strategy by name with its parameters, as written on a command line:
/// `boulware`, `boulware:e=0.1,k=0.05`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StrategySpec {
    /// The strategy's name, in lower case.
    pub name: String,
    /// The parameters given, `(key, value)` in the order written.
    pub params: Vec<(String, String)>,
}

impl StrategySpec {
    /// A specification with no parameters.
    pub fn named(name: &str) -> StrategySpec {
        StrategySpec {
            name: name.to_string(),
            params: Vec::new(),
        }
    }
}

impl std::fmt::Display for StrategySpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)?;
        for (i, (k, v)) in self.params.iter().enumerate() {
            write!(f, "{}{k}={v}", if i == 0 { ':' } else { ',' })?;
        }
        Ok(())
    }
}

impl FromStr for StrategySpec {
    type Err = NegotiationError;

    /// Parses `name` or `name:key=value,key=value`. Only the syntax is
    /// checked here; [`validate_strategy`](crate::validate_strategy) checks
    /// names and values.
    fn from_str(text: &str) -> Result<StrategySpec, NegotiationError> {
        let text = text.trim();
        let (name, rest) = match text.split_once(':') {
            Some((n, r)) => (n.trim(), Some(r)),
            None => (text, None),
        };
        if name.is_empty() {
            return Err(NegotiationError::BadSpec {
                spec: text.to_string(),
                reason: "the strategy name is empty".into(),
            });
        }
        let mut params = Vec::new();
        if let Some(rest) = rest {
            for item in rest.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let Some((k, v)) = item.split_once('=') else {
                    return Err(NegotiationError::BadSpec {
                        spec: text.to_string(),
                        reason: format!("`{item}` is not of the form key=value"),
                    });
                };
                let (k, v) = (k.trim(), v.trim());
                if k.is_empty() || v.is_empty() {
                    return Err(NegotiationError::BadSpec {
                        spec: text.to_string(),
                        reason: format!("`{item}` needs both a key and a value"),
                    });
                }
                if params.iter().any(|(q, _): &(String, String)| q == k) {
                    return Err(NegotiationError::BadSpec {
                        spec: text.to_string(),
                        reason: format!("parameter `{k}` is given twice"),
                    });
                }
                params.push((k.to_string(), v.to_string()));
            }
        }
        Ok(StrategySpec {
            name: name.to_ascii_lowercase(),
            params,
        })
    }
}
