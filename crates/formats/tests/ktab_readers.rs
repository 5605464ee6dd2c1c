//! The KTAB readers on the shipped samples and on malformed input.

#[path = "../../../tests/support.rs"]
mod support;

use std::path::Path;

use detente_formats::ktab::{read_ktab_csv, read_ktab_file, read_ktab_xml};
use proptest::prelude::*;

/// Every KTAB input under `root` (one folder per scenario) reads, except
/// `rejected` shipped samples that KTAB itself rejects, which must fail with
/// a message naming the file, the line and the reason.
fn every_input_reads_or_fails_clearly(root: &Path, rejected: usize) {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(root).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(&dir).unwrap() {
            let f = f.unwrap().path();
            let name = f.file_name().unwrap().to_string_lossy().to_string();
            let is_output = [
                "positions_wide.csv",
                "positions_long.csv",
                "win_prob_by_turn.csv",
                "final_forecast.csv",
            ]
            .contains(&name.as_str());
            if !is_output && (name.ends_with(".csv") || name.ends_with(".xml")) {
                files.push(f);
            }
        }
    }
    files.sort();
    assert!(
        files.len() > rejected,
        "too few inputs under {}",
        root.display()
    );
    let mut refused = Vec::new();
    for f in &files {
        match read_ktab_file(f) {
            Ok(m) => assert!(m.actors().len() >= 3),
            Err(e) => refused.push((f.clone(), e.to_string())),
        }
    }
    // KTAB's own rejections: a missing IdealAdjustment, an empty dCoord.
    assert_eq!(refused.len(), rejected, "{refused:#?}");
    for (f, e) in &refused {
        assert!(e.contains(&f.display().to_string()), "{e}");
        assert!(e.contains(".xml:"), "names a line: {e}");
        assert!(
            e.contains("IdealAdjustment") || e.contains("<dCoord>") && e.contains("empty"),
            "{e}"
        );
    }
}

/// The repository's samples: `smpExample.xml` has an empty coordinate.
#[test]
fn every_repository_sample_reads_or_fails_clearly() {
    every_input_reads_or_fails_clearly(&support::data("ktab"), 1);
}

#[test]
#[ignore = "needs the KTAB corpus: set DETENTE_CORPUS to shared/corpus"]
fn every_corpus_input_reads_or_fails_clearly() {
    every_input_reads_or_fails_clearly(&support::corpus("ktab"), 2);
}

#[test]
fn xml_reads_parameters_seed_and_accommodation() {
    let xml = r#"<?xml version="1.0"?>
<Scenario>
  <name>T</name><desc>d</desc><prngSeed>0042</prngSeed>
  <ModelParameters>
    <VictoryProbModel>Octic</VictoryProbModel><PCEModel>MarkovUniform</PCEModel>
    <StateTransitions>Stochastic</StateTransitions><VotingRule>Cubic</VotingRule>
    <BigRAdjust>Full</BigRAdjust><BigRRange>Max</BigRRange>
    <ThirdPartyCommit>NoCommit</ThirdPartyCommit><InterVecBrgn>S2PMax</InterVecBrgn>
    <BargnModel>PWCompInterp</BargnModel>
  </ModelParameters>
  <Dimensions><dName>X</dName></Dimensions>
  <Actors>
    <Actor><name>A</name><description>a</description><capability>10</capability>
      <Position><dCoord>10</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>
    <Actor><name>B</name><description>b</description><capability>20</capability>
      <Position><dCoord>50</dCoord></Position><Salience><dSal>60</dSal></Salience></Actor>
    <Actor><name>C &amp; D</name><description>c</description><capability>30</capability>
      <Position><dCoord>90</dCoord></Position><Salience><dSal>70</dSal></Salience></Actor>
  </Actors>
  <IdealAdjustment>
    <iaPair><adjustingIdeal>A</adjustingIdeal><referencePos>A</referencePos><adjust>0.75</adjust></iaPair>
    <iaPair><adjustingIdeal>A</adjustingIdeal><referencePos>B</referencePos><adjust>0.25</adjust></iaPair>
  </IdealAdjustment>
</Scenario>"#;
    let m = read_ktab_xml(xml, "t.xml").unwrap();
    assert_eq!(m.seed(), 42);
    assert_eq!(m.params().indices(), [3, 2, 1, 4, 4, 2, 0, 2, 2]);
    assert_eq!(m.actors()[2].name, "C & D");
    assert_eq!(m.accommodation()[1], 0.25);
    assert_eq!(m.accommodation()[0], 0.75);
    assert_eq!(m.accommodation()[4], 1.0);
    let over = xml.replace("<adjust>0.75</adjust>", "<adjust>0.8</adjust>");
    let e = read_ktab_xml(&over, "t.xml").unwrap_err().to_string();
    assert!(e.starts_with("t.xml:22:") && e.contains("at most 1"), "{e}");

    let bad = xml.replace(
        "<VotingRule>Cubic</VotingRule>",
        "<VotingRule>Proportional</VotingRule>",
    );
    let e = read_ktab_xml(&bad, "t.xml").unwrap_err().to_string();
    assert!(e.starts_with("t.xml:6:") && e.contains("Prop,"), "{e}");
    let bad = xml.replace(
        "<referencePos>B</referencePos>",
        "<referencePos>Z</referencePos>",
    );
    let e = read_ktab_xml(&bad, "t.xml").unwrap_err().to_string();
    assert!(e.contains("`Z`, which is not an actor"), "{e}");
    let e = read_ktab_xml("<Scenario><name>", "t.xml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("t.xml"), "{e}");
}

proptest! {
    #[test]
    fn readers_never_panic(text in ".{0,400}") {
        let _ = read_ktab_csv(&text, "fuzz.csv");
        let _ = read_ktab_xml(&text, "fuzz.xml");
    }

    #[test]
    fn csv_reader_never_panics_on_near_valid_input(
        n in 0usize..6, k in 0usize..3, cells in prop::collection::vec("[ 0-9.,\"a-z-]{0,6}", 0..40)
    ) {
        let mut text = format!("S,d,{n},{k}\nActor,Description,Power,P,S\n");
        for chunk in cells.chunks(5) {
            text.push_str(&chunk.join(","));
            text.push('\n');
        }
        let _ = read_ktab_csv(&text, "fuzz.csv");
    }
}
