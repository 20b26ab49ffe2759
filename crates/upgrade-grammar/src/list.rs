//! The list scanner shared by `Upgrade` and `Connection`.
//!
//! RFC 9110 section 5.2 and 5.3: a field may arrive as several field lines, whose values combine
//! in order as one comma-separated list; the leading and trailing SP/HTAB of each line are not
//! part of its value. The scanner walks the lines one after the other, on the caller's buffers,
//! so nothing is joined or copied. Each line is read as
//!
//! ```text
//! line    = OWS [ list ] OWS
//! list    = element-or-empty *( OWS "," OWS element-or-empty )
//! element = token                        ; Connection
//! element = token [ "/" token ]          ; Upgrade
//! ```
//!
//! where an empty element is accepted only by the recipient grammar, and a line that is empty or
//! only whitespace is an empty list. Errors are reported at the first byte that no valid value
//! can have at that place.

use core::iter::FusedIterator;
use core::ops::ControlFlow;

use crate::block::BLOCK;
use crate::config::{Config, Grammar};
use crate::error::{Error, ErrorKind};
use crate::known;
use crate::line;
use crate::tchar::{
    COMMA, OWS, SLASH, TCHAR, flags, is_short_token, ows_prefix_len, tchar_prefix_len,
};

/// One non-empty element, with where it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Element<'a> {
    pub(crate) name: &'a [u8],
    pub(crate) version: Option<&'a [u8]>,
}

impl<'a> Element<'a> {
    /// An element that is one token: a connection option, or a protocol without a version.
    #[inline(always)]
    fn token(name: &'a [u8]) -> Self {
        Element {
            name,
            version: None,
        }
    }
}

/// Which list is being read: it decides whether `/` splits a protocol or is a stray byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListKind {
    Upgrade,
    Connection,
}

impl ListKind {
    /// The flags of the bytes this list may hold: `tchar`, OWS, `,` and (in Upgrade) `/`.
    #[inline(always)]
    fn allowed(self) -> u8 {
        match self {
            ListKind::Upgrade => TCHAR | OWS | COMMA | SLASH,
            ListKind::Connection => TCHAR | OWS | COMMA,
        }
    }
}

/// Iterator over the non-empty elements of a combined field value.
#[derive(Clone, Debug)]
pub(crate) struct Scanner<'a, I> {
    lines: I,
    kind: ListKind,
    config: Config,
    state: State<'a>,
    finished: bool,
}

impl<'a, I: Iterator<Item = &'a [u8]>> Scanner<'a, I> {
    #[inline]
    pub(crate) fn new(lines: I, kind: ListKind, config: Config) -> Self {
        Scanner {
            lines,
            kind,
            config,
            state: State {
                rest: &[],
                line_len: 0,
                in_line: false,
                index: 0,
                after_comma: false,
                elements: 0,
                empty_elements: 0,
            },
            finished: false,
        }
    }

    /// Reads to the end and returns the number of non-empty elements.
    ///
    /// Whole lines are checked by [`line::count`], which keeps no state between elements, and a
    /// line shorter than a block that is one token is one element; a line neither takes (a
    /// shorter one that is not one token, or one `line::count` refuses) is read by the element
    /// walk, which finds the error and its position (or, should `line::count` refuse a valid
    /// line, the same elements), and counting goes on with the next line. A scanner stopped
    /// inside a line first finishes it with the walk.
    #[inline(always)]
    pub(crate) fn validate(mut self) -> Result<usize, Error> {
        if self.finished {
            return Ok(0);
        }
        self.finished = true;
        let mut count = 0;
        // The line for the walk: none at first, which finishes a line the iterator stopped in.
        let mut walked: Option<&'a [u8]> = None;
        loop {
            if walked.is_some() || self.state.in_line {
                let mut line = walked.take().into_iter();
                // The closure never breaks: the walk reads to the end of the line.
                // Every line handed to the walk here was asked whether it is a short token.
                let _ = self
                    .state
                    .drive(&mut line, self.kind, self.config, true, |_| {
                        count += 1;
                        ControlFlow::Continue(())
                    })?;
            }
            let Some(line) = self.lines.next() else {
                return Ok(count);
            };
            let state = &mut self.state;
            match line_counts(line, self.kind, self.config, state) {
                Some(counts) => {
                    state.elements += counts.elements;
                    state.empty_elements += counts.empty_elements;
                    state.index += 1;
                    count += counts.elements;
                }
                None if is_short_token(line) && state.elements < self.config.max_elements() => {
                    // A line shorter than a block that is one token (`websocket`,
                    // `keep-alive`): one element.
                    state.elements += 1;
                    state.index += 1;
                    count += 1;
                }
                // Any other line, which the guard above asked whether it is a short token.
                None => walked = Some(line),
            }
        }
    }

    /// Reads to the end and tells whether an element's name is `name`, ignoring ASCII case.
    #[inline]
    pub(crate) fn contains(mut self, name: &[u8]) -> Result<bool, Error> {
        let mut found = false;
        self.drive(|element| {
            found |= crate::ascii::eq_ignore_ascii_case(element.name, name);
            ControlFlow::Continue(())
        })?;
        Ok(found)
    }

    /// Reads elements, handing each to `f`, until `f` breaks, the field ends or an error.
    ///
    /// Every entry point runs this one loop: the iterator breaks after each element, the
    /// whole-field checks run it to the end, so they cannot disagree.
    #[inline(always)]
    fn drive(&mut self, f: impl FnMut(Element<'a>) -> ControlFlow<()>) -> Result<(), Error> {
        if self.finished {
            return Ok(());
        }
        let result = self
            .state
            .drive(&mut self.lines, self.kind, self.config, false, f);
        // Finished once the lines run out or an error is found; a break leaves more to read.
        self.finished = !matches!(result, Ok(ControlFlow::Break(())));
        result.map(|_| ())
    }
}

/// Where a [`Scanner`] is in its field.
#[derive(Clone, Debug)]
struct State<'a> {
    /// The rest of the line being read, from the start of the next element or empty element
    /// (after any OWS); meaningful while `in_line`.
    rest: &'a [u8],
    /// The length of the line being read, so that offsets can be told from `rest`.
    line_len: usize,
    in_line: bool,
    /// Index of the line being read (or of the next one to read, between lines).
    index: usize,
    /// Whether the last thing read in this line was a comma (so the end of the line closes an
    /// empty element).
    after_comma: bool,
    elements: usize,
    empty_elements: usize,
}

impl<'a> State<'a> {
    /// Reads elements from `lines`, handing each to `f`, until `f` breaks (`Break`), the lines
    /// end (`Continue`) or an error. With `asked`, every line of `lines` was already asked
    /// whether it is a short token ([`is_short_token`]): the token that starts it is measured
    /// with [`tchar_prefix_len`] alone, which gives the same length.
    #[inline(always)]
    fn drive(
        &mut self,
        lines: &mut impl Iterator<Item = &'a [u8]>,
        kind: ListKind,
        config: Config,
        asked: bool,
        mut f: impl FnMut(Element<'a>) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>, Error> {
        // The length of the token that starts the line just entered, already read by the
        // one-token check: the first element need not read it again.
        let mut line_token_len = None;
        loop {
            if !self.in_line {
                let Some(line) = lines.next() else {
                    return Ok(ControlFlow::Continue(()));
                };
                let name_len = if !asked && is_short_token(line) {
                    line.len()
                } else {
                    tchar_prefix_len(line)
                };
                if name_len == line.len() && name_len != 0 {
                    // The line is one token, as most field lines are (`websocket`, `h2c`,
                    // `Upgrade`, `keep-alive`, `close`): one element, no OWS, no comma.
                    self.elements += 1;
                    if self.elements > config.max_elements() {
                        return Err(error_in_line(ErrorKind::ElementsTooMany, self.index, 0));
                    }
                    self.index += 1;
                    if f(Element::token(line)).is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                    continue;
                }
                if kind == ListKind::Connection
                    && let Some((first, second)) = known::two_options(line)
                    && self.elements + 2 <= config.max_elements()
                {
                    // A line clients send (`keep-alive, Upgrade`, `Upgrade, HTTP2-Settings`):
                    // two options at known places, within the bound.
                    self.elements += 1;
                    if f(Element::token(first)).is_break() {
                        // The walk reads the second option when it is asked for.
                        self.line_len = line.len();
                        self.after_comma = true;
                        self.in_line = true;
                        self.rest = second;
                        return Ok(ControlFlow::Break(()));
                    }
                    self.elements += 1;
                    self.index += 1;
                    if f(Element::token(second)).is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                    continue;
                }
                self.line_len = line.len();
                self.after_comma = false;
                self.in_line = true;
                self.rest = line.get(ows_prefix_len(line)..).unwrap_or_default();
                // A line that starts with a token has no OWS before it: `rest` is the line.
                line_token_len = (name_len != 0).then_some(name_len);
            }
            let rest = self.rest;
            match rest.first() {
                None => {
                    if self.after_comma {
                        self.empty_element(config, rest)?;
                    }
                    self.in_line = false;
                    self.index += 1;
                }
                Some(b',') => {
                    self.empty_element(config, rest)?;
                    let after = rest.get(1..).unwrap_or_default();
                    self.rest = after.get(ows_prefix_len(after)..).unwrap_or_default();
                    self.after_comma = true;
                }
                // A tchar, `/` or a stray byte: OWS cannot be here, it is skipped at the start
                // of a line and after every comma.
                Some(_) => {
                    let (element, next) =
                        self.element(kind, config, rest, line_token_len.take())?;
                    match next {
                        Some(next) => {
                            self.rest = next;
                            self.after_comma = true;
                        }
                        None => {
                            self.in_line = false;
                            self.index += 1;
                        }
                    }
                    if f(element).is_break() {
                        return Ok(ControlFlow::Break(()));
                    }
                }
            }
        }
    }

    /// An error at `rest`'s offset `at` in the current line.
    ///
    /// The state's fields are passed on by value: no path takes the state's address, so it can
    /// stay in registers through the walk.
    #[inline(always)]
    fn error_at(&self, kind: ErrorKind, rest: &[u8], at: usize) -> Error {
        error_in_line(kind, self.index, self.line_len - rest.len() + at)
    }

    /// Accounts for one empty element ending where `rest` starts (its comma, or the line's end).
    #[inline(always)]
    fn empty_element(&mut self, config: Config, rest: &[u8]) -> Result<(), Error> {
        match config.grammar() {
            Grammar::Sender => Err(self.error_at(ErrorKind::ElementEmpty, rest, 0)),
            Grammar::Recipient => {
                self.empty_elements += 1;
                if self.empty_elements > config.max_empty_elements() {
                    Err(self.error_at(ErrorKind::EmptyElementsTooMany, rest, 0))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Reads the element that starts `rest` (whose first byte is neither OWS nor a comma), and
    /// the OWS and comma after it. Returns it with the rest of the line after the comma and the
    /// OWS that follows, or `None` at the end of the line. `name_len` is the length of the token
    /// that starts `rest`, when the caller has read it.
    #[inline(always)]
    fn element(
        &mut self,
        kind: ListKind,
        config: Config,
        rest: &'a [u8],
        name_len: Option<usize>,
    ) -> Result<(Element<'a>, Option<&'a [u8]>), Error> {
        let allowed = kind.allowed();
        let name_len = name_len.unwrap_or_else(|| tchar_prefix_len(rest));
        if name_len == 0 && (kind == ListKind::Connection || rest.first() != Some(&b'/')) {
            return Err(self.error_at(ErrorKind::ByteInvalid, rest, 0));
        }
        self.elements += 1;
        if self.elements > config.max_elements() {
            return Err(self.error_at(ErrorKind::ElementsTooMany, rest, 0));
        }
        let (name, mut after) = rest.split_at_checked(name_len).unwrap_or((rest, &[]));
        let mut version = None;
        if kind == ListKind::Upgrade && after.first() == Some(&b'/') {
            if name_len == 0 {
                return Err(self.error_at(ErrorKind::ProtocolNameMissing, rest, 0));
            }
            let version_rest = after.get(1..).unwrap_or_default();
            let version_len = tchar_prefix_len(version_rest);
            if version_len == 0 {
                let kind = match version_rest.first() {
                    Some(&b) if flags(b) & allowed == 0 => ErrorKind::ByteInvalid,
                    _ => ErrorKind::ProtocolVersionMissing,
                };
                return Err(self.error_at(kind, version_rest, 0));
            }
            let (v, tail) = version_rest
                .split_at_checked(version_len)
                .unwrap_or((version_rest, &[]));
            if tail.first() == Some(&b'/') {
                return Err(self.error_at(ErrorKind::ProtocolSlashRepeated, tail, 0));
            }
            version = Some(v);
            after = tail;
        }
        let element = Element { name, version };
        // The element ends at OWS, then a comma or the end of the line.
        let mut at = 0;
        loop {
            match after.get(at) {
                None => return Ok((element, None)),
                Some(b',') => {
                    let next = after.get(at + 1..).unwrap_or_default();
                    let next = next.get(ows_prefix_len(next)..).unwrap_or_default();
                    return Ok((element, Some(next)));
                }
                Some(b' ' | b'\t') => at += 1,
                Some(&b) => {
                    let kind = if flags(b) & allowed == 0 {
                        ErrorKind::ByteInvalid
                    } else {
                        ErrorKind::CommaMissing
                    };
                    return Err(self.error_at(kind, after, at));
                }
            }
        }
    }
}

/// An error at `offset` in line `line`, out of the hot path.
#[cold]
#[inline(never)]
fn error_in_line(kind: ErrorKind, line: usize, offset: usize) -> Error {
    Error::new(kind, line, offset)
}

/// The counts of `line`, read by [`line::count`] for a scanner at `before`, or `None` when the
/// line is not valid, takes a count past its bound, or is shorter than a block (which
/// `line::count` does not read: `validate` counts it as one token or walks it).
#[inline(always)]
fn line_counts(
    line: &[u8],
    kind: ListKind,
    config: Config,
    before: &State<'_>,
) -> Option<line::LineCounts> {
    if line.len() < BLOCK {
        return None;
    }
    let elements_left = config.max_elements().saturating_sub(before.elements);
    let counts = line::count(line, kind, elements_left)?;
    let empty_left = match config.grammar() {
        Grammar::Sender => 0,
        Grammar::Recipient => config
            .max_empty_elements()
            .saturating_sub(before.empty_elements),
    };
    (counts.empty_elements <= empty_left).then_some(counts)
}

impl<'a, I: Iterator<Item = &'a [u8]>> Iterator for Scanner<'a, I> {
    type Item = Result<Element<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let mut found = None;
        match self.drive(|element| {
            found = Some(element);
            ControlFlow::Break(())
        }) {
            Ok(()) => found.map(Ok),
            Err(e) => Some(Err(e)),
        }
    }

    /// One walk over the rest of the field, handing every element (and the error that ends the
    /// field, if any) to `f`, instead of a walk resumed for each element as [`next`] does:
    /// `for_each`, `count` and `fold` itself run this.
    ///
    /// [`next`]: Iterator::next
    #[inline]
    fn fold<B, F: FnMut(B, Self::Item) -> B>(mut self, init: B, mut f: F) -> B {
        let mut acc = Some(init);
        let result = self.drive(|element| {
            acc = acc.take().map(|acc| f(acc, Ok(element)));
            ControlFlow::Continue(())
        });
        match (acc, result) {
            (Some(acc), Ok(())) => acc,
            (Some(acc), Err(e)) => f(acc, Err(e)),
            // Each call of the closure above puts the value back.
            (None, _) => unreachable!("the fold's value is taken and put back at each element"),
        }
    }
}

impl<'a, I: Iterator<Item = &'a [u8]>> FusedIterator for Scanner<'a, I> {}

#[cfg(test)]
mod tests {
    use super::*;

    /// `validate` counts a line shorter than a block that is one token without the walk; the
    /// walk (the iterator) gives the same count, and the same error at the same place once the
    /// bound on elements is passed, whatever lines come before and after.
    #[test]
    fn validate_counts_short_token_lines_as_the_walk_does() {
        let fields: [&[&[u8]]; 5] = [
            &[b"keep-alive", b"upgrade", b"close"],
            &[b"a, b", b"websocket", b"x"],
            &[b"0123456789abcdef", b"z", b"h2c"],
            &[b"te", b"", b"y, "],
            &[b"q", b"bad line", b"r"],
        ];
        for max in 1..=4 {
            let config = Config::RECIPIENT.with_max_elements(max);
            for lines in fields {
                let validated = crate::parse_connection(lines.iter().copied(), config).validate();
                let walked = crate::parse_connection(lines.iter().copied(), config)
                    .try_fold(0, |count, option| option.map(|_| count + 1));
                assert_eq!(validated, walked, "at most {max}: {lines:?}");
            }
        }
    }

    #[test]
    fn line_counts_takes_a_valid_line_within_the_bounds_left() {
        let state = |elements, empty_elements| State {
            rest: &[],
            line_len: 0,
            in_line: false,
            index: 0,
            after_comma: false,
            elements,
            empty_elements,
        };
        let config = Config::RECIPIENT
            .with_max_elements(4)
            .with_max_empty_elements(2);
        let line = b"alpha, , beta/1,gamma";
        let counts = line::LineCounts {
            elements: 3,
            empty_elements: 1,
        };
        let upgrade = ListKind::Upgrade;
        assert_eq!(
            line_counts(line, upgrade, config, &state(0, 0)),
            Some(counts)
        );
        assert_eq!(
            line_counts(line, upgrade, config, &state(1, 1)),
            Some(counts)
        );
        assert_eq!(line_counts(line, upgrade, config, &state(2, 0)), None);
        assert_eq!(line_counts(line, upgrade, config, &state(0, 2)), None);
        let sender = Config::new(Grammar::Sender);
        assert_eq!(line_counts(line, upgrade, sender, &state(0, 0)), None);
        assert_eq!(
            line_counts(b"alpha, beta-gamma", upgrade, sender, &state(0, 0)).map(|c| c.elements),
            Some(2)
        );
        assert_eq!(
            line_counts(line, ListKind::Connection, config, &state(0, 0)),
            None
        );
    }
}
