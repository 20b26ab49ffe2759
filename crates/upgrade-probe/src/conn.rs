//! One connection to the target, and a reader that sees its raw bytes, bounded in time and
//! size.
//!
//! Every read waits at most until a deadline, and a connection never buffers more than
//! [`MAX_RECEIVED`] bytes, so a silent server, an endless one, or one that resets gives an
//! [`Stop`] rather than a hang. Responses are read to their end by their framing (RFC 9112
//! section 6.3), so that a second request can follow on the same connection and no time is
//! spent waiting for bytes that cannot come.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::{ClientConfig, ClientConnection, StreamOwned};

use crate::target::{Scheme, Target};
use crate::tls;

/// The most bytes one connection reads in all; an endless server stops here.
pub(crate) const MAX_RECEIVED: usize = 1 << 20;
/// The most bytes of one response head.
pub(crate) const MAX_HEAD: usize = 64 << 10;
/// The most field lines of one response head.
const MAX_FIELDS: usize = 100;
/// The most interim (1xx) responses before a final one.
const MAX_INTERIMS: usize = 8;
/// How much of what came back is kept for the report.
const MAX_TRANSCRIPT: usize = 4 << 10;

/// Why a read ended without what was expected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// Nothing more arrived before the deadline.
    Silence,
    /// The server closed the connection.
    Closed,
    /// The connection was reset or failed.
    Reset,
    /// The server sent more than the bounds allow.
    TooLarge,
    /// Bytes that do not start an HTTP/1.x response: the new protocol without a 101, a raw
    /// tunnel, garbage.
    NotHttp,
    /// A response head that does not parse.
    Malformed,
}

impl Stop {
    /// How the report says it.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Stop::Silence => "no answer before the timeout",
            Stop::Closed => "the connection was closed",
            Stop::Reset => "the connection was reset",
            Stop::TooLarge => "the answer went over the size bound",
            Stop::NotHttp => "bytes that are not an HTTP/1.x response",
            Stop::Malformed => "a response head that does not parse",
        }
    }
}

/// A response head as it came: the status line's version and status, the field lines in
/// order, and the raw bytes.
#[derive(Clone, Debug)]
pub(crate) struct Head {
    /// `1` for `HTTP/1.1`, `0` for `HTTP/1.0`.
    pub(crate) minor: u8,
    pub(crate) status: u16,
    pub(crate) fields: Vec<(String, Vec<u8>)>,
    pub(crate) raw: Vec<u8>,
}

impl Head {
    /// The values of every field line named `name`, ignoring ASCII case.
    pub(crate) fn values<'h>(&'h self, name: &'h str) -> impl Iterator<Item = &'h [u8]> + 'h {
        self.fields
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// Parses the response head at the start of `bytes`: `Ok(None)` while it is incomplete.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Option<Head>, Stop> {
        let mut fields = [httparse::EMPTY_HEADER; MAX_FIELDS];
        let mut response = httparse::Response::new(&mut fields);
        match response.parse(bytes) {
            Ok(httparse::Status::Complete(len)) => Ok(Some(Head {
                minor: response.version.unwrap_or(1),
                status: response.code.unwrap_or(0),
                fields: response
                    .headers
                    .iter()
                    .map(|h| (h.name.to_owned(), h.value.to_vec()))
                    .collect(),
                raw: bytes.get(..len).unwrap_or_default().to_vec(),
            })),
            Ok(httparse::Status::Partial) => Ok(None),
            Err(_) => Err(Stop::Malformed),
        }
    }

    /// Whether a field line named `name` is present.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.values(name).next().is_some()
    }

    /// Whether the status line starts with exactly `HTTP/1.1 ` (RFC 9112 section 2.3: the
    /// version of the message, case-sensitive).
    pub(crate) fn is_http11_line(&self) -> bool {
        self.raw.starts_with(b"HTTP/1.1 ")
    }
}

/// A final response, read to its end by its framing so that the connection can carry another
/// request; the body itself is not judged.
#[derive(Clone, Debug)]
pub(crate) struct Final {
    pub(crate) head: Head,
}

/// Everything a request got back: interim responses, then a final response or why there was
/// none.
#[derive(Clone, Debug)]
pub(crate) struct Answer {
    pub(crate) interims: Vec<Head>,
    pub(crate) end: Result<Final, Stop>,
}

enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Stream {
    fn tcp(&self) -> &TcpStream {
        match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref(),
        }
    }
}

/// One connection to the target, its unread bytes and a transcript of what came back.
pub(crate) struct Conn {
    stream: Stream,
    buf: Vec<u8>,
    received: usize,
    transcript: Vec<u8>,
    timeout: Duration,
}

/// Why a connection could not be made.
#[derive(Debug)]
pub(crate) struct ConnectError(pub(crate) String);

impl Conn {
    /// Connects to `target` (TLS with `tls` for `https://`), every step bounded by `timeout`.
    pub(crate) fn connect(
        target: &Target,
        tls: Option<&Arc<ClientConfig>>,
        timeout: Duration,
    ) -> Result<Conn, ConnectError> {
        let addresses: Vec<SocketAddr> = (target.host(), target.port())
            .to_socket_addrs()
            .map_err(|e| ConnectError(format!("cannot resolve {}: {e}", target.host())))?
            .collect();
        let mut last = ConnectError(format!("{} has no address", target.host()));
        for address in addresses.iter().take(4) {
            match TcpStream::connect_timeout(address, timeout) {
                Ok(tcp) => return Conn::start(target, tcp, tls, timeout),
                Err(e) => last = ConnectError(format!("cannot connect to {address}: {e}")),
            }
        }
        Err(last)
    }

    fn start(
        target: &Target,
        tcp: TcpStream,
        tls: Option<&Arc<ClientConfig>>,
        timeout: Duration,
    ) -> Result<Conn, ConnectError> {
        let setup = |e: io::Error| ConnectError(format!("cannot set up the connection: {e}"));
        tcp.set_nodelay(true).map_err(setup)?;
        tcp.set_write_timeout(Some(timeout)).map_err(setup)?;
        tcp.set_read_timeout(Some(timeout)).map_err(setup)?;
        let stream = match (target.scheme(), tls) {
            (Scheme::Https, Some(config)) => {
                let name = tls::server_name(target.host()).map_err(ConnectError)?;
                let client = ClientConnection::new(Arc::clone(config), name)
                    .map_err(|e| ConnectError(format!("TLS: {e}")))?;
                let mut tls = StreamOwned::new(client, tcp);
                let deadline = Instant::now() + timeout;
                while tls.conn.is_handshaking() {
                    if Instant::now() >= deadline {
                        return Err(ConnectError("TLS handshake timed out".into()));
                    }
                    tls.conn
                        .complete_io(&mut tls.sock)
                        .map_err(|e| ConnectError(format!("TLS handshake: {e}")))?;
                }
                Stream::Tls(Box::new(tls))
            }
            _ => Stream::Plain(tcp),
        };
        Ok(Conn {
            stream,
            buf: Vec::new(),
            received: 0,
            transcript: Vec::new(),
            timeout,
        })
    }

    /// A deadline `timeout` from now.
    pub(crate) fn deadline(&self) -> Instant {
        Instant::now() + self.timeout
    }

    /// How many bytes came back on this connection.
    pub(crate) fn received(&self) -> usize {
        self.received
    }

    /// The first bytes that came back, for the report.
    pub(crate) fn transcript(&self) -> &[u8] {
        &self.transcript
    }

    /// Sends all of `bytes`.
    pub(crate) fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.stream {
            Stream::Plain(tcp) => tcp.write_all(bytes)?,
            Stream::Tls(tls) => tls.write_all(bytes)?,
        }
        match &mut self.stream {
            Stream::Plain(tcp) => tcp.flush(),
            Stream::Tls(tls) => tls.flush(),
        }
    }

    /// Reads once, waiting at most until `deadline`, and appends to the unread bytes.
    fn fill(&mut self, deadline: Instant) -> Result<(), Stop> {
        if self.received >= MAX_RECEIVED {
            return Err(Stop::TooLarge);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Stop::Silence);
        }
        // A zero read timeout means "block forever" to the OS: never pass one.
        let wait = (deadline - now).max(Duration::from_millis(1));
        if self.stream.tcp().set_read_timeout(Some(wait)).is_err() {
            return Err(Stop::Reset);
        }
        let mut chunk = [0u8; 8192];
        let room = (MAX_RECEIVED - self.received).min(chunk.len());
        let Some(chunk) = chunk.get_mut(..room) else {
            return Err(Stop::TooLarge);
        };
        let read = match &mut self.stream {
            Stream::Plain(tcp) => tcp.read(chunk),
            Stream::Tls(tls) => tls.read(chunk),
        };
        match read {
            Ok(0) => Err(Stop::Closed),
            Ok(n) => {
                let bytes = chunk.get(..n).unwrap_or_default();
                self.received += n;
                self.buf.extend_from_slice(bytes);
                let keep = MAX_TRANSCRIPT.saturating_sub(self.transcript.len()).min(n);
                self.transcript
                    .extend_from_slice(bytes.get(..keep).unwrap_or_default());
                Ok(())
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                Err(Stop::Silence)
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            // A TLS close without close_notify is still the end of the connection.
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Err(Stop::Closed),
            Err(_) => Err(Stop::Reset),
        }
    }

    /// Waits up to `window` for anything to arrive: `Ok(true)` when bytes are there (they
    /// stay unread), `Ok(false)` when nothing came, `Err` when the connection ended.
    pub(crate) fn anything_within(&mut self, window: Duration) -> Result<bool, Stop> {
        if !self.buf.is_empty() {
            return Ok(true);
        }
        let deadline = Instant::now() + window;
        match self.fill(deadline) {
            Ok(()) => Ok(true),
            Err(Stop::Silence) => Ok(false),
            Err(stop) => Err(stop),
        }
    }

    /// Takes exactly `n` bytes.
    pub(crate) fn take(&mut self, n: usize, deadline: Instant) -> Result<Vec<u8>, Stop> {
        if n > MAX_RECEIVED {
            return Err(Stop::TooLarge);
        }
        while self.buf.len() < n {
            self.fill(deadline)?;
        }
        let rest = self.buf.split_off(n);
        Ok(std::mem::replace(&mut self.buf, rest))
    }

    /// Takes one line ending in CRLF (or LF), without its ending.
    fn take_line(&mut self, deadline: Instant) -> Result<Vec<u8>, Stop> {
        loop {
            if let Some(end) = self.buf.iter().position(|&b| b == b'\n') {
                let mut line = self.take(end + 1, deadline)?;
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buf.len() > MAX_HEAD {
                return Err(Stop::TooLarge);
            }
            self.fill(deadline)?;
        }
    }

    /// Reads one response head.
    pub(crate) fn read_head(&mut self, deadline: Instant) -> Result<Head, Stop> {
        loop {
            let prefix = self.buf.len().min(5);
            if self.buf.get(..prefix) != b"HTTP/".get(..prefix) {
                return Err(Stop::NotHttp);
            }
            if prefix == 5 {
                match Head::parse(&self.buf) {
                    Ok(Some(head)) => {
                        self.buf.drain(..head.raw.len().min(self.buf.len()));
                        return Ok(head);
                    }
                    Ok(None) => {}
                    Err(stop) => return Err(stop),
                }
            }
            if self.buf.len() > MAX_HEAD {
                return Err(Stop::TooLarge);
            }
            self.fill(deadline)?;
        }
    }

    /// Reads interim responses and the final response with its body. A 101 is final here: what
    /// follows it is the new protocol, left unread.
    pub(crate) fn read_answer(&mut self, method: &str) -> Answer {
        self.answer_from(None, method)
    }

    /// [`Conn::read_answer`] when the first head has already been read.
    pub(crate) fn answer_from(&mut self, first: Option<Head>, method: &str) -> Answer {
        let deadline = self.deadline();
        let mut interims = Vec::new();
        let mut next = first;
        let end = loop {
            let head = match next.take() {
                Some(head) => Ok(head),
                None => self.read_head(deadline),
            };
            match head {
                Ok(head) if (100..200).contains(&head.status) && head.status != 101 => {
                    interims.push(head);
                    if interims.len() > MAX_INTERIMS {
                        break Err(Stop::TooLarge);
                    }
                }
                Ok(head) => {
                    break self
                        .read_body(&head, method, deadline)
                        .map(|_| Final { head });
                }
                Err(stop) => break Err(stop),
            }
        };
        Answer { interims, end }
    }

    /// Reads the body of a final response by its framing (RFC 9112 section 6.3).
    fn read_body(&mut self, head: &Head, method: &str, deadline: Instant) -> Result<Vec<u8>, Stop> {
        if head.status < 200 || head.status == 204 || head.status == 304 || method == "HEAD" {
            return Ok(Vec::new());
        }
        if let Some(codings) = head.values("transfer-encoding").last() {
            let last = codings.rsplit(|&b| b == b',').next().unwrap_or_default();
            if last.trim_ascii().eq_ignore_ascii_case(b"chunked") {
                return self.read_chunked(deadline);
            }
            return self.read_to_close(deadline);
        }
        let mut lengths = head
            .values("content-length")
            .flat_map(|v| v.split(|&b| b == b','));
        match lengths.next() {
            None => self.read_to_close(deadline),
            Some(first) => {
                let first = first.trim_ascii();
                if lengths.any(|other| other.trim_ascii() != first) {
                    return Err(Stop::Malformed);
                }
                let length = std::str::from_utf8(first)
                    .ok()
                    .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|s| s.parse::<usize>().ok())
                    .ok_or(Stop::Malformed)?;
                self.take(length, deadline)
            }
        }
    }

    fn read_chunked(&mut self, deadline: Instant) -> Result<Vec<u8>, Stop> {
        let mut body = Vec::new();
        loop {
            let line = self.take_line(deadline)?;
            let size = line
                .split(|&b| b == b';')
                .next()
                .unwrap_or_default()
                .trim_ascii();
            let size = std::str::from_utf8(size)
                .ok()
                .filter(|s| !s.is_empty() && s.len() <= 8)
                .and_then(|s| usize::from_str_radix(s, 16).ok())
                .ok_or(Stop::Malformed)?;
            if size == 0 {
                // Trailer fields, up to the empty line.
                while !self.take_line(deadline)?.is_empty() {}
                return Ok(body);
            }
            body.extend(self.take(size, deadline)?);
            if !self.take_line(deadline)?.is_empty() {
                return Err(Stop::Malformed);
            }
        }
    }

    fn read_to_close(&mut self, deadline: Instant) -> Result<Vec<u8>, Stop> {
        loop {
            match self.fill(deadline) {
                Ok(()) => {}
                // The body ends with the connection; a server that keeps it open has sent what
                // it had by the deadline.
                Err(Stop::Closed | Stop::Silence) => return Ok(std::mem::take(&mut self.buf)),
                Err(stop) => return Err(stop),
            }
        }
    }
}
