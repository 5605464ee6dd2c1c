//! `detente report`, run as a user runs it.

use assert_cmd::Command;

fn detente() -> Command {
    Command::cargo_bin("detente").unwrap()
}

fn report(args: &[&str], out: &std::path::Path) -> String {
    let o = detente()
        .arg("report")
        .args(args)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    std::fs::read_to_string(out).unwrap()
}

fn fails_with(args: &[&str], needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let o = detente()
        .arg("report")
        .args(args)
        .arg("-o")
        .arg(dir.path().join("r.html"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{args:?} should fail");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains(needle), "expected `{needle}` in {stderr}");
    assert!(!dir.path().join("r.html").exists());
}

#[test]
fn default_report_with_forecast_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let a = report(&["--forecast"], &dir.path().join("a.html"));
    let b = report(&["--forecast"], &dir.path().join("b.html"));
    assert_eq!(a, b);
    assert!(a.contains(r#"<figure id="utility-space">"#));
    assert!(a.contains(r#"<figure id="parallel-frontier">"#));
    assert!(a.contains(r#"<figure id="forecast">"#));
    assert!(a.contains("Proposal: mediator-draft"));
}

#[test]
fn the_same_bytes_with_one_thread_or_many() {
    let dir = tempfile::tempdir().unwrap();
    let mut outs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("r{threads}.html"));
        let o = detente()
            .args(["--threads", threads, "report", "--negotiate", "-o"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outs.push(std::fs::read(&out).unwrap());
    }
    assert_eq!(outs[0], outs[1]);
}

#[test]
fn proposal_is_chosen_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let html = report(
        &["car-sale", "--proposal", "sticker"],
        &dir.path().join("r.html"),
    );
    assert!(html.contains("Proposal: sticker"));
    assert!(html.contains("repair 1"));
}

#[test]
fn negotiation_charts_are_added() {
    let dir = tempfile::tempdir().unwrap();
    let html = report(
        &[
            "car-sale",
            "--negotiate",
            "--strategies",
            "boulware,conceder",
            "--seed",
            "3",
        ],
        &dir.path().join("r.html"),
    );
    assert!(html.contains(r#"<figure id="negotiation-offers">"#));
    assert!(html.contains(r#"<figure id="negotiation-rounds">"#));
    assert!(html.contains("buyer (boulware)"));
    // Peace-talks has a mediator: the mediated protocol's texts are drawn.
    let html = report(&["--negotiate"], &dir.path().join("p.html"));
    assert!(html.contains(r#"<figure id="negotiation-rounds">"#));
}

#[test]
fn tournament_ranking_is_drawn_with_intervals() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("t.toml");
    std::fs::write(
        &config,
        "protocol = \"alternating\"\nrounds = 60\nrepetitions = 2\nself_play = true\nrotate = true\nseed = 1\nstrategies = [\"boulware\", \"conceder\"]\nscenarios = [\"car-sale\"]\n",
    )
    .unwrap();
    let db = dir.path().join("results.db");
    let o = detente()
        .args(["tournament", "run", "--quiet", "--db"])
        .arg(&db)
        .arg(&config)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = report(
        &["car-sale", "--tournament", db.to_str().unwrap()],
        &dir.path().join("r.html"),
    );
    assert!(html.contains(r#"<figure id="ranking">"#));
    assert_eq!(html.matches(r#"class="rank""#).count(), 2);
    assert!(html.contains("ranks first with mean utility"));
}

#[test]
fn bad_inputs_fail_cleanly() {
    fails_with(
        &["car-sale", "--negotiate", "--strategies", "nope,conceder"],
        "nope",
    );
    fails_with(&["car-sale", "--proposal", "nope"], "no proposal `nope`");
    fails_with(&["car-sale", "--forecast"], "has no forecasting model");
    fails_with(
        &["car-sale", "--tournament", "/nonexistent/results.db"],
        "no such tournament database",
    );
    fails_with(&["no-such-scenario"], "not a built-in scenario");
}
