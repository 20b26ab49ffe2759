//! The `Upgrade` list: `#protocol`.

use core::iter::FusedIterator;

use crate::config::Config;
use crate::error::Error;
use crate::list::{ListKind, Scanner};
use crate::protocol::Protocol;

/// Parses the field line values of an `Upgrade` field as one list of protocols.
///
/// RFC 9110 section 7.8:
///
/// ```text
/// Upgrade = #protocol
/// ```
///
/// `lines` are the values of every `Upgrade` field line of the message, in order; they combine
/// as if joined by commas, without being copied. The iterator yields each protocol, borrowed
/// from its line, once the comma or line end that closes it has been read, and stops after the
/// first error. [`Protocols::validate`] checks the whole field at once.
///
/// # Errors
///
/// Each item is an [`Error`] once the input stops matching the grammar in `config`, or goes
/// over its bounds.
///
/// # Examples
///
/// ```
/// use upgrade_grammar::{parse_upgrade, Config, ErrorKind};
///
/// let lines: [&[u8]; 2] = [b"HTTP/2.0, SHTTP/1.3", b"IRC/6.9, RTA/x11"];
/// let names: Vec<String> = parse_upgrade(lines, Config::RECIPIENT)
///     .map(|p| p.map(|p| p.to_string()))
///     .collect::<Result<_, _>>()?;
/// assert_eq!(names, ["HTTP/2.0", "SHTTP/1.3", "IRC/6.9", "RTA/x11"]);
///
/// let err = parse_upgrade([&b"websocket, \"h2c\""[..]], Config::RECIPIENT)
///     .validate()
///     .unwrap_err();
/// assert_eq!((err.kind(), err.line(), err.offset()), (ErrorKind::ByteInvalid, 0, 11));
/// # Ok::<(), upgrade_grammar::Error>(())
/// ```
#[inline]
pub fn parse_upgrade<'a, I>(lines: I, config: Config) -> Protocols<'a, I::IntoIter>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    Protocols {
        scanner: Scanner::new(lines.into_iter(), ListKind::Upgrade, config),
    }
}

/// Iterator over the protocols of an `Upgrade` field, returned by [`parse_upgrade`].
#[derive(Clone, Debug)]
pub struct Protocols<'a, I> {
    scanner: Scanner<'a, I>,
}

impl<'a, I: Iterator<Item = &'a [u8]>> Protocols<'a, I> {
    /// Checks the whole field and returns how many protocols it lists.
    ///
    /// # Errors
    ///
    /// The first error in the field.
    #[inline]
    pub fn validate(self) -> Result<usize, Error> {
        self.scanner.validate()
    }
}

impl<'a, I: Iterator<Item = &'a [u8]>> Iterator for Protocols<'a, I> {
    type Item = Result<Protocol<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.scanner
            .next()
            .map(|item| item.map(|e| Protocol::from_element(e.name, e.version)))
    }

    /// One walk over the rest of the field (see `for_each`), not one per protocol.
    #[inline]
    fn fold<B, F: FnMut(B, Self::Item) -> B>(self, init: B, mut f: F) -> B {
        self.scanner.fold(init, |acc, item| {
            f(acc, item.map(|e| Protocol::from_element(e.name, e.version)))
        })
    }
}

impl<'a, I: Iterator<Item = &'a [u8]>> FusedIterator for Protocols<'a, I> {}
