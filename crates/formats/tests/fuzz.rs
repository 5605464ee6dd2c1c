//! Fuzz campaign for the readers (issue "hardening"): one target per reader
//! (native TOML, native JSON, GENIUS XML domain and profile, GeniusWeb JSON,
//! KTAB CSV, KTAB XML). Each target takes seed files from `tests/data`,
//! mutates them (bit flips, byte replacements, insertions of format tokens,
//! truncations, deleted ranges, duplicated and deleted lines) and reads the
//! result: every input must give an error or a scenario, never a panic and
//! never a hang.
//!
//! A normal test run tries a modest, fixed set of cases per target
//! (deterministic: the random source is seeded). A long campaign:
//!
//! ```text
//! DETENTE_FUZZ_CASES=200000 DETENTE_FUZZ_SEED=7 \
//!     cargo test --release -p detente-formats --test fuzz -- --nocapture
//! ```
//!
//! Inputs that fail are written to `<target dir>/tmp/fuzz-findings/`; see
//! `docs/fuzzing.md` for the campaigns run and what they found.

#[path = "../../../tests/support.rs"]
mod support;

use detente_formats::ktab::{read_ktab_csv, read_ktab_xml};
use detente_formats::{genius, geniusweb, native};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// Cases per target in a normal run (the whole file takes a few seconds in
/// a debug build).
const DEFAULT_CASES: u32 = 1000;

/// How long one read may take before the input counts as a hang: far above
/// the milliseconds a read of these few-kilobyte files takes.
const HANG: Duration = Duration::from_secs(20);

/// Format tokens worth inserting: markup, quotes, entities, bytes that are
/// not UTF-8, numbers at the edges of what parses.
const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"/>",
    b"\"",
    b"'",
    b"&",
    b"&amp;",
    b"&#0;",
    b"=",
    b"<!--",
    b"-->",
    b"<?xml?>",
    b"<objective index=\"9\">",
    b"</issue>",
    b"<item value=\"x\"/>",
    b"\xff",
    b"\x80",
    b"\xc3",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"\n",
    b"\r\n",
    b" ",
    b"0",
    b"-1",
    b"1e308",
    b"-1e308",
    b"1e-320",
    b"NaN",
    b"inf",
    b"99999999999999999999",
    b"4294967296",
    b"null",
    b"true",
    b"\"\"",
    b"[[",
    b"]]",
    b"#",
];

#[derive(Clone, Debug)]
enum Edit {
    Flip {
        file: usize,
        at: usize,
        bit: u8,
    },
    Byte {
        file: usize,
        at: usize,
        byte: u8,
    },
    Insert {
        file: usize,
        at: usize,
        token: usize,
    },
    Truncate {
        file: usize,
        at: usize,
    },
    DeleteRange {
        file: usize,
        at: usize,
        len: u8,
    },
    DuplicateLine {
        file: usize,
        line: usize,
    },
    DeleteLine {
        file: usize,
        line: usize,
    },
}

fn edit() -> impl Strategy<Value = Edit> {
    let (f, a) = (any::<usize>(), any::<usize>());
    prop_oneof![
        3 => (f, a, 0u8..8).prop_map(|(file, at, bit)| Edit::Flip { file, at, bit }),
        2 => (f, a, any::<u8>()).prop_map(|(file, at, byte)| Edit::Byte { file, at, byte }),
        3 => (f, a, 0..TOKENS.len()).prop_map(|(file, at, token)| Edit::Insert { file, at, token }),
        1 => (f, a).prop_map(|(file, at)| Edit::Truncate { file, at }),
        1 => (f, a, any::<u8>()).prop_map(|(file, at, len)| Edit::DeleteRange { file, at, len }),
        2 => (f, a).prop_map(|(file, line)| Edit::DuplicateLine { file, line }),
        1 => (f, a).prop_map(|(file, line)| Edit::DeleteLine { file, line }),
    ]
}

/// The byte ranges of a file's lines, each with its line end.
fn lines(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (k, &c) in b.iter().enumerate() {
        if c == b'\n' {
            out.push((start, k + 1));
            start = k + 1;
        }
    }
    if start < b.len() {
        out.push((start, b.len()));
    }
    out
}

fn apply(files: &mut [Vec<u8>], e: &Edit) {
    let n = files.len();
    let pick = |file: usize| file % n;
    match *e {
        Edit::Flip { file, at, bit } => {
            let b = &mut files[pick(file)];
            if !b.is_empty() {
                let at = at % b.len();
                b[at] ^= 1 << bit;
            }
        }
        Edit::Byte { file, at, byte } => {
            let b = &mut files[pick(file)];
            if !b.is_empty() {
                let at = at % b.len();
                b[at] = byte;
            }
        }
        Edit::Insert { file, at, token } => {
            let b = &mut files[pick(file)];
            let at = at % (b.len() + 1);
            b.splice(at..at, TOKENS[token].iter().copied());
        }
        Edit::Truncate { file, at } => {
            let b = &mut files[pick(file)];
            b.truncate(at % (b.len() + 1));
        }
        Edit::DeleteRange { file, at, len } => {
            let b = &mut files[pick(file)];
            if !b.is_empty() {
                let at = at % b.len();
                let end = (at + len as usize).min(b.len());
                b.drain(at..end);
            }
        }
        Edit::DuplicateLine { file, line } => {
            let b = &mut files[pick(file)];
            let ls = lines(b);
            if !ls.is_empty() {
                let (s, e) = ls[line % ls.len()];
                let copy = b[s..e].to_vec();
                b.splice(e..e, copy);
            }
        }
        Edit::DeleteLine { file, line } => {
            let b = &mut files[pick(file)];
            let ls = lines(b);
            if !ls.is_empty() {
                let (s, e) = ls[line % ls.len()];
                b.drain(s..e);
            }
        }
    }
}

/// What one read gave.
#[derive(Clone, Copy, Debug)]
enum Outcome {
    Loaded,
    Refused,
}

fn outcome<T, E: std::fmt::Display>(r: Result<T, E>, file: &str) -> Result<Outcome, String> {
    match r {
        Ok(_) => Ok(Outcome::Loaded),
        Err(e) => {
            let message = e.to_string();
            // Every error names the file it is about.
            if message.contains(file) {
                Ok(Outcome::Refused)
            } else {
                Err(format!("the error does not name `{file}`: {message}"))
            }
        }
    }
}

fn cases() -> u32 {
    match std::env::var("DETENTE_FUZZ_CASES") {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("DETENTE_FUZZ_CASES={v}: expected a number of cases")),
        Err(_) => DEFAULT_CASES,
    }
}

fn seed() -> u64 {
    match std::env::var("DETENTE_FUZZ_SEED") {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("DETENTE_FUZZ_SEED={v}: expected an integer")),
        Err(_) => 0x5EED,
    }
}

/// Keeps a failing input for a human to look at.
fn keep(target: &str, files: &[Vec<u8>]) -> String {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings");
    let _ = std::fs::create_dir_all(&dir);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in files.iter().flatten() {
        hash = (hash ^ *b as u64).wrapping_mul(0x100_0000_01b3);
    }
    let mut names = Vec::new();
    for (k, b) in files.iter().enumerate() {
        let p = dir.join(format!("{target}-{hash:016x}-{k}"));
        let _ = std::fs::write(&p, b);
        names.push(p.display().to_string());
    }
    names.join(", ")
}

type Reader = fn(&[Vec<u8>]) -> Result<Outcome, String>;

/// Runs one target: `seeds` are sets of files (a domain and a profile,
/// say); each case mutates one set and hands it to `read` on a thread of
/// its own, so that a panic or a hang is reported with the input that
/// caused it.
fn campaign(target: &str, seeds: Vec<Vec<Vec<u8>>>, read: Reader) {
    let config = Config {
        cases: cases(),
        rng_seed: RngSeed::Fixed(seed()),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    };
    let (loaded, refused) = (AtomicU64::new(0), AtomicU64::new(0));
    let strategy = (0..seeds.len(), prop::collection::vec(edit(), 1..5));
    let mut runner = TestRunner::new(config);
    let mutated = |k: usize, edits: &[Edit]| {
        let mut files = seeds[k].clone();
        for e in edits {
            apply(&mut files, e);
        }
        files
    };
    let result = runner.run(&strategy, |(k, edits)| {
        let files = mutated(k, &edits);
        let (tx, rx) = mpsc::channel();
        let input = files.clone();
        let worker = std::thread::spawn(move || {
            let _ = tx.send(read(&input));
        });
        let verdict = match rx.recv_timeout(HANG) {
            Ok(v) => {
                let _ = worker.join();
                v
            }
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("no answer after {HANG:?}")),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                let payload = worker.join().err();
                let message = payload
                    .as_ref()
                    .and_then(|p| {
                        p.downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    })
                    .unwrap_or_default();
                Err(format!("panicked: {message}"))
            }
        };
        match verdict {
            Ok(Outcome::Loaded) => {
                loaded.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Ok(Outcome::Refused) => {
                refused.fetch_add(1, Ordering::Relaxed);
                Ok(())
            }
            Err(why) => Err(TestCaseError::fail(why)),
        }
    });
    eprintln!(
        "{target}: {} executions, {} loaded, {} refused",
        loaded.load(Ordering::Relaxed) + refused.load(Ordering::Relaxed),
        loaded.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed)
    );
    match result {
        Ok(()) => {}
        // The smallest failing input proptest found, kept for a human.
        Err(TestError::Fail(why, (k, edits))) => panic!(
            "{target}: {why}; input kept in {}",
            keep(target, &mutated(k, &edits))
        ),
        Err(e) => panic!("{target}: {e}"),
    }
}

fn file(rel: &str) -> Vec<u8> {
    std::fs::read(support::data(rel)).unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn native_toml() {
    campaign("native-toml", vec![vec![file("native/lease.toml")]], |f| {
        outcome(native::read_str(&text(&f[0]), "fuzz.toml"), "fuzz.toml")
    });
}

#[test]
fn native_json() {
    campaign("native-json", vec![vec![file("native/lease.json")]], |f| {
        outcome(native::read_str(&text(&f[0]), "fuzz.json"), "fuzz.json")
    });
}

/// A domain and a profile; either may be damaged.
#[test]
fn genius_xml() {
    let pairs = [
        ("lease/lease-domain.xml", "lease/buyer.xml"),
        ("lease/lease-domain.xml", "lease/seller.xml"),
        ("lease/lease-domain.xml", "lease/buyer_uncertain.xml"),
        ("boxes/grid-domain.xml", "boxes/profile-1.xml"),
        ("boxes/grid-domain.xml", "boxes/profile-2.xml"),
        ("fruit/Fruit-B-domain.xml", "fruit/Fruit-B-prof2.xml"),
        ("quirks/Shop-domain.xml", "quirks/shopper.xml"),
    ];
    let seeds = pairs
        .iter()
        .map(|(d, p)| vec![file(&format!("genius/{d}")), file(&format!("genius/{p}"))])
        .collect();
    campaign("genius-xml", seeds, |f| {
        for b in f {
            let _ = genius::classify(&genius::xml::decode(b));
        }
        let domain = match genius::read_domain(&f[0], "fuzz-domain.xml") {
            Ok(d) => d,
            Err(e) => return outcome(Err::<(), _>(e), "fuzz-domain.xml"),
        };
        let r = genius::scenario(&domain, &[(f[1].clone(), "fuzz-profile.xml".into())]);
        outcome(r, "fuzz-")
    });
}

/// A domain file and two profiles, each embedding the domain.
#[test]
fn geniusweb_json() {
    let seeds = vec![vec![
        file("geniusweb/holiday/holiday.json"),
        file("geniusweb/holiday/traveller.json"),
        file("geniusweb/holiday/agency.json"),
    ]];
    campaign("geniusweb-json", seeds, |f| {
        let t: Vec<String> = f.iter().map(|b| text(b)).collect();
        for x in &t {
            let _ = geniusweb::classify(x);
        }
        let profiles = vec![
            (t[1].clone(), "fuzz-a.json".to_string()),
            (t[2].clone(), "fuzz-b.json".to_string()),
        ];
        outcome(
            geniusweb::scenario(Some((&t[0], "fuzz-domain.json")), &profiles),
            "fuzz-",
        )
    });
}

#[test]
fn ktab_csv() {
    let seeds = vec![vec![file("ktab/dummyData_3Dim/dummyData_3Dim.csv")]];
    campaign("ktab-csv", seeds, |f| {
        outcome(read_ktab_csv(&text(&f[0]), "fuzz.csv"), "fuzz.csv")
    });
}

#[test]
fn ktab_xml() {
    let seeds = vec![
        vec![file(
            "ktab/variant_d3_markovIncentive/d3_markovIncentive.xml",
        )],
        vec![file("ktab/smpExample/smpExample_fixed.xml")],
    ];
    campaign("ktab-xml", seeds, |f| {
        outcome(read_ktab_xml(&text(&f[0]), "fuzz.xml"), "fuzz.xml")
    });
}

/// Found by the first long campaign (`docs/fuzzing.md`): an integer range
/// bound grown to 142949672960 in a profile's embedded domain made the
/// GeniusWeb reader tabulate 1.4·10^11 values (no answer within 20 s). The
/// reader now refuses it, naming the file and the limit.
#[test]
fn finding_geniusweb_integer_range_is_refused() {
    let dir = support::data("fuzz-findings/geniusweb-integer-range");
    let e = detente_formats::load(&dir.display().to_string(), &Default::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("traveller.json") && e.contains("at most"), "{e}");
}
