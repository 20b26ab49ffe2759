//! The classes of sixteen bytes at once, as bit masks: the first step of [`crate::line`].
//!
//! [`classify`] gives, for a block of 16 bytes, one bit per byte for OWS, `,`, `/` and the bytes
//! that no list can hold (not a `tchar`, OWS, `,` or `/`); a byte in none of them is a `tchar`.
//! On x86_64 it compares all sixteen bytes at once with SSE2, which every x86_64 processor has;
//! elsewhere it is [`classify_scalar`], one table lookup per byte. Where the CPU has SSSE3 (and
//! POPCNT), [`with_classifier`] runs the work of a line with [`Ssse3`] instead: two table
//! lookups of the bytes' nibbles (`pshufb`) in place of a comparison per delimiter, in a function
//! compiled for those instructions. All ways must agree on every byte at every position: the
//! tests below check all 256 byte values at each of the 16 positions, and the `block_classes`
//! fuzz target compares them on arbitrary blocks.
//!
//! This module holds the crate's only `unsafe` code: calling the SSE2 and SSSE3 functions (a
//! `#[target_feature]` function is unsafe to call from code that does not declare the feature,
//! even where the target always has it), their unaligned 16-byte loads, and calling the work
//! compiled for SSSE3 once the CPU has said it has it.
#![allow(unsafe_code)]

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use core::sync::atomic::{AtomicU8, Ordering};

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

/// A way to classify blocks ([`Sse2`], [`Ssse3`]).
pub(crate) trait Classify: Copy {
    /// The classes of the bytes of `block`, the same whichever instructions give them.
    fn classify(self, block: &[u8; BLOCK]) -> Classes;
}

/// [`classify`]: SSE2 on x86_64, [`classify_scalar`] elsewhere.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sse2;

impl Classify for Sse2 {
    #[inline(always)]
    fn classify(self, block: &[u8; BLOCK]) -> Classes {
        classify(block)
    }
}

/// The classes with SSSE3. A value exists only where the CPU has SSSE3 and POPCNT (which the
/// functions of [`with_classifier`] that classify with SSSE3 also use, for `count_ones`):
/// [`Ssse3::detect`] is the only way to make one.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ssse3(());

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
impl Ssse3 {
    /// `Some` where the CPU has SSSE3 and POPCNT: known at compile time when the target has
    /// them, else asked once with CPUID and remembered.
    #[inline(always)]
    pub(crate) fn detect() -> Option<Ssse3> {
        let has = cfg!(all(target_feature = "ssse3", target_feature = "popcnt"))
            || known(SSSE3.load(Ordering::Relaxed)).unwrap_or_else(ask_ssse3);
        has.then_some(Ssse3(()))
    }
}

#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
impl Classify for Ssse3 {
    #[inline(always)]
    fn classify(self, block: &[u8; BLOCK]) -> Classes {
        // SAFETY: an `Ssse3` exists only where the CPU has SSSE3 (`Ssse3::detect`).
        unsafe { ssse3::classify(block) }
    }
}

/// Work on bytes that classifies blocks, run by [`with_classifier`] with the best way of this
/// CPU.
pub(crate) trait WithClassifier {
    /// What the work gives.
    type Output;

    /// Does the work on `bytes` with `classifier`. Inlined (`#[inline(always)]`) into the
    /// function that [`with_classifier`] compiles for the classifier's instructions, so that the
    /// classifier is inlined into it too.
    fn run<C: Classify>(self, bytes: &[u8], classifier: C) -> Self::Output;
}

/// Runs `work` on `bytes` with [`Ssse3`] where the CPU has it, inside a function compiled for
/// SSSE3 and POPCNT, else with [`Sse2`]; both out of line, so that this is a test and a call.
/// `bytes` is apart from `work` so that both are passed in registers.
#[inline(always)]
pub(crate) fn with_classifier<W: WithClassifier>(bytes: &[u8], work: W) -> W::Output {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    if let Some(ssse3) = Ssse3::detect() {
        // SAFETY: the CPU has SSSE3 and POPCNT, which `ssse3` proves.
        return unsafe { run_ssse3(bytes, work, ssse3) };
    }
    run_sse2(bytes, work)
}

/// `work` with [`Sse2`].
#[inline(never)]
fn run_sse2<W: WithClassifier>(bytes: &[u8], work: W) -> W::Output {
    work.run(bytes, Sse2)
}

/// `work` compiled with SSSE3 and POPCNT enabled, where [`Ssse3::classify`] can be inlined.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[target_feature(enable = "ssse3,popcnt")]
fn run_ssse3<W: WithClassifier>(bytes: &[u8], work: W, ssse3: Ssse3) -> W::Output {
    work.run(bytes, ssse3)
}

/// [`Ssse3::detect`] before it is known: `PRESENT`, `ABSENT`, or 0 for not asked yet.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
static SSSE3: AtomicU8 = AtomicU8::new(0);
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const PRESENT: u8 = 1;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const ABSENT: u8 = 2;

/// What a value of [`SSSE3`] tells: whether the CPU has SSSE3 and POPCNT, or `None` before it
/// was asked.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
const fn known(state: u8) -> Option<bool> {
    match state {
        PRESENT => Some(true),
        ABSENT => Some(false),
        _ => None,
    }
}

/// Asks the CPU whether it has SSSE3 and POPCNT (CPUID leaf 1, bits 9 and 23 of ECX) and
/// remembers the answer. Two threads asking at once get the same answer.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[cold]
#[inline(never)]
fn ask_ssse3() -> bool {
    let has = has_ssse3_and_popcnt(core::arch::x86_64::__cpuid(1).ecx);
    SSSE3.store(if has { PRESENT } else { ABSENT }, Ordering::Relaxed);
    has
}

/// Whether the ECX of CPUID leaf 1 tells SSSE3 (bit 9) and POPCNT (bit 23).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
const fn has_ssse3_and_popcnt(ecx: u32) -> bool {
    const BITS: u32 = 1 << 9 | 1 << 23;
    ecx & BITS == BITS
}

/// [`classify`] with SSSE3, or `None` when the CPU does not have it (or is not x86_64).
pub(crate) fn classify_ssse3(block: &[u8; BLOCK]) -> Option<Classes> {
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    return Ssse3::detect().map(|ssse3| ssse3.classify(block));
    #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
    {
        let _ = block;
        None
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

/// What `classify_scalar`, `classify` (SSE2 on x86_64) and the SSSE3 classes (where the CPU
/// has SSSE3) give for `block`, each as `[OWS, comma, slash, other]`: the `block_classes` fuzz
/// target checks that they are equal.
pub fn classes_every_way(block: &[u8; BLOCK]) -> ([u16; 4], [Option<[u16; 4]>; 2]) {
    let as_array = |c: Classes| [c.ows, c.comma, c.slash, c.other];
    (
        as_array(classify_scalar(block)),
        [Some(classify(block)), classify_ssse3(block)].map(|c| c.map(as_array)),
    )
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

/// Classes with SSSE3: the bytes' two nibbles look up two tables of eight class bits each
/// (`pshufb`), and a byte is in a class when the two lookups share one of its bits, so that the
/// delimiters cost two lookups and an `and` instead of a comparison each.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
mod ssse3 {
    use core::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
        _mm_setzero_si128, _mm_shuffle_epi8, _mm_srli_epi16,
    };

    use super::{BLOCK, Classes};
    use crate::tchar::{TCHAR, flags};

    /// The `tchar`s whose high nibble is 2, 3, 4, 5 and 7 (6 takes those of 3 and 4: every low
    /// nibble of `0x60..=0x6F` is a `tchar`); SP, HTAB, and `,` or `/`.
    const TCHAR_2: u8 = 1;
    const TCHAR_3: u8 = 2;
    const TCHAR_4: u8 = 4;
    const TCHAR_5: u8 = 8;
    const TCHAR_7: u8 = 16;
    const SP: u8 = 32;
    const HTAB: u8 = 64;
    const COMMA_OR_SLASH: u8 = 128;

    /// The bits each high nibble allows: none for `0x80..=0xFF` and the controls but HTAB.
    const HIGH: [u8; 16] = [
        HTAB,
        0,
        TCHAR_2 | SP | COMMA_OR_SLASH,
        TCHAR_3,
        TCHAR_4,
        TCHAR_5,
        TCHAR_3 | TCHAR_4,
        TCHAR_7,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
        0,
    ];

    /// Whether the byte `high << 4 | low` is in the class of `bit`, the `tchar`s from the
    /// flags table.
    const fn in_class(bit: u8, high: u8, low: u8) -> bool {
        let byte = high << 4 | low;
        match bit {
            SP => byte == b' ',
            HTAB => byte == b'\t',
            COMMA_OR_SLASH => byte == b',' || byte == b'/',
            _ => flags(byte) & TCHAR != 0,
        }
    }

    /// The bits each low nibble allows: a bit where every byte of that low nibble and of a high
    /// nibble that allows the bit ([`HIGH`]) is in the bit's class.
    // Evaluated only at compile time, where an index out of bounds fails the build.
    #[allow(clippy::indexing_slicing)]
    const LOW: [u8; 16] = {
        let mut low = [0u8; 16];
        let mut l = 0;
        while l < 16 {
            let mut bit = 1u8;
            while bit != 0 {
                let mut all = true;
                let mut h = 0;
                while h < 16 {
                    if HIGH[h] & bit != 0 && !in_class(bit, h as u8, l as u8) {
                        all = false;
                    }
                    h += 1;
                }
                if all {
                    low[l] |= bit;
                }
                bit <<= 1;
            }
            l += 1;
        }
        low
    };

    /// A table as a vector.
    #[inline]
    #[target_feature(enable = "ssse3")]
    fn table(table: &[u8; 16]) -> __m128i {
        // SAFETY: `table` is 16 readable bytes, and the load needs no alignment.
        unsafe { _mm_loadu_si128(table.as_ptr().cast::<__m128i>()) }
    }

    /// One bit per byte of `v` that has none of `bits`.
    #[inline]
    #[target_feature(enable = "ssse3")]
    fn none_of(v: __m128i, bits: u8) -> u16 {
        let masked = _mm_and_si128(v, _mm_set1_epi8(bits as i8));
        // The mask has 16 bits, one per byte; the upper half of the `i32` is zero.
        _mm_movemask_epi8(_mm_cmpeq_epi8(masked, _mm_setzero_si128())) as u16
    }

    /// One bit per byte of `v` equal to `byte`.
    #[inline]
    #[target_feature(enable = "ssse3")]
    fn equal(v: __m128i, byte: u8) -> u16 {
        _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(byte as i8))) as u16
    }

    /// The classes of `block`: a byte is OWS when its lookups share SP or HTAB, and in `other`
    /// when they share no bit at all.
    #[inline]
    #[target_feature(enable = "ssse3")]
    pub(super) fn classify(block: &[u8; BLOCK]) -> Classes {
        // SAFETY: `block` is 16 readable bytes, and the load needs no alignment.
        let v = unsafe { _mm_loadu_si128(block.as_ptr().cast::<__m128i>()) };
        let nibble = _mm_set1_epi8(0x0f);
        let low = _mm_and_si128(v, nibble);
        // A shift of 16-bit lanes brings the neighbouring byte's low nibble into the high bits,
        // which the mask clears: each byte's index is its own high nibble, below 16.
        let high = _mm_and_si128(_mm_srli_epi16(v, 4), nibble);
        let classes = _mm_and_si128(
            _mm_shuffle_epi8(table(&LOW), low),
            _mm_shuffle_epi8(table(&HIGH), high),
        );
        Classes {
            ows: !none_of(classes, SP | HTAB),
            comma: equal(v, b','),
            slash: equal(v, b'/'),
            other: none_of(classes, u8::MAX),
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
                    let scalar = classify_scalar(&block);
                    let context = format!("byte {byte:#04x} at {position} among {filler:#04x}");
                    assert_eq!(classify(&block), scalar, "SSE2: {context}");
                    if let Some(ssse3) = classify_ssse3(&block) {
                        assert_eq!(ssse3, scalar, "SSSE3: {context}");
                    }
                    assert_eq!(Sse2.classify(&block), scalar, "{context}");
                }
            }
        }
    }

    #[test]
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    fn the_ssse3_classes_are_used_where_the_cpu_has_ssse3_and_popcnt() {
        assert!(has_ssse3_and_popcnt(1 << 9 | 1 << 23));
        assert!(has_ssse3_and_popcnt(u32::MAX));
        assert!(!has_ssse3_and_popcnt(1 << 9));
        assert!(!has_ssse3_and_popcnt(1 << 23));
        assert!(!has_ssse3_and_popcnt(!(1 << 9)));
        let has = has_ssse3_and_popcnt(core::arch::x86_64::__cpuid(1).ecx);
        assert_eq!(ask_ssse3(), has);
        assert_eq!(known(SSSE3.load(Ordering::Relaxed)), Some(has));
        assert_eq!(classify_ssse3(&[b'a'; BLOCK]).is_some(), has);
        assert_eq!(Ssse3::detect().is_some(), has);
    }

    #[test]
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    fn the_remembered_answer_is_told_apart_from_none_yet() {
        assert_eq!(known(PRESENT), Some(true));
        assert_eq!(known(ABSENT), Some(false));
        assert_eq!(known(0), None);
    }

    #[test]
    fn classes_every_way_are_the_classes_of_each_way() {
        let block = b"a,/ b\"\tc~;x\x80/,  ";
        let as_array = |c: Classes| [c.ows, c.comma, c.slash, c.other];
        let (scalar, simd) = classes_every_way(block);
        assert_eq!(scalar, as_array(classify_scalar(block)));
        assert_eq!(
            simd,
            [
                Some(as_array(classify(block))),
                classify_ssse3(block).map(as_array)
            ]
        );
        assert_eq!(
            scalar,
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
