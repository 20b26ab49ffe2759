//! `tungstenite`: the websocket server handshake users pick instead, on the same bytes.
//!
//! Shared by the criterion bench (`benches/parse.rs`), its test (`tests/tungstenite.rs`) and the
//! `paired` binary (with the crate's `tungstenite` feature): tungstenite is a dev-dependency, and
//! an optional dependency for `paired` alone, so it stays out of the library and the `icount`
//! binary.

use tungstenite::handshake::machine::TryParse;
use tungstenite::handshake::server::{Request, create_response, write_response};

/// Room for the response head, as for ours.
const RESPONSE_CAPACITY: usize = 256;

/// tungstenite's server handshake: parse the request (httparse into an `http::Request`, its
/// `HeaderMap` allocated), check it and build the 101 `http::Response` with the accept key,
/// then write that head into a buffer on the stack. The length of the head written, or `None`
/// when tungstenite refuses the request.
pub(crate) fn tungstenite(bytes: &[u8]) -> Option<usize> {
    let (_, request) = Request::try_parse(bytes).ok()??;
    let response = create_response(&request).ok()?;
    let mut buffer = [0u8; RESPONSE_CAPACITY];
    let mut out = &mut buffer[..];
    write_response(&mut out, &response).ok()?;
    Some(RESPONSE_CAPACITY - out.len())
}
