//! Pieces of the JSON answers (DESIGN.md section 6) that several commands share.

use std::io::{self, Write};

use serde::Serialize;
use upgrade_grammar::Protocol;

/// `{"name": "foo", "version": "2"}`, or `"version": null` for a protocol without one. Both are
/// printed as they appear in the input; tokens are ASCII, so nothing is lost.
#[derive(Serialize)]
pub(crate) struct ProtocolJson<'a> {
    name: &'a str,
    version: Option<&'a str>,
}

impl<'a> From<Protocol<'a>> for ProtocolJson<'a> {
    fn from(protocol: Protocol<'a>) -> Self {
        ProtocolJson {
            name: protocol.name().as_str(),
            version: protocol.version().map(|v| v.as_str()),
        }
    }
}

/// The protocols of an `Upgrade` list, in order, as a JSON array.
pub(crate) fn protocols<'a>(
    protocols: impl IntoIterator<Item = Protocol<'a>>,
) -> Vec<ProtocolJson<'a>> {
    protocols.into_iter().map(ProtocolJson::from).collect()
}

/// Writes `answer` as one JSON object on one line.
///
/// # Errors
///
/// Only when writing to `out` fails.
pub(crate) fn write(out: &mut impl Write, answer: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, answer)?;
    writeln!(out)
}
