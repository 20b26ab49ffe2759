//! Structured lists from `arbitrary` (tokens over the whole tchar set, OWS of spaces and tabs,
//! empty elements, several field lines) through rendering, parsing and formatting
//! (`lists::checks::check_rendered`): both grammars read exactly the rendered items, at and one
//! under their bounds, and every check of `parse_upgrade` holds on the rendered lines.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_testkit::targets::roundtrip(data));
