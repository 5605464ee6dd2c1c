//! The utility space: every outcome (as points or a density raster), the
//! Pareto frontiers, reservation lines, the agreement zone, the bargaining
//! solutions and the proposals with their repairs; for three or more
//! bargaining parties, the pairwise planes and a parallel-coordinates view
//! of the frontier.

use crate::svg::{Frame, c, color, esc, ticks, u};
use crate::{Chart, ProposalMark};
use detente_analysis::{Analysis, Point};
use detente_core::{PartyId, Scenario};
use std::fmt::Write;

/// Every outcome's utilities for the bargaining parties (or a deterministic
/// sample of them when the space is larger than the limit).
#[derive(Clone, Debug)]
pub struct Cloud {
    /// Number of bargaining parties (the row length of `points`).
    pub dims: usize,
    /// Row-major: one row of bargainer utilities per outcome.
    pub points: Vec<f32>,
    /// Whether each outcome is acceptable to all (no red line crossed,
    /// every reservation met).
    pub acceptable: Vec<bool>,
    /// Number of outcomes in the space.
    pub total: f64,
    /// True when `points` is a sample rather than every outcome.
    pub sampled: bool,
}

impl Cloud {
    /// The number of outcomes drawn (every outcome, or the sample).
    pub fn len(&self) -> usize {
        self.acceptable.len()
    }

    /// True when there is nothing to draw.
    pub fn is_empty(&self) -> bool {
        self.acceptable.is_empty()
    }

    fn get(&self, row: usize, dim: usize) -> f64 {
        self.points[row * self.dims + dim] as f64
    }
}

/// Computes the outcome cloud: every outcome when the space has at most
/// `limit` outcomes, else `limit` outcomes chosen by a fixed stride that is
/// coprime with the space size (deterministic, and spread over every issue
/// rather than aligned with the last one).
pub fn cloud(scenario: &Scenario, analysis: &Analysis, limit: u64) -> Cloud {
    let bargainers = &analysis.bargainers;
    let dims = bargainers.len();
    let space = scenario.space();
    let total = space.count_f64();
    let factors: Vec<f64> = bargainers
        .iter()
        .map(|&p| {
            analysis
                .at_time
                .map_or(1.0, |t| scenario.discount_factor(p, t))
        })
        .collect();
    let reservations = analysis.reservations();
    let limit = limit.max(1);
    let (n, stride, sampled) = match space.count_u64() {
        Some(count) if count <= limit => (count, 1, false),
        Some(count) => (limit, coprime_stride(count, limit), true),
        // Beyond u64 there is nothing sensible to sample by index.
        None => (0, 1, true),
    };
    let count = space.count_u64().unwrap_or(1);
    let mut points = Vec::with_capacity(n as usize * dims);
    let mut acceptable = Vec::with_capacity(n as usize);
    let mut outcome = vec![0u32; space.issue_count()];
    let mut index: u64 = 0;
    for _ in 0..n {
        space.decode_into(index, &mut outcome);
        let mut ok = true;
        for (k, &p) in bargainers.iter().enumerate() {
            let v = scenario.utility_of(p, &outcome) * factors[k];
            points.push(v as f32);
            ok &= v >= reservations[k] && !scenario.red_lines(p).crossed(&outcome);
        }
        acceptable.push(ok);
        index = ((index as u128 + stride as u128) % count as u128) as u64;
    }
    Cloud {
        dims,
        points,
        acceptable,
        total,
        sampled,
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// A stride near `count / limit · φ` that is coprime with `count`, so that
/// `limit` steps visit distinct outcomes spread over the whole space.
fn coprime_stride(count: u64, limit: u64) -> u64 {
    let base = ((count / limit.max(1)).max(1) as f64 * 1.618_033_988_75) as u64;
    let mut s = base.max(1);
    while gcd(s, count) != 1 {
        s += 1;
    }
    s
}

/// Bargainer utilities of an outcome, discounted like the analysis.
pub(crate) fn utilities_of(scenario: &Scenario, analysis: &Analysis, outcome: &[u32]) -> Vec<f64> {
    analysis
        .bargainers
        .iter()
        .map(|&p| {
            scenario.utility_of(p, outcome)
                * analysis
                    .at_time
                    .map_or(1.0, |t| scenario.discount_factor(p, t))
        })
        .collect()
}

fn party_name(scenario: &Scenario, p: PartyId) -> &str {
    &scenario.parties()[p.index()].name
}

/// The range shown on an axis: [0, 1] unless utilities leave it.
fn axis_range(cloud: Option<&Cloud>, analysis: &Analysis, dim: usize) -> (f64, f64) {
    let mut lo: f64 = 0.0;
    let mut hi: f64 = 1.0;
    let mut see = |v: f64| {
        if v.is_finite() {
            lo = lo.min(v);
            hi = hi.max(v);
        }
    };
    if let Some(cl) = cloud {
        for r in 0..cl.len() {
            see(cl.get(r, dim));
        }
    }
    for p in &analysis.pareto {
        see(p.utilities[dim]);
    }
    see(analysis.reservations()[dim]);
    (lo, hi)
}

/// The solutions that exist, with their short and long names.
pub(crate) fn solutions(analysis: &Analysis) -> Vec<(&'static str, &'static str, &Point)> {
    let s = &analysis.solutions;
    [
        ("N", "Nash", &s.nash),
        ("KS", "Kalai–Smorodinsky", &s.kalai_smorodinsky),
        ("W", "max welfare", &s.max_welfare),
        ("E", "egalitarian", &s.egalitarian),
    ]
    .into_iter()
    .filter_map(|(a, b, p)| p.as_ref().map(|p| (a, b, p)))
    .collect()
}

/// One plane of the utility space, for bargainers `i` (x) and `j` (y).
fn plane(
    out: &mut String,
    scenario: &Scenario,
    analysis: &Analysis,
    cloud: Option<&Cloud>,
    proposals: &[ProposalMark<'_>],
    (i, j): (usize, usize),
    size: (f64, f64),
) {
    let xi = party_name(scenario, analysis.bargainers[i]);
    let yj = party_name(scenario, analysis.bargainers[j]);
    let f = Frame::new(
        size.0,
        size.1,
        axis_range(cloud, analysis, i),
        axis_range(cloud, analysis, j),
    );
    let two = analysis.bargainers.len() == 2;
    f.open(
        out,
        "chart utility-plane",
        &format!("Utility of {xi} (x) against {yj} (y)"),
    );
    let xt = ticks(f.x_range.0, f.x_range.1, 5);
    let yt = ticks(f.y_range.0, f.y_range.1, 5);
    f.axes(
        out,
        &xt,
        &yt,
        &format!("utility of {xi}"),
        &format!("utility of {yj}"),
        |v| format!("{v:.1}"),
    );
    let rv = analysis.reservations();
    draw_zone(out, &f, analysis, (i, j), two);
    if let Some(cl) = cloud {
        draw_cloud(out, &f, cl, i, j);
    }
    if analysis.pareto != analysis.feasible_pareto {
        draw_frontier(
            out,
            &f,
            (i, j, two),
            &analysis.pareto,
            ("frontier-all", "Pareto frontier, red lines aside"),
        );
    }
    draw_frontier(
        out,
        &f,
        (i, j, two),
        &analysis.feasible_pareto,
        (
            "frontier",
            "Pareto frontier of the outcomes crossing no red line",
        ),
    );
    let _ = write!(
        out,
        r#"<g class="reservation" data-series="reservation"><line x1="{x}" y1="{}" x2="{x}" y2="{}"/><line x1="{}" y1="{y}" x2="{}" y2="{y}"/><text x="{}" y="{}">{} {}</text><text x="{}" y="{}" text-anchor="end">{} {}</text></g>"#,
        c(f.y(f.y_range.0)),
        c(f.y(f.y_range.1)),
        c(f.x(f.x_range.0)),
        c(f.x(f.x_range.1)),
        c(f.x(rv[i]) + 3.0),
        c(f.y(f.y_range.1) + 11.0),
        esc(xi),
        u(rv[i]),
        c(f.x(f.x_range.1) - 3.0),
        c(f.y(rv[j]) - 4.0),
        esc(yj),
        u(rv[j]),
        x = c(f.x(rv[i])),
        y = c(f.y(rv[j])),
    );
    draw_solutions(out, &f, analysis, (i, j));
    for (k, pm) in proposals.iter().enumerate() {
        draw_proposal(out, &f, scenario, analysis, (i, j), (k, pm));
    }
    out.push_str("</svg>");
}

/// The agreement zone: for two parties, the region under the zone's
/// frontier and above both reservation values; for more, the quadrant above
/// both reservation values (its projection is not a staircase).
fn draw_zone(out: &mut String, f: &Frame, analysis: &Analysis, (i, j): (usize, usize), two: bool) {
    let rv = analysis.reservations();
    if two && !analysis.zone_pareto.is_empty() {
        let mut pts: Vec<(f64, f64)> = analysis
            .zone_pareto
            .iter()
            .map(|p| (p.utilities[i], p.utilities[j]))
            .collect();
        pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
        let mut poly = vec![(rv[i], rv[j]), (rv[i], pts[0].1)];
        for (k, &(x, y)) in pts.iter().enumerate() {
            poly.push((x, y));
            if let Some(&(_, ny)) = pts.get(k + 1) {
                poly.push((x, ny));
            }
        }
        poly.push((pts[pts.len() - 1].0, rv[j]));
        let _ = write!(
            out,
            r#"<polygon class="zone" data-series="zone" points="{}"><title>agreement zone</title></polygon>"#,
            f.points(&poly)
        );
    } else if !two {
        let _ = write!(
            out,
            r#"<rect class="zone quadrant" data-series="zone" x="{}" y="{}" width="{}" height="{}"><title>both reservation values met</title></rect>"#,
            c(f.x(rv[i])),
            c(f.y(f.y_range.1)),
            c((f.x(f.x_range.1) - f.x(rv[i])).max(0.0)),
            c((f.y(rv[j]) - f.y(f.y_range.1)).max(0.0))
        );
    }
}

/// One frontier, as the group `class` titled `title`: in a two-party plane
/// a curve through its points; a projection of a higher-dimensional
/// frontier is only a set of points.
fn draw_frontier(
    out: &mut String,
    f: &Frame,
    (i, j, two): (usize, usize, bool),
    pts: &[Point],
    (class, title): (&str, &str),
) {
    if pts.is_empty() {
        return;
    }
    let mut xy: Vec<(f64, f64)> = pts
        .iter()
        .map(|p| (p.utilities[i], p.utilities[j]))
        .collect();
    xy.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let _ = write!(
        out,
        r#"<g class="{class}" data-series="{class}"><title>{}</title>"#,
        esc(title)
    );
    if two {
        let _ = write!(out, r#"<polyline points="{}"/>"#, f.points(&xy));
    }
    for &(x, y) in &xy {
        let _ = write!(
            out,
            r#"<circle cx="{}" cy="{}" r="2.5"/>"#,
            c(f.x(x)),
            c(f.y(y))
        );
    }
    out.push_str("</g>");
}

/// The bargaining solutions; coinciding ones share one marker and one label.
fn draw_solutions(out: &mut String, f: &Frame, analysis: &Analysis, (i, j): (usize, usize)) {
    let sols = solutions(analysis);
    // (short names, long names, position) of each distinct point.
    type Group<'s> = (Vec<&'s str>, Vec<&'s str>, (f64, f64));
    let mut groups: Vec<Group<'_>> = Vec::new();
    for (short, long, p) in &sols {
        let xy = (p.utilities[i], p.utilities[j]);
        match groups.iter_mut().find(|g| g.2 == xy) {
            Some(g) => {
                g.0.push(short);
                g.1.push(long);
            }
            None => groups.push((vec![short], vec![long], xy)),
        }
    }
    out.push_str(r#"<g class="solutions" data-series="solutions">"#);
    for (k, (shorts, longs, (x, y))) in groups.iter().enumerate() {
        let (px, py) = (f.x(*x), f.y(*y));
        let _ = write!(
            out,
            r#"<g class="solution"><title>{} ({}, {})</title><rect x="{}" y="{}" width="7" height="7" transform="rotate(45 {} {})"/><text x="{}" y="{}"{}>{}</text></g>"#,
            esc(&longs.join(" = ")),
            u(*x),
            u(*y),
            c(px - 3.5),
            c(py - 3.5),
            c(px),
            c(py),
            c(label_x(f, px, 7.0)),
            c(py + 12.0 + 10.0 * (k % 2) as f64),
            anchor(f, px),
            esc(&shorts.join("="))
        );
    }
    out.push_str("</g>");
}

/// The `k`th proposal, and the repairs of it when it is the evaluated one.
fn draw_proposal(
    out: &mut String,
    f: &Frame,
    scenario: &Scenario,
    analysis: &Analysis,
    (i, j): (usize, usize),
    (k, pm): (usize, &ProposalMark<'_>),
) {
    let pu = utilities_of(scenario, analysis, pm.outcome);
    let (px, py) = (f.x(pu[i]), f.y(pu[j]));
    if let Some(ev) = pm.evaluation {
        for (r, rep) in ev.repairs.iter().enumerate() {
            let ru = utilities_of(scenario, analysis, &rep.outcome);
            let (rx, ry) = (f.x(ru[i]), f.y(ru[j]));
            let _ = write!(
                out,
                r#"<g class="repair" data-series="repairs"><title>repair {} of {}: {}, {}</title><line x1="{}" y1="{}" x2="{}" y2="{}"/><circle cx="{}" cy="{}" r="4"/><text x="{}" y="{}"{}>repair {}</text></g>"#,
                r + 1,
                esc(pm.name),
                u(ru[i]),
                u(ru[j]),
                c(px),
                c(py),
                c(rx),
                c(ry),
                c(rx),
                c(ry),
                c(label_x(f, rx, 6.0)),
                c(ry - 6.0 - 10.0 * (r % 2) as f64),
                anchor(f, rx),
                r + 1
            );
        }
    }
    let class = if pm.evaluation.is_some() {
        "proposal evaluated"
    } else {
        "proposal"
    };
    let _ = write!(
        out,
        r#"<g class="{class}" data-series="proposals"><title>{} ({}, {})</title><path d="M{} {}l5 -9l5 9z"/><text x="{}" y="{}"{}>{}</text></g>"#,
        esc(pm.name),
        u(pu[i]),
        u(pu[j]),
        c(px - 5.0),
        c(py + 4.0),
        c(label_x(f, px, 7.0)),
        c(py - 6.0 - 11.0 * (k % 2) as f64),
        anchor(f, px),
        esc(pm.name)
    );
}

/// Labels near the right edge are drawn to the left of their point.
fn near_right(f: &Frame, x: f64) -> bool {
    x > f.width - f.right - 90.0
}

fn label_x(f: &Frame, x: f64, gap: f64) -> f64 {
    if near_right(f, x) { x - gap } else { x + gap }
}

fn anchor(f: &Frame, x: f64) -> &'static str {
    if near_right(f, x) {
        r#" text-anchor="end""#
    } else {
        ""
    }
}

/// Points when there are few outcomes, else a density raster.
fn draw_cloud(out: &mut String, f: &Frame, cl: &Cloud, i: usize, j: usize) {
    const POINTS_MAX: usize = 1500;
    const BINS: usize = 60;
    if cl.len() <= POINTS_MAX {
        out.push_str(r#"<g class="outcomes" data-series="outcomes">"#);
        for r in 0..cl.len() {
            let class = if cl.acceptable[r] { "o ok" } else { "o" };
            let _ = write!(
                out,
                r#"<circle class="{class}" cx="{}" cy="{}" r="1.8"/>"#,
                c(f.x(cl.get(r, i))),
                c(f.y(cl.get(r, j)))
            );
        }
        out.push_str("</g>");
        return;
    }
    let (x0, x1) = f.x_range;
    let (y0, y1) = f.y_range;
    let bin = |v: f64, a: f64, b: f64| -> usize {
        let t = if b > a { (v - a) / (b - a) } else { 0.0 };
        ((t * BINS as f64) as usize).min(BINS - 1)
    };
    let mut all = vec![0u32; BINS * BINS];
    let mut ok = vec![0u32; BINS * BINS];
    for r in 0..cl.len() {
        let k = bin(cl.get(r, j), y0, y1) * BINS + bin(cl.get(r, i), x0, x1);
        all[k] += 1;
        ok[k] += cl.acceptable[r] as u32;
    }
    let max = all.iter().copied().max().unwrap_or(1).max(1) as f64;
    let (bw, bh) = (
        f.inner_width() / BINS as f64,
        f.inner_height() / BINS as f64,
    );
    out.push_str(r#"<g class="density" data-series="outcomes">"#);
    for (layer, counts) in [("d", &all), ("d ok", &ok)] {
        for (k, &n) in counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let (row, col) = (k / BINS, k % BINS);
            // Log scale: a bin with one outcome is still visible next to one
            // with thousands.
            let o = 0.15 + 0.85 * (1.0 + n as f64).ln() / (1.0 + max).ln();
            let _ = write!(
                out,
                r#"<rect class="{layer}" x="{}" y="{}" width="{}" height="{}" fill-opacity="{:.2}"><title>{n} outcomes</title></rect>"#,
                c(f.left + col as f64 * bw),
                c(f.top + f.inner_height() - (row + 1) as f64 * bh),
                c(bw + 0.2),
                c(bh + 0.2),
                o
            );
        }
    }
    out.push_str("</g>");
}

/// The utility-space charts: one plane for two bargaining parties; the
/// pairwise planes and a parallel-coordinates view for three or more. The
/// `reading` (sentences under the charts, from [`crate::reading::space`]) is
/// the caller's, so that the readings may use this module's types without the
/// two modules importing each other.
pub fn utility_charts(
    scenario: &Scenario,
    analysis: &Analysis,
    cloud: Option<&Cloud>,
    proposals: &[ProposalMark<'_>],
    reading: Vec<String>,
) -> Vec<Chart> {
    let n = analysis.bargainers.len();
    if n < 2 {
        return Vec::new();
    }
    // One large plane for two parties; for more, a small plane for every
    // pair, side by side.
    let (title, size, open, close) = if n == 2 {
        ("Utility space", (560.0, 460.0), "", "")
    } else {
        (
            "Utility space, party by party",
            (340.0, 300.0),
            r#"<div class="planes">"#,
            "</div>",
        )
    };
    let mut svg = String::from(open);
    for i in 0..n {
        for j in i + 1..n {
            plane(&mut svg, scenario, analysis, cloud, proposals, (i, j), size);
        }
    }
    svg.push_str(close);
    let mut charts = vec![Chart {
        id: "utility-space".into(),
        title: title.into(),
        svg,
        reading,
        legend: legend(cloud),
    }];
    if n > 2 {
        charts.push(parallel(scenario, analysis, proposals));
    }
    charts
}

fn legend(cloud: Option<&Cloud>) -> Vec<(String, String)> {
    let mut l = vec![];
    if let Some(cl) = cloud {
        let what = if cl.sampled {
            "a sample of the outcomes"
        } else {
            "every outcome"
        };
        let style = if cl.len() > 1500 { "density" } else { "points" };
        l.push((
            "outcomes".to_string(),
            format!("{what} ({style}); green: acceptable to all"),
        ));
    }
    l.extend([
        ("zone".to_string(), "agreement zone (shaded)".to_string()),
        (
            "frontier".to_string(),
            "Pareto frontier crossing no red line (dark); red lines aside (grey)".to_string(),
        ),
        (
            "reservation".to_string(),
            "reservation values (dashed)".to_string(),
        ),
        (
            "solutions".to_string(),
            "N Nash, KS Kalai–Smorodinsky, W max welfare, E egalitarian".to_string(),
        ),
        (
            "proposals".to_string(),
            "proposals (triangles) and repairs (circles)".to_string(),
        ),
    ]);
    l
}

/// Parallel coordinates of the frontier crossing no red line: one axis per
/// bargaining party, one line per efficient deal.
fn parallel(scenario: &Scenario, analysis: &Analysis, proposals: &[ProposalMark<'_>]) -> Chart {
    let n = analysis.bargainers.len();
    let (w, h) = (120.0 * n as f64 + 80.0, 320.0);
    let f = Frame {
        width: w,
        height: h,
        left: 56.0,
        right: 40.0,
        top: 16.0,
        bottom: 44.0,
        x_range: (0.0, (n - 1) as f64),
        y_range: (0.0, 1.0),
    };
    let mut out = String::new();
    f.open(
        &mut out,
        "chart parallel",
        "Parallel coordinates of the Pareto frontier",
    );
    let yt = ticks(0.0, 1.0, 5);
    f.axes(&mut out, &[], &yt, "", "utility", |v| format!("{v:.1}"));
    for (k, &p) in analysis.bargainers.iter().enumerate() {
        let x = c(f.x(k as f64));
        let _ = write!(
            out,
            r#"<line class="pc-axis" x1="{x}" y1="{}" x2="{x}" y2="{}"/><text class="tick" x="{x}" y="{}" text-anchor="middle">{}</text>"#,
            c(f.y(0.0)),
            c(f.y(1.0)),
            c(h - 26.0),
            esc(party_name(scenario, p))
        );
    }
    let rv = analysis.reservations();
    let line = |out: &mut String, us: &[f64], class: &str, title: &str| {
        let d: Vec<String> = us
            .iter()
            .enumerate()
            .map(|(k, &v)| format!("{},{}", c(f.x(k as f64)), c(f.y(v.clamp(0.0, 1.0)))))
            .collect();
        let _ = write!(
            out,
            r#"<polyline class="{class}" points="{}"><title>{}</title></polyline>"#,
            d.join(" "),
            esc(title)
        );
    };
    out.push_str(r#"<g class="pc-lines" data-series="frontier">"#);
    for p in &analysis.feasible_pareto {
        let in_zone = p.utilities.iter().zip(&rv).all(|(a, b)| a >= b);
        let us: Vec<String> = p.utilities.iter().map(|&x| u(x)).collect();
        line(
            &mut out,
            &p.utilities,
            if in_zone { "pc in-zone" } else { "pc" },
            &us.join(", "),
        );
    }
    out.push_str("</g>");
    line(&mut out, &rv, "pc reservation", "reservation values");
    for (k, (_, long, p)) in solutions(analysis).iter().enumerate() {
        let _ = write!(
            out,
            r#"<g class="pc-solution" data-series="sol-{k}" style="stroke:{}">"#,
            color(k)
        );
        line(&mut out, &p.utilities, "pc sol", long);
        out.push_str("</g>");
    }
    for pm in proposals {
        line(
            &mut out,
            &utilities_of(scenario, analysis, pm.outcome),
            "pc proposal",
            pm.name,
        );
    }
    out.push_str("</svg>");
    let zone = analysis.zone_pareto.len();
    let reading = vec![format!(
        "Each line is one efficient deal crossing no red line ({} in all); {} of them give every party at least its reservation value (dark lines). The dashed line joins the reservation values; coloured lines are the bargaining solutions, red dashed lines the proposals.",
        analysis.feasible_pareto.len(),
        zone
    )];
    Chart {
        id: "parallel-frontier".into(),
        title: "The frontier in parallel coordinates".into(),
        svg: out,
        reading,
        legend: solutions(analysis)
            .iter()
            .enumerate()
            .map(|(k, (_, long, _))| (format!("sol-{k}"), long.to_string()))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strides_are_coprime_with_the_space() {
        for count in [10u64, 11_664, 1 << 20, 999_983 * 4] {
            let s = coprime_stride(count, 1000);
            assert_eq!(gcd(s, count), 1);
        }
    }
}
