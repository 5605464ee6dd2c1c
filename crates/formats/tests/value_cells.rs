//! The native reader refuses a scenario whose utility tables would exceed
//! the core's bound before it builds any party (whose tables would take
//! gigabytes first).

use detente_formats::native;

#[test]
fn huge_value_tables_are_refused_before_the_parties_are_built() {
    let mut text = String::from(
        "version = 1\nname = \"huge\"\n[[issues]]\nname = \"x\"\nkind = \"integer\"\nmin = 0\nmax = 16777215\n",
    );
    for p in 0..8 {
        text.push_str(&format!(
            "[[parties]]\nname = \"p{p}\"\nweights = {{ x = 1 }}\nvalues.x = \"increasing\"\n"
        ));
    }
    let err = native::read_str(&text, "huge.toml")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("huge.toml:"), "{err}");
    assert!(err.contains("16777216 values"), "{err}");
}
