//! Reading the field lines of a message, whatever holds them.

/// Read access to the header field lines of one message.
///
/// RFC 9110 section 5.2 and 5.3: a field may arrive as several field lines; every line counts,
/// in the order received, and field names compare case-insensitively. Implementations yield the
/// value of every line whose name equals `name` ignoring ASCII case, in order, without copying.
///
/// Implemented for slices and arrays of [`httparse::Header`], of `(&str, &[u8])` and of
/// `(&str, &str)` pairs, and, with the `http` feature, for `http::HeaderMap`.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::FieldLines;
///
/// let headers = [("Connection", "keep-alive"), ("Host", "a"), ("connection", "Upgrade")];
/// let lines: Vec<&[u8]> = headers.lines("CONNECTION").collect();
/// assert_eq!(lines, [&b"keep-alive"[..], b"Upgrade"]);
/// assert_eq!(headers.lines("Upgrade").count(), 0);
/// ```
pub trait FieldLines {
    /// The values of every field line named `name` (ASCII-case-insensitively), in order.
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's;
}

impl FieldLines for [httparse::Header<'_>] {
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.iter()
            .filter(move |h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value)
    }
}

impl FieldLines for [(&str, &[u8])] {
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v)
    }
}

impl FieldLines for [(&str, &str)] {
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, v)| v.as_bytes())
    }
}

impl<T, const N: usize> FieldLines for [T; N]
where
    [T]: FieldLines,
{
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.as_slice().lines(name)
    }
}

#[cfg(feature = "http")]
impl FieldLines for http::HeaderMap {
    fn lines<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        // A name that is not a valid header name finds nothing: `get_all` parses it.
        self.get_all(name).iter().map(http::HeaderValue::as_bytes)
    }
}

/// Whether the message has at least one field line named `name`.
pub(crate) fn has<H: FieldLines + ?Sized>(headers: &H, name: &str) -> bool {
    headers.lines(name).next().is_some()
}

/// The value of the only field line named `name`: `Ok(None)` when there is none, `Err(Repeated)`
/// when there are several.
pub(crate) fn single<'s, H: FieldLines + ?Sized>(
    headers: &'s H,
    name: &'s str,
) -> Result<Option<&'s [u8]>, Repeated> {
    let mut lines = headers.lines(name);
    let first = lines.next();
    if lines.next().is_some() {
        Err(Repeated)
    } else {
        Ok(first)
    }
}

/// A field that must appear at most once appeared on several lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Repeated;

/// A field line value without its leading and trailing SP / HTAB (RFC 9110 section 5.5).
pub(crate) fn trim_ows(value: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ows(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ows(b))
        .map_or(start, |i| i + 1);
    value.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_spaces_and_tabs_only() {
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(trim_ows(b""), b"");
        assert_eq!(trim_ows(b"\x0ba\x0b"), b"\x0ba\x0b");
    }

    #[test]
    fn httparse_headers_match_names_ignoring_ascii_case_only() {
        let headers = [
            httparse::Header {
                name: "Upgrade",
                value: b"a",
            },
            httparse::Header {
                name: "UPGRADE",
                value: b"b",
            },
            httparse::Header {
                name: "Upgrade-x",
                value: b"c",
            },
        ];
        let lines: Vec<&[u8]> = headers.lines("upgrade").collect();
        assert_eq!(lines, [&b"a"[..], b"b"]);
    }

    #[test]
    fn single_tells_none_one_and_several_apart() {
        let headers: [(&str, &[u8]); 3] = [("a", b"1"), ("b", b"2"), ("B", b"3")];
        assert_eq!(single(&headers, "c"), Ok(None));
        assert_eq!(single(&headers, "A"), Ok(Some(&b"1"[..])));
        assert_eq!(single(&headers, "b"), Err(Repeated));
    }
}
