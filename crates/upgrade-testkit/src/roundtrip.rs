//! The `roundtrip` fuzz target, written for speed: the fuzzer's bytes are decoded straight into
//! field lines held in reused buffers, and the checks walk the parsers in lockstep with the
//! items those lines list, so that nothing is allocated once the buffers are warm.
//!
//! [`RenderedList::decode`] reads the bytes exactly as `ListInput::arbitrary_take_rest` does and
//! lays the list out exactly as [`ListInput::render`](crate::generate::ListInput::render) does;
//! a test holds it to those originals. [`RenderedList::check`] checks the round trip, a part of
//! what [`check_roundtrip`](crate::checks::check_roundtrip) checks.

use std::cell::RefCell;
use std::ops::RangeInclusive;

use arbitrary::{Result, Unstructured};
use upgrade_grammar::{
    Config, Error, ErrorKind, Token, parse_connection, parse_upgrade, write_connection,
    write_upgrade,
};

use crate::compare::{describe, escape_lines, fast_outcome};
use crate::generate::{ArbKind, MAX_EMPTIES, MAX_OWS_LEN, MAX_TOKEN_LEN};
use crate::reference::{RefItem, RefKind, RefOutcome, TCHARS};
use crate::render::Rendered;

/// The index of the last of `TCHARS`: `choose(TCHARS)` picks with `int_in_range(0..=LAST_TCHAR)`.
const LAST_TCHAR: u8 = TCHARS.len() as u8 - 1;

/// A byte range of [`Lines::bytes`]: start and end.
type Span = (usize, usize);

/// Where an item's parts are in [`Lines::bytes`].
#[derive(Clone, Copy, Debug)]
struct ItemSpan {
    name: Span,
    version: Option<Span>,
}

/// Field lines in one buffer, with the items and the number of empty elements they hold.
#[derive(Debug)]
struct Lines {
    kind: RefKind,
    /// Every line's bytes, one after the other.
    bytes: Vec<u8>,
    /// Each line's range of `bytes`.
    lines: Vec<Span>,
    items: Vec<ItemSpan>,
    empty_elements: usize,
}

/// A generated list laid out as field lines, in buffers that are reused from one input to the
/// next: the `roundtrip` fuzz target decodes each input into the same one.
///
/// ```
/// use arbitrary::Unstructured;
/// use upgrade_testkit::roundtrip::RenderedList;
///
/// // Four bytes choose `Upgrade`; a set flag starts an element; its name is 2 % 16 + 1 bytes
/// // long, `TCHARS[0x3a]`, `TCHARS[0x11]` and `TCHARS[0x35]`; then the bytes run out, which
/// // reads as clear flags and zero lengths.
/// let mut list = RenderedList::new();
/// list.decode(Unstructured::new(b"\0\0\0\0\x01\x02\x3a\x11\x35")).unwrap();
/// assert_eq!(list.lines().collect::<Vec<_>>(), [b"h2c"]);
/// assert_eq!(list.items().collect::<Vec<_>>(), [(&b"h2c"[..], None)]);
/// list.check();
/// ```
#[derive(Debug)]
pub struct RenderedList {
    list: Lines,
    /// The list as formatted, rewritten by each check.
    formatted: String,
    /// The canonical text of the list, rebuilt by each check.
    canonical: Vec<u8>,
}

impl Default for RenderedList {
    fn default() -> Self {
        Self::new()
    }
}

impl RenderedList {
    /// An empty list with empty buffers.
    pub const fn new() -> Self {
        RenderedList {
            list: Lines {
                kind: RefKind::Upgrade,
                bytes: Vec::new(),
                lines: Vec::new(),
                items: Vec::new(),
                empty_elements: 0,
            },
            formatted: String::new(),
            canonical: Vec::new(),
        }
    }

    /// Decodes a list from `u` as `ListInput::arbitrary_take_rest` does, and lays it out as
    /// `ListInput::render` does, replacing what the buffers held.
    ///
    /// The `Unstructured` calls are those the derives and the generators of
    /// [`generate`](crate::generate) make, in the same order and with the same meaning, so the
    /// same bytes give the same list. Two are spelled otherwise, to the same effect and with
    /// fewer comparisons to run under the fuzzer: `choose(TCHARS)` is made as the
    /// `int_in_range(0..=76)` it comes down to, and the ranges are over `u8` (every range here
    /// is shorter than 256, so both read one byte and take it modulo the range's length).
    ///
    /// # Errors
    ///
    /// When `ListInput::arbitrary_take_rest` fails on the same bytes.
    pub fn decode(&mut self, mut u: Unstructured<'_>) -> Result<()> {
        let list = &mut self.list;
        list.kind = u.arbitrary::<ArbKind>()?.into();
        list.bytes.clear();
        list.lines.clear();
        list.items.clear();
        list.empty_elements = 0;
        let mut out = Writer {
            list,
            line_start: 0,
            slots: 0,
            line_empties: 0,
            separator: b"",
        };
        // `Vec<ArbElement>`, as `Unstructured::arbitrary_iter` reads it: a flag before each
        // element. (The derive's recursion guard cannot fail: no type here contains itself.)
        while flag(&mut u).unwrap_or(false) {
            out.element(&mut u)?;
        }
        // `trailing_empties`, then `trailing_blank_line`.
        out.empties(&mut u)?;
        if out.slots > 0 {
            out.end_line();
        }
        if flag(&mut u)? {
            out.blank_line(&mut u)?;
        }
        Ok(())
    }

    /// Which list this is.
    pub fn kind(&self) -> RefKind {
        self.list.kind
    }

    /// The field line values.
    pub fn lines(&self) -> impl Iterator<Item = &[u8]> + Clone + '_ {
        self.list.lines()
    }

    /// The items the lines list, as name and version.
    pub fn items(&self) -> impl Iterator<Item = (&[u8], Option<&[u8]>)> + '_ {
        let list = &self.list;
        list.items
            .iter()
            .map(|item| (list.slice(item.name), item.version.map(|v| list.slice(v))))
    }

    /// How many empty elements the lines hold.
    pub fn empty_elements(&self) -> usize {
        self.list.empty_elements
    }

    /// The same list as a [`Rendered`], for comparing with the slower renderer and for failure
    /// messages.
    pub fn to_rendered(&self) -> Rendered {
        self.list.to_rendered()
    }

    /// Checks, without allocating once the buffers are warm, that the list goes through parsing
    /// and formatting unchanged:
    ///
    /// - the recipient grammar, bounded at exactly the list's elements and empty elements, reads
    ///   exactly the items;
    /// - the sender grammar accepts the lines iff they hold no empty element, reading exactly
    ///   the items, and otherwise reports `ElementEmpty`;
    /// - `write_*` of the items read writes their canonical text (`name/version` items joined
    ///   by `", "`), which the sender grammar parses back to exactly the items.
    ///
    /// [`check_roundtrip`](crate::checks::check_roundtrip), which the tests run on decoded
    /// `ListInput`s, checks more on each list: each bound fails one below the list's count, and every item's
    /// token API and error text hold. Other fuzz targets check those where they cost less:
    /// `differential` compares every bound from 0 to 6 with the reference parser,
    /// `parse_upgrade` and `parse_connection` check every error's text, and `negotiate` runs
    /// [`check_items_read`](crate::checks::check_items_read) on the request's lists.
    ///
    /// # Panics
    ///
    /// When a property does not hold, naming it, with the escaped lines.
    pub fn check(&mut self) {
        let RenderedList {
            list,
            formatted,
            canonical,
        } = self;
        list.check_round_trip(formatted, canonical);
    }
}

thread_local! {
    /// The list the `roundtrip` target decodes each input into.
    static LIST: RefCell<RenderedList> = const { RefCell::new(RenderedList::new()) };
}

/// The `roundtrip` fuzz target: decodes `data` as a `ListInput` would be, into buffers kept
/// between calls, and runs [`RenderedList::check`]. Bytes that do not decode are skipped.
///
/// # Panics
///
/// When a property does not hold.
pub fn check_roundtrip_bytes(data: &[u8]) {
    LIST.with_borrow_mut(|list| {
        if list.decode(Unstructured::new(data)).is_ok() {
            list.check();
        }
    });
}

/// Writes slots into [`Lines`] the way `arrange` and `Layout::render` lay them out.
struct Writer<'l> {
    list: &'l mut Lines,
    /// Where the current line starts in the buffer.
    line_start: usize,
    /// How many slots the current line has.
    slots: usize,
    /// How many of those are empty.
    line_empties: usize,
    /// What goes before the next slot: nothing at the start of a line, a comma after a slot.
    separator: &'static [u8],
}

impl Writer<'_> {
    /// `ArbElement`, field by field. The name and version come first in the bytes but are
    /// written after the blank line, empty elements and OWS placed before them.
    fn element(&mut self, u: &mut Unstructured<'_>) -> Result<()> {
        let mut name = [0; MAX_TOKEN_LEN as usize];
        let name = token(u, &mut name)?;
        let mut version = [0; MAX_TOKEN_LEN as usize];
        let version = if flag(u)? {
            Some(token(u, &mut version)?)
        } else {
            None
        };
        if flag(u)? {
            self.blank_line(u)?;
        }
        self.empties(u)?;
        let before = Ows::decode(u)?;
        self.slot(before.as_slice());
        self.list.push_item(name, version);
        let after = Ows::decode(u)?;
        self.list.bytes.extend_from_slice(after.as_slice());
        if flag(u)? {
            self.end_line();
        }
        Ok(())
    }

    /// `ArbEmpties`: empty slots, each with OWS before and after.
    fn empties(&mut self, u: &mut Unstructured<'_>) -> Result<()> {
        let len = int_in_range(u, 0..=MAX_EMPTIES)?;
        for _ in 0..len {
            let before = Ows::decode(u)?;
            let after = Ows::decode(u)?;
            self.slot(before.as_slice());
            self.list.bytes.extend_from_slice(after.as_slice());
            self.line_empties += 1;
        }
        Ok(())
    }

    /// Starts a slot on the current line: a comma after the previous slot, then `before`.
    fn slot(&mut self, before: &[u8]) {
        self.list.bytes.extend_from_slice(self.separator);
        self.list.bytes.extend_from_slice(before);
        self.separator = b",";
        self.slots += 1;
    }

    /// Ends the current line.
    fn end_line(&mut self) {
        // A lone empty slot leaves a line of only OWS: an empty list, not an empty element.
        if self.slots > 1 {
            self.list.empty_elements += self.line_empties;
        }
        let end = self.list.bytes.len();
        self.list.lines.push((self.line_start, end));
        self.line_start = end;
        self.slots = 0;
        self.separator = b"";
        self.line_empties = 0;
    }

    /// A line of only OWS (decoded here), after the current line if it has slots.
    fn blank_line(&mut self, u: &mut Unstructured<'_>) -> Result<()> {
        if self.slots > 0 {
            self.end_line();
        }
        let ows = Ows::decode(u)?;
        self.list.bytes.extend_from_slice(ows.as_slice());
        self.end_line();
        Ok(())
    }
}

// The `Unstructured` calls, each inlined where it is made: with its range known there, most of
// `int_in_range`'s comparisons fold away, and every one left runs (and is traced by the fuzzer)
// on every input byte.

/// A `bool`, as the derives read a flag, an `Option`'s tag or `Vec`'s "one more" mark.
#[inline(always)]
fn flag(u: &mut Unstructured<'_>) -> Result<bool> {
    u.arbitrary()
}

/// `Unstructured::int_in_range` over `u8`, as a `usize`.
#[inline(always)]
fn int_in_range(u: &mut Unstructured<'_>, range: RangeInclusive<u8>) -> Result<usize> {
    u.int_in_range(range).map(usize::from)
}

/// One byte of a token: what `u.choose(TCHARS)` does (`choose_index(77)`, which is
/// `int_in_range(0..=76)`), with the range known here.
#[inline(always)]
fn tchar(u: &mut Unstructured<'_>) -> Result<u8> {
    let index = int_in_range(u, 0..=LAST_TCHAR)?;
    Ok(TCHARS.get(index).copied().unwrap_or_default())
}

/// `ArbToken`, decoded into `buf`.
fn token<'b>(
    u: &mut Unstructured<'_>,
    buf: &'b mut [u8; MAX_TOKEN_LEN as usize],
) -> Result<&'b [u8]> {
    let len = int_in_range(u, 1..=MAX_TOKEN_LEN)?;
    let token = buf.get_mut(..len).unwrap_or_default();
    for byte in token.iter_mut() {
        *byte = tchar(u)?;
    }
    Ok(token)
}

/// `ArbOws`: up to three SP or HTAB.
struct Ows {
    bytes: [u8; MAX_OWS_LEN as usize],
    len: usize,
}

impl Ows {
    fn decode(u: &mut Unstructured<'_>) -> Result<Self> {
        let len = int_in_range(u, 0..=MAX_OWS_LEN)?;
        let mut bytes = [b' '; MAX_OWS_LEN as usize];
        for byte in bytes.get_mut(..len).unwrap_or_default() {
            if flag(u)? {
                *byte = b'\t';
            }
        }
        Ok(Ows { bytes, len })
    }

    fn as_slice(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// Field lines as slices of one buffer. Every walk reads its lines through this one type, so
/// that the parsers are compiled (and instrumented for the fuzzer) once.
#[derive(Clone)]
struct LineIter<'a> {
    bytes: &'a [u8],
    spans: std::slice::Iter<'a, Span>,
}

impl<'a> Iterator for LineIter<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let &(start, end) = self.spans.next()?;
        Some(self.bytes.get(start..end).unwrap_or_default())
    }
}

/// Walks `lines` as a list of `kind` under `config`, handing each element to `each`, and returns
/// the first error.
fn walk<'a>(
    kind: RefKind,
    lines: LineIter<'a>,
    config: Config,
    mut each: impl FnMut(Token<'a>, Option<Token<'a>>),
) -> Option<Error> {
    match kind {
        RefKind::Upgrade => {
            for item in parse_upgrade(lines, config) {
                match item {
                    Ok(protocol) => each(protocol.name(), protocol.version()),
                    Err(e) => return Some(e),
                }
            }
        }
        RefKind::Connection => {
            for item in parse_connection(lines, config) {
                match item {
                    Ok(option) => each(option, None),
                    Err(e) => return Some(e),
                }
            }
        }
    }
    None
}

/// What a walk read, compared with the rendered items.
struct Walked {
    /// Whether it read exactly the rendered items, in order.
    same: bool,
    /// Its first error.
    error: Option<Error>,
}

impl Walked {
    fn read_exactly_the_items(&self) -> bool {
        self.same && self.error.is_none()
    }
}

impl Lines {
    fn slice(&self, span: Span) -> &[u8] {
        self.bytes.get(span.0..span.1).unwrap_or_default()
    }

    fn lines(&self) -> LineIter<'_> {
        LineIter {
            bytes: &self.bytes,
            spans: self.lines.iter(),
        }
    }

    /// Appends an item to the last line, its version dropped in a `Connection` list as
    /// `Layout::normalize` does.
    fn push_item(&mut self, name: &[u8], version: Option<&[u8]>) {
        let start = self.bytes.len();
        self.bytes.extend_from_slice(name);
        let name = (start, self.bytes.len());
        let version = match (self.kind, version) {
            (RefKind::Upgrade, Some(version)) => {
                self.bytes.push(b'/');
                let start = self.bytes.len();
                self.bytes.extend_from_slice(version);
                Some((start, self.bytes.len()))
            }
            _ => None,
        };
        self.items.push(ItemSpan { name, version });
    }

    /// Whether a parser read `item`: the same name and version.
    fn is_item(&self, item: &ItemSpan, name: Token<'_>, version: Option<Token<'_>>) -> bool {
        self.holds(item.name, name.as_bytes())
            && match (item.version, version) {
                (Some(span), Some(version)) => self.holds(span, version.as_bytes()),
                (None, None) => true,
                _ => false,
            }
    }

    /// Whether `bytes` are those of `span`. The parsers read the lines in place, so what they
    /// read right is the very span the item was written to: two comparisons of positions, and
    /// of the bytes only when those differ.
    fn holds(&self, span: Span, bytes: &[u8]) -> bool {
        let at = (bytes.as_ptr() as usize).wrapping_sub(self.bytes.as_ptr() as usize);
        (at == span.0 && at.wrapping_add(bytes.len()) == span.1) || self.slice(span) == bytes
    }

    /// Walks `lines` under `config`, comparing what it reads with the rendered items.
    fn lockstep(&self, lines: LineIter<'_>, config: Config) -> Walked {
        let mut expected = self.items.iter();
        let mut same = true;
        let error = walk(self.kind, lines, config, |name, version| {
            same &= expected
                .next()
                .is_some_and(|item| self.is_item(item, name, version));
        });
        Walked {
            same: same && expected.next().is_none(),
            error,
        }
    }

    /// Walks the lines under `config`, comparing what it reads with the rendered items, and
    /// formats what it reads as it goes: one walk for both.
    fn read_and_format(&self, config: Config, formatted: &mut String) -> Walked {
        let mut expected = self.items.iter();
        let mut same = true;
        let mut error = None;
        let mut compare = |name: Token<'_>, version: Option<Token<'_>>| {
            same &= expected
                .next()
                .is_some_and(|item| self.is_item(item, name, version));
        };
        formatted.clear();
        let written = match self.kind {
            RefKind::Upgrade => write_upgrade(
                formatted,
                parse_upgrade(self.lines(), config).map_while(|item| {
                    let protocol = item.map_err(|e| error = Some(e)).ok()?;
                    compare(protocol.name(), protocol.version());
                    Some(protocol)
                }),
            ),
            RefKind::Connection => write_connection(
                formatted,
                parse_connection(self.lines(), config).map_while(|item| {
                    let option = item.map_err(|e| error = Some(e)).ok()?;
                    compare(option, None);
                    Some(option)
                }),
            ),
        };
        Walked {
            same: written.is_ok() && same && expected.next().is_none(),
            error,
        }
    }

    /// See [`RenderedList::check`].
    fn check_round_trip(&self, formatted: &mut String, canonical: &mut Vec<u8>) {
        let elements = self.items.len();
        let exact = Config::RECIPIENT
            .with_max_elements(elements)
            .with_max_empty_elements(self.empty_elements);
        let recipient = self.read_and_format(exact, formatted);
        if !recipient.read_exactly_the_items() {
            self.fail(
                "the recipient grammar does not read exactly the rendered items",
                exact,
            );
        }

        let sender_config = Config::SENDER.with_max_elements(elements);
        let sender = self.lockstep(self.lines(), sender_config);
        let sender_right = if self.empty_elements == 0 {
            sender.read_exactly_the_items()
        } else {
            sender.error.map(|e| e.kind()) == Some(ErrorKind::ElementEmpty)
        };
        if !sender_right {
            self.fail(
                "the sender grammar must accept the lines iff they hold no empty element",
                sender_config,
            );
        }

        self.canonical_text(canonical);
        if formatted.as_bytes() != canonical.as_slice() {
            self.fail_format(
                "formatting does not write the canonical text",
                formatted,
                canonical,
            );
        }
        let whole = [(0, formatted.len())];
        let formatted_lines = LineIter {
            bytes: formatted.as_bytes(),
            spans: whole.iter(),
        };
        if !self
            .lockstep(formatted_lines, sender_config)
            .read_exactly_the_items()
        {
            self.fail_format(
                "formatted list does not parse back to its items under the sender grammar",
                formatted,
                canonical,
            );
        }
    }

    /// Writes the canonical text of the rendered items into `out`: each `name` or
    /// `name/version` (versions only in an `Upgrade` list), joined by `", "`.
    fn canonical_text(&self, out: &mut Vec<u8>) {
        out.clear();
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(b", ");
            }
            out.extend_from_slice(self.slice(item.name));
            if let (RefKind::Upgrade, Some(version)) = (self.kind, item.version) {
                out.push(b'/');
                out.extend_from_slice(self.slice(version));
            }
        }
    }

    fn to_rendered(&self) -> Rendered {
        Rendered {
            kind: self.kind,
            lines: self.lines().map(<[u8]>::to_vec).collect(),
            items: self
                .items
                .iter()
                .map(|item| {
                    RefItem::new(self.slice(item.name), item.version.map(|v| self.slice(v)))
                })
                .collect(),
            empty_elements: self.empty_elements,
        }
    }

    fn escaped_lines(&self) -> String {
        escape_lines(&self.lines().collect::<Vec<_>>())
    }

    #[cold]
    #[inline(never)]
    fn fail(&self, property: &str, config: Config) -> ! {
        let rendered = self.to_rendered();
        let got = fast_outcome(self.kind, &rendered.line_slices(), config);
        let expected = RefOutcome {
            items: rendered.items,
            error: None,
        };
        panic!(
            "{property}\n  kind:     {:?}\n  config:   {config:?}\n  input:    {}\n  expected: {} ({} empty elements)\n  got:      {}",
            self.kind,
            self.escaped_lines(),
            describe(&expected),
            self.empty_elements,
            describe(&got),
        )
    }

    #[cold]
    #[inline(never)]
    fn fail_format(&self, property: &str, formatted: &str, canonical: &[u8]) -> ! {
        let rendered = self.to_rendered();
        let config = Config::SENDER.with_max_elements(rendered.items.len());
        let reparsed = fast_outcome(self.kind, &[formatted.as_bytes()], config);
        let items = RefOutcome {
            items: rendered.items,
            error: None,
        };
        panic!(
            "{property}\n  kind:      {:?}\n  input:     {}\n  items:     {}\n  formatted: {}\n  canonical: {}\n  reparsed:  {}",
            self.kind,
            self.escaped_lines(),
            describe(&items),
            escape_lines(&[formatted.as_bytes()]),
            escape_lines(&[canonical]),
            describe(&reparsed),
        )
    }
}

#[cfg(test)]
mod tests {
    use arbitrary::Arbitrary;

    use super::*;
    use crate::generate::ListInput;

    /// Byte strings of every length up to `max_len`, several per length, from a fixed xorshift
    /// generator.
    fn byte_strings(max_len: usize, per_len: usize) -> impl Iterator<Item = Vec<u8>> {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        (0..=max_len).flat_map(move |len| {
            (0..per_len)
                .map(|_| (0..len).map(|_| next() as u8).collect())
                .collect::<Vec<_>>()
        })
    }

    /// A list of `kind` over `lines`, with `empties` empty elements, that lists `items` (each
    /// `name` or `name/version`). The items are copied after the lines, so that they can differ
    /// from what the lines hold.
    fn planted(kind: RefKind, lines: &[&str], items: &[&str], empties: usize) -> RenderedList {
        let mut list = RenderedList::new();
        let planted = &mut list.list;
        planted.kind = kind;
        planted.empty_elements = empties;
        let mut push = |text: &str| {
            let start = planted.bytes.len();
            planted.bytes.extend_from_slice(text.as_bytes());
            (start, planted.bytes.len())
        };
        let spans: Vec<Span> = lines.iter().map(|line| push(line)).collect();
        let items: Vec<ItemSpan> = items
            .iter()
            .map(|item| match item.split_once('/') {
                Some((name, version)) => ItemSpan {
                    name: push(name),
                    version: Some(push(version)),
                },
                None => ItemSpan {
                    name: push(item),
                    version: None,
                },
            })
            .collect();
        planted.lines = spans;
        planted.items = items;
        list
    }

    #[test]
    fn decodes_and_lays_out_like_list_input() {
        let mut list = RenderedList::new();
        let (mut lists, mut with_empties, mut with_versions, mut connection) = (0, 0, 0, 0);
        for data in byte_strings(300, 12) {
            let slow = ListInput::arbitrary_take_rest(Unstructured::new(&data));
            let fast = list.decode(Unstructured::new(&data));
            assert_eq!(fast.is_ok(), slow.is_ok(), "input {data:?}");
            let Ok(slow) = slow else { continue };
            let rendered = slow.render();
            assert_eq!(list.to_rendered(), rendered, "input {data:?}");
            list.check();
            lists += 1;
            with_empties += usize::from(rendered.empty_elements > 0);
            with_versions += usize::from(rendered.items.iter().any(|i| i.version.is_some()));
            connection += usize::from(rendered.kind == RefKind::Connection);
        }
        // The inputs reach every part of the layout.
        assert!(lists > 3000 && with_empties > 300 && with_versions > 300 && connection > 300);
    }

    #[test]
    fn decodes_the_empty_input_as_an_empty_upgrade_list() {
        let mut list = RenderedList::new();
        list.decode(Unstructured::new(b"")).unwrap();
        let rendered = ListInput::arbitrary_take_rest(Unstructured::new(b""))
            .unwrap()
            .render();
        assert_eq!(list.to_rendered(), rendered);
        assert_eq!(list.lines().count(), 0);
        list.check();
    }

    #[test]
    fn checks_pass_on_planted_right_items() {
        let mut list = planted(RefKind::Upgrade, &["a, b/1", " , c"], &["a", "b/1", "c"], 1);
        crate::checks::check_rendered_items(&list.to_rendered());
        list.check();
    }

    #[test]
    #[should_panic(expected = "the recipient grammar does not read exactly the rendered items")]
    fn check_fails_on_a_wrong_item() {
        planted(RefKind::Upgrade, &["a, b"], &["a", "c"], 0).check();
    }

    #[test]
    #[should_panic(expected = "the recipient grammar does not read exactly the rendered items")]
    fn check_fails_on_a_missing_item() {
        planted(RefKind::Connection, &["a, b"], &["a"], 0).check();
    }

    #[test]
    #[should_panic(expected = "the recipient grammar does not read exactly the rendered items")]
    fn check_fails_on_too_few_empty_elements() {
        planted(RefKind::Upgrade, &["a, , b"], &["a", "b"], 0).check();
    }
}
