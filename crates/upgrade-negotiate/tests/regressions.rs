//! The negotiation bug classes that widely used HTTP stacks have shipped (DESIGN.md section 7),
//! one named test each, so that this crate never repeats them. The list-grammar classes live in
//! `upgrade-grammar`'s tests.

// Test helpers unwrap and index what the rows give them; a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use upgrade_grammar::{ErrorKind, Protocol};
use upgrade_negotiate::{
    BodyFraming, ClientReason, Decision, HttpVersion, Outcome, Policy, Reason, RequestHead,
    ResponseHead, check_response, hop_by_hop, negotiate, parse_request,
};
use upgrade_testkit::handshakes::{HTTP2_SETTINGS, WEBSOCKET_ACCEPT, WEBSOCKET_KEY, with_host};

fn offers(names: &[&'static str]) -> Vec<Protocol<'static>> {
    names
        .iter()
        .map(|n| Protocol::parse(n.as_bytes()).unwrap())
        .collect()
}

/// The decision for a GET with `headers`, after `Host: example.com` when they have no `Host`.
fn decide<'o>(
    offers: &'o [Protocol<'o>],
    version: HttpVersion,
    headers: &[(&str, &str)],
) -> Decision<'o> {
    let lines = with_host(headers);
    negotiate(
        RequestHead::new("GET", version, lines.as_slice()),
        offers,
        &Policy::default(),
    )
}

fn decide11<'o>(offers: &'o [Protocol<'o>], headers: &[(&str, &str)]) -> Decision<'o> {
    decide(offers, HttpVersion::Http11, headers)
}

fn switched_to(decision: &Decision<'_>) -> Option<String> {
    (decision.outcome() == Outcome::Switch).then(|| decision.protocol().unwrap().to_string())
}

// Substring matching.

#[test]
fn connection_option_containing_upgrade_is_not_upgrade() {
    let offers = offers(&["foo"]);
    for option in [
        "notupgrade",
        "upgrade-x",
        "upgrades",
        "x-upgrade",
        "upgrade2",
    ] {
        let decision = decide11(&offers, &[("Upgrade", "foo"), ("Connection", option)]);
        assert_eq!(decision.outcome(), Outcome::Continue, "{option}");
        assert_eq!(
            decision.reason(),
            Reason::ConnectionMissingUpgrade,
            "{option}"
        );
    }
}

#[test]
fn protocol_name_containing_websocket_is_not_websocket() {
    let offers = offers(&["websocket"]);
    for asked in [
        "madam-websocket",
        "websockets",
        "websocket-x",
        "web-socket",
        "xwebsocket",
    ] {
        let decision = decide11(
            &offers,
            &[
                ("Upgrade", asked),
                ("Connection", "upgrade"),
                ("Sec-WebSocket-Key", WEBSOCKET_KEY),
                ("Sec-WebSocket-Version", "13"),
            ],
        );
        assert_eq!(decision.reason(), Reason::NoCommonProtocol, "{asked}");
    }
}

// Reading only the first field line.

#[test]
fn upgrade_option_on_a_second_connection_line_counts() {
    let offers = offers(&["foo"]);
    let decision = decide11(
        &offers,
        &[
            ("Connection", "keep-alive"),
            ("Upgrade", "foo"),
            ("Connection", "Upgrade"),
        ],
    );
    assert_eq!(switched_to(&decision).as_deref(), Some("foo"));
}

#[test]
fn protocol_on_a_second_upgrade_line_is_not_lost() {
    let offers = offers(&["websocket"]);
    let decision = decide11(
        &offers,
        &[
            ("Upgrade", "foo/1"),
            ("Connection", "upgrade"),
            ("Upgrade", "websocket"),
            ("Sec-WebSocket-Key", WEBSOCKET_KEY),
            ("Sec-WebSocket-Version", "13"),
        ],
    );
    assert_eq!(switched_to(&decision).as_deref(), Some("websocket"));
    assert_eq!(
        decision.websocket_accept().unwrap().as_str(),
        WEBSOCKET_ACCEPT
    );
}

// Treating the whole value as one token.

#[test]
fn upgrade_list_is_split_on_commas() {
    let offers = offers(&["h2c"]);
    let decision = decide11(
        &offers,
        &[
            ("Upgrade", "websocket, h2c"),
            ("Connection", "upgrade, HTTP2-Settings"),
            ("HTTP2-Settings", HTTP2_SETTINGS),
        ],
    );
    assert_eq!(switched_to(&decision).as_deref(), Some("h2c"));
}

#[test]
fn connection_list_is_split_on_commas() {
    let offers = offers(&["foo"]);
    let decision = decide11(
        &offers,
        &[("Upgrade", "foo"), ("Connection", "keep-alive, Upgrade")],
    );
    assert_eq!(switched_to(&decision).as_deref(), Some("foo"));
}

// Splitting on spaces, or stopping at the first empty element or `/`.

#[test]
fn space_separated_connection_options_are_malformed() {
    let offers = offers(&["foo"]);
    let decision = decide11(
        &offers,
        &[("Upgrade", "foo"), ("Connection", "foo upgrade")],
    );
    assert_eq!(decision.outcome(), Outcome::Reject);
    assert_eq!(decision.reason(), Reason::ConnectionMalformed);
    let error = decision.error().unwrap();
    assert_eq!((error.kind(), error.offset()), (ErrorKind::CommaMissing, 4));
}

#[test]
fn space_separated_protocols_are_malformed() {
    let offers = offers(&["foo"]);
    let decision = decide11(
        &offers,
        &[("Upgrade", "bar foo"), ("Connection", "upgrade")],
    );
    assert_eq!(decision.reason(), Reason::UpgradeMalformed);
}

#[test]
fn leading_empty_element_does_not_end_the_list() {
    let offers = offers(&["websocket"]);
    let decision = decide11(
        &offers,
        &[
            ("Upgrade", ", websocket"),
            ("Connection", ", upgrade"),
            ("Sec-WebSocket-Key", WEBSOCKET_KEY),
            ("Sec-WebSocket-Version", "13"),
        ],
    );
    assert_eq!(switched_to(&decision).as_deref(), Some("websocket"));
}

#[test]
fn versioned_protocol_is_not_the_bare_name() {
    let websocket_headers = [
        ("Upgrade", "websocket/13"),
        ("Connection", "upgrade"),
        ("Sec-WebSocket-Key", WEBSOCKET_KEY),
        ("Sec-WebSocket-Version", "13"),
    ];
    // `websocket/13` is not `websocket`: a parser that stops at `/` would switch here.
    let bare = offers(&["websocket"]);
    let decision = decide11(&bare, &websocket_headers);
    assert_eq!(decision.reason(), Reason::NoCommonProtocol);
    // Offered with its version, it is a websocket handshake like any other.
    let offered = offers(&["websocket/13"]);
    let decision = decide11(&offered, &websocket_headers);
    assert_eq!(switched_to(&decision).as_deref(), Some("websocket/13"));
    assert_eq!(
        decision.websocket_accept().unwrap().as_str(),
        WEBSOCKET_ACCEPT
    );
    // Versions compare exactly.
    let upper = offers(&["foo/A"]);
    let decision = decide11(&upper, &[("Upgrade", "foo/a"), ("Connection", "upgrade")]);
    assert_eq!(decision.reason(), Reason::NoCommonProtocol);
}

// Case-sensitive comparison; Unicode case folding where ASCII is meant.

#[test]
fn names_options_and_field_names_compare_ignoring_ascii_case() {
    let offers = offers(&["WebSocket"]);
    let decision = decide11(
        &offers,
        &[
            ("UPGRADE", "WEBSOCKET"),
            ("connection", "UPGRADE"),
            ("sec-websocket-key", WEBSOCKET_KEY),
            ("SEC-WEBSOCKET-VERSION", "13"),
        ],
    );
    // The 101 names the protocol as the server spelled it.
    assert_eq!(switched_to(&decision).as_deref(), Some("WebSocket"));
}

#[test]
fn kelvin_sign_is_never_folded_to_k() {
    // U+212A KELVIN SIGN lowercases to `k` under Unicode rules; HTTP compares ASCII only.
    let kafka = offers(&["kafka"]);
    let decision = decide11(
        &kafka,
        &[("Upgrade", "\u{212A}afka"), ("Connection", "upgrade")],
    );
    assert_eq!(decision.reason(), Reason::UpgradeMalformed);

    let websocket = offers(&["websocket"]);
    let decision = decide11(
        &websocket,
        &[
            ("Upgrade", "websocket"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-\u{212A}ey", WEBSOCKET_KEY),
            ("Sec-WebSocket-Version", "13"),
        ],
    );
    assert_eq!(decision.reason(), Reason::WebSocketKeyMissing);

    let hop = hop_by_hop(&[("Connection", "x-kelvin")], &Policy::default()).unwrap();
    assert!(!hop.is_hop_by_hop("x-\u{212A}elvin"));
}

// Honouring Upgrade in HTTP/1.0, without the upgrade option, or via Proxy-Connection.

#[test]
fn http10_upgrade_is_ignored() {
    let offers = offers(&["foo"]);
    let decision = decide(
        &offers,
        HttpVersion::Http10,
        &[("Upgrade", "foo"), ("Connection", "upgrade")],
    );
    assert_eq!(decision.outcome(), Outcome::Continue);
    assert_eq!(decision.reason(), Reason::Http10Ignored);
}

#[test]
fn upgrade_without_the_connection_option_is_ignored() {
    let offers = offers(&["foo"]);
    let decision = decide11(&offers, &[("Upgrade", "foo")]);
    assert_eq!(decision.outcome(), Outcome::Continue);
    assert_eq!(decision.reason(), Reason::ConnectionMissingUpgrade);
}

#[test]
fn proxy_connection_upgrade_is_not_honoured() {
    let offers = offers(&["foo"]);
    let decision = decide11(
        &offers,
        &[("Upgrade", "foo"), ("Proxy-Connection", "upgrade")],
    );
    assert_eq!(decision.outcome(), Outcome::Continue);
    assert_eq!(decision.reason(), Reason::ConnectionMissingUpgrade);
}

// h2c accepted without Connection: upgrade; h2c forwarded by proxies.

#[test]
fn h2c_without_connection_upgrade_is_refused() {
    let offers = offers(&["h2c"]);
    let decision = decide11(
        &offers,
        &[
            ("Upgrade", "h2c"),
            ("Connection", "HTTP2-Settings"),
            ("HTTP2-Settings", HTTP2_SETTINGS),
        ],
    );
    assert_ne!(decision.outcome(), Outcome::Switch);
    assert_eq!(decision.reason(), Reason::ConnectionMissingUpgrade);
}

#[test]
fn h2c_without_http2_settings_in_connection_is_refused() {
    let offers = offers(&["h2c"]);
    let decision = decide11(
        &offers,
        &[
            ("Upgrade", "h2c"),
            ("Connection", "upgrade"),
            ("HTTP2-Settings", HTTP2_SETTINGS),
        ],
    );
    assert_eq!(decision.outcome(), Outcome::Reject);
    assert_eq!(decision.reason(), Reason::H2cSettingsNotInConnection);
}

#[test]
fn proxy_drops_the_fields_of_an_h2c_upgrade() {
    let headers = [
        ("Host", "backend"),
        ("Connection", "Upgrade, HTTP2-Settings"),
        ("Upgrade", "h2c"),
        ("HTTP2-Settings", HTTP2_SETTINGS),
        ("Keep-Alive", "timeout=5"),
        ("Proxy-Connection", "keep-alive"),
        ("TE", "trailers"),
        ("Transfer-Encoding", "chunked"),
    ];
    let hop = hop_by_hop(&headers, &Policy::default()).unwrap();
    let forwarded: Vec<&str> = headers
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !hop.is_hop_by_hop(name))
        .collect();
    assert_eq!(forwarded, ["Host"]);
}

#[test]
fn proxy_drops_fields_named_by_connection_even_without_h2c() {
    // Without `Connection: HTTP2-Settings`, HTTP2-Settings is still never forwarded.
    let headers = [
        ("Upgrade", "h2c"),
        ("HTTP2-Settings", HTTP2_SETTINGS),
        ("Connection", "x-a"),
        ("connection", "X-B"),
        ("X-A", "1"),
        ("x-b", "2"),
        ("X-C", "3"),
    ];
    let hop = hop_by_hop(&headers, &Policy::default()).unwrap();
    let forwarded: Vec<&str> = headers
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !hop.is_hop_by_hop(name))
        .collect();
    assert_eq!(forwarded, ["X-C"]);
}

#[test]
fn proxy_is_told_when_connection_cannot_be_trusted() {
    let error = hop_by_hop(&[("Connection", "x-a x-b")], &Policy::default()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::CommaMissing);
}

// Switching a request that is not valid HTTP/1.1: no Host, or two (RFC 9112 section 3.2).

#[test]
fn upgrade_without_host_is_rejected_and_not_switched() {
    let offers = offers(&["websocket"]);
    let headers = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Key", WEBSOCKET_KEY),
        ("Sec-WebSocket-Version", "13"),
    ];
    let decision = negotiate(
        RequestHead::new("GET", HttpVersion::Http11, &headers),
        &offers,
        &Policy::default(),
    );
    assert_eq!(
        (decision.outcome(), decision.status(), decision.reason()),
        (Outcome::Reject, Some(400), Reason::HostMissing)
    );
    let response = [
        ("Upgrade", "websocket"),
        ("Connection", "Upgrade"),
        ("Sec-WebSocket-Accept", WEBSOCKET_ACCEPT),
    ];
    let check = check_response(
        RequestHead::new("GET", HttpVersion::Http11, &headers),
        ResponseHead::new(101, HttpVersion::Http11, &response),
        &Policy::default(),
    );
    assert_eq!(check.reason(), ClientReason::RequestHostInvalid);
}

#[test]
fn upgrade_with_two_host_lines_is_rejected() {
    let offers = offers(&["foo"]);
    for second in ["example.com", "other.example"] {
        let decision = decide11(
            &offers,
            &[
                ("Host", "example.com"),
                ("Upgrade", "foo"),
                ("host", second),
                ("Connection", "upgrade"),
            ],
        );
        assert_eq!(decision.reason(), Reason::HostRepeated, "{second}");
    }
}

// Switching before the request body is read; ignoring Expect: 100-continue.

#[test]
fn request_body_is_framed_for_the_caller_to_read_before_switching() {
    let bytes = b"POST /upload HTTP/1.1\r\nHost: a\r\nUpgrade: foo\r\nConnection: upgrade\r\n\
        Content-Length: 5\r\n\r\nhellonew-protocol-bytes";
    let mut headers = [httparse::EMPTY_HEADER; 8];
    let parsed = parse_request(bytes, &mut headers)
        .unwrap()
        .complete()
        .unwrap();
    let offers = offers(&["foo"]);
    let decision = negotiate(parsed, &offers, &Policy::default());
    assert_eq!(decision.outcome(), Outcome::Switch);
    let Some(BodyFraming::ContentLength(length)) = decision.request_body() else {
        panic!("{:?}", decision.request_body());
    };
    let body_end = parsed.head_len() + usize::try_from(length).unwrap();
    assert_eq!(&bytes[parsed.head_len()..body_end], b"hello");
    assert_eq!(&bytes[body_end..], b"new-protocol-bytes");

    let chunked = decide11(
        &offers,
        &[
            ("Upgrade", "foo"),
            ("Connection", "upgrade"),
            ("Transfer-Encoding", "chunked"),
        ],
    );
    assert_eq!(chunked.request_body(), Some(BodyFraming::Chunked));
}

#[test]
fn expect_100_continue_is_reported() {
    let offers = offers(&["foo"]);
    let decision = decide11(
        &offers,
        &[
            ("Upgrade", "foo"),
            ("Connection", "upgrade"),
            ("Content-Length", "10"),
            ("Expect", "100-Continue"),
        ],
    );
    assert_eq!(decision.outcome(), Outcome::Switch);
    assert!(decision.interim_continue());
}

#[test]
fn smuggling_shaped_framing_is_rejected_before_switching() {
    let offers = offers(&["foo"]);
    let decision = decide11(
        &offers,
        &[
            ("Upgrade", "foo"),
            ("Connection", "upgrade"),
            ("Content-Length", "0"),
            ("Transfer-Encoding", "chunked"),
        ],
    );
    assert_eq!(decision.outcome(), Outcome::Reject);
    assert_eq!(decision.reason(), Reason::ContentLengthWithTransferEncoding);
}

// Clients accepting a 101 with a protocol they never offered, or without Upgrade; switching on
// intent before the 101.

const CLIENT_REQUEST: &[(&str, &str)] = &[
    ("Host", "example.com"),
    ("Upgrade", "websocket"),
    ("Connection", "upgrade"),
    ("Sec-WebSocket-Key", WEBSOCKET_KEY),
    ("Sec-WebSocket-Version", "13"),
];

fn client_check(status: u16, headers: &[(&str, &str)]) -> (bool, bool, ClientReason) {
    let request = RequestHead::new("GET", HttpVersion::Http11, CLIENT_REQUEST);
    let check = check_response(
        request,
        ResponseHead::new(status, HttpVersion::Http11, headers),
        &Policy::default(),
    );
    (check.valid(), check.switched(), check.reason())
}

#[test]
fn client_rejects_101_for_a_protocol_never_offered() {
    assert_eq!(
        client_check(
            101,
            &[
                ("Upgrade", "h2c"),
                ("Connection", "upgrade"),
                ("Sec-WebSocket-Accept", WEBSOCKET_ACCEPT)
            ]
        ),
        (false, false, ClientReason::ProtocolNotOffered)
    );
    assert_eq!(
        client_check(
            101,
            &[
                ("Upgrade", "websockets"),
                ("Connection", "upgrade"),
                ("Sec-WebSocket-Accept", WEBSOCKET_ACCEPT)
            ]
        ),
        (false, false, ClientReason::ProtocolNotOffered)
    );
}

#[test]
fn client_rejects_101_without_upgrade() {
    assert_eq!(
        client_check(
            101,
            &[
                ("Connection", "upgrade"),
                ("Sec-WebSocket-Accept", WEBSOCKET_ACCEPT)
            ]
        ),
        (false, false, ClientReason::UpgradeMissing)
    );
}

#[test]
fn client_does_not_switch_on_an_advertisement() {
    assert_eq!(
        client_check(200, &[("Upgrade", "websocket"), ("Connection", "upgrade")]),
        (true, false, ClientReason::UpgradeAdvertised)
    );
}
