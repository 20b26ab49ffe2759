//! The graders: from what came back to a verdict with a one-line reason (DESIGN.md section 8).
//!
//! `fail` only for a broken MUST or MUST NOT; `warn` for what the letter allows but users hit;
//! a server that does not switch on a malformed or unoffered upgrade and answers normally
//! passes.

use crate::catalogue::Grader;
use crate::conn::{Final, Head, Stop};
use crate::oracle::{self, Expected, Fault};
use crate::request::{Request, Version};
use crate::verdict::Verdict;

/// A verdict, why, and for a fail the stable kebab-case class of the fault (what the fuzzer
/// groups its failures by).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Graded {
    pub(crate) verdict: Verdict,
    pub(crate) detail: String,
    /// `Some` exactly for a fail.
    pub(crate) fault: Option<String>,
}

impl Graded {
    /// A verdict other than fail, and why.
    pub(crate) fn new(verdict: Verdict, detail: impl Into<String>) -> Graded {
        Graded {
            verdict,
            detail: detail.into(),
            fault: None,
        }
    }

    /// A fail of class `fault`, and why.
    pub(crate) fn fail(fault: &str, detail: impl Into<String>) -> Graded {
        Graded {
            verdict: Verdict::Fail,
            detail: detail.into(),
            fault: Some(fault.to_owned()),
        }
    }
}

impl From<Fault> for Graded {
    fn from(fault: Fault) -> Graded {
        Graded {
            verdict: Verdict::Fail,
            detail: fault.detail,
            fault: Some(fault.class),
        }
    }
}

/// How the body of an `Expect: 100-continue` request went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Continue {
    /// The request did not hold its body back.
    NotAsked,
    /// A `100 Continue` came, then the body was sent.
    Interim,
    /// Nothing came within the short window; the body was sent anyway (RFC 9110 section
    /// 10.1.1 lets a client do so).
    Silence,
    /// A response came before the body was sent.
    Answered,
}

/// Grades a reading that ended without a final response.
pub(crate) fn stopped(stop: Stop, anything: bool) -> Graded {
    match stop {
        Stop::NotHttp => Graded::fail(
            "switch-without-101",
            "switched with no 101: the answer starts with bytes that are not an HTTP/1.x status line (RFC 9110 7.8: a server switches only after sending 101)",
        ),
        Stop::Silence if anything => Graded::new(
            Verdict::Error,
            "an incomplete answer, then silence until the timeout",
        ),
        stop => Graded::new(Verdict::Error, stop.describe()),
    }
}

/// Checks that every answer gets before its final status: no 1xx to HTTP/1.0.
pub(crate) fn interims(request: &Request, interims: &[Head]) -> Option<Graded> {
    let first = interims.first()?;
    (request.version == Version::Http10).then(|| {
        Graded::fail(
            "interim-to-http10",
            format!(
                "a {} interim response to an HTTP/1.0 request (RFC 9110 15.2: a server MUST NOT send 1xx to an HTTP/1.0 client)",
                first.status
            ),
        )
    })
}

/// The form of a 101 beyond what `check_response` covers (RFC 9110 sections 8.6 and 15.2,
/// RFC 9112 section 6.1), and the 100 that must precede it.
pub(crate) fn switch_form(head: &Head, continued: Continue) -> Result<(), Fault> {
    let fault = |class: &str, detail: &str| Fault {
        class: class.into(),
        detail: detail.into(),
    };
    if !head.is_http11_line() {
        return Err(fault(
            "101-status-line-not-http11",
            "the 101's status line is not HTTP/1.1 (RFC 9110 7.8: only HTTP/1.1 upgrades)",
        ));
    }
    if head.has("content-length") {
        return Err(fault(
            "content-length-in-101",
            "Content-Length in a 101 (RFC 9110 8.6: a server MUST NOT send it in a 1xx response)",
        ));
    }
    if head.has("transfer-encoding") {
        return Err(fault(
            "transfer-encoding-in-101",
            "Transfer-Encoding in a 101 (RFC 9112 6.1: a server MUST NOT send it in a 1xx response)",
        ));
    }
    if continued == Continue::Answered {
        return Err(fault(
            "101-before-continue",
            "a 101 before 100 Continue while the body was held back (RFC 9110 10.1.1): the body would be read as the new protocol",
        ));
    }
    Ok(())
}

/// Grades a final response other than 101.
pub(crate) fn other(
    grader: Grader,
    request: &Request,
    answer: &Final,
    offers: &[&str],
    path_note: &str,
) -> Graded {
    let head = &answer.head;
    let status = head.status;
    if let Err(fault) = oracle::check_other(request, head) {
        return fault.into();
    }
    match grader {
        Grader::WebSocketBaseline | Grader::H2cBaseline => {
            return Graded::new(
                Verdict::NotApplicable,
                format!("no switch {path_note}: answered {status}"),
            );
        }
        Grader::WebSocketVersion if status >= 400 => {
            let versions = head.values("sec-websocket-version").next();
            return match versions {
                None => Graded::fail(
                    "websocket-version-refusal-without-versions",
                    format!(
                        "a {status} refusing websocket version 99 without Sec-WebSocket-Version (RFC 6455 4.2.2: MUST name the versions it speaks)"
                    ),
                ),
                Some(v) => Graded::new(
                    Verdict::Pass,
                    format!(
                        "refused with {status} and Sec-WebSocket-Version: {}",
                        String::from_utf8_lossy(v)
                    ),
                ),
            };
        }
        Grader::WebSocketVersion => {
            return Graded::new(
                Verdict::Warn,
                format!(
                    "websocket version 99 answered {status}, not refused (RFC 6455 4.2.2: the handshake is aborted with an error status)"
                ),
            );
        }
        _ => {}
    }
    let decided = oracle::decide(request, offers);
    let reason = decided.reason;
    let refusal = matches!(status, 400 | 426) || status >= 500;
    match decided.expected {
        _ if reason.starts_with("host-") => match status {
            400 => Graded::new(Verdict::Pass, format!("400 ({reason})")),
            _ => Graded::new(
                Verdict::Warn,
                format!("{status} where RFC 9112 3.2 asks for 400 ({reason})"),
            ),
        },
        Expected::Switch if refusal => Graded::new(
            Verdict::Warn,
            format!(
                "a valid upgrade answered {status} instead of a switch or a plain answer (negotiate: switch)"
            ),
        ),
        Expected::Switch => Graded::new(
            Verdict::Warn,
            format!(
                "a valid upgrade ignored ({status}) though the server switches for its baseline (negotiate: switch)"
            ),
        ),
        Expected::Reject | Expected::Required if status >= 500 => Graded::new(
            Verdict::Warn,
            format!("{status}: a server error where negotiate rejects ({reason}) with a 4xx"),
        ),
        Expected::Reject | Expected::Required => Graded::new(
            Verdict::Pass,
            format!("no switch, {status} (negotiate: {reason})"),
        ),
        Expected::Continue if refusal => Graded::new(
            Verdict::Warn,
            format!(
                "{status} where ignoring the upgrade was possible (negotiate: continue, {reason})"
            ),
        ),
        Expected::Continue => Graded::new(
            Verdict::Pass,
            format!("no switch, {status} (negotiate: continue, {reason})"),
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn head(raw: &str) -> Head {
        Head::parse(raw.as_bytes(), crate::conn::Bounds::DEFAULT.head)
            .unwrap()
            .unwrap()
    }

    #[test]
    fn fails_a_101_with_content_length_or_transfer_encoding_or_http10() {
        let ok =
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n";
        assert!(switch_form(&head(ok), Continue::NotAsked).is_ok());
        assert!(switch_form(&head(ok), Continue::Interim).is_ok());
        assert!(switch_form(&head(ok), Continue::Answered).is_err());
        for bad in [
            "HTTP/1.0 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nContent-Length: 0\r\n\r\n",
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\nTransfer-Encoding: chunked\r\n\r\n",
        ] {
            assert!(
                switch_form(&head(bad), Continue::NotAsked).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn fails_any_interim_to_http10_only() {
        let request = Request::new("GET", "/", Version::Http10);
        let interim = [head("HTTP/1.1 100 Continue\r\n\r\n")];
        assert_eq!(
            interims(&request, &interim).map(|g| g.verdict),
            Some(Verdict::Fail)
        );
        assert_eq!(interims(&request, &[]), None);
        let request = Request::new("GET", "/", Version::Http11);
        assert_eq!(interims(&request, &interim), None);
    }
}
