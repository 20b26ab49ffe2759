//! Raw bytes as `Upgrade` field lines split at `\n`, both grammars: errors point inside the
//! input, sender-valid implies recipient-valid with the same items, and format then parse gives
//! the same items.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_testkit::targets::parse_upgrade(data));
