//! `Connection` lines that clients send on their upgrades, recognised whole.
//!
//! A client sends the same `Connection` line on each of its upgrades, byte for byte: curl's h2c
//! upgrade `Upgrade, HTTP2-Settings`, Firefox's websocket handshake `keep-alive, Upgrade`
//! (Chromium and most websocket clients send `Upgrade` alone, a line of one token, which the
//! walk's first step takes). Each of these two lines is a valid list of two options. A line equal
//! to one of them, ASCII letters compared without regard to case and every other byte exactly,
//! holds those two options at fixed places: three words compared against the line's pattern tell
//! it, where the walk reads each byte through the class table and each element through its loop.
//! The answer is the walk's: the options are the same slices of the line, and a line that differs
//! from a pattern in any byte (`Upgrade,HTTP2-Settings`, another option) is left to the walk, at
//! its usual cost (tested on every byte value at every place of each line).

/// One known line of 16 to 24 bytes: `first, second`, two tokens and `", "` between them.
#[derive(Clone, Copy, Debug)]
struct KnownLine {
    /// The line's words at 0, 8 and `len - 8`, letters in lowercase.
    words: [u64; 3],
    /// 0x20 in each byte of `words` that is a letter, where a byte of either case matches.
    case: [u64; 3],
    /// The length of the first token.
    first_len: usize,
}

/// Firefox's `Connection` on a websocket handshake, in lowercase.
const KEEP_ALIVE_UPGRADE: &[u8] = b"keep-alive, upgrade";
/// curl's `Connection` on an h2c upgrade, in lowercase.
const UPGRADE_HTTP2_SETTINGS: &[u8] = b"upgrade, http2-settings";

const KEEP_ALIVE_UPGRADE_LEN: usize = KEEP_ALIVE_UPGRADE.len();
const UPGRADE_HTTP2_SETTINGS_LEN: usize = UPGRADE_HTTP2_SETTINGS.len();
const KEEP_ALIVE_UPGRADE_LINE: KnownLine = KnownLine::new(KEEP_ALIVE_UPGRADE);
const UPGRADE_HTTP2_SETTINGS_LINE: KnownLine = KnownLine::new(UPGRADE_HTTP2_SETTINGS);

/// Where the words of a line of `len` bytes start: 0, 8 and the last eight bytes.
const fn word_starts(len: usize) -> [usize; 3] {
    [0, 8, len.saturating_sub(8)]
}

impl KnownLine {
    /// The words of `pattern` (lowercase, 16 to 24 bytes, two tokens and `", "` between them);
    /// evaluated at compile time, where a pattern of another shape fails the build.
    // Compile-time only: an index out of bounds here is a build error, never a request's.
    #[allow(clippy::indexing_slicing, clippy::panic)]
    const fn new(pattern: &[u8]) -> KnownLine {
        assert!(pattern.len() >= 16 && pattern.len() <= 24);
        let starts = word_starts(pattern.len());
        let mut words = [0u64; 3];
        let mut case = [0u64; 3];
        let mut w = 0;
        while w < 3 {
            let mut i = 0;
            while i < 8 {
                let byte = pattern[starts[w] + i];
                assert!(!byte.is_ascii_uppercase());
                words[w] |= (byte as u64) << (8 * i);
                if byte.is_ascii_lowercase() {
                    case[w] |= 0x20 << (8 * i);
                }
                i += 1;
            }
            w += 1;
        }
        let mut first_len = 0;
        while pattern[first_len] != b',' {
            first_len += 1;
        }
        assert!(pattern[first_len + 1] == b' ');
        KnownLine {
            words,
            case,
            first_len,
        }
    }

    /// Whether `line` (of the pattern's length) equals the pattern, letters of either case.
    ///
    /// A letter's byte with the case bit set is the lowercase letter only when it is that letter
    /// in either case; every other byte of the pattern is compared exactly.
    #[inline(always)]
    fn matches(&self, line: &[u8]) -> bool {
        let mut differ = 0;
        for ((start, word), case) in word_starts(line.len())
            .into_iter()
            .zip(self.words)
            .zip(self.case)
        {
            let Some(bytes) = line.get(start..).and_then(|rest| rest.first_chunk::<8>()) else {
                return false;
            };
            differ |= (u64::from_le_bytes(*bytes) | case) ^ word;
        }
        differ == 0
    }
}

/// The two options of `line` when it is one of the known lines, or `None`.
#[inline(always)]
pub(crate) fn two_options(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let known = match line.len() {
        // No two known lines have the same length (the match would warn of an arm it cannot
        // reach), so a line is compared with one at most.
        KEEP_ALIVE_UPGRADE_LEN => &KEEP_ALIVE_UPGRADE_LINE,
        UPGRADE_HTTP2_SETTINGS_LEN => &UPGRADE_HTTP2_SETTINGS_LINE,
        _ => return None,
    };
    if !known.matches(line) {
        return None;
    }
    let (first, rest) = line.split_at_checked(known.first_len)?;
    Some((first, rest.get(2..)?))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::*;
    use crate::config::Config;
    use crate::connection::parse_connection;

    /// What the walk reads in `line`: its two options when it is a valid list of exactly two.
    ///
    /// The walk is handed `line` after one SP, which is OWS and no part of the value: a line one
    /// byte longer than a known line is none of them.
    fn walked(line: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        let spaced = [&b" "[..], line].concat();
        assert_eq!(two_options(&spaced), None);
        let options: Result<Vec<_>, _> = parse_connection([&spaced[..]], Config::SENDER).collect();
        match options.ok()?.as_slice() {
            [first, second] => Some((first.as_bytes().to_vec(), second.as_bytes().to_vec())),
            _ => None,
        }
    }

    fn position(error: crate::Error) -> (crate::ErrorKind, usize, usize) {
        (error.kind(), error.line(), error.offset())
    }

    fn recognised(line: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
        two_options(line).map(|(first, second)| (first.to_vec(), second.to_vec()))
    }

    #[test]
    fn each_pattern_is_recognised_with_the_options_the_walk_reads() {
        for (pattern, options) in [
            (KEEP_ALIVE_UPGRADE, ("keep-alive", "upgrade")),
            (UPGRADE_HTTP2_SETTINGS, ("upgrade", "http2-settings")),
        ] {
            let want = Some((options.0.as_bytes().to_vec(), options.1.as_bytes().to_vec()));
            assert_eq!(recognised(pattern), want);
            assert_eq!(walked(pattern), want);
        }
        assert_eq!(
            two_options(b"Upgrade, HTTP2-Settings"),
            Some((&b"Upgrade"[..], &b"HTTP2-Settings"[..]))
        );
        assert_eq!(
            two_options(b"KEEP-ALIVE, UPGRADE"),
            Some((&b"KEEP-ALIVE"[..], &b"UPGRADE"[..]))
        );
    }

    #[test]
    fn every_byte_value_at_every_place_of_each_pattern_gives_the_walks_answer_or_none() {
        for pattern in [KEEP_ALIVE_UPGRADE, UPGRADE_HTTP2_SETTINGS] {
            for at in 0..pattern.len() {
                for byte in 0..=255u8 {
                    let mut line = pattern.to_vec();
                    line[at] = byte;
                    let got = recognised(&line);
                    let same_letter = line.eq_ignore_ascii_case(pattern);
                    assert_eq!(got.is_some(), same_letter, "{line:?}");
                    if got.is_some() {
                        assert_eq!(got, walked(&line), "{line:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_mix_of_letter_case_is_recognised() {
        for pattern in [KEEP_ALIVE_UPGRADE, UPGRADE_HTTP2_SETTINGS] {
            let letters: Vec<usize> = (0..pattern.len())
                .filter(|&at| pattern[at].is_ascii_alphabetic())
                .collect();
            // Every subset of the first 12 letters in uppercase, the rest in turn lower and upper.
            for upper in 0u32..1 << 12 {
                for rest_upper in [false, true] {
                    let mut line = pattern.to_vec();
                    for (bit, &at) in letters.iter().enumerate() {
                        if (bit < 12 && upper & 1 << bit != 0) || (bit >= 12 && rest_upper) {
                            line[at] = line[at].to_ascii_uppercase();
                        }
                    }
                    assert_eq!(recognised(&line), walked(&line), "{line:?}");
                    assert!(recognised(&line).is_some(), "{line:?}");
                }
            }
        }
    }

    #[test]
    fn a_known_line_past_the_bound_on_options_fails_where_its_option_goes_over() {
        use crate::error::ErrorKind::ElementsTooMany;
        let bounded = |max| Config::RECIPIENT.with_max_elements(max);
        let curl: [&[u8]; 1] = [b"Upgrade, HTTP2-Settings"];
        let firefox: [&[u8]; 2] = [b"close", b"keep-alive, Upgrade"];
        for (lines, max, want) in [
            (&curl[..], 1, (ElementsTooMany, 0, 9)),
            (&firefox[..], 1, (ElementsTooMany, 1, 0)),
            (&firefox[..], 2, (ElementsTooMany, 1, 12)),
        ] {
            let options = || parse_connection(lines.iter().copied(), bounded(max));
            assert_eq!(options().contains(b"upgrade").map_err(position), Err(want));
            assert_eq!(options().validate().map_err(position), Err(want));
            let read: Vec<_> = options().map(|o| o.map(|o| o.as_bytes())).collect();
            assert_eq!(read.last().map(|r| r.map_err(position)), Some(Err(want)));
            assert_eq!(read.len(), max + 1);
        }
        let options = || parse_connection(firefox, bounded(3));
        assert_eq!(options().contains(b"upgrade"), Ok(true));
        assert_eq!(options().validate(), Ok(3));
        // The line's two options count towards the bound of the lines after it.
        let lines: [&[u8]; 2] = [b"Upgrade, HTTP2-Settings", b"te"];
        let options = || parse_connection(lines, bounded(2));
        let want = (ElementsTooMany, 1, 0);
        assert_eq!(options().contains(b"upgrade").map_err(position), Err(want));
        let read: Vec<_> = options().map(|o| o.map(|o| o.as_bytes())).collect();
        assert_eq!(read.len(), 3);
        assert_eq!(read.last().map(|r| r.map_err(position)), Some(Err(want)));
    }

    #[test]
    fn the_iterator_stopped_after_a_known_lines_first_option_reads_the_second_next() {
        let lines: [&[u8]; 2] = [b"Upgrade, HTTP2-Settings", b"te"];
        let mut options = parse_connection(lines, Config::SENDER);
        let first = options.next().map(|o| o.map(|o| o.as_bytes()));
        assert_eq!(first, Some(Ok(&b"Upgrade"[..])));
        let rest: Vec<_> = options.map(|o| o.map(|o| o.as_bytes())).collect();
        assert_eq!(rest, [Ok(&b"HTTP2-Settings"[..]), Ok(&b"te"[..])]);
        // A known line read whole is counted as a line: an error in the next one names line 1.
        let lines: [&[u8]; 2] = [b"keep-alive, Upgrade", b","];
        let err = parse_connection(lines, Config::SENDER).contains(b"upgrade");
        assert_eq!(
            err.map_err(position),
            Err((crate::ErrorKind::ElementEmpty, 1, 0))
        );
    }

    #[test]
    fn lines_of_other_lengths_or_shapes_are_left_to_the_walk() {
        for line in [
            &b""[..],
            b"upgrade",
            b"keep-alive,upgrade",
            b"keep-alive,  upgrade",
            b"upgrade,http2-settings",
            b"upgrade, http2-settings ",
            b" upgrade, http2-settings",
            b"http2-settings, upgrade",
            b"keep-alive, upgradf",
            b"keep-alive,\tupgrade",
        ] {
            assert_eq!(two_options(line), None, "{line:?}");
        }
    }
}
