//! The classes of sixteen bytes at once, as bit masks: the first step of [`crate::line`].
//!
//! [`classify`] gives, for a block of 16 bytes, one bit per byte for OWS, `,`, `/` and the bytes
//! that no list can hold (not a `tchar`, OWS, `,` or `/`); a byte in none of them is a `tchar`.
//! On x86_64 it compares all sixteen bytes at once with SSE2, which every x86_64 processor has;
//! elsewhere it is [`classify_scalar`], one table lookup per byte. The two must agree on every byte at every
//! position: the tests below check all 256 byte values at each of the 16 positions, and the
//! `block_classes` fuzz target compares them on arbitrary blocks.
//!
//! This module holds the crate's only `unsafe` code: calling the SSE2 function (a
//! `#[target_feature]` function is unsafe to call from code that does not declare the feature,
//! even where the target always has it) and its unaligned 16-byte load.
#![allow(unsafe_code)]

use crate::tchar::{COMMA, OWS, SLASH, flags};

/// The number of bytes [`classify`] reads at once.
pub(crate) const BLOCK: usize = 16;

/// One bit per byte of a block (bit `i` for byte `i`) for each class but `tchar`: a byte with
/// no bit is a `tchar`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Classes {
    pub(crate) ows: u16,
    pub(crate) comma: u16,
    pub(crate) slash: u16,
    /// A delimiter other than `,` and `/`, a control, DEL or obs-text.
    pub(crate) other: u16,
}

impl Classes {
    /// The classes of the bytes from `skip` on, as bits from 0.
    #[inline(always)]
    pub(crate) fn after(self, skip: usize) -> Classes {
        Classes {
            ows: self.ows >> skip,
            comma: self.comma >> skip,
            slash: self.slash >> skip,
            other: self.other >> skip,
        }
    }
}

/// The classes of the bytes of `block`.
#[inline(always)]
pub(crate) fn classify(block: &[u8; BLOCK]) -> Classes {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    {
        // SAFETY: the function only needs SSE2, and this code is compiled only for targets
        // that have it (`target_feature = "sse2"`, part of every x86_64 target).
        unsafe { sse2::classify(block) }
    }
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        classify_scalar(block)
    }
}

/// [`classify`] one byte at a time, from the flags table built from the ABNF.
pub(crate) fn classify_scalar(block: &[u8; BLOCK]) -> Classes {
    let mut classes = Classes::default();
    for (i, &byte) in block.iter().enumerate() {
        let f = flags(byte);
        let bit = |set: bool| u16::from(set) << i;
        classes.ows |= bit(f & OWS != 0);
        classes.comma |= bit(f & COMMA != 0);
        classes.slash |= bit(f & SLASH != 0);
        // A byte in no class has no flag, not even `TCHAR`.
        classes.other |= bit(f == 0);
    }
    classes
}

/// What `classify` (SSE2 on x86_64) and `classify_scalar` give for `block`, each as `[OWS,
/// comma, slash, other]`: the `block_classes` fuzz target checks that they are equal.
pub fn classes_both_ways(block: &[u8; BLOCK]) -> [[u16; 4]; 2] {
    [classify(block), classify_scalar(block)].map(|c| [c.ows, c.comma, c.slash, c.other])
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod sse2 {
    use core::arch::x86_64::{
        __m128i, _mm_add_epi8, _mm_andnot_si128, _mm_cmpeq_epi8, _mm_cmpgt_epi8, _mm_loadu_si128,
        _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    use super::{BLOCK, Classes};

    /// The bytes of `v` equal to `byte`.
    #[inline]
    #[target_feature(enable = "sse2")]
    fn eq(v: __m128i, byte: u8) -> __m128i {
        _mm_cmpeq_epi8(v, _mm_set1_epi8(byte as i8))
    }

    /// The bytes of `v` in `low..=high` (`low <= high`, at most 127 bytes: every call is of
    /// constants). Adding `0x7F - high`, wrapping, makes that range the `high - low + 1` largest
    /// signed bytes, which one signed comparison tells.
    #[inline]
    #[target_feature(enable = "sse2")]
    fn within(v: __m128i, low: u8, high: u8) -> __m128i {
        let moved = _mm_add_epi8(v, _mm_set1_epi8(0x7fu8.wrapping_sub(high) as i8));
        let below = 0x7fu8 - (high - low) - 1;
        _mm_cmpgt_epi8(moved, _mm_set1_epi8(below as i8))
    }

    /// The bytes of `v` outside `low..=high` (`low <= high`, at most 128 bytes: every call is of
    /// constants). Adding `0x80 - low`, wrapping, makes that range the `high - low + 1` smallest
    /// signed bytes, and the others larger.
    #[inline]
    #[target_feature(enable = "sse2")]
    fn outside(v: __m128i, low: u8, high: u8) -> __m128i {
        let moved = _mm_add_epi8(v, _mm_set1_epi8(0x80u8.wrapping_sub(low) as i8));
        let last = 0x80u8 + (high - low);
        _mm_cmpgt_epi8(moved, _mm_set1_epi8(last as i8))
    }

    /// One bit per byte: the top bit of each byte of a comparison result.
    #[inline]
    #[target_feature(enable = "sse2")]
    fn bits(v: __m128i) -> u16 {
        // The mask has 16 bits, one per byte; the upper half of the `i32` is zero.
        _mm_movemask_epi8(v) as u16
    }

    /// RFC 9110 section 5.6.2: a `tchar` is a visible ASCII byte (0x21 to 0x7E) other than
    /// the delimiters `"(),/:;<=>?@[\]{}`, which are 0x22, 0x28, 0x29, 0x2C, 0x2F, 0x3A to
    /// 0x40, 0x5B to 0x5D, 0x7B and 0x7D. A byte is in `other` when it is a delimiter but `,`
    /// and `/`, or not visible and not OWS.
    #[inline]
    #[target_feature(enable = "sse2")]
    pub(super) fn classify(block: &[u8; BLOCK]) -> Classes {
        // SAFETY: `block` is 16 readable bytes, and the load needs no alignment.
        let v = unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) };
        let ows = _mm_or_si128(eq(v, b' '), eq(v, b'\t'));
        let invisible = _mm_andnot_si128(ows, outside(v, 0x21, 0x7e));
        let other = [
            eq(v, b'"'),
            within(v, b'(', b')'),
            within(v, b':', b'@'),
            within(v, b'[', b']'),
            eq(v, b'{'),
            eq(v, b'}'),
        ]
        .into_iter()
        .fold(invisible, |all, d| _mm_or_si128(all, d));
        Classes {
            ows: bits(ows),
            comma: bits(eq(v, b',')),
            slash: bits(eq(v, b'/')),
            other: bits(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_agrees_with_the_table_on_every_byte_at_every_position() {
        for position in 0..BLOCK {
            for byte in 0..=255u8 {
                for filler in [b'a', b' ', 0x00, 0xff] {
                    let mut block = [filler; BLOCK];
                    block[position] = byte;
                    assert_eq!(
                        classify(&block),
                        classify_scalar(&block),
                        "byte {byte:#04x} at {position} among {filler:#04x}"
                    );
                }
            }
        }
    }

    #[test]
    fn classes_both_ways_are_the_classes_of_each_way() {
        let block = b"a,/ b\"\tc~;x\x80/,  ";
        let as_array = |c: Classes| [c.ows, c.comma, c.slash, c.other];
        assert_eq!(
            classes_both_ways(block),
            [as_array(classify(block)), as_array(classify_scalar(block))]
        );
        assert_eq!(
            classes_both_ways(block)[1],
            [
                0b1100_0000_0100_1000,
                0b0010_0000_0000_0010,
                0b0001_0000_0000_0100,
                0b0000_1010_0010_0000
            ]
        );
    }

    #[test]
    fn classify_scalar_sets_one_bit_per_listed_byte() {
        let classes = classify_scalar(b"a ,/\"\t~\x7f\x80Z9!;b/,");
        assert_eq!(classes.ows, 0b0000_0000_0010_0010);
        assert_eq!(classes.comma, 0b1000_0000_0000_0100);
        assert_eq!(classes.slash, 0b0100_0000_0000_1000);
        assert_eq!(classes.other, 0b0001_0001_1001_0000);
    }
}
