//! The probes, as data: id, class, RFC clause, the request, what it needs and how it is
//! graded.

use crate::request::{Request, Version};
use crate::verdict::Class;

/// A valid `Sec-WebSocket-Key` (the example of RFC 6455 section 1.3).
pub(crate) const WEBSOCKET_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
/// A valid `HTTP2-Settings`: SETTINGS_MAX_CONCURRENT_STREAMS 100, SETTINGS_INITIAL_WINDOW_SIZE
/// 1 GiB, SETTINGS_ENABLE_PUSH 0.
pub(crate) const HTTP2_SETTINGS: &str = "AAMAAABkAARAAAAAAAIAAAAA";
/// A protocol no server speaks.
const UNKNOWN: &str = "probe-unknown";
/// A request body that is also a masked websocket text frame (`probe`, mask 0): a server that
/// reads the body as frames echoes it before it answers the ping.
const FRAME_BODY: &[u8] = b"\x81\x85\x00\x00\x00\x00probe";

/// What a probe needs from the server to be meaningful; the baselines decide.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Needs {
    /// Nothing: graded against any HTTP/1.1 server.
    Nothing,
    /// A websocket switch at `--ws-path` (the `websocket-baseline` passed).
    WebSocket,
    /// An h2c switch at `--h2c-path` over cleartext (the `h2c-baseline` passed).
    H2c,
}

/// How the answer is graded, beyond the checks every answer gets (DESIGN.md section 8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grader {
    /// The websocket handshake: a valid switch makes websocket available; no switch is `n/a`.
    WebSocketBaseline,
    /// The h2c handshake: a valid switch makes h2c available; no switch is `n/a`.
    H2cBaseline,
    /// By the negotiator: a 101 must be one `negotiate` and `check_response` accept; other
    /// answers are compared with what `negotiate` decides.
    Oracle,
    /// [`Grader::Oracle`], and a refusal of the websocket version must carry
    /// `Sec-WebSocket-Version` (RFC 6455 section 4.2.2).
    WebSocketVersion,
    /// [`Grader::Oracle`], and no 1xx at all to an HTTP/1.0 request (RFC 9110 section 15.2).
    Http10,
    /// [`Grader::Oracle`], then a second request on the connection must get an HTTP answer,
    /// not a raw tunnel.
    SecondRequest,
}

/// One probe of the catalogue.
#[derive(Clone, Debug)]
pub struct Probe {
    /// The stable kebab-case id (`--only`).
    pub id: &'static str,
    /// The class of DESIGN.md section 7 it tests.
    pub class: Class,
    /// The RFC clause it grades by.
    pub rfc: &'static str,
    /// What it needs from the server.
    pub needs: Needs,
    /// How it is graded.
    pub grader: Grader,
    /// The request, host, path and key filled in.
    pub request: Request,
}

/// What the requests are filled in with.
#[derive(Clone, Debug)]
pub struct Context {
    /// The `Host` value.
    pub host: String,
    /// The path where the server speaks websocket.
    pub ws_path: String,
    /// The path for h2c upgrades.
    pub h2c_path: String,
}

impl Context {
    /// A websocket handshake (RFC 6455 section 4.1) with `upgrade` and `connection` as its
    /// fields.
    fn websocket(&self, upgrade: &str, connection: &str) -> Request {
        Request::new("GET", &self.ws_path, Version::Http11)
            .field("Host", &self.host)
            .field("Upgrade", upgrade)
            .field("Connection", connection)
            .field("Sec-WebSocket-Key", WEBSOCKET_KEY)
            .field("Sec-WebSocket-Version", "13")
    }

    /// The valid websocket handshake.
    fn ws(&self) -> Request {
        self.websocket("websocket", "Upgrade")
    }

    /// An h2c upgrade (RFC 7540 section 3.2) with `connection` as its `Connection`.
    fn h2c(&self, connection: &str) -> Request {
        Request::new("GET", &self.h2c_path, Version::Http11)
            .field("Host", &self.host)
            .field("Connection", connection)
            .field("Upgrade", "h2c")
    }
}

/// Removes every field line named `name`.
fn without(mut request: Request, name: &str) -> Request {
    request
        .fields
        .retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    request
}

/// Sets the version of the request line.
fn http10(mut request: Request) -> Request {
    request.version = Version::Http10;
    request
}

/// Sets the method.
fn method(mut request: Request, method: &str) -> Request {
    request.method = method.to_owned();
    request
}

/// Every probe, baselines first.
pub fn catalogue(cx: &Context) -> Vec<Probe> {
    use Class::*;
    use Grader::*;
    use Needs::{H2c, Nothing, WebSocket};
    let probe = |id, class, rfc, needs, grader, request| Probe {
        id,
        class,
        rfc,
        needs,
        grader,
        request,
    };
    let settings = |request: Request| request.field("HTTP2-Settings", HTTP2_SETTINGS);
    let ws_key_missing = without(cx.ws(), "Sec-WebSocket-Key");
    let ws_version_99 =
        without(cx.ws(), "Sec-WebSocket-Version").field("Sec-WebSocket-Version", "99");
    vec![
        probe(
            "websocket-baseline",
            Baseline,
            "RFC 6455 4.2.2; RFC 9110 7.8",
            WebSocket,
            WebSocketBaseline,
            cx.ws(),
        ),
        probe(
            "h2c-baseline",
            Baseline,
            "RFC 7540 3.2; RFC 9110 7.8",
            H2c,
            H2cBaseline,
            settings(cx.h2c("Upgrade, HTTP2-Settings")),
        ),
        probe(
            "connection-notupgrade",
            SubstringMatch,
            "RFC 9110 7.6.1",
            WebSocket,
            Oracle,
            cx.websocket("websocket", "notupgrade"),
        ),
        probe(
            "connection-upgrade-suffix",
            SubstringMatch,
            "RFC 9110 7.6.1",
            WebSocket,
            Oracle,
            cx.websocket("websocket", "upgrade-x"),
        ),
        probe(
            "upgrade-xwebsocket",
            SubstringMatch,
            "RFC 9110 7.8",
            WebSocket,
            Oracle,
            cx.websocket("xwebsocket", "Upgrade"),
        ),
        probe(
            "upgrade-websockets",
            SubstringMatch,
            "RFC 9110 7.8",
            WebSocket,
            Oracle,
            cx.websocket("websockets", "Upgrade"),
        ),
        probe(
            "upgrade-madam-websocket",
            SubstringMatch,
            "RFC 9110 7.8",
            WebSocket,
            Oracle,
            cx.websocket("madam-websocket", "Upgrade"),
        ),
        probe(
            "connection-split-lines",
            FirstLineOnly,
            "RFC 9110 5.3",
            WebSocket,
            Oracle,
            without(cx.ws(), "Connection")
                .field("Connection", "keep-alive")
                .field("Connection", "Upgrade"),
        ),
        probe(
            "upgrade-split-lines",
            FirstLineOnly,
            "RFC 9110 5.3",
            WebSocket,
            Oracle,
            without(cx.ws(), "Upgrade")
                .field("Upgrade", UNKNOWN)
                .field("Upgrade", "websocket"),
        ),
        probe(
            "upgrade-websocket-h2c",
            WholeValueToken,
            "RFC 9110 7.8",
            WebSocket,
            Oracle,
            cx.websocket("websocket, h2c", "Upgrade"),
        ),
        probe(
            "upgrade-h2c-websocket",
            WholeValueToken,
            "RFC 9110 7.8",
            WebSocket,
            Oracle,
            cx.websocket("h2c, websocket", "Upgrade"),
        ),
        probe(
            "connection-keep-alive-upgrade",
            WholeValueToken,
            "RFC 9110 7.6.1",
            WebSocket,
            Oracle,
            cx.websocket("websocket", "keep-alive, Upgrade"),
        ),
        probe(
            "upgrade-empty-elements",
            ListGrammar,
            "RFC 9110 5.6.1",
            WebSocket,
            Oracle,
            cx.websocket(", websocket,", "Upgrade"),
        ),
        probe(
            "upgrade-parameter",
            ListGrammar,
            "RFC 9110 7.8",
            WebSocket,
            Oracle,
            cx.websocket("websocket;q=1", "Upgrade"),
        ),
        probe(
            "upgrade-quoted",
            ListGrammar,
            "RFC 9110 7.8",
            WebSocket,
            Oracle,
            cx.websocket("\"websocket\"", "Upgrade"),
        ),
        probe(
            "upgrade-versioned",
            ListGrammar,
            "RFC 9110 7.8",
            WebSocket,
            Oracle,
            cx.websocket("websocket/13", "Upgrade"),
        ),
        probe(
            "upgrade-space-separated",
            ListGrammar,
            "RFC 9110 5.6.1",
            WebSocket,
            Oracle,
            cx.websocket("probe-unknown websocket", "Upgrade"),
        ),
        probe(
            "connection-space-separated",
            ListGrammar,
            "RFC 9110 7.6.1",
            WebSocket,
            Oracle,
            cx.websocket("websocket", "keep-alive upgrade"),
        ),
        probe(
            "upgrade-mixed-case",
            CaseSensitive,
            "RFC 9110 7.8",
            WebSocket,
            Oracle,
            cx.websocket("WebSocket", "UPGRADE"),
        ),
        // U+212A KELVIN SIGN folds to `k` in Unicode, never in ASCII.
        probe(
            "upgrade-kelvin-sign",
            CaseSensitive,
            "RFC 9110 5.6.2",
            WebSocket,
            Oracle,
            cx.websocket("websoc\u{212a}et", "Upgrade"),
        ),
        probe(
            "http10-websocket",
            UpgradeIgnored,
            "RFC 9110 7.8; 15.2",
            Nothing,
            Http10,
            http10(cx.ws()),
        ),
        probe(
            "connection-missing",
            UpgradeIgnored,
            "RFC 9110 7.8",
            WebSocket,
            Oracle,
            without(cx.ws(), "Connection"),
        ),
        probe(
            "proxy-connection-only",
            UpgradeIgnored,
            "RFC 9110 7.6.1",
            WebSocket,
            Oracle,
            without(cx.ws(), "Connection").field("Proxy-Connection", "Upgrade"),
        ),
        probe(
            "h2c-http10",
            UpgradeIgnored,
            "RFC 9110 7.8; 15.2",
            H2c,
            Http10,
            http10(settings(cx.h2c("Upgrade, HTTP2-Settings"))),
        ),
        probe(
            "h2c-settings-missing",
            H2cHandshake,
            "RFC 7540 3.2.1",
            H2c,
            Oracle,
            cx.h2c("Upgrade, HTTP2-Settings"),
        ),
        probe(
            "h2c-settings-repeated",
            H2cHandshake,
            "RFC 7540 3.2.1",
            H2c,
            Oracle,
            settings(settings(cx.h2c("Upgrade, HTTP2-Settings"))),
        ),
        probe(
            "h2c-settings-not-in-connection",
            H2cHandshake,
            "RFC 7540 3.2.1",
            H2c,
            Oracle,
            settings(cx.h2c("Upgrade")),
        ),
        probe(
            "h2c-connection-missing-upgrade",
            H2cHandshake,
            "RFC 9110 7.8",
            H2c,
            Oracle,
            settings(cx.h2c("HTTP2-Settings")),
        ),
        probe(
            "websocket-post-body",
            RequestBody,
            "RFC 6455 4.2.1",
            WebSocket,
            Oracle,
            method(cx.ws(), "POST").body(b"hello"),
        ),
        probe(
            "websocket-get-body",
            RequestBody,
            "RFC 9110 7.8; RFC 9112 6.3",
            WebSocket,
            Oracle,
            cx.ws().body(FRAME_BODY),
        ),
        probe(
            "websocket-expect-continue",
            RequestBody,
            "RFC 9110 10.1.1",
            WebSocket,
            Oracle,
            cx.ws()
                .field("Expect", "100-continue")
                .body(FRAME_BODY)
                .hold_body(),
        ),
        probe(
            "h2c-post-body",
            RequestBody,
            "RFC 7540 3.2",
            H2c,
            Oracle,
            method(settings(cx.h2c("Upgrade, HTTP2-Settings")), "POST").body(b"hello"),
        ),
        probe(
            "websocket-version-99",
            WebsocketHandshake,
            "RFC 6455 4.2.2",
            WebSocket,
            WebSocketVersion,
            ws_version_99.clone(),
        ),
        probe(
            "websocket-key-missing",
            WebsocketHandshake,
            "RFC 6455 4.2.1",
            WebSocket,
            Oracle,
            ws_key_missing.clone(),
        ),
        probe(
            "websocket-key-repeated",
            WebsocketHandshake,
            "RFC 6455 4.2.1",
            WebSocket,
            Oracle,
            cx.ws()
                .field("Sec-WebSocket-Key", "AQIDBAUGBwgJCgsMDQ4PEA=="),
        ),
        probe(
            "websocket-key-short",
            WebsocketHandshake,
            "RFC 6455 4.2.1",
            WebSocket,
            Oracle,
            ws_key_missing.field("Sec-WebSocket-Key", "AQIDBAUGBwg="),
        ),
        probe(
            "host-missing",
            RequestValidity,
            "RFC 9112 3.2",
            WebSocket,
            Oracle,
            without(cx.ws(), "Host"),
        ),
        probe(
            "host-repeated",
            RequestValidity,
            "RFC 9112 3.2",
            WebSocket,
            Oracle,
            cx.ws().field("Host", &cx.host),
        ),
        probe(
            "content-length-with-transfer-encoding",
            RequestValidity,
            "RFC 9112 6.1",
            WebSocket,
            Oracle,
            cx.ws()
                .field("Transfer-Encoding", "chunked")
                .body(b"0\r\n\r\n"),
        ),
        probe(
            "tunnel-after-refusal",
            Tunnel,
            "RFC 9110 7.8",
            Nothing,
            SecondRequest,
            ws_version_99,
        ),
        probe(
            "tunnel-after-ignored-upgrade",
            Tunnel,
            "RFC 9110 7.8",
            Nothing,
            SecondRequest,
            cx.websocket(UNKNOWN, "Upgrade"),
        ),
        probe(
            "upgrade-unknown-protocol",
            UnknownProtocol,
            "RFC 9110 7.8",
            Nothing,
            Oracle,
            cx.websocket("probe-unknown/1", "Upgrade"),
        ),
    ]
}

/// The second request of a [`Grader::SecondRequest`] probe: a plain `GET`.
pub(crate) fn second_request(cx: &Context) -> Request {
    Request::new("GET", &cx.ws_path, Version::Http11).field("Host", &cx.host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cx() -> Context {
        Context {
            host: "127.0.0.1:1".into(),
            ws_path: "/ws".into(),
            h2c_path: "/h2".into(),
        }
    }

    #[test]
    fn ids_are_unique_kebab_case_and_at_least_thirty() {
        let probes = catalogue(&cx());
        assert!(probes.len() >= 30);
        let mut ids: Vec<_> = probes.iter().map(|p| p.id).collect();
        assert!(ids.iter().all(|id| {
            id.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        }));
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), probes.len());
    }

    #[test]
    fn fills_in_host_and_paths() {
        let probes = catalogue(&cx());
        for probe in &probes {
            let head = String::from_utf8_lossy(&probe.request.head_bytes()).into_owned();
            let path = if probe.id.starts_with("h2c") {
                "/h2 "
            } else {
                "/ws "
            };
            assert!(head.contains(path), "{}: {head}", probe.id);
            if !probe.id.starts_with("host-") {
                assert_eq!(
                    head.matches("Host: 127.0.0.1:1\r\n").count(),
                    1,
                    "{}",
                    probe.id
                );
            }
        }
    }
}
