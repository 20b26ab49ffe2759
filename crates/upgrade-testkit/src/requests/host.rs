//! The `Host` field value spelled out from the ABNF of RFC 3986 (section 3.2.2 and 3.2.3), for
//! the checks: it shares no code with the negotiator's `Host` rule, and reads IPv6 addresses
//! by the grammar's nine forms, not with the standard library's parser.
//!
//! ```text
//! Host        = uri-host [ ":" port ]                         ; RFC 9110 section 7.2
//! uri-host    = IP-literal / IPv4address / reg-name
//! IP-literal  = "[" ( IPv6address / IPvFuture ) "]"
//! IPvFuture   = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
//! IPv6address =                            6( h16 ":" ) ls32
//!             /                       "::" 5( h16 ":" ) ls32
//!             / [               h16 ] "::" 4( h16 ":" ) ls32
//!             / [ *1( h16 ":" ) h16 ] "::" 3( h16 ":" ) ls32
//!             / [ *2( h16 ":" ) h16 ] "::" 2( h16 ":" ) ls32
//!             / [ *3( h16 ":" ) h16 ] "::"    h16 ":"   ls32
//!             / [ *4( h16 ":" ) h16 ] "::"              ls32
//!             / [ *5( h16 ":" ) h16 ] "::"              h16
//!             / [ *6( h16 ":" ) h16 ] "::"
//! h16         = 1*4HEXDIG
//! ls32        = ( h16 ":" h16 ) / IPv4address
//! IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet
//! dec-octet   = DIGIT / %x31-39 DIGIT / "1" 2DIGIT / "2" %x30-34 DIGIT / "25" %x30-35
//! reg-name    = *( unreserved / pct-encoded / sub-delims )
//! port        = *DIGIT
//! ```

/// Whether `value` (without the OWS around it) is a valid `Host` field value. An IPv4 address is
/// also a `reg-name`, so it needs no case of its own; so is the empty value.
pub fn is_host_field_value(value: &[u8]) -> bool {
    let (host_is_valid, port) = match value.strip_prefix(b"[") {
        Some(bracketed) => match bracketed.iter().position(|&b| b == b']') {
            Some(close) => {
                let literal = &bracketed[..close];
                let valid = is_ipv6_address(literal) || is_ip_future(literal);
                (valid, &bracketed[close + 1..])
            }
            None => return false,
        },
        None => {
            // A `reg-name` holds no `:`, so the first one starts the port.
            let end = value.iter().position(|&b| b == b':').unwrap_or(value.len());
            (is_reg_name(&value[..end]), &value[end..])
        }
    };
    let port_is_valid = match port {
        [] => true,
        [b':', digits @ ..] => digits.iter().all(u8::is_ascii_digit),
        _ => false,
    };
    host_is_valid && port_is_valid
}

/// `unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"`
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~".contains(&b)
}

/// `sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="`
fn is_sub_delim(b: u8) -> bool {
    b"!$&'()*+,;=".contains(&b)
}

fn is_reg_name(name: &[u8]) -> bool {
    let mut rest = name;
    loop {
        match rest {
            [] => return true,
            [b'%', high, low, after @ ..]
                if high.is_ascii_hexdigit() && low.is_ascii_hexdigit() =>
            {
                rest = after;
            }
            [b, after @ ..] if is_unreserved(*b) || is_sub_delim(*b) => rest = after,
            _ => return false,
        }
    }
}

/// `"v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )`, read left to right.
fn is_ip_future(literal: &[u8]) -> bool {
    let [b'v' | b'V', rest @ ..] = literal else {
        return false;
    };
    let hex_digits = rest.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    match &rest[hex_digits..] {
        [b'.', text @ ..] if hex_digits > 0 && !text.is_empty() => text
            .iter()
            .all(|&b| is_unreserved(b) || is_sub_delim(b) || b == b':'),
        _ => false,
    }
}

/// The nine forms come to this: without `::`, eight 16-bit pieces; with one `::`, which stands
/// for at least one piece of zeros, at most seven around it. An IPv4 address is two pieces and
/// only the last (it is `ls32`, which ends every form that has one).
fn is_ipv6_address(literal: &[u8]) -> bool {
    match find_double_colon(literal) {
        None => pieces(literal, true) == Some(8),
        Some(at) => {
            let (left, right) = (&literal[..at], &literal[at + 2..]);
            match (pieces(left, false), pieces(right, true)) {
                (Some(left), Some(right)) => left + right <= 7,
                _ => false,
            }
        }
    }
}

fn find_double_colon(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).position(|pair| pair == b"::")
}

/// The number of 16-bit pieces of `part`, `h16` separated by `:` (none when it is empty), with
/// an IPv4 address as its last two when `ipv4_last`; `None` when it is not that.
fn pieces(part: &[u8], ipv4_last: bool) -> Option<usize> {
    if part.is_empty() {
        return Some(0);
    }
    let groups: Vec<&[u8]> = part.split(|&b| b == b':').collect();
    let mut count = 0;
    for (index, group) in groups.iter().enumerate() {
        let last = index + 1 == groups.len();
        if is_h16(group) {
            count += 1;
        } else if last && ipv4_last && is_ipv4_address(group) {
            count += 2;
        } else {
            return None;
        }
    }
    Some(count)
}

fn is_h16(group: &[u8]) -> bool {
    (1..=4).contains(&group.len()) && group.iter().all(u8::is_ascii_hexdigit)
}

fn is_ipv4_address(text: &[u8]) -> bool {
    let octets: Vec<&[u8]> = text.split(|&b| b == b'.').collect();
    octets.len() == 4 && octets.iter().all(|octet| is_dec_octet(octet))
}

fn is_dec_octet(octet: &[u8]) -> bool {
    match octet {
        [d] => d.is_ascii_digit(),
        [b'1'..=b'9', d] => d.is_ascii_digit(),
        [b'1', d, e] => d.is_ascii_digit() && e.is_ascii_digit(),
        [b'2', b'0'..=b'4', e] => e.is_ascii_digit(),
        [b'2', b'5', b'0'..=b'5'] => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_of_the_nine_ipv6_forms_and_what_breaks_them() {
        for valid in [
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:1.2.3.4",
            "::2:3:4:5:6:7:8",
            "::2:3:4:5:6:1.2.3.4",
            "1::3:4:5:6:7:8",
            "1:2::4:5:6:7:8",
            "1:2:3::5:6:7:8",
            "1:2:3:4::6:7:8",
            "1:2:3:4:5::7:8",
            "1:2:3:4:5::1.2.3.4",
            "1:2:3:4:5:6::8",
            "1:2:3:4:5:6:7::",
            "::",
            "::1",
            "::ffff:192.0.2.1",
            "ABCD:ef01::",
            "0000:0000::",
        ] {
            assert!(is_ipv6_address(valid.as_bytes()), "{valid}");
        }
        for invalid in [
            "1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8:9",
            "1:2:3:4:5:6:7:8::",
            "::1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::1.2.3.4",
            "1::2::3",
            ":::",
            ":1::",
            "1::2:",
            "12345::",
            "g::",
            "1.2.3.4",
            "::1.2.3.4:1",
            "::1.2.3",
            "::256.1.1.1",
            "::01.1.1.1",
            "",
            "::%eth0",
        ] {
            assert!(!is_ipv6_address(invalid.as_bytes()), "{invalid}");
        }
    }

    #[test]
    fn host_field_values_by_rfc_3986() {
        for valid in [
            "example.com",
            "example.com:8080",
            "example.com:",
            "",
            ":80",
            "192.0.2.1:80",
            "[::1]:8080",
            "[v1.fe80::a+en1]",
            "[V7.a]",
            "ex%41mple.com",
            "sub.delims!$&'()*+,;=",
        ] {
            assert!(is_host_field_value(valid.as_bytes()), "{valid}");
        }
        for invalid in [
            "a b",
            "a:b",
            "a:80:81",
            "user@example.com",
            "[::1",
            "[::1]x",
            "[::1]:8a",
            "[192.0.2.1]",
            "[v.a]",
            "[v1.]",
            "[vg.a]",
            "ex%4mple",
            "ex%zzmple",
            "caf\u{e9}",
        ] {
            assert!(!is_host_field_value(invalid.as_bytes()), "{invalid}");
        }
    }
}
