//! `detente tournament run | report | merge`.

use crate::render::{num, print_json, table};
use anyhow::{Context, Result, bail};
use comfy_table::Cell;
use detente_analysis::Analysis;
use detente_core::Scenario;
use detente_negotiation as neg;
use detente_tournament::{Config, MatchOutcome, Runner, RunnerError, Shard, Store, TraceRow};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

#[derive(clap::Subcommand)]
pub enum Sub {
    /// Run a tournament (or resume it: matches already in the database are skipped).
    Run(RunArgs),
    /// Print the ranking of a results database.
    Report(ReportArgs),
    /// Merge shard databases of one tournament into one.
    Merge(MergeArgs),
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// The tournament configuration (TOML).
    pub config: PathBuf,
    /// The results database (SQLite); created if missing.
    #[arg(long, value_name = "FILE")]
    pub db: PathBuf,
    /// Run only shard I of N (matches whose index is I modulo N), e.g. 0/4.
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Print a JSON summary (`planned`, `ran`, `already_stored`,
    /// `failures`, `db`, `shard`) on standard output.
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
pub struct ReportArgs {
    pub db: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Also write the ranking as CSV (`-`: print only the CSV).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
}

#[derive(clap::Args)]
pub struct MergeArgs {
    /// The merged database (created if missing).
    pub out: PathBuf,
    /// Shard databases.
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        Sub::Run(a) => run_tournament(a),
        Sub::Report(a) => report(a),
        Sub::Merge(a) => merge(a),
    }
}

/// Runs matches with the negotiation engine.
pub struct NegotiationRunner;

/// The session settings of a match (`Config::validate` has already refused
/// a missing, doubled or non-positive deadline).
fn session_config(config: &Config, seed: u64) -> Result<neg::SessionConfig, neg::NegotiationError> {
    let deadline = match (config.rounds, config.time) {
        (Some(r), _) => neg::Deadline::Rounds(r),
        (None, Some(t)) => neg::Deadline::Time { seconds: t },
        (None, None) => {
            return Err(neg::NegotiationError::BadDeadline(
                "set `rounds = N` or `time = SECONDS`".into(),
            ));
        }
    };
    Ok(neg::SessionConfig {
        protocol: config.protocol.parse()?,
        deadline,
        seed,
        record_trace: config.record_traces,
        step_budget: std::time::Duration::from_millis(config.step_budget_ms.unwrap_or(5_000)),
        memory_budget: neg::DEFAULT_MEMORY_BUDGET,
    })
}

impl Runner for NegotiationRunner {
    type Prepared = neg::Prepared;

    fn prepare(&self, scenario: &Scenario) -> neg::Prepared {
        neg::prepare(scenario)
    }

    fn check_config(&self, config: &Config, scenario: &Scenario) -> Result<(), RunnerError> {
        // The checks every session makes, once per scenario instead of
        // failing every match.
        let session = session_config(config, 0)?;
        neg::check_setup(scenario, &session)?;
        Ok(())
    }

    fn check_strategy(&self, spec: &str) -> Result<(), RunnerError> {
        neg::validate_strategy(&neg::StrategySpec::from_str(spec)?)?;
        Ok(())
    }

    fn run(
        &self,
        scenario: &Scenario,
        prepared: &neg::Prepared,
        reference: Option<&Analysis>,
        config: &Config,
        strategies: &[&str],
        seed: u64,
    ) -> MatchOutcome {
        let n = scenario.parties().len();
        let failed = |why: String| MatchOutcome {
            end_reason: "failure".into(),
            failure: Some((0, why)),
            agreement: None,
            utilities: vec![0.0; n],
            rounds: 0,
            time: 0.0,
            welfare: 0.0,
            pareto_distance: None,
            nash_distance: None,
            trace: Vec::new(),
        };
        let specs: Result<Vec<neg::StrategySpec>, _> = strategies
            .iter()
            .map(|s| neg::StrategySpec::from_str(s))
            .collect();
        let specs = match specs {
            Ok(s) => s,
            Err(e) => return failed(e.to_string()),
        };
        let cfg = match session_config(config, seed) {
            Ok(c) => c,
            Err(e) => return failed(e.to_string()),
        };
        match neg::run_session_prepared(scenario, prepared, reference, &cfg, &specs) {
            Err(e) => failed(e.to_string()),
            Ok(r) => MatchOutcome {
                end_reason: r.end_reason.as_str().to_string(),
                failure: match &r.end_reason {
                    neg::EndReason::Failure { party, kind } => {
                        // The stable sentence, not Rust's Debug text.
                        Some((party.index(), kind.to_string()))
                    }
                    _ => None,
                },
                agreement: r.agreement.clone(),
                utilities: r.utilities.clone(),
                rounds: r.rounds,
                time: r.time,
                welfare: r.welfare,
                pareto_distance: r.pareto_distance,
                nash_distance: r.nash_distance,
                // The rows are the trace's one JSON form (`detente_results::trace`),
                // but for the utilities, kept in the column's documented form: a
                // JSON array in party order (NULL without an outcome).
                trace: detente_results::trace(scenario, &r.trace)
                    .into_iter()
                    .zip(&r.trace)
                    .map(|(e, raw)| TraceRow {
                        round: e.round,
                        time: e.time,
                        actor: e.actor,
                        action: e.action,
                        outcome: e.outcome.map(|o| o.to_string()),
                        utilities: (!raw.utilities.is_empty())
                            .then(|| json!(raw.utilities).to_string()),
                    })
                    .collect(),
            },
        }
    }
}

fn run_tournament(a: RunArgs) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&a.config)
        .with_context(|| format!("cannot read {}", a.config.display()))?;
    let config = detente_tournament::parse_config(&text, &a.config.display().to_string())?;
    let shard = match &a.shard {
        Some(s) => Some(Shard::from_str(s).map_err(anyhow::Error::msg)?),
        None => None,
    };
    let base = a.config.parent().map(Path::to_path_buf).unwrap_or_default();
    let bar = ProgressBar::with_draw_target(
        Some(0),
        if !crate::progress::enabled() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        },
    );
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} matches  {per_sec}  ETA {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let summary = detente_tournament::run(&config, &base, &a.db, shard, &NegotiationRunner, |p| {
        bar.set_length(p.total);
        bar.set_position(p.done);
    })?;
    bar.finish_and_clear();
    if a.json {
        print_json(&detente_results::TournamentRun {
            planned: summary.planned,
            ran: summary.ran,
            already_stored: summary.skipped,
            failures: summary.failures,
            db: a.db.display().to_string(),
            shard: a.shard.clone(),
        });
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "{} matches in this {}: {} run now, {} already stored, {} failures. Results in {}.",
        summary.planned,
        if shard.is_some() {
            "shard"
        } else {
            "tournament"
        },
        summary.ran,
        summary.skipped,
        summary.failures,
        a.db.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn open_existing(path: &Path) -> Result<Store> {
    if !path.exists() {
        bail!("{}: no such database", path.display());
    }
    Ok(Store::open_read_only(path)?)
}

fn report(a: ReportArgs) -> Result<ExitCode> {
    let piped = a.csv.as_deref().is_some_and(detente_formats::is_stdout);
    if piped && a.json {
        bail!("--csv - and --json would both print on standard output; write the CSV to a file");
    }
    let store = open_existing(&a.db)?;
    let r = detente_tournament::report(&store)?;
    if let Some(path) = &a.csv {
        let mut csv = String::from(
            "rank,strategy,n,mean_utility,ci95,agreement_rate,mean_advantage,mean_welfare,mean_nash_distance,mean_pareto_distance,failures\n",
        );
        let opt = |x: Option<f64>| x.map_or(String::new(), |v| v.to_string());
        for (i, x) in r.ranking.iter().enumerate() {
            let name = if x.strategy.contains([',', '"']) {
                format!("\"{}\"", x.strategy.replace('"', "\"\""))
            } else {
                x.strategy.clone()
            };
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{},{},{},{}\n",
                i + 1,
                name,
                x.n,
                x.mean_utility,
                x.ci95,
                x.agreement_rate,
                x.mean_advantage,
                x.mean_welfare,
                opt(x.mean_nash_distance),
                opt(x.mean_pareto_distance),
                x.failures
            ));
        }
        detente_formats::write_output(path, csv.as_bytes())
            .with_context(|| format!("cannot write {}", detente_formats::output_name(path)))?;
        // The CSV is then the whole of standard output.
        if piped {
            return Ok(ExitCode::SUCCESS);
        }
    }
    if a.json {
        print_json(&r);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} of {} matches stored; {} agreements, {} failures.",
        r.matches, r.total_matches, r.agreements, r.failures
    );
    println!();
    let mut t = table(vec![
        "#",
        "strategy",
        "utility",
        "95% CI",
        "agreed",
        "welfare",
        "to Nash",
        "to Pareto",
        "failures",
    ]);
    let opt = |x: Option<f64>| x.map_or("-".into(), |v| format!("{v:.3}"));
    for (i, x) in r.ranking.iter().enumerate() {
        t.add_row(vec![
            num((i + 1).to_string()),
            Cell::new(&x.strategy),
            num(format!("{:.3}", x.mean_utility)),
            num(format!("{:.3}", x.ci95)),
            num(format!("{:.0}%", 100.0 * x.agreement_rate)),
            num(format!("{:.3}", x.mean_welfare)),
            num(opt(x.mean_nash_distance)),
            num(opt(x.mean_pareto_distance)),
            num(x.failures.to_string()),
        ]);
    }
    println!("{t}");
    println!();
    println!("utility: the strategy's mean utility over its matches, ± the 95% CI;");
    println!(
        "agreed: the share of its matches that end in agreement; welfare, to Nash, to Pareto:"
    );
    println!(
        "the mean welfare of their outcomes and its distances to the Nash point and the frontier."
    );
    Ok(ExitCode::SUCCESS)
}

fn merge(a: MergeArgs) -> Result<ExitCode> {
    for s in &a.shards {
        if !s.exists() {
            bail!("{}: no such database", s.display());
        }
    }
    let mut out = Store::open(&a.out)?;
    out.lock_for_writing()?;
    for s in &a.shards {
        let added = out.merge_from(s)?;
        eprintln!("{}: {added} matches added", s.display());
    }
    let total = out.tournament()?.map(|t| t.2).unwrap_or(0);
    let have = out.count_matches()?;
    eprintln!("{}: {have} of {total} matches", a.out.display());
    if have < total {
        eprintln!(
            "warning: {} matches are missing; run the missing shards, then merge again",
            total - have
        );
    }
    Ok(ExitCode::SUCCESS)
}
