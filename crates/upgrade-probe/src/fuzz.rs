//! Over-the-wire fuzzing (`--fuzz N`): requests drawn from the harness's request generator
//! (`upgrade_testkit::requests::generate`, the one behind the `negotiate` fuzz target), adapted
//! to the target, sent one per connection at a bounded rate, and judged by the same oracle as
//! the probes. Each failing class is reported once, with the smallest request that shows it.
//!
//! The run is reproducible: a seed drives a small PRNG that fills the bytes `arbitrary` reads,
//! so the same seed against the same server sends the same requests.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use arbitrary::{Arbitrary, Unstructured};
use rustls::ClientConfig;
use upgrade_negotiate::HttpVersion;
use upgrade_testkit::requests::case::ListWriting;
use upgrade_testkit::requests::generate::{HOSTS, RequestInput};
use upgrade_testkit::rng::SplitMix64;

use crate::catalogue::{Grader, HTTP2_SETTINGS, WEBSOCKET_KEY};
use crate::conn::{Conn, trim_ows};
use crate::grade::Graded;
use crate::request::{Request, Version};
use crate::run::judge;
use crate::target::Target;
use crate::verdict::Verdict;

/// The bytes `arbitrary` may read for one request; the generator's requests need far fewer.
const DRAW_BYTES: usize = 4096;
/// The longest body sent: a larger generated `Content-Length` is cut to this bound.
const MAX_BODY: u64 = 1024;
/// The most requests sent to shrink one failure.
const MAX_SHRINK_ATTEMPTS: usize = 64;

/// How a fuzz run is done.
#[derive(Clone, Debug)]
pub struct Fuzz {
    /// How many generated requests to send.
    pub count: usize,
    /// The seed of the generator: the same seed sends the same requests.
    pub seed: u64,
    /// The most requests sent per second (shrinking included); at least 1.
    pub rate: u32,
    /// The bound of the whole run, shrinking included; requests not sent by then are dropped.
    pub budget: Duration,
    /// Called before each generated request with how many were sent and how many will be.
    pub progress: Option<fn(usize, usize)>,
}

impl Default for Fuzz {
    fn default() -> Self {
        Fuzz {
            count: 0,
            seed: 0,
            rate: 200,
            budget: Duration::from_secs(600),
            progress: None,
        }
    }
}

/// What a fuzz run found.
#[derive(Clone, Debug, Default)]
pub struct FuzzReport {
    /// The seed the run used.
    pub seed: u64,
    /// How many generated requests were sent (shrinking not counted).
    pub sent: usize,
    /// How many of them the server switched, legitimately or not.
    pub switched: usize,
    /// How many got no answer (timeout, reset, refused): `error`, not `fail`.
    pub errors: usize,
    /// Whether the budget ran out before every request was sent.
    pub out_of_time: bool,
    /// One failure per class, in the order the classes were first seen.
    pub failures: Vec<FuzzFailure>,
}

/// One failing class and the smallest request found to show it.
#[derive(Clone, Debug)]
pub struct FuzzFailure {
    /// The stable kebab-case class: the negotiator's reason code for a 101 it would not
    /// send, `STATUS-REASON` for an answer `check_response` refuses, or the name of the
    /// broken rule (`content-length-in-101`, `switch-without-101`, ...).
    pub class: String,
    /// The RFC clause.
    pub rfc: &'static str,
    /// Why the answer fails, in words.
    pub detail: String,
    /// The request, shrunk, as sent.
    pub request: Vec<u8>,
    /// What came back to it.
    pub response: Vec<u8>,
    /// How many field lines the first failing request of this class had.
    pub original_lines: usize,
    /// How many field lines the reported request has.
    pub lines: usize,
}

/// A request before its body: what shrinking edits. The body follows from the framing fields
/// each time the draft is sent, so a shrunk request stays well framed.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Draft {
    method: String,
    version: Version,
    lines: Vec<(String, Vec<u8>)>,
}

fn named<'a>(lines: &'a [(String, Vec<u8>)], name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
    lines
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_slice())
}

/// The elements of the lines named `name`, split on commas, OWS trimmed.
fn elements<'a>(lines: &'a [(String, Vec<u8>)], name: &'a str) -> Vec<&'a [u8]> {
    named(lines, name)
        .flat_map(|v| v.split(|&b| b == b','))
        .map(trim_ows)
        .collect()
}

fn decimal(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(bytes).ok()?.parse().ok()
}

impl Draft {
    /// The body a server reads after this head: the last chunk for any `Transfer-Encoding`,
    /// `Content-Length` bytes for one valid length (repeated equal values count as one), none
    /// otherwise (a server must refuse an invalid length without reading on).
    fn body(&self) -> Vec<u8> {
        if named(&self.lines, "transfer-encoding").next().is_some() {
            return b"0\r\n\r\n".to_vec();
        }
        let lengths = elements(&self.lines, "content-length");
        let Some(first) = lengths.first().and_then(|l| decimal(l)) else {
            return Vec::new();
        };
        if lengths.iter().any(|l| decimal(l) != Some(first)) || first > MAX_BODY {
            return Vec::new();
        }
        vec![b'x'; usize::try_from(first).unwrap_or(0)]
    }

    fn request(&self, path: &str) -> Request {
        let body = self.body();
        let expects = named(&self.lines, "expect").any(|v| {
            v.windows(12)
                .any(|w| w.eq_ignore_ascii_case(b"100-continue"))
        });
        let mut request = Request::new(&self.method, path, self.version);
        request.fields = self.lines.clone();
        request.hold_body = expects && !body.is_empty();
        request.body = body;
        request
    }

    /// Every draft with one field line less, then every one without all the lines of a field of
    /// several (two `Host` lines may fail together where either alone would not), then every one
    /// with one list element less.
    fn smaller(&self) -> Vec<Draft> {
        let mut out = Vec::new();
        for i in 0..self.lines.len() {
            let mut draft = self.clone();
            draft.lines.remove(i);
            out.push(draft);
        }
        for (i, (name, _)) in self.lines.iter().enumerate() {
            let same = |(other, _): &(String, Vec<u8>)| other.eq_ignore_ascii_case(name);
            let first = self.lines.iter().position(same) == Some(i);
            if first && self.lines.iter().filter(|line| same(line)).count() > 1 {
                let mut draft = self.clone();
                draft.lines.retain(|line| !same(line));
                out.push(draft);
            }
        }
        for (i, (_, value)) in self.lines.iter().enumerate() {
            let parts: Vec<&[u8]> = value.split(|&b| b == b',').collect();
            if parts.len() < 2 {
                continue;
            }
            for j in 0..parts.len() {
                let kept: Vec<&[u8]> = parts
                    .iter()
                    .enumerate()
                    .filter(|&(k, _)| k != j)
                    .map(|(_, p)| *p)
                    .collect();
                let mut draft = self.clone();
                if let Some(line) = draft.lines.get_mut(i) {
                    line.1 = kept.join(&b","[..]);
                }
                out.push(draft);
            }
        }
        out
    }
}

/// What the adaptation of a generated request to the target needs.
struct Adapt<'a> {
    authority: &'a str,
    offers: &'a [&'static str],
}

impl Adapt<'_> {
    /// A generated request made fit for the target: HTTP/1.x (the generator's HTTP/2 requests
    /// become HTTP/1.1), the target's `Host` in place of the generator's ordinary hosts (its
    /// empty, repeated and garbled ones kept), bodies of at most [`MAX_BODY`] bytes; and, when
    /// `complete` is set, made a handshake for a protocol the server speaks around the
    /// generated fields (see [`Adapt::complete`]).
    fn draft(
        &self,
        input: &RequestInput,
        lists: ListWriting,
        complete: bool,
        pick: usize,
    ) -> Draft {
        let written = input.case.write(lists, input.name_case);
        let version = match written.case.version {
            HttpVersion::Http10 => Version::Http10,
            _ => Version::Http11,
        };
        let mut lines = written.lines;
        for (name, value) in &mut lines {
            if name.eq_ignore_ascii_case("host")
                && HOSTS
                    .iter()
                    .any(|h| !h.is_empty() && h.as_bytes() == value.as_slice())
            {
                *value = self.authority.as_bytes().to_vec();
            }
            if name.eq_ignore_ascii_case("content-length")
                && let Some(n) = decimal(trim_ows(value))
                && n > MAX_BODY
            {
                *value = (n % (MAX_BODY + 1)).to_string().into_bytes();
            }
        }
        if !complete {
            return Draft {
                method: written.case.method.clone(),
                version,
                lines,
            };
        }
        self.complete(&mut lines, pick);
        Draft {
            method: "GET".into(),
            version: Version::Http11,
            lines,
        }
    }
}

impl Adapt<'_> {
    /// Makes `lines` a request that is valid but for what the generator put in its fields
    /// (sent as `GET` and HTTP/1.1; the generator's methods and versions go out with the
    /// requests left as generated): the target's `Host` alone and first; an `Upgrade` naming the protocol the server speaks
    /// (the `pick`th of its offers) and a `Connection: Upgrade` where the request has none;
    /// the key and version of websocket, the `HTTP2-Settings` of h2c, where the request names
    /// the protocol without them. The generated values are kept: they are what is tested. A
    /// generated request is mostly refused by its first faulty field (more than half carry two
    /// `Host` lines or no `Upgrade`), so without this few requests reach a switch.
    fn complete(&self, lines: &mut Vec<(String, Vec<u8>)>, pick: usize) {
        lines.retain(|(name, _)| !name.eq_ignore_ascii_case("host"));
        lines.insert(0, ("Host".to_owned(), self.authority.as_bytes().to_vec()));
        let lacks = |lines: &[(String, Vec<u8>)], name: &str| named(lines, name).next().is_none();
        let mut added: Vec<(&str, &str)> = Vec::new();
        if lacks(lines, "upgrade")
            && let Some(offer) = self.offers.get(pick % self.offers.len().max(1))
        {
            added.push(("Upgrade", offer));
        }
        if lacks(lines, "connection") {
            let h2c = elements(lines, "upgrade")
                .iter()
                .any(|e| e.eq_ignore_ascii_case(b"h2c"));
            added.push((
                "Connection",
                if h2c {
                    "Upgrade, HTTP2-Settings"
                } else {
                    "Upgrade"
                },
            ));
        }
        for (name, value) in added {
            lines.push((name.to_owned(), value.as_bytes().to_vec()));
        }
        let names = |protocol: &str| {
            self.offers.contains(&protocol)
                && elements(lines, "upgrade").iter().any(|e| {
                    let name = e.split(|&b| b == b'/').next().unwrap_or_default();
                    name.eq_ignore_ascii_case(protocol.as_bytes())
                })
        };
        let mut added = Vec::new();
        if names("websocket") {
            if lacks(lines, "sec-websocket-key") {
                added.push(("Sec-WebSocket-Key", WEBSOCKET_KEY));
            }
            if lacks(lines, "sec-websocket-version") {
                added.push(("Sec-WebSocket-Version", "13"));
            }
        }
        if names("h2c") && lacks(lines, "http2-settings") {
            added.push(("HTTP2-Settings", HTTP2_SETTINGS));
        }
        for (name, value) in added {
            lines.push((name.to_owned(), value.as_bytes().to_vec()));
        }
    }
}

/// Draws the next request from the generator.
fn draw(rng: &mut SplitMix64, adapt: &Adapt<'_>) -> Option<Draft> {
    let mut bytes = vec![0u8; DRAW_BYTES];
    rng.fill(&mut bytes);
    let mut u = Unstructured::new(&bytes);
    let input = RequestInput::arbitrary(&mut u).ok()?;
    let lists = match u.choose_index(3).ok()? {
        0 => ListWriting::Plain,
        1 => ListWriting::Split,
        _ => ListWriting::Arranged,
    };
    let complete = u.ratio(3u8, 4u8).ok()?;
    let pick = u.choose_index(2).ok()?;
    Some(adapt.draft(&input, lists, complete, pick))
}

/// Spaces sends at most `rate` per second.
struct Pacer {
    interval: Duration,
    next: Instant,
}

impl Pacer {
    fn new(rate: u32) -> Pacer {
        Pacer {
            interval: Duration::from_secs(1) / rate.max(1),
            next: Instant::now(),
        }
    }

    fn wait(&mut self) {
        let now = Instant::now();
        if let Some(left) = self.next.checked_duration_since(now) {
            thread::sleep(left);
        }
        self.next = self.next.max(now) + self.interval;
    }
}

/// One request sent and judged.
struct Sent {
    graded: Graded,
    request: Vec<u8>,
    response: Vec<u8>,
    switched: bool,
}

/// What a fuzz run sends to and how it judges.
pub(crate) struct Fuzzer<'a> {
    pub(crate) target: &'a Target,
    pub(crate) tls: Option<Arc<ClientConfig>>,
    pub(crate) path: &'a str,
    pub(crate) offers: Vec<&'static str>,
    pub(crate) timeout: Duration,
    pub(crate) silence: Duration,
}

impl Fuzzer<'_> {
    fn send(&self, draft: &Draft, pacer: &mut Pacer) -> Sent {
        pacer.wait();
        let request = draft.request(self.path);
        let bytes = request.to_bytes();
        match Conn::connect(self.target, self.tls.as_ref(), self.timeout) {
            Err(e) => Sent {
                graded: Graded::new(Verdict::Error, e.0),
                request: bytes,
                response: Vec::new(),
                switched: false,
            },
            Ok(mut conn) => {
                let (graded, head) = judge(
                    &mut conn,
                    &request,
                    Grader::Oracle,
                    &self.offers,
                    &format!("at {}", self.path),
                    self.silence,
                );
                Sent {
                    graded,
                    request: bytes,
                    response: conn.transcript().to_vec(),
                    switched: head.is_some_and(|h| h.status == 101),
                }
            }
        }
    }

    /// Sends `fuzz.count` generated requests and shrinks the first of each failing class.
    pub(crate) fn run(&self, fuzz: &Fuzz) -> FuzzReport {
        let started = Instant::now();
        let in_time = || started.elapsed() < fuzz.budget;
        let adapt = Adapt {
            authority: &self.target.authority(),
            offers: &self.offers,
        };
        let mut rng = SplitMix64::new(fuzz.seed);
        let mut pacer = Pacer::new(fuzz.rate);
        let mut report = FuzzReport {
            seed: fuzz.seed,
            ..FuzzReport::default()
        };
        // Per class: the smallest failing draft and what it got.
        let mut found: Vec<(String, Draft, Sent)> = Vec::new();
        for i in 0..fuzz.count {
            if !in_time() {
                report.out_of_time = true;
                break;
            }
            if let Some(progress) = fuzz.progress {
                progress(i, fuzz.count);
            }
            let Some(draft) = draw(&mut rng, &adapt) else {
                continue;
            };
            let sent = self.send(&draft, &mut pacer);
            report.sent += 1;
            report.switched += usize::from(sent.switched);
            match (&sent.graded.verdict, &sent.graded.fault) {
                (Verdict::Error, _) => report.errors += 1,
                (Verdict::Fail, Some(class)) => match found.iter_mut().find(|(c, ..)| c == class) {
                    Some(entry) if sent.request.len() < entry.2.request.len() => {
                        entry.1 = draft;
                        entry.2 = sent;
                    }
                    Some(_) => {}
                    None => found.push((class.clone(), draft, sent)),
                },
                _ => {}
            }
        }
        if let Some(progress) = fuzz.progress {
            progress(report.sent, fuzz.count);
        }
        for (class, draft, sent) in found {
            let original_lines = draft.lines.len();
            let (draft, sent) = self.shrink(&class, draft, sent, &mut pacer, &in_time);
            report.failures.push(FuzzFailure {
                rfc: rfc_of(&class),
                class,
                detail: sent.graded.detail,
                request: sent.request,
                response: sent.response,
                original_lines,
                lines: draft.lines.len(),
            });
        }
        report
    }

    /// Drops field lines and list elements while the failure of `class` persists, re-sending
    /// each candidate, at most [`MAX_SHRINK_ATTEMPTS`] times and within the budget.
    fn shrink(
        &self,
        class: &str,
        mut draft: Draft,
        mut sent: Sent,
        pacer: &mut Pacer,
        in_time: &dyn Fn() -> bool,
    ) -> (Draft, Sent) {
        let mut attempts = 0;
        'smaller: loop {
            for candidate in draft.smaller() {
                if attempts >= MAX_SHRINK_ATTEMPTS || !in_time() {
                    break 'smaller;
                }
                attempts += 1;
                let again = self.send(&candidate, pacer);
                if again.graded.fault.as_deref() == Some(class) {
                    draft = candidate;
                    sent = again;
                    continue 'smaller;
                }
            }
            break;
        }
        (draft, sent)
    }
}

/// The RFC clause a failing class breaks.
fn rfc_of(class: &str) -> &'static str {
    match class {
        "content-length-with-transfer-encoding"
        | "content-length-invalid"
        | "transfer-encoding-malformed"
        | "transfer-encoding-not-chunked"
        | "transfer-encoding-in-101" => "RFC 9112 6.1",
        "content-length-in-101" => "RFC 9110 8.6",
        "interim-to-http10" => "RFC 9110 15.2",
        "101-before-continue" => "RFC 9110 10.1.1",
        c if c.starts_with("host-") => "RFC 9112 3.2",
        c if c.starts_with("websocket-") => "RFC 6455 4.2.1",
        c if c.starts_with("h2c-") || c == "http2-upgrade-forbidden" => "RFC 7540 3.2",
        c if c.starts_with("101-") => "RFC 9110 15.2.2",
        c if c.starts_with("426-") => "RFC 9110 15.5.22",
        _ => "RFC 9110 7.8",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    fn draft(lines: &[(&str, &str)]) -> Draft {
        Draft {
            method: "GET".into(),
            version: Version::Http11,
            lines: lines
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.as_bytes().to_vec()))
                .collect(),
        }
    }

    fn drafts(seed: u64, count: usize) -> Vec<Draft> {
        let adapt = Adapt {
            authority: "127.0.0.1:9",
            offers: &["websocket", "h2c"],
        };
        let mut rng = SplitMix64::new(seed);
        (0..count).filter_map(|_| draw(&mut rng, &adapt)).collect()
    }

    #[test]
    fn the_same_seed_draws_the_same_requests_and_another_seed_others() {
        assert_eq!(drafts(1, 50), drafts(1, 50));
        assert_ne!(drafts(1, 50), drafts(2, 50));
        assert_eq!(drafts(1, 50).len(), 50);
    }

    #[test]
    fn drawn_requests_are_http1_with_the_target_host_and_small_bodies() {
        let drawn = drafts(7, 300);
        let mut with_target_host = 0;
        for draft in &drawn {
            let hosts: Vec<_> = named(&draft.lines, "host").collect();
            assert!(
                !hosts
                    .iter()
                    .any(|h| *h == b"example.com" || *h == b"localhost:8080")
            );
            with_target_host += usize::from(hosts.first() == Some(&&b"127.0.0.1:9"[..]));
            assert!(draft.body().len() <= 1024);
            let bytes = draft.request("/").head_bytes();
            assert!(bytes.ends_with(b"\r\n\r\n") && !bytes.contains(&0));
        }
        // The generator puts a Host first in 7 requests of 8, an ordinary one (replaced) in two
        // of three, an empty one (kept) in the third: about 175 of 300.
        assert!(with_target_host > 140, "{with_target_host}");
    }

    #[test]
    fn frames_the_body_by_transfer_encoding_then_one_valid_length() {
        assert_eq!(draft(&[("Content-Length", "3")]).body(), b"xxx");
        assert_eq!(draft(&[("Content-Length", " 2 , 2")]).body(), b"xx");
        assert_eq!(draft(&[("Content-Length", "2, 3")]).body(), b"");
        assert_eq!(draft(&[("Content-Length", "-1")]).body(), b"");
        let both = draft(&[("Content-Length", "3"), ("transfer-encoding", "chunked")]);
        assert_eq!(both.body(), b"0\r\n\r\n");
        let held = draft(&[("Content-Length", "1"), ("Expect", "100-Continue")]);
        assert!(held.request("/").hold_body);
        assert!(!draft(&[("Expect", "100-continue")]).request("/").hold_body);
    }

    #[test]
    fn smaller_drafts_drop_every_line_of_a_repeated_field_after_single_lines() {
        let smaller = draft(&[("Host", "a"), ("Upgrade", "x"), ("host", "b")]).smaller();
        let names: Vec<Vec<&str>> = smaller
            .iter()
            .map(|d| d.lines.iter().map(|(n, _)| n.as_str()).collect())
            .collect();
        assert_eq!(
            names,
            vec![
                vec!["Upgrade", "host"],
                vec!["Host", "host"],
                vec!["Host", "Upgrade"],
                vec!["Upgrade"],
            ]
        );
    }

    #[test]
    fn smaller_drafts_drop_one_line_or_one_list_element() {
        let smaller = draft(&[("Host", "a"), ("Upgrade", "x, y")]).smaller();
        let lines: Vec<Vec<(&str, &[u8])>> = smaller
            .iter()
            .map(|d| {
                d.lines
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_slice()))
                    .collect()
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                vec![("Upgrade", &b"x, y"[..])],
                vec![("Host", &b"a"[..])],
                vec![("Host", &b"a"[..]), ("Upgrade", &b" y"[..])],
                vec![("Host", &b"a"[..]), ("Upgrade", &b"x"[..])],
            ]
        );
    }

    #[test]
    fn pacer_holds_sends_to_the_rate() {
        let mut pacer = Pacer::new(100);
        let started = Instant::now();
        for _ in 0..11 {
            pacer.wait();
        }
        assert!(started.elapsed() >= Duration::from_millis(100));
    }
}
