//! How sure the verdicts are: acceptance probabilities by party for the
//! proposal and its best repair, and a tornado chart of what would have to
//! be true.

use crate::Chart;
use crate::svg::{Frame, c, esc, ticks, u};
use detente_analysis::{Probability, RobustEvaluation, Subject};
use detente_core::Scenario;
use std::fmt::Write;

/// `83% ± 1%`.
fn percent(p: Probability) -> String {
    let se = p.se * 100.0;
    let se = if se > 0.0 && se < 1.0 {
        format!("{se:.1}")
    } else {
        format!("{se:.0}")
    };
    format!("{:.0}% ± {se}%", p.p * 100.0)
}

/// One bar of the acceptance chart: a label and a probability.
struct Bar {
    label: String,
    p: Probability,
    series: &'static str,
}

/// Acceptance probability by party for the proposal, and of acceptance by
/// all for the proposal and its best repair, with ±2 standard errors.
pub fn acceptance_chart(scenario: &Scenario, name: &str, r: &RobustEvaluation) -> Chart {
    let bars = acceptance_bars(scenario, r);
    let rows = bars.len() as f64;
    let mut f = Frame::new(720.0, 60.0 + 26.0 * rows, (0.0, 1.0), (0.0, rows));
    f.left = 190.0;
    f.right = 110.0;
    let mut svg = String::new();
    f.open(
        &mut svg,
        "chart acceptance",
        "Probability of acceptance by party",
    );
    f.axes(
        &mut svg,
        &ticks(0.0, 1.0, 5),
        &[],
        "probability of acceptance (± 2 standard errors)",
        "",
        |v| format!("{:.0}%", v * 100.0),
    );
    for (k, b) in bars.iter().enumerate() {
        let mid = rows - k as f64 - 0.5;
        let (y, ty) = (c(f.y(mid) - 7.0), c(f.y(mid) + 4.0));
        let lo = (b.p.p - 2.0 * b.p.se).max(0.0);
        let hi = (b.p.p + 2.0 * b.p.se).min(1.0);
        let _ = write!(
            svg,
            r#"<g class="bar" data-series="{}"><title>{}: {}</title><text class="tick" x="{}" y="{ty}" text-anchor="end">{}</text><rect x="{}" y="{y}" width="{}" height="14"/><line x1="{}" y1="{}" x2="{}" y2="{}"/><text class="tick" x="{}" y="{ty}">{}</text></g>"#,
            b.series,
            esc(&b.label),
            percent(b.p),
            c(f.left - 6.0),
            esc(&b.label),
            c(f.x(0.0)),
            c(f.x(b.p.p) - f.x(0.0)),
            c(f.x(lo)),
            c(f.y(mid)),
            c(f.x(hi)),
            c(f.y(mid)),
            c(f.width - f.right + 8.0),
            percent(b.p),
        );
    }
    svg.push_str("</svg>");
    let reading = acceptance_reading(scenario, name, r);
    Chart {
        id: "acceptance".into(),
        title: "How sure: acceptance by party".into(),
        svg,
        reading,
        legend: vec![],
    }
}

/// The bars of the acceptance chart: each party, all parties, then the
/// same for the best repair.
fn acceptance_bars(scenario: &Scenario, r: &RobustEvaluation) -> Vec<Bar> {
    let mut bars: Vec<Bar> = r
        .parties
        .iter()
        .map(|a| Bar {
            label: scenario.parties()[a.party.index()].name.clone(),
            p: a.accept,
            series: "party",
        })
        .collect();
    bars.push(Bar {
        label: "all parties".into(),
        p: r.all_accept,
        series: "all",
    });
    bars.extend(r.repair_parties.iter().map(|a| Bar {
        label: format!("{}, best repair", scenario.parties()[a.party.index()].name),
        p: a.accept,
        series: "repair-party",
    }));
    if let Some(best) = r.repairs.first() {
        bars.push(Bar {
            label: "all parties, best repair".into(),
            p: best.chance.all_accept,
            series: "repair",
        });
    }
    bars
}

/// The acceptance chart's sentences.
fn acceptance_reading(scenario: &Scenario, name: &str, r: &RobustEvaluation) -> Vec<String> {
    let mut reading: Vec<String> = r
        .parties
        .iter()
        .filter(|a| a.accept.p < 1.0)
        .map(|a| {
            format!(
                "{} accepts {name} in {} of the plausible cases.",
                scenario.parties()[a.party.index()].name,
                percent(a.accept)
            )
        })
        .collect();
    reading.extend(
        r.repair_parties
            .iter()
            .filter(|a| a.accept.p < 1.0)
            .map(|a| {
                format!(
                    "{} accepts the best repair in {} of the plausible cases.",
                    scenario.parties()[a.party.index()].name,
                    percent(a.accept)
                )
            }),
    );
    reading.push(format!(
        "Every party accepts {name} in {} of the plausible cases ({} samples){}.",
        percent(r.all_accept),
        r.samples,
        r.repairs.first().map_or(String::new(), |b| format!(
            "; the best repair, in {}",
            percent(b.chance.all_accept)
        ))
    ));
    reading
}

/// What would have to be true: for each uncertain number that flips a
/// verdict, its range (scaled to one width), its point value and the flip
/// point, the side where the party rejects shaded; most explanatory first.
pub fn tornado_chart(scenario: &Scenario, r: &RobustEvaluation) -> Chart {
    let share = |k: usize| {
        r.explained
            .iter()
            .find(|e| e.uncertain == k)
            .map_or(0.0, |e| e.share)
    };
    let mut rows: Vec<&detente_analysis::Threshold> = r.thresholds.iter().collect();
    rows.sort_by(|a, b| share(b.uncertain).total_cmp(&share(a.uncertain)));
    let n = rows.len().max(1) as f64;
    let mut f = Frame::new(720.0, 60.0 + 30.0 * n, (0.0, 1.0), (0.0, n));
    f.left = 300.0;
    f.right = 40.0;
    let mut svg = String::new();
    f.open(
        &mut svg,
        "chart tornado",
        "Where each uncertain number flips a verdict",
    );
    f.axes(
        &mut svg,
        &[0.0, 0.5, 1.0],
        &[],
        "each number's range, low to high",
        "",
        |v| {
            if v <= 0.0 {
                "low".into()
            } else if v >= 1.0 {
                "high".into()
            } else {
                String::new()
            }
        },
    );
    let mut reading = Vec::new();
    for (k, t) in rows.iter().enumerate() {
        reading.extend(tornado_row(&mut svg, &f, scenario, t, n - k as f64 - 0.5));
    }
    svg.push_str("</svg>");
    if reading.is_empty() {
        reading.push(
            "No uncertain number flips a verdict within its range, the others held at their point values."
                .into(),
        );
    }
    Chart {
        id: "tornado".into(),
        title: "What would have to be true".into(),
        svg,
        reading,
        legend: vec![],
    }
}

/// One row of the tornado chart (at height `mid`), and its sentence.
fn tornado_row(
    svg: &mut String,
    f: &Frame,
    scenario: &Scenario,
    t: &detente_analysis::Threshold,
    mid: f64,
) -> Option<String> {
    let un = &scenario.uncertain()[t.uncertain];
    let detente_core::Uncertain::Number { distribution, .. } = un else {
        return None;
    };
    let (lo, hi) = distribution.support();
    let at = |x: f64| {
        if hi > lo {
            f.x((x - lo) / (hi - lo))
        } else {
            f.x(0.5)
        }
    };
    let y = c(f.y(mid) - 7.0);
    let party = &scenario.parties()[t.party.index()].name;
    let subject = match t.subject {
        Subject::Proposal => "the proposal",
        Subject::Repair => "the repair",
    };
    let label = format!(
        "{party}: {} ({})",
        un.label(scenario.issues()),
        t.subject.as_str()
    );
    let (rx, rw) = if t.accepts_above {
        (at(lo), at(t.value) - at(lo))
    } else {
        (at(t.value), at(hi) - at(t.value))
    };
    let _ = write!(
        svg,
        r#"<g class="tornado" data-series="threshold"><title>{}: flips at {} (range {} to {}, point {})</title><text class="tick" x="{}" y="{}" text-anchor="end">{}</text><rect class="range" x="{}" y="{y}" width="{}" height="14"/><rect class="rejects" x="{}" y="{y}" width="{}" height="14"/><line x1="{}" y1="{}" x2="{}" y2="{}"/><circle cx="{}" cy="{}" r="3"/></g>"#,
        esc(&label),
        u(t.value),
        u(lo),
        u(hi),
        u(t.point),
        c(f.left - 6.0),
        c(f.y(mid) + 4.0),
        esc(&label),
        c(at(lo)),
        c(at(hi) - at(lo)),
        c(rx),
        c(rw.max(0.0)),
        c(at(t.value)),
        c(f.y(mid) - 10.0),
        c(at(t.value)),
        c(f.y(mid) + 10.0),
        c(at(t.point)),
        c(f.y(mid)),
    );
    let at_point = if t.point < t.value {
        t.accepts_below
    } else {
        t.accepts_above
    };
    Some(format!(
        "{party} {} {subject} at the point values; the verdict flips if {} is {} {}.",
        if at_point { "accepts" } else { "rejects" },
        un.label(scenario.issues()),
        if t.point < t.value { "above" } else { "below" },
        u(t.value)
    ))
}

/// The outcomes acceptable to all in some sample, in the utility plane of
/// the first two bargaining parties (point-model utilities), each coloured
/// by its probability of acceptance by all; the robust deal ringed.
pub fn cloud_chart(scenario: &Scenario, a: &detente_analysis::RobustAnalysis) -> Chart {
    let bargainers = scenario.bargainers();
    let (px, py) = match bargainers.as_slice() {
        [x, y, ..] => (*x, *y),
        [x] => (*x, *x),
        [] => (detente_core::PartyId(0), detente_core::PartyId(0)),
    };
    let name = |p: detente_core::PartyId| scenario.parties()[p.index()].name.clone();
    let mut f = Frame::new(560.0, 460.0, (0.0, 1.0), (0.0, 1.0));
    let mut svg = String::new();
    f.left = 60.0;
    f.open(
        &mut svg,
        "chart chance",
        "Outcomes coloured by their probability of acceptance by all",
    );
    let t = ticks(0.0, 1.0, 5);
    f.axes(
        &mut svg,
        &t,
        &t,
        &format!("{} utility", name(px)),
        &format!("{} utility", name(py)),
        |v| format!("{v:.1}"),
    );
    // Least likely first, so the likeliest are drawn on top.
    for o in a.outcomes.iter().rev() {
        let (x, y) = (
            scenario.utility_of(px, &o.outcome),
            scenario.utility_of(py, &o.outcome),
        );
        // From light grey-blue (rarely acceptable) to dark blue (always).
        let p = o.all_accept.p;
        let shade = |lo: f64, hi: f64| (lo + (hi - lo) * p).round() as u8;
        let _ = write!(
            svg,
            r##"<circle class="chance" cx="{}" cy="{}" r="3" fill="#{:02x}{:02x}{:02x}"><title>{}</title></circle>"##,
            c(f.x(x)),
            c(f.y(y)),
            shade(215.0, 0.0),
            shade(225.0, 70.0),
            shade(235.0, 160.0),
            percent(o.all_accept),
        );
    }
    let mut reading = vec![format!(
        "Some deal is acceptable to every party in {} of the plausible cases ({} samples).",
        percent(a.zone_nonempty),
        a.samples
    )];
    if let Some(d) = &a.robust_deal {
        let (x, y) = (
            scenario.utility_of(px, &d.outcome),
            scenario.utility_of(py, &d.outcome),
        );
        let _ = write!(
            svg,
            r##"<circle class="robust-deal" cx="{}" cy="{}" r="8" fill="none" stroke="#d55e00" stroke-width="2"><title>the robust deal: {}</title></circle>"##,
            c(f.x(x)),
            c(f.y(y)),
            percent(d.all_accept)
        );
        reading.push(format!(
            "The deal most likely acceptable to all (ringed) is so in {}; it gives {} {} and {} {}.",
            percent(d.all_accept),
            name(px),
            u(x),
            name(py),
            u(y)
        ));
    }
    let likely = a.outcomes.iter().filter(|o| o.all_accept.p >= 0.5).count();
    reading.push(format!(
        "{} outcome(s) are acceptable to all in at least half of the plausible cases, {} in some.",
        likely,
        a.outcomes.len()
    ));
    svg.push_str("</svg>");
    Chart {
        id: "chance".into(),
        title: "Which deals are likely acceptable".into(),
        svg,
        reading,
        legend: vec![],
    }
}
