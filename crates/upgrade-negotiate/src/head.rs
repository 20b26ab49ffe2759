//! Raw HTTP/1.x message heads, through [`httparse`].

use core::fmt;

use crate::message::{HttpVersion, RequestHead, ResponseHead};
use crate::word::{HIGHS, ONES, first_marked_in_words};

/// The result of reading a message head that may not have fully arrived: the shape of
/// [`httparse::Status`].
///
/// [`Partial`](Status::Partial) is not an error: read more bytes into the same buffer and parse
/// again (with a bound on the head's size, answering 431 or closing past it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status<T> {
    /// The head is complete.
    Complete(T),
    /// The bytes end inside the head, and no byte so far is wrong.
    Partial,
}

impl<T> Status<T> {
    /// The complete value, if any.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(value) => Some(value),
            Status::Partial => None,
        }
    }

    /// Whether the head is partial.
    pub const fn is_partial(&self) -> bool {
        matches!(self, Status::Partial)
    }
}

/// Why a message head cannot be read, whatever bytes follow (RFC 9112 sections 2 to 5).
///
/// For a request, this is rule 1 of the negotiation: answer with the decision
/// `Decision::from(error)` (400, or 505 for [`VersionUnsupported`](HeadError::VersionUnsupported)).
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{parse_request, Decision, HeadError, EMPTY_HEADER};
///
/// let mut headers = [EMPTY_HEADER; 4];
/// let err = parse_request(b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", &mut headers).unwrap_err();
/// assert_eq!(err.to_string(), "invalid message head: invalid header name");
/// assert_eq!(Decision::from(err).status(), Some(400));
///
/// let err = parse_request(b"GET / HTTP/2.0\r\n", &mut headers).unwrap_err();
/// assert_eq!(err, HeadError::VersionUnsupported);
/// assert_eq!(Decision::from(err).status(), Some(505));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeadError {
    /// The head is not valid HTTP/1.x (RFC 9112), or has more field lines than the buffer
    /// holds ([`httparse::Error::TooManyHeaders`]).
    Invalid(httparse::Error),
    /// The start line is well formed but names an HTTP major version other than 1, which an
    /// HTTP/1 connection cannot speak (RFC 9110 sections 2.5 and 15.6.6: 505).
    VersionUnsupported,
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeadError::Invalid(e) => write!(f, "invalid message head: {e}"),
            HeadError::VersionUnsupported => f.write_str("unsupported HTTP major version"),
        }
    }
}

impl core::error::Error for HeadError {}

/// A request head read by [`parse_request`], borrowing the input and the field line buffer.
///
/// RFC 9112 section 2.1: `request-line *( field-line CRLF ) CRLF`, then the body. A reference
/// converts into the [`RequestHead`] that [`negotiate`](crate::negotiate) and
/// [`check_response`](crate::check_response) take.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{parse_request, HttpVersion, Status, EMPTY_HEADER};
///
/// let bytes = b"POST /up HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi";
/// let mut headers = [EMPTY_HEADER; 4];
/// let Status::Complete(parsed) = parse_request(bytes, &mut headers)? else { unreachable!() };
/// assert_eq!((parsed.method(), parsed.target(), parsed.version()), ("POST", "/up", HttpVersion::Http10));
/// assert_eq!(&bytes[parsed.head_len()..], b"hi");
/// # Ok::<(), upgrade_negotiate::HeadError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ParsedRequest<'h, 'b> {
    /// Checked to be `1*tchar`, so ASCII.
    method: &'b [u8],
    /// Checked to be visible ASCII.
    target: &'b [u8],
    version: HttpVersion,
    headers: &'h [httparse::Header<'b>],
    head_len: usize,
}

impl<'h, 'b> ParsedRequest<'h, 'b> {
    /// The method.
    pub fn method(&self) -> &'b str {
        ascii(self.method)
    }

    /// The request target.
    pub fn target(&self) -> &'b str {
        ascii(self.target)
    }

    /// The HTTP version: HTTP/1.0, or HTTP/1.1 for every later 1.x (RFC 9110 section 2.5).
    pub const fn version(&self) -> HttpVersion {
        self.version
    }

    /// The field lines, in order.
    pub const fn headers(&self) -> &'h [httparse::Header<'b>] {
        self.headers
    }

    /// The length of the head in bytes, final empty line included: the body, if any, starts
    /// there.
    pub const fn head_len(&self) -> usize {
        self.head_len
    }
}

impl<'h, 'b> From<&ParsedRequest<'h, 'b>> for RequestHead<'h, [httparse::Header<'b>]> {
    fn from(parsed: &ParsedRequest<'h, 'b>) -> Self {
        // `parse_request` read the method as one or more `tchar`.
        RequestHead::with_token_method(parsed.method, parsed.version, parsed.headers)
    }
}

impl<'h, 'b> From<ParsedRequest<'h, 'b>> for RequestHead<'h, [httparse::Header<'b>]> {
    fn from(parsed: ParsedRequest<'h, 'b>) -> Self {
        RequestHead::from(&parsed)
    }
}

/// A response head read by [`parse_response`], borrowing the input and the field line buffer.
///
/// RFC 9112 section 2.1: `status-line *( field-line CRLF ) CRLF`, then the body or, after a
/// 101, the new protocol. A reference converts into the [`ResponseHead`] that
/// [`check_response`](crate::check_response) takes.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{parse_response, HttpVersion, Status, EMPTY_HEADER};
///
/// let mut headers = [EMPTY_HEADER; 4];
/// let parsed = parse_response(b"HTTP/1.1 426 Upgrade Required\r\nUpgrade: h2c\r\n\r\n", &mut headers)?;
/// let Status::Complete(parsed) = parsed else { unreachable!() };
/// assert_eq!((parsed.status(), parsed.reason(), parsed.version()), (426, &b"Upgrade Required"[..], HttpVersion::Http11));
/// # Ok::<(), upgrade_negotiate::HeadError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ParsedResponse<'h, 'b> {
    status: u16,
    reason: &'b [u8],
    version: HttpVersion,
    headers: &'h [httparse::Header<'b>],
    head_len: usize,
}

impl<'h, 'b> ParsedResponse<'h, 'b> {
    /// The status code.
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase, as bytes: it may hold obs-text (RFC 9112 section 4).
    pub const fn reason(&self) -> &'b [u8] {
        self.reason
    }

    /// The HTTP version: HTTP/1.0, or HTTP/1.1 for every later 1.x (RFC 9110 section 2.5).
    pub const fn version(&self) -> HttpVersion {
        self.version
    }

    /// The field lines, in order.
    pub const fn headers(&self) -> &'h [httparse::Header<'b>] {
        self.headers
    }

    /// The length of the head in bytes, final empty line included: for a 101, the new
    /// protocol's bytes start there.
    pub const fn head_len(&self) -> usize {
        self.head_len
    }
}

impl<'h, 'b> From<&ParsedResponse<'h, 'b>> for ResponseHead<'h, [httparse::Header<'b>]> {
    fn from(parsed: &ParsedResponse<'h, 'b>) -> Self {
        ResponseHead::new(parsed.status, parsed.version, parsed.headers)
    }
}

impl<'h, 'b> From<ParsedResponse<'h, 'b>> for ResponseHead<'h, [httparse::Header<'b>]> {
    fn from(parsed: ParsedResponse<'h, 'b>) -> Self {
        ResponseHead::from(&parsed)
    }
}

/// Reads an HTTP/1.x request head from `bytes` into `headers`, which bounds the number of field
/// lines: the request line here (RFC 9112 section 3), the field lines with [`httparse`].
///
/// Empty lines before the request line are skipped (RFC 9112 section 2.2). `HTTP/1.x` with a
/// minor version above 1 is read as HTTP/1.1 (RFC 9110 section 2.5).
///
/// # Errors
///
/// [`HeadError::Invalid`] when the head is not valid HTTP/1.x or has more field lines than
/// `headers` holds; [`HeadError::VersionUnsupported`] for a major version other than 1. A head
/// that has not fully arrived is not an error: [`Status::Partial`].
///
/// # Examples
///
/// A server's read loop: parse what has arrived, read more while the head is partial.
///
/// ```
/// use std::io::Read;
/// use upgrade_negotiate::{negotiate, parse_request, Decision, Outcome, Policy, Protocol, Status, EMPTY_HEADER};
///
/// const OFFERS: [Protocol<'static>; 1] = [Protocol::from_static("foo")];
/// // A connection that delivers the head in two reads.
/// let mut connection = std::io::Cursor::new(b"GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: foo\r\nConnection: upgrade\r\n\r\n");
/// let mut buf = [0u8; 4096];
/// let mut len = connection.read(&mut buf[..20])?;
/// let decision = loop {
///     let mut headers = [EMPTY_HEADER; 32];
///     match parse_request(&buf[..len], &mut headers) {
///         Ok(Status::Complete(request)) => break negotiate(request, &OFFERS, &Policy::default()),
///         Ok(Status::Partial) if len < buf.len() => match connection.read(&mut buf[len..])? {
///             0 => break Decision::request_malformed(), // the peer closed mid-head
///             n => len += n,
///         },
///         Ok(Status::Partial) => break Decision::request_malformed(), // a head over the bound
///         Err(e) => break Decision::from(e),
///     }
/// };
/// assert_eq!(decision.outcome(), Outcome::Switch);
/// # Ok::<(), std::io::Error>(())
/// ```
#[inline]
pub fn parse_request<'h, 'b>(
    bytes: &'b [u8],
    headers: &'h mut [httparse::Header<'b>],
) -> Result<Status<ParsedRequest<'h, 'b>>, HeadError> {
    let mut line = Line::new(bytes);
    let Some(method) = line.method()? else {
        return Ok(Status::Partial);
    };
    let Some(target) = line.until_space(graphic_prefix_len)? else {
        return Ok(Status::Partial);
    };
    let Some(version) = line.version()? else {
        return Ok(Status::Partial);
    };
    let Some(()) = line.end()? else {
        return Ok(Status::Partial);
    };
    let Some((headers, head_len)) = line.fields(headers)? else {
        return Ok(Status::Partial);
    };
    Ok(Status::Complete(ParsedRequest {
        method,
        target,
        version,
        headers,
        head_len,
    }))
}

/// Reads an HTTP/1.x response head from `bytes` into `headers`, which bounds the number of field
/// lines: the status line here (RFC 9112 section 4), the field lines with [`httparse`].
///
/// # Errors
///
/// As [`parse_request`].
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{parse_response, Status, EMPTY_HEADER};
///
/// let bytes = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: upgrade\r\n\r\n\x00";
/// let mut headers = [EMPTY_HEADER; 16];
/// let Status::Complete(parsed) = parse_response(bytes, &mut headers)? else { unreachable!() };
/// assert_eq!((parsed.status(), parsed.headers().len()), (101, 2));
/// assert_eq!(&bytes[parsed.head_len()..], b"\x00");
///
/// assert!(parse_response(b"HTTP/1.1 101 Switching", &mut headers)?.is_partial());
/// # Ok::<(), upgrade_negotiate::HeadError>(())
/// ```
pub fn parse_response<'h, 'b>(
    bytes: &'b [u8],
    headers: &'h mut [httparse::Header<'b>],
) -> Result<Status<ParsedResponse<'h, 'b>>, HeadError> {
    let mut line = Line::new(bytes);
    let Some(version) = line.version()? else {
        return Ok(Status::Partial);
    };
    let Some(status) = line.status_code()? else {
        return Ok(Status::Partial);
    };
    let Some(reason) = line.reason()? else {
        return Ok(Status::Partial);
    };
    let Some((headers, head_len)) = line.fields(headers)? else {
        return Ok(Status::Partial);
    };
    Ok(Status::Complete(ParsedResponse {
        status,
        reason,
        version,
        headers,
        head_len,
    }))
}

/// `Ok(None)`: the bytes end before the part is complete.
type Part<T> = Result<Option<T>, HeadError>;

const fn invalid(kind: httparse::Error) -> HeadError {
    HeadError::Invalid(kind)
}

/// A cursor over the start line of a head.
struct Line<'b> {
    rest: &'b [u8],
    start: usize,
}

impl<'b> Line<'b> {
    const fn new(bytes: &'b [u8]) -> Self {
        Line {
            rest: bytes,
            start: bytes.len(),
        }
    }

    fn consumed(&self) -> usize {
        self.start - self.rest.len()
    }

    /// Skips empty lines; `false` when the bytes end inside one (a lone CR).
    fn skip_empty_lines(&mut self) -> bool {
        loop {
            self.rest = match self.rest {
                [b'\r', b'\n', rest @ ..] | [b'\n', rest @ ..] => rest,
                [b'\r'] => return false,
                _ => return true,
            };
        }
    }

    /// The method of a request line and the SP after it (consumed), after any empty lines
    /// (RFC 9112 section 2.2).
    ///
    /// `GET ` and `POST ` start almost every request: each is compared as one word, which
    /// answers them without a branch per byte. Any other start is read byte by byte.
    #[inline]
    fn method(&mut self) -> Part<&'b [u8]> {
        let known = if self.rest.first_chunk() == Some(b"GET ") {
            3
        } else if self.rest.first_chunk() == Some(b"POST ") {
            4
        } else {
            0
        };
        match self.rest.split_at_checked(known) {
            Some((method, rest)) if !method.is_empty() => {
                self.rest = rest.get(1..).unwrap_or_default();
                Ok(Some(method))
            }
            _ if !self.skip_empty_lines() => Ok(None),
            _ => self.until_space(|bytes| prefix_len(bytes, is_tchar)),
        }
    }

    /// One or more bytes of a class, then SP (consumed); `prefix_len` counts the bytes of the
    /// class that start its argument.
    fn until_space(&mut self, prefix_len: impl Fn(&[u8]) -> usize) -> Part<&'b [u8]> {
        let len = prefix_len(self.rest);
        let (word, rest) = self.rest.split_at(len);
        match rest.first() {
            None => Ok(None),
            Some(b' ') if !word.is_empty() => {
                self.rest = rest.get(1..).unwrap_or_default();
                Ok(Some(word))
            }
            Some(_) => Err(invalid(httparse::Error::Token)),
        }
    }

    /// `HTTP/` DIGIT `.` DIGIT (RFC 9112 section 2.3).
    ///
    /// The eight bytes are read as one word. When fewer have arrived, the missing ones are taken
    /// from `HTTP/1.1`, so that the bytes that did arrive are held to the same shape; the part
    /// is then incomplete.
    #[inline]
    fn version(&mut self) -> Part<HttpVersion> {
        const SHAPE: [u8; 8] = *b"HTTP/1.1";
        let (bytes, rest) = match self.rest.split_first_chunk::<8>() {
            Some((&bytes, rest)) => (bytes, Some(rest)),
            None => {
                let mut bytes = SHAPE;
                bytes
                    .iter_mut()
                    .zip(self.rest)
                    .for_each(|(byte, &arrived)| *byte = arrived);
                (bytes, None)
            }
        };
        let [.., major, _, minor] = bytes;
        let word = u64::from_le_bytes(bytes);
        // `HTTP/` and `.`, then the two digits.
        let fixed = u64::from_le_bytes([0xff, 0xff, 0xff, 0xff, 0xff, 0, 0xff, 0]);
        if (word ^ u64::from_le_bytes(SHAPE)) & fixed != 0
            || !major.is_ascii_digit()
            || !minor.is_ascii_digit()
        {
            return Err(invalid(httparse::Error::Version));
        }
        let Some(rest) = rest else {
            return Ok(None);
        };
        self.rest = rest;
        match major {
            b'1' => Ok(Some(if minor == b'0' {
                HttpVersion::Http10
            } else {
                HttpVersion::Http11
            })),
            _ => Err(HeadError::VersionUnsupported),
        }
    }

    /// CRLF, or a bare LF (RFC 9112 section 2.2).
    #[inline(always)]
    fn end(&mut self) -> Part<()> {
        match self.rest {
            [] | [b'\r'] => Ok(None),
            [b'\r', b'\n', rest @ ..] | [b'\n', rest @ ..] => {
                self.rest = rest;
                Ok(Some(()))
            }
            _ => Err(invalid(httparse::Error::NewLine)),
        }
    }

    /// SP, then a three-digit status code (RFC 9112 section 4).
    fn status_code(&mut self) -> Part<u16> {
        let digits = self.rest.get(1..).unwrap_or_default();
        for (at, &b) in self.rest.iter().take(4).enumerate() {
            if (at == 0 && b != b' ') || (at > 0 && !b.is_ascii_digit()) {
                return Err(invalid(httparse::Error::Status));
            }
        }
        let Some((code, rest)) = digits.split_first_chunk::<3>() else {
            return Ok(None);
        };
        self.rest = rest;
        Ok(Some(
            code.iter().fold(0, |n, d| n * 10 + u16::from(d - b'0')),
        ))
    }

    /// `SP reason-phrase` or nothing, then the end of the line; the reason is
    /// `*( HTAB / SP / VCHAR / obs-text )`.
    fn reason(&mut self) -> Part<&'b [u8]> {
        let text = match self.rest.split_first() {
            Some((b' ', text)) => text,
            _ => {
                return match self.end()? {
                    Some(()) => Ok(Some(&[])),
                    None => Ok(None),
                };
            }
        };
        let len = text
            .iter()
            .position(|&b| !(b == b'\t' || b == b' ' || b.is_ascii_graphic() || b >= 0x80))
            .unwrap_or(text.len());
        let (reason, rest) = text.split_at(len);
        self.rest = rest;
        Ok(self.end()?.map(|()| reason))
    }

    /// The field lines and the empty line that ends the head; the head's length.
    #[inline(always)]
    fn fields<'h>(
        &self,
        headers: &'h mut [httparse::Header<'b>],
    ) -> Part<(&'h [httparse::Header<'b>], usize)> {
        match httparse::parse_headers(self.rest, headers) {
            Ok(httparse::Status::Complete((len, headers))) => {
                Ok(Some((headers, self.consumed() + len)))
            }
            Ok(httparse::Status::Partial) => Ok(None),
            Err(e) => Err(invalid(e)),
        }
    }
}

fn is_tchar(byte: u8) -> bool {
    upgrade_grammar::is_tchar(byte)
}

/// The number of leading bytes of `bytes` in `class`.
fn prefix_len(bytes: &[u8], class: impl Fn(u8) -> bool) -> usize {
    bytes.iter().position(|&b| !class(b)).unwrap_or(bytes.len())
}

/// The number of leading visible ASCII bytes (`VCHAR`, 0x21 to 0x7E) of `bytes`: the bytes of a
/// request target. Eight bytes at a time, then [`prefix_len`] for the last ones.
///
/// In each word, bit 7 of a byte is set in `below` when the byte is under 0x21 (subtracting
/// 0x21 borrows) and in `above` when it is 0x7F or more (adding 1 reaches 0x80, or bit 7 was
/// set). A borrow or carry crosses into the next byte only from a byte that is itself marked, so
/// the lowest marked byte is exactly the first byte that is not visible ASCII.
#[inline]
fn graphic_prefix_len(bytes: &[u8]) -> usize {
    let not_graphic = |word: u64| {
        let below = word.wrapping_sub(ONES * 0x21) & !word;
        let above = word.wrapping_add(ONES) | word;
        (below | above) & HIGHS
    };
    match first_marked_in_words(bytes, not_graphic) {
        Ok(at) => at,
        Err(at) => {
            let rest = bytes.get(at..).unwrap_or_default();
            at + prefix_len(rest, |b| b.is_ascii_graphic())
        }
    }
}

/// The text of a start-line part already checked to be visible ASCII, so always all of it.
fn ascii(bytes: &[u8]) -> &str {
    core::str::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(bytes: &[u8]) -> Result<Status<(String, HttpVersion, usize)>, HeadError> {
        let mut headers = [httparse::EMPTY_HEADER; 4];
        Ok(match parse_request(bytes, &mut headers)? {
            Status::Complete(r) => {
                Status::Complete((r.method().to_owned(), r.version(), r.head_len()))
            }
            Status::Partial => Status::Partial,
        })
    }

    #[test]
    fn method_reads_what_the_loop_after_the_empty_lines_reads() {
        // The words compared, each byte of them changed to every value, cut short, after an
        // empty line, and the methods they start or resemble.
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        for method in [&b"GET / "[..], b"POST / "] {
            for len in 0..=method.len() {
                inputs.push(method[..len].to_vec());
                inputs.push([b"\r\n", &method[..len]].concat());
            }
            for at in 0..method.len() {
                for byte in 0..=255u8 {
                    let mut bytes = method.to_vec();
                    bytes[at] = byte;
                    inputs.push(bytes);
                }
            }
        }
        for other in [
            &b"GETS / "[..],
            b"POSTS / ",
            b"get / ",
            b"PUT / ",
            b"G\tT / ",
            b"GET\t/ ",
        ] {
            inputs.push(other.to_vec());
        }
        for bytes in &inputs {
            let mut line = Line::new(bytes);
            let mut looped = Line::new(bytes);
            let expected = match looped.skip_empty_lines() {
                true => looped.until_space(|bytes| prefix_len(bytes, is_tchar)),
                false => Ok(None),
            };
            let shown = String::from_utf8_lossy(bytes);
            assert_eq!(line.method(), expected, "{shown:?}");
            assert_eq!(line.rest, looped.rest, "{shown:?}");
        }
        let mut line = Line::new(b"POST / HTTP/1.1");
        assert_eq!(
            (line.method(), line.rest),
            (Ok(Some(&b"POST"[..])), &b"/ HTTP/1.1"[..])
        );
    }

    #[test]
    fn graphic_prefix_len_stops_at_the_first_byte_that_is_not_visible_ascii() {
        // Every byte value at every position of a target of up to 24 bytes, between visible
        // bytes, with bytes of every value after it: the word-at-a-time reading must stop
        // exactly where a byte-at-a-time reading does.
        for len in 1..=24 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    for after in [0x00, 0x21, 0x7e, 0x7f, 0x80, 0xff] {
                        let mut bytes = vec![b'a'; len];
                        bytes[at] = byte;
                        bytes[at + 1..].fill(after);
                        let expected = prefix_len(&bytes, |b| b.is_ascii_graphic());
                        assert_eq!(
                            graphic_prefix_len(&bytes),
                            expected,
                            "{byte:#04x} at {at} of {len}, then {after:#04x}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn version_refuses_every_byte_out_of_its_shape_and_waits_for_the_rest() {
        let good = *b"HTTP/1.1";
        for at in 0..good.len() {
            for byte in 0..=255u8 {
                let mut bytes = good;
                bytes[at] = byte;
                let fits = byte == good[at] || (at == 5 || at == 7) && byte.is_ascii_digit();
                for len in 0..=bytes.len() {
                    let mut line = Line::new(&bytes[..len]);
                    let got = line.version();
                    let expected = match (fits || len <= at, len == bytes.len()) {
                        (false, _) => Err(invalid(httparse::Error::Version)),
                        (true, false) => Ok(None),
                        (true, true) if at == 5 && byte != b'1' => {
                            Err(HeadError::VersionUnsupported)
                        }
                        (true, true) if at == 7 && byte == b'0' => Ok(Some(HttpVersion::Http10)),
                        (true, true) => Ok(Some(HttpVersion::Http11)),
                    };
                    assert_eq!(got, expected, "{byte:#04x} at {at}, first {len} bytes");
                }
            }
        }
    }

    #[test]
    fn only_a_partial_status_is_partial() {
        assert!(Status::<()>::Partial.is_partial());
        assert!(!Status::Complete(()).is_partial());
        assert_eq!(Status::Complete(7).complete(), Some(7));
        assert_eq!(Status::<u8>::Partial.complete(), None);
    }

    #[test]
    fn every_truncated_prefix_of_a_head_is_partial() {
        let bytes = b"\r\nGET / HTTP/1.1\r\nUpgrade: a\r\n\r\n";
        for len in 0..bytes.len() {
            assert_eq!(request(&bytes[..len]), Ok(Status::Partial), "{len}");
        }
        assert_eq!(
            request(bytes),
            Ok(Status::Complete((
                "GET".into(),
                HttpVersion::Http11,
                bytes.len()
            )))
        );
        let bytes = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: a\r\n\r\n";
        for len in 0..bytes.len() {
            let mut headers = [httparse::EMPTY_HEADER; 4];
            assert!(
                parse_response(&bytes[..len], &mut headers)
                    .unwrap()
                    .is_partial(),
                "{len}"
            );
        }
    }

    #[test]
    fn reads_later_http1_minor_versions_as_http11_and_rejects_other_majors() {
        for (line, version) in [
            (&b"GET / HTTP/1.0\r\n\r\n"[..], HttpVersion::Http10),
            (b"GET / HTTP/1.1\r\n\r\n", HttpVersion::Http11),
            (b"GET / HTTP/1.2\r\n\r\n", HttpVersion::Http11),
            (b"GET / HTTP/1.9\n\n", HttpVersion::Http11),
        ] {
            let Ok(Status::Complete((_, got, _))) = request(line) else {
                panic!("{line:?}");
            };
            assert_eq!(got, version);
        }
        for line in [
            &b"GET / HTTP/2.0\r\n"[..],
            b"GET / HTTP/0.9\r\n\r\n",
            b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        ] {
            assert_eq!(
                request(line),
                Err(HeadError::VersionUnsupported),
                "{line:?}"
            );
        }
        let mut headers = [httparse::EMPTY_HEADER; 4];
        let Ok(Status::Complete(r)) = parse_response(b"HTTP/1.3 200 OK\r\n\r\n", &mut headers)
        else {
            panic!();
        };
        assert_eq!(
            (r.version(), r.status(), r.reason()),
            (HttpVersion::Http11, 200, &b"OK"[..])
        );
    }

    #[test]
    fn reports_invalid_start_lines_at_the_first_wrong_byte() {
        for (line, kind) in [
            (&b"GE@T / HTTP/1.1\r\n"[..], httparse::Error::Token),
            (b" GET / HTTP/1.1\r\n", httparse::Error::Token),
            (b"GET  / HTTP/1.1\r\n", httparse::Error::Token),
            (b"GET /\x7f HTTP/1.1\r\n", httparse::Error::Token),
            (b"GET / HTTP/1.1 \r\n", httparse::Error::NewLine),
            (b"GET / http/1.1\r\n", httparse::Error::Version),
            (b"GET / HTTP/11", httparse::Error::Version),
            (b"GET / HTTP/1.1\rX", httparse::Error::NewLine),
        ] {
            assert_eq!(request(line), Err(HeadError::Invalid(kind)), "{line:?}");
        }
        let mut headers = [httparse::EMPTY_HEADER; 4];
        for line in [
            &b"HTTP/1.1 1o1 X\r\n\r\n"[..],
            b"HTTP/1.1  101\r\n",
            b"HTTP/1.1 1011\r\n",
        ] {
            assert!(
                matches!(
                    parse_response(line, &mut headers),
                    Err(HeadError::Invalid(_))
                ),
                "{line:?}"
            );
        }
        assert!(matches!(
            parse_response(b"HTTP/1.1 101 A\x01B\r\n\r\n", &mut headers),
            Err(HeadError::Invalid(httparse::Error::NewLine))
        ));
    }

    #[test]
    fn reads_a_status_line_without_reason_and_obs_text_reasons() {
        let mut headers = [httparse::EMPTY_HEADER; 4];
        let Ok(Status::Complete(r)) = parse_response(b"HTTP/1.1 101\r\n\r\n", &mut headers) else {
            panic!();
        };
        assert_eq!((r.status(), r.reason()), (101, &b""[..]));
        let Ok(Status::Complete(r)) =
            parse_response(b"HTTP/1.0 200 \xe9t\xe9\r\n\r\n", &mut headers)
        else {
            panic!();
        };
        assert_eq!(
            (r.status(), r.reason(), r.version()),
            (200, &b"\xe9t\xe9"[..], HttpVersion::Http10)
        );
    }

    /// RFC 9112 section 4: `reason-phrase = 1*( HTAB / SP / VCHAR / obs-text )`, with obs-text
    /// `%x80-FF`.
    #[test]
    fn reads_reason_phrases_of_htab_sp_vchar_and_obs_text() {
        let mut headers = [httparse::EMPTY_HEADER; 4];
        let Ok(Status::Complete(r)) =
            parse_response(b"HTTP/1.1 200 a\tb ~!\x80\xff\r\n\r\n", &mut headers)
        else {
            panic!();
        };
        assert_eq!(r.reason(), b"a\tb ~!\x80\xff");
        for byte in [0x00, 0x08, 0x0b, 0x1f, 0x7f] {
            let line = [&b"HTTP/1.1 200 a"[..], &[byte], b"\r\n\r\n"].concat();
            let mut headers = [httparse::EMPTY_HEADER; 4];
            assert!(
                matches!(
                    parse_response(&line, &mut headers),
                    Err(HeadError::Invalid(_))
                ),
                "{byte:#04x}"
            );
        }
    }

    #[test]
    fn reports_too_many_headers() {
        let mut headers = [httparse::EMPTY_HEADER; 1];
        assert_eq!(
            parse_request(b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", &mut headers).unwrap_err(),
            HeadError::Invalid(httparse::Error::TooManyHeaders)
        );
    }
}
