//! The client side: is the 101 or 426 that came back legitimate for what was asked?

use core::fmt;

use upgrade_grammar::{Config, Error, Protocol, parse_connection, parse_upgrade};

use crate::headers::{FieldLines, has, single, trim_ows};
use crate::host::host_rule;
use crate::message::{HttpVersion, RequestHead, ResponseHead};
use crate::policy::Policy;
use crate::websocket::WebSocketAccept;

upgrade_grammar::__coded_enum! {
    /// Why a response passed or failed the client-side check, with a stable kebab-case
    /// [`code`](ClientReason::code).
    ///
    /// The first four variants are valid responses; every other variant makes the response
    /// invalid.
    ///
    /// # Examples
    ///
    /// ```
    /// use upgrade_negotiate::ClientReason;
    ///
    /// assert_eq!(ClientReason::ProtocolNotOffered.code(), "protocol-not-offered");
    /// assert!(!ClientReason::ProtocolNotOffered.is_valid());
    /// assert!(ClientReason::UpgradeAdvertised.is_valid());
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    pub enum ClientReason {
        /// A legitimate 101: the connection now speaks the protocols of
        /// [`ResponseCheck::protocols`] (RFC 9110 section 15.2.2).
        Switched => "switched",
        /// A 426 with a non-empty `Upgrade` naming the protocols the server requires (RFC 9110
        /// section 15.5.22).
        UpgradeRequired => "upgrade-required",
        /// A status other than 101 and 426 with an `Upgrade` field: the server advertises the
        /// protocols it could switch to (RFC 9110 section 7.8).
        UpgradeAdvertised => "upgrade-advertised",
        /// A status other than 101 and 426 without `Upgrade`: nothing about upgrades.
        NoUpgrade => "no-upgrade",
        /// An HTTP/2 or later response carries `Upgrade` or `Connection` (RFC 9113 section 8.2.2).
        Http2UpgradeForbidden => "http2-upgrade-forbidden",
        /// A 101 to a request that was not HTTP/1.1: only HTTP/1.1 can upgrade.
        RequestNotHttp11 => "request-not-http11",
        /// A 101 to an HTTP/1.1 request without exactly one valid `Host` field line: no conforming
        /// server may switch for it (RFC 9112 section 3.2).
        RequestHostInvalid => "request-host-invalid",
        /// A 101 to a request without `Upgrade`, or with an empty one: the server switched
        /// unasked (RFC 9110 section 15.2.2).
        RequestUpgradeMissing => "request-upgrade-missing",
        /// A 101 to a request whose own `Upgrade` is malformed, so what was offered is unknown.
        RequestUpgradeMalformed => "request-upgrade-malformed",
        /// A 101 in a response that is not HTTP/1.1.
        ResponseNotHttp11 => "response-not-http11",
        /// A 101 or 426 without `Upgrade` (RFC 9110 sections 15.2.2 and 15.5.22).
        UpgradeMissing => "upgrade-missing",
        /// A 101 or 426 whose `Upgrade` lists no protocol.
        UpgradeEmpty => "upgrade-empty",
        /// The response's `Upgrade` does not follow the list grammar (RFC 9110 section 7.8).
        UpgradeMalformed => "upgrade-malformed",
        /// A 101 names a protocol that the request never offered (RFC 9110 section 7.8: "a
        /// server MUST NOT switch to a protocol that was not indicated by the client").
        ProtocolNotOffered => "protocol-not-offered",
        /// A 101 whose `Connection` does not follow the list grammar.
        ConnectionMalformed => "connection-malformed",
        /// A 101 without the `upgrade` option in `Connection` (RFC 9110 section 7.8).
        ConnectionMissingUpgrade => "connection-missing-upgrade",
        /// A 101 to websocket for a request without exactly one `Sec-WebSocket-Key` field line, so
        /// the accept value cannot be checked.
        RequestWebSocketKeyInvalid => "request-websocket-key-invalid",
        /// A 101 to websocket without `Sec-WebSocket-Accept` (RFC 6455 section 4.1).
        WebSocketAcceptMissing => "websocket-accept-missing",
        /// A 101 to websocket whose `Sec-WebSocket-Accept` is not exactly one line holding the value
        /// computed from the request's key (RFC 6455 section 4.1).
        WebSocketAcceptMismatch => "websocket-accept-mismatch",
    }
}

impl ClientReason {
    /// A short lowercase description for people.
    pub const fn description(self) -> &'static str {
        match self {
            ClientReason::Switched => "a legitimate switch",
            ClientReason::UpgradeRequired => "a 426 naming the protocols it requires",
            ClientReason::UpgradeAdvertised => "an advertisement of protocols",
            ClientReason::NoUpgrade => "nothing about upgrades",
            ClientReason::Http2UpgradeForbidden => {
                "an HTTP/2 or later response carries Upgrade or Connection"
            }
            ClientReason::RequestNotHttp11 => "only an HTTP/1.1 request can be upgraded",
            ClientReason::RequestHostInvalid => {
                "the request lacked exactly one valid Host, so no server may switch it"
            }
            ClientReason::RequestUpgradeMissing => "the request asked for no upgrade",
            ClientReason::RequestUpgradeMalformed => "the request's Upgrade is malformed",
            ClientReason::ResponseNotHttp11 => "the response is not HTTP/1.1",
            ClientReason::UpgradeMissing => "the response has no Upgrade field",
            ClientReason::UpgradeEmpty => "the response's Upgrade lists no protocol",
            ClientReason::UpgradeMalformed => "the response's Upgrade is malformed",
            ClientReason::ProtocolNotOffered => "it names a protocol the request did not offer",
            ClientReason::ConnectionMalformed => "the response's Connection is malformed",
            ClientReason::ConnectionMissingUpgrade => "no upgrade option in Connection",
            ClientReason::RequestWebSocketKeyInvalid => {
                "the request had no single Sec-WebSocket-Key"
            }
            ClientReason::WebSocketAcceptMissing => "no Sec-WebSocket-Accept",
            ClientReason::WebSocketAcceptMismatch => "a wrong Sec-WebSocket-Accept",
        }
    }

    /// Whether a response with this reason is legitimate.
    pub const fn is_valid(self) -> bool {
        matches!(
            self,
            ClientReason::Switched
                | ClientReason::UpgradeRequired
                | ClientReason::UpgradeAdvertised
                | ClientReason::NoUpgrade
        )
    }
}

impl fmt::Display for ClientReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The client-side verdict on a response: valid or not, switched or not, why, and the
/// protocols of the response's `Upgrade`, borrowed from the response.
///
/// Returned by [`check_response`].
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{check_response, ClientReason, HttpVersion, Policy, RequestHead, ResponseHead};
///
/// let asked = [("Host", "a"), ("Upgrade", "HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11"), ("Connection", "upgrade")];
/// let request = RequestHead::new("GET", HttpVersion::Http11, &asked);
///
/// // RFC 9110 section 7.8: several protocols in a 101 are a stack, lowest layer first.
/// let answer = [("Upgrade", "RTA/x11, IRC/6.9"), ("Connection", "Upgrade")];
/// let check = check_response(request, &ResponseHead::new(101, HttpVersion::Http11, &answer), &Policy::default());
/// assert!(check.switched());
/// let stack: Vec<String> = check.protocols().map(|p| p.to_string()).collect();
/// assert_eq!(stack, ["RTA/x11", "IRC/6.9"]);
///
/// // A 426 must name what it requires.
/// let refusal = [("Upgrade", "")];
/// let check = check_response(request, &ResponseHead::new(426, HttpVersion::Http11, &refusal), &Policy::default());
/// assert_eq!((check.valid(), check.reason()), (false, ClientReason::UpgradeEmpty));
/// ```
pub struct ResponseCheck<'r, H: ?Sized> {
    reason: ClientReason,
    error: Option<Error>,
    headers: &'r H,
    config: Config,
}

impl<'r, H: FieldLines + ?Sized> ResponseCheck<'r, H> {
    /// Whether the response is legitimate for the request. For a status other than 101, an
    /// invalid verdict concerns only the upgrade signalling: the caller may still use the
    /// response as plain HTTP while ignoring its `Upgrade`.
    pub const fn valid(&self) -> bool {
        self.reason.is_valid()
    }

    /// Whether the connection switched: a valid 101.
    pub fn switched(&self) -> bool {
        self.reason == ClientReason::Switched
    }

    /// Why.
    pub const fn reason(&self) -> ClientReason {
        self.reason
    }

    /// The grammar error behind [`ClientReason::UpgradeMalformed`],
    /// [`ClientReason::RequestUpgradeMalformed`] or [`ClientReason::ConnectionMalformed`].
    pub const fn error(&self) -> Option<Error> {
        self.error
    }

    /// The protocols of the response's `Upgrade` field, in order: for a 101, the new protocol
    /// stack, lowest layer first. When the field is malformed, the protocols before the fault.
    pub fn protocols(&self) -> impl Iterator<Item = Protocol<'r>> + use<'r, H> {
        let headers = self.headers;
        parse_upgrade(headers.lines("upgrade"), self.config).map_while(Result::ok)
    }
}

impl<H: FieldLines + ?Sized> fmt::Debug for ResponseCheck<'_, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Protocols<'a, 'r, H: ?Sized>(&'a ResponseCheck<'r, H>);
        impl<H: FieldLines + ?Sized> fmt::Debug for Protocols<'_, '_, H> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_list().entries(self.0.protocols()).finish()
            }
        }
        f.debug_struct("ResponseCheck")
            .field("valid", &self.valid())
            .field("switched", &self.switched())
            .field("reason", &self.reason)
            .field("protocols", &Protocols(self))
            .field("error", &self.error)
            .finish()
    }
}

/// Checks a response against the request it answers, as a client must before trusting a
/// switch, parsing every `Upgrade` and `Connection` with the grammar and bounds of
/// [`Policy::config`].
///
/// RFC 9110 sections 7.8, 15.2.2 and 15.5.22, RFC 9112 section 3.2, RFC 6455 section 4.1:
///
/// - A 101 is valid only for an HTTP/1.1 request with exactly one valid `Host` that offered a
///   non-empty `Upgrade`, in an HTTP/1.1 response whose `Upgrade` is non-empty and lists only
///   offered protocols (several are a layer stack, lowest first; each equal to an offered one,
///   names ignoring ASCII case, versions exactly), with `upgrade` in `Connection`, and, when it
///   names websocket, the `Sec-WebSocket-Accept` computed from the request's
///   `Sec-WebSocket-Key`.
/// - A 426 is valid only with a non-empty `Upgrade`.
/// - Any other status with an `Upgrade` field is an advertisement: valid, not switched;
///   without one: valid, not switched.
/// - A malformed `Upgrade`, or `Upgrade` / `Connection` in an HTTP/2 or later response, is
///   invalid whatever the status.
///
/// `request` and `response` are anything that converts into their heads: a
/// [`RequestHead`] / [`ResponseHead`] (or a reference to one), a
/// [`ParsedRequest`](crate::ParsedRequest) / [`ParsedResponse`](crate::ParsedResponse), or,
/// with the `http` feature, a reference to an `http::Request` / `http::Response`.
///
/// Never panics and never allocates.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{check_response, ClientReason, HttpVersion, Policy, RequestHead, ResponseHead};
///
/// let request_headers = [("Host", "example.com"), ("Upgrade", "websocket"), ("Connection", "upgrade"),
///     ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="), ("Sec-WebSocket-Version", "13")];
/// let request = RequestHead::new("GET", HttpVersion::Http11, &request_headers);
///
/// let response_headers = [("Upgrade", "websocket"), ("Connection", "Upgrade"),
///     ("Sec-WebSocket-Accept", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")];
/// let response = ResponseHead::new(101, HttpVersion::Http11, &response_headers);
/// let check = check_response(request, response, &Policy::default());
/// assert!(check.valid() && check.switched());
/// assert_eq!(check.protocols().map(|p| p.to_string()).collect::<Vec<_>>(), ["websocket"]);
///
/// // A 101 to a protocol that was never offered.
/// let response_headers = [("Upgrade", "h2c"), ("Connection", "upgrade")];
/// let response = ResponseHead::new(101, HttpVersion::Http11, &response_headers);
/// let check = check_response(request, response, &Policy::default());
/// assert!(!check.valid());
/// assert_eq!(check.reason(), ClientReason::ProtocolNotOffered);
/// ```
pub fn check_response<'q, 'r, Q, S>(
    request: impl Into<RequestHead<'q, Q>>,
    response: impl Into<ResponseHead<'r, S>>,
    policy: &Policy,
) -> ResponseCheck<'r, S>
where
    Q: FieldLines + ?Sized + 'q,
    S: FieldLines + ?Sized + 'r,
{
    let (request, response) = (request.into(), response.into());
    let config = policy.config();
    let (reason, error) = match verdict(&request, &response, config) {
        Ok(reason) => (reason, None),
        Err((reason, error)) => (reason, error),
    };
    ResponseCheck {
        reason,
        error,
        headers: response.headers(),
        config,
    }
}

type Verdict = Result<ClientReason, (ClientReason, Option<Error>)>;

fn fail(reason: ClientReason) -> Verdict {
    Err((reason, None))
}

fn verdict<Q, S>(
    request: &RequestHead<'_, Q>,
    response: &ResponseHead<'_, S>,
    config: Config,
) -> Verdict
where
    Q: FieldLines + ?Sized,
    S: FieldLines + ?Sized,
{
    let headers = response.headers();
    if response.version() == HttpVersion::Http2OrLater
        && (has(headers, "upgrade") || has(headers, "connection"))
    {
        return fail(ClientReason::Http2UpgradeForbidden);
    }
    let upgrade = if has(headers, "upgrade") {
        let count = parse_upgrade(headers.lines("upgrade"), config)
            .validate()
            .map_err(|e| (ClientReason::UpgradeMalformed, Some(e)))?;
        Some(count)
    } else {
        None
    };
    match response.status() {
        101 => switched(request, response, upgrade, config),
        426 => match upgrade {
            None => fail(ClientReason::UpgradeMissing),
            Some(0) => fail(ClientReason::UpgradeEmpty),
            Some(_) => Ok(ClientReason::UpgradeRequired),
        },
        _ if upgrade.is_some() => Ok(ClientReason::UpgradeAdvertised),
        _ => Ok(ClientReason::NoUpgrade),
    }
}

/// The checks of a 101, in order. `upgrade` is the number of protocols in the response's
/// (valid) `Upgrade`, if it has one.
fn switched<Q, S>(
    request: &RequestHead<'_, Q>,
    response: &ResponseHead<'_, S>,
    upgrade: Option<usize>,
    config: Config,
) -> Verdict
where
    Q: FieldLines + ?Sized,
    S: FieldLines + ?Sized,
{
    if request.version() != HttpVersion::Http11 {
        return fail(ClientReason::RequestNotHttp11);
    }
    let asked = request.headers();
    if host_rule(asked, request.version()).is_some() {
        return fail(ClientReason::RequestHostInvalid);
    }
    match parse_upgrade(asked.lines("upgrade"), config).validate() {
        Err(e) => return Err((ClientReason::RequestUpgradeMalformed, Some(e))),
        Ok(0) => return fail(ClientReason::RequestUpgradeMissing),
        Ok(_) => {}
    }
    if response.version() != HttpVersion::Http11 {
        return fail(ClientReason::ResponseNotHttp11);
    }
    match upgrade {
        None => return fail(ClientReason::UpgradeMissing),
        Some(0) => return fail(ClientReason::UpgradeEmpty),
        Some(_) => {}
    }
    let headers = response.headers();
    let offered = |protocol: &Protocol<'_>| {
        parse_upgrade(asked.lines("upgrade"), config)
            .map_while(Result::ok)
            .any(|asked| asked.matches(protocol))
    };
    let mut websocket = false;
    for protocol in parse_upgrade(headers.lines("upgrade"), config).map_while(Result::ok) {
        if !offered(&protocol) {
            return fail(ClientReason::ProtocolNotOffered);
        }
        websocket |= protocol.is_named(b"websocket");
    }
    match parse_connection(headers.lines("connection"), config).contains(b"upgrade") {
        Err(e) => return Err((ClientReason::ConnectionMalformed, Some(e))),
        Ok(false) => return fail(ClientReason::ConnectionMissingUpgrade),
        Ok(true) => {}
    }
    if websocket {
        let key = match single(asked, "sec-websocket-key") {
            Ok(Some(key)) => trim_ows(key),
            Ok(None) | Err(_) => return fail(ClientReason::RequestWebSocketKeyInvalid),
        };
        let expected = WebSocketAccept::from_key(key);
        match single(headers, "sec-websocket-accept") {
            Ok(None) => return fail(ClientReason::WebSocketAcceptMissing),
            Ok(Some(accept)) if trim_ows(accept) == expected.as_bytes() => {}
            Ok(Some(_)) | Err(_) => return fail(ClientReason::WebSocketAcceptMismatch),
        }
    }
    Ok(ClientReason::Switched)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_round_trip() {
        for (i, a) in ClientReason::ALL.iter().enumerate() {
            assert!(
                a.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            );
            assert_eq!(ClientReason::from_code(a.code()), Some(*a));
            for b in ClientReason::ALL.iter().skip(i + 1) {
                assert_ne!(a.code(), b.code());
            }
        }
    }

    #[test]
    fn descriptions_are_distinct_lowercase_text_without_period() {
        for (i, a) in ClientReason::ALL.iter().enumerate() {
            let d = a.description();
            assert!(
                d.starts_with(|c: char| c.is_ascii_lowercase()) && !d.ends_with('.'),
                "{d}"
            );
            for b in ClientReason::ALL.iter().skip(i + 1) {
                assert_ne!(d, b.description());
            }
        }
    }

    #[test]
    fn displays_as_the_stable_code() {
        for r in ClientReason::ALL {
            assert_eq!(r.to_string(), r.code());
        }
        assert_eq!(
            ClientReason::ProtocolNotOffered.to_string(),
            "protocol-not-offered"
        );
    }

    #[test]
    fn debug_shows_the_verdict_and_the_response_protocols() {
        let asked = [
            ("Host", "a"),
            ("Upgrade", "foo/2, bar"),
            ("Connection", "upgrade"),
        ];
        let answer = [("Upgrade", "FOO/2"), ("Connection", "Upgrade")];
        let check = check_response(
            RequestHead::new("GET", HttpVersion::Http11, &asked),
            ResponseHead::new(101, HttpVersion::Http11, &answer),
            &Policy::default(),
        );
        assert_eq!(
            format!("{check:?}"),
            "ResponseCheck { valid: true, switched: true, reason: Switched, \
             protocols: [Protocol(FOO/2)], error: None }"
        );
    }

    #[test]
    fn only_the_first_four_reasons_are_valid() {
        let valid: Vec<bool> = ClientReason::ALL.iter().map(|r| r.is_valid()).collect();
        assert_eq!(valid.iter().filter(|v| **v).count(), 4);
        assert!(valid.iter().take(4).all(|v| *v));
    }
}
