//! `upgrade-check response`: whether a raw response is legitimate, for a client, as the answer
//! to a raw request (DESIGN.md sections 3 and 6).
//!
//! Both messages are read as bytes and parsed with `httparse` into at most [`MAX_HEADERS`]
//! field lines each; whatever follows the response head (a body, the new protocol's bytes) is
//! not examined. Every verdict is an answer, exit status 0, valid or not.
//!
//! The reason is the library's client-side reason code, or one of two that this command adds
//! for a message it could not parse at all (an invalid or incomplete head, too many field
//! lines), which makes the response invalid:
//!
//! - `response-malformed`: the response head cannot be parsed as HTTP/1.x (checked first);
//! - `request-malformed`: the request head cannot be parsed as HTTP/1.x, so what was asked is
//!   unknown.
//!
//! `protocols` lists the response's `Upgrade` field as given (before the fault when it is
//! malformed; empty when the response could not be parsed). The report for people:
//!
//! ```text
//! invalid (protocol-not-offered)
//! status: 101
//! protocols: h2c
//! ```

use std::io::{self, Write};

use serde::Serialize;
use upgrade_grammar::{Config, Protocol, parse_upgrade};
use upgrade_negotiate::{
    ClientReason, FieldLines, ParsedResponse, Policy, check_response, parse_request, parse_response,
};

use crate::cli::ResponseArgs;
use crate::input::{self, MAX_HEADERS};
use crate::json::ProtocolJson;
use crate::{Failure, Outcome, caret, json};

/// Reads the request and the response named by `args`, checks the response, and writes the
/// answer to `out`.
///
/// # Errors
///
/// [`Failure::Usage`] when a file cannot be read, [`Failure::Write`] when writing to `out`
/// fails. Every verdict is an answer.
pub(crate) fn run(args: &ResponseArgs, out: &mut impl Write) -> Result<Outcome, Failure> {
    let request_bytes = input::read(Some(&args.request), "request")?;
    let response_bytes = input::read(args.response.as_deref(), "response")?;

    let mut request_headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut response_headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let request = input::whole(parse_request(&request_bytes, &mut request_headers));
    let response = input::whole(parse_response(&response_bytes, &mut response_headers));

    let verdict = match (&request, &response) {
        (_, Err(e)) => Verdict {
            reason: Reason::ResponseMalformed(*e),
            switched: false,
            protocols: Vec::new(),
            error: None,
        },
        (Err(e), Ok(response)) => Verdict {
            reason: Reason::RequestMalformed(*e),
            switched: false,
            // As the library lists them: the protocols before any fault.
            protocols: parse_upgrade(response.headers().lines("upgrade"), Config::RECIPIENT)
                .map_while(Result::ok)
                .collect(),
            error: None,
        },
        (Ok(request), Ok(response)) => {
            let check = check_response(request, response, &Policy::default());
            Verdict {
                reason: Reason::Client(check.reason()),
                switched: check.switched(),
                protocols: check.protocols().collect(),
                error: check.error(),
            }
        }
    };

    if args.json {
        json::write(
            out,
            &CheckJson {
                valid: verdict.reason.is_valid(),
                switched: verdict.switched,
                protocols: json::protocols(verdict.protocols.iter().copied()),
                reason: verdict.reason.code(),
            },
        )?;
    } else {
        let headers = Headers {
            request: request.as_ref().map(|r| r.headers()).unwrap_or_default(),
            response: response.as_ref().map(|r| r.headers()).unwrap_or_default(),
        };
        write_report(out, &verdict, response.as_ref().ok(), &headers)?;
    }
    Ok(Outcome::Answered)
}

/// What the check found, whichever way it was reached.
struct Verdict<'r> {
    reason: Reason,
    switched: bool,
    protocols: Vec<Protocol<'r>>,
    /// The grammar error behind a malformed `Upgrade` or `Connection`.
    error: Option<upgrade_grammar::Error>,
}

/// The library's reason, or one of the reasons this command adds.
#[derive(Clone, Copy, Debug)]
enum Reason {
    Client(ClientReason),
    RequestMalformed(input::Unreadable),
    ResponseMalformed(input::Unreadable),
}

impl Reason {
    fn is_valid(self) -> bool {
        match self {
            Reason::Client(reason) => reason.is_valid(),
            Reason::RequestMalformed(_) | Reason::ResponseMalformed(_) => false,
        }
    }

    /// A stable kebab-case name, from the same namespace as [`ClientReason::code`].
    fn code(self) -> &'static str {
        match self {
            Reason::Client(reason) => reason.code(),
            Reason::RequestMalformed(_) => "request-malformed",
            Reason::ResponseMalformed(_) => "response-malformed",
        }
    }
}

/// `{"valid": false, "switched": false, "protocols": [...], "reason": "protocol-not-offered"}`
#[derive(Serialize)]
struct CheckJson<'a> {
    valid: bool,
    switched: bool,
    protocols: Vec<ProtocolJson<'a>>,
    reason: &'static str,
}

/// The field lines of both messages, empty for one that could not be parsed.
struct Headers<'h, 'b> {
    request: &'h [httparse::Header<'b>],
    response: &'h [httparse::Header<'b>],
}

fn write_report(
    out: &mut impl Write,
    verdict: &Verdict<'_>,
    response: Option<&ParsedResponse<'_, '_>>,
    headers: &Headers<'_, '_>,
) -> io::Result<()> {
    let code = verdict.reason.code();
    match (verdict.reason.is_valid(), verdict.switched) {
        (true, true) => writeln!(out, "valid, switched ({code})")?,
        (true, false) => writeln!(out, "valid, not switched ({code})")?,
        (false, _) => writeln!(out, "invalid ({code})")?,
    }
    match verdict.reason {
        Reason::ResponseMalformed(e) => writeln!(out, "  the response head: {e}")?,
        Reason::RequestMalformed(e) => writeln!(out, "  the request head: {e}")?,
        Reason::Client(reason) => {
            if let (Some(error), Some((message, field))) = (verdict.error, malformed_field(reason))
            {
                let lines = match message {
                    Message::Request => headers.request,
                    Message::Response => headers.response,
                };
                caret::write_field_error(out, lines, field, &error)?;
            }
        }
    }
    if let Some(response) = response {
        writeln!(out, "status: {}", response.status())?;
    }
    if verdict.protocols.is_empty() {
        writeln!(out, "protocols: none")
    } else {
        let names: Vec<String> = verdict.protocols.iter().map(|p| p.to_string()).collect();
        writeln!(out, "protocols: {}", names.join(", "))
    }
}

/// Which message a field belongs to.
#[derive(Clone, Copy)]
enum Message {
    Request,
    Response,
}

/// The field whose grammar error made the verdict, if the reason is one of those.
fn malformed_field(reason: ClientReason) -> Option<(Message, &'static str)> {
    match reason {
        ClientReason::UpgradeMalformed => Some((Message::Response, "Upgrade")),
        ClientReason::ConnectionMalformed => Some((Message::Response, "Connection")),
        ClientReason::RequestUpgradeMalformed => Some((Message::Request, "Upgrade")),
        _ => None,
    }
}
