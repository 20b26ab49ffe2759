//! Verdicts, classes and the results of a probe run.

use std::fmt;

use crate::fuzz::FuzzReport;

/// How an answer is judged (DESIGN.md section 8). Ordered as the report lists them: fails
/// first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Verdict {
    /// The answer breaks a MUST or MUST NOT.
    Fail,
    /// No answer could be had: refused, reset, timed out with nothing, over the bounds.
    Error,
    /// Allowed by the letter, but a defect users hit.
    Warn,
    /// An answer a conforming server may give.
    Pass,
    /// The precondition is missing (no websocket at the path, no h2c, h2c over TLS).
    NotApplicable,
}

impl Verdict {
    /// Every verdict, in report order.
    pub const ALL: [Verdict; 5] = [
        Verdict::Fail,
        Verdict::Error,
        Verdict::Warn,
        Verdict::Pass,
        Verdict::NotApplicable,
    ];

    /// The stable name: `pass`, `fail`, `warn`, `n/a`, `error`.
    pub const fn code(self) -> &'static str {
        match self {
            Verdict::Fail => "fail",
            Verdict::Error => "error",
            Verdict::Warn => "warn",
            Verdict::Pass => "pass",
            Verdict::NotApplicable => "n/a",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The class of DESIGN.md section 7 that a probe tests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Class {
    /// A valid handshake: does the server speak the protocol at all, and is its 101 well
    /// formed (status line `HTTP/1.1`, `Connection: upgrade`, only offered protocols, no
    /// `Content-Length` / `Transfer-Encoding`, the right `Sec-WebSocket-Accept`).
    Baseline,
    /// `notupgrade`, `upgrade-x`, `xwebsocket`, `websockets` taken for what they contain.
    SubstringMatch,
    /// Only the first of several field lines read.
    FirstLineOnly,
    /// The whole value taken as one token: `websocket, h2c` refused.
    WholeValueToken,
    /// Splitting on spaces, empty elements, `/`, parameters and quotes mishandled.
    ListGrammar,
    /// Case-sensitive names, or Unicode case folding where ASCII is meant.
    CaseSensitive,
    /// `Upgrade` honoured in HTTP/1.0, without the `upgrade` option, or via
    /// `Proxy-Connection`.
    UpgradeIgnored,
    /// h2c switched without its `HTTP2-Settings` or its `Connection` options.
    H2cHandshake,
    /// The request body handed to the new protocol; `Expect: 100-continue` ignored.
    RequestBody,
    /// Websocket version and key: refusals without `Sec-WebSocket-Version`, switches on a
    /// bad key.
    WebsocketHandshake,
    /// Requests a server must answer 400 (Host) or not switch (smuggling framing).
    RequestValidity,
    /// A raw tunnel kept open after a refused upgrade.
    Tunnel,
    /// An unknown protocol: a plain answer, not a reset or a switch.
    UnknownProtocol,
}

impl Class {
    /// The stable kebab-case name.
    pub const fn code(self) -> &'static str {
        match self {
            Class::Baseline => "baseline",
            Class::SubstringMatch => "substring-match",
            Class::FirstLineOnly => "first-line-only",
            Class::WholeValueToken => "whole-value-token",
            Class::ListGrammar => "list-grammar",
            Class::CaseSensitive => "case-sensitive",
            Class::UpgradeIgnored => "upgrade-ignored",
            Class::H2cHandshake => "h2c-handshake",
            Class::RequestBody => "request-body",
            Class::WebsocketHandshake => "websocket-handshake",
            Class::RequestValidity => "request-validity",
            Class::Tunnel => "tunnel",
            Class::UnknownProtocol => "unknown-protocol",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The result of one probe.
#[derive(Clone, Debug)]
pub struct ProbeResult {
    /// The probe's stable id.
    pub id: &'static str,
    /// The class it tests.
    pub class: Class,
    /// The RFC clause it grades by.
    pub rfc: &'static str,
    /// The verdict.
    pub verdict: Verdict,
    /// One line saying why.
    pub detail: String,
    /// The bytes sent (both requests for a probe that sends two).
    pub request: Vec<u8>,
    /// The first bytes that came back (at most a few KiB), empty when nothing came or the probe
    /// was not sent.
    pub response: Vec<u8>,
}

/// All the results of a run against one target.
#[derive(Clone, Debug)]
pub struct Report {
    /// The target, as `http://host:port`.
    pub target: String,
    /// The first `Server` field seen in an answer.
    pub server: Option<String>,
    /// One result per probe, in catalogue order.
    pub results: Vec<ProbeResult>,
    /// What `--fuzz` found, when it ran.
    pub fuzz: Option<FuzzReport>,
}

impl Report {
    /// How many results have `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.results.iter().filter(|r| r.verdict == verdict).count()
    }

    /// Whether any probe failed, or the fuzzer found a failure.
    pub fn failed(&self) -> bool {
        self.count(Verdict::Fail) > 0 || self.fuzz.as_ref().is_some_and(|f| !f.failures.is_empty())
    }
}
