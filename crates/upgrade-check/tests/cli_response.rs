//! `upgrade-check response` run as a real process over raw requests and responses from
//! `tests/data` and stdin: JSON contract, human report and exit status.

// A test target asserts by panicking, its helpers included; clippy.toml covers only `#[test]`
// functions themselves.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::ffi::OsStr;

use serde_json::{Value, json};

use common::{
    data, data_bytes, run, run_json, run_json_with_stdin, run_with_stdin, stderr_text, stdout_text,
};

/// `response --json` with the request and response files under `tests/data`.
fn check(request: &str, response: &str) -> (i32, Value) {
    let request = data(&format!("requests/{request}"));
    let response = data(&format!("responses/{response}"));
    run_json([
        OsStr::new("response"),
        OsStr::new("--json"),
        OsStr::new("--request"),
        request.as_os_str(),
        response.as_os_str(),
    ])
}

/// `response --json` with the request file under `tests/data` and the response on stdin.
fn check_stdin(request: &str, response: &[u8]) -> (i32, Value) {
    let request = data(&format!("requests/{request}"));
    run_json_with_stdin(
        [
            OsStr::new("response"),
            OsStr::new("--json"),
            OsStr::new("--request"),
            request.as_os_str(),
        ],
        response,
    )
}

fn answer(valid: bool, switched: bool, protocols: &[(&str, Option<&str>)], reason: &str) -> Value {
    let protocols: Vec<Value> = protocols
        .iter()
        .map(|(name, version)| json!({"name": name, "version": version}))
        .collect();
    json!({"valid": valid, "switched": switched, "protocols": protocols, "reason": reason})
}

const WEBSOCKET: &[(&str, Option<&str>)] = &[("websocket", None)];
const H2C: &[(&str, Option<&str>)] = &[("h2c", None)];

#[test]
fn accepts_the_101_with_the_right_websocket_accept() {
    assert_eq!(
        check("websocket.http", "websocket-101.http"),
        (0, answer(true, true, WEBSOCKET, "switched"))
    );
    assert_eq!(
        check("websocket-chromium.http", "websocket-101.http"),
        (0, answer(true, true, WEBSOCKET, "switched"))
    );
    assert_eq!(
        check("websocket-firefox.http", "websocket-firefox-101.http"),
        (0, answer(true, true, WEBSOCKET, "switched"))
    );
}

#[test]
fn rejects_a_websocket_accept_computed_from_another_key_with_exit_0() {
    for (request, response) in [
        ("websocket.http", "websocket-101-bad-accept.http"),
        ("websocket.http", "websocket-firefox-101.http"),
        ("websocket-firefox.http", "websocket-101.http"),
    ] {
        assert_eq!(
            check(request, response),
            (
                0,
                answer(false, false, WEBSOCKET, "websocket-accept-mismatch")
            ),
            "{request} {response}"
        );
    }
}

#[test]
fn accepts_the_h2c_101_and_ignores_the_http2_frames_after_its_head() {
    assert_eq!(
        check("h2c-curl.http", "101-h2c.http"),
        (0, answer(true, true, H2C, "switched"))
    );
    let with_frames = data_bytes("responses/h2c-101-with-frames.http");
    assert!(with_frames.ends_with(b"\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00\xff"));
    assert_eq!(
        check("h2c-curl.http", "h2c-101-with-frames.http"),
        (0, answer(true, true, H2C, "switched"))
    );
}

#[test]
fn rejects_a_101_to_a_protocol_the_request_never_offered() {
    assert_eq!(
        check("websocket.http", "101-h2c.http"),
        (0, answer(false, false, H2C, "protocol-not-offered"))
    );
    assert_eq!(
        check("h2c-curl.http", "websocket-101.http"),
        (0, answer(false, false, WEBSOCKET, "protocol-not-offered"))
    );
}

#[test]
fn rejects_a_101_without_upgrade() {
    assert_eq!(
        check("websocket.http", "101-without-upgrade.http"),
        (0, answer(false, false, &[], "upgrade-missing"))
    );
}

#[test]
fn rejects_a_101_without_upgrade_in_connection() {
    let response =
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: keep-alive\r\n\r\n";
    assert_eq!(
        check_stdin("h2c-curl.http", response),
        (0, answer(false, false, H2C, "connection-missing-upgrade"))
    );
}

#[test]
fn rejects_a_101_to_an_http10_request() {
    assert_eq!(
        check("websocket-http10.http", "websocket-101.http"),
        (0, answer(false, false, WEBSOCKET, "request-not-http11"))
    );
}

#[test]
fn accepts_a_426_with_upgrade_as_valid_without_switching() {
    assert_eq!(
        check("websocket.http", "426-with-upgrade.http"),
        (0, answer(true, false, WEBSOCKET, "upgrade-required"))
    );
}

#[test]
fn rejects_a_426_without_upgrade() {
    assert_eq!(
        check("websocket.http", "426-without-upgrade.http"),
        (0, answer(false, false, &[], "upgrade-missing"))
    );
}

#[test]
fn accepts_a_200_with_upgrade_as_an_advertisement() {
    assert_eq!(
        check("websocket.http", "200-advertisement.http"),
        (
            0,
            answer(
                true,
                false,
                &[("h2c", None), ("foo", Some("2"))],
                "upgrade-advertised"
            )
        )
    );
}

#[test]
fn lists_the_protocols_before_the_fault_of_a_malformed_upgrade() {
    assert_eq!(
        check("websocket.http", "101-upgrade-malformed.http"),
        (0, answer(false, false, WEBSOCKET, "upgrade-malformed"))
    );
}

#[test]
fn reports_an_unparsable_response_as_response_malformed_with_exit_0() {
    let incomplete = b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n";
    let too_many: Vec<u8> = b"HTTP/1.1 200 OK\r\n"
        .iter()
        .copied()
        .chain((0..129).flat_map(|i| format!("X-{i}: {i}\r\n").into_bytes()))
        .chain(*b"\r\n")
        .collect();
    for response in [
        &data_bytes("responses/malformed-status.http")[..],
        incomplete,
        b"",
        &too_many,
    ] {
        assert_eq!(
            check_stdin("websocket.http", response),
            (0, answer(false, false, &[], "response-malformed")),
            "{:?}",
            String::from_utf8_lossy(response)
        );
    }
}

#[test]
fn reports_an_unparsable_request_as_request_malformed_and_still_lists_protocols() {
    for request in ["incomplete-head.http", "malformed-field-name.http"] {
        assert_eq!(
            check(request, "websocket-101.http"),
            (0, answer(false, false, WEBSOCKET, "request-malformed")),
            "{request}"
        );
    }
}

#[test]
fn reports_the_response_first_when_neither_message_parses() {
    assert_eq!(
        check("incomplete-head.http", "malformed-status.http"),
        (0, answer(false, false, &[], "response-malformed"))
    );
}

#[test]
fn reads_the_same_answer_from_stdin_as_from_a_file() {
    for response in [
        "websocket-101.http",
        "101-h2c.http",
        "malformed-status.http",
    ] {
        assert_eq!(
            check_stdin(
                "websocket.http",
                &data_bytes(&format!("responses/{response}"))
            ),
            check("websocket.http", response),
            "{response}"
        );
    }
}

#[test]
fn every_101_that_negotiate_builds_passes_the_client_check() {
    for request in [
        "websocket.http",
        "websocket-chromium.http",
        "websocket-firefox.http",
        "h2c-curl.http",
        "post-content-length-expect.http",
        "post-chunked.http",
    ] {
        let path = data(&format!("requests/{request}"));
        let output = run([
            OsStr::new("negotiate"),
            OsStr::new("--json"),
            OsStr::new("--offer"),
            OsStr::new("websocket"),
            OsStr::new("--offer"),
            OsStr::new("h2c"),
            OsStr::new("--offer"),
            OsStr::new("foo/2"),
            path.as_os_str(),
        ]);
        let (_, decision) = common::json_of(&output);
        assert_eq!(decision["outcome"], "switch", "{request}");
        let head = decision["response"].as_str().unwrap();
        let (code, verdict) = check_stdin(request, head.as_bytes());
        assert_eq!(code, 0);
        assert_eq!(verdict["valid"], true, "{request}: {verdict}");
        assert_eq!(verdict["switched"], true, "{request}: {verdict}");
        assert_eq!(verdict["reason"], "switched", "{request}");
    }
}

#[test]
fn missing_request_is_a_usage_error_with_exit_2() {
    let response = data_bytes("responses/websocket-101.http");
    let output = run_with_stdin(["response", "--json"], &response);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert!(stderr_text(&output).contains("--request"));
}

#[test]
fn unreadable_request_or_response_file_is_a_usage_error_with_exit_2() {
    let request = data("requests/websocket.http");
    let response = data("responses/websocket-101.http");
    let missing = data("no-such-file.http");
    for (args, message) in [
        (
            [missing.as_os_str(), response.as_os_str()],
            "upgrade-check: cannot read the request from ",
        ),
        (
            [request.as_os_str(), missing.as_os_str()],
            "upgrade-check: cannot read the response from ",
        ),
    ] {
        let output = run([
            OsStr::new("response"),
            OsStr::new("--json"),
            OsStr::new("--request"),
        ]
        .into_iter()
        .chain(args));
        assert_eq!(output.status.code(), Some(2));
        assert!(output.stdout.is_empty());
        let stderr = stderr_text(&output);
        assert!(stderr.starts_with(message), "{stderr}");
        assert!(stderr.contains("no-such-file.http"), "{stderr}");
    }
}

#[test]
fn human_report_of_a_valid_switch() {
    let request = data("requests/websocket.http");
    let response = data("responses/websocket-101.http");
    let output = run([
        OsStr::new("response"),
        OsStr::new("--request"),
        request.as_os_str(),
        response.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout_text(&output),
        "valid, switched (switched)\nstatus: 101\nprotocols: websocket\n"
    );
    assert!(output.stderr.is_empty());
}

#[test]
fn human_report_of_an_advertisement_and_of_an_unoffered_protocol() {
    let request = data("requests/websocket.http");
    for (response, expected) in [
        (
            "200-advertisement.http",
            "valid, not switched (upgrade-advertised)\nstatus: 200\nprotocols: h2c, foo/2\n",
        ),
        (
            "101-h2c.http",
            "invalid (protocol-not-offered)\nstatus: 101\nprotocols: h2c\n",
        ),
        (
            "101-without-upgrade.http",
            "invalid (upgrade-missing)\nstatus: 101\nprotocols: none\n",
        ),
    ] {
        let response = data(&format!("responses/{response}"));
        let output = run([
            OsStr::new("response"),
            OsStr::new("--request"),
            request.as_os_str(),
            response.as_os_str(),
        ]);
        assert_eq!(output.status.code(), Some(0));
        assert_eq!(stdout_text(&output), expected);
    }
}

#[test]
fn human_report_puts_the_caret_under_the_faulty_byte_of_the_response_upgrade() {
    let request = data("requests/websocket.http");
    let response = data_bytes("responses/101-upgrade-malformed.http");
    let output = run_with_stdin(
        [
            OsStr::new("response"),
            OsStr::new("--request"),
            request.as_os_str(),
        ],
        &response,
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout_text(&output),
        "invalid (upgrade-malformed)\n\
         \x20 Upgrade: invalid byte in list at line 0, byte 14\n\
         \x20   websocket, h2c;q=1\n\
         \x20                 ^\n\
         status: 101\n\
         protocols: websocket\n"
    );
}

#[test]
fn human_report_puts_the_caret_under_the_faulty_byte_of_the_request_upgrade() {
    let request = data("requests/upgrade-malformed.http");
    let response = data_bytes("responses/websocket-101.http");
    let output = run_with_stdin(
        [
            OsStr::new("response"),
            OsStr::new("--request"),
            request.as_os_str(),
        ],
        &response,
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout_text(&output),
        "invalid (request-upgrade-malformed)\n\
         \x20 Upgrade: invalid byte in list at line 0, byte 9\n\
         \x20   websocket;q=1\n\
         \x20            ^\n\
         status: 101\n\
         protocols: websocket\n"
    );
}

#[test]
fn human_report_says_why_a_response_head_could_not_be_parsed() {
    let request = data("requests/websocket.http");
    let output = run_with_stdin(
        [
            OsStr::new("response"),
            OsStr::new("--request"),
            request.as_os_str(),
        ],
        b"HTTP/1.1 101 Switching Protocols\r\n",
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout_text(&output),
        "invalid (response-malformed)\n  the response head: incomplete message head\nprotocols: none\n"
    );
}

#[test]
fn data_files_end_head_lines_with_crlf() {
    for folder in ["requests", "responses"] {
        for entry in std::fs::read_dir(data(folder)).unwrap() {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap();
            let head_len = bytes
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .map_or(bytes.len(), |i| i + 4);
            let head = &bytes[..head_len];
            for (i, &byte) in head.iter().enumerate() {
                if byte == b'\n' {
                    assert!(
                        i > 0 && head[i - 1] == b'\r',
                        "bare LF at byte {i} of {}",
                        path.display()
                    );
                }
            }
        }
    }
}

#[test]
fn a_101_to_a_request_without_host_is_invalid() {
    for request in ["websocket-no-host.http", "websocket-two-hosts.http"] {
        let (code, value) = check(request, "websocket-101.http");
        assert_eq!(code, 0, "{request}");
        assert_eq!(
            value,
            answer(false, false, &[("websocket", None)], "request-host-invalid"),
            "{request}"
        );
    }
}
