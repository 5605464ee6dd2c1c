//! Memory is bounded by what the user asked for, not by what a scenario
//! claims (hostile-input issue): the 395-byte scenarios of the audit.

mod common;

use common::fails_with;

fn opposed_integer_issue(values: u64) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.toml");
    std::fs::write(
        &path,
        format!(
            "version = 1\nname = \"wide\"\n[[issues]]\nname = \"b\"\nkind = \"integer\"\nmin = 0\nmax = {}\n\
             [[parties]]\nname = \"low\"\nweights = {{ b = 1 }}\nvalues.b = \"decreasing\"\n\
             [[parties]]\nname = \"high\"\nweights = {{ b = 1 }}\nvalues.b = \"increasing\"\n",
            values - 1
        ),
    )
    .unwrap();
    let p = path.to_string_lossy().into_owned();
    (dir, p)
}

/// Every outcome of two opposed parties is efficient: a frontier of 10^6
/// points used to be built and printed (468 MB of JSON).
#[test]
fn hostile_input_analyze_refuses_a_frontier_beyond_its_budget() {
    let (_dir, path) = opposed_integer_issue(1_000_000);
    fails_with(
        &["analyze", &path, "--json"],
        &["more than 100000 points", "--max-frontier"],
    );
}

/// The user can raise the limit, and a smaller space within it is analysed.
#[test]
fn hostile_input_analyze_limit_is_the_users_to_raise() {
    let (_dir, path) = opposed_integer_issue(2_000);
    fails_with(
        &["analyze", &path, "--max-frontier", "1000"],
        &["more than 1000 points"],
    );
    let out = common::detente()
        .args(["analyze", &path, "--max-frontier", "5000"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Regression (hostile-input issue): a KTAB file that cannot be read printed
/// the OS error twice, once in the message and once as its cause.
#[test]
fn hostile_input_forecast_error_says_the_os_error_once() {
    let out = common::detente()
        .args(["forecast", "/nonexistent/actors.csv"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("os error 2").count(), 1, "{stderr}");
    assert!(stderr.contains("/nonexistent/actors.csv"), "{stderr}");
}

/// Regression (hostile-input issue): one integer issue with 2^24 values (the
/// most an issue may have) made `analyze` grow past 7.8 GB; the utility
/// tables are now bounded before anything is built.
#[test]
fn hostile_input_value_tables_are_bounded_before_they_are_built() {
    let (_dir, path) = opposed_integer_issue(1 << 24);
    fails_with(
        &["analyze", &path],
        &["16777216 values in all", "more than the limit of 33554432"],
    );
}

/// Regression (hostile-input issue, a finding of the reader fuzzing): a
/// GeniusWeb domain of a few hundred bytes declaring integer ranges of
/// millions of values made the reader fill 1.2 GB of tables before anything
/// checked their size. The check now comes before any profile is read.
#[test]
fn hostile_input_competition_readers_check_table_sizes_first() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data/fuzz-findings/huge-ranges");
    fails_with(
        &["validate", folder.to_str().unwrap()],
        &["holiday.json", "more than the limit of 33554432"],
    );
}
