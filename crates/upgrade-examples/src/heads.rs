//! The request heads of an HTTP/1.x connection as received, for the negotiator to decide on.
//!
//! hyper normalises what it parses: with both `Content-Length` and `Transfer-Encoding` it
//! drops `Content-Length` (RFC 9112 section 6.3 lets it read the body as chunked), so a
//! decision made on its `Parts` never sees the smuggling shape that rule 6 of the negotiation
//! rejects. A reference server decides on the request as it was received: the connection's IO
//! (`io::Prefixed`) hands every byte hyper reads to a [`Heads`] shared with the service, which
//! splits the stream into requests with `upgrade_negotiate::parse_request`, skips each body
//! under the framing of its own head, and queues each head for the service, in order,
//! keep-alive and pipelining included. After a switch the connection speaks another protocol
//! and tracking stops.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use upgrade_negotiate::{BodyFraming, EMPTY_HEADER, HeadError, Policy, Status};
use upgrade_negotiate::{negotiate, parse_request};

use crate::body::{BodySkipper, ChunkedError};

/// The largest request head, request line and final empty line included; hyper's read buffer
/// is bounded to the same size (`conn`), so hyper refuses a longer head as well (431).
pub const MAX_HEAD: usize = 64 * 1024;
/// The most field lines in a head, as hyper is told (`conn`); hyper's default too.
pub const MAX_HEADERS: usize = 100;
/// The most bytes of heads queued and not yet handled. hyper reads no further ahead than its
/// buffer ([`MAX_HEAD`]), so this bound is only reached by a connection hyper does not read.
const MAX_QUEUED: usize = 4 * MAX_HEAD;

/// One request head, as received.
#[derive(Debug, PartialEq, Eq)]
pub enum RawHead {
    /// A complete head, and the framing of its body (`None`: the head does not frame its body
    /// validly, for instance with both `Content-Length` and `Transfer-Encoding`; nothing after
    /// it can be delimited, and the connection must close after the answer).
    Complete {
        /// The head's bytes, from its request line to its final empty line.
        bytes: Vec<u8>,
        /// The framing of its body, as the negotiator reads it from the head.
        framing: Option<BodyFraming>,
    },
    /// Bytes that cannot start a valid head whatever follows (rule 1 of the negotiation).
    Invalid(HeadError),
    /// A head longer than [`MAX_HEAD`].
    TooLarge,
}

/// Why [`Heads`] no longer follows the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The connection switched protocols.
    Switched,
    /// The last head queued does not frame its body validly.
    FramingUnknown,
    /// The last head queued is invalid or too large.
    HeadUnusable,
    /// A chunked body could not be delimited.
    Chunked(ChunkedError),
    /// More than `MAX_QUEUED` (four times [`MAX_HEAD`]) bytes of heads waited.
    QueueFull,
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::Switched => f.write_str("the connection switched protocols"),
            Stop::FramingUnknown => f.write_str("a head did not frame its body"),
            Stop::HeadUnusable => f.write_str("a head was invalid or too large"),
            Stop::Chunked(e) => write!(f, "a chunked body could not be delimited: {e}"),
            Stop::QueueFull => write!(f, "more than {MAX_QUEUED} bytes of heads waited"),
        }
    }
}

/// Where the byte stream of a connection is.
#[derive(Debug)]
enum State {
    /// In a head; its bytes so far are in `Heads::partial`.
    Head,
    /// In a body.
    Body(BodySkipper),
    /// No longer following the connection.
    Stopped(Stop),
}

/// The request heads of one HTTP/1.x connection, split from the bytes read on it.
#[derive(Debug)]
pub struct Heads {
    state: State,
    /// The bytes of a head not yet complete, at most [`MAX_HEAD`].
    partial: Vec<u8>,
    queue: VecDeque<RawHead>,
    queued_bytes: usize,
}

impl Heads {
    /// A tracker for a connection whose next byte starts a request.
    pub const fn new() -> Self {
        Heads {
            state: State::Head,
            partial: Vec::new(),
            queue: VecDeque::new(),
            queued_bytes: 0,
        }
    }

    /// Follows the bytes just read on the connection.
    pub fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let used = match &mut self.state {
                State::Stopped(_) => return,
                State::Body(body) => match body.skip(bytes) {
                    Ok(Some(used)) => {
                        self.state = State::Head;
                        used
                    }
                    Ok(None) => return,
                    Err(e) => {
                        self.state = State::Stopped(Stop::Chunked(e));
                        return;
                    }
                },
                State::Head => match self.head(bytes) {
                    Some(used) => used,
                    None => return,
                },
            };
            bytes = bytes.get(used..).unwrap_or_default();
        }
    }

    /// Adds `bytes` to the head being read: `Some(n)` when the head ended in the first `n`
    /// bytes (the state then says what follows it), `None` when all of `bytes` was used.
    fn head(&mut self, bytes: &[u8]) -> Option<usize> {
        let before = self.partial.len();
        let room = MAX_HEAD.saturating_sub(before);
        self.partial
            .extend_from_slice(bytes.get(..room).unwrap_or(bytes));
        let mut headers = [EMPTY_HEADER; MAX_HEADERS];
        let (raw, next, used) = match parse_request(&self.partial, &mut headers) {
            Ok(Status::Complete(parsed)) => {
                // The framing that the negotiator reads from this head: with no offers, every
                // decision past rules 1 and 2 reports it when it is valid.
                let framing = negotiate(parsed, &[], &Policy::default()).request_body();
                let head_len = parsed.head_len();
                let next = match framing {
                    Some(framing) => BodySkipper::new(framing).map_or(State::Head, State::Body),
                    None => State::Stopped(Stop::FramingUnknown),
                };
                let bytes = self.partial.get(..head_len).unwrap_or_default().to_vec();
                // The bytes before these were no complete head, so the head ends in these.
                let used = head_len.saturating_sub(before);
                (RawHead::Complete { bytes, framing }, next, Some(used))
            }
            Ok(Status::Partial) if self.partial.len() < MAX_HEAD => return None,
            Ok(Status::Partial) => (RawHead::TooLarge, State::Stopped(Stop::HeadUnusable), None),
            Err(e) => (
                RawHead::Invalid(e),
                State::Stopped(Stop::HeadUnusable),
                None,
            ),
        };
        self.partial.clear();
        if let RawHead::Complete { bytes, .. } = &raw {
            self.queued_bytes += bytes.len();
        }
        self.queue.push_back(raw);
        self.state = if self.queued_bytes > MAX_QUEUED {
            State::Stopped(Stop::QueueFull)
        } else {
            next
        };
        used
    }

    /// The head of the next request hyper hands to the service, in the order received.
    pub fn next_head(&mut self) -> Option<RawHead> {
        let raw = self.queue.pop_front()?;
        if let RawHead::Complete { bytes, .. } = &raw {
            self.queued_bytes = self.queued_bytes.saturating_sub(bytes.len());
        }
        Some(raw)
    }

    /// Why the tracker no longer follows the connection, if it does not.
    pub const fn stopped(&self) -> Option<Stop> {
        match self.state {
            State::Stopped(stop) => Some(stop),
            State::Head | State::Body(_) => None,
        }
    }

    /// Stops following the connection, which no longer speaks HTTP/1.x.
    pub fn stop(&mut self, stop: Stop) {
        self.state = State::Stopped(stop);
        self.partial = Vec::new();
        self.queue.clear();
        self.queued_bytes = 0;
    }
}

impl Default for Heads {
    fn default() -> Self {
        Heads::new()
    }
}

/// The tracker of a connection, shared by its IO and its service.
pub type SharedHeads = Arc<Mutex<Heads>>;

/// Runs `f` on the tracker. A panic elsewhere cannot leave it inconsistent in a way that
/// matters more than losing the connection, so a poisoned lock is used as it is.
pub fn with<T>(heads: &SharedHeads, f: impl FnOnce(&mut Heads) -> T) -> T {
    f(&mut heads.lock().unwrap_or_else(PoisonError::into_inner))
}

#[cfg(test)]
mod tests {
    use upgrade_testkit::reading::Cut;

    use super::*;

    const GET: &[u8] = b"GET /a HTTP/1.1\r\nHost: h\r\n\r\n";

    /// Feeds `bytes` in pieces of `step` bytes: the queued heads, and why tracking stopped.
    fn track(bytes: &[u8], step: usize) -> (Vec<RawHead>, Option<Stop>) {
        let cut = Cut {
            size: step,
            interrupted: false,
        };
        crate::replay::track(bytes, &[cut])
    }

    fn complete(bytes: &[u8], framing: Option<BodyFraming>) -> RawHead {
        RawHead::Complete {
            bytes: bytes.to_vec(),
            framing,
        }
    }

    #[test]
    fn splits_pipelined_requests_and_skips_their_bodies_in_any_split() {
        let chunked = b"POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n";
        let length = b"POST /l HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n";
        let mut stream = chunked.to_vec();
        // The body holds what looks like a request: it is skipped, not queued.
        stream.extend_from_slice(
            b"1c;ext=1\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n\r\n0\r\nT: 1\r\n\r\n",
        );
        stream.extend_from_slice(length);
        stream.extend_from_slice(b"GET");
        // An empty line between requests is skipped (RFC 9112 section 2.2).
        stream.extend_from_slice(b"\r\n");
        stream.extend_from_slice(GET);
        let mut gap_and_get = b"\r\n".to_vec();
        gap_and_get.extend_from_slice(GET);
        for step in 1..=stream.len() {
            let expected = vec![
                complete(chunked, Some(BodyFraming::Chunked)),
                complete(length, Some(BodyFraming::ContentLength(3))),
                complete(&gap_and_get, Some(BodyFraming::None)),
            ];
            assert_eq!(track(&stream, step), (expected, None), "{step}");
        }
    }

    #[test]
    fn queues_the_smuggling_shape_without_framing_and_stops_after_it() {
        let smuggling =
            b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n";
        let mut stream = GET.to_vec();
        stream.extend_from_slice(smuggling);
        stream.extend_from_slice(b"0\r\n\r\n");
        stream.extend_from_slice(GET);
        assert_eq!(
            track(&stream, 7),
            (
                vec![
                    complete(GET, Some(BodyFraming::None)),
                    complete(smuggling, None)
                ],
                Some(Stop::FramingUnknown)
            )
        );
    }

    #[test]
    fn queues_garbage_as_an_invalid_head_and_stops() {
        let mut stream = GET.to_vec();
        stream.extend_from_slice(b"\x16\x03\x01 not http\r\n\r\n");
        stream.extend_from_slice(GET);
        let (queued, stopped) = track(&stream, 5);
        assert_eq!(queued.len(), 2);
        assert_eq!(
            queued.first(),
            Some(&complete(GET, Some(BodyFraming::None)))
        );
        assert!(
            matches!(queued.get(1), Some(RawHead::Invalid(_))),
            "{queued:?}"
        );
        assert_eq!(stopped, Some(Stop::HeadUnusable));
    }

    #[test]
    fn stops_at_a_malformed_chunked_body() {
        let mut stream =
            b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        stream.extend_from_slice(b"zz\r\n");
        stream.extend_from_slice(GET);
        let (queued, stopped) = track(&stream, 1000);
        assert_eq!(queued.len(), 1);
        assert_eq!(stopped, Some(Stop::Chunked(ChunkedError::SizeMissing)));
    }

    #[test]
    fn refuses_a_head_over_the_bound_and_keeps_no_more_than_the_bound() {
        let mut stream = b"GET / HTTP/1.1\r\nHost: h\r\nX: ".to_vec();
        stream.resize(MAX_HEAD + 4096, b'a');
        let mut heads = Heads::new();
        for piece in stream.chunks(1000) {
            heads.feed(piece);
            assert!(heads.partial.len() <= MAX_HEAD);
        }
        assert_eq!(heads.stopped(), Some(Stop::HeadUnusable));
        assert_eq!(heads.next_head(), Some(RawHead::TooLarge));
        assert_eq!(heads.next_head(), None);
    }

    #[test]
    fn accepts_a_head_of_exactly_the_bound() {
        let mut stream = b"GET / HTTP/1.1\r\nHost: h\r\nX: ".to_vec();
        stream.resize(MAX_HEAD - 4, b'a');
        stream.extend_from_slice(b"\r\n\r\n");
        let (queued, stopped) = track(&stream, 4096);
        assert_eq!(
            (queued, stopped),
            (vec![complete(&stream, Some(BodyFraming::None))], None)
        );
    }

    #[test]
    fn bounds_the_bytes_of_heads_waiting_to_be_handled() {
        let stream = GET.repeat(MAX_QUEUED / GET.len() + 2);
        let mut heads = Heads::new();
        heads.feed(&stream);
        assert_eq!(heads.stopped(), Some(Stop::QueueFull));
        assert!(heads.queued_bytes <= MAX_QUEUED + GET.len());
        // Handled heads make room, but a tracker that stopped stays stopped.
        while heads.next_head().is_some() {}
        assert_eq!(heads.queued_bytes, 0);
        heads.feed(GET);
        assert_eq!(heads.next_head(), None);
    }

    #[test]
    fn follows_a_queue_of_exactly_four_of_hypers_buffers_and_stops_one_head_past_it() {
        // A head of 256 bytes: 1024 of them are four buffers of 64 KiB.
        let mut head = b"GET / HTTP/1.1\r\nHost: h\r\nX: ".to_vec();
        head.resize(252, b'a');
        head.extend_from_slice(b"\r\n\r\n");
        let mut heads = Heads::new();
        heads.feed(&head.repeat(1024));
        assert_eq!((heads.queued_bytes, heads.stopped()), (262_144, None));
        heads.feed(&head);
        assert_eq!(heads.stopped(), Some(Stop::QueueFull));
        assert_eq!(heads.queue.len(), 1025);
    }

    #[test]
    fn every_stop_says_why_in_its_own_words() {
        let stops = [
            Stop::Switched,
            Stop::FramingUnknown,
            Stop::HeadUnusable,
            Stop::Chunked(ChunkedError::LineEnd),
            Stop::QueueFull,
        ];
        let mut texts: Vec<String> = stops.iter().map(Stop::to_string).collect();
        assert!(texts.iter().all(|t| t.len() > 10), "{texts:?}");
        assert!(texts[3].ends_with(&ChunkedError::LineEnd.to_string()));
        assert!(texts[4].contains("262144"), "{}", texts[4]);
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), stops.len());
    }

    #[test]
    fn follows_nothing_after_a_switch() {
        let mut heads = Heads::new();
        heads.feed(b"GET /chat HTTP/1.1\r\nHost: h\r\n\r\nGET /");
        assert_eq!(
            heads.next_head(),
            Some(complete(
                b"GET /chat HTTP/1.1\r\nHost: h\r\n\r\n",
                Some(BodyFraming::None)
            ))
        );
        heads.stop(Stop::Switched);
        heads.feed(b"x HTTP/1.1\r\nHost: h\r\n\r\n");
        heads.feed(GET);
        assert_eq!(heads.next_head(), None);
        assert_eq!(heads.stopped(), Some(Stop::Switched));
    }
}
