//! `upgrade-check parse`: checks field line values as one `Upgrade` or `Connection` list.
//!
//! The values are parsed exactly as given, byte for byte. The answer is either a JSON object
//! (DESIGN.md section 6) or a report for people:
//!
//! ```text
//! valid Upgrade list (recipient grammar): 2 protocols
//!   websocket
//!   HTTP/2.0
//! ```
//!
//! ```text
//! error: invalid byte in list at line 0, byte 9
//!   websocket;q=1
//!            ^
//! ```

use std::io::{self, Write};

use serde::Serialize;
use upgrade_grammar::{Config, Error, Grammar, Protocol, Token, parse_connection, parse_upgrade};

use crate::Outcome;
use crate::cli::ParseArgs;
use crate::json::ProtocolJson;
use crate::{caret, json};

/// Parses the values in `args` and writes the answer to `out`.
///
/// # Errors
///
/// Only when writing to `out` fails; an invalid list is an answer, [`Outcome::Invalid`].
pub(crate) fn run(args: &ParseArgs, out: &mut impl Write) -> io::Result<Outcome> {
    let lines: Vec<&[u8]> = args.values.iter().map(|v| v.as_encoded_bytes()).collect();
    let config = if args.strict {
        Config::SENDER
    } else {
        Config::RECIPIENT
    };
    let list = if args.connection {
        parse_connection(lines.iter().copied(), config)
            .collect::<Result<_, _>>()
            .map(List::Connection)
    } else {
        parse_upgrade(lines.iter().copied(), config)
            .collect::<Result<_, _>>()
            .map(List::Upgrade)
    };
    if args.json {
        write_json(out, &list)?;
    } else {
        write_report(out, &list, config, &lines)?;
    }
    Ok(match list {
        Ok(_) => Outcome::Answered,
        Err(_) => Outcome::Invalid,
    })
}

/// The items of a valid list, borrowed from the arguments.
enum List<'a> {
    Upgrade(Vec<Protocol<'a>>),
    Connection(Vec<Token<'a>>),
}

/// `{"ok": true, "protocols": [{"name": "a", "version": "1"}, ...]}`
#[derive(Serialize)]
struct UpgradeJson<'a> {
    ok: bool,
    protocols: Vec<ProtocolJson<'a>>,
}

/// `{"ok": true, "options": ["keep-alive", "Upgrade"]}`
#[derive(Serialize)]
struct ConnectionJson<'a> {
    ok: bool,
    options: Vec<&'a str>,
}

/// `{"ok": false, "error": {"kind": "...", "line": 0, "offset": 9, "message": "..."}}`
#[derive(Serialize)]
struct InvalidJson {
    ok: bool,
    error: ErrorJson,
}

#[derive(Serialize)]
struct ErrorJson {
    kind: &'static str,
    line: usize,
    offset: usize,
    /// The grammar's `Display`, which never echoes input bytes.
    message: String,
}

fn write_json(out: &mut impl Write, list: &Result<List<'_>, Error>) -> io::Result<()> {
    match list {
        Ok(List::Upgrade(protocols)) => json::write(
            out,
            &UpgradeJson {
                ok: true,
                protocols: json::protocols(protocols.iter().copied()),
            },
        ),
        Ok(List::Connection(options)) => json::write(
            out,
            &ConnectionJson {
                ok: true,
                options: options.iter().map(|o| o.as_str()).collect(),
            },
        ),
        Err(e) => json::write(
            out,
            &InvalidJson {
                ok: false,
                error: ErrorJson {
                    kind: e.kind().code(),
                    line: e.line(),
                    offset: e.offset(),
                    message: e.to_string(),
                },
            },
        ),
    }
}

fn write_report(
    out: &mut impl Write,
    list: &Result<List<'_>, Error>,
    config: Config,
    lines: &[&[u8]],
) -> io::Result<()> {
    let grammar = match config.grammar() {
        Grammar::Sender => "sender",
        Grammar::Recipient => "recipient",
    };
    match list {
        Ok(List::Upgrade(protocols)) => {
            let noun = plural(protocols.len(), "protocol", "protocols");
            writeln!(
                out,
                "valid Upgrade list ({grammar} grammar): {} {noun}",
                protocols.len()
            )?;
            for protocol in protocols {
                writeln!(out, "  {protocol}")?;
            }
        }
        Ok(List::Connection(options)) => {
            let noun = plural(options.len(), "option", "options");
            writeln!(
                out,
                "valid Connection list ({grammar} grammar): {} {noun}",
                options.len()
            )?;
            for option in options {
                writeln!(out, "  {option}")?;
            }
        }
        Err(e) => {
            writeln!(out, "error: {e}")?;
            // The grammar only reports lines it has read, so the line is there; if it ever is
            // not, the message alone still says where.
            if let Some(line) = lines.get(e.line()) {
                caret::write(out, "  ", line, e.offset())?;
            }
        }
    }
    Ok(())
}

fn plural(count: usize, one: &'static str, many: &'static str) -> &'static str {
    if count == 1 { one } else { many }
}
