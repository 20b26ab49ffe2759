//! A server's byte stream, cut into reads, read as the probe reads the answers to its requests:
//! never panics, never takes in more than its bound, and gets the answers of the test kit's
//! reference reader (RFC 9112 framing, interim responses, bounds), however the stream is cut.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_probe::replay::read_answers(data));
