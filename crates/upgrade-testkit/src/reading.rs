//! A server's byte stream read as responses, the way the probe reads what comes back: the
//! [`Script`] a fuzz input decodes to (the stream, how it is cut into reads, how it ends, the
//! bounds), the reference reader [`reference_read`], and [`check_read`], which holds a reader
//! to the reference whatever the cutting.
//!
//! The reference reads the stream as one byte string, by RFC 9112:
//!
//! - a response head (section 2.1) must start with `HTTP/`; it is parsed by httparse with room
//!   for [`MAX_FIELDS`] field lines, and one longer than [`Bounds::head`] is too large;
//! - interim responses (1xx but 101, RFC 9110 section 15.2) come before the final one, at most
//!   [`MAX_INTERIMS`] of them;
//! - a 101 ends the reading: what follows is the new protocol;
//! - the body of a final response (section 6.3): none after `HEAD`, for 1xx, 204 and 304; if
//!   `Transfer-Encoding` is present, chunked when `chunked` is its last coding (section 7.1,
//!   the chunk extensions and trailer fields skipped) and read to the end of the stream
//!   otherwise; else `Content-Length` (every value of every line the same, RFC 9110 section
//!   8.6); else to the end of the stream;
//! - the stream stops short with the [`End`] of the script, or [`Stop::TooLarge`] when it is at
//!   least [`Bounds::received`] bytes long, the most a reader takes in.
//!
//! The leniencies are the probe's: a line may end in LF alone (RFC 9112 section 2.2), the
//! chunk size may have spaces or tabs on either side, empty list elements are skipped.

use arbitrary::Arbitrary;

use crate::reference::trim_ows;
use crate::rng::SplitMix64;

/// The most field lines of one response head.
pub const MAX_FIELDS: usize = 100;
/// The most interim responses before a final one.
pub const MAX_INTERIMS: usize = 8;
/// How many of the first bytes a reader keeps as its transcript.
pub const MAX_TRANSCRIPT: usize = 4 << 10;

/// The size bounds of a reader.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bounds {
    /// The most bytes of one response head, and of one line of a chunked body.
    pub head: usize,
    /// The most bytes read from the stream in all.
    pub received: usize,
}

/// How the stream ends after its last byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The server closes the connection.
    Closed,
    /// The connection is reset.
    Reset,
    /// Nothing more comes until the deadline.
    Silence,
    /// The stream ends without TLS's `close_notify`: read as a close.
    Truncated,
}

impl End {
    fn stop(self) -> Stop {
        match self {
            End::Closed | End::Truncated => Stop::Closed,
            End::Reset => Stop::Reset,
            End::Silence => Stop::Silence,
        }
    }
}

/// Why a read ended without a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// Nothing more arrived before the deadline.
    Silence,
    /// The server closed the connection.
    Closed,
    /// The connection was reset.
    Reset,
    /// Over a bound: [`Bounds`], [`MAX_INTERIMS`], or a `Content-Length` over
    /// [`Bounds::received`].
    TooLarge,
    /// Bytes that do not start with `HTTP/`.
    NotHttp,
    /// A head that does not parse, or a body whose framing does not.
    Malformed,
}

/// One read of the stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cut {
    /// The most bytes this read returns.
    pub size: usize,
    /// Whether the read is interrupted once (`EINTR`) before it returns them.
    pub interrupted: bool,
}

impl Cut {
    /// A read that returns as much as it is asked for.
    pub const WHOLE: Cut = Cut {
        size: usize::MAX,
        interrupted: false,
    };

    /// One cut of a fuzz input: bit 0 an interruption, the rest the size less one.
    pub const fn from_byte(c: u8) -> Cut {
        Cut {
            size: (c >> 1) as usize + 1,
            interrupted: c & 1 == 1,
        }
    }

    /// The cut of read `n` (from 0) when `cuts` are used in turn; [`Cut::WHOLE`] when there are
    /// none.
    pub fn in_turn(cuts: &[Cut], n: usize) -> Cut {
        cuts.get(n % cuts.len().max(1))
            .copied()
            .unwrap_or(Cut::WHOLE)
    }

    /// Decodes a run of cuts at the start of a fuzz input: the first byte says how many cuts
    /// follow (its value mod 16), each cut is a byte (bit 0 an interruption, the rest the size
    /// less one), and what comes after them is returned as it is. Missing bytes count as zero.
    pub fn decode_run(data: &[u8]) -> (Vec<Cut>, &[u8]) {
        let count = usize::from(data.first().copied().unwrap_or(0) % 16);
        let end = (1 + count).min(data.len());
        let cuts = data
            .get(1..end)
            .unwrap_or_default()
            .iter()
            .map(|&c| Cut::from_byte(c))
            .collect();
        (cuts, data.get(end..).unwrap_or_default())
    }
}

/// A final response as the reader saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Final {
    /// Its status code.
    pub status: u16,
    /// The minor version of its status line.
    pub minor: u8,
    /// The length of its head.
    pub head_len: usize,
}

/// What one request got back: the status codes of the interim responses, then the final
/// response or why there was none.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The interim responses' status codes, in order.
    pub interims: Vec<u16>,
    /// The final response, read to its end, or why there was none.
    pub end: Result<Final, Stop>,
}

/// Everything a reader did with a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Read {
    /// One answer for each request, up to the first that ended in a [`Stop`] or a 101.
    pub answers: Vec<Answer>,
    /// How many bytes of the stream the answers took.
    pub consumed: usize,
    /// How many bytes were read from the stream.
    pub received: usize,
    /// The transcript the reader kept.
    pub transcript: Vec<u8>,
}

/// A server's answers to a run of requests on one connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Script {
    /// The method of every request: `GET` or `HEAD`.
    pub method: &'static str,
    /// How many requests were sent, one answer read for each.
    pub requests: usize,
    /// The reader's bounds.
    pub bounds: Bounds,
    /// How the stream ends.
    pub end: End,
    /// How the stream is cut into reads, used in turn; none: each read takes what the reader
    /// asks for.
    pub cuts: Vec<Cut>,
    /// Everything the server sends.
    pub stream: Vec<u8>,
}

impl Script {
    /// Decodes a fuzz input:
    ///
    /// - byte 0: bit 0 picks `HEAD` over `GET`, bits 1 and 2 the number of requests (1 to 3),
    ///   bits 3 and 4 the end (closed, reset, silence, truncated);
    /// - byte 1: [`Bounds::head`], 16 plus four times its value;
    /// - byte 2: [`Bounds::received`], the head bound plus 16 times its value;
    /// - byte 3: how many cuts follow (its value mod 16);
    /// - each cut: a byte, bit 0 an interruption, the rest the size less one;
    /// - the rest: the stream.
    ///
    /// Missing bytes count as zero.
    pub fn decode(data: &[u8]) -> Script {
        let byte = |i: usize| data.get(i).copied().unwrap_or(0);
        let flags = byte(0);
        let head = 16 + 4 * usize::from(byte(1));
        let (cuts, stream) = Cut::decode_run(data.get(3..).unwrap_or_default());
        Script {
            method: if flags & 1 == 1 { "HEAD" } else { "GET" },
            requests: usize::from(flags >> 1 & 3) % 3 + 1,
            bounds: Bounds {
                head,
                received: head + 16 * usize::from(byte(2)),
            },
            end: match flags >> 3 & 3 {
                0 => End::Closed,
                1 => End::Reset,
                2 => End::Silence,
                _ => End::Truncated,
            },
            cuts,
            stream: stream.to_vec(),
        }
    }

    /// The fuzz input that decodes to this script (the inverse of [`Script::decode`] for the
    /// scripts it can express), for writing seeds.
    pub fn encode(&self) -> Vec<u8> {
        let method = u8::from(self.method == "HEAD");
        let end = match self.end {
            End::Closed => 0,
            End::Reset => 1,
            End::Silence => 2,
            End::Truncated => 3,
        };
        let requests = (self.requests.clamp(1, 3) - 1) as u8;
        let head = (self.bounds.head.saturating_sub(16) / 4).min(255);
        let received = (self.bounds.received.saturating_sub(16 + 4 * head) / 16).min(255);
        let mut out = vec![
            method | requests << 1 | end << 3,
            head as u8,
            received as u8,
            self.cuts.len().min(15) as u8,
        ];
        for cut in self.cuts.iter().take(15) {
            out.push(((cut.size.clamp(1, 128) - 1) as u8) << 1 | u8::from(cut.interrupted));
        }
        out.extend_from_slice(&self.stream);
        out
    }
}

/// The stream as the reference reads it: the bytes a reader can take in, and where it is.
struct Stream<'s> {
    script: &'s Script,
    /// The first [`Bounds::received`] bytes of the stream.
    bytes: &'s [u8],
    pos: usize,
}

impl Stream<'_> {
    fn rest(&self) -> &[u8] {
        &self.bytes[self.pos..]
    }

    /// Why a read that needs more than the rest stops: the stream's end, or the bound when
    /// the stream goes on past it.
    fn short(&self) -> Stop {
        if self.script.stream.len() >= self.script.bounds.received {
            Stop::TooLarge
        } else {
            self.script.end.stop()
        }
    }

    fn take(&mut self, n: usize) -> Result<(), Stop> {
        if n > self.script.bounds.received {
            return Err(Stop::TooLarge);
        }
        if self.rest().len() < n {
            return Err(self.short());
        }
        self.pos += n;
        Ok(())
    }

    /// One line without its LF or CRLF; a line longer than the head bound is too large.
    fn line(&mut self) -> Result<Vec<u8>, Stop> {
        let bound = self.script.bounds.head;
        let rest = self.rest();
        let window = &rest[..rest.len().min(bound)];
        let Some(lf) = window.iter().position(|&b| b == b'\n') else {
            return Err(if rest.len() >= bound {
                Stop::TooLarge
            } else {
                self.short()
            });
        };
        let mut line = window[..lf].to_vec();
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        self.pos += lf + 1;
        Ok(line)
    }

    fn head(&mut self) -> Result<Head, Stop> {
        let bound = self.script.bounds.head;
        let rest = self.rest();
        let prefix = &rest[..rest.len().min(5)];
        if !b"HTTP/".starts_with(prefix) {
            return Err(Stop::NotHttp);
        }
        if prefix.len() < 5 {
            return Err(self.short());
        }
        let mut fields = [httparse::EMPTY_HEADER; MAX_FIELDS];
        let mut response = httparse::Response::new(&mut fields);
        match response.parse(&rest[..rest.len().min(bound)]) {
            Ok(httparse::Status::Complete(len)) => {
                let head = Head {
                    status: response.code.unwrap_or(0),
                    minor: response.version.unwrap_or(1),
                    len,
                    fields: response
                        .headers
                        .iter()
                        .map(|h| (h.name.to_ascii_lowercase(), h.value.to_vec()))
                        .collect(),
                };
                self.pos += len;
                Ok(head)
            }
            Ok(httparse::Status::Partial) if rest.len() >= bound => Err(Stop::TooLarge),
            Ok(httparse::Status::Partial) => Err(self.short()),
            Err(_) => Err(Stop::Malformed),
        }
    }

    fn answer(&mut self) -> Answer {
        let mut interims = Vec::new();
        let end = loop {
            let head = match self.head() {
                Ok(head) => head,
                Err(stop) => break Err(stop),
            };
            if (100..200).contains(&head.status) && head.status != 101 {
                interims.push(head.status);
                if interims.len() > MAX_INTERIMS {
                    break Err(Stop::TooLarge);
                }
                continue;
            }
            break self.body(&head).map(|()| Final {
                status: head.status,
                minor: head.minor,
                head_len: head.len,
            });
        };
        Answer { interims, end }
    }

    /// RFC 9112 section 6.3, for a response to `GET` or `HEAD`.
    fn body(&mut self, head: &Head) -> Result<(), Stop> {
        if self.script.method == "HEAD" || matches!(head.status, 100..=199 | 204 | 304) {
            return Ok(());
        }
        if head.has("transfer-encoding") {
            let codings = head.elements("transfer-encoding");
            return match codings.last() {
                Some(last) if last.eq_ignore_ascii_case(b"chunked") => self.chunked(),
                _ => self.until_the_end(),
            };
        }
        if !head.has("content-length") {
            return self.until_the_end();
        }
        let lengths = head.elements_with_empty("content-length");
        let first = lengths.first().cloned().unwrap_or_default();
        if lengths.iter().any(|l| *l != first) || first.is_empty() {
            return Err(Stop::Malformed);
        }
        let mut length: usize = 0;
        for &b in &first {
            if !b.is_ascii_digit() {
                return Err(Stop::Malformed);
            }
            length = length
                .checked_mul(10)
                .and_then(|l| l.checked_add(usize::from(b - b'0')))
                .ok_or(Stop::Malformed)?;
        }
        self.take(length)
    }

    /// RFC 9112 section 7.1: `chunk-size [ chunk-ext ] CRLF chunk-data CRLF`, until the chunk
    /// of size zero and the trailer section.
    fn chunked(&mut self) -> Result<(), Stop> {
        loop {
            let line = self.line()?;
            let size = line.split(|&b| b == b';').next().unwrap_or_default();
            let size = trim_ows(size);
            if size.is_empty() || size.len() > 8 || !size.iter().all(u8::is_ascii_hexdigit) {
                return Err(Stop::Malformed);
            }
            let size = size.iter().fold(0usize, |n, &b| {
                n * 16 + (b as char).to_digit(16).unwrap_or(0) as usize
            });
            if size == 0 {
                while !self.line()?.is_empty() {}
                return Ok(());
            }
            self.take(size)?;
            if !self.line()?.is_empty() {
                return Err(Stop::Malformed);
            }
        }
    }

    /// A body that ends with the connection: what came before a close or a silence.
    fn until_the_end(&mut self) -> Result<(), Stop> {
        match self.short() {
            Stop::Closed | Stop::Silence => {
                self.pos = self.bytes.len();
                Ok(())
            }
            stop => Err(stop),
        }
    }
}

struct Head {
    status: u16,
    minor: u8,
    len: usize,
    /// Names in lower case, values as they came.
    fields: Vec<(String, Vec<u8>)>,
}

impl Head {
    fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(n, _)| n == name)
    }

    /// The elements of every line named `name`, trimmed of OWS, empty ones included.
    fn elements_with_empty(&self, name: &str) -> Vec<Vec<u8>> {
        self.fields
            .iter()
            .filter(|(n, _)| n == name)
            .flat_map(|(_, v)| v.split(|&b| b == b','))
            .map(|e| trim_ows(e).to_vec())
            .collect()
    }

    /// The elements of every line named `name`, trimmed of OWS, empty ones skipped (RFC 9110
    /// section 5.6.1).
    fn elements(&self, name: &str) -> Vec<Vec<u8>> {
        let mut all = self.elements_with_empty(name);
        all.retain(|e| !e.is_empty());
        all
    }
}

/// What a correct reader does with `script`: one [`Answer`] per request until one ends in a
/// [`Stop`] or a 101, the bytes they took, and the bytes read in all, which a reader may take
/// in ahead of need, so only their bound and the transcript's prefix are fixed.
pub fn reference_read(script: &Script) -> Read {
    let available = script.stream.len().min(script.bounds.received);
    let mut stream = Stream {
        script,
        bytes: &script.stream[..available],
        pos: 0,
    };
    let mut answers = Vec::new();
    for _ in 0..script.requests {
        let answer = stream.answer();
        let last = !matches!(answer.end, Ok(Final { status, .. }) if status != 101);
        answers.push(answer);
        if last {
            break;
        }
    }
    Read {
        answers,
        consumed: stream.pos,
        received: available,
        transcript: script.stream[..available.min(MAX_TRANSCRIPT)].to_vec(),
    }
}

/// The cuttings a script's stream is read under: the script's own, everything a read asks for,
/// one byte a read, and a seeded run of sizes from 1 to 17 with interruptions.
pub fn cuttings(script: &Script) -> [Vec<Cut>; 4] {
    let one = Cut {
        size: 1,
        interrupted: false,
    };
    [
        script.cuts.clone(),
        Vec::new(),
        vec![one],
        seeded_cuts(script.stream.len() as u64),
    ]
}

/// A run of 32 cuts drawn from `seed`: sizes from 1 to 17, about one in eight interrupted.
pub fn seeded_cuts(seed: u64) -> Vec<Cut> {
    let mut rng = SplitMix64::new(seed);
    (0..32)
        .map(|_| {
            let r = rng.next_u64();
            Cut {
                size: (r % 17) as usize + 1,
                interrupted: r >> 32 & 7 == 0,
            }
        })
        .collect()
}

/// Holds `read`, a reader that reads `script`'s stream cut into reads by the given cuts, to
/// [`reference_read`] under every one of [`cuttings`]: the same answers, the same bytes taken,
/// never more read than [`Bounds::received`], and the transcript the first bytes read.
pub fn check_read(script: &Script, read: impl Fn(&Script, &[Cut]) -> Read) {
    let expected = reference_read(script);
    for cuts in cuttings(script) {
        let got = read(script, &cuts);
        assert_eq!(
            (&got.answers, got.consumed),
            (&expected.answers, expected.consumed),
            "answers and bytes taken, read with cuts {cuts:?} (left: the reader, right: the reference)"
        );
        assert!(
            got.received <= script.bounds.received,
            "read {} bytes, over the bound {}",
            got.received,
            script.bounds.received
        );
        assert!(
            got.received >= got.consumed,
            "took {} bytes of the {} read",
            got.consumed,
            got.received
        );
        let kept = got.received.min(MAX_TRANSCRIPT);
        assert_eq!(
            got.transcript,
            script.stream[..kept],
            "the transcript is the first {kept} bytes read"
        );
    }
}

/// A generated run of responses, framed well and badly: what the proptest property draws,
/// through [`crate::strategy::arbitrary`]. [`ResponsesInput::script`] renders it.
#[derive(Clone, Debug, Arbitrary)]
pub struct ResponsesInput {
    head_request: bool,
    requests: u8,
    head_bound: u8,
    received_bound: u8,
    end: u8,
    cuts: Vec<u8>,
    /// How many interim `103` responses come first (its value mod 11), around
    /// [`MAX_INTERIMS`].
    interims: u8,
    responses: Vec<ResponseInput>,
    /// Bytes after the responses: the new protocol after a 101, or garbage.
    tail: Vec<u8>,
}

/// One generated response.
#[derive(Clone, Debug, Arbitrary)]
struct ResponseInput {
    /// An index into [`STATUSES`].
    status: u8,
    http10: bool,
    /// Field lines that do not frame the body, from [`OTHER_FIELDS`].
    fields: Vec<u8>,
    framing: Framing,
    body: Vec<u8>,
}

/// How a generated response frames its body.
#[derive(Clone, Debug, Arbitrary)]
enum Framing {
    /// No framing field: the body ends with the connection.
    None,
    /// `Content-Length` with the body's length, more when `declared_extra` is over 223 (up to
    /// 2 KiB more, past the bounds), written as `form` says.
    Length {
        declared_extra: u8,
        form: LengthForm,
    },
    /// `Transfer-Encoding: chunked`, the body in chunks of `chunk` bytes (0: one chunk), with a
    /// chunk extension, spaces around the sizes, bare LF line endings, a trailer field, or a
    /// broken size line.
    Chunked {
        chunk: u8,
        extension: bool,
        spaces: bool,
        bare_lf: bool,
        trailer: bool,
        broken: Option<BrokenChunk>,
    },
    /// `Transfer-Encoding` whose last coding is not `chunked`, or empty elements after it.
    Codings {
        chunked_last: bool,
        empty_after: bool,
    },
}

/// A generated run of pipelined requests, framed well and badly, and how the stream is cut into
/// reads: what the property of the example server's tracker of request heads draws, through
/// [`crate::strategy::arbitrary`].
#[derive(Clone, Debug, Arbitrary)]
pub struct RequestsInput {
    cuts: Vec<u8>,
    requests: Vec<RequestInput>,
    /// Bytes after the requests: the new protocol after an upgrade, or garbage.
    tail: Vec<u8>,
}

/// One generated request.
#[derive(Clone, Debug, Arbitrary)]
struct RequestInput {
    /// An index into [`REQUEST_LINES`].
    line: u8,
    http10: bool,
    /// Field lines that do not frame the body, from [`REQUEST_FIELDS`].
    fields: Vec<u8>,
    /// Its body and how it is framed; a request without a framing field has no body.
    framing: Framing,
    body: Vec<u8>,
}

/// The methods and targets drawn, in every form of RFC 9112 section 3.2.
const REQUEST_LINES: &[&str] = &[
    "GET /",
    "POST /form?a=1",
    "PUT /put",
    "HEAD /",
    "DELETE /x",
    "OPTIONS *",
    "CONNECT example.com:443",
    "GET http://example.com/absolute",
    "PATCH /p",
];

/// Request field lines that do not frame the body.
const REQUEST_FIELDS: &[&str] = &[
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Connection: close",
    "Connection: keep-alive",
    "Expect: 100-continue",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
    "Sec-WebSocket-Version: 13",
    "Content-Type: text/plain",
];

impl RequestsInput {
    /// The stream: the requests rendered one after another, then the tail.
    pub fn stream(&self) -> Vec<u8> {
        let mut stream = Vec::new();
        for request in self.requests.iter().take(6) {
            request.render(&mut stream);
        }
        stream.extend(self.tail.iter().take(64));
        stream
    }

    /// How the stream is cut into reads, each cut read as [`Cut::from_byte`] reads a fuzz
    /// input's.
    pub fn cuts(&self) -> Vec<Cut> {
        self.cuts
            .iter()
            .take(8)
            .map(|&c| Cut::from_byte(c))
            .collect()
    }
}

impl RequestInput {
    fn render(&self, out: &mut Vec<u8>) {
        let line = REQUEST_LINES[usize::from(self.line) % REQUEST_LINES.len()];
        let minor = if self.http10 { 0 } else { 1 };
        out.extend(format!("{line} HTTP/1.{minor}\r\nHost: example.com\r\n").bytes());
        for &f in self.fields.iter().take(4) {
            out.extend(REQUEST_FIELDS[usize::from(f) % REQUEST_FIELDS.len()].bytes());
            out.extend(b"\r\n");
        }
        let body = match self.framing {
            Framing::None => &[][..],
            _ => &self.body[..self.body.len().min(300)],
        };
        self.framing.render(body, out);
    }
}

/// How a generated `Content-Length` is written.
#[derive(Clone, Copy, Debug, Arbitrary)]
enum LengthForm {
    /// One line, the digits.
    Plain,
    /// Two lines, the first a list of the same value twice (RFC 9110 section 8.6 lets a
    /// recipient take it).
    Repeated,
    /// A leading `+`, which is not `1*DIGIT`.
    Signed,
    /// Two lines that differ.
    Differing,
}

/// A chunk size line that does not parse.
#[derive(Clone, Copy, Debug, Arbitrary)]
enum BrokenChunk {
    Signed,
    NineDigits,
    Empty,
    NoLineAfterData,
}

/// The status codes drawn: interim, switching, final with and without a body, and invalid.
const STATUSES: &[u16] = &[100, 101, 102, 103, 200, 204, 304, 404, 426, 500, 77, 600];

/// Field lines that do not frame the body.
const OTHER_FIELDS: &[&str] = &[
    "Upgrade: websocket",
    "Connection: Upgrade",
    "Connection: close",
    "Server: test",
    "Content-Type: text/plain",
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
];

impl ResponsesInput {
    /// The script: the responses rendered one after another, then the tail.
    pub fn script(&self) -> Script {
        let mut stream = Vec::new();
        for _ in 0..self.interims % 11 {
            stream.extend(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>\r\n\r\n");
        }
        for response in self.responses.iter().take(6) {
            response.render(&mut stream);
        }
        stream.extend(self.tail.iter().take(64));
        let head = 16 + 4 * usize::from(self.head_bound);
        Script {
            method: if self.head_request { "HEAD" } else { "GET" },
            requests: usize::from(self.requests % 4) + 1,
            bounds: Bounds {
                head,
                // Small enough that a declared length can pass it.
                received: head + 16 * usize::from(self.received_bound % 32),
            },
            end: match self.end % 4 {
                0 => End::Closed,
                1 => End::Reset,
                2 => End::Silence,
                _ => End::Truncated,
            },
            cuts: self
                .cuts
                .iter()
                .take(8)
                .map(|&c| Cut::from_byte(c))
                .collect(),
            stream,
        }
    }
}

impl ResponseInput {
    fn render(&self, out: &mut Vec<u8>) {
        let status = STATUSES[usize::from(self.status) % STATUSES.len()];
        let minor = if self.http10 { 0 } else { 1 };
        out.extend(format!("HTTP/1.{minor} {status:03} Reason\r\n").bytes());
        for &f in self.fields.iter().take(4) {
            out.extend(OTHER_FIELDS[usize::from(f) % OTHER_FIELDS.len()].bytes());
            out.extend(b"\r\n");
        }
        let body = &self.body[..self.body.len().min(300)];
        self.framing.render(body, out);
    }
}

impl Framing {
    /// Ends a head with the fields of this framing and the empty line, then writes `body` as
    /// the framing says.
    fn render(&self, body: &[u8], out: &mut Vec<u8>) {
        match self {
            Framing::None => {
                out.extend(b"\r\n");
                out.extend(body);
            }
            Framing::Length {
                declared_extra,
                form,
            } => {
                // Declared longer than the body one time in eight.
                let n = body.len() + 64 * usize::from(declared_extra.saturating_sub(223));
                let line = match form {
                    LengthForm::Plain => format!("Content-Length: {n}\r\n"),
                    LengthForm::Repeated => {
                        format!("Content-Length: {n}, {n}\r\nContent-Length: {n}\r\n")
                    }
                    LengthForm::Signed => format!("Content-Length: +{n}\r\n"),
                    LengthForm::Differing => {
                        format!("Content-Length: {}\r\nContent-Length: {n}\r\n", n + 1)
                    }
                };
                out.extend(line.bytes());
                out.extend(b"\r\n");
                out.extend(body);
            }
            Framing::Chunked {
                chunk,
                extension,
                spaces,
                bare_lf,
                trailer,
                broken,
            } => {
                let eol: &[u8] = if *bare_lf { b"\n" } else { b"\r\n" };
                out.extend(b"Transfer-Encoding: chunked\r\n\r\n");
                let size = if *chunk == 0 {
                    body.len().max(1)
                } else {
                    usize::from(*chunk)
                };
                for piece in body.chunks(size) {
                    let mut line = match broken {
                        Some(BrokenChunk::Signed) => format!("+{:x}", piece.len()),
                        Some(BrokenChunk::NineDigits) => format!("{:09x}", piece.len()),
                        Some(BrokenChunk::Empty) => String::new(),
                        _ => format!("{:x}", piece.len()),
                    };
                    if *spaces {
                        line = format!(" {line}\t");
                    }
                    if *extension {
                        line.push_str(";name=\"value\"");
                    }
                    out.extend(line.bytes());
                    out.extend(eol);
                    out.extend(piece);
                    if !matches!(broken, Some(BrokenChunk::NoLineAfterData)) {
                        out.extend(eol);
                    }
                }
                out.extend(b"0");
                out.extend(eol);
                if *trailer {
                    out.extend(b"Trailer-Field: value");
                    out.extend(eol);
                }
                out.extend(eol);
            }
            Framing::Codings {
                chunked_last,
                empty_after,
            } => {
                let codings = if *chunked_last {
                    "gzip, chunked"
                } else {
                    "chunked, gzip"
                };
                let after = if *empty_after { ", ," } else { "" };
                out.extend(format!("Transfer-Encoding: {codings}{after}\r\n\r\n").bytes());
                out.extend(body);
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn script(stream: &str) -> Script {
        Script {
            method: "GET",
            requests: 3,
            bounds: Bounds {
                head: 1024,
                received: 4096,
            },
            end: End::Closed,
            cuts: Vec::new(),
            stream: stream.as_bytes().to_vec(),
        }
    }

    fn ok(status: u16, head_len: usize) -> Result<Final, Stop> {
        Ok(Final {
            status,
            minor: 1,
            head_len,
        })
    }

    #[test]
    fn decode_inverts_encode() {
        let mut s = script("HTTP/1.1 200 OK\r\n\r\n");
        s.method = "HEAD";
        s.requests = 2;
        s.end = End::Silence;
        s.bounds = Bounds {
            head: 16 + 4 * 7,
            received: 16 + 4 * 7 + 16 * 9,
        };
        s.cuts = vec![
            Cut {
                size: 3,
                interrupted: true,
            },
            Cut {
                size: 128,
                interrupted: false,
            },
        ];
        assert_eq!(Script::decode(&s.encode()), s);
    }

    #[test]
    fn content_length_chunked_and_interim_responses_are_read_to_their_end() {
        let stream = "HTTP/1.1 100 Continue\r\n\r\n\
                      HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello\
                      HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked,\r\n\r\n\
                      5 ;x=1\r\nhello\n0\r\nTrailer: t\r\n\r\n";
        let read = reference_read(&script(stream));
        assert_eq!(read.consumed, stream.len());
        let heads: Vec<_> = read
            .answers
            .iter()
            .map(|a| (a.interims.clone(), a.end))
            .collect();
        assert_eq!(
            heads,
            [
                (vec![100], ok(200, 41)),
                (vec![], ok(200, 54)),
                (vec![], Err(Stop::Closed)),
            ]
        );
    }

    #[test]
    fn a_101_ends_the_reading_and_leaves_the_new_protocol_unread() {
        let head = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n";
        let read = reference_read(&script(&format!("{head}\u{89}\0")));
        assert_eq!(read.answers.len(), 1);
        assert_eq!(read.answers[0].end, ok(101, head.len()));
        assert_eq!(read.consumed, head.len());
    }

    #[test]
    fn framing_errors_and_bounds_stop_the_reading() {
        let cases = [
            (
                "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
                Stop::Malformed,
            ),
            (
                "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
                Stop::Malformed,
            ),
            (
                "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n",
                Stop::TooLarge,
            ),
            (
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel",
                Stop::Closed,
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
                Stop::Malformed,
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX\r\n",
                Stop::Malformed,
            ),
            (
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n123456789\r\n",
                Stop::Malformed,
            ),
            ("HTTP/1.1 200 OK\r\nFoo bar\r\n\r\n", Stop::Malformed),
            ("HTTP/1.1 200", Stop::Closed),
            ("HTTX/1.1 200 OK\r\n\r\n", Stop::NotHttp),
            ("\u{0}\u{0}\u{0}\u{0}\u{4}", Stop::NotHttp),
        ];
        for (stream, stop) in cases {
            let read = reference_read(&script(stream));
            assert_eq!(read.answers.last().unwrap().end, Err(stop), "{stream:?}");
        }
        let interims = "HTTP/1.1 102 Processing\r\n\r\n".repeat(MAX_INTERIMS + 1);
        let read = reference_read(&script(&interims));
        assert_eq!(read.answers[0].end, Err(Stop::TooLarge));
        assert_eq!(read.answers[0].interims.len(), MAX_INTERIMS + 1);
    }

    #[test]
    fn a_head_or_line_over_the_head_bound_is_too_large_however_the_stream_goes_on() {
        let mut s = script("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        s.bounds.head = s.stream.len();
        assert_eq!(reference_read(&s).answers[0].end, ok(200, s.stream.len()));
        s.bounds.head -= 1;
        assert_eq!(reference_read(&s).answers[0].end, Err(Stop::TooLarge));
        // The head is 47 bytes, the line of the first chunk's size 64 with its CRLF.
        let extension = "a".repeat(60);
        let mut chunked = script(&format!(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;{extension}\r\nx\r\n0\r\n\r\n"
        ));
        chunked.bounds.head = 64;
        assert_eq!(reference_read(&chunked).answers[0].end, ok(200, 47));
        chunked.bounds.head = 63;
        assert_eq!(reference_read(&chunked).answers[0].end, Err(Stop::TooLarge));
    }

    #[test]
    fn a_body_to_the_end_of_the_stream_ends_at_a_close_or_a_silence_not_at_a_reset_or_the_bound() {
        let stream = "HTTP/1.0 200 OK\r\n\r\nbody";
        let mut s = script(stream);
        s.requests = 1;
        let head_len = stream.len() - 4;
        for (end, expected) in [
            (End::Closed, ok(200, head_len)),
            (End::Silence, ok(200, head_len)),
            (End::Reset, Err(Stop::Reset)),
        ] {
            s.end = end;
            let read = reference_read(&s);
            let expected = expected.map(|f| Final { minor: 0, ..f });
            assert_eq!(
                read.answers,
                [Answer {
                    interims: vec![],
                    end: expected
                }],
                "{end:?}"
            );
        }
        s.end = End::Closed;
        s.bounds.received = stream.len();
        assert_eq!(reference_read(&s).answers[0].end, Err(Stop::TooLarge));
    }

    #[test]
    fn head_and_no_body_statuses_read_no_body() {
        let stream = "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n\
                      HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n";
        let read = reference_read(&script(stream));
        assert_eq!(read.consumed, stream.len());
        assert_eq!(read.answers[2].end, Err(Stop::Closed));
        let mut head = script("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n");
        head.method = "HEAD";
        head.requests = 1;
        assert_eq!(reference_read(&head).consumed, head.stream.len());
    }
}
