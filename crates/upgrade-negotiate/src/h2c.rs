//! The upgrade to HTTP/2 over cleartext of RFC 7540 section 3.2.

use crate::base64::decode_url_safe_8;
use crate::headers::{Repeated, trim_ows};
use crate::reason::Reason;

/// Whether `value` is a valid `HTTP2-Settings` value: the base64url encoding, without padding,
/// of a SETTINGS frame payload (RFC 7540 section 3.2.1).
///
/// ```text
/// HTTP2-Settings    = token68
/// ```
///
/// The payload is a sequence of 6-byte settings (RFC 7540 section 6.5.1), so its encoding is a
/// multiple of 8 characters; an empty value is an empty payload. The values of the settings that
/// have bounds are checked (section 6.5.2: `SETTINGS_ENABLE_PUSH` is 0 or 1,
/// `SETTINGS_INITIAL_WINDOW_SIZE` at most 2^31 - 1, `SETTINGS_MAX_FRAME_SIZE` between 2^14 and
/// 2^24 - 1; RFC 8441: `SETTINGS_ENABLE_CONNECT_PROTOCOL` is 0 or 1); unknown settings are
/// ignored, as section 6.5.2 requires. `value` is the field line value without its surrounding
/// whitespace.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::is_http2_settings;
///
/// // SETTINGS_MAX_CONCURRENT_STREAMS = 100, SETTINGS_INITIAL_WINDOW_SIZE = 1073741824,
/// // SETTINGS_ENABLE_PUSH = 0: what curl sends.
/// assert!(is_http2_settings(b"AAMAAABkAARAAAAAAAIAAAAA"));
/// assert!(is_http2_settings(b""));
/// assert!(!is_http2_settings(b"AAMAAABk=")); // padded
/// assert!(!is_http2_settings(b"AAIAAAAC")); // SETTINGS_ENABLE_PUSH = 2
/// ```
pub fn is_http2_settings(value: &[u8]) -> bool {
    let (settings, rest) = value.as_chunks::<8>();
    rest.is_empty()
        && settings
            .iter()
            .all(|chunk| decode_url_safe_8(chunk).is_some_and(is_valid_setting))
}

/// RFC 7540 section 6.5.2 and RFC 8441 section 3: the bounds of the defined settings. A setting
/// is a 16-bit identifier and a 32-bit value (section 6.5.1), here the low 48 bits of `setting`
/// as [`decode_url_safe_8`] gives them.
fn is_valid_setting(setting: u64) -> bool {
    // The low 32 bits, then the 16 above them.
    let value = setting as u32;
    match (setting >> 32) as u16 {
        0x2 | 0x8 => value <= 1,
        0x4 => value <= 0x7fff_ffff,
        0x5 => (0x4000..=0x00ff_ffff).contains(&value),
        _ => true,
    }
}

/// The h2c profile (RFC 7540 section 3.2.1), checked in this order: exactly one
/// `HTTP2-Settings` field line (`settings`, as [`single`](crate::headers::single) gives it),
/// holding a valid value, and `HTTP2-Settings` listed in `Connection` (read, and validated, by
/// rule 7).
pub(crate) fn profile(
    settings: Result<Option<&[u8]>, Repeated>,
    connection_lists_settings: bool,
) -> Result<(), Reason> {
    let settings = match settings {
        Ok(None) => return Err(Reason::H2cSettingsMissing),
        Err(_) => return Err(Reason::H2cSettingsRepeated),
        Ok(Some(settings)) => trim_ows(settings),
    };
    if !is_http2_settings(settings) {
        return Err(Reason::H2cSettingsInvalid);
    }
    if connection_lists_settings {
        Ok(())
    } else {
        Err(Reason::H2cSettingsNotInConnection)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_settings_payloads_in_whole_8_character_groups() {
        assert!(is_http2_settings(b""));
        assert!(is_http2_settings(b"AAMAAABk"));
        assert!(is_http2_settings(b"AAEAAEAAAAIAAAAB")); // header table 16384, push 1
        assert!(is_http2_settings(b"__8AAAAA")); // unknown setting 0xffff
    }

    #[test]
    fn rejects_bad_alphabet_padding_length_and_values() {
        for value in [
            &b"AAMAAAB"[..],
            b"AAMAAABkA",
            b"AAMAAAB=",
            b"AAMAAA+k",
            b"AAMAAA/k",
            b"AAMA AAk",
            b"AASAAAAA", // initial window 2^31
            b"AAUAAD__", // max frame size 16383
            b"AAUBAAAA", // max frame size 2^24
            b"AAgAAAAC", // enable connect protocol 2
        ] {
            assert!(!is_http2_settings(value), "{value:?}");
        }
        assert!(is_http2_settings(b"AAUAAEAA")); // max frame size 16384
        assert!(is_http2_settings(b"AAR_____")); // initial window 2^31 - 1
        assert!(is_http2_settings(b"AAUA____")); // max frame size 2^24 - 1
    }
}
