//! Where tests find their data. Every test binary that reads files includes
//! this one module by path, so the rules live in one place:
//!
//! ```ignore
//! #[path = "../../../tests/support.rs"]
//! mod support;
//! ```
//!
//! - [`data`]: the repository's own small files under `tests/data` (see its
//!   README), present on every clone.
//! - [`corpus`] and [`peers`]: the large corpora kept outside the repository,
//!   named by `DETENTE_CORPUS` (the folder `shared/corpus`, holding `genius/`
//!   and `ktab/`) and `DETENTE_PEERS` (`shared/peers`, holding `negmas/`).
//!   Tests that need them are `#[ignore]`d with a reason naming the variable,
//!   so a bare clone reports them as ignored; CI sets both variables and runs
//!   `--include-ignored`. When such a test runs without its folder it fails
//!   and says what to set: no guessed relative path, no silent pass.

#![allow(dead_code)] // each test binary uses its own subset

use std::path::PathBuf;

/// A file or folder under the repository's `tests/data`.
pub fn data(rel: &str) -> PathBuf {
    let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/data")).join(rel);
    assert!(
        path.exists(),
        "{} is missing: tests/data is part of the repository",
        path.display()
    );
    path
}

/// `sub` (such as `genius` or `ktab/dummyData_3Dim`) in the folder named by
/// `DETENTE_CORPUS`.
pub fn corpus(sub: &str) -> PathBuf {
    outside("DETENTE_CORPUS", "shared/corpus", sub)
}

/// `sub` (such as `negmas`) in the folder named by `DETENTE_PEERS`.
pub fn peers(sub: &str) -> PathBuf {
    outside("DETENTE_PEERS", "shared/peers", sub)
}

fn outside(var: &str, folder: &str, sub: &str) -> PathBuf {
    let Some(root) = std::env::var_os(var) else {
        panic!(
            "{var} is not set: this test reads {folder}/{sub}; set {var} to the {folder} folder \
             (CI sets it to $PWD/../{folder})"
        );
    };
    let path = PathBuf::from(root).join(sub);
    assert!(
        path.exists(),
        "{var} names {}, which has no {sub}: {var} must point at the {folder} folder",
        PathBuf::from(std::env::var_os(var).unwrap_or_default()).display()
    );
    path
}
