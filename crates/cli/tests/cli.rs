//! The `detente` binary, run as a user runs it.

mod common;

use common::{detente, fails_with, json_of};
use serde_json::Value;
use std::path::Path;

#[test]
fn analyze_default_scenario_prints_the_report() {
    let out = detente().arg("analyze").output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "peace-talks",
        "russia",
        "ukraine",
        "europe",
        "united-states",
        "Agreement zone",
        "Pareto frontier",
        "Nash",
        "Kalai",
        "mediator-draft",
    ] {
        assert!(s.contains(needle), "missing `{needle}` in:\n{s}");
    }
}

#[test]
fn analyze_json_has_the_stable_keys() {
    let v = json_of(&["analyze", "--json"]);
    assert_eq!(v["scenario"], "peace-talks");
    assert_eq!(v["outcome_count"], 11664);
    let parties = v["parties"].as_array().unwrap();
    assert_eq!(parties.len(), 4);
    for p in parties {
        for k in ["name", "reservation_value", "best_utility", "worst_utility"] {
            assert!(!p[k].is_null(), "party key {k}");
        }
    }
    assert!(v["agreement_zone"]["count"].as_u64().unwrap() > 0);
    let pareto = &v["pareto"];
    assert_eq!(
        pareto["count"].as_u64().unwrap() as usize,
        pareto["points"].as_array().unwrap().len()
    );
    let first = &pareto["points"][0];
    assert_eq!(
        first["utilities"].as_array().unwrap().len(),
        3,
        "three bargaining parties"
    );
    assert!(first["outcome"]["crimea"].is_string());
    for k in ["nash", "kalai_smorodinsky", "max_welfare", "egalitarian"] {
        let s = &v["solutions"][k];
        assert!(
            s["outcome"].is_object() && s["utilities"].is_array(),
            "solution {k}: {s}"
        );
    }
}

#[test]
fn analysis_is_identical_with_one_thread_or_many() {
    let one = detente()
        .args(["--threads", "1", "analyze", "--json"])
        .output()
        .unwrap()
        .stdout;
    let two = detente()
        .args(["--threads", "2", "analyze", "--json"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(one, two);
}

#[test]
fn analyze_golden_car_sale() {
    let got = detente()
        .args(["analyze", "car-sale", "--json"])
        .output()
        .unwrap()
        .stdout;
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/car-sale.analyze.json");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let want = std::fs::read(&golden).expect("golden file (run with UPDATE_GOLDEN=1 to create it)");
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&want)
    );
}

#[test]
fn evaluate_the_draft_finds_the_red_line_and_repairs() {
    let v = json_of(&["evaluate", "--proposal", "mediator-draft", "--json"]);
    assert_eq!(v["proposal"], "mediator-draft");
    assert_eq!(v["acceptable_to_all"], false);
    let ukraine = v["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "ukraine")
        .unwrap();
    assert_eq!(ukraine["accepts"], false);
    assert!(!ukraine["red_lines_crossed"].as_array().unwrap().is_empty());
    for k in ["utility", "reservation_value"] {
        assert!(ukraine[k].is_number());
    }
    assert!(v["pareto_efficient"].is_boolean());
    assert!(v["dominated_by"].is_array());
    let repairs = v["repairs"].as_array().unwrap();
    assert!(!repairs.is_empty());
    for r in repairs {
        assert!(r["outcome"].is_object() && r["utilities"].is_array());
        for c in r["changes"].as_array().unwrap() {
            assert!(c["issue"].is_string() && c["from"].is_string() && c["to"].is_string());
        }
    }
    // Applying the first repair gives an outcome every party accepts.
    let mut args = vec!["evaluate".to_string(), "--json".to_string()];
    for (k, val) in repairs[0]["outcome"].as_object().unwrap() {
        args.push("--set".into());
        args.push(format!("{k}={}", val.as_str().unwrap()));
    }
    let fixed = json_of(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(fixed["acceptable_to_all"], true);
    assert_eq!(fixed["proposal"], "custom");
}

#[test]
fn evaluate_set_overrides_a_proposal() {
    let v = json_of(&[
        "evaluate",
        "--proposal",
        "mediator-draft",
        "--set",
        "unheld_donetsk=ukraine-stays",
        "--json",
    ]);
    assert_eq!(v["outcome"]["unheld_donetsk"], "ukraine-stays");
    assert_eq!(v["outcome"]["crimea"], "de-facto-russian");
}

#[test]
fn small_builtin_scenarios_work() {
    for name in ["car-sale", "job-offer", "water-sharing"] {
        let v = json_of(&["analyze", name, "--json"]);
        assert_eq!(v["scenario"], name);
        let e = json_of(&["evaluate", name, "--json"]);
        assert!(e["parties"].is_array());
    }
}

#[test]
fn scenarios_show_and_schema() {
    let out = detente().arg("scenarios").output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    for n in ["peace-talks", "car-sale", "job-offer", "water-sharing"] {
        assert!(s.contains(n));
    }
    let shown = detente()
        .args(["show", "peace-talks"])
        .output()
        .unwrap()
        .stdout;
    assert!(String::from_utf8_lossy(&shown).contains("# Peace talks"));
    let schema = json_of(&["schema"]);
    assert!(schema["properties"]["parties"].is_object());
}

#[test]
fn show_output_reads_back_to_the_same_analysis() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, ext) in [(None, "toml"), (Some("--json"), "json")] {
        for name in ["peace-talks", "job-offer", "water-sharing", "car-sale"] {
            let mut cmd = detente();
            cmd.args(["show", name]);
            if let Some(f) = flag {
                cmd.arg(f);
            }
            let text = cmd.output().unwrap().stdout;
            let path = dir.path().join(format!("{name}.{ext}"));
            std::fs::write(&path, text).unwrap();
            let p = path.to_str().unwrap();
            detente().args(["validate", p]).assert().success();
            let mut a = json_of(&["analyze", p, "--json"]);
            let mut b = json_of(&["analyze", name, "--json"]);
            a["detected"] = Value::Null;
            b["detected"] = Value::Null;
            assert_eq!(a, b, "{name} via {ext}");
        }
    }
}

// ------------------------------------------------------------ bad input

/// Writes `text` to a file named `name` in a fresh folder.
fn file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// A small valid scenario the tests below break one way at a time.
const GOOD: &str = include_str!("../../../tests/data/native/two-issues.toml");

#[test]
fn good_file_validates() {
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "good.toml", GOOD);
    detente().args(["validate", &p]).assert().success();
}

#[test]
fn every_error_class_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        (
            "unknown option in a red line",
            format!("{GOOD}\n[[parties.red_lines]]\nwhen = {{ price = \"medium\" }}\n"),
            vec![
                ":27:18:",
                "unknown option `medium`",
                "expected one of `low`, `high`",
            ],
        ),
        (
            "negative weight",
            GOOD.replace("weights = { price = 1 }", "weights = { price = -1 }"),
            vec![":23:21:", "negative"],
        ),
        (
            "all weights zero",
            GOOD.replace("weights = { price = 1 }", "weights = { price = 0 }"),
            vec![":23:11:", "every weight of party `b` is zero"],
        ),
        (
            "unknown issue",
            GOOD.replace("weights = { price = 1 }", "weights = { prize = 1 }"),
            vec![
                ":23:21:",
                "unknown issue `prize`",
                "expected one of `price`, `n`",
            ],
        ),
        (
            "reservation outside [0, 1]",
            GOOD.replace("reservation = 0.2", "reservation = 1.5"),
            vec![":16:15:", "outside [0, 1]"],
        ),
        (
            "duplicate party",
            GOOD.replace("name = \"b\"", "name = \"a\""),
            vec![":22:8:", "party `a` is declared twice"],
        ),
        (
            "duplicate option",
            GOOD.replace("[\"low\", \"high\"]", "[\"low\", \"low\"]"),
            vec![":6:19:", "lists option `low` twice"],
        ),
        (
            "TOML syntax",
            GOOD.replace("name = \"t\"", "name = \"t"),
            vec![":2:"],
        ),
        (
            "unknown field",
            GOOD.replace("reservation = 0.2", "reservaton = 0.2"),
            vec![":16:1:", "unknown field `reservaton`"],
        ),
        (
            "wrong type",
            GOOD.replace("reservation = 0.2", "reservation = \"high\""),
            vec![":16:15:", "invalid type"],
        ),
        (
            "numeric value off the range",
            format!(
                "{GOOD}\n[[proposals]]\nname = \"p\"\noutcome = {{ price = \"low\", n = 7 }}\n"
            ),
            vec![
                ":28:",
                "7 is not a value of issue `n`",
                "an integer from 1 to 3",
            ],
        ),
        (
            "proposal missing an issue",
            format!("{GOOD}\n[[proposals]]\nname = \"p\"\noutcome = {{ price = \"low\" }}\n"),
            vec![":28:11:", "gives no value for issue `n`"],
        ),
        (
            "weighted issue without values",
            GOOD.replace("weights = { price = 1 }", "weights = { price = 1, n = 2 }"),
            vec![":", "weighs issue `n` but gives it no values"],
        ),
        (
            "discount out of range",
            GOOD.replace("reservation = 0.2", "reservation = 0.2\ndiscount = 1.5"),
            vec![":17:12:", "discount factor 1.5 is outside (0, 1]"],
        ),
        (
            "unsupported version",
            GOOD.replace("version = 1", "version = 7"),
            vec![":1:11:", "unsupported format version 7"],
        ),
    ];
    for (what, text, needles) in cases {
        let p = file(&dir, "bad.toml", &text);
        let mut n = vec!["bad.toml"];
        n.extend(needles.iter().copied());
        eprintln!("case: {what}");
        fails_with(&["validate", &p], &n);
        fails_with(&["analyze", &p], &n);
    }
}

#[test]
fn json_errors_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let shown = detente()
        .args(["show", "car-sale", "--json"])
        .output()
        .unwrap()
        .stdout;
    let text = String::from_utf8(shown).unwrap();
    let p = file(
        &dir,
        "s.json",
        &text.replace("\"reservation\": 0.3", "\"reservation\": -0.3"),
    );
    fails_with(&["validate", &p], &["s.json:", "outside [0, 1]"]);
    let p = file(&dir, "t.json", "{\"name\": \"x\", \"issues\": [}");
    fails_with(&["validate", &p], &["t.json:1:"]);
}

#[test]
fn unusable_inputs_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    fails_with(
        &["analyze", "no-such-scenario"],
        &["not a built-in scenario", "peace-talks"],
    );
    let empty = file(&dir, "empty.toml", "");
    fails_with(&["validate", &empty], &["empty.toml", "missing field"]);
    let binary = dir.path().join("bin.toml");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    fails_with(
        &["validate", binary.to_str().unwrap()],
        &["bin.toml", "not UTF-8"],
    );
    let other = file(&dir, "x.csv", "a,b\n");
    fails_with(&["validate", &other], &["x.csv", "unrecognised"]);
    fails_with(
        &["evaluate", "--proposal", "nope"],
        &["no proposal `nope`", "mediator-draft"],
    );
    fails_with(&["evaluate", "--set", "crimea"], &["expected ISSUE=VALUE"]);
    fails_with(
        &["evaluate", "--set", "nato=maybe"],
        &["not a value of issue `nato`", "path-open"],
    );
    fails_with(
        &["evaluate", "car-sale", "--set", "price=99"],
        &["not a value of issue `price`"],
    );
    fails_with(&["analyze", "--at-time", "2"], &["outside [0, 1]"]);
    fails_with(&["--threads", "0", "analyze"], &["at least 1"]);
}

/// The scenario shown in the README's "Writing a scenario" section is valid
/// and analyses (so the README stays true).
#[test]
fn readme_example_scenario_is_valid() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"))
            .unwrap();
    let section = readme
        .split("## Writing a scenario")
        .nth(1)
        .expect("section");
    let toml = section
        .split("```toml\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a TOML block");
    let dir = tempfile::tempdir().unwrap();
    let p = file(&dir, "readme.toml", toml);
    detente().args(["validate", &p]).assert().success();
    let v = json_of(&["analyze", &p, "--json"]);
    assert!(v["agreement_zone"]["count"].as_u64().unwrap() > 0);
}
