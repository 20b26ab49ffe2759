//! The hop-by-hop fields a proxy drops when forwarding a message.

use upgrade_grammar::{Config, Error, parse_connection};

use crate::headers::FieldLines;
use crate::policy::Policy;

/// The fields that are always hop-by-hop, whatever `Connection` says.
///
/// RFC 9110 section 7.6.1 names `Connection`, `Proxy-Connection`, `Keep-Alive`, `TE`,
/// `Transfer-Encoding` and `Upgrade`; RFC 7540 section 3.2.1 makes `HTTP2-Settings`
/// connection-specific, so that an h2c upgrade is never passed to a backend by accident.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::HOP_BY_HOP_FIELDS;
///
/// assert!(HOP_BY_HOP_FIELDS.iter().any(|f| f.eq_ignore_ascii_case("http2-settings")));
/// assert!(!HOP_BY_HOP_FIELDS.iter().any(|f| f.eq_ignore_ascii_case("host")));
/// ```
pub const HOP_BY_HOP_FIELDS: &[&str] = &[
    "Connection",
    "Upgrade",
    "Keep-Alive",
    "Proxy-Connection",
    "TE",
    "Transfer-Encoding",
    "HTTP2-Settings",
];

/// The hop-by-hop fields of one message: [`HOP_BY_HOP_FIELDS`] plus every option listed in its
/// `Connection` field lines (RFC 9110 section 7.6.1).
///
/// Built by [`hop_by_hop`], which validates `Connection` first; the options are then read
/// lazily from the message, never copied.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{hop_by_hop, Policy};
///
/// let headers = [("Connection", "keep-alive, X-Session"), ("connection", "x-session, close")];
/// let hop = hop_by_hop(&headers, &Policy::default())?;
/// let extra: Vec<&str> = hop.names().skip(7).collect();
/// assert_eq!(extra, ["X-Session", "close"]);
/// assert!(hop.is_hop_by_hop("x-SESSION") && hop.is_hop_by_hop("TE"));
/// assert!(!hop.is_hop_by_hop("X-Sessions"));
/// # Ok::<(), upgrade_negotiate::Error>(())
/// ```
pub struct HopByHop<'h, H: ?Sized> {
    headers: &'h H,
    config: Config,
}

/// Reads the hop-by-hop fields of a message that a proxy is about to forward, parsing
/// `Connection` with the grammar and bounds of [`Policy::config`].
///
/// A proxy removes every field this names before forwarding (RFC 9110 section 7.6.1); the
/// `Connection` options name fields that apply to this hop only, such as `HTTP2-Settings` of
/// an h2c upgrade.
///
/// # Errors
///
/// The grammar error when `Connection` is malformed or over the bounds. The options of a
/// malformed `Connection` cannot be known, so the caller must not forward the message as is:
/// refuse it (400 for a request, 502 for a response), or forward it without the fields of
/// [`HOP_BY_HOP_FIELDS`] *and* without any field whose name could be an option (every field
/// but the ones it knows to be end-to-end).
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{hop_by_hop, Config, ErrorKind, Policy};
///
/// let headers = [
///     ("Host", "backend"),
///     ("Connection", "Upgrade, HTTP2-Settings"),
///     ("Connection", "x-trace"),
///     ("Upgrade", "h2c"),
///     ("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA"),
///     ("X-Trace", "1"),
/// ];
/// let hop = hop_by_hop(&headers, &Policy::default())?;
/// let forwarded: Vec<&str> = headers
///     .iter()
///     .map(|(name, _)| *name)
///     .filter(|name| !hop.is_hop_by_hop(name))
///     .collect();
/// assert_eq!(forwarded, ["Host"]);
/// assert!(hop.names().any(|n| n == "x-trace"));
///
/// let malformed = [("Connection", "keep-alive close")];
/// assert!(hop_by_hop(&malformed, &Policy::default()).is_err());
///
/// let policy = Policy::new().with_config(Config::RECIPIENT.with_max_elements(2));
/// let err = hop_by_hop(&[("Connection", "a, b, c")], &policy).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::ElementsTooMany);
/// # Ok::<(), upgrade_negotiate::Error>(())
/// ```
pub fn hop_by_hop<'h, H: FieldLines + ?Sized>(
    headers: &'h H,
    policy: &Policy,
) -> Result<HopByHop<'h, H>, Error> {
    let config = policy.config();
    parse_connection(headers.lines("connection"), config).validate()?;
    Ok(HopByHop { headers, config })
}

impl<'h, H: FieldLines + ?Sized> HopByHop<'h, H> {
    /// Whether the field named `name` is hop-by-hop, comparing names ignoring ASCII case.
    pub fn is_hop_by_hop(&self, name: &str) -> bool {
        HOP_BY_HOP_FIELDS
            .iter()
            .any(|field| field.eq_ignore_ascii_case(name))
            || self
                .options()
                .any(|option| option.eq_ignore_ascii_case(name))
    }

    /// The names of the hop-by-hop fields: [`HOP_BY_HOP_FIELDS`], then each `Connection`
    /// option not already named, as it was spelled, once.
    pub fn names(&self) -> impl Iterator<Item = &'h str> + use<'h, H> {
        let headers = self.headers;
        let config = self.config;
        let options = move || {
            parse_connection(headers.lines("connection"), config)
                .map_while(Result::ok)
                .map(|token| token.as_str())
        };
        let extra = options().enumerate().filter(move |&(index, option)| {
            !HOP_BY_HOP_FIELDS
                .iter()
                .any(|field| field.eq_ignore_ascii_case(option))
                && !options()
                    .take(index)
                    .any(|earlier| earlier.eq_ignore_ascii_case(option))
        });
        HOP_BY_HOP_FIELDS
            .iter()
            .copied()
            .chain(extra.map(|(_, option)| option))
    }

    fn options(&self) -> impl Iterator<Item = &'h str> + use<'h, H> {
        let headers = self.headers;
        parse_connection(headers.lines("connection"), self.config)
            .map_while(Result::ok)
            .map(|token| token.as_str())
    }
}

impl<H: FieldLines + ?Sized> core::fmt::Debug for HopByHop<'_, H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_list_fixed_fields_then_new_options_once() {
        let headers = [
            ("Connection", "keep-alive, X-A, upgrade"),
            ("connection", "x-a, X-B, te"),
        ];
        let hop = hop_by_hop(&headers, &Policy::default()).unwrap();
        let names: Vec<&str> = hop.names().collect();
        assert_eq!(&names[..7], HOP_BY_HOP_FIELDS);
        assert_eq!(&names[7..], ["X-A", "X-B"]);
    }

    #[test]
    fn debug_lists_the_names() {
        let headers = [("Connection", "X-A")];
        let hop = hop_by_hop(&headers, &Policy::default()).unwrap();
        let shown = format!("{hop:?}");
        assert!(shown.starts_with('[') && shown.ends_with(']'), "{shown}");
        for name in HOP_BY_HOP_FIELDS.iter().chain(&["X-A"]) {
            assert!(shown.contains(&format!("{name:?}")), "{name} in {shown}");
        }
    }

    #[test]
    fn matches_names_ignoring_ascii_case_only() {
        let headers = [("Connection", "x-kelvin")];
        let hop = hop_by_hop(&headers, &Policy::default()).unwrap();
        assert!(hop.is_hop_by_hop("X-KELVIN"));
        assert!(hop.is_hop_by_hop("http2-settings"));
        assert!(!hop.is_hop_by_hop("x-\u{212A}elvin"));
        assert!(!hop.is_hop_by_hop("Host"));
    }
}
