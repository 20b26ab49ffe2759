//! `upgrade-check probe` over TLS: a websocket server behind rustls on 127.0.0.1, in this test
//! process, with a CA and a certificate made at test time by rcgen. The probe trusts it with
//! `--cacert` or `--insecure`, grades the websocket baseline over TLS as over TCP and the h2c
//! probes `n/a`; without either, the certificate is refused and the target is unreachable:
//! exit 2 at once, as for a refused connection (DESIGN.md section 8: "2 usage errors or an
//! unreachable target"), since no probe can be sent.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use serde_json::Value;
use upgrade_testkit::wire;

use common::{json_of, run, stderr_text};

/// The most connections the test server accepts.
const MAX_CONNECTIONS: usize = 64;
/// How long the test server waits for anything before it gives up on a connection.
const SERVER_WAIT: Duration = Duration::from_secs(5);

/// A TLS server on 127.0.0.1 and the PEM file of the CA that signed its certificate.
struct TlsServer {
    url: String,
    ca_file: PathBuf,
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

/// A CA, and a certificate for `127.0.0.1` and `localhost` signed by it, as a rustls server
/// configuration (ring provider) and the CA's PEM.
fn certificates() -> (Arc<ServerConfig>, String) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone(), ca.der().clone()],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
        )
        .unwrap();
    (Arc::new(config), ca.pem())
}

/// Starts the server: websocket at every path, no h2c, `200` to anything else.
fn start_tls_server(name: &str) -> TlsServer {
    let (config, ca_pem) = certificates();
    let ca_file = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("probe-tls-{name}-{}.pem", std::process::id()));
    std::fs::write(&ca_file, ca_pem).unwrap();
    let addr = wire::spawn_server(MAX_CONNECTIONS, move |tcp| serve(tcp, Arc::clone(&config)));
    let url = format!("https://{addr}");
    TlsServer { url, ca_file }
}

fn serve(tcp: TcpStream, config: Arc<ServerConfig>) {
    tcp.set_read_timeout(Some(SERVER_WAIT)).unwrap();
    let Ok(connection) = ServerConnection::new(config) else {
        return;
    };
    let mut tls = StreamOwned::new(connection, tcp);
    // A client that refused the certificate ends here.
    let Some(head) = wire::read_head(&mut tls) else {
        return;
    };
    let value = |name| wire::field(&head, name);
    let websocket = head.starts_with("GET ")
        && head.contains(" HTTP/1.1\r\n")
        && value("upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
        && value("connection").is_some_and(|v| v.to_ascii_lowercase().contains("upgrade"))
        && value("sec-websocket-version") == Some("13");
    match value("sec-websocket-key").filter(|_| websocket) {
        Some(key) => {
            if tls.write_all(wire::websocket_101(key).as_bytes()).is_ok() {
                wire::answer_ping(&mut tls);
            }
        }
        None => {
            let _ = tls.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    }
}

/// The verdict of `id` in a `--json` report.
fn verdict<'a>(report: &'a Value, id: &str) -> &'a str {
    report["probes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))["verdict"]
        .as_str()
        .unwrap()
}

const PROBES: [&str; 8] = [
    "--only",
    "websocket-baseline",
    "--only",
    "upgrade-xwebsocket",
    "--only",
    "h2c-baseline",
    "--only",
    "h2c-settings-missing",
];

#[test]
fn probes_a_tls_server_trusted_by_cacert_or_insecure_with_h2c_not_applicable() {
    let server = start_tls_server("trusted");
    let ca = server.ca_file.to_str().unwrap();
    for trust in [vec!["--cacert", ca], vec!["--insecure"]] {
        let mut args = vec!["probe", "--json"];
        args.extend(&trust);
        args.extend(PROBES);
        args.push(&server.url);
        let (status, report) = json_of(&run(&args));
        assert_eq!(status, 0, "{trust:?}: {report:#}");
        assert_eq!(report["target"], Value::String(server.url.clone()));
        assert_eq!(verdict(&report, "websocket-baseline"), "pass", "{report:#}");
        assert_eq!(verdict(&report, "upgrade-xwebsocket"), "pass", "{report:#}");
        for h2c in ["h2c-baseline", "h2c-settings-missing"] {
            assert_eq!(verdict(&report, h2c), "n/a", "{report:#}");
        }
        let detail = report["probes"][0]["detail"].as_str().unwrap();
        assert!(detail.contains("the ping got its pong"), "{detail}");
    }
}

#[test]
fn tls_server_with_an_unknown_issuer_is_unreachable_and_exits_2() {
    let server = start_tls_server("untrusted");
    // Another server's CA: trusted, but not the issuer of this server's certificate (it has
    // the same name as the real issuer, so rustls reports a bad signature, not an unknown
    // issuer).
    let other = start_tls_server("other-ca");
    let other_ca = other.ca_file.to_str().unwrap();
    // The Mozilla roots (the default) do not know the test CA either.
    for trust in [vec![], vec!["--cacert", other_ca]] {
        let started = Instant::now();
        let mut args = vec!["probe", "--json"];
        args.extend(&trust);
        args.push(&server.url);
        let output = run(&args);
        assert!(started.elapsed() < Duration::from_secs(5));
        let stderr = stderr_text(&output);
        assert_eq!(output.status.code(), Some(2), "{trust:?}: {stderr}");
        assert!(
            stderr.contains("unreachable") && stderr.contains("invalid peer certificate"),
            "{trust:?}: {stderr}"
        );
        assert!(output.stdout.is_empty(), "no report: nothing was probed");
    }
}
