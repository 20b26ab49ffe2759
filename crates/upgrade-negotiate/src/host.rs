//! The `Host` rule of RFC 9112 section 3.2.

use core::net::Ipv6Addr;

use crate::headers::{FieldLines, Repeated, single, trim_ows};
use crate::message::HttpVersion;
use crate::reason::Reason;
use crate::word::{HIGHS, ONES, at_least, first_marked, first_marked_in_words};

/// Why a request breaks the `Host` rule, or `None` when it keeps it.
///
/// RFC 9112 section 3.2: "A server MUST respond with a 400 (Bad Request) status code to any
/// HTTP/1.1 request message that lacks a Host header field and to any request message that
/// contains more than one Host header field line or a Host header field with an invalid field
/// value." HTTP/1.0 may omit `Host`; HTTP/2 and later carry the authority elsewhere.
pub(crate) fn host_rule<H: FieldLines + ?Sized>(
    headers: &H,
    version: HttpVersion,
) -> Option<Reason> {
    if version == HttpVersion::Http2OrLater {
        return None;
    }
    host_verdict(single(headers, "host"), version)
}

/// [`host_rule`] on the value of the only `Host` line, `Ok(None)` when there is none, or
/// `Err(Repeated)` when there are several, for an HTTP/1.x request.
///
/// Inlined, so that `host` is matched where it is made: out of line, it is built in memory just
/// before the call and loaded back at once, which stalls the load.
#[inline]
pub(crate) fn host_verdict(
    host: Result<Option<&[u8]>, Repeated>,
    version: HttpVersion,
) -> Option<Reason> {
    if version == HttpVersion::Http2OrLater {
        return None;
    }
    match host {
        Err(_) => Some(Reason::HostRepeated),
        Ok(None) if version == HttpVersion::Http11 => Some(Reason::HostMissing),
        Ok(None) => None,
        Ok(Some(value)) if is_host_line(value) => None,
        Ok(Some(_)) => Some(Reason::HostInvalid),
    }
}

/// Whether the value of a `Host` line, without the SP and HTAB at either end, is [`is_host`].
///
/// [`short_host`] reads the value as it came: SP and HTAB are not among the bytes it answers, so
/// a value it answers has none to trim. Only the others are trimmed, then read.
#[inline]
fn is_host_line(value: &[u8]) -> bool {
    match short_host(value) {
        Some(answer) => answer,
        None => is_host(trim_ows(value)),
    }
}

/// Whether `value` is `uri-host [ ":" port ]` (RFC 9110 section 7.2, RFC 3986 section 3.2):
///
/// ```text
/// Host        = uri-host [ ":" port ]
/// uri-host    = IP-literal / IPv4address / reg-name
/// IP-literal  = "[" ( IPv6address / IPvFuture ) "]"
/// IPvFuture   = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
/// reg-name    = *( unreserved / pct-encoded / sub-delims )
/// port        = *DIGIT
/// ```
///
/// An IPv4 address is also a `reg-name`, and so is the empty string: RFC 9110 section 7.2 sends
/// an empty `Host` when the target URI has no authority.
///
/// Most values are a short name of letters, digits, `-` and `.`, with or without a port
/// (`example.com`, `localhost:8080`): [`short_host`] answers those inline, and [`is_any_host`]
/// the others.
#[inline]
fn is_host(value: &[u8]) -> bool {
    match short_host(value) {
        Some(answer) => answer,
        None => is_any_host(value),
    }
}

/// The class bits of each byte for [`short_host`]: [`PLAIN_OR_COLON`] for a letter, a digit, `-`,
/// `.` or `:`, and [`PLAIN`] too for all of them but `:`.
///
/// The bytes [`plain_bits`] marks, as a table: and-ing the classes of 16 bytes took 21
/// instructions fewer on the benches' JSON `POST` than two words of `plain_bits`, and 8 fewer
/// with a port. The tests check both on every byte value.
// Evaluated only at compile time: an out-of-bounds index here fails the build, never a request.
#[allow(clippy::indexing_slicing)]
static HOST_CLASSES: [u8; 256] = {
    let mut table = [0; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'.' {
            PLAIN | PLAIN_OR_COLON
        } else if byte == b':' {
            PLAIN_OR_COLON
        } else {
            0
        };
        b += 1;
    }
    table
};

/// The class bit of [`HOST_CLASSES`] of a letter, a digit, `-` and `.`.
const PLAIN: u8 = 0b10;
/// The class bit of [`HOST_CLASSES`] of those and `:`.
const PLAIN_OR_COLON: u8 = 0b01;

/// [`is_host`] for a value of 8 to 16 bytes made of letters, digits, `-`, `.` and `:`, which it
/// tells by and-ing the classes of its first and last eight bytes (which overlap), without a
/// branch per byte; `None` for any other value. Without a `:` the value is a name; with one, the
/// name ends at the first (no `reg-name` holds one) and the port after it must be digits.
#[inline(always)]
fn short_host(value: &[u8]) -> Option<bool> {
    #[inline(always)]
    fn and(bytes: &[u8; 8]) -> u8 {
        bytes.iter().fold(PLAIN | PLAIN_OR_COLON, |all, &b| {
            all & HOST_CLASSES.get(usize::from(b)).copied().unwrap_or(0)
        })
    }
    if value.len() > 16 {
        return None;
    }
    let (first, last) = (value.first_chunk::<8>()?, value.last_chunk::<8>()?);
    let all = and(first) & and(last);
    if all & PLAIN != 0 {
        return Some(true);
    }
    if all & PLAIN_OR_COLON == 0 {
        return None;
    }
    // Letters, digits, `-`, `.` and at least one `:`, all below 0x80: adding 0x7f to each byte
    // of a word xor-ed with `:`s sets bit 7 of every byte but a `:`'s, with no carry.
    let colons = |word: &[u8; 8]| {
        let differs = (u64::from_le_bytes(*word) ^ (ONES * u64::from(b':'))) + ONES * 0x7f;
        !differs & HIGHS
    };
    let colon = match colons(first) {
        0 => value.len() - 8 + first_marked(colons(last)),
        marked => first_marked(marked),
    };
    Some(value.get(colon + 1..)?.iter().all(u8::is_ascii_digit))
}

/// [`is_host`] for every form of the value.
fn is_any_host(value: &[u8]) -> bool {
    let port = match value.split_first() {
        Some((b'[', rest)) => {
            let Some(close) = rest.iter().position(|&b| b == b']') else {
                return false;
            };
            let (literal, after) = rest.split_at(close);
            if !is_ip_literal(literal) {
                return false;
            }
            after.get(1..).unwrap_or_default()
        }
        _ => match reg_name_end(value) {
            Some(end) => value.get(end..).unwrap_or_default(),
            None => return false,
        },
    };
    match port.split_first() {
        None => true,
        Some((b':', digits)) => digits.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    }
}
/// `IPv6address / IPvFuture`, the inside of the brackets.
fn is_ip_literal(literal: &[u8]) -> bool {
    match literal.split_first() {
        Some((b'v' | b'V', future)) => {
            let Some(dot) = future.iter().position(|&b| b == b'.') else {
                return false;
            };
            let (version, rest) = future.split_at(dot);
            let text = rest.get(1..).unwrap_or_default();
            !version.is_empty()
                && version.iter().all(u8::is_ascii_hexdigit)
                && !text.is_empty()
                && text
                    .iter()
                    .all(|&b| is_unreserved(b) || is_sub_delim(b) || b == b':')
        }
        _ => core::str::from_utf8(literal).is_ok_and(|text| text.parse::<Ipv6Addr>().is_ok()),
    }
}

/// `unreserved / sub-delims` for every byte value, built from the two functions below.
// Evaluated only at compile time: an out-of-bounds index here fails the build, never a request.
#[allow(clippy::indexing_slicing)]
static REG_NAME: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = is_unreserved(b as u8) || is_sub_delim(b as u8);
        b += 1;
    }
    table
};

/// Where the `reg-name` at the start of `value` ends: at its end or at a `:` (which no
/// `reg-name` holds), read in one pass; `None` when another byte, or a `%` not followed by two
/// hex digits, comes first.
///
/// ```text
/// reg-name = *( unreserved / pct-encoded / sub-delims )
/// ```
fn reg_name_end(value: &[u8]) -> Option<usize> {
    let mut at = plain_prefix_len(value);
    while let Some(&b) = value.get(at) {
        // The common case, a name without percent-encoding, is one table lookup per byte.
        if REG_NAME.get(usize::from(b)).copied().unwrap_or(false) {
            at += 1;
            continue;
        }
        match (b, value.get(at + 1), value.get(at + 2)) {
            (b':', _, _) => return Some(at),
            (b'%', Some(high), Some(low))
                if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() =>
            {
                at += 3;
            }
            _ => return None,
        }
    }
    Some(at)
}

/// The number of leading letters, digits, `-` and `.` of `value`, of which most host names are
/// made, read eight bytes at a time; 0 when `value` is shorter than a word. Past the whole words,
/// the last eight bytes are read as one word: its bytes already read are plain, so its first byte
/// that is not is the first one after them.
fn plain_prefix_len(value: &[u8]) -> usize {
    let Some(last) = value.last_chunk::<8>() else {
        return 0;
    };
    let not_plain = |word: u64| !plain_bits(word) & HIGHS;
    if let Ok(at) = first_marked_in_words(value, not_plain) {
        return at;
    }
    let marked = not_plain(u64::from_le_bytes(*last));
    if marked == 0 {
        value.len()
    } else {
        value.len() - 8 + first_marked(marked)
    }
}

/// Bit 7 of each byte of `word` that is an ASCII letter, a digit, `-` or `.`, and no other bit.
#[inline(always)]
fn plain_bits(word: u64) -> u64 {
    let low7 = word & !HIGHS;
    // `-` and `.` are 0x2D and 0x2E, just below `/` and the digits.
    let dash_dot = at_least(low7, b'-') & !at_least(low7, b'/');
    let digit = at_least(low7, b'0') & !at_least(low7, b'9' + 1);
    // With the case bit set, only the bytes of a letter are from `a` to `z`.
    let folded = low7 | (ONES * 0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    (dash_dot | digit | letter) & !word
}

const fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

const fn is_sub_delim(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'$' | b'&' | b'\'' | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'='
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_form_of_rfc_3986_host_with_optional_port() {
        for host in [
            "example.com",
            "example.com:8080",
            "example.com:",
            "127.0.0.1:80",
            "",
            "[::1]",
            "[::1]:443",
            "[2001:db8::7]",
            "[::ffff:192.0.2.1]:1",
            "[v1.fe80::a+en1]",
            "xn--nxasmq6b.example",
            "a%20b",
            "sub.delims!$&'()*+,;=",
            "under_score~",
        ] {
            assert!(is_host(host.as_bytes()), "{host}");
        }
    }

    /// RFC 3986 section 2.1: `pct-encoded = "%" HEXDIG HEXDIG`, both digits hexadecimal.
    #[test]
    fn percent_encoding_needs_two_hex_digits() {
        assert!(is_host(b"a%4Fb:80"));
        // A byte after a percent-encoding is read like any other.
        assert!(!is_host(b"aa%41\"b"));
        assert!(is_host(b"aa%41b%42"));
        for host in [&b"a%4g"[..], b"a%g4", b"a%gg", b"a%4", b"a%"] {
            assert!(!is_host(host), "{}", host.escape_ascii());
        }
    }

    /// The short form answers the names and ports most requests send, and leaves the rest to
    /// the reading of every form.
    #[test]
    fn short_host_answers_short_names_with_or_without_a_port() {
        for (value, answer) in [
            ("api.example.com", Some(true)),
            ("localhost", Some(true)),
            ("localhost:8080", Some(true)),
            ("example.com:8000", Some(true)),
            ("127.0.0.1:8080", Some(true)),
            ("exam:ple.com", Some(false)),
            ("a:80:8181", Some(false)),
            ("localhost:", Some(true)),
            (":8080abcd", Some(false)),
            (":80808080", Some(true)),
            ("[::1]:8080", None),
            ("a%20b.example", None),
            ("short", None),
            ("www.example.com:443", None),
        ] {
            assert_eq!(short_host(value.as_bytes()), answer, "{value}");
        }
    }

    /// Whatever the short form answers is what the reading of every form answers: every byte
    /// value at every position of names and ports of 0 to 20 bytes, as they are and between
    /// SP and HTAB, which a line's value is read without.
    #[test]
    fn short_host_agrees_with_every_form_on_every_byte_in_every_position() {
        for base in [
            &b"abcdefghijklmnopqrst"[..],
            b"exa-mple.com:808080",
            b"h:1.2.3.4:5:6:7:8:9",
        ] {
            for len in 0..=base.len() {
                for position in 0..len {
                    for byte in 0..=255u8 {
                        let mut value = base[..len].to_vec();
                        value[position] = byte;
                        let every_form = is_any_host(&value);
                        if let Some(answer) = short_host(&value) {
                            assert_eq!(answer, every_form, "{}", value.escape_ascii());
                        }
                        assert_eq!(is_host(&value), every_form, "{}", value.escape_ascii());
                        for pad in [&b""[..], b" ", b"\t "] {
                            let line = [pad, &value, pad].concat();
                            let trimmed = is_any_host(trim_ows(&line));
                            assert_eq!(is_host_line(&line), trimmed, "{}", line.escape_ascii());
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn plain_bits_marks_exactly_letters_digits_dash_and_dot_in_every_position() {
        for b in 0..=255u8 {
            for filler in [b'a', b'.', b' ', 0x00, 0xff] {
                for position in 0..8 {
                    let mut bytes = [filler; 8];
                    bytes[position] = b;
                    let got = plain_bits(u64::from_le_bytes(bytes)).to_le_bytes();
                    let want = bytes.map(|byte| {
                        let plain = byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.');
                        if plain { 0x80 } else { 0 }
                    });
                    assert_eq!(got, want, "byte {b:#04x} at {position} among {filler:#04x}");
                }
            }
        }
    }

    #[test]
    fn plain_prefix_len_stops_at_the_first_byte_not_plain_or_reads_none_under_a_word() {
        for len in 0..30 {
            for stop in 0..=len {
                for b in 0..=255u8 {
                    let mut value = vec![b'x'; len];
                    if let Some(byte) = value.get_mut(stop) {
                        *byte = b;
                    }
                    let plain = |byte: &u8| byte.is_ascii_alphanumeric() || b"-.".contains(byte);
                    let want = if len < 8 {
                        0
                    } else {
                        value.iter().position(|byte| !plain(byte)).unwrap_or(len)
                    };
                    assert_eq!(plain_prefix_len(&value), want, "{}", value.escape_ascii());
                }
            }
        }
    }

    #[test]
    fn rejects_what_is_not_uri_host_and_port() {
        for host in [
            "a b",
            "a:b",
            "a:80:81",
            "user@example.com",
            "example.com/path",
            "[::1",
            "::1",
            "[::1]x",
            "[::1]:8a",
            "[127.0.0.1]",
            "[vz.a]",
            "[v1.]",
            "[v.a]",
            "a%2",
            "a%zz",
            "caf\u{e9}",
            "a\"b",
            "a\tb",
        ] {
            assert!(!is_host(host.as_bytes()), "{host}");
        }
    }

    #[test]
    fn applies_the_rule_per_version() {
        let none: [(&str, &str); 0] = [];
        let one = [("Host", " a:1 ")];
        let two = [("Host", "a"), ("host", "a")];
        let bad = [("Host", "a b")];
        assert_eq!(
            host_rule(&none, HttpVersion::Http11),
            Some(Reason::HostMissing)
        );
        assert_eq!(host_rule(&none, HttpVersion::Http10), None);
        assert_eq!(host_rule(&none, HttpVersion::Http2OrLater), None);
        assert_eq!(host_rule(&one, HttpVersion::Http11), None);
        assert_eq!(
            host_rule(&two, HttpVersion::Http11),
            Some(Reason::HostRepeated)
        );
        assert_eq!(
            host_rule(&two, HttpVersion::Http10),
            Some(Reason::HostRepeated)
        );
        assert_eq!(
            host_rule(&bad, HttpVersion::Http10),
            Some(Reason::HostInvalid)
        );
        assert_eq!(host_rule(&bad, HttpVersion::Http2OrLater), None);
    }
}
