//! HTTP/1.1 `Upgrade` negotiation, exactly as RFC 9110 sections 7.6.1, 7.8, 15.2.2 and 15.5.22
//! define it, with the websocket (RFC 6455 section 4) and h2c (RFC 7540 section 3.2) handshakes.
//!
//! Three questions, three entry points, no I/O:
//!
//! - **Server**: [`negotiate`] decides whether to switch (101), require an upgrade (426), reject
//!   (400) or carry on with HTTP, with a stable [`Reason`] code, the response head to send, and
//!   what must happen before the switch (read the request body, send `100 Continue`).
//! - **Client**: [`check_response`] tells whether a 101 or 426 is legitimate for the request.
//! - **Proxy**: [`hop_by_hop`] names the fields to drop when forwarding, so that an `Upgrade`
//!   (and an h2c upgrade's `HTTP2-Settings`) never reaches a backend by accident.
//!
//! Field lines are read through [`HeaderLines`], implemented for [`httparse`] headers, for
//! slices of name / value pairs and, with the `http` feature, for `http::HeaderMap`. Every
//! line of a repeated field counts, names compare ignoring ASCII case, and list values are
//! parsed with the grammar of [`upgrade_grammar`].
//!
//! # Server
//!
//! ```
//! use upgrade_grammar::Protocol;
//! use upgrade_negotiate::{negotiate, parse_request, BodyFraming, Decision, Outcome, Policy};
//!
//! let offers = [Protocol::parse(b"websocket")?, Protocol::parse(b"h2c")?];
//! let bytes = b"GET /chat HTTP/1.1\r\n\
//!     Host: server.example.com\r\n\
//!     Upgrade: websocket\r\n\
//!     Connection: Upgrade\r\n\
//!     Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
//!     Sec-WebSocket-Version: 13\r\n\
//!     \r\n";
//!
//! let mut headers = [httparse::EMPTY_HEADER; 32];
//! let decision = match parse_request(bytes, &mut headers) {
//!     Ok(request) => negotiate(&request.request(), &offers, &Policy::default()),
//!     // Rule 1: a head that cannot be parsed.
//!     Err(_) => Decision::request_malformed(),
//! };
//! assert_eq!(decision.outcome(), Outcome::Switch);
//! assert_eq!(decision.reason().code(), "switched");
//! assert_eq!(decision.request_body(), Some(BodyFraming::None));
//! assert!(!decision.interim_continue());
//!
//! let mut response = String::new();
//! decision.write_response(&mut response)?;
//! assert_eq!(
//!     response,
//!     "HTTP/1.1 101 Switching Protocols\r\n\
//!      Connection: upgrade\r\n\
//!      Upgrade: websocket\r\n\
//!      Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
//!      \r\n"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Client
//!
//! ```
//! use upgrade_negotiate::{check_response, parse_request, parse_response, ClientReason};
//!
//! let request = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: foo/2, bar\r\nConnection: upgrade\r\n\r\n";
//! let mut request_headers = [httparse::EMPTY_HEADER; 16];
//! let request = parse_request(request, &mut request_headers)?;
//!
//! let response = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: FOO/2\r\nConnection: Upgrade\r\n\r\n";
//! let mut response_headers = [httparse::EMPTY_HEADER; 16];
//! let response = parse_response(response, &mut response_headers)?;
//! let check = check_response(&request.request(), &response.response());
//! assert!(check.valid() && check.switched());
//!
//! // A 101 for a protocol that was never offered is not a switch.
//! let response = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo/3\r\nConnection: upgrade\r\n\r\n";
//! let mut response_headers = [httparse::EMPTY_HEADER; 16];
//! let response = parse_response(response, &mut response_headers)?;
//! let check = check_response(&request.request(), &response.response());
//! assert_eq!((check.valid(), check.reason()), (false, ClientReason::ProtocolNotOffered));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Proxy
//!
//! ```
//! use upgrade_negotiate::hop_by_hop;
//!
//! let headers = [
//!     ("Host", "backend"),
//!     ("Connection", "Upgrade, HTTP2-Settings, x-hop"),
//!     ("Upgrade", "h2c"),
//!     ("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"),
//!     ("X-Hop", "1"),
//!     ("Accept", "*/*"),
//! ];
//! let hop = hop_by_hop(&headers)?;
//! let forwarded: Vec<_> = headers.iter().filter(|(name, _)| !hop.is_hop_by_hop(name)).collect();
//! assert_eq!(forwarded, [&("Host", "backend"), &("Accept", "*/*")]);
//! # Ok::<(), upgrade_grammar::Error>(())
//! ```
//!
//! # The rules
//!
//! [`negotiate`] applies rules 1 to 11 in order (its documentation lists them); each
//! [`Reason`] names the rule that decided, and [`Reason::code`] is stable for machine-readable
//! output. Protocol names compare ignoring ASCII case (never Unicode case folding), versions
//! exactly; `Proxy-Connection` never counts for `Connection`; HTTP/1.0 and `CONNECT` are never
//! upgraded; a switch is never made before the request body has been framed.
//!
//! # Guarantees
//!
//! No `unsafe` code, no panic reachable from input, and no heap allocation on the way from an
//! [`httparse`] request to a decision and its response head (the `Sec-WebSocket-Accept` value is
//! computed into a fixed array). The crate is `no_std`.
//!
//! # Features
//!
//! - `http`: [`HeaderLines`] for `http::HeaderMap`, and conversions from the requests and
//!   responses of the `http` crate (the `http` module).
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod client;
mod decision;
mod framing;
mod h2c;
mod head;
mod headers;
mod message;
mod policy;
mod proxy;
mod reason;
mod server;
mod websocket;

#[cfg(feature = "http")]
pub mod http;

pub use client::{ClientReason, ResponseCheck, check_response, check_response_with_config};
pub use decision::{Decision, Outcome};
pub use framing::BodyFraming;
pub use h2c::is_http2_settings;
pub use head::{HeadError, ParsedRequest, ParsedResponse, parse_request, parse_response};
pub use headers::HeaderLines;
pub use message::{HttpVersion, Request, Response};
pub use policy::{Policy, Preference};
pub use proxy::{HOP_BY_HOP_FIELDS, HopByHop, hop_by_hop, hop_by_hop_with_config};
pub use reason::Reason;
pub use server::negotiate;
pub use websocket::{WEBSOCKET_GUID, WEBSOCKET_VERSION, WebSocketAccept, is_websocket_key};

/// The workspace README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
