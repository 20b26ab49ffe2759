//! `upgrade-check parse` run as a real process: JSON contract, human report and exit status.

// A test target asserts by panicking, its helpers included; clippy.toml covers only `#[test]`
// functions themselves.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::ffi::OsStr;

use serde_json::json;

use common::{run, run_json, stdout_text};

#[test]
fn lists_protocols_with_and_without_versions() {
    let (code, value) = run_json([
        "parse",
        "--json",
        "--",
        "a_protocol/1, example, another_protocol/2.2",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        value,
        json!({"ok": true, "protocols": [
            {"name": "a_protocol", "version": "1"},
            {"name": "example", "version": null},
            {"name": "another_protocol", "version": "2.2"},
        ]})
    );
}

#[test]
fn prints_names_and_versions_as_they_appear_in_the_input() {
    let (code, value) = run_json(["parse", "--json", "  WebSocket ,\tHTTP/2.0-RC  "]);
    assert_eq!(code, 0);
    assert_eq!(
        value,
        json!({"ok": true, "protocols": [
            {"name": "WebSocket", "version": null},
            {"name": "HTTP", "version": "2.0-RC"},
        ]})
    );
}

#[test]
fn rejects_parameters_as_invalid_byte_with_exit_1() {
    let (code, value) = run_json(["parse", "--json", "--", "websocket;q=1"]);
    assert_eq!(code, 1);
    assert_eq!(
        value,
        json!({"ok": false, "error": {
            "kind": "byte-invalid",
            "line": 0,
            "offset": 9,
            "message": "invalid byte in list at line 0, byte 9",
        }})
    );
}

#[test]
fn strict_rejects_empty_elements_that_the_recipient_grammar_skips() {
    let (code, value) = run_json(["parse", "--json", "--strict", "--", "foo , ,bar"]);
    assert_eq!(code, 1);
    assert_eq!(value["ok"], json!(false));
    assert_eq!(value["error"]["kind"], json!("element-empty"));
    assert_eq!(value["error"]["line"], json!(0));
    assert_eq!(value["error"]["offset"], json!(6));

    let (code, value) = run_json(["parse", "--json", "--", "foo , ,bar"]);
    assert_eq!(code, 0);
    assert_eq!(
        value,
        json!({"ok": true, "protocols": [
            {"name": "foo", "version": null},
            {"name": "bar", "version": null},
        ]})
    );
}

#[test]
fn combines_several_values_as_one_list() {
    let (code, value) = run_json(["parse", "--json", "--", "websocket", "h2c, foo/2"]);
    assert_eq!(code, 0);
    assert_eq!(
        value,
        json!({"ok": true, "protocols": [
            {"name": "websocket", "version": null},
            {"name": "h2c", "version": null},
            {"name": "foo", "version": "2"},
        ]})
    );
}

#[test]
fn reports_the_index_of_the_value_that_holds_the_error() {
    let (code, value) = run_json(["parse", "--json", "--", "websocket", "h2c \"x\""]);
    assert_eq!(code, 1);
    assert_eq!(value["error"]["kind"], json!("byte-invalid"));
    assert_eq!(value["error"]["line"], json!(1));
    assert_eq!(value["error"]["offset"], json!(4));
}

#[test]
fn bounds_apply_to_the_combined_value() {
    let values: Vec<String> = (0..65).map(|i| format!("p{i}")).collect();
    let (code, value) = run_json(
        ["parse", "--json", "--"]
            .into_iter()
            .map(str::to_owned)
            .chain(values),
    );
    assert_eq!(code, 1);
    assert_eq!(value["error"]["kind"], json!("elements-too-many"));
    assert_eq!(value["error"]["line"], json!(64));
    assert_eq!(value["error"]["offset"], json!(0));
}

#[test]
fn lists_connection_options_as_they_appear() {
    let (code, value) = run_json([
        "parse",
        "--json",
        "--connection",
        "--",
        "keep-alive",
        " Upgrade",
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        value,
        json!({"ok": true, "options": ["keep-alive", "Upgrade"]})
    );
}

#[test]
fn connection_rejects_a_slash_that_upgrade_accepts() {
    let (code, value) = run_json(["parse", "--json", "--connection", "--", "upgrade/1"]);
    assert_eq!(code, 1);
    assert_eq!(value["error"]["kind"], json!("byte-invalid"));
    assert_eq!(value["error"]["offset"], json!(7));
}

#[test]
fn connection_rejects_space_separated_options() {
    let (code, value) = run_json(["parse", "--json", "--connection", "--", "foo upgrade"]);
    assert_eq!(code, 1);
    assert_eq!(value["error"]["kind"], json!("comma-missing"));
    assert_eq!(value["error"]["offset"], json!(4));
}

#[test]
fn accepts_an_empty_string_as_an_empty_list() {
    for grammar in [None, Some("--strict")] {
        let args = ["parse", "--json"]
            .into_iter()
            .chain(grammar)
            .chain(["--", ""]);
        let (code, value) = run_json(args);
        assert_eq!(code, 0, "{grammar:?}");
        assert_eq!(value, json!({"ok": true, "protocols": []}), "{grammar:?}");
    }
    let (code, value) = run_json(["parse", "--json", "--connection", ""]);
    assert_eq!(code, 0);
    assert_eq!(value, json!({"ok": true, "options": []}));
}

#[test]
fn accepts_no_value_at_all_as_an_empty_field() {
    let (code, value) = run_json(["parse", "--json"]);
    assert_eq!(code, 0);
    assert_eq!(value, json!({"ok": true, "protocols": []}));
}

#[cfg(unix)]
#[test]
fn reports_a_non_utf8_argument_as_byte_invalid_without_crashing() {
    use std::os::unix::ffi::OsStrExt;

    let value = OsStr::from_bytes(b"web\xffsocket");
    let (code, json) = run_json([
        OsStr::new("parse"),
        OsStr::new("--json"),
        OsStr::new("--"),
        value,
    ]);
    assert_eq!(code, 1);
    assert_eq!(json["error"]["kind"], json!("byte-invalid"));
    assert_eq!(json["error"]["line"], json!(0));
    assert_eq!(json["error"]["offset"], json!(3));

    let output = run([OsStr::new("parse"), OsStr::new("--"), value]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout_text(&output),
        "error: invalid byte in list at line 0, byte 3\n  web\\xffsocket\n     ^\n"
    );
}

#[cfg(unix)]
#[test]
fn parses_non_utf8_bytes_exactly_rather_than_replacing_them() {
    use std::os::unix::ffi::OsStrExt;

    // A lossy conversion would turn 0xff into U+FFFD, three bytes, and move later offsets.
    let value = OsStr::from_bytes(b"a\xff");
    let (_, json) = run_json([
        OsStr::new("parse"),
        OsStr::new("--json"),
        OsStr::new("--"),
        OsStr::new("ok"),
        value,
    ]);
    assert_eq!(json["error"]["line"], json!(1));
    assert_eq!(json["error"]["offset"], json!(1));
}

#[test]
fn json_message_never_contains_the_input_bytes() {
    let cases: [&[&str]; 4] = [
        &["zebra;q=1"],
        &["zebra/1/2"],
        &["zebra zulu"],
        &["zebra", "zulu\"zz\""],
    ];
    for values in cases {
        let args = ["parse", "--json", "--strict", "--"].iter().chain(values);
        let (code, value) = run_json(args);
        assert_eq!(code, 1, "{values:?}");
        let message = value["error"]["message"].as_str().unwrap();
        assert!(!message.contains('z'), "{values:?} gave {message:?}");
    }
}

#[test]
fn human_report_lists_protocols_one_per_line() {
    let output = run(["parse", "--", "a_protocol/1, example, another_protocol/2.2"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout_text(&output),
        "valid Upgrade list (recipient grammar): 3 protocols\n  a_protocol/1\n  example\n  another_protocol/2.2\n"
    );
    assert!(output.stderr.is_empty());
}

#[test]
fn human_report_names_the_list_and_grammar() {
    let output = run(["parse", "--strict", "--connection", "--", "Upgrade"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout_text(&output),
        "valid Connection list (sender grammar): 1 option\n  Upgrade\n"
    );
}

#[test]
fn human_report_puts_the_caret_under_the_offending_byte() {
    let output = run(["parse", "--", "websocket;q=1"]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout_text(&output);
    assert_eq!(
        text,
        "error: invalid byte in list at line 0, byte 9\n  websocket;q=1\n           ^\n"
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[2].find('^'), lines[1].find(';'));
}

#[test]
fn human_report_shifts_the_caret_past_escaped_bytes_in_the_offending_line() {
    // The tab is drawn as `\t`, two columns; the fault (comma missing) is the `s` at byte 4.
    let output = run(["parse", "--", "ok", "web\tsocket"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout_text(&output),
        "error: missing comma between list elements at line 1, byte 4\n  web\\tsocket\n       ^\n"
    );
}

#[test]
fn human_report_puts_the_caret_at_end_of_line_for_a_trailing_comma_under_strict() {
    let output = run(["parse", "--strict", "--", "foo,"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout_text(&output),
        "error: empty list element at line 0, byte 4\n  foo,\n      ^\n"
    );
}

#[test]
fn human_report_never_writes_control_bytes_to_the_terminal() {
    let output = run(["parse", "--", "a\x1b[31m\r\nb"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output
            .stdout
            .iter()
            .all(|&b| b == b'\n' || (b' '..=b'~').contains(&b)),
        "{:?}",
        stdout_text(&output)
    );
}

#[test]
fn unknown_flag_is_a_usage_error_with_exit_2() {
    let output = run(["parse", "--no-such-flag", "websocket"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(!output.stderr.is_empty());
}

#[test]
fn missing_or_unknown_subcommand_is_a_usage_error_with_exit_2() {
    assert_eq!(run::<[&str; 0], &str>([]).status.code(), Some(2));
    assert_eq!(run(["frobnicate"]).status.code(), Some(2));
}

#[test]
fn value_starting_with_a_dash_needs_the_separator() {
    assert_eq!(run(["parse", "--json", "-foo"]).status.code(), Some(2));
    let (code, value) = run_json(["parse", "--json", "--", "-foo"]);
    assert_eq!(code, 0);
    assert_eq!(
        value,
        json!({"ok": true, "protocols": [{"name": "-foo", "version": null}]})
    );
}

#[test]
fn help_exits_0() {
    let output = run(["parse", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout_text(&output).contains("--connection"));
}
