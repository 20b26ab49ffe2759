//! Requests the server refuses or requires an upgrade of: a 400 closes the connection, a 426
//! keeps it.

use crate::harness::{Conn, H2_START, Server, assert_header, assert_status, websocket_request};

/// Asserts that the next response is a 400 with `Connection: close`, and that nothing follows
/// it before the server closes the connection.
fn assert_400_then_closed(conn: &mut Conn) {
    let head = conn.head();
    assert_status(&head, 400);
    assert_header(&head, "connection", "close");
    conn.body(&head);
    assert_eq!(conn.read_to_close(), "", "bytes after the 400");
}

#[test]
fn websocket_post_with_a_body_gets_400_method_not_get_and_a_close() {
    // RFC 6455 section 4.1: the opening handshake is a GET.
    let server = Server::start(&[]);
    let mut conn = server.connect();
    conn.send(websocket_request(server.port(), "POST", "Content-Length: 5\r\n").as_bytes());
    conn.send(b"hello");
    assert_400_then_closed(&mut conn);
    server.assert_logged("POST /echo reject websocket-method-not-get websocket");
}

#[test]
fn prior_knowledge_without_h2c_gets_a_400_and_a_close() {
    let server = Server::start(&["--offer", "websocket"]);
    let mut conn = server.connect();
    conn.send(H2_START);
    assert_eq!(
        conn.read_to_close(),
        "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
    server.assert_logged("PRI * reject request-malformed");
}

#[test]
fn require_answers_a_plain_request_with_426_and_keeps_the_connection() {
    let server = Server::start(&["--require"]);
    let mut conn = server.connect();
    let request = format!(
        "GET /plain HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        server.port()
    );
    conn.send(request.as_bytes());
    let head = conn.head();
    assert_status(&head, 426);
    assert_header(&head, "upgrade", "websocket, h2c");
    assert_header(&head, "connection", "upgrade");
    conn.body(&head);
    // The connection carries the next request.
    conn.send(request.as_bytes());
    assert_status(&conn.head(), 426);
    server.assert_logged("GET /plain required no-upgrade-field");
}

#[test]
fn malformed_upgrade_gets_400_and_a_close() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    conn.send(
        format!(
            "GET /chat HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: Upgrade\r\n\
             Upgrade: websocket;q=1\r\n\r\n",
            server.port()
        )
        .as_bytes(),
    );
    assert_400_then_closed(&mut conn);
    server.assert_logged("GET /chat reject upgrade-malformed");
}
