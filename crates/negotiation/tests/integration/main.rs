//! Integration tests of detente-negotiation: one binary, one module per theme.

mod common;
mod negmas;
mod properties;
mod sessions;
#[path = "../../../../tests/support.rs"]
mod support;
