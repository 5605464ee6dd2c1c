//! Cross-check with NegMAS 0.16: the NegMAS-compatible presets reproduce
//! the agreement, the number of steps and the utilities NegMAS recorded.
//! NegMAS's synthetic domain and recorded runs are read from
//! `$DETENTE_PEERS/negmas`, so these tests are ignored unless that is set.

use crate::common::synth_scenario;
use crate::support;
use detente_negotiation::*;

fn run(scenario: &detente_core::Scenario, a: &str, b: &str, steps: u32) -> SessionResult {
    let config = SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(steps), 0);
    let specs = [a.parse().unwrap(), b.parse().unwrap()];
    run_session(scenario, None, &config, &specs).unwrap()
}

/// `results/bench_sao.out.jsonl` for synth_3x10 (seed 1): Boulware vs
/// Conceder and Boulware vs Boulware, 1000 steps.
#[test]
#[ignore = "needs the NegMAS peer data: set DETENTE_PEERS to shared/peers"]
fn reproduces_negmas_recorded_bench_sao_runs() {
    let dir = support::peers("negmas");
    let scenario = synth_scenario(&dir.join("domains/synth_s1_3x10/domain.json"));
    let text = std::fs::read_to_string(dir.join("results/bench_sao.out.jsonl")).unwrap();
    let mut checked = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        if v["domain"] != "synth_3x10(seed=1)" {
            continue;
        }
        let (a, b) = match v["pairing"].as_str().unwrap() {
            "Boulware_vs_Conceder" => ("negmas-boulware", "negmas-conceder"),
            "Boulware_vs_Boulware" => ("negmas-boulware", "negmas-boulware"),
            other => panic!("unexpected pairing {other}"),
        };
        let r = run(&scenario, a, b, 1000);
        assert_eq!(r.end_reason, EndReason::Agreement, "{a} vs {b}");
        assert_eq!(
            r.rounds as u64,
            v["steps"].as_u64().unwrap(),
            "{a} vs {b}: steps"
        );
        let labels = scenario.labels(r.agreement.as_ref().unwrap());
        let expected: Vec<String> = v["agreement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect();
        assert_eq!(labels, expected, "{a} vs {b}: agreement");
        for (mine, theirs) in r.utilities.iter().zip(v["utilities"].as_array().unwrap()) {
            let theirs = theirs.as_f64().unwrap();
            assert!(
                (mine - theirs).abs() <= 1e-12,
                "{a} vs {b}: utility {mine} vs {theirs}"
            );
        }
        checked += 1;
    }
    assert_eq!(
        checked, 2,
        "both synth pairings are in the recorded results"
    );
}

/// 18 more runs recorded with NegMAS 0.16 by `tests/data/negmas_grid.py`
/// (every pairing of the three presets we ran, at 1000, 100 and 37 steps).
#[test]
#[ignore = "needs the NegMAS peer data: set DETENTE_PEERS to shared/peers"]
fn reproduces_negmas_grid_of_pairings_and_step_limits() {
    let dir = support::peers("negmas");
    let scenario = synth_scenario(&dir.join("domains/synth_s1_3x10/domain.json"));
    let name = |c: char| match c {
        'b' => "negmas-boulware",
        'c' => "negmas-conceder",
        'l' => "negmas-linear",
        _ => unreachable!(),
    };
    let grid = include_str!("../data/negmas_grid.out");
    let mut n = 0;
    for line in grid.lines() {
        // e.g. "bc 1000 (42, (0, 0, 0), [1.0, 0.5692103696083698])"
        let (pair, rest) = line.split_once(' ').unwrap();
        let (steps, rest) = rest.split_once(' ').unwrap();
        let nums: Vec<f64> = rest
            .replace(['(', ')', '[', ']', ','], " ")
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        let mut chars = pair.chars();
        let (a, b) = (name(chars.next().unwrap()), name(chars.next().unwrap()));
        let r = run(&scenario, a, b, steps.parse().unwrap());
        assert_eq!(r.rounds as f64, nums[0], "{line}");
        let agreement: Vec<f64> = r.agreement.unwrap().iter().map(|&x| x as f64).collect();
        assert_eq!(agreement, nums[1..4], "{line}");
        assert!((r.utilities[0] - nums[4]).abs() <= 1e-12, "{line}");
        assert!((r.utilities[1] - nums[5]).abs() <= 1e-12, "{line}");
        n += 1;
    }
    assert_eq!(n, 18);
}
