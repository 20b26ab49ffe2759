//! Each grader catches what it claims: small servers on 127.0.0.1, each wrong in one way,
//! get the exact verdict from the probe aimed at that mistake, and every probe of the
//! catalogue finishes against each of them (no hang, no panic). A server that is right in
//! every way gets no `fail` and no `error`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

use upgrade_probe::{Options, Report, Target, Verdict, run};
use upgrade_testkit::handshakes::{WEBSOCKET_ACCEPT, WEBSOCKET_KEY};
use upgrade_testkit::wire;

/// The one way a test server is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Quirk {
    /// None: a small server that follows the RFCs.
    Conforming,
    /// Follows the RFCs and speaks no protocol but HTTP/1.1: every upgrade is ignored.
    NoUpgrades,
    /// Switches HTTP/1.0 requests to websocket.
    SwitchesHttp10,
    /// Answers a websocket handshake with websocket frame bytes and no 101.
    FramesWithout101,
    /// Puts `Content-Length: 0` in its 101.
    ContentLengthIn101,
    /// Refuses websocket version 99 with a 426, then echoes every byte that follows, raw.
    TunnelAfter426,
    /// Reads the request and never answers.
    Silent,
    /// Answers with a chunked body that never ends.
    Endless,
    /// Resets every connection.
    Resets,
    /// Sends its 426 without `Upgrade`.
    RequiredWithoutUpgrade,
    /// Refuses websocket version 99 without `Sec-WebSocket-Version`.
    VersionRefusalWithoutVersions,
    /// Switches to websocket whatever the request's `Upgrade` names.
    SwitchesToUnoffered,
    /// Sends its 101 without `Connection: upgrade`.
    NoConnectionIn101,
    /// Switches to h2c without `HTTP2-Settings`.
    H2cWithoutSettings,
    /// Sends `HTTP/1.0 101`.
    Http10StatusLine,
    /// Switches requests without `Host`.
    IgnoresHost,
    /// Switches `Expect: 100-continue` requests without a 100 first, body not read.
    SkipsContinue,
}

/// How long a test server waits for anything before it gives up on a connection.
const SERVER_WAIT: Duration = Duration::from_secs(10);
/// The most connections a test server accepts.
const MAX_CONNECTIONS: usize = 200;

/// Starts a server with `quirk` on 127.0.0.1 and returns its URL.
fn start(quirk: Quirk) -> String {
    let addr = wire::spawn_server(MAX_CONNECTIONS, move |stream| serve(stream, quirk));
    format!("http://{addr}")
}

/// A request head as the test server sees it, parsed naively.
struct Asked {
    method: String,
    http10: bool,
    fields: Vec<(String, String)>,
}

impl Asked {
    fn values(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The non-empty elements of every line of a list field.
    fn list(&self, name: &str) -> Vec<String> {
        self.values(name)
            .iter()
            .flat_map(|v| v.split(','))
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty())
            .collect()
    }

    fn length(&self) -> usize {
        self.values("content-length")
            .first()
            .map_or(0, |v| v.trim().parse().unwrap())
    }
}

fn is_token(element: &str) -> bool {
    !element.is_empty()
        && element
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~/".contains(&b))
}

/// Reads one request head; `None` when the client is gone.
fn read_head(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Option<Asked> {
    loop {
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&pending[..end]).into_owned();
            pending.drain(..end + 4);
            let mut lines = head.split("\r\n");
            let mut start = lines.next()?.split(' ');
            let method = start.next()?.to_owned();
            let http10 = start.nth(1)? == "HTTP/1.0";
            let fields = lines
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.to_owned(), v.trim().to_owned()))
                .collect();
            return Some(Asked {
                method,
                http10,
                fields,
            });
        }
        if pending.len() > 65536 {
            return None;
        }
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
        }
    }
}

fn read_body(stream: &mut TcpStream, pending: &mut Vec<u8>, length: usize) -> Option<()> {
    while pending.len() < length {
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return None,
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
        }
    }
    pending.drain(..length);
    Some(())
}

fn serve(mut stream: TcpStream, quirk: Quirk) {
    stream.set_read_timeout(Some(SERVER_WAIT)).unwrap();
    stream.set_write_timeout(Some(SERVER_WAIT)).unwrap();
    if quirk == Quirk::Resets {
        // Closing with unread bytes makes the kernel send a reset.
        let _ = stream.read(&mut [0u8; 1]);
        return;
    }
    let mut pending = Vec::new();
    for _ in 0..4 {
        let Some(asked) = read_head(&mut stream, &mut pending) else {
            return;
        };
        if !answer(&mut stream, &mut pending, &asked, quirk) {
            return;
        }
    }
}

/// Answers one request; `false` when the connection is done.
fn answer(stream: &mut TcpStream, pending: &mut Vec<u8>, asked: &Asked, quirk: Quirk) -> bool {
    let send = |stream: &mut TcpStream, bytes: &[u8]| stream.write_all(bytes).is_ok();
    let ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n";
    let bad = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
    match quirk {
        Quirk::Silent => {
            let _ = stream.read(&mut [0u8; 1]);
            return false;
        }
        Quirk::Endless => {
            send(
                stream,
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            );
            let chunk = [b"1000\r\n".as_slice(), &[b'a'; 4096], b"\r\n"].concat();
            // Bounded: 64 MiB at most, far over the probe's bound.
            for _ in 0..16384 {
                if !send(stream, &chunk) {
                    break;
                }
            }
            return false;
        }
        Quirk::FramesWithout101 => {
            send(stream, b"\x81\x05hello");
            return false;
        }
        _ => {}
    }
    let hosts = asked.values("host").len();
    if quirk != Quirk::IgnoresHost && ((!asked.http10 && hosts != 1) || hosts > 1) {
        send(stream, bad.as_bytes());
        return false;
    }
    if !asked.values("content-length").is_empty() && !asked.values("transfer-encoding").is_empty() {
        send(stream, bad.as_bytes());
        return false;
    }
    let raw_upgrade: Vec<&str> = asked.values("upgrade");
    let upgrade = asked.list("upgrade");
    let connection = asked.list("connection");
    if raw_upgrade.iter().any(|v| {
        v.split(',')
            .any(|e| !e.trim().is_empty() && !is_token(e.trim()))
    }) || connection.iter().any(|e| !is_token(e) || e.contains('/'))
    {
        send(stream, bad.as_bytes());
        return false;
    }
    let asked_upgrade = quirk != Quirk::NoUpgrades
        && !upgrade.is_empty()
        && connection.iter().any(|o| o == "upgrade");
    let switch_http10 = quirk == Quirk::SwitchesHttp10;
    if !asked_upgrade || (asked.http10 && !switch_http10) {
        if read_body(stream, pending, asked.length()).is_none() {
            return false;
        }
        if asked.http10 {
            send(stream, b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n");
            return false;
        }
        return send(stream, ok.as_bytes());
    }
    let websocket = upgrade.iter().any(|p| p == "websocket")
        || (quirk == Quirk::SwitchesToUnoffered && asked.method == "GET");
    let h2c = upgrade.iter().any(|p| p == "h2c");
    if websocket && asked.method == "GET" {
        if asked.values("sec-websocket-version") != ["13"] {
            let refusal = match quirk {
                Quirk::RequiredWithoutUpgrade => {
                    "HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n"
                }
                Quirk::VersionRefusalWithoutVersions => {
                    "HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nConnection: upgrade\r\nContent-Length: 0\r\n\r\n"
                }
                _ => {
                    "HTTP/1.1 426 Upgrade Required\r\nUpgrade: websocket\r\nConnection: upgrade\r\nSec-WebSocket-Version: 13\r\nContent-Length: 0\r\n\r\n"
                }
            };
            if !send(stream, refusal.as_bytes()) {
                return false;
            }
            if quirk == Quirk::TunnelAfter426 {
                echo(stream, pending);
                return false;
            }
            return true;
        }
        if asked.values("sec-websocket-key") != [WEBSOCKET_KEY] {
            send(stream, bad.as_bytes());
            return false;
        }
        if asked
            .values("expect")
            .iter()
            .any(|e| e.eq_ignore_ascii_case("100-continue"))
            && quirk != Quirk::SkipsContinue
            && !send(stream, b"HTTP/1.1 100 Continue\r\n\r\n")
        {
            return false;
        }
        if quirk != Quirk::SkipsContinue && read_body(stream, pending, asked.length()).is_none() {
            return false;
        }
        let status = if quirk == Quirk::Http10StatusLine {
            "HTTP/1.0"
        } else {
            "HTTP/1.1"
        };
        let connection = if quirk == Quirk::NoConnectionIn101 {
            ""
        } else {
            "Connection: upgrade\r\n"
        };
        let length = if quirk == Quirk::ContentLengthIn101 {
            "Content-Length: 0\r\n"
        } else {
            ""
        };
        let head = format!(
            "{status} 101 Switching Protocols\r\n{connection}Upgrade: websocket\r\nSec-WebSocket-Accept: {WEBSOCKET_ACCEPT}\r\n{length}\r\n"
        );
        if send(stream, head.as_bytes()) {
            websocket_echo(stream, pending);
        }
        return false;
    }
    let settings = asked.values("http2-settings").len() == 1
        && connection.iter().any(|o| o == "http2-settings");
    if h2c && (settings || quirk == Quirk::H2cWithoutSettings) {
        if read_body(stream, pending, asked.length()).is_none() {
            return false;
        }
        if send(
            stream,
            b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n",
        ) {
            h2(stream, pending);
        }
        return false;
    }
    if websocket || h2c {
        send(stream, bad.as_bytes());
        return false;
    }
    if read_body(stream, pending, asked.length()).is_none() {
        return false;
    }
    send(stream, ok.as_bytes())
}

/// Echoes every byte, raw: a tunnel.
fn echo(stream: &mut TcpStream, pending: &[u8]) {
    if stream.write_all(pending).is_err() {
        return;
    }
    let mut chunk = [0u8; 4096];
    while let Ok(n @ 1..) = stream.read(&mut chunk) {
        if stream.write_all(&chunk[..n]).is_err() {
            return;
        }
    }
}

/// Reads client frames (masked, small) and answers a ping with a pong, a data frame with the
/// same data, a close with a close.
fn websocket_echo(stream: &mut TcpStream, pending: &mut Vec<u8>) {
    loop {
        while pending.len() < 2 || pending.len() < 6 + usize::from(pending[1] & 0x7f) {
            let mut chunk = [0u8; 4096];
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => pending.extend_from_slice(&chunk[..n]),
            }
            if pending.len() >= 2 && pending[1] & 0x7f >= 126 {
                return;
            }
        }
        let opcode = pending[0] & 0x0f;
        let length = usize::from(pending[1] & 0x7f);
        let mask = [pending[2], pending[3], pending[4], pending[5]];
        let payload: Vec<u8> = pending[6..6 + length]
            .iter()
            .zip(mask.iter().cycle())
            .map(|(b, m)| b ^ m)
            .collect();
        pending.drain(..6 + length);
        let reply = match opcode {
            0x9 => 0x8a,
            0x8 => 0x88,
            _ => 0x80 | opcode,
        };
        let mut frame = vec![reply, length as u8];
        frame.extend_from_slice(&payload);
        if stream.write_all(&frame).is_err() || opcode == 0x8 {
            let _ = stream.shutdown(Shutdown::Write);
            return;
        }
    }
}

/// Reads the preface and answers stream 1 with SETTINGS and HEADERS `:status 200`, end of
/// stream.
fn h2(stream: &mut TcpStream, pending: &mut Vec<u8>) {
    while pending.len() < 24 {
        let mut chunk = [0u8; 4096];
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) => pending.extend_from_slice(&chunk[..n]),
        }
    }
    if !pending.starts_with(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") {
        let _ = stream.write_all(&[0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        return;
    }
    let _ = stream.write_all(&[0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1, 1, 5, 0, 0, 0, 1, 0x88]);
    let _ = stream.read(&mut [0u8; 64]);
}

/// The catalogue, in order.
fn catalogue() -> Vec<upgrade_probe::Probe> {
    upgrade_probe::catalogue(&upgrade_probe::Context {
        host: String::new(),
        ws_path: "/".into(),
        h2c_path: "/".into(),
    })
}

/// Runs the whole catalogue with a short timeout.
fn probe(url: &str) -> (Report, Duration) {
    let options = Options {
        timeout: Duration::from_millis(500),
        silence: Duration::from_millis(200),
        ..Options::default()
    };
    let started = Instant::now();
    let report = run(&Target::parse(url).unwrap(), &options).unwrap();
    (report, started.elapsed())
}

fn verdict(report: &Report, id: &str) -> Verdict {
    report
        .results
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no {id}"))
        .verdict
}

/// The catalogue against a server with `quirk`: the probe `id` gets `expected`; every probe
/// has a result, within a bound of the timeout per probe.
fn assert_caught(quirk: Quirk, id: &str, expected: Verdict) -> Report {
    let (report, elapsed) = probe(&start(quirk));
    let all = catalogue();
    assert_eq!(
        report.results.len(),
        all.len(),
        "{quirk:?}: every probe finishes"
    );
    // At most two timeouts per probe (an answer and a second request), plus slack.
    assert!(
        elapsed < Duration::from_millis(1000) * all.len() as u32 + Duration::from_secs(2),
        "{quirk:?} took {elapsed:?}"
    );
    let result = report.results.iter().find(|r| r.id == id).unwrap();
    assert_eq!(
        result.verdict, expected,
        "{quirk:?} {id}: {}",
        result.detail
    );
    report
}

#[test]
fn a_conforming_server_gets_no_fail_and_no_error() {
    let (report, _) = probe(&start(Quirk::Conforming));
    let bad: Vec<_> = report
        .results
        .iter()
        .filter(|r| {
            matches!(
                r.verdict,
                Verdict::Fail | Verdict::Error | Verdict::NotApplicable
            )
        })
        .map(|r| format!("{} {} {}", r.verdict, r.id, r.detail))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn a_server_without_upgrades_gets_n_a_for_every_probe_that_needs_one_and_no_fail() {
    let (report, _) = probe(&start(Quirk::NoUpgrades));
    let probes = catalogue();
    for (probe, result) in probes.iter().zip(&report.results) {
        assert_eq!(probe.id, result.id);
        let expected = match probe.needs {
            upgrade_probe::Needs::Nothing => Verdict::Pass,
            _ => Verdict::NotApplicable,
        };
        assert_eq!(result.verdict, expected, "{}: {}", result.id, result.detail);
    }
}

#[test]
fn fails_a_101_to_http10() {
    assert_caught(Quirk::SwitchesHttp10, "http10-websocket", Verdict::Fail);
}

#[test]
fn fails_a_switch_with_no_101() {
    let report = assert_caught(Quirk::FramesWithout101, "websocket-baseline", Verdict::Fail);
    // No valid switch at the baseline: what depends on websocket is n/a.
    assert_eq!(
        verdict(&report, "upgrade-mixed-case"),
        Verdict::NotApplicable
    );
}

#[test]
fn fails_content_length_in_a_101() {
    assert_caught(
        Quirk::ContentLengthIn101,
        "websocket-baseline",
        Verdict::Fail,
    );
}

#[test]
fn fails_a_tunnel_kept_after_a_426() {
    assert_caught(Quirk::TunnelAfter426, "tunnel-after-refusal", Verdict::Fail);
}

#[test]
fn errors_on_a_server_that_never_answers_within_the_bound() {
    let report = assert_caught(Quirk::Silent, "websocket-baseline", Verdict::Error);
    assert_eq!(verdict(&report, "upgrade-unknown-protocol"), Verdict::Error);
}

#[test]
fn errors_on_endless_bytes_within_the_bound() {
    assert_caught(Quirk::Endless, "websocket-baseline", Verdict::Error);
}

#[test]
fn errors_on_a_reset() {
    assert_caught(Quirk::Resets, "websocket-baseline", Verdict::Error);
}

#[test]
fn fails_a_426_without_upgrade() {
    assert_caught(
        Quirk::RequiredWithoutUpgrade,
        "websocket-version-99",
        Verdict::Fail,
    );
}

#[test]
fn fails_a_version_refusal_without_sec_websocket_version() {
    assert_caught(
        Quirk::VersionRefusalWithoutVersions,
        "websocket-version-99",
        Verdict::Fail,
    );
}

#[test]
fn fails_a_101_naming_a_protocol_not_offered() {
    assert_caught(
        Quirk::SwitchesToUnoffered,
        "upgrade-xwebsocket",
        Verdict::Fail,
    );
}

#[test]
fn fails_a_101_without_connection_upgrade() {
    assert_caught(
        Quirk::NoConnectionIn101,
        "websocket-baseline",
        Verdict::Fail,
    );
}

#[test]
fn fails_an_h2c_switch_without_http2_settings() {
    let report = assert_caught(
        Quirk::H2cWithoutSettings,
        "h2c-settings-missing",
        Verdict::Fail,
    );
    assert_eq!(verdict(&report, "h2c-baseline"), Verdict::Pass);
}

#[test]
fn fails_an_http10_status_line_in_a_101() {
    assert_caught(Quirk::Http10StatusLine, "websocket-baseline", Verdict::Fail);
}

#[test]
fn fails_a_101_to_a_request_without_host() {
    let report = assert_caught(Quirk::IgnoresHost, "host-missing", Verdict::Fail);
    assert_eq!(verdict(&report, "host-repeated"), Verdict::Fail);
}

#[test]
fn fails_a_101_before_100_continue() {
    assert_caught(
        Quirk::SkipsContinue,
        "websocket-expect-continue",
        Verdict::Fail,
    );
}

/// The read bounds: a silent server and an endless one each take about one timeout for one
/// probe, not more.
#[test]
fn a_silent_or_endless_server_costs_one_timeout() {
    for quirk in [Quirk::Silent, Quirk::Endless] {
        let url = start(quirk);
        let options = Options {
            timeout: Duration::from_millis(300),
            only: vec!["upgrade-unknown-protocol".into()],
            ..Options::default()
        };
        let started = Instant::now();
        let report = run(&Target::parse(&url).unwrap(), &options).unwrap();
        let elapsed = started.elapsed();
        assert_eq!(report.results.len(), 1);
        assert_eq!(report.results[0].verdict, Verdict::Error, "{quirk:?}");
        assert!(
            elapsed < Duration::from_millis(1500),
            "{quirk:?} took {elapsed:?}"
        );
    }
}

#[test]
fn an_unreachable_target_is_an_error_before_any_probe() {
    let port = upgrade_testkit::process::closed_loopback_port();
    let started = Instant::now();
    let result = run(
        &Target::parse(&format!("http://127.0.0.1:{port}")).unwrap(),
        &Options::default(),
    );
    assert!(matches!(
        result,
        Err(upgrade_probe::RunError::Unreachable(_))
    ));
    assert!(started.elapsed() < Duration::from_secs(2));
}
