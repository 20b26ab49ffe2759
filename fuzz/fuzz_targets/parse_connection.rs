//! Raw bytes as `Connection` field lines split at `\n`: the checks of `parse_upgrade` for the
//! `#token` list.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_testkit::targets::parse_connection(data));
