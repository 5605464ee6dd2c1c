//! The report: every chart present, well-formed enough to count, readings
//! that name what matters, and the same bytes for the same inputs.

#[path = "../../../tests/support.rs"]
mod support;

use detente_analysis::{Analysis, Options, RepairOptions, analyze, evaluate};
use detente_core::Scenario;
use detente_formats::{LoadOptions, load};
use detente_report::{Offer, RankEntry, Report, Session, charts, cloud, render};

fn loaded(name: &str) -> (Scenario, Option<detente_forecast::Model>, Analysis) {
    let l = load(name, &LoadOptions::default()).unwrap();
    let a = analyze(&l.scenario, &Options::default()).unwrap();
    (l.scenario, l.forecast, a)
}

fn session() -> Session {
    Session {
        parties: vec!["buyer".into(), "dealer".into()],
        movers: vec!["buyer (boulware)".into(), "dealer (conceder)".into()],
        offers: (0..6)
            .map(|k| Offer {
                round: k / 2,
                by: (k % 2) as usize,
                utilities: if k % 2 == 0 {
                    vec![1.0 - 0.05 * k as f64, 0.2 + 0.05 * k as f64]
                } else {
                    vec![0.3 + 0.05 * k as f64, 0.9 - 0.05 * k as f64]
                },
            })
            .collect(),
        agreement: Some(vec![0.6, 0.55]),
        end: "agreement in round 2".into(),
    }
}

fn ranking() -> Vec<RankEntry> {
    vec![
        RankEntry {
            strategy: "boulware".into(),
            n: 40,
            mean_utility: 0.71,
            ci95: 0.03,
            agreement_rate: 0.9,
        },
        RankEntry {
            strategy: "conceder".into(),
            n: 40,
            mean_utility: 0.62,
            ci95: 0.04,
            agreement_rate: 1.0,
        },
    ]
}

fn full(name: &str) -> String {
    let (s, f, a) = loaded(name);
    let cl = cloud(&s, &a, detente_report::CLOUD_LIMIT);
    let prop = s.proposals().first().cloned();
    let ev = prop
        .as_ref()
        .map(|p| evaluate(&s, &a, &p.outcome, &RepairOptions::default()));
    let fc = f.as_ref().map(|m| (m, detente_forecast::run(m)));
    let sess = session();
    let rank = ranking();
    render(&Report {
        cloud: Some(&cl),
        evaluated: prop
            .as_ref()
            .zip(ev.as_ref())
            .map(|(p, e)| (p.name.as_str(), e)),
        forecast: fc.as_ref().map(|(m, f)| (*m, f)),
        negotiation: Some(&sess),
        ranking: Some(&rank),
        source: Some("test"),
        ..Report::new(&s, &a)
    })
}

#[test]
fn peace_talks_report_has_every_chart() {
    let html = full("peace-talks");
    // Three bargainers: three pairwise planes, parallel coordinates, two
    // negotiation charts, one forecast chart per dimension, the ranking.
    for id in [
        "utility-space",
        "parallel-frontier",
        "negotiation-offers",
        "negotiation-rounds",
        "forecast",
        "ranking",
    ] {
        assert!(
            html.contains(&format!(r#"<figure id="{id}">"#)),
            "missing {id}"
        );
    }
    assert_eq!(html.matches(r#"class="chart utility-plane""#).count(), 3);
    assert_eq!(html.matches(r#"class="chart parallel""#).count(), 1);
    assert!(html.matches(r#"class="chart forecast""#).count() >= 1);
    assert_eq!(html.matches("<svg").count(), html.matches("</svg>").count());
    // The draft and its repair are labelled, and the reading says why.
    assert!(html.contains("mediator-draft"));
    assert!(html.contains("repair 1"));
    assert!(html.contains("crosses ukraine&#39;s red line on unheld_donetsk"));
    assert!(html.contains("the nearest acceptable deal changes unheld_donetsk to ukraine-stays"));
    // 11,664 outcomes: a density raster, not points.
    assert!(html.contains(r#"class="density""#));
    // Self-contained: nothing fetched.
    assert!(!html.contains("http://") || !html.contains("src=\"http"));
    assert!(!html.contains("https://"));
    assert!(!html.contains("<link"));
}

#[test]
fn two_party_report_draws_one_plane_with_points_and_zone() {
    let (s, _, a) = loaded("car-sale");
    let cl = cloud(&s, &a, 1_000_000);
    assert!(!cl.sampled);
    assert_eq!(cl.len(), 7 * 4 * 3);
    let html = render(&Report {
        cloud: Some(&cl),
        ..Report::new(&s, &a)
    });
    assert_eq!(html.matches(r#"class="chart utility-plane""#).count(), 1);
    assert!(!html.contains("parallel-frontier"));
    assert!(html.contains(r#"<polygon class="zone""#));
    assert!(html.contains(r#"class="o ok""#));
    assert!(html.contains(r#"class="frontier""#));
    assert!(html.contains(r#"class="reservation""#));
    assert!(html.contains(r#"class="solution""#));
    assert!(html.contains("sticker"));
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    assert_eq!(full("peace-talks"), full("peace-talks"));
    assert_eq!(full("car-sale"), full("car-sale"));
}

#[test]
fn large_spaces_are_sampled_deterministically() {
    let (s, _, a) = loaded("peace-talks");
    let cl = cloud(&s, &a, 1000);
    assert!(cl.sampled);
    assert_eq!(cl.len(), 1000);
    let again = cloud(&s, &a, 1000);
    assert_eq!(cl.points, again.points);
}

#[test]
fn every_builtin_scenario_renders() {
    for name in detente_formats::builtin::NAMES {
        let (s, _, a) = loaded(name);
        let cl = cloud(&s, &a, 50_000);
        let r = Report {
            cloud: Some(&cl),
            ..Report::new(&s, &a)
        };
        let cs = charts(&r);
        assert!(!cs.is_empty(), "{name}");
        for c in &cs {
            assert!(c.svg.contains("<svg"), "{name}: {}", c.id);
            assert!(!c.reading.is_empty(), "{name}: {}", c.id);
        }
    }
}

#[test]
fn a_traced_negotiation_becomes_offers_and_rounds() {
    use detente_negotiation::{Deadline, ProtocolKind, SessionConfig, StrategySpec, run_session};
    let (s, _, a) = loaded("car-sale");
    let mut config = SessionConfig::new(ProtocolKind::Alternating, Deadline::Rounds(40), 3);
    config.record_trace = true;
    let specs = [
        StrategySpec::named("boulware"),
        StrategySpec::named("conceder"),
    ];
    let result = run_session(&s, Some(&a), &config, &specs).unwrap();
    let labels: Vec<String> = specs.iter().map(|x| x.to_string()).collect();
    let sess = detente_report::negotiation::from_result(&s, &result, &labels);
    assert_eq!(sess.parties, vec!["buyer", "dealer"]);
    assert_eq!(sess.movers, vec!["buyer (boulware)", "dealer (conceder)"]);
    assert!(!sess.offers.is_empty());
    assert_eq!(sess.agreement.is_some(), result.agreement.is_some());
    let html = render(&Report {
        negotiation: Some(&sess),
        ..Report::new(&s, &a)
    });
    assert!(html.contains(r#"<figure id="negotiation-offers">"#));
    assert!(html.contains(r#"<figure id="negotiation-rounds">"#));
    assert!(html.contains("buyer (boulware)"));
}

/// Renders a GENIUS or GeniusWeb folder (the variant `A` when it has
/// several) if it loads and can be analysed within a small enumeration
/// limit; returns whether it did. Utilities on GENIUS's scales (`as-given`,
/// `capped-at-one`) must be drawn inside the frame.
fn renders_competition_folder(dir: &std::path::Path) -> bool {
    let opts = LoadOptions {
        variant: Some("A".into()),
        ..LoadOptions::default()
    };
    let path = dir.to_string_lossy().to_string();
    let loaded = match load(&path, &LoadOptions::default()).or_else(|_| load(&path, &opts)) {
        Ok(l) => l,
        Err(_) => return false,
    };
    let s = loaded.scenario;
    let Ok(a) = analyze(
        &s,
        &Options {
            enumeration_limit: 200_000,
            ..Options::default()
        },
    ) else {
        return false;
    };
    let cl = cloud(&s, &a, 5_000);
    let html = render(&Report {
        cloud: Some(&cl),
        ..Report::new(&s, &a)
    });
    assert!(html.contains("<svg"), "{path}");
    // No coordinate is NaN or infinite.
    for bad in ["NaN", "=\"inf", "=\"-inf", ",inf", "inf,"] {
        assert!(!html.contains(bad), "{path}: {bad}");
    }
    true
}

/// The repository's own two-party GENIUS and GeniusWeb folders
/// (`tests/data`) all render: linear, non-linear (boxes), variants, GeniusWeb.
#[test]
fn genius_domains_render() {
    for rel in [
        "genius/lease",
        "genius/boxes",
        "genius/fruit",
        "geniusweb/holiday",
    ] {
        assert!(
            renders_competition_folder(&support::data(rel)),
            "{rel} did not load or analyse"
        );
    }
}

/// Every GENIUS domain of the corpus that loads and can be analysed within
/// a small enumeration limit renders.
#[test]
#[ignore = "needs the GENIUS corpus: set DETENTE_CORPUS to shared/corpus"]
fn genius_corpus_domains_render() {
    let root = support::corpus("genius");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let rendered = dirs
        .iter()
        .filter(|d| renders_competition_folder(d))
        .count();
    assert!(rendered >= 20, "only {rendered} corpus domains rendered");
}

/// With sampled uncertain numbers, the report shows acceptance by party and
/// the tornado of thresholds, each with sentences, the same bytes each time.
#[test]
fn uncertain_numbers_add_acceptance_and_thresholds() {
    let (s, _, a) = loaded("peace-talks");
    let draft = s.proposal("mediator-draft").unwrap().outcome.clone();
    let ev = evaluate(&s, &a, &draft, &RepairOptions::default());
    let options = detente_analysis::RobustOptions {
        samples: detente_analysis::Samples::Fixed(1000),
        ..Default::default()
    };
    let robust = detente_analysis::robust_evaluation(&s, &draft, &options).unwrap();
    let chances = detente_analysis::robust_analysis(&s, &a, &options).unwrap();
    let report = || {
        render(&Report {
            evaluated: Some(("mediator-draft", &ev)),
            robust: Some(&robust),
            robust_analysis: Some(&chances),
            ..Report::new(&s, &a)
        })
    };
    let html = report();
    assert_eq!(html, report());
    for id in ["chance", "acceptance", "tornado"] {
        assert!(html.contains(&format!("<figure id=\"{id}\"")), "{id}");
    }
    assert!(html.contains("of the plausible cases"));
    assert!(html.contains("the verdict flips if its reservation value is above"));
}
