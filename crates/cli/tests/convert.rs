//! `detente convert` and reading competition formats, through the binary.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn detente() -> Command {
    Command::cargo_bin("detente").unwrap()
}

/// The GENIUS corpus, if present (the formats crate's conformance suite
/// requires it under CI; these tests only use it when it is there).
fn corpus() -> Option<PathBuf> {
    let p = match std::env::var_os("DETENTE_CORPUS") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/genius"),
    };
    p.is_dir().then_some(p)
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = detente().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn analyze_json(path: &Path) -> serde_json::Value {
    let (ok, out, err) = run(&["analyze", &path.display().to_string(), "--json"]);
    assert!(ok, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// Every number in a JSON value, in document order.
fn numbers(v: &serde_json::Value, out: &mut Vec<f64>) {
    match v {
        serde_json::Value::Number(n) => out.extend(n.as_f64()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| numbers(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| numbers(x, out)),
        _ => {}
    }
}

#[test]
fn builtin_scenarios_convert_with_lossy_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["peace-talks", "car-sale", "job-offer", "water-sharing"] {
        for to in ["genius", "geniusweb"] {
            let out = dir
                .path()
                .join(format!("{name}-{to}"))
                .display()
                .to_string();
            // Red lines have no place in GENIUS: strict conversion says so.
            let (ok, _, err) = run(&["convert", name, "-o", &out, "--to", to]);
            assert!(
                !ok && err.contains("--lossy") && !err.contains("panicked"),
                "{err}"
            );
            let (ok, _, err) = run(&["convert", name, "-o", &out, "--to", to, "--lossy"]);
            assert!(ok, "{name} {to}: {err}");
            assert!(err.contains("red line(s) dropped"), "{err}");
            let (ok, out, err) = run(&["analyze", &out]);
            assert!(ok, "{name} {to}: {err}");
            assert!(out.contains("Pareto frontier"), "{out}");
        }
    }
}

#[test]
fn genius_folder_round_trips_through_both_formats() {
    let Some(corpus) = corpus() else { return };
    let src = corpus.join("anac2010_EnglandZimbabwe");
    let before = analyze_json(&src);
    let dir = tempfile::tempdir().unwrap();
    for to in ["genius", "geniusweb", "native"] {
        let out = dir.path().join(if to == "native" { "n.toml" } else { to });
        let (ok, _, err) = run(&[
            "convert",
            &src.display().to_string(),
            "-o",
            &out.display().to_string(),
            "--to",
            to,
        ]);
        assert!(ok, "{to}: {err}");
        assert!(err.contains("GENIUS domain EnglandZimbabwe"), "{err}");
        let after = analyze_json(&out);
        for key in ["pareto", "solutions"] {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            numbers(&before[key], &mut a);
            numbers(&after[key], &mut b);
            assert_eq!(a.len(), b.len(), "{to}: {key}");
            for (x, y) in a.iter().zip(&b) {
                assert!((x - y).abs() < 1e-9, "{to}: {key}: {x} vs {y}");
            }
        }
    }
}

#[test]
fn variants_must_be_chosen_and_bad_files_fail_cleanly() {
    let Some(corpus) = corpus() else { return };
    let laptop = corpus.join("anac2012_Laptop").display().to_string();
    let (ok, _, err) = run(&["analyze", &laptop]);
    assert!(
        !ok && err.contains("--variant") && err.contains("A, B, C"),
        "{err}"
    );
    let (ok, out, err) = run(&["analyze", &laptop, "--variant", "B"]);
    assert!(ok, "{err}");
    assert!(out.contains("variant B"), "{out}");
    let profile = corpus
        .join("anac2012_Laptop/Laptop-A-prof1.xml")
        .display()
        .to_string();
    let (ok, _, err) = run(&["analyze", &profile]);
    assert!(
        !ok && err.contains("profile, not a domain") && !err.contains("panicked"),
        "{err}"
    );
}
