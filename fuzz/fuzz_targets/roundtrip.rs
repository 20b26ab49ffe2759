//! Structured lists from `arbitrary` (tokens over the whole tchar set, OWS of spaces and tabs,
//! empty elements, several field lines) through rendering, parsing and formatting.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_testkit::targets::roundtrip(data));
