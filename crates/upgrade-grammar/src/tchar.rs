//! Byte classes of RFC 9110 and the validated [`Token`] type.

use core::fmt;

use crate::error::{Error, ErrorKind};

/// The class of one byte inside a list field value.
///
/// Built once, at compile time, from the ABNF of RFC 9110 section 5.6.2 and 5.6.3:
///
/// ```text
/// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*"
///       / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
///       / DIGIT / ALPHA
/// OWS   = *( SP / HTAB )
/// ```
///
/// Everything else (other delimiters, CTL, DEL, obs-text, NBSP) is [`Class::Other`], which a
/// list of tokens can never contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Class {
    /// A `tchar`.
    Tchar,
    /// SP or HTAB.
    Ows,
    /// `,`, the list separator.
    Comma,
    /// `/`, the protocol name/version separator (only meaningful in `Upgrade`).
    Slash,
    /// Any byte that may not appear in a list of tokens.
    Other,
}

/// The sixteen `tchar` symbols, as RFC 9110 section 5.6.2 lists them.
const TCHAR_SYMBOLS: &[u8] = b"!#$%&'*+-.^_`|~";

/// Whether `byte` is ALPHA, DIGIT or one of [`TCHAR_SYMBOLS`]: the definition the table is built
/// from, usable in `const` code ([`Token::from_static`]).
const fn tchar_by_grammar(byte: u8) -> bool {
    if byte.is_ascii_alphanumeric() {
        return true;
    }
    let mut rest = TCHAR_SYMBOLS;
    while let [symbol, tail @ ..] = rest {
        if *symbol == byte {
            return true;
        }
        rest = tail;
    }
    false
}

/// Class of every byte value; indexed by the byte itself, so a lookup can never go out of bounds.
// Evaluated only at compile time: an out-of-bounds index here fails the build, never a request.
#[allow(clippy::indexing_slicing)]
static CLASSES: [Class; 256] = {
    let mut table = [Class::Other; 256];
    let mut b = 0usize;
    while b < 256 {
        if tchar_by_grammar(b as u8) {
            table[b] = Class::Tchar;
        }
        b += 1;
    }
    table[b' ' as usize] = Class::Ows;
    table[b'\t' as usize] = Class::Ows;
    table[b',' as usize] = Class::Comma;
    table[b'/' as usize] = Class::Slash;
    table
};

#[inline(always)]
pub(crate) fn class(byte: u8) -> Class {
    // A `[_; 256]` indexed by `u8` has no out-of-bounds case; `get` keeps the lint honest and
    // compiles to the same single load.
    CLASSES
        .get(usize::from(byte))
        .copied()
        .unwrap_or(Class::Other)
}

/// Bit flags per byte, the same classes as [`CLASSES`] in a form that can be combined without
/// branches: [`TCHAR`], [`OWS`], [`COMMA`], [`SLASH`].
// Evaluated only at compile time: an out-of-bounds index here fails the build, never a request.
#[allow(clippy::indexing_slicing)]
static FLAGS: [u8; 256] = {
    let mut flags = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        flags[b] = match CLASSES[b] {
            Class::Tchar => TCHAR,
            Class::Ows => OWS,
            Class::Comma => COMMA,
            Class::Slash => SLASH,
            Class::Other => 0,
        };
        b += 1;
    }
    flags
};

/// Flag of a `tchar`.
pub(crate) const TCHAR: u8 = 1;
/// Flag of SP and HTAB.
pub(crate) const OWS: u8 = 2;
/// Flag of `,`.
pub(crate) const COMMA: u8 = 4;
/// Flag of `/`.
pub(crate) const SLASH: u8 = 8;

/// The flags of `byte`; `const`, so that the SSSE3 tables of `block.rs` are built from it too.
// A `[_; 256]` indexed by a `u8` cannot be out of bounds: no check is compiled, none can fail.
#[allow(clippy::indexing_slicing)]
#[inline(always)]
pub(crate) const fn flags(byte: u8) -> u8 {
    FLAGS[byte as usize]
}

/// Returns `true` when `byte` is a `tchar` of RFC 9110 section 5.6.2.
///
/// # Examples
///
/// ```
/// use upgrade_grammar::is_tchar;
/// assert!(is_tchar(b'~'));
/// assert!(!is_tchar(b'/'));
/// ```
#[inline]
pub fn is_tchar(byte: u8) -> bool {
    class(byte) == Class::Tchar
}

/// Number of leading `tchar` bytes of `bytes`.
///
/// One table lookup per byte and a branch on each. Classifying eight bytes at a time without
/// branches pays off only for tokens much longer than the ones headers carry (it was measured
/// slower on every list input of the benches, faster only on a 1 KiB token); a line that is one
/// short token is told by [`is_short_token`] before this runs.
#[inline(always)]
pub(crate) fn tchar_prefix_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| flags(b) & TCHAR == 0)
        .unwrap_or(bytes.len())
}

/// The longest line [`is_short_token`] reads.
pub(crate) const SHORT_TOKEN_MAX: usize = 16;

/// Whether `bytes` is a token of at most [`SHORT_TOKEN_MAX`] bytes (`false` when it is empty or
/// longer), read without a branch per byte: the flags of its first and last 8 bytes (or 4, or
/// its first, middle and last byte), which cover it, and-ed together.
///
/// Field lines are mostly one short token (`websocket`, `Upgrade`, `keep-alive`), and a loop
/// that stops at the first byte that is not a `tchar` takes a branch per byte of them.
#[inline(always)]
pub(crate) fn is_short_token(bytes: &[u8]) -> bool {
    #[inline(always)]
    fn and<const N: usize>(bytes: &[u8; N]) -> u8 {
        bytes.iter().fold(TCHAR, |all, &b| all & flags(b))
    }
    if bytes.len() > SHORT_TOKEN_MAX {
        return false;
    }
    let all = if let (Some(first), Some(last)) = (bytes.first_chunk::<8>(), bytes.last_chunk::<8>())
    {
        and(first) & and(last)
    } else if let (Some(first), Some(last)) = (bytes.first_chunk::<4>(), bytes.last_chunk::<4>()) {
        and(first) & and(last)
    } else {
        // One to three bytes (or none): the middle one is the second of three.
        let middle = bytes.get(bytes.len() / 2..).and_then(<[u8]>::first);
        match (bytes.first(), middle, bytes.last()) {
            (Some(&a), Some(&b), Some(&c)) => flags(a) & flags(b) & flags(c),
            _ => 0,
        }
    };
    all & TCHAR != 0
}

/// Number of leading SP/HTAB bytes of `bytes`.
#[inline]
pub(crate) fn ows_prefix_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(bytes.len())
}

/// A non-empty sequence of `tchar`, borrowed from its input.
///
/// RFC 9110 section 5.6.2:
///
/// ```text
/// token = 1*tchar
/// ```
///
/// A `Token` can only be built from valid bytes, so writing one into a header can never inject
/// CR, LF, a delimiter or any other byte outside the grammar.
///
/// # Examples
///
/// ```
/// use upgrade_grammar::Token;
///
/// let token = Token::parse(b"keep-alive")?;
/// assert_eq!(token.as_str(), "keep-alive");
/// assert!(token.eq_ignore_ascii_case(b"Keep-Alive"));
///
/// // A literal is checked at compile time.
/// const UPGRADE: Token<'static> = Token::from_static("upgrade");
/// assert_eq!(UPGRADE.as_bytes(), b"upgrade");
///
/// let err = Token::parse(b"keep alive").unwrap_err();
/// assert_eq!(err.offset(), 4);
/// # Ok::<(), upgrade_grammar::Error>(())
/// ```
///
/// `==`, `Hash` and `Ord` compare the bytes exactly: a token by itself has no case rule (methods
/// are case-sensitive, connection options are not). Compare connection options with
/// [`Token::eq_ignore_ascii_case`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Token<'a> {
    bytes: &'a [u8],
}

impl<'a> Token<'a> {
    /// Validates `bytes` as one token.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::TokenEmpty`] at offset 0 for empty input, otherwise
    /// [`ErrorKind::ByteInvalid`] at the first byte that is not a `tchar` (line 0).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        let len = tchar_prefix_len(bytes);
        if bytes.is_empty() {
            Err(Error::new(ErrorKind::TokenEmpty, 0, 0))
        } else if len < bytes.len() {
            Err(Error::new(ErrorKind::ByteInvalid, 0, len))
        } else {
            Ok(Token { bytes })
        }
    }

    /// A token from a string literal, checked when the program is compiled if used in a `const`
    /// (and when called otherwise).
    ///
    /// # Panics
    ///
    /// When `token` is empty or holds a byte that is not a `tchar`: a literal that is not a token
    /// is a mistake in the program, not in its input. Use [`Token::parse`] for input.
    ///
    /// ```compile_fail
    /// const BAD: upgrade_grammar::Token<'static> = upgrade_grammar::Token::from_static("a b");
    /// ```
    // The panic is the compile-time error of a `const` with a literal that is not a token.
    #[allow(clippy::panic)]
    pub const fn from_static(token: &'static str) -> Token<'static> {
        Token::from_static_bytes(token.as_bytes())
    }

    /// [`Token::from_static`] on bytes, for [`Protocol::from_static`](crate::Protocol::from_static).
    #[allow(clippy::panic)]
    pub(crate) const fn from_static_bytes(bytes: &'static [u8]) -> Token<'static> {
        if bytes.is_empty() {
            panic!("a token is never empty");
        }
        let mut rest = bytes;
        while let [byte, tail @ ..] = rest {
            if !tchar_by_grammar(*byte) {
                panic!("a token holds only tchar bytes");
            }
            rest = tail;
        }
        Token { bytes }
    }

    /// Wraps bytes the caller has already checked to be `1*tchar`.
    pub(crate) fn from_checked(bytes: &'a [u8]) -> Self {
        debug_assert!(!bytes.is_empty() && tchar_prefix_len(bytes) == bytes.len());
        Token { bytes }
    }

    /// The token's bytes, exactly as they appeared in the input.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The token as text (a token is always ASCII).
    #[inline]
    pub fn as_str(&self) -> &'a str {
        // Every tchar is ASCII, so this conversion cannot fail for a `Token`.
        core::str::from_utf8(self.bytes).unwrap_or_default()
    }

    /// ASCII-case-insensitive comparison, the rule for protocol names and connection options.
    ///
    /// Only ASCII letters fold: `K` (U+212A KELVIN SIGN) is never `k`, and bytes outside ASCII
    /// never equal anything in a token.
    #[inline]
    pub fn eq_ignore_ascii_case(&self, other: &[u8]) -> bool {
        crate::ascii::eq_ignore_ascii_case(self.bytes, other)
    }
}

impl fmt::Display for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Token<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl AsRef<[u8]> for Token<'_> {
    fn as_ref(&self) -> &[u8] {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ABNF, written out independently of the table: ALPHA / DIGIT / the sixteen symbols.
    fn tchar_by_abnf(b: u8) -> bool {
        matches!(b, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9')
            || [
                b'!', b'#', b'$', b'%', b'&', b'\'', b'*', b'+', b'-', b'.', b'^', b'_', b'`',
                b'|', b'~',
            ]
            .contains(&b)
    }

    #[test]
    fn is_short_token_is_every_byte_a_tchar_up_to_16_bytes() {
        for len in 1..=SHORT_TOKEN_MAX {
            for position in 0..len {
                for byte in 0..=255u8 {
                    let mut line = vec![b'a'; len];
                    line[position] = byte;
                    assert_eq!(
                        is_short_token(&line),
                        tchar_by_abnf(byte),
                        "byte {byte:#04x} at {position} of {len}"
                    );
                }
            }
        }
    }

    #[test]
    fn is_short_token_is_false_when_empty_or_longer_than_16_bytes() {
        for len in 0..=32 {
            let token = vec![b'a'; len];
            assert_eq!(is_short_token(&token), (1..=16).contains(&len), "{len}");
        }
    }

    #[test]
    fn tchar_table_matches_abnf_for_all_256_bytes() {
        for b in 0..=255u8 {
            assert_eq!(is_tchar(b), tchar_by_abnf(b), "byte {b:#04x}");
        }
        assert_eq!(
            (0..=255u8).filter(|&b| is_tchar(b)).count(),
            26 * 2 + 10 + 15
        );
    }

    #[test]
    fn class_table_has_exactly_four_delimiter_bytes() {
        for b in 0..=255u8 {
            let expected = match b {
                b' ' | b'\t' => Class::Ows,
                b',' => Class::Comma,
                b'/' => Class::Slash,
                _ if tchar_by_abnf(b) => Class::Tchar,
                _ => Class::Other,
            };
            assert_eq!(class(b), expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn tchar_prefix_len_finds_the_first_non_tchar_at_every_position() {
        for len in 0..40 {
            for stop in 0..=len {
                for stopper in [b' ', b'"', b'/', 0x80, 0xff] {
                    let mut bytes = vec![b'~'; len];
                    if let Some(b) = bytes.get_mut(stop) {
                        *b = stopper;
                    }
                    assert_eq!(tchar_prefix_len(&bytes), stop, "len {len}, stop {stop}");
                }
            }
        }
    }

    #[test]
    fn flags_agree_with_classes_for_all_256_bytes() {
        for b in 0..=255u8 {
            let expected = match class(b) {
                Class::Tchar => TCHAR,
                Class::Ows => OWS,
                Class::Comma => COMMA,
                Class::Slash => SLASH,
                Class::Other => 0,
            };
            assert_eq!(flags(b), expected, "byte {b:#04x}");
        }
    }

    #[test]
    fn rejects_empty_token() {
        assert_eq!(Token::parse(b"").unwrap_err().kind(), ErrorKind::TokenEmpty);
    }

    #[test]
    fn rejects_token_with_space_at_its_offset() {
        let err = Token::parse(b"ab c").unwrap_err();
        assert_eq!(
            (err.kind(), err.line(), err.offset()),
            (ErrorKind::ByteInvalid, 0, 2)
        );
    }

    #[test]
    fn a_token_shows_and_lends_its_bytes_as_given() {
        let t = Token::parse(b"Keep-Alive").unwrap();
        assert_eq!(t.to_string(), "Keep-Alive");
        assert_eq!(format!("{t:?}"), "\"Keep-Alive\"");
        assert_eq!(t.as_ref(), b"Keep-Alive");
    }

    #[test]
    fn token_comparison_folds_ascii_only() {
        let t = Token::parse(b"k").unwrap();
        assert!(t.eq_ignore_ascii_case(b"K"));
        assert!(!t.eq_ignore_ascii_case("\u{212A}".as_bytes()));
    }
}
