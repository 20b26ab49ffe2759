//! `upgrade-server` run as a real process on a loopback port, spoken to over raw TCP: the
//! switches happen after the body, speak the new protocol, and refusals are clean. The clients
//! nobody here wrote (curl, Python websockets, Chromium) run in `cargo xtask e2e`.

// A test target asserts by panicking, its helpers included; clippy.toml covers only `#[test]`
// functions themselves.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The HTTP/2 client connection preface, then an empty SETTINGS frame.
const H2_START: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// A running server, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_upgrade-server"))
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("listening on 127.0.0.1:")
            .and_then(|port| port.parse().ok());
        let mut server = Server { child, port: 0 };
        server.port = port.unwrap_or_else(|| panic!("no port in {line:?}"));
        server
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one response head, byte by byte so that nothing after it is consumed.
fn head(stream: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8];
    while !head.ends_with(b"\r\n\r\n") {
        stream.read_exact(&mut byte).expect("a response head");
        head.push(byte[0]);
    }
    String::from_utf8(head).unwrap()
}

/// Asserts that nothing arrives for a while.
fn assert_silent(stream: &mut TcpStream, when: &str) {
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 256];
    match stream.read(&mut buf) {
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
        other => panic!("{when}: expected silence, got {other:?} {:?}", &buf[..8]),
    }
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
}

/// Sends a masked text frame "hi" and asserts that it comes back unmasked.
fn assert_echoes(stream: &mut TcpStream) {
    let mask = [1u8, 2, 3, 4];
    stream
        .write_all(&[0x81, 0x82, 1, 2, 3, 4, b'h' ^ mask[0], b'i' ^ mask[1]])
        .unwrap();
    let mut echo = [0u8; 4];
    stream.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"\x81\x02hi");
}

/// Reads a 200 whose body is `text`, exactly.
fn assert_hello(stream: &mut TcpStream, text: &str) {
    let head = head(stream);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    let mut hello = vec![0u8; text.len()];
    stream.read_exact(&mut hello).unwrap();
    assert_eq!(String::from_utf8(hello).unwrap(), text);
}

fn websocket_request(port: u16, method: &str, extra: &str) -> String {
    format!(
        "{method} /echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: Upgrade\r\n\
         Upgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
         Sec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
}

#[test]
fn websocket_switches_after_the_body_and_echoes() {
    let server = Server::start(&[]);
    let mut stream = server.connect();
    stream
        .write_all(websocket_request(server.port, "GET", "Content-Length: 5\r\n").as_bytes())
        .unwrap();
    assert_silent(&mut stream, "before the body");
    stream.write_all(b"hello").unwrap();
    let head = head(&mut stream);
    assert!(
        head.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{head}"
    );
    assert!(head.contains("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    assert_silent(&mut stream, "after the 101");

    // The body never reached the websocket.
    assert_echoes(&mut stream);
}

#[test]
fn expect_100_continue_comes_before_the_101() {
    let server = Server::start(&[]);
    let mut stream = server.connect();
    let extra = "Expect: 100-continue\r\nContent-Length: 5\r\n";
    stream
        .write_all(websocket_request(server.port, "GET", extra).as_bytes())
        .unwrap();
    assert_eq!(head(&mut stream), "HTTP/1.1 100 Continue\r\n\r\n");
    assert_silent(&mut stream, "after the 100");
    stream.write_all(b"hello").unwrap();
    assert!(head(&mut stream).starts_with("HTTP/1.1 101 "));
}

#[test]
fn h2c_answers_the_upgraded_request_on_stream_1() {
    let server = Server::start(&["--offer", "h2c"]);
    let mut stream = server.connect();
    let request = format!(
        "POST /form HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: Upgrade, HTTP2-Settings\r\n\
         Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Length: 5\r\n\r\nhello",
        server.port
    );
    stream.write_all(request.as_bytes()).unwrap();
    let head = head(&mut stream);
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert!(head.contains("upgrade: h2c\r\n"), "{head}");
    stream.write_all(H2_START).unwrap();

    let mut frames = Vec::new();
    loop {
        let mut frame_head = [0u8; 9];
        stream.read_exact(&mut frame_head).unwrap();
        let length = usize::from(frame_head[0]) << 16
            | usize::from(frame_head[1]) << 8
            | usize::from(frame_head[2]);
        let (kind, flags) = (frame_head[3], frame_head[4]);
        let stream_id = u32::from_be_bytes([
            frame_head[5] & 0x7f,
            frame_head[6],
            frame_head[7],
            frame_head[8],
        ]);
        let mut payload = vec![0u8; length];
        stream.read_exact(&mut payload).unwrap();
        let end = stream_id == 1 && flags & 0x1 != 0;
        frames.push((kind, stream_id, payload));
        if end {
            break;
        }
    }
    // The server's first frame is its SETTINGS (RFC 7540 section 3.5).
    assert_eq!((frames[0].0, frames[0].1), (0x4, 0));
    let data: Vec<u8> = frames
        .iter()
        .filter(|(kind, stream_id, _)| *kind == 0x0 && *stream_id == 1)
        .flat_map(|(_, _, payload)| payload.clone())
        .collect();
    assert_eq!(
        String::from_utf8(data).unwrap(),
        "hello over HTTP/2.0: POST /form (5 body bytes)\n"
    );
}

#[test]
fn prior_knowledge_without_h2c_gets_a_400_and_a_close() {
    let server = Server::start(&["--offer", "websocket"]);
    let mut stream = server.connect();
    stream.write_all(H2_START).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    assert_eq!(
        String::from_utf8(answer).unwrap(),
        "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
}

#[test]
fn upgrade_without_the_connection_option_is_plain_http() {
    let server = Server::start(&[]);
    let mut stream = server.connect();
    let request = websocket_request(server.port, "GET", "")
        .replace("Connection: Upgrade", "Connection: notupgrade");
    stream.write_all(request.as_bytes()).unwrap();
    let head = head(&mut stream);
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
}

/// Reads what the server sends until it closes the connection.
fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("the server closes");
    String::from_utf8(answer).unwrap()
}

/// An upgrade request carrying both `Content-Length` and `Transfer-Encoding: chunked`, with an
/// empty chunked body (the shape of request smuggling).
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

/// Sends the smuggling shape on `stream` and asserts that the answer is one 400 naming it,
/// after which the server closes the connection (RFC 9112 section 6.1).
fn assert_smuggling_refused_and_closed(stream: &mut TcpStream, port: u16) {
    stream
        .write_all(smuggling_request(port).as_bytes())
        .unwrap();
    let answer = read_until_closed(stream);
    assert!(
        answer.starts_with("HTTP/1.1 400 Bad Request\r\n"),
        "{answer}"
    );
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
    let mut stream = server.connect();
    assert_smuggling_refused_and_closed(&mut stream, server.port);
}

#[test]
fn content_length_with_transfer_encoding_after_a_kept_alive_request_gets_400_and_a_close() {
    let server = Server::start(&[]);
    let mut stream = server.connect();
    let first = format!(
        "GET /first HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        server.port
    );
    stream.write_all(first.as_bytes()).unwrap();
    assert_hello(&mut stream, "hello over HTTP/1.1: GET /first\n");
    assert_smuggling_refused_and_closed(&mut stream, server.port);
}

#[test]
fn pipelined_requests_are_each_decided_as_received() {
    let server = Server::start(&[]);
    let mut stream = server.connect();
    let port = server.port;
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
    stream.write_all(pipelined.as_bytes()).unwrap();
    let answer = read_until_closed(&mut stream);
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
    let mut stream = server.connect();
    let request = format!(
        "POST /plain HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nContent-Length: 3\r\n\
         Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        server.port
    );
    stream.write_all(request.as_bytes()).unwrap();
    let answer = read_until_closed(&mut stream);
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(answer.contains("connection: close\r\n"), "{answer}");
}

#[test]
fn websocket_switches_on_the_second_request_of_a_kept_alive_connection() {
    let server = Server::start(&[]);
    let mut stream = server.connect();
    let port = server.port;
    let first = format!(
        "POST /first HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nTransfer-Encoding: chunked\r\n\r\n\
         2;x=y\r\nhi\r\n0\r\n\r\n"
    );
    let requests = first + &websocket_request(port, "GET", "");
    stream.write_all(requests.as_bytes()).unwrap();
    assert_hello(
        &mut stream,
        "hello over HTTP/1.1: POST /first (2 body bytes)\n",
    );
    let head = head(&mut stream);
    assert!(head.starts_with("HTTP/1.1 101 "), "{head}");
    assert_echoes(&mut stream);
}
