//! Upgrade requests that the RFCs say to ignore: the server answers them as plain HTTP, never
//! with a 101, and its log names why.

use crate::harness::{Server, assert_hello, websocket_request};

/// Sends the websocket handshake changed by `edit` and asserts the plain hello of `version`,
/// and the log line `GET /echo continue {reason}`.
fn assert_answered_as_plain_http(edit: impl Fn(String) -> String, version: &str, reason: &str) {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    conn.send(edit(websocket_request(server.port(), "GET", "")).as_bytes());
    assert_hello(&mut conn, &format!("hello over {version}: GET /echo\n"));
    server.assert_logged(&format!("GET /echo continue {reason}"));
}

#[test]
fn http10_websocket_handshake_is_answered_as_plain_http() {
    // RFC 9110 section 7.8: a server must ignore Upgrade in an HTTP/1.0 request.
    assert_answered_as_plain_http(
        |request| request.replacen(" HTTP/1.1\r\n", " HTTP/1.0\r\n", 1),
        "HTTP/1.0",
        "http10-ignored",
    );
}

#[test]
fn upgrade_without_the_upgrade_connection_option_is_plain_http() {
    assert_answered_as_plain_http(
        |request| request.replace("Connection: Upgrade", "Connection: keep-alive"),
        "HTTP/1.1",
        "connection-missing-upgrade",
    );
}

#[test]
fn connection_notupgrade_is_not_the_upgrade_option() {
    // Connection options are whole tokens: no substring match.
    assert_answered_as_plain_http(
        |request| request.replace("Connection: Upgrade", "Connection: notupgrade"),
        "HTTP/1.1",
        "connection-missing-upgrade",
    );
}
