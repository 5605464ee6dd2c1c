//! Writing a scenario as GENIUS XML: one domain file and one profile per
//! party.
//!
//! A party read from GENIUS (`CappedAtOne`, additive, no interactions) is
//! written with its weights as read and its evaluations as detente holds
//! them (each discrete issue's already divided by its largest, which GENIUS's
//! own division then leaves unchanged), so GENIUS → detente → GENIUS gives
//! bit-identical utilities. Any other additive party is written from its
//! compiled per-issue terms `c_i(v)` (the utility is `Σ c_i(v)`): weight
//! `max_v c_i(v)`, evaluation `c_i(v) / max_v c_i(v)`, which GENIUS maps back
//! to `c_i(v)`. What GENIUS cannot express is an error naming the party and
//! the reason: red lines, interaction terms, utilities above 1 where GENIUS
//! would cap them, negative values, value functions of integer issues that
//! are not clamped-linear, continuous issues whose grid is not GENIUS's 21
//! points or whose value function is not linear, constant or triangular.

use super::xml::escape;
use super::{Distinct, REAL_GRID_POINTS, UNCERTAIN_EXTRAS, UNCERTAIN_PREFIX};
use crate::error::FormatError;
use detente_core::{
    HyperRectangle, Issue, IssueKind, Normalisation, Party, ScenarioParts, UtilityModel,
    ValueFunction, utility::compile,
};
use std::fmt::Write as _;

/// The text of a domain file and of one profile file per party (party name,
/// XML text), in party order.
#[derive(Clone, Debug)]
pub struct GeniusFiles {
    /// The domain file's XML text.
    pub domain: String,
    /// One `(party name, XML text)` per party, in party order; the name gives the profile's
    /// file name.
    pub profiles: Vec<(String, String)>,
}

fn num(x: f64) -> String {
    // Rust's shortest round-trip form; Java's Double.parseDouble reads it back exactly.
    format!("{x}")
}

/// Why a party cannot be written in a competition format, GENIUS or
/// GeniusWeb: the reason, naming the issue or the number it is about. The
/// user sees it after "party `…` cannot be written as …: " (see
/// [`unwritable`]).
#[derive(Debug, thiserror::Error)]
pub(crate) enum Inexpressible {
    /// The party has red lines; neither format has them.
    #[error("{format} profiles have no red lines")]
    RedLines {
        /// `GENIUS` or `GeniusWeb`.
        format: &'static str,
    },
    /// GENIUS: box utilities that are not capped at 1.
    #[error("box utilities are capped at 1 in GENIUS; this party's are not")]
    UncappedBoxes,
    /// GENIUS: a box names an issue the scenario does not have.
    #[error("a box refers to a missing issue")]
    MissingIssue,
    /// GENIUS: a box bounds an issue that is not an integer issue.
    #[error("a box bounds issue `{issue}`, which is not an integer issue")]
    BoxOnNonInteger {
        /// The issue's name.
        issue: String,
    },
    /// GENIUS: a linear profile for a party whose model is not additive.
    #[error("not additive")]
    NotAdditive,
    /// GENIUS: interaction terms, which linear profiles do not have.
    #[error("GENIUS linear profiles have no interaction terms")]
    Interactions,
    /// The preferences do not compile (the model's own message).
    #[error(transparent)]
    Model(#[from] detente_core::ModelError),
    /// The compiled utility is not a sum of per-issue terms.
    #[error("the utility is not a sum of per-issue terms")]
    NotSum,
    /// GENIUS: the best utility is above 1, where GENIUS would cap it.
    #[error("its best utility is {best}, and GENIUS caps utilities at 1")]
    AboveOne {
        /// The party's best utility, uncapped.
        best: f64,
    },
    /// GeniusWeb: the utility exceeds 1, and GeniusWeb has no cap.
    #[error(
        "its utility reaches {best} before {}capping at 1, and GeniusWeb utilities have no cap",
        if *capped { "GENIUS's " } else { "" }
    )]
    AboveOneUncapped {
        /// The party's best utility, uncapped.
        best: f64,
        /// Whether the party's utility is capped at 1 (GENIUS's rule).
        capped: bool,
    },
    /// GENIUS: an issue's terms go below 0.
    #[error("issue `{issue}` has negative terms, which GENIUS evaluations cannot express")]
    NegativeTerms {
        /// The issue's name.
        issue: String,
    },
    /// GeniusWeb: an issue's utilities go below 0.
    #[error("issue `{issue}` has negative utilities")]
    NegativeUtilities {
        /// The issue's name.
        issue: String,
    },
    /// GENIUS: a numeric issue's values are not of an evaluator's shape.
    #[error(
        "the values of issue `{issue}` are not what a GENIUS evaluator of a numeric issue can express (clamped linear, constant or triangular)"
    )]
    NotEvaluator {
        /// The issue's name.
        issue: String,
    },
    /// GeniusWeb: a numeric issue's utilities are not linear.
    #[error(
        "issue `{issue}`: GeniusWeb number utilities are linear from the lowest to the highest value"
    )]
    NotLinear {
        /// The issue's name.
        issue: String,
    },
    /// GeniusWeb: no reservation bid could be searched for.
    #[error(
        "its reservation value {reservation} must become a reservation bid, and the space is too large to search for one"
    )]
    NoReservationBid {
        /// The party's reservation value.
        reservation: f64,
    },
}

/// The error of a party that `format` (`GENIUS` or `GeniusWeb`) cannot hold:
/// about the scenario, naming the party and the reason.
pub(crate) fn unwritable(
    parts: &ScenarioParts,
    party: &Party,
    format: &str,
    reason: Inexpressible,
) -> FormatError {
    FormatError::unusable(
        &parts.name,
        format!(
            "party `{}` cannot be written as {format}: {reason}",
            party.name
        ),
    )
}

/// A party's additive utility as one column of terms per issue.
pub(crate) struct Terms {
    /// `c_i(v)` by issue and value: the compiled terms scaled, the offset
    /// added to the first issue's, so that the utility is `Σ_i c_i(v)`
    /// before any cap.
    pub(crate) columns: Vec<Vec<f64>>,
    /// Whether the utility is capped at 1 (GENIUS's rule).
    pub(crate) capped: bool,
}

/// The per-issue terms of a party's utility. Both competition writers start
/// from these, since their profiles hold a weighted sum of per-issue
/// evaluations and nothing else.
pub(crate) fn per_issue_terms(
    parts: &ScenarioParts,
    party: &Party,
) -> Result<Terms, Inexpressible> {
    let (u, _) = compile(&party.name, &party.preferences, &parts.issues)?;
    if !u.is_additive() {
        return Err(Inexpressible::NotSum);
    }
    let mut columns: Vec<Vec<f64>> = u
        .terms
        .iter()
        .map(|t| t.iter().map(|&x| x * u.scale).collect())
        .collect();
    if u.offset != 0.0 {
        for x in columns[0].iter_mut() {
            *x += u.offset;
        }
    }
    Ok(Terms {
        columns,
        capped: u.cap.is_finite(),
    })
}

/// Writes the scenario as GENIUS XML texts.
pub fn write(parts: &ScenarioParts) -> Result<GeniusFiles, FormatError> {
    let domain = domain_xml(parts)?;
    let mut profiles = Vec::with_capacity(parts.parties.len());
    for party in &parts.parties {
        let text = profile(parts, party).map_err(|e| unwritable(parts, party, "GENIUS", e))?;
        profiles.push((party.name.clone(), text));
    }
    Ok(GeniusFiles { domain, profiles })
}

/// The domain file: every issue with its values (a real issue only when its
/// grid is the one detente reads GENIUS's real issues with).
fn domain_xml(parts: &ScenarioParts) -> Result<String, FormatError> {
    let mut d = String::new();
    let _ = writeln!(d, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let _ = writeln!(d, "<negotiation_template>");
    let _ = writeln!(
        d,
        "<utility_space number_of_issues=\"{}\">",
        parts.issues.len()
    );
    let _ = writeln!(
        d,
        "<objective index=\"0\" name=\"{}\" type=\"objective\" etype=\"objective\">",
        escape(&parts.name)
    );
    for (k, issue) in parts.issues.iter().enumerate() {
        let head = issue_head(k, issue);
        match &issue.kind {
            IssueKind::Categorical { options, .. } => {
                let _ = writeln!(d, "  {head}>");
                for (j, o) in options.iter().enumerate() {
                    let _ = writeln!(d, "    <item index=\"{}\" value=\"{}\"/>", j + 1, escape(o));
                }
                let _ = writeln!(d, "  </issue>");
            }
            IssueKind::Integer { .. } => {
                let _ = writeln!(d, "  {head}/>");
            }
            IssueKind::Continuous { min, max, step } => {
                if issue.cardinality() != REAL_GRID_POINTS && max > min {
                    return Err(FormatError::unusable(
                        &parts.name,
                        format!(
                            "issue `{}`: a GENIUS real issue has no grid; detente reads it with {REAL_GRID_POINTS} points, but this issue has step {step} ({} points)",
                            issue.name,
                            issue.cardinality()
                        ),
                    ));
                }
                let _ = writeln!(d, "  {head}>");
                let _ = writeln!(
                    d,
                    "    <range lowerbound=\"{}\" upperbound=\"{}\"/>",
                    num(*min),
                    num(*max)
                );
                let _ = writeln!(d, "  </issue>");
            }
        }
    }
    let _ = writeln!(d, "</objective>\n</utility_space>\n</negotiation_template>");
    Ok(d)
}

fn issue_head(k: usize, issue: &Issue) -> String {
    let ty = match issue.kind {
        IssueKind::Categorical { .. } => "discrete",
        IssueKind::Integer { .. } => "integer",
        IssueKind::Continuous { .. } => "real",
    };
    let mut s = format!(
        "<issue index=\"{}\" name=\"{}\" type=\"{ty}\" etype=\"{ty}\" vtype=\"{ty}\"",
        k + 1,
        escape(&issue.name)
    );
    if !issue.description.is_empty() {
        let _ = write!(s, " description=\"{}\"", escape(&issue.description));
    }
    if let IssueKind::Integer { min, max } = issue.kind {
        let _ = write!(s, " lowerbound=\"{min}\" upperbound=\"{max}\"");
    }
    s
}

/// One issue's evaluator in a profile: a weight and the inner XML.
struct Eval {
    weight: f64,
    inner: String,
}

/// One party's profile file.
fn profile(parts: &ScenarioParts, party: &Party) -> Result<String, Inexpressible> {
    let prefs = &party.preferences;
    if !prefs.red_lines.is_empty() {
        return Err(Inexpressible::RedLines { format: "GENIUS" });
    }
    let uncertain = party.description.strip_prefix(UNCERTAIN_PREFIX);
    let mut s = String::new();
    let _ = writeln!(s, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let ty = match (&prefs.model, uncertain) {
        (UtilityModel::HyperRectangles { .. }, _) => " type=\"nonlinear\"",
        (_, Some(_)) => " type=\"UNCERTAIN\"",
        _ => "",
    };
    let _ = writeln!(s, "<utility_space{ty}>");
    let _ = writeln!(
        s,
        "<objective index=\"0\" name=\"{}\" type=\"objective\" etype=\"objective\">",
        escape(&parts.name)
    );
    match &prefs.model {
        UtilityModel::HyperRectangles {
            rectangles,
            max_utility,
        } => {
            if prefs.normalisation != Normalisation::CappedAtOne {
                return Err(Inexpressible::UncappedBoxes);
            }
            boxes_xml(&mut s, parts, rectangles, *max_utility)?;
        }
        UtilityModel::Additive { .. } => {
            let evals = additive_evaluators(parts, party)?;
            for (k, (issue, e)) in parts.issues.iter().zip(&evals).enumerate() {
                let head = issue_head(k, issue);
                let _ = writeln!(s, "  {head}>\n{}  </issue>", e.inner);
            }
            for (k, e) in evals.iter().enumerate() {
                let _ = writeln!(
                    s,
                    "  <weight index=\"{}\" value=\"{}\"/>",
                    k + 1,
                    num(e.weight)
                );
            }
        }
    }
    let _ = writeln!(s, "</objective>");
    let _ = writeln!(s, "<discount_factor value=\"{}\"/>", num(prefs.discount));
    let _ = writeln!(s, "<reservation value=\"{}\"/>", num(prefs.reservation));
    if let Some(rest) = uncertain {
        uncertain_extras(&mut s, rest);
    }
    let _ = writeln!(s, "</utility_space>");
    Ok(s)
}

/// An ANAC 2014 non-linear profile's issues and `<utility>`: one sum of
/// hyper-rectangles over integer issues.
fn boxes_xml(
    s: &mut String,
    parts: &ScenarioParts,
    rectangles: &[HyperRectangle],
    max_utility: f64,
) -> Result<(), Inexpressible> {
    for (k, issue) in parts.issues.iter().enumerate() {
        let _ = writeln!(s, "  {}/>", issue_head(k, issue));
    }
    let _ = writeln!(s, "  <utility maxutility=\"{}\">", num(max_utility));
    let _ = writeln!(
        s,
        "    <ufun type=\"PlainUfun\" weight=\"1\" aggregation=\"sum\">"
    );
    for r in rectangles {
        let _ = writeln!(s, "      <hyperRectangle utility=\"{}\">", num(r.utility));
        for &(i, lo, hi) in &r.bounds {
            let issue = parts
                .issues
                .get(i.index())
                .ok_or(Inexpressible::MissingIssue)?;
            let IssueKind::Integer { min, .. } = issue.kind else {
                return Err(Inexpressible::BoxOnNonInteger {
                    issue: issue.name.clone(),
                });
            };
            let _ = writeln!(
                s,
                "        <INCLUDES index=\"{}\" min=\"{}\" max=\"{}\"/>",
                i.index() + 1,
                min + lo as i64,
                min + hi as i64
            );
        }
        let _ = writeln!(s, "      </hyperRectangle>");
    }
    let _ = writeln!(s, "    </ufun>\n  </utility>");
    Ok(())
}

/// An UNCERTAIN profile's elicitation settings, from what the reader kept in
/// the party description (`rest`, after [`UNCERTAIN_PREFIX`]); GENIUS's
/// default for any setting it does not name.
fn uncertain_extras(s: &mut String, rest: &str) {
    for (name, default) in UNCERTAIN_EXTRAS {
        let v = rest
            .split(',')
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map_or(default, |(_, v)| v.trim());
        let _ = writeln!(s, "<{name}>{}</{name}>", escape(v));
    }
}

/// A linear profile's evaluators: verbatim for a party read from GENIUS,
/// else from its compiled per-issue terms.
fn additive_evaluators(parts: &ScenarioParts, party: &Party) -> Result<Vec<Eval>, Inexpressible> {
    let prefs = &party.preferences;
    let UtilityModel::Additive {
        weights,
        values,
        interactions,
    } = &prefs.model
    else {
        return Err(Inexpressible::NotAdditive);
    };
    if !interactions.is_empty() {
        return Err(Inexpressible::Interactions);
    }
    // GENIUS-origin parties keep their weights and value functions as read.
    if prefs.normalisation == Normalisation::CappedAtOne {
        let verbatim: Option<Vec<Eval>> = parts
            .issues
            .iter()
            .zip(weights.iter().zip(values))
            .map(|(issue, (&w, vf))| verbatim_evaluator(issue, w, vf))
            .collect();
        if let Some(v) = verbatim {
            return Ok(v);
        }
    }
    let terms = per_issue_terms(parts, party)?;
    let best: f64 = terms
        .columns
        .iter()
        .map(|c| c.iter().copied().fold(f64::NEG_INFINITY, f64::max))
        .sum();
    if !terms.capped && best > 1.0 + 1e-9 {
        return Err(Inexpressible::AboveOne { best });
    }
    parts
        .issues
        .iter()
        .zip(&terms.columns)
        .map(|(issue, col)| term_evaluator(issue, col))
        .collect()
}

/// The evaluator of one issue's terms: weight `max_v c(v)`, evaluations
/// `c(v) / max_v c(v)`, which GENIUS multiplies back to `c(v)`.
fn term_evaluator(issue: &Issue, col: &[f64]) -> Result<Eval, Inexpressible> {
    if col.iter().any(|&x| x < -1e-12) {
        return Err(Inexpressible::NegativeTerms {
            issue: issue.name.clone(),
        });
    }
    let m = col.iter().copied().fold(0.0, f64::max);
    let e: Vec<f64> = col
        .iter()
        .map(|&x| if m > 0.0 { (x / m).max(0.0) } else { 0.0 })
        .collect();
    let not_evaluator = || Inexpressible::NotEvaluator {
        issue: issue.name.clone(),
    };
    let inner = match &issue.kind {
        IssueKind::Categorical { options, .. } => items(options, &e),
        IssueKind::Integer { .. } => integer_evaluator(&e).ok_or_else(not_evaluator)?,
        IssueKind::Continuous { .. } => {
            let points: Vec<(f64, f64)> = (0..issue.cardinality())
                .map(|v| (issue.numeric_value(v).unwrap_or(0.0), e[v as usize]))
                .collect();
            real_evaluator(issue, &ValueFunction::Piecewise(points)).ok_or_else(not_evaluator)?
        }
    };
    Ok(Eval { weight: m, inner })
}

fn items(options: &[String], evals: &[f64]) -> String {
    let mut s = String::new();
    for (j, (o, e)) in options.iter().zip(evals).enumerate() {
        let _ = writeln!(
            s,
            "    <item index=\"{}\" value=\"{}\" evaluation=\"{}\"/>",
            j + 1,
            escape(o),
            num(*e)
        );
    }
    s
}

/// The evaluator of a GENIUS-origin issue, numbers unchanged; `None` when the
/// value function is not of a GENIUS shape.
fn verbatim_evaluator(issue: &Issue, w: f64, vf: &ValueFunction) -> Option<Eval> {
    let inner = match (&issue.kind, vf) {
        (IssueKind::Categorical { options, .. }, ValueFunction::Table(t)) => {
            let max = t.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            // GENIUS divides by the largest evaluation: exact when it is 1,
            // or when every value is 0.
            if !(max == 1.0 || t.iter().all(|&x| x == 0.0)) || t.iter().any(|&x| x < 0.0) {
                return None;
            }
            items(options, t)
        }
        (IssueKind::Integer { .. }, ValueFunction::Table(t)) => integer_evaluator(t)?,
        (IssueKind::Continuous { .. }, vf @ ValueFunction::Piecewise(_)) => {
            real_evaluator(issue, vf)?
        }
        _ => return None,
    };
    Some(Eval { weight: w, inner })
}

/// A clamped-linear integer evaluator reproducing `t` (values at lower bound,
/// lower bound + 1, ...), if there is one.
fn integer_evaluator(t: &[f64]) -> Option<String> {
    let f = |slope: f64, offset: f64, k: usize| (slope * k as f64 + offset).clamp(0.0, 1.0);
    let mut candidates = Vec::new();
    match t {
        [] => return None,
        [only] => candidates.push((0.0, *only)),
        _ => {
            candidates.push((t[1] - t[0], t[0]));
            // The widest pair of unclamped values pins the line best.
            let inside = |x: f64| x > 0.0 && x < 1.0;
            let first = t.iter().position(|&x| inside(x));
            let last = t.iter().rposition(|&x| inside(x));
            if let (Some(i), Some(j)) = (first, last)
                && j > i
            {
                let slope = (t[j] - t[i]) / (j - i) as f64;
                candidates.push((slope, t[i] - slope * i as f64));
            }
        }
    }
    let fits = |slope: f64, offset: f64, tol: f64| {
        t.iter()
            .enumerate()
            .all(|(k, &x)| (f(slope, offset, k) - x).abs() <= tol)
    };
    let evaluator = |slope: f64, offset: f64| {
        format!(
            "    <evaluator ftype=\"linear\" slope=\"{}\" offset=\"{}\"/>\n",
            num(slope),
            num(offset)
        )
    };
    // A GENIUS evaluator's table is recovered only up to rounding; a few
    // units in the last place around each candidate usually find the
    // original numbers, which give the table back bit for bit.
    let nudge = |x: f64, d: i64| {
        let y = f64::from_bits(x.to_bits().wrapping_add_signed(d));
        if y.is_finite() { y } else { x }
    };
    if t.len() <= 100_000 {
        for &(slope, offset) in &candidates {
            for ds in -4..=4 {
                for doff in -4..=4 {
                    let (s, o) = (nudge(slope, ds), nudge(offset, doff));
                    if fits(s, o, 0.0) {
                        return Some(evaluator(s, o));
                    }
                }
            }
        }
    }
    candidates
        .into_iter()
        .find(|&(s, o)| fits(s, o, 1e-12))
        .map(|(s, o)| evaluator(s, o))
}

/// A GENIUS real evaluator (linear, constant or triangular) reproducing the
/// piecewise function on the issue's grid, if there is one.
fn real_evaluator(issue: &Issue, vf: &ValueFunction) -> Option<String> {
    let ValueFunction::Piecewise(points) = vf else {
        return None;
    };
    let grid: Vec<f64> = (0..issue.cardinality())
        .filter_map(|v| issue.numeric_value(v))
        .collect();
    let matches = |g: &dyn Fn(f64) -> f64| {
        grid.iter()
            .chain(points.iter().map(|p| &p.0))
            .all(|&x| (g(x) - vf.value(0, Some(x))).abs() <= 1e-12)
    };
    if let [(_, y)] = points.as_slice() {
        return Some(format!(
            "    <evaluator ftype=\"constant\" parameter0=\"{}\"/>\n",
            num(*y)
        ));
    }
    if let [(lo, a), (top, b), (hi, c)] = points.as_slice()
        && *a == 0.0
        && *b == 1.0
        && *c == 0.0
        && lo < top
        && top < hi
    {
        return Some(format!(
            "    <evaluator ftype=\"triangular\" parameter0=\"{}\" parameter1=\"{}\" parameter2=\"{}\"/>\n",
            num(*lo),
            num(*hi),
            num(*top)
        ));
    }
    // Clamped linear: the line through the first rising or falling segment
    // (clamping flattens the others), else through the ends.
    let mut candidates: Vec<((f64, f64), (f64, f64))> = points
        .windows(2)
        .filter(|w| w[1].0 > w[0].0 && w[1].1 != w[0].1)
        .map(|w| (w[0], w[1]))
        .take(1)
        .collect();
    candidates.push((*points.first()?, *points.last()?));
    for (p, q) in candidates {
        if !(q.0 > p.0) {
            continue;
        }
        let slope = (q.1 - p.1) / (q.0 - p.0);
        let intercept = p.1 - slope * p.0;
        if matches(&|x| (slope * x + intercept).clamp(0.0, 1.0)) {
            return Some(format!(
                "    <evaluator ftype=\"linear\" parameter0=\"{}\" parameter1=\"{}\"/>\n",
                num(intercept),
                num(slope)
            ));
        }
    }
    None
}

/// Whether every additive party's value on numeric issue `k` is an affine
/// function of the number (to 1e-9), so a linear evaluator can hold it.
fn affine_for_all(parts: &ScenarioParts, k: usize, issue: &Issue) -> bool {
    let n = issue.cardinality();
    if n < 2 {
        return false;
    }
    parts.parties.iter().all(|p| {
        let UtilityModel::Additive { values, .. } = &p.preferences.model else {
            return false;
        };
        let Some(vf) = values.get(k) else {
            return false;
        };
        let x = |v: u32| issue.numeric_value(v).unwrap_or(v as f64);
        let y = |v: u32| vf.value(v, issue.numeric_value(v));
        let (x0, x1, y0, y1) = (x(0), x(n - 1), y(0), y(n - 1));
        if !(x1 > x0) {
            return false;
        }
        (0..n).all(|v| (y0 + (y1 - y0) * (x(v) - x0) / (x1 - x0) - y(v)).abs() <= 1e-9)
    })
}

/// A copy of the scenario that the GENIUS and GeniusWeb writers can express
/// more often, and notes on what changed: red lines and interaction terms
/// are dropped (the latter changes utilities), and numeric issues not bounded
/// by any box become categorical issues whose options are the grid values'
/// labels, each party's values tabulated on them (utilities unchanged).
pub fn lossy(parts: &ScenarioParts) -> (ScenarioParts, Vec<String>) {
    lossy_with(parts, false)
}

/// [`lossy`], but with `keep_linear` a numeric issue on which every party's
/// value is affine in the number (GENIUS's linear evaluators, GeniusWeb's
/// number utilities) stays numeric: an integer issue stays a GENIUS integer
/// issue or a GeniusWeb number value set instead of becoming strings like
/// `"20"`. The writer may still refuse such an issue (a continuous grid
/// GENIUS cannot hold, negative values), so callers fall back to
/// `lossy_with(parts, false)`.
pub fn lossy_with(parts: &ScenarioParts, keep_linear: bool) -> (ScenarioParts, Vec<String>) {
    let mut out = parts.clone();
    let mut notes = Vec::new();
    // Issues some box bounds, found in one pass over the boxes.
    let mut boxed = vec![false; parts.issues.len()];
    for p in &parts.parties {
        if let UtilityModel::HyperRectangles { rectangles, .. } = &p.preferences.model {
            for b in rectangles.iter().flat_map(|r| &r.bounds) {
                if let Some(x) = boxed.get_mut(b.0.index()) {
                    *x = true;
                }
            }
        }
    }
    for party in &mut out.parties {
        let prefs = &mut party.preferences;
        if !prefs.red_lines.is_empty() {
            notes.push(format!(
                "party `{}`: {} red line(s) dropped",
                party.name,
                prefs.red_lines.len()
            ));
            prefs.red_lines.clear();
        }
        if let UtilityModel::Additive { interactions, .. } = &mut prefs.model
            && !interactions.is_empty()
        {
            notes.push(format!(
                "party `{}`: {} interaction term(s) dropped; its utilities change",
                party.name,
                interactions.len()
            ));
            interactions.clear();
        }
    }
    for (k, issue) in parts.issues.iter().enumerate() {
        if !issue.is_numeric() || boxed[k] {
            continue;
        }
        let n = issue.cardinality();
        if keep_linear && affine_for_all(parts, k, issue) {
            continue;
        }
        for party in &mut out.parties {
            if let UtilityModel::Additive { values, .. } = &mut party.preferences.model {
                let table = (0..n)
                    .map(|v| values[k].value(v, issue.numeric_value(v)))
                    .collect();
                values[k] = ValueFunction::Table(table);
            }
        }
        let mut distinct = Distinct::default();
        let options: Vec<String> = (0..n)
            .map(|v| distinct.name(&issue.value_label(v)))
            .collect();
        out.issues[k].kind = IssueKind::Categorical {
            options,
            ordered: true,
        };
        notes.push(format!(
            "issue `{}`: written as {n} discrete values",
            issue.name
        ));
    }
    (out, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scenario of one issue whose second party is given by `extra` (TOML
    /// lines after its name).
    fn parts(extra: &str) -> ScenarioParts {
        let text = format!(
            "name = \"s\"\n[[issues]]\nname = \"i\"\noptions = [\"a\", \"b\"]\n\
             [[parties]]\nname = \"p\"\nweights = {{ i = 1 }}\nvalues.i = {{ a = 0, b = 1 }}\n\
             [[parties]]\nname = \"q\"\n{extra}"
        );
        crate::native::read_str(&text, "s.toml")
            .unwrap()
            .parts()
            .clone()
    }

    /// The messages of what the competition writers cannot hold stay the
    /// sentences users have seen, now that they come from `Inexpressible`.
    #[test]
    fn unwritable_parties_name_the_party_and_the_reason() {
        let red = parts(
            "weights = { i = 1 }\nvalues.i = { a = 1, b = 0 }\n\
             [[parties.red_lines]]\nwhen = { i = \"b\" }\n",
        );
        let e = write(&red).unwrap_err().to_string();
        assert_eq!(
            e,
            "s: party `q` cannot be written as GENIUS: GENIUS profiles have no red lines"
        );
        let e = crate::geniusweb::write(&red).unwrap_err().to_string();
        assert_eq!(
            e,
            "s: party `q` cannot be written as GeniusWeb: GeniusWeb profiles have no red lines"
        );
        let big = parts(
            "normalisation = \"as-given\"\nweights = { i = 2 }\nvalues.i = { a = 1, b = 0 }\n",
        );
        let e = write(&big).unwrap_err().to_string();
        assert_eq!(
            e,
            "s: party `q` cannot be written as GENIUS: its best utility is 2, and GENIUS caps utilities at 1"
        );
        let e = crate::geniusweb::write(&big).unwrap_err().to_string();
        assert_eq!(
            e,
            "s: party `q` cannot be written as GeniusWeb: its utility reaches 2 before capping at 1, and GeniusWeb utilities have no cap"
        );
    }
}
