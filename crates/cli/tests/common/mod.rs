//! Helpers shared by the CLI test binaries: run `detente` as a user runs it.

#![allow(dead_code)] // each test binary uses its own subset

use assert_cmd::Command;
use serde_json::Value;

pub fn detente() -> Command {
    Command::cargo_bin("detente").unwrap()
}

/// Runs a command that must succeed and print one JSON object.
pub fn json_of(args: &[&str]) -> Value {
    let out = detente().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs with a bad input: must fail cleanly, with a message containing
/// every `needle`, and never panic.
pub fn fails_with(args: &[&str], needles: &[&str]) {
    let out = detente().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{args:?} should fail");
    assert!(!stderr.contains("panicked"), "{args:?} panicked: {stderr}");
    for n in needles {
        assert!(stderr.contains(n), "{args:?}: expected `{n}` in: {stderr}");
    }
}
