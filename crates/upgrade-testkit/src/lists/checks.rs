//! The list properties of DESIGN.md section 4 as checks that panic with a message naming the
//! property, the escaped input and what was found. The fuzz targets, the proptest properties
//! and the corpus replay call these same functions.

use std::fmt::Write as _;

use upgrade_grammar::{
    Config, Error, ErrorKind, Grammar, Protocol, Token, format_connection, format_upgrade,
    parse_connection, parse_upgrade,
};

use crate::lists::render::{Rendered, canonical};
use crate::reference::{RefItem, RefKind, RefOutcome, reference_parse};

/// The byte that separates field lines in raw inputs.
pub const LINE_SEPARATOR: u8 = b'\n';

/// Splits raw bytes into field line values at [`LINE_SEPARATOR`].
pub fn split_lines(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == LINE_SEPARATOR).collect()
}

/// Runs `upgrade-grammar` on `lines` and collects what it yields in the reference's shape: the
/// items before the first error, and that error.
pub fn fast_outcome(kind: RefKind, lines: &[&[u8]], config: Config) -> RefOutcome {
    let mut outcome = RefOutcome::default();
    let lines = lines.iter().copied();
    let items: Box<dyn Iterator<Item = Result<RefItem, Error>>> = match kind {
        RefKind::Upgrade => Box::new(parse_upgrade(lines, config).map(|item| {
            item.map(|p| RefItem::new(p.name().as_bytes(), p.version().map(|v| v.as_bytes())))
        })),
        RefKind::Connection => Box::new(
            parse_connection(lines, config)
                .map(|item| item.map(|t| RefItem::new(t.as_bytes(), None))),
        ),
    };
    for item in items {
        match item {
            Ok(item) => outcome.items.push(item),
            Err(e) => {
                outcome.error = Some((e.kind(), e.line(), e.offset()));
                break;
            }
        }
    }
    outcome
}

/// Under both grammars with the given bounds, every check of [`check_one_grammar`]; and what
/// the sender grammar accepts, the recipient grammar accepts with the same items (the grammars
/// differ only on empty elements, where the sender stops: the items the sender reads before
/// any error are the first items the recipient reads).
///
/// # Panics
///
/// When a property does not hold.
pub fn check_lines(kind: RefKind, lines: &[&[u8]], max_elements: usize, max_empty: usize) {
    let [sender, recipient] = [Grammar::Sender, Grammar::Recipient].map(|grammar| {
        let config = Config::new(grammar).with_max_elements(max_elements);
        check_one_grammar(kind, lines, config.with_max_empty_elements(max_empty))
    });
    if (sender.is_ok() && recipient != sender) || !recipient.items.starts_with(&sender.items) {
        panic!(
            "the recipient grammar does not accept what the sender grammar accepts\n  kind:      {kind:?}\n  input:     {}\n  sender:    {}\n  recipient: {}",
            escape_lines(lines),
            describe(&sender),
            describe(&recipient),
        );
    }
}

/// Every check on one grammar: agreement with the reference ([`check_differential`]), the first
/// error ([`check_error`]), the token API of every item read ([`check_item`]), and format then
/// parse of a valid list ([`check_round_trip`]). Returns what `upgrade-grammar` read.
///
/// # Panics
///
/// When a property does not hold.
pub fn check_one_grammar(kind: RefKind, lines: &[&[u8]], config: Config) -> RefOutcome {
    let outcome = fast_outcome(kind, lines, config);
    check_differential(kind, lines, config, &outcome);
    check_error(kind, lines, config, &outcome);
    for item in &outcome.items {
        check_item(kind, item);
    }
    if outcome.is_ok() {
        check_round_trip(kind, &outcome.items);
    }
    outcome
}

/// `upgrade-grammar` agrees with the reference parser on `lines`: same verdict, same error kind,
/// line and offset, same items before the error. `fast` is what `upgrade-grammar` read
/// ([`fast_outcome`]).
///
/// # Panics
///
/// When they differ, with both outcomes and the escaped input in the message.
pub fn check_differential(kind: RefKind, lines: &[&[u8]], config: Config, fast: &RefOutcome) {
    let reference = reference_parse(kind, lines, config);
    if *fast != reference {
        panic!(
            "upgrade-grammar disagrees with the reference parser\n  kind:      {kind:?}\n  config:    {config:?}\n  input:     {}\n  fast:      {}\n  reference: {}",
            escape_lines(lines),
            describe(fast),
            describe(&reference),
        );
    }
}

/// The first error: `validate()` and the iterator find the same one; it names one of the lines
/// and an offset at most that line's length; its text is exactly `<kind> at line L, byte O`,
/// which never echoes input bytes; its kind is listed in [`ErrorKind::ALL`] with a kebab-case
/// code and a plain ASCII text.
///
/// # Panics
///
/// When a property does not hold.
pub fn check_error(kind: RefKind, lines: &[&[u8]], config: Config, fast: &RefOutcome) {
    let iter = lines.iter().copied();
    let validated = match kind {
        RefKind::Upgrade => parse_upgrade(iter, config).validate().err(),
        RefKind::Connection => parse_connection(iter, config).validate().err(),
    };
    let fail = |property: &str, found: String| -> ! {
        panic!(
            "{property}\n  kind:   {kind:?}\n  config: {config:?}\n  input:  {}\n  found:  {found}",
            escape_lines(lines),
        )
    };
    let position = validated.map(|e| (e.kind(), e.line(), e.offset()));
    if position != fast.error {
        fail(
            "validate() and the iterator disagree",
            format!("{position:?} vs {:?}", fast.error),
        );
    }
    let Some(error) = validated else { return };
    if lines
        .get(error.line())
        .is_none_or(|line| error.offset() > line.len())
    {
        fail("error position outside the input", format!("{error:?}"));
    }
    let error_kind = error.kind();
    let want = format!(
        "{error_kind} at line {}, byte {}",
        error.line(),
        error.offset()
    );
    if error.to_string() != want {
        fail(
            "error text is not `<kind> at line L, byte O`",
            error.to_string(),
        );
    }
    let text = error_kind.to_string();
    let code_ok = error_kind
        .code()
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b == b'-');
    if !code_ok || text.is_empty() || !text.is_ascii() || !ErrorKind::ALL.contains(&error_kind) {
        fail(
            "an error kind has a kebab-case code and an ASCII text, and is in ErrorKind::ALL",
            format!(
                "{error_kind:?}: code {:?}, text {text:?}",
                error_kind.code()
            ),
        );
    }
}

/// An item read holds as a token: its name and version revalidate, `"name "` is `ByteInvalid`
/// at the space and the empty token `TokenEmpty`; `Display`, `Debug` and `AsRef` show the
/// name's text; the item's text parses back to a matching protocol of the same name
/// (`Upgrade`) or is the name (`Connection`).
///
/// # Panics
///
/// When the property does not hold, or the item is not made of tokens.
pub fn check_item(kind: RefKind, item: &RefItem) {
    let name = token(&item.name);
    let version = item.version.as_deref().map(token);
    let revalidates = |t: Token<'_>| Token::parse(t.as_bytes()).is_ok_and(|again| again == t);
    let text = name.as_str();
    let spaced = [name.as_bytes(), b" "].concat();
    let protocol = Protocol::new(name, version);
    let shown = protocol.to_string();
    let holds = revalidates(name)
        && version.is_none_or(revalidates)
        && Token::parse(&spaced)
            .is_err_and(|e| e.kind() == ErrorKind::ByteInvalid && e.offset() == text.len())
        && Token::parse(b"").is_err_and(|e| e.kind() == ErrorKind::TokenEmpty)
        && name.to_string() == text
        && format!("{name:?}") == format!("{text:?}")
        && AsRef::<[u8]>::as_ref(&name) == text.as_bytes()
        && match kind {
            RefKind::Upgrade => Protocol::parse(shown.as_bytes())
                .is_ok_and(|p| p.matches(&protocol) && p.name().as_str() == text),
            RefKind::Connection => shown == text,
        };
    if !holds {
        panic!("an item does not hold as a token: {protocol:?}");
    }
}

/// Generated lists round-trip: formatting `items` (which carry no version in a `Connection`
/// list) writes their canonical text (`name[/version]`
/// joined by `", "`), which the sender grammar parses back to the same items.
///
/// # Panics
///
/// When an item is not made of tokens, or when the property does not hold.
pub fn check_round_trip(kind: RefKind, items: &[RefItem]) {
    let formatted = match kind {
        RefKind::Upgrade => {
            let protocols: Vec<Protocol<'_>> = items
                .iter()
                .map(|item| Protocol::new(token(&item.name), item.version.as_deref().map(token)))
                .collect();
            format_upgrade(&protocols)
        }
        RefKind::Connection => {
            let options: Vec<Token<'_>> = items.iter().map(|item| token(&item.name)).collect();
            format_connection(&options)
        }
    };
    let want = canonical(kind, items);
    let config = Config::SENDER.with_max_elements(items.len());
    let reparsed = fast_outcome(kind, &[formatted.as_bytes()], config);
    let expected = RefOutcome {
        items: items.to_vec(),
        error: None,
    };
    if formatted.as_bytes() != want.as_slice() || reparsed != expected {
        panic!(
            "formatting does not write the canonical text, or it does not parse back to the same items under the sender grammar\n  kind:      {kind:?}\n  items:     {}\n  formatted: {}\n  canonical: {}\n  reparsed:  {}",
            describe(&expected),
            escape_lines(&[formatted.as_bytes()]),
            escape_lines(&[want.as_slice()]),
            describe(&reparsed),
        );
    }
}

fn token(bytes: &[u8]) -> Token<'_> {
    match Token::parse(bytes) {
        Ok(token) => token,
        Err(e) => panic!("not a token: {} ({e})", escape_lines(&[bytes])),
    }
}

/// Rendered field lines list exactly their items, whatever OWS, empty elements and line breaks
/// they hold:
///
/// - the recipient grammar, with bounds equal to the numbers of elements and empty elements,
///   reads exactly the items; one fewer allowed element (or empty element) is
///   `ElementsTooMany` (or `EmptyElementsTooMany`);
/// - the sender grammar accepts the lines, with the same items, iff they hold no empty element,
///   and otherwise reports `ElementEmpty`;
///
/// then [`check_lines`] with those bounds.
///
/// # Panics
///
/// When a property does not hold.
pub fn check_rendered(rendered: &Rendered) {
    let kind = rendered.kind;
    let lines = rendered.line_slices();
    let (elements, empties) = (rendered.items.len(), rendered.empty_elements);
    let exact = Config::RECIPIENT
        .with_max_elements(elements)
        .with_max_empty_elements(empties);
    let expected = RefOutcome {
        items: rendered.items.clone(),
        error: None,
    };
    let fail = |property: &str, config: Config, got: &RefOutcome| -> ! {
        panic!(
            "{property}\n  kind:     {kind:?}\n  config:   {config:?}\n  input:    {}\n  expected: {} ({empties} empty elements)\n  got:      {}",
            escape_lines(&lines),
            describe(&expected),
            describe(got),
        )
    };
    let recipient = fast_outcome(kind, &lines, exact);
    if recipient != expected {
        let property = "the recipient grammar does not read exactly the rendered items";
        fail(property, exact, &recipient);
    }
    // One under each bound fails with that bound's error.
    let one_under = [
        (
            elements.checked_sub(1).map(|n| exact.with_max_elements(n)),
            ErrorKind::ElementsTooMany,
        ),
        (
            empties
                .checked_sub(1)
                .map(|n| exact.with_max_empty_elements(n)),
            ErrorKind::EmptyElementsTooMany,
        ),
    ];
    for (config, want) in one_under {
        let Some(config) = config else { continue };
        let got = fast_outcome(kind, &lines, config);
        if got.error.map(|e| e.0) != Some(want) {
            fail(&format!("one over the bound is not {want:?}"), config, &got);
        }
    }
    let sender_config = Config::SENDER.with_max_elements(elements);
    let sender = fast_outcome(kind, &lines, sender_config);
    let sender_right = match empties {
        0 => sender == expected,
        _ => sender.error.map(|e| e.0) == Some(ErrorKind::ElementEmpty),
    };
    if !sender_right {
        let property = "the sender grammar must accept the lines iff they hold no empty element";
        fail(property, sender_config, &sender);
    }
    check_lines(kind, &lines, elements, empties);
}

/// The lines as a Rust-like list of escaped byte strings, for failure messages.
pub fn escape_lines<L: AsRef<[u8]>>(lines: &[L]) -> String {
    let escaped: Vec<String> = lines
        .iter()
        .map(|line| format!("b\"{}\"", line.as_ref().escape_ascii()))
        .collect();
    format!("[{}]", escaped.join(", "))
}

/// An outcome in one line, items as escaped text, for failure messages.
pub fn describe(outcome: &RefOutcome) -> String {
    let mut out = String::from("items [");
    for (i, item) in outcome.items.iter().enumerate() {
        let separator = if i > 0 { ", " } else { "" };
        let _ = write!(out, "{separator}{}", item.name.escape_ascii());
        if let Some(version) = &item.version {
            let _ = write!(out, "/{}", version.escape_ascii());
        }
    }
    match outcome.error {
        None => out.push_str("], ok"),
        Some((kind, line, offset)) => {
            let _ = write!(out, "], error {kind:?} at line {line}, byte {offset}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_inputs_pass_the_checks() {
        for data in [
            &b""[..],
            b"websocket",
            b"HTTP/2.0, SHTTP/1.3\nIRC/6.9, RTA/x11",
            b"foo , ,bar,charlie",
            b"websocket;q=1",
            b"a/b/c\nfoo/",
            b"a, b, c\n,,,",
            b"\xc2\xa0websocket",
        ] {
            for kind in [RefKind::Upgrade, RefKind::Connection] {
                check_lines(kind, &split_lines(data), 2, 1);
                check_lines(kind, &split_lines(data), 64, 64);
            }
        }
    }

    #[test]
    fn fast_outcome_keeps_items_before_the_error() {
        let outcome = fast_outcome(RefKind::Upgrade, &[b"a, b/1", b"c d"], Config::RECIPIENT);
        assert_eq!(
            outcome.items,
            [RefItem::new(b"a", None), RefItem::new(b"b", Some(b"1"))]
        );
        assert_eq!(outcome.error, Some((ErrorKind::CommaMissing, 1, 2)));
    }

    #[test]
    #[should_panic(expected = "upgrade-grammar disagrees with the reference parser")]
    fn differential_check_fails_on_another_outcome() {
        let lines: [&[u8]; 1] = [b"a, b"];
        let wrong = fast_outcome(RefKind::Upgrade, &[b"a"], Config::RECIPIENT);
        check_differential(RefKind::Upgrade, &lines, Config::RECIPIENT, &wrong);
    }

    #[test]
    #[should_panic(expected = "validate() and the iterator disagree")]
    fn error_check_fails_on_another_first_error() {
        let lines: [&[u8]; 1] = [b"a b"];
        let clean = fast_outcome(RefKind::Upgrade, &[b"a"], Config::RECIPIENT);
        check_error(RefKind::Upgrade, &lines, Config::RECIPIENT, &clean);
    }

    #[test]
    #[should_panic(expected = "not a token")]
    fn round_trip_check_rejects_items_that_are_not_tokens() {
        check_round_trip(RefKind::Upgrade, &[RefItem::new(b"a b", None)]);
    }

    #[test]
    #[should_panic(expected = "the recipient grammar does not read exactly the rendered items")]
    fn rendered_check_fails_when_items_are_wrong() {
        check_rendered(&Rendered {
            kind: RefKind::Upgrade,
            lines: vec![b"a, b".to_vec()],
            items: vec![RefItem::new(b"a", None)],
            empty_elements: 0,
        });
    }

    #[test]
    #[should_panic(expected = "the recipient grammar does not read exactly the rendered items")]
    fn rendered_check_fails_on_too_few_empty_elements() {
        check_rendered(&Rendered {
            kind: RefKind::Upgrade,
            lines: vec![b"a, , b".to_vec()],
            items: vec![RefItem::new(b"a", None), RefItem::new(b"b", None)],
            empty_elements: 0,
        });
    }

    #[test]
    fn escapes_input_in_messages() {
        assert_eq!(
            escape_lines(&[&b"a\r\n\xff"[..], b"\""]),
            r#"[b"a\r\n\xff", b"\""]"#
        );
    }
}
