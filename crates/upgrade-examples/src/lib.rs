//! The parts of `upgrade-server` that follow a connection's bytes on their own, without the
//! server's runtime: the tracker of request heads as received ([`heads`]), the skipper of
//! request bodies it uses ([`body`]), and the fuzz target that holds the tracker to hyper on
//! the same bytes ([`replay`]).
//!
//! The server itself is the binary `upgrade-server`, built with the feature `server` (on by
//! default). The fuzz build leaves the feature out, and with it tokio, HTTP/2 and websockets.

#![forbid(unsafe_code)]

pub mod body;
pub mod heads;
pub mod replay;
