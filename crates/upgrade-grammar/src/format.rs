//! Canonical formatting of lists.

use core::borrow::Borrow;
use core::fmt;

use crate::protocol::Protocol;
use crate::tchar::Token;

/// Writes protocols as a canonical `Upgrade` value: `name[/version]` joined by `", "`.
///
/// Only validated [`Protocol`]s can be written, so the output is always a valid sender-grammar
/// list: it can never carry CR, LF, a delimiter or an empty element. Nothing is written for an
/// empty list (a valid empty field value).
///
/// # Errors
///
/// Only the errors of `out`.
///
/// # Examples
///
/// ```
/// use upgrade_grammar::{parse_upgrade, write_upgrade, Config, Protocol};
///
/// let parsed = parse_upgrade([&b" websocket ,, foo/2 "[..]], Config::RECIPIENT)
///     .collect::<Result<Vec<Protocol>, _>>()?;
/// let mut out = String::new();
/// write_upgrade(&mut out, &parsed)?;
/// assert_eq!(out, "websocket, foo/2");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_upgrade<'a, W, I>(out: &mut W, protocols: I) -> fmt::Result
where
    W: fmt::Write + ?Sized,
    I: IntoIterator,
    I::Item: Borrow<Protocol<'a>>,
{
    write_joined(out, protocols)
}

/// Writes options as a canonical `Connection` value: tokens joined by `", "`.
///
/// # Errors
///
/// Only the errors of `out`.
///
/// # Examples
///
/// ```
/// use upgrade_grammar::{write_connection, Token};
///
/// let mut out = String::new();
/// write_connection(&mut out, [Token::parse(b"keep-alive")?, Token::parse(b"Upgrade")?])?;
/// assert_eq!(out, "keep-alive, Upgrade");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_connection<'a, W, I>(out: &mut W, options: I) -> fmt::Result
where
    W: fmt::Write + ?Sized,
    I: IntoIterator,
    I::Item: Borrow<Token<'a>>,
{
    write_joined(out, options)
}

/// The canonical `Upgrade` value of `protocols` as a new string (see [`write_upgrade`]).
#[cfg(feature = "alloc")]
pub fn format_upgrade<'a, I>(protocols: I) -> alloc::string::String
where
    I: IntoIterator,
    I::Item: Borrow<Protocol<'a>>,
{
    let mut out = alloc::string::String::new();
    // Writing into a `String` cannot fail.
    let _ = write_joined(&mut out, protocols);
    out
}

/// The canonical `Connection` value of `options` as a new string (see [`write_connection`]).
#[cfg(feature = "alloc")]
pub fn format_connection<'a, I>(options: I) -> alloc::string::String
where
    I: IntoIterator,
    I::Item: Borrow<Token<'a>>,
{
    let mut out = alloc::string::String::new();
    // Writing into a `String` cannot fail.
    let _ = write_joined(&mut out, options);
    out
}

/// A list element that writes its canonical text straight into a `fmt::Write`, without the
/// formatting machinery of `Display`.
pub(crate) trait Element {
    /// Writes the element's canonical text.
    fn write_to<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result;
}

impl Element for Token<'_> {
    fn write_to<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_str(self.as_str())
    }
}

impl Element for Protocol<'_> {
    fn write_to<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        out.write_str(self.name().as_str())?;
        if let Some(version) = self.version() {
            out.write_str("/")?;
            out.write_str(version.as_str())?;
        }
        Ok(())
    }
}

fn write_joined<T, W, I>(out: &mut W, items: I) -> fmt::Result
where
    T: Element,
    W: fmt::Write + ?Sized,
    I: IntoIterator,
    I::Item: Borrow<T>,
{
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        item.borrow().write_to(out)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nothing_for_empty_list() {
        let mut out = String::new();
        write_upgrade(&mut out, core::iter::empty::<Protocol>()).unwrap();
        assert_eq!(out, "");
    }

    #[test]
    fn writes_versions_after_slash() {
        let mut out = String::new();
        let a = Protocol::parse(b"HTTP/2.0").unwrap();
        let b = Protocol::parse(b"IRC").unwrap();
        write_upgrade(&mut out, [a, b]).unwrap();
        assert_eq!(out, "HTTP/2.0, IRC");
    }
}
