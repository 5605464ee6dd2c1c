//! Pareto frontiers of utility vectors.
//!
//! Points carry a `u64` key standing for the outcome's position in issue
//! order; among outcomes with identical utility vectors the frontier keeps
//! the smallest key, so "the first outcome in issue order" represents each
//! vector whatever the order in which points arrive.

/// A growing Pareto frontier with utility vectors of a fixed dimension.
///
/// Two parties use a sorted staircase (a dominance query is a binary search);
/// more parties use a flat list.
#[derive(Clone, Debug)]
pub struct FrontierBuilder {
    dim: usize,
    /// Flat utilities, `dim` per point. For `dim == 2`, sorted by the first
    /// utility ascending (so the second is strictly descending).
    utils: Vec<f64>,
    keys: Vec<u64>,
}

impl FrontierBuilder {
    /// An empty frontier for utility vectors of `dim` parties.
    pub fn new(dim: usize) -> Self {
        FrontierBuilder {
            dim,
            utils: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// The number of points kept, to check the frontier against its size budget.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no point has been kept (nothing offered, or everything offered was dominated).
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The number of utilities per point (the number of parties).
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// Offers a point; keeps it if no kept point weakly dominates it.
    #[inline]
    pub fn insert(&mut self, u: &[f64], key: u64) {
        if self.dim == 2 {
            self.insert2(u[0], u[1], key)
        } else {
            self.insert_n(u, key)
        }
    }

    #[inline]
    fn insert2(&mut self, a: f64, b: f64, key: u64) {
        let n = self.keys.len();
        // First point whose first utility is >= a; from there on the second
        // utility only falls, so that point has the best second utility
        // among those at least as good on the first.
        let j = partition_point(n, |i| self.utils[2 * i] < a);
        if j < n {
            let (qa, qb) = (self.utils[2 * j], self.utils[2 * j + 1]);
            if qb >= b {
                if qa == a && qb == b && key < self.keys[j] {
                    self.keys[j] = key;
                }
                return;
            }
        }
        // Points dominated by (a, b): those before j with second utility
        // <= b (a contiguous run ending at j - 1), and j itself if it ties
        // on the first utility.
        let mut end = j;
        if j < n && self.utils[2 * j] == a {
            end = j + 1;
        }
        let start = partition_point(j, |i| self.utils[2 * i + 1] > b);
        if start < end {
            self.utils.splice(2 * start..2 * end, [a, b]);
            self.keys.splice(start..end, [key]);
        } else {
            self.utils.splice(2 * j..2 * j, [a, b]);
            self.keys.insert(j, key);
        }
    }

    fn insert_n(&mut self, u: &[f64], key: u64) {
        let d = self.dim;
        let n = self.keys.len();
        for i in 0..n {
            let q = &self.utils[d * i..d * i + d];
            if q.iter().zip(u).all(|(x, y)| x >= y) {
                if q == u && key < self.keys[i] {
                    self.keys[i] = key;
                }
                return;
            }
        }
        // Remove the points u dominates (it is not equal to any of them).
        let mut w = 0;
        for i in 0..n {
            let dominated = {
                let q = &self.utils[d * i..d * i + d];
                q.iter().zip(u).all(|(x, y)| x <= y)
            };
            if !dominated {
                if w != i {
                    self.utils.copy_within(d * i..d * i + d, d * w);
                    self.keys[w] = self.keys[i];
                }
                w += 1;
            }
        }
        self.utils.truncate(d * w);
        self.keys.truncate(w);
        self.utils.extend_from_slice(u);
        self.keys.push(key);
    }

    /// True when a kept point is at least as good as `u` for every party.
    #[inline]
    pub fn covers(&self, u: &[f64]) -> bool {
        let n = self.keys.len();
        if self.dim == 2 {
            let j = partition_point(n, |i| self.utils[2 * i] < u[0]);
            j < n && self.utils[2 * j + 1] >= u[1]
        } else {
            let d = self.dim;
            (0..n).any(|i| {
                self.utils[d * i..d * i + d]
                    .iter()
                    .zip(u)
                    .all(|(x, y)| x >= y)
            })
        }
    }

    /// Merges another frontier into this one.
    pub fn merge(mut self, other: FrontierBuilder) -> FrontierBuilder {
        if other.len() > self.len() {
            return other.merge(self);
        }
        for (i, &k) in other.keys.iter().enumerate() {
            self.insert(&other.utils[other.dim * i..other.dim * (i + 1)], k);
        }
        self
    }

    /// The points, sorted by key (issue order of their outcomes).
    pub fn into_points(self) -> Vec<(Vec<f64>, u64)> {
        let d = self.dim;
        let mut pts: Vec<(Vec<f64>, u64)> = self
            .keys
            .iter()
            .enumerate()
            .map(|(i, &k)| (self.utils[d * i..d * i + d].to_vec(), k))
            .collect();
        pts.sort_by_key(|p| p.1);
        pts
    }
}

#[inline]
fn partition_point(n: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if pred(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The indices of the Pareto-optimal vectors among `points` (flat, `dim`
/// per point), one per distinct vector (the lowest index), in index order.
pub fn pareto_indices(points: &[f64], dim: usize) -> Vec<usize> {
    let n = points.len().checked_div(dim).unwrap_or(0);
    let mut order: Vec<usize> = (0..n).collect();
    let p = |i: usize| &points[dim * i..dim * i + dim];
    // Lexicographically descending, ties by index: a point can only be
    // dominated by (or equal to) one sorted before it.
    order.sort_by(|&a, &b| {
        let (pa, pb) = (p(a), p(b));
        for k in 0..dim {
            match pb[k].total_cmp(&pa[k]) {
                std::cmp::Ordering::Equal => continue,
                o => return o,
            }
        }
        a.cmp(&b)
    });
    let mut kept: Vec<usize> = Vec::new();
    if dim == 2 {
        let mut best_second = f64::NEG_INFINITY;
        for &i in &order {
            let q = p(i);
            if q[1] > best_second {
                best_second = q[1];
                kept.push(i);
            }
        }
    } else {
        for &i in &order {
            let q = p(i);
            if !kept
                .iter()
                .any(|&k| p(k).iter().zip(q).all(|(x, y)| x >= y))
            {
                kept.push(i);
            }
        }
    }
    kept.sort_unstable();
    kept
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute(points: &[Vec<f64>]) -> Vec<(Vec<f64>, u64)> {
        let mut out: Vec<(Vec<f64>, u64)> = Vec::new();
        for (i, p) in points.iter().enumerate() {
            let dominated = points.iter().any(|q| {
                q.iter().zip(p).all(|(x, y)| x >= y) && q.iter().zip(p).any(|(x, y)| x > y)
            });
            let dup = points[..i].iter().any(|q| q == p);
            if !dominated && !dup {
                out.push((p.clone(), i as u64));
            }
        }
        out
    }

    proptest! {
        #[test]
        fn builder_matches_brute_force(
            dim in 2usize..5,
            raw in proptest::collection::vec(proptest::collection::vec(0u8..6, 4), 0..80),
            split in 0usize..80,
        ) {
            let points: Vec<Vec<f64>> = raw.iter().map(|v| v[..dim].iter().map(|&x| x as f64 / 5.0).collect()).collect();
            let expected = brute(&points);
            // In order, in reverse, and split into two merged halves.
            let mut fwd = FrontierBuilder::new(dim);
            for (i, p) in points.iter().enumerate() { fwd.insert(p, i as u64); }
            prop_assert_eq!(fwd.into_points(), expected.clone());
            let mut rev = FrontierBuilder::new(dim);
            for (i, p) in points.iter().enumerate().rev() { rev.insert(p, i as u64); }
            prop_assert_eq!(rev.into_points(), expected.clone());
            let s = split.min(points.len());
            let (mut a, mut b) = (FrontierBuilder::new(dim), FrontierBuilder::new(dim));
            for (i, p) in points.iter().enumerate() {
                if i < s { a.insert(p, i as u64) } else { b.insert(p, i as u64) }
            }
            prop_assert_eq!(b.merge(a).into_points(), expected.clone());
            let flat: Vec<f64> = points.iter().flatten().copied().collect();
            let idx = pareto_indices(&flat, dim);
            let got: Vec<(Vec<f64>, u64)> = idx.iter().map(|&i| (points[i].clone(), i as u64)).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
