//! `detente negotiate`: simulate a negotiation session with automated
//! strategies and report (or trace) what happened.

use crate::args::ScenarioArgs;
use crate::render::{num, print_json, table, u};
use anyhow::{Context as _, Result, anyhow, bail};
use detente_analysis::{Analysis, Options, analyze};
use detente_core::{PartyId, Scenario};
use detente_formats::csv_field;
use detente_negotiation::{
    Action, Actor, Deadline, EndReason, FailureKind, ProtocolKind, SessionConfig, SessionResult,
    StrategySpec, TraceEvent, assign_strategies, parse_strategy_list, run_session,
};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Protocol (default: mediated when the scenario has a mediator, else
    /// alternating for two parties and stacked for more).
    #[arg(long, value_parser = crate::args::protocol_parser())]
    pub protocol: Option<ProtocolKind>,
    /// Strategies, one per party in scenario order (or one per bargaining
    /// party), comma-separated: `boulware,conceder` or
    /// `boulware:e=0.1,k=0.05,conceder`. See `detente strategies`.
    #[arg(long, value_name = "LIST")]
    pub strategies: Option<String>,
    /// Give one party a strategy, as PARTY=STRATEGY (repeatable; overrides
    /// --strategies and the defaults).
    #[arg(long = "assign", value_name = "PARTY=STRATEGY")]
    pub assign: Vec<String>,
    /// Deadline in rounds.
    #[arg(long, value_name = "N", default_value_t = detente_negotiation::DEFAULT_ROUNDS)]
    pub rounds: u32,
    /// Deadline in virtual seconds instead of rounds (each action takes 10 ms).
    #[arg(long, value_name = "S", conflicts_with = "rounds")]
    pub seconds: Option<f64>,
    /// Seed of every random choice.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Per-step budget of a strategy in milliseconds (0: none).
    #[arg(long, value_name = "MS", default_value_t = detente_negotiation::DEFAULT_STEP_BUDGET_MS)]
    pub step_budget_ms: u64,
    /// Memory the session may expect to keep, in MiB (what the strategies
    /// remember of the offers, and the trace); longer sessions are refused
    /// before they start.
    #[arg(long, value_name = "MIB", default_value_t = detente_negotiation::DEFAULT_MEMORY_BUDGET >> 20)]
    pub memory_budget: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write every action to FILE (.jsonl or .csv); `-` prints them as JSON
    /// lines instead of the summary.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
}

/// One strategy per party: the defaults, replaced by `--strategies` (one
/// per party, or one per bargaining party, in order) and `--assign`. Shared
/// with `detente report --negotiate`.
pub fn strategies_for(
    scenario: &Scenario,
    list: Option<&str>,
    assign: &[String],
) -> Result<Vec<StrategySpec>> {
    let given: Vec<Option<StrategySpec>> = match list {
        Some(list) => parse_strategy_list(list)?.into_iter().map(Some).collect(),
        None => Vec::new(),
    };
    let assign = assign
        .iter()
        .map(|a| {
            let (party, strategy) = a
                .split_once('=')
                .ok_or_else(|| anyhow!("--assign `{a}` is not of the form PARTY=STRATEGY"))?;
            Ok((party.trim().to_string(), strategy.parse::<StrategySpec>()?))
        })
        .collect::<Result<Vec<_>>>()?;
    assign_strategies(scenario, &given, &assign).with_context(|| {
        format!(
            "assigning strategies to the parties of `{}`",
            scenario.name()
        )
    })
}

pub fn run(args: Args) -> Result<ExitCode> {
    let loaded = args.scenario.load()?;
    let scenario = &loaded.scenario;
    let protocol = args
        .protocol
        .unwrap_or_else(|| ProtocolKind::default_for(scenario));
    let deadline = match args.seconds {
        Some(s) => Deadline::Time { seconds: s },
        None => Deadline::Rounds(args.rounds),
    };
    let specs = strategies_for(scenario, args.strategies.as_deref(), &args.assign)?;
    let mediated = matches!(protocol, ProtocolKind::Mediated(_));
    let config = SessionConfig {
        protocol,
        deadline,
        seed: args.seed,
        record_trace: args.trace.is_some() || (mediated && !args.json),
        step_budget: Duration::from_millis(args.step_budget_ms),
        memory_budget: args.memory_budget.saturating_mul(1 << 20),
    };
    // The reference frontier is only for the distances; a space too large
    // to analyse within the reference budgets leaves them out, and says so.
    let spinner = crate::progress::Spinner::start("negotiating");
    let (reference, skipped): (Option<Analysis>, Option<String>) =
        match analyze(scenario, &Options::reference()) {
            Ok(a) => (Some(a), None),
            Err(e) => (None, Some(e.to_string())),
        };
    let result =
        run_session(scenario, reference.as_ref(), &config, &specs).map_err(|e| match e {
            detente_negotiation::NegotiationError::MemoryBudget { .. } => {
                anyhow!("{e} (--memory-budget MIB, now {})", args.memory_budget)
            }
            e => e.into(),
        })?;
    drop(spinner);
    if let Some(path) = &args.trace {
        let piped = detente_formats::is_stdout(path);
        if piped && args.json {
            bail!(
                "--trace - and --json would both print on standard output; write the trace to a file"
            );
        }
        let bytes = match path.extension().and_then(|e| e.to_str()) {
            _ if piped => trace_jsonl(scenario, &result.trace),
            Some("jsonl") => trace_jsonl(scenario, &result.trace),
            Some("csv") => trace_csv(scenario, &result.trace),
            _ => bail!(
                "--trace {}: the file name must end in .jsonl (JSON lines) or .csv",
                path.display()
            ),
        };
        detente_formats::write_output(path, bytes.as_bytes())
            .with_context(|| format!("writing the trace to {}", path.display()))?;
        // The trace is then the whole of standard output.
        if piped {
            return Ok(ExitCode::SUCCESS);
        }
    }
    if args.json {
        let labels: Vec<String> = specs.iter().map(|s| s.to_string()).collect();
        print_json(&detente_results::Negotiation {
            detected: Some(loaded.detected.clone()),
            distances_skipped: skipped.clone(),
            ..detente_results::negotiation(scenario, protocol, &labels, args.seed, &result)
        });
    } else {
        println!("Read: {}", loaded.detected);
        print!("{}", summary(scenario, protocol, &specs, &result));
        if let Some(why) = &skipped {
            println!("Distances to the Pareto frontier and the Nash point left out: {why}.");
        }
        if let Some(path) = &args.trace {
            println!(
                "Trace: {} actions written to {}",
                result.trace.len(),
                path.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn party_name(scenario: &Scenario, p: PartyId) -> &str {
    &scenario.parties()[p.index()].name
}

fn actor_name(scenario: &Scenario, a: Actor) -> String {
    detente_results::actor_name(scenario, a)
}

/// The trace as JSON lines, one action a line in the one JSON form.
fn trace_jsonl(scenario: &Scenario, trace: &[TraceEvent]) -> String {
    let mut out = String::new();
    for e in detente_results::trace(scenario, trace) {
        out.push_str(&serde_json::to_string(&e).unwrap_or_default());
        out.push('\n');
    }
    out
}

fn trace_csv(scenario: &Scenario, trace: &[TraceEvent]) -> String {
    let mut out = String::from("round,time,actor,action");
    for i in scenario.issues() {
        out.push(',');
        out.push_str(&csv_field(&i.name));
    }
    for p in scenario.parties() {
        out.push_str(",u_");
        out.push_str(&csv_field(&p.name));
    }
    out.push('\n');
    for e in trace {
        let _ = write!(
            out,
            "{},{},{},{}",
            e.round,
            e.time,
            csv_field(&actor_name(scenario, e.actor)),
            e.action.as_str()
        );
        match &e.outcome {
            Some(o) => {
                for label in scenario.labels(o) {
                    out.push(',');
                    out.push_str(&csv_field(&label));
                }
            }
            None => out.push_str(&",".repeat(scenario.issues().len())),
        }
        if e.utilities.is_empty() {
            out.push_str(&",".repeat(scenario.parties().len()));
        } else {
            for x in &e.utilities {
                let _ = write!(out, ",{x}");
            }
        }
        out.push('\n');
    }
    out
}

/// Why a party would refuse a text, if it would.
fn objection(scenario: &Scenario, p: PartyId, o: &[u32]) -> Option<String> {
    let prefs = &scenario.parties()[p.index()].preferences;
    if let Some(&k) = scenario.red_lines_crossed(p, o).first() {
        let note = &prefs.red_lines[k].note;
        return Some(if note.is_empty() {
            "it crosses one of its red lines".to_string()
        } else {
            format!("it crosses a red line: {note}")
        });
    }
    let x = scenario.utility_of(p, o);
    (x < prefs.reservation).then(|| {
        format!(
            "it is worth {} to it, below its reservation value {}",
            u(x),
            u(prefs.reservation)
        )
    })
}

fn summary(
    scenario: &Scenario,
    protocol: ProtocolKind,
    specs: &[StrategySpec],
    r: &SessionResult,
) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Negotiation on {}, protocol: {}\n",
        crate::render::title(scenario),
        protocol.as_str()
    );
    if matches!(protocol, ProtocolKind::Mediated(_)) {
        s.push_str(&mediated_account(scenario, r));
    }
    let _ = writeln!(s, "{}\n", how_it_ended(scenario, r));
    if let Some(o) = &r.agreement {
        let mut t = table(vec!["issue", "agreed value"]);
        for (issue, label) in scenario.issues().iter().zip(scenario.labels(o)) {
            t.add_row(vec![issue.name.clone(), label]);
        }
        let _ = writeln!(s, "{t}\n");
    }
    let discounted = r.agreement.is_some()
        && scenario
            .parties()
            .iter()
            .any(|p| p.preferences.discount < 1.0);
    let _ = writeln!(s, "{}\n", party_table(scenario, specs, r, discounted));
    if discounted {
        let _ = writeln!(
            s,
            "Utilities are discounted to the time of agreement (t = {:.3}); walking away then would be worth the reservation value discounted alike.",
            r.time
        );
    }
    s.push_str(&welfare_line(r));
    s
}

/// One sentence on how the session ended.
fn how_it_ended(scenario: &Scenario, r: &SessionResult) -> String {
    match (&r.end_reason, &r.agreement) {
        (EndReason::Agreement, Some(_)) => {
            format!("Agreement after {} round(s) (t = {:.3}).", r.rounds, r.time)
        }
        (EndReason::Walkaway { by }, _) => format!(
            "No agreement: {} walked away after {} round(s).",
            party_name(scenario, *by),
            r.rounds
        ),
        (EndReason::Deadline, _) => format!("No agreement by the deadline ({} rounds).", r.rounds),
        (EndReason::Failure { party, kind }, _) => format!(
            "No agreement: the strategy of {} failed in round {} ({}).",
            party_name(scenario, *party),
            r.rounds,
            match kind {
                FailureKind::Panic { message } => format!("panic: {message}"),
                FailureKind::OverBudget { .. } => "it exceeded its step budget".into(),
                other => other.to_string(),
            }
        ),
        _ => String::new(),
    }
}

/// Each party's role, strategy, utility (also undiscounted when
/// `discounted`) and reservation value.
fn party_table(
    scenario: &Scenario,
    specs: &[StrategySpec],
    r: &SessionResult,
    discounted: bool,
) -> crate::render::TextTable {
    let mut header = vec!["party", "role", "strategy", "utility"];
    if discounted {
        header.push("undiscounted");
    }
    header.push("reservation");
    let mut t = table(header);
    let bargainers = scenario.bargainers();
    for (i, p) in scenario.parties().iter().enumerate() {
        let strategy = if bargainers.contains(&PartyId(i as u32)) {
            specs[i].to_string()
        } else {
            "(mediates)".to_string()
        };
        let mut row = vec![
            comfy_table::Cell::new(&p.name),
            comfy_table::Cell::new(p.role.as_str()),
            comfy_table::Cell::new(strategy),
            num(u(r.utilities[i])),
        ];
        if let (true, Some(o)) = (discounted, &r.agreement) {
            row.push(num(u(scenario.utility_of(PartyId(i as u32), o))));
        }
        row.push(num(u(p.preferences.reservation)));
        t.add_row(row);
    }
    t
}

/// Welfare, the distances when known, and whether walking away was beaten.
fn welfare_line(r: &SessionResult) -> String {
    let mut s = String::new();
    let _ = write!(s, "Welfare {}", u(r.welfare));
    if let Some(d) = r.pareto_distance {
        let _ = write!(s, ", distance to the Pareto frontier {}", u(d));
    }
    if let Some(d) = r.nash_distance {
        let _ = write!(s, ", to the Nash point {}", u(d));
    }
    let _ = writeln!(
        s,
        ".\n{}",
        if r.beats_reservations {
            "Every bargaining party does at least as well as by walking away."
        } else {
            "The result does not beat every party's reservation value."
        }
    );
    s
}

/// How the single text evolved and why each party voted as it did.
fn mediated_account(scenario: &Scenario, r: &SessionResult) -> String {
    let mut account = Account::new(scenario);
    for e in &r.trace {
        match e.action {
            Action::Propose if account.text.is_none() => account.starting_text(e),
            Action::Propose => {
                account.proposed = e.outcome.clone();
                account.votes.clear();
            }
            Action::Vote { yes } => {
                if let Actor::Party(p) = e.actor {
                    account.votes.push((p, yes));
                }
            }
            Action::Keep | Action::Discard => {
                let (Some(old), Some(new)) = (account.text.clone(), account.proposed.clone())
                else {
                    continue;
                };
                if e.action == Action::Discard {
                    account.discarded(&old, &new);
                } else {
                    account.kept(e, &old, &new);
                }
            }
            Action::FinalVote { accept } => {
                if let (Actor::Party(p), Some(o)) = (e.actor, e.outcome.as_ref()) {
                    account.final_vote(p, o, accept);
                }
            }
            _ => {}
        }
    }
    account.out.push('\n');
    account.out
}

/// The account of a mediated session, written as its trace is read.
struct Account<'a> {
    scenario: &'a Scenario,
    out: String,
    /// The single text as it stands.
    text: Option<Vec<u32>>,
    /// The change the mediator put to the vote.
    proposed: Option<Vec<u32>>,
    votes: Vec<(PartyId, bool)>,
    /// Changes kept and dropped since the last tally.
    kept: u32,
    dropped: u32,
    /// Per party: vetoes because the change cost it utility, and because it
    /// would cross one of its red lines.
    objections: Vec<(u32, u32)>,
}

impl<'a> Account<'a> {
    fn new(scenario: &'a Scenario) -> Account<'a> {
        Account {
            scenario,
            out: String::new(),
            text: None,
            proposed: None,
            votes: Vec::new(),
            kept: 0,
            dropped: 0,
            objections: vec![(0, 0); scenario.parties().len()],
        }
    }

    /// The mediator's first text, and what each party makes of it.
    fn starting_text(&mut self, e: &TraceEvent) {
        let scenario = self.scenario;
        let o = e.outcome.clone().unwrap_or_default();
        let s = &mut self.out;
        let _ = writeln!(
            s,
            "{} tables its starting text:",
            actor_name(scenario, e.actor)
        );
        for (issue, label) in scenario.issues().iter().zip(scenario.labels(&o)) {
            let _ = writeln!(s, "  {:<16} {label}", issue.name);
        }
        for p in scenario.bargainers() {
            let _ = writeln!(
                s,
                "  {} values it at {}{}",
                party_name(scenario, p),
                u(scenario.utility_of(p, &o)),
                objection(scenario, p, &o)
                    .map(|x| format!(" — {x}"))
                    .unwrap_or_default()
            );
        }
        s.push('\n');
        self.text = Some(o);
    }

    /// A change voted down: counts each objection by its cause.
    fn discarded(&mut self, old: &[u32], new: &[u32]) {
        self.dropped += 1;
        for &(p, yes) in &self.votes {
            if !yes {
                let red = self.scenario.red_lines_crossed(p, new).len()
                    > self.scenario.red_lines_crossed(p, old).len();
                let slot = &mut self.objections[p.index()];
                if red {
                    slot.1 += 1;
                } else {
                    slot.0 += 1;
                }
            }
        }
    }

    /// A change kept: what changed, and why each party voted as it did.
    fn kept(&mut self, e: &TraceEvent, old: &[u32], new: &[u32]) {
        let scenario = self.scenario;
        self.kept += 1;
        let changes: Vec<String> = scenario
            .issues()
            .iter()
            .enumerate()
            .filter(|(i, _)| old[*i] != new[*i])
            .map(|(i, issue)| {
                format!(
                    "{}: {} -> {}",
                    issue.name,
                    issue.value_label(old[i]),
                    issue.value_label(new[i])
                )
            })
            .collect();
        let _ = writeln!(
            self.out,
            "Round {}: {} changes {}",
            e.round + 1,
            actor_name(scenario, e.actor),
            changes.join(", ")
        );
        for &(p, yes) in &self.votes {
            let _ = writeln!(
                self.out,
                "  {} votes {}: {}",
                party_name(scenario, p),
                if yes { "yes" } else { "no" },
                vote_reason(scenario, p, yes, old, new)
            );
        }
        self.text = Some(new.to_vec());
    }

    /// A party's vote on the final text, after the tally of the changes
    /// since the last one.
    fn final_vote(&mut self, p: PartyId, o: &[u32], accept: bool) {
        let scenario = self.scenario;
        if self.kept + self.dropped > 0 {
            self.tally();
        }
        let why = if accept {
            format!(
                "it is worth {} to it, at least its reservation value {}",
                u(scenario.utility_of(p, o)),
                u(scenario.reservation(p))
            )
        } else {
            objection(scenario, p, o).unwrap_or_else(|| "its strategy refuses it".into())
        };
        let _ = writeln!(
            self.out,
            "{} {} the final text: {why}",
            party_name(scenario, p),
            if accept { "accepts" } else { "refuses" }
        );
    }

    /// Changes kept and rejected, and who voted against them and why.
    fn tally(&mut self) {
        let (kept, dropped) = (self.kept, self.dropped);
        let _ = writeln!(
            self.out,
            "\n{kept} change(s) kept, {dropped} rejected by at least one party."
        );
        for p in self.scenario.bargainers() {
            let (cost, red) = self.objections[p.index()];
            if cost + red > 0 {
                let _ = writeln!(
                    self.out,
                    "  {} voted against {} of them: {cost} would have cost it more than it was ready to give up at the time, {red} would have crossed one of its red lines",
                    party_name(self.scenario, p),
                    cost + red
                );
            }
        }
        self.out.push('\n');
        self.kept = 0;
        self.dropped = 0;
    }
}

/// Why party `p` voted as it did on a change from `old` to `new`.
fn vote_reason(scenario: &Scenario, p: PartyId, yes: bool, old: &[u32], new: &[u32]) -> String {
    let d = scenario.utility_of(p, new) - scenario.utility_of(p, old);
    let (before, after) = (
        scenario.red_lines_crossed(p, old).len(),
        scenario.red_lines_crossed(p, new).len(),
    );
    if after < before {
        "the change removes a red line it objected to".to_string()
    } else if after > before {
        "the change would cross one of its red lines".to_string()
    } else if yes && d >= 0.0 {
        format!("it gains {}", u(d))
    } else if yes {
        format!(
            "it gives up {}, and the text stays above what it aims for now",
            u(-d)
        )
    } else if d < 0.0 {
        format!("it would lose {}", u(-d))
    } else {
        "its strategy objects".to_string()
    }
}
