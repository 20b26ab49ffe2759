//! One request: decide, log, read the body when the decision needs it, answer.

use std::convert::Infallible;
use std::sync::Arc;

use http::header::{CONNECTION, HeaderValue};
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use hyper::body::{Bytes, Incoming};
use upgrade_negotiate::{BodyFraming, Decision, EMPTY_HEADER, Outcome, Status, parse_request};

use crate::BoxError;
use crate::decide::{self, Negotiator, Offer};
use crate::plain::{self, Body};
use crate::{h2c, websocket};
use upgrade_examples::frames::INITIAL_WINDOW;
use upgrade_examples::heads::{self, Heads, MAX_HEADERS, RawHead, SharedHeads, Stop};

/// The largest request body the server reads. It is also what fits in the flow-control window
/// of the HTTP/2 stream an h2c upgrade hands the request to.
const MAX_BODY: usize = INITIAL_WINDOW;

/// Serves one HTTP/1.x request, decided on its head as received.
///
/// The connection closes after a rejected request, a request whose head does not frame its
/// body (RFC 9112 section 6.1: with both `Content-Length` and `Transfer-Encoding` the server
/// must close the connection after responding), one whose body was not read to its end, one
/// whose head as received is missing (the next one could not be trusted either), and a server
/// error.
pub(crate) async fn handle(
    mut request: Request<Incoming>,
    negotiator: Arc<Negotiator>,
    heads: SharedHeads,
) -> Result<Response<Body>, Infallible> {
    let on_upgrade = hyper::upgrade::on(&mut request);
    let (parts, body) = request.into_parts();
    let raw = heads::with(&heads, Heads::next_head);
    let (decision, close) = match &raw {
        Some(raw) => decide_as_received(&negotiator, raw),
        None => {
            let why = heads::with(&heads, |heads| heads.stopped())
                .map_or_else(|| "none was seen".to_owned(), |stop| stop.to_string());
            eprintln!(
                "{} {}: NO HEAD AS RECEIVED ({why}); deciding on hyper's parse instead",
                parts.method,
                parts.uri.path()
            );
            (negotiator.decide(&parts), true)
        }
    };
    eprintln!("{}", decide::log_line(&parts, &decision));

    let answer = match decision.outcome() {
        Outcome::Required | Outcome::Reject => plain::refusal(&decision),
        Outcome::Continue => Ok(match read_body(body).await {
            Ok(body) => plain::answer(&parts, &body),
            Err(refusal) => closing(refusal),
        }),
        // The body belongs to the request, never to the new protocol (RFC 9110 section 7.8):
        // it is read to its end under the framing of `decision.request_body()` before the 101.
        // Polling it is also what makes hyper send `100 Continue` when the request expects it
        // (`decision.interim_continue()`), so the 100 goes before the 101.
        Outcome::Switch => match read_body(body).await {
            Err(refusal) => Ok(closing(refusal)),
            Ok(body) if !is_framed_as(decision.request_body(), &body) => Ok(closing(plain::text(
                StatusCode::BAD_REQUEST,
                "400 Bad Request: the request body does not match its framing\n".to_owned(),
            ))),
            Ok(body) => {
                // From the 101 on, the bytes are the new protocol's.
                heads::with(&heads, |heads| heads.stop(Stop::Switched));
                match decide::switch_to(&decision) {
                    Some(Offer::Websocket) => websocket::switch(&decision, on_upgrade),
                    Some(Offer::H2c) => {
                        h2c::switch(&decision, &parts, body, on_upgrade, Arc::clone(&negotiator))
                    }
                    None => Err("a switch to a protocol this server does not speak".into()),
                }
            }
        },
    };
    let answer = answer.unwrap_or_else(|e: BoxError| {
        eprintln!("{} {}: {e}", parts.method, parts.uri.path());
        plain::text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal server error\n".to_owned(),
        )
    });
    let close = close || decision.outcome() == Outcome::Reject || answer.status().is_server_error();
    Ok(if close { closing(answer) } else { answer })
}

/// The decision for a head as received, and whether it leaves the body unframed (or is no
/// valid head at all), so that no further request can be delimited on the connection.
fn decide_as_received<'n>(negotiator: &'n Negotiator, raw: &RawHead) -> (Decision<'n>, bool) {
    match raw {
        RawHead::Complete { bytes, framing } => {
            let mut headers = [EMPTY_HEADER; MAX_HEADERS];
            // The tracker parsed these very bytes into a complete head.
            let decision = match parse_request(bytes, &mut headers) {
                Ok(Status::Complete(parsed)) => negotiator.decide(parsed),
                Ok(Status::Partial) => Decision::request_malformed(),
                Err(e) => Decision::from(e),
            };
            (decision, framing.is_none())
        }
        RawHead::Invalid(e) => (Decision::from(*e), true),
        RawHead::TooLarge => (Decision::request_malformed(), true),
    }
}

/// `response`, saying that the connection closes after it (RFC 9112 section 9.6); hyper then
/// closes it.
fn closing(mut response: Response<Body>) -> Response<Body> {
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Serves one request of an HTTP/2 connection (after an h2c upgrade or with prior knowledge).
///
/// HTTP/2 has no `Upgrade` (RFC 9113 section 8.2.2): the decision is to carry on, or to reject
/// a request that carries `Upgrade` or `Connection`. The h2 layer already refuses such requests
/// as malformed; whatever still gets here is answered 400.
pub(crate) async fn handle_h2(
    request: Request<Incoming>,
    negotiator: Arc<Negotiator>,
) -> Result<Response<Body>, Infallible> {
    let (parts, body) = request.into_parts();
    let decision = negotiator.decide(&parts);
    eprintln!("{}", decide::log_line(&parts, &decision));
    Ok(match decision.outcome() {
        Outcome::Continue => match read_body(body).await {
            Ok(body) => plain::answer(&parts, &body),
            Err(refusal) => refusal,
        },
        Outcome::Switch | Outcome::Required | Outcome::Reject => plain::text(
            StatusCode::BAD_REQUEST,
            format!("400 Bad Request: {}\n", decision.reason().description()),
        ),
    })
}

/// Whether a body read to its end has the framing the decision found in the head as received.
fn is_framed_as(framing: Option<BodyFraming>, body: &[u8]) -> bool {
    match framing {
        Some(BodyFraming::None) => body.is_empty(),
        Some(BodyFraming::ContentLength(length)) => {
            u64::try_from(body.len()).is_ok_and(|read| read == length)
        }
        Some(BodyFraming::Chunked) => true,
        None => false,
    }
}

/// Reads the request body to its end, or the response that refuses it.
async fn read_body(body: Incoming) -> Result<Bytes, Response<Body>> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(plain::text(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("413 Content Too Large: this server reads at most {MAX_BODY} body bytes\n"),
        )),
        Err(e) => Err(plain::text(
            StatusCode::BAD_REQUEST,
            format!("400 Bad Request: the request body could not be read: {e}\n"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_matches_its_framing() {
        assert!(is_framed_as(Some(BodyFraming::None), b""));
        assert!(!is_framed_as(Some(BodyFraming::None), b"x"));
        assert!(is_framed_as(Some(BodyFraming::ContentLength(5)), b"hello"));
        assert!(!is_framed_as(Some(BodyFraming::ContentLength(4)), b"hello"));
        assert!(is_framed_as(Some(BodyFraming::Chunked), b"hello"));
        assert!(!is_framed_as(None, b""));
    }
}
