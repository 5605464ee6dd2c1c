//! A tournament ranking with 95% confidence intervals.

use crate::Chart;
use crate::svg::{Frame, c, esc, ticks, u};
use std::fmt::Write;

/// One strategy's line in a tournament ranking (the fields of
/// `detente_tournament::RankRow` the chart needs; this crate does not
/// depend on the tournament's database).
#[derive(Clone, Debug, PartialEq)]
pub struct RankEntry {
    /// The strategy spec the row ranks, used as its label.
    pub strategy: String,
    /// The number of results behind the mean, shown beside it so small samples stand out.
    pub n: u64,
    /// The mean utility the strategy obtained, the dot of its row.
    pub mean_utility: f64,
    /// Half-width of the 95% confidence interval.
    pub ci95: f64,
    /// The share of the strategy's results from matches that ended in agreement.
    pub agreement_rate: f64,
}

/// The ranking as dots with whiskers, best first.
pub fn chart(rows: &[RankEntry]) -> Chart {
    let h = 60.0 + 26.0 * rows.len() as f64;
    let lo = rows
        .iter()
        .map(|r| r.mean_utility - r.ci95)
        .fold(0.0f64, f64::min);
    let hi = rows
        .iter()
        .map(|r| r.mean_utility + r.ci95)
        .fold(1.0f64, f64::max);
    let mut f = Frame::new(720.0, h, (lo, hi), (0.0, rows.len() as f64));
    f.left = 170.0;
    f.right = 180.0;
    let mut svg = String::new();
    f.open(
        &mut svg,
        "chart ranking",
        "Tournament ranking with 95% confidence intervals",
    );
    f.axes(
        &mut svg,
        &ticks(lo, hi, 5),
        &[],
        "mean utility (95% confidence interval)",
        "",
        |v| format!("{v:.2}"),
    );
    for (k, r) in rows.iter().enumerate() {
        let y = c(f.y(rows.len() as f64 - k as f64 - 0.5));
        let _ = write!(
            svg,
            r#"<g class="rank" data-series="ranking"><title>{}: {} ± {} (n = {}, agreements {:.0}%)</title><text class="tick" x="{}" y="{}" text-anchor="end">{}. {}</text><line x1="{}" y1="{y}" x2="{}" y2="{y}"/><circle cx="{}" cy="{y}" r="4"/><text class="tick" x="{}" y="{}">n = {}, {:.0}% agreements</text></g>"#,
            esc(&r.strategy),
            u(r.mean_utility),
            u(r.ci95),
            r.n,
            r.agreement_rate * 100.0,
            c(f.left - 6.0),
            c(f.y(rows.len() as f64 - k as f64 - 0.5) + 4.0),
            k + 1,
            esc(&r.strategy),
            c(f.x(r.mean_utility - r.ci95)),
            c(f.x(r.mean_utility + r.ci95)),
            c(f.x(r.mean_utility)),
            c(f.width - f.right + 8.0),
            c(f.y(rows.len() as f64 - k as f64 - 0.5) + 4.0),
            r.n,
            r.agreement_rate * 100.0,
        );
    }
    svg.push_str("</svg>");
    let mut reading = Vec::new();
    match rows {
        [] => reading.push("The results database holds no results yet.".to_string()),
        [only] => reading.push(format!(
            "Only {} was ranked: mean utility {} ± {}.",
            only.strategy,
            u(only.mean_utility),
            u(only.ci95)
        )),
        [a, b, ..] => {
            let overlap = a.mean_utility - a.ci95 <= b.mean_utility + b.ci95;
            reading.push(format!(
                "{} ranks first with mean utility {} ± {} over {} results; {}",
                a.strategy,
                u(a.mean_utility),
                u(a.ci95),
                a.n,
                if overlap {
                    format!(
                        "its interval overlaps {}'s, so the lead is not clear at 95%.",
                        b.strategy
                    )
                } else {
                    format!("its interval lies above {}'s.", b.strategy)
                }
            ));
        }
    }
    Chart {
        id: "ranking".into(),
        title: "Tournament ranking".into(),
        svg,
        reading,
        legend: vec![],
    }
}
