//! `upgrade-check probe` as a process: against the real `upgrade-server`, which passes every
//! probe, and against a small misbehaving server, which fails some; JSON and JUnit output, exit
//! statuses, an unreachable target and usage errors.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;
use upgrade_testkit::process::{Listening, closed_loopback_port};
use upgrade_testkit::wire;

use common::{json_of, run, stderr_text, stdout_text};

/// A running `upgrade-server` and its URL.
struct Server {
    _process: Listening,
    url: String,
}

/// The `upgrade-server` binary next to `upgrade-check`, built first when it is not there.
fn server_binary() -> PathBuf {
    let check = PathBuf::from(env!("CARGO_BIN_EXE_upgrade-check"));
    let server = check.with_file_name(format!("upgrade-server{}", std::env::consts::EXE_SUFFIX));
    if !server.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "-p", "upgrade-examples", "--bin", "upgrade-server"])
            .status()
            .unwrap();
        assert!(status.success(), "cargo build -p upgrade-examples failed");
    }
    assert!(server.exists(), "{} is missing", server.display());
    server
}

/// Starts `upgrade-server --port 0` with `offers` and waits for its `listening on` line.
fn start_server(offers: &[&str]) -> Server {
    let mut command = Command::new(server_binary());
    command.args(["--port", "0"]);
    for offer in offers {
        command.args(["--offer", offer]);
    }
    let process = Listening::spawn(&mut command);
    Server {
        url: format!("http://{}", process.address()),
        _process: process,
    }
}

/// What the misbehaving server answers to every request: a switch to websocket without
/// `Sec-WebSocket-Accept`, whatever was asked (HTTP/1.0, h2c, an unknown protocol...).
const BARE_101: &[u8] =
    b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n";
/// The probes that [`BARE_101`] fails; the others are `n/a`, their baselines having failed.
const BARE_101_FAILS: [&str; 6] = [
    "h2c-baseline",
    "http10-websocket",
    "tunnel-after-ignored-upgrade",
    "tunnel-after-refusal",
    "upgrade-unknown-protocol",
    "websocket-baseline",
];
/// The most connections the misbehaving server accepts: a catalogue run opens about 50.
const MAX_CONNECTIONS: usize = 200;

/// Starts a server on 127.0.0.1 that answers every request head with [`BARE_101`], and
/// returns its URL. It runs until the test process ends.
fn start_bare_101_server() -> String {
    format!(
        "http://{}",
        wire::spawn_server(MAX_CONNECTIONS, answer_with_bare_101)
    )
}

/// Reads one request head (bounded), answers [`BARE_101`] and closes.
fn answer_with_bare_101(mut stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if wire::read_head(&mut stream).is_none() {
        return;
    }
    let _ = stream.write_all(BARE_101);
    let mut chunk = [0u8; 4096];
    let _ = stream.shutdown(Shutdown::Write);
    // Read until the client closes, so that closing does not reset the connection.
    while let Ok(1..) = stream.read(&mut chunk) {}
}

/// The verdict of every probe, by id, from a `--json` run.
fn verdicts(report: &Value) -> BTreeMap<String, String> {
    report["probes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_owned(),
                p["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn probe_json(url: &str) -> (i32, Value) {
    json_of(&run(["probe", "--json", url]))
}

#[test]
fn upgrade_server_passes_every_probe_with_both_offered() {
    let server = start_server(&[]);
    let started = Instant::now();
    let (status, report) = probe_json(&server.url);
    let elapsed = started.elapsed();
    eprintln!("the catalogue against upgrade-server took {elapsed:?}");
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    let verdicts = verdicts(&report);
    assert!(verdicts.len() >= 30);
    let not_pass: Vec<_> = verdicts
        .iter()
        .filter(|(_, v)| *v != "pass")
        .map(|(id, v)| format!("{id} {v}"))
        .collect();
    assert_eq!(not_pass, Vec::<String>::new(), "{report:#}");
    assert_eq!(status, 0, "no fail exits 0");
}

#[test]
fn upgrade_server_offering_one_protocol_gets_n_a_for_the_other_and_passes_the_rest() {
    for (offer, other) in [("websocket", "h2c"), ("h2c", "websocket")] {
        let server = start_server(&[offer]);
        let (status, report) = probe_json(&server.url);
        assert_eq!(status, 0, "--offer {offer}: {report:#}");
        for probe in report["probes"].as_array().unwrap() {
            let id = probe["id"].as_str().unwrap();
            let verdict = probe["verdict"].as_str().unwrap();
            let needs_other = id.starts_with(other)
                || (other == "websocket"
                    && ![
                        "http10-websocket",
                        "tunnel-after-refusal",
                        "tunnel-after-ignored-upgrade",
                        "upgrade-unknown-protocol",
                    ]
                    .contains(&id)
                    && !id.starts_with("h2c"));
            let expected = if needs_other { "n/a" } else { "pass" };
            assert_eq!(verdict, expected, "--offer {offer}: {probe}");
        }
    }
}

#[test]
fn json_report_has_the_contract_fields_and_a_consistent_summary() {
    let server = start_server(&["h2c"]);
    let (status, report) = probe_json(&server.url);
    assert_eq!(status, 0, "no fail with h2c alone: {report:#}");
    assert_eq!(report["target"], Value::String(server.url.clone()));
    // upgrade-server sends no Server field.
    assert_eq!(report["server"], Value::Null);
    let probes = report["probes"].as_array().unwrap();
    for probe in probes {
        let keys: Vec<_> = probe.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys.len(), 7, "{probe}");
        for key in [
            "id", "class", "rfc", "verdict", "detail", "request", "response",
        ] {
            assert!(probe[key].is_string(), "{key} in {probe}");
        }
        assert!(probe["request"].as_str().unwrap().contains(" HTTP/1."));
    }
    let summary = report["summary"].as_object().unwrap();
    let mut total = 0;
    for verdict in ["pass", "fail", "warn", "n/a", "error"] {
        let count = summary[verdict].as_u64().unwrap();
        let counted = probes.iter().filter(|p| p["verdict"] == verdict).count() as u64;
        assert_eq!(count, counted, "{verdict}");
        total += count;
    }
    assert_eq!(total, probes.len() as u64);
    let h2c = probes.iter().find(|p| p["id"] == "h2c-baseline").unwrap();
    assert_eq!(h2c["verdict"], "pass");
    assert_eq!(h2c["class"], "baseline");
    assert!(
        h2c["response"]
            .as_str()
            .unwrap()
            .starts_with("HTTP/1.1 101 ")
    );
}

/// Runs the probe with `--junit FILE` against `url`: its output and the XML written.
fn probe_junit(url: &str) -> (Output, String) {
    let dir = std::env::temp_dir().join(format!(
        "upgrade-check-junit-{}-{}",
        std::process::id(),
        url.rsplit(':').next().unwrap()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("probe.xml");
    let output = run(["probe", "--junit", file.to_str().unwrap(), url]);
    let xml = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
    let cases = xml.matches("<testcase ").count();
    assert_eq!(cases, xml.matches("</testcase>").count());
    assert!(cases >= 30);
    assert!(xml.contains(&format!("tests=\"{cases}\"")));
    assert!(!xml.contains("<error "));
    (output, xml)
}

/// The `<testcase>` element of probe `id`.
fn testcase<'x>(xml: &'x str, id: &str) -> &'x str {
    xml.split("<testcase ")
        .find(|case| case.contains(&format!("name=\"{id}\"")))
        .unwrap_or_else(|| panic!("no testcase {id} in {xml}"))
}

#[test]
fn junit_of_upgrade_server_has_no_failure_and_skips_the_protocol_not_offered() {
    let server = start_server(&["websocket"]);
    let (output, xml) = probe_junit(&server.url);
    assert_eq!(output.status.code(), Some(0), "{}", stdout_text(&output));
    assert_eq!(xml.matches("<failure ").count(), 0, "{xml}");
    assert!(xml.contains("failures=\"0\""), "{xml}");
    assert!(testcase(&xml, "h2c-baseline").contains("<skipped "));
    assert!(!testcase(&xml, "websocket-baseline").contains("<skipped "));
    // The human report still goes to stdout.
    assert!(stdout_text(&output).contains("websocket-baseline"));
}

#[test]
fn junit_has_a_failure_for_each_fail_of_a_misbehaving_server() {
    let url = start_bare_101_server();
    let (output, xml) = probe_junit(&url);
    assert_eq!(output.status.code(), Some(1), "{}", stdout_text(&output));
    assert_eq!(
        xml.matches("<failure ").count(),
        BARE_101_FAILS.len(),
        "{xml}"
    );
    assert!(xml.contains(&format!("failures=\"{}\"", BARE_101_FAILS.len())));
    for id in BARE_101_FAILS {
        assert!(
            testcase(&xml, id).contains("<failure type=\"fail\""),
            "{id}"
        );
    }
    // The probes whose baseline failed are skipped.
    assert!(testcase(&xml, "connection-missing").contains("<skipped "));
}

#[test]
fn json_of_a_misbehaving_server_names_exactly_its_fails() {
    let url = start_bare_101_server();
    let (status, report) = probe_json(&url);
    assert_eq!(status, 1, "a fail exits 1");
    let verdicts = verdicts(&report);
    let fails: Vec<_> = verdicts
        .iter()
        .filter(|(_, v)| *v == "fail")
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(fails, BARE_101_FAILS, "{report:#}");
    assert!(
        verdicts.values().all(|v| v == "fail" || v == "n/a"),
        "{report:#}"
    );
}

#[test]
fn human_report_groups_by_class_with_fails_first() {
    let url = start_bare_101_server();
    let output = run(["probe", &url]);
    let text = stdout_text(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with(&format!("probe {url} (")), "{text}");
    assert!(lines[1].contains(" 6 fail, "), "{text}");
    // The first class listed is one with fails; each fail shows what came back.
    assert_eq!(lines[3], "baseline", "{text}");
    assert!(lines[4].starts_with("  fail "), "{text}");
    assert!(
        lines[5]
            .trim_start()
            .starts_with("got: HTTP/1.1 101 Switching Protocols\\r\\n"),
        "{text}"
    );
    // A class without fails comes after every class with one.
    let first_without_fail = text.find("\nsubstring-match\n").unwrap();
    let last_fail = text.rfind("  fail ").unwrap();
    assert!(last_fail < first_without_fail, "{text}");
}

#[test]
fn human_report_of_upgrade_server_counts_no_fail() {
    let server = start_server(&[]);
    let output = run(["probe", &server.url]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout_text(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[1].contains(" 0 fail, "), "{text}");
    assert!(
        text.contains("\nbaseline\n  pass  websocket-baseline "),
        "{text}"
    );
    assert!(!text.contains("  fail "), "{text}");
}

#[test]
fn only_runs_the_named_probes() {
    let server = start_server(&[]);
    let (status, report) = json_of(&run([
        "probe",
        "--json",
        "--only",
        "upgrade-xwebsocket",
        "--only",
        "h2c-post-body",
        &server.url,
    ]));
    assert_eq!(status, 0);
    let verdicts = verdicts(&report);
    assert_eq!(
        verdicts.keys().collect::<Vec<_>>(),
        ["h2c-post-body", "upgrade-xwebsocket"]
    );
    assert!(verdicts.values().all(|v| v == "pass"), "{verdicts:?}");
}

#[test]
fn unreachable_target_exits_2_at_once() {
    let port = closed_loopback_port();
    let started = Instant::now();
    let output = run(["probe", &format!("http://127.0.0.1:{port}")]);
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr_text(&output).contains("unreachable"),
        "{}",
        stderr_text(&output)
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn usage_errors_exit_2() {
    let port = closed_loopback_port();
    let url = format!("http://127.0.0.1:{port}");
    for args in [
        vec!["probe", "ftp://127.0.0.1"],
        vec!["probe", "http://127.0.0.1/chat"],
        vec!["probe"],
        vec!["probe", "--ws-path", "chat", &url],
        vec!["probe", "--h2c-path", "/a b", &url],
        vec!["probe", "--only", "no-such-probe", &url],
        vec!["probe", "--json", "--junit", "x.xml", &url],
        vec!["probe", "--timeout", "0", &url],
        vec!["probe", "--insecure", "--cacert", "ca.pem", &url],
        vec!["probe", "--seed", "1", &url],
        vec!["probe", "--rate", "10", &url],
        vec!["probe", "--fuzz", "0", &url],
        vec!["probe", "--fuzz", "10", "--rate", "0", &url],
        vec![
            "probe",
            "--cacert",
            "/nonexistent/ca.pem",
            "https://127.0.0.1:1",
        ],
    ] {
        let output = run(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr_text(&output)
        );
        assert!(!stderr_text(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn fuzz_against_upgrade_server_finds_nothing() {
    let server = start_server(&[]);
    let started = Instant::now();
    let (status, report) = json_of(&run([
        "probe",
        "--json",
        "--only",
        "websocket-baseline",
        "--fuzz",
        "200",
        "--seed",
        "1",
        &server.url,
    ]));
    let elapsed = started.elapsed();
    eprintln!("--fuzz 200 against upgrade-server took {elapsed:?}");
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    assert_eq!(verdicts(&report)["websocket-baseline"], "pass");
    let fuzz = &report["fuzz"];
    let keys: Vec<_> = fuzz.as_object().unwrap().keys().cloned().collect();
    assert_eq!(
        keys,
        [
            "errors",
            "failures",
            "out_of_time",
            "seed",
            "sent",
            "switched"
        ],
        "{fuzz:#}"
    );
    assert_eq!(fuzz["seed"], 1);
    assert_eq!(fuzz["sent"], 200);
    assert_eq!(fuzz["errors"], 0, "{fuzz:#}");
    assert_eq!(fuzz["out_of_time"], false);
    // The adaptation makes many requests handshakes: a run that never switches tests little.
    assert!(fuzz["switched"].as_u64().unwrap() >= 10, "{fuzz:#}");
    let failures = fuzz["failures"].as_array().unwrap();
    assert!(failures.is_empty(), "{fuzz:#}");
    assert_eq!(status, 0, "no fail, no fuzz failure: exit 0");
}

#[test]
fn human_report_has_a_fuzz_section_with_the_seed_to_repeat_it() {
    let server = start_server(&[]);
    let output = run([
        "probe",
        "--only",
        "h2c-baseline",
        "--fuzz",
        "20",
        "--seed",
        "77",
        "--rate",
        "1000",
        &server.url,
    ]);
    let text = stdout_text(&output);
    assert!(text.contains("\nfuzz (--seed 77): 20 sent, "), "{text}");
    // Without --seed, the seed drawn from the clock is printed.
    let output = run([
        "probe",
        "--only",
        "h2c-baseline",
        "--fuzz",
        "1",
        &server.url,
    ]);
    let text = stdout_text(&output);
    assert!(text.contains("fuzz (--seed "), "{text}");
}
