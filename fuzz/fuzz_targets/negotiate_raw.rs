//! Raw bytes as an HTTP/1.x request through httparse into the negotiator, for several servers
//! under both preferences, with and without an upgrade required: never panics, every response
//! head is well formed and passes the client check, every switch names a listed offer of an
//! HTTP/1.1 request with `upgrade` in Connection, field-name case and reading the request as an
//! `http::Request` or by name only never change the decision, and a proxy drops exactly the
//! hop-by-hop fields.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_testkit::targets::negotiate_raw(data));
