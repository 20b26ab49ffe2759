//! Bytes on the wire: writing a request head, and the server side of small loopback test
//! servers (reading a request head, answering a websocket handshake and the probe's ping).
//! Callers bound their sockets' read timeouts.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;

use upgrade_negotiate::WebSocketAccept;

/// A request head as a client sends it: `request_line`, each field line as `name: value`, each
/// ended by CRLF, then the empty line.
///
/// ```
/// let head = upgrade_testkit::wire::request_head("GET / HTTP/1.1", &[("Host", b"a")]);
/// assert_eq!(head, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
/// ```
pub fn request_head<N: AsRef<[u8]>, V: AsRef<[u8]>>(
    request_line: &str,
    lines: &[(N, V)],
) -> Vec<u8> {
    let mut out = format!("{request_line}\r\n").into_bytes();
    for (name, value) in lines {
        out.extend_from_slice(name.as_ref());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_ref());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// Starts a test server on 127.0.0.1, on a free port: each of its first `max_connections`
/// connections goes to `serve` on a thread of its own. Returns its address; the server runs
/// until the test process ends.
///
/// # Panics
///
/// When no port on 127.0.0.1 can be bound, which fails the test that asked.
#[allow(clippy::expect_used)]
pub fn spawn_server(
    max_connections: usize,
    serve: impl Fn(TcpStream) + Send + Sync + 'static,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port on 127.0.0.1");
    let addr = listener
        .local_addr()
        .expect("the address of a bound listener");
    let serve = Arc::new(serve);
    thread::spawn(move || {
        for stream in listener.incoming().take(max_connections) {
            let Ok(stream) = stream else { continue };
            let serve = Arc::clone(&serve);
            thread::spawn(move || serve(stream));
        }
    });
    addr
}

/// The longest request head read.
pub const MAX_HEAD: usize = 64 << 10;

/// Reads one request head, through its empty line, one byte at a time so that nothing after
/// it is consumed; `None` when the peer is gone or silent, or the head is over [`MAX_HEAD`].
pub fn read_head(stream: &mut impl Read) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) if head.len() < MAX_HEAD => head.push(byte[0]),
            _ => return None,
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// The value of the first field line of `head` named `name` (ASCII case-insensitive), OWS
/// trimmed.
pub fn field<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.split("\r\n")
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim_matches([' ', '\t']))
}

/// The 101 that switches a websocket handshake whose key is `key`.
pub fn websocket_101(key: &str) -> String {
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n\r\n",
        WebSocketAccept::from_key(key.as_bytes()).as_str()
    )
}

/// Reads one masked client frame of at most 125 bytes and, when it is a ping, answers with its
/// pong; anything else ends the exchange.
pub fn answer_ping(stream: &mut (impl Read + Write)) {
    let mut header = [0u8; 6];
    if stream.read_exact(&mut header).is_err() || header[0] != 0x89 || header[1] & 0x7f > 125 {
        return;
    }
    let len = header[1] & 0x7f;
    let mut payload = vec![0u8; usize::from(len)];
    if stream.read_exact(&mut payload).is_err() {
        return;
    }
    for (i, b) in payload.iter_mut().enumerate() {
        *b ^= header[2 + i % 4];
    }
    let mut pong = vec![0x8a, len];
    pong.extend_from_slice(&payload);
    let _ = stream.write_all(&pong);
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_head_and_its_fields_and_answers_a_ping_with_its_pong() {
        let mut input = &b"GET / HTTP/1.1\r\nHost: a\r\nupgrade:\t websocket \r\n\r\nrest"[..];
        let head = read_head(&mut input).unwrap();
        assert_eq!(input, b"rest");
        assert_eq!(field(&head, "Upgrade"), Some("websocket"));
        assert_eq!(field(&head, "connection"), None);
        assert!(websocket_101("dGhlIHNhbXBsZSBub25jZQ==").contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));

        // A ping masked with 1, 2, 3, 4 carrying "hi".
        let ping = [0x89, 0x82, 1, 2, 3, 4, b'h' ^ 1, b'i' ^ 2];
        let mut stream = std::io::Cursor::new(ping.to_vec());
        answer_ping(&mut stream);
        assert_eq!(&stream.get_ref()[ping.len()..], [0x8a, 2, b'h', b'i']);
    }
}
