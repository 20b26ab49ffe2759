//! The client side: one row per case, each asserting validity, whether the connection switched,
//! the reason and the protocols of the response. Every HTTP/1.x row runs twice: from name / value
//! pairs, and from raw bytes through httparse.

// Test helpers unwrap and index what the rows give them; a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::collections::BTreeSet;

use upgrade_negotiate::{
    ClientReason, HttpVersion, Policy, RequestHead, ResponseHead, check_response, parse_request,
    parse_response,
};
use upgrade_testkit::handshakes::{WEBSOCKET_ACCEPT, WEBSOCKET_KEY, with_host};

const WEBSOCKET: &[(&str, &str)] = &[
    ("Host", "server.example.com"),
    ("Upgrade", "websocket"),
    ("Connection", "Upgrade"),
    ("Sec-WebSocket-Key", WEBSOCKET_KEY),
    ("Sec-WebSocket-Version", "13"),
];

/// The example of RFC 9110 section 7.8.
const STACK: &[(&str, &str)] = &[
    ("Upgrade", "HTTP/2.0, SHTTP/1.3"),
    ("Upgrade", "IRC/6.9, RTA/x11"),
    ("Connection", "upgrade"),
];

const WEBSOCKET_101: &[(&str, &str)] = &[
    ("Upgrade", "websocket"),
    ("Connection", "Upgrade"),
    ("Sec-WebSocket-Accept", WEBSOCKET_ACCEPT),
];

#[derive(Clone, Copy)]
struct Row {
    name: &'static str,
    request_version: HttpVersion,
    request: &'static [(&'static str, &'static str)],
    status: u16,
    version: HttpVersion,
    response: &'static [(&'static str, &'static str)],
    reason: ClientReason,
    protocols: &'static [&'static str],
    /// Whether the request gets `Host: example.com` first when it has no `Host`: true for
    /// every row but the ones about the `Host` rule.
    host: bool,
}

const BASE: Row = Row {
    host: true,
    name: "",
    request_version: HttpVersion::Http11,
    request: WEBSOCKET,
    status: 101,
    version: HttpVersion::Http11,
    response: WEBSOCKET_101,
    reason: ClientReason::Switched,
    protocols: &["websocket"],
};

const ROWS: &[Row] = &[
    Row {
        name: "a 101 to an HTTP/1.1 request without Host",
        request: &[
            ("Upgrade", "websocket"),
            ("Connection", "Upgrade"),
            ("Sec-WebSocket-Key", WEBSOCKET_KEY),
            ("Sec-WebSocket-Version", "13"),
        ],
        reason: ClientReason::RequestHostInvalid,
        host: false,
        ..BASE
    },
    Row {
        name: "a 101 to a request with two Host lines",
        request: &[
            ("Host", "a"),
            ("Host", "b"),
            ("Upgrade", "foo"),
            ("Connection", "Upgrade"),
        ],
        response: &[("Upgrade", "foo"), ("Connection", "Upgrade")],
        reason: ClientReason::RequestHostInvalid,
        protocols: &["foo"],
        host: false,
        ..BASE
    },
    Row {
        name: "a 101 to a request with an invalid Host",
        request: &[
            ("Host", "a/b"),
            ("Upgrade", "foo"),
            ("Connection", "Upgrade"),
        ],
        response: &[("Upgrade", "foo"), ("Connection", "Upgrade")],
        reason: ClientReason::RequestHostInvalid,
        protocols: &["foo"],
        host: false,
        ..BASE
    },
    Row {
        name: "the websocket handshake of RFC 6455 section 1.3",
        ..BASE
    },
    Row {
        name: "accept with surrounding whitespace",
        response: &[
            ("Upgrade", "WebSocket"),
            ("Connection", "keep-alive, upgrade"),
            ("Sec-WebSocket-Accept", " s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\t"),
        ],
        protocols: &["WebSocket"],
        ..BASE
    },
    Row {
        name: "a protocol stack, lowest layer first, in the server's spelling",
        request: STACK,
        response: &[("Upgrade", "rta/x11, irc/6.9"), ("Connection", "Upgrade")],
        protocols: &["rta/x11", "irc/6.9"],
        ..BASE
    },
    Row {
        name: "a 426 naming the required protocols",
        request: &[("Host", "a")],
        status: 426,
        response: &[("Upgrade", "websocket, h2c"), ("Connection", "upgrade")],
        reason: ClientReason::UpgradeRequired,
        protocols: &["websocket", "h2c"],
        ..BASE
    },
    Row {
        name: "a 200 advertising a protocol",
        status: 200,
        response: &[("Upgrade", "HTTP/2.0"), ("Connection", "upgrade")],
        reason: ClientReason::UpgradeAdvertised,
        protocols: &["HTTP/2.0"],
        ..BASE
    },
    Row {
        name: "a 100 advertising an empty list",
        status: 100,
        response: &[("Upgrade", "")],
        reason: ClientReason::UpgradeAdvertised,
        protocols: &[],
        ..BASE
    },
    Row {
        name: "a 200 without upgrade",
        status: 200,
        response: &[("Content-Length", "0")],
        reason: ClientReason::NoUpgrade,
        protocols: &[],
        ..BASE
    },
    Row {
        name: "an http2 response with upgrade",
        status: 200,
        version: HttpVersion::Http2OrLater,
        response: &[("upgrade", "h2c")],
        reason: ClientReason::Http2UpgradeForbidden,
        protocols: &["h2c"],
        ..BASE
    },
    Row {
        name: "an http2 response with connection",
        status: 200,
        version: HttpVersion::Http2OrLater,
        response: &[("connection", "close")],
        reason: ClientReason::Http2UpgradeForbidden,
        protocols: &[],
        ..BASE
    },
    Row {
        name: "a 101 to an http10 request",
        request_version: HttpVersion::Http10,
        reason: ClientReason::RequestNotHttp11,
        ..BASE
    },
    Row {
        name: "a 101 to a request without upgrade",
        request: &[("Host", "a"), ("Sec-WebSocket-Key", WEBSOCKET_KEY)],
        reason: ClientReason::RequestUpgradeMissing,
        ..BASE
    },
    Row {
        name: "a 101 to a request with an empty upgrade list",
        request: &[
            ("Upgrade", ","),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Key", WEBSOCKET_KEY),
        ],
        reason: ClientReason::RequestUpgradeMissing,
        ..BASE
    },
    Row {
        name: "a 101 to a request with a malformed upgrade",
        request: &[("Upgrade", "websocket h2c"), ("Connection", "upgrade")],
        reason: ClientReason::RequestUpgradeMalformed,
        ..BASE
    },
    Row {
        name: "a 101 in an http10 response",
        version: HttpVersion::Http10,
        reason: ClientReason::ResponseNotHttp11,
        ..BASE
    },
    Row {
        name: "a 101 without upgrade",
        response: &[
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Accept", WEBSOCKET_ACCEPT),
        ],
        reason: ClientReason::UpgradeMissing,
        protocols: &[],
        ..BASE
    },
    Row {
        name: "a 426 without upgrade",
        status: 426,
        response: &[("Connection", "upgrade")],
        reason: ClientReason::UpgradeMissing,
        protocols: &[],
        ..BASE
    },
    Row {
        name: "a 101 with an empty upgrade list",
        response: &[("Upgrade", " , "), ("Connection", "upgrade")],
        reason: ClientReason::UpgradeEmpty,
        protocols: &[],
        ..BASE
    },
    Row {
        name: "a 426 with an empty upgrade list",
        status: 426,
        response: &[("Upgrade", "")],
        reason: ClientReason::UpgradeEmpty,
        protocols: &[],
        ..BASE
    },
    Row {
        name: "a 101 with a malformed upgrade",
        response: &[
            ("Upgrade", "websocket, h2c;q=1"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Accept", WEBSOCKET_ACCEPT),
        ],
        reason: ClientReason::UpgradeMalformed,
        protocols: &["websocket"],
        ..BASE
    },
    Row {
        name: "a 200 advertising a malformed upgrade",
        status: 200,
        response: &[("Upgrade", "a b")],
        reason: ClientReason::UpgradeMalformed,
        protocols: &[],
        ..BASE
    },
    Row {
        name: "a 101 to a protocol never offered",
        response: &[("Upgrade", "h2c"), ("Connection", "upgrade")],
        reason: ClientReason::ProtocolNotOffered,
        protocols: &["h2c"],
        ..BASE
    },
    Row {
        name: "a 101 stacking an offered protocol on one never offered",
        response: &[
            ("Upgrade", "websocket, foo"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Accept", WEBSOCKET_ACCEPT),
        ],
        reason: ClientReason::ProtocolNotOffered,
        protocols: &["websocket", "foo"],
        ..BASE
    },
    Row {
        name: "a 101 to another version of an offered protocol",
        request: STACK,
        response: &[("Upgrade", "HTTP/2"), ("Connection", "upgrade")],
        reason: ClientReason::ProtocolNotOffered,
        protocols: &["HTTP/2"],
        ..BASE
    },
    Row {
        name: "a 101 with a malformed connection",
        response: &[
            ("Upgrade", "websocket"),
            ("Connection", "upgrade close"),
            ("Sec-WebSocket-Accept", WEBSOCKET_ACCEPT),
        ],
        reason: ClientReason::ConnectionMalformed,
        ..BASE
    },
    Row {
        name: "a 101 without the upgrade option",
        response: &[
            ("Upgrade", "websocket"),
            ("Connection", "keep-alive"),
            ("Proxy-Connection", "upgrade"),
            ("Sec-WebSocket-Accept", WEBSOCKET_ACCEPT),
        ],
        reason: ClientReason::ConnectionMissingUpgrade,
        ..BASE
    },
    Row {
        name: "a 101 to websocket for a request without a key",
        request: &[("Upgrade", "websocket"), ("Connection", "upgrade")],
        reason: ClientReason::RequestWebSocketKeyInvalid,
        ..BASE
    },
    Row {
        name: "a 101 to websocket without accept",
        response: &[("Upgrade", "websocket"), ("Connection", "upgrade")],
        reason: ClientReason::WebSocketAcceptMissing,
        ..BASE
    },
    Row {
        name: "a 101 to websocket with the accept of another key",
        response: &[
            ("Upgrade", "websocket"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Accept", "dGhlIHNhbXBsZSBub25jZQ=="),
        ],
        reason: ClientReason::WebSocketAcceptMismatch,
        ..BASE
    },
    Row {
        name: "a 101 to websocket with the accept twice",
        response: &[
            ("Upgrade", "websocket"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Accept", WEBSOCKET_ACCEPT),
            ("Sec-WebSocket-Accept", WEBSOCKET_ACCEPT),
        ],
        reason: ClientReason::WebSocketAcceptMismatch,
        ..BASE
    },
];

/// The row's request field lines, after `Host: example.com` unless the row is about `Host`.
fn request_lines(row: &Row) -> Vec<(&'static str, &'static str)> {
    if row.host {
        with_host(row.request)
    } else {
        row.request.to_vec()
    }
}

fn assert_row(
    row: &Row,
    check_valid: bool,
    switched: bool,
    reason: ClientReason,
    protocols: Vec<String>,
    via: &str,
) {
    let name = format!("{} ({via})", row.name);
    assert_eq!(reason, row.reason, "{name}");
    assert_eq!(check_valid, row.reason.is_valid(), "{name}");
    assert_eq!(switched, row.reason == ClientReason::Switched, "{name}");
    assert_eq!(protocols, row.protocols, "{name}");
}

#[test]
fn every_row_checks_as_expected_from_name_value_pairs() {
    for row in ROWS {
        let lines = request_lines(row);
        let request = RequestHead::new("GET", row.request_version, lines.as_slice());
        let response = ResponseHead::new(row.status, row.version, row.response);
        let check = check_response(request, response, &Policy::default());
        let protocols = check.protocols().map(|p| p.to_string()).collect();
        assert_row(
            row,
            check.valid(),
            check.switched(),
            check.reason(),
            protocols,
            "pairs",
        );
    }
}

fn head(start_line: &str, fields: &[(&str, &str)]) -> String {
    let mut out = format!("{start_line}\r\n");
    for (name, value) in fields {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out
}

fn minor(version: HttpVersion) -> Option<u8> {
    match version {
        HttpVersion::Http10 => Some(0),
        HttpVersion::Http11 => Some(1),
        HttpVersion::Http2OrLater => None,
    }
}

#[test]
fn every_http1_row_checks_the_same_from_raw_bytes() {
    for row in ROWS {
        let (Some(request_minor), Some(response_minor)) =
            (minor(row.request_version), minor(row.version))
        else {
            continue;
        };
        let request = head(
            &format!("GET /chat HTTP/1.{request_minor}"),
            &request_lines(row),
        );
        let response = head(
            &format!("HTTP/1.{response_minor} {} Status", row.status),
            row.response,
        );
        let mut request_headers = [httparse::EMPTY_HEADER; 16];
        let request = parse_request(request.as_bytes(), &mut request_headers)
            .unwrap()
            .complete()
            .unwrap();
        let mut response_headers = [httparse::EMPTY_HEADER; 16];
        let response = parse_response(response.as_bytes(), &mut response_headers)
            .unwrap()
            .complete()
            .unwrap();
        let check = check_response(request, response, &Policy::default());
        let protocols = check.protocols().map(|p| p.to_string()).collect();
        assert_row(
            row,
            check.valid(),
            check.switched(),
            check.reason(),
            protocols,
            "httparse",
        );
    }
}

#[test]
fn every_client_reason_has_a_row() {
    let covered: BTreeSet<&str> = ROWS.iter().map(|row| row.reason.code()).collect();
    let all: BTreeSet<&str> = ClientReason::ALL.iter().map(|r| r.code()).collect();
    assert_eq!(
        all.difference(&covered).collect::<Vec<_>>(),
        Vec::<&&str>::new()
    );
}

#[test]
fn malformed_fields_report_where_the_fault_is() {
    let request = RequestHead::new("GET", HttpVersion::Http11, WEBSOCKET);
    let response = [("Upgrade", "websocket"), ("Upgrade", "x, \"y\"")];
    let check = check_response(
        request,
        ResponseHead::new(101, HttpVersion::Http11, &response),
        &Policy::default(),
    );
    let error = check.error().unwrap();
    assert_eq!((error.line(), error.offset()), (1, 3));
    assert_eq!(check.protocols().count(), 2);
}

#[test]
fn debug_output_lists_the_verdict_and_protocols() {
    let request = RequestHead::new("GET", HttpVersion::Http11, WEBSOCKET);
    let check = check_response(
        request,
        ResponseHead::new(101, HttpVersion::Http11, WEBSOCKET_101),
        &Policy::default(),
    );
    let text = format!("{check:?}");
    assert!(text.contains("valid: true"), "{text}");
    assert!(text.contains("Protocol(websocket)"), "{text}");
}

#[cfg(feature = "http")]
#[test]
fn http_crate_responses_check_like_pairs() {
    let request = http::Request::get("/chat")
        .header("host", "example.com")
        .header("upgrade", "websocket")
        .header("connection", "upgrade")
        .header("sec-websocket-key", WEBSOCKET_KEY)
        .body(())
        .unwrap();
    let response = http::Response::builder()
        .status(101)
        .header("upgrade", "websocket")
        .header("connection", "upgrade")
        .header("sec-websocket-accept", WEBSOCKET_ACCEPT)
        .body(())
        .unwrap();
    let check = check_response(&request, &response, &Policy::default());
    assert!(check.valid() && check.switched());
}
