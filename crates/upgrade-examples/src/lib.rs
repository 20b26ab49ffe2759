//! The parts of `upgrade-server` that read and write a connection's bytes on their own, without
//! the server's runtime: the tracker of request heads as received ([`heads`]) with the skipper
//! of request bodies it uses ([`body`]), the upgraded request of an h2c switch spliced in as
//! HTTP/2 frames ([`splice`], [`frames`]), and their fuzz targets ([`replay`]).
//!
//! The server itself is the binary `upgrade-server`, built with the feature `server` (on by
//! default). The fuzz build leaves the feature out, and with it tokio, HTTP/2 and websockets.

#![forbid(unsafe_code)]

pub mod body;
pub mod frames;
pub mod heads;
pub mod replay;
pub mod splice;

/// Any error, as the server reports it.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
