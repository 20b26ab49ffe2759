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

use crate::config::{Config, Grammar};
use crate::error::{Error, ErrorKind};
use crate::tchar::{Class, class, ows_prefix_len, tchar_prefix_len};

/// One non-empty element, with where it starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Element<'a> {
    pub(crate) name: &'a [u8],
    pub(crate) version: Option<&'a [u8]>,
}

/// Which list is being read: it decides whether `/` splits a protocol or is a stray byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListKind {
    Upgrade,
    Connection,
}

/// Iterator over the non-empty elements of a combined field value.
#[derive(Clone, Debug)]
pub(crate) struct Scanner<'a, I> {
    lines: I,
    kind: ListKind,
    config: Config,
    /// The line being read, or `None` between lines.
    line: Option<&'a [u8]>,
    /// Index of the line being read (or of the next one to read, between lines).
    index: usize,
    /// Read position in `line`, always after any OWS that follows a comma.
    pos: usize,
    /// Whether the last thing read in this line was a comma (so the end of the line closes an
    /// empty element).
    after_comma: bool,
    elements: usize,
    empty_elements: usize,
    finished: bool,
}

impl<'a, I: Iterator<Item = &'a [u8]>> Scanner<'a, I> {
    pub(crate) fn new(lines: I, kind: ListKind, config: Config) -> Self {
        Scanner {
            lines,
            kind,
            config,
            line: None,
            index: 0,
            pos: 0,
            after_comma: false,
            elements: 0,
            empty_elements: 0,
            finished: false,
        }
    }

    /// Reads to the end and returns the number of non-empty elements.
    pub(crate) fn validate(self) -> Result<usize, Error> {
        let mut count = 0;
        for item in self {
            item?;
            count += 1;
        }
        Ok(count)
    }

    fn error(&self, kind: ErrorKind, offset: usize) -> Error {
        Error::new(kind, self.index, offset)
    }

    /// Whether `byte` may never appear in this list at all.
    fn is_stray(&self, byte: u8) -> bool {
        match class(byte) {
            Class::Other => true,
            Class::Slash => self.kind == ListKind::Connection,
            Class::Tchar | Class::Ows | Class::Comma => false,
        }
    }

    /// Accounts for one empty element ending at `offset` (its comma, or the end of the line).
    fn empty_element(&mut self, offset: usize) -> Result<(), Error> {
        match self.config.grammar() {
            Grammar::Sender => Err(self.error(ErrorKind::ElementEmpty, offset)),
            Grammar::Recipient => {
                self.empty_elements += 1;
                if self.empty_elements > self.config.max_empty_elements() {
                    Err(self.error(ErrorKind::EmptyElementsTooMany, offset))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// Moves past the comma at `comma` and the OWS after it.
    fn skip_comma(&mut self, line: &[u8], comma: usize) {
        let next = comma + 1;
        self.pos = next + ows_prefix_len(line.get(next..).unwrap_or_default());
        self.after_comma = true;
    }

    /// Reads the element that starts at `self.pos` (a `tchar`, or `/` in Upgrade), up to and
    /// including the comma that ends it.
    fn element(&mut self, line: &'a [u8]) -> Result<Element<'a>, Error> {
        let start = self.pos;
        self.elements += 1;
        if self.elements > self.config.max_elements() {
            return Err(self.error(ErrorKind::ElementsTooMany, start));
        }
        let rest = line.get(start..).unwrap_or_default();
        let name_len = tchar_prefix_len(rest);
        let name = rest.get(..name_len).unwrap_or_default();
        let mut end = start + name_len;
        let mut version = None;
        if self.kind == ListKind::Upgrade && line.get(end) == Some(&b'/') {
            if name_len == 0 {
                return Err(self.error(ErrorKind::ProtocolNameMissing, start));
            }
            let version_start = end + 1;
            let version_rest = line.get(version_start..).unwrap_or_default();
            let version_len = tchar_prefix_len(version_rest);
            if version_len == 0 {
                let kind = match version_rest.first() {
                    Some(&b) if class(b) == Class::Other => ErrorKind::ByteInvalid,
                    _ => ErrorKind::ProtocolVersionMissing,
                };
                return Err(self.error(kind, version_start));
            }
            version = version_rest.get(..version_len);
            end = version_start + version_len;
            if line.get(end) == Some(&b'/') {
                return Err(self.error(ErrorKind::ProtocolSlashRepeated, end));
            }
        }
        let after = end + ows_prefix_len(line.get(end..).unwrap_or_default());
        match line.get(after) {
            None => {
                self.line = None;
                self.index += 1;
            }
            Some(&b',') => self.skip_comma(line, after),
            Some(&b) if self.is_stray(b) => return Err(self.error(ErrorKind::ByteInvalid, after)),
            Some(_) => return Err(self.error(ErrorKind::CommaMissing, after)),
        }
        Ok(Element { name, version })
    }

    fn step(&mut self) -> Option<Result<Element<'a>, Error>> {
        loop {
            let line = match self.line {
                Some(line) => line,
                None => {
                    let line = self.lines.next()?;
                    self.line = Some(line);
                    self.pos = ows_prefix_len(line);
                    self.after_comma = false;
                    line
                }
            };
            let Some(&byte) = line.get(self.pos) else {
                if self.after_comma
                    && let Err(e) = self.empty_element(line.len())
                {
                    return Some(Err(e));
                }
                self.line = None;
                self.index += 1;
                continue;
            };
            match class(byte) {
                Class::Comma => {
                    if let Err(e) = self.empty_element(self.pos) {
                        return Some(Err(e));
                    }
                    self.skip_comma(line, self.pos);
                }
                _ if self.is_stray(byte) => {
                    return Some(Err(self.error(ErrorKind::ByteInvalid, self.pos)));
                }
                // A tchar, or `/` in Upgrade (which `element` reports as a missing name). OWS
                // cannot be here: it is skipped at the start of a line and after every comma.
                _ => return Some(self.element(line)),
            }
        }
    }
}

impl<'a, I: Iterator<Item = &'a [u8]>> Iterator for Scanner<'a, I> {
    type Item = Result<Element<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let item = self.step();
        if !matches!(item, Some(Ok(_))) {
            self.finished = true;
        }
        item
    }
}

impl<'a, I: Iterator<Item = &'a [u8]>> FusedIterator for Scanner<'a, I> {}
