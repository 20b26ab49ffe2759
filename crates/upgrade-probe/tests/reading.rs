//! The probe's reader against the test kit's reference reader, on generated runs of responses
//! (framed well and badly, interim and switching ones among them) cut into reads every way
//! `check_read` cuts them; the fuzz target `read_answers` does the same on raw bytes.

use proptest::prelude::*;
use upgrade_probe::replay::read_script;
use upgrade_testkit::reading::{ResponsesInput, check_read};
use upgrade_testkit::strategy::{arbitrary, proptest_config};

proptest! {
    #![proptest_config(proptest_config(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/proptest-regressions/reading.txt"
    )))]

    #[test]
    fn the_probe_reads_every_generated_stream_as_the_reference_does_however_it_is_cut(
        input in arbitrary::<ResponsesInput>()
    ) {
        check_read(&input.script(), read_script);
    }
}
