//! Enumeration of the whole outcome space, in parallel blocks of the
//! mixed-radix index, with incremental utility updates.

use detente_core::{PartyId, Scenario};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};

/// What a scan reports for each outcome.
pub trait Visitor: Send + Sized {
    /// `key` is the outcome's number in issue order; `utils` are the scanned
    /// parties' utilities; `crossed` says whether the outcome crosses any of
    /// their red lines.
    fn visit(&mut self, key: u64, outcome: &[u32], utils: &[f64], crossed: bool);
    /// Combines the results of two blocks (`self` covers earlier outcomes).
    fn merge(self, later: Self) -> Self;
    /// Asked every few thousand outcomes: true ends the scan early (for
    /// example when a result has outgrown a memory limit). The scan still
    /// returns the merged visitors, which must say why they stopped.
    fn stop(&mut self) -> bool {
        false
    }
}

/// Outcomes visited between two checks of the cancel flag and of
/// [`Visitor::stop`].
const CHECK_EVERY: u64 = 1 << 12;

/// Outcomes per block: large enough to amortise the block start, small
/// enough to balance work across threads.
const BLOCK: u64 = 1 << 18;

/// Scans the first `count` outcomes of `scenario` (all of them when `count`
/// is the space's size), computing the utilities of `parties` and checking
/// the red lines of `red_line_parties`.
pub fn scan<V: Visitor>(
    scenario: &Scenario,
    parties: &[PartyId],
    red_line_parties: &[PartyId],
    count: u64,
    make: impl Fn() -> V + Sync,
) -> V {
    scan_blocks(
        scenario,
        parties,
        red_line_parties,
        count,
        &AtomicBool::new(false),
        make,
    )
}

/// As [`scan`], stopping soon after `cancel` is raised (it is read every few
/// thousand outcomes); `None` when it was.
pub fn scan_within<V: Visitor>(
    scenario: &Scenario,
    parties: &[PartyId],
    red_line_parties: &[PartyId],
    count: u64,
    cancel: &AtomicBool,
    make: impl Fn() -> V + Sync,
) -> Option<V> {
    let v = scan_blocks(scenario, parties, red_line_parties, count, cancel, make);
    (!cancel.load(Ordering::Relaxed)).then_some(v)
}

fn scan_blocks<V: Visitor>(
    scenario: &Scenario,
    parties: &[PartyId],
    red_line_parties: &[PartyId],
    count: u64,
    cancel: &AtomicBool,
    make: impl Fn() -> V + Sync,
) -> V {
    let blocks = count.div_ceil(BLOCK).max(1);
    (0..blocks)
        .into_par_iter()
        .map(|b| {
            let start = b * BLOCK;
            let end = (start + BLOCK).min(count);
            let mut v = make();
            if !cancel.load(Ordering::Relaxed) {
                scan_block(
                    scenario,
                    parties,
                    red_line_parties,
                    start,
                    end,
                    cancel,
                    &mut v,
                );
            }
            v
        })
        .reduce_with(|a, b| a.merge(b))
        .unwrap_or_else(make)
}

fn scan_block<V: Visitor>(
    scenario: &Scenario,
    parties: &[PartyId],
    red_line_parties: &[PartyId],
    start: u64,
    end: u64,
    cancel: &AtomicBool,
    v: &mut V,
) {
    if start >= end {
        return;
    }
    let space = scenario.space();
    let n = space.issue_count();
    let np = parties.len();
    let utils: Vec<_> = parties.iter().map(|&p| scenario.utility(p)).collect();
    let reds: Vec<_> = red_line_parties
        .iter()
        .map(|&p| scenario.red_lines(p))
        .collect();
    let non_additive = utils.iter().any(|u| !u.is_additive());
    let has_clauses = reds.iter().any(|r| !r.clauses.is_empty());
    // Per issue, per value: does any scanned party forbid it?
    let forbidden: Vec<Vec<bool>> = (0..n)
        .map(|i| {
            (0..space.radices()[i] as usize)
                .map(|val| reds.iter().any(|r| r.forbidden[i][val]))
                .collect()
        })
        .collect();

    let mut digits = space.decode(start);
    // partial[p * (n + 1) + k] = sum of party p's terms over issues 0..k.
    let mut partial = vec![0.0f64; np * (n + 1)];
    // blocked[k] = some issue before k takes a forbidden value.
    let mut blocked = vec![false; n + 1];
    let refresh = |from: usize, digits: &[u32], partial: &mut [f64], blocked: &mut [bool]| {
        for k in from..n {
            let d = digits[k] as usize;
            for (p, u) in utils.iter().enumerate() {
                let base = p * (n + 1);
                partial[base + k + 1] = partial[base + k] + u.terms[k][d];
            }
            blocked[k + 1] = blocked[k] || forbidden[k][d];
        }
    };
    refresh(0, &digits, &mut partial, &mut blocked);
    let mut out = vec![0.0f64; np];
    let last = n - 1;
    let mut key = start;
    loop {
        for (p, u) in utils.iter().enumerate() {
            let mut s = partial[p * (n + 1) + n];
            if non_additive {
                s += u.non_additive(&digits);
            }
            out[p] = u.finish(s);
        }
        let crossed = blocked[n]
            || (has_clauses
                && reds
                    .iter()
                    .any(|r| r.clauses.iter().any(|c| c.holds(&digits))));
        v.visit(key, &digits, &out, crossed);
        key += 1;
        if key >= end {
            break;
        }
        if key.is_multiple_of(CHECK_EVERY) && (cancel.load(Ordering::Relaxed) || v.stop()) {
            break;
        }
        // Advance; the common case only touches the last issue.
        digits[last] += 1;
        if digits[last] < space.radices()[last] {
            let d = digits[last] as usize;
            for (p, u) in utils.iter().enumerate() {
                let base = p * (n + 1);
                partial[base + n] = partial[base + last] + u.terms[last][d];
            }
            blocked[n] = blocked[last] || forbidden[last][d];
        } else {
            digits[last] = 0;
            let mut k = last;
            loop {
                if k == 0 {
                    break;
                }
                k -= 1;
                digits[k] += 1;
                if digits[k] < space.radices()[k] {
                    break;
                }
                digits[k] = 0;
            }
            refresh(k, &digits, &mut partial, &mut blocked);
        }
    }
}
