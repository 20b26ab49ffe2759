//! The server side: rules 1 to 11 of the negotiation.

use upgrade_grammar::{Protocol, Token, parse_connection, parse_upgrade};

use crate::decision::{Decision, Outcome};
use crate::framing::{expects_continue, request_framing};
use crate::headers::{FieldLines, has};
use crate::host::host_rule;
use crate::message::{HttpVersion, RequestHead};
use crate::policy::{Policy, Preference};
use crate::reason::Reason;
use crate::{h2c, websocket};

/// Decides what a server does with a request that may ask for a protocol upgrade.
///
/// `offers` are the protocols the server speaks, in its order of preference. The rules apply in
/// this order (RFC 9110 sections 7.6.1, 7.8, 15.2.2, 15.5.22; RFC 9113 section 8.2.2;
/// RFC 6455 section 4.2; RFC 7540 section 3.2), and the first that applies decides:
///
/// 1. The method is not a token: reject ([`Reason::RequestMalformed`]; a request that cannot be
///    parsed at all gets [`Decision::request_malformed`], or `Decision::from` the
///    [`HeadError`](crate::HeadError)). An HTTP/1.1 request without a `Host` field line, or any
///    HTTP/1.x request with several or with a value that is not `uri-host [ ":" port ]`: reject
///    ([`Reason::HostMissing`], [`Reason::HostRepeated`], [`Reason::HostInvalid`]; RFC 9112
///    section 3.2).
/// 2. HTTP/2 or later with `Upgrade` or `Connection`: reject.
/// 3. No `Upgrade` field: continue.
/// 4. HTTP/1.0: `Upgrade` is ignored: continue.
/// 5. `CONNECT` (case-sensitive): never upgraded here: continue.
/// 6. Both `Content-Length` and `Transfer-Encoding`, an invalid `Content-Length`, or a
///    `Transfer-Encoding` that does not end in one `chunked`: reject.
/// 7. `Connection` malformed: reject. `Connection` without `upgrade` (`Proxy-Connection` does
///    not count): continue, `Upgrade` ignored.
/// 8. `Upgrade` malformed or over the bounds: reject. An empty list: continue.
/// 9. The candidates are the protocols the client listed that the server offers (names equal
///    ignoring ASCII case, versions equal exactly), in the client's order or the server's,
///    per [`Policy::preference`].
/// 10. Each candidate goes through its profile: `websocket` and `h2c` have their checks, any
///     other name passes. The first to pass is the switch (101).
/// 11. When none passed, the first profile failure is the verdict (426 with
///     `Sec-WebSocket-Version: 13` for an unsupported websocket version, 400 otherwise); without
///     one, continue.
///
/// Where a rule continues because the request does not (validly) ask for an offered protocol,
/// a [`Policy`] that requires an upgrade turns the decision into a 426 listing the offers,
/// except for `CONNECT`, for HTTP/2 and later (which cannot carry `Upgrade`) and when there is
/// no offer to list.
///
/// `request` is anything that converts into a [`RequestHead`]: a reference to a
/// [`ParsedRequest`](crate::ParsedRequest) from [`parse_request`](crate::parse_request), a
/// [`RequestHead`] (or a reference to one) built from any parser, or, with the `http` feature, a
/// reference to an `http::Request` or its parts.
///
/// Never panics and never allocates.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{negotiate, HttpVersion, Outcome, Policy, Protocol, Reason, RequestHead};
///
/// const OFFERS: [Protocol<'static>; 2] = [Protocol::from_static("websocket"), Protocol::from_static("h2c")];
/// let headers = [
///     ("Host", "example.com"),
///     ("Upgrade", "h2c"),
///     ("Connection", "Upgrade, HTTP2-Settings"),
///     ("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"),
/// ];
/// let decision = negotiate(RequestHead::new("GET", HttpVersion::Http11, &headers), &OFFERS, &Policy::default());
/// assert_eq!(decision.outcome(), Outcome::Switch);
/// assert_eq!(decision.protocol_index(), Some(1));
///
/// // The same request without `upgrade` in Connection: Upgrade is ignored.
/// let headers = [("Host", "a"), ("Upgrade", "h2c"), ("Connection", "HTTP2-Settings"), ("HTTP2-Settings", "")];
/// let decision = negotiate(RequestHead::new("GET", HttpVersion::Http11, &headers), &OFFERS, &Policy::default());
/// assert_eq!(decision.outcome(), Outcome::Continue);
/// assert_eq!(decision.reason(), Reason::ConnectionMissingUpgrade);
///
/// // Without Host, no HTTP/1.1 request is valid (RFC 9112 section 3.2).
/// let headers = [("Upgrade", "h2c"), ("Connection", "Upgrade, HTTP2-Settings"), ("HTTP2-Settings", "")];
/// let decision = negotiate(RequestHead::new("GET", HttpVersion::Http11, &headers), &OFFERS, &Policy::default());
/// assert_eq!((decision.status(), decision.reason()), (Some(400), Reason::HostMissing));
/// ```
pub fn negotiate<'r, 'o, H: FieldLines + ?Sized + 'r>(
    request: impl Into<RequestHead<'r, H>>,
    offers: &'o [Protocol<'o>],
    policy: &Policy,
) -> Decision<'o> {
    let request = &request.into();
    let headers = request.headers();
    let version = request.version();

    // Rule 1.
    if Token::parse(request.method()).is_err() {
        return Decision::new(Outcome::Reject, Reason::RequestMalformed, offers);
    }
    if let Some(reason) = host_rule(headers, version) {
        return Decision::new(Outcome::Reject, reason, offers);
    }
    // Rule 2.
    if version == HttpVersion::Http2OrLater
        && (has(headers, "upgrade") || has(headers, "connection"))
    {
        return Decision::new(Outcome::Reject, Reason::Http2UpgradeForbidden, offers);
    }

    let framing = request_framing(headers);
    // RFC 9110 section 10.1.1: an expectation in an HTTP/1.0 request is ignored.
    let interim_continue = version != HttpVersion::Http10 && expects_continue(headers);
    let reject = |reason: Reason| {
        Decision::new(Outcome::Reject, reason, offers).with_request(framing.ok(), interim_continue)
    };
    let carry_on = |reason: Reason| {
        let outcome = if policy.require_upgrade() && !offers.is_empty() {
            Outcome::Required
        } else {
            Outcome::Continue
        };
        Decision::new(outcome, reason, offers).with_request(framing.ok(), interim_continue)
    };

    // Rule 3.
    if !has(headers, "upgrade") {
        if version == HttpVersion::Http2OrLater {
            return Decision::new(Outcome::Continue, Reason::NoUpgradeField, offers)
                .with_request(framing.ok(), interim_continue);
        }
        return carry_on(Reason::NoUpgradeField);
    }
    // Rule 4.
    if version == HttpVersion::Http10 {
        return carry_on(Reason::Http10Ignored);
    }
    // Rule 5. Methods are case-sensitive (RFC 9110 section 9.1).
    if request.method() == b"CONNECT" {
        return Decision::new(Outcome::Continue, Reason::ConnectIgnored, offers)
            .with_request(framing.ok(), interim_continue);
    }
    // Rule 6.
    let framing = match framing {
        Ok(framing) => framing,
        Err(reason) => return reject(reason),
    };
    let config = policy.config();
    // Rule 7.
    match parse_connection(headers.lines("connection"), config).contains(b"upgrade") {
        Err(e) => return reject(Reason::ConnectionMalformed).with_error(e),
        Ok(false) => return carry_on(Reason::ConnectionMissingUpgrade),
        Ok(true) => {}
    }
    // Rule 8.
    match parse_upgrade(headers.lines("upgrade"), config).validate() {
        Err(e) => return reject(Reason::UpgradeMalformed).with_error(e),
        Ok(0) => return carry_on(Reason::UpgradeEmpty),
        Ok(_) => {}
    }

    // Rules 9 and 10.
    let mut failure: Option<(usize, Reason)> = None;
    let mut try_candidate = |index: usize| -> Option<Decision<'o>> {
        let offer = offers.get(index)?;
        let decision = Decision::new(Outcome::Switch, Reason::Switched, offers)
            .with_protocol(index, *offer)
            .with_request(Some(framing), interim_continue);
        let verdict = if offer.is_named(b"websocket") {
            websocket::profile(request).map(|accept| decision.with_websocket_accept(accept))
        } else if offer.is_named(b"h2c") {
            h2c::profile(request, config).map(|()| decision)
        } else {
            Ok(decision)
        };
        match verdict {
            Ok(decision) => Some(decision),
            Err(reason) => {
                failure.get_or_insert((index, reason));
                None
            }
        }
    };
    let client = || parse_upgrade(headers.lines("upgrade"), config).map_while(Result::ok);
    let switch = match policy.preference() {
        Preference::Client => client()
            .filter_map(|asked| offers.iter().position(|offer| offer.matches(&asked)))
            .find_map(&mut try_candidate),
        Preference::Server => offers
            .iter()
            .enumerate()
            .filter(|(_, offer)| client().any(|asked| offer.matches(&asked)))
            .find_map(|(index, _)| try_candidate(index)),
    };
    if let Some(decision) = switch {
        return decision;
    }

    // Rule 11.
    match failure.and_then(|(index, reason)| Some((index, *offers.get(index)?, reason))) {
        Some((index, offer, reason)) => {
            let outcome = if reason == Reason::WebSocketVersionUnsupported {
                Outcome::Required
            } else {
                Outcome::Reject
            };
            Decision::new(outcome, reason, offers)
                .with_protocol(index, offer)
                .with_request(Some(framing), interim_continue)
        }
        None => carry_on(Reason::NoCommonProtocol),
    }
}
