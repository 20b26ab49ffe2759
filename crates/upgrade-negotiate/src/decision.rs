//! The server side's answer: what to do, why, and the response head to send.

use core::borrow::Borrow;
use core::fmt;

use upgrade_grammar::{Error, Protocol, write_upgrade, write_upgrade_bytes};

use crate::framing::BodyFraming;
use crate::head::HeadError;
use crate::reason::Reason;
use crate::websocket::{WEBSOCKET_VERSION, WebSocketAccept};

upgrade_grammar::__coded_enum! {
    /// What the server does with the request, with a stable kebab-case [`code`](Outcome::code).
    ///
    /// The status code to send depends on the reason too ([`Decision::status`]): a
    /// [`Reject`](Outcome::Reject) is 400, or 505 for [`Reason::VersionUnsupported`].
    ///
    /// # Examples
    ///
    /// ```
    /// use upgrade_negotiate::Outcome;
    ///
    /// assert_eq!(Outcome::Required.code(), "required");
    /// assert_eq!(Outcome::from_code("switch"), Some(Outcome::Switch));
    /// ```
    // Not `non_exhaustive`: these four are every answer a server can give to an upgrade, and
    // callers match on them exhaustively.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub enum Outcome {
        /// Send `101 Switching Protocols` (RFC 9110 section 15.2.2), then speak the chosen
        /// protocol on the connection.
        Switch => "switch",
        /// Ignore `Upgrade` and handle the request as ordinary HTTP.
        Continue => "continue",
        /// Send `426 Upgrade Required` (RFC 9110 section 15.5.22).
        Required => "required",
        /// Send `400 Bad Request` (RFC 9110 section 15.5.1), or `505 HTTP Version Not Supported`
        /// (section 15.6.6), and close the connection.
        Reject => "reject",
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The server side's decision for one request: plain data to match on, print and test.
///
/// Built by [`negotiate`](crate::negotiate) (or [`Decision::request_malformed`] when the
/// request could not be parsed). It borrows the server's offers, so the response can name the
/// chosen protocol as the server spelled it and a 426 can list every offer.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{Protocol, negotiate, HttpVersion, Outcome, Policy, Reason, RequestHead};
///
/// let offers = [Protocol::parse(b"websocket")?];
/// let headers = [
///     ("Host", "example.com"),
///     ("Upgrade", "WebSocket"),
///     ("Connection", "keep-alive, Upgrade"),
///     ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
///     ("Sec-WebSocket-Version", "13"),
/// ];
/// let decision = negotiate(&RequestHead::new("GET", HttpVersion::Http11, &headers), &offers, &Policy::default());
/// assert_eq!(decision.outcome(), Outcome::Switch);
/// assert_eq!(decision.reason(), Reason::Switched);
///
/// let mut head = String::new();
/// decision.write_response(&mut head)?;
/// assert_eq!(
///     head,
///     "HTTP/1.1 101 Switching Protocols\r\n\
///      Connection: upgrade\r\n\
///      Upgrade: websocket\r\n\
///      Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
///      \r\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision<'o> {
    outcome: Outcome,
    reason: Reason,
    protocol: Option<(usize, Protocol<'o>)>,
    offers: &'o [Protocol<'o>],
    request_body: Option<BodyFraming>,
    interim_continue: bool,
    websocket_accept: Option<WebSocketAccept>,
    error: Option<Error>,
}

impl<'o> Decision<'o> {
    pub(crate) const fn new(outcome: Outcome, reason: Reason, offers: &'o [Protocol<'o>]) -> Self {
        Decision {
            outcome,
            reason,
            protocol: None,
            offers,
            request_body: None,
            interim_continue: false,
            websocket_accept: None,
            error: None,
        }
    }

    /// Rule 1: the decision for a request that could not be parsed as HTTP/1.x by whatever
    /// parser read it, or whose head ended early (the peer closed the connection, or the head
    /// went over the server's size bound). Reject, 400, [`Reason::RequestMalformed`]. For an
    /// error of [`parse_request`](crate::parse_request), `Decision::from(error)` also tells a
    /// 505 apart.
    ///
    /// # Examples
    ///
    /// ```
    /// use upgrade_negotiate::{Decision, Reason};
    ///
    /// let decision = Decision::request_malformed();
    /// assert_eq!((decision.status(), decision.reason()), (Some(400), Reason::RequestMalformed));
    /// ```
    pub const fn request_malformed() -> Decision<'static> {
        Decision::new(Outcome::Reject, Reason::RequestMalformed, &[])
    }

    pub(crate) const fn with_protocol(mut self, index: usize, protocol: Protocol<'o>) -> Self {
        self.protocol = Some((index, protocol));
        self
    }

    pub(crate) const fn with_request(
        mut self,
        request_body: Option<BodyFraming>,
        interim_continue: bool,
    ) -> Self {
        self.request_body = request_body;
        self.interim_continue = interim_continue;
        self
    }

    pub(crate) const fn with_websocket_accept(mut self, accept: WebSocketAccept) -> Self {
        self.websocket_accept = Some(accept);
        self
    }

    pub(crate) const fn with_error(mut self, error: Error) -> Self {
        self.error = Some(error);
        self
    }

    /// What to do.
    pub const fn outcome(&self) -> Outcome {
        self.outcome
    }

    /// The status code to send: 101, 426, 400, 505, or `None` to carry on with HTTP.
    pub const fn status(&self) -> Option<u16> {
        match self.outcome {
            Outcome::Switch => Some(101),
            Outcome::Continue => None,
            Outcome::Required => Some(426),
            Outcome::Reject if matches!(self.reason, Reason::VersionUnsupported) => Some(505),
            Outcome::Reject => Some(400),
        }
    }

    /// Which rule decided.
    pub const fn reason(&self) -> Reason {
        self.reason
    }

    /// The offered protocol the decision is about, spelled as the server offered it: the one to
    /// switch to, or the one whose profile check produced the verdict of rule 11. `None` for
    /// every other decision.
    pub const fn protocol(&self) -> Option<Protocol<'o>> {
        match self.protocol {
            Some((_, protocol)) => Some(protocol),
            None => None,
        }
    }

    /// The index in the server's offers of [`protocol`](Decision::protocol).
    pub const fn protocol_index(&self) -> Option<usize> {
        match self.protocol {
            Some((index, _)) => Some(index),
            None => None,
        }
    }

    /// The server's offers the decision was made with.
    pub const fn offers(&self) -> &'o [Protocol<'o>] {
        self.offers
    }

    /// The framing of the request body, which must be read to its end before the switch (and
    /// is never handed to the new protocol, RFC 9110 section 7.8).
    ///
    /// `None` when the decision was made without determining it: for rules 1 and 2, and for the
    /// rules that reject the framing itself. Rules 3 to 5 report it when it is valid, and `None`
    /// when it is not (the request then carries on as HTTP, whose own parser will refuse it).
    pub const fn request_body(&self) -> Option<BodyFraming> {
        self.request_body
    }

    /// Whether the request carried `Expect: 100-continue` (RFC 9110 section 10.1.1): before
    /// reading the body, the server sends `100 Continue` (or a final response without reading
    /// it). Always `false` for HTTP/1.0, whose expectations must be ignored.
    pub const fn interim_continue(&self) -> bool {
        self.interim_continue
    }

    /// The `Sec-WebSocket-Accept` value for a switch to websocket.
    pub const fn websocket_accept(&self) -> Option<&WebSocketAccept> {
        self.websocket_accept.as_ref()
    }

    /// The grammar error behind [`Reason::ConnectionMalformed`] or [`Reason::UpgradeMalformed`]:
    /// which field line, and where in it.
    pub const fn error(&self) -> Option<Error> {
        self.error
    }

    /// Writes the response head to send: the status line, the header fields and the empty line
    /// that ends the head, with CRLF line endings. Writes nothing for [`Outcome::Continue`].
    ///
    /// - 101: `Connection: upgrade`, `Upgrade` naming the chosen protocol as offered, and
    ///   `Sec-WebSocket-Accept` for websocket (RFC 9110 section 7.8, RFC 6455 section 4.2.2).
    /// - 426: `Connection: upgrade` and `Upgrade` listing every offer in the canonical form
    ///   (RFC 9110 section 15.5.22); for an unsupported websocket version, `Upgrade` names the
    ///   websocket offer and `Sec-WebSocket-Version: 13` follows (RFC 6455 section 4.2.2).
    ///   `Content-Length: 0` frames the empty body, so the connection can carry the next request.
    /// - 400: `Connection: close` and `Content-Length: 0`.
    ///
    /// An HTTP/2 server rejecting a request for [`Reason::Http2UpgradeForbidden`] treats it as
    /// malformed in its own framing (RFC 9113 section 8.1.1) rather than writing this head.
    ///
    /// # Errors
    ///
    /// Only the errors of `out`.
    ///
    /// # Examples
    ///
    /// ```
    /// use upgrade_negotiate::{negotiate, HttpVersion, Policy, Protocol, RequestHead};
    ///
    /// let offers = [Protocol::parse(b"h2c")?, Protocol::parse(b"foo/2")?];
    /// let policy = Policy::new().with_require_upgrade(true);
    /// let headers = [("Host", "example.com")];
    /// let decision = negotiate(RequestHead::new("GET", HttpVersion::Http11, &headers), &offers, &policy);
    ///
    /// let mut head = String::new();
    /// decision.write_response(&mut head)?;
    /// assert_eq!(
    ///     head,
    ///     "HTTP/1.1 426 Upgrade Required\r\n\
    ///      Connection: upgrade\r\n\
    ///      Upgrade: h2c, foo/2\r\n\
    ///      Content-Length: 0\r\n\
    ///      \r\n"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_response<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        self.write_head(&mut TextOut(out), true)
    }

    /// Writes the status line and header fields of [`write_response`](Decision::write_response)
    /// without the empty line that ends the head, so that the caller can add fields of its own
    /// (such as `Sec-WebSocket-Protocol`) before ending it with `"\r\n"`.
    ///
    /// # Errors
    ///
    /// Only the errors of `out`.
    pub fn write_response_fields<W: fmt::Write + ?Sized>(&self, out: &mut W) -> fmt::Result {
        self.write_head(&mut TextOut(out), false)
    }

    /// The head of [`write_response`](Decision::write_response), written as bytes at the start
    /// of `buf`, as a server sends it: its length, or `None` when `buf` is too short to hold it
    /// (what was written of it is then left in `buf`). Nothing is written for
    /// [`Outcome::Continue`], whose length is 0.
    ///
    /// It is the same head, byte for byte. Written as bytes, the protocol names and the accept
    /// value skip the UTF-8 check that making a `&str` of them costs. A 101 head is 68 bytes
    /// plus the length of the offer chosen, and 52 more with `Sec-WebSocket-Accept`: 71 bytes
    /// for `h2c`, 129 for `websocket`.
    ///
    /// # Examples
    ///
    /// ```
    /// use upgrade_negotiate::{negotiate, HttpVersion, Policy, Protocol, RequestHead};
    ///
    /// let offers = [Protocol::parse(b"h2c")?];
    /// let headers = [
    ///     ("Host", "example.com"),
    ///     ("Upgrade", "h2c"),
    ///     ("Connection", "Upgrade, HTTP2-Settings"),
    ///     ("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"),
    /// ];
    /// let decision = negotiate(RequestHead::new("GET", HttpVersion::Http11, &headers), &offers, &Policy::default());
    ///
    /// let mut buf = [0u8; 128];
    /// let len = decision.write_response_bytes(&mut buf).ok_or("the head is longer than the buffer")?;
    /// assert_eq!(
    ///     &buf[..len],
    ///     b"HTTP/1.1 101 Switching Protocols\r\n\
    ///       Connection: upgrade\r\n\
    ///       Upgrade: h2c\r\n\
    ///       \r\n"
    /// );
    /// assert_eq!(decision.write_response_bytes(&mut buf[..len - 1]), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn write_response_bytes(&self, buf: &mut [u8]) -> Option<usize> {
        let mut out = BytesOut { buf, len: 0 };
        self.write_head(&mut out, true).ok()?;
        Some(out.len)
    }

    /// The one layout of every response head: the status line and header fields, then the
    /// empty line when `end` is set. Nothing for [`Outcome::Continue`].
    fn write_head<O: HeadOut + ?Sized>(&self, out: &mut O, end: bool) -> Result<(), O::Error> {
        match self.outcome {
            Outcome::Continue => return Ok(()),
            Outcome::Switch => {
                out.text("HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\n")?;
                if self.protocol.is_some() {
                    out.text("Upgrade: ")?;
                    out.protocols(self.protocol())?;
                    out.text("\r\n")?;
                }
                if let Some(accept) = &self.websocket_accept {
                    out.text("Sec-WebSocket-Accept: ")?;
                    out.accept(accept)?;
                    out.text("\r\n")?;
                }
            }
            Outcome::Required => {
                out.text("HTTP/1.1 426 Upgrade Required\r\nConnection: upgrade\r\nUpgrade: ")?;
                if self.reason == Reason::WebSocketVersionUnsupported {
                    out.protocols(self.protocol())?;
                    out.text("\r\nSec-WebSocket-Version: ")?;
                    out.text(WEBSOCKET_VERSION)?;
                } else {
                    out.protocols(self.offers)?;
                }
                out.text("\r\nContent-Length: 0\r\n")?;
            }
            Outcome::Reject if self.reason == Reason::VersionUnsupported => out.text(
                "HTTP/1.1 505 HTTP Version Not Supported\r\nConnection: close\r\nContent-Length: 0\r\n",
            )?,
            Outcome::Reject => out.text(
                "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n",
            )?,
        }
        if end { out.text("\r\n") } else { Ok(()) }
    }
}

/// Where [`Decision::write_head`] writes a head: pieces of text, the `Upgrade` list, and the
/// websocket accept value, each as the writer takes it best. Pieces, rather than `write!`: the
/// formatting machinery would cost as much as the rest of the head.
trait HeadOut {
    type Error;
    fn text(&mut self, text: &str) -> Result<(), Self::Error>;
    /// `protocols` as a canonical `Upgrade` value, written by the grammar.
    fn protocols<'p, I>(&mut self, protocols: I) -> Result<(), Self::Error>
    where
        I: IntoIterator,
        I::Item: Borrow<Protocol<'p>>;
    fn accept(&mut self, accept: &WebSocketAccept) -> Result<(), Self::Error>;
}

/// A `fmt::Write`: every piece as text.
struct TextOut<'w, W: fmt::Write + ?Sized>(&'w mut W);

impl<W: fmt::Write + ?Sized> HeadOut for TextOut<'_, W> {
    type Error = fmt::Error;

    fn text(&mut self, text: &str) -> fmt::Result {
        self.0.write_str(text)
    }

    fn protocols<'p, I>(&mut self, protocols: I) -> fmt::Result
    where
        I: IntoIterator,
        I::Item: Borrow<Protocol<'p>>,
    {
        write_upgrade(self.0, protocols)
    }

    fn accept(&mut self, accept: &WebSocketAccept) -> fmt::Result {
        self.0.write_str(accept.as_str())
    }
}

/// A byte buffer, filled from its start: every piece as bytes. `Err` when a piece does not fit.
struct BytesOut<'b> {
    buf: &'b mut [u8],
    len: usize,
}

impl BytesOut<'_> {
    fn bytes(&mut self, bytes: &[u8]) -> Result<(), ()> {
        let end = self.len.checked_add(bytes.len()).ok_or(())?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(())?
            .copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }
}

impl HeadOut for BytesOut<'_> {
    type Error = ();

    fn text(&mut self, text: &str) -> Result<(), ()> {
        self.bytes(text.as_bytes())
    }

    fn protocols<'p, I>(&mut self, protocols: I) -> Result<(), ()>
    where
        I: IntoIterator,
        I::Item: Borrow<Protocol<'p>>,
    {
        let rest = self.buf.get_mut(self.len..).ok_or(())?;
        self.len += write_upgrade_bytes(rest, protocols).ok_or(())?;
        Ok(())
    }

    fn accept(&mut self, accept: &WebSocketAccept) -> Result<(), ()> {
        self.bytes(accept.as_bytes())
    }
}

impl From<HeadError> for Decision<'static> {
    /// Rule 1 for a head that [`parse_request`](crate::parse_request) refused: 505 for
    /// [`HeadError::VersionUnsupported`], otherwise 400.
    fn from(error: HeadError) -> Self {
        let reason = match error {
            HeadError::VersionUnsupported => Reason::VersionUnsupported,
            HeadError::Invalid(_) => Reason::RequestMalformed,
        };
        Decision::new(Outcome::Reject, reason, &[])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_keeps_the_offers_it_was_made_with() {
        let offers = [Protocol::from_static("h2c"), Protocol::from_static("foo/2")];
        let headers = [("Host", "a")];
        let request = crate::RequestHead::new("GET", crate::HttpVersion::Http11, &headers);
        let decision = crate::negotiate(request, &offers, &crate::Policy::default());
        assert_eq!(decision.offers(), &offers);
        assert!(Decision::request_malformed().offers().is_empty());
    }

    #[test]
    fn outcomes_display_as_their_stable_codes() {
        let shown: Vec<String> = Outcome::ALL.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["switch", "continue", "required", "reject"]);
    }
}
