//! The reference parser on fixed vectors, one row per case: the list, its field lines, the
//! configuration, and the items read or the first error with its line and offset.

use upgrade_grammar::{Config, ErrorKind, ErrorKind::*};
use upgrade_testkit::reference::RefKind::{Connection as C, Upgrade as U};
use upgrade_testkit::reference::{RefItem, RefKind, reference_parse};

const S: Config = Config::SENDER;
const R: Config = Config::RECIPIENT;

/// Items as `name[/version]` separated by spaces, or the first error.
type Expected = Result<&'static str, (ErrorKind, usize, usize)>;

fn items(text: &str) -> Vec<RefItem> {
    text.split_whitespace().map(RefItem::from_text).collect()
}

#[test]
fn parses_vectors() {
    let rfc = Ok("HTTP/2.0 SHTTP/1.3 IRC/6.9 RTA/x11");
    let all = "!#$%&'*+-.^_`|~09AZaz/!#$%&'*+-.^_`|~09AZaz";
    let (r2, e2) = (R.with_max_elements(2), R.with_max_empty_elements(2));
    let rows: &[(RefKind, &[&str], Config, Expected)] = &[
        (U, &["HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11"], S, rfc),
        (U, &["HTTP/2.0, SHTTP/1.3", "IRC/6.9, RTA/x11"], S, rfc),
        (U, &["foo , ,bar,charlie"], R, Ok("foo bar charlie")),
        (U, &["foo , ,bar,charlie"], S, Err((ElementEmpty, 0, 6))),
        (C, &["foo , ,bar,charlie"], R, Ok("foo bar charlie")),
        (C, &["foo , ,bar,charlie"], S, Err((ElementEmpty, 0, 6))),
        (U, &["websocket;q=1"], R, Err((ByteInvalid, 0, 9))),
        (U, &["a/b/c"], R, Err((ProtocolSlashRepeated, 0, 3))),
        (U, &["foo/"], R, Err((ProtocolVersionMissing, 0, 4))),
        (U, &["foo/ 1"], R, Err((ProtocolVersionMissing, 0, 4))),
        (U, &["foo/\"1\""], R, Err((ByteInvalid, 0, 4))),
        (U, &["/1"], R, Err((ProtocolNameMissing, 0, 0))),
        (U, &[" , /1"], R, Err((ProtocolNameMissing, 0, 3))),
        (U, &["foo bar"], R, Err((CommaMissing, 0, 4))),
        (U, &["foo /1"], R, Err((CommaMissing, 0, 4))),
        (C, &["foo bar"], R, Err((CommaMissing, 0, 4))),
        (C, &["a/b"], R, Err((ByteInvalid, 0, 1))),
        (C, &["/b"], R, Err((ByteInvalid, 0, 0))),
        (U, &["a,"], S, Err((ElementEmpty, 0, 2))),
        (U, &["a, \t"], S, Err((ElementEmpty, 0, 4))),
        (U, &["a,"], R, Ok("a")),
        (U, &["", " \t ", "a"], S, Ok("a")),
        (U, &[], S, Ok("")),
        (U, &["a", "b c"], R, Err((CommaMissing, 1, 2))),
        (U, &["a", "\"b\""], R, Err((ByteInvalid, 1, 0))),
        (U, &["a\r\n"], R, Err((ByteInvalid, 0, 1))),
        (U, &["caf\u{e9}"], R, Err((ByteInvalid, 0, 3))),
        (U, &["a, b", "c"], r2, Err((ElementsTooMany, 1, 0))),
        (U, &[",", " , x"], e2, Err((EmptyElementsTooMany, 1, 1))),
        (U, &[",", "x"], e2, Ok("x")),
        (U, &[all], S, Ok(all)),
    ];
    for (kind, lines, config, expected) in rows {
        let lines: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        let outcome = reference_parse(*kind, &lines, *config);
        match expected {
            Ok(text) => assert_eq!(
                (outcome.items, outcome.error),
                (items(text), None),
                "{lines:?}"
            ),
            Err(error) => assert_eq!(outcome.error, Some(*error), "{lines:?}"),
        }
    }
}

#[test]
fn keeps_items_read_before_the_first_error() {
    let outcome = reference_parse(U, &[b"a, b/1, c d, e"], R);
    assert_eq!(outcome.items, items("a b/1"));
    assert_eq!(outcome.error, Some((CommaMissing, 0, 10)));
}
