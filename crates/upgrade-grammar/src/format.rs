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
    write_joined(&mut TextSink(out), protocols)
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
    write_joined(&mut TextSink(out), options)
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
    let _ = write_upgrade(&mut out, protocols);
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
    let _ = write_connection(&mut out, options);
    out
}

/// Writes protocols as a canonical `Upgrade` value, as [`write_upgrade`] does, into the start
/// of `buf`, and returns the length written; `None` when `buf` is too short (what it then holds
/// is unspecified). The names and versions are copied as bytes, without checking them as UTF-8
/// again as a `fmt::Write` would: for a server that writes its response head into a buffer.
///
/// # Examples
///
/// ```
/// use upgrade_grammar::{write_upgrade_bytes, Protocol};
///
/// let protocols = [Protocol::from_static("websocket"), Protocol::from_static("foo/2")];
/// let mut buf = [0; 16];
/// assert_eq!(write_upgrade_bytes(&mut buf, protocols), Some(16));
/// assert_eq!(&buf, b"websocket, foo/2");
/// assert_eq!(write_upgrade_bytes(&mut buf[..15], protocols), None);
/// ```
pub fn write_upgrade_bytes<'a, I>(buf: &mut [u8], protocols: I) -> Option<usize>
where
    I: IntoIterator,
    I::Item: Borrow<Protocol<'a>>,
{
    let mut out = ByteSink { buf, len: 0 };
    write_joined(&mut out, protocols).ok()?;
    Some(out.len)
}

/// Writes options as a canonical `Connection` value, as [`write_connection`] does, into the
/// start of `buf`, and returns the length written; `None` when `buf` is too short (what it then
/// holds is unspecified).
///
/// # Examples
///
/// ```
/// use upgrade_grammar::{write_connection_bytes, Token};
///
/// let options = [Token::from_static("keep-alive"), Token::from_static("Upgrade")];
/// let mut buf = [0; 32];
/// assert_eq!(write_connection_bytes(&mut buf, options), Some(19));
/// assert_eq!(&buf[..19], b"keep-alive, Upgrade");
/// assert_eq!(write_connection_bytes(&mut buf[..18], options), None);
/// ```
pub fn write_connection_bytes<'a, I>(buf: &mut [u8], options: I) -> Option<usize>
where
    I: IntoIterator,
    I::Item: Borrow<Token<'a>>,
{
    let mut out = ByteSink { buf, len: 0 };
    write_joined(&mut out, options).ok()?;
    Some(out.len)
}

/// Where canonical text goes: the separators, and the tokens each as the sink takes them best.
pub(crate) trait Sink {
    type Error;
    fn text(&mut self, text: &str) -> Result<(), Self::Error>;
    fn token(&mut self, token: Token<'_>) -> Result<(), Self::Error>;
}

/// A `fmt::Write`: every piece as text.
pub(crate) struct TextSink<'w, W: fmt::Write + ?Sized>(pub(crate) &'w mut W);

impl<W: fmt::Write + ?Sized> Sink for TextSink<'_, W> {
    type Error = fmt::Error;

    fn text(&mut self, text: &str) -> fmt::Result {
        self.0.write_str(text)
    }

    fn token(&mut self, token: Token<'_>) -> fmt::Result {
        self.0.write_str(token.as_str())
    }
}

/// A byte buffer, filled from its start: every piece as bytes. `Err` when a piece does not fit.
struct ByteSink<'b> {
    buf: &'b mut [u8],
    len: usize,
}

// `#[inline]` on these small methods: the negotiator writes its head's list through them from
// another crate, where they were otherwise called out of line (30 more instructions a head).
impl Sink for ByteSink<'_> {
    type Error = ();

    #[inline]
    fn text(&mut self, text: &str) -> Result<(), ()> {
        self.bytes(text.as_bytes())
    }

    #[inline]
    fn token(&mut self, token: Token<'_>) -> Result<(), ()> {
        self.bytes(token.as_bytes())
    }
}

impl ByteSink<'_> {
    #[inline]
    fn bytes(&mut self, bytes: &[u8]) -> Result<(), ()> {
        let end = self.len.checked_add(bytes.len()).ok_or(())?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(())?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }
}

/// A list element: it writes its canonical text straight into a [`Sink`], without the
/// formatting machinery of `Display`.
pub(crate) trait Element {
    /// Writes the element's canonical text.
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), S::Error>;
}

impl Element for Token<'_> {
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), S::Error> {
        out.token(*self)
    }
}

impl Element for Protocol<'_> {
    fn write_to<S: Sink + ?Sized>(&self, out: &mut S) -> Result<(), S::Error> {
        out.token(self.name())?;
        if let Some(version) = self.version() {
            out.text("/")?;
            out.token(version)?;
        }
        Ok(())
    }
}

fn write_joined<T, S, I>(out: &mut S, items: I) -> Result<(), S::Error>
where
    T: Element,
    S: Sink + ?Sized,
    I: IntoIterator,
    I::Item: Borrow<T>,
{
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.text(", ")?;
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
