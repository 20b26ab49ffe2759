//! One element of the `Upgrade` list.

use core::fmt;

use crate::config::Config;
use crate::error::{Error, ErrorKind};
use crate::list::{ListKind, Scanner};
use crate::tchar::Token;

/// A protocol of the `Upgrade` field, borrowed from its input.
///
/// RFC 9110 section 7.8:
///
/// ```text
/// protocol         = protocol-name ["/" protocol-version]
/// protocol-name    = token
/// protocol-version = token
/// ```
///
/// Two protocols [match](Protocol::matches) when their names are equal ignoring ASCII case and
/// their versions are equal exactly (both absent, or the same bytes).
///
/// # Examples
///
/// ```
/// use upgrade_grammar::{Protocol, ErrorKind};
///
/// let offered = Protocol::parse(b"HTTP/2.0")?;
/// assert_eq!(offered.name().as_str(), "HTTP");
/// assert_eq!(offered.version().map(|v| v.as_str()), Some("2.0"));
/// assert!(offered.matches(&Protocol::parse(b"http/2.0")?));
/// assert!(!offered.matches(&Protocol::parse(b"http/2")?));
///
/// let err = Protocol::parse(b"foo/").unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (ErrorKind::ProtocolVersionMissing, 4));
/// # Ok::<(), upgrade_grammar::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Protocol<'a> {
    name: Token<'a>,
    version: Option<Token<'a>>,
}

impl<'a> Protocol<'a> {
    /// A protocol from its validated parts.
    pub const fn new(name: Token<'a>, version: Option<Token<'a>>) -> Self {
        Protocol { name, version }
    }

    /// Parses exactly one `protocol-name ["/" protocol-version]`, as it would appear as the only
    /// element of a field line (surrounding SP/HTAB allowed).
    ///
    /// # Errors
    ///
    /// The errors of [`parse_upgrade`](crate::parse_upgrade) under the sender grammar, with
    /// [`ErrorKind::ElementsTooMany`] for a second element and [`ErrorKind::TokenEmpty`] for
    /// empty input.
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Error> {
        let config = Config::SENDER.with_max_elements(1);
        let mut scanner = Scanner::new(core::iter::once(bytes), ListKind::Upgrade, config);
        let first = match scanner.next() {
            Some(item) => item?,
            None => return Err(Error::new(ErrorKind::TokenEmpty, 0, bytes.len())),
        };
        if let Some(Err(e)) = scanner.next() {
            return Err(e);
        }
        Ok(Protocol::from_element(first.name, first.version))
    }

    pub(crate) fn from_element(name: &'a [u8], version: Option<&'a [u8]>) -> Self {
        Protocol {
            name: Token::from_checked(name),
            version: version.map(Token::from_checked),
        }
    }

    /// The protocol name, as it appeared in the input.
    pub const fn name(&self) -> Token<'a> {
        self.name
    }

    /// The protocol version, as it appeared in the input, if there was one.
    pub const fn version(&self) -> Option<Token<'a>> {
        self.version
    }

    /// RFC 9110 section 7.8 equality: names ASCII-case-insensitively, versions exactly.
    pub fn matches(&self, other: &Protocol<'_>) -> bool {
        self.name.eq_ignore_ascii_case(other.name.as_bytes())
            && self.version.map(|v| v.as_bytes()) == other.version.map(|v| v.as_bytes())
    }

    /// Whether this protocol's name is `name`, ignoring ASCII case (any version).
    pub fn is_named(&self, name: &[u8]) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

impl fmt::Display for Protocol<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::format::Element::write_to(self, f)
    }
}

impl fmt::Debug for Protocol<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Protocol({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_names_case_insensitively_and_versions_exactly() {
        let p = |s: &'static str| Protocol::parse(s.as_bytes()).unwrap();
        assert!(p("WebSocket").matches(&p("websocket")));
        assert!(!p("foo/A").matches(&p("foo/a")));
        assert!(!p("foo").matches(&p("foo/1")));
        assert!(!p("websocket").matches(&p("websockets")));
    }

    #[test]
    fn parse_rejects_second_element_and_empty_input() {
        let err = Protocol::parse(b"a, b").unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::ElementsTooMany, 3));
        let err = Protocol::parse(b"  ").unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::TokenEmpty, 2));
    }

    #[test]
    fn displays_canonical_form() {
        assert_eq!(
            Protocol::parse(b" IRC/6.9 ").unwrap().to_string(),
            "IRC/6.9"
        );
    }
}
