//! Uncertain numbers in the native format: read with their point values,
//! refused with positioned messages when malformed, written back unchanged.

use detente_core::{Distribution, PartyId, Target, Uncertain};
use detente_formats::{FormatError, native};

const GOOD: &str = include_str!("../../../tests/data/native/two-issues.toml");

fn problems(text: &str) -> Vec<String> {
    match native::read_str(text, "u.toml") {
        Ok(_) => Vec::new(),
        Err(FormatError::Invalid { problems }) => problems.iter().map(|p| p.to_string()).collect(),
        Err(other) => vec![other.to_string()],
    }
}

fn uncertain_text() -> String {
    GOOD.replace(
        "reservation = 0.2",
        "reservation = { uniform = [0.1, 0.5] }",
    )
    .replace(
        "weights = { price = 1, n = 1 }",
        "weights = { price = 1, n = { triangular = [1, 2, 4] } }",
    )
    .replace(
        "values.price = { low = 0, high = 1 }",
        "values.price = { low = { choices = [0, 0.2], p = [0.7, 0.3] }, high = 1 }",
    )
}

#[test]
fn distributions_are_read_with_their_point_values() {
    let s = native::read_str(&uncertain_text(), "u.toml").unwrap();
    assert_eq!(s.reservation(PartyId(0)), 0.3, "the midpoint");
    let u = s.uncertain();
    assert_eq!(u.len(), 3);
    assert_eq!(
        u[0],
        Uncertain::Number {
            party: PartyId(0),
            target: Target::Reservation,
            distribution: Distribution::Uniform {
                low: 0.1,
                high: 0.5
            }
        }
    );
    assert_eq!(u[0].path(s.issues()), "parties[0].reservation");
    assert_eq!(u[1].path(s.issues()), "parties[0].weights.n");
    assert_eq!(u[2].path(s.issues()), "parties[1].values.price.low");
}

#[test]
fn an_explicit_value_is_the_point_model() {
    let text = GOOD.replace(
        "reservation = 0.2",
        "reservation = { uniform = [0.1, 0.5], value = 0.2 }",
    );
    let s = native::read_str(&text, "u.toml").unwrap();
    let plain = native::read_str(GOOD, "u.toml").unwrap();
    assert_eq!(s.reservation(PartyId(0)), 0.2);
    assert_eq!(s.utilities(), plain.utilities());
}

#[test]
fn writing_native_keeps_the_distributions() {
    let s = native::read_str(&uncertain_text(), "u.toml").unwrap();
    let toml = native::to_toml(s.parts()).unwrap();
    let back = native::read_str(&toml, "back.toml").unwrap();
    assert_eq!(back.uncertain(), s.uncertain());
    assert_eq!(back.utilities(), s.utilities());
    let json = native::to_json(s.parts());
    let back = native::read_str(&json, "back.json").unwrap();
    assert_eq!(back.uncertain(), s.uncertain());
}

#[test]
fn rankings_are_read_and_written() {
    let text = GOOD
        .replace(
            "options = [\"low\", \"high\"]",
            "options = [\"low\", \"mid\", \"high\"]",
        )
        .replace(
            "values.price = { low = 0, high = 1 }",
            "values.price = { order = [\"high\", \"mid\", \"low\"] }",
        )
        .replace(
            "values.price = { low = 1, high = 0 }",
            "values.price = { low = 1, mid = 0.5, high = 0 }",
        );
    let s = native::read_str(&text, "u.toml").unwrap();
    assert_eq!(s.uncertain().len(), 1);
    assert!(matches!(s.uncertain()[0], Uncertain::Ranking { .. }));
    let back = native::read_str(&native::to_toml(s.parts()).unwrap(), "b.toml").unwrap();
    assert_eq!(back.uncertain(), s.uncertain());
}

#[test]
fn bad_distributions_are_refused_where_they_are_written() {
    let cases = [
        (
            "reservation = { uniform = [0.6, 0.2] }",
            "u.toml:16:27: low 0.6 is above high 0.2",
        ),
        (
            "reservation = { uniform = [0.2] }",
            "u.toml:16:27: `uniform` takes 2 numbers [low, high], found 1",
        ),
        (
            "reservation = { choices = [0.2, 0.4], p = [0.5, 0.6] }",
            "u.toml:16:43: the probabilities sum to 1.1, not 1",
        ),
        (
            "reservation = { choices = [0.2, 0.4], p = [-0.5, 1.5] }",
            "u.toml:16:43: probability -0.5 is negative",
        ),
        (
            "reservation = { triangular = [0.1, 0.9, 0.5] }",
            "u.toml:16:30: mode 0.9 is outside [0.1, 0.5]",
        ),
        (
            "reservation = { uniform = [0.1, 0.5], value = 0.7 }",
            "u.toml:16:47: the point value 0.7 is outside the distribution's range [0.1, 0.5]",
        ),
        (
            "reservation = { uniform = [0.1, 0.5], foo = 1 }",
            "u.toml:16:39: unknown field `foo`",
        ),
        (
            "reservation = { }",
            "u.toml:16:15: a distribution needs one of",
        ),
    ];
    for (line, expected) in cases {
        let got = problems(&GOOD.replace("reservation = 0.2", line));
        assert_eq!(got.len(), 1, "{line}: {got:?}");
        assert!(got[0].starts_with(expected), "{line}: {got:?}");
    }
}

#[test]
fn a_bad_distribution_in_a_value_table_is_refused_at_the_option() {
    let got = problems(&GOOD.replace(
        "values.price = { low = 0, high = 1 }",
        "values.price = { low = { uniform = [1, 0] }, high = 1 }",
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("low 1 is above high 0"), "{got:?}");
    assert!(got[0].starts_with("u.toml:24:"), "{got:?}");
}

#[test]
fn negative_weights_are_refused() {
    let got = problems(&GOOD.replace(
        "weights = { price = 1 }",
        "weights = { price = { uniform = [-1, 1] } }",
    ));
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("may not be negative"), "{got:?}");
}
