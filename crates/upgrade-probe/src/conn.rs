//! One connection to the target, and a reader that sees its raw bytes, bounded in time and
//! size.
//!
//! Every read waits at most until a deadline, and a connection never takes in more than
//! [`Bounds::received`] bytes, so a silent server, an endless one, or one that resets gives a
//! [`Stop`] rather than a hang. Responses are read to their end by their framing (RFC 9112
//! section 6.3), so that a second request can follow on the same connection and no time is
//! spent waiting for bytes that cannot come.
//!
//! The reader is generic over its [`Source`] of bytes: a socket here, a script of reads in the
//! fuzz target `read_answers` ([`crate::replay`]), which holds it to the test kit's reference
//! reader however the bytes are cut into reads. Every bound is checked against what was asked
//! for, not against how much happened to arrive, so the cutting cannot change an answer.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::{ClientConfig, ClientConnection, StreamOwned};

use crate::target::{Scheme, Target};
use crate::tls;

/// The most field lines of one response head.
const MAX_FIELDS: usize = upgrade_testkit::reading::MAX_FIELDS;
/// The most interim (1xx) responses before a final one.
const MAX_INTERIMS: usize = upgrade_testkit::reading::MAX_INTERIMS;
/// How much of what came back is kept for the report.
const MAX_TRANSCRIPT: usize = upgrade_testkit::reading::MAX_TRANSCRIPT;
/// The longest wait: a longer timeout or window is cut to it, so that no deadline overflows
/// `Instant` ([`deadline_after`]).
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The size bounds of a connection's reader.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bounds {
    /// The most bytes of one response head, and of one line of a chunked body.
    pub(crate) head: usize,
    /// The most bytes one connection reads in all; an endless server stops here.
    pub(crate) received: usize,
}

impl Bounds {
    /// The probe's bounds.
    pub(crate) const DEFAULT: Bounds = Bounds {
        head: 64 << 10,
        received: 1 << 20,
    };
}

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
    /// Only the first `bound` bytes are read: a head that does not end within them is
    /// [`Stop::TooLarge`] as soon as they are there.
    pub(crate) fn parse(bytes: &[u8], bound: usize) -> Result<Option<Head>, Stop> {
        let mut fields = [httparse::EMPTY_HEADER; MAX_FIELDS];
        let mut response = httparse::Response::new(&mut fields);
        match response.parse(bytes.get(..bound).unwrap_or(bytes)) {
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
            Ok(httparse::Status::Partial) if bytes.len() >= bound => Err(Stop::TooLarge),
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

/// Where a connection's bytes come from.
pub(crate) trait Source {
    /// Reads into `chunk`, waiting at most `wait`: `Ok(0)` when the peer closed, an error of
    /// kind `WouldBlock` or `TimedOut` when nothing came in time.
    fn read_within(&mut self, chunk: &mut [u8], wait: Duration) -> io::Result<usize>;
}

/// A socket to the target, plain or TLS.
pub(crate) enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ClientConnection, TcpStream>>),
}

impl Source for Stream {
    fn read_within(&mut self, chunk: &mut [u8], wait: Duration) -> io::Result<usize> {
        let tcp = match self {
            Stream::Plain(tcp) => tcp,
            Stream::Tls(tls) => tls.get_ref(),
        };
        // A socket error here is the connection failing, not a timeout.
        tcp.set_read_timeout(Some(wait))
            .map_err(|e| io::Error::new(io::ErrorKind::ConnectionReset, e))?;
        match self {
            Stream::Plain(tcp) => tcp.read(chunk),
            Stream::Tls(tls) => tls.read(chunk),
        }
    }
}

/// One connection to the target, its unread bytes and a transcript of what came back.
pub(crate) struct Conn<S = Stream> {
    source: S,
    bounds: Bounds,
    buf: Vec<u8>,
    received: usize,
    transcript: Vec<u8>,
    timeout: Duration,
}

/// Why a connection could not be made.
#[derive(Debug)]
pub(crate) struct ConnectError(pub(crate) String);

impl Conn<Stream> {
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
                let deadline = deadline_after(timeout);
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
        Ok(Conn::new(stream, Bounds::DEFAULT, timeout))
    }

    /// Sends all of `bytes`.
    pub(crate) fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        match &mut self.source {
            Stream::Plain(tcp) => tcp.write_all(bytes)?,
            Stream::Tls(tls) => tls.write_all(bytes)?,
        }
        match &mut self.source {
            Stream::Plain(tcp) => tcp.flush(),
            Stream::Tls(tls) => tls.flush(),
        }
    }
}

impl<S: Source> Conn<S> {
    /// A reader of `source`, every read bounded by `timeout` (at most a day) and `bounds`.
    pub(crate) fn new(source: S, bounds: Bounds, timeout: Duration) -> Conn<S> {
        Conn {
            source,
            bounds,
            buf: Vec::new(),
            received: 0,
            transcript: Vec::new(),
            timeout,
        }
    }

    /// How many bytes of what came back the answers read so far have taken.
    pub(crate) fn consumed(&self) -> usize {
        self.received - self.buf.len()
    }

    /// A deadline `timeout` from now.
    pub(crate) fn deadline(&self) -> Instant {
        deadline_after(self.timeout)
    }

    /// How many bytes came back on this connection.
    pub(crate) fn received(&self) -> usize {
        self.received
    }

    /// The first bytes that came back, for the report.
    pub(crate) fn transcript(&self) -> &[u8] {
        &self.transcript
    }

    /// Reads once, waiting at most until `deadline`, and appends to the unread bytes.
    fn fill(&mut self, deadline: Instant) -> Result<(), Stop> {
        if self.received >= self.bounds.received {
            return Err(Stop::TooLarge);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(Stop::Silence);
        }
        // A zero read timeout means "block forever" to the OS: never pass one.
        let wait = (deadline - now).max(Duration::from_millis(1));
        let mut chunk = [0u8; 8192];
        let room = (self.bounds.received - self.received).min(chunk.len());
        let Some(chunk) = chunk.get_mut(..room) else {
            return Err(Stop::TooLarge);
        };
        match self.source.read_within(chunk, wait) {
            Ok(0) => Err(Stop::Closed),
            Ok(n) => {
                // A source that claims more than the room it was given is held to the room.
                let n = n.min(chunk.len());
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
        let deadline = deadline_after(window);
        match self.fill(deadline) {
            Ok(()) => Ok(true),
            Err(Stop::Silence) => Ok(false),
            Err(stop) => Err(stop),
        }
    }

    /// Takes exactly `n` bytes.
    pub(crate) fn take(&mut self, n: usize, deadline: Instant) -> Result<Vec<u8>, Stop> {
        if n > self.bounds.received {
            return Err(Stop::TooLarge);
        }
        while self.buf.len() < n {
            self.fill(deadline)?;
        }
        let rest = self.buf.split_off(n);
        Ok(std::mem::replace(&mut self.buf, rest))
    }

    /// Takes one line ending in CRLF (or LF), without its ending. A line longer than the head
    /// bound, its ending included, is [`Stop::TooLarge`].
    fn take_line(&mut self, deadline: Instant) -> Result<Vec<u8>, Stop> {
        loop {
            let window = self.buf.get(..self.bounds.head).unwrap_or(&self.buf);
            if let Some(end) = window.iter().position(|&b| b == b'\n') {
                let mut line = self.take(end + 1, deadline)?;
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(line);
            }
            if self.buf.len() >= self.bounds.head {
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
            if prefix == 5
                && let Some(head) = Head::parse(&self.buf, self.bounds.head)?
            {
                self.buf.drain(..head.raw.len().min(self.buf.len()));
                return Ok(head);
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
        // A status outside 100 to 599 is read as a 5xx (RFC 9110 section 15), with a body.
        if matches!(head.status, 100..=199 | 204 | 304) || method == "HEAD" {
            return Ok(Vec::new());
        }
        if head.has("transfer-encoding") {
            // The last coding of all the lines, empty list elements skipped (RFC 9110 section
            // 5.6.1): chunked only when it is `chunked` (RFC 9112 section 6.3).
            let last = head
                .values("transfer-encoding")
                .flat_map(|v| v.split(|&b| b == b','))
                .map(trim_ows)
                .filter(|coding| !coding.is_empty())
                .last();
            if last.is_some_and(|coding| coding.eq_ignore_ascii_case(b"chunked")) {
                return self.read_chunked(deadline);
            }
            return self.read_to_close(deadline);
        }
        let mut lengths = head
            .values("content-length")
            .flat_map(|v| v.split(|&b| b == b','))
            .map(trim_ows);
        match lengths.next() {
            None => self.read_to_close(deadline),
            Some(first) => {
                if lengths.any(|other| other != first) {
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
            // `chunk-size [ chunk-ext ]` (RFC 9112 section 7.1): hex digits, spaces or tabs
            // around them, the extensions skipped.
            let size = trim_ows(line.split(|&b| b == b';').next().unwrap_or_default());
            let size = std::str::from_utf8(size)
                .ok()
                .filter(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit()))
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

/// `bytes` without the spaces and tabs at either end (OWS).
pub(crate) fn trim_ows(bytes: &[u8]) -> &[u8] {
    let ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes.iter().position(|b| !ows(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !ows(b)).map_or(start, |i| i + 1);
    bytes.get(start..end).unwrap_or_default()
}

/// The instant `wait` from now, `wait` cut to [`MAX_TIMEOUT`]: `Options` takes any `Duration`,
/// and `Instant + Duration` panics on overflow.
fn deadline_after(wait: Duration) -> Instant {
    Instant::now() + wait.min(MAX_TIMEOUT)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::VecDeque;

    use super::*;

    #[test]
    fn a_deadline_from_the_longest_duration_does_not_overflow() {
        assert!(deadline_after(Duration::MAX) > Instant::now());
    }

    /// A source that returns these reads in turn, then waits out every read.
    struct Reads(VecDeque<io::Result<&'static [u8]>>);

    impl Source for Reads {
        fn read_within(&mut self, chunk: &mut [u8], _wait: Duration) -> io::Result<usize> {
            let bytes = self
                .0
                .pop_front()
                .unwrap_or_else(|| Err(io::ErrorKind::TimedOut.into()))?;
            let n = bytes.len().min(chunk.len());
            chunk[..n].copy_from_slice(&bytes[..n]);
            Ok(n)
        }
    }

    fn conn(reads: impl IntoIterator<Item = io::Result<&'static [u8]>>) -> Conn<Reads> {
        let source = Reads(reads.into_iter().collect());
        Conn::new(source, Bounds::DEFAULT, Duration::from_secs(5))
    }

    const WINDOW: Duration = Duration::from_millis(50);

    #[test]
    fn nothing_within_the_window_is_silence_not_an_end() {
        assert_eq!(conn([]).anything_within(WINDOW), Ok(false));
    }

    #[test]
    fn a_close_or_a_reset_within_the_window_ends_the_wait() {
        assert_eq!(
            conn([Ok(&b""[..])]).anything_within(WINDOW),
            Err(Stop::Closed)
        );
        let reset = Err(io::ErrorKind::ConnectionReset.into());
        assert_eq!(conn([reset]).anything_within(WINDOW), Err(Stop::Reset));
    }

    #[test]
    fn bytes_that_arrive_within_the_window_stay_unread_for_the_answer() {
        let mut conn = conn([Ok(&b"HTTP/1.1 204 No Content\r\n\r\n"[..])]);
        assert_eq!(conn.anything_within(WINDOW), Ok(true));
        // Bytes already held answer without a read: the source has none left to give.
        assert_eq!(conn.anything_within(WINDOW), Ok(true));
        let answer = conn.read_answer("GET");
        assert_eq!(answer.end.map(|f| f.head.status), Ok(204));
        assert_eq!(conn.consumed(), 27);
    }
}
