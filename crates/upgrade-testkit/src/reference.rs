//! A slow reference parser for the `Upgrade` and `Connection` lists, written straight from the
//! ABNF of RFC 9110 and sharing no code with `upgrade-grammar`: the oracle of the differential
//! properties and fuzz target.
//!
//! ```text
//! Upgrade           = #protocol                          ; RFC 9110 7.8
//! protocol          = protocol-name ["/" protocol-version]
//! Connection        = #connection-option                 ; RFC 9110 7.6.1
//! connection-option = token
//! token             = 1*tchar                            ; RFC 9110 5.6.2
//! tchar             = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
//!                     "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
//! OWS               = *( SP / HTAB )                     ; RFC 9110 5.6.3
//! ```
//!
//! Each field line value is split at every comma into segments, and each segment is judged on
//! its own, left to right, stopping at the first error. Where an error is reported follows the
//! rule of `upgrade_grammar::ErrorKind`: at the first offending byte, or at the line's length
//! when the line ends too early.

use upgrade_grammar::{Config, ErrorKind, Grammar};

/// Which list is parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// `Upgrade = #protocol`: elements are `name["/"version]`.
    Upgrade,
    /// `Connection = #connection-option`: elements are single tokens.
    Connection,
}

/// One element of a list: a protocol, or a connection option (a name without version).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RefItem {
    /// The protocol name or connection option, as it appeared in the input.
    pub name: Vec<u8>,
    /// The protocol version, as it appeared in the input; always `None` in a `Connection` list.
    pub version: Option<Vec<u8>>,
}

impl RefItem {
    /// An item from its parts.
    pub fn new(name: &[u8], version: Option<&[u8]>) -> Self {
        RefItem {
            name: name.to_vec(),
            version: version.map(<[u8]>::to_vec),
        }
    }

    /// An item from its text: `name` or `name/version`.
    pub fn from_text(text: &str) -> Self {
        match text.split_once('/') {
            Some((name, version)) => RefItem::new(name.as_bytes(), Some(version.as_bytes())),
            None => RefItem::new(text.as_bytes(), None),
        }
    }

    /// Equality of RFC 9110 section 7.8: names ignoring ASCII case, versions exactly.
    pub fn matches(&self, other: &RefItem) -> bool {
        self.name.eq_ignore_ascii_case(&other.name) && self.version == other.version
    }
}

/// What a parser made of a list: the complete elements before the first error, and that error
/// as `(kind, line, offset)`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct RefOutcome {
    /// The elements read before the first error (all of them when there is none).
    pub items: Vec<RefItem>,
    /// The first error: its kind, the index of its field line and the byte offset in that line.
    pub error: Option<(ErrorKind, usize, usize)>,
}

impl RefOutcome {
    /// Whether the list was valid.
    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }

    /// Whether an item read is named `name`, ignoring ASCII case.
    pub fn lists(&self, name: &[u8]) -> bool {
        self.items
            .iter()
            .any(|item| item.name.eq_ignore_ascii_case(name))
    }
}

/// Every `tchar`, in ABNF order: the 15 delimiters-that-are-not, the digits, the letters.
pub const TCHARS: &[u8; 77] = b"!#$%&'*+-.^_`|~\
    0123456789\
    ABCDEFGHIJKLMNOPQRSTUVWXYZ\
    abcdefghijklmnopqrstuvwxyz";

/// `tchar` of RFC 9110 section 5.6.2: one of [`TCHARS`].
#[inline]
pub fn ref_is_tchar(b: u8) -> bool {
    REF_TCHAR[usize::from(b)]
}

/// [`TCHARS`] as a table by byte, built at compile time, so that fuzzing spends its time on the
/// parsers rather than on a search.
static REF_TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < TCHARS.len() {
        table[TCHARS[i] as usize] = true;
        i += 1;
    }
    table
};

/// A field line value or list element without its leading and trailing SP / HTAB (RFC 9110
/// section 5.5).
pub fn trim_ows(mut value: &[u8]) -> &[u8] {
    while let [b, rest @ ..] = value
        && is_ows(*b)
    {
        value = rest;
    }
    while let [rest @ .., b] = value
        && is_ows(*b)
    {
        value = rest;
    }
    value
}

/// SP or HTAB, the bytes of OWS (RFC 9110 section 5.6.3).
fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// A byte that no valid list of this kind can hold anywhere.
fn is_stray(kind: RefKind, b: u8) -> bool {
    if b == b'/' {
        return kind == RefKind::Connection;
    }
    !(ref_is_tchar(b) || is_ows(b) || b == b',')
}

/// Parses the field line values `lines` as one list of `kind` under `config`: the elements
/// before the first error, and that error.
pub fn reference_parse(kind: RefKind, lines: &[&[u8]], config: Config) -> RefOutcome {
    let mut parser = Parser {
        kind,
        config,
        elements: 0,
        empty: 0,
        items: Vec::new(),
    };
    let error = lines.iter().enumerate().find_map(|(index, line)| {
        let error = parser.line(line).err();
        error.map(|(error_kind, offset)| (error_kind, index, offset))
    });
    RefOutcome {
        items: parser.items,
        error,
    }
}

/// An error of one line: its kind and the offset of the offending byte.
type Fault = (ErrorKind, usize);

/// One list across its field lines: the element counts so far, and the elements read.
struct Parser {
    kind: RefKind,
    config: Config,
    elements: usize,
    empty: usize,
    items: Vec<RefItem>,
}

impl Parser {
    fn line(&mut self, line: &[u8]) -> Result<(), Fault> {
        // An empty or all-whitespace value is an empty list, not an empty element.
        if line.iter().all(|&b| is_ows(b)) {
            return Ok(());
        }
        let mut start = 0;
        for terminator in (0..line.len())
            .filter(|&i| line[i] == b',')
            .chain([line.len()])
        {
            self.segment(line, start, terminator)?;
            start = terminator + 1;
        }
        Ok(())
    }

    /// Judges the segment `line[start..terminator]`, where `terminator` is the offset of the
    /// comma that ends it or the line's length.
    fn segment(&mut self, line: &[u8], start: usize, terminator: usize) -> Result<(), Fault> {
        let (kind, config) = (self.kind, self.config);
        let Some(ts) = (start..terminator).find(|&i| !is_ows(line[i])) else {
            // An empty element: forbidden to senders, skipped by recipients up to the bound.
            self.empty += 1;
            return match config.grammar() {
                Grammar::Sender => Err((ErrorKind::ElementEmpty, terminator)),
                Grammar::Recipient if self.empty > config.max_empty_elements() => {
                    Err((ErrorKind::EmptyElementsTooMany, terminator))
                }
                Grammar::Recipient => Ok(()),
            };
        };
        if is_stray(kind, line[ts]) {
            return Err((ErrorKind::ByteInvalid, ts));
        }
        self.elements += 1;
        if self.elements > config.max_elements() {
            return Err((ErrorKind::ElementsTooMany, ts));
        }
        if kind == RefKind::Upgrade && line[ts] == b'/' {
            return Err((ErrorKind::ProtocolNameMissing, ts));
        }
        // The end of the run of `tchar` that starts at `from`.
        let run_end = |from: usize| {
            from + line[from..]
                .iter()
                .take_while(|&&b| ref_is_tchar(b))
                .count()
        };
        let mut end = run_end(ts);
        let name = &line[ts..end];
        let mut version = None;
        if kind == RefKind::Upgrade && end < terminator && line[end] == b'/' {
            let v = end + 1;
            let w = run_end(v);
            if w == v {
                if v < line.len() && is_stray(kind, line[v]) {
                    return Err((ErrorKind::ByteInvalid, v));
                }
                return Err((ErrorKind::ProtocolVersionMissing, v));
            }
            if w < line.len() && line[w] == b'/' {
                return Err((ErrorKind::ProtocolSlashRepeated, w));
            }
            version = Some(&line[v..w]);
            end = w;
        }
        if let Some(f) = (end..terminator).find(|&i| !is_ows(line[i])) {
            return Err(match is_stray(kind, line[f]) {
                true => (ErrorKind::ByteInvalid, f),
                false => (ErrorKind::CommaMissing, f),
            });
        }
        self.items.push(RefItem::new(name, version));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tchar_is_alpha_digit_or_one_of_fifteen_symbols() {
        let spelled = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
        assert!((0..=255).all(|b| ref_is_tchar(b) == spelled(b)));
        assert_eq!((0..=255).filter(|&b| ref_is_tchar(b)).count(), TCHARS.len());
    }
}
