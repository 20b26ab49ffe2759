//! The negotiation invariants of DESIGN.md sections 3 and 4 as checks that panic, naming the
//! invariant, with the escaped request, the offers, the policy and the decision, when one does
//! not hold. The proptest properties of `upgrade-negotiate` and the `negotiate` and
//! `negotiate_raw` fuzz targets call these same functions.
//!
//! What the client listed and what `Connection` holds are read with the reference parser, not
//! with `upgrade-grammar`, so that the checks share no code with what they check.

use upgrade_grammar::Protocol;
use upgrade_negotiate::{
    BodyFraming, Decision, HttpVersion, Outcome, Policy, Preference, Reason, RequestHead, Status,
    check_response, negotiate, parse_request, parse_response,
};

use crate::lists::checks::check_lines;
use crate::lists::render::canonical;
use crate::reference::{RefItem, RefKind, RefOutcome, ref_is_tchar, reference_parse};
use crate::requests::case::{Exchange, ListWriting, RequestCase, Writing, flip_case, trim_ows};

/// The request's list `name` of `kind`, read by the reference parser with the policy's grammar.
fn list(exchange: &Exchange<'_>, kind: RefKind, name: &str) -> RefOutcome {
    reference_parse(kind, &exchange.values(name), exchange.policy.config())
}

/// The indices of the offers that the client listed, in the order that the policy's preference
/// tries them (rule 9): the client's list, each element mapped to the first offer equal to it,
/// or the offers in order.
fn candidates(exchange: &Exchange<'_>) -> Vec<usize> {
    let listed = list(exchange, RefKind::Upgrade, "upgrade").items;
    let offers = &exchange.offers;
    match exchange.policy.preference() {
        Preference::Client => listed
            .iter()
            .filter_map(|asked| offers.iter().position(|o| same_protocol(o, asked)))
            .collect(),
        Preference::Server => (0..offers.len())
            .filter(|&i| listed.iter().any(|asked| same_protocol(&offers[i], asked)))
            .collect(),
    }
}

/// RFC 9110 section 7.8 equality, written independently of `upgrade-grammar`: names ignoring
/// ASCII case, versions exactly.
fn same_protocol(offer: &Protocol<'_>, item: &RefItem) -> bool {
    offer.name().as_bytes().eq_ignore_ascii_case(&item.name)
        && offer.version().map(|v| v.as_bytes()) == item.version.as_deref()
}

/// The profile (rule 10) an offer goes through: its name, for `websocket` and `h2c`.
fn profile(offer: &Protocol<'_>) -> Option<&'static str> {
    ["websocket", "h2c"]
        .into_iter()
        .find(|p| offer.name().as_bytes().eq_ignore_ascii_case(p.as_bytes()))
}

/// The response head the decision writes.
pub fn response_head(decision: &Decision<'_>) -> String {
    let mut head = String::new();
    if decision.write_response(&mut head).is_err() {
        panic!("writing a response head to a String failed: {decision:?}");
    }
    head
}

/// The request, offers, policy and decision, for failure messages.
pub fn describe(exchange: &Exchange<'_>, decision: &Decision<'_>) -> String {
    let lines: Vec<String> = exchange
        .lines
        .iter()
        .map(|(name, value)| format!("b\"{}: {}\"", name.escape_default(), value.escape_ascii()))
        .collect();
    let offers: Vec<String> = exchange.offers.iter().map(ToString::to_string).collect();
    format!(
        "  request:  {} {} [{}]\n  offers:   [{}]\n  policy:   {:?}\n  decision: {} / {} / protocol {:?} at {:?} / body {:?} / 100-continue {} / accept {:?}\n  response: b\"{}\"",
        exchange.method.escape_ascii(),
        exchange.version,
        lines.join(", "),
        offers.join(", "),
        exchange.policy,
        decision.outcome(),
        decision.reason(),
        decision.protocol().map(|p| p.to_string()),
        decision.protocol_index(),
        decision.request_body(),
        decision.interim_continue(),
        decision.websocket_accept().map(|a| a.to_string()),
        response_head(decision).escape_default(),
    )
}

fn fail(invariant: &str, exchange: &Exchange<'_>, decision: &Decision<'_>, found: &str) -> ! {
    panic!(
        "{invariant}\n  found:    {found}\n{}",
        describe(exchange, decision)
    );
}

/// A switch names a protocol that the client listed and the server offered, spelled as
/// offered; [`Reason::Switched`] goes with [`Outcome::Switch`] and nothing else.
///
/// # Panics
///
/// When the invariant does not hold.
pub fn check_switch_names_a_listed_offer(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str =
        "a switch names a protocol that the client listed and the server offered";
    let broken = |found: &str| -> ! { fail(INVARIANT, exchange, decision, found) };
    let switched = decision.outcome() == Outcome::Switch;
    if switched != (decision.reason() == Reason::Switched) {
        broken("switch without `switched`");
    }
    if !switched {
        return;
    }
    let Some(index) = decision.protocol_index() else {
        broken("no protocol index");
    };
    let Some(offer) = exchange.offers.get(index) else {
        broken("the index is past the offers");
    };
    let spelled_as_offered = decision.protocol().is_some_and(|p| {
        p.name().as_bytes() == offer.name().as_bytes()
            && p.version().map(|v| v.as_bytes()) == offer.version().map(|v| v.as_bytes())
    });
    if !spelled_as_offered {
        broken("not spelled as offered");
    }
    let listed = list(exchange, RefKind::Upgrade, "upgrade");
    if !listed.is_ok() || !listed.items.iter().any(|asked| same_protocol(offer, asked)) {
        broken("the client's Upgrade does not list it");
    }
}

/// Only HTTP/1.1 switches, never for `CONNECT`, and only when `Connection` is valid and lists
/// the `upgrade` option (`Proxy-Connection` does not count): HTTP/1.0 and a missing `upgrade`
/// option never switch.
///
/// # Panics
///
/// When the invariant does not hold.
pub fn check_no_switch_without_upgrade_option(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str =
        "HTTP/1.0, CONNECT and a missing `upgrade` option in Connection never switch";
    let broken = |found: &str| -> ! { fail(INVARIANT, exchange, decision, found) };
    if decision.outcome() != Outcome::Switch {
        return;
    }
    if exchange.version != HttpVersion::Http11 {
        broken("switched a request that is not HTTP/1.1");
    }
    if exchange.method == b"CONNECT" {
        broken("switched a CONNECT");
    }
    let connection = list(exchange, RefKind::Connection, "connection");
    let lists_upgrade = connection
        .items
        .iter()
        .any(|o| o.name.eq_ignore_ascii_case(b"upgrade"));
    if !connection.is_ok() || !lists_upgrade {
        broken("Connection is malformed or does not list `upgrade`");
    }
}

/// The choice among candidates follows the policy's preference (rules 9 to 11): a switch picks a
/// candidate such that every candidate tried before it (in the client's order under client
/// preference, in the server's under server preference) has a profile, a different one from the
/// winner's (a candidate with the winner's profile, or without a profile, would have passed);
/// without candidates the reason is [`Reason::NoCommonProtocol`]; a profile's verdict concerns
/// the first candidate, and comes only when every candidate has a profile.
///
/// # Panics
///
/// When the invariant does not hold.
pub fn check_preference_order(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str =
        "client order wins under client preference and server order under server preference";
    let broken = |found: &str| -> ! { fail(INVARIANT, exchange, decision, found) };
    let reason = decision.reason();
    let at_rule_11 = reason == Reason::NoCommonProtocol || decision.protocol_index().is_some();
    if reason != Reason::Switched && !at_rule_11 {
        return;
    }
    let candidates = candidates(exchange);
    let found = |what: String| -> ! { broken(&what) };
    if reason == Reason::NoCommonProtocol {
        if !candidates.is_empty() {
            found(format!("no common protocol, but candidates {candidates:?}"));
        }
        return;
    }
    let Some(index) = decision.protocol_index() else {
        return;
    };
    let Some(offer) = exchange.offers.get(index) else {
        found(format!("protocol index {index} is past the offers"));
    };
    if reason == Reason::Switched {
        let Some(rank) = candidates.iter().position(|&c| c == index) else {
            found(format!(
                "offer {index} is not among the candidates {candidates:?}"
            ));
        };
        for &earlier in &candidates[..rank] {
            let skipped = profile(&exchange.offers[earlier]);
            if skipped.is_none() || skipped == profile(offer) {
                found(format!(
                    "offer {earlier} comes before offer {index} in {candidates:?} and would have passed"
                ));
            }
        }
    } else {
        if candidates.first() != Some(&index) {
            found(format!(
                "a profile's verdict for offer {index}, but the first candidate of {candidates:?} is tried first"
            ));
        }
        if let Some(generic) = candidates
            .iter()
            .find(|&&c| profile(&exchange.offers[c]).is_none())
        {
            found(format!(
                "a profile's verdict, but offer {generic} has no profile and passes"
            ));
        }
    }
}

/// Every response head the server builds passes the client-side check against the same
/// request: a 101 is valid and switched, to the protocol the decision names, spelled as offered;
/// a 426 or 400 is valid and not switched, with the decision's status.
///
/// # Panics
///
/// When the invariant does not hold.
pub fn check_client_accepts_the_response(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str = "every response the server builds passes the client check";
    let broken = |found: &str| -> ! { fail(INVARIANT, exchange, decision, found) };
    if decision.outcome() == Outcome::Continue {
        return;
    }
    let head = response_head(decision);
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let parsed = match parse_response(head.as_bytes(), &mut headers) {
        Ok(Status::Complete(parsed)) => parsed,
        Ok(Status::Partial) => broken("a partial head"),
        Err(e) => broken(&format!("unreadable head: {e}")),
    };
    let check = check_response(exchange.request(), parsed, &Policy::default());
    let protocols: Vec<String> = check.protocols().map(|p| p.to_string()).collect();
    let found = format!(
        "status {}, valid {}, switched {}, reason {}, protocols {protocols:?}",
        parsed.status(),
        check.valid(),
        check.switched(),
        check.reason()
    );
    let switch = decision.outcome() == Outcome::Switch;
    let expected_protocols = match (switch, decision.protocol()) {
        (true, Some(protocol)) => Some(vec![protocol.to_string()]),
        (true, None) => broken("a switch without a protocol"),
        (false, _) => None,
    };
    if Some(parsed.status()) != decision.status()
        || !check.valid()
        || check.switched() != switch
        || expected_protocols.is_some_and(|p| p != protocols)
    {
        broken(&found);
    }
}

/// The written response head is well formed: empty to carry on with HTTP; otherwise CRLF line
/// endings only, ending with the empty line, read completely by httparse as an HTTP/1.1
/// response with the decision's status, every field value visible ASCII with single spaces
/// inside. A 426 that the policy required lists every offer in canonical form.
///
/// # Panics
///
/// When the invariant does not hold.
pub fn check_response_head(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str = "the written response head is well formed";
    let broken = |found: &str| -> ! { fail(INVARIANT, exchange, decision, found) };
    let head = response_head(decision);
    let bytes = head.as_bytes();
    if decision.outcome() == Outcome::Continue {
        if !head.is_empty() {
            broken("a head for `continue`");
        }
        return;
    }
    let crlf_only = bytes.iter().enumerate().all(|(i, &b)| match b {
        b'\r' => bytes.get(i + 1) == Some(&b'\n'),
        b'\n' => i > 0 && bytes[i - 1] == b'\r',
        _ => true,
    });
    if !crlf_only || !head.ends_with("\r\n\r\n") {
        broken("a bare CR or LF, or no empty line at the end");
    }
    let mut headers = [httparse::EMPTY_HEADER; 16];
    let mut response = httparse::Response::new(&mut headers);
    match response.parse(bytes) {
        Ok(httparse::Status::Complete(len)) if len == bytes.len() => {}
        other => broken(&format!(
            "httparse reads {other:?} of {} bytes",
            bytes.len()
        )),
    }
    if response.version != Some(1) || response.code != decision.status() {
        broken(&format!(
            "version 1.{:?}, status {:?}",
            response.version, response.code
        ));
    }
    let vchar = |b: &u8| (0x21..=0x7e).contains(b);
    for header in response.headers.iter() {
        let value = header.value;
        let visible = value.first().is_some_and(vchar)
            && value.last().is_some_and(vchar)
            && value.iter().all(|b| vchar(b) || *b == b' ')
            && !value.windows(2).any(|w| w == b"  ");
        if !visible {
            broken(&format!(
                "the value of {} is not visible ASCII",
                header.name
            ));
        }
    }
    let required_by_policy = decision.outcome() == Outcome::Required
        && decision.reason() != Reason::WebSocketVersionUnsupported;
    if required_by_policy {
        let offers: Vec<RefItem> = exchange
            .offers
            .iter()
            .map(|o| RefItem::new(o.name().as_bytes(), o.version().map(|v| v.as_bytes())))
            .collect();
        let want = canonical(RefKind::Upgrade, &offers);
        let upgrade: Vec<&[u8]> = response
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("upgrade"))
            .map(|h| h.value)
            .collect();
        if upgrade != [want.as_slice()] {
            broken("a 426 that does not list every offer");
        }
    }
}

/// A switch is never made before the request body has been framed: no `Content-Length` and no
/// `Transfer-Encoding` is no body, `Content-Length` (every element the same decimal value) is
/// that length, `Transfer-Encoding` alone is chunked, and both never switch. The decision asks
/// for `100 Continue` exactly when an HTTP/1.1 request carries `Expect: 100-continue` (in any
/// line or element, ignoring case), except for rules 1 and 2, which read no field but `Upgrade`
/// and `Connection`.
///
/// # Panics
///
/// When the invariant does not hold.
pub fn check_request_body(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str =
        "a switch frames the request body first, and 100 Continue follows Expect";
    let broken = |found: &str| -> ! { fail(INVARIANT, exchange, decision, found) };
    // Rules 1 and 2 decide before the framing and expectation fields are read.
    let reads_fields = !matches!(decision.reason().rule(), 1 | 2);
    let expects = exchange.values("expect").iter().any(|line| {
        line.split(|&b| b == b',')
            .any(|element| trim_ows(element).eq_ignore_ascii_case(b"100-continue"))
    });
    let want_continue = reads_fields && expects && exchange.version != HttpVersion::Http10;
    if decision.interim_continue() != want_continue {
        broken(&format!("100-continue {}", decision.interim_continue()));
    }
    if decision.outcome() != Outcome::Switch {
        return;
    }
    let lengths = exchange.values("content-length");
    let codings = exchange.values("transfer-encoding");
    let framing = match (lengths.is_empty(), codings.is_empty()) {
        (true, true) => Some(BodyFraming::None),
        (true, false) => Some(BodyFraming::Chunked),
        (false, true) => {
            // RFC 9110 section 8.6: `1*DIGIT`; repeated values must be the same decimal value,
            // so `5` and `05` agree.
            let decimal = |element: &[u8]| -> Option<u64> {
                let digits = trim_ows(element);
                if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                std::str::from_utf8(digits).ok()?.parse().ok()
            };
            let values: Option<Vec<u64>> = lengths
                .iter()
                .flat_map(|line| line.split(|&b| b == b','))
                .map(decimal)
                .collect();
            values
                .filter(|v| v.windows(2).all(|w| w[0] == w[1]))
                .and_then(|v| v.first().copied())
                .map(BodyFraming::ContentLength)
        }
        (false, false) => None,
    };
    if framing.is_none() || decision.request_body() != framing {
        broken(&format!(
            "body {:?} for a request framed as {framing:?}",
            decision.request_body()
        ));
    }
}

/// The reason a decision gives is true of the request, read without the negotiator's code
/// (field lines by name, lists with the reference parser):
///
/// - rule 1's `Host` verdicts come exactly when a request with a token method has several
///   `Host` lines (HTTP/1.x), or none (HTTP/1.1), and the first applies before any other rule;
/// - `http10-ignored` is an HTTP/1.0 request, `no-upgrade-field` has no `Upgrade` line,
///   `connection-missing-upgrade` has a valid `Connection` without the `upgrade` option
///   (compared ignoring ASCII case), `upgrade-empty` a valid `Upgrade` without protocols, and
///   `content-length-with-transfer-encoding` both fields;
/// - a websocket switch has exactly one `Sec-WebSocket-Key` line holding the padded base64 of 16
///   bytes (RFC 6455 section 4.1, item 7).
///
/// # Panics
///
/// When the invariant does not hold.
pub fn check_reason_holds(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    const INVARIANT: &str = "the reason of a decision is true of the request";
    let reason = decision.reason();
    let method_is_token =
        !exchange.method.is_empty() && exchange.method.iter().all(|&b| ref_is_tchar(b));
    let hosts = exchange.values("host").len();
    let host_verdict = match exchange.version {
        _ if !method_is_token => None,
        HttpVersion::Http2OrLater => None,
        _ if hosts > 1 => Some(Reason::HostRepeated),
        HttpVersion::Http11 if hosts == 0 => Some(Reason::HostMissing),
        _ => None,
    };
    let host_reason = matches!(reason, Reason::HostRepeated | Reason::HostMissing);
    if host_verdict.is_some_and(|want| want != reason) || (host_reason && host_verdict.is_none()) {
        fail(
            INVARIANT,
            exchange,
            decision,
            &format!("{hosts} Host line(s), reason {reason}"),
        );
    }
    let lists_upgrade = |outcome: &RefOutcome| {
        outcome
            .items
            .iter()
            .any(|o| o.name.eq_ignore_ascii_case(b"upgrade"))
    };
    let holds = match reason {
        Reason::Http10Ignored => exchange.version == HttpVersion::Http10,
        Reason::NoUpgradeField => exchange.values("upgrade").is_empty(),
        Reason::ConnectionMissingUpgrade => {
            let connection = list(exchange, RefKind::Connection, "connection");
            connection.is_ok() && !lists_upgrade(&connection)
        }
        Reason::UpgradeEmpty => {
            let listed = list(exchange, RefKind::Upgrade, "upgrade");
            listed.is_ok() && listed.items.is_empty()
        }
        Reason::ContentLengthWithTransferEncoding => {
            !exchange.values("content-length").is_empty()
                && !exchange.values("transfer-encoding").is_empty()
        }
        _ => true,
    };
    if !holds {
        fail(
            INVARIANT,
            exchange,
            decision,
            &format!("reason {reason}, which the request does not bear out"),
        );
    }
    let websocket = decision
        .protocol()
        .is_some_and(|p| p.name().as_bytes().eq_ignore_ascii_case(b"websocket"));
    if decision.outcome() == Outcome::Switch && websocket {
        let keys = exchange.values("sec-websocket-key");
        if !matches!(keys.as_slice(), [key] if is_base64_of_16_bytes(trim_ows(key))) {
            fail(
                INVARIANT,
                exchange,
                decision,
                "a websocket switch without exactly one valid key",
            );
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
///
/// # Panics
///
/// When an invariant does not hold.
pub fn check_decision(exchange: &Exchange<'_>, decision: &Decision<'_>) {
    check_switch_names_a_listed_offer(exchange, decision);
    check_no_switch_without_upgrade_option(exchange, decision);
    check_preference_order(exchange, decision);
    check_request_body(exchange, decision);
    check_reason_holds(exchange, decision);
    check_response_head(exchange, decision);
    check_client_accepts_the_response(exchange, decision);
}

/// The parts of a decision that its layout must not change: everything but where a grammar
/// error sits.
fn summary(decision: &Decision<'_>) -> impl PartialEq {
    let protocol = decision.protocol().map(|p| p.to_string());
    (
        (
            decision.outcome(),
            decision.reason(),
            decision.protocol_index(),
            protocol,
        ),
        (decision.request_body(), decision.interim_continue()),
        (
            decision.websocket_accept().copied(),
            response_head(decision),
        ),
    )
}

/// Two writings of the same request get the same decision: outcome, reason, protocol, body
/// framing, `100 Continue`, accept value and response head.
///
/// # Panics
///
/// When they differ, with both requests in the message.
pub fn check_same_decision(
    invariant: &str,
    (a, a_decision): (&Exchange<'_>, &Decision<'_>),
    (b, b_decision): (&Exchange<'_>, &Decision<'_>),
) {
    if summary(a_decision) != summary(b_decision) {
        panic!(
            "{invariant}\n  one way:\n{}\n  the other:\n{}",
            describe(a, a_decision),
            describe(b, b_decision)
        );
    }
}

fn check_writings(invariant: &str, case: &RequestCase, a: Writing, b: Writing) {
    let (a, b) = (case.write(a), case.write(b));
    let (a, b) = (a.exchange(), b.exchange());
    check_same_decision(invariant, (&a, &a.negotiate()), (&b, &b.negotiate()));
}

/// Header-name case never changes the decision: the request with its names as given and with
/// the letters that `name_case` selects flipped.
///
/// # Panics
///
/// When the invariant does not hold.
pub fn check_name_case_invariance(case: &RequestCase, name_case: u64) {
    check_writings(
        "header-name case never changes the decision",
        case,
        Writing::PLAIN,
        Writing {
            name_case,
            ..Writing::PLAIN
        },
    );
}

/// Splitting a list over several field lines (with OWS and lines of only OWS) never changes
/// the decision: each list on one line against the lists laid out by their arrangements,
/// without empty elements.
///
/// # Panics
///
/// When the invariant does not hold.
pub fn check_split_invariance(case: &RequestCase) {
    check_writings(
        "splitting lists over field lines never changes the decision",
        case,
        Writing::PLAIN,
        Writing {
            lists: ListWriting::Split,
            ..Writing::PLAIN
        },
    );
}

/// Adding empty elements never changes the decision, as long as they stay within the policy's
/// bounds: the arranged lists without and with their empty elements.
///
/// # Panics
///
/// When the invariant does not hold.
pub fn check_empty_element_invariance(case: &RequestCase) {
    if !case.within_bounds() {
        return;
    }
    check_writings(
        "adding empty elements never changes the decision",
        case,
        Writing {
            lists: ListWriting::Split,
            ..Writing::PLAIN
        },
        Writing {
            lists: ListWriting::Arranged,
            ..Writing::PLAIN
        },
    );
}

/// Requiring an upgrade only turns carrying on with HTTP into a 426 listing the offers, for the
/// reasons that carry on (no `Upgrade`, except in HTTP/2; HTTP/1.0; no `upgrade` option; an
/// empty `Upgrade`; no common protocol) and when there are offers; every other decision stays
/// the same. `decision` is the decision without the requirement, `required` the one with it.
///
/// # Panics
///
/// When the invariant does not hold.
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
    if becomes_426 {
        let only_the_outcome_differs = required.outcome() == Outcome::Required
            && required.reason() == decision.reason()
            && required.request_body() == decision.request_body()
            && required.interim_continue() == decision.interim_continue()
            && required.protocol().is_none();
        if !only_the_outcome_differs {
            panic!(
                "{INVARIANT}\n  found:    not a 426 with the same reason, body and 100-continue\n  without:\n{}\n  required:\n{}",
                describe(exchange, decision),
                describe(&with, required)
            );
        }
    } else {
        check_same_decision(INVARIANT, (exchange, decision), (&with, required));
    }
}

/// [`check_decision`] on the request under both preferences, with and without an upgrade
/// required, and [`check_require_upgrade`] between the two.
///
/// # Panics
///
/// When an invariant does not hold.
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

/// Every invariant on a generated request: [`check_every_policy`] on the request as generated
/// (lists arranged, names in the case `name_case` gives); header-name case, splitting and
/// empty-element invariance; and the request written on the wire and read by httparse
/// ([`parse_request`]) getting the same decision.
///
/// # Panics
///
/// When an invariant does not hold.
pub fn check_case(case: &RequestCase, name_case: u64) {
    let written = case.write(Writing {
        lists: ListWriting::Arranged,
        name_case,
    });
    let exchange = written.exchange();
    check_every_policy(&exchange);
    check_name_case_invariance(case, name_case);
    // The request's lists through every list check, on the shapes requests have.
    for (kind, field) in [
        (RefKind::Upgrade, "upgrade"),
        (RefKind::Connection, "connection"),
    ] {
        let max_empty = upgrade_grammar::Config::DEFAULT_MAX_EMPTY_ELEMENTS;
        check_lines(kind, &exchange.values(field), usize::MAX, max_empty);
    }
    check_split_invariance(case);
    check_empty_element_invariance(case);

    let Some(bytes) = written.to_bytes() else {
        return;
    };
    let mut headers = vec![httparse::EMPTY_HEADER; written.lines.len()];
    let parsed = match parse_request(&bytes, &mut headers) {
        Ok(Status::Complete(parsed)) => parsed,
        Ok(Status::Partial) => panic!(
            "a generated request is partial\n  bytes: b\"{}\"",
            bytes.escape_ascii()
        ),
        Err(e) => panic!(
            "a generated request does not parse: {e}\n  bytes: b\"{}\"",
            bytes.escape_ascii()
        ),
    };
    let read = Exchange {
        method: parsed.method().as_bytes(),
        version: parsed.version(),
        lines: parsed.headers().iter().map(|h| (h.name, h.value)).collect(),
        offers: exchange.offers.clone(),
        policy: exchange.policy,
    };
    let decision = negotiate(parsed, &read.offers, &read.policy);
    check_same_decision(
        "the request read from the wire by httparse gets the same decision",
        (&exchange, &exchange.negotiate()),
        (&read, &decision),
    );
}

/// The servers that raw requests are negotiated with: offers in order of preference, with the
/// profiled protocols in several spellings and positions, and the RFC's generic examples.
pub const RAW_OFFERS: [&[&[u8]]; 3] = [
    &[b"websocket", b"h2c"],
    &[b"h2c", b"foo/2", b"WebSocket"],
    &[b"FOO/2", b"bar", b"TLS/1.0", b"HTTP/2.0"],
];

/// Raw bytes as a request through httparse ([`parse_request`]) into the negotiator, never
/// panicking: a head that cannot be read gets the well-formed 400 of
/// [`Decision::request_malformed`]; a head that can is negotiated with each server of
/// [`RAW_OFFERS`] through [`check_every_policy`], gets the same decision read by httparse as
/// from its field lines, and the same with the ASCII case of every field name swapped.
///
/// # Panics
///
/// When an invariant does not hold.
pub fn check_request_bytes(data: &[u8]) {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let parsed = match parse_request(data, &mut headers) {
        Ok(Status::Complete(parsed)) => parsed,
        failed => {
            let decision = match failed {
                Err(e) => Decision::from(e),
                Ok(_) => Decision::request_malformed(),
            };
            let malformed = Exchange {
                method: b"",
                version: HttpVersion::Http11,
                lines: Vec::new(),
                offers: Vec::new(),
                policy: Policy::new(),
            };
            check_response_head(&malformed, &decision);
            return;
        }
    };
    if parsed.head_len() > data.len() {
        panic!(
            "the head is longer than the input: {} > {}",
            parsed.head_len(),
            data.len()
        );
    }
    let lines: Vec<(&str, &[u8])> = parsed.headers().iter().map(|h| (h.name, h.value)).collect();
    let flipped: Vec<(String, &[u8])> = lines
        .iter()
        .enumerate()
        .map(|(i, &(name, value))| (flip_case(name, u64::MAX, i), value))
        .collect();
    for offers in RAW_OFFERS {
        let exchange = Exchange {
            method: parsed.method().as_bytes(),
            version: parsed.version(),
            lines: lines.clone(),
            offers: offers
                .iter()
                .filter_map(|o| Protocol::parse(o).ok())
                .collect(),
            policy: Policy::new(),
        };
        check_every_policy(&exchange);
        let decision = exchange.negotiate();
        let read = negotiate(
            RequestHead::from(&parsed),
            &exchange.offers,
            &exchange.policy,
        );
        check_same_decision(
            "the request read by httparse gets the decision of its field lines",
            (&exchange, &decision),
            (&exchange, &read),
        );
        let swapped = Exchange {
            lines: flipped.iter().map(|(n, v)| (n.as_str(), *v)).collect(),
            ..exchange.clone()
        };
        check_same_decision(
            "header-name case never changes the decision",
            (&exchange, &decision),
            (&swapped, &swapped.negotiate()),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEBSOCKET: &[u8] = b"GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

    /// A GET with `Host: a` and then `lines`.
    fn exchange<'a>(lines: &[(&'a str, &'a [u8])], offers: &[&'a [u8]]) -> Exchange<'a> {
        Exchange {
            method: b"GET",
            version: HttpVersion::Http11,
            lines: [("Host", &b"a"[..])]
                .into_iter()
                .chain(lines.iter().copied())
                .collect(),
            offers: offers.iter().map(|o| Protocol::parse(o).unwrap()).collect(),
            policy: Policy::new(),
        }
    }

    #[test]
    fn raw_requests_pass_every_check() {
        for data in [
            WEBSOCKET,
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
            b"GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: foo/2\r\n\r\n",
            b"GET / HTTP/1.1\r\nUpgrade: foo/2\r\n\r\n",
            // RFC 9110 section 8.6: repeated lengths agree by decimal value.
            b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 05\r\nUpgrade: foo/2\r\nConnection: upgrade\r\n\r\nhello",
            b"GET / HTTP/1.1\r\n",
            b"",
        ] {
            check_request_bytes(data);
        }
    }

    #[test]
    #[should_panic(expected = "a switch names a protocol that the client listed")]
    fn a_switch_to_an_unlisted_offer_fails_its_check() {
        let listed = exchange(
            &[("Upgrade", b"foo"), ("Connection", b"upgrade")],
            &[b"foo"],
        );
        let decision = listed.negotiate();
        assert_eq!(decision.outcome(), Outcome::Switch);
        // The same decision, shown a request that lists something else.
        let other = exchange(
            &[("Upgrade", b"bar"), ("Connection", b"upgrade")],
            &[b"foo"],
        );
        check_switch_names_a_listed_offer(&other, &decision);
    }

    #[test]
    #[should_panic(expected = "a missing `upgrade` option in Connection never switch")]
    fn a_switch_without_the_upgrade_option_fails_its_check() {
        let listed = exchange(
            &[("Upgrade", b"foo"), ("Connection", b"upgrade")],
            &[b"foo"],
        );
        let decision = listed.negotiate();
        let other = exchange(
            &[("Upgrade", b"foo"), ("Proxy-Connection", b"upgrade")],
            &[b"foo"],
        );
        check_no_switch_without_upgrade_option(&other, &decision);
    }

    #[test]
    #[should_panic(expected = "server order under server preference")]
    fn a_switch_against_the_preference_fails_its_check() {
        let lines: [(&str, &[u8]); 2] = [("Upgrade", b"b, a"), ("Connection", b"upgrade")];
        let by_client = exchange(&lines, &[b"a", b"b"]);
        let decision = by_client.negotiate();
        assert_eq!(decision.protocol_index(), Some(1));
        let by_server = by_client.with_policy(Policy::new().with_preference(Preference::Server));
        check_preference_order(&by_server, &decision);
    }

    #[test]
    #[should_panic(expected = "never changes the decision")]
    fn different_decisions_fail_the_comparison() {
        let a = exchange(
            &[("Upgrade", b"foo"), ("Connection", b"upgrade")],
            &[b"foo"],
        );
        let b = exchange(&[("Upgrade", b"foo")], &[b"foo"]);
        check_same_decision(
            "header-name case never changes the decision",
            (&a, &a.negotiate()),
            (&b, &b.negotiate()),
        );
    }

    #[test]
    #[should_panic(expected = "the reason of a decision is true of the request")]
    fn a_missing_upgrade_option_that_is_listed_fails_its_check() {
        let without = exchange(&[("Upgrade", b"foo"), ("Connection", b"close")], &[b"foo"]);
        let decision = without.negotiate();
        assert_eq!(decision.reason(), Reason::ConnectionMissingUpgrade);
        let listed = exchange(
            &[("Upgrade", b"foo"), ("Connection", b"close, UPGRADE")],
            &[b"foo"],
        );
        check_reason_holds(&listed, &decision);
    }

    #[test]
    #[should_panic(expected = "2 Host line(s), reason switched")]
    fn a_switch_with_two_host_lines_fails_its_check() {
        let lines: [(&str, &[u8]); 2] = [("Upgrade", b"foo"), ("Connection", b"upgrade")];
        let one = exchange(&lines, &[b"foo"]);
        let decision = one.negotiate();
        check_reason_holds(&one, &decision);
        let mut two = one.clone();
        two.lines.push(("host", b"b"));
        check_reason_holds(&two, &decision);
    }

    #[test]
    fn spelled_out_keys_agree_with_the_negotiator() {
        let mut keys: Vec<&[u8]> = crate::requests::generate::WEBSOCKET_KEYS
            .iter()
            .map(|k| k.as_bytes())
            .collect();
        keys.extend([
            &b"AAAAAAAAAAAAAAAAAAAAAA=="[..],
            b"/////////////////////w==",
            b"/////////////////////x==",
            b"AAAAAAAAAAAAAAAAAAAA",
        ]);
        for key in keys {
            assert_eq!(
                is_base64_of_16_bytes(key),
                upgrade_negotiate::is_websocket_key(key),
                "{}",
                key.escape_ascii()
            );
        }
    }

    #[test]
    fn messages_escape_the_request() {
        let a = exchange(&[("Upgrade", b"\xff\r\n")], &[b"foo"]);
        let text = describe(&a, &a.negotiate());
        assert!(text.contains(r"Upgrade: \xff\r\n"), "{text}");
        assert!(text.contains("offers:   [foo]"), "{text}");
    }
}
