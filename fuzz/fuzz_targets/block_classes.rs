//! The grammar's byte classes of every 16 bytes, with SSE2 (on x86_64) and one byte at a time
//! from the table built from the ABNF: always the same.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_testkit::targets::block_classes(data));
