//! The speed targets of robust analysis on the peace-talks scenario (issue
//! 14): 10,000 samples of every outcome's chance of acceptance by all (goal
//! under 1 s), 100,000 samples of one proposal's acceptance (goal under
//! 0.1 s), and the thresholds of every uncertain number of the draft (goal
//! under 10 ms). `cargo bench -p detente-analysis --bench robust`.

use criterion::{Criterion, criterion_group, criterion_main};
use detente_analysis::{
    Options, RobustOptions, Samples, analyze, robust_acceptance, robust_analysis, thresholds,
};
use std::hint::black_box;
use std::time::Duration;

fn peace_talks() -> detente_core::Scenario {
    let text = detente_formats::builtin::text("peace-talks").unwrap();
    detente_formats::native::read_str(text, "peace-talks").unwrap()
}

fn samples(n: u64) -> RobustOptions {
    RobustOptions {
        samples: Samples::Fixed(n),
        ..RobustOptions::default()
    }
}

fn robust(c: &mut Criterion) {
    let s = peace_talks();
    let point = analyze(&s, &Options::default()).unwrap();
    let draft = s.proposal("mediator-draft").unwrap().outcome.clone();
    let mut g = c.benchmark_group("robust");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("peace-talks every outcome, 10^4 samples", |b| {
        b.iter(|| black_box(robust_analysis(&s, &point, &samples(10_000)).unwrap()))
    });
    g.bench_function("peace-talks draft acceptance, 10^5 samples", |b| {
        b.iter(|| black_box(robust_acceptance(&s, &draft, &samples(100_000)).unwrap()))
    });
    let repair = robust_analysis(&s, &point, &samples(1_000))
        .unwrap()
        .robust_deal
        .unwrap()
        .outcome;
    g.bench_function("peace-talks draft thresholds", |b| {
        b.iter(|| black_box(thresholds(&s, &draft, Some(&repair), None).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, robust);
criterion_main!(benches);
