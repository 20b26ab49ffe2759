//! Shared test machinery for the `upgrade-*` crates, used by their tests, fuzz targets and
//! benches.
//!
//! - [`reference`](mod@reference): a slow reference parser written straight from the RFC 9110
//!   ABNF, sharing no code with `upgrade-grammar`, used as the oracle of differential checks.
//! - [`compare`]: runs `upgrade-grammar` and the reference on the same input and compares them.
//! - [`render`]: lays a list out as field lines with OWS, empty elements and line breaks; the one
//!   renderer behind both generators below.
//! - [`strategies`]: grammar-driven proptest strategies over the whole `tchar` set.
//! - [`generate`]: `arbitrary` input types for structured fuzz targets.
//! - [`request`]: a request and its server, with list fields that can be written plainly, split
//!   over field lines or with empty elements; [`generate_request`] and
//!   `strategies::request` generate them.
//! - [`checks`]: property checks that panic with a clear message when a property is violated.
//! - [`negotiation`]: the server-side negotiation invariants as such checks, and
//!   [`client_check`]: the client-side ones.
//! - [`alloc`](mod@alloc): a counting global allocator and a fixed `fmt::Write` buffer, for proving
//!   that code does not allocate.
//! - [`handshakes`]: upgrade requests as real clients send them, byte for byte.
//! - [`lines`]: splitting raw fuzz inputs into field lines.
//! - [`process`]: servers run as processes on 127.0.0.1, and a refused loopback port.
//! - [`roundtrip`](mod@roundtrip): the `roundtrip` target's decoding and checks, in reused
//!   buffers, without allocating.
//! - [`targets`]: the check behind each fuzz target, by name, shared by the fuzz glue and the
//!   corpus replay.
//! - [`wire`]: the server side of small loopback test servers (a request head, a websocket
//!   101, a pong).
//!
//! ```
//! use upgrade_testkit::checks::check_upgrade_bytes;
//!
//! // Field lines separated by '\n': both grammars, the reference and format/parse round trips.
//! check_upgrade_bytes(b"websocket, h2c\nfoo/2, ,");
//! check_upgrade_bytes(b"websocket;q=1");
//! ```
// The checks are assertions: they fail by panicking, which is how proptest, libFuzzer and
// `cargo test` report a violated property. The reference parser indexes plainly so that it reads
// like the grammar, and so does the byte-editing strategy; their indices are bounded by the loops
// and `Index::index` calls around them.
#![allow(clippy::panic, clippy::indexing_slicing)]

pub mod alloc;
pub mod checks;
pub mod client_check;
pub mod compare;
pub mod generate;
pub mod generate_request;
pub mod handshakes;
pub mod lines;
pub mod negotiation;
pub mod process;
pub mod raw;
pub mod reference;
pub mod render;
pub mod request;
pub mod roundtrip;
#[cfg(feature = "proptest")]
pub mod strategies;
pub mod targets;
pub mod wire;

pub use reference::{RefItem, RefKind, RefOutcome, reference_parse};

/// The workspace README's examples, compiled as doctests (and run, but for the server, which
/// `cargo xtask e2e` builds and runs as a crate of its own).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct WorkspaceReadmeDoctests;
