//! The parts of a request or response that negotiation reads.

use core::fmt;

use crate::headers::FieldLines;

/// The HTTP version of a message, as far as `Upgrade` cares.
///
/// RFC 9110 section 7.8: `Upgrade` applies to HTTP/1.1 only. An HTTP/1.0 recipient must ignore
/// it (it cannot rely on the `Connection` field), and HTTP/2 and later forbid it (RFC 9113
/// section 8.2.2, RFC 9114 section 4.2).
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::HttpVersion;
///
/// // httparse reports the minor version of HTTP/1.x.
/// assert_eq!(HttpVersion::from_minor(1), HttpVersion::Http11);
/// assert_eq!(HttpVersion::from_minor(0), HttpVersion::Http10);
/// assert_eq!(HttpVersion::Http11.to_string(), "HTTP/1.1");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HttpVersion {
    /// HTTP/1.0 (and anything older).
    Http10,
    /// HTTP/1.1 (and any later HTTP/1.x minor version, RFC 9110 section 2.5).
    Http11,
    /// HTTP/2, HTTP/3 or later: connection-specific fields are malformed there.
    Http2OrLater,
}

impl HttpVersion {
    /// The version of an `HTTP/1.minor` message, as [`httparse`] reports it.
    ///
    /// A minor version above 1 is treated as HTTP/1.1, the highest 1.x this crate implements
    /// (RFC 9110 section 2.5).
    pub const fn from_minor(minor: u8) -> Self {
        match minor {
            0 => HttpVersion::Http10,
            _ => HttpVersion::Http11,
        }
    }

    /// The protocol name as it appears on a start line: `HTTP/1.0`, `HTTP/1.1` or `HTTP/2`.
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpVersion::Http10 => "HTTP/1.0",
            HttpVersion::Http11 => "HTTP/1.1",
            HttpVersion::Http2OrLater => "HTTP/2",
        }
    }
}

impl fmt::Display for HttpVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What negotiation reads from a request: its method, version and header field lines.
///
/// The request borrows everything; build one per request, from any parser, with
/// [`RequestHead::new`], from raw bytes with [`parse_request`](crate::parse_request), or (feature
/// `http`) from an `http::Request`. Named `RequestHead` so that it never shadows
/// `http::Request`.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{HttpVersion, RequestHead};
///
/// let headers = [("Upgrade", "websocket"), ("Connection", "Upgrade")];
/// let request = RequestHead::new("GET", HttpVersion::Http11, &headers);
/// assert_eq!(request.method(), b"GET");
/// ```
#[derive(Debug)]
pub struct RequestHead<'r, H: ?Sized> {
    method: &'r [u8],
    /// Whether the parser that read `method` found it a token, as [`parse_request`] does.
    ///
    /// [`parse_request`]: crate::parse_request
    method_is_token: bool,
    version: HttpVersion,
    headers: &'r H,
}

impl<'r, H: FieldLines + ?Sized> RequestHead<'r, H> {
    /// A request with `method` (case-sensitive, RFC 9110 section 9.1), `version` and the field
    /// lines in `headers`.
    pub fn new<M: AsRef<[u8]> + ?Sized>(
        method: &'r M,
        version: HttpVersion,
        headers: &'r H,
    ) -> Self {
        RequestHead {
            method: method.as_ref(),
            method_is_token: false,
            version,
            headers,
        }
    }

    /// A request whose method its parser already found a token (`1*tchar`).
    pub(crate) fn with_token_method(
        method: &'r [u8],
        version: HttpVersion,
        headers: &'r H,
    ) -> Self {
        RequestHead {
            method_is_token: true,
            ..RequestHead::new(method, version, headers)
        }
    }
}

impl<'r, H: ?Sized> RequestHead<'r, H> {
    /// The request method, as received.
    pub const fn method(&self) -> &'r [u8] {
        self.method
    }

    /// Whether the method is known to be a token without checking it again.
    pub(crate) const fn method_is_token(&self) -> bool {
        self.method_is_token
    }

    /// The HTTP version of the request.
    pub const fn version(&self) -> HttpVersion {
        self.version
    }

    /// The header field lines.
    pub const fn headers(&self) -> &'r H {
        self.headers
    }
}

impl<H: ?Sized> Clone for RequestHead<'_, H> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<H: ?Sized> Copy for RequestHead<'_, H> {}

impl<'r, H: ?Sized> From<&RequestHead<'r, H>> for RequestHead<'r, H> {
    fn from(request: &RequestHead<'r, H>) -> Self {
        *request
    }
}

/// What the client-side check reads from a response: its status code, version and header field
/// lines.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{HttpVersion, ResponseHead};
///
/// let headers = [("Upgrade", "websocket"), ("Connection", "upgrade")];
/// let response = ResponseHead::new(101, HttpVersion::Http11, &headers);
/// assert_eq!(response.status(), 101);
/// ```
#[derive(Debug)]
pub struct ResponseHead<'r, H: ?Sized> {
    status: u16,
    version: HttpVersion,
    headers: &'r H,
}

impl<'r, H: FieldLines + ?Sized> ResponseHead<'r, H> {
    /// A response with status code `status`, `version` and the field lines in `headers`.
    pub const fn new(status: u16, version: HttpVersion, headers: &'r H) -> Self {
        ResponseHead {
            status,
            version,
            headers,
        }
    }
}

impl<'r, H: ?Sized> ResponseHead<'r, H> {
    /// The status code.
    pub const fn status(&self) -> u16 {
        self.status
    }

    /// The HTTP version of the response.
    pub const fn version(&self) -> HttpVersion {
        self.version
    }

    /// The header field lines.
    pub const fn headers(&self) -> &'r H {
        self.headers
    }
}

impl<H: ?Sized> Clone for ResponseHead<'_, H> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<H: ?Sized> Copy for ResponseHead<'_, H> {}

impl<'r, H: ?Sized> From<&ResponseHead<'r, H>> for ResponseHead<'r, H> {
    fn from(response: &ResponseHead<'r, H>) -> Self {
        *response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_named_as_on_a_start_line() {
        let names: Vec<(&str, String)> = [
            HttpVersion::Http10,
            HttpVersion::Http11,
            HttpVersion::Http2OrLater,
        ]
        .iter()
        .map(|v| (v.as_str(), v.to_string()))
        .collect();
        assert_eq!(
            names,
            [
                ("HTTP/1.0", "HTTP/1.0".to_string()),
                ("HTTP/1.1", "HTTP/1.1".to_string()),
                ("HTTP/2", "HTTP/2".to_string())
            ]
        );
    }

    #[test]
    fn minor_versions_above_1_are_http_1_1() {
        assert_eq!(HttpVersion::from_minor(0), HttpVersion::Http10);
        assert_eq!(HttpVersion::from_minor(1), HttpVersion::Http11);
        assert_eq!(HttpVersion::from_minor(2), HttpVersion::Http11);
        assert_eq!(HttpVersion::from_minor(9), HttpVersion::Http11);
    }
}
