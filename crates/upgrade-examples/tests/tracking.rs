//! The server's tracker of request heads against hyper, on generated pipelines of requests
//! (framed well and badly, with bodies, upgrades and `Expect` among them) cut into reads; the
//! fuzz target `track_heads` does the same on raw bytes.

use proptest::prelude::*;
use upgrade_examples::replay::check_tracking;
use upgrade_testkit::reading::RequestsInput;
use upgrade_testkit::strategy::{arbitrary, proptest_config};

proptest! {
    #![proptest_config(proptest_config(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/proptest-regressions/tracking.txt"
    )))]

    #[test]
    fn hyper_and_the_tracker_stay_in_step_on_generated_pipelines_however_they_are_cut(
        input in arbitrary::<RequestsInput>()
    ) {
        check_tracking(&input.stream(), &input.cuts());
    }
}
