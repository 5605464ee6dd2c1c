//! Conformance with KTAB's `smpc`: every folder with recorded outputs is
//! run and compared turn by turn, on the repository's samples
//! (`tests/data/ktab`) and, with `--include-ignored` and `DETENTE_CORPUS`
//! set, on the whole KTAB corpus.

#[path = "../../../tests/support.rs"]
mod support;

use std::fs;
use std::path::{Path, PathBuf};

use detente_forecast::{Model, Params, run};
use detente_formats::ktab::{read_ktab_csv, read_ktab_xml};

const OUTPUTS: [&str; 4] = [
    "positions_wide.csv",
    "positions_long.csv",
    "win_prob_by_turn.csv",
    "final_forecast.csv",
];

/// The KTAB inputs of a folder that the readers accept (a folder may also
/// hold a shipped file KTAB rejects; it must fail with an error, not panic).
fn inputs(dir: &Path) -> Vec<(PathBuf, Model)> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let ext = p.extension().map(|e| e.to_string_lossy().to_lowercase());
            !OUTPUTS.contains(&name.as_str()) && matches!(ext.as_deref(), Some("csv") | Some("xml"))
        })
        .collect();
    files.sort();
    let mut ok = Vec::new();
    for f in files {
        let text = fs::read_to_string(&f).unwrap();
        let name = f.display().to_string();
        let read = if name.to_lowercase().ends_with(".xml") {
            read_ktab_xml(&text, &name)
        } else {
            read_ktab_csv(&text, &name)
        };
        match read {
            Ok(m) => ok.push((f, m)),
            Err(e) => eprintln!("  {} rejected: {e}", f.display()),
        }
    }
    ok
}

struct Recorded {
    /// (actor, dim, values per turn)
    positions: Vec<(String, String, Vec<f64>)>,
    /// (actor, printed values per turn)
    win: Vec<(String, Vec<String>)>,
    params: Option<[usize; 9]>,
    seed: Option<u64>,
}

fn read_recorded(dir: &Path) -> Recorded {
    let wide = fs::read_to_string(dir.join("positions_wide.csv")).unwrap();
    let positions = wide
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f = split(l);
            let vals = f[2..].iter().map(|v| v.parse::<f64>().unwrap()).collect();
            (f[0].clone(), f[1].clone(), vals)
        })
        .collect();
    let win = fs::read_to_string(dir.join("win_prob_by_turn.csv"))
        .map(|w| {
            w.lines()
                .skip(1)
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let f = split(l);
                    (f[0].clone(), f[1..].to_vec())
                })
                .collect()
        })
        .unwrap_or_default();
    let (mut params, mut seed) = (None, None);
    if let Ok(ff) = fs::read_to_string(dir.join("final_forecast.csv")) {
        let first = split(ff.lines().next().unwrap_or(""));
        for (i, f) in first.iter().enumerate() {
            if f == "seed" {
                seed = first.get(i + 1).and_then(|s| s.trim().parse().ok());
            }
            if f.starts_with("params(") {
                let codes: Vec<usize> = first
                    .get(i + 1)
                    .map(|s| s.split('/').filter_map(|c| c.trim().parse().ok()).collect())
                    .unwrap_or_default();
                if codes.len() == 9 {
                    params = Some(codes.try_into().unwrap());
                }
            }
        }
    }
    Recorded {
        positions,
        win,
        params,
        seed,
    }
}

fn split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut q = false;
    for c in line.chars() {
        match c {
            '"' => q = !q,
            ',' if !q => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|s| s.trim().to_string()).collect()
}

/// Compares one run with the recorded outputs; returns the mismatches.
fn compare(model: &Model, rec: &Recorded) -> Vec<String> {
    let f = run(model);
    let mut errs = Vec::new();
    let states = rec.positions.first().map_or(0, |r| r.2.len());
    if f.turns.len() != states {
        errs.push(format!(
            "KTAB ran {} turns, detente {}",
            states.saturating_sub(1),
            f.num_turns()
        ));
    }
    for (actor, dim, vals) in &rec.positions {
        let a = model.actor_index(actor).expect("actor in model");
        let d = model
            .dimensions()
            .iter()
            .position(|x| x.trim() == dim.trim())
            .expect("dimension in model");
        for (t, v) in vals.iter().enumerate().take(f.turns.len()) {
            let ours = 100.0 * f.position(t, a, d);
            if (ours - v).abs() > 1e-6 {
                errs.push(format!(
                    "t{t} {actor}/{dim}: KTAB {v:.6}, detente {ours:.6}"
                ));
                break;
            }
        }
    }
    for (actor, vals) in &rec.win {
        let a = model.actor_index(actor).expect("actor in model");
        for (t, v) in vals.iter().enumerate().take(f.turns.len()) {
            let ours = f.turns[t].win_prob[a];
            let printed = format!("{ours:.4}");
            let theirs: f64 = v.parse().unwrap();
            if printed != *v && (ours - theirs).abs() > 5.0001e-5 {
                errs.push(format!(
                    "t{t} {actor} win prob: KTAB {v}, detente {printed}"
                ));
                break;
            }
        }
    }
    errs
}

#[test]
fn every_repository_sample_matches_ktab() {
    let checked = every_recorded_case_matches_ktab(&support::data("ktab"));
    assert_eq!(checked, 3, "the three samples with outputs");
}

#[test]
#[ignore = "needs the KTAB corpus: set DETENTE_CORPUS to shared/corpus"]
fn every_corpus_case_matches_ktab() {
    every_recorded_case_matches_ktab(&support::corpus("ktab"));
}

/// Runs every folder under `root` that holds KTAB's outputs; returns the
/// number of inputs compared.
fn every_recorded_case_matches_ktab(root: &Path) -> usize {
    let mut dirs: Vec<PathBuf> = fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("positions_wide.csv").is_file())
        .collect();
    dirs.sort();
    assert!(
        !dirs.is_empty(),
        "no recorded cases under {}",
        root.display()
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in &dirs {
        let rec = read_recorded(dir);
        let models = inputs(dir);
        if models.is_empty() {
            failures.push(format!("{}: no readable KTAB input", dir.display()));
            continue;
        }
        for (file, mut model) in models {
            if let Some(codes) = rec.params {
                let mut p = Params::from_indices(codes).unwrap();
                p.ktab_compat = true;
                model = model.with_params(p);
            }
            if let Some(seed) = rec.seed {
                model = model.with_seed(seed);
            }
            let errs = compare(&model, &rec);
            checked += 1;
            eprintln!(
                "{}: {}",
                file.display(),
                if errs.is_empty() {
                    "matches KTAB"
                } else {
                    "DIFFERS"
                }
            );
            for e in errs.iter().take(5) {
                eprintln!("    {e}");
            }
            if !errs.is_empty() {
                failures.push(format!("{}: {}", file.display(), errs[0]));
            }
        }
    }
    assert!(failures.is_empty(), "mismatches:\n{}", failures.join("\n"));
    checked
}

/// `positions_wide_csv` writes KTAB's layout: same header, same rows in
/// the same order, same number format and line ends.
#[test]
fn positions_csv_has_ktab_layout() {
    let dir = support::data("ktab/dummyData_3Dim");
    let Some((_, model)) = inputs(&dir).into_iter().next() else {
        panic!("no input in {}", dir.display())
    };
    let ours = detente_formats::ktab::positions_wide_csv(&model, &run(&model));
    let theirs = fs::read_to_string(dir.join("positions_wide.csv")).unwrap();
    let key = |s: &str| -> Vec<String> {
        s.split("\r\n")
            .map(|l| l.split(',').take(2).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(key(&ours), key(&theirs));
    assert_eq!(ours.lines().next(), theirs.lines().next());
    assert!(ours.contains(",75.790000,79.540000,"));
}
