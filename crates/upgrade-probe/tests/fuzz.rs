//! `--fuzz` catches a server that switches too readily, and shrinks what it reports: a
//! loopback server that answers 101 to every request with an `Upgrade` line (ignoring
//! `Connection`, the version and `Host`) is found out, and the request reported for each
//! failing class has fewer field lines than the first one that failed and still fails.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use upgrade_negotiate::{Outcome, Policy, Protocol, negotiate, parse_request};
use upgrade_probe::{Fuzz, Options, Target, run};
use upgrade_testkit::wire;

/// The most connections the test server accepts.
const MAX_CONNECTIONS: usize = 3000;
/// How long the test server waits for anything before it gives up on a connection.
const SERVER_WAIT: Duration = Duration::from_secs(5);

/// Starts the server that switches whenever the request has an `Upgrade` line.
fn start_eager_server() -> String {
    format!(
        "http://{}",
        wire::spawn_server(MAX_CONNECTIONS, serve_eagerly)
    )
}

fn serve_eagerly(mut stream: TcpStream) {
    stream.set_read_timeout(Some(SERVER_WAIT)).unwrap();
    let Some(head) = wire::read_head(&mut stream) else {
        return;
    };
    if wire::field(&head, "upgrade").is_none() {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        return;
    }
    let key = wire::field(&head, "sec-websocket-key").unwrap_or("");
    if stream
        .write_all(wire::websocket_101(key).as_bytes())
        .is_ok()
    {
        wire::answer_ping(&mut stream);
    }
}

/// Sends `request` to `url` and returns the status line of the answer.
fn status_line(url: &str, request: &[u8]) -> String {
    let address = url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(SERVER_WAIT)).unwrap();
    stream.write_all(request).unwrap();
    let mut answer = vec![0u8; 64];
    let n = stream.read(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]).into_owned();
    answer.lines().next().unwrap_or_default().to_owned()
}

/// What `negotiate` decides for a raw request, offering only websocket.
fn decides(request: &[u8]) -> Outcome {
    let mut headers = [upgrade_negotiate::EMPTY_HEADER; 64];
    let parsed = parse_request(request, &mut headers)
        .unwrap()
        .complete()
        .unwrap();
    let offers = [Protocol::parse(b"websocket").unwrap()];
    negotiate(parsed, &offers, &Policy::default()).outcome()
}

#[test]
fn fuzzing_finds_a_server_that_switches_on_any_upgrade_line_and_shrinks_what_it_reports() {
    let url = start_eager_server();
    let target = Target::parse(&url).unwrap();
    let options = Options {
        only: vec!["websocket-baseline".into()],
        timeout: Duration::from_secs(2),
        fuzz: Some(Fuzz {
            count: 100,
            seed: 1,
            rate: 2000,
            ..Fuzz::default()
        }),
        ..Options::default()
    };
    let started = Instant::now();
    let report = run(&target, &options).unwrap();
    eprintln!("the fuzz run took {:?}", started.elapsed());
    assert!(report.failed());
    let fuzz = report.fuzz.unwrap();
    assert_eq!((fuzz.seed, fuzz.sent, fuzz.errors), (1, 100, 0));
    let classes: Vec<&str> = fuzz.failures.iter().map(|f| f.class.as_str()).collect();
    for f in &fuzz.failures {
        eprintln!(
            "{} {}<-{} {}",
            f.class,
            f.lines,
            f.original_lines,
            f.request.escape_ascii()
        );
    }
    // What the server ignores: the version, `Host` and the `Connection` list.
    for class in [
        "101-request-not-http11",
        "101-request-host-invalid",
        "connection-malformed",
    ] {
        assert!(classes.contains(&class), "{class} not in {classes:?}");
    }
    let mut deduped = classes.clone();
    deduped.sort_unstable();
    deduped.dedup();
    assert_eq!(deduped.len(), classes.len(), "a class reported twice");
    for failure in &fuzz.failures {
        assert!(failure.lines <= failure.original_lines, "{failure:?}");
        assert!(failure.response.starts_with(b"HTTP/1.1 101"), "{failure:?}");
        // The reported request still fails: the server switches it again, and (but for a
        // switch that broke afterwards) the negotiator would not have.
        let request = &failure.request;
        let again = status_line(&url, request);
        assert!(again.starts_with("HTTP/1.1 101"), "{again}: {failure:?}");
        if failure.class != "broken-after-switch" {
            assert_ne!(decides(request), Outcome::Switch, "{failure:?}");
        }
    }
    let shrunk = fuzz
        .failures
        .iter()
        .filter(|f| f.lines < f.original_lines)
        .count();
    assert!(shrunk * 2 > fuzz.failures.len(), "{shrunk} shrunk");
    let host = fuzz
        .failures
        .iter()
        .find(|f| f.class == "101-request-host-invalid")
        .unwrap();
    assert_eq!(host.lines, 1, "only the Upgrade line is needed: {host:?}");
}
