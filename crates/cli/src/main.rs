//! `detente`: model, analyse, simulate and forecast negotiations.
//!
//! Thin glue: each subcommand lives in `commands/`, and every piece of work
//! is done by a library crate.

mod args;
mod commands;
mod interrupt;
mod progress;
mod render;
mod robust;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "detente",
    version,
    about = "Model, analyse, simulate and forecast multi-party negotiations",
    long_about = "Model, analyse, simulate and forecast multi-party negotiations.\n\nEvery command that takes a scenario uses the built-in `peace-talks` scenario when none is given. `detente scenarios` lists the built-in scenarios."
)]
struct Cli {
    /// Worker threads (default: all cores; at most 1024).
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// Draw no progress indicators on standard error.
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse a scenario: agreement zone, Pareto frontier, bargaining solutions, proposals.
    Analyze(commands::analyze::Args),
    /// Evaluate a proposal: verdicts, red lines crossed, efficiency, repairs.
    Evaluate(commands::evaluate::Args),
    /// Check a scenario file and report every problem with its position.
    Validate(commands::validate::Args),
    /// Print the JSON Schema of the native scenario format (or, with
    /// --results, of every result printed with --json).
    Schema(commands::schema::Args),
    /// List the built-in scenarios.
    Scenarios(commands::show::ListArgs),
    /// Print a built-in scenario (or any scenario) as native TOML.
    Show(commands::show::Args),
    /// Convert a scenario to native, GENIUS or GeniusWeb files.
    Convert(commands::convert::Args),
    /// Forecast with the spatial model of politics (KTAB's SMP).
    Forecast(commands::forecast::ForecastArgs),
    /// Simulate a negotiation: alternating, stacked or mediated, with automated strategies.
    Negotiate(commands::negotiate::Args),
    /// List the negotiation strategies and their parameters.
    Strategies(commands::strategies::Args),
    /// Run tournaments of negotiations into a SQLite database; report; merge shards.
    Tournament(commands::tournament::Args),
    /// Write a self-contained HTML report with charts.
    Report(commands::report::Args),
    /// Serve the workbench: a local web page to build and test deals.
    Serve(commands::serve::Args),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(commands::completions::Args),
    /// Print the manual page (roff), made from the same definitions as --help.
    Man(commands::completions::ManArgs),
}

/// The command-line interface as clap sees it, for completions and the
/// manual page.
pub(crate) fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// Output piped into a command that stops reading (`detente ... | head`)
/// makes `println!` panic; that is not an error of ours, so leave quietly
/// as other Unix tools do. A strategy that panics inside a negotiation is
/// caught and recorded as that session's failure, so it is not reported
/// here either. Every other panic keeps the default report.
fn quiet_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if message.contains("Broken pipe") || message.contains("broken pipe") {
            std::process::exit(0);
        }
        if detente_negotiation::strategy_call_in_progress() {
            return;
        }
        default(info);
    }));
}

/// The most worker threads `--threads` may ask for. Work is split into
/// parallel loops over matches, draws and outcome blocks; past a few times
/// the number of cores more threads only cost memory (a stack each) and
/// start-up time, and `--threads 100000` spent minutes starting threads.
const MAX_THREADS: usize = 1024;

fn main() -> ExitCode {
    quiet_panics();
    let cli = Cli::parse();
    progress::set_quiet(cli.quiet);
    if let Some(n) = cli.threads {
        if n == 0 {
            eprintln!("error: --threads must be at least 1");
            return ExitCode::from(2);
        }
        if n > MAX_THREADS {
            eprintln!("error: --threads {n} is more than the maximum of {MAX_THREADS}");
            return ExitCode::from(2);
        }
        // Nothing has built the pool yet, so this fails only when the
        // system refuses the threads; rayon would otherwise panic later,
        // blaming a pool "already initialized".
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
        {
            eprintln!("error: cannot start {n} worker threads ({e}); use fewer --threads");
            return ExitCode::FAILURE;
        }
    }
    // The workbench server handles Ctrl-C itself, to shut down cleanly.
    if !matches!(cli.command, Command::Serve(_)) {
        interrupt::remove_temporary_files_on_signal();
    }
    let result = match cli.command {
        Command::Analyze(a) => commands::analyze::run(a),
        Command::Evaluate(a) => commands::evaluate::run(a),
        Command::Validate(a) => commands::validate::run(a),
        Command::Schema(a) => commands::schema::run(a),
        Command::Scenarios(a) => commands::show::list(a),
        Command::Show(a) => commands::show::run(a),
        Command::Convert(a) => commands::convert::run(a),
        Command::Forecast(a) => commands::forecast::run(a).map(|()| ExitCode::SUCCESS),
        Command::Negotiate(a) => commands::negotiate::run(a),
        Command::Strategies(a) => commands::strategies::run(a),
        Command::Tournament(a) => commands::tournament::run(a),
        Command::Report(a) => commands::report::run(a),
        Command::Serve(a) => commands::serve::run(a),
        Command::Completions(a) => commands::completions::run(a),
        Command::Man(a) => commands::completions::man(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
