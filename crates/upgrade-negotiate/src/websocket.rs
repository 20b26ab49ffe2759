//! The websocket opening handshake of RFC 6455 section 4.

use core::fmt;

use sha1::{Digest as _, Sha1};

use crate::base64::{encode_digest, is_base64_of_16_bytes};
use crate::headers::{Repeated, trim_ows};
use crate::reason::Reason;

/// The GUID that RFC 6455 section 1.3 appends to the client's key before hashing
/// ([`WebSocketAccept::from_key`]).
pub const WEBSOCKET_GUID: &str = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The only websocket version this crate negotiates (RFC 6455 section 4.1, item 9).
pub const WEBSOCKET_VERSION: &str = "13";

/// The value of `Sec-WebSocket-Accept` for a client's `Sec-WebSocket-Key`.
///
/// RFC 6455 section 4.2.2, item 5.4: the base64 of the SHA-1 of the key, as sent, followed by
/// [`WEBSOCKET_GUID`]. Held in a fixed 28-byte array; computing it never allocates.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::WebSocketAccept;
///
/// // The example of RFC 6455 section 1.3.
/// let accept = WebSocketAccept::from_key(b"dGhlIHNhbXBsZSBub25jZQ==");
/// assert_eq!(accept.as_str(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
/// assert_ne!(WebSocketAccept::from_key(b"dGhlIHNhbXBsZSBub25jZQ").as_str(), accept.as_str());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct WebSocketAccept {
    base64: [u8; 28],
}

impl WebSocketAccept {
    /// Computes the accept value for `key`, the `Sec-WebSocket-Key` value without surrounding
    /// whitespace. Any bytes are hashed; whether the key is valid is [`is_websocket_key`].
    pub fn from_key(key: &[u8]) -> Self {
        let digest = match <&[u8; 24]>::try_from(key) {
            Ok(key) => digest_of_key_of_24_bytes(key),
            Err(_) => Sha1::new()
                .chain_update(key)
                .chain_update(WEBSOCKET_GUID.as_bytes())
                .finalize()
                .into(),
        };
        WebSocketAccept {
            base64: encode_digest(&digest),
        }
    }

    /// The accept value as text.
    pub fn as_str(&self) -> &str {
        // Base64 output is ASCII.
        core::str::from_utf8(&self.base64).unwrap_or_default()
    }

    /// The accept value as bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.base64
    }
}

impl fmt::Display for WebSocketAccept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for WebSocketAccept {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WebSocketAccept({:?})", self.as_str())
    }
}

/// Whether `key` is a valid `Sec-WebSocket-Key`: the padded base64 (RFC 4648 section 4) of
/// exactly 16 bytes, that is 24 characters (RFC 6455 section 4.1, item 7).
///
/// `key` is the field line value without its surrounding whitespace.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::is_websocket_key;
///
/// assert!(is_websocket_key(b"dGhlIHNhbXBsZSBub25jZQ=="));
/// assert!(!is_websocket_key(b"dGhlIHNhbXBsZSBub25jZQ")); // unpadded
/// assert!(!is_websocket_key(b"c2hvcnQ=")); // 5 bytes
/// ```
pub fn is_websocket_key(key: &[u8]) -> bool {
    is_base64_of_16_bytes(key)
}

/// The websocket profile (RFC 6455 section 4.2.1), checked in this order: the method is `GET`,
/// `Sec-WebSocket-Version` is one line of exactly `13`, `Sec-WebSocket-Key` is one line holding a
/// valid key. HTTP/1.1 and `Connection: upgrade` are checked by the rules before the profiles.
/// `version` and `key` are the only line of each field ([`single`](crate::headers::single)).
pub(crate) fn profile(
    method: &[u8],
    version: Result<Option<&[u8]>, Repeated>,
    key: Result<Option<&[u8]>, Repeated>,
) -> Result<WebSocketAccept, Reason> {
    if method != b"GET" {
        return Err(Reason::WebSocketMethodNotGet);
    }
    match version {
        Ok(None) => return Err(Reason::WebSocketVersionMissing),
        Ok(Some(version)) if trim_ows(version) == WEBSOCKET_VERSION.as_bytes() => {}
        Ok(Some(_)) | Err(_) => return Err(Reason::WebSocketVersionUnsupported),
    }
    let key = match key {
        Ok(None) => return Err(Reason::WebSocketKeyMissing),
        Err(_) => return Err(Reason::WebSocketKeyRepeated),
        Ok(Some(key)) => trim_ows(key),
    };
    if is_websocket_key(key) {
        Ok(WebSocketAccept::from_key(key))
    } else {
        Err(Reason::WebSocketKeyInvalid)
    }
}

/// [`WEBSOCKET_GUID`] as bytes.
const GUID: [u8; 36] = *b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// The SHA-1 initial state (FIPS 180-4 section 5.3.1).
const SHA1_INITIAL: [u32; 5] = [
    0x6745_2301,
    0xefcd_ab89,
    0x98ba_dcfe,
    0x1032_5476,
    0xc3d2_e1f0,
];

/// The second SHA-1 block of a 60-byte message (FIPS 180-4 section 5.1.1): the padding's zero
/// bytes, then the message length, 480 bits, as a 64-bit big-endian number.
const SHA1_LAST_OF_60_BYTES: [u8; 64] = {
    let mut block = [0; 64];
    let [.., high, low] = &mut block;
    [*high, *low] = (60u16 * 8).to_be_bytes();
    block
};

/// The first SHA-1 block of a 24-byte key and the GUID, but for the key: 24 bytes left for it,
/// the GUID, then the `1` bit that starts the padding, then zero bytes.
// Evaluated only at compile time: an out-of-bounds index here fails the build, never a request.
#[allow(clippy::indexing_slicing)]
const SHA1_FIRST_OF_KEY_AND_GUID: [u8; 64] = {
    let mut block = [0; 64];
    let mut i = 0;
    while i < GUID.len() {
        block[24 + i] = GUID[i];
        i += 1;
    }
    block[60] = 0x80;
    block
};

/// The SHA-1 of a 24-byte key (every valid key: the base64 of 16 bytes) followed by
/// [`WEBSOCKET_GUID`]: 60 bytes, whose padded form is two blocks, the second always the same, so
/// they are compressed directly instead of through the hasher's buffer.
fn digest_of_key_of_24_bytes(key: &[u8; 24]) -> [u8; 20] {
    let mut first = SHA1_FIRST_OF_KEY_AND_GUID;
    if let Some(room) = first.first_chunk_mut::<24>() {
        *room = *key;
    }
    let mut state = SHA1_INITIAL;
    sha1::compress(&mut state, &[first.into(), SHA1_LAST_OF_60_BYTES.into()]);
    let mut digest = [0; 20];
    for (bytes, word) in digest.chunks_exact_mut(4).zip(state) {
        bytes.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_a_key_of_24_bytes_as_the_hasher_does() {
        assert_eq!(GUID, WEBSOCKET_GUID.as_bytes());
        let mut rng = upgrade_testkit::rng::SplitMix64::new(6455);
        for _ in 0..2000 {
            let mut key = [0; 24];
            rng.fill(&mut key);
            let streamed: [u8; 20] = Sha1::new()
                .chain_update(key)
                .chain_update(WEBSOCKET_GUID.as_bytes())
                .finalize()
                .into();
            assert_eq!(digest_of_key_of_24_bytes(&key), streamed, "{key:?}");
        }
    }

    #[test]
    fn computes_the_rfc_6455_example() {
        assert_eq!(
            WebSocketAccept::from_key(b"dGhlIHNhbXBsZSBub25jZQ==").as_str(),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        );
    }

    #[test]
    fn shows_the_accept_value_as_text_bytes_and_in_debug() {
        // RFC 6455 section 1.3.
        let accept = WebSocketAccept::from_key(b"dGhlIHNhbXBsZSBub25jZQ==");
        assert_eq!(accept.to_string(), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(accept.as_bytes(), b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        assert_eq!(
            format!("{accept:?}"),
            "WebSocketAccept(\"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\")"
        );
    }

    #[test]
    fn rejects_keys_that_are_not_canonical_base64_of_16_bytes() {
        for key in [
            &b""[..],
            b"dGhlIHNhbXBsZSBub25jZQ",
            b"dGhlIHNhbXBsZSBub25jZQ=",
            b"dGhlIHNhbXBsZSBub25jZR==", // trailing bits set
            b"dGhlIHNhbXBsZSBub25jZQ=== ",
            b"dGhlIHNhbXBsZSBub25jZSE=", // 17 bytes
            b"dGhlIHNhbXBsZSBub25jZQ-_", // base64url alphabet
            b" dGhlIHNhbXBsZSBub25jZQ==",
        ] {
            assert!(!is_websocket_key(key), "{key:?}");
        }
        assert!(is_websocket_key(b"AAAAAAAAAAAAAAAAAAAAAA=="));
        assert!(is_websocket_key(b"/////////////////////w=="));
    }
}
