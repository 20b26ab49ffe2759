//! The `Connection` list: `#connection-option`.

use core::iter::FusedIterator;

use crate::config::Config;
use crate::error::Error;
use crate::list::{ListKind, Scanner};
use crate::tchar::Token;

/// Parses the field line values of a `Connection` field as one list of options.
///
/// RFC 9110 section 7.6.1:
///
/// ```text
/// Connection        = #connection-option
/// connection-option = token
/// ```
///
/// `lines` are the values of every `Connection` field line, in order. Options compare
/// ASCII-case-insensitively; [`ConnectionOptions::contains`] answers "does it list this option"
/// after checking the whole field.
///
/// # Errors
///
/// Each item is an [`Error`] once the input stops matching the grammar in `config`, or goes
/// over its bounds.
///
/// # Examples
///
/// ```
/// use upgrade_grammar::{parse_connection, Config, ErrorKind};
///
/// let lines: [&[u8]; 2] = [b"keep-alive", b"Upgrade"];
/// assert!(parse_connection(lines, Config::RECIPIENT).contains(b"upgrade")?);
/// assert!(!parse_connection([&b"notupgrade"[..]], Config::RECIPIENT).contains(b"upgrade")?);
///
/// let err = parse_connection([&b"keep-alive upgrade"[..]], Config::RECIPIENT)
///     .contains(b"upgrade")
///     .unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (ErrorKind::CommaMissing, 11));
/// # Ok::<(), upgrade_grammar::Error>(())
/// ```
#[inline]
pub fn parse_connection<'a, I>(lines: I, config: Config) -> ConnectionOptions<'a, I::IntoIter>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    ConnectionOptions {
        scanner: Scanner::new(lines.into_iter(), ListKind::Connection, config),
    }
}

/// Iterator over the options of a `Connection` field, returned by [`parse_connection`].
#[derive(Clone, Debug)]
pub struct ConnectionOptions<'a, I> {
    scanner: Scanner<'a, I>,
}

impl<'a, I: Iterator<Item = &'a [u8]>> ConnectionOptions<'a, I> {
    /// Checks the whole field and returns how many options it lists.
    ///
    /// # Errors
    ///
    /// The first error in the field.
    #[inline]
    pub fn validate(self) -> Result<usize, Error> {
        self.scanner.validate()
    }

    /// Checks the whole field and tells whether it lists `option`, ignoring ASCII case.
    ///
    /// # Errors
    ///
    /// The first error in the field, even when `option` was listed before it: a malformed
    /// `Connection` field is not trusted for any option.
    #[inline]
    pub fn contains(self, option: &[u8]) -> Result<bool, Error> {
        self.scanner.contains(option)
    }
}

impl<'a, I: Iterator<Item = &'a [u8]>> Iterator for ConnectionOptions<'a, I> {
    type Item = Result<Token<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.scanner
            .next()
            .map(|item| item.map(|e| Token::from_checked(e.name)))
    }

    /// One walk over the rest of the field (see `for_each`), not one per option.
    #[inline]
    fn fold<B, F: FnMut(B, Self::Item) -> B>(self, init: B, mut f: F) -> B {
        self.scanner.fold(init, |acc, item| {
            f(acc, item.map(|e| Token::from_checked(e.name)))
        })
    }
}

impl<'a, I: Iterator<Item = &'a [u8]>> FusedIterator for ConnectionOptions<'a, I> {}
