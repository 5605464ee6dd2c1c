//! The rooms database: one SQLite file holding every room's set-up, the
//! digests of its tokens and its events in order.
//!
//! Durability is the point: an event is committed (WAL, `synchronous =
//! FULL`, so the commit is on disk) before the action is acknowledged, and
//! a server killed at any moment finds every acknowledged action on
//! restart. The database is opened in exclusive locking mode, so a second
//! server cannot share it and let the two replays drift apart.

use crate::token::TokenHash;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::Path;

/// The schema's version, in `PRAGMA user_version`. Version 2: agents in
/// rooms with minutes pace themselves by the time stored with each event,
/// and events may be a mediator's; version 1's rooms would not replay to
/// the states their people saw, so they are refused.
const SCHEMA_VERSION: i64 = 2;

/// One event to append.
pub struct Record {
    /// The room's id.
    pub room: String,
    /// Its place in the room's log, from 0.
    pub seq: usize,
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: u64,
    /// The event as JSON.
    pub event: String,
}

/// A room as stored.
pub struct StoredRoom {
    /// The room's id.
    pub id: String,
    /// The batch it was created in (rooms created together share one).
    pub batch: String,
    /// Creation time, milliseconds since the Unix epoch.
    pub created_ms: u64,
    /// The set-up, as JSON.
    pub spec: String,
    /// The scenario's native text.
    pub scenario_text: String,
    /// The facilitator token's digest.
    pub facilitator: TokenHash,
    /// Per seat (party name): the token's digest, `None` for an agent.
    pub seats: Vec<(String, Option<TokenHash>)>,
    /// Every event in order: time (ms) and the event as JSON.
    pub events: Vec<(u64, String)>,
}

/// The open database.
pub struct Store {
    conn: Connection,
}

fn hash_of(blob: Option<Vec<u8>>) -> Option<TokenHash> {
    blob.and_then(|b| b.try_into().ok())
}

impl Store {
    /// Opens (or creates) the database and takes it for this process.
    pub fn open(path: &Path) -> rusqlite::Result<Store> {
        let conn = Connection::open(path)?;
        // Another server holding the database is an error at once, not a
        // wait.
        conn.busy_timeout(std::time::Duration::ZERO)?;
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "the rooms database cannot use write-ahead logging (journal mode {mode})"
            )));
        }
        conn.pragma_update(None, "synchronous", "FULL")?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "the rooms database has schema version {version}, newer than this detente's {SCHEMA_VERSION}"
            )));
        }
        if version != 0 && version < SCHEMA_VERSION {
            return Err(rusqlite::Error::InvalidParameterName(format!(
                "the rooms database has schema version {version}, from an earlier detente whose agents kept time differently, so its rooms would not replay as they were played; this detente's is {SCHEMA_VERSION}: give `--rooms` a new file"
            )));
        }
        // Taking the write lock now, not at the first action, makes a
        // second server fail at start.
        conn.execute_batch(&format!(
            "BEGIN EXCLUSIVE;
             CREATE TABLE IF NOT EXISTS rooms (
                 id TEXT PRIMARY KEY,
                 batch TEXT NOT NULL,
                 created_ms INTEGER NOT NULL,
                 spec TEXT NOT NULL,
                 scenario_text TEXT NOT NULL,
                 facilitator BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS seats (
                 room TEXT NOT NULL REFERENCES rooms(id),
                 party TEXT NOT NULL,
                 token BLOB,
                 PRIMARY KEY (room, party));
             CREATE TABLE IF NOT EXISTS events (
                 room TEXT NOT NULL REFERENCES rooms(id),
                 seq INTEGER NOT NULL,
                 at_ms INTEGER NOT NULL,
                 event TEXT NOT NULL,
                 PRIMARY KEY (room, seq));
             PRAGMA user_version = {SCHEMA_VERSION};
             COMMIT;"
        ))?;
        Ok(Store { conn })
    }

    /// Stores new rooms, all or none.
    pub fn insert_rooms(&mut self, rooms: &[StoredRoom]) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        for r in rooms {
            tx.execute(
                "INSERT INTO rooms (id, batch, created_ms, spec, scenario_text, facilitator)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    r.id,
                    r.batch,
                    r.created_ms as i64,
                    r.spec,
                    r.scenario_text,
                    &r.facilitator[..]
                ],
            )?;
            for (party, token) in &r.seats {
                tx.execute(
                    "INSERT INTO seats (room, party, token) VALUES (?1, ?2, ?3)",
                    params![r.id, party, token.as_ref().map(|t| &t[..])],
                )?;
            }
        }
        tx.commit()
    }

    /// Appends events in one transaction; on return they are on disk.
    pub fn append_all(&mut self, records: &[&Record]) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO events (room, seq, at_ms, event) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for r in records {
                insert.execute(params![r.room, r.seq as i64, r.at_ms as i64, r.event])?;
            }
        }
        tx.commit()
    }

    /// Every room with its seats and events.
    pub fn load(&self) -> rusqlite::Result<Vec<StoredRoom>> {
        let mut rooms = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT id, batch, created_ms, spec, scenario_text, facilitator FROM rooms ORDER BY created_ms, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredRoom {
                id: r.get(0)?,
                batch: r.get(1)?,
                created_ms: r.get::<_, i64>(2)? as u64,
                spec: r.get(3)?,
                scenario_text: r.get(4)?,
                facilitator: hash_of(r.get(5)?).unwrap_or([0; 32]),
                seats: Vec::new(),
                events: Vec::new(),
            })
        })?;
        for room in rows {
            rooms.push(room?);
        }
        let mut seats = self
            .conn
            .prepare("SELECT party, token FROM seats WHERE room = ?1 ORDER BY rowid")?;
        let mut events = self
            .conn
            .prepare("SELECT at_ms, event FROM events WHERE room = ?1 ORDER BY seq")?;
        for room in &mut rooms {
            room.seats = seats
                .query_map([&room.id], |r| Ok((r.get(0)?, hash_of(r.get(1)?))))?
                .collect::<rusqlite::Result<_>>()?;
            room.events = events
                .query_map([&room.id], |r| Ok((r.get::<_, i64>(0)? as u64, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
        }
        Ok(rooms)
    }

    /// Whether a room id is taken (ids are random; a clash is retried).
    pub fn exists(&self, id: &str) -> rusqlite::Result<bool> {
        self.conn
            .query_row("SELECT 1 FROM rooms WHERE id = ?1", [id], |_| Ok(()))
            .optional()
            .map(|r| r.is_some())
    }
}
