//! The error type: what is wrong and where, never what the input said.

use core::fmt;

crate::__coded_enum! {
    /// What is wrong with a list field value.
    ///
    /// Every variant is reported at the first offending byte: the shortest prefix of the field
    /// line value that no valid value starts with ends at [`Error::offset`]. When the input ends
    /// too early the offset is the length of the line.
    ///
    /// # Examples
    ///
    /// ```
    /// use upgrade_grammar::ErrorKind;
    ///
    /// assert_eq!(ErrorKind::CommaMissing.code(), "comma-missing");
    /// assert_eq!(ErrorKind::from_code("comma-missing"), Some(ErrorKind::CommaMissing));
    /// assert!(ErrorKind::ALL.contains(&ErrorKind::TokenEmpty));
    /// ```
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    pub enum ErrorKind {
        /// A byte that can never appear in this field: anything but a `tchar`, SP, HTAB and `,`
        /// (and `/` in `Upgrade`). Covers quotes, `;` parameters, CTL, CR, LF, obs-text and NBSP.
        ByteInvalid => "byte-invalid",
        /// Two elements with no comma between them, such as `foo bar` or `foo /1`.
        CommaMissing => "comma-missing",
        /// An empty list element (`, ,`, a leading or trailing comma) where the sender grammar is
        /// in force. Reported at the comma that ends the empty element, or at the end of the line.
        ElementEmpty => "element-empty",
        /// More non-empty elements than the configured bound; reported at the first byte of the
        /// first element over the bound.
        ElementsTooMany => "elements-too-many",
        /// More empty elements than the configured bound; reported where the first empty element
        /// over the bound ends (its comma, or the end of the line).
        EmptyElementsTooMany => "empty-elements-too-many",
        /// A `/` with no protocol name before it, such as `/1`.
        ProtocolNameMissing => "protocol-name-missing",
        /// A `/` with no protocol version after it, such as `foo/` or `foo/ 1`.
        ProtocolVersionMissing => "protocol-version-missing",
        /// A second `/` in one protocol, such as `foo/1/2`.
        ProtocolSlashRepeated => "protocol-slash-repeated",
        /// An empty token where one was required.
        TokenEmpty => "token-empty",
    }
}

impl ErrorKind {
    const fn describe(self) -> &'static str {
        match self {
            ErrorKind::ByteInvalid => "invalid byte in list",
            ErrorKind::CommaMissing => "missing comma between list elements",
            ErrorKind::ElementEmpty => "empty list element",
            ErrorKind::ElementsTooMany => "too many list elements",
            ErrorKind::EmptyElementsTooMany => "too many empty list elements",
            ErrorKind::ProtocolNameMissing => "missing protocol name before '/'",
            ErrorKind::ProtocolVersionMissing => "missing protocol version after '/'",
            ErrorKind::ProtocolSlashRepeated => "second '/' in protocol",
            ErrorKind::TokenEmpty => "empty token",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.describe())
    }
}

/// A malformed list: its [`kind`](Error::kind), the index of the field line it is in and the
/// 0-based byte offset of the first offending byte in that line's value as it was given (before
/// any trimming of surrounding whitespace).
///
/// The `Display` form names the position and never echoes input bytes, since header values come
/// from peers.
///
/// # Examples
///
/// ```
/// use upgrade_grammar::{parse_upgrade, Config, ErrorKind};
///
/// let err = parse_upgrade([&b"websocket;q=1"[..]], Config::RECIPIENT)
///     .validate()
///     .unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::ByteInvalid);
/// assert_eq!((err.line(), err.offset()), (0, 9));
/// assert_eq!(err.to_string(), "invalid byte in list at line 0, byte 9");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Error {
    kind: ErrorKind,
    line: usize,
    offset: usize,
}

impl Error {
    pub(crate) const fn new(kind: ErrorKind, line: usize, offset: usize) -> Self {
        Error { kind, line, offset }
    }

    /// What is wrong.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The 0-based index of the field line that holds the fault.
    pub const fn line(&self) -> usize {
        self.line
    }

    /// The 0-based offset of the first offending byte in that line's value as given; the line's
    /// length when the value ends too early.
    pub const fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, byte {}",
            self.kind, self.line, self.offset
        )
    }
}

impl core::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_kind_and_position_in_lowercase_without_period() {
        let e = Error::new(ErrorKind::ProtocolVersionMissing, 2, 7);
        let text = e.to_string();
        assert_eq!(text, "missing protocol version after '/' at line 2, byte 7");
        assert!(!text.ends_with('.'));
    }

    #[test]
    fn codes_are_unique_kebab_case() {
        for (i, a) in ErrorKind::ALL.iter().enumerate() {
            assert!(
                a.code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
            );
            assert_eq!(ErrorKind::from_code(a.code()), Some(*a));
            for b in &ErrorKind::ALL[i + 1..] {
                assert_ne!(a.code(), b.code());
            }
        }
    }
}
