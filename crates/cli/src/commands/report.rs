//! `detente report`: one self-contained HTML file with the charts.

use super::negotiate::strategies_for;
use crate::args::ScenarioArgs;
use anyhow::{Context, Result, anyhow, bail};
use detente_analysis::{Analysis, Evaluation, Options, RepairOptions, analyze, evaluate};
use detente_core::Scenario;
use detente_negotiation::{Deadline, ProtocolKind, SessionConfig, run_session};
use detente_report::{RankEntry, Report, Session};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// The proposal to evaluate and draw with its repairs (default: the
    /// scenario's first proposal, if it has one).
    #[arg(long, value_name = "NAME")]
    pub proposal: Option<String>,
    /// Add the forecast of the scenario's forecasting model (its `forecast`
    /// section).
    #[arg(long)]
    pub forecast: bool,
    /// Add a simulated negotiation (offers in the utility plane, utility
    /// over rounds); see --protocol, --strategies, --rounds, --seed.
    #[arg(long)]
    pub negotiate: bool,
    /// Protocol of the negotiation (default as in `detente negotiate`).
    #[arg(long, value_parser = crate::args::protocol_parser(), requires = "negotiate")]
    pub protocol: Option<ProtocolKind>,
    /// Strategies, one per party or per bargaining party, comma-separated
    /// (see `detente strategies`).
    #[arg(long, value_name = "LIST", requires = "negotiate")]
    pub strategies: Option<String>,
    /// Deadline of the negotiation in rounds.
    #[arg(long, value_name = "N", default_value_t = detente_negotiation::DEFAULT_ROUNDS)]
    pub rounds: u32,
    /// Seed of the negotiation.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Add the ranking of a tournament results database.
    #[arg(long, value_name = "DB")]
    pub tournament: Option<PathBuf>,
    /// Most outcomes drawn in the utility space; larger spaces are sampled.
    #[arg(long, value_name = "N", default_value_t = detente_report::CLOUD_LIMIT)]
    pub draw_limit: u64,
    /// Largest outcome space to enumerate.
    #[arg(long, value_name = "N", default_value_t = detente_analysis::ENUMERATION_LIMIT)]
    pub enumeration_limit: u64,
    /// The HTML file to write (`-` for standard output).
    #[arg(short, long, value_name = "FILE", default_value = "report.html")]
    pub output: PathBuf,
    /// Sample the uncertain numbers N times (seeded by --seed) and add how
    /// sure the verdicts on the proposal are: acceptance by party and what
    /// would have to be true.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub samples: Option<u64>,
}

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = args.scenario.load()?;
    let scenario = &loaded.scenario;
    let spinner = crate::progress::Spinner::start("writing the report");
    let analysis = analyze(
        scenario,
        &Options {
            enumeration_limit: args.enumeration_limit,
            ..Options::default()
        },
    )?;
    let evaluated = evaluated(scenario, &analysis, args.proposal.as_deref())?;
    let forecast = if args.forecast {
        let model = loaded.forecast.as_ref().ok_or_else(|| {
            anyhow!(
                "scenario `{}` has no forecasting model (a `forecast` section); drop --forecast or add one",
                scenario.name()
            )
        })?;
        Some((model, detente_forecast::run(model)))
    } else {
        None
    };
    let ranking = match &args.tournament {
        Some(path) => Some(ranking(path)?),
        None => None,
    };
    let session = if args.negotiate {
        Some(negotiate(scenario, &analysis, &args)?)
    } else {
        None
    };
    let robust = match (args.samples, &evaluated) {
        (Some(n), Some((_, ev))) => Some(detente_analysis::robust_evaluation(
            scenario,
            &ev.outcome,
            &detente_analysis::RobustOptions {
                samples: detente_analysis::Samples::Fixed(n),
                seed: args.seed,
                ..Default::default()
            },
        )?),
        _ => None,
    };
    let robust_analysis = match args.samples {
        Some(n) => Some(detente_analysis::robust_analysis(
            scenario,
            &analysis,
            &detente_analysis::RobustOptions {
                samples: detente_analysis::Samples::Fixed(n),
                seed: args.seed,
                ..Default::default()
            },
        )?),
        None => None,
    };
    let cloud = detente_report::cloud(scenario, &analysis, args.draw_limit);
    let html = detente_report::render(&Report {
        robust: robust.as_ref(),
        robust_analysis: robust_analysis.as_ref(),
        cloud: Some(&cloud),
        evaluated: evaluated.as_ref().map(|(l, e)| (l.as_str(), e)),
        forecast: forecast.as_ref().map(|(m, f)| (*m, f)),
        ranking: ranking.as_deref(),
        negotiation: session.as_ref(),
        source: Some(&loaded.detected),
        ..Report::new(scenario, &analysis)
    });
    drop(spinner);
    let out = detente_formats::output_name(&args.output);
    detente_formats::write_output(&args.output, html.as_bytes())
        .with_context(|| format!("writing {out}"))?;
    eprintln!("wrote {out} ({} bytes)", html.len());
    Ok(ExitCode::SUCCESS)
}

/// The proposal named (else the first, if the scenario has one), resolved
/// and labelled by the core's rules, with its evaluation.
fn evaluated(
    scenario: &Scenario,
    analysis: &Analysis,
    name: Option<&str>,
) -> Result<Option<(String, Evaluation)>> {
    if name.is_none() && scenario.proposals().is_empty() {
        return Ok(None);
    }
    let outcome = scenario.resolve_proposal(name, &[])?;
    let (label, _) = scenario.proposal_label(name, &[]);
    let evaluation = evaluate(scenario, analysis, &outcome, &RepairOptions::default());
    Ok(Some((label, evaluation)))
}

/// Runs the negotiation the report draws, with `detente negotiate`'s
/// defaults.
fn negotiate(scenario: &Scenario, analysis: &Analysis, args: &Args) -> Result<Session> {
    let protocol = args
        .protocol
        .unwrap_or_else(|| ProtocolKind::default_for(scenario));
    let specs = strategies_for(scenario, args.strategies.as_deref(), &[])?;
    let mut config = SessionConfig::new(protocol, Deadline::Rounds(args.rounds), args.seed);
    config.record_trace = true;
    let result = run_session(scenario, Some(analysis), &config, &specs)?;
    let labels: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
    Ok(detente_report::negotiation::from_result(
        scenario, &result, &labels,
    ))
}

/// The ranking of a results database, read without creating one.
fn ranking(path: &std::path::Path) -> Result<Vec<RankEntry>> {
    if !path.is_file() {
        bail!("{}: no such tournament database", path.display());
    }
    let store = detente_tournament::Store::open_read_only(path)?;
    let report = detente_tournament::report(&store)?;
    Ok(report
        .ranking
        .into_iter()
        .map(|r| RankEntry {
            strategy: r.strategy,
            n: r.n,
            mean_utility: r.mean_utility,
            ci95: r.ci95,
            agreement_rate: r.agreement_rate,
        })
        .collect())
}
