//! Property checks shared by the proptest properties and the fuzz targets. Each one panics with
//! a message naming the property, the escaped input and what was found when the property does
//! not hold.

use upgrade_grammar::{
    Config, ErrorKind, Grammar, Protocol, Token, format_connection, format_upgrade,
    parse_connection, parse_upgrade,
};

use crate::compare::{check_differential, describe, escape_lines, fast_outcome};
use crate::generate::ListInput;
use crate::reference::{RefItem, RefKind, RefOutcome};
use crate::render::{Rendered, canonical};

/// The byte that separates field lines in the raw inputs of [`check_upgrade_bytes`] and
/// [`check_connection_bytes`].
pub const LINE_SEPARATOR: u8 = b'\n';

/// Small bounds that raw inputs run under besides the defaults, so that fuzzing reaches the
/// bound errors.
pub const SMALL_BOUNDS: (usize, usize) = (2, 1);

/// Splits raw bytes into field line values at [`LINE_SEPARATOR`].
pub fn split_lines(data: &[u8]) -> Vec<&[u8]> {
    crate::lines::lines(data).collect()
}

/// Checks the raw-byte properties of [`check_raw`](crate::raw::check_raw) on `data` read as
/// `Upgrade` field lines separated by `'\n'`.
///
/// # Panics
///
/// When a property does not hold.
pub fn check_upgrade_bytes(data: &[u8]) {
    check_bytes(RefKind::Upgrade, data);
}

/// Checks the raw-byte properties of [`check_raw`](crate::raw::check_raw) on `data` read as
/// `Connection` field lines separated by `'\n'`.
///
/// # Panics
///
/// When a property does not hold.
pub fn check_connection_bytes(data: &[u8]) {
    check_bytes(RefKind::Connection, data);
}

fn check_bytes(kind: RefKind, data: &[u8]) {
    crate::raw::check_raw(kind, data);
}

/// The sender and the recipient configurations with the given bounds.
pub fn both_grammars(max_elements: usize, max_empty: usize) -> [Config; 2] {
    [Grammar::Sender, Grammar::Recipient].map(|grammar| {
        Config::new(grammar)
            .with_max_elements(max_elements)
            .with_max_empty_elements(max_empty)
    })
}

/// Checks, for both grammars with the given bounds:
///
/// - an error's line is one of the lines and its offset is at most that line's length;
/// - `upgrade-grammar` agrees with the reference parser ([`check_differential`]);
/// - a valid list formats to text that the sender grammar parses back to the same items;
/// - what the sender grammar accepts, the recipient grammar accepts with the same items.
///
/// # Panics
///
/// When a property does not hold.
pub fn check_lines(kind: RefKind, lines: &[&[u8]], max_elements: usize, max_empty: usize) {
    let [sender, recipient] = both_grammars(max_elements, max_empty);
    let sender = check_one_grammar(kind, lines, sender);
    let recipient = check_one_grammar(kind, lines, recipient);
    if sender.is_ok() && recipient != sender {
        panic!(
            "the recipient grammar does not accept what the sender grammar accepts\n  kind:      {kind:?}\n  input:     {}\n  sender:    {}\n  recipient: {}",
            escape_lines(lines),
            describe(&sender),
            describe(&recipient),
        );
    }
}

fn check_one_grammar(kind: RefKind, lines: &[&[u8]], config: Config) -> RefOutcome {
    let outcome = fast_outcome(kind, lines, config);
    if let Some((error_kind, line, offset)) = outcome.error {
        let fits = lines.get(line).is_some_and(|l| offset <= l.len());
        if !fits {
            panic!(
                "error position outside the input\n  kind:   {kind:?}\n  config: {config:?}\n  input:  {}\n  error:  {error_kind:?} at line {line}, byte {offset}",
                escape_lines(lines),
            );
        }
    }
    check_differential(kind, lines, config);
    if outcome.is_ok() {
        check_format_parse(kind, &outcome.items);
    }
    outcome
}

/// Checks that formatting `items` writes their canonical text (`name[/version]` joined by
/// `", "`) and that the sender grammar parses it back to the same items.
///
/// # Panics
///
/// When an item is not made of tokens, or when the property does not hold.
pub fn check_format_parse(kind: RefKind, items: &[RefItem]) {
    let formatted = format_items(kind, items);
    let want = canonical(kind, items);
    if formatted.as_bytes() != want.as_slice() {
        panic!(
            "formatting does not write the canonical text\n  kind:      {kind:?}\n  items:     {}\n  formatted: {}\n  canonical: {}",
            describe_items(items),
            escape_lines(&[formatted.as_bytes()]),
            escape_lines(&[want.as_slice()]),
        );
    }
    let config = Config::SENDER.with_max_elements(items.len());
    let reparsed = fast_outcome(kind, &[formatted.as_bytes()], config);
    if !reparsed.is_ok() || reparsed.items != items {
        panic!(
            "formatted list does not parse back to its items under the sender grammar\n  kind:      {kind:?}\n  items:     {}\n  formatted: {}\n  reparsed:  {}",
            describe_items(items),
            escape_lines(&[formatted.as_bytes()]),
            describe(&reparsed),
        );
    }
}

fn format_items(kind: RefKind, items: &[RefItem]) -> String {
    match kind {
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
    }
}

fn token(bytes: &[u8]) -> Token<'_> {
    match Token::parse(bytes) {
        Ok(token) => token,
        Err(e) => panic!("not a token: {} ({e})", escape_lines(&[bytes])),
    }
}

fn describe_items(items: &[RefItem]) -> String {
    describe(&RefOutcome {
        items: items.to_vec(),
        error: None,
    })
}

/// Renders a generated list and checks it with [`check_rendered_items`]: the structured fuzz
/// target. Agreement with the reference on the same lines is the differential target's part.
///
/// # Panics
///
/// When a property does not hold.
pub fn check_roundtrip(input: &ListInput) {
    let rendered = input.render();
    check_rendered_items(&rendered);
    check_items_read(rendered.kind, &rendered.line_slices());
}

/// Under both grammars without a bound on elements: every item read passes
/// [`check_item`](crate::raw::check_item) (its tokens revalidate and show their text, its text
/// parses back), the items format to their canonical text with `format_*` and parse back, and
/// the first error's text is `<kind> at line L, byte O`.
///
/// # Panics
///
/// When a property does not hold.
pub fn check_items_read(kind: RefKind, lines: &[&[u8]]) {
    for config in [Config::RECIPIENT, Config::SENDER] {
        let config = config.with_max_elements(usize::MAX);
        let outcome = fast_outcome(kind, lines, config);
        for item in &outcome.items {
            let name = token(&item.name);
            let version = item.version.as_deref().map(token);
            if let Some(problem) = crate::raw::check_item(kind, name, version) {
                panic!("{problem}\n  input: {}", escape_lines(lines));
            }
        }
        match outcome.error {
            None => check_format_parse(kind, &outcome.items),
            Some((error_kind, line, offset)) => {
                let error = first_error(kind, lines, config);
                if let Some(problem) = error.and_then(|e| crate::raw::check_error_text(&e)) {
                    panic!("{problem}\n  {error_kind:?} at line {line}, byte {offset}");
                }
            }
        }
    }
}

/// The first error of `upgrade-grammar` on `lines`, as its own error type.
fn first_error(kind: RefKind, lines: &[&[u8]], config: Config) -> Option<upgrade_grammar::Error> {
    let lines = lines.iter().copied();
    match kind {
        RefKind::Upgrade => parse_upgrade(lines, config).validate().err(),
        RefKind::Connection => parse_connection(lines, config).validate().err(),
    }
}

/// [`check_rendered_items`], plus [`check_lines`] on the rendered lines (agreement with the
/// reference parser, sender/recipient inclusion and format/parse under both grammars).
///
/// # Panics
///
/// When a property does not hold.
pub fn check_rendered(rendered: &Rendered) {
    check_rendered_items(rendered);
    let lines = rendered.line_slices();
    check_lines(
        rendered.kind,
        &lines,
        rendered.items.len(),
        rendered.empty_elements,
    );
}

/// Checks that rendered field lines list exactly their items:
///
/// - the recipient grammar, with bounds equal to the numbers of elements and empty elements,
///   reads exactly the items; one fewer allowed element (or empty element) is
///   `ElementsTooMany` (or `EmptyElementsTooMany`);
/// - the sender grammar accepts the lines, with the same items, iff they hold no empty element,
///   and otherwise reports `ElementEmpty`;
/// - format then parse is the identity on the items.
///
/// # Panics
///
/// When a property does not hold.
pub fn check_rendered_items(rendered: &Rendered) {
    let kind = rendered.kind;
    let lines = rendered.line_slices();
    let elements = rendered.items.len();
    let empties = rendered.empty_elements;
    let exact = Config::RECIPIENT
        .with_max_elements(elements)
        .with_max_empty_elements(empties);

    let fail = |property: &str, config: Config, got: &RefOutcome| {
        panic!(
            "{property}\n  kind:     {kind:?}\n  config:   {config:?}\n  input:    {}\n  expected: {} ({empties} empty elements)\n  got:      {}",
            escape_lines(&lines),
            describe_items(&rendered.items),
            describe(got),
        )
    };

    let recipient = fast_outcome(kind, &lines, exact);
    if !recipient.is_ok() || recipient.items != rendered.items {
        fail(
            "the recipient grammar does not read exactly the rendered items",
            exact,
            &recipient,
        );
    }
    // One under each bound fails with that bound's error.
    let one_under = [
        (
            elements.checked_sub(1).map(|n| exact.with_max_elements(n)),
            ErrorKind::ElementsTooMany,
            "one element over the bound is not ElementsTooMany",
        ),
        (
            empties
                .checked_sub(1)
                .map(|n| exact.with_max_empty_elements(n)),
            ErrorKind::EmptyElementsTooMany,
            "one empty element over the bound is not EmptyElementsTooMany",
        ),
    ];
    for (config, want, property) in one_under {
        let Some(config) = config else { continue };
        let got = fast_outcome(kind, &lines, config);
        if got.error.map(|e| e.0) != Some(want) {
            fail(property, config, &got);
        }
    }

    let sender_config = Config::SENDER.with_max_elements(elements);
    let sender = fast_outcome(kind, &lines, sender_config);
    let sender_right = if empties == 0 {
        sender.is_ok() && sender.items == rendered.items
    } else {
        sender.error.map(|e| e.0) == Some(ErrorKind::ElementEmpty)
    };
    if !sender_right {
        fail(
            "the sender grammar must accept the lines iff they hold no empty element",
            sender_config,
            &sender,
        );
    }

    check_format_parse(kind, &rendered.items);
}

/// Runs both parsers of `upgrade-grammar` to the end on `lines` under every grammar, through
/// both the iterator and `validate`, and checks that they agree on the first error.
///
/// # Panics
///
/// When the iterator and `validate` disagree (a panic inside the parser also surfaces here).
pub fn check_no_panic(lines: &[&[u8]]) {
    for config in [Config::SENDER, Config::RECIPIENT] {
        let upgrade = parse_upgrade(lines.iter().copied(), config).find_map(Result::err);
        let upgrade_validate = parse_upgrade(lines.iter().copied(), config)
            .validate()
            .err();
        let connection = parse_connection(lines.iter().copied(), config).find_map(Result::err);
        let connection_validate = parse_connection(lines.iter().copied(), config)
            .validate()
            .err();
        if upgrade != upgrade_validate || connection != connection_validate {
            panic!(
                "validate() and the iterator disagree\n  config: {config:?}\n  input:  {}\n  upgrade:    {upgrade:?} vs {upgrade_validate:?}\n  connection: {connection:?} vs {connection_validate:?}",
                escape_lines(lines),
            );
        }
    }
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
            check_upgrade_bytes(data);
            check_connection_bytes(data);
            check_no_panic(&split_lines(data));
        }
    }

    #[test]
    #[should_panic(expected = "not a token")]
    fn format_check_rejects_items_that_are_not_tokens() {
        check_format_parse(RefKind::Upgrade, &[RefItem::new(b"a b", None)]);
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
}
