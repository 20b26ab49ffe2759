//! Negotiation invariants over generated requests: what a switch may name, what never switches,
//! what never changes a decision, whose order wins, that the server's 101s satisfy the client
//! check, and that arbitrary field lines never panic. Lists are laid out by the shared renderer
//! of `upgrade-testkit`; the case count comes from `PROPTEST_CASES`.

// Test helpers unwrap and index what the strategies give them; a panic is a failed test.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;
use upgrade_grammar::{Config, Protocol};
use upgrade_negotiate::{
    BodyFraming, Decision, HttpVersion, Outcome, Policy, Preference, Reason, Request, Response,
    check_response_with_config, hop_by_hop, negotiate, parse_request, parse_response,
};
use upgrade_testkit::reference::{RefItem, RefKind};
use upgrade_testkit::render::{Arrangement, arrange};
use upgrade_testkit::strategies::{self, Noise, arrangement, proptest_config};

const REGRESSIONS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/proptest-regressions/properties.txt"
);

const KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const SETTINGS: &str = "AAMAAABkAARAAAAAAAIAAAAA";

/// A request and the server it is sent to, before its lists are laid out as field lines.
#[derive(Clone, Debug)]
struct Model {
    method: &'static str,
    version: HttpVersion,
    upgrade: Option<Vec<RefItem>>,
    connection: Option<Vec<RefItem>>,
    extra: Vec<(&'static str, &'static str)>,
    offers: Vec<RefItem>,
    policy: Policy,
}

fn item(text: &str) -> RefItem {
    match text.split_once('/') {
        Some((name, version)) => RefItem::new(name.as_bytes(), Some(version.as_bytes())),
        None => RefItem::new(text.as_bytes(), None),
    }
}

fn text(item: &RefItem) -> String {
    let mut out = String::from_utf8(item.name.clone()).unwrap();
    if let Some(version) = &item.version {
        out.push('/');
        out.push_str(std::str::from_utf8(version).unwrap());
    }
    out
}

/// RFC 9110 section 7.8 equality, written independently of the crate: names ignoring ASCII
/// case, versions exactly.
fn same_protocol(a: &RefItem, b: &RefItem) -> bool {
    a.name.eq_ignore_ascii_case(&b.name) && a.version == b.version
}

fn has_profile(item: &RefItem) -> bool {
    item.name.eq_ignore_ascii_case(b"websocket") || item.name.eq_ignore_ascii_case(b"h2c")
}

/// Protocols biased towards names that meet: the profiled ones, a few generic ones in several
/// spellings, and any protocol over the whole `tchar` set.
fn protocol() -> impl Strategy<Value = RefItem> {
    prop_oneof![
        6 => select(vec!["websocket", "WebSocket", "h2c", "foo", "foo/2", "FOO/2", "bar/1.0"])
            .prop_map(item),
        1 => strategies::protocol(),
    ]
}

fn generic_protocol() -> impl Strategy<Value = RefItem> {
    prop_oneof![
        3 => select(vec!["foo", "foo/2", "FOO/2", "Foo/3", "bar/1.0", "bar", "baz"]).prop_map(item),
        1 => strategies::protocol(),
    ]
    .prop_filter("no profile", |p| !has_profile(p))
}

fn connection_option() -> impl Strategy<Value = RefItem> {
    prop_oneof![
        3 => select(vec!["upgrade", "Upgrade", "keep-alive", "HTTP2-Settings", "close"])
            .prop_map(item),
        1 => strategies::connection_option(),
    ]
}

/// The other fields a negotiation reads: websocket and h2c handshakes (mostly valid, so that
/// profiles pass often), body framing (mostly valid), `Expect`.
fn extra() -> impl Strategy<Value = Vec<(&'static str, &'static str)>> {
    type Lines = Vec<(&'static str, &'static str)>;
    let key: BoxedStrategy<Lines> = prop_oneof![
        1 => Just(vec![]),
        6 => Just(vec![("Sec-WebSocket-Key", KEY)]),
        1 => Just(vec![("Sec-WebSocket-Key", "c2hvcnQ=")]),
        1 => Just(vec![("Sec-WebSocket-Key", KEY), ("Sec-WebSocket-Key", KEY)]),
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
        5 => Just(vec![("HTTP2-Settings", SETTINGS)]),
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

/// A `Connection` list that usually holds `upgrade` (in some spelling) and often
/// `HTTP2-Settings`, among other options.
fn connection_list() -> impl Strategy<Value = Vec<RefItem>> {
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

fn policy() -> impl Strategy<Value = Policy> {
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

fn model() -> impl Strategy<Value = Model> {
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
        extra(),
        prop_oneof![1 => vec(protocol(), 0..1), 5 => vec(protocol(), 1..5)],
        policy(),
    )
        .prop_map(
            |(method, version, upgrade, connection, extra, offers, policy)| Model {
                method,
                version,
                upgrade,
                connection,
                extra,
                offers,
                policy,
            },
        )
}

/// A model with its two lists, each with an arrangement under `noise`.
fn arranged(noise: Noise) -> impl Strategy<Value = (Model, Arrangement, Arrangement)> {
    model().prop_flat_map(move |model| {
        let upgrade = model.upgrade.as_ref().map_or(0, Vec::len);
        let connection = model.connection.as_ref().map_or(0, Vec::len);
        (
            Just(model),
            arrangement(upgrade, noise),
            arrangement(connection, noise),
        )
    })
}

/// How the field lines of a model are written.
#[derive(Clone, Debug, Default)]
struct Writing {
    upgrade: Arrangement,
    connection: Arrangement,
    /// Bits that flip the ASCII case of the letters of field names.
    name_case: u64,
}

fn list_lines(kind: RefKind, items: &[RefItem], arrangement: &Arrangement) -> Vec<Vec<u8>> {
    let mut lines = arrange(kind, items, arrangement).render().lines;
    // A field that is present has at least one line, even for an empty list.
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    lines
}

fn flip_case(name: &str, bits: u64, salt: usize) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if bits.rotate_left(((i + salt * 7) % 64) as u32) & 1 == 1 {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

fn field_lines(model: &Model, writing: &Writing) -> Vec<(String, Vec<u8>)> {
    let mut lines: Vec<(&str, Vec<u8>)> = vec![("Host", b"example.com".to_vec())];
    if let Some(upgrade) = &model.upgrade {
        for line in list_lines(RefKind::Upgrade, upgrade, &writing.upgrade) {
            lines.push(("Upgrade", line));
        }
    }
    if let Some(connection) = &model.connection {
        for line in list_lines(RefKind::Connection, connection, &writing.connection) {
            lines.push(("Connection", line));
        }
    }
    for (name, value) in &model.extra {
        lines.push((name, value.as_bytes().to_vec()));
    }
    lines
        .into_iter()
        .enumerate()
        .map(|(i, (name, value))| (flip_case(name, writing.name_case, i), value))
        .collect()
}

fn protocols(items: &[RefItem]) -> Vec<Protocol<'_>> {
    items
        .iter()
        .map(|o| Protocol::new(token(&o.name), o.version.as_deref().map(token)))
        .collect()
}

fn token(bytes: &[u8]) -> upgrade_grammar::Token<'_> {
    upgrade_grammar::Token::new(bytes).unwrap()
}

fn pairs(lines: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    lines
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_slice()))
        .collect()
}

fn head(decision: &Decision<'_>) -> String {
    let mut out = String::new();
    decision.write_response(&mut out).unwrap();
    out
}

/// Everything a decision tells the caller, except where a grammar error sits (which depends on
/// the layout by design).
type Summary = (
    Outcome,
    Reason,
    Option<usize>,
    Option<BodyFraming>,
    bool,
    Option<String>,
    String,
);

fn summary(decision: &Decision<'_>) -> Summary {
    (
        decision.outcome(),
        decision.reason(),
        decision.protocol_index(),
        decision.request_body(),
        decision.interim_continue(),
        decision.websocket_accept().map(|a| a.to_string()),
        head(decision),
    )
}

fn decide(model: &Model, writing: &Writing) -> Summary {
    let lines = field_lines(model, writing);
    let pairs = pairs(&lines);
    let offers = protocols(&model.offers);
    let request = Request::new(model.method, model.version, pairs.as_slice());
    summary(&negotiate(&request, &offers, &model.policy))
}

/// Checks a response head the server wrote against the request, through httparse.
fn client_verdict(
    request: &Request<'_, [(&str, &[u8])]>,
    head: &str,
    config: Config,
) -> (u16, bool, bool, Vec<String>) {
    let mut headers = [httparse::EMPTY_HEADER; 8];
    let parsed = parse_response(head.as_bytes(), &mut headers).unwrap();
    assert_eq!(parsed.head_len(), head.len());
    let check = check_response_with_config(request, &parsed.response(), config);
    let protocols = check.protocols().map(|p| p.to_string()).collect();
    (parsed.status(), check.valid(), check.switched(), protocols)
}

proptest! {
    #![proptest_config(proptest_config(REGRESSIONS))]

    #[test]
    fn a_switch_names_a_protocol_the_client_listed_and_the_server_offered(
        (model, upgrade, connection) in arranged(Noise::ALL),
        name_case in any::<u64>(),
    ) {
        let writing = Writing { upgrade, connection, name_case };
        let lines = field_lines(&model, &writing);
        let pairs = pairs(&lines);
        let offers = protocols(&model.offers);
        let request = Request::new(model.method, model.version, pairs.as_slice());
        let decision = negotiate(&request, &offers, &model.policy);
        if decision.outcome() == Outcome::Switch {
            let index = decision.protocol_index().unwrap();
            let offered = &model.offers[index];
            prop_assert_eq!(decision.protocol().unwrap().to_string(), text(offered));
            let listed = model.upgrade.as_deref().unwrap_or_default();
            prop_assert!(listed.iter().any(|asked| same_protocol(asked, offered)));
            prop_assert_eq!(decision.reason(), Reason::Switched);
        }
    }

    #[test]
    fn http10_and_a_missing_upgrade_option_never_switch(
        (model, upgrade, connection) in arranged(Noise::ALL),
    ) {
        let writing = Writing { upgrade, connection, name_case: 0 };
        let upgrade_option = model
            .connection
            .as_deref()
            .unwrap_or_default()
            .iter()
            .any(|o| o.name.eq_ignore_ascii_case(b"upgrade"));
        let (outcome, ..) = decide(&model, &writing);
        if model.version == HttpVersion::Http10 || !upgrade_option {
            prop_assert_ne!(outcome, Outcome::Switch);
        }
    }

    #[test]
    fn header_name_case_never_changes_the_decision(model in model(), name_case in any::<u64>()) {
        let plain = decide(&model, &Writing::default());
        let cased = decide(&model, &Writing { name_case, ..Writing::default() });
        prop_assert_eq!(plain, cased);
    }

    #[test]
    fn splitting_lists_over_field_lines_never_changes_the_decision(
        (model, upgrade, connection) in arranged(Noise::SENDER),
    ) {
        let plain = decide(&model, &Writing::default());
        let split = decide(&model, &Writing { upgrade, connection, name_case: 0 });
        prop_assert_eq!(plain, split);
    }

    #[test]
    fn adding_empty_elements_never_changes_the_decision(
        (model, upgrade, connection) in arranged(Noise::ALL),
    ) {
        let plain = decide(&model, &Writing::default());
        let noisy = decide(&model, &Writing { upgrade, connection, name_case: 0 });
        prop_assert_eq!(plain, noisy);
    }

    #[test]
    fn client_order_wins_under_client_preference_and_server_order_under_server_preference(
        client in vec(generic_protocol(), 1..6),
        offered in vec(generic_protocol(), 1..5),
    ) {
        let model = Model {
            method: "GET",
            version: HttpVersion::Http11,
            upgrade: Some(client.clone()),
            connection: Some(vec![item("upgrade")]),
            extra: vec![],
            offers: offered.clone(),
            policy: Policy::new(),
        };
        let by_client = client
            .iter()
            .find_map(|asked| offered.iter().position(|o| same_protocol(o, asked)));
        let by_server = offered
            .iter()
            .position(|o| client.iter().any(|asked| same_protocol(o, asked)));
        let (_, _, index, ..) = decide(&model, &Writing::default());
        prop_assert_eq!(index, by_client);
        let server = Model {
            policy: Policy::new().with_preference(Preference::Server),
            ..model
        };
        let (_, _, index, ..) = decide(&server, &Writing::default());
        prop_assert_eq!(index, by_server);
    }

    #[test]
    fn every_101_the_server_builds_passes_the_client_check(
        target in protocol(),
        client in vec(protocol(), 0..3),
        offered in vec(protocol(), 0..3),
        position in any::<prop::sample::Index>(),
        framing in select(vec![vec![], vec![("Content-Length", "5")], vec![("Transfer-Encoding", "chunked")]]),
        preference in prop_oneof![Just(Preference::Client), Just(Preference::Server)],
    ) {
        let mut client = client;
        let asked = RefItem {
            name: target.name.to_ascii_uppercase(),
            version: target.version.clone(),
        };
        client.insert(position.index(client.len() + 1), asked);
        let mut offered = offered;
        offered.push(target);
        let mut extra = vec![
            ("Sec-WebSocket-Key", KEY),
            ("Sec-WebSocket-Version", "13"),
            ("HTTP2-Settings", SETTINGS),
        ];
        extra.extend(framing);
        let model = Model {
            method: "GET",
            version: HttpVersion::Http11,
            upgrade: Some(client),
            connection: Some(vec![item("Upgrade"), item("HTTP2-Settings")]),
            extra,
            offers: offered,
            policy: Policy::new().with_preference(preference),
        };
        let lines = field_lines(&model, &Writing::default());
        let pairs = pairs(&lines);
        let offers = protocols(&model.offers);
        let request = Request::new(model.method, model.version, pairs.as_slice());
        let decision = negotiate(&request, &offers, &model.policy);
        prop_assert_eq!(decision.outcome(), Outcome::Switch);
        let (status, valid, switched, protocols) =
            client_verdict(&request, &head(&decision), model.policy.config());
        prop_assert_eq!(status, 101);
        prop_assert!(valid && switched);
        prop_assert_eq!(protocols, vec![decision.protocol().unwrap().to_string()]);
    }

    #[test]
    fn arbitrary_field_lines_never_panic_and_every_response_head_is_sound(
        method in prop_oneof![
            3 => select(vec!["GET", "POST", "CONNECT"]).prop_map(String::from),
            1 => "[ -~]{0,6}",
        ],
        version in prop_oneof![
            Just(HttpVersion::Http10),
            Just(HttpVersion::Http11),
            Just(HttpVersion::Http2OrLater),
        ],
        lines in vec(
            (
                prop_oneof![
                    4 => select(vec![
                        "Upgrade", "Connection", "Content-Length", "Transfer-Encoding", "Expect",
                        "Sec-WebSocket-Key", "Sec-WebSocket-Version", "HTTP2-Settings",
                        "Proxy-Connection", "Sec-WebSocket-Accept",
                    ]).prop_map(String::from),
                    1 => "[!-~]{1,8}",
                ],
                vec(
                    prop_oneof![
                        2 => any::<u8>(),
                        3 => select(b" \t,/;=\"\\abc0123456789upgradewebsocketh2cAAMA+_-".to_vec()),
                    ],
                    0..32,
                ),
            ),
            0..10,
        ),
        offered in vec(protocol(), 0..4),
        policy in policy(),
        max_elements in 0usize..6,
        status in select(vec![101u16, 426, 200, 400]),
    ) {
        let config = Config::RECIPIENT.with_max_elements(max_elements);
        let policy = policy.with_config(config);
        let pairs = pairs(&lines);
        let offers = protocols(&offered);
        let request = Request::new(method.as_str(), version, pairs.as_slice());
        let decision = negotiate(&request, &offers, &policy);
        let written = head(&decision);
        if decision.outcome() == Outcome::Continue {
            prop_assert_eq!(written, "");
        } else {
            // The client reads with its own bounds, not the server's.
            let (written_status, valid, switched, _) =
                client_verdict(&request, &written, Config::RECIPIENT);
            prop_assert_eq!(Some(written_status), decision.status());
            prop_assert!(valid, "{}", written);
            prop_assert_eq!(switched, decision.outcome() == Outcome::Switch);
        }
        // The same lines as a response, and as what a proxy forwards.
        let response = Response::new(status, version, pairs.as_slice());
        let check = check_response_with_config(&request, &response, config);
        let _ = (check.valid(), check.protocols().count(), format!("{check:?}"));
        if let Ok(hop) = hop_by_hop(pairs.as_slice()) {
            let _ = (hop.names().count(), hop.is_hop_by_hop("Upgrade"));
        }
    }

    #[test]
    fn arbitrary_request_bytes_never_panic(
        bytes in prop_oneof![
            vec(any::<u8>(), 0..128),
            vec(
                ("[A-Za-z-]{1,12}", vec(any::<u8>(), 0..24)),
                0..8,
            )
            .prop_map(|lines| {
                let mut out = b"GET / HTTP/1.1\r\n".to_vec();
                for (name, value) in lines {
                    out.extend_from_slice(name.as_bytes());
                    out.extend_from_slice(b": ");
                    out.extend_from_slice(&value);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"\r\n");
                out
            }),
        ],
    ) {
        let offers = [
            Protocol::parse(b"websocket").unwrap(),
            Protocol::parse(b"h2c").unwrap(),
        ];
        let mut headers = [httparse::EMPTY_HEADER; 16];
        let decision = match parse_request(&bytes, &mut headers) {
            Ok(parsed) => {
                prop_assert!(parsed.head_len() <= bytes.len());
                negotiate(&parsed.request(), &offers, &Policy::default())
            }
            Err(_) => Decision::request_malformed(),
        };
        let _ = head(&decision);
    }
}
