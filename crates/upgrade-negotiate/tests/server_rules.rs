//! The server side, rule by rule: one row per case, each asserting the outcome, the status, the
//! reason, the protocol, what must happen before the switch, and the exact response head. Every
//! row runs twice: from name / value pairs, and from raw bytes through httparse.

// Test helpers unwrap and index what the rows give them; a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeSet;

use upgrade_grammar::{Config, Protocol};
use upgrade_negotiate::{
    BodyFraming, Decision, HttpVersion, Outcome, Policy, Preference, Reason, RequestHead, Status,
    negotiate, parse_request,
};
use upgrade_testkit::handshakes::{
    HTTP2_SETTINGS, SWITCH_H2C, SWITCH_WEBSOCKET, WEBSOCKET_KEY, with_host,
};
// The head as text, checked against the head written as bytes.
use upgrade_testkit::requests::checks::response_head;

const OFFERS: &[&str] = &["websocket", "h2c", "foo/2"];

const SWITCH_FOO: &str =
    "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: foo/2\r\n\r\n";
const REQUIRED: &str = "HTTP/1.1 426 Upgrade Required\r\n\
    Connection: upgrade\r\n\
    Upgrade: websocket, h2c, foo/2\r\n\
    Content-Length: 0\r\n\
    \r\n";
const REQUIRED_VERSION: &str = "HTTP/1.1 426 Upgrade Required\r\n\
    Connection: upgrade\r\n\
    Upgrade: websocket\r\n\
    Sec-WebSocket-Version: 13\r\n\
    Content-Length: 0\r\n\
    \r\n";
const REJECT: &str = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
const NOTHING: &str = "";

const WEBSOCKET: &[(&str, &str)] = &[
    ("Host", "server.example.com"),
    ("Upgrade", "websocket"),
    ("Connection", "Upgrade"),
    ("Sec-WebSocket-Key", WEBSOCKET_KEY),
    ("Origin", "http://example.com"),
    ("Sec-WebSocket-Version", "13"),
];

const WEBSOCKET_WITHOUT_HOST: [(&str, &str); 5] = [
    ("Upgrade", "websocket"),
    ("Connection", "Upgrade"),
    ("Sec-WebSocket-Key", WEBSOCKET_KEY),
    ("Origin", "http://example.com"),
    ("Sec-WebSocket-Version", "13"),
];

const H2C: &[(&str, &str)] = &[
    ("Host", "server.example.com"),
    ("Connection", "Upgrade, HTTP2-Settings"),
    ("Upgrade", "h2c"),
    ("HTTP2-Settings", HTTP2_SETTINGS),
];

const REQUIRE: Policy = Policy::new().with_require_upgrade(true);

#[derive(Clone, Copy)]
struct Row {
    name: &'static str,
    method: &'static str,
    version: HttpVersion,
    headers: &'static [(&'static str, &'static str)],
    offers: &'static [&'static str],
    policy: Policy,
    outcome: Outcome,
    reason: Reason,
    protocol: Option<&'static str>,
    body: Option<BodyFraming>,
    interim_continue: bool,
    response: &'static str,
    /// Whether the request gets `Host: example.com` first when its headers have no `Host`:
    /// true for every row but the ones about the `Host` rule itself.
    host: bool,
}

const GET: Row = Row {
    host: true,
    name: "",
    method: "GET",
    version: HttpVersion::Http11,
    headers: &[],
    offers: OFFERS,
    policy: Policy::new(),
    outcome: Outcome::Continue,
    reason: Reason::NoUpgradeField,
    protocol: None,
    body: Some(BodyFraming::None),
    interim_continue: false,
    response: NOTHING,
};

const ROWS: &[Row] = &[
    Row {
        name: "an HTTP/1.1 upgrade without Host",
        headers: &WEBSOCKET_WITHOUT_HOST,
        outcome: Outcome::Reject,
        reason: Reason::HostMissing,
        body: None,
        response: REJECT,
        host: false,
        ..GET
    },
    Row {
        name: "an HTTP/1.1 request with two Host lines",
        headers: &[
            ("Host", "a.example"),
            ("Host", "b.example"),
            ("Upgrade", "foo/2"),
            ("Connection", "upgrade"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::HostRepeated,
        body: None,
        response: REJECT,
        host: false,
        ..GET
    },
    Row {
        name: "an HTTP/1.0 request with two Host lines",
        version: HttpVersion::Http10,
        headers: &[("Host", "a.example"), ("host", "a.example")],
        outcome: Outcome::Reject,
        reason: Reason::HostRepeated,
        body: None,
        response: REJECT,
        host: false,
        ..GET
    },
    Row {
        name: "a Host that is not uri-host and port",
        headers: &[
            ("Host", "example.com:80:80"),
            ("Upgrade", "foo/2"),
            ("Connection", "upgrade"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::HostInvalid,
        body: None,
        response: REJECT,
        host: false,
        ..GET
    },
    Row {
        name: "an HTTP/1.0 upgrade without Host is valid and ignored",
        version: HttpVersion::Http10,
        headers: &WEBSOCKET_WITHOUT_HOST,
        reason: Reason::Http10Ignored,
        host: false,
        ..GET
    },
    Row {
        name: "an IPv6 literal with a port is a valid Host",
        headers: &[
            ("Host", "[::1]:8080"),
            ("Upgrade", "foo/2"),
            ("Connection", "upgrade"),
        ],
        outcome: Outcome::Switch,
        reason: Reason::Switched,
        protocol: Some("foo/2"),
        response: SWITCH_FOO,
        host: false,
        ..GET
    },
    // Rule 1.
    Row {
        name: "method with a space is malformed",
        method: "GE T",
        headers: WEBSOCKET,
        outcome: Outcome::Reject,
        reason: Reason::RequestMalformed,
        body: None,
        response: REJECT,
        ..GET
    },
    Row {
        name: "empty method is malformed",
        method: "",
        outcome: Outcome::Reject,
        reason: Reason::RequestMalformed,
        body: None,
        response: REJECT,
        ..GET
    },
    // Rule 2.
    Row {
        name: "http2 request with upgrade",
        version: HttpVersion::Http2OrLater,
        headers: &[("upgrade", "h2c")],
        outcome: Outcome::Reject,
        reason: Reason::Http2UpgradeForbidden,
        body: None,
        response: REJECT,
        ..GET
    },
    Row {
        name: "http2 request with connection only",
        version: HttpVersion::Http2OrLater,
        headers: &[("connection", "keep-alive")],
        outcome: Outcome::Reject,
        reason: Reason::Http2UpgradeForbidden,
        body: None,
        response: REJECT,
        ..GET
    },
    Row {
        name: "http2 request without either carries on, even when an upgrade is required",
        version: HttpVersion::Http2OrLater,
        headers: &[("expect", "100-continue")],
        policy: REQUIRE,
        interim_continue: true,
        ..GET
    },
    // Rule 3.
    Row {
        name: "no upgrade field",
        headers: &[("Host", "a"), ("Connection", "upgrade")],
        ..GET
    },
    Row {
        name: "no upgrade field when an upgrade is required",
        headers: &[("Host", "a"), ("Content-Length", "3")],
        policy: REQUIRE,
        outcome: Outcome::Required,
        body: Some(BodyFraming::ContentLength(3)),
        response: REQUIRED,
        ..GET
    },
    Row {
        name: "no upgrade field when an upgrade is required but nothing is offered",
        offers: &[],
        policy: REQUIRE,
        ..GET
    },
    // Rule 4.
    Row {
        name: "http10 upgrade is ignored",
        version: HttpVersion::Http10,
        headers: &[
            ("Upgrade", "foo/2"),
            ("Connection", "upgrade"),
            ("Expect", "100-continue"),
        ],
        reason: Reason::Http10Ignored,
        ..GET
    },
    Row {
        name: "http10 upgrade is ignored, so a required upgrade is missing",
        version: HttpVersion::Http10,
        headers: &[("Upgrade", "foo/2"), ("Connection", "upgrade")],
        policy: REQUIRE,
        outcome: Outcome::Required,
        reason: Reason::Http10Ignored,
        response: REQUIRED,
        ..GET
    },
    // Rule 5.
    Row {
        name: "connect is never upgraded",
        method: "CONNECT",
        headers: &[("Upgrade", "foo/2"), ("Connection", "upgrade")],
        policy: REQUIRE,
        reason: Reason::ConnectIgnored,
        ..GET
    },
    Row {
        name: "methods are case-sensitive: connect is not CONNECT",
        method: "connect",
        headers: &[("Upgrade", "foo/2"), ("Connection", "upgrade")],
        outcome: Outcome::Switch,
        reason: Reason::Switched,
        protocol: Some("foo/2"),
        response: SWITCH_FOO,
        ..GET
    },
    // Rule 6.
    Row {
        name: "content-length with transfer-encoding",
        method: "POST",
        headers: &[
            ("Upgrade", "foo/2"),
            ("Connection", "upgrade"),
            ("Content-Length", "5"),
            ("Transfer-Encoding", "chunked"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::ContentLengthWithTransferEncoding,
        body: None,
        response: REJECT,
        ..GET
    },
    Row {
        name: "conflicting content-length lines",
        method: "POST",
        headers: &[
            ("Upgrade", "foo/2"),
            ("Connection", "upgrade"),
            ("Content-Length", "5"),
            ("Content-Length", "6"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::ContentLengthInvalid,
        body: None,
        response: REJECT,
        ..GET
    },
    Row {
        name: "content-length that is not a number",
        method: "POST",
        headers: &[
            ("Upgrade", "foo/2"),
            ("Connection", "upgrade"),
            ("Content-Length", "5x"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::ContentLengthInvalid,
        body: None,
        response: REJECT,
        ..GET
    },
    Row {
        name: "transfer-encoding that is not a list",
        method: "POST",
        headers: &[
            ("Upgrade", "foo/2"),
            ("Connection", "upgrade"),
            ("Transfer-Encoding", "gzip chunked"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::TransferEncodingMalformed,
        body: None,
        response: REJECT,
        ..GET
    },
    Row {
        name: "transfer-encoding not ending in chunked",
        method: "POST",
        headers: &[
            ("Upgrade", "foo/2"),
            ("Connection", "upgrade"),
            ("Transfer-Encoding", "chunked, gzip"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::TransferEncodingNotChunked,
        body: None,
        response: REJECT,
        ..GET
    },
    // Rule 7.
    Row {
        name: "connection options separated by a space",
        headers: &[("Upgrade", "foo/2"), ("Connection", "keep-alive upgrade")],
        outcome: Outcome::Reject,
        reason: Reason::ConnectionMalformed,
        response: REJECT,
        ..GET
    },
    Row {
        name: "no connection field",
        headers: &[("Upgrade", "foo/2")],
        reason: Reason::ConnectionMissingUpgrade,
        ..GET
    },
    Row {
        name: "connection without upgrade, when an upgrade is required",
        headers: &[("Upgrade", "foo/2"), ("Connection", "keep-alive")],
        policy: REQUIRE,
        outcome: Outcome::Required,
        reason: Reason::ConnectionMissingUpgrade,
        response: REQUIRED,
        ..GET
    },
    // Rule 8.
    Row {
        name: "upgrade with a parameter",
        headers: &[("Upgrade", "websocket;q=1"), ("Connection", "upgrade")],
        outcome: Outcome::Reject,
        reason: Reason::UpgradeMalformed,
        response: REJECT,
        ..GET
    },
    Row {
        name: "upgrade over the element bound",
        headers: &[("Upgrade", "a, b, foo/2"), ("Connection", "upgrade")],
        policy: Policy::new().with_config(Config::RECIPIENT.with_max_elements(2)),
        outcome: Outcome::Reject,
        reason: Reason::UpgradeMalformed,
        response: REJECT,
        ..GET
    },
    Row {
        name: "empty elements are a sender error under the sender grammar",
        headers: &[("Upgrade", "foo/2,"), ("Connection", "upgrade")],
        policy: Policy::new().with_config(Config::SENDER),
        outcome: Outcome::Reject,
        reason: Reason::UpgradeMalformed,
        response: REJECT,
        ..GET
    },
    Row {
        name: "empty upgrade list",
        headers: &[("Upgrade", " , ,"), ("Connection", "upgrade")],
        reason: Reason::UpgradeEmpty,
        ..GET
    },
    Row {
        name: "empty upgrade list when an upgrade is required",
        headers: &[("Upgrade", ""), ("Connection", "upgrade")],
        policy: REQUIRE,
        outcome: Outcome::Required,
        reason: Reason::UpgradeEmpty,
        response: REQUIRED,
        ..GET
    },
    // Rules 9 and 10.
    Row {
        name: "the websocket handshake of RFC 6455 section 1.3",
        headers: WEBSOCKET,
        outcome: Outcome::Switch,
        reason: Reason::Switched,
        protocol: Some("websocket"),
        response: SWITCH_WEBSOCKET,
        ..GET
    },
    Row {
        name: "an h2c upgrade",
        headers: H2C,
        outcome: Outcome::Switch,
        reason: Reason::Switched,
        protocol: Some("h2c"),
        response: SWITCH_H2C,
        ..GET
    },
    Row {
        name: "a generic protocol, with a body to read and 100-continue to send first",
        method: "POST",
        headers: &[
            ("Upgrade", "FOO/2"),
            ("Connection", "upgrade"),
            ("Content-Length", "5"),
            ("Expect", "100-continue"),
        ],
        outcome: Outcome::Switch,
        reason: Reason::Switched,
        protocol: Some("foo/2"),
        body: Some(BodyFraming::ContentLength(5)),
        interim_continue: true,
        response: SWITCH_FOO,
        ..GET
    },
    Row {
        name: "a chunked body to read before switching",
        method: "POST",
        headers: &[
            ("Upgrade", "foo/2"),
            ("Connection", "upgrade"),
            ("Transfer-Encoding", "chunked"),
        ],
        outcome: Outcome::Switch,
        reason: Reason::Switched,
        protocol: Some("foo/2"),
        body: Some(BodyFraming::Chunked),
        response: SWITCH_FOO,
        ..GET
    },
    Row {
        name: "the client's order wins by default",
        headers: &[
            ("Upgrade", "foo/2, h2c"),
            ("Connection", "upgrade, HTTP2-Settings"),
            ("HTTP2-Settings", ""),
        ],
        outcome: Outcome::Switch,
        reason: Reason::Switched,
        protocol: Some("foo/2"),
        response: SWITCH_FOO,
        ..GET
    },
    Row {
        name: "the server's order wins under server preference",
        headers: &[
            ("Upgrade", "foo/2, h2c"),
            ("Connection", "upgrade, HTTP2-Settings"),
            ("HTTP2-Settings", ""),
        ],
        policy: Policy::new().with_preference(Preference::Server),
        outcome: Outcome::Switch,
        reason: Reason::Switched,
        protocol: Some("h2c"),
        response: SWITCH_H2C,
        ..GET
    },
    Row {
        name: "the 101 spells the protocol as the server offered it",
        headers: &[("Upgrade", "IRC/6.9"), ("Connection", "upgrade")],
        offers: &["irc/6.9"],
        outcome: Outcome::Switch,
        reason: Reason::Switched,
        protocol: Some("irc/6.9"),
        response: "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: irc/6.9\r\n\r\n",
        ..GET
    },
    Row {
        name: "a failing profile is skipped for the next candidate",
        headers: &[
            ("Upgrade", "websocket, foo/2"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Version", "13"),
        ],
        outcome: Outcome::Switch,
        reason: Reason::Switched,
        protocol: Some("foo/2"),
        response: SWITCH_FOO,
        ..GET
    },
    // Rule 11.
    Row {
        name: "no common protocol",
        headers: &[("Upgrade", "bar, foo/1, foo"), ("Connection", "upgrade")],
        reason: Reason::NoCommonProtocol,
        ..GET
    },
    Row {
        name: "no common protocol when an upgrade is required",
        headers: &[("Upgrade", "bar"), ("Connection", "upgrade")],
        policy: REQUIRE,
        outcome: Outcome::Required,
        reason: Reason::NoCommonProtocol,
        response: REQUIRED,
        ..GET
    },
    Row {
        name: "websocket with POST",
        method: "POST",
        headers: WEBSOCKET,
        outcome: Outcome::Reject,
        reason: Reason::WebSocketMethodNotGet,
        protocol: Some("websocket"),
        response: REJECT,
        ..GET
    },
    Row {
        name: "websocket without a version",
        headers: &[
            ("Upgrade", "websocket"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Key", WEBSOCKET_KEY),
        ],
        outcome: Outcome::Reject,
        reason: Reason::WebSocketVersionMissing,
        protocol: Some("websocket"),
        response: REJECT,
        ..GET
    },
    Row {
        name: "websocket version 8",
        headers: &[
            ("Upgrade", "websocket"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Key", WEBSOCKET_KEY),
            ("Sec-WebSocket-Version", "8"),
        ],
        outcome: Outcome::Required,
        reason: Reason::WebSocketVersionUnsupported,
        protocol: Some("websocket"),
        response: REQUIRED_VERSION,
        ..GET
    },
    Row {
        name: "websocket versions on two lines",
        headers: &[
            ("Upgrade", "websocket"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Key", WEBSOCKET_KEY),
            ("Sec-WebSocket-Version", "13"),
            ("Sec-WebSocket-Version", "8"),
        ],
        outcome: Outcome::Required,
        reason: Reason::WebSocketVersionUnsupported,
        protocol: Some("websocket"),
        response: REQUIRED_VERSION,
        ..GET
    },
    Row {
        name: "websocket without a key",
        headers: &[
            ("Upgrade", "websocket"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Version", "13"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::WebSocketKeyMissing,
        protocol: Some("websocket"),
        response: REJECT,
        ..GET
    },
    Row {
        name: "websocket with two keys",
        headers: &[
            ("Upgrade", "websocket"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Key", WEBSOCKET_KEY),
            ("Sec-WebSocket-Key", WEBSOCKET_KEY),
            ("Sec-WebSocket-Version", "13"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::WebSocketKeyRepeated,
        protocol: Some("websocket"),
        response: REJECT,
        ..GET
    },
    Row {
        name: "websocket key of 15 bytes",
        headers: &[
            ("Upgrade", "websocket"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25j"),
            ("Sec-WebSocket-Version", "13"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::WebSocketKeyInvalid,
        protocol: Some("websocket"),
        response: REJECT,
        ..GET
    },
    Row {
        name: "h2c without settings",
        headers: &[
            ("Upgrade", "h2c"),
            ("Connection", "Upgrade, HTTP2-Settings"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::H2cSettingsMissing,
        protocol: Some("h2c"),
        response: REJECT,
        ..GET
    },
    Row {
        name: "h2c with two settings lines",
        headers: &[
            ("Upgrade", "h2c"),
            ("Connection", "Upgrade, HTTP2-Settings"),
            ("HTTP2-Settings", HTTP2_SETTINGS),
            ("HTTP2-Settings", HTTP2_SETTINGS),
        ],
        outcome: Outcome::Reject,
        reason: Reason::H2cSettingsRepeated,
        protocol: Some("h2c"),
        response: REJECT,
        ..GET
    },
    Row {
        name: "h2c settings in the standard base64 alphabet",
        headers: &[
            ("Upgrade", "h2c"),
            ("Connection", "Upgrade, HTTP2-Settings"),
            ("HTTP2-Settings", "AAMAAABkAAQAAP//"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::H2cSettingsInvalid,
        protocol: Some("h2c"),
        response: REJECT,
        ..GET
    },
    Row {
        name: "h2c without HTTP2-Settings in connection",
        headers: &[
            ("Upgrade", "h2c"),
            ("Connection", "Upgrade"),
            ("HTTP2-Settings", HTTP2_SETTINGS),
        ],
        outcome: Outcome::Reject,
        reason: Reason::H2cSettingsNotInConnection,
        protocol: Some("h2c"),
        response: REJECT,
        ..GET
    },
    Row {
        name: "the first profile failure is the verdict",
        headers: &[
            ("Upgrade", "h2c, websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Version", "7"),
        ],
        outcome: Outcome::Reject,
        reason: Reason::H2cSettingsMissing,
        protocol: Some("h2c"),
        response: REJECT,
        ..GET
    },
];

/// The row's field lines, after `Host: example.com` unless the row is about `Host`.
fn lines(row: &Row) -> Vec<(&'static str, &'static str)> {
    if row.host {
        with_host(row.headers)
    } else {
        row.headers.to_vec()
    }
}

fn offers(row: &Row) -> Vec<Protocol<'static>> {
    row.offers
        .iter()
        .map(|o| Protocol::parse(o.as_bytes()).unwrap())
        .collect()
}

fn check(row: &Row, decision: &Decision<'_>, via: &str) {
    let name = format!("{} ({via})", row.name);
    assert_eq!(decision.outcome(), row.outcome, "{name}");
    let status = match row.outcome {
        Outcome::Switch => Some(101),
        Outcome::Continue => None,
        Outcome::Required => Some(426),
        Outcome::Reject => Some(400),
    };
    assert_eq!(decision.status(), status, "{name}");
    assert_eq!(decision.reason(), row.reason, "{name}");
    assert_eq!(
        decision.protocol().map(|p| p.to_string()).as_deref(),
        row.protocol,
        "{name}"
    );
    if let Some(index) = decision.protocol_index() {
        assert_eq!(Some(row.offers[index]), row.protocol, "{name}");
    }
    assert_eq!(decision.request_body(), row.body, "{name}");
    assert_eq!(decision.interim_continue(), row.interim_continue, "{name}");
    assert_eq!(response_head(decision), row.response, "{name}");
    assert_eq!(
        decision.websocket_accept().is_some(),
        row.outcome == Outcome::Switch && row.protocol == Some("websocket"),
        "{name}"
    );
}

#[test]
fn every_row_decides_as_expected_from_name_value_pairs() {
    for row in ROWS {
        let offers = offers(row);
        let headers = lines(row);
        let request = RequestHead::new(row.method, row.version, headers.as_slice());
        check(row, &negotiate(request, &offers, &row.policy), "pairs");
    }
}

#[test]
fn every_http1_row_decides_the_same_from_raw_bytes() {
    for row in ROWS {
        let minor = match row.version {
            HttpVersion::Http10 => 0,
            HttpVersion::Http11 => 1,
            HttpVersion::Http2OrLater => continue,
        };
        let mut bytes = format!("{} /chat HTTP/1.{minor}\r\n", row.method);
        for (name, value) in lines(row) {
            bytes.push_str(&format!("{name}: {value}\r\n"));
        }
        bytes.push_str("\r\n");
        let offers = offers(row);
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let decision = match parse_request(bytes.as_bytes(), &mut headers) {
            Ok(Status::Complete(parsed)) => {
                assert_eq!(parsed.head_len(), bytes.len(), "{}", row.name);
                negotiate(parsed, &offers, &row.policy)
            }
            Ok(Status::Partial) => panic!("{}: a partial head", row.name),
            Err(e) => Decision::from(e),
        };
        check(row, &decision, "httparse");
    }
}

#[test]
fn every_server_reason_has_a_row() {
    let mut covered: BTreeSet<&str> = ROWS.iter().map(|row| row.reason.code()).collect();
    // A request line's version cannot be given as pairs: its own test reads raw bytes.
    covered.insert(Reason::VersionUnsupported.code());
    let all: BTreeSet<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(
        all.difference(&covered).collect::<Vec<_>>(),
        Vec::<&&str>::new()
    );
}

fn decide_raw(bytes: &[u8], offers: &[Protocol<'_>]) -> (Reason, Option<u16>, String) {
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let decision = match parse_request(bytes, &mut headers) {
        Ok(Status::Complete(parsed)) => negotiate(parsed, offers, &Policy::default()),
        Ok(Status::Partial) => panic!("a partial head: {bytes:?}"),
        Err(e) => Decision::from(e),
    };
    (
        decision.reason(),
        decision.status(),
        response_head(&decision),
    )
}

#[test]
fn unparseable_heads_are_rejected_as_malformed() {
    for bytes in [
        &b"GET / HTTP/1.1\r\nUpgrade : websocket\r\n\r\n"[..],
        b"GET / HTTP/1.1 x\r\n\r\n",
        b"\x16\x03\x01\x00",
    ] {
        let (reason, status, head) = decide_raw(bytes, &[]);
        assert_eq!(
            (reason, status),
            (Reason::RequestMalformed, Some(400)),
            "{bytes:?}"
        );
        assert_eq!(head, REJECT);
    }
}

#[test]
fn a_partial_head_is_not_an_error_at_any_length() {
    let bytes = b"GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: foo/2\r\nConnection: upgrade\r\n\r\n";
    for len in 0..bytes.len() {
        let mut headers = [httparse::EMPTY_HEADER; 16];
        assert_eq!(
            parse_request(&bytes[..len], &mut headers).map(|s| s.is_partial()),
            Ok(true)
        );
    }
}

#[test]
fn a_major_version_other_than_1_gets_505() {
    for bytes in [
        &b"GET / HTTP/2.0\r\nHost: a\r\n\r\n"[..],
        b"GET / HTTP/3.0\r\n",
        b"GET / HTTP/0.9\r\n\r\n",
    ] {
        let (reason, status, head) = decide_raw(bytes, &[]);
        assert_eq!(
            (reason, status),
            (Reason::VersionUnsupported, Some(505)),
            "{bytes:?}"
        );
        assert_eq!(
            head,
            "HTTP/1.1 505 HTTP Version Not Supported\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        );
    }
}

#[test]
fn http_1_2_is_processed_as_http_1_1() {
    let offers = [Protocol::from_static("foo/2")];
    let upgrade = b"GET / HTTP/1.2\r\nHost: a\r\nUpgrade: foo/2\r\nConnection: upgrade\r\n\r\n";
    assert_eq!(
        decide_raw(upgrade, &offers),
        (Reason::Switched, Some(101), SWITCH_FOO.to_owned())
    );
    let no_host = b"GET / HTTP/1.2\r\nUpgrade: foo/2\r\nConnection: upgrade\r\n\r\n";
    assert_eq!(decide_raw(no_host, &offers).0, Reason::HostMissing);
}

#[test]
fn malformed_lists_report_where_the_fault_is() {
    let offers = [Protocol::parse(b"foo").unwrap()];
    let headers = [
        ("Upgrade", "foo"),
        ("Connection", "keep-alive"),
        ("Connection", "close upgrade"),
        ("Host", "a"),
    ];
    let decision = negotiate(
        RequestHead::new("GET", HttpVersion::Http11, &headers),
        &offers,
        &Policy::default(),
    );
    let error = decision.error().unwrap();
    assert_eq!((error.line(), error.offset()), (1, 6));

    let headers = [
        ("Upgrade", "foo, \"bar\""),
        ("Connection", "upgrade"),
        ("Host", "a"),
    ];
    let decision = negotiate(
        RequestHead::new("GET", HttpVersion::Http11, &headers),
        &offers,
        &Policy::default(),
    );
    assert_eq!(decision.reason(), Reason::UpgradeMalformed);
    let error = decision.error().unwrap();
    assert_eq!((error.line(), error.offset()), (0, 5));
}

#[test]
fn the_rfc_6455_example_key_gives_the_rfc_accept_value() {
    let offers = [Protocol::parse(b"websocket").unwrap()];
    let decision = negotiate(
        RequestHead::new("GET", HttpVersion::Http11, WEBSOCKET),
        &offers,
        &Policy::default(),
    );
    assert_eq!(
        decision.websocket_accept().map(|a| a.as_str()),
        Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")
    );
}

#[test]
fn fields_can_be_added_before_the_head_ends() {
    let offers = [Protocol::parse(b"websocket").unwrap()];
    let decision = negotiate(
        RequestHead::new("GET", HttpVersion::Http11, WEBSOCKET),
        &offers,
        &Policy::default(),
    );
    let mut out = String::new();
    decision.write_response_fields(&mut out).unwrap();
    out.push_str("Sec-WebSocket-Protocol: chat\r\n\r\n");
    assert_eq!(
        out,
        SWITCH_WEBSOCKET.replace("\r\n\r\n", "\r\nSec-WebSocket-Protocol: chat\r\n\r\n")
    );
}

#[cfg(feature = "http")]
#[test]
fn http_crate_requests_decide_like_pairs() {
    for row in ROWS {
        let mut builder = http::Request::builder()
            .method(row.method)
            .uri("/chat")
            .version(match row.version {
                HttpVersion::Http10 => http::Version::HTTP_10,
                HttpVersion::Http11 => http::Version::HTTP_11,
                HttpVersion::Http2OrLater => http::Version::HTTP_2,
            });
        for (name, value) in lines(row) {
            builder = builder.header(name, value);
        }
        let Ok(request) = builder.body(()) else {
            // The http crate refuses the malformed methods of rule 1.
            assert_eq!(row.reason, Reason::RequestMalformed, "{}", row.name);
            continue;
        };
        let offers = offers(row);
        let decision = negotiate(&request, &offers, &row.policy);
        check(row, &decision, "http");
    }
}
