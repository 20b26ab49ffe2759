//! Reading the field lines of a message, whatever holds them.

use crate::word::at_least;

/// Read access to the header field lines of one message.
///
/// RFC 9110 section 5.2 and 5.3: a field may arrive as several field lines; every line counts,
/// in the order received, and field names compare case-insensitively. Implementations yield the
/// value of every line whose name equals `name` ignoring ASCII case, in order, without copying.
///
/// Implemented for slices and arrays of [`httparse::Header`], of `(&str, &[u8])` and of
/// `(&str, &str)` pairs, and, with the `http` feature, for `http::HeaderMap`.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::FieldLines;
///
/// let headers = [("Connection", "keep-alive"), ("Host", "a"), ("connection", "Upgrade")];
/// let lines: Vec<&[u8]> = headers.lines("CONNECTION").collect();
/// assert_eq!(lines, [&b"keep-alive"[..], b"Upgrade"]);
/// assert_eq!(headers.lines("Upgrade").count(), 0);
/// ```
pub trait FieldLines {
    /// The values of every field line named `name` (ASCII-case-insensitively), in order.
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's;

    /// Hands the name and value of every field line to `visit`, in order, and returns `true`;
    /// or returns `false` without calling it, when the lines can only be looked up by name.
    ///
    /// [`negotiate`](crate::negotiate) reads every field it needs in this one pass when it can;
    /// otherwise it calls [`lines`](FieldLines::lines) once per field. The default returns
    /// `false`; the implementations of this crate make the one pass.
    fn visit_lines<'s>(&'s self, visit: impl FnMut(&'s [u8], &'s [u8])) -> bool {
        let _ = visit;
        false
    }
}

impl FieldLines for [httparse::Header<'_>] {
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    }

    // Inlined into `negotiate`, the pass shares its frame and saved registers: 15 to 27
    // instructions fewer per request on the benches' requests than a call.
    #[inline(always)]
    fn visit_lines<'s>(&'s self, mut visit: impl FnMut(&'s [u8], &'s [u8])) -> bool {
        self.iter().for_each(|h| visit(h.name.as_bytes(), h.value));
        true
    }
}

impl FieldLines for [(&str, &[u8])] {
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v)
    }

    fn visit_lines<'s>(&'s self, mut visit: impl FnMut(&'s [u8], &'s [u8])) -> bool {
        self.iter().for_each(|&(n, v)| visit(n.as_bytes(), v));
        true
    }
}

impl FieldLines for [(&str, &str)] {
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v.as_bytes())
    }

    fn visit_lines<'s>(&'s self, mut visit: impl FnMut(&'s [u8], &'s [u8])) -> bool {
        self.iter()
            .for_each(|&(n, v)| visit(n.as_bytes(), v.as_bytes()));
        true
    }
}

impl<T, const N: usize> FieldLines for [T; N]
where
    [T]: FieldLines,
{
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.as_slice().lines(name)
    }

    fn visit_lines<'s>(&'s self, visit: impl FnMut(&'s [u8], &'s [u8])) -> bool {
        self.as_slice().visit_lines(visit)
    }
}

#[cfg(feature = "http")]
impl FieldLines for http::HeaderMap {
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        // A name that is not a valid header name finds nothing: `get_all` parses it.
        self.get_all(name).iter().map(http::HeaderValue::as_bytes)
    }

    fn visit_lines<'s>(&'s self, mut visit: impl FnMut(&'s [u8], &'s [u8])) -> bool {
        // Lines of one name come out in order, which is all the fields read need.
        self.iter()
            .for_each(|(n, v)| visit(n.as_str().as_bytes(), v.as_bytes()));
        true
    }
}

/// How many field lines of one name there are, and the value of the last one read.
///
/// The value is read only when there is one line, whose value it then is: a field of several
/// lines (rare: most are one line, and one line more is mostly a request to refuse) is looked up
/// again when all its lines are read. Kept for every line, it is written without a branch. It is
/// an `Option` so that an empty slot is zero bytes, the cheapest to set up: a request clears a
/// slot per field read.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Slot<'s> {
    last: Option<&'s [u8]>,
    count: usize,
}

impl<'s> Slot<'s> {
    fn push(&mut self, value: &'s [u8]) {
        self.last = Some(value);
        self.count = self.count.saturating_add(1);
    }

    /// Whether the field has at least one line ([`has`]).
    pub(crate) const fn is_present(&self) -> bool {
        self.count != 0
    }

    /// The value of the only line ([`single`]).
    pub(crate) fn single(&self) -> Result<Option<&'s [u8]>, Repeated> {
        match self.count {
            0 | 1 => Ok(self.last),
            _ => Err(Repeated),
        }
    }

    /// The value of the field's line when it has exactly one.
    pub(crate) fn only(&self) -> Option<&'s [u8]> {
        match self.count {
            1 => self.last,
            _ => None,
        }
    }

    /// Every line's value, in order: the one kept, or all of them looked up again in `headers`
    /// by `name` when there are several.
    pub(crate) fn lines<H: FieldLines + ?Sized>(
        &self,
        headers: &'s H,
        name: &'s str,
    ) -> SlotLines<impl Iterator<Item = &'s [u8]>, impl Iterator<Item = &'s [u8]>> {
        match self.count {
            0 | 1 => SlotLines::Kept(self.last.into_iter()),
            _ => SlotLines::All(headers.lines(name)),
        }
    }
}

/// The lines of a [`Slot`]: kept, or looked up again.
pub(crate) enum SlotLines<K, A> {
    Kept(K),
    All(A),
}

impl<'s, K: Iterator<Item = &'s [u8]>, A: Iterator<Item = &'s [u8]>> Iterator for SlotLines<K, A> {
    type Item = &'s [u8];

    #[inline]
    fn next(&mut self) -> Option<&'s [u8]> {
        match self {
            SlotLines::Kept(kept) => kept.next(),
            SlotLines::All(all) => all.next(),
        }
    }
}

/// The fields the server side reads, collected in one pass over the field lines
/// ([`FieldLines::visit_lines`]), or one lookup per field where that pass is not offered: one
/// slot per name of [`Fields::NAMES`], in that order.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields<'s> {
    slots: [Slot<'s>; 9],
}

impl<'s> Fields<'s> {
    /// Every slot empty, before the field lines are read: only the pointers and counts are
    /// written.
    #[inline]
    pub(crate) fn new() -> Self {
        Fields {
            slots: [Slot::default(); 9],
        }
    }

    /// The slot of each field read, which is its name's index in [`Fields::NAMES`].
    const HOST: usize = 0;
    const UPGRADE: usize = 1;
    const CONNECTION: usize = 2;
    const CONTENT_LENGTH: usize = 3;
    const TRANSFER_ENCODING: usize = 4;
    const EXPECT: usize = 5;
    const WEBSOCKET_VERSION: usize = 6;
    const WEBSOCKET_KEY: usize = 7;
    const HTTP2_SETTINGS: usize = 8;

    /// The field names read, each at the index of its slot. An index given twice leaves a name
    /// empty, which [`Name::new`] refuses: the build fails.
    // Evaluated only at compile time: an out-of-bounds index here fails the build.
    #[allow(clippy::indexing_slicing)]
    const NAMES: [&'static str; 9] = {
        let mut names = [""; 9];
        names[Fields::HOST] = "host";
        names[Fields::UPGRADE] = "upgrade";
        names[Fields::CONNECTION] = "connection";
        names[Fields::CONTENT_LENGTH] = "content-length";
        names[Fields::TRANSFER_ENCODING] = "transfer-encoding";
        names[Fields::EXPECT] = "expect";
        names[Fields::WEBSOCKET_VERSION] = "sec-websocket-version";
        names[Fields::WEBSOCKET_KEY] = "sec-websocket-key";
        names[Fields::HTTP2_SETTINGS] = "http2-settings";
        names
    };

    /// [`Fields::NAMES`] as [`is_name`] compares them.
    const READ: [Name; 9] = {
        let [a, b, c, d, e, f, g, h, i] = Fields::NAMES;
        [
            Name::new(a),
            Name::new(b),
            Name::new(c),
            Name::new(d),
            Name::new(e),
            Name::new(f),
            Name::new(g),
            Name::new(h),
            Name::new(i),
        ]
    };

    /// One bit per length of the names read, at `length % 64`: one shift of a constant turns
    /// away the field lines whose name has another length, which no rule reads.
    const LENGTHS: u64 = {
        let mut lengths = 0;
        let mut names: &[&str] = &Fields::NAMES;
        while let [name, rest @ ..] = names {
            lengths |= 1 << (name.len() % 64);
            names = rest;
        }
        lengths
    };

    /// The fields of `headers`.
    #[cfg(test)]
    pub(crate) fn read<H: FieldLines + ?Sized>(headers: &'s H) -> Self {
        let mut fields = Fields::new();
        fields.fill(headers);
        fields
    }

    /// Fills the empty slots from `headers`, in place: the slots are not moved after.
    #[inline]
    pub(crate) fn fill<H: FieldLines + ?Sized>(&mut self, headers: &'s H) {
        if !headers.visit_lines(|name, value| {
            if let Some(slot) = self.slot(name) {
                slot.push(value);
            }
        }) {
            for name in Fields::NAMES {
                if let Some(slot) = self.slot(name.as_bytes()) {
                    // An only line's value and whether there is a second: all a slot reads.
                    headers
                        .lines(name)
                        .take(2)
                        .for_each(|value| slot.push(value));
                }
            }
        }
    }

    /// The slot of the field named `name` (ASCII-case-insensitively), if it is one read. The
    /// many fields not read (`User-Agent`, `Accept`, `Cookie`, `Sec-Fetch-Mode`) stop at
    /// [`Fields::LENGTHS`] or at the [`hash`] of their length and first byte; for the others,
    /// the hash picks the one name to compare, whose words are constants in the comparison.
    #[inline]
    fn slot(&mut self, name: &[u8]) -> Option<&mut Slot<'s>> {
        if Fields::LENGTHS >> (name.len() % 64) & 1 == 0 {
            return None;
        }
        // Two names read with the same hash would make an arm unreachable, which the lints
        // refuse, and leave the second name's slot empty, which the tests catch.
        match hash(name.len(), *name.first()?) {
            Fields::HOST_HASH => self.named(name, Fields::HOST),
            Fields::UPGRADE_HASH => self.named(name, Fields::UPGRADE),
            Fields::CONNECTION_HASH => self.named(name, Fields::CONNECTION),
            Fields::CONTENT_LENGTH_HASH => self.named(name, Fields::CONTENT_LENGTH),
            Fields::TRANSFER_ENCODING_HASH => self.named(name, Fields::TRANSFER_ENCODING),
            Fields::EXPECT_HASH => self.named(name, Fields::EXPECT),
            Fields::WEBSOCKET_VERSION_HASH => self.named(name, Fields::WEBSOCKET_VERSION),
            Fields::WEBSOCKET_KEY_HASH => self.named(name, Fields::WEBSOCKET_KEY),
            Fields::HTTP2_SETTINGS_HASH => self.named(name, Fields::HTTP2_SETTINGS),
            _ => None,
        }
    }

    /// The [`hash`] of each name read, by its index in [`Fields::NAMES`].
    const HOST_HASH: usize = Fields::hash_of(Fields::HOST);
    const UPGRADE_HASH: usize = Fields::hash_of(Fields::UPGRADE);
    const CONNECTION_HASH: usize = Fields::hash_of(Fields::CONNECTION);
    const CONTENT_LENGTH_HASH: usize = Fields::hash_of(Fields::CONTENT_LENGTH);
    const TRANSFER_ENCODING_HASH: usize = Fields::hash_of(Fields::TRANSFER_ENCODING);
    const EXPECT_HASH: usize = Fields::hash_of(Fields::EXPECT);
    const WEBSOCKET_VERSION_HASH: usize = Fields::hash_of(Fields::WEBSOCKET_VERSION);
    const WEBSOCKET_KEY_HASH: usize = Fields::hash_of(Fields::WEBSOCKET_KEY);
    const HTTP2_SETTINGS_HASH: usize = Fields::hash_of(Fields::HTTP2_SETTINGS);

    /// The [`hash`] of the name read at `index`.
    // Evaluated only at compile time: an out-of-bounds index here fails the build.
    #[allow(clippy::indexing_slicing)]
    const fn hash_of(index: usize) -> usize {
        let name = Fields::NAMES[index].as_bytes();
        hash(name.len(), name[0])
    }

    /// The slot at `index` when `name` is the name read there.
    #[inline(always)]
    fn named(&mut self, name: &[u8], index: usize) -> Option<&mut Slot<'s>> {
        if is_name(name, Fields::READ.get(index)?) {
            self.slots.get_mut(index)
        } else {
            None
        }
    }

    /// `Host`.
    pub(crate) const fn host(&self) -> &Slot<'s> {
        &self.slots[Fields::HOST]
    }

    /// `Upgrade`.
    pub(crate) const fn upgrade(&self) -> &Slot<'s> {
        &self.slots[Fields::UPGRADE]
    }

    /// `Connection`.
    pub(crate) const fn connection(&self) -> &Slot<'s> {
        &self.slots[Fields::CONNECTION]
    }

    /// `Content-Length`.
    pub(crate) const fn content_length(&self) -> &Slot<'s> {
        &self.slots[Fields::CONTENT_LENGTH]
    }

    /// `Transfer-Encoding`.
    pub(crate) const fn transfer_encoding(&self) -> &Slot<'s> {
        &self.slots[Fields::TRANSFER_ENCODING]
    }

    /// `Expect`.
    pub(crate) const fn expect(&self) -> &Slot<'s> {
        &self.slots[Fields::EXPECT]
    }

    /// `Sec-WebSocket-Version`.
    pub(crate) const fn websocket_version(&self) -> &Slot<'s> {
        &self.slots[Fields::WEBSOCKET_VERSION]
    }

    /// `Sec-WebSocket-Key`.
    pub(crate) const fn websocket_key(&self) -> &Slot<'s> {
        &self.slots[Fields::WEBSOCKET_KEY]
    }

    /// `HTTP2-Settings`.
    pub(crate) const fn http2_settings(&self) -> &Slot<'s> {
        &self.slots[Fields::HTTP2_SETTINGS]
    }
}

/// Where a name of `len` bytes starting with `first` falls among the names read: the length
/// plus the first byte, modulo 32. Both cases of a letter hash alike (they differ in bit 5
/// only), and the nine names read have nine hashes.
#[inline(always)]
const fn hash(len: usize, first: u8) -> usize {
    len.wrapping_add(first as usize) % 32
}

/// A lowercase field name of 4 to 24 bytes, as [`is_name`] compares it: up to three words of
/// its bytes, and in each the case bit of every letter.
struct Name {
    len: usize,
    words: [u64; 3],
    letters: [u64; 3],
}

impl Name {
    /// The words of a name of 8 to 16 bytes are its first and last eight bytes (which overlap);
    /// up to 24 bytes, the middle eight too; of 4 to 7 bytes, its first and last four (which
    /// overlap) in one word. Other lengths fail the build.
    // Evaluated at compile time for the names read: a name of another length fails the build.
    #[allow(clippy::expect_used)]
    const fn new(lower: &str) -> Name {
        let bytes = lower.as_bytes();
        let words = Name::words(bytes).expect("a field name of 4 to 24 bytes");
        let [first, middle, last] = words;
        Name {
            len: bytes.len(),
            words,
            letters: [letter_bits(first), letter_bits(middle), letter_bits(last)],
        }
    }

    /// The words of `bytes` as [`Name::new`] describes them, or `None` for another length.
    #[inline(always)]
    const fn words(bytes: &[u8]) -> Option<[u64; 3]> {
        let n = bytes.len();
        match n {
            4..8 => match (half_at(bytes, 0), half_at(bytes, n - 4)) {
                (Some(first), Some(last)) => {
                    let word = first | (last << 32);
                    Some([word, word, word])
                }
                _ => None,
            },
            8..=24 => match (
                word_at(bytes, 0),
                word_at(bytes, if n > 16 { 8 } else { 0 }),
                word_at(bytes, n - 8),
            ) {
                (Some(first), Some(middle), Some(last)) => Some([first, middle, last]),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Whether `name` is `expected` ignoring ASCII case: a byte of `name` passes for a letter of
/// `expected` with its case bit set, and for any other byte only as itself (`\r` is never `-`).
/// Compares the words of [`Name`], stopping at the first that differs.
#[inline(always)]
fn is_name(name: &[u8], expected: &Name) -> bool {
    if name.len() != expected.len {
        return false;
    }
    let Some(words) = Name::words(name) else {
        return false;
    };
    words
        .iter()
        .zip(expected.letters.iter().zip(&expected.words))
        .all(|(&word, (&letters, &lower))| word | letters == lower)
}

/// The eight bytes of `bytes` from `at`, as a little-endian word.
#[inline(always)]
const fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    match bytes.split_at_checked(at) {
        Some((_, rest)) => match rest.first_chunk::<8>() {
            Some(chunk) => Some(u64::from_le_bytes(*chunk)),
            None => None,
        },
        None => None,
    }
}

/// The four bytes of `bytes` from `at`, as a little-endian word.
#[inline(always)]
const fn half_at(bytes: &[u8], at: usize) -> Option<u64> {
    match bytes.split_at_checked(at) {
        Some((_, rest)) => match rest.first_chunk::<4>() {
            Some(chunk) => Some(u32::from_le_bytes(*chunk) as u64),
            None => None,
        },
        None => None,
    }
}

/// `0x20` in each byte of `word` that is a lowercase ASCII letter, `0` in the others, for the
/// words of a field name read: its bytes are lowercase letters, digits and `-`, so the letters
/// are the bytes at or above `a`, and the sums never carry (every byte is below `0x80`).
const fn letter_bits(word: u64) -> u64 {
    at_least(word, b'a') >> 2
}

/// Whether the message has at least one field line named `name`.
pub(crate) fn has<H: FieldLines + ?Sized>(headers: &H, name: &str) -> bool {
    headers.lines(name).next().is_some()
}

/// The value of the only field line named `name`: `Ok(None)` when there is none, `Err(Repeated)`
/// when there are several.
pub(crate) fn single<'s, H: FieldLines + ?Sized>(
    headers: &'s H,
    name: &'s str,
) -> Result<Option<&'s [u8]>, Repeated> {
    let mut lines = headers.lines(name);
    let first = lines.next();
    if lines.next().is_some() {
        Err(Repeated)
    } else {
        Ok(first)
    }
}

/// A field that must appear at most once appeared on several lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Repeated;

/// A field line value without its leading and trailing SP / HTAB (RFC 9110 section 5.5).
#[inline]
pub(crate) fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    // Most values arrive trimmed by the parser that split the lines.
    if !value.first().is_some_and(is_ows) && !value.last().is_some_and(is_ows) {
        return value;
    }
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    value.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_spaces_and_tabs_only() {
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b""), b"");
        assert_eq!(trim_ows(b"\x0ba\x0b"), b"\x0ba\x0b");
        // Whitespace at one end only.
        assert_eq!(trim_ows(b" \ta"), b"a");
        assert_eq!(trim_ows(b"a \t"), b"a");
    }

    #[test]
    fn httparse_headers_match_names_ignoring_ascii_case_only() {
        let headers = [
            httparse::Header {
                name: "Upgrade",
                value: b"a",
            },
            httparse::Header {
                name: "UPGRADE",
                value: b"b",
            },
            httparse::Header {
                name: "Upgrade-x",
                value: b"c",
            },
        ];
        let lines: Vec<&[u8]> = headers.lines("upgrade").collect();
        assert_eq!(lines, [&b"a"[..], b"b"]);
    }

    #[test]
    fn field_names_match_ignoring_the_case_of_letters_only() {
        for name in Fields::NAMES {
            let upper = name.to_ascii_uppercase();
            let expected = Name::new(name);
            assert!(is_name(name.as_bytes(), &expected));
            assert!(is_name(upper.as_bytes(), &expected));
            for at in 0..name.len() {
                for b in 0..=255u8 {
                    let mut other = name.as_bytes().to_vec();
                    other[at] = b;
                    assert_eq!(
                        is_name(&other, &expected),
                        other.eq_ignore_ascii_case(name.as_bytes()),
                        "{name} with {b:#04x} at {at}"
                    );
                }
            }
        }
        assert!(!is_name(b"hos", &Name::new("host")));
        // What `letter_bits` relies on.
        for name in Fields::NAMES {
            assert!(
                name.bytes()
                    .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'))
            );
        }
    }

    #[test]
    fn a_field_line_fills_the_slot_of_its_name_and_no_other() {
        let mut names: Vec<Vec<u8>> = Vec::new();
        for name in Fields::NAMES.map(str::as_bytes) {
            // Every byte value at every position of each name read, and the name one byte
            // shorter and longer, or longer by 32 and 64 bytes (lengths no name read has).
            for at in 0..name.len() {
                for b in 0..=255u8 {
                    let mut other = name.to_vec();
                    other[at] = b;
                    names.push(other);
                }
            }
            names.push(name[1..].to_vec());
            names.push([name, b"s"].concat());
            for more in [32, 64] {
                names.push([name, &[b'-'; 64][..more]].concat());
            }
        }
        // Every first byte at every length up to 130.
        for len in 0..=130 {
            for first in 0..=255u8 {
                let mut name = vec![b'-'; len];
                if let Some(b) = name.first_mut() {
                    *b = first;
                }
                names.push(name);
            }
        }
        for name in &names {
            let mut fields = Fields::new();
            if let Some(slot) = fields.slot(name) {
                slot.push(b"v");
            }
            for (slot, expected) in fields.slots.iter().zip(Fields::NAMES) {
                assert_eq!(
                    slot.is_present(),
                    name.eq_ignore_ascii_case(expected.as_bytes()),
                    "{:?} in the slot of {expected}",
                    String::from_utf8_lossy(name)
                );
            }
        }
    }

    /// Field lines that can only be looked up by name, as a parser of another crate may give.
    struct ByNameOnly<'a>(&'a [(&'a str, &'a str)]);

    impl FieldLines for ByNameOnly<'_> {
        fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
            self.0.lines(name)
        }
    }

    #[test]
    fn fields_are_the_same_read_in_one_pass_or_by_name() {
        let headers = [
            ("Host", "a"),
            ("upgrade", "h2c"),
            ("X-Other", "1"),
            ("UPGRADE", "websocket"),
            ("Upgrade", "foo"),
            ("Connection", "upgrade"),
            ("Sec-WebSocket-Key", "k"),
            ("sec-websocket-version", "13"),
            ("sec-websocket-version", "8"),
            ("HTTP2-Settings", ""),
            ("Content-Length", "1"),
            ("Transfer-Encoding", "chunked"),
            ("Expect", "100-continue"),
            ("content-lengths", "2"),
            ("Sec-Fetch-Mode", "cors"),
        ];
        let by_name = ByNameOnly(&headers);
        let one_pass = Fields::read(&headers);
        let looked_up = Fields::read(&by_name);
        for fields in [one_pass, looked_up] {
            let upgrade: Vec<&[u8]> = fields.upgrade().lines(&headers, "upgrade").collect();
            assert_eq!(upgrade, [&b"h2c"[..], b"websocket", b"foo"]);
            assert_eq!(fields.host().single(), Ok(Some(&b"a"[..])));
            assert_eq!(fields.websocket_key().single(), Ok(Some(&b"k"[..])));
            assert_eq!(fields.websocket_version().single(), Err(Repeated));
            assert_eq!(fields.http2_settings().single(), Ok(Some(&b""[..])));
            let lengths: Vec<&[u8]> = fields
                .content_length()
                .lines(&headers, "content-length")
                .collect();
            assert_eq!(lengths, [&b"1"[..]]);
            assert!(fields.transfer_encoding().is_present() && fields.expect().is_present());
            assert!(fields.connection().is_present());
        }
        let none = Fields::read(&[("Accept", "*/*")]);
        assert!(!none.host().is_present() && none.host().single() == Ok(None));
    }

    /// Every line, in order, through [`FieldLines::visit_lines`], which says it made the pass.
    fn visited<H: FieldLines + ?Sized>(headers: &H) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut seen = Vec::new();
        assert!(headers.visit_lines(|name, value| seen.push((name.to_vec(), value.to_vec()))));
        seen
    }

    #[test]
    fn every_implementation_visits_every_line_in_order() {
        let expected = vec![
            (b"Host".to_vec(), b"a".to_vec()),
            (b"upgrade".to_vec(), b"h2c".to_vec()),
            (b"Upgrade".to_vec(), b"websocket".to_vec()),
        ];
        let strs = [("Host", "a"), ("upgrade", "h2c"), ("Upgrade", "websocket")];
        let bytes = strs.map(|(n, v)| (n, v.as_bytes()));
        let parsed = strs.map(|(name, v)| httparse::Header {
            name,
            value: v.as_bytes(),
        });
        assert_eq!(visited(&strs), expected);
        assert_eq!(visited(strs.as_slice()), expected);
        assert_eq!(visited(&bytes), expected);
        assert_eq!(visited(bytes.as_slice()), expected);
        assert_eq!(visited(parsed.as_slice()), expected);
        #[cfg(feature = "http")]
        {
            let mut map = http::HeaderMap::new();
            for (name, value) in strs {
                let name = http::HeaderName::from_bytes(name.as_bytes()).unwrap();
                map.append(name, http::HeaderValue::from_static(value));
            }
            let lowercase: Vec<_> = expected
                .iter()
                .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
                .collect();
            assert_eq!(visited(&map), lowercase);
        }
    }

    #[test]
    fn single_tells_none_one_and_several_apart() {
        let headers: [(&str, &[u8]); 3] = [("a", b"1"), ("b", b"2"), ("B", b"3")];
        assert_eq!(single(&headers, "c"), Ok(None));
        assert_eq!(single(&headers, "A"), Ok(Some(&b"1"[..])));
        assert_eq!(single(&headers, "b"), Err(Repeated));
    }

    #[test]
    fn only_gives_the_value_of_a_field_of_exactly_one_line() {
        let headers = [
            ("Upgrade", "h2c"),
            ("Connection", "keep-alive"),
            ("connection", "upgrade"),
            ("Host", "a"),
            ("host", "b"),
            ("HOST", "c"),
        ];
        let fields = Fields::read(&headers);
        assert_eq!(fields.upgrade().only(), Some(&b"h2c"[..]));
        assert_eq!(fields.connection().only(), None);
        assert_eq!(fields.host().only(), None);
        assert_eq!(fields.expect().only(), None);
    }
}
