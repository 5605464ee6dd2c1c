//! `detente validate` reports every problem of a file in one run (text and
//! `--json`); `--set` edits the first proposal as the README says; inputs
//! over the size cap are refused with the way to raise it.

mod common;

use common::{detente, fails_with, json_of};
use serde_json::Value;

/// Five different mistakes: a misspelt field, a discount out of range, an
/// unknown issue, an unknown option and a value off an integer range.
const FIVE_MISTAKES: &str = r#"version = 1
name = "t"

[[issues]]
name = "price"
options = ["low", "high"]

[[issues]]
name = "n"
kind = "integer"
min = 1
max = 3

[[parties]]
name = "a"
reservaton = 0.2
weights = { price = 1, n = 1 }
values.price = { low = 1, high = 0 }
values.n = "increasing"

[[parties]]
name = "b"
discount = 1.5
weights = { price = 1, prize = 2 }
values.price = { low = 0, hihg = 1 }
red_lines = [{ when = { n = 7 } }]
"#;

const EXPECTED: [(u64, u64, &str); 5] = [
    (16, 1, "unknown field `reservaton`"),
    (23, 12, "discount factor 1.5 is outside (0, 1]"),
    (
        24,
        32,
        "unknown issue `prize`; expected one of `price`, `n`",
    ),
    (25, 34, "unknown option `hihg` for issue `price`"),
    (26, 29, "7 is not a value of issue `n`"),
];

fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn validate_reports_five_mistakes_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "bad.toml", FIVE_MISTAKES);
    let out = detente().args(["validate", &p]).output().unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 5, "{stderr}");
    for (line, (l, c, message)) in lines.iter().zip(EXPECTED) {
        assert!(line.contains(&format!("{p}:{l}:{c}: ")), "{line}");
        assert!(line.contains(message), "{line}");
    }
}

#[test]
fn validate_json_lists_every_problem() {
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "bad.toml", FIVE_MISTAKES);
    let out = detente().args(["validate", &p, "--json"]).output().unwrap();
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], false);
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 5, "{v:#}");
    for (pr, (l, c, message)) in problems.iter().zip(EXPECTED) {
        assert_eq!(pr["file"], p.as_str());
        assert_eq!(
            (pr["line"].as_u64(), pr["column"].as_u64()),
            (Some(l), Some(c))
        );
        assert!(pr["message"].as_str().unwrap().contains(message), "{pr}");
    }
    // A good file: ok, no problems, and the summary.
    let v = json_of(&["validate", "car-sale", "--json"]);
    assert_eq!(v["ok"], true);
    assert_eq!(v["problems"].as_array().unwrap().len(), 0);
    assert_eq!(v["scenario"], "car-sale");
    assert!(v["issues"].as_u64().unwrap() > 0 && v["outcomes"].as_u64().unwrap() > 0);
    // A syntax error is one problem with its position.
    let q = file(&dir, "syntax.toml", "name = \"t\nissues = []\n");
    let out = detente().args(["validate", &q, "--json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 1, "{v:#}");
    assert_eq!(v["problems"][0]["line"], 1);
}

/// The README: "`--set issue=value` edits it" (the first proposal).
#[test]
fn evaluate_set_edits_the_first_proposal_as_the_readme_says() {
    let v = json_of(&[
        "evaluate",
        "--set",
        "unheld_donetsk=ukraine-stays",
        "--json",
    ]);
    assert_eq!(v["outcome"]["unheld_donetsk"], "ukraine-stays");
    // The rest comes from the first proposal, the mediator's draft.
    let draft = json_of(&["evaluate", "--json"]);
    assert_eq!(v["outcome"]["crimea"], draft["outcome"]["crimea"]);
    assert_eq!(v["proposal"], "mediator-draft (modified)");
    fails_with(
        &["evaluate", "--set", "unheld=ukraine-stays"],
        &["unknown issue `unheld`", "unheld_donetsk"],
    );
}

#[test]
fn hardening_inputs_over_the_cap_name_the_way_to_raise_it() {
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "small.toml", FIVE_MISTAKES);
    let out = detente()
        .args(["validate", &p])
        .env("DETENTE_MAX_INPUT_BYTES", "100")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    for needle in ["small.toml", "100 bytes", "DETENTE_MAX_INPUT_BYTES"] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
}
