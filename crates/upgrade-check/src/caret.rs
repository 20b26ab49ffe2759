//! Drawing a field line value for a terminal, with a caret under one of its bytes.
//!
//! Header values come from peers, so the bytes are never written raw: printable ASCII stays as
//! it is, `\` becomes `\\`, TAB, CR and LF become `\t`, `\r` and `\n`, and every other byte
//! (CTL, DEL, obs-text, each byte of a UTF-8 sequence) becomes `\xNN`. The result is plain
//! printable ASCII, one column per character, so the caret is placed by counting characters.

use std::fmt;
use std::io::{self, Write};

use upgrade_grammar::Error;
use upgrade_negotiate::FieldLines;

/// A field line value escaped for display, and the line that points at one byte of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Caret {
    /// The escaped value.
    pub(crate) text: String,
    /// Spaces up to the column where the pointed byte's rendering starts, then `^`.
    pub(crate) marker: String,
}

/// Escapes `line` and points a caret at byte `offset` of it.
///
/// An `offset` equal to the length of `line` (the end of the value, where the grammar reports
/// input that ended too early) puts the caret one column after the last character; a larger one
/// is treated the same way.
pub(crate) fn point(line: &[u8], offset: usize) -> Caret {
    let before = line.get(..offset).unwrap_or(line);
    let column = Escaped(before).to_string().len();
    Caret {
        text: Escaped(line).to_string(),
        marker: format!("{:column$}^", ""),
    }
}

/// Writes `line` escaped, then the caret under its byte `offset`, each on a line of its own
/// after `indent`.
///
/// # Errors
///
/// Only when writing to `out` fails.
pub(crate) fn write(
    out: &mut impl Write,
    indent: &str,
    line: &[u8],
    offset: usize,
) -> io::Result<()> {
    let caret = point(line, offset);
    writeln!(out, "{indent}{}", caret.text)?;
    writeln!(out, "{indent}{}", caret.marker)
}

/// Writes a grammar error found in the `field` (`Upgrade`, `Connection`) of a message: the
/// field name and the error, then the offending field line with a caret under the fault.
///
/// ```text
///   Upgrade: invalid byte in list at line 0, byte 9
///     websocket;q=1
///              ^
/// ```
///
/// # Errors
///
/// Only when writing to `out` fails.
pub(crate) fn write_field_error(
    out: &mut impl Write,
    headers: &[httparse::Header<'_>],
    field: &str,
    error: &Error,
) -> io::Result<()> {
    writeln!(out, "  {field}: {error}")?;
    // The error names a line of this field that the grammar has read, so it is there; if it
    // ever is not, the message alone still says where.
    match headers.lines(field).nth(error.line()) {
        Some(line) => write(out, "    ", line, error.offset()),
        None => Ok(()),
    }
}

/// Bytes displayed with the escapes described in the module documentation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Escaped<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &byte in self.0 {
            match byte {
                b'\\' => f.write_str("\\\\")?,
                b'\t' => f.write_str("\\t")?,
                b'\r' => f.write_str("\\r")?,
                b'\n' => f.write_str("\\n")?,
                b' '..=b'~' => f.write_str(char::from(byte).encode_utf8(&mut [0; 4]))?,
                _ => write!(f, "\\x{byte:02x}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn drawn(line: &[u8], offset: usize) -> (String, String) {
        let caret = point(line, offset);
        (caret.text, caret.marker)
    }

    #[test]
    fn points_at_the_offending_byte_of_plain_ascii() {
        let (text, marker) = drawn(b"websocket;q=1", 9);
        assert_eq!(text, "websocket;q=1");
        assert_eq!(marker, "         ^");
    }

    #[test]
    fn points_at_the_first_byte() {
        assert_eq!(drawn(b";", 0), (";".to_owned(), "^".to_owned()));
    }

    #[test]
    fn shifts_the_caret_by_the_width_of_escapes_before_the_fault() {
        // `\t` takes two columns, `\xff` four, `\\` two: the `;` is at column 3 + 2 + 4 + 2.
        let (text, marker) = drawn(b"web\t\xff\\;", 6);
        assert_eq!(text, r"web\t\xff\\;");
        assert_eq!(marker, format!("{}^", " ".repeat(11)));
        assert_eq!(text.find(';'), Some(marker.len() - 1));
    }

    #[test]
    fn puts_the_caret_on_the_first_column_of_an_escaped_fault() {
        let (text, marker) = drawn(b"web\xffsocket", 3);
        assert_eq!(text, r"web\xffsocket");
        assert_eq!(marker, "   ^");
    }

    #[test]
    fn puts_the_caret_after_the_last_column_at_end_of_line() {
        let (text, marker) = drawn(b"foo,\r", 5);
        assert_eq!(text, r"foo,\r");
        assert_eq!(marker, "      ^");
    }

    #[test]
    fn puts_the_caret_at_column_zero_for_an_empty_line() {
        assert_eq!(drawn(b"", 0), (String::new(), "^".to_owned()));
    }

    #[test]
    fn clamps_an_offset_past_the_end_to_the_end() {
        assert_eq!(drawn(b"ab", 7), drawn(b"ab", 2));
    }

    #[test]
    fn escapes_every_byte_outside_printable_ascii_and_keeps_the_rest() {
        for byte in 0..=u8::MAX {
            let text = Escaped(&[byte]).to_string();
            assert!(
                text.bytes().all(|b| (b' '..=b'~').contains(&b)),
                "{byte:#04x} drawn as {text:?}"
            );
            match byte {
                b'\\' => assert_eq!(text, r"\\"),
                b' '..=b'~' => assert_eq!(text.as_bytes(), [byte]),
                b'\t' | b'\r' | b'\n' => assert_eq!(text.len(), 2),
                _ => assert_eq!(text, format!("\\x{byte:02x}")),
            }
        }
    }

    #[test]
    fn escapes_each_byte_of_a_utf8_sequence() {
        // U+00A0 NO-BREAK SPACE, which looks like OWS but is not.
        assert_eq!(Escaped("a\u{a0}b".as_bytes()).to_string(), r"a\xc2\xa0b");
    }
}
