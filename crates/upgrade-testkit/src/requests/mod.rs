//! What tests negotiation: a request and its server and how they are written ([`case`]), their
//! generators ([`generate`]), the server-side invariants as checks ([`checks`]), the `Host`
//! grammar they are checked against ([`host`]) and the client-side ones on a raw request and
//! response ([`response`]).

pub mod case;
pub mod checks;
pub mod generate;
pub mod host;
pub mod response;
