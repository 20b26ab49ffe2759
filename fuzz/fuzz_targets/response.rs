//! A raw request head followed by the raw response to it through the client-side check: never
//! panics; a valid switch is a 101 to an HTTP/1.1 request with one valid Host, whose non-empty
//! Upgrade names only offered protocols, with `upgrade` in Connection and the right websocket
//! accept value; a valid 426 names a protocol; a malformed Upgrade is never valid; the pair read
//! as an `http::Request` and an `http::Response` gets the same verdict.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_testkit::targets::response(data));
