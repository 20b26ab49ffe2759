//! Splitting raw fuzz inputs into field lines at [`LINE_SEPARATOR`], eight bytes at a time.
//!
//! Every raw-byte target splits its input before parsing it. Under libFuzzer's comparison
//! tracing each comparison calls back into the fuzzer, so comparing a word at a time (one
//! callback per eight bytes) instead of a byte at a time leaves the fuzzer's time to the parser.

use crate::checks::LINE_SEPARATOR;

/// `0x01` in every byte of a word.
const ONES: u64 = u64::from_le_bytes([0x01; 8]);
/// `0x80` in every byte of a word.
const HIGHS: u64 = ONES * 0x80;
/// [`LINE_SEPARATOR`] in every byte of a word.
const SEPARATORS: u64 = ONES * LINE_SEPARATOR as u64;

/// The index of the first [`LINE_SEPARATOR`] in the eight bytes of `word` (little-endian).
#[inline]
fn first_in_word(word: [u8; 8]) -> Option<usize> {
    let x = u64::from_le_bytes(word) ^ SEPARATORS;
    // The high bit of a byte of `zero` is set for the lowest byte of `x` that is zero; a byte
    // above it may be set too (a borrow), a byte below it never is.
    let zero = x.wrapping_sub(ONES) & !x & HIGHS;
    (zero != 0).then(|| zero.trailing_zeros() as usize / 8)
}

/// The index of the first [`LINE_SEPARATOR`] in `bytes`, like
/// `bytes.iter().position(|&b| b == LINE_SEPARATOR)`.
///
/// ```
/// use upgrade_testkit::lines::find_separator;
///
/// assert_eq!(find_separator(b"websocket\nh2c"), Some(9));
/// assert_eq!(find_separator(b"websocket"), None);
/// ```
pub fn find_separator(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if let Some(at) = first_in_word(word) {
            return Some(base + at);
        }
        base += 8;
    }
    // The tail, padded with zero bytes, which are no separators.
    let tail = chunks.remainder();
    let mut word = [0u8; 8];
    word[..tail.len()].copy_from_slice(tail);
    first_in_word(word).map(|at| base + at)
}

/// The field lines of `data`, like `data.split(|&b| b == LINE_SEPARATOR)`.
///
/// ```
/// use upgrade_testkit::lines::lines;
///
/// let all: Vec<&[u8]> = lines(b"a, b\n\nc").collect();
/// assert_eq!(all, [&b"a, b"[..], b"", b"c"]);
/// ```
pub fn lines(data: &[u8]) -> Lines<'_> {
    Lines { rest: Some(data) }
}

/// The iterator of [`lines`].
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    /// What follows the last separator found; `None` once the last line was returned.
    rest: Option<&'a [u8]>,
}

impl<'a> Iterator for Lines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match find_separator(rest) {
            Some(at) => {
                self.rest = Some(&rest[at + 1..]);
                Some(&rest[..at])
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

/// Splits `data` into its field lines ([`lines`]) in `out` and returns how many there are;
/// `None` when there are more than `out` holds.
///
/// ```
/// use upgrade_testkit::lines::split_lines_into;
///
/// let mut lines: [&[u8]; 4] = [&[]; 4];
/// assert_eq!(split_lines_into(b"a, b\n\nc", &mut lines), Some(3));
/// assert_eq!(lines[..3], [&b"a, b"[..], b"", b"c"]);
/// assert_eq!(split_lines_into(b"\n\n\n\n", &mut lines), None);
/// ```
pub fn split_lines_into<'a>(data: &'a [u8], out: &mut [&'a [u8]]) -> Option<usize> {
    let mut lines = lines(data);
    let mut count = 0;
    for (slot, line) in out.iter_mut().zip(lines.by_ref()) {
        *slot = line;
        count += 1;
    }
    lines.rest.is_none().then_some(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_separator_agrees_with_a_byte_scan_at_every_position_and_length() {
        // Bytes next to the separator in value, and with its low seven bits, catch a word test
        // that matches too much; a second separator after the first catches one that finds a
        // later one.
        for len in 0..40 {
            for at in 0..=len {
                for filler in [0x00, 0x09, 0x0b, 0x8a, b'a', 0xff] {
                    let mut bytes = vec![filler; len];
                    if let Some(b) = bytes.get_mut(at) {
                        *b = LINE_SEPARATOR;
                    }
                    if let Some(b) = bytes.get_mut(at + 3) {
                        *b = LINE_SEPARATOR;
                    }
                    let want = bytes.iter().position(|&b| b == LINE_SEPARATOR);
                    assert_eq!(find_separator(&bytes), want, "{bytes:02x?}");
                }
            }
        }
    }

    #[test]
    fn lines_and_split_lines_into_agree_with_slice_split() {
        let inputs: [&[u8]; 7] = [
            b"",
            b"\n",
            b"websocket",
            b"a\nb\n",
            b"HTTP/2.0, SHTTP/1.3\nIRC/6.9, RTA/x11",
            b"\n\n\n\n\n\n\n",
            b"\n\n\n\n\n\n\n\n",
        ];
        for data in inputs {
            let want: Vec<&[u8]> = data.split(|&b| b == LINE_SEPARATOR).collect();
            assert_eq!(lines(data).collect::<Vec<_>>(), want);
            let mut out: [&[u8]; 8] = [&[]; 8];
            match split_lines_into(data, &mut out) {
                Some(count) => assert_eq!(out[..count], want[..]),
                None => assert!(want.len() > out.len(), "{data:?}"),
            }
        }
    }
}
