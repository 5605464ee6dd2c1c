//! Full SMP runs on the KTAB corpus inputs (see `BENCHMARKS.md`).
//!
//! Reads the corpus in place from `$DETENTE_CORPUS/ktab` (the convention of
//! the tests), or else `<workspace>/../shared/corpus/ktab`. The KTAB readers live in
//! `detente-formats`, which depends on this crate, so the bench carries a
//! minimal CSV reader of its own for these well-formed files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use detente_forecast::{Actor, Model, run};

fn corpus() -> PathBuf {
    match std::env::var_os("DETENTE_CORPUS") {
        Some(d) => PathBuf::from(d).join("ktab"),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/ktab"),
    }
}

fn read_csv(path: &Path) -> Model {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (set DETENTE_CORPUS to the shared/corpus folder)",
            path.display()
        )
    });
    let rows: Vec<Vec<String>> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.split(',')
                .map(|f| f.trim().trim_matches('"').to_string())
                .collect()
        })
        .collect();
    let n: usize = rows[0][2].parse().unwrap();
    let k: usize = rows[0][3].parse().unwrap();
    let dims = (0..k).map(|d| rows[1][3 + 2 * d].clone()).collect();
    let actors = rows[2..2 + n]
        .iter()
        .map(|r| {
            let num = |i: usize| r[i].parse::<f64>().unwrap();
            Actor::new(
                &r[0],
                num(2),
                (0..k).map(|d| num(3 + 2 * d) / 100.0).collect(),
                (0..k).map(|d| num(4 + 2 * d) / 100.0).collect(),
            )
        })
        .collect();
    Model::new(dims, actors).unwrap()
}

fn bench(c: &mut Criterion) {
    let root = corpus();
    let cases = [
        ("7x3 dummyData_3Dim", "dummyData_3Dim/dummyData_3Dim.csv"),
        ("13x2 SOE-Pol-Comp", "SOE-Pol-Comp/SOE-Pol-Comp.csv"),
        ("26x1 SOE-Policy", "inputs-only/SOE-Policy.csv"),
        ("27x6 dummyData_6Dim", "inputs-only/dummyData_6Dim.csv"),
        ("40x1 dummyData-a040", "inputs-only/dummyData-a040.csv"),
        ("34x1 SOE-Competitive", "inputs-only/SOE-Competitive.csv"),
        ("80x1 dummyData-a080", "inputs-only/dummyData-a080.csv"),
        ("160x1 dummyData-a160", "inputs-only/dummyData-a160.csv"),
    ];
    let mut group = c.benchmark_group("smp_run");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for (label, file) in cases {
        let model = read_csv(&root.join(file));
        let turns = run(&model).num_turns();
        eprintln!("{label}: {turns} turns");
        group.bench_function(label, |b| b.iter(|| run(&model)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
