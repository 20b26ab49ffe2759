//! Proptest strategies for negotiation: requests and the servers they are sent to, as
//! [`RequestCase`]s whose lists are laid out by [`arrangement`] under a
//! chosen [`Noise`].

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use upgrade_negotiate::{HttpVersion, Policy, Preference};

use super::{Noise, arrangement};
use crate::handshakes::{HTTP2_SETTINGS, WEBSOCKET_KEY};
use crate::reference::{RefItem, RefKind};
use crate::render::Arrangement;
use crate::request::{CaseField, RequestCase, item};

/// Whether `item` names a protocol with a profile (`websocket` or `h2c`).
pub fn has_profile(item: &RefItem) -> bool {
    item.name.eq_ignore_ascii_case(b"websocket") || item.name.eq_ignore_ascii_case(b"h2c")
}

/// Protocols biased towards names that meet: the profiled ones, a few generic ones in several
/// spellings, and any protocol over the whole `tchar` set.
pub fn protocol() -> impl Strategy<Value = RefItem> {
    prop_oneof![
        6 => select(vec!["websocket", "WebSocket", "h2c", "foo", "foo/2", "FOO/2", "bar/1.0"])
            .prop_map(item),
        1 => super::protocol(),
    ]
}

/// Protocols without a profile, biased towards names that meet.
pub fn generic_protocol() -> impl Strategy<Value = RefItem> {
    prop_oneof![
        3 => select(vec!["foo", "foo/2", "FOO/2", "Foo/3", "bar/1.0", "bar", "baz"]).prop_map(item),
        1 => super::protocol(),
    ]
    .prop_filter("no profile", |p| !has_profile(p))
}

/// Connection options biased towards `upgrade` and `HTTP2-Settings`.
pub fn connection_option() -> impl Strategy<Value = RefItem> {
    prop_oneof![
        3 => select(vec!["upgrade", "Upgrade", "keep-alive", "HTTP2-Settings", "close"])
            .prop_map(item),
        1 => super::connection_option(),
    ]
}

/// A `Connection` list that usually holds `upgrade` (in some spelling) and often
/// `HTTP2-Settings`, among other options.
pub fn connection_list() -> impl Strategy<Value = Vec<RefItem>> {
    (
        vec(connection_option(), 0..3),
        option::weighted(0.8, select(vec!["upgrade", "Upgrade", "UPGRADE"])),
        option::weighted(0.6, Just("HTTP2-Settings")),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(mut options, upgrade, settings, at)| {
            for option in [upgrade, settings].into_iter().flatten() {
                options.insert(at.index(options.len() + 1), item(option));
            }
            options
        })
}

type Lines = Vec<(&'static str, &'static str)>;

/// The other fields a negotiation reads: websocket and h2c handshakes (mostly valid, so that
/// profiles pass often), body framing (mostly valid), `Expect`.
pub fn handshake_fields() -> impl Strategy<Value = Lines> {
    let key: BoxedStrategy<Lines> = prop_oneof![
        1 => Just(vec![]),
        6 => Just(vec![("Sec-WebSocket-Key", WEBSOCKET_KEY)]),
        1 => Just(vec![("Sec-WebSocket-Key", "c2hvcnQ=")]),
        1 => Just(vec![("Sec-WebSocket-Key", WEBSOCKET_KEY), ("Sec-WebSocket-Key", WEBSOCKET_KEY)]),
    ]
    .boxed();
    let version: BoxedStrategy<Lines> = prop_oneof![
        1 => Just(vec![]),
        6 => Just(vec![("Sec-WebSocket-Version", "13")]),
        1 => Just(vec![("Sec-WebSocket-Version", "8")]),
    ]
    .boxed();
    let settings: BoxedStrategy<Lines> = prop_oneof![
        1 => Just(vec![]),
        5 => Just(vec![("HTTP2-Settings", HTTP2_SETTINGS)]),
        1 => Just(vec![("HTTP2-Settings", "")]),
        1 => Just(vec![("HTTP2-Settings", "AAMAAABk=")]),
    ]
    .boxed();
    let framing: BoxedStrategy<Lines> = prop_oneof![
        8 => Just(vec![]),
        2 => Just(vec![("Content-Length", "5")]),
        2 => Just(vec![("Transfer-Encoding", "chunked")]),
        1 => Just(vec![("Content-Length", "5"), ("Transfer-Encoding", "chunked")]),
        1 => Just(vec![("Content-Length", "5"), ("Content-Length", "6")]),
    ]
    .boxed();
    let expect: BoxedStrategy<Lines> =
        prop_oneof![3 => Just(vec![]), 1 => Just(vec![("Expect", "100-continue")])].boxed();
    (key, version, settings, framing, expect).prop_map(|(a, b, c, d, e)| [a, b, c, d, e].concat())
}

/// Either preference, with or without an upgrade required.
pub fn policy() -> impl Strategy<Value = Policy> {
    (
        prop_oneof![Just(Preference::Client), Just(Preference::Server)],
        any::<bool>(),
    )
        .prop_map(|(preference, require)| {
            Policy::new()
                .with_preference(preference)
                .with_require_upgrade(require)
        })
}

/// A request as fields: `Host`, then `Upgrade` and `Connection` when present (laid out by the
/// arrangements), then the `extra` fields.
fn fields(
    upgrade: Option<(Vec<RefItem>, Arrangement)>,
    connection: Option<(Vec<RefItem>, Arrangement)>,
    extra: &[(&str, &str)],
) -> Vec<CaseField> {
    let mut fields = vec![CaseField::text("Host", b"example.com")];
    if let Some((items, arrangement)) = upgrade {
        fields.push(CaseField::list(
            "Upgrade",
            RefKind::Upgrade,
            items,
            arrangement,
        ));
    }
    if let Some((items, arrangement)) = connection {
        fields.push(CaseField::list(
            "Connection",
            RefKind::Connection,
            items,
            arrangement,
        ));
    }
    fields.extend(
        extra
            .iter()
            .map(|(name, value)| CaseField::text(name, value.as_bytes())),
    );
    fields
}

/// A list, absent or present, with an arrangement of it under `noise`.
fn arranged(
    list: Option<Vec<RefItem>>,
    noise: Noise,
) -> BoxedStrategy<Option<(Vec<RefItem>, Arrangement)>> {
    match list {
        None => Just(None).boxed(),
        Some(items) => {
            let len = items.len();
            arrangement(len, noise)
                .prop_map(move |arrangement| Some((items.clone(), arrangement)))
                .boxed()
        }
    }
}

/// A request with its server: mostly `GET` over HTTP/1.1, an `Upgrade` list and a `Connection`
/// list that are usually present (laid out under `noise`), handshake and framing fields, up to
/// four offers and any [`policy`].
pub fn request_case(noise: Noise) -> impl Strategy<Value = RequestCase> {
    (
        prop_oneof![
            8 => Just("GET"),
            1 => Just("POST"),
            1 => Just("CONNECT"),
            1 => Just("connect"),
        ],
        prop_oneof![
            8 => Just(HttpVersion::Http11),
            1 => Just(HttpVersion::Http10),
            1 => Just(HttpVersion::Http2OrLater),
        ],
        option::weighted(
            0.9,
            prop_oneof![1 => vec(protocol(), 0..1), 6 => vec(protocol(), 1..5)],
        ),
        option::weighted(0.9, connection_list()),
        handshake_fields(),
        prop_oneof![1 => vec(protocol(), 0..1), 5 => vec(protocol(), 1..5)],
        policy(),
    )
        .prop_flat_map(
            move |(method, version, upgrade, connection, extra, offers, policy)| {
                (arranged(upgrade, noise), arranged(connection, noise)).prop_map(
                    move |(upgrade, connection)| RequestCase {
                        method: method.to_string(),
                        version,
                        fields: fields(upgrade, connection, &extra),
                        offers: offers.clone(),
                        policy,
                    },
                )
            },
        )
}

/// A `GET` over HTTP/1.1 with `Connection: upgrade` and an `Upgrade` list of 1 to 5 protocols
/// without a profile, sent to a server offering 1 to 4 such protocols, with client preference:
/// the request always reaches the choice among candidates.
pub fn generic_order_case() -> impl Strategy<Value = RequestCase> {
    (vec(generic_protocol(), 1..6), vec(generic_protocol(), 1..5)).prop_map(|(client, offers)| {
        RequestCase {
            method: "GET".into(),
            version: HttpVersion::Http11,
            fields: fields(
                Some((client, Arrangement::default())),
                Some((vec![item("upgrade")], Arrangement::default())),
                &[],
            ),
            offers,
            policy: Policy::new(),
        }
    })
}

/// A request built to switch: every handshake field valid, `Connection: Upgrade,
/// HTTP2-Settings`, and a protocol the server offers (last) listed by the client in upper case
/// among up to two others, with either preference and a body framed or not.
pub fn switching_case() -> impl Strategy<Value = RequestCase> {
    (
        protocol(),
        vec(protocol(), 0..3),
        vec(protocol(), 0..3),
        any::<prop::sample::Index>(),
        select(vec![
            vec![],
            vec![("Content-Length", "5")],
            vec![("Transfer-Encoding", "chunked")],
        ]),
        prop_oneof![Just(Preference::Client), Just(Preference::Server)],
    )
        .prop_map(
            |(target, mut client, mut offers, position, framing, preference)| {
                let asked = RefItem {
                    name: target.name.to_ascii_uppercase(),
                    version: target.version.clone(),
                };
                client.insert(position.index(client.len() + 1), asked);
                offers.push(target);
                let mut extra = vec![
                    ("Sec-WebSocket-Key", WEBSOCKET_KEY),
                    ("Sec-WebSocket-Version", "13"),
                    ("HTTP2-Settings", HTTP2_SETTINGS),
                ];
                extra.extend(framing);
                RequestCase {
                    method: "GET".into(),
                    version: HttpVersion::Http11,
                    fields: fields(
                        Some((client, Arrangement::default())),
                        Some((
                            vec![item("Upgrade"), item("HTTP2-Settings")],
                            Arrangement::default(),
                        )),
                        &extra,
                    ),
                    offers,
                    policy: Policy::new().with_preference(preference),
                }
            },
        )
}
