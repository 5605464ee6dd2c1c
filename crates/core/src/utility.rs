//! Compiled utility functions and red lines: flat tables over value indices,
//! evaluated without allocation.

use crate::ModelError;
use crate::issue::Issue;
use crate::preference::{
    Clause, Interaction, Normalisation, Preferences, UtilityModel, ValueFunction,
};

/// The largest sub-space of coupled issues (issues linked by interaction
/// terms) that is enumerated to find a party's exact best and worst outcome.
pub const MAX_COUPLED_OUTCOMES: u64 = 50_000_000;

/// A term over several issues, stored as a dense table over the product of
/// their values.
#[derive(Clone, Debug, PartialEq)]
pub struct Factor {
    /// The issues the term depends on, by index, in the order the table's strides follow.
    pub issues: Vec<usize>,
    strides: Vec<usize>,
    /// The term's value for every combination of the issues' values, in mixed radix with the
    /// first listed issue most significant.
    pub table: Box<[f64]>,
}

impl Factor {
    fn new(issues: Vec<usize>, radices: &[u32]) -> Self {
        let mut strides = vec![0; issues.len()];
        let mut size = 1usize;
        for (k, &i) in issues.iter().enumerate().rev() {
            strides[k] = size;
            size *= radices[i] as usize;
        }
        Factor {
            issues,
            strides,
            table: vec![0.0; size].into_boxed_slice(),
        }
    }

    #[inline]
    fn slot(&self, outcome: &[u32]) -> usize {
        self.issues
            .iter()
            .zip(&self.strides)
            .map(|(&i, &s)| outcome[i] as usize * s)
            .sum()
    }

    /// The term's contribution for `outcome` (a full outcome; only the factor's issues are
    /// read).
    #[inline]
    pub fn value(&self, outcome: &[u32]) -> f64 {
        self.table[self.slot(outcome)]
    }
}

/// A compiled ANAC 2014 box: contributes `utility` (before the division by
/// the profile's maximum, see [`CompiledUtility::divisor`]) when every bound
/// holds.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledRectangle {
    /// The constrained issues, by index, each with its inclusive range of value indices.
    pub bounds: Box<[(usize, u32, u32)]>,
    /// What the box adds to the raw sum when every bound holds.
    pub utility: f64,
}

/// A utility function ready for hot loops:
/// `min(cap, scale · (Σ_i terms[i][o_i] + Σ factors + Σ boxes) / divisor + offset)`.
///
/// The additive sum runs in issue order starting from 0.0, exactly as GENIUS
/// sums, so utilities read from GENIUS files are bit-identical to GENIUS's.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledUtility {
    /// Per issue, the contribution of each value index to the raw sum (weights already
    /// applied).
    pub terms: Vec<Box<[f64]>>,
    /// Dense tables for interaction terms, each over the issues it couples.
    pub factors: Vec<Factor>,
    /// The boxes of a non-linear profile.
    pub rectangles: Vec<CompiledRectangle>,
    /// The multiplier of the affine map from the raw sum to the utility scale.
    pub scale: f64,
    /// The constant of the affine map from the raw sum to the utility scale.
    pub offset: f64,
    /// The largest utility returned (`f64::INFINITY` when uncapped, 1 for GENIUS's capped
    /// profiles).
    pub cap: f64,
    /// GENIUS's non-linear profiles divide the sum of box utilities by their
    /// maximum utility (1 otherwise); dividing, rather than multiplying by
    /// the inverse, keeps the result bit-identical to GENIUS's.
    pub divisor: f64,
}

impl CompiledUtility {
    /// The utility of `outcome` (value indices in issue order), undiscounted;
    /// it allocates nothing, for hot loops.
    #[inline]
    pub fn eval(&self, outcome: &[u32]) -> f64 {
        let mut s = 0.0;
        for (t, &v) in self.terms.iter().zip(outcome) {
            s += t[v as usize];
        }
        self.finish(s + self.non_additive(outcome))
    }

    /// The part that is not a per-issue sum: factors and boxes.
    #[inline]
    pub fn non_additive(&self, outcome: &[u32]) -> f64 {
        let mut s = 0.0;
        for f in &self.factors {
            s += f.value(outcome);
        }
        for r in &self.rectangles {
            if r.bounds
                .iter()
                .all(|&(i, lo, hi)| outcome[i] >= lo && outcome[i] <= hi)
            {
                s += r.utility;
            }
        }
        s
    }

    /// Maps a raw sum to the utility scale.
    #[inline]
    pub fn finish(&self, raw: f64) -> f64 {
        let raw = if self.divisor == 1.0 {
            raw
        } else {
            raw / self.divisor
        };
        let u = if self.scale == 1.0 && self.offset == 0.0 {
            raw
        } else {
            raw * self.scale + self.offset
        };
        u.min(self.cap)
    }

    /// True when the utility is a plain sum of per-issue terms (then the
    /// exact frontier can be computed without enumerating outcomes).
    pub fn is_additive(&self) -> bool {
        self.factors.is_empty() && self.rectangles.is_empty()
    }
}

/// Red lines ready for hot loops: single-issue red lines become a mask of
/// forbidden values per issue; the rest stay clauses.
#[derive(Clone, Debug, PartialEq)]
pub struct CompiledRedLines {
    /// Per issue, which value indices some single-issue red line forbids.
    pub forbidden: Vec<Box<[bool]>>,
    /// The red lines over several issues, checked one by one.
    pub clauses: Vec<Clause>,
}

impl CompiledRedLines {
    fn new(red_lines: &[Clause], radices: &[u32]) -> Self {
        let mut forbidden: Vec<Box<[bool]>> = radices
            .iter()
            .map(|&r| vec![false; r as usize].into_boxed_slice())
            .collect();
        let mut clauses = Vec::new();
        for c in red_lines {
            match c.conditions.as_slice() {
                [single] => {
                    for v in single.values.indices() {
                        forbidden[single.issue.index()][v as usize] = true;
                    }
                }
                _ => clauses.push(c.clone()),
            }
        }
        CompiledRedLines { forbidden, clauses }
    }

    /// True when the outcome crosses at least one red line.
    #[inline]
    pub fn crossed(&self, outcome: &[u32]) -> bool {
        self.forbidden
            .iter()
            .zip(outcome)
            .any(|(f, &v)| f[v as usize])
            || self.clauses.iter().any(|c| c.holds(outcome))
    }

    /// True when every red line excludes values of a single issue.
    pub fn is_per_value(&self) -> bool {
        self.clauses.is_empty()
    }

    /// True when the party has no red line at all, so every outcome is acceptable to it.
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty() && self.forbidden.iter().all(|f| f.iter().all(|b| !b))
    }
}

/// Compiles one party's preferences over the given issues.
pub fn compile(
    party: &str,
    prefs: &Preferences,
    issues: &[Issue],
) -> Result<(CompiledUtility, CompiledRedLines), ModelError> {
    let radices: Vec<u32> = issues.iter().map(Issue::cardinality).collect();
    let red_lines: Vec<Clause> = prefs.red_lines.iter().map(|r| r.when.clone()).collect();
    let red = CompiledRedLines::new(&red_lines, &radices);
    Ok((compile_utility(party, prefs, issues)?, red))
}

/// Compiles one party's utility function (not its red lines) over the given
/// issues; a sample of uncertain numbers recompiles only this.
pub fn compile_utility(
    party: &str,
    prefs: &Preferences,
    issues: &[Issue],
) -> Result<CompiledUtility, ModelError> {
    let radices: Vec<u32> = issues.iter().map(Issue::cardinality).collect();
    let cap = match prefs.normalisation {
        Normalisation::CappedAtOne => 1.0,
        _ => f64::INFINITY,
    };
    let utility = match &prefs.model {
        UtilityModel::Additive {
            weights,
            values,
            interactions,
        } => {
            let minmax = prefs.normalisation == Normalisation::MinMax;
            let mut u = CompiledUtility {
                terms: issue_terms(issues, &radices, weights, values, minmax),
                factors: interaction_factors(party, interactions, &radices)?,
                rectangles: Vec::new(),
                scale: 1.0,
                offset: 0.0,
                cap,
                divisor: 1.0,
            };
            if minmax {
                let (lo, hi) = extremes(&u, &radices, party)?;
                if !(hi - lo > 1e-12) {
                    return Err(ModelError::Indifferent {
                        party: party.to_string(),
                    });
                }
                u.scale = 1.0 / (hi - lo);
                u.offset = -lo / (hi - lo);
            }
            u
        }
        UtilityModel::HyperRectangles {
            rectangles,
            max_utility,
        } => CompiledUtility {
            terms: radices
                .iter()
                .map(|&r| vec![0.0; r as usize].into_boxed_slice())
                .collect(),
            factors: Vec::new(),
            rectangles: rectangles
                .iter()
                .map(|r| CompiledRectangle {
                    bounds: r
                        .bounds
                        .iter()
                        .map(|&(i, lo, hi)| (i.index(), lo, hi))
                        .collect(),
                    utility: r.utility,
                })
                .collect(),
            scale: 1.0,
            offset: 0.0,
            cap,
            divisor: *max_utility,
        },
    };
    Ok(utility)
}

/// Recomputes `u`, a compiled utility of the same preferences' structure, for
/// new numbers in `prefs`, in place: the tables keep their shapes and only
/// their numbers change, computed by the same operations as
/// [`compile_utility`], so the same numbers give the same bits.
pub fn refill_utility(
    u: &mut CompiledUtility,
    party: &str,
    prefs: &Preferences,
    issues: &[Issue],
) -> Result<(), ModelError> {
    let UtilityModel::Additive {
        weights,
        values,
        interactions,
    } = &prefs.model
    else {
        *u = compile_utility(party, prefs, issues)?;
        return Ok(());
    };
    let minmax = prefs.normalisation == Normalisation::MinMax;
    fill_terms(u, issues, weights, values, minmax);
    let radices: Vec<u32> = if u.factors.is_empty() {
        Vec::new()
    } else {
        u.terms.iter().map(|t| t.len() as u32).collect()
    };
    for f in &mut u.factors {
        f.table.fill(0.0);
    }
    for it in interactions {
        let mut on: Vec<usize> = it.when.conditions.iter().map(|c| c.issue.index()).collect();
        on.sort_unstable();
        on.dedup();
        if let Some(f) = u.factors.iter_mut().find(|f| f.issues == on) {
            add_interaction(f, it, &radices);
        }
    }
    u.scale = 1.0;
    u.offset = 0.0;
    if minmax {
        let (lo, hi) = if u.factors.is_empty() {
            // What `extremes` sums when no issue is coupled, without its
            // bookkeeping: the same additions in the same order.
            let (mut lo, mut hi) = (0.0, 0.0);
            for terms in &u.terms {
                lo += terms.iter().copied().fold(f64::INFINITY, f64::min);
                hi += terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            }
            (lo, hi)
        } else {
            extremes(u, &radices, party)?
        };
        if !(hi - lo > 1e-12) {
            return Err(ModelError::Indifferent {
                party: party.to_string(),
            });
        }
        u.scale = 1.0 / (hi - lo);
        u.offset = -lo / (hi - lo);
    }
    Ok(())
}

/// Largest group of coupled issues whose combinations a [`RefillPlan`]
/// lists once (larger groups are enumerated afresh at every refill).
const PLANNED_COMBINATIONS: u64 = 1 << 16;

/// What stays fixed when the numbers of one party's additive preferences
/// change: the table cells each interaction adds its bonus to, and the
/// combinations of coupled issues whose sums give the best and worst
/// outcome. [`refill_planned`] uses it to refill a compiled utility without
/// allocating, by the same additions in the same order as
/// [`compile_utility`].
#[derive(Clone, Debug)]
pub struct RefillPlan {
    /// Per interaction, its factor and the cells where its clause holds.
    cells: Vec<(usize, Vec<usize>)>,
    /// The issues no factor couples, in issue order.
    free: Vec<usize>,
    /// The groups of coupled issues, in the order `extremes` sums them.
    groups: Vec<GroupPlan>,
}

#[derive(Clone, Debug)]
struct GroupPlan {
    members: Vec<usize>,
    factors: Vec<usize>,
    /// Per combination, each member's value index.
    values: Vec<u32>,
    /// Per combination, each factor's cell.
    slots: Vec<usize>,
}

impl RefillPlan {
    /// The plan of `u`, compiled from additive preferences with these
    /// interactions; `None` when a coupled group is too large to list.
    pub fn new(u: &CompiledUtility, interactions: &[Interaction]) -> Option<RefillPlan> {
        let radices: Vec<u32> = u.terms.iter().map(|t| t.len() as u32).collect();
        let n = radices.len();
        let mut cells = Vec::with_capacity(interactions.len());
        for it in interactions {
            let mut on: Vec<usize> = it.when.conditions.iter().map(|c| c.issue.index()).collect();
            on.sort_unstable();
            on.dedup();
            let f = u.factors.iter().position(|f| f.issues == on)?;
            let mut slots = Vec::new();
            each_combination(&on, &radices, |full| {
                if it.when.holds(full) {
                    slots.push(u.factors[f].slot(full));
                }
            });
            cells.push((f, slots));
        }
        let (coupled, groups) = coupled_groups(u, n);
        let mut plans = Vec::with_capacity(groups.len());
        for members in groups {
            let size: u64 = members.iter().map(|&i| radices[i] as u64).product();
            if size > PLANNED_COMBINATIONS {
                return None;
            }
            let factors: Vec<usize> = (0..u.factors.len())
                .filter(|&k| members.contains(&u.factors[k].issues[0]))
                .collect();
            let mut g = GroupPlan {
                members: members.clone(),
                factors: factors.clone(),
                values: Vec::new(),
                slots: Vec::new(),
            };
            each_combination(&members, &radices, |full| {
                g.values.extend(members.iter().map(|&i| full[i]));
                g.slots
                    .extend(factors.iter().map(|&k| u.factors[k].slot(full)));
            });
            plans.push(g);
        }
        Some(RefillPlan {
            cells,
            free: (0..n).filter(|&i| !coupled[i]).collect(),
            groups: plans,
        })
    }
}

/// Calls `visit` with a full outcome for every combination of the values of
/// `on` (others 0), in odometer order, last issue fastest.
fn each_combination(on: &[usize], radices: &[u32], mut visit: impl FnMut(&[u32])) {
    let local_space =
        crate::space::OutcomeSpace::from_radices(on.iter().map(|&i| radices[i]).collect());
    let mut local = vec![0u32; on.len()];
    let mut full = vec![0u32; radices.len()];
    loop {
        for (k, &i) in on.iter().enumerate() {
            full[i] = local[k];
        }
        visit(&full);
        if local_space.advance(&mut local).is_none() {
            break;
        }
    }
}

/// Which issues factors couple, and the groups they form, each in ascending
/// issue order, the groups by their union-find root (as `extremes` orders them).
fn coupled_groups(u: &CompiledUtility, n: usize) -> (Vec<bool>, Vec<Vec<usize>>) {
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for f in &u.factors {
        for w in f.issues.windows(2) {
            let (a, b) = (find(&mut parent, w[0]), find(&mut parent, w[1]));
            parent[a] = b;
        }
    }
    let mut coupled = vec![false; n];
    for f in &u.factors {
        for &i in &f.issues {
            coupled[i] = true;
        }
    }
    let mut roots: Vec<usize> = (0..n)
        .filter(|&i| coupled[i])
        .map(|i| find(&mut parent, i))
        .collect();
    roots.sort_unstable();
    roots.dedup();
    let groups = roots
        .into_iter()
        .map(|root| {
            (0..n)
                .filter(|&i| coupled[i] && find(&mut parent, i) == root)
                .collect()
        })
        .collect();
    (coupled, groups)
}

/// [`refill_utility`] with a [`RefillPlan`] of the same structure: no
/// allocation, the same bits.
pub fn refill_planned(
    u: &mut CompiledUtility,
    plan: &RefillPlan,
    party: &str,
    prefs: &Preferences,
    issues: &[Issue],
) -> Result<(), ModelError> {
    let UtilityModel::Additive {
        weights,
        values,
        interactions,
    } = &prefs.model
    else {
        return refill_utility(u, party, prefs, issues);
    };
    let minmax = prefs.normalisation == Normalisation::MinMax;
    fill_terms(u, issues, weights, values, minmax);
    for f in &mut u.factors {
        f.table.fill(0.0);
    }
    for (it, (f, cells)) in interactions.iter().zip(&plan.cells) {
        let table = &mut u.factors[*f].table;
        for &c in cells {
            table[c] += it.bonus;
        }
    }
    u.scale = 1.0;
    u.offset = 0.0;
    if minmax {
        let (mut lo, mut hi) = (0.0, 0.0);
        for &i in &plan.free {
            lo += u.terms[i].iter().copied().fold(f64::INFINITY, f64::min);
            hi += u.terms[i].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        }
        for g in &plan.groups {
            let (m, nf) = (g.members.len(), g.factors.len());
            let (mut glo, mut ghi) = (f64::INFINITY, f64::NEG_INFINITY);
            for c in 0..g.values.len() / m.max(1) {
                let mut s = 0.0;
                for (k, &i) in g.members.iter().enumerate() {
                    s += u.terms[i][g.values[c * m + k] as usize];
                }
                for (j, &f) in g.factors.iter().enumerate() {
                    s += u.factors[f].table[g.slots[c * nf + j]];
                }
                glo = f64::min(glo, s);
                ghi = f64::max(ghi, s);
            }
            lo += glo;
            hi += ghi;
        }
        normalise(u, lo, hi, party)?;
    }
    Ok(())
}

/// The affine map of min-max normalisation from the raw extremes.
fn normalise(u: &mut CompiledUtility, lo: f64, hi: f64, party: &str) -> Result<(), ModelError> {
    if !(hi - lo > 1e-12) {
        return Err(ModelError::Indifferent {
            party: party.to_string(),
        });
    }
    u.scale = 1.0 / (hi - lo);
    u.offset = -lo / (hi - lo);
    Ok(())
}

/// Refills every issue's column of `u` in place, by the operations of
/// `issue_terms`.
fn fill_terms(
    u: &mut CompiledUtility,
    issues: &[Issue],
    weights: &[f64],
    values: &[ValueFunction],
    minmax: bool,
) {
    let weight_sum: f64 = weights.iter().sum();
    for (i, issue) in issues.iter().enumerate() {
        let column = &mut u.terms[i];
        for (v, slot) in column.iter_mut().enumerate() {
            *slot = values[i].value(v as u32, issue.numeric_value(v as u32));
        }
        if minmax {
            let w = weights[i] / weight_sum;
            let lo = column.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = column.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            for x in column.iter_mut() {
                *x = if hi > lo {
                    w * ((*x - lo) / (hi - lo))
                } else {
                    0.0
                };
            }
        } else {
            let w = weights[i];
            for x in column.iter_mut() {
                *x *= w;
            }
        }
    }
}

/// Per issue, each value's weighted contribution to the raw sum. With
/// min-max normalisation, weights are shares of their sum and each value
/// function is stretched to [0, 1] first.
fn issue_terms(
    issues: &[Issue],
    radices: &[u32],
    weights: &[f64],
    values: &[ValueFunction],
    minmax: bool,
) -> Vec<Box<[f64]>> {
    let weight_sum: f64 = weights.iter().sum();
    let mut terms = Vec::with_capacity(issues.len());
    for (i, issue) in issues.iter().enumerate() {
        let n = radices[i];
        let raw: Vec<f64> = (0..n)
            .map(|v| values[i].value(v, issue.numeric_value(v)))
            .collect();
        let w = if minmax {
            weights[i] / weight_sum
        } else {
            weights[i]
        };
        let column: Box<[f64]> = if minmax {
            let lo = raw.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            raw.iter()
                .map(|&x| {
                    if hi > lo {
                        w * ((x - lo) / (hi - lo))
                    } else {
                        0.0
                    }
                })
                .collect()
        } else {
            raw.iter().map(|&x| w * x).collect()
        };
        terms.push(column);
    }
    terms
}

/// The dense tables of a party's interaction terms; interactions over the
/// same issues share one table. Refuses a table over more than
/// [`MAX_COUPLED_OUTCOMES`] combinations.
fn interaction_factors(
    party: &str,
    interactions: &[Interaction],
    radices: &[u32],
) -> Result<Vec<Factor>, ModelError> {
    let mut factors: Vec<Factor> = Vec::new();
    for it in interactions {
        let mut on: Vec<usize> = it.when.conditions.iter().map(|c| c.issue.index()).collect();
        on.sort_unstable();
        on.dedup();
        let size: u64 = on.iter().map(|&i| radices[i] as u64).product();
        if size > MAX_COUPLED_OUTCOMES {
            return Err(ModelError::TooManyCoupledValues {
                party: party.to_string(),
                size,
            });
        }
        let pos = match factors.iter().position(|f| f.issues == on) {
            Some(p) => p,
            None => {
                factors.push(Factor::new(on.clone(), radices));
                factors.len() - 1
            }
        };
        add_interaction(&mut factors[pos], it, radices);
    }
    Ok(factors)
}

/// Adds an interaction's bonus to every cell of `f` (a table over the
/// interaction's issues) where its clause holds.
fn add_interaction(f: &mut Factor, it: &Interaction, radices: &[u32]) {
    let on = f.issues.clone();
    let mut local = vec![0u32; on.len()];
    let mut full = vec![0u32; radices.len()];
    let local_space =
        crate::space::OutcomeSpace::from_radices(on.iter().map(|&i| radices[i]).collect());
    loop {
        for (k, &i) in on.iter().enumerate() {
            full[i] = local[k];
        }
        if it.when.holds(&full) {
            let s = f.slot(&full);
            f.table[s] += it.bonus;
        }
        if local_space.advance(&mut local).is_none() {
            break;
        }
    }
}

/// The exact lowest and highest raw sum (before `scale`, `offset` and `cap`)
/// of an additive utility with factors, over the whole space. Issues not
/// touched by a factor contribute their own extremes; each group of issues
/// linked by factors is enumerated.
pub fn extremes(
    u: &CompiledUtility,
    radices: &[u32],
    party: &str,
) -> Result<(f64, f64), ModelError> {
    let n = radices.len();
    let (coupled, groups) = coupled_groups(u, n);
    let (mut lo, mut hi) = (0.0, 0.0);
    for (terms, _) in u.terms.iter().zip(&coupled).filter(|(_, c)| !**c) {
        lo += terms.iter().copied().fold(f64::INFINITY, f64::min);
        hi += terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    }
    for members in groups {
        let size: u64 = members.iter().map(|&i| radices[i] as u64).product();
        if size > MAX_COUPLED_OUTCOMES {
            return Err(ModelError::TooManyCoupledValues {
                party: party.to_string(),
                size,
            });
        }
        let factors: Vec<&Factor> = u
            .factors
            .iter()
            .filter(|f| members.contains(&f.issues[0]))
            .collect();
        let local_space =
            crate::space::OutcomeSpace::from_radices(members.iter().map(|&i| radices[i]).collect());
        let mut local = vec![0u32; members.len()];
        let mut full = vec![0u32; n];
        let (mut glo, mut ghi) = (f64::INFINITY, f64::NEG_INFINITY);
        loop {
            for (k, &i) in members.iter().enumerate() {
                full[i] = local[k];
            }
            let mut s = 0.0;
            for &i in &members {
                s += u.terms[i][full[i] as usize];
            }
            for f in &factors {
                s += f.value(&full);
            }
            glo = glo.min(s);
            ghi = ghi.max(s);
            if local_space.advance(&mut local).is_none() {
                break;
            }
        }
        lo += glo;
        hi += ghi;
    }
    Ok((lo, hi))
}
