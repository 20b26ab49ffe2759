//! Requests and responses of the [`http`] crate (feature `http`).
//!
//! [`http::HeaderMap`] implements [`HeaderLines`](crate::HeaderLines), and requests and responses
//! (or their parts) convert into [`Request`] and [`Response`]:
//!
//! ```
//! use upgrade_grammar::Protocol;
//! use upgrade_negotiate::{negotiate, Outcome, Policy, Request};
//!
//! let request = http::Request::get("/")
//!     .header("upgrade", "foo")
//!     .header("connection", "keep-alive")
//!     .header("connection", "Upgrade")
//!     .body(())?;
//! let offers = [Protocol::parse(b"foo")?];
//! let decision = negotiate(&Request::from(&request), &offers, &Policy::default());
//! assert_eq!(decision.outcome(), Outcome::Switch);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::message::{HttpVersion, Request, Response};

impl From<http::Version> for HttpVersion {
    /// HTTP/0.9 and HTTP/1.0 are [`HttpVersion::Http10`], HTTP/1.1 is
    /// [`HttpVersion::Http11`], anything later [`HttpVersion::Http2OrLater`].
    fn from(version: http::Version) -> Self {
        if version == http::Version::HTTP_09 || version == http::Version::HTTP_10 {
            HttpVersion::Http10
        } else if version == http::Version::HTTP_11 {
            HttpVersion::Http11
        } else {
            HttpVersion::Http2OrLater
        }
    }
}

impl<'r> From<&'r http::request::Parts> for Request<'r, http::HeaderMap> {
    fn from(parts: &'r http::request::Parts) -> Self {
        Request::new(parts.method.as_str(), parts.version.into(), &parts.headers)
    }
}

impl<'r, B> From<&'r http::Request<B>> for Request<'r, http::HeaderMap> {
    fn from(request: &'r http::Request<B>) -> Self {
        Request::new(
            request.method().as_str(),
            request.version().into(),
            request.headers(),
        )
    }
}

impl<'r> From<&'r http::response::Parts> for Response<'r, http::HeaderMap> {
    fn from(parts: &'r http::response::Parts) -> Self {
        Response::new(parts.status.as_u16(), parts.version.into(), &parts.headers)
    }
}

impl<'r, B> From<&'r http::Response<B>> for Response<'r, http::HeaderMap> {
    fn from(response: &'r http::Response<B>) -> Self {
        Response::new(
            response.status().as_u16(),
            response.version().into(),
            response.headers(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HeaderLines;

    #[test]
    fn header_map_lines_are_found_in_any_case_and_order() {
        let mut headers = http::HeaderMap::new();
        headers.append("connection", http::HeaderValue::from_static("keep-alive"));
        headers.append("Connection", http::HeaderValue::from_static("Upgrade"));
        let lines: Vec<&[u8]> = headers.lines("CONNECTION").collect();
        assert_eq!(lines, [&b"keep-alive"[..], b"Upgrade"]);
        assert_eq!(headers.lines("not a name").count(), 0);
    }

    #[test]
    fn versions_map_to_the_three_classes() {
        assert_eq!(
            HttpVersion::from(http::Version::HTTP_10),
            HttpVersion::Http10
        );
        assert_eq!(
            HttpVersion::from(http::Version::HTTP_11),
            HttpVersion::Http11
        );
        assert_eq!(
            HttpVersion::from(http::Version::HTTP_2),
            HttpVersion::Http2OrLater
        );
        assert_eq!(
            HttpVersion::from(http::Version::HTTP_3),
            HttpVersion::Http2OrLater
        );
    }

    #[test]
    fn responses_convert_with_status_and_headers() {
        let response = http::Response::builder()
            .status(101)
            .header("upgrade", "foo")
            .body(())
            .unwrap();
        let converted = Response::from(&response);
        assert_eq!(converted.status(), 101);
        assert_eq!(converted.headers().lines("Upgrade").count(), 1);
        let (parts, ()) = response.into_parts();
        assert_eq!(Response::from(&parts).version(), HttpVersion::Http11);
    }
}
