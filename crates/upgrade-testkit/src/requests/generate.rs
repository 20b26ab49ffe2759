//! The `arbitrary` generators of requests and the servers they are sent to: the input of the
//! `negotiate` fuzz target, of the probe's `--fuzz`, and, through the byte bridge of
//! [`strategy`](crate::strategy), of the negotiation properties. A method, a version, field
//! lines drawn from the names negotiation reads (lists laid out by
//! [`Arrangement`](crate::lists::render::Arrangement), handshake values valid and invalid), and
//! a server (offers and policy).
//!
//! Names and values come mostly from small tables of what clients really send and what peers
//! get wrong, so that offers and requests meet often; every table has a generated alternative
//! over the whole `tchar` set.

use std::ops::RangeInclusive;

use arbitrary::{Arbitrary, Result, Unstructured};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use upgrade_negotiate::HttpVersion::{Http2OrLater, Http10, Http11};
use upgrade_negotiate::{Policy, Preference};

use crate::handshakes;
use crate::lists::generate as lists;
use crate::lists::generate::{arrangement, placed, token};
use crate::reference::{RefItem, RefKind};
use crate::requests::case::{CaseField, RequestCase, profile};

/// The most field lines (before lists are split) of a generated request.
pub const MAX_FIELDS: usize = 12;
/// The most elements of one generated list field.
pub const MAX_LIST_ITEMS: usize = 6;
/// The most offers of a generated server.
pub const MAX_OFFERS: usize = 4;

/// Protocols that meet: the profiled ones in several spellings, generic ones with and without
/// versions, and the examples of RFC 9110 and RFC 2817.
pub const PROTOCOLS: &[&str] = &[
    "websocket",
    "WebSocket",
    "WEBSOCKET",
    "websocket/13",
    "h2c",
    "H2C",
    "h2c/1",
    "foo",
    "foo/2",
    "FOO/2",
    "Foo/3",
    "bar",
    "bar/1.0",
    "TLS/1.0",
    "HTTP/2.0",
    "h2",
    "IRC/6.9",
    "RTA/x11",
];

/// Connection options: `upgrade` in several spellings, its look-alikes, and the usual others.
pub const CONNECTION_OPTIONS: &[&str] = &[
    "upgrade",
    "Upgrade",
    "UPGRADE",
    "keep-alive",
    "Keep-Alive",
    "close",
    "HTTP2-Settings",
    "http2-settings",
    "notupgrade",
    "upgrade-x",
    "te",
];

/// `Sec-WebSocket-Key` values besides generated valid keys: the RFC 6455 and Firefox examples,
/// OWS around a valid key, and keys that are short, unpadded, 17 bytes, base64url, with trailing
/// bits set, or empty.
pub const WEBSOCKET_KEYS: &[&str] = &[
    "dGhlIHNhbXBsZSBub25jZQ==",
    "x3JJHMbDL1EzLkh9GBhXDw==",
    " dGhlIHNhbXBsZSBub25jZQ==\t",
    "c2hvcnQ=",
    "dGhlIHNhbXBsZSBub25jZQ",
    "dGhlIHNhbXBsZSBub25jZSE=",
    "dGhlIHNhbXBsZSBub25jZQ-_",
    "dGhlIHNhbXBsZSBub25jZR==",
    "",
];

/// `Sec-WebSocket-Version` values.
pub const WEBSOCKET_VERSIONS: &[&str] = &["13", "8", "13, 8", " 13 ", "", "7", "013", "13,"];

/// `HTTP2-Settings` values besides generated ones: curl's, another valid one, the empty payload,
/// and values that are padded, out of bounds, of a bad alphabet or of a bad length.
pub const HTTP2_SETTINGS: &[&str] = &[
    "AAMAAABkAAQCAAAAAAIAAAAA",
    "AAMAAABkAARAAAAAAAIAAAAA",
    "",
    "AAMAAABk=",
    "AAIAAAAC",
    "AAMAAAB+",
    "AAMAAAB",
];

/// `Content-Length` values besides generated numbers.
pub const CONTENT_LENGTHS: &[&str] = &[
    "0",
    "5, 5",
    "5, 6",
    "-1",
    "",
    "0x10",
    "18446744073709551616",
    " 7 ",
];

/// `Transfer-Encoding` values.
pub const TRANSFER_ENCODINGS: &[&str] = &[
    "chunked",
    "gzip, chunked",
    "chunked, gzip",
    "identity",
    "Chunked",
    "chunked, chunked",
    "chunked;foo=bar",
    "gzip;q=\"a,b\", chunked",
    ",chunked",
    "",
];

/// `Expect` values.
pub const EXPECTATIONS: &[&str] = &[
    "100-continue",
    "100-Continue",
    "100-continue, foo",
    "foo",
    "",
];

/// `Upgrade` values outside the list grammar (a parameter, a quoted string, a space inside, a
/// slash without a version or a name, two slashes), without commas so that they hold no empty
/// element.
pub const MALFORMED_UPGRADES: &[&str] = &[
    "websocket;q=1",
    "\"websocket\"",
    "foo bar",
    "websocket/",
    "/2",
    "a/b/c",
    "websocket /13",
];

/// `Connection` values outside the list grammar, without commas.
pub const MALFORMED_CONNECTIONS: &[&str] = &["up grade", "upgrade;", "\"upgrade\"", "upgrade/1"];

/// Valid `Host` values, the one most requests carry: the first three of [`HOST_VALUES`].
pub const HOSTS: &[&str] = HOST_VALUES.split_at(3).0;

/// `Host` values of every form of RFC 3986's `uri-host [ ":" port ]`, and values that break it
/// in each form (the last eleven; `localhost:http`, a port by name, is made of the bytes a name
/// and a port are made of).
pub const HOST_VALUES: &[&str] = &[
    "example.com",
    "localhost:8080",
    "",
    "192.0.2.1:80",
    "[::1]:8080",
    "[2001:db8::7]",
    "[1:2:3:4:5:6:192.0.2.1]:",
    "[v1.fe80::a+en1]",
    "ex%41mple.com",
    "sub.delims!$&'()*+,;=",
    "[::1",
    "[::1]x",
    "[1::2::3]",
    "[1:2:3:4:5:6:7:8:9]",
    "[192.0.2.1]",
    "[v1.]",
    "ex%4mple",
    "a b",
    "a:80:81",
    "localhost:http",
    "user@example.com",
];

/// The longest value of a field outside the tables.
const MAX_OTHER_VALUE_LEN: usize = 16;

/// One of `table`, or, with the same weight as one entry, what `generated` makes.
fn table_or<'a, E: Copy, T>(
    u: &mut Unstructured<'a>,
    table: &[E],
    from_table: impl FnOnce(E) -> T,
    generated: impl FnOnce(&mut Unstructured<'a>) -> Result<T>,
) -> Result<T> {
    match table.get(u.choose_index(table.len() + 1)?) {
        Some(&entry) => Ok(from_table(entry)),
        None => generated(u),
    }
}

/// A token as text.
fn token_text(u: &mut Unstructured<'_>) -> Result<String> {
    Ok(String::from_utf8_lossy(&token(u)?).into_owned())
}

/// A protocol from [`PROTOCOLS`], or any `name[/version]` of tokens.
fn protocol(u: &mut Unstructured<'_>) -> Result<RefItem> {
    table_or(u, PROTOCOLS, RefItem::from_text, lists::protocol)
}

/// A connection option from [`CONNECTION_OPTIONS`], or any token.
fn connection_option(u: &mut Unstructured<'_>) -> Result<RefItem> {
    let option = |u: &mut Unstructured<'_>| Ok(RefItem::new(&token(u)?, None));
    table_or(u, CONNECTION_OPTIONS, RefItem::from_text, option)
}

/// `count` items made by `element`, `count` drawn from `range`.
fn several(
    u: &mut Unstructured<'_>,
    range: RangeInclusive<usize>,
    element: fn(&mut Unstructured<'_>) -> Result<RefItem>,
) -> Result<Vec<RefItem>> {
    (0..u.int_in_range(range)?).map(|_| element(u)).collect()
}

/// Client or server preference.
fn preference(u: &mut Unstructured<'_>) -> Result<Preference> {
    Ok(match u.arbitrary()? {
        true => Preference::Server,
        false => Preference::Client,
    })
}

/// A valid key: the base64 of 16 bytes.
fn websocket_key(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let mut nonce = [0u8; 16];
    u.fill_buffer(&mut nonce)?;
    Ok(STANDARD.encode(nonce).into_bytes())
}

/// A SETTINGS payload of 1 to 3 settings, identifiers and values biased towards the defined
/// ones and their bounds, in unpadded base64url.
fn http2_settings(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    const IDS: &[u16] = &[1, 2, 3, 4, 5, 6, 8];
    const VALUES: &[u32] = &[
        0,
        1,
        2,
        0x3fff,
        0x4000,
        0x00ff_ffff,
        0x0100_0000,
        0x7fff_ffff,
        0x8000_0000,
    ];
    let count = u.int_in_range(1..=3)?;
    let mut payload = Vec::with_capacity(6 * count);
    for _ in 0..count {
        let id = table_or(u, IDS, |id| id, |u| u.arbitrary())?;
        let value = table_or(u, VALUES, |value| value, |u| u.arbitrary())?;
        payload.extend_from_slice(&id.to_be_bytes());
        payload.extend_from_slice(&value.to_be_bytes());
    }
    Ok(URL_SAFE_NO_PAD.encode(payload).into_bytes())
}

/// Up to 16 bytes of visible ASCII, SP and HTAB: what httparse reads back unchanged.
fn visible_text(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let len = u.int_in_range(0..=MAX_OTHER_VALUE_LEN)?;
    (0..len)
        .map(|_| {
            Ok(match u.int_in_range(0x1f..=0x7e)? {
                0x1f => b'\t',
                b => b,
            })
        })
        .collect()
}

/// [`visible_text`] without commas: a field line value that holds no empty element.
fn visible_text_without_commas(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let value = visible_text(u)?;
    Ok(value
        .into_iter()
        .map(|b| if b == b',' { b';' } else { b })
        .collect())
}

type Element = fn(&mut Unstructured<'_>) -> Result<RefItem>;
type Value = fn(&mut Unstructured<'_>) -> Result<Vec<u8>>;

/// The list fields: name, list, and the maker of elements.
const LIST_FIELDS: [(&str, RefKind, Element); 3] = [
    ("Upgrade", RefKind::Upgrade, protocol),
    ("Connection", RefKind::Connection, connection_option),
    ("Proxy-Connection", RefKind::Connection, connection_option),
];

/// The fields of one line: name, the table of values, and the maker of other values.
const TEXT_FIELDS: [(&str, &[&str], Value); 9] = [
    ("Sec-WebSocket-Key", WEBSOCKET_KEYS, websocket_key),
    ("Sec-WebSocket-Version", WEBSOCKET_VERSIONS, visible_text),
    ("HTTP2-Settings", HTTP2_SETTINGS, http2_settings),
    ("Content-Length", CONTENT_LENGTHS, |u| {
        Ok(u32::arbitrary(u)?.to_string().into_bytes())
    }),
    ("Transfer-Encoding", TRANSFER_ENCODINGS, visible_text),
    ("Expect", EXPECTATIONS, visible_text),
    ("Host", HOST_VALUES, visible_text),
    ("Upgrade", MALFORMED_UPGRADES, visible_text_without_commas),
    (
        "Connection",
        MALFORMED_CONNECTIONS,
        visible_text_without_commas,
    ),
];

/// A field of [`LIST_FIELDS`], with up to [`MAX_LIST_ITEMS`] elements each placed with OWS,
/// empty elements and line breaks; of [`TEXT_FIELDS`]; or of any other name (without commas
/// when it names a list).
fn field(u: &mut Unstructured<'_>) -> Result<CaseField> {
    let index = u.choose_index(LIST_FIELDS.len() + TEXT_FIELDS.len() + 1)?;
    if let Some(&(name, kind, element)) = LIST_FIELDS.get(index) {
        let len = u.int_in_range(0..=MAX_LIST_ITEMS)?;
        let (items, arrangement) = placed(u, len, element)?;
        return Ok(CaseField::list(name, kind, items, arrangement));
    }
    let (name, table, generated) = match TEXT_FIELDS.get(index - LIST_FIELDS.len()) {
        Some(&(name, table, generated)) => (name.to_string(), table, generated),
        None => {
            let name = token_text(u)?;
            let is_list = LIST_FIELDS
                .iter()
                .any(|(list, ..)| name.eq_ignore_ascii_case(list));
            let value: Value = match is_list {
                true => visible_text_without_commas,
                false => visible_text,
            };
            return Ok(CaseField::text(&name, &value(u)?));
        }
    };
    let value = table_or(u, table, |t: &str| t.as_bytes().to_vec(), generated)?;
    Ok(CaseField::text(&name, &value))
}

/// A server: its preference, whether it requires an upgrade, and up to [`MAX_OFFERS`] offers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    /// The offers, in the server's order of preference.
    pub offers: Vec<RefItem>,
    /// The policy (with the default grammar and bounds).
    pub policy: Policy,
}

impl<'a> Arbitrary<'a> for Server {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let policy = Policy::new()
            .with_preference(preference(u)?)
            .with_require_upgrade(u.arbitrary()?);
        let offers = several(u, 0..=MAX_OFFERS, protocol)?;
        Ok(Server { offers, policy })
    }
}

impl<'a> Arbitrary<'a> for RequestCase {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let method = table_or(
            u,
            &["GET", "POST", "CONNECT", "OPTIONS"],
            String::from,
            token_text,
        )?;
        let version = *u.choose(&[Http11, Http10, Http2OrLater])?;
        let Server { offers, policy } = Server::arbitrary(u)?;
        // Most requests carry one valid Host (RFC 9112 section 3.2), so that the rules after
        // rule 1 are reached; the other fields may add a second or an invalid one.
        let mut fields = Vec::new();
        if u.ratio(7u8, 8u8)? {
            fields.push(CaseField::text("Host", u.choose(HOSTS)?.as_bytes()));
        }
        for _ in 0..u.int_in_range(0..=MAX_FIELDS)? {
            fields.push(field(u)?);
        }
        Ok(RequestCase {
            method,
            version,
            fields,
            offers,
            policy,
        })
    }
}

/// The input of the `negotiate` fuzz target: a request with its server, and the bits that flip
/// the case of its field names.
#[derive(Clone, Debug, PartialEq, Eq, Arbitrary)]
pub struct RequestInput {
    /// Bits that flip the ASCII case of the letters of field names.
    pub name_case: u64,
    /// The request and its server.
    pub case: RequestCase,
}

/// A `GET` over HTTP/1.1 with `Host` and `Connection` lists, the fields of `extra`, and
/// `upgrade` as the client's `Upgrade` list, each list laid out by an arrangement drawn from
/// `u`.
fn get(
    u: &mut Unstructured<'_>,
    upgrade: Vec<RefItem>,
    connection: &[&str],
    extra: &[(&str, &str)],
    offers: Vec<RefItem>,
    policy: Policy,
) -> Result<RequestCase> {
    let connection: Vec<RefItem> = connection.iter().map(|o| RefItem::from_text(o)).collect();
    let mut fields = vec![CaseField::text("Host", b"example.com")];
    for (name, kind, items) in [
        ("Upgrade", RefKind::Upgrade, upgrade),
        ("Connection", RefKind::Connection, connection),
    ] {
        let arrangement = arrangement(u, items.len())?;
        fields.push(CaseField::list(name, kind, items, arrangement));
    }
    fields.extend(extra.iter().map(|(n, v)| CaseField::text(n, v.as_bytes())));
    Ok(RequestCase {
        method: "GET".into(),
        version: Http11,
        fields,
        offers,
        policy,
    })
}

/// Protocols without a profile that meet often.
const GENERIC_PROTOCOLS: &[&str] = &["foo", "foo/2", "FOO/2", "Foo/3", "bar/1.0", "bar", "baz"];

/// A protocol of [`GENERIC_PROTOCOLS`], or any protocol without a profile.
fn generic_protocol(u: &mut Unstructured<'_>) -> Result<RefItem> {
    let mut item = table_or(u, GENERIC_PROTOCOLS, RefItem::from_text, lists::protocol)?;
    if profile(&item).is_some() {
        item.name.insert(0, b'x');
    }
    Ok(item)
}

/// A request that always reaches the choice among candidates (rule 9): a `GET` over HTTP/1.1
/// with `Connection: upgrade` and an `Upgrade` list of 1 to 5 protocols without a profile, sent
/// to a server offering 1 to 4 such protocols, with client preference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenericOrderCase(pub RequestCase);

impl<'a> Arbitrary<'a> for GenericOrderCase {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let client = several(u, 1..=5, generic_protocol)?;
        let offers = several(u, 1..=4, generic_protocol)?;
        get(u, client, &["upgrade"], &[], offers, Policy::new()).map(GenericOrderCase)
    }
}

/// A request built to switch: every handshake field valid, `Connection: Upgrade,
/// HTTP2-Settings`, and a protocol the server offers (last) listed by the client in upper case
/// among up to two others, with either preference and a body framed or not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SwitchingCase(pub RequestCase);

impl<'a> Arbitrary<'a> for SwitchingCase {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let target = protocol(u)?;
        let mut client = several(u, 0..=2, protocol)?;
        let mut offers = several(u, 0..=2, protocol)?;
        let asked = RefItem {
            name: target.name.to_ascii_uppercase(),
            version: target.version.clone(),
        };
        client.insert(u.int_in_range(0..=client.len())?, asked);
        offers.push(target);
        let mut extra = vec![
            ("Sec-WebSocket-Key", handshakes::WEBSOCKET_KEY),
            ("Sec-WebSocket-Version", "13"),
            ("HTTP2-Settings", handshakes::HTTP2_SETTINGS),
        ];
        extra.extend(match u.choose_index(3)? {
            0 => None,
            1 => Some(("Content-Length", "5")),
            _ => Some(("Transfer-Encoding", "chunked")),
        });
        let policy = Policy::new().with_preference(preference(u)?);
        let connection = ["Upgrade", "HTTP2-Settings"];
        get(u, client, &connection, &extra, offers, policy).map(SwitchingCase)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ref_is_tchar;

    #[test]
    fn generated_requests_have_token_names_and_offers_and_keys_and_settings_are_valid() {
        let seed: Vec<u8> = (0..16384u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
            .collect();
        let mut u = Unstructured::new(&seed);
        let inputs: Vec<RequestInput> =
            std::iter::from_fn(|| (!u.is_empty()).then(|| RequestInput::arbitrary(&mut u).ok())?)
                .collect();
        assert!(inputs.len() > 10, "{}", inputs.len());
        for RequestInput { case, .. } in &inputs {
            let names = case.fields.iter().map(|f| f.name.as_bytes());
            let offers = case.offers.iter().map(|o| o.name.as_slice());
            for token in names.chain(offers).chain([case.method.as_bytes()]) {
                assert!(!token.is_empty() && token.iter().all(|&b| ref_is_tchar(b)));
            }
        }
        let key = websocket_key(&mut Unstructured::new(&[7u8; 64])).unwrap();
        assert!(upgrade_negotiate::is_websocket_key(&key));
        let settings = http2_settings(&mut Unstructured::new(&[0u8; 64])).unwrap();
        assert!(upgrade_negotiate::is_http2_settings(&settings));
    }
}
