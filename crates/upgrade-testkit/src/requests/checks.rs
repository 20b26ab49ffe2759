//! The negotiation invariants of DESIGN.md sections 3 and 4 as checks that panic, naming the
//! invariant, with the escaped request, the offers, the policy and the decision, when one does
//! not hold. The proptest properties of `upgrade-negotiate` and the `negotiate` and
//! `negotiate_raw` fuzz targets call these same functions.
//!
//! What the client listed and what `Connection` holds are read with the reference parser, not
//! with `upgrade-grammar`, so that the checks share no code with what they check.

use std::fmt::Display;

use upgrade_grammar::http::{connection_from_headers, upgrade_from_headers};
use upgrade_grammar::{Protocol, parse_connection, parse_upgrade};
use upgrade_negotiate::{
    BodyFraming, Decision, FieldLines, HOP_BY_HOP_FIELDS, HttpVersion, Outcome, ParsedRequest,
    Policy, Preference, Reason, RequestHead, Status, check_response, hop_by_hop, negotiate,
    parse_request, parse_response,
};

use crate::lists::checks::check_lines;
use crate::lists::render::canonical;
use crate::reference::{RefItem, RefKind, RefOutcome, ref_is_tchar, reference_parse, trim_ows};
use crate::requests::case::{Exchange, ListWriting, RequestCase, flip_case, profile, values};
use crate::requests::host::is_host_field_value;

/// The request's list `name` of `kind`, read by the reference parser with the policy's grammar.
fn list(exchange: &Exchange<'_>, kind: RefKind, name: &str) -> RefOutcome {
    reference_parse(kind, &exchange.values(name), exchange.policy.config())
}

/// The server's offers as items.
fn offers(exchange: &Exchange<'_>) -> Vec<RefItem> {
    exchange.offers.iter().map(RefItem::from).collect()
}

/// The indices of the offers that the client listed, in the order that the policy's preference
/// tries them (rule 9): the client's list, each element mapped to the first offer equal to it,
/// or the offers in order.
fn candidates(exchange: &Exchange<'_>) -> Vec<usize> {
    let listed = list(exchange, RefKind::Upgrade, "upgrade").items;
    let offers = offers(exchange);
    match exchange.policy.preference() {
        Preference::Client => listed
            .iter()
            .filter_map(|asked| offers.iter().position(|o| o.matches(asked)))
            .collect(),
        Preference::Server => (0..offers.len())
            .filter(|&i| listed.iter().any(|asked| offers[i].matches(asked)))
            .collect(),
    }
}

/// The response head the decision writes, as text. Written as bytes, it must be the same head,
/// and fit a buffer of exactly its length but not one byte shorter.
pub fn response_head(decision: &Decision<'_>) -> String {
    let mut head = String::new();
    if decision.write_response(&mut head).is_err() {
        panic!("writing a response head to a String failed: {decision:?}");
    }
    let mut bytes = vec![0u8; head.len()];
    let written = decision.write_response_bytes(&mut bytes);
    if written != Some(head.len()) || bytes != head.as_bytes() {
        panic!(
            "the head written as bytes, {written:?} bytes {:?}, is not the text head {head:?}: \
             {decision:?}",
            String::from_utf8_lossy(&bytes)
        );
    }
    if let Some(shorter) = head.len().checked_sub(1)
        && let Some(len) = decision.write_response_bytes(&mut bytes[..shorter])
    {
        panic!(
            "a head of {} bytes written into {shorter} ({len}): {decision:?}",
            head.len()
        );
    }
    head
}

/// The request, offers, policy and decision, for failure messages.
pub fn describe(exchange: &Exchange<'_>, decision: &Decision<'_>) -> String {
    let (method, version) = (exchange.method.escape_ascii(), exchange.version);
    let lines = exchange
        .lines
        .iter()
        .map(|(name, value)| format!("b\"{}: {}\"", name.escape_default(), value.escape_ascii()));
    let lines = lines.collect::<Vec<_>>().join(", ");
    let offers = exchange.offers.iter().map(ToString::to_string);
    let (offers, policy) = (offers.collect::<Vec<_>>().join(", "), exchange.policy);
    let response = response_head(decision);
    let response = response.escape_default();
    format!(
        "  request:  {method} {version} [{lines}]\n  offers:   [{offers}]\n  policy:   {policy:?}\n  decision: {decision:?}\n  response: b\"{response}\""
    )
}

/// An invariant checked on a request and its decision: fails naming the invariant, what was
/// found, and the request with its decision.
struct Judge<'x, 'a, 'o>(&'x str, &'x Exchange<'a>, &'x Decision<'o>);

impl Judge<'_, '_, '_> {
    fn fail(&self, found: impl Display) -> ! {
        let (invariant, description) = (self.0, describe(self.1, self.2));
        panic!("{invariant}\n  found:    {found}\n{description}");
    }

    fn ensure(&self, holds: bool, found: impl Display) {
        if !holds {
            self.fail(found);
        }
    }
}

/// A switch names a protocol that the client listed and the server offered, spelled as
/// offered; [`Reason::Switched`] goes with [`Outcome::Switch`] and nothing else.
pub fn check_switch_names_a_listed_offer(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str =
        "a switch names a protocol that the client listed and the server offered";
    let judge = Judge(INVARIANT, exchange, decision);
    let switched = decision.outcome() == Outcome::Switch;
    let reason_switched = decision.reason() == Reason::Switched;
    judge.ensure(switched == reason_switched, "switch without `switched`");
    if !switched {
        return;
    }
    let index = decision.protocol_index();
    let Some(offer) = index.and_then(|i| offers(exchange).get(i).cloned()) else {
        judge.fail(format_args!("protocol index {index:?} past the offers"));
    };
    let spelled = decision.protocol().as_ref().map(RefItem::from);
    judge.ensure(spelled == Some(offer.clone()), "not spelled as offered");
    let listed = list(exchange, RefKind::Upgrade, "upgrade");
    if !listed.is_ok() || !listed.items.iter().any(|asked| asked.matches(&offer)) {
        judge.fail("the client's Upgrade does not list it");
    }
}

/// Only HTTP/1.1 switches, never for `CONNECT`, and only when `Connection` is valid and lists
/// the `upgrade` option (`Proxy-Connection` does not count): HTTP/1.0 and a missing `upgrade`
/// option never switch.
pub fn check_no_switch_without_upgrade_option(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    if decision.outcome() != Outcome::Switch {
        return;
    }
    const INVARIANT: &str =
        "HTTP/1.0, CONNECT and a missing `upgrade` option in Connection never switch";
    let judge = Judge(INVARIANT, exchange, decision);
    let http11 = exchange.version == HttpVersion::Http11;
    judge.ensure(http11, "switched a request that is not HTTP/1.1");
    judge.ensure(exchange.method != b"CONNECT", "switched a CONNECT");
    let connection = list(exchange, RefKind::Connection, "connection");
    if !connection.is_ok() || !connection.lists(b"upgrade") {
        judge.fail("Connection is malformed or does not list `upgrade`");
    }
}

/// The choice among candidates follows the policy's preference (rules 9 to 11): a switch picks a
/// candidate such that every candidate tried before it (in the client's order under client
/// preference, in the server's under server preference) has a profile, a different one from the
/// winner's (a candidate with the winner's profile, or without a profile, would have passed);
/// without candidates the reason is [`Reason::NoCommonProtocol`]; a profile's verdict concerns
/// the first candidate, and comes only when every candidate has a profile.
pub fn check_preference_order(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str =
        "client order wins under client preference and server order under server preference";
    let judge = Judge(INVARIANT, exchange, decision);
    let (reason, index) = (decision.reason(), decision.protocol_index());
    if reason == Reason::NoCommonProtocol {
        let candidates = candidates(exchange);
        let found = format_args!("no common protocol, but candidates {candidates:?}");
        return judge.ensure(candidates.is_empty(), found);
    }
    let Some(index) = index else {
        return;
    };
    let (candidates, offers) = (candidates(exchange), offers(exchange));
    let Some(offer) = offers.get(index) else {
        judge.fail(format_args!("protocol index {index} is past the offers"));
    };
    if reason == Reason::Switched {
        let Some(rank) = candidates.iter().position(|&c| c == index) else {
            judge.fail(format_args!("offer {index} is not among {candidates:?}"));
        };
        for &earlier in &candidates[..rank] {
            let skipped = profile(&offers[earlier]);
            if skipped.is_none() || skipped == profile(offer) {
                judge.fail(format_args!("offer {earlier} comes before offer {index} in {candidates:?} and would have passed"));
            }
        }
    } else if candidates.first() != Some(&index) {
        judge.fail(format_args!("a profile's verdict for offer {index}, but the first candidate of {candidates:?} is tried first"));
    } else if let Some(generic) = candidates.iter().find(|&&c| profile(&offers[c]).is_none()) {
        judge.fail(format_args!(
            "a profile's verdict, but offer {generic} has no profile and passes"
        ));
    }
}

/// Every response head the server builds passes the client-side check against the same
/// request: a 101 is valid and switched, to the protocol the decision names, spelled as offered;
/// a 426 or 400 is valid and not switched, with the decision's status.
pub fn check_client_accepts_the_response(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    if decision.outcome() == Outcome::Continue {
        return;
    }
    const INVARIANT: &str = "every response the server builds passes the client check";
    let judge = Judge(INVARIANT, exchange, decision);
    let head = response_head(decision);
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let parsed = match parse_response(head.as_bytes(), &mut headers) {
        Ok(Status::Complete(parsed)) => parsed,
        other => judge.fail(format_args!("unreadable head: {other:?}")),
    };
    let check = check_response(exchange.request(), parsed, &Policy::default());
    let protocols: Vec<String> = check.protocols().map(|p| p.to_string()).collect();
    let switch = decision.outcome() == Outcome::Switch;
    let named = decision.protocol().map(|p| vec![p.to_string()]);
    judge.ensure(
        Some(parsed.status()) == decision.status()
            && check.valid()
            && check.switched() == switch
            && (!switch || named == Some(protocols.clone())),
        format_args!(
            "status {}, valid {}, switched {}, reason {}, protocols {protocols:?}",
            parsed.status(),
            check.valid(),
            check.switched(),
            check.reason()
        ),
    );
}

/// The written response head is well formed: empty to carry on with HTTP; otherwise CRLF line
/// endings only, ending with the empty line, read completely by httparse as an HTTP/1.1
/// response with the decision's status, every field value visible ASCII with single spaces
/// inside. A 426 that the policy required lists every offer in canonical form. The head
/// written as bytes is the same ([`response_head`]).
pub fn check_response_head(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str = "the written response head is well formed";
    let judge = Judge(INVARIANT, exchange, decision);
    let head = response_head(decision);
    if decision.outcome() == Outcome::Continue {
        return judge.ensure(head.is_empty(), "a head for `continue`");
    }
    // Every CR and LF stands in a CRLF.
    if head.replace("\r\n", "").contains(['\r', '\n']) || !head.ends_with("\r\n\r\n") {
        judge.fail("a bare CR or LF, or no empty line at the end");
    }
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut response = httparse::Response::new(&mut headers);
    let read = response.parse(head.as_bytes());
    judge.ensure(
        matches!(read, Ok(httparse::Status::Complete(len)) if len == head.len()),
        format_args!("httparse reads {read:?} of {} bytes", head.len()),
    );
    let (version, code) = (response.version, response.code);
    if version != Some(1) || code != decision.status() {
        judge.fail(format_args!("version 1.{version:?}, status {code:?}"));
    }
    let vchar = |b: &u8| (0x21..=0x7e).contains(b);
    for header in response.headers.iter() {
        let value = header.value;
        let visible = value.first().is_some_and(vchar)
            && value.last().is_some_and(vchar)
            && value.iter().all(|b| vchar(b) || *b == b' ')
            && !value.windows(2).any(|w| w == b"  ");
        let found = format_args!("the value of {} is not visible ASCII", header.name);
        judge.ensure(visible, found);
    }
    if decision.outcome() == Outcome::Required
        && decision.reason() != Reason::WebSocketVersionUnsupported
    {
        let want = canonical(RefKind::Upgrade, &offers(exchange));
        let lines = response.headers.iter().map(|h| (h.name, h.value));
        if values(lines, "upgrade") != [want.as_slice()] {
            judge.fail("a 426 that does not list every offer");
        }
    }
}

/// A switch is never made before the request body has been framed: no `Content-Length` and no
/// `Transfer-Encoding` is no body, `Content-Length` (every element the same decimal value) is
/// that length, `Transfer-Encoding` alone is chunked, and both never switch. The decision asks
/// for `100 Continue` exactly when an HTTP/1.1 request carries `Expect: 100-continue` (in any
/// line or element, ignoring case), except for rules 1 and 2, which read no field but `Upgrade`
/// and `Connection`.
pub fn check_request_body(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str =
        "a switch frames the request body first, and 100 Continue follows Expect";
    let judge = Judge(INVARIANT, exchange, decision);
    let elements = |name| {
        let lines = exchange.values(name).into_iter();
        lines.flat_map(|line| line.split(|&b| b == b',').map(trim_ows))
    };
    // Rules 1 and 2 decide before the framing and expectation fields are read.
    let reads_fields = !matches!(decision.reason().rule(), 1 | 2);
    let expects = elements("expect").any(|e| e.eq_ignore_ascii_case(b"100-continue"));
    let want_continue = reads_fields && expects && exchange.version != HttpVersion::Http10;
    let interim = decision.interim_continue();
    judge.ensure(
        interim == want_continue,
        format_args!("100-continue {interim}"),
    );
    if decision.outcome() != Outcome::Switch {
        return;
    }
    let has = |name| !exchange.values(name).is_empty();
    let framing = match (has("content-length"), has("transfer-encoding")) {
        (false, false) => Some(BodyFraming::None),
        (false, true) => Some(BodyFraming::Chunked),
        (true, false) => {
            // RFC 9110 section 8.6: `1*DIGIT`; repeated values must be the same decimal value,
            // so `5` and `05` agree.
            let decimal = |digits: &[u8]| -> Option<u64> {
                let all_digits = digits.iter().all(u8::is_ascii_digit);
                all_digits.then(|| std::str::from_utf8(digits).ok()?.parse().ok())?
            };
            let values: Option<Vec<u64>> = elements("content-length").map(decimal).collect();
            values
                .filter(|v| v.windows(2).all(|w| w[0] == w[1]))
                .and_then(|v| v.first().copied())
                .map(BodyFraming::ContentLength)
        }
        (true, true) => None,
    };
    let body = decision.request_body();
    judge.ensure(
        framing.is_some() && body == framing,
        format_args!("body {body:?} for a request framed as {framing:?}"),
    );
}

/// The reason a decision gives is true of the request, read without the negotiator's code
/// (field lines by name, lists with the reference parser):
///
/// - rule 1's `Host` verdicts come exactly when a request with a token method has several
///   `Host` lines (HTTP/1.x), none (HTTP/1.1), or one whose value is not `uri-host [ ":" port ]`
///   ([`is_host_field_value`], RFC 3986's grammar spelled out), and the first applies before any
///   other rule;
/// - `http10-ignored` is an HTTP/1.0 request, `no-upgrade-field` has no `Upgrade` line,
///   `connection-missing-upgrade` has a valid `Connection` without the `upgrade` option
///   (compared ignoring ASCII case), `upgrade-empty` a valid `Upgrade` without protocols, and
///   `content-length-with-transfer-encoding` both fields;
/// - a websocket switch has exactly one `Sec-WebSocket-Key` line holding the padded base64 of 16
///   bytes (RFC 6455 section 4.1, item 7).
pub fn check_reason_holds(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str = "the reason of a decision is true of the request";
    let judge = Judge(INVARIANT, exchange, decision);
    let reason = decision.reason();
    let method_is_token =
        !exchange.method.is_empty() && exchange.method.iter().all(|&b| ref_is_tchar(b));
    let hosts = exchange.values("host");
    let host_verdict = match (exchange.version, hosts.as_slice()) {
        _ if !method_is_token => None,
        (HttpVersion::Http2OrLater, _) => None,
        (_, [_, _, ..]) => Some(Reason::HostRepeated),
        (HttpVersion::Http11, []) => Some(Reason::HostMissing),
        (_, [host]) if !is_host_field_value(trim_ows(host)) => Some(Reason::HostInvalid),
        _ => None,
    };
    let host_reason = matches!(
        reason,
        Reason::HostRepeated | Reason::HostMissing | Reason::HostInvalid
    );
    let shown = hosts.iter().map(|h| h.escape_ascii().to_string());
    judge.ensure(
        host_verdict.map_or(!host_reason, |want| want == reason),
        format_args!(
            "Host lines {:?}, reason {reason}",
            shown.collect::<Vec<_>>()
        ),
    );
    let has = |name| !exchange.values(name).is_empty();
    let holds = match reason {
        Reason::Http10Ignored => exchange.version == HttpVersion::Http10,
        Reason::NoUpgradeField => !has("upgrade"),
        Reason::ConnectionMissingUpgrade => {
            let connection = list(exchange, RefKind::Connection, "connection");
            connection.is_ok() && !connection.lists(b"upgrade")
        }
        Reason::UpgradeEmpty => {
            let listed = list(exchange, RefKind::Upgrade, "upgrade");
            listed.is_ok() && listed.items.is_empty()
        }
        Reason::ContentLengthWithTransferEncoding => {
            has("content-length") && has("transfer-encoding")
        }
        _ => true,
    };
    judge.ensure(holds, format_args!("reason {reason}, not borne out"));
    let websocket = decision
        .protocol()
        .is_some_and(|p| p.name().as_bytes().eq_ignore_ascii_case(b"websocket"));
    if decision.outcome() == Outcome::Switch && websocket {
        let keys = exchange.values("sec-websocket-key");
        if !matches!(keys.as_slice(), [key] if is_base64_of_16_bytes(trim_ows(key))) {
            judge.fail("a websocket switch without exactly one valid key");
        }
    }
}

/// Whether `key` is the padded base64 (RFC 4648 section 4) of exactly 16 bytes, spelled out:
/// 21 characters of the alphabet, a 22nd that carries two bits and four zero bits, then `==`.
fn is_base64_of_16_bytes(key: &[u8]) -> bool {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let value = |c: &u8| ALPHABET.iter().position(|a| a == c);
    match key {
        [data @ .., last, b'=', b'='] if data.len() == 21 => {
            data.iter().all(|c| value(c).is_some()) && value(last).is_some_and(|v| v % 16 == 0)
        }
        _ => false,
    }
}

/// Every check on one decision: [`check_switch_names_a_listed_offer`],
/// [`check_no_switch_without_upgrade_option`], [`check_preference_order`],
/// [`check_request_body`], [`check_reason_holds`], [`check_response_head`] and
/// [`check_client_accepts_the_response`].
pub fn check_decision(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    check_switch_names_a_listed_offer(exchange, decision);
    check_no_switch_without_upgrade_option(exchange, decision);
    check_preference_order(exchange, decision);
    check_request_body(exchange, decision);
    check_reason_holds(exchange, decision);
    check_response_head(exchange, decision);
    check_client_accepts_the_response(exchange, decision);
}

/// What a proxy forwarding the request drops ([`hop_by_hop`] with the exchange's policy) is what
/// RFC 9110 section 7.6.1 names: [`HOP_BY_HOP_FIELDS`] and the options of `Connection`, read by
/// the reference parser. The proxy refuses exactly the `Connection` the reference refuses, with
/// its error (kind, line and offset); otherwise `names()` is the fixed fields, then each option
/// that is not one of them, once, as first spelled, and `is_hop_by_hop` holds, ignoring ASCII
/// case, for exactly those names: asked of every field name of the request, every name listed
/// and their case-swapped spellings. `decision` is shown when the check fails.
pub fn check_hop_by_hop(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str =
        "a proxy drops the fixed hop-by-hop fields and every option of Connection, no other";
    let judge = Judge(INVARIANT, exchange, decision);
    let connection = list(exchange, RefKind::Connection, "connection");
    let hop = match (
        hop_by_hop(exchange.lines.as_slice(), &exchange.policy),
        connection.error,
    ) {
        (Ok(hop), None) => hop,
        (Err(e), Some(want)) => {
            let got = crate::lists::checks::position(e);
            let found = format_args!("refused with {got:?}, the reference with {want:?}");
            return judge.ensure(got == want, found);
        }
        (Ok(_), Some(want)) => judge.fail(format_args!("accepted, the reference refused {want:?}")),
        (Err(e), None) => judge.fail(format_args!("refused with {e}, the reference accepted")),
    };
    let mut expected: Vec<&[u8]> = HOP_BY_HOP_FIELDS.iter().map(|f| f.as_bytes()).collect();
    for option in &connection.items {
        if !expected
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&option.name))
        {
            expected.push(&option.name);
        }
    }
    let names: Vec<&str> = hop.names().collect();
    let listed: Vec<&[u8]> = names.iter().map(|n| n.as_bytes()).collect();
    judge.ensure(
        listed == expected,
        format_args!("names {names:?}, expected {:?}", escaped(&expected)),
    );
    let asked = exchange.lines.iter().map(|(name, _)| *name).chain(names);
    for name in asked {
        for name in [name.to_owned(), flip_case(name, u64::MAX, 0)] {
            let want = expected
                .iter()
                .any(|n| n.eq_ignore_ascii_case(name.as_bytes()));
            let found = format_args!("is_hop_by_hop({name:?}) is {}", !want);
            judge.ensure(hop.is_hop_by_hop(&name) == want, found);
        }
    }
}

/// Byte strings as escaped text, for failure messages.
fn escaped(bytes: &[&[u8]]) -> Vec<String> {
    bytes.iter().map(|b| b.escape_ascii().to_string()).collect()
}

/// Fails naming `invariant` and what was `found`, with two requests and their decisions.
fn fail_pair(
    invariant: &str,
    found: &str,
    (a, a_decision): (&Exchange<'_>, &Decision<'_>),
    (b, b_decision): (&Exchange<'_>, &Decision<'_>),
) -> ! {
    let (a, b) = (describe(a, a_decision), describe(b, b_decision));
    panic!("{invariant}\n  found:    {found}\n  one way:\n{a}\n  the other:\n{b}");
}

/// Two writings of the same request get the same decision: outcome, reason, protocol, body
/// framing, `100 Continue`, accept value and response head (everything but where a grammar
/// error sits).
pub fn check_same_decision(
    invariant: &str,
    a: (&Exchange<'_>, &Decision<'_>),
    b: (&Exchange<'_>, &Decision<'_>),
) {
    let summary = |d: &Decision<'_>| {
        let protocol = d.protocol().map(|p| p.to_string());
        let what = (d.outcome(), d.reason(), d.protocol_index(), protocol);
        let body = (d.request_body(), d.interim_continue());
        (what, body, d.websocket_accept().copied(), response_head(d))
    };
    if summary(a.1) != summary(b.1) {
        fail_pair(invariant, "different decisions", a, b);
    }
}

/// Header-name case never changes the decision: the request as given and with the letters of
/// its field names that `name_case` selects flipped (see [`flip_case`]).
pub fn check_name_case_invariance(exchange: &Exchange<'_>, name_case: u64) {
    let names: Vec<String> = exchange
        .lines
        .iter()
        .enumerate()
        .map(|(i, (name, _))| flip_case(name, name_case, i))
        .collect();
    let mut flipped = exchange.clone();
    for ((name, _), new) in flipped.lines.iter_mut().zip(&names) {
        *name = new;
    }
    check_same_decision(
        "header-name case never changes the decision",
        (exchange, &exchange.negotiate()),
        (&flipped, &flipped.negotiate()),
    );
}

/// The request as hyper hands it to a server, an `http::Request` whose `http::HeaderMap` holds
/// the lines (names lowercased, the lines of one name in order, the names in an order of the
/// map's own), gets the decision of its field lines; and the grammar reads `Upgrade` and
/// `Connection` from the map (`upgrade_from_headers`, `connection_from_headers`) as from the
/// lines. A request whose method or a line `http` refuses is not one hyper hands over, and is
/// skipped.
pub fn check_read_from_header_map(exchange: &Exchange<'_>) {
    let Some(headers) = header_map(exchange.lines.iter().copied()) else {
        return;
    };
    let Ok(method) = http::Method::from_bytes(exchange.method) else {
        return;
    };
    let config = exchange.policy.config();
    let from_lines = |name| exchange.values(name).into_iter();
    let read = [
        (
            upgrade_from_headers(&headers, config).validate(),
            parse_upgrade(from_lines("upgrade"), config).validate(),
        ),
        (
            connection_from_headers(&headers, config).validate(),
            parse_connection(from_lines("connection"), config).validate(),
        ),
    ];
    let decision = exchange.negotiate();
    let judge = Judge(
        "the grammar reads a HeaderMap as its lines",
        exchange,
        &decision,
    );
    for (from_map, from_lines) in read {
        let found = format_args!("from the map {from_map:?}, from the lines {from_lines:?}");
        judge.ensure(from_map == from_lines, found);
    }
    let mut request = http::Request::new(());
    *request.method_mut() = method;
    *request.version_mut() = http_version(exchange.version);
    *request.headers_mut() = headers;
    let invariant = "the request as an http::Request gets the decision of its field lines";
    check_reading(invariant, exchange, RequestHead::from(&request));
}

/// The request held by a type that can only look its lines up by name (a [`FieldLines`] without
/// `visit_lines`, as a caller's own may be) gets the decision of its field lines: the
/// negotiator then reads each field by name instead of in one pass.
pub fn check_read_by_name_only(exchange: &Exchange<'_>) {
    let invariant = "the request read by name only gets the decision of its field lines";
    let lines = ByNameOnly(&exchange.lines);
    check_reading(
        invariant,
        exchange,
        RequestHead::new(exchange.method, exchange.version, &lines),
    );
}

/// Field lines that can only be looked up by name.
struct ByNameOnly<'x, 'a>(&'x [(&'a str, &'a [u8])]);

impl FieldLines for ByNameOnly<'_, '_> {
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.0.lines(name)
    }
}

/// `request`, the exchange's request held another way, gets the decision of the exchange.
fn check_reading<H: FieldLines + ?Sized>(
    invariant: &str,
    exchange: &Exchange<'_>,
    request: RequestHead<'_, H>,
) {
    check_same_decision(
        invariant,
        (exchange, &exchange.negotiate()),
        (
            exchange,
            &negotiate(request, &exchange.offers, &exchange.policy),
        ),
    );
}

/// `version` as the `http` crate spells it.
pub fn http_version(version: HttpVersion) -> http::Version {
    match version {
        HttpVersion::Http10 => http::Version::HTTP_10,
        HttpVersion::Http11 => http::Version::HTTP_11,
        HttpVersion::Http2OrLater => http::Version::HTTP_2,
    }
}

/// Field lines (name, value) as the `http::HeaderMap` hyper would build of them, or `None` when
/// `http` refuses a name or a value.
pub fn header_map<'a>(
    lines: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Option<http::HeaderMap> {
    let mut map = http::HeaderMap::new();
    for (name, value) in lines {
        let name = http::HeaderName::from_bytes(name.as_bytes()).ok()?;
        map.append(name, http::HeaderValue::from_bytes(value).ok()?);
    }
    Some(map)
}

/// The request read by httparse ([`parse_request`]) gets the decision of its field lines.
fn check_read_by_httparse(exchange: &Exchange<'_>, parsed: &ParsedRequest<'_, '_>) {
    let read = Exchange::parsed(parsed, exchange.offers.clone(), exchange.policy);
    check_same_decision(
        "the request read by httparse gets the decision of its field lines",
        (exchange, &exchange.negotiate()),
        (&read, &negotiate(parsed, &read.offers, &read.policy)),
    );
}

fn check_writings(invariant: &str, case: &RequestCase, a: ListWriting, b: ListWriting) {
    let (a, b) = (case.write(a, 0), case.write(b, 0));
    let (a, b) = (a.exchange(), b.exchange());
    check_same_decision(invariant, (&a, &a.negotiate()), (&b, &b.negotiate()));
}

/// Splitting a list over several field lines (with OWS and lines of only OWS) never changes
/// the decision: each list on one line against the lists laid out by their arrangements,
/// without empty elements.
pub fn check_split_invariance(case: &RequestCase) {
    let invariant = "splitting lists over field lines never changes the decision";
    check_writings(invariant, case, ListWriting::Plain, ListWriting::Split);
}

/// Adding empty elements never changes the decision, as long as they stay within the policy's
/// bounds: the arranged lists without and with their empty elements.
pub fn check_empty_element_invariance(case: &RequestCase) {
    if case.within_bounds() {
        let invariant = "adding empty elements never changes the decision";
        check_writings(invariant, case, ListWriting::Split, ListWriting::Arranged);
    }
}

/// Requiring an upgrade only turns carrying on with HTTP into a 426 listing the offers, for the
/// reasons that carry on (no `Upgrade`, except in HTTP/2; HTTP/1.0; no `upgrade` option; an
/// empty `Upgrade`; no common protocol) and when there are offers; every other decision stays
/// the same. `decision` is the decision without the requirement, `required` the one with it.
pub fn check_require_upgrade(
    exchange: &Exchange<'_>,
    decision: &Decision<'_>,
    required: &Decision<'_>,
) {
    const INVARIANT: &str = "requiring an upgrade only turns carrying on into a 426";
    let carries_on = matches!(
        decision.reason(),
        Reason::Http10Ignored
            | Reason::ConnectionMissingUpgrade
            | Reason::UpgradeEmpty
            | Reason::NoCommonProtocol
    ) || (decision.reason() == Reason::NoUpgradeField
        && exchange.version != HttpVersion::Http2OrLater);
    let becomes_426 =
        decision.outcome() == Outcome::Continue && carries_on && !exchange.offers.is_empty();
    let with = exchange.with_policy(exchange.policy.with_require_upgrade(true));
    if !becomes_426 {
        return check_same_decision(INVARIANT, (exchange, decision), (&with, required));
    }
    let only_the_outcome_differs = required.outcome() == Outcome::Required
        && required.reason() == decision.reason()
        && required.request_body() == decision.request_body()
        && required.interim_continue() == decision.interim_continue()
        && required.protocol().is_none();
    if !only_the_outcome_differs {
        let found = "not a 426 with the same reason, body and 100-continue";
        fail_pair(INVARIANT, found, (exchange, decision), (&with, required));
    }
}

/// [`check_decision`] on the request under both preferences, with and without an upgrade
/// required, and [`check_require_upgrade`] between the two.
pub fn check_every_policy(exchange: &Exchange<'_>) {
    for preference in [Preference::Client, Preference::Server] {
        let policy = exchange.policy.with_preference(preference);
        let without = exchange.with_policy(policy.with_require_upgrade(false));
        let with = exchange.with_policy(policy.with_require_upgrade(true));
        let (decision, required) = (without.negotiate(), with.negotiate());
        check_decision(&without, &decision);
        check_decision(&with, &required);
        check_require_upgrade(&without, &decision, &required);
    }
}

/// Every invariant on a generated request: [`check_every_policy`], [`check_hop_by_hop`],
/// [`check_read_from_header_map`] and [`check_read_by_name_only`] on the request as generated
/// (lists arranged, names in the case `name_case` gives); header-name case, splitting and
/// empty-element invariance; every list check on its lists; and the request written on the
/// wire and read by httparse ([`parse_request`]) getting the same decision.
pub fn check_case(case: &RequestCase, name_case: u64) {
    let written = case.write(ListWriting::Arranged, name_case);
    let exchange = written.exchange();
    check_every_policy(&exchange);
    check_hop_by_hop(&exchange, &exchange.negotiate());
    check_read_from_header_map(&exchange);
    check_read_by_name_only(&exchange);
    check_name_case_invariance(&case.write(ListWriting::Plain, 0).exchange(), name_case);
    // The request's lists through every list check, on the shapes requests have.
    let max_empty = upgrade_grammar::Config::DEFAULT_MAX_EMPTY_ELEMENTS;
    for (kind, name) in [
        (RefKind::Upgrade, "upgrade"),
        (RefKind::Connection, "connection"),
    ] {
        check_lines(kind, &exchange.values(name), usize::MAX, max_empty);
    }
    check_split_invariance(case);
    check_empty_element_invariance(case);
    let Some(bytes) = written.to_bytes() else {
        return;
    };
    let mut headers = vec![httparse::EMPTY_HEADER; written.lines.len()];
    match parse_request(&bytes, &mut headers) {
        Ok(Status::Complete(parsed)) => check_read_by_httparse(&exchange, &parsed),
        other => panic!(
            "a generated request does not parse: {other:?}\n  bytes: b\"{}\"",
            bytes.escape_ascii()
        ),
    }
}

/// The servers that raw requests are negotiated with: offers in order of preference, with the
/// profiled protocols in several spellings and positions, and the RFC's generic examples.
pub const RAW_OFFERS: [&[&[u8]]; 3] = [
    &[b"websocket", b"h2c"],
    &[b"h2c", b"foo/2", b"WebSocket"],
    &[b"FOO/2", b"bar", b"TLS/1.0", b"HTTP/2.0"],
];

/// [`parse_request`] reads the start line itself (the field lines with httparse): where
/// httparse's own `Request::parse` reads the same head whole, both read the same method, target,
/// version, field lines and length. Where only one of them reads it whole, the head holds one of
/// their two differences: httparse takes bytes from 0x80 (as UTF-8) in the target, which
/// `parse_request` refuses (the forms of RFC 9112 section 3.2 are made of URI characters, all
/// visible ASCII), and `parse_request` takes `HTTP/1.2` to `HTTP/1.9` as HTTP/1.1 (RFC 9110
/// section 2.5), where httparse stops at the version, having read the same method and target.
pub fn check_start_line_against_httparse(
    data: &[u8],
    read: &Result<Status<ParsedRequest<'_, '_>>, upgrade_negotiate::HeadError>,
) {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut request = httparse::Request::new(&mut headers);
    let parsed = request.parse(data);
    let theirs = match parsed {
        Ok(httparse::Status::Complete(len)) => Some(len),
        Ok(httparse::Status::Partial) | Err(_) => None,
    };
    let shown = data.escape_ascii();
    match (read, theirs) {
        (Ok(Status::Complete(ours)), Some(len)) => {
            // httparse reads HTTP/1.0 and HTTP/1.1 only, as minor versions.
            let minor = match ours.version() {
                HttpVersion::Http10 => Some(0),
                HttpVersion::Http11 => Some(1),
                HttpVersion::Http2OrLater => None,
            };
            assert_eq!(
                (ours.method(), ours.target(), minor, ours.head_len()),
                (
                    request.method.unwrap_or_default(),
                    request.path.unwrap_or_default(),
                    request.version,
                    len
                ),
                "parse_request and httparse read another start line or length: {shown}"
            );
            let lines = |headers: &[httparse::Header<'_>]| {
                headers
                    .iter()
                    .map(|h| (h.name.to_owned(), h.value.to_vec()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                lines(ours.headers()),
                lines(request.headers),
                "parse_request and httparse read other field lines: {shown}"
            );
        }
        (Ok(Status::Complete(ours)), None) => assert!(
            parsed == Err(httparse::Error::Version)
                && ours.version() == HttpVersion::Http11
                && request.method == Some(ours.method())
                && request.path == Some(ours.target()),
            "parse_request read a head whole that httparse does not: {shown}"
        ),
        (_, Some(_)) => assert!(
            request
                .path
                .is_some_and(|path| path.bytes().any(|b| b >= 0x80)),
            "httparse read a head whole that parse_request does not: {shown}"
        ),
        (_, None) => {}
    }
}

/// Raw bytes as a request through httparse ([`parse_request`]) into the negotiator, never
/// panicking: the head is read as httparse's `Request::parse` reads it
/// ([`check_start_line_against_httparse`]); a head that cannot be read gets the well-formed 400 of
/// [`Decision::request_malformed`]; a head that can is negotiated with each server of
/// [`RAW_OFFERS`] through [`check_every_policy`], gets the same decision read by httparse as
/// from its field lines, as an `http::Request` ([`check_read_from_header_map`]), by name only
/// ([`check_read_by_name_only`]) and with the ASCII case of every field name swapped; and the
/// fields a proxy would drop from it are the hop-by-hop ones ([`check_hop_by_hop`]).
pub fn check_request_bytes(data: &[u8]) {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let read = parse_request(data, &mut headers);
    check_start_line_against_httparse(data, &read);
    let parsed = match read {
        Ok(Status::Complete(parsed)) => parsed,
        failed => {
            let decision = failed
                .err()
                .map_or_else(Decision::request_malformed, Decision::from);
            let malformed = Exchange {
                method: b"",
                version: HttpVersion::Http11,
                lines: Vec::new(),
                offers: Vec::new(),
                policy: Policy::new(),
            };
            return check_response_head(&malformed, &decision);
        }
    };
    let head_len = parsed.head_len();
    assert!(
        head_len <= data.len(),
        "the head is longer than the input: {head_len} > {}",
        data.len()
    );
    let proxied = Exchange::parsed(&parsed, Vec::new(), Policy::new());
    check_hop_by_hop(&proxied, &proxied.negotiate());
    for offers in RAW_OFFERS {
        let offers = offers
            .iter()
            .filter_map(|o| Protocol::parse(o).ok())
            .collect();
        let exchange = Exchange::parsed(&parsed, offers, Policy::new());
        check_every_policy(&exchange);
        check_read_by_httparse(&exchange, &parsed);
        check_read_from_header_map(&exchange);
        check_read_by_name_only(&exchange);
        check_name_case_invariance(&exchange, u64::MAX);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start_line_check(head: &[u8]) {
        start_line_check_of(head, head);
    }

    /// The check of `data` with `parse_request`'s reading of `read` (another head, for the
    /// tests that the check fails).
    fn start_line_check_of(read: &[u8], data: &[u8]) {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        check_start_line_against_httparse(data, &parse_request(read, &mut headers));
    }

    #[test]
    fn the_start_line_check_allows_only_the_two_differences_with_httparse() {
        // Both read these whole, or neither does.
        for head in [
            &b"GET / HTTP/1.1\r\nHost: a\r\n\r\n"[..],
            b"\r\nPOST /up?x=1 HTTP/1.0\r\nContent-Length: 0\r\n\r\nbody",
            b"OPTIONS * HTTP/1.1\nHost: a\n\n",
            b"GET / HTTP/2.0\r\n\r\n",
            b"GET  / HTTP/1.1\r\n\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\n",
        ] {
            start_line_check(head);
        }
        // One alone reads them whole: a later HTTP/1.x minor version, a target byte from 0x80.
        start_line_check(b"GET / HTTP/1.2\r\nHost: a\r\n\r\n");
        start_line_check("GET /\u{e9} HTTP/1.1\r\nHost: a\r\n\r\n".as_bytes());
    }

    #[test]
    #[should_panic(expected = "read another start line or length")]
    fn the_start_line_check_fails_on_another_method() {
        start_line_check_of(
            b"POST / HTTP/1.1\r\nHost: a\r\n\r\n",
            b"PUTS / HTTP/1.1\r\nHost: a\r\n\r\n",
        );
    }

    #[test]
    #[should_panic(expected = "httparse read a head whole that parse_request does not")]
    fn the_start_line_check_fails_when_only_httparse_reads_a_plain_head() {
        start_line_check_of(
            b"GET / HTTP/1.1\r\nHost: a\r\n",
            b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
        );
    }

    #[test]
    fn spelled_out_keys_agree_with_the_negotiator() {
        let keys = crate::requests::generate::WEBSOCKET_KEYS
            .iter()
            .map(|k| k.as_bytes());
        let more: [&[u8]; 4] = [
            b"AAAAAAAAAAAAAAAAAAAAAA==",
            b"/////////////////////w==",
            b"/////////////////////x==",
            b"AAAAAAAAAAAAAAAAAAAA",
        ];
        for key in keys.chain(more) {
            let negotiator = upgrade_negotiate::is_websocket_key(key);
            assert_eq!(
                is_base64_of_16_bytes(key),
                negotiator,
                "{}",
                key.escape_ascii()
            );
        }
    }
}
