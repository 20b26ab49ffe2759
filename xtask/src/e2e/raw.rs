//! Scenarios over a raw TCP socket: the handshakes that the real clients above never send.

use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::time::Duration;

use super::server::Server;
use super::{Env, Evidence, Scenario};

/// How long a read waits for bytes that must come.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the server must stay silent when it must not answer yet.
const SILENCE: Duration = Duration::from_millis(500);

/// The RFC 6455 example key, and its accept value.
const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
/// The HTTP2-Settings curl sends.
const HTTP2_SETTINGS: &str = "AAMAAABkAARAAAAAAAIAAAAA";
/// The HTTP/2 client connection preface, then an empty SETTINGS frame.
const H2_START: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

pub(crate) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "raw-http10-upgrade-ignored",
            proves: "an HTTP/1.0 request with a valid websocket handshake is answered as plain \
                     HTTP (200), never 101",
            run: http10_upgrade_ignored,
        },
        Scenario {
            name: "raw-connection-without-upgrade",
            proves: "Upgrade without the upgrade option in Connection (keep-alive only) is \
                     ignored: 200, no 101",
            run: connection_without_upgrade,
        },
        Scenario {
            name: "raw-connection-notupgrade",
            proves: "`Connection: notupgrade` is not `upgrade` (no substring match): 200, no 101",
            run: connection_notupgrade,
        },
        Scenario {
            name: "raw-websocket-body-before-101",
            proves: "a websocket handshake with `Content-Length: 5`: no 101 until the body is \
                     sent, and after the 101 the body does not leak into the websocket stream",
            run: websocket_body_before_101,
        },
        Scenario {
            name: "raw-websocket-post-rejected",
            proves: "a POST with a body and a websocket handshake is not switched: 400 \
                     websocket-method-not-get (RFC 6455 requires GET)",
            run: websocket_post_rejected,
        },
        Scenario {
            name: "raw-h2c-post-body-before-101",
            proves: "an h2c upgrade POST with `Content-Length: 5`: no 101 until the body is sent; \
                     after the 101 the server's first bytes are its SETTINGS frame, and stream 1 \
                     answers the request with its body",
            run: h2c_post_body_before_101,
        },
        Scenario {
            name: "raw-expect-100-continue",
            proves: "`Expect: 100-continue` with a body: `100 Continue` first, the body is sent \
                     after it, then the 101",
            run: expect_100_continue,
        },
        Scenario {
            name: "raw-prior-knowledge-400",
            proves: "without h2c offered, the HTTP/2 preface gets an HTTP/1.1 400 with \
                     `Connection: close`, and the connection is closed",
            run: prior_knowledge_400,
        },
        Scenario {
            name: "raw-require-426",
            proves: "with --require, a plain request gets 426 with `Upgrade: websocket, h2c` and \
                     `Connection: upgrade`, and the connection stays usable",
            run: require_426,
        },
        Scenario {
            name: "raw-upgrade-malformed-400",
            proves: "a malformed Upgrade (`websocket;q=1`) gets 400 with `Connection: close`, and \
                     the connection is closed",
            run: upgrade_malformed_400,
        },
    ]
}

/// A client connection to the server.
struct Raw {
    stream: TcpStream,
    /// Bytes read and not yet consumed.
    pending: Vec<u8>,
}

impl Raw {
    fn connect(server: &Server) -> Result<Raw, String> {
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, server.port()))
            .map_err(|e| format!("cannot connect: {e}"))?;
        stream
            .set_read_timeout(Some(READ_TIMEOUT))
            .and_then(|()| stream.set_nodelay(true))
            .map_err(|e| format!("cannot set up the socket: {e}"))?;
        Ok(Raw {
            stream,
            pending: Vec::new(),
        })
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.stream
            .write_all(bytes)
            .map_err(|e| format!("cannot send: {e}"))
    }

    /// Reads once more into `pending`; 0 at the end of the stream.
    fn fill(&mut self) -> Result<usize, String> {
        let mut buf = [0u8; 4096];
        let n = self.stream.read(&mut buf).map_err(|e| match e.kind() {
            ErrorKind::WouldBlock | ErrorKind::TimedOut => {
                format!("nothing arrived within {READ_TIMEOUT:?}")
            }
            _ => format!("cannot read: {e}"),
        })?;
        self.pending
            .extend_from_slice(buf.get(..n).unwrap_or_default());
        Ok(n)
    }

    /// The next response head, up to and including the empty line.
    fn head(&mut self) -> Result<String, String> {
        loop {
            if let Some(end) = find(&self.pending, b"\r\n\r\n") {
                let rest = self.pending.split_off(end + 4);
                let head = std::mem::replace(&mut self.pending, rest);
                return Ok(String::from_utf8_lossy(&head).into_owned());
            }
            if self.fill()? == 0 {
                return Err(format!(
                    "the connection closed before a response head; got {:?}",
                    String::from_utf8_lossy(&self.pending)
                ));
            }
        }
    }

    /// Exactly `n` more bytes.
    fn take(&mut self, n: usize) -> Result<Vec<u8>, String> {
        while self.pending.len() < n {
            if self.fill()? == 0 {
                return Err(format!(
                    "the connection closed after {} of {n} bytes",
                    self.pending.len()
                ));
            }
        }
        let rest = self.pending.split_off(n);
        Ok(std::mem::replace(&mut self.pending, rest))
    }

    /// The body of a response with `Content-Length`.
    fn body(&mut self, head: &str) -> Result<String, String> {
        let length = header(head, "content-length")
            .and_then(|value| value.parse().ok())
            .ok_or_else(|| format!("no Content-Length in {head:?}"))?;
        Ok(String::from_utf8_lossy(&self.take(length)?).into_owned())
    }

    /// Fails when anything arrives within [`SILENCE`].
    fn silent(&mut self, context: &str) -> Result<String, String> {
        if !self.pending.is_empty() {
            return Err(format!(
                "{context}: got {:?}",
                String::from_utf8_lossy(&self.pending)
            ));
        }
        self.stream
            .set_read_timeout(Some(SILENCE))
            .map_err(|e| format!("cannot set a timeout: {e}"))?;
        let mut buf = [0u8; 1024];
        let read = self.stream.read(&mut buf);
        self.stream
            .set_read_timeout(Some(READ_TIMEOUT))
            .map_err(|e| format!("cannot set a timeout: {e}"))?;
        match read {
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                Ok(format!("nothing for {SILENCE:?} {context}"))
            }
            Err(e) => Err(format!("{context}: read failed: {e}")),
            Ok(0) => Err(format!("{context}: the connection closed")),
            Ok(n) => Err(format!(
                "{context}: got {:?}",
                String::from_utf8_lossy(buf.get(..n).unwrap_or_default())
            )),
        }
    }

    /// Everything until the server closes the connection.
    fn read_to_close(&mut self) -> Result<Vec<u8>, String> {
        while self.fill()? > 0 {}
        Ok(std::mem::take(&mut self.pending))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The status code of a response head.
fn status(head: &str) -> Option<u16> {
    head.split(' ').nth(1)?.parse().ok()
}

/// The value of the first field called `name` (any case) in a response head.
fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().skip(1).find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then_some(v.trim())
    })
}

/// The status line of a head, for evidence.
fn first_line(head: &str) -> String {
    head.lines().next().unwrap_or_default().to_string()
}

fn expect_status(head: &str, expected: u16) -> Result<(), String> {
    if status(head) == Some(expected) {
        Ok(())
    } else {
        Err(format!("expected {expected}, got {head:?}"))
    }
}

fn expect_header(head: &str, name: &str, value: &str) -> Result<String, String> {
    match header(head, name) {
        Some(v) if v.eq_ignore_ascii_case(value) => Ok(format!("{name}: {v}")),
        other => Err(format!(
            "expected `{name}: {value}`, got {other:?} in {head:?}"
        )),
    }
}

/// A websocket handshake request (`GET` unless `method` says otherwise) with `extra` fields.
fn websocket_request(server: &Server, method: &str, version: &str, extra: &str) -> String {
    format!(
        "{method} /echo {version}\r\nHost: 127.0.0.1:{}\r\nUpgrade: websocket\r\n\
         Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\n{extra}\r\n",
        server.port()
    )
}

/// Sends a plain request that asks for websocket in some way the server must ignore, and
/// expects the plain answer.
fn plain_answer(env: &Env, version: &str, connection: &str, log: &str) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &[])?;
    let mut raw = Raw::connect(&server)?;
    raw.send(websocket_request(&server, "GET", version, connection).as_bytes())?;
    let head = raw.head()?;
    expect_status(&head, 200)?;
    let body = raw.body(&head)?;
    let hello = format!("hello over {version}: GET /echo");
    if !body.starts_with(&hello) {
        return Err(format!("expected {hello:?}, got {body:?}"));
    }
    Ok(vec![
        format!("> GET /echo {version} with {:?}", connection.trim_end()),
        format!("< {}", first_line(&head)),
        format!("< {}", body.trim_end()),
        server.log_line(log)?,
    ])
}

fn http10_upgrade_ignored(env: &Env) -> Result<Evidence, String> {
    plain_answer(
        env,
        "HTTP/1.0",
        "Connection: Upgrade\r\n",
        "GET /echo continue http10-ignored",
    )
}

fn connection_without_upgrade(env: &Env) -> Result<Evidence, String> {
    plain_answer(
        env,
        "HTTP/1.1",
        "Connection: keep-alive\r\n",
        "GET /echo continue connection-missing-upgrade",
    )
}

fn connection_notupgrade(env: &Env) -> Result<Evidence, String> {
    plain_answer(
        env,
        "HTTP/1.1",
        "Connection: notupgrade\r\n",
        "GET /echo continue connection-missing-upgrade",
    )
}

/// A masked client frame (RFC 6455 section 5.2) with a payload under 126 bytes.
fn client_frame(opcode: u8, payload: &[u8]) -> Result<Vec<u8>, String> {
    let length = u8::try_from(payload.len())
        .ok()
        .filter(|length| *length < 126)
        .ok_or("a test frame longer than 125 bytes")?;
    let mask = [0x37, 0xfa, 0x21, 0x3d];
    let mut frame = vec![0x80 | opcode, 0x80 | length];
    frame.extend_from_slice(&mask);
    frame.extend(payload.iter().zip(mask.iter().cycle()).map(|(b, m)| b ^ m));
    Ok(frame)
}

/// After a websocket 101: a text frame is echoed, and a close is answered with a close.
fn websocket_echo(raw: &mut Raw) -> Result<Vec<String>, String> {
    raw.send(&client_frame(0x1, b"ping")?)?;
    let echo = raw.take(6)?;
    if echo != b"\x81\x04ping" {
        return Err(format!(
            "expected the text frame \"ping\" echoed (81 04 70 69 6e 67), got {echo:02x?}"
        ));
    }
    raw.send(&client_frame(0x8, &1000u16.to_be_bytes())?)?;
    let close = raw.take(4)?;
    if close != b"\x88\x02\x03\xe8" {
        return Err(format!(
            "expected a close frame with 1000 (88 02 03 e8), got {close:02x?}"
        ));
    }
    Ok(vec![
        format!("> text frame \"ping\" (masked); < {echo:02x?}: the echo"),
        format!("> close 1000; < {close:02x?}: close 1000"),
    ])
}

fn websocket_body_before_101(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &[])?;
    let mut raw = Raw::connect(&server)?;
    raw.send(
        websocket_request(
            &server,
            "GET",
            "HTTP/1.1",
            "Connection: Upgrade\r\nContent-Length: 5\r\n",
        )
        .as_bytes(),
    )?;
    let waited = raw.silent("after the head, before the body")?;
    raw.send(b"hello")?;
    let head = raw.head()?;
    expect_status(&head, 101)?;
    let accept = expect_header(&head, "sec-websocket-accept", ACCEPT)?;
    let quiet = raw.silent("after the 101")?;
    let mut evidence = vec![
        "> GET /echo HTTP/1.1 websocket handshake with Content-Length: 5".to_string(),
        waited,
        "> hello".to_string(),
        format!("< {}", first_line(&head)),
        format!("< {accept}"),
        quiet,
    ];
    evidence.extend(websocket_echo(&mut raw)?);
    evidence.push(server.log_line("GET /echo switch switched websocket")?);
    Ok(evidence)
}

fn websocket_post_rejected(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &[])?;
    let mut raw = Raw::connect(&server)?;
    raw.send(
        websocket_request(
            &server,
            "POST",
            "HTTP/1.1",
            "Connection: Upgrade\r\nContent-Length: 5\r\n",
        )
        .as_bytes(),
    )?;
    raw.send(b"hello")?;
    let head = raw.head()?;
    expect_status(&head, 400)?;
    let close = expect_header(&head, "connection", "close")?;
    let body = raw.body(&head)?;
    Ok(vec![
        "> POST /echo HTTP/1.1 websocket handshake with Content-Length: 5, body hello".to_string(),
        format!("< {}", first_line(&head)),
        format!("< {close}"),
        format!("< {}", body.trim_end()),
        server.log_line("POST /echo reject websocket-method-not-get websocket")?,
    ])
}

/// An HTTP/2 frame read from the raw connection.
struct Frame {
    kind: u8,
    flags: u8,
    stream: u32,
    payload: Vec<u8>,
}

fn read_frame(raw: &mut Raw) -> Result<Frame, String> {
    let head = raw.take(9)?;
    let [l0, l1, l2, kind, flags, s0, s1, s2, s3] =
        <[u8; 9]>::try_from(head.as_slice()).map_err(|_| "a short frame header".to_string())?;
    let length = usize::from(l0) << 16 | usize::from(l1) << 8 | usize::from(l2);
    Ok(Frame {
        kind,
        flags,
        stream: u32::from_be_bytes([s0 & 0x7f, s1, s2, s3]),
        payload: raw.take(length)?,
    })
}

fn h2c_post_body_before_101(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &[])?;
    let mut raw = Raw::connect(&server)?;
    raw.send(
        format!(
            "POST /raw HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: Upgrade, HTTP2-Settings\r\n\
             Upgrade: h2c\r\nHTTP2-Settings: {HTTP2_SETTINGS}\r\nContent-Length: 5\r\n\r\n",
            server.port()
        )
        .as_bytes(),
    )?;
    let waited = raw.silent("after the head, before the body")?;
    raw.send(b"hello")?;
    let head = raw.head()?;
    expect_status(&head, 101)?;
    let upgrade = expect_header(&head, "upgrade", "h2c")?;
    raw.send(H2_START)?;

    let first = read_frame(&mut raw)?;
    if first.kind != 0x4 || first.stream != 0 || first.flags & 0x1 != 0 {
        return Err(format!(
            "expected the server's SETTINGS first, got frame type {} flags {} on stream {}: {:02x?}",
            first.kind, first.flags, first.stream, first.payload
        ));
    }
    let mut status = None;
    let mut data = Vec::new();
    loop {
        let frame = read_frame(&mut raw)?;
        if frame.stream != 1 {
            continue;
        }
        match frame.kind {
            // HEADERS: hyper's HPACK encodes `:status: 200` as static index 8, 0x88.
            0x1 => status = frame.payload.first().copied(),
            0x0 => data.extend_from_slice(&frame.payload),
            0x3 => return Err("stream 1 was reset".to_string()),
            _ => {}
        }
        if frame.flags & 0x1 != 0 {
            break;
        }
    }
    let data = String::from_utf8_lossy(&data).into_owned();
    let expected = "hello over HTTP/2.0: POST /raw (5 body bytes)\n";
    if status != Some(0x88) || data != expected {
        return Err(format!(
            "expected :status 200 (0x88) and {expected:?} on stream 1, got {status:02x?} and \
             {data:?}"
        ));
    }
    Ok(vec![
        "> POST /raw HTTP/1.1 h2c upgrade with Content-Length: 5".to_string(),
        waited,
        "> hello".to_string(),
        format!("< {}", first_line(&head)),
        format!("< {upgrade}"),
        "> HTTP/2 preface, SETTINGS".to_string(),
        format!(
            "< SETTINGS on stream 0 ({} bytes), the server's first frame",
            first.payload.len()
        ),
        "< HEADERS on stream 1 (:status 200)".to_string(),
        format!("< DATA on stream 1: {:?}", data.trim_end()),
        server.log_line("POST /raw switch switched h2c")?,
    ])
}

fn expect_100_continue(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &[])?;
    let mut raw = Raw::connect(&server)?;
    raw.send(
        websocket_request(
            &server,
            "GET",
            "HTTP/1.1",
            "Connection: Upgrade\r\nExpect: 100-continue\r\nContent-Length: 5\r\n",
        )
        .as_bytes(),
    )?;
    let interim = raw.head()?;
    expect_status(&interim, 100)?;
    let waited = raw.silent("after the 100, before the body")?;
    raw.send(b"hello")?;
    let head = raw.head()?;
    expect_status(&head, 101)?;
    let mut evidence = vec![
        "> GET /echo websocket handshake with Expect: 100-continue, Content-Length: 5".to_string(),
        format!("< {}", first_line(&interim)),
        waited,
        "> hello".to_string(),
        format!("< {}", first_line(&head)),
    ];
    evidence.extend(websocket_echo(&mut raw)?);
    evidence.push(server.log_line("GET /echo switch switched websocket")?);
    Ok(evidence)
}

fn prior_knowledge_400(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &["--offer", "websocket"])?;
    let mut raw = Raw::connect(&server)?;
    raw.send(H2_START)?;
    let answer = raw.read_to_close()?;
    let answer = String::from_utf8_lossy(&answer).into_owned();
    expect_status(&answer, 400)?;
    let close = expect_header(&answer, "connection", "close")?;
    Ok(vec![
        "> HTTP/2 preface, SETTINGS".to_string(),
        format!("< {}", first_line(&answer)),
        format!("< {close}"),
        "< end of stream: the server closed the connection".to_string(),
        server.log_line("PRI * reject request-malformed")?,
    ])
}

fn require_426(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &["--require"])?;
    let mut raw = Raw::connect(&server)?;
    let request = format!(
        "GET /plain HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
        server.port()
    );
    raw.send(request.as_bytes())?;
    let head = raw.head()?;
    expect_status(&head, 426)?;
    let upgrade = expect_header(&head, "upgrade", "websocket, h2c")?;
    let connection = expect_header(&head, "connection", "upgrade")?;
    let body = raw.body(&head)?;
    // The connection carries the next request.
    raw.send(request.as_bytes())?;
    let again = raw.head()?;
    expect_status(&again, 426)?;
    Ok(vec![
        "> GET /plain HTTP/1.1".to_string(),
        format!("< {}", first_line(&head)),
        format!("< {upgrade}"),
        format!("< {connection}"),
        format!("< {}", body.trim_end()),
        format!("> GET /plain again; < {}", first_line(&again)),
        server.log_line("GET /plain required no-upgrade-field")?,
    ])
}

fn upgrade_malformed_400(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &[])?;
    let mut raw = Raw::connect(&server)?;
    raw.send(
        format!(
            "GET /chat HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: Upgrade\r\n\
             Upgrade: websocket;q=1\r\n\r\n",
            server.port()
        )
        .as_bytes(),
    )?;
    let head = raw.head()?;
    expect_status(&head, 400)?;
    let close = expect_header(&head, "connection", "close")?;
    let body = raw.body(&head)?;
    raw.read_to_close()?;
    Ok(vec![
        "> GET /chat with Upgrade: websocket;q=1".to_string(),
        format!("< {}", first_line(&head)),
        format!("< {close}"),
        format!("< {}", body.trim_end()),
        "< end of stream: the server closed the connection".to_string(),
        server.log_line("GET /chat reject upgrade-malformed")?,
    ])
}
