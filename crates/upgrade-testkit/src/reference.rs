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
}

/// Every `tchar`, in ABNF order: the 15 delimiters-that-are-not, the digits, the letters.
pub const TCHARS: &[u8; 77] = b"!#$%&'*+-.^_`|~\
    0123456789\
    ABCDEFGHIJKLMNOPQRSTUVWXYZ\
    abcdefghijklmnopqrstuvwxyz";

/// `tchar` of RFC 9110 section 5.6.2, spelled out byte by byte.
#[inline]
pub fn ref_is_tchar(b: u8) -> bool {
    REF_TCHAR[usize::from(b)]
}

/// [`tchar_by_abnf`] evaluated once for every byte at compile time, so that fuzzing spends its
/// time on the parsers rather than on this match.
static REF_TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = tchar_by_abnf(b as u8);
        b += 1;
    }
    table
};

/// `tchar` as the ABNF spells it.
const fn tchar_by_abnf(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'#'
            | b'$'
            | b'%'
            | b'&'
            | b'\''
            | b'*'
            | b'+'
            | b'-'
            | b'.'
            | b'^'
            | b'_'
            | b'`'
            | b'|'
            | b'~'
            | b'0'..=b'9'
            | b'A'..=b'Z'
            | b'a'..=b'z'
    )
}

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

/// The end of the run of `tchar` that starts at `from`.
fn tchar_run_end(line: &[u8], from: usize) -> usize {
    let mut end = from;
    while end < line.len() && ref_is_tchar(line[end]) {
        end += 1;
    }
    end
}

/// Parses the field line values `lines` as one list of `kind` under `config`: the elements
/// before the first error, and that error.
pub fn reference_parse(kind: RefKind, lines: &[&[u8]], config: Config) -> RefOutcome {
    let mut counts = Counts::default();
    let mut outcome = RefOutcome::default();
    for (index, line) in lines.iter().enumerate() {
        if let Err((error_kind, offset)) =
            parse_line(kind, line, config, &mut counts, &mut outcome.items)
        {
            outcome.error = Some((error_kind, index, offset));
            break;
        }
    }
    outcome
}

/// Element counts of the combined field value so far, across its lines.
#[derive(Default)]
struct Counts {
    elements: usize,
    empty: usize,
}

fn parse_line(
    kind: RefKind,
    line: &[u8],
    config: Config,
    counts: &mut Counts,
    items: &mut Vec<RefItem>,
) -> Result<(), (ErrorKind, usize)> {
    // An empty or all-whitespace value is an empty list, not an empty element.
    if line.iter().all(|&b| is_ows(b)) {
        return Ok(());
    }
    let mut start = 0;
    loop {
        let terminator = line[start..]
            .iter()
            .position(|&b| b == b',')
            .map_or(line.len(), |p| start + p);
        parse_segment(kind, line, start, terminator, config, counts, items)?;
        if terminator == line.len() {
            return Ok(());
        }
        start = terminator + 1;
    }
}

/// Judges the segment `line[start..terminator]`, where `terminator` is the offset of the comma
/// that ends it or the line's length.
fn parse_segment(
    kind: RefKind,
    line: &[u8],
    start: usize,
    terminator: usize,
    config: Config,
    counts: &mut Counts,
    items: &mut Vec<RefItem>,
) -> Result<(), (ErrorKind, usize)> {
    let Some(ts) = (start..terminator).find(|&i| !is_ows(line[i])) else {
        // An empty element: forbidden to senders, skipped by recipients up to the bound.
        return match config.grammar() {
            Grammar::Sender => Err((ErrorKind::ElementEmpty, terminator)),
            Grammar::Recipient => {
                counts.empty += 1;
                if counts.empty > config.max_empty_elements() {
                    Err((ErrorKind::EmptyElementsTooMany, terminator))
                } else {
                    Ok(())
                }
            }
        };
    };
    if is_stray(kind, line[ts]) {
        return Err((ErrorKind::ByteInvalid, ts));
    }
    counts.elements += 1;
    if counts.elements > config.max_elements() {
        return Err((ErrorKind::ElementsTooMany, ts));
    }
    if kind == RefKind::Upgrade && line[ts] == b'/' {
        return Err((ErrorKind::ProtocolNameMissing, ts));
    }
    let mut end = tchar_run_end(line, ts);
    let name = &line[ts..end];
    let mut version = None;
    if kind == RefKind::Upgrade && end < terminator && line[end] == b'/' {
        let v = end + 1;
        let w = tchar_run_end(line, v);
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
    let mut f = end;
    while f < terminator && is_ows(line[f]) {
        f += 1;
    }
    if f != terminator {
        return Err(if is_stray(kind, line[f]) {
            (ErrorKind::ByteInvalid, f)
        } else {
            (ErrorKind::CommaMissing, f)
        });
    }
    items.push(RefItem::new(name, version));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    type Expected =
        Result<&'static [(&'static str, Option<&'static str>)], (ErrorKind, usize, usize)>;

    fn check(kind: RefKind, lines: &[&str], config: Config, expected: Expected) {
        let lines: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        let outcome = reference_parse(kind, &lines, config);
        match expected {
            Ok(items) => {
                assert_eq!(outcome.error, None, "{lines:?}");
                let want: Vec<RefItem> = items
                    .iter()
                    .map(|(n, v)| RefItem::new(n.as_bytes(), v.map(str::as_bytes)))
                    .collect();
                assert_eq!(outcome.items, want, "{lines:?}");
            }
            Err(error) => assert_eq!(outcome.error, Some(error), "{lines:?}"),
        }
    }

    const S: Config = Config::SENDER;
    const R: Config = Config::RECIPIENT;
    use ErrorKind::*;
    use RefKind::{Connection as C, Upgrade as U};

    #[test]
    fn tchar_set_has_77_distinct_members_matching_the_predicate() {
        let members: Vec<u8> = (0..=255u8).filter(|&b| ref_is_tchar(b)).collect();
        let mut listed = TCHARS.to_vec();
        listed.sort_unstable();
        assert_eq!(members, listed);
        assert_eq!(members.len(), 77);
    }

    #[test]
    fn parses_vectors() {
        let rfc: &[_] = &[
            ("HTTP", Some("2.0")),
            ("SHTTP", Some("1.3")),
            ("IRC", Some("6.9")),
            ("RTA", Some("x11")),
        ];
        let foo_bar_charlie: &[_] = &[("foo", None), ("bar", None), ("charlie", None)];
        let rows: &[(RefKind, &[&str], Config, Expected)] = &[
            (U, &["HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11"], S, Ok(rfc)),
            (U, &["HTTP/2.0, SHTTP/1.3", "IRC/6.9, RTA/x11"], S, Ok(rfc)),
            (U, &["foo , ,bar,charlie"], R, Ok(foo_bar_charlie)),
            (U, &["foo , ,bar,charlie"], S, Err((ElementEmpty, 0, 6))),
            (C, &["foo , ,bar,charlie"], R, Ok(foo_bar_charlie)),
            (C, &["foo , ,bar,charlie"], S, Err((ElementEmpty, 0, 6))),
            (U, &["websocket;q=1"], R, Err((ByteInvalid, 0, 9))),
            (U, &["a/b/c"], R, Err((ProtocolSlashRepeated, 0, 3))),
            (U, &["foo/"], R, Err((ProtocolVersionMissing, 0, 4))),
            (U, &["foo/ 1"], R, Err((ProtocolVersionMissing, 0, 4))),
            (U, &["foo/\"1\""], R, Err((ByteInvalid, 0, 4))),
            (U, &["/1"], R, Err((ProtocolNameMissing, 0, 0))),
            (U, &[" , /1"], R, Err((ProtocolNameMissing, 0, 3))),
            (U, &["foo bar"], R, Err((CommaMissing, 0, 4))),
            (U, &["foo /1"], R, Err((CommaMissing, 0, 4))),
            (C, &["foo bar"], R, Err((CommaMissing, 0, 4))),
            (C, &["a/b"], R, Err((ByteInvalid, 0, 1))),
            (C, &["/b"], R, Err((ByteInvalid, 0, 0))),
            (U, &["a,"], S, Err((ElementEmpty, 0, 2))),
            (U, &["a, \t"], S, Err((ElementEmpty, 0, 4))),
            (U, &["a,"], R, Ok(&[("a", None)])),
            (U, &["", " \t ", "a"], S, Ok(&[("a", None)])),
            (U, &[], S, Ok(&[])),
            (U, &["a", "b c"], R, Err((CommaMissing, 1, 2))),
            (U, &["a", "\"b\""], R, Err((ByteInvalid, 1, 0))),
            (U, &["a\r\n"], R, Err((ByteInvalid, 0, 1))),
            (U, &["caf\u{e9}"], R, Err((ByteInvalid, 0, 3))),
            (
                U,
                &["a, b", "c"],
                R.with_max_elements(2),
                Err((ElementsTooMany, 1, 0)),
            ),
            (
                U,
                &[",", " , x"],
                R.with_max_empty_elements(2),
                Err((EmptyElementsTooMany, 1, 1)),
            ),
            (
                U,
                &[",", "x"],
                R.with_max_empty_elements(2),
                Ok(&[("x", None)]),
            ),
            (
                U,
                &["!#$%&'*+-.^_`|~09AZaz/!#$%&'*+-.^_`|~09AZaz"],
                S,
                Ok(&[("!#$%&'*+-.^_`|~09AZaz", Some("!#$%&'*+-.^_`|~09AZaz"))]),
            ),
        ];
        for (kind, lines, config, expected) in rows {
            check(*kind, lines, *config, *expected);
        }
    }

    #[test]
    fn keeps_items_read_before_the_first_error() {
        let outcome = reference_parse(U, &[b"a, b/1, c d, e"], R);
        assert_eq!(
            outcome.items,
            [RefItem::new(b"a", None), RefItem::new(b"b", Some(b"1"))]
        );
        assert_eq!(outcome.error, Some((CommaMissing, 0, 10)));
    }
}
