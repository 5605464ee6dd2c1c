//! `--samples`: the robust analysis options `analyze` and `evaluate` share,
//! and their sentences.

use anyhow::{Result, anyhow};
use detente_analysis::{
    AnalysisError, DEFAULT_REPAIR_THRESHOLD, Probability, ROBUST_WORK_LIMIT, RobustAnalysis,
    RobustEvaluation, RobustOptions, Samples, Subject,
};
use detente_core::Scenario;

#[derive(clap::Args, Clone, Debug)]
pub struct RobustArgs {
    /// Sample the scenario's uncertain numbers N times (or `auto`: until the
    /// standard error of every reported probability is under 0.005) and add
    /// how sure each verdict is.
    #[arg(long, value_name = "N|auto", value_parser = parse_samples)]
    pub samples: Option<Samples>,
    /// The seed of the samples: the same seed gives the same numbers, with
    /// any number of threads.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Most utility evaluations (samples × outcomes × parties) a robust
    /// analysis may make before it is refused.
    #[arg(long, value_name = "N", default_value_t = ROBUST_WORK_LIMIT)]
    pub robust_limit: u64,
}

fn parse_samples(s: &str) -> Result<Samples, detente_analysis::ChoiceError> {
    s.parse::<Samples>()
}

impl RobustArgs {
    /// The library's options, or `None` without `--samples`.
    pub fn options(&self, at_time: Option<f64>, max_repairs: usize) -> Option<RobustOptions> {
        Some(RobustOptions {
            samples: self.samples?,
            seed: self.seed,
            threshold: DEFAULT_REPAIR_THRESHOLD,
            max_repairs,
            work_limit: self.robust_limit,
            at_time,
        })
    }
}

/// Adds to a refusal the option that raises the limit.
pub fn with_option(e: AnalysisError) -> anyhow::Error {
    match e {
        AnalysisError::RobustWorkTooLarge { .. } => {
            anyhow!("{e}, or raise the limit with `--robust-limit`")
        }
        e => e.into(),
    }
}

/// A probability as a policymaker reads it: `83% ± 1%`.
pub fn percent(p: Probability) -> String {
    let se = p.se * 100.0;
    let se = if se == 0.0 {
        "0".to_string()
    } else if se < 1.0 {
        format!("{se:.1}")
    } else {
        format!("{se:.0}")
    };
    format!("{:.0}% ± {se}%", p.p * 100.0)
}

/// The robust analysis in sentences.
pub fn print_analysis(scenario: &Scenario, r: &RobustAnalysis) {
    println!();
    println!(
        "Uncertain numbers: {} samples of {} uncertain number(s), seed {}.",
        crate::render::count(Some(u128::from(r.samples)), r.samples as f64),
        scenario.uncertain().len(),
        r.seed
    );
    println!(
        "  Some deal is acceptable to every party in {} of the plausible cases.",
        percent(r.zone_nonempty)
    );
    match &r.robust_deal {
        Some(d) => {
            let labels: Vec<String> = scenario
                .issues()
                .iter()
                .zip(&d.outcome)
                .map(|(i, &v)| format!("{}={}", i.name, i.value_label(v)))
                .collect();
            println!(
                "  The deal most likely acceptable to all ({}): {}.",
                percent(d.all_accept),
                labels.join(", ")
            );
        }
        None => println!("  No deal is acceptable to all in any sample."),
    }
    let s = &r.solutions;
    let named = [
        ("Nash", s.nash),
        ("Kalai-Smorodinsky", s.kalai_smorodinsky),
        ("max welfare", s.max_welfare),
        ("egalitarian", s.egalitarian),
    ];
    let shown: Vec<String> = named
        .iter()
        .filter_map(|(n, p)| p.map(|p| format!("{n} {}", percent(p))))
        .collect();
    if !shown.is_empty() {
        println!(
            "  The point model's solutions are acceptable to all in: {}.",
            shown.join("; ")
        );
    }
}

/// The robust evaluation in sentences.
pub fn print_evaluation(scenario: &Scenario, label_of: &str, r: &RobustEvaluation) {
    let parties = scenario.parties();
    println!();
    println!(
        "How sure ({} samples of the uncertain numbers, seed {}):",
        crate::render::count(Some(u128::from(r.samples)), r.samples as f64),
        r.seed
    );
    for a in &r.parties {
        let p = &parties[a.party.index()];
        println!(
            "  {} accepts {label_of} in {} of the plausible cases (utility {:.3}, 90% between {:.3} and {:.3}).",
            p.name,
            percent(a.accept),
            a.utility.mean,
            a.utility.q05,
            a.utility.q95
        );
    }
    println!("  Every party accepts it in {}.", percent(r.all_accept));
    match (r.repair_size, r.repairs.first()) {
        (Some(0), _) => {}
        (Some(k), Some(best)) => {
            let changes: Vec<String> = best
                .changes
                .iter()
                .map(|c| {
                    let issue = &scenario.issues()[c.issue.index()];
                    format!(
                        "{}: {} -> {}",
                        issue.name,
                        issue.value_label(c.from),
                        issue.value_label(c.to)
                    )
                })
                .collect();
            println!(
                "  Robust repair ({k} change{}): {}; every party accepts it in {}.",
                if k == 1 { "" } else { "s" },
                changes.join("; "),
                percent(best.chance.all_accept)
            );
            for a in r.repair_parties.iter().filter(|a| a.accept.p < 1.0) {
                println!(
                    "    {} accepts the repaired text in {} of the plausible cases.",
                    parties[a.party.index()].name,
                    percent(a.accept)
                );
            }
        }
        (Some(_), None) => println!("  No change makes a deal acceptable to all in any sample."),
        (None, _) => println!("  Robust repairs: the space is too large to search."),
    }
    print_thresholds(scenario, r);
}

/// What would have to be true, and which uncertainty matters most.
fn print_thresholds(scenario: &Scenario, r: &RobustEvaluation) {
    if !r.thresholds.is_empty() {
        println!("What would have to be true (the other numbers at their point values):");
    }
    for t in &r.thresholds {
        let u = &scenario.uncertain()[t.uncertain];
        let at_point = if t.point < t.value {
            t.accepts_below
        } else {
            t.accepts_above
        };
        let subject = match t.subject {
            Subject::Proposal => "the proposal",
            Subject::Repair => "the repair",
        };
        println!(
            "  {} {} {subject} at the point values; the verdict flips if {} is {} {}.",
            scenario.parties()[t.party.index()].name,
            if at_point { "accepts" } else { "rejects" },
            u.label(scenario.issues()),
            if t.point < t.value { "above" } else { "below" },
            crate::render::u(t.value)
        );
    }
    let top: Vec<String> = r
        .explained
        .iter()
        .filter(|e| e.share >= 0.005)
        .take(5)
        .map(|e| {
            let u = &scenario.uncertain()[e.uncertain];
            format!(
                "{} ({}) {:.0}%",
                u.path(scenario.issues()),
                scenario.parties()[u.party().index()].name,
                e.share * 100.0
            )
        })
        .collect();
    if !top.is_empty() {
        let subject = match r.explained_subject {
            Subject::Proposal => "the proposal",
            Subject::Repair => "the repair",
        };
        println!(
            "What decides whether every party accepts {subject} (share of the uncertainty each number explains alone): {}.",
            top.join(", ")
        );
    }
}

/// Says on standard error that `--samples` on a scenario without uncertain
/// numbers samples the point model only (every probability is then 0 or 1).
pub fn note_if_certain(scenario: &Scenario) -> Result<()> {
    if scenario.uncertain().is_empty() {
        eprintln!("note: the scenario has no uncertain numbers; every sample is the point model");
    }
    Ok(())
}
