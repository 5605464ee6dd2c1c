//! Integration tests of detente-negotiation: one binary, one module per theme.

mod common;
mod mediator;
mod negmas;
mod properties;
mod sessions;
mod setup;
#[path = "../../../../tests/support.rs"]
mod support;
