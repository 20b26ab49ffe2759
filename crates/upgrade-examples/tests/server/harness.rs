//! The one way these tests start `upgrade-server`, speak to it over a raw socket and check what
//! comes back.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::process::Command;
use std::time::Duration;

use upgrade_testkit::handshakes::WEBSOCKET_KEY;
use upgrade_testkit::process::Listening;

/// How long a read waits for bytes that must come.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the server must stay silent when it must not answer yet.
const SILENCE: Duration = Duration::from_millis(300);

/// The HTTP/2 client connection preface, then an empty SETTINGS frame (RFC 9113 section 3.4).
pub(crate) const H2_START: &[u8] =
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// A running `upgrade-server` on a free loopback port, killed when dropped.
pub(crate) struct Server(Listening);

impl Server {
    /// Starts the server with `args` after `--port 0`.
    pub(crate) fn start(args: &[&str]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_upgrade-server"));
        command.args(["--port", "0"]).args(args);
        Server(Listening::spawn(&mut command))
    }

    pub(crate) fn port(&self) -> u16 {
        self.0.port()
    }

    /// A new connection to the server.
    pub(crate) fn connect(&self) -> Conn {
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port())).unwrap();
        stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
        stream.set_nodelay(true).unwrap();
        Conn {
            stream,
            pending: Vec::new(),
        }
    }

    /// Asserts that the server logged a line containing `needle`: its decision, named by
    /// outcome and reason code.
    pub(crate) fn assert_logged(&self, needle: &str) {
        assert!(
            self.0.log_line(needle).is_some(),
            "the server logged no line with {needle:?}; its log:\n{}",
            self.0.log()
        );
    }
}

/// A client connection, reading only as far as each check asks.
pub(crate) struct Conn {
    stream: TcpStream,
    /// Bytes read and not yet consumed.
    pending: Vec<u8>,
}

impl Conn {
    pub(crate) fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    /// Reads once more into `pending`; 0 at the end of the stream.
    fn fill(&mut self) -> usize {
        let mut buf = [0u8; 4096];
        let n = self.stream.read(&mut buf).unwrap_or_else(|e| {
            panic!(
                "nothing more arrived ({e}); pending: {:?}",
                String::from_utf8_lossy(&self.pending)
            )
        });
        self.pending.extend_from_slice(&buf[..n]);
        n
    }

    /// The next response head, up to and including the empty line.
    pub(crate) fn head(&mut self) -> String {
        loop {
            if let Some(end) = find(&self.pending, b"\r\n\r\n") {
                let rest = self.pending.split_off(end + 4);
                let head = std::mem::replace(&mut self.pending, rest);
                return String::from_utf8(head).unwrap();
            }
            if self.fill() == 0 {
                panic!(
                    "the connection closed before a response head; got {:?}",
                    String::from_utf8_lossy(&self.pending)
                );
            }
        }
    }

    /// Exactly `n` more bytes.
    pub(crate) fn take(&mut self, n: usize) -> Vec<u8> {
        while self.pending.len() < n {
            if self.fill() == 0 {
                panic!(
                    "the connection closed after {} of {n} bytes",
                    self.pending.len()
                );
            }
        }
        let rest = self.pending.split_off(n);
        std::mem::replace(&mut self.pending, rest)
    }

    /// The body of a response whose head is `head`, by its `Content-Length`.
    pub(crate) fn body(&mut self, head: &str) -> String {
        let length = header(head, "content-length")
            .and_then(|value| value.parse().ok())
            .unwrap_or_else(|| panic!("no Content-Length in {head:?}"));
        String::from_utf8(self.take(length)).unwrap()
    }

    /// Asserts that nothing arrives for a while, and that the connection stays open.
    pub(crate) fn assert_silent(&mut self, when: &str) {
        assert!(
            self.pending.is_empty(),
            "{when}: expected silence, got {:?}",
            String::from_utf8_lossy(&self.pending)
        );
        self.stream.set_read_timeout(Some(SILENCE)).unwrap();
        let mut buf = [0u8; 256];
        match self.stream.read(&mut buf) {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Ok(0) => panic!("{when}: expected silence, the connection closed"),
            Ok(n) => panic!(
                "{when}: expected silence, got {:?}",
                String::from_utf8_lossy(&buf[..n])
            ),
            Err(e) => panic!("{when}: expected silence, the read failed: {e}"),
        }
        self.stream.set_read_timeout(Some(READ_TIMEOUT)).unwrap();
    }

    /// Everything until the server closes the connection.
    pub(crate) fn read_to_close(&mut self) -> String {
        while self.fill() > 0 {}
        String::from_utf8(std::mem::take(&mut self.pending)).unwrap()
    }

    /// The next HTTP/2 frame.
    pub(crate) fn frame(&mut self) -> Frame {
        let head = self.take(9);
        let length = usize::from(head[0]) << 16 | usize::from(head[1]) << 8 | usize::from(head[2]);
        Frame {
            kind: head[3],
            flags: head[4],
            stream: u32::from_be_bytes([head[5] & 0x7f, head[6], head[7], head[8]]),
            payload: self.take(length),
        }
    }
}

/// An HTTP/2 frame (RFC 9113 section 4.1).
pub(crate) struct Frame {
    pub(crate) kind: u8,
    pub(crate) flags: u8,
    pub(crate) stream: u32,
    pub(crate) payload: Vec<u8>,
}

impl Frame {
    pub(crate) const DATA: u8 = 0x0;
    pub(crate) const HEADERS: u8 = 0x1;
    pub(crate) const RST_STREAM: u8 = 0x3;
    pub(crate) const SETTINGS: u8 = 0x4;

    /// END_STREAM on DATA and HEADERS, ACK on SETTINGS: the same bit.
    pub(crate) fn ends_stream(&self) -> bool {
        self.flags & 0x1 != 0
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The value of the first field called `name` (any case) in a response head.
pub(crate) fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

/// Asserts that `head` (or a whole answer) starts with a status line with `status`.
pub(crate) fn assert_status(head: &str, status: u16) {
    let code = head.split(' ').nth(1).and_then(|code| code.parse().ok());
    assert_eq!(code, Some(status), "{head:?}");
}

/// Asserts that `head` has the field `name` with `value` (compared ignoring ASCII case).
pub(crate) fn assert_header(head: &str, name: &str, value: &str) {
    assert!(
        header(head, name).is_some_and(|v| v.eq_ignore_ascii_case(value)),
        "expected `{name}: {value}` in {head:?}"
    );
}

/// A websocket handshake to `/echo` (`Connection: Upgrade`, the key of RFC 6455 section 1.3),
/// then `extra` field lines.
pub(crate) fn websocket_request(port: u16, method: &str, extra: &str) -> String {
    format!(
        "{method} /echo HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: Upgrade\r\n\
         Upgrade: websocket\r\nSec-WebSocket-Key: {WEBSOCKET_KEY}\r\n\
         Sec-WebSocket-Version: 13\r\n{extra}\r\n"
    )
}

/// A masked client frame (RFC 6455 section 5.2) with a payload under 126 bytes.
fn client_frame(opcode: u8, payload: &[u8]) -> Vec<u8> {
    let length = u8::try_from(payload.len()).unwrap();
    assert!(length < 126, "a test frame longer than 125 bytes");
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let mut frame = vec![0x80 | opcode, 0x80 | length];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().zip(mask.iter().cycle()).map(|(b, m)| b ^ m));
    frame
}

/// Asserts that the connection speaks websocket, with nothing before the first frame: a text
/// frame comes back unmasked, and a close 1000 is answered with a close 1000.
pub(crate) fn assert_websocket_echoes(conn: &mut Conn) {
    conn.send(&client_frame(0x1, b"ping"));
    assert_eq!(conn.take(6), b"\x81\x04ping", "the echo of a text frame");
    conn.send(&client_frame(0x8, &1000u16.to_be_bytes()));
    assert_eq!(
        conn.take(4),
        b"\x88\x02\x03\xe8",
        "the answer to a close 1000"
    );
}

/// Asserts that the next response is a 200 whose body is `text`, exactly.
pub(crate) fn assert_hello(conn: &mut Conn, text: &str) {
    let head = conn.head();
    assert_status(&head, 200);
    assert_eq!(conn.body(&head), text);
}
