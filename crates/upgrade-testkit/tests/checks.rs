//! Every check fails on what it is for, with a message that names its property and escapes the
//! input; and the raw inputs that the corpora leave out pass the checks of their targets.
#![allow(clippy::expect_used)]

use std::panic::{UnwindSafe, catch_unwind};

use upgrade_grammar::{Config, ErrorKind};
use upgrade_testkit::lists::checks::{
    check_differential, check_error, check_lines, check_rendered, check_round_trip, escape_lines,
    fast_outcome, split_lines,
};
use upgrade_testkit::lists::render::Rendered;
use upgrade_testkit::reference::{RefItem, RefKind};

const U: RefKind = RefKind::Upgrade;
const R: Config = Config::RECIPIENT;

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
}

#[test]
fn raw_inputs_outside_the_corpora_pass_the_checks_of_their_targets() {
    // The corpora hold lists under the default bounds only.
    for data in [&b"a, b, c\n,,,"[..], b"\xc2\xa0websocket", b"a/b/c\nfoo/"] {
        for kind in [U, RefKind::Connection] {
            check_lines(kind, &split_lines(data), 2, 1);
        }
    }
}
