//! A small seeded generator of bytes, for inputs that must come out the same for the same seed
//! (the probe's fuzz runs, differential tests against another implementation).

/// SplitMix64: a small PRNG, enough to fill bytes reproducibly from a seed.
///
/// ```
/// use upgrade_testkit::rng::SplitMix64;
///
/// let (mut a, mut b) = ([0u8; 13], [0u8; 13]);
/// SplitMix64::new(7).fill(&mut a);
/// SplitMix64::new(7).fill(&mut b);
/// assert_eq!(a, b);
/// ```
#[derive(Clone, Debug)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// The generator of `seed`.
    pub const fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    /// The next word.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Fills `bytes`, eight at a time from each word.
    pub fn fill(&mut self, bytes: &mut [u8]) {
        for chunk in bytes.chunks_mut(8) {
            let word = self.next_u64().to_le_bytes();
            for (b, w) in chunk.iter_mut().zip(word) {
                *b = w;
            }
        }
    }
}
