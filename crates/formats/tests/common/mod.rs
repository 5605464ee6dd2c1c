//! Helpers shared by the formats crate's test binaries: writing a scenario
//! in each format, reading it back and comparing utilities.

#![allow(dead_code)] // each test binary uses its own subset

use detente_core::{PartyId, Scenario};
use detente_formats::{FormatError, genius, geniusweb, native};

/// Outcomes to compare: all of a small space, else a deterministic sample.
pub fn sample(s: &Scenario) -> Vec<Vec<u32>> {
    let space = s.space();
    let n = space.count_u64().unwrap_or(u64::MAX);
    let take = 20_000u64;
    if n <= take {
        return (0..n).map(|k| space.decode(k)).collect();
    }
    // A fixed odd multiplier walks the index space without a random source.
    let mut out = Vec::with_capacity(take as usize);
    let mut o = vec![0u32; space.issue_count()];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..take {
        for (v, &r) in o.iter_mut().zip(space.radices()) {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            *v = ((x >> 33) % r as u64) as u32;
        }
        out.push(o.clone());
    }
    out
}

pub fn same_utilities(what: &str, a: &Scenario, b: &Scenario, tol: f64, discounts: bool) {
    assert_eq!(a.issues().len(), b.issues().len(), "{what}");
    assert_eq!(a.space().radices(), b.space().radices(), "{what}");
    assert_eq!(a.parties().len(), b.parties().len(), "{what}");
    for p in 0..a.parties().len() {
        let id = PartyId(p as u32);
        let (ra, rb) = (a.reservation(id), b.reservation(id));
        if discounts {
            assert!((ra - rb).abs() <= tol, "{what}: reservation of party {p}");
        } else {
            // GeniusWeb keeps a reservation *bid*: the worst outcome worth
            // at least the reservation value, which accepts the same outcomes.
            assert!(
                rb >= ra - tol,
                "{what}: reservation of party {p}: {ra} vs {rb}"
            );
            for o in sample(a) {
                let u = a.utility_of(id, &o);
                assert_eq!(u >= ra - 1e-12, u >= rb - 1e-12, "{what}: outcome {o:?}");
            }
        }
        // GeniusWeb profiles have no discount factor.
        if discounts {
            assert_eq!(
                a.parties()[p].preferences.discount,
                b.parties()[p].preferences.discount,
                "{what}: discount of party {p}"
            );
        }
        for o in sample(a) {
            let (x, y) = (a.utility_of(id, &o), b.utility_of(id, &o));
            assert!(
                (x - y).abs() <= tol,
                "{what}: party {p} outcome {o:?}: {x} vs {y}"
            );
        }
    }
}

pub fn via_genius(s: &Scenario) -> Result<Scenario, FormatError> {
    let files = genius::write(s.parts())?;
    let domain = genius::read_domain(files.domain.as_bytes(), "out-domain.xml")?;
    let profiles: Vec<(Vec<u8>, String)> = files
        .profiles
        .iter()
        .map(|(n, t)| (t.as_bytes().to_vec(), format!("{n}.xml")))
        .collect();
    genius::scenario(&domain, &profiles)
}

pub fn via_geniusweb(s: &Scenario) -> Result<Scenario, FormatError> {
    let files = geniusweb::write(s.parts())?;
    let profiles: Vec<(String, String)> = files
        .profiles
        .iter()
        .map(|(n, t)| (t.clone(), format!("{n}.json")))
        .collect();
    geniusweb::scenario(Some((&files.domain, "out.json")), &profiles)
}

pub fn via_native(s: &Scenario) -> Result<Scenario, FormatError> {
    native::read_str(&native::to_toml(s.parts())?, "out.toml")
}
