//! Every file in `examples/` works as its comments say.

mod common;

use common::{detente, json_of};
use std::path::{Path, PathBuf};

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

fn example(name: &str) -> String {
    examples().join(name).to_string_lossy().into_owned()
}

#[test]
fn sale_example_analyses_and_evaluates_both_proposals() {
    let a = json_of(&["analyze", &example("sale.toml"), "--json"]);
    assert_eq!(a["scenario"], "sale");
    assert!(a["agreement_zone"]["count"].as_u64().unwrap() > 0);
    for proposal in ["opening", "middle"] {
        let e = json_of(&[
            "evaluate",
            &example("sale.toml"),
            "--proposal",
            proposal,
            "--json",
        ]);
        assert_eq!(e["proposal"], proposal);
    }
}

#[test]
fn broken_example_is_refused_with_positions() {
    let out = detente()
        .args(["validate", &example("broken.toml")])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("broken.toml:"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// A folder on PATH holding the binary under test as `detente`, as the
/// scripts expect after `cargo install`.
fn path_with_detente() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        assert_cmd::cargo::cargo_bin("detente"),
        dir.path().join("detente"),
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    (dir, path)
}

#[test]
fn compare_strategies_script_prints_a_line_per_pair() {
    let (_bin, path) = path_with_detente();
    let out = std::process::Command::new("sh")
        .arg(example("compare-strategies.sh"))
        .arg("car-sale")
        .env("PATH", path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 9, "{stdout}");
    assert!(stdout.contains("boulware vs conceder"), "{stdout}");
}

#[test]
fn tournament_example_runs_and_the_summary_script_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("results.db");
    let db = db.to_str().unwrap();
    let out = detente()
        .args(["tournament", "run", &example("tournament.toml"), "--db", db])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = std::process::Command::new("python3")
        .arg(example("tournament-summary.py"))
        .arg(db)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for scenario in ["car-sale", "job-offer", "sale"] {
        assert!(
            stdout.lines().any(|l| l == scenario),
            "{scenario} missing: {stdout}"
        );
    }
    assert!(stdout.contains("hardheaded"), "{stdout}");
}

#[test]
fn examples_readme_lists_every_file() {
    let readme = std::fs::read_to_string(examples().join("README.md")).unwrap();
    for entry in std::fs::read_dir(examples()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name != "README.md" {
            assert!(
                readme.contains(&format!("`{name}`")),
                "{name} not in examples/README.md"
            );
        }
    }
}
