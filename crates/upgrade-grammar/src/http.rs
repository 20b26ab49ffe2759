//! Reading every field line of a header from an [`http::HeaderMap`].

use core::iter::Map;

use http::header::{CONNECTION, HeaderMap, HeaderValue, UPGRADE, ValueIter};

use crate::config::Config;
use crate::connection::{ConnectionOptions, parse_connection};
use crate::upgrade::{Protocols, parse_upgrade};

/// The values of every field line of one header in a [`HeaderMap`], in order, as bytes.
pub type Values<'a> = Map<ValueIter<'a, HeaderValue>, fn(&'a HeaderValue) -> &'a [u8]>;

/// Every field line value of `name` in `headers`, in the order they arrived.
pub fn header_lines<'a, K: http::header::AsHeaderName>(
    headers: &'a HeaderMap,
    name: K,
) -> Values<'a> {
    headers
        .get_all(name)
        .iter()
        .map(HeaderValue::as_bytes as fn(&'a HeaderValue) -> &'a [u8])
}

/// Parses all `Upgrade` field lines of `headers` as one list.
///
/// # Examples
///
/// ```
/// use http::header::{HeaderMap, HeaderValue, UPGRADE};
/// use upgrade_grammar::{Config, http::upgrade_from_headers};
///
/// let mut headers = HeaderMap::new();
/// headers.append(UPGRADE, HeaderValue::from_static("h2c"));
/// headers.append(UPGRADE, HeaderValue::from_static("websocket"));
/// assert_eq!(upgrade_from_headers(&headers, Config::RECIPIENT).validate()?, 2);
///
/// headers.append(UPGRADE, HeaderValue::from_static("a b"));
/// assert_eq!(upgrade_from_headers(&headers, Config::RECIPIENT).validate().unwrap_err().line(), 2);
/// # Ok::<(), upgrade_grammar::Error>(())
/// ```
pub fn upgrade_from_headers(headers: &HeaderMap, config: Config) -> Protocols<'_, Values<'_>> {
    parse_upgrade(header_lines(headers, UPGRADE), config)
}

/// Parses all `Connection` field lines of `headers` as one list.
///
/// # Examples
///
/// ```
/// use http::header::{CONNECTION, HeaderMap, HeaderValue};
/// use upgrade_grammar::{Config, http::connection_from_headers};
///
/// let mut headers = HeaderMap::new();
/// headers.append(CONNECTION, HeaderValue::from_static("keep-alive"));
/// headers.append(CONNECTION, HeaderValue::from_static("Upgrade"));
/// assert!(connection_from_headers(&headers, Config::RECIPIENT).contains(b"upgrade")?);
/// # Ok::<(), upgrade_grammar::Error>(())
/// ```
pub fn connection_from_headers(
    headers: &HeaderMap,
    config: Config,
) -> ConnectionOptions<'_, Values<'_>> {
    parse_connection(header_lines(headers, CONNECTION), config)
}
