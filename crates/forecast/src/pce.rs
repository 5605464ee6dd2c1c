//! Probabilistic Condorcet elections: votes, coalitions, victory
//! probabilities and the distributions over options.
//!
//! Every floating-point expression keeps KTAB's order of operations, so the
//! results agree bit for bit where KTAB's do not depend on thread timing.

use crate::params::{BigRAdjust, BigRRange, PceModel, VictoryProbModel, VotingRule};

/// The vote of a voter with weight `w` for option a (utility `ua`) over
/// option b (utility `ub`). `w` must be positive (checked when the model
/// is built).
#[inline]
pub fn vote(rule: VotingRule, w: f64, ua: f64, ub: f64) -> f64 {
    let du = ua - ub;
    match rule {
        VotingRule::Prop => w * du,
        VotingRule::Binary => w * binary_part(du),
        VotingRule::PropBin => w * ((1.0 - 0.2) * du + 0.2 * binary_part(du)),
        VotingRule::PropCbc => w * ((1.0 - 0.5) * du + 0.5 * (du * du * du)),
        VotingRule::Cubic => w * (du * du * du),
        VotingRule::ASymProsp => {
            if du < 0.0 {
                w * du
            } else if du > 0.0 {
                (2.0 * w * du) / 3.0
            } else {
                0.0
            }
        }
    }
}

#[inline]
fn binary_part(du: f64) -> f64 {
    (du / 1e-8).clamp(-1.0, 1.0)
}

/// A square row-major matrix of `n x n` values.
#[derive(Clone, Debug, PartialEq)]
pub struct Square {
    /// The number of rows and of columns.
    pub n: usize,
    /// The entries, row by row: entry `(i, j)` is at `i * n + j`.
    pub v: Vec<f64>,
}

impl Square {
    /// An `n x n` matrix of zeros, to fill with `set`.
    pub fn zeros(n: usize) -> Square {
        Square {
            n,
            v: vec![0.0; n * n],
        }
    }
    /// The entry in row `i`, column `j`.
    #[inline]
    pub fn at(&self, i: usize, j: usize) -> f64 {
        self.v[i * self.n + j]
    }
    /// Sets the entry in row `i`, column `j` to `x`.
    #[inline]
    pub fn set(&mut self, i: usize, j: usize, x: f64) {
        self.v[i * self.n + j] = x;
    }
}

/// Coalition strengths `C(a, b)` over `num_opt` options from the votes
/// `vfn(voter, a, b)` of `num_voters` voters (scanning the lower triangle
/// as KTAB does).
pub fn coalitions(
    num_voters: usize,
    num_opt: usize,
    vfn: impl Fn(usize, usize, usize) -> f64,
) -> Square {
    const MIN_C: f64 = 1e-8;
    let mut c = Square::zeros(num_opt);
    for i in 0..num_opt {
        for j in 0..i {
            let mut cij = MIN_C;
            let mut cji = MIN_C;
            for k in 0..num_voters {
                let v = vfn(k, i, j);
                if v > 0.0 {
                    cij += v;
                }
                if v < 0.0 {
                    cji -= v;
                }
            }
            c.set(i, j, cij);
            c.set(j, i, cji);
        }
        c.set(i, i, MIN_C);
    }
    c
}

/// The probabilities that option 1 (strength `s1`) beats option 2 (`s2`)
/// and the reverse.
#[inline]
pub fn victory_pair(vpm: VictoryProbModel, s1: f64, s2: f64) -> (f64, f64) {
    const MIN_X: f64 = 1e-6;
    let (x1, x2) = match vpm {
        VictoryProbModel::Linear => (s1, s2),
        VictoryProbModel::Square => (s1 * s1, s2 * s2),
        VictoryProbModel::Quartic => (qrtc(s1), qrtc(s2)),
        VictoryProbModel::Octic => (sqr(qrtc(s1)), sqr(qrtc(s2))),
        VictoryProbModel::Binary => {
            let thresh = 1.10;
            if s1 >= thresh * s2 {
                (1.0, MIN_X)
            } else if s2 >= thresh * s1 {
                (MIN_X, 1.0)
            } else {
                let r12 = s1 / (s1 + s2);
                let p12 = (r12 * (thresh + 1.0) - 1.0) / (thresh - 1.0);
                (p12, 1.0 - p12)
            }
        }
    };
    (x1 / (x1 + x2), x2 / (x1 + x2))
}

#[inline]
fn sqr(x: f64) -> f64 {
    x * x
}
#[inline]
fn qrtc(x: f64) -> f64 {
    let y = x * x;
    y * y
}

/// Pairwise victory probabilities from coalition strengths; `V(a, a) = 0.5`.
pub fn victory_matrix(vpm: VictoryProbModel, c: &Square) -> Square {
    let n = c.n;
    let mut p = Square::zeros(n);
    for i in 0..n {
        for j in 0..i {
            let (pij, pji) = victory_pair(vpm, c.at(i, j), c.at(j, i));
            p.set(i, j, pij);
            p.set(j, i, pji);
        }
        p.set(i, i, 0.5);
    }
    p
}

/// The distribution over options of a probabilistic Condorcet election
/// with coalition strengths `c`.
pub fn pce(model: PceModel, vpm: VictoryProbModel, c: &Square) -> Vec<f64> {
    let v = victory_matrix(vpm, c);
    match model {
        PceModel::Conditional => conditional(&v),
        PceModel::MarkovUniform => markov_uniform(&v),
        PceModel::MarkovIncentive => markov_incentive(c, &v),
    }
}

fn conditional(v: &Square) -> Vec<f64> {
    let n = v.n;
    let mut p: Vec<f64> = (0..n)
        .map(|i| (0..n).fold(1.0, |acc, j| acc * v.at(i, j)))
        .collect();
    let total = p.iter().fold(0.0, |a, &x| a + x);
    for x in &mut p {
        *x /= total;
    }
    p
}

/// Iteration cap: KTAB's loops converge in tens of steps; this only guards
/// against a pathological input looping forever.
const MAX_MARKOV_ITER: usize = 100_000;

fn markov_uniform(v: &Square) -> Vec<f64> {
    let n = v.n;
    let mut p = vec![1.0 / n as f64; n];
    let mut q = p.clone();
    let mut change = 1.0;
    let mut iter = 0;
    while 1e-6 < change && iter < MAX_MARKOV_ITER {
        change = 0.0;
        for i in 0..n {
            let mut pi = 0.0;
            for j in 0..n {
                pi += v.at(i, j) * (p[i] + p[j]);
            }
            q[i] = pi / n as f64;
            let c = (q[i] - p[i]).abs();
            change = if c > change { c } else { change };
        }
        for i in 0..n {
            p[i] = (p[i] + q[i]) / 2.0;
        }
        iter += 1;
    }
    p
}

fn markov_incentive(c: &Square, v: &Square) -> Vec<f64> {
    let n = c.n;
    let mut inc = Square::zeros(n);
    for i in 0..n {
        for j in 0..n {
            let mut x = c.at(i, j) * v.at(i, j);
            if i == j {
                x += 1e-10;
            }
            inc.set(i, j, x);
        }
    }
    // ch(i, j): probability that i challenges the current favourite j.
    let mut ch = Square::zeros(n);
    for j in 0..n {
        let mut sum = 0.0;
        for k in 0..n {
            sum += inc.at(k, j);
        }
        for i in 0..n {
            ch.set(i, j, inc.at(i, j) / sum);
        }
    }
    let mut p = vec![1.0 / n as f64; n];
    let mut q = p.clone();
    let mut ct = Square::zeros(n);
    let mut change = 1.0;
    let mut iter = 0;
    while 1e-8 < change && iter < MAX_MARKOV_ITER {
        for i in 0..n {
            for j in 0..n {
                ct.set(i, j, p[i] * ch.at(j, i));
            }
        }
        change = 0.0;
        for i in 0..n {
            let mut qi = 0.0;
            for j in 0..n {
                qi += v.at(i, j) * (ct.at(i, j) + ct.at(j, i));
            }
            q[i] = qi;
            let c = (q[i] - p[i]).abs();
            change = if c > change { c } else { change };
        }
        for i in 0..n {
            p[i] = (p[i] + q[i]) / 2.0;
        }
        iter += 1;
    }
    p
}

/// The election over `num_opt` options where voter k (weight `w[k]`) gets
/// utility `u(k, a)` from option a.
pub fn scalar_pce(
    w: &[f64],
    num_opt: usize,
    u: impl Fn(usize, usize) -> f64,
    rule: VotingRule,
    vpm: VictoryProbModel,
    model: PceModel,
) -> Vec<f64> {
    let c = coalitions(w.len(), num_opt, |k, i, j| {
        vote(rule, w[k], u(k, i), u(k, j))
    });
    pce(model, vpm, &c)
}

/// Risk attitudes inferred from the probabilities of the actors' positions.
/// If every probability is equal the attitudes are undefined (KTAB divides
/// by zero); they are then taken as risk neutral (0).
pub fn big_r(p: &[f64], range: BigRRange) -> Vec<f64> {
    let mut p_min = 1.0f64;
    let mut p_max = 0.0f64;
    for &x in p {
        p_min = if x < p_min { x } else { p_min };
        p_max = if x > p_max { x } else { p_max };
    }
    if p_max - p_min <= 0.0 {
        return vec![0.0; p.len()];
    }
    p.iter()
        .map(|&x| match range {
            BigRRange::Min => (x - p_min) / (p_max - p_min),
            BigRRange::Mid => (3.0 * x - (p_max + 2.0 * p_min)) / (2.0 * (p_max - p_min)),
            BigRRange::Max => (2.0 * x - (p_max + p_min)) / (p_max - p_min),
        })
        .collect()
}

/// h's estimate of i's risk attitude.
#[inline]
pub fn est_risk(rh: f64, ri: f64, adj: BigRAdjust) -> f64 {
    match adj {
        BigRAdjust::Full => ri,
        BigRAdjust::TwoThirds => (rh + (2.0 * ri)) / 3.0,
        BigRAdjust::Half => (rh + ri) / 2.0,
        BigRAdjust::OneThird => ((2.0 * rh) + ri) / 3.0,
        BigRAdjust::None => rh,
    }
}

/// Utility of distance `d` with risk attitude `r`.
#[inline]
pub fn util(d: f64, r: f64) -> f64 {
    if d <= 1.0 {
        (1.0 - d) * (1.0 + d * r)
    } else {
        (1.0 - d) * (1.0 + r)
    }
}

/// Salience-weighted distance between `ideal` and `p`.
#[inline]
pub fn distance(ideal: &[f64], p: &[f64], sal: &[f64]) -> f64 {
    let mut ds = 0.0;
    let mut ss = 0.0;
    for k in 0..ideal.len() {
        let d = (ideal[k] - p[k]) * sal[k];
        ds += d * d;
        ss += sal[k] * sal[k];
    }
    (ds / ss).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn votes() {
        assert_eq!(vote(VotingRule::Prop, 2.0, 0.75, 0.25), 1.0);
        assert_eq!(vote(VotingRule::Binary, 2.0, 0.75, 0.25), 2.0);
        assert_eq!(vote(VotingRule::ASymProsp, 3.0, 0.5, 0.0), 1.0);
        assert_eq!(vote(VotingRule::ASymProsp, 3.0, 0.0, 0.5), -1.5);
    }

    #[test]
    fn distributions_sum_to_one() {
        let w = [1.0, 2.0, 3.0, 1.5];
        let u = |k: usize, a: usize| 1.0 - ((k as f64) - (a as f64)).abs() / 4.0;
        for m in PceModel::ALL {
            for vpm in VictoryProbModel::ALL {
                let p = scalar_pce(&w, 4, u, VotingRule::Prop, *vpm, *m);
                let s: f64 = p.iter().sum();
                assert!((s - 1.0).abs() < 1e-6, "{m} {vpm}: {p:?}");
                assert!(p.iter().all(|&x| x >= 0.0));
            }
        }
    }

    #[test]
    fn risk_ranges() {
        let r = big_r(&[0.1, 0.2, 0.7], BigRRange::Mid);
        assert!((r[0] + 0.5).abs() < 1e-12 && (r[2] - 1.0).abs() < 1e-12);
        assert_eq!(big_r(&[0.5, 0.5], BigRRange::Max), vec![0.0, 0.0]);
        assert_eq!(util(0.0, 0.3), 1.0);
        assert_eq!(util(1.0, 0.3), 0.0);
    }
}
