//! One connection: HTTP/1.x (with upgrades), or HTTP/2 with prior knowledge.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use upgrade_negotiate::Decision;

use crate::decide::{Negotiator, Offer};
use crate::io::Prefixed;
use crate::{BoxError, h2c, service};
use upgrade_examples::frames::PREFACE;
use upgrade_examples::heads::{Heads, MAX_HEAD, MAX_HEADERS};

/// How long a new connection has to show whether it speaks HTTP/1.x or HTTP/2.
const FIRST_BYTES_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a refused connection is drained after the answer, so that closing it does not
/// reset it before the client has read the answer.
const LINGER: Duration = Duration::from_secs(2);

/// Serves one connection to its end and reports how it ended on stderr.
pub(crate) async fn serve(mut stream: TcpStream, negotiator: Arc<Negotiator>) {
    let first = match tokio::time::timeout(FIRST_BYTES_TIMEOUT, first_bytes(&mut stream)).await {
        Ok(Ok(first)) => first,
        Ok(Err(e)) => return eprintln!("connection: {e}"),
        Err(_) => return,
    };
    let io = Prefixed::new(first.bytes, stream);
    let served = if !first.preface {
        http1_connection(io, negotiator).await
    } else if negotiator.offers(Offer::H2c) {
        eprintln!("PRI * continue HTTP/2 with prior knowledge (HTTP/2.0)");
        h2c::serve(io, negotiator).await
    } else {
        refuse_preface(io).await
    };
    if let Err(e) = served {
        eprintln!("connection: {e}");
    }
}

/// The first bytes of a connection, and whether they are the HTTP/2 connection preface.
struct FirstBytes {
    bytes: Vec<u8>,
    preface: bool,
}

/// Reads until the bytes differ from the HTTP/2 connection preface or are all of it.
async fn first_bytes(stream: &mut TcpStream) -> std::io::Result<FirstBytes> {
    let mut bytes = Vec::with_capacity(1024);
    loop {
        if bytes.len() >= PREFACE.len() || !PREFACE.starts_with(&bytes) {
            let preface = bytes.starts_with(PREFACE);
            return Ok(FirstBytes { bytes, preface });
        }
        if stream.read_buf(&mut bytes).await? == 0 {
            return Ok(FirstBytes {
                bytes,
                preface: false,
            });
        }
    }
}

/// Serves HTTP/1.x requests, each decided by the negotiator on its head as received, with
/// upgrades.
///
/// hyper's bounds are those of the heads tracker: a head hyper reads, the tracker reads too.
async fn http1_connection(
    io: Prefixed<TcpStream>,
    negotiator: Arc<Negotiator>,
) -> Result<(), BoxError> {
    let heads = Arc::new(Mutex::new(Heads::new()));
    let io = io.tracked(Arc::clone(&heads));
    let service = service_fn(move |request| {
        service::handle(request, Arc::clone(&negotiator), Arc::clone(&heads))
    });
    http1::Builder::new()
        .timer(TokioTimer::new())
        .max_buf_size(MAX_HEAD)
        .max_headers(MAX_HEADERS)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades()
        .await?;
    Ok(())
}

/// HTTP/2 with prior knowledge when h2c is not offered: `PRI * HTTP/2.0` cannot be parsed as
/// an HTTP/1.x request, which is rule 1 of the negotiation. The decision's 400 is sent, and the
/// connection closed.
async fn refuse_preface(mut io: Prefixed<TcpStream>) -> Result<(), BoxError> {
    let decision = Decision::request_malformed();
    eprintln!(
        "PRI * {} {} (HTTP/2 with prior knowledge; h2c is not offered)",
        decision.outcome(),
        decision.reason().code()
    );
    let mut head = String::new();
    decision.write_response(&mut head)?;
    io.write_all(head.as_bytes()).await?;
    io.shutdown().await?;
    let mut sink = [0u8; 4096];
    let _ = tokio::time::timeout(LINGER, async {
        while io.read(&mut sink).await? > 0 {}
        Ok::<(), std::io::Error>(())
    })
    .await;
    Ok(())
}
