//! The server side: rules 1 to 11 of the negotiation.

use upgrade_grammar::{Config, Error, Protocol, Token, parse_connection, parse_upgrade};

use crate::decision::{Decision, Outcome};
use crate::framing::{expects_continue, request_framing};
use crate::headers::{FieldLines, Fields};
use crate::host::host_verdict;
use crate::message::{HttpVersion, RequestHead};
use crate::policy::{Policy, Preference};
use crate::reason::Reason;
use crate::websocket::WebSocketAccept;
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
    let method = request.method();

    // Rule 1 (already kept by a request that `parse_request` read).
    if !request.method_is_token() && Token::parse(method).is_err() {
        return Decision::new(Outcome::Reject, Reason::RequestMalformed, offers);
    }
    // Every field the rules read, in one pass over the field lines.
    let mut fields = Fields::new();
    fields.fill(headers);
    if let Some(reason) = host_verdict(fields.host().single(), version) {
        return Decision::new(Outcome::Reject, reason, offers);
    }
    // Rule 2.
    if version == HttpVersion::Http2OrLater
        && (fields.upgrade().is_present() || fields.connection().is_present())
    {
        return Decision::new(Outcome::Reject, Reason::Http2UpgradeForbidden, offers);
    }

    let framing = request_framing(&fields, headers);
    // RFC 9110 section 10.1.1: an expectation in an HTTP/1.0 request is ignored.
    let interim_continue = version != HttpVersion::Http10 && expects_continue(&fields, headers);
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
    if !fields.upgrade().is_present() {
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
    if method == b"CONNECT" {
        return Decision::new(Outcome::Continue, Reason::ConnectIgnored, offers)
            .with_request(framing.ok(), interim_continue);
    }
    // Rule 6.
    let framing = match framing {
        Ok(framing) => framing,
        Err(reason) => return reject(reason),
    };
    let config = policy.config();
    // Rule 7, reading at once whether `HTTP2-Settings` is listed, for the h2c profile.
    let connection = match fields
        .connection()
        .only()
        .and_then(|line| ConnectionOptionsRead::only_upgrade(line, config))
    {
        Some(read) => Ok(read),
        None => {
            ConnectionOptionsRead::read(fields.connection().lines(headers, "connection"), config)
        }
    };
    match connection {
        Err(e) => return reject(Reason::ConnectionMalformed).with_error(e),
        Ok(options) if !options.upgrade => return carry_on(Reason::ConnectionMissingUpgrade),
        Ok(_) => {}
    }
    let lists_settings = connection.is_ok_and(|options| options.http2_settings);
    // Rule 8, reading at once the offers each protocol matches, for rule 9.
    // Filled in place: a copy made right after the fill would load bytes whose stores are still
    // in flight, which stalls the load.
    let upgrade_lines = || fields.upgrade().lines(headers, "upgrade");
    let mut asked = Asked::new(offers);
    let read = match fields.upgrade().only() {
        Some(line) if asked.one_offer(line, config, offers) => Ok(()),
        _ => asked.read(upgrade_lines(), config, offers),
    };
    match read {
        Err(e) => return reject(Reason::UpgradeMalformed).with_error(e),
        Ok(()) if asked.count == 0 => return carry_on(Reason::UpgradeEmpty),
        Ok(()) => {}
    }

    // Rules 9 and 10. A candidate that passes its profile gives its index, and websocket's
    // profile leaves the accept value here; the decision is built once, for the candidate chosen.
    // Only the index is handed back, in a register: a wider value would be copied from memory
    // just written, which stalls the load.
    let mut accept: Option<WebSocketAccept> = None;
    let mut failure: Option<(usize, Reason)> = None;
    let mut try_candidate = |index: usize| -> Option<usize> {
        let offer = offers.get(index)?;
        let verdict = if offer.is_named(b"websocket") {
            websocket::profile(
                method,
                fields.websocket_version().single(),
                fields.websocket_key().single(),
            )
            .map(|value| accept = Some(value))
        } else if offer.is_named(b"h2c") {
            h2c::profile(fields.http2_settings().single(), lists_settings)
        } else {
            Ok(())
        };
        match verdict {
            Ok(()) => Some(index),
            Err(reason) => {
                failure.get_or_insert((index, reason));
                None
            }
        }
    };
    // The matches kept by rule 8, or, past what they keep, the list read again.
    let client = || parse_upgrade(upgrade_lines(), config).map_while(Result::ok);
    let switch = match (policy.preference(), asked.client_order(), asked.offered) {
        (Preference::Client, Some(order), _) => order.iter().copied().find_map(&mut try_candidate),
        (Preference::Client, None, _) => client()
            .filter_map(|asked| offers.iter().position(|offer| offer.matches(&asked)))
            .find_map(&mut try_candidate),
        (Preference::Server, _, Some(offered)) => (0..offers.len())
            .filter(|&index| offered & (1 << index) != 0)
            .find_map(&mut try_candidate),
        (Preference::Server, _, None) => offers
            .iter()
            .enumerate()
            .filter(|(_, offer)| client().any(|asked| offer.matches(&asked)))
            .find_map(|(index, _)| try_candidate(index)),
    };
    if let Some((index, offer)) = switch.and_then(|index| Some((index, *offers.get(index)?))) {
        let decision = Decision::new(Outcome::Switch, Reason::Switched, offers)
            .with_protocol(index, offer)
            .with_request(Some(framing), interim_continue);
        return match accept {
            Some(accept) => decision.with_websocket_accept(accept),
            None => decision,
        };
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

/// The two options of `Connection` the rules ask about, read in one pass that validates the
/// whole field (rule 7).
#[derive(Clone, Copy, Debug)]
struct ConnectionOptionsRead {
    upgrade: bool,
    http2_settings: bool,
}

impl ConnectionOptionsRead {
    fn read<'a>(lines: impl Iterator<Item = &'a [u8]>, config: Config) -> Result<Self, Error> {
        let mut read = ConnectionOptionsRead {
            upgrade: false,
            http2_settings: false,
        };
        // `for_each` walks the field once; a `for` loop would resume the walk for each option.
        let mut error = None;
        parse_connection(lines, config).for_each(|option| match option {
            Ok(option) => {
                read.upgrade |= option.eq_ignore_ascii_case(b"upgrade");
                read.http2_settings |= option.eq_ignore_ascii_case(b"http2-settings");
            }
            Err(e) => error = Some(e),
        });
        error.map_or(Ok(read), Err)
    }

    /// [`ConnectionOptionsRead::read`] of a `Connection` of one line that is `upgrade`, ignoring
    /// case, the line most clients send, without the walk: one option, which is `upgrade`.
    /// `None` for any other line, which the walk reads.
    #[inline]
    fn only_upgrade(line: &[u8], config: Config) -> Option<Self> {
        (line.eq_ignore_ascii_case(b"upgrade") && config.max_elements() != 0).then_some(
            ConnectionOptionsRead {
                upgrade: true,
                http2_settings: false,
            },
        )
    }
}

/// How many protocols the client's `Upgrade` lists, and which offers they match, read in the
/// pass that validates it (rule 8).
#[derive(Clone, Copy, Debug)]
struct Asked {
    count: usize,
    /// For each listed protocol that matches an offer, in the client's order, the index of the
    /// first offer it matches; the first [`Asked::KEPT`] of them.
    order: [usize; Asked::KEPT],
    matched: usize,
    /// Bit `i` is set when some listed protocol matches offer `i`; `None` with more offers
    /// than bits.
    offered: Option<u64>,
}

impl Asked {
    /// Matches kept in the client's order: far more than clients list.
    const KEPT: usize = 8;

    /// Reads the protocols of `lines` into an `Asked` with nothing read yet ([`Asked::new`]).
    fn read<'a>(
        &mut self,
        lines: impl Iterator<Item = &'a [u8]>,
        config: Config,
        offers: &[Protocol<'_>],
    ) -> Result<(), Error> {
        // One walk over the field, as in `ConnectionOptionsRead::read`.
        let mut error = None;
        parse_upgrade(lines, config).for_each(|protocol| match protocol {
            Ok(protocol) => self.record(offers, |offer| offer.matches(&protocol)),
            Err(e) => error = Some(e),
        });
        error.map_or(Ok(()), Err)
    }

    /// [`Asked::read`] of an `Upgrade` of one line that is exactly the name of an offer without
    /// a version, ignoring case, as clients send it (`websocket`, `h2c`), without the walk: the
    /// line is then one token, a protocol without a version, which matches the offers of its name
    /// without a version. `false` for any other line, which the walk reads; `self` (with nothing
    /// read yet) is then left as it was.
    #[inline]
    fn one_offer(&mut self, line: &[u8], config: Config, offers: &[Protocol<'_>]) -> bool {
        if config.max_elements() == 0 {
            return false;
        }
        self.record(offers, |offer| {
            offer.version().is_none() && offer.is_named(line)
        });
        if self.matched == 0 {
            // Nothing else was written: back to nothing read.
            self.count = 0;
            return false;
        }
        true
    }

    /// Nothing read yet.
    #[inline]
    fn new(offers: &[Protocol<'_>]) -> Self {
        Asked {
            count: 0,
            order: [0; Asked::KEPT],
            matched: 0,
            offered: (offers.len() <= 64).then_some(0),
        }
    }

    /// Counts one listed protocol, and notes the offers it matches (`matches`).
    #[inline]
    fn record(&mut self, offers: &[Protocol<'_>], matches: impl Fn(&Protocol<'_>) -> bool) {
        self.count += 1;
        let mut first = None;
        for (index, offer) in offers.iter().enumerate() {
            if matches(offer) {
                first = first.or(Some(index));
                self.offered = self.offered.map(|bits| bits | (1 << index));
            }
        }
        if let Some(index) = first {
            if let Some(slot) = self.order.get_mut(self.matched) {
                *slot = index;
            }
            self.matched += 1;
        }
    }

    /// The offers matched in the client's order, when all of them were kept.
    fn client_order(&self) -> Option<&[usize]> {
        self.order.get(..self.matched)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::RequestHead;

    const WEBSOCKET: [(&str, &str); 3] = [
        ("Host", "a"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];

    fn decide<'o>(
        upgrade: &str,
        offers: &'o [Protocol<'o>],
        preference: Preference,
    ) -> Decision<'o> {
        let mut headers = WEBSOCKET.to_vec();
        headers.extend([("Connection", "upgrade"), ("Upgrade", upgrade)]);
        let policy = Policy::new().with_preference(preference);
        negotiate(
            RequestHead::new("GET", HttpVersion::Http11, headers.as_slice()),
            offers,
            &policy,
        )
    }

    #[test]
    fn client_order_past_the_kept_matches_is_read_again() {
        let offers = [
            Protocol::from_static("websocket"),
            Protocol::from_static("h2c"),
        ];
        // Nine failing h2c candidates (no HTTP2-Settings) before websocket.
        let upgrade = format!("{}websocket", "h2c, ".repeat(Asked::KEPT + 1));
        for preference in [Preference::Client, Preference::Server] {
            let decision = decide(&upgrade, &offers, preference);
            assert_eq!(decision.outcome(), Outcome::Switch);
            assert_eq!(decision.protocol_index(), Some(0));
        }
        let decision = decide(
            &"h2c, ".repeat(Asked::KEPT + 1),
            &offers,
            Preference::Client,
        );
        assert_eq!(decision.reason(), Reason::H2cSettingsMissing);
        assert_eq!(decision.protocol_index(), Some(1));
    }

    /// Field lines of one line, with the shapes of the shortcuts' edges: names in any case, with
    /// a version, with OWS, in a list, empty, not a token.
    const LINES: [&str; 16] = [
        "websocket",
        "WebSocket",
        "h2c",
        "H2C",
        "upgrade",
        "UPGRADE",
        "Upgrade",
        "websocket/13",
        "foo",
        "",
        " websocket",
        "upgrade ",
        "web socket",
        "h2c, websocket",
        "keep-alive, Upgrade",
        "upgrade,",
    ];

    /// The grammars, and the bounds of one element and of none.
    const CONFIGS: [Config; 4] = [
        Config::RECIPIENT,
        Config::SENDER,
        Config::RECIPIENT.with_max_elements(1),
        Config::RECIPIENT.with_max_elements(0),
    ];

    #[test]
    fn the_one_offer_shortcut_reads_what_the_walk_reads_whenever_it_answers() {
        let offer_sets: [&[Protocol<'static>]; 5] = [
            &[
                Protocol::from_static("websocket"),
                Protocol::from_static("h2c"),
            ],
            &[
                Protocol::from_static("h2c"),
                Protocol::from_static("websocket"),
            ],
            &[
                Protocol::from_static("websocket/13"),
                Protocol::from_static("WebSocket"),
                Protocol::from_static("websocket"),
            ],
            &[Protocol::from_static("foo/1")],
            &[],
        ];
        let mut answered = 0;
        for offers in offer_sets {
            for line in LINES {
                for config in CONFIGS {
                    let mut fast = Asked::new(offers);
                    if !fast.one_offer(line.as_bytes(), config, offers) {
                        let untouched = |a: &Asked| (a.count, a.matched, a.offered);
                        assert_eq!(untouched(&fast), untouched(&Asked::new(offers)), "{line:?}");
                        continue;
                    }
                    answered += 1;
                    let mut walked = Asked::new(offers);
                    walked
                        .read(core::iter::once(line.as_bytes()), config, offers)
                        .unwrap_or_else(|e| panic!("{line:?} {config:?}: {e}"));
                    let read =
                        |a: Asked| (a.count, a.client_order().map(<[usize]>::to_vec), a.offered);
                    assert_eq!(read(fast), read(walked), "{line:?} {offers:?} {config:?}");
                }
            }
        }
        // Only the offered names without a version, under a bound that lets one element through.
        assert_eq!(answered, 4 * 3 + 4 * 3 + 2 * 3);
    }

    #[test]
    fn the_only_upgrade_shortcut_reads_what_the_walk_reads_whenever_it_answers() {
        let mut answered = 0;
        for line in LINES {
            for config in CONFIGS {
                let Some(fast) = ConnectionOptionsRead::only_upgrade(line.as_bytes(), config)
                else {
                    continue;
                };
                answered += 1;
                let walked = ConnectionOptionsRead::read(core::iter::once(line.as_bytes()), config);
                let walked = walked.unwrap_or_else(|e| panic!("{line:?} {config:?}: {e}"));
                assert_eq!(
                    (fast.upgrade, fast.http2_settings),
                    (walked.upgrade, walked.http2_settings),
                    "{line:?} {config:?}"
                );
            }
        }
        // `upgrade` in its three spellings, under the three bounds that let one element through.
        assert_eq!(answered, 3 * 3);
    }

    #[test]
    fn offers_past_sixty_four_are_matched_without_the_mask() {
        let names: Vec<String> = (0..70).map(|i| format!("p{i}")).collect();
        let offers: Vec<Protocol<'_>> = names
            .iter()
            .map(|n| Protocol::parse(n.as_bytes()).unwrap())
            .collect();
        for preference in [Preference::Client, Preference::Server] {
            let decision = decide("x, P69, p3", &offers, preference);
            let expected = if preference == Preference::Client {
                69
            } else {
                3
            };
            assert_eq!(decision.protocol_index(), Some(expected), "{preference:?}");
        }
    }
}
