//! `upgrade-server` run as a real process on a loopback port, spoken to over raw TCP: the
//! handshakes that the real clients of `cargo xtask e2e` (curl, Python websockets, Chromium)
//! never send. Switches happen after the body and speak the new protocol at once, upgrades the
//! RFCs say to ignore are answered as plain HTTP, refusals are clean, and message framing is
//! decided as the bytes arrive.

// A test target asserts by panicking, its helpers included; clippy.toml covers only `#[test]`
// functions themselves.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod framing;
mod harness;
mod ignored;
mod refusals;
mod switches;
