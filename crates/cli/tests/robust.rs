//! `--samples`: the robust objects of analyze and evaluate, the same bits
//! with one thread or two, bad distributions refused with their positions.

mod common;

use common::{detente, fails_with, json_of};
use serde_json::Value;

fn stdout_with_threads(args: &[&str], threads: &str) -> Vec<u8> {
    let out = detente()
        .env("RAYON_NUM_THREADS", threads)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn the_same_seed_gives_the_same_bits_with_one_thread_or_two() {
    for args in [
        ["evaluate", "--json", "--samples", "3000", "--seed", "7"],
        ["analyze", "--json", "--samples", "3000", "--seed", "7"],
    ] {
        assert_eq!(
            stdout_with_threads(&args, "1"),
            stdout_with_threads(&args, "2"),
            "{args:?}"
        );
    }
}

fn is_probability(v: &Value) -> bool {
    let p = v["p"].as_f64().unwrap_or(-1.0);
    let se = v["se"].as_f64().unwrap_or(-1.0);
    (0.0..=1.0).contains(&p) && se >= 0.0 && v.as_object().is_some_and(|o| o.len() == 2)
}

#[test]
fn evaluate_adds_the_robust_object_of_the_issue() {
    let v = json_of(&["evaluate", "--json", "--samples", "2000", "--seed", "3"]);
    let r = &v["robust"];
    assert_eq!(r["samples"], 2000);
    assert_eq!(r["seed"], 3);
    assert!(is_probability(&r["all_accept"]));
    let names: Vec<&Value> = v["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["name"])
        .collect();
    let robust: Vec<&Value> = r["parties"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| &p["name"])
        .collect();
    assert_eq!(names, robust, "same order as the point model's parties");
    for p in r["parties"].as_array().unwrap() {
        assert!(is_probability(&p["accept"]), "{p}");
    }
    let repaired = r["repair_parties"].as_array().unwrap();
    assert_eq!(
        repaired.len(),
        robust.len(),
        "every party's view of the repair"
    );
    let repair = &r["repairs"][0];
    assert!(repair["changes"].is_array() && repair["outcome"].is_object());
    // The threshold is 0.9, or the best reachable when lower.
    assert!(is_probability(&repair["all_accept"]), "{repair}");
    let thresholds = r["thresholds"].as_array().unwrap();
    assert!(!thresholds.is_empty());
    for t in thresholds {
        assert!(t["party"].is_string() && t["value"].is_number(), "{t}");
        assert!(
            t["parameter"].as_str().unwrap().starts_with("parties["),
            "{t}"
        );
        for side in ["verdict_above", "verdict_below"] {
            assert!(
                ["accepts", "rejects"].contains(&t[side].as_str().unwrap()),
                "{t}"
            );
        }
    }
    // Europe's verdict on the draft flips at its utility of it.
    let europe = thresholds
        .iter()
        .find(|t| t["parameter"] == "parties[2].reservation" && t["subject"] == "proposal")
        .unwrap();
    assert_eq!(europe["value"], v["parties"][2]["utility"]);
}

#[test]
fn analyze_adds_the_zone_and_the_robust_deal() {
    let v = json_of(&["analyze", "--json", "--samples", "1000"]);
    let r = &v["robust"];
    assert!(is_probability(&r["zone_nonempty"]));
    assert!(is_probability(&r["robust_deal"]["probability"]));
    assert!(r["robust_deal"]["outcome"].is_object());
    assert!(is_probability(&r["solutions"]["nash"]));
}

#[test]
fn without_samples_the_output_is_unchanged() {
    let v = json_of(&["evaluate", "--json"]);
    assert!(v.get("robust").is_none());
}

#[test]
fn the_text_speaks_in_sentences() {
    let out = detente()
        .args(["evaluate", "--samples", "2000"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("of the plausible cases"), "{text}");
    assert!(
        text.contains("the verdict flips if its reservation value is above"),
        "{text}"
    );
}

#[test]
fn bad_samples_and_budgets_are_refused() {
    fails_with(
        &["evaluate", "--samples", "0"],
        &["positive number of samples"],
    );
    fails_with(&["evaluate", "--samples", "many"], &["`auto`"]);
    fails_with(
        &["analyze", "--samples", "100000", "--robust-limit", "1000"],
        &["more than the limit of 1000", "--robust-limit"],
    );
}

#[test]
fn bad_distributions_are_refused_with_their_positions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    let text = include_str!("../../../tests/data/native/two-issues.toml")
        .replace(
            "reservation = 0.2",
            "reservation = { uniform = [0.6, 0.2] }",
        )
        .replace(
            "values.price = { low = 0, high = 1 }",
            "values.price = { low = { choices = [0, 0.2], p = [0.7, 0.4] }, high = 1 }",
        );
    std::fs::write(&path, text).unwrap();
    let p = path.display().to_string();
    fails_with(
        &["validate", &p],
        &[
            "bad.toml:16:27: low 0.6 is above high 0.2",
            "bad.toml:24:",
            "the probabilities sum to 1.1",
        ],
    );
}

#[test]
fn competition_formats_refuse_distributions_unless_lossy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("g").display().to_string();
    fails_with(
        &["convert", "peace-talks", "-o", &out, "--to", "genius"],
        &["uncertain number(s)", "--lossy"],
    );
    let ok = detente()
        .args([
            "convert",
            "peace-talks",
            "-o",
            &out,
            "--to",
            "genius",
            "--lossy",
        ])
        .output()
        .unwrap();
    assert!(ok.status.success());
    let err = String::from_utf8_lossy(&ok.stderr);
    assert!(err.contains("written as their point values"), "{err}");
}
