//! ASCII-case-insensitive comparison, eight bytes at a time.

/// `0x01` in every byte of a word.
const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
/// `0x80` in every byte of a word.
const HIGHS: u64 = ONES * 0x80;

/// The ASCII case bit, 0x20, in every byte of a word.
const CASE: u64 = ONES * 0x20;

/// The case bit (0x20) of every byte of `word` that is an ASCII letter, of either case, and no
/// other bit: bytes at or above 0x80 are not letters.
#[inline(always)]
fn letter_case_bits(word: u64) -> u64 {
    // With the case bit set, a letter is a byte from `a` to `z`. Bit 7 of each byte of
    // `at_least_a` is set when that byte's low seven bits are >= 'a'; of `above_z` when they
    // are > 'z'. The additions cannot carry across bytes: each byte is at most 0x7f + 0x1f.
    let low7 = (word | CASE) & !HIGHS;
    let at_least_a = low7 + ONES * u64::from(0x80 - b'a');
    let above_z = low7 + ONES * u64::from(0x80 - b'z' - 1);
    (at_least_a & !above_z & !word & HIGHS) >> 2
}

/// Whether `a` and `b` are equal when ASCII letters are compared without regard to case: the
/// rule for protocol names, connection options and field names. Bytes outside ASCII compare
/// exactly (`K` U+212A KELVIN SIGN is never `k`).
///
/// Gives the same answer as `<[u8]>::eq_ignore_ascii_case`, comparing eight bytes at a time.
/// The names compared are mostly shorter than a word (`h2c`, `upgrade`, `websocket`), so the
/// last word of each side overlaps the one before it instead of ending in a byte loop, a name of
/// 4 to 7 bytes is two overlapping halves of a word, and one of 1 to 3 bytes its first, second
/// and last bytes.
///
/// Most comparisons are of different lengths (an option against `upgrade`), so the lengths are
/// compared where this is called, before any call.
#[inline(always)]
pub(crate) fn eq_ignore_ascii_case(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && eq_same_length(a, b)
}

/// [`eq_ignore_ascii_case`] for `a` and `b` of the same length.
#[inline]
fn eq_same_length(a: &[u8], b: &[u8]) -> bool {
    match a.len() {
        0 => true,
        1..4 => same_word(ends(a), ends(b)),
        4..8 => same_word(halves(a), halves(b)),
        _ => {
            // Eight bytes or more: whole words, then the last eight bytes of each side.
            let (Some(a_last), Some(b_last)) = (last_word(a), last_word(b)) else {
                return false;
            };
            let (mut x, mut y) = (a, b);
            while let (Some((x_word, x_rest)), Some((y_word, y_rest))) =
                (x.split_first_chunk::<8>(), y.split_first_chunk::<8>())
            {
                if !same_word(u64::from_ne_bytes(*x_word), u64::from_ne_bytes(*y_word)) {
                    return false;
                }
                (x, y) = (x_rest, y_rest);
            }
            same_word(a_last, b_last)
        }
    }
}

/// Whether two words are equal once their uppercase ASCII letters are lowercased: each pair of
/// bytes is equal, or differs in the case bit alone where `x`'s byte is a letter (and so `y`'s
/// is the same letter in the other case).
#[inline(always)]
fn same_word(x: u64, y: u64) -> bool {
    (x ^ y) & !letter_case_bits(x) == 0
}

/// The last eight bytes of `bytes` as a word, when it has eight.
#[inline(always)]
fn last_word(bytes: &[u8]) -> Option<u64> {
    bytes
        .last_chunk::<8>()
        .map(|chunk| u64::from_ne_bytes(*chunk))
}

/// The first, second and last bytes of `bytes` (of 1 to 3 bytes, so every byte is one of them;
/// a byte past the end is 0) in one word.
#[inline(always)]
fn ends(bytes: &[u8]) -> u64 {
    let byte = |at: usize| u64::from(bytes.get(at).copied().unwrap_or(0));
    byte(0) | byte(1) << 8 | byte(bytes.len().wrapping_sub(1)) << 16
}

/// The first four and the last four bytes of `bytes` (of 4 to 7 bytes, which overlap) in one
/// word.
#[inline(always)]
fn halves(bytes: &[u8]) -> u64 {
    let half = |chunk: Option<&[u8; 4]>| chunk.map_or(0, |c| u64::from(u32::from_ne_bytes(*c)));
    half(bytes.first_chunk::<4>()) | (half(bytes.last_chunk::<4>()) << 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_the_case_bit_of_exactly_the_52_letters_in_every_byte_position() {
        for b in 0..=255u8 {
            for filler in [b'a', b'Z', b'0', 0xff] {
                for position in 0..8 {
                    let mut bytes = [filler; 8];
                    bytes[position] = b;
                    let got = letter_case_bits(u64::from_ne_bytes(bytes)).to_ne_bytes();
                    let want = bytes.map(|byte| if byte.is_ascii_alphabetic() { 0x20 } else { 0 });
                    assert_eq!(got, want, "byte {b:#04x} at {position} among {filler:#04x}");
                }
            }
        }
    }

    #[test]
    fn agrees_with_std_on_every_pair_of_bytes_and_lengths() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                for len in [1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 17] {
                    let mut x = vec![b'Q'; len];
                    let mut y = vec![b'q'; len];
                    x[len - 1] = a;
                    y[len - 1] = b;
                    assert_eq!(eq_ignore_ascii_case(&x, &y), x.eq_ignore_ascii_case(&y));
                    x[0] = a;
                    y[0] = b;
                    assert_eq!(eq_ignore_ascii_case(&x, &y), x.eq_ignore_ascii_case(&y));
                    let mut x = vec![b'Q'; len];
                    let mut y = vec![b'q'; len];
                    x[len / 2] = a;
                    y[len / 2] = b;
                    assert_eq!(eq_ignore_ascii_case(&x, &y), x.eq_ignore_ascii_case(&y));
                }
            }
        }
    }

    #[test]
    fn different_lengths_never_match() {
        assert!(!eq_ignore_ascii_case(b"abc", b"abcd"));
        assert!(eq_ignore_ascii_case(b"", b""));
    }
}
