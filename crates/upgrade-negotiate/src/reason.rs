//! Why the server side decided what it decided.

use core::fmt;

/// The rule of the negotiation that decided, with a stable kebab-case [`code`](Reason::code).
///
/// The reason says *why*; the [`Outcome`](crate::Outcome) says *what to do*. Reasons that carry
/// on with HTTP/1.1 under the default policy ([`NoUpgradeField`](Reason::NoUpgradeField),
/// [`Http10Ignored`](Reason::Http10Ignored),
/// [`ConnectionMissingUpgrade`](Reason::ConnectionMissingUpgrade),
/// [`UpgradeEmpty`](Reason::UpgradeEmpty), [`NoCommonProtocol`](Reason::NoCommonProtocol))
/// become `426 Upgrade Required` when the [`Policy`](crate::Policy) requires an upgrade.
///
/// The rules are applied in the order of the variants below; the number in each description is
/// the rule's number ([`Reason::rule`]).
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::Reason;
///
/// assert_eq!(Reason::ConnectionMissingUpgrade.code(), "connection-missing-upgrade");
/// assert_eq!(Reason::from_code("switched"), Some(Reason::Switched));
/// assert_eq!(Reason::from_code("switch"), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Reason {
    /// 1: the request could not be parsed as HTTP/1.x, or its method is not a token
    /// (RFC 9112 section 3). Reject, 400.
    RequestMalformed,
    /// 2: an HTTP/2 or later request carries `Upgrade` or `Connection`, connection-specific
    /// fields that make it malformed (RFC 9113 section 8.2.2, RFC 9114 section 4.2). Reject.
    Http2UpgradeForbidden,
    /// 3: the request has no `Upgrade` field. Continue (426 when an upgrade is required, except
    /// for HTTP/2 and later, where a 426 could not carry `Upgrade`).
    NoUpgradeField,
    /// 4: an HTTP/1.0 request: its `Upgrade` field is ignored (RFC 9110 section 7.8). Continue
    /// (426 when an upgrade is required).
    Http10Ignored,
    /// 5: a `CONNECT` request: tunnels are the caller's business, never upgraded here. Continue.
    ConnectIgnored,
    /// 6: both `Content-Length` and `Transfer-Encoding`, the shape of request smuggling
    /// (RFC 9112 section 6.1). Reject, 400.
    ContentLengthWithTransferEncoding,
    /// 6: `Content-Length` is not `1*DIGIT`, overflows, or its lines or elements disagree
    /// (RFC 9110 section 8.6, RFC 9112 section 6.3). Reject, 400.
    ContentLengthInvalid,
    /// 6: `Transfer-Encoding` is not a list of transfer codings (RFC 9112 section 6.1). Reject,
    /// 400.
    TransferEncodingMalformed,
    /// 6: `Transfer-Encoding` does not end with `chunked`, or applies `chunked` more than once,
    /// so the request body length cannot be determined (RFC 9112 section 6.3). Reject, 400.
    TransferEncodingNotChunked,
    /// 7: `Connection` does not follow the list grammar (RFC 9110 section 7.6.1). Reject, 400.
    ConnectionMalformed,
    /// 7: `Connection` is absent or does not list `upgrade`, so `Upgrade` is ignored
    /// (RFC 9110 section 7.8); `Proxy-Connection` never counts. Continue (426 when an upgrade is
    /// required).
    ConnectionMissingUpgrade,
    /// 8: `Upgrade` does not follow the list grammar or goes over the bounds (RFC 9110
    /// section 7.8). Reject, 400.
    UpgradeMalformed,
    /// 8: `Upgrade` is an empty list. Continue (426 when an upgrade is required).
    UpgradeEmpty,
    /// 11: no protocol is both listed by the client and offered by the server. Continue (426
    /// when an upgrade is required).
    NoCommonProtocol,
    /// 10: a candidate passed its profile: switch, 101 (RFC 9110 section 15.2.2).
    Switched,
    /// 10, 11: websocket asked with a method other than `GET` (RFC 6455 section 4.2.1, item 1).
    /// Reject, 400.
    WebSocketMethodNotGet,
    /// 10, 11: websocket asked without `Sec-WebSocket-Version` (RFC 6455 section 4.2.1,
    /// item 6). Reject, 400.
    WebSocketVersionMissing,
    /// 10, 11: websocket asked with a `Sec-WebSocket-Version` other than exactly one `13`
    /// (RFC 6455 section 4.2.2). Required, 426 with `Sec-WebSocket-Version: 13`.
    WebSocketVersionUnsupported,
    /// 10, 11: websocket asked without `Sec-WebSocket-Key` (RFC 6455 section 4.2.1, item 5).
    /// Reject, 400.
    WebSocketKeyMissing,
    /// 10, 11: websocket asked with more than one `Sec-WebSocket-Key` field line. Reject, 400.
    WebSocketKeyRepeated,
    /// 10, 11: `Sec-WebSocket-Key` is not the base64 of exactly 16 bytes (RFC 6455
    /// section 4.1). Reject, 400.
    WebSocketKeyInvalid,
    /// 10, 11: h2c asked without `HTTP2-Settings` (RFC 7540 section 3.2.1). Reject, 400.
    H2cSettingsMissing,
    /// 10, 11: h2c asked with more than one `HTTP2-Settings` field line (RFC 7540
    /// section 3.2.1). Reject, 400.
    H2cSettingsRepeated,
    /// 10, 11: `HTTP2-Settings` is not the unpadded base64url of a valid SETTINGS payload
    /// (RFC 7540 sections 3.2.1 and 6.5). Reject, 400.
    H2cSettingsInvalid,
    /// 10, 11: h2c asked without `HTTP2-Settings` listed in `Connection` (RFC 7540
    /// section 3.2.1). Reject, 400.
    H2cSettingsNotInConnection,
}

impl Reason {
    /// Every reason, in declaration order.
    pub const ALL: [Reason; 25] = [
        Reason::RequestMalformed,
        Reason::Http2UpgradeForbidden,
        Reason::NoUpgradeField,
        Reason::Http10Ignored,
        Reason::ConnectIgnored,
        Reason::ContentLengthWithTransferEncoding,
        Reason::ContentLengthInvalid,
        Reason::TransferEncodingMalformed,
        Reason::TransferEncodingNotChunked,
        Reason::ConnectionMalformed,
        Reason::ConnectionMissingUpgrade,
        Reason::UpgradeMalformed,
        Reason::UpgradeEmpty,
        Reason::NoCommonProtocol,
        Reason::Switched,
        Reason::WebSocketMethodNotGet,
        Reason::WebSocketVersionMissing,
        Reason::WebSocketVersionUnsupported,
        Reason::WebSocketKeyMissing,
        Reason::WebSocketKeyRepeated,
        Reason::WebSocketKeyInvalid,
        Reason::H2cSettingsMissing,
        Reason::H2cSettingsRepeated,
        Reason::H2cSettingsInvalid,
        Reason::H2cSettingsNotInConnection,
    ];

    /// The stable kebab-case name of the reason, used in machine-readable output.
    pub const fn code(self) -> &'static str {
        match self {
            Reason::RequestMalformed => "request-malformed",
            Reason::Http2UpgradeForbidden => "http2-upgrade-forbidden",
            Reason::NoUpgradeField => "no-upgrade-field",
            Reason::Http10Ignored => "http10-ignored",
            Reason::ConnectIgnored => "connect-ignored",
            Reason::ContentLengthWithTransferEncoding => "content-length-with-transfer-encoding",
            Reason::ContentLengthInvalid => "content-length-invalid",
            Reason::TransferEncodingMalformed => "transfer-encoding-malformed",
            Reason::TransferEncodingNotChunked => "transfer-encoding-not-chunked",
            Reason::ConnectionMalformed => "connection-malformed",
            Reason::ConnectionMissingUpgrade => "connection-missing-upgrade",
            Reason::UpgradeMalformed => "upgrade-malformed",
            Reason::UpgradeEmpty => "upgrade-empty",
            Reason::NoCommonProtocol => "no-common-protocol",
            Reason::Switched => "switched",
            Reason::WebSocketMethodNotGet => "websocket-method-not-get",
            Reason::WebSocketVersionMissing => "websocket-version-missing",
            Reason::WebSocketVersionUnsupported => "websocket-version-unsupported",
            Reason::WebSocketKeyMissing => "websocket-key-missing",
            Reason::WebSocketKeyRepeated => "websocket-key-repeated",
            Reason::WebSocketKeyInvalid => "websocket-key-invalid",
            Reason::H2cSettingsMissing => "h2c-settings-missing",
            Reason::H2cSettingsRepeated => "h2c-settings-repeated",
            Reason::H2cSettingsInvalid => "h2c-settings-invalid",
            Reason::H2cSettingsNotInConnection => "h2c-settings-not-in-connection",
        }
    }

    /// The reason whose [`code`](Reason::code) is `code`.
    pub fn from_code(code: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The number of the rule, 1 to 11 in the list of [`negotiate`](crate::negotiate), that
    /// produces this reason; profile verdicts are reported by rule 11 when no candidate passed.
    pub const fn rule(self) -> u8 {
        match self {
            Reason::RequestMalformed => 1,
            Reason::Http2UpgradeForbidden => 2,
            Reason::NoUpgradeField => 3,
            Reason::Http10Ignored => 4,
            Reason::ConnectIgnored => 5,
            Reason::ContentLengthWithTransferEncoding
            | Reason::ContentLengthInvalid
            | Reason::TransferEncodingMalformed
            | Reason::TransferEncodingNotChunked => 6,
            Reason::ConnectionMalformed | Reason::ConnectionMissingUpgrade => 7,
            Reason::UpgradeMalformed | Reason::UpgradeEmpty => 8,
            Reason::Switched => 10,
            Reason::NoCommonProtocol
            | Reason::WebSocketMethodNotGet
            | Reason::WebSocketVersionMissing
            | Reason::WebSocketVersionUnsupported
            | Reason::WebSocketKeyMissing
            | Reason::WebSocketKeyRepeated
            | Reason::WebSocketKeyInvalid
            | Reason::H2cSettingsMissing
            | Reason::H2cSettingsRepeated
            | Reason::H2cSettingsInvalid
            | Reason::H2cSettingsNotInConnection => 11,
        }
    }

    /// A short lowercase description for people.
    pub const fn description(self) -> &'static str {
        match self {
            Reason::RequestMalformed => "the request is not a well-formed HTTP/1.x request",
            Reason::Http2UpgradeForbidden => {
                "an HTTP/2 or later request carries Upgrade or Connection"
            }
            Reason::NoUpgradeField => "the request has no Upgrade field",
            Reason::Http10Ignored => "the Upgrade field is ignored in an HTTP/1.0 request",
            Reason::ConnectIgnored => "a CONNECT request is never upgraded",
            Reason::ContentLengthWithTransferEncoding => {
                "the request has both Content-Length and Transfer-Encoding"
            }
            Reason::ContentLengthInvalid => "the Content-Length field is invalid",
            Reason::TransferEncodingMalformed => "the Transfer-Encoding field is malformed",
            Reason::TransferEncodingNotChunked => {
                "the Transfer-Encoding field does not end with a single chunked coding"
            }
            Reason::ConnectionMalformed => "the Connection field is malformed",
            Reason::ConnectionMissingUpgrade => {
                "the Connection field does not list the upgrade option"
            }
            Reason::UpgradeMalformed => "the Upgrade field is malformed or too long",
            Reason::UpgradeEmpty => "the Upgrade field lists no protocol",
            Reason::NoCommonProtocol => "no protocol is both requested and offered",
            Reason::Switched => "switching protocols",
            Reason::WebSocketMethodNotGet => "a websocket handshake must use GET",
            Reason::WebSocketVersionMissing => "the websocket handshake lacks a version",
            Reason::WebSocketVersionUnsupported => "the websocket version is not 13",
            Reason::WebSocketKeyMissing => "the websocket handshake lacks a key",
            Reason::WebSocketKeyRepeated => "the websocket key is sent more than once",
            Reason::WebSocketKeyInvalid => "the websocket key is not base64 of 16 bytes",
            Reason::H2cSettingsMissing => "the h2c upgrade lacks HTTP2-Settings",
            Reason::H2cSettingsRepeated => "the HTTP2-Settings field is sent more than once",
            Reason::H2cSettingsInvalid => {
                "the HTTP2-Settings field is not a base64url SETTINGS payload"
            }
            Reason::H2cSettingsNotInConnection => {
                "the Connection field does not list HTTP2-Settings"
            }
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_round_trip() {
        for (i, a) in Reason::ALL.iter().enumerate() {
            assert!(
                a.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{a:?}"
            );
            assert_eq!(Reason::from_code(a.code()), Some(*a));
            for b in Reason::ALL.iter().skip(i + 1) {
                assert_ne!(a.code(), b.code());
            }
        }
    }

    #[test]
    fn rules_never_decrease_in_declaration_order_except_switch() {
        let rules: Vec<u8> = Reason::ALL
            .iter()
            .filter(|r| **r != Reason::Switched)
            .map(|r| r.rule())
            .collect();
        assert!(rules.windows(2).all(|w| w[0] <= w[1]), "{rules:?}");
    }

    #[test]
    fn descriptions_are_lowercase_sentences_without_period() {
        for r in Reason::ALL {
            let d = r.description();
            assert!(!d.ends_with('.'));
            assert!(d.starts_with(|c: char| c.is_ascii_lowercase()), "{d}");
        }
    }
}
