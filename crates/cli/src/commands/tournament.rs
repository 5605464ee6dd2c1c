//! `detente tournament run | report | merge`.

use crate::render::{num, print_json, table};
use anyhow::{Context, Result, bail};
use comfy_table::Cell;
use detente_tournament::{NegotiationRunner, Shard, Store};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
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
    let summary = detente_tournament::run(
        &config,
        &base,
        &a.db,
        shard,
        &NegotiationRunner::default(),
        |p| {
            bar.set_length(p.total);
            bar.set_position(p.done);
        },
    )?;
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
            let name = detente_formats::csv_field(&x.strategy);
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
