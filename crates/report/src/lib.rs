//! A self-contained HTML report of a negotiation scenario: inline SVG charts
//! drawn in Rust, each with a short text reading, with the styles and the
//! one small script inline (no network, no CDN), readable when printed.
//!
//! Charts:
//! - the utility space ([`space`]): every outcome (a density raster when
//!   there are many), the Pareto frontiers, reservation lines, the agreement
//!   zone, the bargaining solutions, the proposals and the repairs of the
//!   evaluated one; for three or more bargaining parties, the pairwise
//!   planes and a parallel-coordinates view of the frontier;
//! - a forecast ([`forecast`]): each actor's position per dimension over the
//!   turns, with the final forecast marked;
//! - a negotiation ([`negotiation`]): offers in the utility plane, and each
//!   party's utility over the rounds;
//! - a tournament ranking with 95% confidence intervals ([`ranking`]).
//!
//! Output is deterministic: the same inputs give the same bytes (numbers are
//! written with fixed precision, and nothing reads a clock).
//!
//! ```
//! use detente_analysis::{analyze, Options};
//! let scenario = detente_formats::native::read_str(
//!     detente_formats::builtin::text("car-sale").unwrap(), "car-sale").unwrap();
//! let analysis = analyze(&scenario, &Options::default()).unwrap();
//! let cloud = detente_report::space::cloud(&scenario, &analysis, 100_000);
//! let html = detente_report::render(&detente_report::Report {
//!     cloud: Some(&cloud),
//!     ..detente_report::Report::new(&scenario, &analysis)
//! });
//! assert!(html.starts_with("<!DOCTYPE html>"));
//! assert!(html.contains("<svg"));
//! ```

#![warn(missing_docs)]

pub mod forecast;
pub mod negotiation;
pub mod ranking;
pub mod reading;
pub mod robust;
pub mod space;
pub mod svg;

use detente_analysis::{Analysis, Evaluation, RobustAnalysis, RobustEvaluation};
use detente_core::Scenario;
use std::fmt::Write;
use svg::{esc, u};

pub use negotiation::{Offer, Session};
pub use ranking::RankEntry;
pub use space::{Cloud, cloud};

/// The default number of outcomes drawn in the utility space; larger spaces
/// are sampled.
pub const CLOUD_LIMIT: u64 = 200_000;

/// One chart: an SVG (or a few, for small multiples), its legend and its
/// reading.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// A stable id, used as the HTML id of its figure.
    pub id: String,
    /// The chart's heading in the report and in its table of contents.
    pub title: String,
    /// The SVG markup (one `<svg>`, or a `<div>` of several).
    pub svg: String,
    /// Sentences saying what the chart shows.
    pub reading: Vec<String>,
    /// `(series, description)` pairs; clicking one in the report toggles the
    /// elements with that `data-series`.
    pub legend: Vec<(String, String)>,
}

/// A proposal drawn in the utility space; `evaluation` adds its repairs.
#[derive(Clone, Copy, Debug)]
pub struct ProposalMark<'a> {
    /// The proposal's name, used as its label in the chart.
    pub name: &'a str,
    /// The proposal's deal, one value index per issue, placed by its utilities.
    pub outcome: &'a [u32],
    /// The proposal's evaluation, when it is the evaluated one, so its repairs are drawn too.
    pub evaluation: Option<&'a Evaluation>,
}

/// Everything a report shows; only the scenario and its analysis are needed.
#[derive(Clone, Copy, Debug)]
pub struct Report<'a> {
    /// The scenario the report describes.
    pub scenario: &'a Scenario,
    /// The analysis of the scenario, whose frontiers, zone and solutions the charts draw.
    pub analysis: &'a Analysis,
    /// The outcomes to draw (see [`space::cloud`]); none draws only the
    /// frontier and the points of interest.
    pub cloud: Option<&'a Cloud>,
    /// The proposal to evaluate, by name, with its evaluation. The other
    /// proposals of the scenario are drawn without repairs.
    pub evaluated: Option<(&'a str, &'a Evaluation)>,
    /// A forecast to chart, with the model it ran on (for the actors' and dimensions' names).
    pub forecast: Option<(&'a detente_forecast::Model, &'a detente_forecast::Forecast)>,
    /// A negotiation session to chart: its offers and the parties' utilities over the rounds.
    pub negotiation: Option<&'a Session>,
    /// A tournament ranking to chart, best first.
    pub ranking: Option<&'a [RankEntry]>,
    /// Where the scenario came from, for the header.
    pub source: Option<&'a str>,
    /// How sure the verdicts on the evaluated proposal are, when its uncertain numbers were
    /// sampled: acceptance by party and what would have to be true.
    pub robust: Option<&'a RobustEvaluation>,
    /// The chance of every outcome being acceptable to all, when the uncertain numbers were
    /// sampled: the outcome cloud coloured by it.
    pub robust_analysis: Option<&'a RobustAnalysis>,
}

impl<'a> Report<'a> {
    /// A report of the scenario and its analysis alone.
    pub fn new(scenario: &'a Scenario, analysis: &'a Analysis) -> Report<'a> {
        Report {
            scenario,
            analysis,
            cloud: None,
            evaluated: None,
            forecast: None,
            negotiation: None,
            ranking: None,
            source: None,
            robust: None,
            robust_analysis: None,
        }
    }

    /// The proposals to draw: the evaluated one (with its repairs) and every
    /// other proposal of the scenario.
    pub fn proposal_marks(&self) -> Vec<ProposalMark<'a>> {
        let mut marks = Vec::new();
        if let Some((name, ev)) = self.evaluated {
            marks.push(ProposalMark {
                name,
                outcome: &ev.outcome,
                evaluation: Some(ev),
            });
        }
        for p in self.scenario.proposals() {
            if self.evaluated.is_some_and(|(n, _)| n == p.name) {
                continue;
            }
            marks.push(ProposalMark {
                name: &p.name,
                outcome: &p.outcome,
                evaluation: None,
            });
        }
        marks
    }
}

/// Every chart of the report, in order.
pub fn charts(r: &Report<'_>) -> Vec<Chart> {
    let marks = r.proposal_marks();
    let reading = reading::space(r.scenario, r.analysis, r.cloud, &marks);
    let mut out = space::utility_charts(r.scenario, r.analysis, r.cloud, &marks, reading);
    if let Some(s) = r.negotiation {
        // The frontier is the right backdrop only when the plane's two
        // parties are the only bargainers.
        let frontier: Vec<(f64, f64)> = if r.analysis.bargainers.len() == 2 {
            r.analysis
                .feasible_pareto
                .iter()
                .map(|p| (p.utilities[0], p.utilities[1]))
                .collect()
        } else {
            Vec::new()
        };
        out.extend(negotiation::charts_over(s, &frontier));
    }
    if let Some((m, f)) = r.forecast {
        out.push(forecast::chart(m, f));
    }
    if let Some(rows) = r.ranking {
        out.push(ranking::chart(rows));
    }
    if let Some(ra) = r.robust_analysis {
        out.push(robust::cloud_chart(r.scenario, ra));
    }
    if let (Some(rob), Some((name, _))) = (r.robust, r.evaluated) {
        out.push(robust::acceptance_chart(r.scenario, name, rob));
        out.push(robust::tornado_chart(r.scenario, rob));
    }
    out
}

/// A chart as an HTML `<figure>`.
pub fn figure(chart: &Chart) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<figure id="{}"><h2>{}</h2>{}"#,
        esc(&chart.id),
        esc(&chart.title),
        chart.svg
    );
    if !chart.legend.is_empty() {
        s.push_str(r#"<ul class="legend">"#);
        for (series, text) in &chart.legend {
            // Numbered series (`party-0`, `actor-2`, ...) take the palette's
            // colour of their number.
            let swatch = series
                .rsplit_once('-')
                .and_then(|(_, k)| k.parse::<usize>().ok())
                .map_or(String::new(), |k| {
                    format!(
                        r#"<span class="sw" style="background:{}"></span>"#,
                        svg::color(k)
                    )
                });
            let _ = write!(
                s,
                r#"<li data-series="{}">{swatch}{}</li>"#,
                esc(series),
                esc(text)
            );
        }
        s.push_str("</ul>");
    }
    s.push_str("<figcaption>");
    for p in &chart.reading {
        let _ = write!(s, "<p>{}</p>", esc(p));
    }
    s.push_str("</figcaption></figure>");
    s
}

/// The parties' table: role, reservation value, range, red lines.
fn parties_section(h: &mut String, sc: &Scenario, a: &Analysis) {
    h.push_str(r#"<section id="parties"><h2>Parties</h2><table><thead><tr><th>party</th><th>role</th><th>reservation</th><th>best</th><th>worst</th><th>red lines</th></tr></thead><tbody>"#);
    for range in &a.ranges {
        let p = &sc.parties()[range.party.index()];
        let opt = |x: Option<f64>| x.map_or("?".to_string(), u);
        let _ = write!(
            h,
            r#"<tr><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td></tr>"#,
            esc(&p.name),
            p.role.as_str(),
            u(range.reservation),
            opt(range.best),
            opt(range.worst),
            p.preferences.red_lines.len()
        );
    }
    h.push_str("</tbody></table></section>");
}

/// The evaluated proposal: each party's verdict, the repairs, and the
/// reading.
fn proposal_section(h: &mut String, sc: &Scenario, a: &Analysis, name: &str, ev: &Evaluation) {
    let _ = write!(
        h,
        r#"<section id="proposal"><h2>Proposal: {}</h2><table><thead><tr><th>party</th><th>utility</th><th>reservation</th><th>verdict</th></tr></thead><tbody>"#,
        esc(name)
    );
    for v in &ev.verdicts {
        let p = &sc.parties()[v.party.index()];
        let mut why: Vec<String> = v
            .red_lines_crossed
            .iter()
            .map(|&k| {
                let note = &p.preferences.red_lines[k].note;
                if note.is_empty() {
                    format!("crosses red line {}", k + 1)
                } else {
                    format!("crosses red line “{note}”")
                }
            })
            .collect();
        if v.utility < v.reservation {
            why.push("below its reservation value".into());
        }
        let verdict = if v.accepts {
            format!(
                r#"<span class="good">accepts</span> (gain {})"#,
                u(v.utility - v.reservation)
            )
        } else {
            format!(
                r#"<span class="bad">rejects</span>: {}"#,
                esc(&why.join("; "))
            )
        };
        let _ = write!(
            h,
            r#"<tr><td>{}{}</td><td class="n">{}</td><td class="n">{}</td><td>{}</td></tr>"#,
            esc(&p.name),
            if p.role == detente_core::Role::Mediator {
                " (mediator)"
            } else {
                ""
            },
            u(v.utility),
            u(v.reservation),
            verdict
        );
    }
    h.push_str("</tbody></table>");
    if !ev.repairs.is_empty() {
        h.push_str("<p>Repairs (fewest changes, best Nash product first):</p><ol>");
        for rep in &ev.repairs {
            let changes: Vec<String> = rep
                .changes
                .iter()
                .map(|ch| {
                    let issue = &sc.issues()[ch.issue.index()];
                    format!(
                        "{}: {} → {}",
                        issue.name,
                        issue.value_label(ch.from),
                        issue.value_label(ch.to)
                    )
                })
                .collect();
            let _ = write!(h, "<li>{}</li>", esc(&changes.join("; ")));
        }
        h.push_str("</ol>");
    }
    let _ = write!(
        h,
        "<p>{}</p></section>",
        esc(&reading::proposal(sc, a, name, ev))
    );
}

/// The whole report as one HTML document.
pub fn render(r: &Report<'_>) -> String {
    let sc = r.scenario;
    let a = r.analysis;
    let mut h = String::new();
    let _ = write!(
        h,
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="generator" content="detente {}"><title>{} — detente report</title><style>{}</style></head><body>"#,
        env!("CARGO_PKG_VERSION"),
        esc(sc.name()),
        include_str!("report.css")
    );
    let _ = write!(h, "<header><h1>{}</h1>", esc(sc.name()));
    if !sc.description().is_empty() {
        let _ = write!(h, r#"<p class="sub">{}</p>"#, esc(sc.description()));
    }
    let count = svg::count(a.outcome_count_f64);
    let _ = write!(
        h,
        r#"<p class="sub">{} outcomes over {} issues; frontier by {}{}{}.</p></header>"#,
        count,
        sc.issues().len(),
        a.method.as_str(),
        a.agreement_zone.map_or(String::new(), |z| format!(
            "; {z} outcomes in the agreement zone"
        )),
        r.source
            .map_or(String::new(), |s| format!("; read from {}", esc(s))),
    );

    parties_section(&mut h, sc, a);
    if let Some((name, ev)) = r.evaluated {
        proposal_section(&mut h, sc, a, name, ev);
    }
    for chart in charts(r) {
        h.push_str(&figure(&chart));
    }
    let _ = write!(
        h,
        r#"<footer>Made by detente {}. Click a legend entry to hide or show that series.</footer><script>{}</script></body></html>"#,
        env!("CARGO_PKG_VERSION"),
        include_str!("report.js")
    );
    h.push('\n');
    h
}
