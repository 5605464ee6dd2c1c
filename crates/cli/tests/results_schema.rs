//! Every `--json` output validates against the one published schema of
//! results, `detente schema --results`.

mod common;

use common::{detente, json_of};
use serde_json::Value;

/// Checks the output of `args` against the schema of results, and that it
/// is of the expected kind (the definition `kind`, or a list of them).
fn check(validator: &jsonschema::Validator, schema: &Value, args: &[&str], kind: &str) {
    let out = detente().args(args).output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let errors: Vec<String> = validator
        .iter_errors(&v)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{args:?} does not validate:\n{}",
        errors.join("\n")
    );
    // Exactly the expected kind matches: each kind has its own definition.
    let def = &schema["$defs"][kind];
    assert!(def.is_object(), "no definition `{kind}` in the schema");
    // The lists are arrays of their entries.
    let mut one = if v.is_array() {
        serde_json::json!({"type": "array", "items": def})
    } else {
        def.clone()
    };
    one["$defs"] = schema["$defs"].clone();
    let only = jsonschema::validator_for(&one).unwrap();
    assert!(only.is_valid(&v), "{args:?} is not a {kind}");
}

#[test]
fn every_json_output_validates_against_the_schema_of_results() {
    let schema = json_of(&["schema", "--results"]);
    let kinds = schema["oneOf"].as_array().expect("oneOf the kinds");
    assert!(kinds.len() >= 10, "{kinds:?}");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let v = &validator;
    let s = &schema;

    check(v, s, &["analyze", "car-sale", "--json"], "Analysis");
    check(v, s, &["analyze", "--json"], "Analysis");
    check(v, s, &["evaluate", "car-sale", "--json"], "Evaluation");
    check(v, s, &["evaluate", "--json"], "Evaluation");
    // The robust objects of uncertain numbers (`--samples`).
    check(v, s, &["analyze", "--json", "--samples", "500"], "Analysis");
    check(
        v,
        s,
        &["evaluate", "--json", "--samples", "500"],
        "Evaluation",
    );
    let kyiv = [
        "evaluate",
        "--json",
        "--samples",
        "500",
        "--proposal",
        "kyiv-position",
    ];
    check(v, s, &kyiv, "Evaluation");
    check(
        v,
        s,
        &["evaluate", "car-sale", "--json", "--samples", "100"],
        "Evaluation",
    );
    for (scenario, protocol) in [
        ("car-sale", "alternating"),
        ("water-sharing", "stacked"),
        ("peace-talks", "mediated"),
    ] {
        check(
            v,
            s,
            &["negotiate", scenario, "--protocol", protocol, "--json"],
            "Negotiation",
        );
    }
    check(v, s, &["forecast", "--json"], "Forecast");
    check(
        v,
        s,
        &["forecast", "sweep", "--monte-carlo", "3", "--json"],
        "Sweep",
    );
    check(v, s, &["validate", "car-sale", "--json"], "ValidateReport");
    check(
        v,
        s,
        &["validate", "/nonexistent/file.toml", "--json"],
        "ValidateReport",
    );
    check(v, s, &["scenarios", "--json"], "ScenarioEntry");
    check(v, s, &["strategies", "--json"], "StrategyEntry");

    // Each line of a trace is a `TraceEvent`, the form of the workbench's
    // trace too.
    let mut event = schema["$defs"]["TraceEvent"].clone();
    event["$defs"] = schema["$defs"].clone();
    let event = jsonschema::validator_for(&event).unwrap();
    let out = detente()
        .args(["negotiate", "peace-talks", "--trace", "-"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().count() > 1, "{text}");
    for line in text.lines() {
        let e: Value = serde_json::from_str(line).unwrap();
        assert!(event.is_valid(&e), "not a TraceEvent: {line}");
    }

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("t.toml");
    std::fs::write(
        &config,
        "protocol = \"alternating\"\nrounds = 50\nrepetitions = 1\nself_play = false\nrotate = false\nseed = 1\nstrategies = [\"boulware\", \"conceder\"]\nscenarios = [\"car-sale\"]\n",
    )
    .unwrap();
    let db = dir.path().join("t.db");
    check(
        v,
        s,
        &[
            "tournament",
            "run",
            config.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--json",
        ],
        "TournamentRun",
    );
    check(
        v,
        s,
        &["tournament", "report", db.to_str().unwrap(), "--json"],
        "TournamentReport",
    );
}
