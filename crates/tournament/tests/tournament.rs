//! The tournament engine with simple deterministic runners: determinism
//! across threads and shards, failures as data, resuming, the ranking.

use detente_analysis::Analysis;
use detente_core::Scenario;
use detente_tournament::store::Store;
use detente_tournament::*;
use std::path::Path;

/// Utilities and agreement derived from the seed alone; the strategy
/// `panicky` panics on one match in five.
struct Fake;

impl Runner for Fake {
    type Prepared = ();
    fn prepare(&self, _s: &Scenario) {}
    fn check_config(&self, config: &Config, _scenario: &Scenario) -> Result<(), RunnerError> {
        if config.protocol == "alternating" {
            Ok(())
        } else {
            Err("fake runner: alternating only".into())
        }
    }
    fn check_strategy(&self, spec: &str) -> Result<(), RunnerError> {
        if spec.starts_with("unknown") {
            Err("no such strategy".into())
        } else {
            Ok(())
        }
    }
    fn run(
        &self,
        s: &Scenario,
        _p: &(),
        _r: Option<&Analysis>,
        _c: &Config,
        strategies: &[&str],
        seed: u64,
    ) -> MatchOutcome {
        if strategies.contains(&"panicky") && seed.is_multiple_of(5) {
            panic!("panicky strategy");
        }
        let n = s.parties().len();
        let utilities: Vec<f64> = (0..n)
            .map(|i| ((seed >> (8 * i)) & 0xff) as f64 / 255.0)
            .collect();
        let agreed = !seed.is_multiple_of(3);
        MatchOutcome {
            end_reason: if agreed {
                "agreement".into()
            } else {
                "deadline".into()
            },
            failure: None,
            agreement: agreed.then(|| vec![0; s.issues().len()]),
            welfare: utilities.iter().sum(),
            utilities,
            rounds: (seed % 100) as u32,
            time: 0.5,
            pareto_distance: Some(0.1),
            nash_distance: None,
            trace: Vec::new(),
        }
    }
}

fn config(strategies: &[&str]) -> Config {
    parse_config(
        &format!(
            "protocol = \"alternating\"\nrounds = 100\nrepetitions = 3\nseed = 1\nstrategies = [{}]\nscenarios = [\"car-sale\", \"job-offer\"]\n",
            strategies.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
        ),
        "t.toml",
    )
    .unwrap()
}

/// Every stored row except wall times, in a canonical order.
fn rows(db: &Path) -> Vec<String> {
    let store = Store::open(db).unwrap();
    let mut out = Vec::new();
    let mut st = store
        .conn
        .prepare("SELECT id, scenario_id, repetition, assignment, first_mover, seed, end_reason, failure, agreement, rounds, time, welfare, pareto_distance, nash_distance FROM matches ORDER BY id")
        .unwrap();
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
    let mut st = store
        .conn
        .prepare("SELECT * FROM results ORDER BY match_id, party_index")
        .unwrap();
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
    out
}

fn run_with_threads(c: &Config, db: &Path, threads: usize, shard: Option<Shard>) -> RunSummary {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| run(c, Path::new("."), db, shard, &Fake, |_| {}))
        .unwrap()
}

#[test]
fn one_thread_many_threads_and_merged_shards_give_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(&["a", "b", "c"]);
    let one = dir.path().join("one.db");
    let s = run_with_threads(&c, &one, 1, None);
    // 9 ordered pairs x 2 scenarios x 3 repetitions.
    assert_eq!((s.planned, s.ran, s.skipped), (54, 54, 0));
    let two = dir.path().join("two.db");
    run_with_threads(&c, &two, 2, None);
    assert_eq!(rows(&one), rows(&two));
    let merged = dir.path().join("merged.db");
    let mut out = Store::open(&merged).unwrap();
    let mut total = 0;
    for i in 0..4 {
        let shard = dir.path().join(format!("shard{i}.db"));
        let s = run_with_threads(&c, &shard, 2, Some(Shard { index: i, count: 4 }));
        total += s.ran;
        out.merge_from(&shard).unwrap();
    }
    assert_eq!(total, 54);
    assert_eq!(rows(&one), rows(&merged));
    // Merging a shard twice adds nothing.
    assert_eq!(out.merge_from(&dir.path().join("shard0.db")).unwrap(), 0);
}

#[test]
fn a_rerun_completes_only_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(&["a", "b"]);
    let db = dir.path().join("r.db");
    let first = run_with_threads(&c, &db, 2, Some(Shard { index: 1, count: 3 }));
    let second = run_with_threads(&c, &db, 2, None);
    assert_eq!(second.skipped, first.ran);
    assert_eq!(second.ran + second.skipped, second.planned);
    let third = run_with_threads(&c, &db, 2, None);
    assert_eq!((third.ran, third.skipped), (0, third.planned));
    let fresh = dir.path().join("fresh.db");
    run_with_threads(&c, &fresh, 1, None);
    assert_eq!(rows(&db), rows(&fresh));
}

#[test]
fn a_panicking_match_is_a_failure_row_and_the_rest_complete() {
    let dir = tempfile::tempdir().unwrap();
    let c = config(&["a", "panicky"]);
    let db = dir.path().join("p.db");
    let s = run_with_threads(&c, &db, 2, None);
    assert_eq!(s.ran, s.planned);
    assert!(s.failures > 0 && s.failures < s.planned);
    let r = report(&Store::open(&db).unwrap()).unwrap();
    assert_eq!(r.matches, s.planned);
    assert_eq!(r.failures, s.failures);
}

#[test]
fn a_database_of_another_tournament_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    run_with_threads(&config(&["a", "b"]), &db, 1, None);
    let e = run(
        &config(&["a", "c"]),
        Path::new("."),
        &db,
        None,
        &Fake,
        |_| {},
    )
    .unwrap_err();
    assert!(e.to_string().contains("different tournament"), "{e}");
}

#[test]
fn bad_configurations_are_explained() {
    let e = run(
        &config(&["a", "unknown-x"]),
        Path::new("."),
        Path::new("/nonexistent/x.db"),
        None,
        &Fake,
        |_| {},
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("strategy `unknown-x`: no such strategy"),
        "{e}"
    );
    let e = parse_config("protocol = \"alternating\"\nrounds = \"ten\"\n", "c.toml").unwrap_err();
    assert!(e.to_string().starts_with("c.toml:2:10"), "{e}");
    let mut c = config(&["a"]);
    c.scenarios = vec![ScenarioEntry::Name("no-such-scenario".into())];
    let e = run(&c, Path::new("."), Path::new("x.db"), None, &Fake, |_| {}).unwrap_err();
    assert!(e.to_string().contains("no-such-scenario"), "{e}");
}

#[test]
fn ranking_arithmetic_matches_a_hand_computed_case() {
    // Two matches by hand: strategy A gets 0.2 and 0.6, B gets 0.8 and 0.4;
    // the first match agrees (welfare 1.0), the second does not (welfare 1.0).
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.db");
    let mut store = Store::open(&db).unwrap();
    store
        .init(
            "{}",
            "h",
            2,
            &[store::ScenarioRow {
                name: "s".into(),
                source: "s".into(),
                parties: vec!["p".into(), "q".into()],
                outcomes: 4.0,
            }],
            &[],
        )
        .unwrap();
    let row = |id: u64, ua: f64, ub: f64, agreed: bool, nash: Option<f64>| store::MatchRow {
        id,
        scenario_id: 0,
        repetition: 0,
        assignment: vec!["A".into(), "B".into()],
        first_mover: 0,
        seed: id,
        end_reason: if agreed {
            "agreement".into()
        } else {
            "deadline".into()
        },
        failure: None,
        agreement: None,
        rounds: 1,
        time: 1.0,
        welfare: ua + ub,
        pareto_distance: Some(0.5),
        nash_distance: nash,
        elapsed_ms: 0.0,
        parties: vec![
            store::PartyRow {
                party: "p".into(),
                strategy: "A".into(),
                utility: ua,
                reservation: 0.1,
                failed: false,
            },
            store::PartyRow {
                party: "q".into(),
                strategy: "B".into(),
                utility: ub,
                reservation: 0.0,
                failed: false,
            },
        ],
        trace: vec![],
    };
    store.insert(&row(0, 0.2, 0.8, true, Some(0.3))).unwrap();
    store.insert(&row(1, 0.6, 0.4, false, None)).unwrap();
    let r = report(&store).unwrap();
    assert_eq!((r.matches, r.agreements, r.failures), (2, 1, 0));
    let b = &r.ranking[0];
    let a = &r.ranking[1];
    assert_eq!((b.strategy.as_str(), a.strategy.as_str()), ("B", "A"));
    assert!((b.mean_utility - 0.6).abs() < 1e-12);
    assert!((a.mean_utility - 0.4).abs() < 1e-12);
    // s = sqrt(((0.2-0.4)^2 + (0.6-0.4)^2) / 1) = 0.2828...; ci = 1.96 s / sqrt 2 = 0.392
    assert!((a.ci95 - 0.392).abs() < 1e-9, "{}", a.ci95);
    assert!((a.agreement_rate - 0.5).abs() < 1e-12);
    assert!((a.mean_advantage - 0.3).abs() < 1e-12);
    assert!((a.mean_welfare - 1.0).abs() < 1e-12);
    assert_eq!(a.mean_nash_distance, Some(0.3));
    assert_eq!(a.mean_pareto_distance, Some(0.5));
}

/// A configuration over one scenario file, `deal.toml`.
fn file_config() -> Config {
    parse_config(
        "protocol = \"alternating\"\nrounds = 100\nrepetitions = 2\nseed = 1\nstrategies = [\"a\", \"b\"]\nscenarios = [\"deal.toml\"]\n",
        "t.toml",
    )
    .unwrap()
}

/// Issue "hostile input": a scenario edited between a kill and the rerun
/// was run on, mixing matches of two scenarios in one database.
#[test]
fn hostile_input_an_edited_scenario_is_refused_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("deal.toml");
    let text = detente_formats::builtin::text("car-sale").unwrap();
    std::fs::write(&scenario, text).unwrap();
    let c = file_config();
    let db = dir.path().join("t.db");
    let go = || run(&c, dir.path(), &db, None, &Fake, |_| {});
    assert_eq!(go().unwrap().ran, 8);
    // Unchanged: the rerun has nothing to do.
    assert_eq!(go().unwrap().ran, 0);
    // Same configuration, edited scenario (a comment is enough).
    let at = text.find("reservation = ").unwrap();
    let mut edited = text.to_string();
    edited.insert_str(at, "# edited\n");
    std::fs::write(&scenario, edited).unwrap();
    let e = go().unwrap_err().to_string();
    assert!(e.contains("deal.toml") && e.contains("has changed"), "{e}");
    std::fs::write(&scenario, text).unwrap();
    assert_eq!(go().unwrap().ran, 0);
}

/// Issue "hostile input": a second writer ran all its matches, then failed
/// with a raw "UNIQUE constraint failed".
#[test]
fn hostile_input_a_second_writer_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let mut first = Store::open(&db).unwrap();
    first.lock_for_writing().unwrap();
    let started = std::time::Instant::now();
    let e = run(
        &config(&["a", "b"]),
        Path::new("."),
        &db,
        None,
        &Fake,
        |_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("another `detente tournament run`"), "{e}");
    assert!(!e.contains("UNIQUE"), "{e}");
    // Nothing was stored by the refused run.
    assert_eq!(first.count_matches().unwrap(), 0);
    assert!(first.tournament().unwrap().is_none());
    let mut merger = Store::open(&db).unwrap();
    assert!(merger.lock_for_writing().is_err());
    drop(first);
    // The lock goes with the store that held it.
    merger.lock_for_writing().unwrap();
    drop(merger);
    run(
        &config(&["a", "b"]),
        Path::new("."),
        &db,
        None,
        &Fake,
        |_| {},
    )
    .unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
}

/// Issue "hostile input": `tournament report` opened the database for
/// writing, so it failed on a read-only file.
#[cfg(unix)]
#[test]
fn hostile_input_report_opens_read_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    run(
        &config(&["a", "b"]),
        Path::new("."),
        &db,
        None,
        &Fake,
        |_| {},
    )
    .unwrap();
    let before = std::fs::read(&db).unwrap();
    // While a writer holds the database.
    let mut writer = Store::open(&db).unwrap();
    writer.lock_for_writing().unwrap();
    let reader = Store::open_read_only(&db).unwrap();
    let r = report(&reader).unwrap();
    assert_eq!(r.matches, 24);
    let e = reader
        .conn
        .execute("DELETE FROM matches", [])
        .unwrap_err()
        .to_string();
    assert!(e.contains("readonly"), "{e}");
    drop((reader, writer));
    // On a file without write permission.
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    let reader = Store::open_read_only(&db).unwrap();
    assert_eq!(report(&reader).unwrap().matches, 24);
    drop(reader);
    assert_eq!(std::fs::read(&db).unwrap(), before);
    // A missing file is not created.
    assert!(Store::open_read_only(&dir.path().join("missing.db")).is_err());
    assert!(!dir.path().join("missing.db").exists());
}

/// Issue "hostile input": a damaged database was read (or written) until
/// SQLite tripped on the bad page; it is now refused on open.
#[test]
fn hostile_input_a_damaged_database_is_refused_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    run(
        &config(&["a", "b", "c"]),
        Path::new("."),
        &db,
        None,
        &Fake,
        |_| {},
    )
    .unwrap();
    // Overwrite the middle of the file with garbage, past the header.
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 3 * 4096, "{} bytes", bytes.len());
    for b in &mut bytes[4096 + 100..3 * 4096] {
        *b = 0xA5;
    }
    std::fs::write(&db, &bytes).unwrap();
    for e in [
        Store::open(&db).err().expect("refused for writing"),
        Store::open_read_only(&db)
            .err()
            .expect("refused for reading"),
    ] {
        let e = e.to_string();
        assert!(e.contains("t.db"), "{e}");
        assert!(e.contains("damaged"), "{e}");
        assert!(!e.contains("database results"), "{e}");
    }
    // A file that is not a database at all.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 8192]).unwrap();
    let e = Store::open_read_only(&junk).err().unwrap().to_string();
    assert!(
        e.contains("junk.db") && e.contains("not a SQLite file"),
        "{e}"
    );
}
