//! Whole requests: httparse alone, and httparse plus the server's decision.

use upgrade_grammar::{Error, Protocol};
use upgrade_negotiate::{Decision, Policy, Status, negotiate, parse_request};

/// The criterion group of the whole-request benches.
pub const GROUP: &str = "request";

/// The whole-request functions, by criterion function id and `icount` argument.
pub const FUNCTIONS: [&str; 2] = ["httparse", "httparse_decision"];

pub use upgrade_testkit::handshakes::CHROMIUM_WEBSOCKET;

/// Room for the field lines of a request head, as a server would reserve it.
const MAX_HEADERS: usize = 32;

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

#[cfg(test)]
mod tests {
    use upgrade_negotiate::{Outcome, Reason};

    use super::*;

    #[test]
    fn chromium_handshake_is_the_one_the_cli_tests_use() {
        let file = include_bytes!(
            "../../crates/upgrade-check/tests/data/requests/websocket-chromium.http"
        );
        assert_eq!(CHROMIUM_WEBSOCKET, file);
    }

    #[test]
    fn httparse_reads_the_whole_head() {
        assert_eq!(httparse(CHROMIUM_WEBSOCKET), Some(CHROMIUM_WEBSOCKET.len()));
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
        assert!(head.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    }

    #[test]
    fn decision_on_a_partial_head_is_a_rejection() {
        let offers = offers().unwrap();
        let cut = CHROMIUM_WEBSOCKET.get(..40).unwrap();
        assert_eq!(httparse_decision(cut, &offers).status(), Some(400));
    }
}
