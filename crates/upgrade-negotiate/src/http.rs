//! Requests and responses of the [`http`] crate (feature `http`).
//!
//! [`http::HeaderMap`] implements [`FieldLines`](crate::FieldLines), and requests and responses
//! (or their parts) convert into [`RequestHead`] and [`ResponseHead`]:
//!
//! ```
//! use upgrade_negotiate::{Protocol, negotiate, Outcome, Policy, RequestHead};
//!
//! let request = http::Request::get("/")
//!     .header("host", "example.com")
//!     .header("upgrade", "foo")
//!     .header("connection", "keep-alive")
//!     .header("connection", "Upgrade")
//!     .body(())?;
//! let offers = [Protocol::parse(b"foo")?];
//! let decision = negotiate(&request, &offers, &Policy::default());
//! assert_eq!(decision.outcome(), Outcome::Switch);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::message::{HttpVersion, RequestHead, ResponseHead};

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

impl<'r> From<&'r http::request::Parts> for RequestHead<'r, http::HeaderMap> {
    fn from(parts: &'r http::request::Parts) -> Self {
        RequestHead::new(parts.method.as_str(), parts.version.into(), &parts.headers)
    }
}

impl<'r, B> From<&'r http::Request<B>> for RequestHead<'r, http::HeaderMap> {
    fn from(request: &'r http::Request<B>) -> Self {
        RequestHead::new(
            request.method().as_str(),
            request.version().into(),
            request.headers(),
        )
    }
}

impl<'r> From<&'r http::response::Parts> for ResponseHead<'r, http::HeaderMap> {
    fn from(parts: &'r http::response::Parts) -> Self {
        ResponseHead::new(parts.status.as_u16(), parts.version.into(), &parts.headers)
    }
}

impl<'r, B> From<&'r http::Response<B>> for ResponseHead<'r, http::HeaderMap> {
    fn from(response: &'r http::Response<B>) -> Self {
        ResponseHead::new(
            response.status().as_u16(),
            response.version().into(),
            response.headers(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldLines;

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
            HttpVersion::from(http::Version::HTTP_09),
            HttpVersion::Http10
        );
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
        let converted = ResponseHead::from(&response);
        assert_eq!(converted.status(), 101);
        assert_eq!(converted.headers().lines("Upgrade").count(), 1);
        let (parts, ()) = response.into_parts();
        assert_eq!(ResponseHead::from(&parts).version(), HttpVersion::Http11);
    }
}
