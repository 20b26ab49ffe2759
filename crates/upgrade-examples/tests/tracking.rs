//! The server's tracker of request heads against hyper, on generated pipelines of requests
//! (framed well and badly, with bodies, upgrades and `Expect` among them) cut into reads; the
//! fuzz target `track_heads` does the same on raw bytes. And the splice of generated h2c upgrade
//! requests into the client's first frames, read back as HTTP/2 (the fuzz target `splice_h2c`).

use proptest::prelude::*;
use upgrade_examples::replay::{check_splice, check_tracking};
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

/// Field names of an h2c upgrade request: connection-specific ones among them, and names any
/// request may carry.
const NAMES: &[&str] = &[
    "accept",
    "user-agent",
    "x-hop",
    "keep-alive",
    "transfer-encoding",
    "te",
    "expect",
    "content-type",
    "proxy-connection",
];

proptest! {
    #![proptest_config(proptest_config(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/proptest-regressions/splice.txt"
    )))]

    #[test]
    fn every_h2c_upgrade_is_spliced_into_the_clients_frames_as_valid_http2(
        fields in prop::collection::vec((0..NAMES.len(), "[ -~]{0,40}"), 0..8),
        options in prop::collection::vec(0..NAMES.len(), 0..3),
        long_value in 0usize..20_000,
        body in prop::collection::vec(any::<u8>(), 0..100),
        body_repeat in 1usize..300,
        settings in prop::collection::vec(any::<[u8; 6]>(), 0..4),
        client_settings in prop::collection::vec(any::<[u8; 6]>(), 0..4),
        after in prop::collection::vec(any::<u8>(), 0..20),
    ) {
        use base64::Engine as _;
        let settings = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(settings.concat());
        let mut connection = String::from("Upgrade, HTTP2-Settings");
        for o in options {
            connection.push_str(", ");
            connection.push_str(NAMES[o]);
        }
        let mut request = http::Request::post("/p?q")
            .header("host", "example.com")
            .header("connection", connection)
            .header("upgrade", "h2c")
            .header("http2-settings", settings)
            .header("x-long", "v".repeat(long_value));
        for (name, value) in fields {
            request = request.header(NAMES[name], value.trim());
        }
        let parts = request.body(()).unwrap().into_parts().0;
        let body = body.repeat(body_repeat);
        let client = client_settings.concat();
        let mut start = upgrade_examples::frames::PREFACE.to_vec();
        start.extend_from_slice(&u32::try_from(client.len()).unwrap().to_be_bytes()[1..]);
        start.extend_from_slice(&[upgrade_examples::frames::SETTINGS, 0, 0, 0, 0, 0]);
        start.extend_from_slice(&client);
        start.extend_from_slice(&after);
        check_splice(&parts, &body, &start, true);
    }
}
