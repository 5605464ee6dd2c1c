//! Whole negotiations and the one-off sorting of a party's outcomes, on the
//! work of `shared/peers/negmas/bench_sao.py`: NegMAS-compatible Boulware vs
//! Conceder and Boulware vs Boulware, 1000 steps, on synth 3×10 (seed 1),
//! CameraB and TravelB. Skips a domain whose files are missing.
//!
//! Run: `cargo bench -p detente-negotiation --bench session`

use criterion::{Criterion, criterion_group, criterion_main};
use detente_core::*;
use detente_negotiation::*;
use std::hint::black_box;
use std::path::PathBuf;

/// The NegMAS peer data: `$DETENTE_PEERS/negmas` (the convention of the
/// tests), or else `<workspace>/../shared/peers/negmas`.
fn negmas() -> PathBuf {
    std::env::var_os("DETENTE_PEERS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/peers"))
        .join("negmas")
}

#[path = "../tests/integration/common.rs"]
#[allow(dead_code)]
mod common;

/// NegMAS's plain-JSON synthetic domain, utilities as given.
fn synth() -> Option<Scenario> {
    let path = negmas().join("domains/synth_s1_3x10/domain.json");
    path.is_file().then(|| common::synth_scenario(&path))
}

fn genius(name: &str) -> Option<Scenario> {
    let path = negmas().join("data").join(name);
    let loaded = detente_formats::load(path.to_str()?, &Default::default()).ok()?;
    Some(loaded.scenario)
}

fn sessions(c: &mut Criterion) {
    let mut domains = vec![];
    match synth() {
        Some(s) => domains.push(("synth_3x10", s)),
        None => eprintln!("note: synth_3x10 skipped (shared folder missing)"),
    }
    for name in ["CameraB", "TravelB"] {
        match genius(name) {
            Some(s) => domains.push((name, s)),
            None => eprintln!("note: {name} skipped (shared folder missing)"),
        }
    }
    let config = SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(1000), 0);
    let mut group = c.benchmark_group("sao");
    group.sample_size(20);
    for (name, scenario) in &domains {
        for (pairing, b) in [
            ("boulware_vs_conceder", "negmas-conceder"),
            ("boulware_vs_boulware", "negmas-boulware"),
        ] {
            let specs = ["negmas-boulware".parse().unwrap(), b.parse().unwrap()];
            let r = run_session(scenario, None, &config, &specs).unwrap();
            eprintln!("{name} {pairing}: {} steps, {:?}", r.rounds, r.end_reason);
            group.bench_function(format!("{name}/{pairing}"), |bench| {
                bench.iter(|| black_box(run_session(scenario, None, &config, &specs).unwrap()))
            });
        }
        group.bench_function(format!("{name}/prepare_all_parties"), |bench| {
            bench.iter(|| black_box(prepare(scenario)))
        });
        let prepared = prepare(scenario);
        for (pairing, b) in [
            ("boulware_vs_conceder", "negmas-conceder"),
            ("boulware_vs_boulware", "negmas-boulware"),
        ] {
            let specs = ["negmas-boulware".parse().unwrap(), b.parse().unwrap()];
            group.bench_function(format!("{name}/{pairing}/prepared"), |bench| {
                bench.iter(|| {
                    black_box(
                        run_session_prepared(scenario, &prepared, None, &config, &specs).unwrap(),
                    )
                })
            });
        }
        group.bench_function(format!("{name}/presort_one_party"), |bench| {
            bench.iter(|| black_box(OwnSpace::build(scenario, PartyId(0))))
        });
    }
    group.finish();
}

criterion_group!(benches, sessions);
criterion_main!(benches);
