//! The list properties of DESIGN.md section 4 as checks that panic with a message naming the
//! property, the escaped input and what was found. The fuzz targets, the proptest properties
//! and the corpus replay call these same functions.

use std::fmt;

use upgrade_grammar::{
    Config, Error, ErrorKind, Grammar, Protocol, Token, format_connection, format_upgrade,
    parse_connection, parse_upgrade, write_connection_bytes, write_upgrade_bytes,
};

use crate::lists::render::{Rendered, canonical};
use crate::reference::{RefItem, RefKind, RefOutcome, ref_is_tchar, reference_parse};

/// Splits raw bytes into field line values at `'\n'`.
pub fn split_lines(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == b'\n').collect()
}

impl From<&Protocol<'_>> for RefItem {
    fn from(protocol: &Protocol<'_>) -> Self {
        RefItem::new(
            protocol.name().as_bytes(),
            protocol.version().map(|v| v.as_bytes()),
        )
    }
}

impl From<Token<'_>> for RefItem {
    fn from(option: Token<'_>) -> Self {
        RefItem::new(option.as_bytes(), None)
    }
}

/// An error in the reference's shape: its kind, line and offset.
pub fn position(error: Error) -> (ErrorKind, usize, usize) {
    (error.kind(), error.line(), error.offset())
}

/// `item` as a protocol borrowing it; panics when the item is not made of tokens.
pub fn protocol(item: &RefItem) -> Protocol<'_> {
    Protocol::new(token(&item.name), item.version.as_deref().map(token))
}

fn token(bytes: &[u8]) -> Token<'_> {
    Token::parse(bytes).unwrap_or_else(|e| panic!("not a token: {} ({e})", escape_lines(&[bytes])))
}

/// Runs `upgrade-grammar` on `lines` and collects what it yields in the reference's shape: the
/// items before the first error, and that error.
pub fn fast_outcome(kind: RefKind, lines: &[&[u8]], config: Config) -> RefOutcome {
    let lines = lines.iter().copied();
    let mut items = Vec::new();
    let error = match kind {
        RefKind::Upgrade => parse_upgrade(lines, config)
            .find_map(|item| item.map(|p| items.push(RefItem::from(&p))).err()),
        RefKind::Connection => parse_connection(lines, config)
            .find_map(|item| item.map(|t| items.push(RefItem::from(t))).err()),
    };
    let error = error.map(position);
    RefOutcome { items, error }
}

/// Panics with `property`, the list's kind, the escaped input, and `found`.
fn fail(property: &str, kind: RefKind, lines: &[&[u8]], found: fmt::Arguments<'_>) -> ! {
    panic!(
        "{property}\n  kind:      {kind:?}\n  input:     {}\n  {found}",
        escape_lines(lines)
    )
}

/// [`check_parse_one`] on each line; under both grammars with the given bounds, every check of
/// [`check_one_grammar`]; and what the sender grammar accepts, the recipient grammar accepts
/// with the same items (the grammars differ only on empty elements, where the sender stops: the
/// items the sender reads before any error are the first items the recipient reads).
pub fn check_lines(kind: RefKind, lines: &[&[u8]], max_elements: usize, max_empty: usize) {
    for line in lines {
        check_parse_one(kind, line);
    }
    let [sender, recipient] = [Grammar::Sender, Grammar::Recipient].map(|grammar| {
        let config = Config::new(grammar).with_max_elements(max_elements);
        check_one_grammar(kind, lines, config.with_max_empty_elements(max_empty))
    });
    if (sender.is_ok() && recipient != sender) || !recipient.items.starts_with(&sender.items) {
        let (sender, recipient) = (describe(&sender), describe(&recipient));
        let found = format_args!("sender:    {sender}\n  recipient: {recipient}");
        let property = "the recipient grammar does not accept what the sender grammar accepts";
        fail(property, kind, lines, found);
    }
}

/// The parsers of one value agree with the reference on `bytes`, errors included:
/// [`Protocol::parse`] reads it as an `Upgrade` line of exactly one element under the sender
/// grammar (a second element is [`ErrorKind::ElementsTooMany`], and a line with no element
/// [`ErrorKind::TokenEmpty`] at the line's end); [`Token::parse`] takes it when it is one or more
/// `tchar` and nothing else, and otherwise fails at its first other byte
/// ([`ErrorKind::ByteInvalid`]), or at 0 when it is empty ([`ErrorKind::TokenEmpty`]). `kind`
/// is the list the line came from, for the failure message.
pub fn check_parse_one(kind: RefKind, bytes: &[u8]) {
    let input = [bytes];
    let config = Config::SENDER.with_max_elements(1);
    let reference = reference_parse(RefKind::Upgrade, &input, config);
    let expected = match (&reference.error, reference.items.as_slice()) {
        (Some(e), _) => Err(*e),
        (None, []) => Err((ErrorKind::TokenEmpty, 0, bytes.len())),
        (None, [item]) => Ok(item.clone()),
        (None, _) => unreachable!("the reference read two elements under a bound of one"),
    };
    let parsed = Protocol::parse(bytes)
        .map(|p| RefItem::from(&p))
        .map_err(position);
    if parsed != expected {
        let found = format_args!("Protocol::parse {parsed:?}, reference {expected:?}");
        fail("Protocol::parse reads one protocol", kind, &input, found);
    }
    let expected = if bytes.is_empty() {
        Err((ErrorKind::TokenEmpty, 0, 0))
    } else {
        match bytes.iter().position(|&b| !ref_is_tchar(b)) {
            Some(at) => Err((ErrorKind::ByteInvalid, 0, at)),
            None => Ok(bytes),
        }
    };
    let parsed = Token::parse(bytes).map(|t| t.as_bytes()).map_err(position);
    if parsed != expected {
        let found = format_args!("Token::parse {parsed:?}, expected {expected:?}");
        fail("Token::parse reads one token", kind, &input, found);
    }
}

/// Every check on one grammar: agreement with the reference ([`check_differential`]), the first
/// error ([`check_error`]), the token API of every item read ([`check_item`]), and format then
/// parse of a valid list ([`check_round_trip`]). Returns what `upgrade-grammar` read.
pub fn check_one_grammar(kind: RefKind, lines: &[&[u8]], config: Config) -> RefOutcome {
    let outcome = fast_outcome(kind, lines, config);
    check_differential(kind, lines, config, &outcome);
    check_error(kind, lines, config, &outcome);
    for item in &outcome.items {
        check_item(kind, item);
    }
    check_protocol_order(&outcome.items);
    if outcome.is_ok() {
        check_round_trip(kind, &outcome.items);
    }
    outcome
}

/// `upgrade-grammar` agrees with the reference parser on `lines`: same verdict, same error kind,
/// line and offset, same items before the error. `fast` is what `upgrade-grammar` read
/// ([`fast_outcome`]).
pub fn check_differential(kind: RefKind, lines: &[&[u8]], config: Config, fast: &RefOutcome) {
    let reference = reference_parse(kind, lines, config);
    if *fast != reference {
        let (fast, reference) = (describe(fast), describe(&reference));
        let found =
            format_args!("config:    {config:?}\n  fast:      {fast}\n  reference: {reference}");
        fail(
            "upgrade-grammar disagrees with the reference parser",
            kind,
            lines,
            found,
        );
    }
}

/// Every way of reading a field agrees with the iterator: `validate()` on the number of
/// elements of a valid field and on the first error of an invalid one, the walk to the end
/// (`for_each`, which runs `fold`) on the elements and the error, and (`Connection`)
/// `contains(b"upgrade")` on whether an element is `upgrade` and on the error. That error names
/// one of the lines and an offset at most that line's length; its text is exactly `<kind> at
/// line L, byte O`, which never echoes input bytes; its kind is listed in [`ErrorKind::ALL`] with
/// a kebab-case code and a plain ASCII text.
pub fn check_error(kind: RefKind, lines: &[&[u8]], config: Config, fast: &RefOutcome) {
    let iter = lines.iter().copied();
    let validated = match kind {
        RefKind::Upgrade => parse_upgrade(iter, config).validate(),
        RefKind::Connection => parse_connection(iter, config).validate(),
    };
    let fail = |property: &str, found: &dyn fmt::Debug| -> ! {
        fail(
            property,
            kind,
            lines,
            format_args!("config:    {config:?}\n  found:     {found:?}"),
        )
    };
    let validated = validated.map_err(|e| (e, position(e)));
    let iterated = fast.error.map_or(Ok(fast.items.len()), Err);
    if validated.map_err(|(_, position)| position) != iterated {
        fail(
            "validate() and the iterator disagree",
            &(validated.map_err(|(_, position)| position), iterated),
        );
    }
    let mut walked = RefOutcome {
        items: Vec::new(),
        error: None,
    };
    let mut walk = |item: Result<RefItem, Error>| match item {
        Ok(item) => walked.items.push(item),
        Err(e) => walked.error = Some(position(e)),
    };
    let iter = lines.iter().copied();
    match kind {
        RefKind::Upgrade => parse_upgrade(iter, config).for_each(|p| walk(p.map(|p| (&p).into()))),
        RefKind::Connection => {
            parse_connection(iter, config).for_each(|t| walk(t.map(RefItem::from)))
        }
    }
    if walked != *fast {
        fail(
            "the walk to the end (fold) and the iterator disagree",
            &(describe(&walked), describe(fast)),
        );
    }
    if kind == RefKind::Connection {
        let contains = parse_connection(lines.iter().copied(), config)
            .contains(b"upgrade")
            .map_err(position);
        let listed = fast
            .items
            .iter()
            .any(|i| i.name.eq_ignore_ascii_case(b"upgrade"));
        if contains != fast.error.map_or(Ok(listed), Err) {
            fail(
                "contains() and the iterator disagree",
                &(contains, describe(fast)),
            );
        }
    }
    let Err((error, _)) = validated else { return };
    let (line, offset) = (error.line(), error.offset());
    if lines.get(line).is_none_or(|l| offset > l.len()) {
        fail("error position outside the input", &error);
    }
    let error_kind = error.kind();
    if error.to_string() != format!("{error_kind} at line {line}, byte {offset}") {
        fail(
            "error text is not `<kind> at line L, byte O`",
            &error.to_string(),
        );
    }
    let (code, text) = (error_kind.code(), error_kind.to_string());
    let code_ok = code.bytes().all(|b| b.is_ascii_lowercase() || b == b'-');
    if !code_ok || text.is_empty() || !text.is_ascii() || !ErrorKind::ALL.contains(&error_kind) {
        let property =
            "an error kind has a kebab-case code and an ASCII text, and is in ErrorKind::ALL";
        fail(property, &(error_kind, code, text));
    }
}

/// An item read holds as a token: its name and version revalidate, `"name "` is `ByteInvalid`
/// at the space and the empty token `TokenEmpty`; `Display`, `Debug` and `AsRef` show the
/// name's text; the item's text parses back to a matching protocol of the same name
/// (`Upgrade`) or is the name (`Connection`). The item must be made of tokens.
pub fn check_item(kind: RefKind, item: &RefItem) {
    let protocol = protocol(item);
    let (name, version) = (protocol.name(), protocol.version());
    let revalidates = |t: Token<'_>| Token::parse(t.as_bytes()).is_ok_and(|again| again == t);
    let text = name.as_str();
    let spaced = [name.as_bytes(), b" "].concat();
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

/// `Protocol`'s equality, order and hash on every pair of `items` (the first 16): equal exactly
/// when the names are equal ignoring ASCII case and the versions are equal byte for byte (RFC
/// 9110 section 7.8); ordered by the lowercase names, then the versions with no version first;
/// equal protocols hash alike.
pub fn check_protocol_order(items: &[RefItem]) {
    let items = items.get(..16).unwrap_or(items);
    let key = |i: &RefItem| (i.name.to_ascii_lowercase(), i.version.clone());
    let hash = |p: &Protocol<'_>| {
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(p, &mut hasher);
        std::hash::Hasher::finish(&hasher)
    };
    for a in items {
        for b in items {
            let (pa, pb) = (protocol(a), protocol(b));
            let expected = key(a).cmp(&key(b));
            let holds = pa.cmp(&pb) == expected
                && pa.partial_cmp(&pb) == Some(expected)
                && (pa == pb) == expected.is_eq()
                && pa.matches(&pb) == expected.is_eq()
                && (!expected.is_eq() || hash(&pa) == hash(&pb));
            if !holds {
                panic!(
                    "Protocol's order: {pa:?} against {pb:?} should be {expected:?}, is {:?} (eq {}, hashes {} and {})",
                    pa.cmp(&pb),
                    pa == pb,
                    hash(&pa),
                    hash(&pb)
                );
            }
        }
    }
}

/// Generated lists round-trip: formatting `items` (tokens, without versions in a `Connection`
/// list) writes their canonical text (`name[/version]` joined by `", "`), which the sender
/// grammar parses back to the same items. Written as bytes, the text is the same: it fits a
/// buffer of exactly its length or longer, with that length returned, and not one byte less.
pub fn check_round_trip(kind: RefKind, items: &[RefItem]) {
    let protocols: Vec<Protocol<'_>> = items.iter().map(protocol).collect();
    let tokens: Vec<Token<'_>> = items.iter().map(|i| token(&i.name)).collect();
    let formatted = match kind {
        RefKind::Upgrade => format_upgrade(&protocols),
        RefKind::Connection => format_connection(&tokens),
    };
    let want = canonical(kind, items);
    let config = Config::SENDER.with_max_elements(items.len());
    let reparsed = fast_outcome(kind, &[formatted.as_bytes()], config);
    let expected = RefOutcome {
        items: items.to_vec(),
        error: None,
    };
    if formatted.as_bytes() != want.as_slice() || reparsed != expected {
        let found = format_args!(
            "items:     {}\n  canonical: {}\n  reparsed:  {}",
            describe(&expected),
            escape_lines(&[want.as_slice()]),
            describe(&reparsed),
        );
        let property = "formatting does not write the canonical text, or it does not parse back to the same items under the sender grammar";
        fail(property, kind, &[formatted.as_bytes()], found);
    }
    let write_bytes = |buf: &mut [u8]| match kind {
        RefKind::Upgrade => write_upgrade_bytes(buf, &protocols),
        RefKind::Connection => write_connection_bytes(buf, &tokens),
    };
    for room in [want.len(), want.len() + 8] {
        let mut buf = vec![0xff; room];
        let written = write_bytes(&mut buf);
        if written != Some(want.len()) || buf.get(..want.len()) != Some(want.as_slice()) {
            let found = format_args!(
                "buffer:    {room} bytes\n  canonical: {}\n  written:   {written:?}, {}",
                escape_lines(&[want.as_slice()]),
                escape_lines(&[buf.as_slice()]),
            );
            let property = "formatting into a byte buffer long enough does not write the canonical text and return its length";
            fail(property, kind, &[formatted.as_bytes()], found);
        }
    }
    if let Some(short) = want.len().checked_sub(1) {
        let written = write_bytes(&mut vec![0; short]);
        if written.is_some() {
            let found = format_args!("buffer:    {short} bytes\n  written:   {written:?}");
            let property = "formatting into a byte buffer one byte too short does not report it";
            fail(property, kind, &[formatted.as_bytes()], found);
        }
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
        let (expected, got) = (describe(&expected), describe(got));
        let found = format_args!(
            "config:    {config:?}\n  expected:  {expected} ({empties} empty elements)\n  got:       {got}"
        );
        fail(property, kind, &lines, found)
    };
    let recipient = fast_outcome(kind, &lines, exact);
    if recipient != expected {
        let property = "the recipient grammar does not read exactly the rendered items";
        fail(property, exact, &recipient);
    }
    // One under each bound fails with that bound's error.
    let one_under = [
        (elements, ErrorKind::ElementsTooMany),
        (empties, ErrorKind::EmptyElementsTooMany),
    ];
    for (bound, want) in one_under {
        let Some(under) = bound.checked_sub(1) else {
            continue;
        };
        let config = match want {
            ErrorKind::ElementsTooMany => exact.with_max_elements(under),
            _ => exact.with_max_empty_elements(under),
        };
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
    let items = canonical(RefKind::Upgrade, &outcome.items);
    let items = items.escape_ascii();
    match outcome.error {
        None => format!("items [{items}], ok"),
        Some((kind, line, offset)) => {
            format!("items [{items}], error {kind:?} at line {line}, byte {offset}")
        }
    }
}

/// The classes of every 16 bytes of `data` (from every offset; near the end, the rest padded
/// with zero bytes) are the same with SSE2 and SSSE3 (on x86_64, SSSE3 where the CPU has it) as
/// one byte at a time from the table.
pub fn check_block_classes(data: &[u8]) {
    for start in 0..data.len() {
        let mut block = [0; 16];
        for (to, &from) in block.iter_mut().zip(data.get(start..).unwrap_or_default()) {
            *to = from;
        }
        let (scalar, simd) = upgrade_grammar::__fuzz::classes_every_way(&block);
        for (way, classes) in ["SSE2", "SSSE3"].iter().zip(simd) {
            if let Some(classes) = classes {
                assert_eq!(
                    classes,
                    scalar,
                    "the {way} and scalar classes of a block differ\n  block: {}",
                    block.escape_ascii()
                );
            }
        }
    }
}
