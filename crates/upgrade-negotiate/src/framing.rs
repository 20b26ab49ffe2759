//! The request body that must be read before the new protocol starts, and `Expect`.

use crate::headers::{FieldLines, Fields, trim_ows};
use crate::reason::Reason;

/// How the request body is delimited under HTTP/1.1 (RFC 9112 section 6.3).
///
/// RFC 9110 section 7.8: the new protocol starts after the request, body included, has been
/// received, so a server reads this body to its end before handing the connection over; it
/// never belongs to the new protocol.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{Protocol, negotiate, BodyFraming, HttpVersion, Policy, RequestHead};
///
/// let offers = [Protocol::parse(b"foo")?];
/// let headers = [("Host", "a"), ("Upgrade", "foo"), ("Connection", "upgrade"), ("Content-Length", "5")];
/// let request = RequestHead::new("POST", HttpVersion::Http11, &headers);
/// let decision = negotiate(request, &offers, &Policy::default());
/// assert_eq!(decision.request_body(), Some(BodyFraming::ContentLength(5)));
/// # Ok::<(), upgrade_negotiate::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BodyFraming {
    /// No `Content-Length` and no `Transfer-Encoding`: the request has no body.
    None,
    /// `Content-Length: N`: exactly `N` bytes of body follow the head.
    ContentLength(u64),
    /// `Transfer-Encoding` ending in `chunked`: a chunked body follows the head.
    Chunked,
}

impl BodyFraming {
    /// A stable kebab-case name: `none`, `content-length` or `chunked`.
    pub const fn code(self) -> &'static str {
        match self {
            BodyFraming::None => "none",
            BodyFraming::ContentLength(_) => "content-length",
            BodyFraming::Chunked => "chunked",
        }
    }

    /// The length for `Content-Length` framing.
    pub const fn length(self) -> Option<u64> {
        match self {
            BodyFraming::ContentLength(n) => Some(n),
            BodyFraming::None | BodyFraming::Chunked => None,
        }
    }
}

/// The framing of a request body from the `Content-Length` and `Transfer-Encoding` lines that
/// `fields` kept of `headers`. A request without either, or with one `Content-Length` line of
/// digits (almost every request), is framed from the slots alone, without reading a line again.
#[inline]
pub(crate) fn request_framing<'s, H: FieldLines + ?Sized>(
    fields: &Fields<'s>,
    headers: &'s H,
) -> Result<BodyFraming, Reason> {
    let (lengths, codings) = (fields.content_length(), fields.transfer_encoding());
    match (lengths.is_present(), codings.is_present()) {
        (true, true) => Err(Reason::ContentLengthWithTransferEncoding),
        (true, false) => match lengths.single() {
            Ok(Some(line)) if let Some(length) = digits(line) => {
                Ok(BodyFraming::ContentLength(length))
            }
            _ => content_length(lengths.lines(headers, "content-length"))
                .map(BodyFraming::ContentLength),
        },
        (false, true) => transfer_encoding(codings.lines(headers, "transfer-encoding"))
            .map(|()| BodyFraming::Chunked),
        (false, false) => Ok(BodyFraming::None),
    }
}

/// RFC 9110 section 8.6: `Content-Length = 1*DIGIT`. A recipient may accept several lines or a
/// list of identical values as that one value; anything else is invalid.
fn content_length<'a>(lines: impl Iterator<Item = &'a [u8]>) -> Result<u64, Reason> {
    let mut length = None;
    for line in lines {
        let value = match digits(line) {
            Some(value) => value,
            None => line_length(line)?,
        };
        match length {
            Some(previous) if previous != value => return Err(Reason::ContentLengthInvalid),
            _ => length = Some(value),
        }
    }
    length.ok_or(Reason::ContentLengthInvalid)
}

/// The value of a line that is only digits, 1 to 19 of them (which always fit in a `u64`): the
/// line almost every request sends.
#[inline]
fn digits(line: &[u8]) -> Option<u64> {
    if line.is_empty() || line.len() > 19 {
        return None;
    }
    line.iter().try_fold(0u64, |value, &b| {
        let digit = b.wrapping_sub(b'0');
        (digit <= 9).then(|| value * 10 + u64::from(digit))
    })
}

/// The value of one `Content-Length` line of any shape, read in one pass: an element is OWS,
/// digits, OWS, and a `,` or the end of the line closes it; every element has the same value.
fn line_length(line: &[u8]) -> Result<u64, Reason> {
    let mut length = None;
    // The digits of the element being read, and whether OWS followed them.
    let mut value: Option<u64> = None;
    let mut closed = false;
    for &b in line.iter().chain([&b',']) {
        match b {
            b'0'..=b'9' if !closed => {
                value = value
                    .unwrap_or(0)
                    .checked_mul(10)
                    .and_then(|v| v.checked_add(u64::from(b - b'0')));
                if value.is_none() {
                    return Err(Reason::ContentLengthInvalid);
                }
            }
            b' ' | b'\t' => closed = value.is_some(),
            b',' => {
                let element = value.take().ok_or(Reason::ContentLengthInvalid)?;
                closed = false;
                match length {
                    Some(previous) if previous != element => {
                        return Err(Reason::ContentLengthInvalid);
                    }
                    _ => length = Some(element),
                }
            }
            _ => return Err(Reason::ContentLengthInvalid),
        }
    }
    length.ok_or(Reason::ContentLengthInvalid)
}

/// RFC 9112 sections 6.1 and 6.3: the final transfer coding of a request must be `chunked`, and
/// `chunked` is applied once.
///
/// ```text
/// Transfer-Encoding  = #transfer-coding
/// transfer-coding    = token *( OWS ";" OWS transfer-parameter )
/// transfer-parameter = token BWS "=" BWS ( token / quoted-string )
/// ```
fn transfer_encoding<'a>(lines: impl Iterator<Item = &'a [u8]>) -> Result<(), Reason> {
    let mut last_is_chunked = false;
    let mut chunked = 0usize;
    for line in lines {
        let mut scan = Scan { line, pos: 0 };
        loop {
            scan.skip_ows();
            match scan.peek() {
                None => break,
                // An empty list element, which a recipient skips (RFC 9110 section 5.6.1).
                Some(b',') => scan.pos += 1,
                Some(_) => {
                    let coding = scan.token().ok_or(Reason::TransferEncodingMalformed)?;
                    last_is_chunked = coding.eq_ignore_ascii_case(b"chunked");
                    chunked += usize::from(last_is_chunked);
                    scan.parameters()?;
                    scan.skip_ows();
                    match scan.peek() {
                        None => break,
                        Some(b',') => scan.pos += 1,
                        Some(_) => return Err(Reason::TransferEncodingMalformed),
                    }
                }
            }
        }
    }
    if last_is_chunked && chunked == 1 {
        Ok(())
    } else {
        Err(Reason::TransferEncodingNotChunked)
    }
}

/// A cursor over one field line value.
struct Scan<'a> {
    line: &'a [u8],
    pos: usize,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.line.get(self.pos).copied()
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn token(&mut self) -> Option<&'a [u8]> {
        let start = self.pos;
        while self.peek().is_some_and(upgrade_grammar::is_tchar) {
            self.pos += 1;
        }
        self.line.get(start..self.pos).filter(|t| !t.is_empty())
    }

    /// `*( OWS ";" OWS [ parameter ] )`, positioned before the OWS.
    fn parameters(&mut self) -> Result<(), Reason> {
        loop {
            let mark = self.pos;
            self.skip_ows();
            if self.peek() != Some(b';') {
                self.pos = mark;
                return Ok(());
            }
            self.pos += 1;
            self.skip_ows();
            if self.token().is_none() {
                // An empty parameter, as RFC 9110 section 5.6.6 allows.
                continue;
            }
            self.skip_ows();
            if self.peek() != Some(b'=') {
                return Err(Reason::TransferEncodingMalformed);
            }
            self.pos += 1;
            self.skip_ows();
            if self.peek() == Some(b'"') {
                self.quoted_string()?;
            } else if self.token().is_none() {
                return Err(Reason::TransferEncodingMalformed);
            }
        }
    }

    /// RFC 9110 section 5.6.4, positioned on the opening quote.
    fn quoted_string(&mut self) -> Result<(), Reason> {
        self.pos += 1;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(b) if b == b'\t' || (b >= b' ' && b != 0x7f) => self.pos += 1,
                        _ => return Err(Reason::TransferEncodingMalformed),
                    }
                }
                Some(b) if b == b'\t' || (b >= b' ' && b != 0x7f) => self.pos += 1,
                _ => return Err(Reason::TransferEncodingMalformed),
            }
        }
    }
}

/// Whether the request carries the `100-continue` expectation (RFC 9110 section 10.1.1),
/// compared ignoring ASCII case, in any of the `Expect` field lines that `fields` kept of
/// `headers` or any of their list elements. Without `Expect` (almost every request), the slot
/// alone answers.
#[inline]
pub(crate) fn expects_continue<'s, H: FieldLines + ?Sized>(
    fields: &Fields<'s>,
    headers: &'s H,
) -> bool {
    let expect = fields.expect();
    expect.is_present()
        && expect.lines(headers, "expect").any(|line| {
            line.split(|&b| b == b',')
                .any(|element| trim_ows(element).eq_ignore_ascii_case(b"100-continue"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framing<H: FieldLines + ?Sized>(headers: &H) -> Result<BodyFraming, Reason> {
        request_framing(&Fields::read(headers), headers)
    }

    fn expects_continue<H: FieldLines + ?Sized>(headers: &H) -> bool {
        super::expects_continue(&Fields::read(headers), headers)
    }

    #[test]
    fn reads_content_length_and_identical_duplicates() {
        assert_eq!(
            framing(&[("Content-Length", " 42 ")]),
            Ok(BodyFraming::ContentLength(42))
        );
        assert_eq!(
            framing(&[("Content-Length", "7, 7"), ("content-length", "007")]),
            Ok(BodyFraming::ContentLength(7))
        );
        assert_eq!(
            framing(&[("Content-Length", "18446744073709551615")]),
            Ok(BodyFraming::ContentLength(u64::MAX))
        );
    }

    #[test]
    fn reads_a_line_of_1_to_19_digits_directly() {
        assert_eq!(digits(b"0"), Some(0));
        assert_eq!(digits(b"45"), Some(45));
        assert_eq!(digits(b"9"), Some(9));
        assert_eq!(
            digits(b"9999999999999999999"),
            Some(9_999_999_999_999_999_999)
        );
        // Anything else is left to the reader of any line.
        for line in [
            &b""[..],
            b" 45",
            b"45 ",
            b"4a",
            b"/",
            b":",
            b"12345678901234567890",
        ] {
            assert_eq!(digits(line), None, "{line:?}");
        }
        assert_eq!(
            framing(&[("Content-Length", "45")]),
            Ok(BodyFraming::ContentLength(45))
        );
    }

    #[test]
    fn rejects_bad_or_conflicting_content_length() {
        for value in [
            "",
            "-1",
            "+1",
            "1 2",
            "1,2",
            "0x10",
            "1,",
            "18446744073709551616",
        ] {
            assert_eq!(
                framing(&[("Content-Length", value)]),
                Err(Reason::ContentLengthInvalid),
                "{value:?}"
            );
        }
        assert_eq!(
            framing(&[("Content-Length", "1"), ("Content-Length", "2")]),
            Err(Reason::ContentLengthInvalid)
        );
    }

    #[test]
    fn accepts_transfer_codings_ending_in_one_chunked() {
        for value in [
            "chunked",
            "Chunked",
            "gzip, chunked",
            "gzip;q=\"a\\\"b\" , ,chunked",
            "foo ; a=b ; ;c=d, chunked",
        ] {
            assert_eq!(
                framing(&[("Transfer-Encoding", value)]),
                Ok(BodyFraming::Chunked),
                "{value:?}"
            );
        }
        assert_eq!(
            framing(&[
                ("Transfer-Encoding", "gzip"),
                ("Transfer-Encoding", "chunked")
            ]),
            Ok(BodyFraming::Chunked)
        );
    }

    #[test]
    fn rejects_transfer_codings_not_ending_in_chunked() {
        for value in ["", "gzip", "chunked, gzip", "chunked, chunked", "chunkedx"] {
            assert_eq!(
                framing(&[("Transfer-Encoding", value)]),
                Err(Reason::TransferEncodingNotChunked),
                "{value:?}"
            );
        }
    }

    #[test]
    fn rejects_malformed_transfer_encoding() {
        for value in [
            "chunked gzip",
            "\"chunked\"",
            "gzip;q, chunked",
            "gzip;q=\"x, chunked",
            "a;=b",
        ] {
            assert_eq!(
                framing(&[("Transfer-Encoding", value)]),
                Err(Reason::TransferEncodingMalformed),
                "{value:?}"
            );
        }
    }

    #[test]
    fn rejects_both_framings_before_looking_at_values() {
        assert_eq!(
            framing(&[("Content-Length", "x"), ("Transfer-Encoding", "chunked")]),
            Err(Reason::ContentLengthWithTransferEncoding)
        );
    }

    #[test]
    fn codes_and_lengths_are_the_documented_ones() {
        assert_eq!(BodyFraming::None.code(), "none");
        assert_eq!(BodyFraming::ContentLength(7).code(), "content-length");
        assert_eq!(BodyFraming::Chunked.code(), "chunked");
        assert_eq!(BodyFraming::ContentLength(5).length(), Some(5));
        assert_eq!(BodyFraming::ContentLength(0).length(), Some(0));
        assert_eq!(BodyFraming::None.length(), None);
        assert_eq!(BodyFraming::Chunked.length(), None);
    }

    /// `Transfer-Encoding: gzip;p="INNER", chunked`.
    fn with_quoted_parameter(inner: &[u8]) -> Result<BodyFraming, Reason> {
        let mut value = b"gzip;p=\"".to_vec();
        value.extend_from_slice(inner);
        value.extend_from_slice(b"\", chunked");
        framing(&[("Transfer-Encoding", &value[..])])
    }

    /// RFC 9110 section 5.6.4:
    ///
    /// ```text
    /// quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE
    /// qdtext        = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
    /// quoted-pair   = "\" ( HTAB / SP / VCHAR / obs-text )
    /// ```
    #[test]
    fn quoted_parameter_values_accept_qdtext_and_quoted_pairs() {
        for inner in [
            &b""[..],
            b"\t",
            b" ",
            b"!",
            b"#[]~",
            b"a b\tc",
            b"\x80\xff",
            b"\\\"",
            b"\\\\",
            b"\\\t",
            b"\\ ",
            b"\\a",
            b"\\~",
            b"\\\x80",
            b"\\\xff",
        ] {
            assert_eq!(
                with_quoted_parameter(inner),
                Ok(BodyFraming::Chunked),
                "{}",
                inner.escape_ascii()
            );
        }
    }

    #[test]
    fn quoted_parameter_values_reject_controls_del_and_bad_quoted_pairs() {
        for inner in [
            &b"\x00"[..],
            b"\x08",
            b"\n",
            b"\r",
            b"\x1f",
            b"\x7f",
            b"a\x7fb",
            b"\\\x00",
            b"\\\x1f",
            b"\\\n",
            b"\\\x7f",
        ] {
            assert_eq!(
                with_quoted_parameter(inner),
                Err(Reason::TransferEncodingMalformed),
                "{}",
                inner.escape_ascii()
            );
        }
        // An unterminated string: the closing quote is escaped, or never comes.
        for value in [
            &b"gzip;p=\"a\\\", chunked"[..],
            b"gzip;p=\"a",
            b"gzip;p=\"a\\",
        ] {
            assert_eq!(
                framing(&[("Transfer-Encoding", value)]),
                Err(Reason::TransferEncodingMalformed),
                "{}",
                value.escape_ascii()
            );
        }
    }

    #[test]
    fn finds_100_continue_in_any_line_or_element_ignoring_case() {
        assert!(expects_continue(&[("Expect", "100-Continue")]));
        assert!(expects_continue(&[
            ("Expect", "foo"),
            ("expect", " x, 100-continue ")
        ]));
        assert!(!expects_continue(&[("Expect", "100-continues")]));
        assert!(!expects_continue(&[("Expect-x", "100-continue")]));
    }
}
