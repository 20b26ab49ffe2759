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

use http::Response;
use http::request::Parts;
use hyper::body::Bytes;
use hyper::server::conn::http2;
use hyper::service::service_fn;
use hyper::upgrade::{OnUpgrade, Upgraded};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite};
use upgrade_examples::frames::{self, HEAD_LEN, MAX_PAYLOAD, PREFACE, SETTINGS};
use upgrade_examples::splice::UpgradedRequest;
use upgrade_negotiate::Decision;

use crate::BoxError;
use crate::decide::Negotiator;
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
