//! GeniusWeb number value sets: integer issues and continuous grids written
//! as `range` value sets with `numberutils`, and `--lossy`'s tables, read
//! back by our own reader with the same utility on every outcome.

mod common;

use common::{same_utilities, sample};
use detente_core::{IssueKind, PartyId, Scenario};
use detente_formats::convert::{Options, Output, Target, write_scenario};
use detente_formats::{LoadOptions, genius, geniusweb, load, native};

/// An integer issue and a continuous grid, both linear for every party,
/// with weights that make the utilities of inner values recurring decimals
/// (5/8 · 1/6, ...), not numbers of 8 decimals.
const LINEAR: &str = r#"
name = "lin"
[[issues]]
name = "price"
kind = "integer"
min = 14
max = 20
[[issues]]
name = "months"
kind = "continuous"
min = 0.0
max = 3.0
step = 0.5
[[issues]]
name = "colour"
options = ["red", "blue", "green"]
[[parties]]
name = "buyer"
weights = { price = 5, months = 2, colour = 1 }
values.price = "decreasing"
values.months = "increasing"
values.colour = { red = 0, blue = 0.7, green = 1 }
[[parties]]
name = "dealer"
reservation = 0.4
weights = { price = 6, months = 2, colour = 1 }
values.price = "increasing"
values.months = "decreasing"
values.colour = { red = 1, blue = 0.3, green = 0 }
"#;

fn read_back(files: &geniusweb::GeniusWebFiles) -> Scenario {
    let profiles: Vec<(String, String)> = files
        .profiles
        .iter()
        .map(|(n, t)| (t.clone(), format!("{n}.json")))
        .collect();
    geniusweb::scenario(Some((&files.domain, "out.json")), &profiles).unwrap()
}

/// The largest difference of utility between two scenarios over every
/// outcome (the spaces here are small enough for `sample` to be all).
fn max_difference(a: &Scenario, b: &Scenario) -> f64 {
    let mut worst: f64 = 0.0;
    for p in 0..a.parties().len() {
        let id = PartyId(p as u32);
        for o in sample(a) {
            worst = worst.max((a.utility_of(id, &o) - b.utility_of(id, &o)).abs());
        }
    }
    worst
}

#[test]
fn integer_issues_and_grids_are_number_value_sets_read_back_exactly() {
    let s = native::read_str(LINEAR, "lin.toml").unwrap();
    let files = geniusweb::write(s.parts()).unwrap();
    let domain: serde_json::Value = serde_json::from_str(&files.domain).unwrap();
    let sets = &domain["issuesValues"];
    assert_eq!(sets["price"]["range"]["low"], 14, "{sets}");
    assert_eq!(sets["price"]["range"]["step"], 1, "{sets}");
    assert_eq!(sets["months"]["range"]["step"], 0.5, "{sets}");
    for (_, text) in &files.profiles {
        let p: serde_json::Value = serde_json::from_str(text).unwrap();
        let utils = &p["LinearAdditiveUtilitySpace"]["issueUtilities"];
        assert!(utils["price"]["numberutils"].is_object(), "{utils}");
        assert!(utils["months"]["numberutils"].is_object(), "{utils}");
    }
    let back = read_back(&files);
    assert!(matches!(
        back.issues()[0].kind,
        IssueKind::Integer { min: 14, max: 20 }
    ));
    assert!(matches!(
        back.issues()[1].kind,
        IssueKind::Continuous { .. }
    ));
    // GeniusWebPython rounds number utilities to 8 decimals, and so does
    // our reader: utilities of inner values that are not numbers of 8
    // decimals come back within 5e-9 (weights sum to 1), not bit for bit.
    same_utilities("number value sets", &s, &back, 5e-9, false);
    assert!(max_difference(&s, &back) > 0.0, "the rounding is exercised");
    // Where they are numbers of 8 decimals (two values: the ends), exactly.
    let ends = LINEAR
        .replace("max = 20", "max = 15")
        .replace("max = 3.0", "max = 0.5");
    let s = native::read_str(&ends, "ends.toml").unwrap();
    let back = read_back(&geniusweb::write(s.parts()).unwrap());
    same_utilities("number value sets, two values", &s, &back, 1e-12, false);
}

/// `convert car-sale --to geniusweb --lossy`: the dealer's price is
/// piecewise linear, which no GeniusWeb number utility holds, so the price
/// is tabulated as discrete values; the folder reads back with the
/// simplified scenario's utilities on every outcome, and as many values.
#[test]
fn lossy_tables_read_back_exactly() {
    let loaded = load("car-sale", &LoadOptions::default()).unwrap();
    let parts = loaded.scenario.parts();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("gw");
    let options = Options {
        lossy: true,
        force: false,
    };
    let written = write_scenario(parts, None, Target::GeniusWeb, &out, &options).unwrap();
    assert!(matches!(written.output, Output::Folder { .. }));
    let back = load(&out.display().to_string(), &LoadOptions::default()).unwrap();
    let simplified = Scenario::new(genius::lossy_with(parts, false).0).unwrap();
    same_utilities("car-sale lossy", &simplified, &back.scenario, 1e-12, false);
    let price = &back.scenario.issues()[0];
    assert!(
        matches!(&price.kind, IssueKind::Categorical { options, .. } if options[0] == "14"),
        "{price:?}"
    );
}
