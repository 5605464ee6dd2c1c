//! `detente forecast`: KTAB's spatial model of politics on a KTAB CSV/XML
//! scenario or a native scenario's forecasting model, and
//! `detente forecast sweep` for sensitivity analysis.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use detente_forecast::sweep::{self, Perturbation, SweepError};
use detente_forecast::{Forecast, Model, Move, StopReason};
use detente_formats::ktab;

/// Forecast a multi-actor negotiation with KTAB's spatial model of politics.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ForecastArgs {
    #[command(subcommand)]
    pub command: Option<ForecastCommand>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(clap::Subcommand, Debug)]
pub enum ForecastCommand {
    /// Vary actors' capability, position or salience, or model parameters,
    /// run every combination in parallel and report how the forecast moves;
    /// or perturb the scenario at random (Monte Carlo, seeded).
    Sweep(SweepArgs),
}

/// Options shared by a single forecast and a sweep.
#[derive(clap::Args, Debug, Clone)]
pub struct ModelArgs {
    /// A KTAB scenario (FILE.csv or FILE.xml), or a native scenario file or
    /// built-in scenario name with a `forecast` section. Default: peace-talks.
    #[arg(value_name = "SCENARIO|FILE")]
    pub file: Option<PathBuf>,
    /// Set a model parameter, e.g. `--param VotingRule=Cubic`,
    /// `--param BargnModel=2`, `--param ktab_compat=false` (repeatable).
    /// Names: VictoryProbModel, PCEModel, StateTransitions, VotingRule,
    /// BigRAdjust, BigRRange, ThirdPartyCommit, InterVecBrgn, BargnModel.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Seed for stochastic transitions (overrides the file's prngSeed).
    #[arg(long)]
    pub seed: Option<u64>,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// Print one JSON object instead of the summary.
    #[arg(long)]
    pub json: bool,
    /// Also write positions per turn as CSV (the layout of KTAB's
    /// positions_wide.csv); `-` for standard output.
    #[arg(long, value_name = "OUT")]
    pub csv: Option<PathBuf>,
    /// Also write the win probabilities per turn as CSV (the layout of
    /// KTAB's win_prob_by_turn.csv); `-` for standard output.
    #[arg(long = "win-csv", value_name = "OUT")]
    pub win_csv: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct SweepArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    /// A variation (repeatable; all combinations are run):
    /// `ACTOR.capability=+-10%`, `ACTOR.position[DIM]=+-5`,
    /// `ACTOR.salience[DIM]=20,40,60`, `ACTOR.capability=50:25:150`,
    /// `VotingRule=Prop,Cubic`. Positions and saliences on 0-100.
    #[arg(long = "vary", value_name = "SPEC")]
    pub vary: Vec<String>,
    /// Monte Carlo: this many random perturbations of the scenario.
    #[arg(long = "monte-carlo", value_name = "N")]
    pub monte_carlo: Option<usize>,
    /// Monte Carlo: capability scaled by up to ± this percentage.
    #[arg(long, value_name = "PCT", default_value_t = 10.0)]
    pub capability_pct: f64,
    /// Monte Carlo: positions moved by up to ± this many points (0-100).
    #[arg(long, value_name = "POINTS", default_value_t = 5.0)]
    pub position_points: f64,
    /// Monte Carlo: saliences moved by up to ± this many points (0-100).
    #[arg(long, value_name = "POINTS", default_value_t = 0.0)]
    pub salience_points: f64,
    /// The most cases (combinations × Monte Carlo draws) to run; each keeps
    /// its model and forecast in memory until the end.
    #[arg(long, value_name = "N", default_value_t = sweep::DEFAULT_MAX_CASES)]
    pub max_cases: usize,
    /// Monte Carlo master seed.
    #[arg(long = "mc-seed", value_name = "SEED", default_value_t = 1)]
    pub mc_seed: u64,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// Runs `detente forecast ...`.
pub fn run(args: ForecastArgs) -> Result<()> {
    match args.command {
        Some(ForecastCommand::Sweep(s)) => run_sweep(s),
        None => run_one(args.run),
    }
}

fn load(args: &ModelArgs) -> Result<Model> {
    let name = args
        .file
        .as_deref()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_else(|| detente_formats::builtin::DEFAULT.to_string());
    let path = Path::new(&name);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let mut model = if matches!(ext.as_deref(), Some("csv") | Some("xml")) {
        ktab::read_ktab_file(path)?
    } else {
        let loaded = detente_formats::load(&name, &detente_formats::LoadOptions::default())?;
        loaded.forecast.with_context(|| {
            format!(
                "{name} ({}) has no forecasting model: add a [forecast] section (dimensions, and each actor's capability, position and salience) or give a KTAB .csv/.xml file",
                loaded.detected
            )
        })?
    };
    let mut p = *model.params();
    for kv in &args.params {
        let (k, v) = kv
            .split_once('=')
            .with_context(|| format!("--param `{kv}`: expected NAME=VALUE"))?;
        p.set(k, v).with_context(|| format!("--param `{kv}`"))?;
    }
    model = model.with_params(p);
    if let Some(s) = args.seed {
        model = model.with_seed(s);
    }
    Ok(model)
}

fn run_one(args: RunArgs) -> Result<()> {
    // An output named `-` is the only thing printed on standard output;
    // the summary then goes to standard error.
    let piped = [&args.csv, &args.win_csv]
        .into_iter()
        .filter(|o| o.as_deref().is_some_and(detente_formats::is_stdout))
        .count();
    if piped > 1 {
        bail!("--csv - and --win-csv -: only one output can go to standard output");
    }
    if piped == 1 && args.json {
        bail!(
            "--json and an output named `-` would both print on standard output; write the CSV to a file"
        );
    }
    let model = load(&args.model)?;
    let forecast = detente_forecast::run(&model);
    finite(&forecast, "the forecast")?;
    if let Some(out) = &args.csv {
        write(out, ktab::positions_wide_csv(&model, &forecast).as_bytes())?;
    }
    if let Some(out) = &args.win_csv {
        write(out, ktab::win_prob_csv(&model, &forecast).as_bytes())?;
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&detente_results::forecast(&model, &forecast))?
        );
    } else {
        let text = summary(&model, &forecast);
        if piped > 0 {
            eprint!("{text}");
        } else {
            print!("{text}");
            if let Some(out) = &args.csv {
                println!("positions written to {}", out.display());
            }
            if let Some(out) = &args.win_csv {
                println!("win probabilities written to {}", out.display());
            }
        }
    }
    Ok(())
}

/// Refuses a forecast that is not a number rather than printing `inf` or
/// NaN as if it were a result.
fn finite(f: &Forecast, what: &str) -> Result<()> {
    if !f.is_finite() {
        bail!(
            "{what} is not a finite number (an input is too large or too small for the model's arithmetic); check the capabilities, positions and saliences"
        );
    }
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    detente_formats::write_output(path, bytes)
        .with_context(|| format!("writing {}", detente_formats::output_name(path)))
}

/// The readable report: parameters, initial and final positions, win
/// probabilities, and why each actor moved on the last turn it moved.
fn summary(model: &Model, f: &Forecast) -> String {
    let mut s = summary_header(model, f);
    s.push_str(&positions(model, f));
    let o = sweep::outcome(model, f);
    let fmt = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.2}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(s, "Most probable final position: {}", fmt(&o.favourite));
    let _ = writeln!(
        s,
        "Power-weighted mean final position: {}\n",
        fmt(&o.weighted_mean)
    );
    s.push_str(&why_moved(model, f));
    s
}

/// The model's name and size, its parameters, and how the run stopped.
fn summary_header(model: &Model, f: &Forecast) -> String {
    let mut s = String::new();
    let p = model.params();
    let name = if model.name().is_empty() {
        "(unnamed)"
    } else {
        model.name()
    };
    let _ = writeln!(
        s,
        "Forecast for {name}: {} actors, {} dimension(s)",
        model.actors().len(),
        model.dimensions().len()
    );
    let _ = writeln!(
        s,
        "Parameters: {} {} {} {} {} {} {} {} {}{}",
        p.victory_prob,
        p.pce,
        p.transitions,
        p.voting_rule,
        p.big_r_adjust,
        p.big_r_range,
        p.third_party_commit,
        p.inter_vec_brgn,
        p.bargain_model,
        if p.ktab_compat {
            ""
        } else {
            " (corrected formulas, not KTAB-compatible)"
        }
    );
    let stop = match f.stop {
        StopReason::Converged { ratio } => {
            format!("converged (last move {:.2}% of the first)", 100.0 * ratio)
        }
        StopReason::MaxTurns => "stopped at the turn limit".to_string(),
        StopReason::Cancelled => "cancelled".to_string(),
    };
    let _ = writeln!(s, "Turns: {} ({stop})\n", f.num_turns());
    s
}

/// Per dimension, each actor's start and final position and win
/// probability, by final position.
fn positions(model: &Model, f: &Forecast) -> String {
    let mut s = String::new();
    let width = model
        .actors()
        .iter()
        .map(|a| a.name.chars().count())
        .max()
        .unwrap_or(5)
        .max(5);
    for (d, dim) in model.dimensions().iter().enumerate() {
        let _ = writeln!(s, "{dim}:");
        let _ = writeln!(
            s,
            "  {:<width$}  {:>7}  {:>7}  {:>8}",
            "actor", "start", "final", "win prob"
        );
        let mut order: Vec<usize> = (0..model.actors().len()).collect();
        order.sort_by(|&a, &b| {
            f.position(f.num_turns(), a, d)
                .total_cmp(&f.position(f.num_turns(), b, d))
                .then(a.cmp(&b))
        });
        for i in order {
            let _ = writeln!(
                s,
                "  {:<width$}  {:>7.2}  {:>7.2}  {:>8.4}",
                model.actors()[i].name,
                100.0 * f.position(0, i, d),
                100.0 * f.position(f.num_turns(), i, d),
                f.last().win_prob[i]
            );
        }
        s.push('\n');
    }
    s
}

/// Each actor's last move: whose challenge, and which turn.
fn why_moved(model: &Model, f: &Forecast) -> String {
    let mut s = String::new();
    let names: Vec<&str> = model.actors().iter().map(|a| a.name.as_str()).collect();
    let _ = writeln!(s, "Why actors moved (their last move):");
    for (i, n) in names.iter().enumerate() {
        let _ = match last_move(f, i) {
            Some((t, ini, rcv)) if ini == i => {
                writeln!(
                    s,
                    "  {n}: turn {t}, its own challenge of {} (bargain)",
                    names[rcv]
                )
            }
            Some((t, ini, _)) => writeln!(
                s,
                "  {n}: turn {t}, accepted a bargain from {}'s challenge",
                names[ini]
            ),
            None => writeln!(s, "  {n}: never moved"),
        };
    }
    s
}

/// The last turn actor `i` moved in a bargain, with the bargain's
/// initiator and receiver.
fn last_move(f: &Forecast, i: usize) -> Option<(usize, usize, usize)> {
    (1..f.turns.len())
        .rev()
        .find_map(|t| match f.turns[t].moves[i] {
            Move::Bargain {
                initiator,
                receiver,
                ..
            } => {
                let moved: f64 = (0..f.dims)
                    .map(|d| (f.position(t, i, d) - f.position(t - 1, i, d)).abs())
                    .sum();
                (moved > 0.0).then_some((t, initiator, receiver))
            }
            _ => None,
        })
}

fn run_sweep(args: SweepArgs) -> Result<()> {
    let model = load(&args.model)?;
    let cases = sweep_cases(&args, &model)?;
    let base = detente_forecast::run(&model);
    finite(&base, "the base forecast")?;
    let base_out = sweep::outcome(&model, &base);
    let spinner = crate::progress::Spinner::start(&format!("forecasting {} cases", cases.len()));
    let forecasts = sweep::run_all(&cases);
    drop(spinner);
    for (c, f) in cases.iter().zip(&forecasts) {
        finite(f, &format!("case {}", c.label.join(", ")))?;
    }
    let outs: Vec<_> = cases
        .iter()
        .zip(&forecasts)
        .map(|(c, f)| sweep::outcome(&c.model, f))
        .collect();
    if args.json {
        let out = detente_results::Sweep {
            scenario: model.name().to_string(),
            dimensions: model.dimensions().to_vec(),
            actors: model.actors().iter().map(|a| a.name.clone()).collect(),
            varied: args.vary.clone(),
            monte_carlo: args.monte_carlo.map(|n| detente_results::MonteCarlo {
                draws: n,
                seed: args.mc_seed,
                capability_pct: args.capability_pct,
                position_points: args.position_points,
                salience_points: args.salience_points,
            }),
            base: detente_results::Sweep::base(&base, &base_out),
            cases: cases
                .iter()
                .zip(&forecasts)
                .zip(&outs)
                .map(|((c, f), o)| detente_results::Sweep::case(&c.label, f, o))
                .collect(),
        };
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let sweep = SweepRun {
        model: &model,
        base: &base,
        base_out: &base_out,
        cases: &cases,
        forecasts: &forecasts,
        outs: &outs,
    };
    print_sweep(&args, &sweep);
    Ok(())
}

/// The cases of a sweep: every combination of the variations, each
/// perturbed at random `--monte-carlo` times when asked.
fn sweep_cases(args: &SweepArgs, model: &Model) -> Result<Vec<sweep::Case>> {
    let variations = args
        .vary
        .iter()
        .map(|v| sweep::parse_variation(model, v))
        .collect::<Result<Vec<_>, _>>()?;
    let cases = sweep::cases_limited(model, &variations, args.max_cases).map_err(|e| match e {
        SweepError::TooManyCases { .. } => anyhow::anyhow!("{e}; raise it with --max-cases N"),
        e => e.into(),
    })?;
    match args.monte_carlo {
        Some(n) => monte_carlo_cases(args, &cases, n),
        None if variations.is_empty() => {
            bail!("nothing to sweep: give --vary SPEC (repeatable) and/or --monte-carlo N")
        }
        None => Ok(cases),
    }
}

/// `n` random perturbations of each case, labelled by the case and draw.
fn monte_carlo_cases(
    args: &SweepArgs,
    cases: &[sweep::Case],
    n: usize,
) -> Result<Vec<sweep::Case>> {
    let spec = Perturbation {
        capability_pct: args.capability_pct,
        position_points: args.position_points,
        salience_points: args.salience_points,
    };
    spec.validate().map_err(|e| match e {
        // Said in the words of the option that was given.
        SweepError::OutOfRange { name, value, range } => {
            anyhow::anyhow!("--{} {value} is outside {range}", name.replace('_', "-"))
        }
        e => e.into(),
    })?;
    let total = (cases.len() as u128) * (n as u128);
    if total > args.max_cases as u128 {
        bail!(
            "--monte-carlo {n} would run {total} cases, more than the limit of {} (each keeps its model and forecast in memory); use fewer draws, or raise it with --max-cases N",
            args.max_cases
        );
    }
    let mut mc = Vec::new();
    for c in cases {
        for mut d in sweep::monte_carlo(&c.model, spec, n, args.mc_seed)? {
            let mut label = c.label.clone();
            label.append(&mut d.label);
            d.label = label;
            mc.push(d);
        }
    }
    Ok(mc)
}

/// A sweep that has run: the base forecast and each case's.
struct SweepRun<'a> {
    model: &'a Model,
    base: &'a Forecast,
    base_out: &'a sweep::Outcome,
    cases: &'a [sweep::Case],
    forecasts: &'a [Forecast],
    outs: &'a [sweep::Outcome],
}

/// The sweep as text: the base, a line per case, and the spread of the
/// weighted mean over the cases.
fn print_sweep(args: &SweepArgs, run: &SweepRun<'_>) {
    let (model, base_out) = (run.model, run.base_out);
    let fmt = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:7.2}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let fmt_delta = |v: &[f64], b: &[f64]| {
        v.iter()
            .zip(b)
            .map(|(x, y)| format!("{:+7.2}", x - y))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "Sweep of {} over {} case(s); dimensions: {}",
        if model.name().is_empty() {
            "scenario"
        } else {
            model.name()
        },
        run.cases.len(),
        model.dimensions().join(", ")
    );
    println!(
        "Base: {} turns, most probable final position {}, power-weighted mean {}\n",
        run.base.num_turns(),
        fmt(&base_out.favourite),
        fmt(&base_out.weighted_mean)
    );
    let mut header: Vec<String> = args
        .vary
        .iter()
        .map(|v| v.split('=').next().unwrap_or(v).to_string())
        .collect();
    if args.monte_carlo.is_some() {
        header.push("draw".into());
    }
    println!(
        "{} | turns | favourite (Δ vs base) | weighted mean (Δ vs base)",
        header.join(" | ")
    );
    for ((c, f), o) in run.cases.iter().zip(run.forecasts).zip(run.outs) {
        println!(
            "{} | {:5} | {} ({}) | {} ({})",
            c.label.join(" | "),
            f.num_turns(),
            fmt(&o.favourite),
            fmt_delta(&o.favourite, &base_out.favourite),
            fmt(&o.weighted_mean),
            fmt_delta(&o.weighted_mean, &base_out.weighted_mean)
        );
    }
    if run.outs.len() > 1 {
        println!();
        print_spread(model.dimensions(), run.outs);
    }
}

/// Per dimension, the mean, standard deviation and range of the weighted
/// mean position over the cases.
fn print_spread(dims: &[String], outs: &[sweep::Outcome]) {
    for (d, dim) in dims.iter().enumerate() {
        let vals: Vec<f64> = outs.iter().map(|o| o.weighted_mean[d]).collect();
        let mean = vals.iter().sum::<f64>() / vals.len() as f64;
        let sd =
            (vals.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / vals.len() as f64).sqrt();
        let (lo, hi) = vals
            .iter()
            .fold((f64::MAX, f64::MIN), |(l, h), &x| (l.min(x), h.max(x)));
        println!(
            "{dim}: weighted mean over cases {mean:.2} (sd {sd:.2}, range {lo:.2} to {hi:.2})"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(subcommand)]
        cmd: Top,
    }
    #[derive(clap::Subcommand)]
    enum Top {
        Forecast(ForecastArgs),
    }

    fn parse(args: &[&str]) -> ForecastArgs {
        let mut v = vec!["detente", "forecast"];
        v.extend_from_slice(args);
        match Cli::try_parse_from(v).unwrap().cmd {
            Top::Forecast(a) => a,
        }
    }

    #[test]
    fn parses_run_and_sweep() {
        let a = parse(&["x.csv", "--param", "VotingRule=Cubic", "--json"]);
        assert!(a.command.is_none() && a.run.json);
        assert_eq!(a.run.model.params, ["VotingRule=Cubic"]);
        let a = parse(&[
            "sweep",
            "x.csv",
            "--vary",
            "A.capability=+-10%",
            "--monte-carlo",
            "5",
        ]);
        match a.command {
            Some(ForecastCommand::Sweep(s)) => {
                assert_eq!(s.model.file.as_deref(), Some(Path::new("x.csv")));
                assert_eq!(s.monte_carlo, Some(5));
            }
            None => panic!("expected sweep"),
        }
    }

    /// A KTAB sample of the repository's test data, with KTAB's outputs.
    fn sample(rel: &str) -> PathBuf {
        Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/ktab"
        ))
        .join(rel)
    }

    #[test]
    fn writes_ktab_positions_csv() {
        let input = sample("dummyData_3Dim/dummyData_3Dim.csv");
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("pos.csv");
        let win = dir.path().join("win.csv");
        let args = parse(&[
            input.to_str().unwrap(),
            "--csv",
            out.to_str().unwrap(),
            "--win-csv",
            win.to_str().unwrap(),
            "--json",
        ]);
        run(args).unwrap();
        let ours = std::fs::read_to_string(&win).unwrap();
        let theirs =
            std::fs::read_to_string(input.parent().unwrap().join("win_prob_by_turn.csv")).unwrap();
        assert_eq!(ours, theirs);
        let ours = std::fs::read_to_string(&out).unwrap();
        let theirs =
            std::fs::read_to_string(input.parent().unwrap().join("positions_wide.csv")).unwrap();
        assert_eq!(ours.lines().count(), theirs.lines().count());
        assert_eq!(ours.lines().next(), theirs.lines().next());
    }

    #[test]
    fn forecasts_the_default_scenario() {
        run(parse(&["--json"])).unwrap();
        run(parse(&["sweep", "--monte-carlo", "3"])).unwrap();
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        assert!(run(parse(&["missing.csv"])).is_err());
        assert!(run(parse(&["scenario.toml"])).is_err());
        // A built-in scenario without a forecasting model says so.
        let e = run(parse(&["car-sale"])).unwrap_err();
        assert!(format!("{e:#}").contains("no forecasting model"), "{e:#}");
        let input = sample("dummyData_3Dim/dummyData_3Dim.csv");
        let e = run(parse(&[
            input.to_str().unwrap(),
            "--param",
            "VotingRule=Nope",
        ]))
        .unwrap_err();
        assert!(format!("{e:#}").contains("expected one of"), "{e:#}");
        let s = parse(&["sweep", input.to_str().unwrap()]);
        assert!(run(s).is_err());
    }
}
