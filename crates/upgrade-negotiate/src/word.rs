//! Eight bytes at a time: a byte string's words as little-endian `u64`s (byte 0 in the low bits),
//! and the per-byte constants of the checks that read them.
//!
//! Each check sets bit 7 of the bytes it marks and makes sure that no sum or difference carries
//! or borrows into the byte above from a byte it does not mark, so the lowest marked byte is
//! exact.

/// `0x01` in every byte of a word.
pub(crate) const ONES: u64 = u64::from_le_bytes([0x01; 8]);
/// `0x80` in every byte of a word.
pub(crate) const HIGHS: u64 = ONES * 0x80;

/// The index of the lowest byte whose bit 7 is set in `marked`, which is not zero.
#[inline(always)]
pub(crate) fn first_marked(marked: u64) -> usize {
    (marked.trailing_zeros() / 8) as usize
}

/// The index of the first byte of `bytes` that `marks` marks, reading the whole words of `bytes`
/// one at a time; when no byte of them is marked, `Err` with the number of bytes they hold (the
/// bytes after them are the caller's). `marks` sets bit 7 of each byte of a word that it marks,
/// and only bits 7, with no carry or borrow from one byte it does not mark into the next.
#[inline(always)]
pub(crate) fn first_marked_in_words(
    bytes: &[u8],
    marks: impl Fn(u64) -> u64,
) -> Result<usize, usize> {
    let (words, _) = bytes.as_chunks::<8>();
    let mut at = 0;
    for word in words {
        let marked = marks(u64::from_le_bytes(*word));
        if marked != 0 {
            return Ok(at + first_marked(marked));
        }
        at += 8;
    }
    Err(at)
}

/// Bit 7 of each byte of `low7` (whose bytes are all below 0x80) that is at least `low`: adding
/// `0x80 - low` reaches 0x80 exactly from `low` on, and stays below 0x100.
#[inline(always)]
pub(crate) const fn at_least(low7: u64, low: u8) -> u64 {
    (low7 + ONES * (0x80 - low as u64)) & HIGHS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_least_marks_the_bytes_from_low_up_in_every_position() {
        for low in 1..0x80u8 {
            for b in 0..0x80u8 {
                for position in 0..8 {
                    let mut bytes = [0x7f; 8];
                    bytes[position] = b;
                    let got = at_least(u64::from_le_bytes(bytes), low).to_le_bytes();
                    let want = bytes.map(|byte| if byte >= low { 0x80 } else { 0 });
                    assert_eq!(got, want, "{b:#04x} >= {low:#04x} at {position}");
                }
            }
        }
    }

    #[test]
    fn first_marked_is_the_lowest_byte_with_bit_7() {
        for position in 0..8 {
            let marked = 0x80u64 << (8 * position);
            assert_eq!(first_marked(marked), position);
            assert_eq!(first_marked(marked | HIGHS << (8 * position)), position);
        }
    }
}
