//! The list-grammar bug classes that widely used HTTP stacks have shipped (DESIGN.md section 7),
//! one named test each. The negotiation-level classes live in `upgrade-negotiate`'s tests.

use upgrade_grammar::{Config, ErrorKind, Protocol, parse_connection, parse_upgrade};

fn has_upgrade_option(lines: &[&[u8]]) -> Result<bool, ErrorKind> {
    parse_connection(lines.iter().copied(), Config::RECIPIENT)
        .contains(b"upgrade")
        .map_err(|e| e.kind())
}

fn protocols(lines: &[&[u8]]) -> Result<Vec<String>, ErrorKind> {
    parse_upgrade(lines.iter().copied(), Config::RECIPIENT)
        .map(|p| p.map(|p| p.to_string()).map_err(|e| e.kind()))
        .collect()
}

#[test]
fn substring_of_an_option_is_not_the_option() {
    for value in [
        &b"notupgrade"[..],
        b"upgrade-x",
        b"upgrades",
        b"x-upgrade",
        b"keep-alive, notupgrade",
    ] {
        assert_eq!(has_upgrade_option(&[value]), Ok(false), "{value:?}");
    }
}

#[test]
fn substring_of_a_protocol_is_not_the_protocol() {
    let websocket = Protocol::parse(b"websocket").unwrap();
    for value in [
        &b"madam-websocket"[..],
        b"websockets",
        b"websocket2",
        b"xwebsocket",
    ] {
        let listed = parse_upgrade([value], Config::RECIPIENT)
            .any(|p| p.is_ok_and(|p| p.matches(&websocket)));
        assert!(!listed, "{value:?}");
    }
}

#[test]
fn every_field_line_counts_not_only_the_first() {
    assert_eq!(has_upgrade_option(&[b"keep-alive", b"Upgrade"]), Ok(true));
    assert_eq!(
        protocols(&[b"h2c", b"websocket"]),
        Ok(vec!["h2c".into(), "websocket".into()])
    );
}

#[test]
fn a_list_value_is_not_one_token() {
    assert_eq!(has_upgrade_option(&[b"keep-alive, Upgrade"]), Ok(true));
    assert_eq!(
        protocols(&[b"websocket, h2c"]),
        Ok(vec!["websocket".into(), "h2c".into()])
    );
}

#[test]
fn spaces_do_not_separate_elements() {
    assert_eq!(
        has_upgrade_option(&[b"foo upgrade"]),
        Err(ErrorKind::CommaMissing)
    );
    assert_eq!(protocols(&[b"websocket h2c"]), Err(ErrorKind::CommaMissing));
}

#[test]
fn an_empty_first_element_does_not_end_the_list() {
    assert_eq!(protocols(&[b", websocket"]), Ok(vec!["websocket".into()]));
    assert_eq!(has_upgrade_option(&[b",,upgrade"]), Ok(true));
}

#[test]
fn a_slash_does_not_end_the_protocol() {
    let parsed = parse_upgrade([&b"websocket/13"[..]], Config::RECIPIENT)
        .next()
        .unwrap()
        .unwrap();
    assert_eq!(parsed.name().as_str(), "websocket");
    assert_eq!(parsed.version().map(|v| v.as_str()), Some("13"));
    assert!(!parsed.matches(&Protocol::parse(b"websocket").unwrap()));
}

#[test]
fn names_and_options_compare_ignoring_ascii_case() {
    assert_eq!(has_upgrade_option(&[b"UPGRADE"]), Ok(true));
    assert_eq!(has_upgrade_option(&[b"uPgRaDe"]), Ok(true));
    let a = Protocol::parse(b"WebSocket").unwrap();
    assert!(a.matches(&Protocol::parse(b"websocket").unwrap()));
    assert!(a.matches(&Protocol::parse(b"WEBSOCKET").unwrap()));
}

#[test]
fn unicode_case_folding_is_never_applied() {
    // U+212A KELVIN SIGN folds to `k` in Unicode, and U+0130 to `i`: neither is ASCII, so neither
    // is a token byte, and an option spelled with them is malformed, never `keep-alive`.
    assert_eq!(
        has_upgrade_option(&["\u{212a}eep-alive, upgrade".as_bytes()]),
        Err(ErrorKind::ByteInvalid)
    );
    assert_eq!(
        protocols(&["h2c, \u{130}rc".as_bytes()]),
        Err(ErrorKind::ByteInvalid)
    );
}
