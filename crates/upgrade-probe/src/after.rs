//! What the probe does after a 101: speak the new protocol for a moment, to see that the
//! switch is real and that the request body was not read as the new protocol.

use std::time::Instant;

use crate::conn::{Conn, Stop};

/// The payload of the probe's websocket ping.
const PING: &[u8] = b"upgrade-probe";
/// The most frames read while waiting for the answer.
const MAX_FRAMES: usize = 32;
/// The largest frame payload read.
const MAX_PAYLOAD: usize = 64 << 10;

/// RFC 6455 section 5.5.2: sends a masked ping and expects the pong. `Ok` with a short note,
/// or why the exchange failed. A close, a data frame or anything else first shows that the
/// server read something else as frames (the request body), or that the switch is not real.
pub(crate) fn websocket_ping(conn: &mut Conn) -> Result<(), String> {
    let mask = [0x5a, 0x17, 0xc3, 0x88];
    let mut frame = vec![0x89, 0x80 | PING.len() as u8];
    frame.extend_from_slice(&mask);
    frame.extend(PING.iter().zip(mask.iter().cycle()).map(|(b, m)| b ^ m));
    conn.send(&frame)
        .map_err(|e| format!("cannot send the websocket ping: {e}"))?;
    let deadline = conn.deadline();
    let answer = read_pong(conn, deadline);
    // Close politely: a masked close frame, code 1000.
    let _ = conn.send(&[0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]);
    answer
}

fn read_pong(conn: &mut Conn, deadline: Instant) -> Result<(), String> {
    let stopped = |stop: Stop| format!("no pong to the websocket ping: {}", stop.describe());
    for _ in 0..MAX_FRAMES {
        let first = conn.take(2, deadline).map_err(stopped)?;
        let &[b0, b1] = first.as_slice() else {
            return Err("a websocket frame header was cut".into());
        };
        let opcode = b0 & 0x0f;
        let length = match b1 & 0x7f {
            126 => be(&conn.take(2, deadline).map_err(stopped)?),
            127 => be(&conn.take(8, deadline).map_err(stopped)?),
            n => u64::from(n),
        };
        if b1 & 0x80 != 0 {
            conn.take(4, deadline).map_err(stopped)?;
        }
        let length = usize::try_from(length)
            .ok()
            .filter(|&n| n <= MAX_PAYLOAD)
            .ok_or("a websocket frame over the size bound")?;
        let payload = conn.take(length, deadline).map_err(stopped)?;
        match opcode {
            0xA if payload == PING => return Ok(()),
            // An unsolicited pong (RFC 6455 section 5.5.3) or a server ping: keep reading.
            0xA | 0x9 => {}
            0x8 => {
                let code = payload.get(..2).map(be).unwrap_or(0);
                return Err(format!(
                    "the server answered the ping with a close (code {code}): it read other bytes as frames"
                ));
            }
            0x0..=0x2 => {
                return Err(
                    "a data frame before the pong: the server read the request body as frames"
                        .into(),
                );
            }
            other => return Err(format!("an unknown websocket opcode {other:#x}")),
        }
    }
    Err("no pong among the first frames".into())
}

/// A big-endian number of up to 8 bytes.
fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |n, &b| (n << 8) | u64::from(b))
}

/// The HTTP/2 client connection preface (RFC 9113 section 3.4).
const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const DATA: u8 = 0x0;
const HEADERS: u8 = 0x1;
const RST_STREAM: u8 = 0x3;
const SETTINGS: u8 = 0x4;
const GOAWAY: u8 = 0x7;
const END_STREAM: u8 = 0x1;
/// The most HTTP/2 frames read while waiting for the response on stream 1.
const MAX_H2_FRAMES: usize = 64;

/// The response on stream 1 after an h2c switch.
#[derive(Debug)]
pub(crate) struct H2Response {
    /// The status when the header block starts with an indexed `:status` (RFC 7541
    /// appendix A), the usual encoding.
    pub(crate) status: Option<u16>,
    pub(crate) body: Vec<u8>,
}

/// RFC 7540 section 3.2: sends the connection preface and an empty SETTINGS frame, and reads
/// frames until the response to the upgraded request on stream 1 is complete. The server's
/// first frame must be SETTINGS (RFC 9113 section 3.4).
pub(crate) fn h2c_exchange(conn: &mut Conn) -> Result<H2Response, String> {
    let mut hello = PREFACE.to_vec();
    hello.extend_from_slice(&frame_head(0, SETTINGS, 0));
    conn.send(&hello)
        .map_err(|e| format!("cannot send the HTTP/2 preface: {e}"))?;
    let deadline = conn.deadline();
    let stopped = |stop: Stop| format!("no HTTP/2 response on stream 1: {}", stop.describe());
    let mut response: Option<H2Response> = None;
    for index in 0..MAX_H2_FRAMES {
        let head = conn.take(9, deadline).map_err(stopped)?;
        let length = usize::try_from(be(head.get(..3).unwrap_or_default())).unwrap_or(usize::MAX);
        let kind = head.get(3).copied().unwrap_or_default();
        let flags = head.get(4).copied().unwrap_or_default();
        let stream = be(head.get(5..9).unwrap_or_default()) & 0x7fff_ffff;
        if length > MAX_PAYLOAD {
            return Err("an HTTP/2 frame over the size bound".into());
        }
        let payload = conn.take(length, deadline).map_err(stopped)?;
        if index == 0 && kind != SETTINGS {
            return Err(format!(
                "the server's first HTTP/2 frame is of type {kind}, not SETTINGS"
            ));
        }
        match (kind, stream) {
            (SETTINGS, 0) if flags & 0x1 == 0 => {
                let _ = conn.send(&frame_head(0, SETTINGS, 0x1));
            }
            (GOAWAY, _) => {
                let code = payload.get(4..8).map(be).unwrap_or(0);
                return Err(format!(
                    "GOAWAY with error code {code}: the server did not take the preface (was the request body read as HTTP/2?)"
                ));
            }
            (RST_STREAM, 1) => {
                return Err(format!(
                    "RST_STREAM on stream 1 with error code {}",
                    be(&payload)
                ));
            }
            (HEADERS, 1) => {
                let response = response.get_or_insert(H2Response {
                    status: None,
                    body: Vec::new(),
                });
                // Skip the pad length and priority fields when their flags are set.
                let mut block = payload.as_slice();
                if flags & 0x8 != 0 {
                    block = block.get(1..).unwrap_or_default();
                }
                if flags & 0x20 != 0 {
                    block = block.get(5..).unwrap_or_default();
                }
                response.status = response.status.or_else(|| indexed_status(block));
                if flags & END_STREAM != 0 {
                    break;
                }
            }
            (DATA, 1) => {
                let Some(response) = response.as_mut() else {
                    return Err("DATA on stream 1 before its HEADERS".into());
                };
                response.body.extend_from_slice(&payload);
                if flags & END_STREAM != 0 {
                    break;
                }
            }
            _ => {}
        }
    }
    let _ = conn.send(&goaway());
    response.ok_or_else(|| "no response on stream 1 among the first frames".into())
}

/// The `:status` of a header block whose first representation is an indexed field of the
/// HPACK static table (indices 8 to 14).
fn indexed_status(block: &[u8]) -> Option<u16> {
    match block.first()? {
        0x88 => Some(200),
        0x89 => Some(204),
        0x8a => Some(206),
        0x8b => Some(304),
        0x8c => Some(400),
        0x8d => Some(404),
        0x8e => Some(500),
        _ => None,
    }
}

fn frame_head(length: u32, kind: u8, flags: u8) -> [u8; 9] {
    let [_, a, b, c] = length.to_be_bytes();
    [a, b, c, kind, flags, 0, 0, 0, 0]
}

fn goaway() -> Vec<u8> {
    let mut frame = frame_head(8, GOAWAY, 0).to_vec();
    frame.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 0]);
    frame
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_big_endian_numbers() {
        assert_eq!(be(&[0x01, 0x00]), 256);
        assert_eq!(be(&[]), 0);
        assert_eq!(frame_head(0x010203, 4, 1), [1, 2, 3, 4, 1, 0, 0, 0, 0]);
    }

    #[test]
    fn knows_the_static_status_indices() {
        assert_eq!(indexed_status(&[0x88]), Some(200));
        assert_eq!(indexed_status(&[0x8d, 0x00]), Some(404));
        assert_eq!(indexed_status(&[0x48, 0x03]), None);
        assert_eq!(indexed_status(&[]), None);
    }
}
