//! Structured requests from `arbitrary` (method, version, field lines drawn from the names
//! negotiation reads, lists laid out with OWS, empty elements and line breaks, websocket keys and
//! h2c settings valid and invalid) and servers (offers, preference, upgrade required) through the
//! negotiator: a switch names a protocol the client listed and the server offered, spelled as
//! offered; HTTP/1.0, CONNECT and a missing `upgrade` option never switch; the preference order
//! is honoured; every response passes the client check and is a well-formed head; name case,
//! splitting lists, empty elements, reading the request back with httparse, as an
//! `http::Request` or by name only never change the decision; a proxy drops exactly the
//! hop-by-hop fields.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_testkit::targets::negotiate(data));
