//! Message framing on a kept-alive connection: a request with both `Content-Length` and
//! `Transfer-Encoding` (the shape of request smuggling) is answered once and the connection
//! closed (RFC 9112 section 6.1), and pipelined requests are each decided in turn.

use crate::harness::{Conn, Server, assert_hello, assert_status, websocket_request};

/// An upgrade request carrying both `Content-Length` and `Transfer-Encoding: chunked`, with an
/// empty chunked body.
fn smuggling_request(port: u16) -> String {
    format!(
        "{}0\r\n\r\n",
        websocket_request(
            port,
            "GET",
            "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"
        )
    )
}

/// Sends the smuggling shape on `conn` and asserts that the answer is one 400 naming it, after
/// which the server closes the connection.
fn assert_smuggling_refused_and_closed(conn: &mut Conn, port: u16) {
    conn.send(smuggling_request(port).as_bytes());
    let answer = conn.read_to_close();
    assert_status(&answer, 400);
    assert!(answer.contains("connection: close\r\n"), "{answer}");
    assert!(
        answer.contains("content-length-with-transfer-encoding"),
        "{answer}"
    );
    assert_eq!(answer.matches("HTTP/1.1 ").count(), 1, "{answer}");
}

#[test]
fn content_length_with_transfer_encoding_on_a_first_request_gets_400_and_a_close() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    assert_smuggling_refused_and_closed(&mut conn, server.port());
}

#[test]
fn content_length_with_transfer_encoding_after_a_kept_alive_request_gets_400_and_a_close() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    let first = format!(
        "GET /first HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        server.port()
    );
    conn.send(first.as_bytes());
    assert_hello(&mut conn, "hello over HTTP/1.1: GET /first\n");
    assert_smuggling_refused_and_closed(&mut conn, server.port());
}

#[test]
fn pipelined_requests_are_each_decided_as_received() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    let port = server.port();
    // A chunked body with an extension and a trailer, a Content-Length body, then the
    // smuggling shape: all in one write, so that hyper reads them ahead of their turn.
    let pipelined = format!(
        "POST /one HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTransfer-Encoding: chunked\r\n\r\n\
         3;ext=\"x\"\r\nabc\r\n0\r\nTrailer: t\r\n\r\n\
         POST /two HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 4\r\n\r\nwxyz\
         {}\
         GET /never HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n",
        smuggling_request(port)
    );
    conn.send(pipelined.as_bytes());
    let answer = conn.read_to_close();
    let statuses: Vec<&str> = answer
        .match_indices("HTTP/1.1 ")
        .map(|(at, _)| &answer[at..at + 12])
        .collect();
    assert_eq!(
        statuses,
        ["HTTP/1.1 200", "HTTP/1.1 200", "HTTP/1.1 400"],
        "{answer}"
    );
    assert!(answer.contains("POST /one (3 body bytes)"), "{answer}");
    assert!(answer.contains("POST /two (4 body bytes)"), "{answer}");
    assert!(!answer.contains("/never"), "{answer}");
}

#[test]
fn content_length_with_transfer_encoding_without_upgrade_is_answered_then_closed() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    let request = format!(
        "POST /plain HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 3\r\n\
         Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        server.port()
    );
    conn.send(request.as_bytes());
    let answer = conn.read_to_close();
    assert_status(&answer, 200);
    assert!(answer.contains("connection: close\r\n"), "{answer}");
}
