//! Raw HTTP/1.x message heads, through [`httparse`].

use core::fmt;

use crate::message::{HttpVersion, Request, Response};

/// Why a message head could not be read (RFC 9112 sections 2 to 5).
///
/// For a request, either is rule 1 of the negotiation: answer with
/// [`Decision::request_malformed`](crate::Decision::request_malformed) (400), unless the
/// head is [`Incomplete`](HeadError::Incomplete) and more bytes may still arrive.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{parse_request, HeadError};
///
/// let mut headers = [httparse::EMPTY_HEADER; 4];
/// assert_eq!(parse_request(b"GET / HTTP/1.1\r\n", &mut headers).unwrap_err(), HeadError::Incomplete);
/// let err = parse_request(b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", &mut headers).unwrap_err();
/// assert_eq!(err.to_string(), "invalid message head: invalid header name");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HeadError {
    /// The bytes end before the empty line that ends the head.
    Incomplete,
    /// The head is not valid HTTP/1.x (RFC 9112), or has more field lines than the buffer
    /// holds ([`httparse::Error::TooManyHeaders`]).
    Invalid(httparse::Error),
}

impl fmt::Display for HeadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeadError::Incomplete => f.write_str("incomplete message head"),
            HeadError::Invalid(e) => write!(f, "invalid message head: {e}"),
        }
    }
}

impl core::error::Error for HeadError {}

/// A request head read by [`parse_request`], borrowing the input and the field line buffer.
///
/// RFC 9112 section 2.1: `request-line *( field-line CRLF ) CRLF`, then the body.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{parse_request, HttpVersion};
///
/// let bytes = b"POST /up HTTP/1.0\r\nContent-Length: 2\r\n\r\nhi";
/// let mut headers = [httparse::EMPTY_HEADER; 4];
/// let parsed = parse_request(bytes, &mut headers)?;
/// assert_eq!((parsed.method(), parsed.target(), parsed.version()), ("POST", "/up", HttpVersion::Http10));
/// assert_eq!(&bytes[parsed.head_len()..], b"hi");
/// # Ok::<(), upgrade_negotiate::HeadError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ParsedRequest<'h, 'b> {
    method: &'b str,
    target: &'b str,
    version: HttpVersion,
    headers: &'h [httparse::Header<'b>],
    head_len: usize,
}

impl<'h, 'b> ParsedRequest<'h, 'b> {
    /// The method.
    pub const fn method(&self) -> &'b str {
        self.method
    }

    /// The request target.
    pub const fn target(&self) -> &'b str {
        self.target
    }

    /// The HTTP version.
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

    /// The request, for [`negotiate`](crate::negotiate) and
    /// [`check_response`](crate::check_response).
    pub fn request(&self) -> Request<'h, [httparse::Header<'b>]> {
        Request::new(self.method, self.version, self.headers)
    }
}

/// A response head read by [`parse_response`], borrowing the input and the field line buffer.
///
/// RFC 9112 section 2.1: `status-line *( field-line CRLF ) CRLF`, then the body or, after a
/// 101, the new protocol.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{parse_response, HttpVersion};
///
/// let mut headers = [httparse::EMPTY_HEADER; 4];
/// let parsed = parse_response(b"HTTP/1.1 426 Upgrade Required\r\nUpgrade: h2c\r\n\r\n", &mut headers)?;
/// assert_eq!((parsed.status(), parsed.reason(), parsed.version()), (426, "Upgrade Required", HttpVersion::Http11));
/// # Ok::<(), upgrade_negotiate::HeadError>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct ParsedResponse<'h, 'b> {
    status: u16,
    reason: &'b str,
    version: HttpVersion,
    headers: &'h [httparse::Header<'b>],
    head_len: usize,
}

impl<'h, 'b> ParsedResponse<'h, 'b> {
    /// The status code.
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// The reason phrase.
    pub const fn reason(&self) -> &'b str {
        self.reason
    }

    /// The HTTP version.
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

    /// The response, for [`check_response`](crate::check_response).
    pub fn response(&self) -> Response<'h, [httparse::Header<'b>]> {
        Response::new(self.status, self.version, self.headers)
    }
}

/// Reads an HTTP/1.x request head from `bytes` with [`httparse`] (strict configuration), into
/// `headers`, which bounds the number of field lines.
///
/// # Errors
///
/// [`HeadError::Incomplete`] when `bytes` end inside the head, [`HeadError::Invalid`] when it is
/// not valid HTTP/1.x or has more field lines than `headers` holds.
///
/// # Examples
///
/// ```
/// use upgrade_grammar::Protocol;
/// use upgrade_negotiate::{negotiate, parse_request, Decision, HeadError, Outcome, Policy};
///
/// let bytes = b"GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: foo\r\nConnection: upgrade\r\n\r\nrest";
/// let mut headers = [httparse::EMPTY_HEADER; 16];
/// let parsed = parse_request(bytes, &mut headers)?;
/// assert_eq!(&bytes[parsed.head_len()..], b"rest");
///
/// let offers = [Protocol::parse(b"foo")?];
/// let decision = negotiate(&parsed.request(), &offers, &Policy::default());
/// assert_eq!(decision.outcome(), Outcome::Switch);
///
/// // A partial head is rule 1 once no more bytes can come.
/// let mut headers = [httparse::EMPTY_HEADER; 16];
/// assert_eq!(parse_request(b"GET / HTTP/1.1\r\nHost:", &mut headers).unwrap_err(), HeadError::Incomplete);
/// assert_eq!(Decision::request_malformed().status(), Some(400));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse_request<'h, 'b>(
    bytes: &'b [u8],
    headers: &'h mut [httparse::Header<'b>],
) -> Result<ParsedRequest<'h, 'b>, HeadError> {
    let mut request = httparse::Request::new(headers);
    let head_len = complete_head(request.parse(bytes))?;
    let httparse::Request {
        method,
        path,
        version,
        headers,
    } = request;
    match (method, path, version) {
        (Some(method), Some(target), Some(minor)) => Ok(ParsedRequest {
            method,
            target,
            version: HttpVersion::from_minor(minor),
            headers,
            head_len,
        }),
        // A complete parse always sets all three.
        _ => Err(HeadError::Incomplete),
    }
}

/// Reads an HTTP/1.x response head from `bytes` with [`httparse`], into `headers`, which bounds
/// the number of field lines.
///
/// # Errors
///
/// As [`parse_request`].
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::parse_response;
///
/// let bytes = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: foo\r\nConnection: upgrade\r\n\r\n\x00";
/// let mut headers = [httparse::EMPTY_HEADER; 16];
/// let parsed = parse_response(bytes, &mut headers)?;
/// assert_eq!((parsed.status(), parsed.headers().len()), (101, 2));
/// assert_eq!(&bytes[parsed.head_len()..], b"\x00");
/// # Ok::<(), upgrade_negotiate::HeadError>(())
/// ```
pub fn parse_response<'h, 'b>(
    bytes: &'b [u8],
    headers: &'h mut [httparse::Header<'b>],
) -> Result<ParsedResponse<'h, 'b>, HeadError> {
    let mut response = httparse::Response::new(headers);
    let head_len = complete_head(response.parse(bytes))?;
    let httparse::Response {
        version,
        code,
        reason,
        headers,
    } = response;
    match (version, code) {
        (Some(minor), Some(status)) => Ok(ParsedResponse {
            status,
            reason: reason.unwrap_or_default(),
            version: HttpVersion::from_minor(minor),
            headers,
            head_len,
        }),
        _ => Err(HeadError::Incomplete),
    }
}

/// The length of a complete head, or why there is none: a partial head is incomplete once no
/// more bytes can come.
fn complete_head(parsed: httparse::Result<usize>) -> Result<usize, HeadError> {
    match parsed {
        Ok(httparse::Status::Complete(len)) => Ok(len),
        Ok(httparse::Status::Partial) => Err(HeadError::Incomplete),
        Err(e) => Err(HeadError::Invalid(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_truncated_prefix_of_a_request_head_is_incomplete() {
        let bytes = b"GET / HTTP/1.1\r\nUpgrade: a\r\n\r\n";
        for len in 0..bytes.len() {
            let mut headers = [httparse::EMPTY_HEADER; 4];
            assert_eq!(
                parse_request(&bytes[..len], &mut headers).unwrap_err(),
                HeadError::Incomplete,
                "{len}"
            );
        }
        let mut headers = [httparse::EMPTY_HEADER; 4];
        let parsed = parse_request(bytes, &mut headers).unwrap();
        assert_eq!(parsed.head_len(), bytes.len());
        assert_eq!(parsed.target(), "/");
    }

    #[test]
    fn reports_invalid_heads_and_too_many_headers() {
        let mut headers = [httparse::EMPTY_HEADER; 1];
        assert_eq!(
            parse_request(b"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\n\r\n", &mut headers).unwrap_err(),
            HeadError::Invalid(httparse::Error::TooManyHeaders)
        );
        let mut headers = [httparse::EMPTY_HEADER; 4];
        assert!(matches!(
            parse_request(b"GET / HTTP/2.0\r\n\r\n", &mut headers),
            Err(HeadError::Invalid(_))
        ));
        assert!(matches!(
            parse_response(b"HTTP/1.1 1o1 X\r\n\r\n", &mut headers),
            Err(HeadError::Invalid(_))
        ));
    }
}
