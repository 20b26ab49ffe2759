//! Requests that switch: the 101 comes only once the request's body has been read, and the
//! connection speaks the new protocol from its first byte after it.

use upgrade_testkit::handshakes::{HTTP2_SETTINGS, WEBSOCKET_ACCEPT};

use crate::harness::{
    Frame, H2_START, Server, assert_header, assert_hello, assert_status, assert_websocket_echoes,
    websocket_request,
};

#[test]
fn websocket_switches_after_the_body_and_echoes() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    conn.send(websocket_request(server.port(), "GET", "Content-Length: 5\r\n").as_bytes());
    conn.assert_silent("after the head, before the body");
    conn.send(b"hello");
    let head = conn.head();
    assert_status(&head, 101);
    assert_header(&head, "sec-websocket-accept", WEBSOCKET_ACCEPT);
    conn.assert_silent("after the 101");
    // The body never reached the websocket.
    assert_websocket_echoes(&mut conn);
    server.assert_logged("GET /echo switch switched websocket");
}

#[test]
fn expect_100_continue_comes_before_the_body_and_the_101() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    let extra = "Expect: 100-continue\r\nContent-Length: 5\r\n";
    conn.send(websocket_request(server.port(), "GET", extra).as_bytes());
    assert_eq!(conn.head(), "HTTP/1.1 100 Continue\r\n\r\n");
    conn.assert_silent("after the 100, before the body");
    conn.send(b"hello");
    assert_status(&conn.head(), 101);
    assert_websocket_echoes(&mut conn);
    server.assert_logged("GET /echo switch switched websocket");
}

#[test]
fn h2c_switches_after_the_body_and_answers_the_request_on_stream_1() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    conn.send(
        format!(
            "POST /form HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: Upgrade, HTTP2-Settings\r\n\
             Upgrade: h2c\r\nHTTP2-Settings: {HTTP2_SETTINGS}\r\nContent-Length: 5\r\n\r\n",
            server.port()
        )
        .as_bytes(),
    );
    conn.assert_silent("after the head, before the body");
    conn.send(b"hello");
    let head = conn.head();
    assert_status(&head, 101);
    assert_header(&head, "upgrade", "h2c");
    conn.send(H2_START);

    // The server's first frame is its SETTINGS (RFC 9113 section 3.4), not an acknowledgement.
    let first = conn.frame();
    assert_eq!((first.kind, first.stream), (Frame::SETTINGS, 0));
    assert!(
        !first.ends_stream(),
        "the server's first SETTINGS is an ACK"
    );
    let (mut status, mut data) = (None, Vec::new());
    loop {
        let frame = conn.frame();
        if frame.stream != 1 {
            continue;
        }
        match frame.kind {
            // hyper's HPACK encodes `:status: 200` as static index 8, 0x88.
            Frame::HEADERS => status = frame.payload.first().copied(),
            Frame::DATA => data.extend_from_slice(&frame.payload),
            Frame::RST_STREAM => panic!("stream 1 was reset"),
            _ => {}
        }
        if frame.ends_stream() {
            break;
        }
    }
    assert_eq!(status, Some(0x88), ":status 200 on stream 1");
    assert_eq!(
        String::from_utf8(data).unwrap(),
        "hello over HTTP/2.0: POST /form (5 body bytes)\n"
    );
    server.assert_logged("POST /form switch switched h2c");
}

#[test]
fn websocket_switches_on_the_second_request_of_a_kept_alive_connection() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    let port = server.port();
    let first = format!(
        "POST /first HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTransfer-Encoding: chunked\r\n\r\n\
         2;x=y\r\nhi\r\n0\r\n\r\n"
    );
    conn.send((first + &websocket_request(port, "GET", "")).as_bytes());
    assert_hello(
        &mut conn,
        "hello over HTTP/1.1: POST /first (2 body bytes)\n",
    );
    assert_status(&conn.head(), 101);
    assert_websocket_echoes(&mut conn);
}
