//! Limits on what users ask (issue "hostile input"): each request that used
//! to run for minutes, fill gigabytes or print `inf` is refused at once with
//! a message naming the option, and the option that raises the limit works.

mod common;

use common::{detente, fails_with, json_of};
use std::time::{Duration, Instant};

/// `--threads 100000` spent minutes starting threads, and a pool that could
/// not start panicked with a misleading message (exit 101).
#[test]
fn hostile_input_threads_are_capped() {
    let started = Instant::now();
    let out = detente()
        .args(["--threads", "100000", "analyze", "car-sale"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--threads 100000 is more than the maximum of 1024"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    fails_with(&["--threads", "0", "analyze", "car-sale"], &["--threads"]);
    let v = json_of(&["--threads", "1024", "analyze", "car-sale", "--json"]);
    assert!(v.is_object());
}

/// `negotiate --rounds 4294967295 --json` grew to 0.9 GB.
#[test]
fn hostile_input_negotiate_rounds_beyond_the_memory_budget_are_refused() {
    let started = Instant::now();
    fails_with(
        &["negotiate", "car-sale", "--rounds", "4294967295", "--json"],
        &["memory budget of 1024 MiB", "--memory-budget"],
    );
    fails_with(
        &[
            "negotiate",
            "car-sale",
            "--rounds",
            "100000",
            "--memory-budget",
            "1",
        ],
        &["memory budget of 1 MiB"],
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    let v = json_of(&["negotiate", "car-sale", "--rounds", "100000", "--json"]);
    assert!(v.is_object());
}

/// `forecast sweep --monte-carlo 1000000000` reached 4.8 GB; a capability
/// of 1e308 gave an `inf, inf` forecast; `--capability-pct 1e308` gave NaN.
#[test]
fn hostile_input_forecast_requests_are_bounded() {
    let started = Instant::now();
    fails_with(
        &["forecast", "sweep", "--monte-carlo", "1000000000"],
        &["--monte-carlo 1000000000", "--max-cases"],
    );
    fails_with(
        &[
            "forecast",
            "sweep",
            "--monte-carlo",
            "10",
            "--capability-pct",
            "1e308",
        ],
        &["--capability-pct 1e308", "[0, 100)"],
    );
    fails_with(
        &[
            "forecast",
            "sweep",
            "--monte-carlo",
            "10",
            "--position-points",
            "NaN",
        ],
        &["--position-points NaN"],
    );
    let shared = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/repro/hardening/forecast-capability-1e308.toml");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("capability.toml");
    let text = match std::fs::read_to_string(&shared) {
        Ok(t) => t,
        // Without the shared repro, the same scenario made here.
        Err(_) => detente_formats_free_copy(),
    };
    std::fs::write(&file, text).unwrap();
    fails_with(
        &["forecast", file.to_str().unwrap()],
        &["capability 1e308", "at most 1e12"],
    );
    assert!(started.elapsed() < Duration::from_secs(30));
    // Within the limits, a sweep runs; --max-cases raises the limit.
    let v = json_of(&[
        "forecast",
        "sweep",
        "--monte-carlo",
        "3",
        "--max-cases",
        "3",
        "--json",
    ]);
    assert_eq!(v["cases"].as_array().unwrap().len(), 3);
    fails_with(
        &[
            "forecast",
            "sweep",
            "--monte-carlo",
            "4",
            "--max-cases",
            "3",
        ],
        &["more than the limit of 3"],
    );
}

/// The built-in `peace-talks` scenario with Russia's capability set to
/// 1e308, as in the shared repro.
fn detente_formats_free_copy() -> String {
    let out = detente().args(["show", "peace-talks"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let at = text.find("capability = ").expect("a capability");
    let end = at + text[at..].find('\n').unwrap();
    format!("{}capability = 1e308{}", &text[..at], &text[end..])
}

/// A thread pool the system refuses (here: too little address space for
/// 1024 stacks) was a panic blaming a pool "already initialized", exit 101.
#[cfg(unix)]
#[test]
fn hostile_input_threads_the_system_refuses_are_a_clear_error() {
    let bin = assert_cmd::cargo::cargo_bin("detente");
    let limited = |threads: &str| {
        std::process::Command::new("/bin/sh")
            .arg("-c")
            .arg(format!(
                "ulimit -v 400000 && exec \"$0\" --threads {threads} analyze car-sale"
            ))
            .arg(&bin)
            .output()
            .unwrap()
    };
    let out = limited("1024");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("cannot start 1024 worker threads"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    // The same limit leaves room for a few threads.
    let out = limited("2");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
