//! Differential test: `run` against a slow, literal transcription of the
//! SMP turn (full `aUtil[h](i, j)` tensors, KTAB's serial loop order, no
//! parallelism, no precomputation). Both must agree bit for bit.

// Index loops keep the transcription close to the formulas.
#![allow(clippy::needless_range_loop)]

use detente_forecast::pce::{
    Square, big_r, coalitions, distance, est_risk, pce, scalar_pce, util, vote,
};
use detente_forecast::{
    Actor, BargnModel, InterVecBrgn, Model, Params, StateTransitions, ThirdPartyCommit, run,
};
use proptest::prelude::*;

struct Naive<'a> {
    m: &'a Model,
    p: Params,
    n: usize,
    k: usize,
}

impl Naive<'_> {
    fn sal(&self, i: usize) -> &[f64] {
        &self.m.actors()[i].salience
    }
    fn cap(&self, i: usize) -> f64 {
        self.m.actors()[i].capability
    }
    fn tot(&self, i: usize) -> f64 {
        self.m.actors()[i].total_salience()
    }

    /// (risk, aUtil[h] for every h)
    fn setup(&self, pos: &[Vec<f64>], ideal: &[Vec<f64>]) -> (Vec<f64>, Vec<Square>) {
        let n = self.n;
        let d = |i: usize, j: usize| distance(&ideal[i], &pos[j], self.sal(i));
        let c = coalitions(n, n, |v, a, b| {
            vote(
                self.p.voting_rule,
                self.cap(v),
                util(d(v, a), 0.0),
                util(d(v, b), 0.0),
            )
        });
        let prob = pce(self.p.pce, self.p.victory_prob, &c);
        let r = big_r(&prob, self.p.big_r_range);
        let mut au = Vec::new();
        for h in 0..n {
            let mut a = Square::zeros(n);
            for i in 0..n {
                for j in 0..n {
                    a.set(
                        i,
                        j,
                        util(d(i, j), est_risk(r[h], r[i], self.p.big_r_adjust)),
                    );
                }
            }
            au.push(a);
        }
        (r, au)
    }

    fn prob_edu(&self, a: &Square, k: usize, i: usize, j: usize) -> (f64, f64) {
        let vr = self.p.voting_rule;
        let ci = vote(vr, self.tot(i) * self.cap(i), a.at(i, i), a.at(i, j));
        let cj = vote(vr, self.tot(j) * self.cap(j), a.at(j, i), a.at(j, j));
        let (mut cij, mut cji) = (1e-10, 1e-10);
        for x in [ci, cj] {
            if x > 0.0 {
                cij += x;
            }
            if x < 0.0 {
                cji -= x;
            }
        }
        let (bi, bj) = (cij, cji);
        for m in (0..self.n).filter(|&m| m != i && m != j) {
            let w = self.tot(m) * self.cap(m);
            let (ui, uj, um) = (a.at(m, i), a.at(m, j), a.at(m, m));
            let v = vote(vr, w, ui, uj);
            let ni = if v > 0.0 { bi + v } else { bi };
            let nj = if v < 0.0 { bj - v } else { bj };
            let p = ni / (ni + nj);
            let q = 1.0 - p;
            let (x, y) = match self.p.third_party_commit {
                ThirdPartyCommit::SemiCommit => (
                    p * (ui + ui + um) + q * (uj + uj + uj),
                    p * (ui + ui + ui) + q * (uj + uj + um),
                ),
                ThirdPartyCommit::FullCommit => (
                    p * (ui + ui + ui) + q * (uj + uj + uj),
                    p * (ui + ui + ui) + q * (uj + uj + uj),
                ),
                ThirdPartyCommit::NoCommit => (
                    p * (ui + ui + um) + q * (uj + uj + um),
                    p * (ui + ui + um) + q * (uj + uj + um),
                ),
            };
            let vm = vote(vr, w, x, y);
            if vm > 0.0 {
                cij += vm;
            }
            if vm < 0.0 {
                cji -= vm;
            }
        }
        let pij = cij / (cij + cji);
        let pji = cji / (cij + cji);
        let sj = self.tot(j);
        let vict = a.at(k, i) + a.at(k, i);
        let loss = a.at(k, j) + a.at(k, j);
        let chlg = (1.0 - sj) * vict + sj * (pij * vict + pji * loss);
        (pij, chlg - (a.at(k, i) + a.at(k, j)))
    }

    fn interp(
        &self,
        pos: &[Vec<f64>],
        i: usize,
        j: usize,
        pi: f64,
        pj: f64,
    ) -> (Vec<f64>, Vec<f64>) {
        let r4 = |x: f64| ((0.5 + x * 10000.0) as i32) as f64 / 10000.0;
        let mut bi = Vec::new();
        let mut bj = Vec::new();
        for d in 0..self.k {
            let (ti, tj, si, sj) = (pos[i][d], pos[j][d], self.sal(i)[d], self.sal(j)[d]);
            match self.p.inter_vec_brgn {
                InterVecBrgn::S2PMax => {
                    let di = if pj > pi { pj - pi } else { 0.0 };
                    let dj = if pi > pj { pi - pj } else { 0.0 };
                    let (si2, sj2) = (si * si, sj * sj);
                    let dik = (di * sj2) / ((di * sj2) + 1e-6 + ((1.0 - di) * si2));
                    let djk = (dj * si2) / ((dj * si2) + 1e-6 + ((1.0 - dj) * sj2));
                    bi.push(ti + dik * (tj - ti));
                    bj.push(tj + djk * (ti - tj));
                }
                ivb => {
                    let (wi, wj) = if ivb == InterVecBrgn::S1P1 {
                        (si * pi, sj * pj)
                    } else {
                        ((si * si) * (pi * pi), (sj * sj) * (pj * pj))
                    };
                    bi.push(r4(((wi + 1e-6) * ti + wj * tj) / (wi + 1e-6 + wj)));
                    bj.push(r4((wi * ti + (1e-6 + wj) * tj) / (wi + 1e-6 + wj)));
                }
            }
        }
        (bi, bj)
    }

    /// Positions per state.
    fn run(&self) -> Vec<Vec<Vec<f64>>> {
        let n = self.n;
        let mut pos: Vec<Vec<f64>> = self.m.actors().iter().map(|a| a.position.clone()).collect();
        let mut ideal = pos.clone();
        let mut hist = vec![pos.clone()];
        let acc = self.m.accommodation();
        let dist = |a: &[Vec<f64>], b: &[Vec<f64>]| -> f64 {
            a.iter()
                .zip(b)
                .map(|(x, y)| {
                    x.iter()
                        .zip(y)
                        .map(|(p, q)| (p - q) * (p - q))
                        .sum::<f64>()
                        .sqrt()
                })
                .fold(0.0, |s, v| s + v)
        };
        let mut d01 = 0.0;
        for iter in 1..=100 {
            let (r, au) = self.setup(&pos, &ideal);
            // (init, rcvr, pos_init, pos_rcvr); None = status quo
            type B = Option<(usize, usize, Vec<f64>, Vec<f64>)>;
            let mut queues: Vec<Vec<B>> = vec![Vec::new(); n];
            for i in 0..n {
                queues[i].push(None);
                let (mut best, mut best_eu, mut best_p) = (None, -1.0, 0.0);
                for j in (0..n).filter(|&j| j != i) {
                    let (p, du) = self.prob_edu(&au[i], i, i, j);
                    if 1e-5 < du && best_eu < du {
                        (best, best_eu, best_p) = (Some(j), du, p);
                    }
                }
                let Some(j) = best else { continue };
                let iij = self.interp(&pos, i, j, best_p, 1.0 - best_p);
                let pji = if self.p.ktab_compat {
                    self.prob_edu(&au[j], i, i, j).1
                } else {
                    self.prob_edu(&au[j], i, i, j).0
                };
                let jij = self.interp(&pos, i, j, pji, 1.0 - pji);
                let bs: Vec<(Vec<f64>, Vec<f64>)> = match self.p.bargain_model {
                    BargnModel::InitOnlyInterp => vec![iij],
                    BargnModel::InitRcvrInterp => vec![iij, jij],
                    BargnModel::PWCompInterp => {
                        let wi = self.cap(i) * self.tot(i);
                        let cj = if self.p.ktab_compat {
                            self.cap(i)
                        } else {
                            self.cap(j)
                        };
                        let wj = cj * self.tot(j);
                        let mix = |x: &[f64], y: &[f64]| {
                            x.iter()
                                .zip(y)
                                .map(|(a, b)| (wi * a + wj * b) / (wi + wj))
                                .collect()
                        };
                        vec![(mix(&iij.0, &jij.0), mix(&iij.1, &jij.1))]
                    }
                };
                for b in &bs {
                    queues[i].push(Some((i, j, b.0.clone(), b.1.clone())));
                }
                for b in bs {
                    queues[j].push(Some((i, j, b.0, b.1)));
                }
            }
            let mut next = pos.clone();
            for (k, q) in queues.iter().enumerate() {
                let value = |a: usize, b: &B| -> f64 {
                    let mut s = 0.0;
                    match b {
                        None => (0..n).for_each(|m| s += au[a].at(a, m)),
                        Some((bi, br, pi, pr)) => {
                            s += util(distance(&ideal[a], pi, self.sal(a)), r[a]);
                            s += util(distance(&ideal[a], pr, self.sal(a)), r[a]);
                            for m in (0..n).filter(|m| m != bi && m != br) {
                                s += au[a].at(a, m);
                            }
                        }
                    }
                    s / n as f64
                };
                let caps: Vec<f64> = (0..n).map(|a| self.cap(a)).collect();
                let p = scalar_pce(
                    &caps,
                    q.len(),
                    |a, b| value(a, &q[b]),
                    self.p.voting_rule,
                    self.p.victory_prob,
                    self.p.pce,
                );
                let mut c = 0;
                for (x, &px) in p.iter().enumerate() {
                    if px.abs() > p[c].abs() {
                        c = x;
                    }
                }
                if let Some((bi, _, pi, pr)) = &q[c] {
                    next[k] = if *bi == k { pi.clone() } else { pr.clone() };
                }
            }
            let mut ni = vec![vec![0.0; self.k]; n];
            for i in 0..n {
                let mut si = 0.0;
                for j in 0..n {
                    si += acc[i * n + j];
                    for d in 0..self.k {
                        ni[i][d] += acc[i * n + j] * next[j][d];
                    }
                }
                let lag = 1.0 - si.min(1.0);
                for d in 0..self.k {
                    ni[i][d] += lag * ideal[i][d];
                }
            }
            let dxy = dist(&pos, &next);
            if iter == 1 {
                d01 = dxy + 1e-4;
            }
            pos = next;
            ideal = ni;
            hist.push(pos.clone());
            if iter >= 2 && dxy / d01 < 0.02 {
                break;
            }
        }
        hist
    }
}

fn models() -> impl Strategy<Value = Model> {
    (1usize..=3, 3usize..=8)
        .prop_flat_map(|(k, n)| {
            (
                Just(k),
                prop::collection::vec(
                    (
                        1.0f64..200.0,
                        prop::collection::vec(0.0f64..=1.0, k),
                        prop::collection::vec(0.05f64..0.3, k),
                    ),
                    n,
                ),
                (0usize..5, 0usize..3, 0usize..6, 0usize..5, 0usize..3),
                (
                    0usize..3,
                    0usize..3,
                    0usize..3,
                    any::<bool>(),
                    any::<bool>(),
                ),
            )
        })
        .prop_map(
            |(k, raw, (vpm, pce, vr, ra, rr), (tpc, ivb, bm, compat, adjust))| {
                let actors: Vec<Actor> = raw
                    .into_iter()
                    .enumerate()
                    .map(|(i, (c, p, s))| Actor::new(&format!("A{i}"), c, p, s))
                    .collect();
                let n = actors.len();
                let mut p = Params::from_indices([vpm, pce, 0, vr, ra, rr, tpc, ivb, bm]).unwrap();
                p.ktab_compat = compat;
                p.transitions = StateTransitions::Deterministic;
                let mut m = Model::new((0..k).map(|d| format!("D{d}")).collect(), actors)
                    .unwrap()
                    .with_params(p);
                if adjust {
                    // Each actor's ideal lags: 0.7 toward its own position, 0.2 toward the next actor's.
                    let mut a = vec![0.0; n * n];
                    for i in 0..n {
                        a[i * n + i] = 0.7;
                        a[i * n + (i + 1) % n] = 0.2;
                    }
                    m = m.with_accommodation(a).unwrap();
                }
                m
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn run_equals_the_literal_transcription(model in models()) {
        let naive = Naive { m: &model, p: *model.params(), n: model.actors().len(), k: model.dimensions().len() }.run();
        let fast = run(&model);
        prop_assert_eq!(naive.len(), fast.turns.len());
        for (t, state) in naive.iter().enumerate() {
            for (i, p) in state.iter().enumerate() {
                for (d, &x) in p.iter().enumerate() {
                    prop_assert_eq!(x.to_bits(), fast.position(t, i, d).to_bits(), "turn {} actor {} dim {}", t, i, d);
                }
            }
        }
    }
}
