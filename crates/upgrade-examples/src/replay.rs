//! The fuzz target of the server's tracker of request heads, `track_heads`: a connection's
//! bytes, cut into reads, followed by the tracker ([`Heads`]) and served by hyper's HTTP/1
//! server with the server's bounds, both at once, as `upgrade-server` does.
//!
//! The server decides each request hyper hands it on the next head the tracker queued, and
//! nothing checks that the two are the same request: a tracker that delimits a body
//! differently from hyper, or loses its place, would have the server decide one request on
//! another's head. The target checks, on every input:
//!
//! - however the bytes are cut into reads, the tracker queues the same heads and stops for the
//!   same reason as when they come in one read;
//! - each request hyper hands over is the next head the tracker queued (the same method,
//!   target and version), unless the tracker has stopped following the connection, in which
//!   case the server decides on hyper's parse and closes;
//! - a body that hyper read to its end has the length the tracker's framing gives it.
//!
//! hyper runs without a runtime: its connection is polled with a waker that does nothing,
//! over reads that never wait (an interrupted read returns `Pending` once), so it needs no
//! timer and no executor. Its polls are bounded in number.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use http::request::Parts;
use http::{Method, Request, Response, StatusCode, Uri, Version};
use http_body_util::{BodyExt as _, Empty};
use hyper::body::{Bytes, Incoming};
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use upgrade_grammar::Protocol;
use upgrade_negotiate::{
    BodyFraming, EMPTY_HEADER, HttpVersion, Outcome, Policy, Status, negotiate, parse_request,
};
use upgrade_testkit::reading::{Cut, seeded_cuts};
use upgrade_testkit::targets::Target;

use crate::frames::{
    CONTINUATION, DATA, END_HEADERS, END_STREAM, FrameHead, HEAD_LEN, HEADERS, MAX_PAYLOAD,
    PREFACE, SETTINGS, frame_head,
};
use crate::heads::{self, Heads, MAX_HEAD, MAX_HEADERS, RawHead, SharedHeads, Stop};
use crate::splice::UpgradedRequest;

/// The fuzz targets of the example server: `track_heads` and `splice_h2c`.
pub const TARGETS: &[Target] = &[
    Target::new("track_heads", track_heads),
    Target::new("splice_h2c", splice_h2c),
];

/// `track_heads`: bytes decoded by [`Cut::decode_run`] into how a connection's stream is cut
/// into reads, and the stream; checked by [`check_tracking`].
pub fn track_heads(data: &[u8]) {
    let (cuts, stream) = Cut::decode_run(data);
    check_tracking(stream, &cuts);
}

/// Runs every check of `track_heads` on `stream`, read as `cuts` says (see the module).
///
/// # Panics
///
/// When a property does not hold: that is the finding.
pub fn check_tracking(stream: &[u8], cuts: &[Cut]) {
    let whole = track(stream, &[]);
    for cuts in [cuts.to_vec(), seeded_cuts(stream.len() as u64)] {
        assert_eq!(
            track(stream, &cuts),
            whole,
            "the heads queued and the stop, fed with cuts {cuts:?} (left) and in one read (right)"
        );
    }
    for (n, served) in serve(stream, cuts).iter().enumerate() {
        served.check(n);
    }
}

/// The heads the tracker queues from `stream` fed in pieces of the sizes of `cuts`, in turn
/// (none: in one piece), and why it stopped.
pub fn track(stream: &[u8], cuts: &[Cut]) -> (Vec<RawHead>, Option<Stop>) {
    let mut heads = Heads::new();
    for piece in Pieces::new(stream, cuts) {
        heads.feed(piece);
    }
    let stopped = heads.stopped();
    (std::iter::from_fn(|| heads.next_head()).collect(), stopped)
}

/// `stream` cut into pieces of the sizes of `cuts`, in turn; in one piece when there are none.
struct Pieces<'s> {
    rest: &'s [u8],
    cuts: &'s [Cut],
    next: usize,
}

impl<'s> Pieces<'s> {
    const fn new(stream: &'s [u8], cuts: &'s [Cut]) -> Self {
        Pieces {
            rest: stream,
            cuts,
            next: 0,
        }
    }

    /// The cut of the next piece.
    fn cut(&self) -> Cut {
        Cut::in_turn(self.cuts, self.next)
    }

    /// The next piece, at most `room` bytes.
    fn cut_off(&mut self, room: usize) -> &'s [u8] {
        let size = self.cut().size;
        self.next += 1;
        let (piece, rest) = self.rest.split_at(size.min(room).min(self.rest.len()));
        self.rest = rest;
        piece
    }
}

impl<'s> Iterator for Pieces<'s> {
    type Item = &'s [u8];

    fn next(&mut self) -> Option<&'s [u8]> {
        if self.rest.is_empty() {
            return None;
        }
        Some(self.cut_off(usize::MAX))
    }
}

/// One request hyper handed to the service, with what the tracker had for it then.
#[derive(Debug)]
pub struct Served {
    /// The request as hyper parsed it.
    pub parts: Parts,
    /// The length of its body as hyper read it, or why hyper could not read it.
    pub body: Result<usize, String>,
    /// The next head the tracker had queued.
    pub raw: Option<RawHead>,
    /// Why the tracker had stopped following the connection, if it had.
    pub stopped: Option<Stop>,
}

impl Served {
    /// Checks that this is the request of the tracker's head, or that the tracker had stopped;
    /// `n` counts the requests of the connection from 0, for the message.
    ///
    /// # Panics
    ///
    /// When it is not.
    pub fn check(&self, n: usize) {
        let Some(RawHead::Complete { bytes, framing }) = &self.raw else {
            assert!(
                self.stopped.is_some(),
                "request {n}: hyper handed over {} {} and the tracker, still following the connection, had {:?} for it",
                self.parts.method,
                self.parts.uri,
                self.raw
            );
            return;
        };
        let mut headers = [EMPTY_HEADER; MAX_HEADERS];
        let parsed = parse_request(bytes, &mut headers)
            .ok()
            .and_then(Status::complete);
        assert!(
            parsed.is_some(),
            "request {n}: the tracker queued a head that does not parse: {bytes:?}"
        );
        let Some(parsed) = parsed else { return };
        let version = match parsed.version() {
            HttpVersion::Http10 => Version::HTTP_10,
            HttpVersion::Http11 => Version::HTTP_11,
            HttpVersion::Http2OrLater => Version::HTTP_2,
        };
        let tracked = (
            Method::from_bytes(parsed.method().as_bytes()).ok(),
            Uri::try_from(parsed.target()).ok(),
            version,
        );
        let hyper = (
            Some(self.parts.method.clone()),
            Some(self.parts.uri.clone()),
            self.parts.version,
        );
        assert_eq!(
            tracked,
            hyper,
            "request {n}: the tracker's head (left) is not the request hyper handed over (right); the head: {}",
            String::from_utf8_lossy(bytes)
        );
        let expected = match framing {
            Some(BodyFraming::None) => Some(0),
            Some(BodyFraming::ContentLength(length)) => usize::try_from(*length).ok(),
            Some(BodyFraming::Chunked) | None => None,
        };
        if let (Some(expected), Ok(read)) = (expected, &self.body) {
            assert_eq!(
                *read, expected,
                "request {n}: hyper read a body of {read} bytes where the tracker's framing {framing:?} says {expected}"
            );
        }
    }
}

/// At most this many polls of hyper's connection: each poll reads, parses or writes something,
/// and a stream of a fuzz input takes far fewer.
pub const MAX_POLLS: usize = 1 << 20;

/// Serves `stream`, read as `cuts` says, with hyper's HTTP/1 server and the server's bounds,
/// every byte hyper reads shown to a tracker: each request hyper handed over, with its body read
/// to its end, and the tracker's next head at that moment.
///
/// # Panics
///
/// When hyper's connection has not ended after [`MAX_POLLS`] polls.
pub fn serve(stream: &[u8], cuts: &[Cut]) -> Vec<Served> {
    let heads: SharedHeads = Arc::new(Mutex::new(Heads::new()));
    let served = Arc::new(Mutex::new(Vec::new()));
    let io = Scripted {
        pieces: Pieces::new(stream, cuts),
        interrupted: false,
        waits_at_the_end: WAITS_AT_THE_END,
        heads: Arc::clone(&heads),
    };
    let service = {
        let served = Arc::clone(&served);
        service_fn(move |request: Request<Incoming>| {
            let heads = Arc::clone(&heads);
            let served = Arc::clone(&served);
            async move {
                // The head is taken as the server's service takes it: first, before the body.
                let (raw, stopped) =
                    heads::with(&heads, |heads| (heads.next_head(), heads.stopped()));
                let (parts, body) = request.into_parts();
                let body = body
                    .collect()
                    .await
                    .map(|body| body.to_bytes().len())
                    .map_err(|e| e.to_string());
                // A 2xx to CONNECT would turn the connection into a tunnel.
                let status = if parts.method == Method::CONNECT {
                    StatusCode::METHOD_NOT_ALLOWED
                } else {
                    StatusCode::OK
                };
                served
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(Served {
                        parts,
                        body,
                        raw,
                        stopped,
                    });
                let mut response = Response::new(Empty::<Bytes>::new());
                *response.status_mut() = status;
                Ok::<_, Infallible>(response)
            }
        })
    };
    let connection = http1::Builder::new()
        .max_buf_size(MAX_HEAD)
        .max_headers(MAX_HEADERS)
        .serve_connection(io, service);
    // hyper's own verdict on the connection (a head it refused, a body cut short) is not
    // checked: only the requests it handed over are.
    let ended = poll_to_end(connection);
    assert!(
        ended.is_some(),
        "hyper's connection did not end after {MAX_POLLS} polls"
    );
    std::mem::take(&mut *served.lock().unwrap_or_else(|e| e.into_inner()))
}

/// Polls `future` with a waker that does nothing until it is ready, at most [`MAX_POLLS`]
/// times: its output, or `None` when it was not ready by then.
fn poll_to_end<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    (0..MAX_POLLS).find_map(|_| match future.as_mut().poll(&mut cx) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    })
}

/// The connection hyper serves: reads from the stream in pieces, each shown to the tracker as
/// the server's IO shows it (`io::Prefixed`); writes are taken and dropped.
struct Scripted<'s> {
    pieces: Pieces<'s>,
    /// Whether the read now due was interrupted once already.
    interrupted: bool,
    /// How many more reads at the end of the stream wait (`Pending`) before it closes.
    waits_at_the_end: usize,
    heads: SharedHeads,
}

/// How many reads at the end of a stream wait before it closes, so that hyper answers every
/// request it has read: it reads again only when what it holds is not a whole message.
const WAITS_AT_THE_END: usize = 256;

impl Read for Scripted<'_> {
    fn poll_read(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.pieces.rest.is_empty() {
            // A client waits for its answers before it closes: hyper stops reading requests
            // at the end of the stream, even those it holds already.
            if this.waits_at_the_end > 0 {
                this.waits_at_the_end -= 1;
                return Poll::Pending;
            }
            return Poll::Ready(Ok(()));
        }
        if this.pieces.cut().interrupted && !this.interrupted {
            this.interrupted = true;
            return Poll::Pending;
        }
        this.interrupted = false;
        let piece = this.pieces.cut_off(buf.remaining());
        buf.put_slice(piece);
        heads::with(&this.heads, |heads| heads.feed(piece));
        Poll::Ready(Ok(()))
    }
}

impl Write for Scripted<'_> {
    fn poll_write(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// `splice_h2c`: an HTTP/1.1 request head, two bytes giving the length of its body (little
/// endian), the body, and
/// the start of the upgraded connection as the client sends it; checked by [`check_splice`].
/// An input whose head does not parse, or that `http` cannot hold as a request, checks nothing.
pub fn splice_h2c(data: &[u8]) {
    let mut headers = [EMPTY_HEADER; MAX_HEADERS];
    let Ok(Status::Complete(parsed)) = parse_request(data, &mut headers) else {
        return;
    };
    let rest = data.get(parsed.head_len()..).unwrap_or_default();
    let (len, rest) = rest.split_at(rest.len().min(2));
    let body_len = usize::from(len.first().copied().unwrap_or(0))
        | usize::from(len.get(1).copied().unwrap_or(0)) << 8;
    let (body, start) = rest.split_at(body_len.min(rest.len()));
    let mut request = Request::builder()
        .method(parsed.method())
        .uri(parsed.target());
    for h in parsed.headers() {
        request = request.header(h.name, h.value);
    }
    let Ok(request) = request.body(()) else {
        return;
    };
    let switches = negotiate(parsed, &[H2C], &Policy::default()).outcome() == Outcome::Switch;
    check_splice(&request.into_parts().0, body, start, switches);
}

/// The offer of `splice_h2c`'s negotiation.
const H2C: Protocol<'static> = Protocol::from_static("h2c");

/// Holds the splice of the upgraded request `parts` with `body` into the client's `start` to
/// RFC 9113: when the negotiator would switch the request to h2c (`switches`), the upgraded
/// request can be built; a `start` that is not the connection preface and a whole SETTINGS
/// frame is handed on unchanged; otherwise the result is the preface, one SETTINGS frame with
/// the request's `HTTP2-Settings` in front of the client's, the request on stream 1 (HEADERS
/// and CONTINUATION frames whose block decodes, with an independent HPACK decoder, to the
/// pseudo-header fields in order and the request's own fields less the connection-specific
/// ones, then DATA frames carrying the body, END_STREAM on the last frame), and everything the
/// client sent after its SETTINGS, unchanged.
///
/// # Panics
///
/// When one of these does not hold.
pub fn check_splice(parts: &Parts, body: &[u8], start: &[u8], switches: bool) {
    let request = UpgradedRequest::new(parts, Bytes::copy_from_slice(body));
    assert!(
        request.is_ok() || !switches,
        "a request the negotiator switches to h2c cannot be spliced: {:?}",
        request.err()
    );
    let Ok(request) = request else { return };
    let spliced = request.splice(start.to_vec());
    assert!(spliced.is_ok(), "{spliced:?}");
    let Ok(spliced) = spliced else { return };
    let Some((client_settings, client_rest)) = client_start(start) else {
        assert_eq!(
            spliced, start,
            "a start without a preface and SETTINGS is handed on"
        );
        return;
    };
    let mut frames = Frames(spliced.strip_prefix(PREFACE).unwrap_or_default());
    assert!(spliced.starts_with(PREFACE), "the preface comes first");

    let mut merged = request.settings.clone();
    merged.extend_from_slice(client_settings);
    if merged.len() > MAX_PAYLOAD {
        merged = client_settings.to_vec();
    }
    let (head, payload) = frames.next_frame();
    assert_eq!((head.kind, head.flags, head.stream), (SETTINGS, 0, 0));
    assert_eq!(payload, merged, "the request's settings, then the client's");

    let mut block = Vec::new();
    let mut kind = HEADERS;
    loop {
        let (head, payload) = frames.next_frame();
        assert_eq!((head.kind, head.stream), (kind, 1), "{head:?}");
        assert_eq!(
            head.flags & END_STREAM != 0,
            kind == HEADERS && body.is_empty(),
            "END_STREAM on HEADERS exactly when there is no body"
        );
        block.extend_from_slice(payload);
        kind = CONTINUATION;
        if head.flags & END_HEADERS != 0 {
            break;
        }
    }
    let mut data = Vec::new();
    while data.len() < body.len() {
        let (head, payload) = frames.next_frame();
        assert_eq!((head.kind, head.stream), (DATA, 1), "{head:?}");
        assert!(!payload.is_empty(), "an empty DATA frame");
        data.extend_from_slice(payload);
        assert_eq!(
            head.flags & END_STREAM != 0,
            data.len() >= body.len(),
            "END_STREAM on the last DATA frame only"
        );
    }
    assert_eq!(data, body, "the DATA frames carry the body");
    assert_eq!(frames.0, client_rest, "what followed the client's SETTINGS");

    let fields = hpack::Decoder::new().decode(&block);
    assert!(
        fields.is_ok(),
        "the header block does not decode: {fields:?}"
    );
    check_fields(parts, &fields.unwrap_or_default());
}

/// The pseudo-header fields of the upgraded request first, in order (RFC 9113 section 8.3.1),
/// then only fields of the request with their values, none of them connection-specific
/// (section 8.2.2: `TE` only as `trailers`) and neither `Host` nor `Expect`.
fn check_fields(parts: &Parts, fields: &[(Vec<u8>, Vec<u8>)]) {
    let pseudo = fields
        .iter()
        .take_while(|(n, _)| n.starts_with(b":"))
        .count();
    let (pseudo, others) = fields.split_at(pseudo);
    let names: Vec<&[u8]> = pseudo.iter().map(|(n, _)| n.as_slice()).collect();
    assert!(
        names == [&b":method"[..], b":scheme", b":authority", b":path"]
            || names == [&b":method"[..], b":scheme", b":path"],
        "pseudo-header fields: {names:?}"
    );
    let values: Vec<&[u8]> = pseudo.iter().map(|(_, v)| v.as_slice()).collect();
    assert_eq!(
        values.get(..2),
        Some(&[parts.method.as_str().as_bytes(), b"http"][..])
    );
    for (name, value) in others {
        assert!(
            !name.starts_with(b":"),
            "a pseudo-header field after a field"
        );
        assert!(
            ![
                &b"connection"[..],
                b"upgrade",
                b"http2-settings",
                b"keep-alive",
                b"proxy-connection",
                b"transfer-encoding",
                b"host",
                b"expect",
            ]
            .contains(&name.as_slice()),
            "{} is forwarded into HTTP/2",
            String::from_utf8_lossy(name)
        );
        assert!(
            name != b"te" || value == b"trailers",
            "TE other than trailers is forwarded into HTTP/2"
        );
        let sent = http::HeaderName::from_bytes(name).is_ok_and(|name| {
            parts
                .headers
                .get_all(name)
                .iter()
                .any(|v| v.as_bytes() == value.as_slice())
        });
        assert!(
            sent,
            "{}: {} is no field of the request",
            String::from_utf8_lossy(name),
            String::from_utf8_lossy(value)
        );
    }
}

/// The client's first SETTINGS payload and what follows it, when `start` is the connection
/// preface and a whole SETTINGS frame on stream 0 without flags and of a length that is a
/// multiple of six.
fn client_start(start: &[u8]) -> Option<(&[u8], &[u8])> {
    let after = start.strip_prefix(PREFACE)?;
    let mut frames = Frames(after);
    let (head, payload) = frames.try_next()?;
    (head.kind == SETTINGS && head.flags == 0 && head.stream == 0 && payload.len() % 6 == 0)
        .then_some((payload, frames.0))
}

/// HTTP/2 frames read one after another from the front of a byte string.
struct Frames<'b>(&'b [u8]);

impl<'b> Frames<'b> {
    /// The next whole frame, `None` when there is none.
    fn try_next(&mut self) -> Option<(FrameHead, &'b [u8])> {
        let head = frame_head(self.0)?;
        let end = HEAD_LEN.checked_add(head.length)?;
        let payload = self.0.get(HEAD_LEN..end)?;
        assert!(
            head.length <= MAX_PAYLOAD,
            "a frame over the largest payload: {head:?}"
        );
        self.0 = self.0.get(end..)?;
        Some((head, payload))
    }

    /// The next whole frame, which must be there.
    fn next_frame(&mut self) -> (FrameHead, &'b [u8]) {
        let frame = self.try_next();
        assert!(frame.is_some(), "a frame is missing or cut: {:?}", self.0);
        frame.unwrap_or((
            FrameHead {
                length: 0,
                kind: 0xff,
                flags: 0,
                stream: 0,
            },
            &[],
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use std::panic::AssertUnwindSafe;

    use super::*;

    const GET: &[u8] = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n";

    fn cut(size: usize, interrupted: bool) -> Cut {
        Cut { size, interrupted }
    }

    #[test]
    fn hyper_hands_over_each_pipelined_request_with_the_tracker_on_the_same_head() {
        let mut stream =
            b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        stream.extend_from_slice(b"3;x=1\r\nabc\r\n0\r\nT: 1\r\n\r\n");
        stream.extend_from_slice(b"PUT /l HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz");
        stream.extend_from_slice(GET);
        for cuts in [
            vec![],
            vec![cut(1, false)],
            vec![cut(5, true), cut(2, false)],
        ] {
            let served = serve(&stream, &cuts);
            let paths: Vec<_> = served
                .iter()
                .map(|s| s.parts.uri.path().to_owned())
                .collect();
            assert_eq!(paths, ["/c", "/l", "/a"], "{cuts:?}");
            assert_eq!(served[0].body, Ok(3));
            assert_eq!(served[1].body, Ok(3));
            for (n, s) in served.iter().enumerate() {
                assert!(matches!(s.raw, Some(RawHead::Complete { .. })), "{n}");
                s.check(n);
            }
            check_tracking(&stream, &cuts);
        }
    }

    #[test]
    fn a_tracker_one_head_behind_hyper_is_found() {
        // Pairing hyper's second request with the tracker's first head, as a tracker that lost
        // its place would.
        let mut stream = GET.to_vec();
        stream.extend_from_slice(b"GET /b HTTP/1.1\r\nHost: h\r\n\r\n");
        let mut served = serve(&stream, &[]);
        let first = served.remove(0);
        let behind = Served {
            raw: first.raw,
            ..served.remove(0)
        };
        let caught = std::panic::catch_unwind(AssertUnwindSafe(|| behind.check(1)));
        assert!(caught.is_err());
    }

    #[test]
    fn a_body_shorter_than_the_trackers_framing_is_found() {
        let served = Served {
            body: Ok(2),
            ..serve(
                b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
                &[],
            )
            .remove(0)
        };
        assert!(std::panic::catch_unwind(AssertUnwindSafe(|| served.check(0))).is_err());
    }

    #[test]
    fn the_smuggling_shape_ends_both_hyper_and_the_tracker() {
        // Both Content-Length and Transfer-Encoding: hyper reads the body as chunked and closes
        // after its answer (RFC 9112 section 6.1); the tracker queues the head, then stops.
        let stream = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n";
        check_tracking(stream, &[]);
        let served = serve(stream, &[]);
        let paths: Vec<_> = served.iter().map(|s| s.parts.uri.path()).collect();
        assert_eq!(paths, ["/"]);
        let (heads, stopped) = track(stream, &[]);
        assert_eq!(heads.len(), 1);
        assert_eq!(stopped, Some(Stop::FramingUnknown));
    }

    #[test]
    fn a_request_without_a_head_passes_only_when_the_tracker_stopped() {
        let served = |stopped| Served {
            raw: None,
            stopped,
            ..serve(GET, &[]).remove(0)
        };
        served(Some(Stop::HeadUnusable)).check(0);
        let lost = served(None);
        assert!(std::panic::catch_unwind(AssertUnwindSafe(|| lost.check(0))).is_err());
    }

    fn h2c_upgrade(settings: &str) -> Parts {
        Request::get("/")
            .header("host", "localhost:8080")
            .header("connection", "Upgrade, HTTP2-Settings")
            .header("upgrade", "h2c")
            .header("http2-settings", settings)
            .header("accept", "*/*")
            .body(())
            .unwrap()
            .into_parts()
            .0
    }

    #[test]
    fn curls_h2c_upgrade_switches_and_its_splice_reads_back() {
        let mut data = b"GET / HTTP/1.1\r\nHost: localhost:8080\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n".to_vec();
        let mut headers = [EMPTY_HEADER; MAX_HEADERS];
        let Ok(Status::Complete(parsed)) = parse_request(&data, &mut headers) else {
            unreachable!()
        };
        let decision = negotiate(parsed, &[H2C], &Policy::default());
        assert_eq!(decision.outcome(), Outcome::Switch);
        data.extend_from_slice(&[0, 0]);
        data.extend_from_slice(PREFACE);
        data.extend_from_slice(&[0, 0, 6, SETTINGS, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 100]);
        splice_h2c(&data);
        check_splice(
            &h2c_upgrade("AAMAAABkAAQAoAAAAAIAAAAA"),
            b"body",
            &data[..0],
            true,
        );
    }

    #[test]
    fn a_switch_whose_request_cannot_be_spliced_is_found() {
        let unsplicable = h2c_upgrade("not base64!");
        check_splice(&unsplicable, b"", PREFACE, false);
        let caught = std::panic::catch_unwind(AssertUnwindSafe(|| {
            check_splice(&unsplicable, b"", PREFACE, true)
        }));
        assert!(caught.is_err());
    }

    #[test]
    fn pieces_follow_the_cuts_in_turn_and_one_piece_without_cuts() {
        let cuts = [cut(2, false), cut(1, true)];
        let pieces: Vec<_> = Pieces::new(b"abcdefg", &cuts).collect();
        assert_eq!(pieces, [&b"ab"[..], b"c", b"de", b"f", b"g"]);
        let whole: Vec<_> = Pieces::new(b"abc", &[]).collect();
        assert_eq!(whole, [&b"abc"[..]]);
    }
}
