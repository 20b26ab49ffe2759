//! Every check fails on what it is for, with a message that names its property and escapes the
//! input; and the raw inputs that the corpora leave out pass the checks of their targets.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::panic::{UnwindSafe, catch_unwind};

use upgrade_grammar::{Config, ErrorKind, Protocol};
use upgrade_negotiate::{Decision, HttpVersion, Policy, Preference};
use upgrade_testkit::lists::checks::{
    check_differential, check_error, check_lines, check_rendered, check_round_trip, escape_lines,
    fast_outcome, split_lines,
};
use upgrade_testkit::lists::render::Rendered;
use upgrade_testkit::reference::{RefItem, RefKind};
use upgrade_testkit::requests::case::Exchange;
use upgrade_testkit::requests::checks::{
    check_no_switch_without_upgrade_option, check_preference_order, check_reason_holds,
    check_same_decision, check_switch_names_a_listed_offer, describe,
};
use upgrade_testkit::targets;

const U: RefKind = RefKind::Upgrade;
const R: Config = Config::RECIPIENT;

/// A GET with `Host: a` and then `lines` (`name: value`, one a line), to a server offering
/// `offers` (separated by spaces).
fn exchange<'a>(lines: &'a str, offers: &'a str) -> Exchange<'a> {
    let line = |line: &'a str| {
        line.split_once(": ")
            .map(|(n, v)| (n, v.as_bytes()))
            .unwrap()
    };
    Exchange {
        method: b"GET",
        version: HttpVersion::Http11,
        // `Host: a` first, unless the lines hold a `Host: ` of their own.
        lines: (!lines.contains("Host: "))
            .then_some("Host: a")
            .into_iter()
            .chain(lines.lines())
            .map(line)
            .collect(),
        offers: offers
            .split_whitespace()
            .map(|o| Protocol::parse(o.as_bytes()).unwrap())
            .collect(),
        policy: Policy::new(),
    }
}

/// One line that lists `items` (`name[/version]` separated by spaces) with `empty_elements`.
fn rendered(line: &str, items: &str, empty_elements: usize) -> Rendered {
    let items = items.split_whitespace().map(RefItem::from_text).collect();
    let lines = vec![line.as_bytes().to_vec()];
    Rendered {
        kind: U,
        lines,
        items,
        empty_elements,
    }
}

/// Runs `check`, which must panic with a message that contains `expected`.
fn fails(expected: &str, check: impl FnOnce() + UnwindSafe) {
    let panic = catch_unwind(check).expect_err(expected);
    let message = (panic.downcast_ref::<String>().map(String::as_str))
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    assert!(
        message.contains(expected),
        "{expected:?} not in {message:?}"
    );
}

#[test]
fn list_checks_fail_on_what_they_are_for() {
    let disagree = "upgrade-grammar disagrees with the reference parser";
    fails(disagree, || {
        check_differential(U, &[b"a, b"], R, &fast_outcome(U, &[b"a"], R))
    });
    let first_error = "validate() and the iterator disagree";
    fails(first_error, || {
        check_error(U, &[b"a b"], R, &fast_outcome(U, &[b"a"], R))
    });
    fails("not a token", || {
        check_round_trip(U, &[RefItem::new(b"a b", None)])
    });
    let not_exactly = "the recipient grammar does not read exactly the rendered items";
    fails(not_exactly, || check_rendered(&rendered("a, b", "a", 0)));
    fails(not_exactly, || {
        check_rendered(&rendered("a, , b", "a b", 0))
    });
    check_rendered(&rendered("a, , b/1", "a b/1", 1));
}

#[test]
fn fast_outcome_keeps_items_before_the_error_and_messages_escape_the_input() {
    let outcome = fast_outcome(U, &[b"a, b/1", b"c d"], R);
    assert_eq!(outcome.items, ["a", "b/1"].map(RefItem::from_text));
    assert_eq!(outcome.error, Some((ErrorKind::CommaMissing, 1, 2)));
    let escaped = escape_lines(&[&b"a\r\n\xff"[..], b"\""]);
    assert_eq!(escaped, r#"[b"a\r\n\xff", b"\""]"#);
    let mut a = exchange("", "foo");
    a.lines.push(("Upgrade", b"\xff\r\n"));
    let text = describe(&a, &a.negotiate());
    assert!(
        text.contains(r"Upgrade: \xff\r\n") && text.contains("offers:   [foo]"),
        "{text}"
    );
}

#[test]
fn negotiation_checks_fail_on_what_they_are_for() {
    type Check = fn(&Exchange<'_>, &Decision<'_>);
    let foo = "Upgrade: foo\nConnection: upgrade";
    // A request, the check, and another request that does not bear out the first's decision.
    let rows: [(&str, Check, &str, &str); 5] = [
        (
            foo,
            check_switch_names_a_listed_offer,
            "Upgrade: bar\nConnection: upgrade",
            "a switch names a protocol that the client listed",
        ),
        (
            foo,
            check_no_switch_without_upgrade_option,
            "Upgrade: foo\nProxy-Connection: upgrade",
            "a missing `upgrade` option in Connection never switch",
        ),
        (
            foo,
            check_reason_holds,
            "Upgrade: foo\nConnection: upgrade\nhost: b",
            r#"Host lines ["a", "b"], reason switched"#,
        ),
        (
            foo,
            check_reason_holds,
            "Host: [1::2::3]\nUpgrade: foo\nConnection: upgrade",
            r#"Host lines ["[1::2::3]"], reason switched"#,
        ),
        (
            "Upgrade: foo\nConnection: close",
            check_reason_holds,
            "Upgrade: foo\nConnection: close, UPGRADE",
            "the reason of a decision is true of the request",
        ),
    ];
    for (decided, check, shown, expected) in rows {
        let decided = exchange(decided, "foo");
        let decision = decided.negotiate();
        check(&decided, &decision);
        fails(expected, || check(&exchange(shown, "foo"), &decision));
    }
    let by_client = exchange("Upgrade: b, a\nConnection: upgrade", "a b");
    let decision = by_client.negotiate();
    assert_eq!(decision.protocol_index(), Some(1));
    let by_server = by_client.with_policy(Policy::new().with_preference(Preference::Server));
    let order = "server order under server preference";
    fails(order, || check_preference_order(&by_server, &decision));
    let (a, b) = (exchange(foo, "foo"), exchange("Upgrade: foo", "foo"));
    let invariant = "header-name case never changes the decision";
    fails(invariant, || {
        check_same_decision(invariant, (&a, &a.negotiate()), (&b, &b.negotiate()))
    });
}

#[test]
fn raw_inputs_outside_the_corpora_pass_the_checks_of_their_targets() {
    // Requests with nothing at all, without Host, and in HTTP/1.0 without Host.
    targets::negotiate_raw(b"");
    targets::negotiate_raw(b"GET / HTTP/1.1\r\nUpgrade: foo/2\r\n\r\n");
    targets::negotiate_raw(b"GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: foo/2\r\n\r\n");
    // No request; a request without a response; a parameter in an advertisement; a bad status.
    targets::response(b"");
    let request = "GET /chat HTTP/1.1\r\nHost: a\r\nUpgrade: websocket, foo/2\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
    for response in [
        "",
        "HTTP/1.1 200 OK\r\nUpgrade: h2c;q=1\r\n\r\n",
        "HTTP/1.1 1o1 X\r\n\r\n",
    ] {
        targets::response(format!("{request}{response}").as_bytes());
    }
    // The corpora hold lists under the default bounds only.
    for data in [&b"a, b, c\n,,,"[..], b"\xc2\xa0websocket", b"a/b/c\nfoo/"] {
        check_lines(U, &split_lines(data), 2, 1);
        check_lines(RefKind::Connection, &split_lines(data), 2, 1);
    }
}
