//! The bargains an actor proposes in one turn of the spatial model: its
//! estimates of the others' positions, the probability that a challenge is
//! won or lost, and the interpolated positions it offers.

use super::*;

/// `aUtil[h]`: h's estimates of every actor's utility of every position.
fn estimates(ctx: &Ctx, s: &State, h: usize) -> Square {
    let n = ctx.n;
    let mut a = Square::zeros(n);
    for i in 0..n {
        let r = est_risk(s.risk[h], s.risk[i], ctx.params.big_r_adjust);
        for j in 0..n {
            a.set(i, j, util(s.dist.at(i, j), r));
        }
    }
    a
}

/// With `a = aUtil[h]`: h's estimate of the probability that i beats j and
/// of the expected utility change for k of i challenging j.
fn prob_edu_chlg(ctx: &Ctx, a: &Square, k: usize, i: usize, j: usize) -> (f64, f64) {
    let rule = ctx.params.voting_rule;
    let (uii, uij, uji, ujj) = (a.at(i, i), a.at(i, j), a.at(j, i), a.at(j, j));
    let eu_sq = a.at(k, i) + a.at(k, j);
    let u_vict = a.at(k, i) + a.at(k, i);
    let u_loss = a.at(k, j) + a.at(k, j);
    let sj = ctx.tot_sal[j];
    let ci = vote(rule, ctx.tot_sal[i] * ctx.caps[i], uii, uij);
    let cj = vote(rule, sj * ctx.caps[j], uji, ujj);
    let mut chij = 1e-10;
    let mut chji = 1e-10;
    if ci > 0.0 {
        chij += ci;
    }
    if ci < 0.0 {
        chji -= ci;
    }
    if cj > 0.0 {
        chij += cj;
    }
    if cj < 0.0 {
        chji -= cj;
    }
    let (bi, bj) = (chij, chji);
    let tpc = ctx.params.third_party_commit;
    for m in 0..ctx.n {
        if m == i || m == j {
            continue;
        }
        let wm = ctx.tot_sal[m] * ctx.caps[m];
        let (umi, umj, umm) = (a.at(m, i), a.at(m, j), a.at(m, m));
        // The little contest: the principals plus m alone.
        let cm = vote(rule, wm, umi, umj);
        let cni = if cm > 0.0 { bi + cm } else { bi };
        let cnj = if cm < 0.0 { bj - cm } else { bj };
        let pin = cni / (cni + cnj);
        let pjn = 1.0 - pin;
        use crate::params::ThirdPartyCommit as T;
        let (u_im_def_j, u_j_def_im, u_i_def_jm, u_jm_def_i) = match tpc {
            T::FullCommit => (
                umi + umi + umi,
                umj + umj + umj,
                umi + umi + umi,
                umj + umj + umj,
            ),
            T::SemiCommit => (
                umi + umi + umm,
                umj + umj + umj,
                umi + umi + umi,
                umj + umj + umm,
            ),
            T::NoCommit => (
                umi + umi + umm,
                umj + umj + umm,
                umi + umi + umm,
                umj + umj + umm,
            ),
        };
        let u_im_j = (pin * u_im_def_j) + (pjn * u_j_def_im);
        let u_i_jm = (pin * u_i_def_jm) + (pjn * u_jm_def_i);
        let vm = vote(rule, wm, u_im_j, u_i_jm);
        if vm > 0.0 {
            chij += vm;
        }
        if vm < 0.0 {
            chji -= vm;
        }
    }
    let phij = chij / (chij + chji);
    let phji = chji / (chij + chji);
    let eu_cntst = phij * u_vict + phji * u_loss;
    let eu_chlg = (1.0 - sj) * u_vict + sj * eu_cntst;
    (phij, eu_chlg - eu_sq)
}

pub(super) fn round4(x: f64) -> f64 {
    ((0.5 + x * 10000.0) as i32) as f64 / 10000.0
}

/// Interpolates the bargain between i (at `pi`) and j (at `pj`) with the
/// "probabilities" `prb_i`, `prb_j`.
fn interpolate(
    ctx: &Ctx,
    s: &State,
    i: usize,
    j: usize,
    prb_i: f64,
    prb_j: f64,
) -> (Vec<f64>, Vec<f64>) {
    let k = ctx.k;
    let (ti, tj) = (s.pos(i, k), s.pos(j, k));
    let (si, sj) = (ctx.sal(i), ctx.sal(j));
    let mut bi = vec![0.0; k];
    let mut bj = vec![0.0; k];
    const MIN_W: f64 = 1e-6;
    for d in 0..k {
        let (tik, tjk, sik, sjk) = (ti[d], tj[d], si[d], sj[d]);
        match ctx.params.inter_vec_brgn {
            InterVecBrgn::S1P1 | InterVecBrgn::S2P2 => {
                let (wik, wjk) = if ctx.params.inter_vec_brgn == InterVecBrgn::S1P1 {
                    (sik * prb_i, sjk * prb_j)
                } else {
                    ((sik * sik) * (prb_i * prb_i), (sjk * sjk) * (prb_j * prb_j))
                };
                bi[d] = round4(((wik + MIN_W) * tik + wjk * tjk) / (wik + MIN_W + wjk));
                bj[d] = round4((wik * tik + (MIN_W + wjk) * tjk) / (wik + MIN_W + wjk));
            }
            InterVecBrgn::S2PMax => {
                let di = if prb_j > prb_i { prb_j - prb_i } else { 0.0 };
                let dj = if prb_i > prb_j { prb_i - prb_j } else { 0.0 };
                let sik2 = sik * sik;
                let sjk2 = sjk * sjk;
                let dik = (di * sjk2) / ((di * sjk2) + MIN_W + ((1.0 - di) * sik2));
                let djk = (dj * sik2) / ((dj * sik2) + MIN_W + ((1.0 - dj) * sjk2));
                bi[d] = tik + dik * (tjk - tik);
                bj[d] = tjk + djk * (tik - tjk);
            }
        }
    }
    (bi, bj)
}

/// Actor i's challenge from state `s` and the bargains it proposes.
pub(super) fn propose(ctx: &Ctx, s: &State, i: usize) -> (Option<Challenge>, Vec<Bargain>) {
    let a = estimates(ctx, s, i);
    let mut best: Option<Challenge> = None;
    let mut best_eu = -1.0;
    for j in 0..ctx.n {
        if j == i {
            continue;
        }
        let (p, du) = prob_edu_chlg(ctx, &a, i, i, j);
        if MIN_SIG_GAIN < du && best_eu < du {
            best_eu = du;
            best = Some(Challenge {
                target: j,
                prob: p,
                gain: du,
            });
        }
    }
    let Some(ch) = best else {
        return (None, Vec::new());
    };
    let j = ch.target;
    let iij = interpolated(ctx, s, (i, j), ch.prob, Perspective::Initiator);
    let model = ctx.params.bargain_model;
    if model == BargnModel::InitOnlyInterp {
        return (Some(ch), vec![iij]);
    }
    let aj = estimates(ctx, s, j);
    let (pj, duj) = prob_edu_chlg(ctx, &aj, i, i, j);
    // Q1: KTAB takes the expected gain where the probability belongs.
    let pji = if ctx.params.ktab_compat { duj } else { pj };
    let jij = interpolated(ctx, s, (i, j), pji, Perspective::Receiver);
    if model == BargnModel::InitRcvrInterp {
        return (Some(ch), vec![iij, jij]);
    }
    let wi = ctx.caps[i] * ctx.tot_sal[i];
    // Q2: KTAB weighs the receiver's side with the initiator's capability.
    let cap_j = if ctx.params.ktab_compat {
        ctx.caps[i]
    } else {
        ctx.caps[j]
    };
    let wj = cap_j * ctx.tot_sal[j];
    let mix = |x: &[f64], y: &[f64]| -> Vec<f64> {
        x.iter()
            .zip(y)
            .map(|(&a, &b)| (wi * a + wj * b) / (wi + wj))
            .collect()
    };
    let pw = Bargain {
        initiator: i,
        receiver: j,
        perspective: Perspective::Compromise,
        initiator_position: mix(&iij.initiator_position, &jij.initiator_position),
        receiver_position: mix(&iij.receiver_position, &jij.receiver_position),
    };
    (Some(ch), vec![pw])
}

/// The bargain of initiator `i` with receiver `j`, interpolated as one side
/// sees it: with probability `p` that the initiator wins.
fn interpolated(
    ctx: &Ctx,
    s: &State,
    (i, j): (usize, usize),
    p: f64,
    perspective: Perspective,
) -> Bargain {
    let (initiator_position, receiver_position) = interpolate(ctx, s, i, j, p, 1.0 - p);
    Bargain {
        initiator: i,
        receiver: j,
        perspective,
        initiator_position,
        receiver_position,
    }
}
