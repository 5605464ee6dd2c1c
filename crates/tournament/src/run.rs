//! Running a tournament: load the scenarios, plan the matches, run the ones
//! not yet stored in parallel, and store each as it completes.

use crate::TournamentError;
use crate::config::{Config, ConfigError, MatchPlan, plan};
use crate::store::{MatchRow, PartyRow, ScenarioRow, Store, TraceRow};
use detente_analysis::{Analysis, Options, analyze};
use detente_core::{ModelError, Outcome, Scenario, ScenarioParts};
use detente_formats::LoadOptions;
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::Path;
use std::sync::mpsc::{Receiver, TryRecvError, sync_channel};
use std::time::Instant;

/// What a match produced, as the negotiation engine reports it. Utilities
/// and parties are in the order of the scenario the runner was given.
#[derive(Clone, Debug, PartialEq)]
pub struct MatchOutcome {
    /// How the session ended (the negotiation engine's end reason, as stored).
    pub end_reason: String,
    /// Which party failed and why, when the match ended in a failure.
    pub failure: Option<(usize, String)>,
    /// The agreed deal, or `None` when there was no agreement.
    pub agreement: Option<Outcome>,
    /// Each party's utility of the result, in the scenario's party order.
    pub utilities: Vec<f64>,
    /// How many rounds the session took.
    pub rounds: u32,
    /// The time at which the session ended, on the session's clock.
    pub time: f64,
    /// The sum of the parties' utilities, to rank strategies by joint gain.
    pub welfare: f64,
    /// The distance of the result from the Pareto frontier, when a reference analysis was
    /// within budget.
    pub pareto_distance: Option<f64>,
    /// The distance of the result from the Nash point, when a reference analysis was within
    /// budget.
    pub nash_distance: Option<f64>,
    /// The session's actions, stored when the configuration keeps traces.
    pub trace: Vec<TraceRow>,
}

impl MatchOutcome {
    /// A match among `parties` parties that failed before or outside its
    /// session (a spec that does not parse, a runner that panicked): charged
    /// to the first party, with no agreement and every utility zero.
    pub fn failed(parties: usize, why: String) -> MatchOutcome {
        MatchOutcome {
            end_reason: "failure".into(),
            failure: Some((0, why)),
            agreement: None,
            utilities: vec![0.0; parties],
            rounds: 0,
            time: 0.0,
            welfare: 0.0,
            pareto_distance: None,
            nash_distance: None,
            trace: Vec::new(),
        }
    }
}

/// Runs single negotiations. The CLI implements it with
/// `detente-negotiation`; tests use simple deterministic runners.
pub trait Runner: Sync {
    /// Work done once per scenario (and party order) and shared by all its
    /// matches, such as each party's outcomes sorted by utility.
    type Prepared: Send + Sync;
    /// Checks the protocol and deadline settings for a scenario (its
    /// number of parties, what a session of it would keep in memory).
    fn check_config(&self, config: &Config, scenario: &Scenario) -> Result<(), RunnerError>;
    /// Checks one strategy spec.
    fn check_strategy(&self, spec: &str) -> Result<(), RunnerError>;
    /// Does the work shared by every match of a scenario (in one party order), once, before
    /// they run.
    fn prepare(&self, scenario: &Scenario) -> Self::Prepared;
    /// Runs one negotiation. Must be deterministic in its inputs and must
    /// not panic (a panic is recorded as an internal failure all the same).
    fn run(
        &self,
        scenario: &Scenario,
        prepared: &Self::Prepared,
        reference: Option<&Analysis>,
        config: &Config,
        strategies: &[&str],
        seed: u64,
    ) -> MatchOutcome;
}

/// Why a [`Runner`] refuses a strategy or a scenario's settings: the error of
/// the engine it wraps (runners are an open set, so their errors are too).
pub type RunnerError = Box<dyn std::error::Error + Send + Sync>;

/// A `--shard` that is not `I/N` with `0 <= I < N`.
#[derive(Debug, thiserror::Error)]
#[error("bad shard `{text}`; expected I/N with 0 <= I < N, e.g. 0/4")]
pub struct ShardError {
    /// The text as given.
    pub text: String,
}

/// Which part of the tournament to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard this is, from 0: it runs the matches whose index modulo `count` equals it.
    pub index: u64,
    /// How many shards the tournament is split into.
    pub count: u64,
}

impl std::str::FromStr for Shard {
    type Err = ShardError;
    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let bad = || ShardError {
            text: s.to_string(),
        };
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// Progress reports, sent after each stored match.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// How many of the matches this run covers are stored, those of earlier
    /// runs included.
    pub done: u64,
    /// How many matches this run covers (its shard or the whole tournament).
    pub total: u64,
}

/// What a run did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSummary {
    /// Matches of this shard (or of the whole tournament).
    pub planned: u64,
    /// Already in the database before this run.
    pub skipped: u64,
    /// Run and stored now.
    pub ran: u64,
    /// How many of the matches run now ended in a failure of a strategy.
    pub failures: u64,
}

/// The scenarios of a configuration, loaded, with their records.
pub struct LoadedScenarios {
    /// The loaded scenarios, in configuration order.
    pub scenarios: Vec<Scenario>,
    /// What the database records of each scenario, in the same order.
    pub rows: Vec<ScenarioRow>,
    /// A digest of each scenario's bytes ([`content_digest`]).
    pub digests: Vec<String>,
}

/// Why [`content_digest`] could not read a scenario entry's bytes.
#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    /// A file or folder of the entry could not be read.
    #[error("reading {path}: {error}")]
    Read {
        /// The file or folder, as the entry names it or below it.
        path: String,
        /// What the system said.
        error: std::io::Error,
    },
    /// The entry is neither a file nor a folder nor a built-in scenario.
    #[error("{name}: no such file, folder or built-in scenario")]
    Missing {
        /// The entry, as resolved against the configuration's folder.
        name: String,
    },
}

/// A digest of what a scenario entry reads: the bytes of its file, or of
/// every file under its folder (with their relative paths, in sorted
/// order), or a built-in scenario's text. Recorded with the tournament, so
/// that a scenario edited between a kill and the rerun is refused instead
/// of mixing two versions' matches.
pub fn content_digest(name: &str) -> Result<String, DigestError> {
    let path = Path::new(name);
    let reading = |path: &Path| {
        let path = path.display().to_string();
        move |error| DigestError::Read { path, error }
    };
    let mut bytes = Vec::new();
    if path.is_dir() {
        let mut files = Vec::new();
        collect_files(path, path, &mut files).map_err(reading(path))?;
        files.sort();
        for rel in files {
            let file = path.join(&rel);
            let data = std::fs::read(&file).map_err(reading(&file))?;
            bytes.extend_from_slice(rel.to_string_lossy().as_bytes());
            bytes.push(0);
            bytes.extend_from_slice(&(data.len() as u64).to_le_bytes());
            bytes.extend_from_slice(&data);
        }
    } else if path.exists() {
        bytes = std::fs::read(path).map_err(reading(path))?;
    } else if let Some(text) = detente_formats::builtin::text(name) {
        bytes = text.as_bytes().to_vec();
    } else {
        return Err(DigestError::Missing {
            name: name.to_string(),
        });
    }
    Ok(config_hash_bytes(&bytes))
}

fn collect_files(
    root: &Path,
    dir: &Path,
    out: &mut Vec<std::path::PathBuf>,
) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let p = entry.path();
        if p.is_dir() {
            collect_files(root, &p, out)?;
        } else {
            out.push(p.strip_prefix(root).unwrap_or(&p).to_path_buf());
        }
    }
    Ok(())
}

/// A scenario with its parties in the order of one first mover, analysed
/// (for the distances of each match) and prepared by the runner.
struct Variant<P> {
    scenario: Scenario,
    analysis: Option<Analysis>,
    prepared: P,
}

/// Loads every scenario of the configuration. Relative paths are tried
/// against `base` (the configuration file's folder) first.
pub fn load_scenarios(config: &Config, base: &Path) -> Result<LoadedScenarios, TournamentError> {
    let mut scenarios = Vec::new();
    let mut rows = Vec::new();
    let mut digests = Vec::new();
    for entry in &config.scenarios {
        let raw = entry.path();
        let rel = base.join(raw);
        let name = if Path::new(raw).is_relative() && rel.exists() {
            rel.display().to_string()
        } else {
            raw.to_string()
        };
        let loaded = detente_formats::load(
            &name,
            &LoadOptions {
                variant: entry.variant().map(str::to_string),
                profiles: Vec::new(),
            },
        )
        .map_err(|e| TournamentError::Scenario {
            entry: raw.to_string(),
            message: e.to_string(),
        })?;
        rows.push(ScenarioRow {
            name: loaded.scenario.name().to_string(),
            source: raw.to_string(),
            parties: loaded
                .scenario
                .parties()
                .iter()
                .map(|p| p.name.clone())
                .collect(),
            outcomes: loaded.scenario.space().count_f64(),
        });
        scenarios.push(loaded.scenario);
        digests.push(
            content_digest(&name).map_err(|e| TournamentError::Scenario {
                entry: raw.to_string(),
                message: e.to_string(),
            })?,
        );
    }
    Ok(LoadedScenarios {
        scenarios,
        rows,
        digests,
    })
}

/// Checks a configuration before anything runs.
pub fn check<R: Runner>(
    config: &Config,
    loaded: &LoadedScenarios,
    runner: &R,
) -> Result<(), TournamentError> {
    config.validate()?;
    for s in &config.strategies {
        runner
            .check_strategy(s)
            .map_err(|error| ConfigError::Strategy {
                name: s.clone(),
                error,
            })?;
    }
    for (s, row) in loaded.scenarios.iter().zip(&loaded.rows) {
        runner
            .check_config(config, s)
            .map_err(|error| ConfigError::Scenario {
                entry: row.source.clone(),
                error,
            })?;
    }
    Ok(())
}

/// A stable hash of the canonical configuration (FNV-1a, 64 bits).
pub fn config_hash(json: &str) -> String {
    config_hash_bytes(json.as_bytes())
}

fn config_hash_bytes(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The scenario with its parties rotated so that `first` comes first.
fn rotated(s: &Scenario, first: usize) -> Result<Scenario, ModelError> {
    let mut parts: ScenarioParts = s.parts().clone();
    parts.parties.rotate_left(first);
    Scenario::new(parts)
}

fn agreement_json(s: &Scenario, o: &Outcome) -> String {
    detente_results::outcome(s, o).to_string()
}

/// Builds the variants of every scenario: one per first mover (or just the
/// scenario itself), each analysed once for the distances of its matches
/// (skipped where the space is too large to analyse quickly) and prepared.
fn variants<R: Runner>(
    config: &Config,
    loaded: &LoadedScenarios,
    runner: &R,
) -> Result<Vec<Vec<Variant<R::Prepared>>>, TournamentError> {
    // Every (scenario, first mover) pair is independent: build them in
    // parallel, then regroup by scenario.
    let pairs: Vec<(usize, usize)> = loaded
        .scenarios
        .iter()
        .enumerate()
        .flat_map(|(k, s)| {
            let movers = if config.rotate_first_mover {
                s.parties().len()
            } else {
                1
            };
            (0..movers).map(move |first| (k, first))
        })
        .collect();
    let built: Vec<Result<Variant<R::Prepared>, TournamentError>> = pairs
        .par_iter()
        .map(|&(k, first)| {
            let s = &loaded.scenarios[k];
            let scenario = if first == 0 {
                Ok(s.clone())
            } else {
                rotated(s, first)
            }
            .map_err(|e| TournamentError::Scenario {
                entry: loaded.rows[k].source.clone(),
                message: e.to_string(),
            })?;
            let analysis = analyze(&scenario, &Options::reference()).ok();
            let prepared = runner.prepare(&scenario);
            Ok(Variant {
                scenario,
                analysis,
                prepared,
            })
        })
        .collect();
    let mut out: Vec<Vec<Variant<R::Prepared>>> =
        loaded.scenarios.iter().map(|_| Vec::new()).collect();
    for (&(k, _), v) in pairs.iter().zip(built) {
        out[k].push(v?);
    }
    Ok(out)
}

/// Runs one planned match and turns it into a database row.
fn run_match<R: Runner>(
    m: &MatchPlan,
    config: &Config,
    base: &Scenario,
    variant: &Variant<R::Prepared>,
    runner: &R,
) -> MatchRow {
    let started = Instant::now();
    let n = base.parties().len();
    let strategies: Vec<&str> = m
        .assignment
        .iter()
        .map(|&k| config.strategies[k].as_str())
        .collect();
    // The variant has the parties rotated so the first mover leads; rotate
    // the strategies the same way.
    let order: Vec<usize> = (0..n).map(|i| (i + m.first_mover) % n).collect();
    let rotated_strategies: Vec<&str> = order.iter().map(|&i| strategies[i]).collect();
    let outcome = catch(n, || {
        runner.run(
            &variant.scenario,
            &variant.prepared,
            variant.analysis.as_ref(),
            config,
            &rotated_strategies,
            m.seed,
        )
    });
    // Back to the scenario's own party order.
    let mut utilities = vec![0.0; n];
    for (k, &i) in order.iter().enumerate() {
        utilities[i] = outcome.utilities.get(k).copied().unwrap_or(0.0);
    }
    let failed_party = outcome
        .failure
        .as_ref()
        .map(|(k, _)| order.get(*k).copied().unwrap_or(0));
    MatchRow {
        id: m.index,
        scenario_id: m.scenario,
        repetition: m.repetition,
        assignment: strategies.iter().map(|s| s.to_string()).collect(),
        first_mover: m.first_mover,
        seed: m.seed,
        end_reason: outcome.end_reason.clone(),
        failure: outcome.failure.as_ref().map(|(_, why)| why.clone()),
        agreement: outcome.agreement.as_ref().map(|o| agreement_json(base, o)),
        rounds: outcome.rounds,
        time: outcome.time,
        welfare: outcome.welfare,
        pareto_distance: outcome.pareto_distance,
        nash_distance: outcome.nash_distance,
        elapsed_ms: started.elapsed().as_secs_f64() * 1e3,
        parties: base
            .parties()
            .iter()
            .enumerate()
            .map(|(i, p)| PartyRow {
                party: p.name.clone(),
                strategy: strategies[i].to_string(),
                utility: utilities[i],
                reservation: base.reservation(detente_core::PartyId(i as u32)),
                failed: failed_party == Some(i),
            })
            .collect(),
        trace: outcome.trace,
    }
}

/// A runner that panics despite its contract must not stop the tournament.
fn catch(n: usize, f: impl FnOnce() -> MatchOutcome) -> MatchOutcome {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(o) => o,
        Err(p) => {
            let why = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into());
            MatchOutcome::failed(n, format!("internal error: {why}"))
        }
    }
}

/// How long the writer gathers completed matches into one transaction.
const BATCH_WINDOW: std::time::Duration = std::time::Duration::from_millis(50);
/// The most matches stored in one transaction.
const BATCH_MAX: usize = 1024;

/// Runs the tournament described by `config` into the database at `db`,
/// skipping the matches already stored there.
pub fn run<R: Runner>(
    config: &Config,
    base: &Path,
    db: &Path,
    shard: Option<Shard>,
    runner: &R,
    mut progress: impl FnMut(Progress),
) -> Result<RunSummary, TournamentError> {
    let loaded = load_scenarios(config, base)?;
    check(config, &loaded, runner)?;
    let parties: Vec<usize> = loaded.scenarios.iter().map(|s| s.parties().len()).collect();
    let matches = plan(config, &parties)?;
    let Opened {
        mut store,
        done,
        variants,
    } = open_and_prepare(config, db, shard, &loaded, matches.len() as u64, runner)?;
    let mine: Vec<&MatchPlan> = matches
        .iter()
        .filter(|m| shard.is_none_or(|s| m.index % s.count == s.index))
        .collect();
    let todo: Vec<&MatchPlan> = mine
        .iter()
        .copied()
        .filter(|m| !done.contains(&m.index))
        .collect();
    let planned = mine.len() as u64;
    let skipped = planned - todo.len() as u64;
    let mut summary = RunSummary {
        planned,
        skipped,
        ran: 0,
        failures: 0,
    };
    progress(Progress {
        done: skipped,
        total: planned,
    });
    // Workers run matches in parallel; this thread stores them one
    // transaction each, in completion order. The channel is bounded, so
    // memory stays flat however many matches there are.
    let (tx, rx) = sync_channel::<MatchRow>(4 * BATCH_MAX);
    let mut written = Ok(());
    std::thread::scope(|scope| {
        let (loaded, variants) = (&loaded, &variants);
        scope.spawn(move || {
            todo.par_iter().for_each_with(tx, |tx, m| {
                let base = &loaded.scenarios[m.scenario];
                let variant = &variants[m.scenario][m.first_mover];
                let row = run_match(m, config, base, variant, runner);
                // A closed channel means the writer stopped on an error.
                let _ = tx.send(row);
            });
        });
        written = store_batches(&rx, &mut store, &mut summary, &mut progress);
    });
    written.map(|()| summary)
}

/// The database, open for writing, and the scenarios ready to run.
struct Opened<P> {
    store: Store,
    /// The indices of the matches the database already holds.
    done: HashSet<u64>,
    /// Every scenario's variants, by scenario then first mover.
    variants: Vec<Vec<Variant<P>>>,
}

/// Opens and locks the database first, so that a second writer is turned
/// away before any work; then records or checks the tournament while the
/// scenarios are prepared.
fn open_and_prepare<R: Runner>(
    config: &Config,
    db: &Path,
    shard: Option<Shard>,
    loaded: &LoadedScenarios,
    match_count: u64,
    runner: &R,
) -> Result<Opened<R::Prepared>, TournamentError> {
    let json = serde_json::to_string(config).unwrap_or_default();
    let hash = config_hash(&json);
    let mut store = Store::open(db)?;
    store.lock_for_writing()?;
    let (opened, variants) = rayon::join(
        || -> Result<(Store, HashSet<u64>), TournamentError> {
            store.init(&json, &hash, match_count, &loaded.rows, &loaded.digests)?;
            if let Some(s) = shard {
                store.record_shard(s.index, s.count)?;
            }
            let done = store.done()?;
            Ok((store, done))
        },
        || variants(config, loaded, runner),
    );
    let (store, done) = opened?;
    Ok(Opened {
        store,
        done,
        variants: variants?,
    })
}

/// Stores the rows that arrive on `rx` until every worker is done, adding
/// them to `summary` and reporting progress after each transaction. After a
/// failed write it keeps draining the channel, so that no worker blocks on
/// it, and returns that first error.
fn store_batches(
    rx: &Receiver<MatchRow>,
    store: &mut Store,
    summary: &mut RunSummary,
    progress: &mut impl FnMut(Progress),
) -> Result<(), TournamentError> {
    let mut write_error: Option<TournamentError> = None;
    while let Ok(first) = rx.recv() {
        let batch = gather_batch(rx, first);
        if write_error.is_some() {
            continue;
        }
        match store.insert_many(&batch) {
            Ok(()) => {
                summary.ran += batch.len() as u64;
                summary.failures +=
                    batch.iter().filter(|r| r.end_reason == "failure").count() as u64;
                progress(Progress {
                    done: summary.skipped + summary.ran,
                    total: summary.planned,
                });
            }
            Err(e) => write_error = Some(e),
        }
    }
    write_error.map_or(Ok(()), Err)
}

/// The rows of one transaction: `first` and what arrives within
/// [`BATCH_WINDOW`] of it, at most [`BATCH_MAX`]. Matches that complete close
/// together are stored in one transaction (each match is still stored whole
/// or not at all), so a kill loses at most that much work, and commits stay
/// few when matches are fast.
fn gather_batch(rx: &Receiver<MatchRow>, first: MatchRow) -> Vec<MatchRow> {
    let mut batch = vec![first];
    let deadline = Instant::now() + BATCH_WINDOW;
    // Poll rather than wait on each row: one wake-up per millisecond
    // instead of one per match keeps the writer from stealing the workers'
    // cores.
    loop {
        match rx.try_recv() {
            Ok(row) => {
                batch.push(row);
                if batch.len() >= BATCH_MAX {
                    break;
                }
            }
            Err(TryRecvError::Disconnected) => break,
            Err(TryRecvError::Empty) => {
                if Instant::now() >= deadline {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    }
    batch
}
