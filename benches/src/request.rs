//! Whole requests: httparse alone, and httparse plus the server's decision and its response head.

use upgrade_grammar::{Error, Protocol};
use upgrade_negotiate::{Decision, Outcome, Policy, Status, negotiate, parse_request};

pub use upgrade_testkit::handshakes::{
    CHROMIUM_PAGE_LOAD, CHROMIUM_WEBSOCKET, CURL_H2C, FIREFOX_WEBSOCKET, JSON_POST, SWITCH_H2C,
};

/// The prefix of the criterion group of each whole request: `request-<name>`.
pub const GROUP_PREFIX: &str = "request-";

/// The whole-request functions measured on every request, by criterion function id and
/// `icount` argument: httparse alone, then httparse, [`negotiate`] and the response head
/// written into a stack buffer.
pub const FUNCTIONS: [&str; 2] = ["httparse", "httparse_negotiate"];

/// Room for the field lines of a request head, as a server would reserve it.
pub(crate) const MAX_HEADERS: usize = 32;

/// Room for a response head on the stack: the longest the server writes is a 426 listing the
/// offers, far below this.
pub const RESPONSE_CAPACITY: usize = 256;

/// One whole request of the benches: its name and its bytes, as the client sent them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Request {
    name: &'static str,
    bytes: &'static [u8],
    asks: Asks,
}

/// The protocol a request asks to switch to, which decides the floors measured beside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Asks {
    WebSocket,
    H2c,
    Nothing,
}

impl Request {
    /// Every request, in the order the benches run them:
    ///
    /// - `chromium-websocket`, `firefox-websocket`: the websocket handshakes of Chromium 126
    ///   and Firefox 128 (switch to websocket);
    /// - `curl-h2c`: curl's `--http2` upgrade over cleartext (switch to h2c);
    /// - `page-load`: a Chromium page load without `Upgrade` (carry on as HTTP);
    /// - `json-post`: a JSON `POST` with its body, without `Upgrade` (carry on as HTTP).
    pub const ALL: [Request; 5] = [
        Request::new("chromium-websocket", CHROMIUM_WEBSOCKET, Asks::WebSocket),
        Request::new("firefox-websocket", FIREFOX_WEBSOCKET, Asks::WebSocket),
        Request::new("curl-h2c", CURL_H2C, Asks::H2c),
        Request::new("page-load", CHROMIUM_PAGE_LOAD, Asks::Nothing),
        Request::new("json-post", JSON_POST, Asks::Nothing),
    ];

    const fn new(name: &'static str, bytes: &'static [u8], asks: Asks) -> Request {
        Request { name, bytes, asks }
    }

    /// The request of this criterion group (`request-<name>`) or name.
    pub fn find(group_or_name: &str) -> Option<Request> {
        let name = group_or_name
            .strip_prefix(GROUP_PREFIX)
            .unwrap_or(group_or_name);
        Request::ALL.into_iter().find(|r| r.name == name)
    }

    /// The request's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// Its criterion group: `request-<name>`.
    pub fn group(&self) -> String {
        format!("{GROUP_PREFIX}{}", self.name)
    }

    /// The bytes of the request, head and body.
    pub const fn bytes(&self) -> &'static [u8] {
        self.bytes
    }

    /// Whether it is a websocket handshake (which the peers' server handshakes also answer).
    pub const fn is_websocket(&self) -> bool {
        matches!(self.asks, Asks::WebSocket)
    }

    /// Whether it is an h2c upgrade (beside which
    /// [`httparse_settings`](crate::least::httparse_settings) is measured).
    pub const fn is_h2c(&self) -> bool {
        matches!(self.asks, Asks::H2c)
    }
}

/// What the server offers: `websocket`, then `h2c`.
///
/// # Errors
///
/// Never: both names are tokens.
pub fn offers() -> Result<[Protocol<'static>; 2], Error> {
    Ok([Protocol::parse(b"websocket")?, Protocol::parse(b"h2c")?])
}

/// Parses a request head with httparse alone; the length of the head when it is complete.
///
/// # Examples
///
/// ```
/// use upgrade_benches::request::{httparse, CHROMIUM_WEBSOCKET};
///
/// assert_eq!(httparse(CHROMIUM_WEBSOCKET), Some(CHROMIUM_WEBSOCKET.len()));
/// assert_eq!(httparse(b"GET / HTTP/1.1\r\n"), None);
/// ```
pub fn httparse(bytes: &[u8]) -> Option<usize> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    match httparse::Request::new(&mut headers).parse(bytes) {
        Ok(httparse::Status::Complete(len)) => Some(len),
        Ok(httparse::Status::Partial) | Err(_) => None,
    }
}

/// Parses a request head with httparse ([`parse_request`]) and decides with [`negotiate`] and
/// the default [`Policy`], as a server does before writing its response.
///
/// # Examples
///
/// ```
/// use upgrade_benches::request::{httparse_decision, offers, CHROMIUM_WEBSOCKET};
/// use upgrade_negotiate::Outcome;
///
/// let offers = offers()?;
/// let decision = httparse_decision(CHROMIUM_WEBSOCKET, &offers);
/// assert_eq!((decision.outcome(), decision.status()), (Outcome::Switch, Some(101)));
/// # Ok::<(), upgrade_grammar::Error>(())
/// ```
pub fn httparse_decision<'o>(bytes: &[u8], offers: &'o [Protocol<'o>]) -> Decision<'o> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    match parse_request(bytes, &mut headers) {
        Ok(Status::Complete(request)) => negotiate(request, offers, &Policy::default()),
        Ok(Status::Partial) => Decision::request_malformed(),
        Err(e) => Decision::from(e),
    }
}

/// [`httparse_decision`], then the response head written into a buffer on the stack, as a
/// server does before switching: the outcome and the length of the head written (0 to carry
/// on as HTTP).
///
/// # Examples
///
/// ```
/// use upgrade_benches::request::{httparse_negotiate, offers, CURL_H2C, JSON_POST};
/// use upgrade_negotiate::Outcome;
///
/// let offers = offers()?;
/// assert_eq!(httparse_negotiate(CURL_H2C, &offers), (Outcome::Switch, 71));
/// assert_eq!(httparse_negotiate(JSON_POST, &offers), (Outcome::Continue, 0));
/// # Ok::<(), upgrade_grammar::Error>(())
/// ```
pub fn httparse_negotiate(bytes: &[u8], offers: &[Protocol<'_>]) -> (Outcome, usize) {
    let decision = httparse_decision(bytes, offers);
    if decision.outcome() == Outcome::Continue {
        // The request carries on as HTTP: the server writes no head of the negotiation's.
        return (Outcome::Continue, 0);
    }
    let mut head = [0u8; RESPONSE_CAPACITY];
    // The buffer holds every head the server writes; a failure would show as a length of 0.
    let len = decision.write_response_bytes(&mut head).unwrap_or(0);
    (decision.outcome(), len)
}

#[cfg(test)]
mod tests {
    use upgrade_negotiate::Reason;
    use upgrade_testkit::handshakes::SWITCH_WEBSOCKET;

    use super::*;

    #[test]
    fn handshakes_are_the_ones_the_cli_tests_use() {
        let chromium = include_bytes!(
            "../../crates/upgrade-check/tests/data/requests/websocket-chromium.http"
        );
        assert_eq!(CHROMIUM_WEBSOCKET, chromium);
        let firefox =
            include_bytes!("../../crates/upgrade-check/tests/data/requests/websocket-firefox.http");
        assert_eq!(FIREFOX_WEBSOCKET, firefox);
    }

    #[test]
    fn httparse_reads_the_whole_head_of_every_request() {
        for request in Request::ALL {
            let head = httparse(request.bytes()).unwrap();
            assert!(
                request.bytes()[..head].ends_with(b"\r\n\r\n"),
                "{request:?}"
            );
        }
        let post = httparse(JSON_POST).unwrap();
        assert_eq!(JSON_POST.len() - post, 45);
        assert_eq!(Request::ALL.len(), 5);
    }

    #[test]
    fn decision_switches_to_websocket_with_the_rfc_accept_value() {
        let offers = offers().unwrap();
        let decision = httparse_decision(CHROMIUM_WEBSOCKET, &offers);
        assert_eq!(decision.outcome(), Outcome::Switch);
        assert_eq!(decision.reason(), Reason::Switched);
        assert_eq!(decision.protocol_index(), Some(0));
        let mut head = String::new();
        decision.write_response(&mut head).unwrap();
        assert_eq!(head, SWITCH_WEBSOCKET);
    }

    #[test]
    fn every_request_gets_its_expected_decision_and_head() {
        let offers = offers().unwrap();
        let firefox_head = SWITCH_WEBSOCKET.replace(
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=",
            "HSmrc0sMlYUkAGmm5OPpG2HaGWk=",
        );
        let expected = [
            (
                "chromium-websocket",
                Reason::Switched,
                SWITCH_WEBSOCKET.len(),
            ),
            ("firefox-websocket", Reason::Switched, firefox_head.len()),
            ("curl-h2c", Reason::Switched, SWITCH_H2C.len()),
            ("page-load", Reason::NoUpgradeField, 0),
            ("json-post", Reason::NoUpgradeField, 0),
        ];
        for (request, (name, reason, head_len)) in Request::ALL.into_iter().zip(expected) {
            assert_eq!(request.name(), name);
            assert_eq!(Request::find(&request.group()), Some(request));
            let decision = httparse_decision(request.bytes(), &offers);
            assert_eq!(decision.reason(), reason, "{name}");
            let mut head = String::new();
            decision.write_response(&mut head).unwrap();
            if name == "firefox-websocket" {
                assert_eq!(head, firefox_head);
            }
            assert_eq!(
                httparse_negotiate(request.bytes(), &offers),
                (decision.outcome(), head_len),
                "{name}"
            );
            assert_eq!(request.is_websocket(), name.ends_with("websocket"));
            assert_eq!(request.is_h2c(), name.ends_with("h2c"));
        }
    }

    #[test]
    fn decision_on_a_partial_head_is_a_rejection() {
        let offers = offers().unwrap();
        let cut = CHROMIUM_WEBSOCKET.get(..40).unwrap();
        assert_eq!(httparse_decision(cut, &offers).status(), Some(400));
        assert_eq!(httparse_negotiate(cut, &offers).0, Outcome::Reject);
    }
}
