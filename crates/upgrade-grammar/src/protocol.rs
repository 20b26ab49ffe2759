//! One element of the `Upgrade` list.

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};

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
/// their versions are equal exactly (both absent, or the same bytes). `==`, `Hash` and `Ord`
/// follow the same rule, so `WebSocket == websocket` and a set of protocols holds each once,
/// whatever its spelling; [`name`](Protocol::name) still gives the spelling of the input.
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
/// // A server's offers can be constants, checked when the program is compiled.
/// const OFFERS: [Protocol<'static>; 2] = [Protocol::from_static("websocket"), Protocol::from_static("h2c")];
/// assert_eq!(OFFERS[0], Protocol::parse(b"WebSocket")?);
///
/// let err = Protocol::parse(b"foo/").unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (ErrorKind::ProtocolVersionMissing, 4));
/// # Ok::<(), upgrade_grammar::Error>(())
/// ```
#[derive(Clone, Copy)]
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

    /// A protocol from a string literal, `name` or `name/version`, checked when the program is
    /// compiled if used in a `const` (and when called otherwise).
    ///
    /// # Panics
    ///
    /// When `protocol` is not exactly one `protocol-name ["/" protocol-version]` (no whitespace):
    /// a literal that is not a protocol is a mistake in the program, not in its input. Use
    /// [`Protocol::parse`] for input.
    ///
    /// ```compile_fail
    /// const BAD: upgrade_grammar::Protocol<'static> = upgrade_grammar::Protocol::from_static("foo/");
    /// ```
    // The panic is the compile-time error of a `const` with a literal that is not a protocol.
    #[allow(clippy::panic)]
    pub const fn from_static(protocol: &'static str) -> Protocol<'static> {
        let bytes = protocol.as_bytes();
        let mut slash = 0;
        let mut rest = bytes;
        while let [byte, tail @ ..] = rest {
            if *byte == b'/' {
                break;
            }
            slash += 1;
            rest = tail;
        }
        let (name, rest) = bytes.split_at(slash);
        let name = Token::from_static_bytes(name);
        match rest.split_first() {
            None => Protocol::new(name, None),
            Some((_, version)) => Protocol::new(name, Some(Token::from_static_bytes(version))),
        }
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
    #[inline]
    pub fn matches(&self, other: &Protocol<'_>) -> bool {
        self.name.eq_ignore_ascii_case(other.name.as_bytes())
            && self.version.map(|v| v.as_bytes()) == other.version.map(|v| v.as_bytes())
    }

    /// Whether this protocol's name is `name`, ignoring ASCII case (any version).
    #[inline]
    pub fn is_named(&self, name: &[u8]) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

impl PartialEq for Protocol<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.matches(other)
    }
}

impl Eq for Protocol<'_> {}

impl Hash for Protocol<'_> {
    fn hash<S: Hasher>(&self, state: &mut S) {
        // Equal protocols hash alike: the name as lowercase ASCII, then the version as is.
        for byte in self.name.as_bytes() {
            state.write_u8(byte.to_ascii_lowercase());
        }
        state.write_usize(self.name.as_bytes().len());
        self.version.map(|v| v.as_bytes()).hash(state);
    }
}

impl Ord for Protocol<'_> {
    /// Names ignoring ASCII case, then versions exactly (a protocol without a version first).
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (self.name.as_bytes().iter(), other.name.as_bytes().iter());
        a.map(u8::to_ascii_lowercase)
            .cmp(b.map(u8::to_ascii_lowercase))
            .then_with(|| {
                self.version
                    .map(|v| v.as_bytes())
                    .cmp(&other.version.map(|v| v.as_bytes()))
            })
    }
}

impl PartialOrd for Protocol<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Protocol<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::format::Element::write_to(self, &mut crate::format::TextSink(f))
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
    fn equality_hash_and_order_follow_the_rfc_rule() {
        use std::collections::BTreeSet;
        use std::collections::hash_map::DefaultHasher;
        let p = |s: &'static str| Protocol::parse(s.as_bytes()).unwrap();
        let hash = |p: Protocol<'_>| {
            let mut h = DefaultHasher::new();
            p.hash(&mut h);
            h.finish()
        };
        assert_eq!(p("WebSocket"), p("websocket"));
        assert_eq!(hash(p("WebSocket")), hash(p("websocket")));
        assert_ne!(p("foo/A"), p("foo/a"));
        assert_ne!(p("foo"), p("foo/1"));
        assert_eq!(p("IRC/6.9").cmp(&p("irc/6.9")), Ordering::Equal);
        assert!(p("a") < p("B") && p("b") < p("b/1"));
        let set: BTreeSet<_> = [p("H2C"), p("h2c"), p("websocket")].into_iter().collect();
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn different_protocols_hash_differently() {
        use std::collections::hash_map::DefaultHasher;
        let hash = |s: &'static str| {
            let mut h = DefaultHasher::new();
            Protocol::parse(s.as_bytes()).unwrap().hash(&mut h);
            h.finish()
        };
        // A hash that ignored the protocol would put every protocol of a set in one bucket.
        assert_ne!(hash("websocket"), hash("h2c"));
        assert_ne!(hash("foo/1"), hash("foo/2"));
        assert_ne!(hash("foo"), hash("foo/1"));
    }

    #[test]
    fn from_static_splits_name_and_version() {
        const FOO: Protocol<'static> = Protocol::from_static("foo/2");
        assert_eq!(FOO.name().as_str(), "foo");
        assert_eq!(FOO.version().map(|v| v.as_str()), Some("2"));
        assert_eq!(Protocol::from_static("h2c").version(), None);
    }

    #[test]
    #[should_panic = "a token is never empty"]
    fn from_static_panics_on_an_empty_version() {
        let _ = Protocol::from_static("foo/");
    }

    #[test]
    #[should_panic = "a token holds only tchar bytes"]
    fn from_static_panics_on_a_second_slash() {
        let _ = Protocol::from_static("foo/1/2");
    }

    #[test]
    fn parse_rejects_second_element_and_empty_input() {
        let err = Protocol::parse(b"a, b").unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::ElementsTooMany, 3));
        let err = Protocol::parse(b"  ").unwrap_err();
        assert_eq!((err.kind(), err.offset()), (ErrorKind::TokenEmpty, 2));
    }

    #[test]
    fn is_named_compares_the_name_ignoring_ascii_case_whatever_the_version() {
        let p = Protocol::parse(b"WebSocket/13").unwrap();
        assert!(p.is_named(b"websocket"));
        assert!(p.is_named(b"WEBSOCKET"));
        assert!(!p.is_named(b"websocket/13"));
        assert!(!p.is_named(b"websock"));
        assert!(!p.is_named(b"h2c"));
        assert!(Protocol::parse(b"h2c").unwrap().is_named(b"H2C"));
    }

    #[test]
    fn debug_shows_the_canonical_form() {
        assert_eq!(
            format!("{:?}", Protocol::parse(b"IRC/6.9").unwrap()),
            "Protocol(IRC/6.9)"
        );
    }

    #[test]
    fn displays_canonical_form() {
        assert_eq!(
            Protocol::parse(b" IRC/6.9 ").unwrap().to_string(),
            "IRC/6.9"
        );
    }
}
