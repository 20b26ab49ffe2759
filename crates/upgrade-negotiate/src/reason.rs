//! Why the server side decided what it decided.

use core::fmt;

upgrade_grammar::__coded_enum! {
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
        RequestMalformed => "request-malformed",
        /// 1: the request line names an HTTP major version other than 1 (RFC 9110 sections 2.5
        /// and 15.6.6). Reject, 505.
        VersionUnsupported => "version-unsupported",
        /// 1: an HTTP/1.1 request without a `Host` field line (RFC 9112 section 3.2). Reject, 400.
        HostMissing => "host-missing",
        /// 1: a request with more than one `Host` field line (RFC 9112 section 3.2). Reject, 400.
        HostRepeated => "host-repeated",
        /// 1: a `Host` value that is not `uri-host [ ":" port ]` (RFC 9112 section 3.2, RFC 3986
        /// section 3.2). Reject, 400.
        HostInvalid => "host-invalid",
        /// 2: an HTTP/2 or later request carries `Upgrade` or `Connection`, connection-specific
        /// fields that make it malformed (RFC 9113 section 8.2.2, RFC 9114 section 4.2). Reject.
        Http2UpgradeForbidden => "http2-upgrade-forbidden",
        /// 3: the request has no `Upgrade` field. Continue (426 when an upgrade is required, except
        /// for HTTP/2 and later, where a 426 could not carry `Upgrade`).
        NoUpgradeField => "no-upgrade-field",
        /// 4: an HTTP/1.0 request: its `Upgrade` field is ignored (RFC 9110 section 7.8). Continue
        /// (426 when an upgrade is required).
        Http10Ignored => "http10-ignored",
        /// 5: a `CONNECT` request: tunnels are the caller's business, never upgraded here. Continue.
        ConnectIgnored => "connect-ignored",
        /// 6: both `Content-Length` and `Transfer-Encoding`, the shape of request smuggling
        /// (RFC 9112 section 6.1). Reject, 400.
        ContentLengthWithTransferEncoding => "content-length-with-transfer-encoding",
        /// 6: `Content-Length` is not `1*DIGIT`, overflows, or its lines or elements disagree
        /// (RFC 9110 section 8.6, RFC 9112 section 6.3). Reject, 400.
        ContentLengthInvalid => "content-length-invalid",
        /// 6: `Transfer-Encoding` is not a list of transfer codings (RFC 9112 section 6.1). Reject,
        /// 400.
        TransferEncodingMalformed => "transfer-encoding-malformed",
        /// 6: `Transfer-Encoding` does not end with `chunked`, or applies `chunked` more than once,
        /// so the request body length cannot be determined (RFC 9112 section 6.3). Reject, 400.
        TransferEncodingNotChunked => "transfer-encoding-not-chunked",
        /// 7: `Connection` does not follow the list grammar (RFC 9110 section 7.6.1). Reject, 400.
        ConnectionMalformed => "connection-malformed",
        /// 7: `Connection` is absent or does not list `upgrade`, so `Upgrade` is ignored
        /// (RFC 9110 section 7.8); `Proxy-Connection` never counts. Continue (426 when an upgrade is
        /// required).
        ConnectionMissingUpgrade => "connection-missing-upgrade",
        /// 8: `Upgrade` does not follow the list grammar or goes over the bounds (RFC 9110
        /// section 7.8). Reject, 400.
        UpgradeMalformed => "upgrade-malformed",
        /// 8: `Upgrade` is an empty list. Continue (426 when an upgrade is required).
        UpgradeEmpty => "upgrade-empty",
        /// 11: no protocol is both listed by the client and offered by the server. Continue (426
        /// when an upgrade is required).
        NoCommonProtocol => "no-common-protocol",
        /// 10: a candidate passed its profile: switch, 101 (RFC 9110 section 15.2.2).
        Switched => "switched",
        /// 10, 11: websocket asked with a method other than `GET` (RFC 6455 section 4.2.1, item 1).
        /// Reject, 400.
        WebSocketMethodNotGet => "websocket-method-not-get",
        /// 10, 11: websocket asked without `Sec-WebSocket-Version` (RFC 6455 section 4.2.1,
        /// item 6). Reject, 400.
        WebSocketVersionMissing => "websocket-version-missing",
        /// 10, 11: websocket asked with a `Sec-WebSocket-Version` other than exactly one `13`
        /// (RFC 6455 section 4.2.2). Required, 426 with `Sec-WebSocket-Version: 13`.
        WebSocketVersionUnsupported => "websocket-version-unsupported",
        /// 10, 11: websocket asked without `Sec-WebSocket-Key` (RFC 6455 section 4.2.1, item 5).
        /// Reject, 400.
        WebSocketKeyMissing => "websocket-key-missing",
        /// 10, 11: websocket asked with more than one `Sec-WebSocket-Key` field line. Reject, 400.
        WebSocketKeyRepeated => "websocket-key-repeated",
        /// 10, 11: `Sec-WebSocket-Key` is not the base64 of exactly 16 bytes (RFC 6455
        /// section 4.1). Reject, 400.
        WebSocketKeyInvalid => "websocket-key-invalid",
        /// 10, 11: h2c asked without `HTTP2-Settings` (RFC 7540 section 3.2.1). Reject, 400.
        H2cSettingsMissing => "h2c-settings-missing",
        /// 10, 11: h2c asked with more than one `HTTP2-Settings` field line (RFC 7540
        /// section 3.2.1). Reject, 400.
        H2cSettingsRepeated => "h2c-settings-repeated",
        /// 10, 11: `HTTP2-Settings` is not the unpadded base64url of a valid SETTINGS payload
        /// (RFC 7540 sections 3.2.1 and 6.5). Reject, 400.
        H2cSettingsInvalid => "h2c-settings-invalid",
        /// 10, 11: h2c asked without `HTTP2-Settings` listed in `Connection` (RFC 7540
        /// section 3.2.1). Reject, 400.
        H2cSettingsNotInConnection => "h2c-settings-not-in-connection",
    }
}

impl Reason {
    /// The number of the rule, 1 to 11 in the list of [`negotiate`](crate::negotiate), that
    /// produces this reason; profile verdicts are reported by rule 11 when no candidate passed.
    pub const fn rule(self) -> u8 {
        match self {
            Reason::RequestMalformed
            | Reason::VersionUnsupported
            | Reason::HostMissing
            | Reason::HostRepeated
            | Reason::HostInvalid => 1,
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
            Reason::VersionUnsupported => "the request's HTTP major version is not 1",
            Reason::HostMissing => "the HTTP/1.1 request has no Host field",
            Reason::HostRepeated => "the request has more than one Host field line",
            Reason::HostInvalid => "the Host field is not a host with an optional port",
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
            assert!(!a.description().is_empty());
            for b in Reason::ALL.iter().skip(i + 1) {
                assert_ne!(a.code(), b.code());
            }
        }
    }

    #[test]
    fn each_reason_names_the_rule_its_documentation_gives() {
        use Reason::*;
        let table = [
            (RequestMalformed, 1),
            (VersionUnsupported, 1),
            (HostMissing, 1),
            (HostRepeated, 1),
            (HostInvalid, 1),
            (Http2UpgradeForbidden, 2),
            (NoUpgradeField, 3),
            (Http10Ignored, 4),
            (ConnectIgnored, 5),
            (ContentLengthWithTransferEncoding, 6),
            (ContentLengthInvalid, 6),
            (TransferEncodingMalformed, 6),
            (TransferEncodingNotChunked, 6),
            (ConnectionMalformed, 7),
            (ConnectionMissingUpgrade, 7),
            (UpgradeMalformed, 8),
            (UpgradeEmpty, 8),
            (NoCommonProtocol, 11),
            (Switched, 10),
            // Profile verdicts are reported by rule 11, when no candidate passed rule 10.
            (WebSocketMethodNotGet, 11),
            (WebSocketVersionMissing, 11),
            (WebSocketVersionUnsupported, 11),
            (WebSocketKeyMissing, 11),
            (WebSocketKeyRepeated, 11),
            (WebSocketKeyInvalid, 11),
            (H2cSettingsMissing, 11),
            (H2cSettingsRepeated, 11),
            (H2cSettingsInvalid, 11),
            (H2cSettingsNotInConnection, 11),
        ];
        assert_eq!(table.len(), Reason::ALL.len());
        for (reason, rule) in table {
            assert_eq!(reason.rule(), rule, "{reason:?}");
        }
    }

    #[test]
    fn descriptions_tell_every_reason_apart() {
        for (i, a) in Reason::ALL.iter().enumerate() {
            for b in Reason::ALL.iter().skip(i + 1) {
                assert_ne!(a.description(), b.description(), "{a:?} and {b:?}");
            }
        }
        assert_eq!(Reason::Switched.description(), "switching protocols");
    }

    #[test]
    fn displays_as_the_stable_code() {
        for r in Reason::ALL {
            assert_eq!(r.to_string(), r.code());
        }
        assert_eq!(Reason::HostMissing.to_string(), "host-missing");
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
        for r in Reason::ALL.iter().copied() {
            let d = r.description();
            assert!(!d.ends_with('.'));
            assert!(d.starts_with(|c: char| c.is_ascii_lowercase()), "{d}");
        }
    }
}
