//! The native reader reports every problem of a file in one run, each with
//! its line and column; it reads large files in linear time.

use detente_formats::{FormatError, native};

/// A valid scenario; the tests below break it in several places at once.
const GOOD: &str = include_str!("../../../tests/data/native/two-issues.toml");

/// `file:line:col: message` for each problem, in file order.
fn problems(text: &str, file: &str) -> Vec<String> {
    match native::read_str(text, file) {
        Ok(_) => Vec::new(),
        Err(FormatError::Invalid { problems }) => problems.iter().map(|p| p.to_string()).collect(),
        Err(other) => vec![other.to_string()],
    }
}

fn check(text: &str, file: &str, expected: &[(&str, &str)]) {
    let got = problems(text, file);
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (g, (at, needle)) in got.iter().zip(expected) {
        assert!(
            g.starts_with(&format!("{file}:{at}: ")),
            "{g} should be at {at}"
        );
        assert!(g.contains(needle), "{g} should say {needle}");
    }
}

#[test]
fn good_file_has_no_problem() {
    assert_eq!(problems(GOOD, "good.toml"), Vec::<String>::new());
}

#[test]
fn five_mistakes_give_five_positioned_problems() {
    let text = GOOD
        .replace("reservation = 0.2", "reservaton = 0.2")
        .replace(
            "name = \"b\"\nweights = { price = 1 }",
            "name = \"b\"\ndiscount = 1.5\nweights = { price = 1, prize = 2 }",
        )
        .replace("{ low = 0, high = 1 }", "{ low = 0, hihg = 1 }")
        + "red_lines = [{ when = { n = 7 } }]\n";
    check(
        &text,
        "bad.toml",
        &[
            ("16:1", "unknown field `reservaton`"),
            ("23:12", "discount factor 1.5 is outside (0, 1]"),
            (
                "24:32",
                "unknown issue `prize`; expected one of `price`, `n`",
            ),
            ("25:34", "unknown option `hihg` for issue `price`"),
            (
                "26:29",
                "7 is not a value of issue `n` (an integer from 1 to 3)",
            ),
        ],
    );
    // The whole list is the error's text, one problem per line.
    let e = native::read_str(&text, "bad.toml").unwrap_err().to_string();
    assert_eq!(e.lines().count(), 5, "{e}");
}

#[test]
fn json_mistakes_are_all_reported_with_positions() {
    let s = native::read_str(GOOD, "good.toml").unwrap();
    let json = native::to_json(s.parts())
        .replace("\"reservation\": 0.2", "\"reservation\": 2, \"colour\": 1")
        .replacen("\"low\": 0.0", "\"lo\": 0.0", 1);
    let got = problems(&json, "bad.json");
    assert_eq!(got.len(), 3, "{got:#?}");
    for needle in [
        "unknown field `colour`",
        "reservation value 2",
        "unknown option `lo`",
    ] {
        assert!(got.iter().any(|g| g.contains(needle)), "{needle}: {got:#?}");
    }
    for g in &got {
        let pos: Vec<&str> = g.splitn(4, ':').collect();
        assert!(
            pos[1].parse::<usize>().is_ok() && pos[2].parse::<usize>().is_ok(),
            "{g}"
        );
    }
}

#[test]
fn a_wrong_type_is_stepped_over_and_what_follows_is_checked() {
    let text = GOOD
        .replace("reservation = 0.2", "reservation = \"high\"")
        .replace("min = 1", "min = 1\nsize = 3");
    check(
        &text,
        "t.toml",
        &[
            ("12:1", "unknown field `size`"),
            (
                "17:15",
                "invalid type: string \"high\", expected a number or a distribution",
            ),
        ],
    );
}

#[test]
fn a_missing_required_field_stops_after_what_was_found() {
    let text = GOOD
        .replace("name = \"n\"\n", "")
        .replace("min = 1", "min = 1\nsize = 3");
    let got = problems(&text, "t.toml");
    assert_eq!(got.len(), 2, "{got:#?}");
    assert!(got.iter().any(|g| g.contains("unknown field `size`")));
    assert!(got.iter().any(|g| g.contains("missing field `name`")));
}

#[test]
fn a_syntax_error_stops_the_parse() {
    let text = GOOD.replace("name = \"t\"", "name = \"t") + "weights = -1\n";
    let e = native::read_str(&text, "s.toml").unwrap_err();
    assert!(matches!(e, FormatError::At { .. }), "{e}");
    assert!(e.to_string().starts_with("s.toml:2:"), "{e}");
}

#[test]
fn one_mistake_is_reported_once() {
    // A broken issue is not reported again by every table that uses it.
    let text = GOOD.replace("max = 3", "max = 0");
    check(&text, "t.toml", &[("12:7", "max 0 is below min 1")]);
    let text = GOOD.replace("max = 3", "max = 0").replace(
        "weights = { price = 1 }",
        "weights = { n = 1 }\nvalues.n = \"increasing\"",
    );
    check(&text, "t.toml", &[("12:7", "max 0 is below min 1")]);
    let text = GOOD.replace("weights = { price = 1 }", "weights = { price = -1 }");
    check(&text, "t.toml", &[("23:21", "negative")]);
}

/// The hardening issue: 50,000 options took 56 s to validate. 10^5 options,
/// each given a value by two parties, must load (timing is in BENCHMARKS).
#[test]
fn hardening_options_100000_load() {
    let n = 100_000;
    let names: Vec<String> = (0..n).map(|k| format!("o{k}")).collect();
    let table = |rev: bool| {
        names
            .iter()
            .enumerate()
            .map(|(k, o)| format!("\"{o}\": {}", if rev { n - k } else { k }))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let options = names
        .iter()
        .map(|o| format!("\"{o}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let json = format!(
        "{{\"name\": \"big\", \"issues\": [{{\"name\": \"a\", \"options\": [{options}]}}], \"parties\": [\
         {{\"name\": \"p\", \"weights\": {{\"a\": 1}}, \"values\": {{\"a\": {{{}}}}}}},\
         {{\"name\": \"q\", \"weights\": {{\"a\": 1}}, \"values\": {{\"a\": {{{}}}}}}}]}}",
        table(false),
        table(true)
    );
    let s = native::read_str(&json, "big.json").unwrap();
    assert_eq!(s.issues()[0].cardinality(), n as u32);
    // A mistake in such a file is still found, with a short message.
    let bad = json.replacen("\"o99999\": 99999", "\"x\": 1", 1);
    let got = problems(&bad, "big.json");
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].contains("unknown option `x`") && got[0].len() < 400,
        "{}",
        got[0]
    );
}

/// The hardening issue: 10^5 issues took more than 60 s. They must load.
#[test]
fn hardening_issues_100000_load() {
    let n = 100_000;
    let list = |f: &dyn Fn(usize) -> String| (0..n).map(f).collect::<Vec<_>>().join(", ");
    let issues = list(&|k| format!("{{\"name\": \"i{k}\", \"options\": [\"x\", \"y\"]}}"));
    let weights = list(&|k| format!("\"i{k}\": 1"));
    let party = |name: &str, hi: u32| {
        let values = list(&|k| format!("\"i{k}\": {{\"x\": {}, \"y\": {hi}}}", 1 - hi));
        format!("{{\"name\": \"{name}\", \"weights\": {{{weights}}}, \"values\": {{{values}}}}}")
    };
    let outcome = list(&|k| format!("\"i{k}\": \"x\""));
    let json = format!(
        "{{\"name\": \"wide\", \"issues\": [{issues}],\n\"parties\": [{},\n{}],\n\
         \"proposals\": [{{\"name\": \"all-x\", \"outcome\": {{{outcome}}}}}]}}",
        party("p", 1),
        party("q", 0)
    );
    let s = native::read_str(&json, "wide.json").unwrap();
    assert_eq!(s.issues().len(), n);
    assert_eq!(s.proposals()[0].outcome.len(), n);
    // Every problem of such a file is found and positioned.
    let bad = json
        .replace("\"i7\": \"x\"", "\"i7\": \"z\"")
        .replace("\"i99999\": 1}", "\"i99999\": -1}");
    let got = problems(&bad, "wide.json");
    assert_eq!(got.len(), 3, "{got:#?}");
    assert!(got.iter().all(|g| g.starts_with("wide.json:")), "{got:#?}");
}

#[test]
fn a_field_given_twice_in_json_is_reported() {
    let s = native::read_str(GOOD, "good.toml").unwrap();
    let json = native::to_json(s.parts()).replacen(
        "\"name\": \"t\",",
        "\"name\": \"t\", \"name\": \"u\",",
        1,
    );
    let got = problems(&json, "twice.json");
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].starts_with("twice.json:3:") && got[0].contains("duplicate field `name`"),
        "{got:#?}"
    );
}
