//! Scenarios embedded in the binary.

/// Names of the built-in scenarios, the default first.
pub const NAMES: &[&str] = &["peace-talks", "car-sale", "job-offer", "water-sharing"];

/// The default scenario of every command that takes one.
pub const DEFAULT: &str = "peace-talks";

/// The TOML text of a built-in scenario.
pub fn text(name: &str) -> Option<&'static str> {
    Some(match name {
        "peace-talks" => include_str!("../scenarios/peace-talks.toml"),
        "car-sale" => include_str!("../scenarios/car-sale.toml"),
        "job-offer" => include_str!("../scenarios/job-offer.toml"),
        "water-sharing" => include_str!("../scenarios/water-sharing.toml"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_scenario_is_valid() {
        for name in super::NAMES {
            let text = super::text(name).unwrap();
            if let Err(e) = crate::native::read_str(text, name) {
                panic!("{name}: {e}");
            }
        }
    }
}
