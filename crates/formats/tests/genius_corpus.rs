//! Conformance of the GENIUS and GeniusWeb readers on the real ANAC corpus
//! (`$DETENTE_CORPUS/genius`) and on NegMAS's synthetic domains
//! (`$DETENTE_PEERS/negmas`). The corpus stays outside the repository
//! (AGPL data), so these tests are ignored unless run with
//! `--include-ignored` and the variables set, as CI does; the readers are
//! exercised on every clone by `data.rs` with the repository's own files.
//!
//! Nothing here names a corpus file: folders and files are iterated and
//! classified by content.

mod common;
#[path = "../../../tests/support.rs"]
mod support;

use common::{same_utilities, via_genius, via_geniusweb, via_native};

use detente_analysis::{Disagreement, Options, analyze};
use detente_core::PartyId;
use detente_formats::{FormatError, LoadOptions, genius, geniusweb, load};
use serde_json::Value as J;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    support::corpus("genius")
}

/// Refusals the readers make on purpose, each with its reason: GENIUS's
/// empty placeholder profiles, and profile kinds detente does not read.
fn deliberate(message: &str) -> bool {
    message.contains("placeholder") || message.contains("not supported")
}

fn folders(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

fn ext(p: &Path) -> String {
    p.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// A clear failure names the file and says why.
fn assert_clear(e: &FormatError, file: &Path) {
    let msg = e.to_string();
    let name = file.file_name().unwrap().to_string_lossy();
    assert!(
        msg.contains(name.as_ref()) && msg.len() > name.len() + 20,
        "unclear error for {}: {msg}",
        file.display()
    );
}

#[test]
#[ignore = "needs the GENIUS corpus: set DETENTE_CORPUS to shared/corpus"]
fn every_corpus_file_loads_or_fails_clearly() {
    let root = corpus();
    let (mut domains, mut profiles, mut failed, mut other) = (0, 0, Vec::new(), 0);
    for dir in folders(&root) {
        let mut genius_domains = Vec::new();
        let mut genius_profiles = Vec::new();
        for f in files(&dir) {
            let bytes = std::fs::read(&f).unwrap();
            let name = f.display().to_string();
            match ext(&f).as_str() {
                "xml" => match genius::classify(&genius::xml::decode(&bytes)) {
                    genius::FileKind::Domain => {
                        genius_domains.push(genius::read_domain(&bytes, &name).unwrap());
                        domains += 1;
                    }
                    genius::FileKind::Profile { .. } => genius_profiles.push((f, bytes)),
                    genius::FileKind::Other => other += 1,
                },
                "json" => {
                    let text = String::from_utf8(bytes).unwrap();
                    match geniusweb::classify(&text) {
                        geniusweb::FileKind::Domain => {
                            let v: J = serde_json::from_str(&text).unwrap();
                            geniusweb::domain_from_json(&v, &name).unwrap();
                            domains += 1;
                        }
                        geniusweb::FileKind::Profile => match geniusweb::read_profile(&text, &name)
                        {
                            Ok(_) => profiles += 1,
                            Err(e) => {
                                assert_clear(&e, &f);
                                failed.push(e.to_string());
                            }
                        },
                        geniusweb::FileKind::Other => other += 1,
                    }
                }
                _ => other += 1,
            }
        }
        for (f, bytes) in genius_profiles {
            assert!(
                !genius_domains.is_empty(),
                "{}: a profile without a domain in its folder",
                f.display()
            );
            // Variants of a folder share their issues: any domain will do.
            let name = f.display().to_string();
            match genius::read_profile(&bytes, &name, &genius_domains[0], "p") {
                Ok(_) => profiles += 1,
                Err(e) => {
                    assert_clear(&e, &f);
                    failed.push(e.to_string());
                }
            }
        }
    }
    eprintln!(
        "corpus: {domains} domains and {profiles} profiles load; {} profiles refused with a reason; {other} other files",
        failed.len()
    );
    for f in &failed {
        eprintln!("  refused: {f}");
    }
    assert!(domains > 0 && profiles > 0);
    // Only deliberate refusals (on the shared corpus: the ten placeholders).
    assert!(failed.iter().all(|m| deliberate(m)), "{failed:?}");
}

/// Every folder loads as a scenario (choosing each variant in turn), or
/// says clearly why not.
#[test]
#[ignore = "needs the GENIUS corpus: set DETENTE_CORPUS to shared/corpus"]
fn every_corpus_folder_loads_as_a_scenario() {
    let root = corpus();
    let (mut ok, mut refused) = (0, Vec::new());
    for dir in folders(&root) {
        let d = dir.display().to_string();
        match load(&d, &LoadOptions::default()) {
            Ok(l) => {
                assert!(!l.detected.is_empty());
                ok += 1;
            }
            Err(e) => {
                let msg = e.to_string();
                if let Some(list) = msg.split("--variant: ").nth(1) {
                    for v in list.split(", ") {
                        let opts = LoadOptions {
                            variant: Some(v.trim().to_string()),
                            ..Default::default()
                        };
                        let l = load(&d, &opts).unwrap_or_else(|e| panic!("{d} variant {v}: {e}"));
                        assert!(l.detected.contains("variant"), "{}", l.detected);
                        ok += 1;
                    }
                } else {
                    assert!(msg.contains(&d), "{msg}");
                    refused.push(msg);
                }
            }
        }
    }
    eprintln!("folders: {ok} scenarios load; refused: {refused:#?}");
    assert!(refused.iter().all(|m| deliberate(m)), "{refused:?}");
}

/// The number of distinct utility vectors on a frontier, comparing
/// utilities to 1e-9.
///
/// Sums of the same numbers in a different grouping differ in the last bit
/// (2011 Energy: 0.23875 + … gives (0.23875000000000002, 0.9480000000000002)
/// beside (0.24, 0.9480000000000001)); the exact frontier keeps both, since
/// neither dominates the other bit for bit, while the reference counts the
/// first as dominated. GENIUS's own sums give the same bits as ours, yet the
/// reference counts follow neither rule everywhere (2011 Energy: 204 merged,
/// 210 bit-exact, reference 208), so the check is that the reference lies
/// between the two.
fn frontier_size(points: &[detente_analysis::Point]) -> usize {
    const EPS: f64 = 1e-9;
    let u: Vec<&Vec<f64>> = points.iter().map(|p| &p.utilities).collect();
    let kept: Vec<&Vec<f64>> = u
        .iter()
        .filter(|p| {
            !u.iter().any(|q| {
                q.iter().zip(p.iter()).all(|(a, b)| *a >= b - EPS)
                    && q.iter().zip(p.iter()).any(|(a, b)| *a > b + EPS)
            })
        })
        .copied()
        .collect();
    let mut distinct: Vec<&Vec<f64>> = Vec::new();
    for p in kept {
        if !distinct
            .iter()
            .any(|q| q.iter().zip(p.iter()).all(|(a, b)| (a - b).abs() <= EPS))
        {
            distinct.push(p);
        }
    }
    distinct.len()
}

/// Reference values are rounded to 6 decimals.
const TOL: f64 = 1e-6;

fn close(what: &str, got: f64, want: f64, errors: &mut Vec<String>) {
    if (got - want).abs() > TOL {
        errors.push(format!("{what}: got {got}, reference {want}"));
    }
}

fn numbers(v: &J) -> Vec<f64> {
    v.as_array()
        .map(|a| a.iter().filter_map(J::as_f64).collect())
        .unwrap_or_default()
}

#[test]
#[ignore = "needs the GENIUS corpus: set DETENTE_CORPUS to shared/corpus"]
fn reference_values_match() {
    let root = corpus();
    let file = root.join("reference-values.json");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let reference: serde_json::Map<String, J> = serde_json::from_str(&text).unwrap();
    let mut errors = Vec::new();
    let mut matched = 0;
    let options = Options {
        disagreement: Disagreement::Zero,
        ..Options::default()
    };
    for (folder, r) in &reference {
        let profiles: Vec<String> = r["profiles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        let dir = root.join(folder);
        let loaded = load(
            &dir.display().to_string(),
            &LoadOptions {
                profiles: profiles.clone(),
                variant: None,
            },
        )
        .unwrap_or_else(|e| panic!("{folder}: {e}"));
        let s = &loaded.scenario;
        let a = analyze(s, &options).unwrap();
        let before = errors.len();
        let at = |k: &str| format!("{folder} {k}");
        if let Some(n) = r["n_outcomes"].as_u64()
            && a.outcome_count != Some(n as u128)
        {
            errors.push(format!(
                "{}: {:?} vs {n}",
                at("n_outcomes"),
                a.outcome_count
            ));
        }
        if let Some(n) = r["pareto_size"].as_u64() {
            // The reference's count lies between the frontier of the exact
            // real numbers (float noise merged) and that of the computed
            // bits; on 35 of the 39 pairs the two agree (see frontier_size).
            let (low, high) = (frontier_size(&a.pareto) as u64, a.pareto.len() as u64);
            if !(low..=high).contains(&n) {
                errors.push(format!(
                    "{}: {low} (float noise merged) to {high} (bit-exact) vs {n}",
                    at("pareto_size"),
                ));
            }
            if low != high {
                eprintln!(
                    "{folder}: Pareto size {low} (noise merged) / {high} (bit-exact), reference {n}"
                );
            }
        }
        let point = |p: &Option<detente_analysis::Point>| p.as_ref().unwrap().utilities.clone();
        let pairs: [(&str, Vec<f64>, &J); 3] = [
            ("nash", point(&a.solutions.nash), &r["nash"]["u"]),
            (
                "kalai",
                point(&a.solutions.kalai_smorodinsky),
                &r["kalai"]["u"],
            ),
            (
                "max_welfare",
                point(&a.solutions.max_welfare),
                &r["max_welfare"],
            ),
        ];
        for (name, got, want) in pairs {
            match want {
                J::Number(n) => close(
                    &at(name),
                    got.iter().sum(),
                    n.as_f64().unwrap(),
                    &mut errors,
                ),
                J::Object(o) => {
                    let u = numbers(&o["u"]);
                    for (k, (g, w)) in got.iter().zip(&u).enumerate() {
                        close(&format!("{}[{k}]", at(name)), *g, *w, &mut errors);
                    }
                    if let Some(sum) = o.get("sum").and_then(J::as_f64) {
                        close(&at("welfare sum"), got.iter().sum(), sum, &mut errors);
                    }
                }
                J::Array(_) => {
                    for (k, (g, w)) in got.iter().zip(numbers(want)).enumerate() {
                        close(&format!("{}[{k}]", at(name)), *g, w, &mut errors);
                    }
                }
                _ => {}
            }
        }
        // The Nash bid: ties go to the first outcome in issue order, in the
        // reference as here.
        if let (Some(bid), Some(nash)) = (r["nash"]["bid"].as_object(), &a.solutions.nash) {
            let labels = s.labels(&nash.outcome);
            for (issue, label) in s.issues().iter().zip(&labels) {
                let want = bid.get(&issue.name).map(|v| match v {
                    J::String(x) => x.clone(),
                    other => other.to_string(),
                });
                if want.as_deref() != Some(label.as_str()) {
                    errors.push(format!(
                        "{}: issue `{}` is `{label}`, reference {want:?}",
                        at("nash bid"),
                        issue.name
                    ));
                }
            }
        }
        for (k, w) in numbers(&r["rv"]).into_iter().enumerate() {
            close(&at("rv"), s.reservation(PartyId(k as u32)), w, &mut errors);
        }
        for (k, w) in numbers(&r["df"]).into_iter().enumerate() {
            close(
                &at("df"),
                s.parties()[k].preferences.discount,
                w,
                &mut errors,
            );
        }
        for (k, w) in numbers(&r["reservation_bid_utility"])
            .into_iter()
            .enumerate()
        {
            close(
                &at("reservation bid utility"),
                s.reservation(PartyId(k as u32)),
                w,
                &mut errors,
            );
        }
        for (k, w) in numbers(&r["max_u"]).into_iter().enumerate() {
            close(&at("max_u"), a.ranges[k].best.unwrap(), w, &mut errors);
        }
        if errors.len() == before {
            matched += 1;
        }
    }
    eprintln!("reference pairs: {matched} of {} match", reference.len());
    assert!(errors.is_empty(), "{errors:#?}");
}

fn sorted(mut v: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v
}

fn utils(v: &J) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(numbers).collect()
}

fn assert_points(what: &str, got: &[Vec<f64>], want: &[Vec<f64>]) {
    assert_eq!(got.len(), want.len(), "{what}: {got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        for (x, y) in g.iter().zip(w) {
            assert!((x - y).abs() <= 1e-9, "{what}: {g:?} vs {w:?}");
        }
    }
}

#[test]
#[ignore = "needs the NegMAS peer data: set DETENTE_PEERS to shared/peers"]
fn negmas_synthetic_domains_match_its_frontiers() {
    let peers = support::peers("negmas");
    let mut checked = 0;
    for dir in folders(&peers.join("domains")) {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let results = peers.join(format!("results/pareto_{name}.json"));
        let genius_dir = dir.join("genius");
        if !results.is_file() || !genius_dir.is_dir() {
            continue;
        }
        let r: J = serde_json::from_str(&std::fs::read_to_string(&results).unwrap()).unwrap();
        let loaded = load(&genius_dir.display().to_string(), &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let a = analyze(&loaded.scenario, &Options::default()).unwrap();
        let frontier: Vec<Vec<f64>> = a.pareto.iter().map(|p| p.utilities.clone()).collect();
        assert_points(
            &format!("{name} frontier"),
            &sorted(frontier.clone()),
            &sorted(utils(&r["frontier_utils"])),
        );
        let sol = |p: &Option<detente_analysis::Point>| vec![p.as_ref().unwrap().utilities.clone()];
        assert_points(
            &format!("{name} nash"),
            &sol(&a.solutions.nash),
            &utils(&r["nash_utils"]),
        );
        assert_points(
            &format!("{name} max welfare"),
            &sol(&a.solutions.max_welfare),
            &utils(&r["max_welfare_utils"]),
        );
        // NegMAS's `kalai_utils` is not compared: on 3 of these domains it
        // is neither the egalitarian point, nor Kalai–Smorodinsky, nor any
        // max-min of normalised utilities we could identify.
        // NegMAS's "ks" is the frontier point whose utilities, each
        // normalised to the party's [worst, best], are closest to equal.
        let ranges: Vec<Vec<f64>> = a
            .ranges
            .iter()
            .map(|r| vec![r.worst.unwrap(), r.best.unwrap()])
            .collect();
        assert_points(
            &format!("{name} ranges"),
            &ranges,
            &utils(&r["ufun_minmax"]),
        );
        let spread = |u: &Vec<f64>| {
            let n: Vec<f64> = u
                .iter()
                .zip(&ranges)
                .map(|(x, m)| (x - m[0]) / (m[1] - m[0]))
                .collect();
            n.iter().copied().fold(f64::NEG_INFINITY, f64::max)
                - n.iter().copied().fold(f64::INFINITY, f64::min)
        };
        let ks = frontier
            .iter()
            .min_by(|p, q| spread(p).total_cmp(&spread(q)))
            .cloned()
            .unwrap();
        assert_points(&format!("{name} ks"), &[ks], &utils(&r["ks_utils"]));
        checked += 1;
    }
    eprintln!("NegMAS synthetic domains: {checked} match");
    assert!(checked > 0);
}

#[test]
#[ignore = "needs the GENIUS corpus: set DETENTE_CORPUS to shared/corpus"]
fn corpus_scenarios_round_trip() {
    let root = corpus();
    let mut written = [0usize; 3];
    let mut not_expressible = Vec::new();
    for dir in folders(&root) {
        let d = dir.display().to_string();
        let mut scenarios = Vec::new();
        match load(&d, &LoadOptions::default()) {
            Ok(l) => scenarios.push(l.scenario),
            Err(e) => {
                if let Some(list) = e.to_string().split("--variant: ").nth(1) {
                    for v in list.split(", ") {
                        let opts = LoadOptions {
                            variant: Some(v.trim().to_string()),
                            ..Default::default()
                        };
                        scenarios.push(load(&d, &opts).unwrap().scenario);
                    }
                }
            }
        }
        for s in scenarios {
            let what = s.name().to_string();
            let back = via_native(&s).unwrap_or_else(|e| panic!("{what} native: {e}"));
            same_utilities(&format!("{what} native"), &s, &back, 0.0, true);
            written[0] += 1;
            match via_genius(&s) {
                Ok(back) => {
                    // Parties read from GENIUS come back bit for bit.
                    let from_genius = s.parties().iter().all(|p| {
                        p.preferences.normalisation == detente_core::Normalisation::CappedAtOne
                    });
                    let tol = if from_genius { 0.0 } else { 1e-12 };
                    same_utilities(&format!("{what} GENIUS"), &s, &back, tol, true);
                    written[1] += 1;
                }
                Err(e) => not_expressible.push(format!("GENIUS: {e}")),
            }
            match via_geniusweb(&s) {
                Ok(back) => {
                    same_utilities(&format!("{what} GeniusWeb"), &s, &back, 1e-8, false);
                    written[2] += 1;
                }
                Err(e) => not_expressible.push(format!("GeniusWeb: {e}")),
            }
        }
    }
    eprintln!(
        "round trips: {} native, {} GENIUS, {} GeniusWeb; not expressible: {not_expressible:#?}",
        written[0], written[1], written[2]
    );
    assert!(written[1] > 0 && written[2] > 0);
}

/// Damaged corpus files (truncated, bytes replaced, markup characters
/// inserted) give errors or scenarios, never panics.
#[test]
#[ignore = "needs the GENIUS corpus: set DETENTE_CORPUS to shared/corpus"]
fn damaged_corpus_files_never_panic() {
    let root = corpus();
    let mut tried = 0;
    for dir in folders(&root) {
        let all = files(&dir);
        let domain = all.iter().find_map(|f| {
            let b = std::fs::read(f).ok()?;
            (ext(f) == "xml"
                && genius::classify(&genius::xml::decode(&b)) == genius::FileKind::Domain)
                .then(|| genius::read_domain(&b, "d.xml").ok())
                .flatten()
        });
        for f in all
            .iter()
            .filter(|f| matches!(ext(f).as_str(), "xml" | "json"))
        {
            let bytes = std::fs::read(f).unwrap();
            let n = bytes.len().max(1);
            let mut variants: Vec<Vec<u8>> = Vec::new();
            for k in 1..6 {
                let at = n * k / 6;
                variants.push(bytes[..at.min(bytes.len())].to_vec());
                for ins in [b"<".as_slice(), b"\"", b"&", b"/>", b"\xff"] {
                    let mut v = bytes.clone();
                    let at = at.min(v.len());
                    v.splice(at..at, ins.iter().copied());
                    variants.push(v);
                }
            }
            for v in variants {
                tried += 1;
                let _ = genius::read_domain(&v, "x.xml");
                if let Some(d) = &domain {
                    let _ = genius::read_profile(&v, "x.xml", d, "p");
                }
                let _ = geniusweb::read_profile(&String::from_utf8_lossy(&v), "x.json");
            }
        }
    }
    eprintln!("{tried} damaged files read without a panic");
}

/// ANAC 2014's non-linear domains ship a Pareto frontier (`pareto.xml`,
/// lines `u1, u2`). On the domains small enough for the exact
/// branch-and-bound search to finish in a test (10^10 outcomes), our
/// frontier must contain every shipped point, and whatever else it holds
/// must be beaten by no shipped point (on `10issueswithRV` the shipped file
/// misses one efficient outcome, (0.7108, 0.9792), which our search finds
/// and which enumeration agrees with on every small case in the analysis
/// crate's property tests). Larger domains are refused with a clear message
/// by `detente analyze`; they are not searched here, to keep the suite fast.
#[test]
#[ignore = "needs the GENIUS corpus: set DETENTE_CORPUS to shared/corpus"]
fn anac2014_frontiers_contain_the_shipped_pareto_files() {
    let root = corpus();
    let mut checked = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let pareto = dir.join("pareto.xml");
        if !pareto.is_file() {
            continue;
        }
        let want: Vec<(f64, f64)> = std::fs::read_to_string(&pareto)
            .unwrap()
            .lines()
            .filter_map(|l| {
                let (a, b) = l.split_once(',')?;
                Some((a.trim().parse().ok()?, b.trim().parse().ok()?))
            })
            .collect();
        let loaded = detente_formats::load(dir.to_str().unwrap(), &Default::default()).unwrap();
        if loaded.scenario.space().count_f64() > 1e11 {
            continue;
        }
        let options = detente_analysis::Options {
            disagreement: detente_analysis::Disagreement::Zero,
            ..Default::default()
        };
        let a = detente_analysis::analyze(&loaded.scenario, &options).unwrap();
        let got: Vec<(f64, f64)> = a
            .pareto
            .iter()
            .map(|p| (p.utilities[0], p.utilities[1]))
            .collect();
        let near =
            |x: &(f64, f64), y: &(f64, f64)| (x.0 - y.0).abs() < 1e-6 && (x.1 - y.1).abs() < 1e-6;
        for w in &want {
            assert!(
                got.iter().any(|g| near(g, w)),
                "{}: shipped point {w:?} missing from {got:?}",
                dir.display()
            );
        }
        for g in &got {
            assert!(
                !want
                    .iter()
                    .any(|w| w.0 >= g.0 - 1e-6 && w.1 >= g.1 - 1e-6 && !near(w, g)),
                "{}: our point {g:?} is beaten by a shipped one",
                dir.display()
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 4,
        "the four 10-issue domains must be solved exactly, checked {checked}"
    );
}
