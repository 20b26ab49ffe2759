//! The parser against the reference parser on raw bytes (the first byte picks list, grammar and
//! bounds): same verdict, same error kind, line and offset, same items; every error's text names
//! its kind and position only (`lists::checks::check_one_grammar`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_testkit::targets::differential(data));
