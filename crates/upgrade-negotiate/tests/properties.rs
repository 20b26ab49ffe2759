//! Negotiation invariants over generated requests: what a switch may name, what never switches,
//! what never changes a decision, whose order wins, that the server's responses satisfy the
//! client check, and that arbitrary field lines and bytes never panic. The invariants are the
//! checks of `upgrade_testkit::requests::checks`, which the fuzz targets run too; the requests
//! come from the `arbitrary` generators of `upgrade_testkit::requests::generate`, the
//! `negotiate` target's among them, through the byte bridge of `upgrade_testkit::strategy`. The
//! case count comes from `PROPTEST_CASES`.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use upgrade_grammar::Config;
use upgrade_negotiate::{
    HttpVersion, Outcome, Policy, Preference, Reason, ResponseHead, check_response, hop_by_hop,
};
use upgrade_testkit::lists::checks::protocol;
use upgrade_testkit::requests::case::{Exchange, ListWriting};
use upgrade_testkit::requests::checks::{
    check_case, check_client_accepts_the_response, check_decision, check_empty_element_invariance,
    check_name_case_invariance, check_no_switch_without_upgrade_option, check_preference_order,
    check_request_bytes, check_response_head, check_split_invariance,
    check_switch_names_a_listed_offer, describe, response_head,
};
use upgrade_testkit::requests::generate::{GenericOrderCase, RequestInput, Server, SwitchingCase};
use upgrade_testkit::requests::response::check_response_bytes;
use upgrade_testkit::strategy::{arbitrary, proptest_config};

const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/properties.txt"
);

/// Requests of the `negotiate` fuzz target, and one in four built to switch, so that the
/// invariants of a switch are met often.
fn requests() -> impl Strategy<Value = RequestInput> {
    prop_oneof![
        3 => arbitrary::<RequestInput>(),
        1 => (arbitrary::<SwitchingCase>(), any::<u64>())
            .prop_map(|(SwitchingCase(case), name_case)| RequestInput { name_case, case }),
    ]
}

proptest! {
    #![proptest_config(proptest_config(REGRESSIONS))]

    #[test]
    fn a_switch_names_a_protocol_the_client_listed_and_the_server_offered(
        input in requests(),
    ) {
        let written = input.case.write(ListWriting::Arranged, input.name_case);
        let exchange = written.exchange();
        check_switch_names_a_listed_offer(&exchange, &exchange.negotiate());
    }

    #[test]
    fn http10_and_a_missing_upgrade_option_never_switch(input in requests()) {
        let written = input.case.write(ListWriting::Arranged, input.name_case);
        let exchange = written.exchange();
        check_no_switch_without_upgrade_option(&exchange, &exchange.negotiate());
    }

    #[test]
    fn header_name_case_never_changes_the_decision(input in requests()) {
        let written = input.case.write(ListWriting::Plain, 0);
        check_name_case_invariance(&written.exchange(), input.name_case);
    }

    #[test]
    fn splitting_lists_over_field_lines_never_changes_the_decision(input in requests()) {
        check_split_invariance(&input.case);
    }

    #[test]
    fn adding_empty_elements_never_changes_the_decision(input in requests()) {
        check_empty_element_invariance(&input.case);
    }

    #[test]
    fn client_order_wins_under_client_preference_and_server_order_under_server_preference(
        GenericOrderCase(case) in arbitrary::<GenericOrderCase>(),
    ) {
        let written = case.write(ListWriting::Plain, 0);
        let exchange = written.exchange();
        for preference in [Preference::Client, Preference::Server] {
            let exchange = exchange.with_policy(exchange.policy.with_preference(preference));
            let decision = exchange.negotiate();
            // The request is built to reach the choice among candidates (rule 9).
            prop_assert!(
                matches!(decision.reason(), Reason::Switched | Reason::NoCommonProtocol),
                "{}",
                describe(&exchange, &decision)
            );
            check_preference_order(&exchange, &decision);
        }
    }

    #[test]
    fn every_101_the_server_builds_passes_the_client_check(
        SwitchingCase(case) in arbitrary::<SwitchingCase>(),
    ) {
        let written = case.write(ListWriting::Plain, 0);
        let exchange = written.exchange();
        let decision = exchange.negotiate();
        prop_assert_eq!(decision.outcome(), Outcome::Switch, "{}", describe(&exchange, &decision));
        check_response_head(&exchange, &decision);
        check_client_accepts_the_response(&exchange, &decision);
    }

    #[test]
    fn generated_requests_satisfy_every_invariant(input in requests()) {
        check_case(&input.case, input.name_case);
    }

    #[test]
    fn the_client_check_holds_on_every_response_the_server_builds(input in requests()) {
        let written = input.case.write(ListWriting::Arranged, input.name_case);
        let exchange = written.exchange();
        if let Some(mut bytes) = written.to_bytes() {
            bytes.extend_from_slice(response_head(&exchange.negotiate()).as_bytes());
            check_response_bytes(&bytes);
        }
    }

    #[test]
    fn arbitrary_field_lines_never_panic_and_every_response_head_is_sound(
        method in prop_oneof![
            3 => select(vec!["GET", "POST", "CONNECT"]).prop_map(String::from),
            1 => "[ -~]{0,6}",
        ],
        version in prop_oneof![
            Just(HttpVersion::Http10),
            Just(HttpVersion::Http11),
            Just(HttpVersion::Http2OrLater),
        ],
        lines in vec(
            (
                prop_oneof![
                    4 => select(vec![
                        "Upgrade", "Connection", "Content-Length", "Transfer-Encoding", "Expect",
                        "Sec-WebSocket-Key", "Sec-WebSocket-Version", "HTTP2-Settings",
                        "Proxy-Connection", "Sec-WebSocket-Accept",
                    ]).prop_map(String::from),
                    1 => "[!-~]{1,8}",
                ],
                vec(
                    prop_oneof![
                        2 => any::<u8>(),
                        3 => select(b" \t,/;=\"\\abc0123456789upgradewebsocketh2cAAMA+_-".to_vec()),
                    ],
                    0..32,
                ),
            ),
            0..10,
        ),
        server in arbitrary::<Server>(),
        max_elements in 0usize..6,
        status in select(vec![101u16, 426, 200, 400]),
    ) {
        let config = Config::RECIPIENT.with_max_elements(max_elements);
        let exchange = Exchange {
            method: method.as_bytes(),
            version,
            lines: lines.iter().map(|(n, v)| (n.as_str(), v.as_slice())).collect(),
            offers: server.offers.iter().map(protocol).collect(),
            policy: server.policy.with_config(config),
        };
        check_decision(&exchange, &exchange.negotiate());
        // The same lines as a response, and as what a proxy forwards.
        let request = exchange.request();
        let response = ResponseHead::new(status, version, exchange.lines.as_slice());
        let policy = Policy::new().with_config(config);
        let check = check_response(request, response, &policy);
        let _ = (check.valid(), check.protocols().count(), format!("{check:?}"));
        if let Ok(hop) = hop_by_hop(exchange.lines.as_slice(), &policy) {
            let _ = (hop.names().count(), hop.is_hop_by_hop("Upgrade"));
        }
    }

    #[test]
    fn arbitrary_request_bytes_never_panic(
        bytes in prop_oneof![
            vec(any::<u8>(), 0..128),
            vec(
                ("[A-Za-z-]{1,12}", vec(any::<u8>(), 0..24)),
                0..8,
            )
            .prop_map(|lines| {
                let mut out = b"GET / HTTP/1.1\r\n".to_vec();
                for (name, value) in lines {
                    out.extend_from_slice(name.as_bytes());
                    out.extend_from_slice(b": ");
                    out.extend_from_slice(&value);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"\r\n");
                out
            }),
        ],
    ) {
        check_request_bytes(&bytes);
    }
}
