//! Every input file is read through `load::read_input`: capped in size,
//! devices refused, and a UTF-8 byte-order mark accepted in JSON as in TOML.

use detente_formats::load::{MAX_INPUT_BYTES, MAX_INPUT_ENV, read_input};
use detente_formats::{LoadOptions, builtin, load, native};
use std::time::{Duration, Instant};

fn message(path: &std::path::Path) -> String {
    load(path.to_str().unwrap(), &LoadOptions::default())
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

/// The hardening issue: a path that links to /dev/zero never ended.
#[test]
fn hardening_links_to_devices_fail_fast() {
    let dir = tempfile::tempdir().unwrap();
    for (name, target) in [("zero.toml", "/dev/zero"), ("random.json", "/dev/urandom")] {
        let link = dir.path().join(name);
        std::os::unix::fs::symlink(target, &link).unwrap();
        let start = Instant::now();
        let e = message(&link);
        assert!(e.contains(name) && e.contains("not a regular file"), "{e}");
        assert!(read_input(&link).is_err());
        // Refused before reading: a generous bound, not a benchmark.
        assert!(start.elapsed() < Duration::from_secs(5));
    }
}

#[test]
fn hardening_files_over_the_cap_are_refused_with_the_way_to_raise_it() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.xml");
    // A sparse file: large by its length, nothing written.
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(MAX_INPUT_BYTES + 1).unwrap();
    let e = message(&big);
    assert!(e.contains("big.xml"), "{e}");
    assert!(e.contains(&MAX_INPUT_BYTES.to_string()), "{e}");
    assert!(e.contains(MAX_INPUT_ENV), "{e}");
    // At the cap exactly, the file is read.
    f.set_len(MAX_INPUT_BYTES).unwrap();
    assert_eq!(read_input(&big).unwrap().len() as u64, MAX_INPUT_BYTES);
}

#[test]
fn hardening_json_with_a_byte_order_mark_loads() {
    let dir = tempfile::tempdir().unwrap();
    let s = native::read_str(builtin::text("car-sale").unwrap(), "car-sale.toml").unwrap();
    for (name, text) in [
        ("bom.json", native::to_json(s.parts())),
        ("bom.toml", native::to_toml(s.parts()).unwrap()),
    ] {
        let p = dir.path().join(name);
        std::fs::write(&p, [&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat()).unwrap();
        let loaded = load(p.to_str().unwrap(), &LoadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(loaded.scenario.parts(), s.parts(), "{name}");
    }
}

#[test]
fn hardening_every_json_reader_sees_no_byte_order_mark() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("profile.json");
    std::fs::write(&p, b"\xEF\xBB\xBF{\"a\": 1}").unwrap();
    assert_eq!(read_input(&p).unwrap(), b"{\"a\": 1}");
    // Other files are read byte for byte.
    let x = dir.path().join("domain.xml");
    std::fs::write(&x, b"\xEF\xBB\xBF<a/>").unwrap();
    assert_eq!(read_input(&x).unwrap().len(), 7);
}

#[test]
fn folders_are_not_read_as_files() {
    let dir = tempfile::tempdir().unwrap();
    let e = read_input(dir.path()).unwrap_err().to_string();
    assert!(e.contains("is a folder"), "{e}");
}
