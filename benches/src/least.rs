//! The least any server does to answer each upgrade, nothing checked: the floors of the
//! whole requests' ratios to httparse alone, measured beside
//! [`httparse_negotiate`](crate::request::httparse_negotiate) on the same bytes.

use std::hint::black_box;

use upgrade_negotiate::{WebSocketAccept, is_http2_settings};

use crate::request::{MAX_HEADERS, RESPONSE_CAPACITY, SWITCH_H2C};

/// The least any server does to answer a websocket handshake, nothing checked: httparse's
/// parse, the first `Sec-WebSocket-Key` line found by name, and its accept value (SHA-1 and
/// base64), which the 101 head must carry. Measured beside
/// [`httparse_negotiate`](crate::request::httparse_negotiate) on the websocket requests, it is
/// the floor of their ratio to httparse alone.
///
/// # Examples
///
/// ```
/// use upgrade_benches::least::httparse_accept;
/// use upgrade_benches::request::{CHROMIUM_WEBSOCKET, JSON_POST};
///
/// // Chromium's handshake carries the key of RFC 6455 section 1.3, with this accept value.
/// let accept = httparse_accept(CHROMIUM_WEBSOCKET).map(|a| a.as_str().to_owned());
/// assert_eq!(accept.as_deref(), Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
/// assert!(httparse_accept(JSON_POST).is_none());
/// ```
pub fn httparse_accept(bytes: &[u8]) -> Option<WebSocketAccept> {
    websocket_key(bytes).map(WebSocketAccept::from_key)
}

/// The value of the first `Sec-WebSocket-Key` line of a request whose head httparse reads whole,
/// found before the timing of [`WebSocketAccept::from_key`] alone: the part of any websocket
/// server's work that no parser or check can take away.
///
/// # Examples
///
/// ```
/// use upgrade_benches::least::websocket_key;
/// use upgrade_benches::request::{CHROMIUM_WEBSOCKET, CURL_H2C};
///
/// assert_eq!(websocket_key(CHROMIUM_WEBSOCKET), Some(&b"dGhlIHNhbXBsZSBub25jZQ=="[..]));
/// assert_eq!(websocket_key(CURL_H2C), None);
/// ```
pub fn websocket_key(bytes: &[u8]) -> Option<&[u8]> {
    first_value(bytes, "sec-websocket-key")
}

/// The value of the first `HTTP2-Settings` line of a request whose head httparse reads whole,
/// found before the timing of [`is_http2_settings`] alone: the decoding that any h2c server does,
/// whatever else it checks.
///
/// # Examples
///
/// ```
/// use upgrade_benches::least::http2_settings;
/// use upgrade_benches::request::{CHROMIUM_WEBSOCKET, CURL_H2C};
///
/// assert_eq!(http2_settings(CURL_H2C), Some(&b"AAMAAABkAAQAoAAAAAIAAAAA"[..]));
/// assert_eq!(http2_settings(CHROMIUM_WEBSOCKET), None);
/// ```
pub fn http2_settings(bytes: &[u8]) -> Option<&[u8]> {
    first_value(bytes, "http2-settings")
}

/// The least any server does to answer an h2c upgrade, nothing else checked: httparse's parse,
/// the first `HTTP2-Settings` line found by name, its settings decoded and held to their bounds
/// ([`is_http2_settings`]: the server decodes and applies them as it would a SETTINGS frame,
/// RFC 7540 section 3.2.1), and the fixed 101 head copied into a buffer on the stack; the
/// length of the head. Measured beside
/// [`httparse_negotiate`](crate::request::httparse_negotiate) on curl's h2c upgrade, it is the
/// floor of its ratio to httparse alone.
///
/// # Examples
///
/// ```
/// use upgrade_benches::least::httparse_settings;
/// use upgrade_benches::request::{CURL_H2C, JSON_POST};
///
/// assert_eq!(httparse_settings(CURL_H2C), Some(71));
/// assert_eq!(httparse_settings(JSON_POST), None);
/// ```
pub fn httparse_settings(bytes: &[u8]) -> Option<usize> {
    let settings = http2_settings(bytes)?;
    if !is_http2_settings(settings) {
        return None;
    }
    let mut head = [0u8; RESPONSE_CAPACITY];
    let switch = SWITCH_H2C.as_bytes();
    head.get_mut(..switch.len())?.copy_from_slice(switch);
    // The head is written for the connection, as `httparse_negotiate`'s is.
    black_box(&mut head);
    Some(switch.len())
}

/// httparse's parse of `bytes`, then the value of the first field line named `name` (lowercase),
/// ignoring case; `None` when the head is not whole or has no such line.
fn first_value<'b>(bytes: &'b [u8], name: &str) -> Option<&'b [u8]> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut request = httparse::Request::new(&mut headers);
    let Ok(httparse::Status::Complete(_)) = request.parse(bytes) else {
        return None;
    };
    let field = request
        .headers
        .iter()
        .find(|field| field.name.eq_ignore_ascii_case(name))?;
    Some(field.value)
}
