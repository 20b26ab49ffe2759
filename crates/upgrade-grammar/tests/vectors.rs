//! Table-driven vectors: RFC 9110 and MDN examples, every tchar and delimiter, the bytes that a
//! token may never hold, several field lines, and the bounds at N and N+1. Every error row
//! asserts its kind, line and offset.

// Test helpers index into the vectors they were given; a panic is a failed test.
#![allow(clippy::indexing_slicing)]

use upgrade_grammar::{Config, ErrorKind, Grammar, parse_connection, parse_upgrade};
use upgrade_testkit::lists::checks::position;

use ErrorKind::*;

#[derive(Clone, Copy, Debug)]
enum List {
    Upgrade,
    Connection,
}

/// What a row expects: the items (rendered `name[/version]`), or an error.
#[derive(Debug)]
enum Expect {
    Items(&'static [&'static str]),
    Error(ErrorKind, usize, usize),
}

use Expect::{Error as Err_, Items};

const U: List = List::Upgrade;
const C: List = List::Connection;
const S: Grammar = Grammar::Sender;
const R: Grammar = Grammar::Recipient;

struct Row {
    list: List,
    grammar: Grammar,
    lines: &'static [&'static [u8]],
    expect: Expect,
}

const fn row(list: List, grammar: Grammar, lines: &'static [&'static [u8]], expect: Expect) -> Row {
    Row {
        list,
        grammar,
        lines,
        expect,
    }
}

/// Parses `lines` and renders the outcome as items or an error triple.
fn outcome(
    list: List,
    config: Config,
    lines: &[&[u8]],
) -> Result<Vec<String>, (ErrorKind, usize, usize)> {
    let lines = lines.iter().copied();
    let result: Result<Vec<String>, upgrade_grammar::Error> = match list {
        List::Upgrade => parse_upgrade(lines, config)
            .map(|p| p.map(|p| p.to_string()))
            .collect(),
        List::Connection => parse_connection(lines, config)
            .map(|t| t.map(|t| t.to_string()))
            .collect(),
    };
    result.map_err(position)
}

fn check(rows: &[Row]) {
    for (i, r) in rows.iter().enumerate() {
        let got = outcome(r.list, Config::new(r.grammar), r.lines);
        let shown: Vec<String> = r
            .lines
            .iter()
            .map(|l| l.escape_ascii().to_string())
            .collect();
        match &r.expect {
            Items(items) => {
                assert_eq!(
                    got,
                    Ok(items.iter().map(|s| s.to_string()).collect()),
                    "row {i}: {:?} {:?} {shown:?}",
                    r.list,
                    r.grammar
                );
                check_prefixes(r.list, Config::new(r.grammar), r.lines);
            }
            Err_(kind, line, offset) => assert_eq!(
                got,
                Err((*kind, *line, *offset)),
                "row {i}: {:?} {:?} {shown:?}",
                r.list,
                r.grammar
            ),
        }
    }
}

/// Every prefix of a valid value is either valid or fails exactly where it was cut: no byte of
/// a valid value can be the offending one, so the only possible fault is the early end.
fn check_prefixes(list: List, config: Config, lines: &[&[u8]]) {
    for (j, line) in lines.iter().enumerate() {
        for cut in 0..line.len() {
            let mut prefix: Vec<&[u8]> = lines[..j].to_vec();
            prefix.push(&line[..cut]);
            if let Err((kind, at_line, offset)) = outcome(list, config, &prefix) {
                assert_eq!(
                    (at_line, offset),
                    (j, cut),
                    "{kind:?} in prefix {:?}",
                    line[..cut].escape_ascii().to_string()
                );
                assert!(
                    matches!(kind, ElementEmpty | ProtocolVersionMissing),
                    "{kind:?} in prefix {:?}",
                    line[..cut].escape_ascii().to_string()
                );
            }
        }
    }
}

#[test]
fn parses_rfc9110_examples() {
    check(&[
        // RFC 9110 section 7.8.
        row(
            U,
            S,
            &[b"HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11"],
            Items(&["HTTP/2.0", "SHTTP/1.3", "IRC/6.9", "RTA/x11"]),
        ),
        row(
            U,
            R,
            &[b"HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11"],
            Items(&["HTTP/2.0", "SHTTP/1.3", "IRC/6.9", "RTA/x11"]),
        ),
        // RFC 9110 section 5.6.1.2: recipients accept and skip empty elements.
        row(
            C,
            R,
            &[b"foo , ,bar,charlie"],
            Items(&["foo", "bar", "charlie"]),
        ),
        row(C, S, &[b"foo , ,bar,charlie"], Err_(ElementEmpty, 0, 6)),
        row(
            U,
            R,
            &[b"foo , ,bar,charlie"],
            Items(&["foo", "bar", "charlie"]),
        ),
        row(U, S, &[b"foo , ,bar,charlie"], Err_(ElementEmpty, 0, 6)),
        // RFC 9110 section 5.6.1.2's other recipient examples.
        row(C, R, &[b"foo,bar"], Items(&["foo", "bar"])),
        row(C, R, &[b"foo ,bar,"], Items(&["foo", "bar"])),
        row(
            C,
            R,
            &[b"foo , ,bar,charlie   "],
            Items(&["foo", "bar", "charlie"]),
        ),
        // ... and the values that contain no element at all.
        row(C, R, &[b""], Items(&[])),
        row(C, R, &[b","], Items(&[])),
        row(C, R, &[b",   ,"], Items(&[])),
        row(C, S, &[b","], Err_(ElementEmpty, 0, 0)),
        // RFC 9110 section 7.6.1 and 7.8 field examples.
        row(C, S, &[b"close"], Items(&["close"])),
        row(
            C,
            S,
            &[b"keep-alive, Upgrade"],
            Items(&["keep-alive", "Upgrade"]),
        ),
        row(U, S, &[b"websocket"], Items(&["websocket"])),
        row(U, S, &[b"h2c"], Items(&["h2c"])),
        // MDN's example.
        row(
            U,
            S,
            &[b"a_protocol/1, example, another_protocol/2.2"],
            Items(&["a_protocol/1", "example", "another_protocol/2.2"]),
        ),
    ]);
}

#[test]
fn accepts_every_tchar_in_names_versions_and_options() {
    let all: &[u8] =
        b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for &b in all {
        let one = [b];
        let protocol = [b, b'/', b];
        let one = String::from_utf8(one.to_vec()).unwrap();
        let protocol = String::from_utf8(protocol.to_vec()).unwrap();
        for grammar in [S, R] {
            assert_eq!(
                outcome(U, Config::new(grammar), &[protocol.as_bytes()]),
                Ok(vec![protocol.clone()])
            );
            assert_eq!(
                outcome(C, Config::new(grammar), &[one.as_bytes()]),
                Ok(vec![one.clone()])
            );
        }
    }
    let whole = String::from_utf8(all.to_vec()).unwrap();
    let both = format!("{whole}/{whole}");
    assert_eq!(
        outcome(U, Config::SENDER, &[both.as_bytes()]),
        Ok(vec![both.clone()])
    );
}

#[test]
fn rejects_each_delimiter_that_is_not_a_list_separator() {
    // RFC 9110 5.6.2 delimiters: DQUOTE and "(),/:;<=>?@[\]{}". Only `,` separates elements and
    // only `/` (in Upgrade) separates name and version; every other one is never valid.
    for &d in b"\"():;<=>?@[\\]{}" {
        let line = [b'a', d, b'b'];
        for list in [U, C] {
            for grammar in [S, R] {
                assert_eq!(
                    outcome(list, Config::new(grammar), &[&line]),
                    Err((ByteInvalid, 0, 1)),
                    "delimiter {:?} in {list:?}",
                    d as char
                );
            }
        }
    }
    // `/` is a byte a Connection option never holds.
    assert_eq!(
        outcome(C, Config::RECIPIENT, &[b"a/b"]),
        Err((ByteInvalid, 0, 1))
    );
}

#[test]
fn rejects_ctl_obs_text_and_nbsp() {
    // Every CTL except HTAB, DEL, and every byte >= 0x80 (obs-text, and so UTF-8 NBSP).
    let bad = (0u8..0x20).filter(|&b| b != b'\t').chain(0x7f..=0xff);
    for b in bad {
        for (lines, offset) in [([b, b'a'], 0), ([b'a', b], 1)] {
            for list in [U, C] {
                assert_eq!(
                    outcome(list, Config::RECIPIENT, &[&lines]),
                    Err((ByteInvalid, 0, offset)),
                    "byte {b:#04x} in {list:?}"
                );
            }
        }
    }
    check(&[
        // NBSP in UTF-8 is neither OWS nor tchar.
        row(U, R, &[b"websocket,\xc2\xa0h2c"], Err_(ByteInvalid, 0, 10)),
        row(U, R, &[b"websocket\xa0"], Err_(ByteInvalid, 0, 9)),
        // CR and LF inside a value are never accepted (header injection).
        row(C, R, &[b"upgrade\r\nX-Evil: 1"], Err_(ByteInvalid, 0, 7)),
        row(U, R, &[b"h2c\nwebsocket"], Err_(ByteInvalid, 0, 3)),
        row(U, R, &[b"a\x00"], Err_(ByteInvalid, 0, 1)),
        // KELVIN SIGN is not `k`: it is not a token at all.
        row(U, R, &[b"\xe2\x84\xaa"], Err_(ByteInvalid, 0, 0)),
    ]);
}

#[test]
fn rejects_quotes_and_parameters() {
    check(&[
        row(U, R, &[b"websocket;q=1"], Err_(ByteInvalid, 0, 9)),
        row(U, R, &[b"\"websocket\""], Err_(ByteInvalid, 0, 0)),
        row(U, R, &[b"websocket, \"h2c\""], Err_(ByteInvalid, 0, 11)),
        row(C, R, &[b"upgrade; x"], Err_(ByteInvalid, 0, 7)),
        row(C, R, &[b"upgrade ;x"], Err_(ByteInvalid, 0, 8)),
        row(U, R, &[b"foo/\"1\""], Err_(ByteInvalid, 0, 4)),
        row(U, R, &[b"foo/1;a=b"], Err_(ByteInvalid, 0, 5)),
        row(C, R, &[b"(comment) upgrade"], Err_(ByteInvalid, 0, 0)),
    ]);
}

#[test]
fn reports_slash_misuse_at_the_slash() {
    check(&[
        row(U, R, &[b"/1"], Err_(ProtocolNameMissing, 0, 0)),
        row(U, R, &[b"a, /1"], Err_(ProtocolNameMissing, 0, 3)),
        row(U, R, &[b"/"], Err_(ProtocolNameMissing, 0, 0)),
        row(U, R, &[b"foo/"], Err_(ProtocolVersionMissing, 0, 4)),
        row(U, R, &[b"foo/ "], Err_(ProtocolVersionMissing, 0, 4)),
        row(U, R, &[b"foo/,bar"], Err_(ProtocolVersionMissing, 0, 4)),
        row(U, R, &[b"foo/ 1"], Err_(ProtocolVersionMissing, 0, 4)),
        row(U, R, &[b"foo//1"], Err_(ProtocolVersionMissing, 0, 4)),
        row(U, R, &[b"a/b/c"], Err_(ProtocolSlashRepeated, 0, 3)),
        row(U, R, &[b"foo /1"], Err_(CommaMissing, 0, 4)),
        row(U, R, &[b"foo/1 /2"], Err_(CommaMissing, 0, 6)),
        row(U, R, &[b"websocket/13"], Items(&["websocket/13"])),
        row(C, R, &[b"websocket/13"], Err_(ByteInvalid, 0, 9)),
    ]);
}

#[test]
fn reports_whitespace_inside_an_element_as_a_missing_comma() {
    check(&[
        row(C, R, &[b"foo upgrade"], Err_(CommaMissing, 0, 4)),
        row(C, R, &[b"keep-alive\tupgrade"], Err_(CommaMissing, 0, 11)),
        row(U, R, &[b"web socket"], Err_(CommaMissing, 0, 4)),
        row(U, R, &[b"  a  b  "], Err_(CommaMissing, 0, 5)),
    ]);
}

#[test]
fn trims_ows_around_lines_and_commas_only() {
    check(&[
        row(U, S, &[b" \t websocket \t "], Items(&["websocket"])),
        row(U, S, &[b"a\t,\tb"], Items(&["a", "b"])),
        row(U, S, &[b"a  ,  b/1  "], Items(&["a", "b/1"])),
        row(U, S, &[b"   "], Items(&[])),
        row(U, S, &[b"\t"], Items(&[])),
        // Vertical tab, form feed and NBSP are not OWS.
        row(U, S, &[b"\x0ba"], Err_(ByteInvalid, 0, 0)),
        row(U, S, &[b"a\x0c"], Err_(ByteInvalid, 0, 1)),
    ]);
}

#[test]
fn places_empty_element_errors_where_the_element_ends() {
    check(&[
        row(U, S, &[b",a"], Err_(ElementEmpty, 0, 0)),
        row(U, S, &[b"  ,a"], Err_(ElementEmpty, 0, 2)),
        row(U, S, &[b"a,,b"], Err_(ElementEmpty, 0, 2)),
        row(U, S, &[b"a, ,b"], Err_(ElementEmpty, 0, 3)),
        row(U, S, &[b"a,"], Err_(ElementEmpty, 0, 2)),
        row(U, S, &[b"a, \t"], Err_(ElementEmpty, 0, 4)),
        row(C, S, &[b"a,"], Err_(ElementEmpty, 0, 2)),
        row(U, R, &[b",a"], Items(&["a"])),
        row(U, R, &[b"a,"], Items(&["a"])),
        row(U, R, &[b" , a , , b , "], Items(&["a", "b"])),
    ]);
}

#[test]
fn combines_several_field_lines_in_order() {
    check(&[
        row(
            C,
            S,
            &[b"keep-alive", b"Upgrade"],
            Items(&["keep-alive", "Upgrade"]),
        ),
        row(
            U,
            S,
            &[b"h2c", b"websocket, foo/2"],
            Items(&["h2c", "websocket", "foo/2"]),
        ),
        // An empty field line is an empty list in both grammars.
        row(
            U,
            S,
            &[b"h2c", b"", b"  ", b"websocket"],
            Items(&["h2c", "websocket"]),
        ),
        row(
            U,
            R,
            &[b"h2c,", b",websocket"],
            Items(&["h2c", "websocket"]),
        ),
        // Errors name the line they are in, with offsets inside that line.
        row(U, R, &[b"h2c", b"a b"], Err_(CommaMissing, 1, 2)),
        row(U, S, &[b"h2c", b"a", b"b,"], Err_(ElementEmpty, 2, 2)),
        row(C, R, &[b"close", b"", b"x;y"], Err_(ByteInvalid, 2, 1)),
    ]);
}

/// `n` elements `a` joined by commas.
fn many(n: usize) -> Vec<u8> {
    vec!["a"; n].join(",").into_bytes()
}

#[test]
fn enforces_default_bound_on_elements_at_64_and_65() {
    let at = many(64);
    let over = many(65);
    for list in [U, C] {
        for grammar in [S, R] {
            let config = Config::new(grammar);
            assert_eq!(outcome(list, config, &[&at]).map(|v| v.len()), Ok(64));
            // The 65th element starts at byte 128.
            assert_eq!(
                outcome(list, config, &[&over]),
                Err((ElementsTooMany, 0, 128))
            );
        }
    }
    // The bound is per combined field value, across lines.
    let half = many(32);
    let lines: [&[u8]; 3] = [&half, &half, b"b"];
    assert_eq!(
        outcome(U, Config::RECIPIENT, &lines),
        Err((ElementsTooMany, 2, 0))
    );
}

#[test]
fn enforces_default_bound_on_empty_elements_at_64_and_65() {
    // "a" followed by n commas holds n empty elements (the last one ends at the line's end).
    let with_empties = |n: usize| {
        let mut v = b"a".to_vec();
        v.extend(std::iter::repeat_n(b',', n));
        v
    };
    assert_eq!(
        outcome(U, Config::RECIPIENT, &[&with_empties(64)]),
        Ok(vec!["a".to_string()])
    );
    // The 65th empty element ends at the end of the line: offset 66.
    assert_eq!(
        outcome(U, Config::RECIPIENT, &[&with_empties(65)]),
        Err((EmptyElementsTooMany, 0, 66))
    );
    // 64 commas alone make 65 empty elements: the last one ends at the line's end.
    let commas = vec![b','; 64];
    assert_eq!(
        outcome(C, Config::RECIPIENT, &[&commas]),
        Err((EmptyElementsTooMany, 0, 64))
    );
    let commas = vec![b','; 63];
    assert_eq!(outcome(C, Config::RECIPIENT, &[&commas]), Ok(vec![]));
}

#[test]
fn enforces_configured_bounds() {
    let config = Config::RECIPIENT
        .with_max_elements(2)
        .with_max_empty_elements(1);
    assert_eq!(
        outcome(U, config, &[b"a, b"]),
        Ok(vec!["a".into(), "b".into()])
    );
    assert_eq!(
        outcome(U, config, &[b"a, b, c"]),
        Err((ElementsTooMany, 0, 6))
    );
    assert_eq!(
        outcome(U, config, &[b"a,,b"]),
        Ok(vec!["a".into(), "b".into()])
    );
    assert_eq!(
        outcome(U, config, &[b"a,,,b"]),
        Err((EmptyElementsTooMany, 0, 3))
    );
    // A byte that cannot start an element is an invalid byte, not an element over the bound.
    let one = Config::RECIPIENT.with_max_elements(1);
    assert_eq!(outcome(U, one, &[b"a, \"b\""]), Err((ByteInvalid, 0, 3)));
    assert_eq!(outcome(C, one, &[b"a, /b"]), Err((ByteInvalid, 0, 3)));
    let none = Config::SENDER.with_max_elements(0);
    assert_eq!(outcome(C, none, &[b""]), Ok(vec![]));
    assert_eq!(outcome(C, none, &[b" x"]), Err((ElementsTooMany, 0, 1)));
}

#[test]
fn yields_items_before_the_first_error_then_stops() {
    let mut it = parse_upgrade([&b"a, b, c;d, e"[..]], Config::RECIPIENT);
    assert_eq!(it.next().unwrap().unwrap().to_string(), "a");
    assert_eq!(it.next().unwrap().unwrap().to_string(), "b");
    let err = it.next().unwrap().unwrap_err();
    assert_eq!((err.kind(), err.offset()), (ByteInvalid, 7));
    assert!(it.next().is_none());
    assert!(it.next().is_none());
}

#[test]
// `while let` on `next` is the point: the other ways of reading go through `fold`.
#[allow(clippy::while_let_on_iterator)]
fn fold_and_for_each_read_what_next_reads() {
    let fields: [&[&[u8]]; 5] = [
        &[b"a, b/1", b"", b" ,c"],
        &[b"a, b, c;d, e", b"f"],
        &[b"keep-alive", b"Upgrade"],
        &[b"a/b/c"],
        &[],
    ];
    for lines in fields {
        let upgrade = || parse_upgrade(lines.iter().copied(), Config::RECIPIENT);
        // `while let` calls `next` itself (`collect` would call `fold`).
        let (mut it, mut by_next) = (upgrade(), Vec::new());
        while let Some(p) = it.next() {
            by_next.push(p.map(|p| p.to_string()));
        }
        let mut by_for_each = Vec::new();
        upgrade().for_each(|p| by_for_each.push(p.map(|p| p.to_string())));
        assert_eq!(by_for_each, by_next, "{lines:?}");
        assert_eq!(upgrade().count(), by_next.len(), "{lines:?}");

        let connection = || parse_connection(lines.iter().copied(), Config::RECIPIENT);
        let (mut it, mut by_next) = (connection(), Vec::new());
        while let Some(t) = it.next() {
            by_next.push(t.map(|t| t.to_string()));
        }
        let by_fold = connection().fold(Vec::new(), |mut all, t| {
            all.push(t.map(|t| t.to_string()));
            all
        });
        assert_eq!(by_fold, by_next, "{lines:?}");
    }
    // After the first item, the fold reads the rest.
    let mut it = parse_connection([&b"a, b"[..], b"c"], Config::RECIPIENT);
    it.next();
    assert_eq!(it.fold(0, |n, t| n + usize::from(t.is_ok())), 2);
}

#[test]
fn validate_after_next_counts_only_what_is_left() {
    // Stopped inside a line: the rest of that line, then the next lines.
    let mut it = parse_upgrade([&b"a, b, c"[..], b"d/1, e"], Config::RECIPIENT);
    assert_eq!(it.next().unwrap().unwrap().to_string(), "a");
    assert_eq!(it.validate(), Ok(4));
    // Stopped at a line's end: the next lines.
    let mut it = parse_connection([&b"a"[..], b"b, c"], Config::RECIPIENT);
    assert_eq!(it.next().unwrap().unwrap().as_str(), "a");
    assert_eq!(it.validate(), Ok(2));
    // An error in the rest of the line stopped in comes before the lines after it.
    let mut it = parse_upgrade([&b"a, b;"[..], b"d"], Config::RECIPIENT);
    assert_eq!(it.next().unwrap().unwrap().to_string(), "a");
    let err = it.validate().unwrap_err();
    assert_eq!((err.kind(), err.line(), err.offset()), (ByteInvalid, 0, 4));
    // Stopped by an error: nothing is left, whatever lines follow, whether the error was inside
    // a line or at a whole line (one element past the bound).
    let mut it = parse_upgrade([&b"a, ;"[..], b"b, c"], Config::RECIPIENT);
    assert_eq!(it.next().unwrap().unwrap().to_string(), "a");
    assert!(it.next().unwrap().is_err());
    assert_eq!(it.validate(), Ok(0));
    let one = Config::RECIPIENT.with_max_elements(1);
    let mut it = parse_connection([&b"a"[..], b"b", b"c"], one);
    assert_eq!(it.next().unwrap().unwrap().as_str(), "a");
    assert_eq!(it.next().unwrap().unwrap_err().kind(), ElementsTooMany);
    assert_eq!(it.validate(), Ok(0));
}

#[test]
fn compares_connection_options_ascii_case_insensitively() {
    for (lines, option, found) in [
        (&[&b"keep-alive, Upgrade"[..]][..], &b"upgrade"[..], true),
        (&[b"UPGRADE"], b"upgrade", true),
        (&[b"keep-alive", b"upGrade"], b"upgrade", true),
        (&[b"notupgrade"], b"upgrade", false),
        (&[b"upgrade-x"], b"upgrade", false),
        (&[b"upgrades"], b"upgrade", false),
        (&[b""], b"upgrade", false),
        (&["upgra\u{212a}e".as_bytes()], b"upgrake", false),
    ] {
        let got = parse_connection(lines.iter().copied(), Config::RECIPIENT).contains(option);
        match got {
            Ok(got) => assert_eq!(got, found, "{lines:?}"),
            Err(e) => assert!(!found, "{lines:?}: {e}"),
        }
    }
}

#[test]
fn contains_reports_a_malformed_field_even_after_the_option() {
    let err = parse_connection([&b"upgrade, foo bar"[..]], Config::RECIPIENT)
        .contains(b"upgrade")
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.line(), err.offset()),
        (CommaMissing, 0, 13)
    );
}

#[test]
fn validate_counts_the_non_empty_elements_of_the_whole_field() {
    // (list, lines, count): empty elements and whitespace count for nothing; every line counts.
    let rows: &[(List, &[&[u8]], usize)] = &[
        (U, &[b""], 0),
        (U, &[b" , ,"], 0),
        (U, &[b"websocket"], 1),
        (U, &[b"HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11"], 4),
        (U, &[b"a,,b", b"", b" c "], 3),
        (C, &[b""], 0),
        (C, &[b"Upgrade"], 1),
        (C, &[b"keep-alive", b"Upgrade, ,HTTP2-Settings"], 3),
    ];
    for &(list, lines, count) in rows {
        let lines = lines.iter().copied();
        let got = match list {
            List::Upgrade => parse_upgrade(lines, Config::RECIPIENT).validate(),
            List::Connection => parse_connection(lines, Config::RECIPIENT).validate(),
        };
        assert_eq!(got, Ok(count), "{list:?} {count}");
    }
}
