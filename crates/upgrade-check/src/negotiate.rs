//! `upgrade-check negotiate`: what a server answers to a raw HTTP/1.x request that may ask for
//! a protocol upgrade (DESIGN.md sections 3 and 6).
//!
//! The request is read as bytes, head and any body, from a file or stdin, and parsed with
//! `httparse` into at most [`MAX_HEADERS`] field lines. A request that cannot be parsed (an
//! invalid or incomplete head, too many field lines) is rule 1: reject, 400,
//! `request-malformed`. Every decision is an answer, exit status 0.
//!
//! In the JSON answer, `request_body` is `{"framing": "none", "length": null}` whenever the
//! decision does not determine the framing (a request that could not be parsed, or whose
//! `Content-Length` / `Transfer-Encoding` is itself the problem): no body is read before a
//! switch that does not happen. The report for people says `not determined` instead:
//!
//! ```text
//! switch 101 websocket (switched)
//!   switching protocols
//! request body: none
//! interim 100-continue: no
//! response:
//!   HTTP/1.1 101 Switching Protocols\r\n
//!   Connection: upgrade\r\n
//!   Upgrade: websocket\r\n
//!   Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n
//!   \r\n
//! ```
//!
//! ```text
//! reject 400 (upgrade-malformed)
//!   the Upgrade field is malformed or too long
//!   Upgrade: invalid byte in list at line 0, byte 9
//!     websocket;q=1
//!              ^
//! request body: none
//! interim 100-continue: no
//! response:
//!   HTTP/1.1 400 Bad Request\r\n
//!   Connection: close\r\n
//!   Content-Length: 0\r\n
//!   \r\n
//! ```

use std::fmt;
use std::io::{self, Write};

use serde::Serialize;
use upgrade_grammar::{ErrorKind, Protocol};
use upgrade_negotiate::{
    BodyFraming, Decision, ParsedRequest, Policy, Preference, Reason, negotiate, parse_request,
};

use crate::caret::{self, Escaped};
use crate::cli::{NegotiateArgs, Prefer};
use crate::input::{self, MAX_HEADERS};
use crate::{Failure, Outcome, json};

/// Reads the request named by `args`, decides, and writes the answer to `out`.
///
/// # Errors
///
/// [`Failure::Usage`] for an invalid `--offer` or an unreadable request file,
/// [`Failure::Write`] when writing to `out` fails. Every decision is an answer.
pub(crate) fn run(args: &NegotiateArgs, out: &mut impl Write) -> Result<Outcome, Failure> {
    let offers = offers(args)?;
    let bytes = input::read(args.file.as_deref(), "request")?;
    let policy = Policy::new()
        .with_preference(match args.prefer {
            Prefer::Client => Preference::Client,
            Prefer::Server => Preference::Server,
        })
        .with_require_upgrade(args.require);

    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let request = input::whole(parse_request(&bytes, &mut headers));
    let decision = match &request {
        Ok(request) => negotiate(request, &offers, &policy),
        // Rule 1.
        Err(unreadable) => input::unreadable_decision(*unreadable),
    };
    let mut head = String::new();
    decision
        .write_response(&mut head)
        .map_err(|fmt::Error| io::Error::other("cannot format the response head"))?;

    if args.json {
        write_json(out, &decision, &head)?;
    } else {
        write_report(out, &decision, &head, request.as_ref())?;
    }
    Ok(Outcome::Answered)
}

/// The `--offer` values as protocols, in order.
///
/// # Errors
///
/// [`Failure::Usage`] for the first value that is not one `name` or `name/version`, with a
/// caret under the offending byte.
fn offers(args: &NegotiateArgs) -> Result<Vec<Protocol<'_>>, Failure> {
    args.offers
        .iter()
        .map(|offer| {
            let bytes = offer.as_encoded_bytes();
            Protocol::parse(bytes).map_err(|e| {
                let hint = if e.kind() == ErrorKind::ElementsTooMany {
                    "one protocol per --offer; repeat --offer to offer several"
                } else {
                    "an offer is `name` or `name/version`, both tokens"
                };
                let caret = caret::point(bytes, e.offset());
                Failure::Usage(format!(
                    "invalid --offer: {} at byte {} ({hint})\n  {}\n  {}",
                    e.kind(),
                    e.offset(),
                    caret.text,
                    caret.marker
                ))
            })
        })
        .collect()
}

/// The JSON answer of DESIGN.md section 6.
#[derive(Serialize)]
struct DecisionJson<'a> {
    outcome: &'static str,
    status: Option<u16>,
    /// Spelled as the server offered it.
    protocol: Option<String>,
    reason: &'static str,
    /// The whole response head, CRLFs and final empty line included; `None` for continue.
    response: Option<&'a str>,
    request_body: BodyJson,
    interim_continue: bool,
}

/// `{"framing": "content-length", "length": 5}`
#[derive(Serialize)]
struct BodyJson {
    framing: &'static str,
    length: Option<u64>,
}

fn write_json(out: &mut impl Write, decision: &Decision<'_>, head: &str) -> io::Result<()> {
    let framing = decision.request_body().unwrap_or(BodyFraming::None);
    json::write(
        out,
        &DecisionJson {
            outcome: decision.outcome().code(),
            status: decision.status(),
            protocol: decision.protocol().map(|p| p.to_string()),
            reason: decision.reason().code(),
            response: Some(head).filter(|head| !head.is_empty()),
            request_body: BodyJson {
                framing: framing.code(),
                length: framing.length(),
            },
            interim_continue: decision.interim_continue(),
        },
    )
}

fn write_report(
    out: &mut impl Write,
    decision: &Decision<'_>,
    head: &str,
    request: Result<&ParsedRequest<'_, '_>, &input::Unreadable>,
) -> io::Result<()> {
    let reason = decision.reason();
    write!(out, "{}", decision.outcome())?;
    if let Some(status) = decision.status() {
        write!(out, " {status}")?;
    }
    if let Some(protocol) = decision.protocol() {
        write!(out, " {protocol}")?;
    }
    writeln!(out, " ({reason})")?;
    match request {
        Ok(request) => {
            writeln!(out, "  {}", reason.description())?;
            if let (Some(error), Some(field)) = (decision.error(), malformed_field(reason)) {
                caret::write_field_error(out, request.headers(), field, &error)?;
            }
        }
        Err(e) => writeln!(out, "  {}: {e}", reason.description())?,
    }

    match decision.request_body() {
        Some(BodyFraming::ContentLength(length)) => {
            writeln!(out, "request body: content-length {length}")?;
        }
        Some(framing) => writeln!(out, "request body: {}", framing.code())?,
        None => writeln!(out, "request body: not determined")?,
    }
    let interim = if decision.interim_continue() {
        "yes"
    } else {
        "no"
    };
    writeln!(out, "interim 100-continue: {interim}")?;

    if head.is_empty() {
        writeln!(out, "response: none")
    } else {
        writeln!(out, "response:")?;
        // Each line with its CRLF drawn as `\r\n`, so the head's structure stays visible.
        for line in head.split_inclusive("\r\n") {
            writeln!(out, "  {}", Escaped(line.as_bytes()))?;
        }
        Ok(())
    }
}

/// The request field whose grammar error made the decision, if the reason is one of those.
fn malformed_field(reason: Reason) -> Option<&'static str> {
    match reason {
        Reason::ConnectionMalformed => Some("Connection"),
        Reason::UpgradeMalformed => Some("Upgrade"),
        _ => None,
    }
}
