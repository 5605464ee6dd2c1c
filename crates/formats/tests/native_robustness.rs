//! No input, however malformed, makes the native reader panic; every error
//! names the file.

use detente_formats::{builtin, native};
use proptest::prelude::*;

fn mutate(text: &str, edits: &[(usize, u8, u8)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(pos, kind, byte) in edits {
        if bytes.is_empty() {
            break;
        }
        let at = pos % bytes.len();
        match kind % 4 {
            0 => {
                bytes.remove(at);
            }
            1 => bytes.insert(at, b"\"[]{}=,.-0123456789 \nxe"[byte as usize % 23]),
            2 => bytes[at] = byte,
            _ => {
                let end = (at + byte as usize % 40).min(bytes.len());
                bytes.drain(at..end);
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn mutated_toml_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6)) {
        let text = mutate(builtin::text("car-sale").unwrap(), &edits);
        if let Err(e) = native::read_str(&text, "fuzz.toml") {
            prop_assert!(e.to_string().starts_with("fuzz.toml"), "{e}");
        }
    }

    #[test]
    fn mutated_json_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>(), any::<u8>()), 1..6)) {
        let s = native::read_str(builtin::text("water-sharing").unwrap(), "w.toml").unwrap();
        let text = mutate(&native::to_json(s.parts()), &edits);
        if let Err(e) = native::read_str(&text, "fuzz.json") {
            prop_assert!(e.to_string().starts_with("fuzz.json"), "{e}");
        }
    }
}

#[test]
fn written_scenarios_read_back_identically() {
    for name in builtin::NAMES {
        let s = native::read_str(builtin::text(name).unwrap(), name).unwrap();
        let toml = native::to_toml(s.parts()).unwrap();
        let json = native::to_json(s.parts());
        let a = native::read_str(&toml, "a.toml").unwrap();
        let b = native::read_str(&json, "b.json").unwrap();
        assert_eq!(a.parts(), s.parts(), "{name} via TOML");
        assert_eq!(b.parts(), s.parts(), "{name} via JSON");
    }
}
