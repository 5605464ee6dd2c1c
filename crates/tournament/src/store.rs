//! The results database (SQLite).
//!
//! Schema (version 1), documented in the README:
//!
//! - `meta(key, value)`: `schema_version`.
//! - `tournament(id = 1, config_json, config_hash, total_matches)`: the
//!   configuration, canonicalised, and its hash. A database holds one
//!   tournament; running another configuration against it is refused.
//! - `shards(shard_index, shard_count)`: the shards this database has run.
//! - `scenarios(id, name, source, parties, outcomes)`: one row per scenario of
//!   the configuration, in order; `parties` is a JSON list of names.
//! - `matches(id, scenario_id, repetition, assignment, first_mover, seed,
//!   end_reason, failure, agreement, rounds, time, welfare, pareto_distance,
//!   nash_distance, elapsed_ms)`: one row per completed match; `id` is the
//!   match's index in the whole tournament; `assignment` a JSON list of
//!   strategy specs in party order; `failure` the sentence saying why a
//!   failed match failed (the runner's text: for negotiations the `Display`
//!   of `detente_negotiation::FailureKind`, such as "the strategy panicked:
//!   ..."), NULL otherwise; `agreement` a JSON object issue -> value
//!   or NULL; `elapsed_ms` is wall time, the only column that varies between
//!   runs.
//! - `results(match_id, party_index, party, strategy, utility, reservation,
//!   advantage, failed)`: one row per party of each match; `advantage` is
//!   utility minus reservation value.
//! - `traces(match_id, seq, round, time, actor, action, outcome, utilities)`:
//!   every action, when the configuration asks for traces; `outcome` and
//!   `utilities` are JSON objects in the trace's one JSON form (issue ->
//!   value, party -> utility; schema version 2: version 1 stored the
//!   utilities as an array in party order).
//!
//! The database runs in WAL mode and every match is stored whole or not at
//! all (matches that complete close together share one transaction), so a
//! killed run loses at most the matches of the last moments, and a rerun of
//! the same command completes the rest.
//!
//! `meta` also holds `scenario_digests`, a JSON list with a digest of each
//! scenario's contents, so that a scenario edited between a kill and the
//! rerun is noticed. Opening a database runs `PRAGMA quick_check` and
//! refuses a damaged file. A run holds an exclusive lock on the database
//! file (flock(2) on Unix) from start to end, so a second writer is refused
//! at once; readers (`tournament report`) open the file read-only and may
//! read during a run.

use crate::TournamentError;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashSet;
use std::path::Path;

/// The version of the database layout; a database of another version is refused rather than
/// misread.
pub const SCHEMA_VERSION: i64 = 2;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tournament (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    config_json TEXT NOT NULL,
    config_hash TEXT NOT NULL,
    total_matches INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS shards (
    shard_index INTEGER NOT NULL,
    shard_count INTEGER NOT NULL,
    PRIMARY KEY (shard_index, shard_count)
);
CREATE TABLE IF NOT EXISTS scenarios (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    parties TEXT NOT NULL,
    outcomes REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS matches (
    id INTEGER PRIMARY KEY,
    scenario_id INTEGER NOT NULL REFERENCES scenarios(id),
    repetition INTEGER NOT NULL,
    assignment TEXT NOT NULL,
    first_mover INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    end_reason TEXT NOT NULL,
    failure TEXT,
    agreement TEXT,
    rounds INTEGER NOT NULL,
    time REAL NOT NULL,
    welfare REAL NOT NULL,
    pareto_distance REAL,
    nash_distance REAL,
    elapsed_ms REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    match_id INTEGER NOT NULL REFERENCES matches(id),
    party_index INTEGER NOT NULL,
    party TEXT NOT NULL,
    strategy TEXT NOT NULL,
    utility REAL NOT NULL,
    reservation REAL NOT NULL,
    advantage REAL NOT NULL,
    failed INTEGER NOT NULL,
    PRIMARY KEY (match_id, party_index)
);
CREATE INDEX IF NOT EXISTS results_by_strategy ON results(strategy);
CREATE TABLE IF NOT EXISTS traces (
    match_id INTEGER NOT NULL REFERENCES matches(id),
    seq INTEGER NOT NULL,
    round INTEGER NOT NULL,
    time REAL NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    outcome TEXT,
    utilities TEXT,
    PRIMARY KEY (match_id, seq)
);
";

/// What one match produced, ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchRow {
    /// The match's index in the plan, the primary key.
    pub id: u64,
    /// The scenario, by index into the configuration's scenarios.
    pub scenario_id: usize,
    /// Which repetition of this pairing the match is.
    pub repetition: u32,
    /// Each party's strategy spec, in the scenario's party order.
    pub assignment: Vec<String>,
    /// The party that moved first.
    pub first_mover: usize,
    /// The match's seed, so a match can be replayed on its own.
    pub seed: u64,
    /// How the session ended.
    pub end_reason: String,
    /// Why the match failed, as a sentence for people (never Rust's Debug
    /// text), when it did.
    pub failure: Option<String>,
    /// JSON object issue -> value.
    pub agreement: Option<String>,
    /// How many rounds the session took.
    pub rounds: u32,
    /// The time at which the session ended, on the session's clock.
    pub time: f64,
    /// The sum of the parties' utilities.
    pub welfare: f64,
    /// The distance of the result from the Pareto frontier, when known.
    pub pareto_distance: Option<f64>,
    /// The distance of the result from the Nash point, when known.
    pub nash_distance: Option<f64>,
    /// Wall-clock time the match took, in milliseconds: for spotting slow strategies; never
    /// part of the results.
    pub elapsed_ms: f64,
    /// One row per party, in the scenario's party order.
    pub parties: Vec<PartyRow>,
    /// The session's actions, when the configuration keeps traces.
    pub trace: Vec<TraceRow>,
}

/// One party's part in a match, stored so rankings can be computed per strategy and per role.
#[derive(Clone, Debug, PartialEq)]
pub struct PartyRow {
    /// The party's name.
    pub party: String,
    /// The strategy spec that played the party.
    pub strategy: String,
    /// The party's utility of the result.
    pub utility: f64,
    /// The party's reservation value, to tell a good deal from none.
    pub reservation: f64,
    /// Whether this party's strategy caused the match to fail.
    pub failed: bool,
}

/// One action of a match's session, stored for replays and the negotiation chart.
#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    /// The round in which the action was taken.
    pub round: u32,
    /// The time at which the action was taken, on the session's clock.
    pub time: f64,
    /// The name of the party that acted, or `mediator`.
    pub actor: String,
    /// The kind of action (an offer, an acceptance, ...), by its name.
    pub action: String,
    /// The outcome the action proposes or accepts, as a JSON object issue -> value, if any.
    pub outcome: Option<String>,
    /// The parties' utilities of that outcome, as a JSON object party ->
    /// utility (the trace's one JSON form), if any.
    pub utilities: Option<String>,
}

/// A scenario of the configuration, as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioRow {
    /// The scenario's name.
    pub name: String,
    /// The entry as the configuration wrote it, to say where the scenario came from.
    pub source: String,
    /// The parties' names, in the order the match rows list them.
    pub parties: Vec<String>,
    /// The number of outcomes of the scenario's space (a float, as it may be huge).
    pub outcomes: f64,
}

fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> TournamentError + '_ {
    move |e| match e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) =>
        {
            damaged(path, &e.to_string())
        }
        e => TournamentError::Database {
            path: path.display().to_string(),
            message: e.to_string(),
        },
    }
}

fn damaged(path: &Path, why: &str) -> TournamentError {
    TournamentError::Database {
        path: path.display().to_string(),
        message: format!(
            "not a readable results database: it is damaged or not a SQLite file ({why}); restore it from a copy, or run into a new --db file"
        ),
    }
}

/// Refuses a damaged file before anything reads or writes it.
/// `quick_check` reads every page (but skips the slower index checks).
fn quick_check(conn: &Connection, path: &Path) -> Result<(), TournamentError> {
    let problems = quick_check_rows(conn).map_err(db_err(path))?;
    if problems.len() == 1 && problems[0] == "ok" {
        return Ok(());
    }
    Err(damaged(path, &problems.join("; ")))
}

fn quick_check_rows(conn: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare("PRAGMA quick_check(5)")?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// Whether a read-only open failed only because SQLite could not create the
/// WAL index (`-shm`) beside the database: a read-only folder or medium.
fn cannot_create_wal_index(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(f.code, rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
    )
}

/// `path` as an SQLite URI that opens it immutable (no locks, no `-shm`).
fn immutable_uri(path: &Path) -> String {
    let mut uri = String::from("file:");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    uri
}

/// An open results database.
pub struct Store {
    /// The SQLite connection, for the queries of reports and tests.
    pub conn: Connection,
    path: std::path::PathBuf,
    /// The writer's lock on the database file, released after `conn` is
    /// closed (fields drop in order).
    lock: Option<std::fs::File>,
}

impl Store {
    /// Opens a database read-only (it must exist), for reports: it works
    /// while a run writes to the database and on a file we may not write.
    /// In a folder we may not write, where SQLite cannot create the WAL
    /// index (`-shm`) that readers share, the file is opened immutable: no
    /// writer can be at work there, as none could create it either.
    pub fn open_read_only(path: &Path) -> Result<Store, TournamentError> {
        use rusqlite::OpenFlags;
        let err = db_err(path);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(&err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(&err)?;
        if let Err(e) = quick_check_rows(&conn)
            && cannot_create_wal_index(&e)
        {
            conn = Connection::open_with_flags(
                immutable_uri(path),
                flags | OpenFlags::SQLITE_OPEN_URI,
            )
            .map_err(&err)?;
        }
        quick_check(&conn, path)?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            lock: None,
        };
        store.check_version()?;
        Ok(store)
    }

    /// Opens (creating if needed) a database and its schema.
    pub fn open(path: &Path) -> Result<Store, TournamentError> {
        let err = db_err(path);
        let conn = Connection::open(path).map_err(&err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(&err)?;
        quick_check(&conn, path)?;
        // Switching a new file to WAL goes through a rollback journal; its
        // syncs only protect an empty file against power loss, so they are
        // skipped. Every later transaction runs with synchronous = NORMAL.
        conn.execute_batch("PRAGMA synchronous = OFF;")
            .map_err(&err)?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(&err)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(TournamentError::Database {
                path: path.display().to_string(),
                message: format!("could not switch to WAL mode (journal mode is {mode})"),
            });
        }
        conn.execute_batch("PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(&err)?;
        // One transaction for the whole schema: one commit instead of one
        // per statement.
        let schema = format!(
            "BEGIN; {SCHEMA} INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', '{SCHEMA_VERSION}'); COMMIT;"
        );
        conn.execute_batch(&schema).map_err(&err)?;
        let store = Store {
            conn,
            path: path.to_path_buf(),
            lock: None,
        };
        store.check_version()?;
        Ok(store)
    }

    /// Takes the writer's lock: one run (or merge) writes to a database at a
    /// time. A second one is refused at once instead of running all its
    /// matches and failing on the first insert.
    pub fn lock_for_writing(&mut self) -> Result<(), TournamentError> {
        let file = std::fs::File::open(&self.path).map_err(|e| TournamentError::Database {
            path: self.path.display().to_string(),
            message: format!("cannot open it to lock it: {e}"),
        })?;
        match file.try_lock() {
            Ok(()) => {
                self.lock = Some(file);
                Ok(())
            }
            Err(std::fs::TryLockError::WouldBlock) => Err(TournamentError::Database {
                path: self.path.display().to_string(),
                message: "another `detente tournament run` or `merge` is writing to this database; wait for it to end, or give this run its own --db file (shards can be merged later)".into(),
            }),
            Err(std::fs::TryLockError::Error(e)) => Err(TournamentError::Database {
                path: self.path.display().to_string(),
                message: format!("cannot lock it: {e}"),
            }),
        }
    }

    /// The database file, as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn check_version(&self) -> Result<(), TournamentError> {
        let path = &self.path;
        let version: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| match e {
                // A read-only open of a file that was never a results
                // database finds no table at all.
                rusqlite::Error::SqliteFailure(..) if e.to_string().contains("no such table") => {
                    TournamentError::Database {
                        path: path.display().to_string(),
                        message: "not a results database (it has no tournament tables)".into(),
                    }
                }
                e => db_err(path)(e),
            })?;
        match version {
            None => {
                return Err(TournamentError::Database {
                    path: path.display().to_string(),
                    message: "the schema version is missing".into(),
                });
            }
            Some(v) if v == SCHEMA_VERSION.to_string() => {}
            Some(v) => {
                return Err(TournamentError::Database {
                    path: path.display().to_string(),
                    message: format!(
                        "schema version {v}; this build reads version {SCHEMA_VERSION}"
                    ),
                });
            }
        }
        Ok(())
    }

    pub(crate) fn err(&self) -> impl Fn(rusqlite::Error) -> TournamentError + '_ {
        db_err(&self.path)
    }

    /// The recorded configuration, if any: (json, hash, total).
    pub fn tournament(&self) -> Result<Option<(String, String, u64)>, TournamentError> {
        self.conn
            .query_row(
                "SELECT config_json, config_hash, total_matches FROM tournament WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, i64>(2)? as u64)),
            )
            .optional()
            .map_err(self.err())
    }

    /// The digests of the scenarios' contents, when recorded (databases
    /// made before they were have none).
    pub fn scenario_digests(&self) -> Result<Option<Vec<String>>, TournamentError> {
        let json: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'scenario_digests'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(self.err())?;
        Ok(json.and_then(|j| serde_json::from_str(&j).ok()))
    }

    /// Records the tournament and its scenarios, or checks that the database
    /// already holds this very tournament, on the very same scenarios:
    /// `digests` has one digest of each scenario's contents.
    pub fn init(
        &mut self,
        config_json: &str,
        hash: &str,
        total: u64,
        scenarios: &[ScenarioRow],
        digests: &[String],
    ) -> Result<(), TournamentError> {
        match self.tournament()? {
            Some((_, h, _)) if h == hash => self.check_digests(scenarios, digests),
            Some(_) => Err(TournamentError::Database {
                path: self.path.display().to_string(),
                message: "this database holds a different tournament (its configuration differs); use a new --db file".into(),
            }),
            None => {
                let path = self.path.clone();
                let err = db_err(&path);
                let tx = self.conn.transaction().map_err(&err)?;
                tx.execute(
                    "INSERT INTO tournament(id, config_json, config_hash, total_matches) VALUES (1, ?1, ?2, ?3)",
                    params![config_json, hash, total as i64],
                )
                .map_err(&err)?;
                for (i, s) in scenarios.iter().enumerate() {
                    tx.execute(
                        "INSERT INTO scenarios(id, name, source, parties, outcomes) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![
                            i as i64,
                            s.name,
                            s.source,
                            serde_json::to_string(&s.parties).unwrap_or_default(),
                            s.outcomes
                        ],
                    )
                    .map_err(&err)?;
                }
                if !digests.is_empty() {
                    tx.execute(
                        "INSERT OR REPLACE INTO meta(key, value) VALUES ('scenario_digests', ?1)",
                        params![serde_json::to_string(digests).unwrap_or_default()],
                    )
                    .map_err(&err)?;
                }
                tx.commit().map_err(&err)
            }
        }
    }

    /// Refuses to go on when a scenario's contents changed since the
    /// database was started: its matches would mix two scenarios.
    fn check_digests(
        &mut self,
        scenarios: &[ScenarioRow],
        digests: &[String],
    ) -> Result<(), TournamentError> {
        let recorded = self.scenario_digests()?.unwrap_or_default();
        if recorded.is_empty() || digests.is_empty() {
            // Started before digests were recorded: record them now.
            if recorded.is_empty() && !digests.is_empty() {
                self.conn
                    .execute(
                        "INSERT OR REPLACE INTO meta(key, value) VALUES ('scenario_digests', ?1)",
                        params![serde_json::to_string(digests).unwrap_or_default()],
                    )
                    .map_err(self.err())?;
            }
            return Ok(());
        }
        for (i, (was, now)) in recorded.iter().zip(digests).enumerate() {
            if was != now {
                let source = scenarios.get(i).map_or("?", |s| s.source.as_str());
                return Err(TournamentError::Database {
                    path: self.path.display().to_string(),
                    message: format!(
                        "scenario `{source}` has changed since this database was started (its contents differ), so new matches would not be comparable with the stored ones; restore the scenario, or run into a new --db file"
                    ),
                });
            }
        }
        if recorded.len() != digests.len() {
            return Err(TournamentError::Database {
                path: self.path.display().to_string(),
                message: "the scenarios have changed since this database was started; use a new --db file".into(),
            });
        }
        Ok(())
    }

    /// Records that this database ran shard `index` of `count`, so merges can tell which shards
    /// are in.
    pub fn record_shard(&self, index: u64, count: u64) -> Result<(), TournamentError> {
        self.conn
            .execute(
                "INSERT OR IGNORE INTO shards(shard_index, shard_count) VALUES (?1, ?2)",
                params![index as i64, count as i64],
            )
            .map(|_| ())
            .map_err(self.err())
    }

    /// Ids of the matches already stored.
    pub fn done(&self) -> Result<HashSet<u64>, TournamentError> {
        let mut st = self
            .conn
            .prepare("SELECT id FROM matches")
            .map_err(self.err())?;
        let ids = st
            .query_map([], |r| r.get::<_, i64>(0))
            .map_err(self.err())?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.err())?;
        Ok(ids.into_iter().map(|i| i as u64).collect())
    }

    /// Stores one match (its row, its parties, its trace) in one transaction.
    pub fn insert(&mut self, m: &MatchRow) -> Result<(), TournamentError> {
        self.insert_many(std::slice::from_ref(m))
    }

    /// Stores matches in one transaction: all of them or none.
    pub fn insert_many(&mut self, rows: &[MatchRow]) -> Result<(), TournamentError> {
        let path = self.path.clone();
        let err = db_err(&path);
        let tx = self.conn.transaction().map_err(&err)?;
        for m in rows {
            insert_match(&tx, m).map_err(&err)?;
        }
        tx.commit().map_err(&err)
    }

    /// Merges other databases of the same tournament (shards) into this one.
    /// Returns the number of matches added.
    pub fn merge_from(&mut self, other: &Path) -> Result<u64, TournamentError> {
        let theirs = Store::open_read_only(other)?;
        let Some((json, hash, total)) = theirs.tournament()? else {
            return Err(TournamentError::Database {
                path: other.display().to_string(),
                message: "holds no tournament".into(),
            });
        };
        let scenarios = theirs.scenarios()?;
        let digests = theirs.scenario_digests()?;
        drop(theirs);
        // A shard from before digests were recorded is checked on its
        // configuration only.
        self.init(
            &json,
            &hash,
            total,
            &scenarios,
            &digests.unwrap_or_default(),
        )?;
        let path = self.path.clone();
        let err = db_err(&path);
        let before = self.count_matches()?;
        self.conn
            .execute(
                "ATTACH DATABASE ?1 AS shard",
                params![other.display().to_string()],
            )
            .map_err(&err)?;
        let result = (|| {
            let tx = self.conn.transaction().map_err(&err)?;
            tx.execute_batch(
                "INSERT OR IGNORE INTO main.shards SELECT * FROM shard.shards;
                 INSERT INTO main.matches SELECT * FROM shard.matches WHERE id NOT IN (SELECT id FROM main.matches);
                 INSERT INTO main.results SELECT * FROM shard.results WHERE match_id NOT IN (SELECT match_id FROM main.results);
                 INSERT INTO main.traces SELECT * FROM shard.traces WHERE match_id NOT IN (SELECT match_id FROM main.traces);",
            )
            .map_err(&err)?;
            tx.commit().map_err(&err)
        })();
        self.conn
            .execute("DETACH DATABASE shard", [])
            .map_err(&err)?;
        result?;
        Ok(self.count_matches()? - before)
    }

    /// How many matches the database holds.
    pub fn count_matches(&self) -> Result<u64, TournamentError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM matches", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(self.err())
    }

    /// The recorded scenarios, in configuration order.
    pub fn scenarios(&self) -> Result<Vec<ScenarioRow>, TournamentError> {
        let mut st = self
            .conn
            .prepare("SELECT name, source, parties, outcomes FROM scenarios ORDER BY id")
            .map_err(self.err())?;
        let rows = st
            .query_map([], |r| {
                let parties: String = r.get(2)?;
                Ok(ScenarioRow {
                    name: r.get(0)?,
                    source: r.get(1)?,
                    parties: serde_json::from_str(&parties).unwrap_or_default(),
                    outcomes: r.get(3)?,
                })
            })
            .map_err(self.err())?
            .collect::<Result<Vec<_>, _>>()
            .map_err(self.err())?;
        Ok(rows)
    }
}

fn insert_match(tx: &rusqlite::Transaction<'_>, m: &MatchRow) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO matches(id, scenario_id, repetition, assignment, first_mover, seed, end_reason, failure, agreement, rounds, time, welfare, pareto_distance, nash_distance, elapsed_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(params![
        m.id as i64,
        m.scenario_id as i64,
        m.repetition as i64,
        serde_json::to_string(&m.assignment).unwrap_or_default(),
        m.first_mover as i64,
        m.seed as i64,
        m.end_reason,
        m.failure,
        m.agreement,
        m.rounds as i64,
        m.time,
        m.welfare,
        m.pareto_distance,
        m.nash_distance,
        m.elapsed_ms,
    ])?;
    let mut results = tx.prepare_cached(
        "INSERT INTO results(match_id, party_index, party, strategy, utility, reservation, advantage, failed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, p) in m.parties.iter().enumerate() {
        results.execute(params![
            m.id as i64,
            i as i64,
            p.party,
            p.strategy,
            p.utility,
            p.reservation,
            p.utility - p.reservation,
            p.failed as i64
        ])?;
    }
    let mut traces = tx.prepare_cached(
        "INSERT INTO traces(match_id, seq, round, time, actor, action, outcome, utilities) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (seq, t) in m.trace.iter().enumerate() {
        traces.execute(params![
            m.id as i64,
            seq as i64,
            t.round as i64,
            t.time,
            t.actor,
            t.action,
            t.outcome,
            t.utilities
        ])?;
    }
    Ok(())
}
