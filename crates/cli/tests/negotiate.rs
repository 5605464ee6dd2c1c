//! `detente negotiate` and `detente strategies`, run as a user runs them.

mod common;

use common::{detente, fails_with, json_of};
use serde_json::Value;

#[test]
fn default_run_tells_how_the_mediators_text_evolved() {
    let out = detente().arg("negotiate").output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "peace-talks",
        "protocol: mediated",
        "united-states tables its starting text",
        "crosses a red line",
        "votes yes",
        "the final text",
        "russia",
        "ukraine",
        "europe",
    ] {
        assert!(s.contains(needle), "missing `{needle}` in:\n{s}");
    }
}

#[test]
fn json_keeps_its_stable_keys() {
    let v = json_of(&["negotiate", "--json"]);
    assert_eq!(v["parties"].as_array().unwrap().len(), 4);
    assert_eq!(v["utilities"].as_array().unwrap().len(), 4);
    assert!(v["rounds"].as_u64().is_some());
    let reason = v["end_reason"].as_str().unwrap();
    assert!(["agreement", "walkaway", "deadline", "failure"].contains(&reason));
    match reason {
        "agreement" => assert!(v["agreement"]["crimea"].is_string()),
        _ => assert!(v["agreement"].is_null()),
    }
    let v = json_of(&[
        "negotiate",
        "car-sale",
        "--protocol",
        "alternating",
        "--strategies",
        "boulware:e=0.1,k=0.05,conceder",
        "--rounds",
        "80",
        "--json",
    ]);
    assert_eq!(v["strategies"][0], "boulware:e=0.1,k=0.05");
    assert_eq!(v["strategies"][1], "conceder");
    assert_eq!(v["end_reason"], "agreement");
    assert!(v["agreement"].is_object());
}

#[test]
fn same_seed_same_output() {
    let args = [
        "negotiate",
        "car-sale",
        "--strategies",
        "random,agent-k",
        "--seed",
        "7",
        "--json",
    ];
    assert_eq!(json_of(&args), json_of(&args));
}

#[test]
fn assign_and_stacked_protocol() {
    let v = json_of(&[
        "negotiate",
        "--protocol",
        "stacked",
        "--assign",
        "russia=hardheaded",
        "--assign",
        "europe=atlas3",
        "--rounds",
        "50",
        "--json",
    ]);
    assert_eq!(v["protocol"], "stacked");
    assert_eq!(v["strategies"][0], "hardheaded");
    assert_eq!(v["strategies"][2], "atlas3");
}

#[test]
fn traces_are_written_as_json_lines_or_csv() {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("t.jsonl");
    let csv = dir.path().join("t.csv");
    for path in [&jsonl, &csv] {
        let out = detente()
            .args([
                "negotiate",
                "car-sale",
                "--strategies",
                "boulware,conceder",
                "--trace",
            ])
            .arg(path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let text = std::fs::read_to_string(&jsonl).unwrap();
    let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["action"], "offer");
    assert_eq!(first["round"], 0);
    assert!(first["utilities"]["buyer"].is_number());
    let last: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["action"], "accept");
    let table = std::fs::read_to_string(&csv).unwrap();
    assert!(
        table.starts_with("round,time,actor,action,price,warranty,delivery,u_buyer,u_dealer\n")
    );
    assert_eq!(table.lines().count(), text.lines().count() + 1);
}

#[test]
fn failures_are_reported_not_crashed() {
    let v = json_of(&[
        "negotiate",
        "car-sale",
        "--strategies",
        "boulware,chaos:panic_at=3",
        "--json",
    ]);
    assert_eq!(v["end_reason"], "failure");
    assert_eq!(v["end_detail"]["party"], "dealer");
    assert_eq!(v["end_detail"]["kind"], "panic");
}

#[test]
fn bad_input_gives_clear_errors() {
    fails_with(
        &["negotiate", "--strategies", "nope,boulware,linear"],
        &["unknown strategy `nope`", "boulware"],
    );
    fails_with(
        &["negotiate", "--strategies", "boulware:zz=1,linear,linear"],
        &["no parameter `zz`", "pmin"],
    );
    fails_with(
        &["negotiate", "--strategies", "boulware:e=abc,linear,linear"],
        &["a number in"],
    );
    fails_with(
        &["negotiate", "--strategies", "boulware,linear"],
        &["2 strategies", "4 parties"],
    );
    fails_with(
        &["negotiate", "--assign", "mars=boulware"],
        &["no party `mars`", "russia"],
    );
    fails_with(
        &["negotiate", "--protocol", "alternating"],
        &["bilateral", "stacked"],
    );
    fails_with(&["negotiate", "--rounds", "0"], &["at least one round"]);
    fails_with(&["negotiate", "--trace", "out.txt"], &[".jsonl", ".csv"]);
}

#[test]
fn strategies_lists_every_builtin_with_parameters() {
    let out = detente().arg("strategies").output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    for name in [
        "boulware",
        "linear",
        "conceder",
        "hardliner",
        "tit-for-tat",
        "random",
        "negmas-boulware",
        "negmas-conceder",
        "negmas-linear",
        "agent-k",
        "hardheaded",
        "cuhk-agent",
        "atlas3",
        "agreeable2018",
    ] {
        assert!(s.contains(name), "missing {name}");
    }
    // Regression (first-hour issue): the test-only strategies are not
    // listed to users, though tests can still name them.
    assert!(!s.contains("chaos"), "test-only strategy listed: {s}");
    let unknown = detente()
        .args(["negotiate", "car-sale", "--strategies", "nosuch,boulware"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&unknown.stderr).contains("chaos"));
    let v = json_of(&["strategies", "--json"]);
    let boulware = v
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "boulware")
        .unwrap();
    assert!(
        boulware["params"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "e" && p["default"] == "0.2")
    );
}

#[test]
fn same_seed_same_trace_file_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![];
    for (k, seed) in ["3", "3", "4"].iter().enumerate() {
        let path = dir.path().join(format!("t{k}.jsonl"));
        let out = detente()
            .args(["negotiate", "--seed", seed, "--json", "--trace"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(out.status.success());
        files.push(std::fs::read(&path).unwrap());
    }
    assert_eq!(files[0], files[1]);
    assert_ne!(files[0], files[2], "another seed, another mediator's path");
}
