//! The two base64 alphabets of RFC 4648 as the handshakes use them, each at a fixed length:
//! a `Sec-WebSocket-Key` (24 padded characters of 16 bytes), a `Sec-WebSocket-Accept` (28 padded
//! characters of a 20-byte SHA-1 digest) and an `HTTP2-Settings` setting (8 unpadded base64url
//! characters of 6 bytes). Fixed lengths need no general codec: a table lookup per character.

/// The alphabet of RFC 4648 section 4, value by value.
const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The alphabet of RFC 4648 section 5 (base64url), value by value.
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Marks a byte that is not in the alphabet, in the tables of [`values`].
const NOT_IN_ALPHABET: u8 = 0xff;

/// For every byte, its value in `alphabet`, or [`NOT_IN_ALPHABET`].
// Evaluated only at compile time: an out-of-bounds index here fails the build, never a request.
#[allow(clippy::indexing_slicing)]
const fn values(alphabet: &[u8; 64]) -> [u8; 256] {
    let mut table = [NOT_IN_ALPHABET; 256];
    let mut value = 0;
    while value < 64 {
        table[alphabet[value] as usize] = value as u8;
        value += 1;
    }
    table
}

static STANDARD_VALUES: [u8; 256] = values(STANDARD);
static URL_SAFE_VALUES: [u8; 256] = values(URL_SAFE);

/// The value of `b` in a table of [`values`].
#[inline(always)]
fn value(table: &[u8; 256], b: u8) -> u8 {
    table
        .get(usize::from(b))
        .copied()
        .unwrap_or(NOT_IN_ALPHABET)
}

/// Whether `key` is the canonical padded base64 of 16 bytes: 22 characters of the alphabet,
/// the last of which carries only 2 bits of data (its low 4 bits are zero: `A`, `Q`, `g` or
/// `w`), then `==`.
pub(crate) fn is_base64_of_16_bytes(key: &[u8]) -> bool {
    let Some((data, [b'=', b'='])) = key.split_last_chunk::<2>() else {
        return false;
    };
    let Some((_, [last])) = data.split_last_chunk::<1>() else {
        return false;
    };
    data.len() == 22
        && data
            .iter()
            .all(|&b| value(&STANDARD_VALUES, b) != NOT_IN_ALPHABET)
        && value(&STANDARD_VALUES, *last) & 0x0f == 0
}

/// The padded base64 of a SHA-1 digest: 6 groups of 3 bytes, then 2 bytes as 3 characters and
/// `=`.
pub(crate) fn encode_digest(digest: &[u8; 20]) -> [u8; 28] {
    let mut out = [b'='; 28];
    // The index is below 64: the lookup never fails.
    let char_of = |bits: u32| {
        STANDARD
            .get((bits & 0x3f) as usize)
            .copied()
            .unwrap_or(b'=')
    };
    let encode = |[x, y, z]: [u8; 3]| {
        let bits = u32::from(x) << 16 | u32::from(y) << 8 | u32::from(z);
        [bits >> 18, bits >> 12, bits >> 6, bits].map(char_of)
    };
    let [.., a, b] = *digest;
    let (groups, _) = digest.as_chunks::<3>();
    let (quads, _) = out.as_chunks_mut::<4>();
    for (group, chars) in groups.iter().zip(quads.iter_mut()) {
        *chars = encode(*group);
    }
    // The last group is the final 2 bytes and a zero byte, of which 3 characters are written.
    if let Some(last) = quads.last_mut() {
        let [c0, c1, c2, _] = encode([a, b, 0]);
        *last = [c0, c1, c2, b'='];
    }
    out
}

/// The 6 bytes that 8 base64url characters (without padding) encode, as the low 48 bits of a
/// `u64`, the first byte highest (big-endian), or `None` when a character is not in the alphabet.
pub(crate) fn decode_url_safe_8(chars: &[u8; 8]) -> Option<u64> {
    let mut bits = 0u64;
    for &c in chars {
        let v = value(&URL_SAFE_VALUES, c);
        if v == NOT_IN_ALPHABET {
            return None;
        }
        bits = (bits << 6) | u64::from(v);
    }
    Some(bits)
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD as REFERENCE, URL_SAFE_NO_PAD};

    use super::*;
    use upgrade_testkit::rng::SplitMix64;

    /// `len` bytes from `rng`.
    fn bytes(rng: &mut SplitMix64, len: usize) -> Vec<u8> {
        let mut out = vec![0; len];
        rng.fill(&mut out);
        out
    }

    #[test]
    fn a_key_is_valid_exactly_when_the_base64_crate_decodes_it_to_16_bytes() {
        let reference = |key: &[u8]| {
            let mut out = [0u8; 18];
            key.len() == 24 && REFERENCE.decode_slice(key, &mut out) == Ok(16)
        };
        let mut rng = SplitMix64::new(0x9e37_79b9_7f4a_7c15);
        let valid = REFERENCE.encode(bytes(&mut rng, 16));
        // Every byte value at every position of a valid key.
        for at in 0..24 {
            for b in 0..=255u8 {
                let mut key = valid.as_bytes().to_vec();
                key[at] = b;
                assert_eq!(is_base64_of_16_bytes(&key), reference(&key), "{key:?}");
            }
        }
        for len in 0..40 {
            for _ in 0..200 {
                let data = bytes(&mut rng, len);
                let key = REFERENCE.encode(&data);
                assert_eq!(is_base64_of_16_bytes(key.as_bytes()), len == 16, "{key}");
                let noise = bytes(&mut rng, len);
                assert_eq!(is_base64_of_16_bytes(&noise), reference(&noise));
            }
        }
    }

    #[test]
    fn digests_encode_as_the_base64_crate_encodes_them() {
        let mut rng = SplitMix64::new(0x2545_f491_4f6c_dd1d);
        for _ in 0..2000 {
            let digest: [u8; 20] = bytes(&mut rng, 20).try_into().unwrap();
            assert_eq!(
                &encode_digest(&digest)[..],
                REFERENCE.encode(digest).as_bytes()
            );
        }
        assert_eq!(&encode_digest(&[0xff; 20]), b"//////////////////////////8=");
    }

    #[test]
    fn settings_decode_as_the_base64_crate_decodes_them() {
        let mut rng = SplitMix64::new(0x1234_5678_9abc_def1);
        // The 6 bytes as `decode_url_safe_8` gives them: big-endian in the low 48 bits.
        let as_bits = |bytes: &[u8]| bytes.iter().fold(0u64, |bits, &b| bits << 8 | u64::from(b));
        let reference = |chars: &[u8; 8]| {
            let mut out = [0u8; 6];
            (URL_SAFE_NO_PAD.decode_slice(chars, &mut out) == Ok(6)).then(|| as_bits(&out))
        };
        for _ in 0..100 {
            let data = bytes(&mut rng, 6);
            let chars: [u8; 8] = URL_SAFE_NO_PAD
                .encode(&data)
                .into_bytes()
                .try_into()
                .unwrap();
            assert_eq!(decode_url_safe_8(&chars), Some(as_bits(&data)));
            for at in 0..8 {
                for b in 0..=255u8 {
                    let mut other = chars;
                    other[at] = b;
                    assert_eq!(decode_url_safe_8(&other), reference(&other), "{other:?}");
                }
            }
        }
    }
}
