//! The HTTP/1.1 `Upgrade` and `Connection` list grammar of RFC 9110, exactly.
//!
//! ```text
//! Upgrade           = #protocol                                  ; RFC 9110 7.8
//! protocol          = protocol-name ["/" protocol-version]
//! Connection        = #connection-option                         ; RFC 9110 7.6.1
//! connection-option = token
//! token             = 1*tchar                                    ; RFC 9110 5.6.2
//! ```
//!
//! ```
//! use upgrade_grammar::{parse_connection, parse_upgrade, Config};
//!
//! // Field lines as an HTTP parser hands them over: several lines of one field form one list.
//! let connection: [&[u8]; 2] = [b"keep-alive", b"Upgrade"];
//! let upgrade: [&[u8]; 1] = [b"websocket, h2c"];
//!
//! assert!(parse_connection(connection, Config::RECIPIENT).contains(b"upgrade")?);
//! for protocol in parse_upgrade(upgrade, Config::RECIPIENT) {
//!     let protocol = protocol?;
//!     println!("client offers {}", protocol.name());
//! }
//! # Ok::<(), upgrade_grammar::Error>(())
//! ```
//!
//! # Two grammars
//!
//! RFC 9110 section 5.6.1 asks senders to generate lists without empty elements and recipients
//! to accept and skip them. [`Grammar::Sender`] enforces the first, [`Grammar::Recipient`] the
//! second. An empty field value is a valid empty list in both. [`Config`] carries the grammar and
//! the bounds that keep a hostile list cheap: by default at most 64 non-empty and 64 empty
//! elements per combined field value.
//!
//! # Comparisons
//!
//! Protocol names and connection options compare ASCII-case-insensitively, never with Unicode
//! case folding; protocol versions compare exactly ([`Protocol::matches`]).
//!
//! # Errors
//!
//! An [`Error`] has a [`kind`](Error::kind), the index of the field line and the 0-based byte
//! offset of the first offending byte in that line's value as given (the line's length when the
//! value ends too early). Its `Display` never echoes the input.
//!
//! # Guarantees
//!
//! Parsing borrows from the input, never allocates and never panics. Formatting
//! ([`write_upgrade`], [`write_connection`], and into a byte buffer [`write_upgrade_bytes`],
//! [`write_connection_bytes`]) takes only validated values, so it can only write valid lists.
//! The crate works without `std`. Its only `unsafe` code is one private module that classifies
//! 16 bytes at once with SSE2 on x86_64, beside a scalar twin that it is tested and fuzzed
//! against on every byte.
//!
//! # Features
//!
//! - `alloc` (default): [`format_upgrade`] and [`format_connection`] returning `String`.
//! - `http`: read every field line of a header from an [`::http::HeaderMap`] ([`http`] module).
#![cfg_attr(not(test), no_std)]
// `unsafe` is denied by the workspace lints and allowed in one module, `block`.
#![deny(unsafe_code)]

#[cfg(feature = "alloc")]
extern crate alloc;

mod ascii;
mod block;
mod coded;
mod config;
mod connection;
mod error;
mod format;
mod known;
mod line;
mod list;
mod protocol;
mod tchar;
mod upgrade;

#[cfg(feature = "http")]
pub mod http;

pub use config::{Config, Grammar};
pub use connection::{ConnectionOptions, parse_connection};
pub use error::{Error, ErrorKind};
#[cfg(feature = "alloc")]
pub use format::{format_connection, format_upgrade};
pub use format::{write_connection, write_connection_bytes, write_upgrade, write_upgrade_bytes};
pub use protocol::Protocol;
pub use tchar::{Token, is_tchar};
pub use upgrade::{Protocols, parse_upgrade};

/// Internals that the fuzz targets compare; not part of the API.
#[doc(hidden)]
pub mod __fuzz {
    pub use crate::block::classes_every_way;
}

/// The crate README's example, compiled and run as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
