//! `upgrade-check negotiate` run as a real process over raw requests from `tests/data/requests`
//! and stdin: JSON contract, human report and exit status.

// A test target asserts by panicking, its helpers included; clippy.toml covers only `#[test]`
// functions themselves.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use serde_json::{Value, json};

use common::{
    data, data_bytes, json_of, run, run_json, run_json_with_stdin, run_with_stdin, stderr_text,
    stdout_text,
};

/// The handshake of RFC 6455 section 1.3, with `Connection` listing two options.
const RFC6455_REQUEST: &[u8] = b"GET /chat HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

const RFC6455_101: &str = "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";

const BAD_REQUEST: &str =
    "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

/// `negotiate --json` over the request file `name` with the usual three offers.
fn negotiate_file(name: &str) -> (i32, Value) {
    run_json([
        "negotiate".as_ref(),
        "--json".as_ref(),
        "--offer".as_ref(),
        "websocket".as_ref(),
        "--offer".as_ref(),
        "h2c".as_ref(),
        "--offer".as_ref(),
        "foo/2".as_ref(),
        data(&format!("requests/{name}")).as_os_str(),
    ])
}

/// The answer to carry on with HTTP: no status, no protocol, no response.
fn carry_on(reason: &str) -> Value {
    json!({
        "outcome": "continue",
        "status": null,
        "protocol": null,
        "reason": reason,
        "response": null,
        "request_body": {"framing": "none", "length": null},
        "interim_continue": false,
    })
}

fn reject(reason: &str) -> Value {
    json!({
        "outcome": "reject",
        "status": 400,
        "protocol": null,
        "reason": reason,
        "response": BAD_REQUEST,
        "request_body": {"framing": "none", "length": null},
        "interim_continue": false,
    })
}

#[test]
fn switches_the_rfc6455_handshake_from_stdin_with_its_accept_value() {
    let (code, value) = run_json_with_stdin(
        ["negotiate", "--json", "--offer", "websocket"],
        RFC6455_REQUEST,
    );
    assert_eq!(code, 0);
    assert_eq!(
        value,
        json!({
            "outcome": "switch",
            "status": 101,
            "protocol": "websocket",
            "reason": "switched",
            "response": RFC6455_101,
            "request_body": {"framing": "none", "length": null},
            "interim_continue": false,
        })
    );
}

#[test]
fn reads_the_same_answer_from_a_file_as_from_stdin() {
    assert_eq!(data_bytes("requests/websocket.http"), RFC6455_REQUEST);
    let from_file = run_json([
        "negotiate".as_ref(),
        "--json".as_ref(),
        "--offer".as_ref(),
        "websocket".as_ref(),
        data("requests/websocket.http").as_os_str(),
    ]);
    let from_stdin = run_json_with_stdin(
        ["negotiate", "--json", "--offer", "websocket"],
        RFC6455_REQUEST,
    );
    assert_eq!(from_file, from_stdin);
}

#[test]
fn switches_the_chromium_websocket_handshake() {
    let (code, value) = negotiate_file("websocket-chromium.http");
    assert_eq!(code, 0);
    assert_eq!(value["outcome"], "switch");
    assert_eq!(value["protocol"], "websocket");
    assert_eq!(value["response"], RFC6455_101);
}

#[test]
fn switches_the_firefox_websocket_handshake_with_its_own_accept_value() {
    let (code, value) = negotiate_file("websocket-firefox.http");
    assert_eq!(code, 0);
    assert_eq!(value["outcome"], "switch");
    assert_eq!(value["status"], 101);
    assert_eq!(
        value["response"],
        "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: HSmrc0sMlYUkAGmm5OPpG2HaGWk=\r\n\r\n"
    );
}

#[test]
fn switches_the_curl_h2c_upgrade_with_http2_settings_in_connection() {
    let (code, value) = negotiate_file("h2c-curl.http");
    assert_eq!(code, 0);
    assert_eq!(
        value,
        json!({
            "outcome": "switch",
            "status": 101,
            "protocol": "h2c",
            "reason": "switched",
            "response": "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n",
            "request_body": {"framing": "none", "length": null},
            "interim_continue": false,
        })
    );
}

#[test]
fn ignores_upgrade_in_an_http10_request() {
    let (code, value) = negotiate_file("websocket-http10.http");
    assert_eq!(code, 0);
    assert_eq!(value, carry_on("http10-ignored"));
}

#[test]
fn does_not_switch_when_connection_lists_notupgrade() {
    let (code, value) = negotiate_file("websocket-notupgrade.http");
    assert_eq!(code, 0);
    assert_eq!(value, carry_on("connection-missing-upgrade"));
}

#[test]
fn does_not_switch_on_proxy_connection_upgrade() {
    let (code, value) = negotiate_file("websocket-proxy-connection.http");
    assert_eq!(code, 0);
    assert_eq!(value, carry_on("connection-missing-upgrade"));
}

#[test]
fn reports_a_content_length_body_and_100_continue_to_handle_before_the_switch() {
    let (code, value) = negotiate_file("post-content-length-expect.http");
    assert_eq!(code, 0);
    assert_eq!(
        value,
        json!({
            "outcome": "switch",
            "status": 101,
            "protocol": "foo/2",
            "reason": "switched",
            "response": "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: foo/2\r\n\r\n",
            "request_body": {"framing": "content-length", "length": 5},
            "interim_continue": true,
        })
    );
}

#[test]
fn reports_a_chunked_body_to_read_before_the_switch() {
    let (code, value) = negotiate_file("post-chunked.http");
    assert_eq!(code, 0);
    assert_eq!(value["outcome"], "switch");
    assert_eq!(
        value["request_body"],
        json!({"framing": "chunked", "length": null})
    );
    assert_eq!(value["interim_continue"], false);
}

#[test]
fn rejects_content_length_with_transfer_encoding_as_smuggling() {
    let (code, value) = negotiate_file("post-content-length-and-chunked.http");
    assert_eq!(code, 0);
    assert_eq!(value, reject("content-length-with-transfer-encoding"));
}

#[test]
fn rejects_a_malformed_upgrade_field() {
    let (code, value) = negotiate_file("upgrade-malformed.http");
    assert_eq!(code, 0);
    assert_eq!(value, reject("upgrade-malformed"));
}

#[test]
fn rejects_an_unparsable_head_with_400_request_malformed_and_exit_0() {
    for name in ["malformed-field-name.http", "incomplete-head.http"] {
        let (code, value) = negotiate_file(name);
        assert_eq!(code, 0, "{name}");
        assert_eq!(value, reject("request-malformed"), "{name}");
    }
}

#[test]
fn rejects_empty_input_as_request_malformed() {
    let (code, value) = run_json_with_stdin(["negotiate", "--json", "--offer", "websocket"], b"");
    assert_eq!(code, 0);
    assert_eq!(value, reject("request-malformed"));
}

#[test]
fn rejects_a_request_with_more_field_lines_than_the_buffer_holds() {
    let request = |fields: usize| {
        let mut bytes =
            b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: foo\r\n".to_vec();
        for i in 3..fields {
            bytes.extend_from_slice(format!("X-Filler-{i}: {i}\r\n").as_bytes());
        }
        bytes.extend_from_slice(b"\r\n");
        bytes
    };
    let args = ["negotiate", "--json", "--offer", "foo"];
    let (code, value) = run_json_with_stdin(args, &request(128));
    assert_eq!((code, &value["outcome"]), (0, &json!("switch")));
    let (code, value) = run_json_with_stdin(args, &request(129));
    assert_eq!(code, 0);
    assert_eq!(value, reject("request-malformed"));
}

#[test]
fn answers_426_with_version_13_for_an_unsupported_websocket_version() {
    let (code, value) = negotiate_file("websocket-version-8.http");
    assert_eq!(code, 0);
    assert_eq!(value["outcome"], "required");
    assert_eq!(value["status"], 426);
    assert_eq!(value["protocol"], "websocket");
    assert_eq!(value["reason"], "websocket-version-unsupported");
    assert_eq!(
        value["response"],
        "HTTP/1.1 426 Upgrade Required\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n"
    );
}

#[test]
fn require_turns_carrying_on_into_426_listing_the_offers() {
    let path = data("requests/websocket-notupgrade.http");
    let (code, value) = run_json([
        "negotiate".as_ref(),
        "--json".as_ref(),
        "--require".as_ref(),
        "--offer".as_ref(),
        "websocket".as_ref(),
        "--offer".as_ref(),
        "h2c".as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        value,
        json!({
            "outcome": "required",
            "status": 426,
            "protocol": null,
            "reason": "connection-missing-upgrade",
            "response": "HTTP/1.1 426 Upgrade Required\r\nConnection: upgrade\r\nUpgrade: websocket, h2c\r\nContent-Length: 0\r\n\r\n",
            "request_body": {"framing": "none", "length": null},
            "interim_continue": false,
        })
    );
}

#[test]
fn continues_when_no_offer_is_requested() {
    let (code, value) =
        run_json_with_stdin(["negotiate", "--json", "--offer", "h2c"], RFC6455_REQUEST);
    assert_eq!(code, 0);
    assert_eq!(value, carry_on("no-common-protocol"));
    let (code, value) = run_json_with_stdin(["negotiate", "--json"], RFC6455_REQUEST);
    assert_eq!(code, 0);
    assert_eq!(value, carry_on("no-common-protocol"));
}

#[test]
fn prefer_picks_the_clients_or_the_servers_first_common_protocol() {
    let request =
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: foo/2, bar\r\n\r\n";
    let offers = ["--offer", "bar", "--offer", "foo/2"];
    for (prefer, expected) in [
        (None, "foo/2"),
        (Some("client"), "foo/2"),
        (Some("server"), "bar"),
    ] {
        let args = ["negotiate", "--json"]
            .into_iter()
            .chain(prefer.map(|_| "--prefer"))
            .chain(prefer)
            .chain(offers);
        let (code, value) = run_json_with_stdin(args, request);
        assert_eq!(code, 0);
        assert_eq!(value["protocol"], expected, "{prefer:?}");
    }
}

#[test]
fn names_the_protocol_as_the_server_spelled_it() {
    let (code, value) = run_json_with_stdin(
        ["negotiate", "--json", "--offer", "WebSocket"],
        RFC6455_REQUEST,
    );
    assert_eq!(code, 0);
    assert_eq!(value["protocol"], "WebSocket");
    assert!(
        value["response"]
            .as_str()
            .unwrap()
            .contains("\r\nUpgrade: WebSocket\r\n")
    );
}

#[test]
fn reads_the_request_as_bytes_not_as_utf8() {
    let mut request = b"GET /chat HTTP/1.1\r\nHost: a\r\nUser-Agent: caf\xe9\xff\r\nConnection: upgrade\r\nUpgrade: foo\r\n\r\n\xff\xfe".to_vec();
    let (code, value) = run_json_with_stdin(["negotiate", "--json", "--offer", "foo"], &request);
    assert_eq!((code, &value["outcome"]), (0, &json!("switch")));

    // The same bytes inside Upgrade are outside the grammar.
    request =
        b"GET /chat HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: fo\xff\r\n\r\n".to_vec();
    let (code, value) = run_json_with_stdin(["negotiate", "--json", "--offer", "foo"], &request);
    assert_eq!(code, 0);
    assert_eq!(value, reject("upgrade-malformed"));
}

#[test]
fn prints_exactly_the_fields_of_the_contract() {
    for name in [
        "websocket.http",
        "websocket-http10.http",
        "incomplete-head.http",
    ] {
        let (_, value) = negotiate_file(name);
        let mut keys: Vec<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "interim_continue",
                "outcome",
                "protocol",
                "reason",
                "request_body",
                "response",
                "status"
            ],
            "{name}"
        );
    }
}

#[test]
fn invalid_offer_is_a_usage_error_with_a_caret_and_exit_2() {
    let output = run_with_stdin(
        ["negotiate", "--json", "--offer", "web socket"],
        RFC6455_REQUEST,
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert_eq!(
        stderr_text(&output),
        "upgrade-check: invalid --offer: missing comma between list elements at byte 4 (an offer is `name` or `name/version`, both tokens)\n  web socket\n      ^\n"
    );
}

#[test]
fn rejects_offers_outside_the_protocol_grammar_as_usage_errors() {
    for offer in ["", "foo/", "/2", "foo/1/2", "websocket;q=1", "\"h2c\""] {
        let output = run(["negotiate", "--offer", offer]);
        assert_eq!(output.status.code(), Some(2), "{offer:?}");
        assert!(output.stdout.is_empty(), "{offer:?}");
        assert!(
            stderr_text(&output).starts_with("upgrade-check: invalid --offer: "),
            "{offer:?}"
        );
    }
}

#[cfg(unix)]
#[test]
fn non_utf8_offer_is_a_usage_error_with_an_escaped_caret() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let output = run([
        OsStr::new("negotiate"),
        OsStr::new("--offer"),
        OsStr::from_bytes(b"web\xffsocket"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    assert_eq!(
        stderr_text(&output),
        "upgrade-check: invalid --offer: invalid byte in list at byte 3 (an offer is `name` or `name/version`, both tokens)\n  web\\xffsocket\n     ^\n"
    );
}

#[test]
fn several_protocols_in_one_offer_is_a_usage_error() {
    let output = run(["negotiate", "--offer", "websocket, h2c"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr_text(&output).contains("one protocol per --offer"));
}

#[test]
fn unreadable_file_is_a_usage_error_with_exit_2() {
    let missing = data("requests/no-such-file.http");
    let output = run(["negotiate".as_ref(), "--json".as_ref(), missing.as_os_str()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = stderr_text(&output);
    assert!(stderr.starts_with("upgrade-check: cannot read the request from "));
    assert!(stderr.contains("no-such-file.http"));

    let directory = data("requests");
    let output = run(["negotiate".as_ref(), directory.as_os_str()]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
}

#[test]
fn unknown_flag_or_preference_is_a_usage_error_with_exit_2() {
    for args in [
        &["negotiate", "--no-such-flag"][..],
        &["negotiate", "--prefer", "proxy"],
        &["negotiate", "--offer"],
        &["negotiate", "a.http", "b.http"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(!output.stderr.is_empty(), "{args:?}");
    }
}

#[test]
fn human_report_shows_decision_body_interim_and_response_lines() {
    let output = run_with_stdin(["negotiate", "--offer", "websocket"], RFC6455_REQUEST);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout_text(&output),
        "switch 101 websocket (switched)\n\
         \x20 switching protocols\n\
         request body: none\n\
         interim 100-continue: no\n\
         response:\n\
         \x20 HTTP/1.1 101 Switching Protocols\\r\\n\n\
         \x20 Connection: upgrade\\r\\n\n\
         \x20 Upgrade: websocket\\r\\n\n\
         \x20 Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\\r\\n\n\
         \x20 \\r\\n\n"
    );
    assert!(output.stderr.is_empty());
}

#[test]
fn human_report_gives_the_body_length_and_100_continue() {
    let path = data("requests/post-content-length-expect.http");
    let output = run([
        "negotiate".as_ref(),
        "--offer".as_ref(),
        "foo/2".as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout_text(&output);
    assert!(text.starts_with("switch 101 foo/2 (switched)\n"), "{text}");
    assert!(
        text.contains("\nrequest body: content-length 5\ninterim 100-continue: yes\n"),
        "{text}"
    );
}

#[test]
fn human_report_of_carrying_on_has_no_response() {
    let path = data("requests/websocket-notupgrade.http");
    let output = run([
        "negotiate".as_ref(),
        "--offer".as_ref(),
        "websocket".as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout_text(&output),
        "continue (connection-missing-upgrade)\n\
         \x20 the Connection field does not list the upgrade option\n\
         request body: none\n\
         interim 100-continue: no\n\
         response: none\n"
    );
}

#[test]
fn human_report_puts_the_caret_under_the_faulty_byte_of_upgrade() {
    let path = data("requests/upgrade-malformed.http");
    let output = run([
        "negotiate".as_ref(),
        "--offer".as_ref(),
        "websocket".as_ref(),
        path.as_os_str(),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout_text(&output);
    assert!(
        text.starts_with(
            "reject 400 (upgrade-malformed)\n\
             \x20 the Upgrade field is malformed or too long\n\
             \x20 Upgrade: invalid byte in list at line 0, byte 9\n\
             \x20   websocket;q=1\n\
             \x20            ^\n"
        ),
        "{text}"
    );
}

#[test]
fn human_report_says_why_a_head_could_not_be_parsed() {
    let path = data("requests/incomplete-head.http");
    let output = run(["negotiate".as_ref(), path.as_os_str()]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout_text(&output);
    assert!(
        text.starts_with(
            "reject 400 (request-malformed)\n\
             \x20 the request is not a well-formed HTTP/1.x request: incomplete message head\n\
             request body: not determined\n"
        ),
        "{text}"
    );
    assert!(text.ends_with("response:\n  HTTP/1.1 400 Bad Request\\r\\n\n  Connection: close\\r\\n\n  Content-Length: 0\\r\\n\n  \\r\\n\n"));
}

#[test]
fn human_report_never_writes_control_bytes_to_the_terminal() {
    // httparse refuses CTL in field values; a tab, obs-text and a UTF-8 NBSP get through.
    let request =
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: a\t\xff\xc2\xa0\r\n\r\n";
    let output = run_with_stdin(["negotiate", "--offer", "a"], request);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout_text(&output);
    assert!(
        text.bytes()
            .all(|b| b == b'\n' || (b' '..=b'~').contains(&b)),
        "{text:?}"
    );
    assert!(
        text.contains("    a\\t\\xff\\xc2\\xa0\n       ^\n"),
        "{text}"
    );
}

#[test]
fn json_answer_is_one_object_for_every_request_file() {
    for entry in std::fs::read_dir(data("requests")).unwrap() {
        let path = entry.unwrap().path();
        let output = run([
            "negotiate".as_ref(),
            "--json".as_ref(),
            "--offer".as_ref(),
            "websocket".as_ref(),
            path.as_os_str(),
        ]);
        let (code, value) = json_of(&output);
        assert_eq!(code, 0, "{}", path.display());
        let outcome = value["outcome"].as_str().unwrap();
        assert_eq!(
            value["response"].is_null(),
            outcome == "continue",
            "{}",
            path.display()
        );
    }
}

#[test]
fn rejects_http11_upgrades_without_exactly_one_valid_host() {
    for (file, reason) in [
        ("websocket-no-host.http", "host-missing"),
        ("websocket-two-hosts.http", "host-repeated"),
        ("websocket-host-invalid.http", "host-invalid"),
    ] {
        let (code, value) = negotiate_file(file);
        assert_eq!(code, 0, "{file}");
        assert_eq!(value, reject(reason), "{file}");
    }
}

#[test]
fn ignores_an_http10_upgrade_without_host() {
    let (code, value) = negotiate_file("websocket-http10-no-host.http");
    assert_eq!(code, 0);
    assert_eq!(
        (&value["outcome"], &value["reason"], &value["status"]),
        (&json!("continue"), &json!("http10-ignored"), &Value::Null)
    );
}

#[test]
fn processes_http_1_2_as_http_1_1() {
    let (code, value) = negotiate_file("websocket-http12.http");
    assert_eq!(code, 0);
    assert_eq!(
        (&value["outcome"], &value["status"], &value["protocol"]),
        (&json!("switch"), &json!(101), &json!("websocket"))
    );
}

#[test]
fn answers_505_to_another_major_version() {
    let (code, value) = negotiate_file("http2-request-line.http");
    assert_eq!(code, 0);
    assert_eq!(
        value,
        json!({
            "outcome": "reject",
            "status": 505,
            "protocol": null,
            "reason": "version-unsupported",
            "response": "HTTP/1.1 505 HTTP Version Not Supported\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            "request_body": {"framing": "none", "length": null},
            "interim_continue": false,
        })
    );
}
