//! Regression tests for the "hostile input" issue: a reader never drops data
//! silently (a damaged profile is an error naming the file, line and reason,
//! not a missing party; a mistyped GeniusWeb number is an error, not 0), and
//! no reader is quadratic (inputs of 10^5 elements load, or fail with a clear
//! error, in linear time; timings are measured outside the tests).
//!
//! Every input is written here, small and of our own making; the
//! reproductions in `shared/repro/hardening` come from the AGPL corpus and are
//! not copied.

use detente_formats::{LoadOptions, genius, geniusweb, ktab, load};
use std::path::Path;

const DOMAIN: &str = r#"<negotiation_template>
  <utility_space number_of_issues="2">
    <objective index="0" name="fund" type="objective">
      <issue index="1" name="size" type="discrete">
        <item index="1" value="large"/>
        <item index="2" value="small"/>
      </issue>
      <issue index="2" name="aid" type="discrete">
        <item index="1" value="none"/>
        <item index="2" value="some"/>
      </issue>
    </objective>
  </utility_space>
</negotiation_template>
"#;

fn profile(large: u32, none: u32) -> String {
    format!(
        r#"<utility_space>
  <reservation value="0" />
  <objective index="0" name="fund" type="objective">
    <issue index="1" name="size" type="discrete">
      <item index="1" value="large" evaluation="{large}">
      </item>
      <item index="2" value="small" evaluation="5">
      </item>
    </issue>
    <issue index="2" name="aid" type="discrete">
      <item index="1" value="none" evaluation="{none}">
      </item>
      <item index="2" value="some" evaluation="4">
      </item>
    </issue>
    <weight index="1" value="0.6">
    </weight>
    <weight index="2" value="0.4">
    </weight>
  </objective>
</utility_space>
"#
    )
}

fn put(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

fn load_err(path: &Path) -> String {
    match load(&path.display().to_string(), &LoadOptions::default()) {
        Ok(l) => panic!(
            "{} loaded ({} parties: {}) instead of failing",
            path.display(),
            l.scenario.parties().len(),
            l.detected
        ),
        Err(e) => e.to_string(),
    }
}

/// A GENIUS folder with a domain and two good profiles, `A.xml` and `B.xml`.
fn genius_folder() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "Fund_domain.xml", DOMAIN);
    put(tmp.path(), "A.xml", &profile(9, 1));
    put(tmp.path(), "B.xml", &profile(1, 9));
    let l = load(&tmp.path().display().to_string(), &LoadOptions::default()).unwrap();
    assert_eq!(l.scenario.parties().len(), 2);
    tmp
}

#[test]
fn genius_bitflip_drops_party() {
    // One bit: `"` (0x22) → `#` (0x23) in B's item attribute, as in the
    // reproduction; B no longer parses.
    let tmp = genius_folder();
    let text = profile(1, 9);
    let at = text.find("index=\"2\" value=\"small\"").unwrap() + "index=\"2".len();
    let mut bytes = text.into_bytes();
    assert_eq!(bytes[at], b'"');
    bytes[at] ^= 0x01;
    std::fs::write(tmp.path().join("B.xml"), &bytes).unwrap();
    let e = load_err(tmp.path());
    assert!(e.contains("B.xml:7:"), "{e}");
    assert!(e.contains("GENIUS domain or profile"), "{e}");
    // The same when the domain file is named directly.
    let e = load_err(&tmp.path().join("Fund_domain.xml"));
    assert!(e.contains("B.xml:7:"), "{e}");
    // And a flip in the root element's name: the file still holds
    // `<objective>`, so it still claims to be GENIUS.
    let bad = profile(1, 9).replacen("<utility_space>", "<utility_spacd>", 1);
    put(tmp.path(), "B.xml", &bad);
    let e = load_err(tmp.path());
    assert!(e.contains("B.xml:"), "{e}");
}

/// Flips that leave the XML well-formed: an attribute name or a value that
/// no longer matches the domain used to make a value's evaluation 0.
#[test]
fn genius_bitflip_in_a_well_formed_profile() {
    let tmp = genius_folder();
    for (from, to, says) in [
        (
            "value=\"large\" evaluation",
            "value=\"large\" evaluatioo",
            "value `large` of issue `size` has no `evaluation` attribute",
        ),
        (
            "value=\"large\"",
            "value=\"larga\"",
            "value `larga` is not a value of issue `size`",
        ),
        (
            "<item index=\"2\" value=\"some\" evaluation=\"4\">\n      </item>",
            "",
            "value `some` of issue `aid` has no <item> with an evaluation",
        ),
    ] {
        let text = profile(1, 9);
        assert!(text.contains(from), "{from}");
        put(tmp.path(), "B.xml", &text.replacen(from, to, 1));
        let e = load_err(tmp.path());
        assert!(
            e.contains("B.xml:") && e.contains(says),
            "{from} → {to}: {e}"
        );
    }
}

/// The same for integer issues: a damaged `<evaluator>` name or attribute
/// used to mean slope 0 and offset 0.
#[test]
fn genius_bitflip_in_an_integer_evaluator() {
    let domain = r#"<negotiation_template><utility_space><objective index="0" name="m">
        <issue index="1" name="months" type="integer" lowerbound="12" upperbound="36"/>
        </objective></utility_space></negotiation_template>"#;
    let good = r#"<utility_space><objective index="0" name="m">
        <issue index="1" name="months" type="integer" lowerbound="12" upperbound="36">
        <evaluator ftype="linear" slope="-0.04" offset="1.0"/></issue>
        <weight index="1" value="1"/></objective></utility_space>"#;
    let d = genius::read_domain(domain.as_bytes(), "m-domain.xml").unwrap();
    genius::read_profile(good.as_bytes(), "p.xml", &d, "p").unwrap();
    for (from, to, says) in [
        ("<evaluator ", "<evaluatos ", "unknown element <evaluatos>"),
        ("slope=", "slopd=", "unknown attribute `slopd`"),
        (" offset=\"1.0\"", "", "no `offset` attribute"),
    ] {
        let bad = good.replacen(from, to, 1);
        let e = genius::read_profile(bad.as_bytes(), "p.xml", &d, "p")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("p.xml:3:") && e.contains(says), "{to}: {e}");
    }
}

#[test]
fn genius_truncated_profile() {
    let tmp = genius_folder();
    let text = profile(9, 1);
    for cut in [text.len() / 2, 40, 3, 0] {
        put(tmp.path(), "A.xml", &text[..cut]);
        let e = load_err(tmp.path());
        assert!(e.contains("A.xml"), "cut at {cut}: {e}");
    }
    // A profile whose last line is missing parses no further than its root.
    put(
        tmp.path(),
        "A.xml",
        text.trim_end().strip_suffix("</utility_space>").unwrap(),
    );
    let e = load_err(tmp.path());
    assert!(e.contains("A.xml:1:1") && e.contains("never closed"), "{e}");
}

#[test]
fn genius_folders_still_skip_what_is_clearly_not_a_profile() {
    let tmp = genius_folder();
    // ANAC 2014's pareto.xml is lines of numbers; other XML has another root.
    put(tmp.path(), "pareto.xml", "0.5, 0.75\n0.25, 1.0\n");
    put(tmp.path(), "notes.xml", "<notes><note>hi</note></notes>");
    put(tmp.path(), "broken-notes.xml", "<notes><note>hi</notes>");
    let l = load(&tmp.path().display().to_string(), &LoadOptions::default()).unwrap();
    assert_eq!(l.scenario.parties().len(), 2);
    assert_eq!(
        genius::classify_checked("0.5, 0.75\n", "pareto.xml").unwrap(),
        genius::FileKind::Other
    );
}

#[test]
fn genius_damaged_profile_of_another_variant_does_not_block_this_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for v in ["A", "B"] {
        put(dir, &format!("Shop-{v}-domain.xml"), DOMAIN);
        put(dir, &format!("Shop-{v}-prof1.xml"), &profile(9, 1));
        put(dir, &format!("Shop-{v}-prof2.xml"), &profile(1, 9));
    }
    put(dir, "Shop-B-prof2.xml", &profile(1, 9)[..100]);
    let opts = |v: &str| LoadOptions {
        variant: Some(v.into()),
        ..Default::default()
    };
    let d = dir.display().to_string();
    assert_eq!(load(&d, &opts("A")).unwrap().scenario.parties().len(), 2);
    let e = load(&d, &opts("B")).unwrap_err().to_string();
    assert!(e.contains("Shop-B-prof2.xml"), "{e}");
}

#[test]
fn genius_damaged_domain_is_named() {
    let tmp = genius_folder();
    put(tmp.path(), "Fund_domain.xml", &DOMAIN[..DOMAIN.len() / 2]);
    let e = load_err(tmp.path());
    assert!(e.contains("Fund_domain.xml"), "{e}");
}

fn gw_domain() -> String {
    r#"{"name": "party", "issuesValues": {
  "food": {"values": ["chips", "catering"]},
  "guests": {"range": {"low": 10, "high": 20, "step": 1}}
}}"#
    .to_string()
}

fn gw_profile(name: &str, chips: &str) -> String {
    format!(
        r#"{{"LinearAdditiveUtilitySpace": {{
  "name": "{name}",
  "domain": {domain},
  "issueUtilities": {{
    "food": {{"discreteutils": {{"valueUtilities": {{
      "chips": {chips},
      "catering": 1.0
    }}}}}},
    "guests": {{"numberutils": {{"lowValue": 10, "lowUtility": 0.2, "highValue": 20, "highUtility": 1}}}}
  }},
  "issueWeights": {{"food": 0.5, "guests": 0.5}},
  "reservationBid": {{"issuevalues": {{"food": "chips", "guests": 15}}}}
}}}}"#,
        domain = gw_domain()
    )
}

fn gw_folder() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    put(tmp.path(), "party.json", &gw_domain());
    put(tmp.path(), "party1.json", &gw_profile("one", "0.25"));
    put(tmp.path(), "party2.json", &gw_profile("two", "0.75"));
    let l = load(&tmp.path().display().to_string(), &LoadOptions::default()).unwrap();
    assert_eq!(l.scenario.parties().len(), 2);
    // 0.5·0.25 + 0.5·0.6 for the reservation bid (chips, 15).
    let rv = l.scenario.reservation(detente_core::PartyId(0));
    assert!((rv - 0.425).abs() < 1e-12, "{rv}");
    tmp
}

#[test]
fn gw_string_utility() {
    let tmp = gw_folder();
    put(tmp.path(), "party1.json", &gw_profile("one", "\"high\""));
    let e = load_err(tmp.path());
    // Line 9 holds `"chips": "high"`; the column is that of the value.
    assert!(e.contains("party1.json:9:16"), "{e}");
    assert!(
        e.contains("valueUtilities.chips: expected a JSON number, found a string"),
        "{e}"
    );
    // The same in the domain file, with its line and column.
    put(tmp.path(), "party1.json", &gw_profile("one", "0.25"));
    put(
        tmp.path(),
        "party.json",
        &gw_domain().replace("\"low\": 10", "\"low\": \"10\""),
    );
    let e = load_err(tmp.path());
    assert!(
        e.contains("party.json:3:")
            && e.contains("issuesValues.guests.range.low: expected a JSON number, found a string"),
        "{e}"
    );
    put(tmp.path(), "party.json", &gw_domain());
    // A number in a string is not a number either.
    put(tmp.path(), "party1.json", &gw_profile("one", "\"0.25\""));
    let e = load_err(tmp.path());
    assert!(e.contains("expected a JSON number, found a string"), "{e}");
}

/// Reads one profile text and returns its error.
fn gw_err(text: &str) -> String {
    match geniusweb::read_profile(text, "p.json") {
        Ok(_) => panic!("read instead of failing:\n{text}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn gw_types_are_checked_not_coerced() {
    let good = gw_profile("one", "0.25");
    geniusweb::read_profile(&good, "p.json").unwrap();
    let cases: &[(&str, &str, &str)] = &[
        // (replace, with, the error says)
        (
            r#""food": 0.5,"#,
            r#""food": "0.5","#,
            "issueWeights.food: expected a JSON number, found a string",
        ),
        (
            r#""lowUtility": 0.2"#,
            r#""lowUtility": null"#,
            "lowUtility: expected a JSON number, found null",
        ),
        (
            r#""high": 20"#,
            r#""high": "20""#,
            "range.high: expected a JSON number, found a string",
        ),
        (
            r#"["chips", "catering"]"#,
            r#"["chips", 7]"#,
            "values[1]: expected a JSON string, found a number",
        ),
        (
            r#""guests": 15"#,
            r#""guests": "15""#,
            "issuevalues.guests: expected a JSON number, found a string",
        ),
        (
            r#""food": "chips","#,
            r#""food": "crisps","#,
            "has no value `crisps`",
        ),
        (
            r#""name": "one","#,
            r#""name": 1,"#,
            "name: expected a JSON string, found a number",
        ),
        (
            r#""catering": 1.0"#,
            r#""caterin": 1.0"#,
            "has no value `caterin` in the domain",
        ),
        (r#""catering": 1.0"#, r#""catering": 1.5"#, "outside [0, 1]"),
        (
            r#""issueWeights""#,
            r#""reserved_value": 0.5, "issueWeights""#,
            "unknown field `reserved_value`",
        ),
        (
            r#""lowValue": 10,"#,
            r#""lowValue": 10, "slope": 1,"#,
            "unknown field `slope`",
        ),
        (r#"{"low": 10,"#, r#"{"lo": 10,"#, "unknown field `lo`"),
        (
            r#""discreteutils""#,
            r#""discreteutil""#,
            "unknown utilities class `discreteutil`",
        ),
        (
            r#""numberutils""#,
            r#""discreteutils""#,
            "discrete utilities for `guests`",
        ),
    ];
    for (from, to, says) in cases {
        assert!(good.contains(from), "{from}");
        let e = gw_err(&good.replacen(from, to, 1));
        assert!(e.contains(says), "{from} → {to}: {e}");
        assert!(e.starts_with("p.json:"), "{e}");
    }
}

#[test]
fn gw_damaged_profiles_are_not_left_out_of_a_folder() {
    let tmp = gw_folder();
    let text = gw_profile("two", "0.75");
    // Truncated.
    put(tmp.path(), "party2.json", &text[..text.len() / 2]);
    let e = load_err(tmp.path());
    assert!(
        e.contains("party2.json:") && e.contains("not valid JSON"),
        "{e}"
    );
    // Empty.
    put(tmp.path(), "party2.json", "");
    let e = load_err(tmp.path());
    assert!(e.contains("party2.json"), "{e}");
    // A damaged class name still has a profile's fields.
    put(
        tmp.path(),
        "party2.json",
        &text.replacen(
            "LinearAdditiveUtilitySpace",
            "LinearAdditiveUtilitySpacd",
            1,
        ),
    );
    let e = load_err(tmp.path());
    assert!(
        e.contains("party2.json") && e.contains("not supported"),
        "{e}"
    );
    // Unrelated JSON (valid or not) is still left alone.
    put(tmp.path(), "party2.json", &text);
    put(tmp.path(), "notes.json", "{\"notes\": [1, 2");
    put(tmp.path(), "settings.json", "{\"rounds\": 100}");
    let l = load(&tmp.path().display().to_string(), &LoadOptions::default()).unwrap();
    assert_eq!(l.scenario.parties().len(), 2);
}

#[test]
fn genius_100k_items_load_in_linear_time() {
    // 10^5 values of one discrete issue, in the domain and in a profile; the
    // repeated-value renaming and the evaluation lookup used to be quadratic.
    let n = 100_000;
    let mut domain = String::from(
        "<negotiation_template><utility_space><objective index=\"0\" name=\"big\">\n<issue index=\"1\" name=\"x\" type=\"discrete\">\n",
    );
    let mut prof = String::from(
        "<utility_space><objective index=\"0\" name=\"big\">\n<issue index=\"1\" name=\"x\" type=\"discrete\">\n",
    );
    for k in 0..n {
        // Every tenth value repeats the one before, as 2012 FlightBooking's
        // `Sep4_2011` does once.
        let v = if k % 10 == 9 { k - 1 } else { k };
        domain.push_str(&format!("<item index=\"{k}\" value=\"v{v}\"/>\n"));
        prof.push_str(&format!(
            "<item index=\"{k}\" value=\"v{v}\" evaluation=\"{}\"/>\n",
            k % 7
        ));
    }
    domain.push_str("</issue></objective></utility_space></negotiation_template>");
    prof.push_str("</issue><weight index=\"1\" value=\"1\"/></objective></utility_space>");
    let d = genius::read_domain(domain.as_bytes(), "big-domain.xml").unwrap();
    assert_eq!(d.issues[0].cardinality(), n as u32);
    assert_eq!(d.issues[0].value_label(9), "v8#2");
    let s = genius::scenario(&d, &[(prof.into_bytes(), "p.xml".into())]).unwrap();
    let u = s.utility_of(detente_core::PartyId(0), &[13]);
    assert!((u - 6.0 / 6.0).abs() < 1e-12, "{u}");
}

#[test]
fn genius_100k_issues_fail_clearly() {
    // 10^5 issues: read in linear time (no linear search for repeated
    // indices or names), then refused or read, never hung.
    let n = 100_000;
    let mut domain =
        String::from("<negotiation_template><utility_space><objective index=\"0\" name=\"big\">\n");
    for k in 0..n {
        domain.push_str(&format!(
            "<issue index=\"{k}\" name=\"i{k}\" type=\"integer\" lowerbound=\"0\" upperbound=\"1\"/>\n"
        ));
    }
    domain.push_str("</objective></utility_space></negotiation_template>");
    let d = genius::read_domain(domain.as_bytes(), "wide-domain.xml").unwrap();
    assert_eq!(d.issues.len(), n);
    // A repeated index at the very end is still found.
    let dup = domain.replacen(
        "index=\"99999\" name=\"i99999\"",
        "index=\"5\" name=\"i99999\"",
        1,
    );
    let e = genius::read_domain(dup.as_bytes(), "wide-domain.xml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("a second issue with index 5"), "{e}");
}

#[test]
fn ktab_100k_elements_fail_clearly() {
    // 10^5 unknown elements before the real content: the reader used to
    // recount lines from the start of the file for every element.
    let mut text = String::from("<?xml version=\"1.0\"?>\n<Scenario>\n<name>x</name>\n");
    for _ in 0..100_000 {
        text.push_str("<x/>\n");
    }
    text.push_str("<desc>d</desc></Scenario>\n");
    let e = ktab::read_ktab_xml(&text, "flat.xml")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("flat.xml"), "{e}");
    // 10^5 nested elements: an error, not a stack overflow.
    let deep = format!("<Scenario>{}", "<a>".repeat(100_000));
    let e = ktab::read_ktab_xml(&deep, "deep.xml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("deep.xml"), "{e}");
}

/// NegMAS 0.16 failed with `KeyError: '20'` on `convert car-sale --to
/// geniusweb --lossy`: it reads only the short utility tags
/// (`discreteutils`), so the class-name tags left it empty tables. The
/// writer now uses the short tags, and `--lossy` keeps an integer issue whose
/// values are linear for every party as a number value set.
#[test]
fn negmas_key_error_20() {
    let l = load("car-sale", &LoadOptions::default()).unwrap();
    // The dealer's price values are not linear: the price becomes discrete.
    let (simpler, notes) = genius::lossy_with(l.scenario.parts(), true);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("`price`: written as 7 discrete")),
        "{notes:?}"
    );
    let files = geniusweb::write(&simpler).unwrap();
    for (_, text) in &files.profiles {
        assert!(!text.contains("ValueSetUtilities"), "{text}");
        let v: serde_json::Value = serde_json::from_str(text).unwrap();
        let body = &v["LinearAdditiveUtilitySpace"];
        let price = &body["issueUtilities"]["price"]["discreteutils"]["valueUtilities"];
        assert!(price.get("20").is_some(), "{text}");
        // The reservation bid names values the tables hold.
        let bid = body["reservationBid"]["issuevalues"].as_object().unwrap();
        for (issue, value) in bid {
            let table = &body["issueUtilities"][issue]["discreteutils"]["valueUtilities"];
            assert!(
                table.get(value.as_str().unwrap()).is_some(),
                "{issue}={value}"
            );
        }
    }

    // Linear for both parties: the integer issue stays a number value set
    // (a red line forces --lossy) and reads back as the same integer issue.
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("lin.toml");
    std::fs::write(
        &src,
        r#"version = 1
name = "lin"
[[issues]]
name = "price"
kind = "integer"
min = 14
max = 20
[[issues]]
name = "colour"
options = ["red", "blue"]
[[parties]]
name = "buyer"
weights = { price = 2, colour = 1 }
values.price = "decreasing"
values.colour = { red = 0.25, blue = 1 }
[[parties]]
name = "seller"
weights = { price = 1, colour = 1 }
values.price = "increasing"
values.colour = { red = 1, blue = 0 }
[[parties.red_lines]]
when = { price = { max = 14 } }
"#,
    )
    .unwrap();
    let s = load(&src.display().to_string(), &LoadOptions::default())
        .unwrap()
        .scenario;
    assert!(
        geniusweb::write(s.parts()).is_err(),
        "the red line needs --lossy"
    );
    let (keep, notes) = genius::lossy_with(s.parts(), true);
    assert!(!notes.iter().any(|n| n.contains("discrete")), "{notes:?}");
    let files = geniusweb::write(&keep).unwrap();
    let domain: serde_json::Value = serde_json::from_str(&files.domain).unwrap();
    assert_eq!(
        domain["issuesValues"]["price"],
        serde_json::json!({"range": {"low": 14, "high": 20, "step": 1}})
    );
    let back = geniusweb::scenario(
        Some((&files.domain, "lin.json")),
        &files
            .profiles
            .iter()
            .map(|(n, t)| (t.clone(), format!("{n}.json")))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(back.issues()[0].kind, s.issues()[0].kind);
    for p in 0..2 {
        let id = detente_core::PartyId(p);
        for price in 0..7 {
            for colour in 0..2 {
                let (a, b) = (
                    s.utility_of(id, &[price, colour]),
                    back.utility_of(id, &[price, colour]),
                );
                assert!(
                    (a - b).abs() < 1e-8,
                    "party {p} ({price}, {colour}): {a} vs {b}"
                );
            }
        }
    }
}
