//! HTTP/1.1 `Upgrade` negotiation, exactly as RFC 9110 sections 7.6.1, 7.8, 15.2.2 and 15.5.22
//! define it, with the websocket (RFC 6455 section 4) and h2c (RFC 7540 section 3.2) handshakes.
//!
//! Three questions, three entry points, no I/O, one settings value ([`Policy`]):
//!
//! - **Server**: [`negotiate`] decides whether to switch (101), require an upgrade (426), reject
//!   (400, or 505 for another HTTP major version) or carry on with HTTP, with a stable
//!   [`Reason`] code, the response head to send, and what must happen before the switch (read
//!   the request body, send `100 Continue`).
//! - **Client**: [`check_response`] tells whether a 101 or 426 is legitimate for the request.
//! - **Proxy**: [`hop_by_hop`] names the fields to drop when forwarding, so that an `Upgrade`
//!   (and an h2c upgrade's `HTTP2-Settings`) never reaches a backend by accident.
//!
//! Field lines are read through [`FieldLines`], implemented for [`httparse`] headers, for
//! slices of name / value pairs and, with the `http` feature, for `http::HeaderMap`. Every
//! line of a repeated field counts, names compare ignoring ASCII case, and list values are
//! parsed with the grammar of [`upgrade_grammar`], whose types this crate re-exports
//! ([`Protocol`], [`Config`], [`Error`]...; the whole crate as [`grammar`]), as it re-exports
//! [`httparse`]: a server needs this one crate.
//!
//! # Server
//!
//! Read the head as it arrives: [`parse_request`] says [`Status::Partial`] until the empty line
//! that ends it, and an error only when no further byte can make it valid.
//!
//! ```
//! use std::io::{self, Read};
//! use upgrade_negotiate::{
//!     negotiate, parse_request, Decision, Policy, Protocol, Status, EMPTY_HEADER,
//! };
//!
//! const OFFERS: [Protocol<'static>; 2] = [Protocol::from_static("websocket"), Protocol::from_static("h2c")];
//!
//! /// Reads one request head from `connection` into `buf`, however it arrives, and decides.
//! /// Returns the response head to send and the length of the request head.
//! fn decide(connection: &mut impl Read, buf: &mut [u8]) -> io::Result<(String, usize)> {
//!     let mut len = 0;
//!     let (decision, head_len) = loop {
//!         let mut headers = [EMPTY_HEADER; 32];
//!         match parse_request(&buf[..len], &mut headers) {
//!             Ok(Status::Complete(request)) => {
//!                 break (negotiate(request, &OFFERS, &Policy::default()), request.head_len());
//!             }
//!             Ok(Status::Partial) if len < buf.len() => match connection.read(&mut buf[len..])? {
//!                 0 => break (Decision::request_malformed(), len), // closed before the head ended
//!                 n => len += n,
//!             },
//!             Ok(Status::Partial) => break (Decision::request_malformed(), len), // head too large
//!             Err(e) => break (Decision::from(e), len),
//!         }
//!     };
//!     let mut response = String::new();
//!     decision.write_response(&mut response).map_err(io::Error::other)?;
//!     Ok((response, head_len))
//! }
//!
//! /// A connection that delivers its bytes seven at a time, as a slow network might.
//! struct Trickle<'a>(&'a [u8]);
//! impl Read for Trickle<'_> {
//!     fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
//!         let n = self.0.len().min(out.len()).min(7);
//!         out[..n].copy_from_slice(&self.0[..n]);
//!         self.0 = &self.0[n..];
//!         Ok(n)
//!     }
//! }
//!
//! // A browser's handshake.
//! let handshake = b"GET /chat HTTP/1.1\r\n\
//!     Host: server.example.com\r\n\
//!     Upgrade: websocket\r\n\
//!     Connection: Upgrade\r\n\
//!     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
//!     Sec-WebSocket-Version: 13\r\n\
//!     \r\n";
//! let (response, head_len) = decide(&mut Trickle(handshake), &mut [0; 8192])?;
//! assert_eq!(head_len, handshake.len());
//! assert_eq!(
//!     response,
//!     "HTTP/1.1 101 Switching Protocols\r\n\
//!      Connection: upgrade\r\n\
//!      Upgrade: websocket\r\n\
//!      Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
//!      \r\n"
//! );
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Client
//!
//! ```
//! use upgrade_negotiate::{check_response, parse_request, parse_response, ClientReason, Policy, Status, EMPTY_HEADER};
//!
//! let request = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: foo/2, bar\r\nConnection: upgrade\r\n\r\n";
//! let mut request_headers = [EMPTY_HEADER; 16];
//! let Status::Complete(request) = parse_request(request, &mut request_headers)? else { unreachable!() };
//!
//! let response = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: FOO/2\r\nConnection: Upgrade\r\n\r\n";
//! let mut response_headers = [EMPTY_HEADER; 16];
//! let Status::Complete(response) = parse_response(response, &mut response_headers)? else { unreachable!() };
//! let check = check_response(request, response, &Policy::default());
//! assert!(check.valid() && check.switched());
//!
//! // A 101 for a protocol that was never offered is not a switch.
//! let response = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo/3\r\nConnection: upgrade\r\n\r\n";
//! let mut response_headers = [EMPTY_HEADER; 16];
//! let Status::Complete(response) = parse_response(response, &mut response_headers)? else { unreachable!() };
//! let check = check_response(request, response, &Policy::default());
//! assert_eq!((check.valid(), check.reason()), (false, ClientReason::ProtocolNotOffered));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Proxy
//!
//! ```
//! use upgrade_negotiate::{hop_by_hop, Policy};
//!
//! let headers = [
//!     ("Host", "backend"),
//!     ("Connection", "Upgrade, HTTP2-Settings, x-hop"),
//!     ("Upgrade", "h2c"),
//!     ("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"),
//!     ("X-Hop", "1"),
//!     ("Accept", "*/*"),
//! ];
//! let hop = hop_by_hop(&headers, &Policy::default())?;
//! let forwarded: Vec<_> = headers.iter().filter(|(name, _)| !hop.is_hop_by_hop(name)).collect();
//! assert_eq!(forwarded, [&("Host", "backend"), &("Accept", "*/*")]);
//! # Ok::<(), upgrade_negotiate::Error>(())
//! ```
//!
//! # The rules
//!
//! [`negotiate`] applies rules 1 to 11 in order (its documentation lists them); each
//! [`Reason`] names the rule that decided, and [`Reason::code`] is stable for machine-readable
//! output. A request must first be a valid HTTP/1.x request: an HTTP/1.1 request has exactly one
//! `Host` (RFC 9112 section 3.2), and `HTTP/1.2` is read as HTTP/1.1 (RFC 9110 section 2.5).
//! Protocol names compare ignoring ASCII case (never Unicode case folding), versions exactly;
//! `Proxy-Connection` never counts for `Connection`; HTTP/1.0 and `CONNECT` are never upgraded;
//! a switch is never made before the request body has been framed.
//!
//! # Guarantees
//!
//! No `unsafe` code, no panic reachable from input, and no heap allocation on the way from
//! bytes to a decision and its response head (the `Sec-WebSocket-Accept` value is computed into
//! a fixed array, and [`Decision::write_response_bytes`] writes the head into the caller's
//! buffer). The crate is `no_std`.
//!
//! # Features
//!
//! - `http`: [`FieldLines`] for `http::HeaderMap`, and conversions from the requests and
//!   responses of the `http` crate (the `http` module).
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod base64;
mod client;
mod decision;
mod framing;
mod h2c;
mod head;
mod headers;
mod host;
mod message;
mod policy;
mod proxy;
mod reason;
mod server;
mod websocket;
mod word;

#[cfg(feature = "http")]
pub mod http;

pub use client::{ClientReason, ResponseCheck, check_response};
pub use decision::{Decision, Outcome};
pub use framing::BodyFraming;
pub use h2c::is_http2_settings;
pub use head::{HeadError, ParsedRequest, ParsedResponse, Status, parse_request, parse_response};
pub use headers::FieldLines;
pub use message::{HttpVersion, RequestHead, ResponseHead};
pub use policy::{Policy, Preference};
pub use proxy::{HOP_BY_HOP_FIELDS, HopByHop, hop_by_hop};
pub use reason::Reason;
pub use server::negotiate;
pub use websocket::{WEBSOCKET_GUID, WEBSOCKET_VERSION, WebSocketAccept, is_websocket_key};

pub use httparse::{self, EMPTY_HEADER, Header};
pub use upgrade_grammar::{self as grammar, Config, Error, ErrorKind, Grammar, Protocol, Token};

/// The crate README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
