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
//!   strategy specs in party order; `agreement` a JSON object issue -> value
//!   or NULL; `elapsed_ms` is wall time, the only column that varies between
//!   runs.
//! - `results(match_id, party_index, party, strategy, utility, reservation,
//!   advantage, failed)`: one row per party of each match; `advantage` is
//!   utility minus reservation value.
//! - `traces(match_id, seq, round, time, actor, action, outcome, utilities)`:
//!   every action, when the configuration asks for traces.
//!
//! The database runs in WAL mode and every match is committed in its own
//! transaction, so a killed run loses at most the matches in flight, and a
//! rerun of the same command completes the rest.

use crate::TournamentError;
use rusqlite::{Connection, OptionalExtension, params};
use std::collections::HashSet;
use std::path::Path;

pub const SCHEMA_VERSION: i64 = 1;

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
    pub id: u64,
    pub scenario_id: usize,
    pub repetition: u32,
    pub assignment: Vec<String>,
    pub first_mover: usize,
    pub seed: u64,
    pub end_reason: String,
    pub failure: Option<String>,
    /// JSON object issue -> value.
    pub agreement: Option<String>,
    pub rounds: u32,
    pub time: f64,
    pub welfare: f64,
    pub pareto_distance: Option<f64>,
    pub nash_distance: Option<f64>,
    pub elapsed_ms: f64,
    pub parties: Vec<PartyRow>,
    pub trace: Vec<TraceRow>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PartyRow {
    pub party: String,
    pub strategy: String,
    pub utility: f64,
    pub reservation: f64,
    pub failed: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TraceRow {
    pub round: u32,
    pub time: f64,
    pub actor: String,
    pub action: String,
    pub outcome: Option<String>,
    pub utilities: Option<String>,
}

/// A scenario of the configuration, as recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct ScenarioRow {
    pub name: String,
    pub source: String,
    pub parties: Vec<String>,
    pub outcomes: f64,
}

fn db_err(path: &Path) -> impl Fn(rusqlite::Error) -> TournamentError + '_ {
    move |e| TournamentError::Database {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// An open results database.
pub struct Store {
    pub conn: Connection,
    path: std::path::PathBuf,
}

impl Store {
    /// Opens (creating if needed) a database and its schema.
    pub fn open(path: &Path) -> Result<Store, TournamentError> {
        let err = db_err(path);
        let conn = Connection::open(path).map_err(&err)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(&err)?;
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
        conn.execute_batch(&schema).map_err(|e| match e {
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::NotADatabase => {
                TournamentError::Database {
                    path: path.display().to_string(),
                    message: "not a SQLite database".into(),
                }
            }
            e => err(e),
        })?;
        let version: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(&err)?;
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
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    fn err(&self) -> impl Fn(rusqlite::Error) -> TournamentError + '_ {
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

    /// Records the tournament and its scenarios, or checks that the database
    /// already holds this very tournament.
    pub fn init(
        &mut self,
        config_json: &str,
        hash: &str,
        total: u64,
        scenarios: &[ScenarioRow],
    ) -> Result<(), TournamentError> {
        match self.tournament()? {
            Some((_, h, _)) if h == hash => Ok(()),
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
                tx.commit().map_err(&err)
            }
        }
    }

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
        let theirs = Store::open(other)?;
        let Some((json, hash, total)) = theirs.tournament()? else {
            return Err(TournamentError::Database {
                path: other.display().to_string(),
                message: "holds no tournament".into(),
            });
        };
        let scenarios = theirs.scenarios()?;
        drop(theirs);
        self.init(&json, &hash, total, &scenarios)?;
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

    pub fn count_matches(&self) -> Result<u64, TournamentError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM matches", [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(self.err())
    }

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
