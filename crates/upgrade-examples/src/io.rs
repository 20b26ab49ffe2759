//! A connection whose first bytes were already read: they are read again before the rest, and
//! every byte read can be shown to the connection's request heads tracker.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use upgrade_examples::heads::{self, SharedHeads};

/// Reads `prefix` first, then `inner`; writes go straight to `inner`.
///
/// The server reads the start of a connection before it knows who serves it (an HTTP/2
/// connection preface or an HTTP/1.x request), and the start of an upgraded h2c connection to
/// splice the upgraded request in as stream 1; this hands those bytes on. An HTTP/1.x
/// connection also hands every byte read, prefix included, to its request heads tracker.
#[derive(Debug)]
pub(crate) struct Prefixed<S> {
    prefix: Vec<u8>,
    read: usize,
    inner: S,
    heads: Option<SharedHeads>,
}

impl<S> Prefixed<S> {
    /// `inner`, with `prefix` to be read before anything `inner` has left.
    pub(crate) const fn new(prefix: Vec<u8>, inner: S) -> Self {
        Prefixed {
            prefix,
            read: 0,
            inner,
            heads: None,
        }
    }

    /// The same connection, showing every byte read to `heads` from now on.
    pub(crate) fn tracked(self, heads: SharedHeads) -> Self {
        Prefixed {
            heads: Some(heads),
            ..self
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Prefixed<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        let polled = match this.prefix.get(this.read..).filter(|rest| !rest.is_empty()) {
            Some(rest) => {
                let n = rest.len().min(buf.remaining());
                if let Some(chunk) = rest.get(..n) {
                    buf.put_slice(chunk);
                    this.read += n;
                }
                Poll::Ready(Ok(()))
            }
            None => Pin::new(&mut this.inner).poll_read(cx, buf),
        };
        if let (Poll::Ready(Ok(())), Some(tracker)) = (&polled, &this.heads) {
            let read = buf.filled().get(before..).unwrap_or_default();
            if !read.is_empty() {
                heads::with(tracker, |heads| heads.feed(read));
            }
        }
        polled
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Prefixed<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;
    use upgrade_examples::heads::{Heads, RawHead};

    #[test]
    fn reads_the_prefix_then_the_connection_and_writes_through() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let (near, mut far) = tokio::io::duplex(64);
            let mut io = Prefixed::new(b"PRI ".to_vec(), near);
            far.write_all(b"* HTTP/2.0").await.unwrap();
            let mut buf = [0u8; 3];
            io.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"PRI");
            let mut buf = [0u8; 11];
            io.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b" * HTTP/2.0");
            io.write_all(b"ok").await.unwrap();
            let mut buf = [0u8; 2];
            far.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, b"ok");
        });
    }

    #[test]
    fn shows_every_byte_read_prefix_included_to_the_heads_tracker() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let heads = std::sync::Arc::new(std::sync::Mutex::new(Heads::new()));
            let (near, mut far) = tokio::io::duplex(64);
            let mut io = Prefixed::new(b"GET / HT".to_vec(), near).tracked(heads.clone());
            far.write_all(b"TP/1.1\r\nHost: a\r\n\r\n").await.unwrap();
            drop(far);
            let mut read = Vec::new();
            io.read_to_end(&mut read).await.unwrap();
            assert_eq!(read, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            let next = heads::with(&heads, Heads::next_head);
            assert!(
                matches!(&next, Some(RawHead::Complete { bytes, .. }) if *bytes == read),
                "{next:?}"
            );
        });
    }
}
