//! The upgraded request of an h2c switch as HTTP/2 frames, spliced into the start of the
//! upgraded connection after the client's preface and first SETTINGS frame (see the server's
//! `h2c` module for why).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::request::Parts;
use hyper::body::Bytes;
use upgrade_negotiate::{Policy, hop_by_hop};

use crate::BoxError;
use crate::frames::{self, HEAD_LEN, MAX_PAYLOAD, PREFACE, PayloadTooLong, SETTINGS};

/// The upgraded request, ready to be spliced in as stream 1.
#[derive(Debug)]
pub struct UpgradedRequest {
    /// The HPACK header block of the HEADERS frame.
    pub(crate) block: Vec<u8>,
    /// The request body, read before the 101.
    pub(crate) body: Bytes,
    /// The decoded `HTTP2-Settings`: a SETTINGS payload.
    pub(crate) settings: Vec<u8>,
}

impl UpgradedRequest {
    /// The pseudo-header fields (RFC 9113 section 8.3.1) and the fields that are not hop by hop:
    /// `Connection`, every option it lists, `Upgrade`, `HTTP2-Settings` and the other
    /// connection-specific fields are not forwarded into HTTP/2 (section 8.2.2), and `Host`
    /// becomes `:authority`. `Expect: 100-continue` was met over HTTP/1.1 before the 101 and the
    /// body is complete, so it is not forwarded either.
    ///
    /// # Errors
    ///
    /// When the request's `Connection` cannot be read or its `HTTP2-Settings` is missing or not
    /// base64url (the decision to switch has checked both).
    pub fn new(parts: &Parts, body: Bytes) -> Result<Self, BoxError> {
        let headers = &parts.headers;
        let hop = hop_by_hop(headers, &Policy::default())?;
        let settings = headers
            .get("http2-settings")
            .ok_or("an h2c switch without HTTP2-Settings")?
            .as_bytes()
            .trim_ascii();
        let settings = URL_SAFE_NO_PAD.decode(settings)?;

        let authority = parts
            .uri
            .authority()
            .map(|authority| authority.as_str().as_bytes())
            .or_else(|| headers.get(http::header::HOST).map(|host| host.as_bytes()));
        let path = parts.uri.path_and_query().map_or("/", |path| path.as_str());
        let mut block = Vec::new();
        frames::literal_field(&mut block, b":method", parts.method.as_str().as_bytes());
        frames::literal_field(&mut block, b":scheme", b"http");
        if let Some(authority) = authority {
            frames::literal_field(&mut block, b":authority", authority);
        }
        frames::literal_field(&mut block, b":path", path.as_bytes());
        for (name, value) in headers {
            if name != http::header::HOST
                && name != http::header::EXPECT
                && !hop.is_hop_by_hop(name.as_str())
            {
                frames::literal_field(&mut block, name.as_str().as_bytes(), value.as_bytes());
            }
        }
        Ok(UpgradedRequest {
            block,
            body,
            settings,
        })
    }

    /// `start` (the client's preface, first frame, and whatever followed) with the request
    /// spliced in after the first frame. When the client did not start with the preface and a
    /// SETTINGS frame, `start` is handed on unchanged, for hyper to refuse.
    ///
    /// # Errors
    ///
    /// When a frame would be longer than [`MAX_PAYLOAD`], which the frames written here never
    /// are: the merged settings are kept within it and the rest is split.
    pub fn splice(&self, start: Vec<u8>) -> Result<Vec<u8>, PayloadTooLong> {
        let Some(after_preface) = start.strip_prefix(PREFACE) else {
            return Ok(start);
        };
        let Some(head) = frames::frame_head(after_preface) else {
            return Ok(start);
        };
        let settings_end = HEAD_LEN + head.length;
        let (Some(payload), Some(rest)) = (
            after_preface.get(HEAD_LEN..settings_end),
            after_preface.get(settings_end..),
        ) else {
            return Ok(start);
        };
        if head.kind != SETTINGS
            || head.flags != 0
            || head.stream != 0
            || !head.length.is_multiple_of(6)
        {
            return Ok(start);
        }
        let mut merged = self.settings.clone();
        merged.extend_from_slice(payload);
        if merged.len() > MAX_PAYLOAD {
            // The client's own SETTINGS are authoritative; keep them alone.
            merged = payload.to_vec();
        }
        let mut out = Vec::with_capacity(start.len() + merged.len() + self.block.len() + 64);
        out.extend_from_slice(PREFACE);
        frames::settings(&mut out, &merged)?;
        frames::request(&mut out, 1, &self.block, &self.body)?;
        out.extend_from_slice(rest);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    fn upgrade_request() -> Parts {
        http::Request::post("/submit?x=1")
            .header("host", "127.0.0.1:8080")
            .header("connection", "Upgrade, HTTP2-Settings, x-hop")
            .header("upgrade", "h2c")
            .header("http2-settings", "AAMAAABkAARAAAAAAAIAAAAA")
            .header("x-hop", "1")
            .header("expect", "100-continue")
            .header("accept", "*/*")
            .body(())
            .unwrap()
            .into_parts()
            .0
    }

    #[test]
    fn the_header_block_has_pseudo_fields_first_and_no_hop_by_hop_field() {
        let request = UpgradedRequest::new(&upgrade_request(), Bytes::from_static(b"hi")).unwrap();
        let mut expected = Vec::new();
        for (name, value) in [
            (&b":method"[..], &b"POST"[..]),
            (b":scheme", b"http"),
            (b":authority", b"127.0.0.1:8080"),
            (b":path", b"/submit?x=1"),
            (b"accept", b"*/*"),
        ] {
            frames::literal_field(&mut expected, name, value);
        }
        assert_eq!(request.block, expected);
        assert_eq!(
            request.settings,
            [0, 3, 0, 0, 0, 100, 0, 4, 0x40, 0, 0, 0, 0, 2, 0, 0, 0, 0]
        );
    }

    #[test]
    fn splices_the_request_after_the_first_settings_frame() {
        let request = UpgradedRequest::new(&upgrade_request(), Bytes::from_static(b"hi")).unwrap();
        let mut start = PREFACE.to_vec();
        frames::settings(&mut start, &[0, 4, 0, 0, 0xff, 0xff]).unwrap();
        start.extend_from_slice(b"rest");
        let out = request.splice(start).unwrap();

        let after = &out[PREFACE.len()..];
        let settings = frames::frame_head(after).unwrap();
        assert_eq!((settings.kind, settings.length), (SETTINGS, 24));
        assert_eq!(
            &after[HEAD_LEN + 18..HEAD_LEN + 24],
            [0, 4, 0, 0, 0xff, 0xff]
        );
        let after = &after[HEAD_LEN + 24..];
        let headers = frames::frame_head(after).unwrap();
        assert_eq!((headers.kind, headers.flags, headers.stream), (1, 0x4, 1));
        let after = &after[HEAD_LEN + headers.length..];
        let data = frames::frame_head(after).unwrap();
        assert_eq!(
            (data.kind, data.flags, data.stream, data.length),
            (0, 0x1, 1, 2)
        );
        assert_eq!(&after[HEAD_LEN..], b"hirest");
    }

    #[test]
    fn hands_on_what_is_not_a_preface_and_settings() {
        let request = UpgradedRequest::new(&upgrade_request(), Bytes::new()).unwrap();
        let start = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n".to_vec();
        assert_eq!(request.splice(start.clone()).unwrap(), start);
        let mut start = PREFACE.to_vec();
        start.extend_from_slice(&[0, 0, 4, 8, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(request.splice(start.clone()).unwrap(), start);
    }
}
