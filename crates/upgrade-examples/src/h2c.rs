//! HTTP/2 over cleartext: the switch from HTTP/1.1 (RFC 7540 section 3.2) and prior knowledge
//! (RFC 9113 section 3.3).
//!
//! After the 101, the client sends the HTTP/2 connection preface and the server's first frame
//! is its SETTINGS; the upgraded request becomes stream 1, half-closed from the client, and its
//! response goes on stream 1. hyper's HTTP/2 server cannot be handed a stream that was opened
//! by an HTTP/1.1 request, so this module hands it the upgraded request as HTTP/2 frames: it
//! reads the client's preface and first SETTINGS frame, and splices in, right after them, a
//! HEADERS frame for stream 1 (the request's method, path and authority as pseudo-header
//! fields and its end-to-end fields, HPACK literals) and DATA frames with the request body that
//! was read before the 101. hyper then answers stream 1 like any other stream.
//!
//! The `HTTP2-Settings` of the upgrade request are the client's first settings (RFC 7540
//! section 3.2.1) and need no acknowledgement: they are merged in front of the client's own
//! first SETTINGS frame, so hyper applies them first and acknowledges one frame, the one the
//! client sent.
//!
//! A connection that starts with the HTTP/2 preface is served as HTTP/2 when h2c is offered;
//! otherwise it is a request that cannot be parsed as HTTP/1.x, decided as such (400) by
//! `conn`.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::Response;
use http::request::Parts;
use hyper::body::Bytes;
use hyper::server::conn::http2;
use hyper::service::service_fn;
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite};
use upgrade_negotiate::{Decision, Policy, hop_by_hop};

use crate::BoxError;
use crate::decide::Negotiator;
use crate::frames::{self, HEAD_LEN, MAX_PAYLOAD, PREFACE, PayloadTooLong, SETTINGS};
use crate::io::Prefixed;
use crate::plain::{self, Body};
use crate::service;

/// How long the client has, after the 101, to send its connection preface and SETTINGS.
const PREFACE_TIMEOUT: Duration = Duration::from_secs(10);

/// The 101 for an h2c switch (`Connection: upgrade`, `Upgrade: h2c`, from the decision), and a
/// task that serves HTTP/2 once hyper has sent it and handed over the connection.
///
/// # Errors
///
/// When the decision's head does not convert to a response, or the request's `Connection` or
/// `HTTP2-Settings` cannot be read (the decision has checked both).
pub(crate) fn switch(
    decision: &Decision<'_>,
    parts: &Parts,
    body: Bytes,
    on_upgrade: OnUpgrade,
    negotiator: Arc<Negotiator>,
) -> Result<Response<Body>, BoxError> {
    let request = UpgradedRequest::new(parts, body)?;
    let response = plain::head(decision)?.body(Body::default())?;
    tokio::spawn(async move {
        let served = match on_upgrade.await {
            Ok(upgraded) => serve_upgraded(upgraded, &request, negotiator).await,
            Err(e) => Err(e.into()),
        };
        if let Err(e) = served {
            eprintln!("h2c: {e}");
        }
    });
    Ok(response)
}

/// Serves HTTP/2 on a connection that starts with the client connection preface.
///
/// # Errors
///
/// The connection errors of hyper's HTTP/2 server.
pub(crate) async fn serve<S>(io: S, negotiator: Arc<Negotiator>) -> Result<(), BoxError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request| service::handle_h2(request, Arc::clone(&negotiator)));
    http2::Builder::new(TokioExecutor::new())
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(io), service)
        .await?;
    Ok(())
}

/// Reads the start of the upgraded connection, splices the upgraded request in, and serves.
async fn serve_upgraded(
    upgraded: Upgraded,
    request: &UpgradedRequest,
    negotiator: Arc<Negotiator>,
) -> Result<(), BoxError> {
    let mut io = TokioIo::new(upgraded);
    let start = tokio::time::timeout(PREFACE_TIMEOUT, read_client_start(&mut io))
        .await
        .map_err(|_| "no HTTP/2 connection preface after the 101")??;
    let start = request.splice(start)?;
    serve(Prefixed::new(start, io), negotiator).await
}

/// The upgraded request, ready to be spliced in as stream 1.
#[derive(Debug)]
struct UpgradedRequest {
    /// The HPACK header block of the HEADERS frame.
    block: Vec<u8>,
    /// The request body, read before the 101.
    body: Bytes,
    /// The decoded `HTTP2-Settings`: a SETTINGS payload.
    settings: Vec<u8>,
}

impl UpgradedRequest {
    /// The pseudo-header fields (RFC 9113 section 8.3.1) and the fields that are not hop by hop:
    /// `Connection`, every option it lists, `Upgrade`, `HTTP2-Settings` and the other
    /// connection-specific fields are not forwarded into HTTP/2 (section 8.2.2), and `Host`
    /// becomes `:authority`. `Expect: 100-continue` was met over HTTP/1.1 before the 101 and the
    /// body is complete, so it is not forwarded either.
    fn new(parts: &Parts, body: Bytes) -> Result<Self, BoxError> {
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
    fn splice(&self, start: Vec<u8>) -> Result<Vec<u8>, PayloadTooLong> {
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

/// Reads the client connection preface and the whole first frame when it is a SETTINGS frame
/// (RFC 9113 section 3.4), and whatever else arrived with them.
async fn read_client_start<R: AsyncRead + Unpin>(io: &mut R) -> io::Result<Vec<u8>> {
    let mut start = Vec::with_capacity(256);
    let mut need = PREFACE.len() + HEAD_LEN;
    while start.len() < need {
        if io.read_buf(&mut start).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the client closed before its HTTP/2 connection preface",
            ));
        }
        let Some(head) = start.get(PREFACE.len()..).and_then(frames::frame_head) else {
            continue;
        };
        if head.kind != SETTINGS || head.length > MAX_PAYLOAD {
            break;
        }
        need = PREFACE.len() + HEAD_LEN + head.length;
    }
    Ok(start)
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

    #[test]
    fn reads_the_preface_and_the_whole_settings_frame() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut bytes = PREFACE.to_vec();
        frames::settings(&mut bytes, &[0, 3, 0, 0, 0, 100]).unwrap();
        let mut io = &bytes[..];
        assert_eq!(runtime.block_on(read_client_start(&mut io)).unwrap(), bytes);
        let mut io = &bytes[..30];
        assert!(runtime.block_on(read_client_start(&mut io)).is_err());
    }
}
