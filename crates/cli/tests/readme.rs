//! The README's tour prints what the program prints.
//!
//! Every ```` ```console ```` block of README.md is run with the real binary
//! (`$ ` starts a command, `? failed` expects a failure, `...` stands for
//! lines left out, `[..]` for part of a line). After a change of output,
//! regenerate the blocks instead of editing them by hand:
//! `TRYCMD=overwrite cargo test -p detente-cli --test readme`, then read the
//! diff and put back the `...` where the README trims.

use std::path::Path;

#[test]
fn readme_tour_prints_what_detente_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    // The tour runs from the root of a clone; it writes `results.db`, so run
    // it in a scratch folder that sees the repository's files.
    let dir = tempfile::tempdir().unwrap();
    for entry in ["examples", "tests", "bench"] {
        std::os::unix::fs::symlink(root.join(entry), dir.path().join(entry)).unwrap();
    }
    std::env::set_current_dir(dir.path()).unwrap();
    trycmd::TestCases::new()
        .register_bin("detente", trycmd::cargo::cargo_bin!("detente"))
        .case(root.join("README.md"))
        .run();
}
