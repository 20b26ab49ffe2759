//! Raw bytes as `Upgrade` field lines split at `\n`, both grammars (`lists::checks::check_lines`):
//! the parser agrees with the reference parser, errors point inside the input and name only
//! their kind and position, sender-valid implies recipient-valid with the same items, every item
//! holds as a token, format then parse gives the same items, and `Protocol::parse` and
//! `Token::parse` of each line agree with the reference, errors included.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_testkit::targets::parse_upgrade(data));
