//! `detente convert` and reading competition formats, through the binary.

#[path = "../../../tests/support.rs"]
mod support;

use assert_cmd::Command;
use std::path::Path;

fn detente() -> Command {
    Command::cargo_bin("detente").unwrap()
}

fn run(args: &[&str]) -> (bool, String, String) {
    let out = detente().args(args).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The analysis with the bargaining solutions measured from (0, 0):
/// GeniusWeb keeps a reservation *bid*, whose utility may exceed the
/// reservation value it came from, so the default disagreement point would
/// move with the format.
fn analyze_json(path: &Path) -> serde_json::Value {
    let (ok, out, err) = run(&[
        "analyze",
        &path.display().to_string(),
        "--json",
        "--disagreement",
        "zero",
    ]);
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

/// The utility vectors of an analysis's Pareto frontier, sorted, with
/// float noise merged: utilities equal in real numbers may differ in the
/// last bit once written in another format and read back (0.3 · 0.52 is
/// not always the same double as 0.52 · 0.3), which can make one outcome
/// dominate another bit for bit. Points beaten by more than 1e-9 are
/// dropped and points within 1e-9 of each other counted once.
fn frontier(analysis: &serde_json::Value) -> Vec<Vec<f64>> {
    const EPS: f64 = 1e-9;
    let points: Vec<Vec<f64>> = analysis["pareto"]["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let mut u = Vec::new();
            numbers(&p["utilities"], &mut u);
            u
        })
        .collect();
    let beaten = |p: &Vec<f64>| {
        points.iter().any(|q| {
            q.iter().zip(p).all(|(a, b)| *a >= b - EPS)
                && q.iter().zip(p).any(|(a, b)| *a > b + EPS)
        })
    };
    let mut kept: Vec<Vec<f64>> = Vec::new();
    for p in points.iter().filter(|p| !beaten(p)) {
        if !kept
            .iter()
            .any(|q| q.iter().zip(p).all(|(a, b)| (a - b).abs() <= EPS))
        {
            kept.push(p.clone());
        }
    }
    kept.sort_by(|a, b| a.partial_cmp(b).unwrap());
    kept
}

/// The utilities of the bargaining solutions, in a fixed order.
fn solutions(analysis: &serde_json::Value) -> Vec<f64> {
    let mut u = Vec::new();
    for name in ["nash", "kalai_smorodinsky", "max_welfare", "egalitarian"] {
        numbers(&analysis["solutions"][name]["utilities"], &mut u);
    }
    u
}

fn close(what: &str, a: &[f64], b: &[f64]) {
    assert!(!a.is_empty(), "{what}: nothing to compare");
    assert_eq!(a.len(), b.len(), "{what}: {a:?} vs {b:?}");
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() < 1e-9, "{what}: {x} vs {y}");
    }
}

/// A GENIUS folder converted to each format and analysed again gives the
/// same frontier and the same solutions.
fn round_trips_through_every_format(src: &Path, detected: &str) {
    let before = analyze_json(src);
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
        assert!(err.contains(detected), "{err}");
        let after = analyze_json(&out);
        let (a, b) = (frontier(&before), frontier(&after));
        assert_eq!(a.len(), b.len(), "{to}: frontier");
        for (p, q) in a.iter().zip(&b) {
            close(&format!("{to}: frontier"), p, q);
        }
        close(
            &format!("{to}: solutions"),
            &solutions(&before),
            &solutions(&after),
        );
    }
}

#[test]
fn genius_folder_round_trips_through_every_format() {
    round_trips_through_every_format(
        &support::data("genius/lease"),
        "GENIUS domain lease with profiles buyer.xml, seller.xml",
    );
}

#[test]
#[ignore = "needs the GENIUS corpus: set DETENTE_CORPUS to shared/corpus"]
fn corpus_genius_folder_round_trips_through_every_format() {
    round_trips_through_every_format(
        &support::corpus("genius/anac2010_EnglandZimbabwe"),
        "GENIUS domain EnglandZimbabwe",
    );
}

/// A folder of variants needs `--variant`; a profile alone is not a
/// scenario.
fn variants_must_be_chosen(folder: &Path, labels: &str, profile: &Path) {
    let folder = folder.display().to_string();
    let (ok, _, err) = run(&["analyze", &folder]);
    assert!(
        !ok && err.contains("--variant") && err.contains(labels),
        "{err}"
    );
    let (ok, out, err) = run(&["analyze", &folder, "--variant", "B"]);
    assert!(ok, "{err}");
    assert!(out.contains("variant B"), "{out}");
    let (ok, _, err) = run(&["analyze", &profile.display().to_string()]);
    assert!(
        !ok && err.contains("profile, not a domain") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn variants_must_be_chosen_and_bad_files_fail_cleanly() {
    variants_must_be_chosen(
        &support::data("genius/fruit"),
        "A, B",
        &support::data("genius/fruit/Fruit-A-prof1.xml"),
    );
}

#[test]
#[ignore = "needs the GENIUS corpus: set DETENTE_CORPUS to shared/corpus"]
fn corpus_variants_must_be_chosen_and_bad_files_fail_cleanly() {
    variants_must_be_chosen(
        &support::corpus("genius/anac2012_Laptop"),
        "A, B, C",
        &support::corpus("genius/anac2012_Laptop/Laptop-A-prof1.xml"),
    );
}
