//! `detente tournament`: a real run killed with SIGKILL and resumed, shards
//! merged, the cluster recipes run locally, the report.

mod common;

use common::detente;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn write_config(dir: &Path, repetitions: u32, extra: &str) -> PathBuf {
    let p = dir.join("tournament.toml");
    std::fs::write(
        &p,
        format!(
            "protocol = \"alternating\"\nrounds = 200\nrepetitions = {repetitions}\nself_play = true\nrotate = true\nseed = 1\nstrategies = [\"boulware\", \"conceder\", \"tit-for-tat\"]\nscenarios = [\"car-sale\", \"job-offer\"]\n{extra}"
        ),
    )
    .unwrap();
    p
}

fn count(db: &Path) -> u64 {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row("SELECT COUNT(*) FROM matches", [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .unwrap_or(0)
}

/// Every row but wall times, in a canonical order.
fn rows(db: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT id, scenario_id, repetition, assignment, first_mover, seed, end_reason, failure, agreement, rounds, time, welfare, pareto_distance, nash_distance FROM matches ORDER BY id",
        "SELECT * FROM results ORDER BY match_id, party_index",
    ] {
        let mut st = conn.prepare(sql).unwrap();
        let n = st.column_count();
        let mut q = st.query([]).unwrap();
        while let Some(r) = q.next().unwrap() {
            out.push(
                (0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"),
            );
        }
    }
    out
}

fn run_to_end(config: &Path, db: &Path, extra: &[&str]) {
    let mut args = vec![
        "tournament",
        "run",
        config.to_str().unwrap(),
        "--db",
        db.to_str().unwrap(),
        "--quiet",
    ];
    args.extend_from_slice(extra);
    detente().args(&args).assert().success();
}

#[test]
fn a_killed_run_resumes_without_losing_or_duplicating_matches() {
    let dir = tempfile::tempdir().unwrap();
    // 9 ordered pairs x 2 scenarios x 150 repetitions = 2,700 matches.
    let config = write_config(dir.path(), 150, "");
    let total = 2700;
    let db = dir.path().join("killed.db");
    let bin = assert_cmd::cargo::cargo_bin("detente");
    let mut child = std::process::Command::new(bin)
        .args([
            "--threads",
            "1",
            "tournament",
            "run",
            config.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--quiet",
        ])
        .spawn()
        .unwrap();
    // Kill it (SIGKILL) as soon as some matches are stored.
    let start = Instant::now();
    while count(&db) < 20 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = count(&db);
    assert!(
        partial > 0 && partial < total,
        "killed after {partial} of {total} matches"
    );
    // The same command again completes the rest.
    run_to_end(&config, &db, &[]);
    assert_eq!(count(&db), total);
    let fresh = dir.path().join("fresh.db");
    run_to_end(&config, &fresh, &[]);
    assert_eq!(rows(&db), rows(&fresh));
}

#[test]
fn shards_merged_equal_one_run_and_the_cluster_recipes_work_locally() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), 2, "");
    let one = dir.path().join("one.db");
    run_to_end(&config, &one, &["--threads", "2"]);
    let single_thread = dir.path().join("single.db");
    detente()
        .args([
            "--threads",
            "1",
            "tournament",
            "run",
            config.to_str().unwrap(),
            "--db",
            single_thread.to_str().unwrap(),
            "--quiet",
        ])
        .assert()
        .success();
    assert_eq!(rows(&one), rows(&single_thread));

    // The Slurm recipe, as four array tasks run by hand.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin_dir = assert_cmd::cargo::cargo_bin("detente")
        .parent()
        .unwrap()
        .to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = dir.path().join("slurm");
    for i in 0..4 {
        let status = std::process::Command::new("bash")
            .arg(root.join("deploy/slurm/tournament.sbatch"))
            .args([config.to_str().unwrap(), out.to_str().unwrap()])
            .env("PATH", &path)
            .env("SLURM_ARRAY_TASK_ID", i.to_string())
            .env("SLURM_ARRAY_TASK_MIN", "0")
            .env("SLURM_ARRAY_TASK_MAX", "3")
            .env("SLURM_ARRAY_TASK_COUNT", "4")
            .env("SLURM_CPUS_PER_TASK", "1")
            .status()
            .unwrap();
        assert!(status.success());
    }
    let merged = dir.path().join("merged.db");
    let mut args = vec![
        "tournament".to_string(),
        "merge".into(),
        merged.display().to_string(),
    ];
    for i in 0..4 {
        args.push(out.join(format!("shard-{i}-of-4.db")).display().to_string());
    }
    detente().args(&args).assert().success();
    assert_eq!(rows(&one), rows(&merged));

    // The Kubernetes recipe: the container's command, with the index that
    // Kubernetes substitutes for $(JOB_COMPLETION_INDEX).
    let yaml = std::fs::read_to_string(root.join("deploy/k8s/tournament-job.yaml")).unwrap();
    let command: String = yaml
        .lines()
        .skip_while(|l| !l.contains("- >-"))
        .skip(1)
        .take_while(|l| l.trim_start().starts_with("detente") || l.trim_start().starts_with("--"))
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        command.contains("--shard $(JOB_COMPLETION_INDEX)/16"),
        "{command}"
    );
    let k8s = dir.path().join("k8s");
    std::fs::create_dir_all(&k8s).unwrap();
    for i in 0..16 {
        let c = command
            .replace("$(JOB_COMPLETION_INDEX)", &i.to_string())
            .replace("/config/tournament.toml", config.to_str().unwrap())
            .replace("/results", k8s.to_str().unwrap());
        let status = std::process::Command::new("sh")
            .args(["-c", &format!("{c} --quiet")])
            .env("PATH", &path)
            .status()
            .unwrap();
        assert!(status.success(), "{c}");
    }
    let merged_k8s = dir.path().join("merged-k8s.db");
    let mut args = vec![
        "tournament".to_string(),
        "merge".into(),
        merged_k8s.display().to_string(),
    ];
    for i in 0..16 {
        args.push(
            k8s.join(format!("shard-{i}-of-16.db"))
                .display()
                .to_string(),
        );
    }
    detente().args(&args).assert().success();
    assert_eq!(rows(&one), rows(&merged_k8s));
}

#[test]
fn report_prints_the_ranking_as_text_json_and_csv() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), 1, "");
    let db = dir.path().join("r.db");
    run_to_end(&config, &db, &[]);
    let out = detente()
        .args(["tournament", "report", db.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for s in ["boulware", "conceder", "tit-for-tat", "utility", "95% CI"] {
        assert!(text.contains(s), "{s} in {text}");
    }
    let csv = dir.path().join("r.csv");
    let out = detente()
        .args([
            "tournament",
            "report",
            db.to_str().unwrap(),
            "--json",
            "--csv",
            csv.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["matches"], 18);
    assert!(v["failures"].is_u64());
    let ranking = v["ranking"].as_array().unwrap();
    assert_eq!(ranking.len(), 3);
    for r in ranking {
        for k in ["strategy", "mean_utility", "ci95", "agreement_rate"] {
            assert!(!r[k].is_null(), "{k}");
        }
    }
    let csv = std::fs::read_to_string(csv).unwrap();
    assert_eq!(csv.lines().count(), 4);
}

#[test]
fn a_panicking_strategy_is_a_failure_row_and_the_tournament_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("t.toml");
    std::fs::write(
        &p,
        "protocol = \"alternating\"\nrounds = 50\nseed = 3\nstrategies = [\"boulware\", \"chaos:panic_at=5\"]\nscenarios = [\"car-sale\"]\n",
    )
    .unwrap();
    let db = dir.path().join("f.db");
    let out = detente()
        .args([
            "tournament",
            "run",
            p.to_str().unwrap(),
            "--db",
            db.to_str().unwrap(),
            "--quiet",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    // The panics are recorded as failures, not printed one backtrace per match.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("3 failures"), "{stderr}");
    let out = detente()
        .args(["tournament", "report", db.to_str().unwrap(), "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["matches"], 4);
    // Every match with the panicking strategy fails; boulware's self-play does not.
    assert_eq!(v["failures"], 3);
    // Issue "one home for every rule and every result": the failure column
    // holds the failure's stable sentence, not Rust's Debug text.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let mut st = conn
        .prepare("SELECT failure FROM matches WHERE end_reason = 'failure' ORDER BY id")
        .unwrap();
    let failures: Vec<String> = st
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(failures.len(), 3);
    for f in &failures {
        assert!(
            f.starts_with("the strategy panicked: chaos strategy panics at round "),
            "{f}"
        );
    }
}

#[test]
fn bad_tournament_inputs_fail_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    std::fs::write(&p, "protocol = \"alternating\"\nrounds = 10\nstrategies = [\"boulwar\"]\nscenarios = [\"car-sale\"]\n").unwrap();
    let out = detente()
        .args([
            "tournament",
            "run",
            p.to_str().unwrap(),
            "--db",
            dir.path().join("x.db").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("boulwar") && !err.contains("panicked"),
        "{err}"
    );
    std::fs::write(&p, "protocol = \"alternating\"\nrounds = 10\nstrategies = [\"boulware\"]\nscenarios = [\"water-sharing\"]\n").unwrap();
    let out = detente()
        .args([
            "tournament",
            "run",
            p.to_str().unwrap(),
            "--db",
            dir.path().join("y.db").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("bilateral"), "{err}");
    let out = detente()
        .args([
            "tournament",
            "report",
            dir.path().join("missing.db").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        !out.status.success() && String::from_utf8_lossy(&out.stderr).contains("no such database")
    );
    std::fs::write(
        dir.path().join("junk.db"),
        "not a database at all, just text",
    )
    .unwrap();
    let out = detente()
        .args([
            "tournament",
            "report",
            dir.path().join("junk.db").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && !err.contains("panicked"), "{err}");
    let out = detente()
        .args([
            "tournament",
            "run",
            p.to_str().unwrap(),
            "--db",
            "x.db",
            "--shard",
            "4/4",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected I/N"));
}

/// Issues "hostile input": `tournament report` opened the database for
/// writing, and a second `tournament run` on the same database ran all its
/// matches before failing with a raw "UNIQUE constraint failed".
#[test]
fn hostile_input_report_reads_during_a_run_and_a_second_writer_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), 150, "");
    let db = dir.path().join("busy.db");
    let bin = assert_cmd::cargo::cargo_bin("detente");
    let mut child = std::process::Command::new(bin)
        .args(["--threads", "1", "tournament", "run"])
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .arg("--quiet")
        .spawn()
        .unwrap();
    let start = Instant::now();
    while count(&db) < 20 && start.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(count(&db) > 0);
    // A report while the run writes.
    let v = common::json_of(&["tournament", "report", db.to_str().unwrap(), "--json"]);
    assert!(v["matches"].as_u64().unwrap() > 0, "{v}");
    // A second writer is turned away at once.
    let started = Instant::now();
    let out = detente()
        .args(["tournament", "run"])
        .arg(&config)
        .arg("--db")
        .arg(&db)
        .arg("--quiet")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    let still_running = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    if still_running {
        assert!(!out.status.success());
        assert!(err.contains("another `detente tournament run`"), "{err}");
        assert!(!err.contains("UNIQUE"), "{err}");
        assert!(started.elapsed() < Duration::from_secs(30));
    }
    // A report on a database file without write permission.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
        let before = std::fs::read(&db).unwrap();
        let v = common::json_of(&["tournament", "report", db.to_str().unwrap(), "--json"]);
        assert!(v["matches"].as_u64().unwrap() > 0, "{v}");
        assert_eq!(std::fs::read(&db).unwrap(), before);
    }
}

#[test]
fn hostile_input_report_csv_dash_prints_only_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), 1, "");
    let db = dir.path().join("r.db");
    run_to_end(&config, &db, &[]);
    let out = detente()
        .current_dir(dir.path())
        .args(["tournament", "report", db.to_str().unwrap(), "--csv", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("rank,strategy,"), "{csv}");
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(!dir.path().join("-").exists());
    common::fails_with(
        &[
            "tournament",
            "report",
            db.to_str().unwrap(),
            "--csv",
            "-",
            "--json",
        ],
        &["--csv -", "--json"],
    );
}

/// Issue "hostile input": nonsense deadlines ran, storing every match as a
/// failure; a damaged database was read until SQLite tripped on it.
#[test]
fn hostile_input_nonsense_configurations_and_damaged_databases_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    for (deadline, needle) in [
        ("rounds = 0", "`rounds = 0`"),
        ("time = inf", "`time = inf`"),
        ("time = nan", "`time = NaN`"),
        ("time = -1.0", "`time = -1`"),
        ("rounds = 4294967295", "memory budget"),
    ] {
        let config = dir.path().join("bad.toml");
        std::fs::write(
            &config,
            format!(
                "protocol = \"alternating\"\n{deadline}\nstrategies = [\"boulware\", \"conceder\"]\nscenarios = [\"car-sale\"]\n"
            ),
        )
        .unwrap();
        common::fails_with(
            &[
                "tournament",
                "run",
                config.to_str().unwrap(),
                "--db",
                db.to_str().unwrap(),
            ],
            &[needle],
        );
        assert!(!db.exists(), "{deadline}: nothing stored");
    }
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 8192]).unwrap();
    common::fails_with(
        &["tournament", "report", junk.to_str().unwrap()],
        &["junk.db", "not a SQLite file"],
    );
}

/// Issue "hostile input": a finished database in a folder we may not write
/// (a read-only share) could not be reported on, since SQLite could not
/// create the WAL index beside it. Root may write anywhere, so as root the
/// report runs as `nobody` (through su) to face the permissions for real.
#[cfg(unix)]
#[test]
fn hostile_input_report_reads_a_database_in_a_read_only_folder() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), 1, "");
    let shelf = dir.path().join("shelf");
    std::fs::create_dir(&shelf).unwrap();
    let db = shelf.join("done.db");
    run_to_end(&config, &db, &[]);
    assert!(
        !shelf.join("done.db-shm").exists(),
        "a finished run cleans up"
    );
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m));
    mode(dir.path(), 0o755).unwrap();
    mode(&db, 0o444).unwrap();
    mode(&shelf, 0o555).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("detente");
    let report = format!(
        "{} tournament report {} --json",
        bin.display(),
        db.display()
    );
    let root = std::process::Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let out = if root {
        std::process::Command::new("su")
            .args(["nobody", "-s", "/bin/sh", "-c", &report])
            .output()
            .unwrap()
    } else {
        std::process::Command::new("/bin/sh")
            .args(["-c", &report])
            .output()
            .unwrap()
    };
    mode(&shelf, 0o755).unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if root && err.contains("does not exist") {
        // No `nobody` account: the folder's permissions cannot bind root.
        eprintln!("no `nobody` user; reporting as root instead: {err}");
        let v = common::json_of(&["tournament", "report", db.to_str().unwrap(), "--json"]);
        assert_eq!(v["matches"], 18);
        return;
    }
    assert!(out.status.success(), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["matches"], 18);
    assert!(!shelf.join("done.db-shm").exists());
}
