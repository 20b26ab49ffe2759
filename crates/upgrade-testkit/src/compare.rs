//! The fast parser of `upgrade-grammar` seen through the reference's result type, and the
//! differential check between the two.

use std::fmt::Write as _;

use upgrade_grammar::{Config, Error, parse_connection, parse_upgrade};

use crate::reference::{RefItem, RefKind, RefOutcome, reference_parse};

/// Runs `upgrade-grammar` on `lines` and collects what it yields in the reference's shape: the
/// items before the first error, and that error.
pub fn fast_outcome(kind: RefKind, lines: &[&[u8]], config: Config) -> RefOutcome {
    let mut outcome = RefOutcome::default();
    let lines = lines.iter().copied();
    let mut record = |item: Result<RefItem, Error>| match item {
        Ok(item) => {
            outcome.items.push(item);
            true
        }
        Err(e) => {
            outcome.error = Some((e.kind(), e.line(), e.offset()));
            false
        }
    };
    match kind {
        RefKind::Upgrade => {
            for item in parse_upgrade(lines, config) {
                let item = item
                    .map(|p| RefItem::new(p.name().as_bytes(), p.version().map(|v| v.as_bytes())));
                if !record(item) {
                    break;
                }
            }
        }
        RefKind::Connection => {
            for item in parse_connection(lines, config) {
                if !record(item.map(|t| RefItem::new(t.as_bytes(), None))) {
                    break;
                }
            }
        }
    }
    outcome
}

/// Asserts that `upgrade-grammar` and the reference parser agree on `lines`: same verdict, same
/// error kind, line and offset, same items before the error.
///
/// # Panics
///
/// When they differ, with both outcomes and the escaped input in the message.
pub fn check_differential(kind: RefKind, lines: &[&[u8]], config: Config) {
    let fast = fast_outcome(kind, lines, config);
    let reference = reference_parse(kind, lines, config);
    if fast != reference {
        panic!(
            "upgrade-grammar disagrees with the reference parser\n  kind:      {kind:?}\n  config:    {config:?}\n  input:     {}\n  fast:      {}\n  reference: {}",
            escape_lines(lines),
            describe(&fast),
            describe(&reference),
        );
    }
}

/// The lines as a Rust-like list of escaped byte strings, for failure messages.
pub fn escape_lines<L: AsRef<[u8]>>(lines: &[L]) -> String {
    let mut out = String::from("[");
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "b\"{}\"", line.as_ref().escape_ascii());
    }
    out.push(']');
    out
}

/// An outcome in one line, items as escaped text, for failure messages.
pub fn describe(outcome: &RefOutcome) -> String {
    let mut out = String::from("items [");
    for (i, item) in outcome.items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{}", item.name.escape_ascii());
        if let Some(version) = &item.version {
            let _ = write!(out, "/{}", version.escape_ascii());
        }
    }
    out.push(']');
    match outcome.error {
        None => out.push_str(", ok"),
        Some((kind, line, offset)) => {
            let _ = write!(out, ", error {kind:?} at line {line}, byte {offset}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_outcome_keeps_items_before_the_error() {
        let outcome = fast_outcome(RefKind::Upgrade, &[b"a, b/1", b"c d"], Config::RECIPIENT);
        assert_eq!(
            outcome.items,
            [RefItem::new(b"a", None), RefItem::new(b"b", Some(b"1"))]
        );
        assert_eq!(
            outcome.error,
            Some((upgrade_grammar::ErrorKind::CommaMissing, 1, 2))
        );
    }

    #[test]
    fn escapes_input_in_messages() {
        assert_eq!(
            escape_lines(&[&b"a\r\n\xff"[..], b"\""]),
            r#"[b"a\r\n\xff", b"\""]"#
        );
    }
}
