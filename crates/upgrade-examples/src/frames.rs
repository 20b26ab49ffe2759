//! The few HTTP/2 frames (RFC 9113 section 4.1) and HPACK representations (RFC 7541
//! section 6.2.2) that splice an upgraded HTTP/1.1 request into an HTTP/2 connection.
//!
//! ```text
//! HTTP Frame {
//!   Length (24), Type (8), Flags (8),
//!   Reserved (1), Stream Identifier (31),
//!   Frame Payload (..),
//! }
//! ```

use std::fmt;

/// The client connection preface (RFC 9113 section 3.4).
pub const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/// The length of a frame header.
pub const HEAD_LEN: usize = 9;
/// The largest frame payload a peer accepts before its SETTINGS say otherwise
/// (`SETTINGS_MAX_FRAME_SIZE`, RFC 9113 section 6.5.2).
pub const MAX_PAYLOAD: usize = 16_384;
/// The flow-control window of a new stream and of the connection before any WINDOW_UPDATE or
/// SETTINGS (RFC 9113 section 6.9.2): the most request body that can be spliced in.
pub const INITIAL_WINDOW: usize = 65_535;

/// Frame type DATA.
pub const DATA: u8 = 0x0;
/// Frame type HEADERS.
pub const HEADERS: u8 = 0x1;
/// Frame type SETTINGS.
pub const SETTINGS: u8 = 0x4;
/// Frame type CONTINUATION.
pub const CONTINUATION: u8 = 0x9;
/// Flag END_STREAM of DATA and HEADERS.
pub const END_STREAM: u8 = 0x1;
/// Flag END_HEADERS of HEADERS and CONTINUATION.
pub const END_HEADERS: u8 = 0x4;

/// A frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameHead {
    /// The payload length.
    pub length: usize,
    /// The frame type.
    pub kind: u8,
    /// The flags.
    pub flags: u8,
    /// The stream identifier, without the reserved bit.
    pub stream: u32,
}

/// Reads the frame header at the start of `bytes`, `None` when fewer than 9 bytes are there.
pub fn frame_head(bytes: &[u8]) -> Option<FrameHead> {
    let head: [u8; HEAD_LEN] = bytes.get(..HEAD_LEN)?.try_into().ok()?;
    let [l0, l1, l2, kind, flags, s0, s1, s2, s3] = head;
    Some(FrameHead {
        length: usize::from(l0) << 16 | usize::from(l1) << 8 | usize::from(l2),
        kind,
        flags,
        stream: u32::from_be_bytes([s0 & 0x7f, s1, s2, s3]),
    })
}

/// A payload longer than [`MAX_PAYLOAD`]: the caller splits before it writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PayloadTooLong;

impl fmt::Display for PayloadTooLong {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "an HTTP/2 frame payload is longer than {MAX_PAYLOAD} bytes"
        )
    }
}

impl std::error::Error for PayloadTooLong {}

/// Appends one frame.
fn frame(
    out: &mut Vec<u8>,
    kind: u8,
    flags: u8,
    stream: u32,
    payload: &[u8],
) -> Result<(), PayloadTooLong> {
    if payload.len() > MAX_PAYLOAD {
        return Err(PayloadTooLong);
    }
    let [_, l0, l1, l2] = u32::try_from(payload.len())
        .map_err(|_| PayloadTooLong)?
        .to_be_bytes();
    out.extend_from_slice(&[l0, l1, l2, kind, flags]);
    out.extend_from_slice(&(stream & 0x7fff_ffff).to_be_bytes());
    out.extend_from_slice(payload);
    Ok(())
}

/// Appends a SETTINGS frame (stream 0, no ACK) carrying `payload`, a sequence of 6-byte
/// settings.
pub fn settings(out: &mut Vec<u8>, payload: &[u8]) -> Result<(), PayloadTooLong> {
    frame(out, SETTINGS, 0, 0, payload)
}

/// Appends a complete request on `stream`: HEADERS (and CONTINUATION frames when the header
/// block does not fit in one frame) carrying `block`, then DATA frames carrying `body`.
/// END_STREAM is on the last frame of the stream.
pub fn request(
    out: &mut Vec<u8>,
    stream: u32,
    block: &[u8],
    body: &[u8],
) -> Result<(), PayloadTooLong> {
    let mut fragments = block.chunks(MAX_PAYLOAD).peekable();
    let first = fragments.next().unwrap_or_default();
    let end_stream = if body.is_empty() { END_STREAM } else { 0 };
    let end_headers = if fragments.peek().is_none() {
        END_HEADERS
    } else {
        0
    };
    frame(out, HEADERS, end_stream | end_headers, stream, first)?;
    while let Some(fragment) = fragments.next() {
        let end_headers = if fragments.peek().is_none() {
            END_HEADERS
        } else {
            0
        };
        frame(out, CONTINUATION, end_headers, stream, fragment)?;
    }
    let mut chunks = body.chunks(MAX_PAYLOAD).peekable();
    while let Some(chunk) = chunks.next() {
        let end_stream = if chunks.peek().is_none() {
            END_STREAM
        } else {
            0
        };
        frame(out, DATA, end_stream, stream, chunk)?;
    }
    Ok(())
}

/// Appends a field as an HPACK literal without indexing, with a literal name and no Huffman
/// coding (RFC 7541 section 6.2.2): `0000 0000`, the name's length and bytes, the value's
/// length and bytes.
pub fn literal_field(block: &mut Vec<u8>, name: &[u8], value: &[u8]) {
    block.push(0x00);
    string(block, name);
    string(block, value);
}

/// An HPACK string literal without Huffman coding (RFC 7541 section 5.2).
fn string(block: &mut Vec<u8>, bytes: &[u8]) {
    integer(block, 0x00, 7, bytes.len());
    block.extend_from_slice(bytes);
}

/// An HPACK integer with an N-bit prefix (RFC 7541 section 5.1); `high` holds the bits of the
/// first byte above the prefix.
fn integer(block: &mut Vec<u8>, high: u8, prefix_bits: u32, value: usize) {
    let max = (1usize << prefix_bits) - 1;
    if value < max {
        block.push(high | low_byte(value));
        return;
    }
    block.push(high | low_byte(max));
    let mut rest = value - max;
    while rest >= 128 {
        block.push(0x80 | low_byte(rest % 128));
        rest /= 128;
    }
    block.push(low_byte(rest));
}

/// The low 8 bits of `value`.
fn low_byte(value: usize) -> u8 {
    value.to_le_bytes().first().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn encodes_the_rfc_7541_integer_examples() {
        // C.1.1: 10 with a 5-bit prefix; C.1.2: 1337 with a 5-bit prefix.
        let mut block = Vec::new();
        integer(&mut block, 0, 5, 10);
        assert_eq!(block, [0b0000_1010]);
        let mut block = Vec::new();
        integer(&mut block, 0, 5, 1337);
        assert_eq!(block, [0b0001_1111, 0b1001_1010, 0b0000_1010]);
        let mut block = Vec::new();
        integer(&mut block, 0, 7, 127);
        assert_eq!(block, [0x7f, 0x00]);
    }

    #[test]
    fn encodes_the_rfc_7541_literal_without_indexing_example() {
        // C.2.2: `:path: /sample/path`, here with a literal name.
        let mut block = Vec::new();
        literal_field(&mut block, b":path", b"/sample/path");
        let mut expected = vec![0x00, 0x05];
        expected.extend_from_slice(b":path");
        expected.push(0x0c);
        expected.extend_from_slice(b"/sample/path");
        assert_eq!(block, expected);
    }

    #[test]
    fn writes_and_reads_frame_heads() {
        let mut out = Vec::new();
        settings(&mut out, &[0, 3, 0, 0, 0, 100]).unwrap();
        assert_eq!(
            frame_head(&out),
            Some(FrameHead {
                length: 6,
                kind: SETTINGS,
                flags: 0,
                stream: 0
            })
        );
        assert_eq!(frame_head(&out[..8]), None);
        assert_eq!(
            settings(&mut out, &[0; MAX_PAYLOAD + 1]),
            Err(PayloadTooLong)
        );
    }

    #[test]
    fn a_request_without_body_ends_the_stream_on_headers() {
        let mut out = Vec::new();
        request(&mut out, 1, b"abc", b"").unwrap();
        let head = frame_head(&out).unwrap();
        assert_eq!((head.kind, head.flags, head.stream), (HEADERS, 0x5, 1));
        assert_eq!(out.len(), HEAD_LEN + 3);
    }

    #[test]
    fn a_long_request_is_split_into_continuation_and_data_frames() {
        let block = vec![0u8; MAX_PAYLOAD + 1];
        let body = vec![7u8; MAX_PAYLOAD * 2];
        let mut out = Vec::new();
        request(&mut out, 1, &block, &body).unwrap();
        let mut rest = &out[..];
        let mut seen = Vec::new();
        while let Some(head) = frame_head(rest) {
            seen.push((head.kind, head.flags, head.length));
            rest = &rest[HEAD_LEN + head.length..];
        }
        assert_eq!(
            seen,
            [
                (HEADERS, 0, MAX_PAYLOAD),
                (CONTINUATION, END_HEADERS, 1),
                (DATA, 0, MAX_PAYLOAD),
                (DATA, END_STREAM, MAX_PAYLOAD),
            ]
        );
    }
}
