//! Skipping a request body on the wire, under the framing of its head (RFC 9112 sections 6
//! and 7.1), to find where the next request starts.
//!
//! The skipper keeps no bytes: it needs no size bound beyond the chunk size, which must fit in
//! a `u64`. It delimits a body exactly where hyper's decoder does, and is no stricter where
//! hyper is lenient (whitespace after the chunk size, any byte in a chunk extension or a
//! trailer line), so that both find the same next request. Where hyper is stricter (its limits
//! on extensions and trailers), hyper refuses the request and closes the connection first.

use std::fmt;

use upgrade_negotiate::BodyFraming;

/// Why a chunked body cannot be delimited: hyper refuses the same bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChunkedError {
    /// A chunk-size line does not start with a hex digit.
    SizeMissing,
    /// A chunk size does not fit in 64 bits.
    SizeOverflow,
    /// A chunk-size line holds a byte that is neither a hex digit, whitespace, `;` nor CR.
    SizeInvalid,
    /// A chunk extension holds a bare LF.
    ExtensionNewline,
    /// A CR is not followed by LF (after a chunk-size line, a chunk, a trailer line or the
    /// last empty line).
    LineEnd,
}

impl fmt::Display for ChunkedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ChunkedError::SizeMissing => "a chunk-size line without a size",
            ChunkedError::SizeOverflow => "a chunk size over 64 bits",
            ChunkedError::SizeInvalid => "an invalid byte in a chunk-size line",
            ChunkedError::ExtensionNewline => "a bare LF in a chunk extension",
            ChunkedError::LineEnd => "a line of a chunked body without its CRLF",
        })
    }
}

/// Where a chunked body is, one state per place on the wire:
///
/// ```text
/// chunked-body   = *chunk last-chunk trailer-section CRLF
/// chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
/// last-chunk     = 1*("0") [ chunk-ext ] CRLF
/// trailer-section = *( field-line CRLF )
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chunked {
    /// Before the first digit of a chunk size.
    Start,
    /// In the hex digits of a chunk size.
    Size(u64),
    /// In whitespace after the size (hyper accepts it; no digit may follow).
    SizeSpace(u64),
    /// In a chunk extension, which ends at CR.
    Extension(u64),
    /// After the CR of a chunk-size line.
    SizeLf(u64),
    /// In chunk data, with this many bytes left.
    Data(u64),
    /// After chunk data, before its CR.
    DataCr,
    /// After the CR that ends chunk data.
    DataLf,
    /// At the start of a trailer line or of the final empty line.
    LineStart,
    /// In a trailer field line, which ends at CR.
    Trailer,
    /// After the CR of a trailer line.
    TrailerLf,
    /// After the CR of the final empty line.
    EndLf,
}

/// A request body being skipped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodySkipper {
    /// A `Content-Length` body, with this many bytes left.
    Length(u64),
    /// A chunked body.
    Chunked(Chunked),
}

impl BodySkipper {
    /// The skipper for a body of `framing`; `None` when there is no body.
    pub const fn new(framing: BodyFraming) -> Option<Self> {
        match framing {
            BodyFraming::None | BodyFraming::ContentLength(0) => None,
            BodyFraming::ContentLength(length) => Some(BodySkipper::Length(length)),
            BodyFraming::Chunked => Some(BodySkipper::Chunked(Chunked::Start)),
        }
    }

    /// Skips body bytes from the start of `bytes`: `Some(n)` when the body ends after the
    /// first `n` bytes, `None` when all of `bytes` belongs to it and more is to come.
    ///
    /// # Errors
    ///
    /// When a chunked body is malformed: nothing after it can be delimited.
    pub fn skip(&mut self, bytes: &[u8]) -> Result<Option<usize>, ChunkedError> {
        match self {
            BodySkipper::Length(left) => Ok(take(left, bytes.len())),
            BodySkipper::Chunked(state) => skip_chunked(state, bytes),
        }
    }
}

/// Takes up to `available` bytes off `left`: `Some(taken)` when `left` reaches zero.
fn take(left: &mut u64, available: usize) -> Option<usize> {
    let available_u64 = u64::try_from(available).unwrap_or(u64::MAX);
    if *left > available_u64 {
        *left -= available_u64;
        return None;
    }
    let taken = usize::try_from(*left).unwrap_or(available);
    *left = 0;
    Some(taken)
}

/// Skips chunked body bytes, as [`BodySkipper::skip`]. hyper's decoder
/// (`proto/h1/decode.rs`) takes the same transitions.
fn skip_chunked(state: &mut Chunked, bytes: &[u8]) -> Result<Option<usize>, ChunkedError> {
    let mut pos = 0;
    while let Some(rest) = bytes.get(pos..).filter(|rest| !rest.is_empty()) {
        if let Chunked::Data(left) = state {
            match take(left, rest.len()) {
                Some(taken) => {
                    pos += taken;
                    *state = Chunked::DataCr;
                }
                None => pos = bytes.len(),
            }
            continue;
        }
        let Some(&byte) = rest.first() else { break };
        pos += 1;
        *state = match (*state, byte) {
            (Chunked::Start, _) => {
                Chunked::Size(u64::from(hex(byte).ok_or(ChunkedError::SizeMissing)?))
            }
            (Chunked::Size(size), b'\t' | b' ') | (Chunked::SizeSpace(size), b'\t' | b' ') => {
                Chunked::SizeSpace(size)
            }
            (Chunked::Size(size) | Chunked::SizeSpace(size), b';') => Chunked::Extension(size),
            (Chunked::Size(size) | Chunked::SizeSpace(size) | Chunked::Extension(size), b'\r') => {
                Chunked::SizeLf(size)
            }
            (Chunked::Size(size), _) => {
                let digit = hex(byte).ok_or(ChunkedError::SizeInvalid)?;
                let size = size.checked_mul(16).ok_or(ChunkedError::SizeOverflow)?;
                Chunked::Size(size | u64::from(digit))
            }
            (Chunked::SizeSpace(_), _) => return Err(ChunkedError::SizeInvalid),
            (Chunked::Extension(_), b'\n') => return Err(ChunkedError::ExtensionNewline),
            (Chunked::Extension(size), _) => Chunked::Extension(size),
            (Chunked::SizeLf(0), b'\n') => Chunked::LineStart,
            (Chunked::SizeLf(size), b'\n') => Chunked::Data(size),
            (Chunked::DataCr, b'\r') => Chunked::DataLf,
            (Chunked::DataLf, b'\n') => Chunked::Start,
            (Chunked::LineStart, b'\r') => Chunked::EndLf,
            (Chunked::Trailer, b'\r') => Chunked::TrailerLf,
            (Chunked::LineStart | Chunked::Trailer, _) => Chunked::Trailer,
            (Chunked::TrailerLf, b'\n') => Chunked::LineStart,
            (Chunked::EndLf, b'\n') => return Ok(Some(pos)),
            (
                Chunked::SizeLf(_)
                | Chunked::DataCr
                | Chunked::DataLf
                | Chunked::TrailerLf
                | Chunked::EndLf
                | Chunked::Data(_),
                _,
            ) => return Err(ChunkedError::LineEnd),
        };
    }
    Ok(None)
}

/// The value of a hex digit.
const fn hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `bytes` to a skipper in pieces of `step` bytes: where the body ended, counted
    /// from the start of `bytes`.
    fn end_of(
        framing: BodyFraming,
        bytes: &[u8],
        step: usize,
    ) -> Result<Option<usize>, ChunkedError> {
        let Some(mut skipper) = BodySkipper::new(framing) else {
            return Ok(Some(0));
        };
        let mut offset = 0;
        for piece in bytes.chunks(step) {
            if let Some(used) = skipper.skip(piece)? {
                return Ok(Some(offset + used));
            }
            offset += piece.len();
        }
        Ok(None)
    }

    #[test]
    fn skips_a_content_length_body_across_reads_and_stops_at_its_end() {
        for step in [1, 2, 3, 100] {
            let framing = BodyFraming::ContentLength(5);
            assert_eq!(end_of(framing, b"helloGET", step), Ok(Some(5)), "{step}");
            assert_eq!(end_of(framing, b"hell", step), Ok(None), "{step}");
        }
        assert_eq!(
            end_of(BodyFraming::ContentLength(0), b"GET", 1),
            Ok(Some(0))
        );
        assert_eq!(end_of(BodyFraming::None, b"GET", 1), Ok(Some(0)));
    }

    #[test]
    fn a_body_that_ends_with_a_read_ends_at_that_read() {
        let mut skipper = BodySkipper::new(BodyFraming::ContentLength(5)).unwrap();
        assert_eq!(skipper.skip(b"hel"), Ok(None));
        assert_eq!(skipper.skip(b"lo"), Ok(Some(2)));
    }

    #[test]
    fn every_chunked_error_says_what_it_is_in_its_own_words() {
        let errors = [
            ChunkedError::SizeMissing,
            ChunkedError::SizeOverflow,
            ChunkedError::SizeInvalid,
            ChunkedError::ExtensionNewline,
            ChunkedError::LineEnd,
        ];
        let mut texts: Vec<String> = errors.iter().map(ChunkedError::to_string).collect();
        assert!(texts.iter().all(|t| t.starts_with("a")), "{texts:?}");
        texts.sort();
        texts.dedup();
        assert_eq!(texts.len(), errors.len());
    }

    #[test]
    fn skips_chunked_bodies_with_extensions_whitespace_and_trailers_in_any_split() {
        let bodies: [&[u8]; 7] = [
            b"0\r\n\r\n",
            b"3\r\nabc\r\n0\r\n\r\n",
            b"3;name=\"quoted;value\"\r\nabc\r\n0;last\r\n\r\n",
            b"3 \t;e\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n",
            b"3\r\na\r\n\r\n0\r\nExpires: never\r\nX-Trailer: 1\r\n\r\n",
            b"00000003\r\nabc\r\n000\r\n\r\n",
            b"ffffffffffffffff\r\n",
        ];
        for body in bodies {
            let complete = !body.starts_with(b"ffff");
            for step in 1..=body.len() {
                let mut bytes = body.to_vec();
                bytes.extend_from_slice(b"GET / HTTP/1.1\r\n");
                let expected = complete.then_some(body.len());
                assert_eq!(
                    end_of(BodyFraming::Chunked, &bytes, step),
                    Ok(expected),
                    "{} in pieces of {step}",
                    String::from_utf8_lossy(body)
                );
            }
        }
    }

    #[test]
    fn chunk_data_may_hold_any_byte_including_crlf_and_zero() {
        let body = b"5\r\n0\r\n\r\n\r\n0\r\n\r\n";
        assert_eq!(end_of(BodyFraming::Chunked, body, 1), Ok(Some(body.len())));
    }

    #[test]
    fn rejects_what_hyper_rejects_in_chunked_bodies() {
        let cases: [(&[u8], ChunkedError); 9] = [
            (b"\r\n", ChunkedError::SizeMissing),
            (b"x\r\n", ChunkedError::SizeMissing),
            (b"1x\r\n", ChunkedError::SizeInvalid),
            (b"1\n", ChunkedError::SizeInvalid),
            (b"1 2\r\n", ChunkedError::SizeInvalid),
            (b"1;a\nb", ChunkedError::ExtensionNewline),
            (b"1\r\nab\r\n", ChunkedError::LineEnd),
            (b"0\r\n\rX", ChunkedError::LineEnd),
            (b"10000000000000000\r\n", ChunkedError::SizeOverflow),
        ];
        for (body, error) in cases {
            for step in [1, body.len()] {
                assert_eq!(
                    end_of(BodyFraming::Chunked, body, step),
                    Err(error),
                    "{}",
                    String::from_utf8_lossy(body)
                );
            }
        }
    }
}
