//! Scenarios with real clients: curl, the Python `websockets` library, headless Chromium.

use std::process::Command;
use std::time::Duration;

use super::server::{Output, Server, run_client};
use super::{Client, Env, Evidence, Scenario};

/// The time limit of every client run.
const LIMIT: Duration = Duration::from_secs(20);
/// How quickly a refusal must come: far below the time limit, so that a hang cannot pass.
const QUICK: Duration = Duration::from_secs(5);

pub(crate) fn scenarios() -> Vec<Scenario> {
    vec![
        Scenario {
            name: "curl-h2c-upgrade",
            proves: "curl --http2 asks for h2c, gets the 101, then the response to its request \
                     over HTTP/2 on the same connection (stream 1)",
            run: curl_h2c_upgrade,
        },
        Scenario {
            name: "curl-h2c-upgrade-with-body",
            proves: "a POST body sent with the h2c upgrade is read under HTTP/1.1 before the 101 \
                     and reaches the request it belongs to, answered over HTTP/2",
            run: curl_h2c_upgrade_with_body,
        },
        Scenario {
            name: "curl-prior-knowledge-refused",
            proves: "without h2c offered, curl --http2-prior-knowledge is refused at once \
                     (connection closed after a 400), no hang",
            run: curl_prior_knowledge_refused,
        },
        Scenario {
            name: "curl-prior-knowledge-served",
            proves: "with h2c offered, curl --http2-prior-knowledge is served over HTTP/2",
            run: curl_prior_knowledge_served,
        },
        Scenario {
            name: "python-websockets-echo",
            proves: "the websockets library completes the handshake (it checks \
                     Sec-WebSocket-Accept) and gets 3 messages echoed, then closes cleanly",
            run: python_websockets_echo,
        },
        Scenario {
            name: "python-websockets-refused",
            proves: "without websocket offered, the websockets library's handshake is refused \
                     (no 101: InvalidStatus), no hang",
            run: python_websockets_refused,
        },
        Scenario {
            name: "chromium-websocket-page",
            proves: "headless Chromium loads a page from the server whose script opens a \
                     websocket to it and writes the echo into the page",
            run: chromium_websocket_page,
        },
    ]
}

/// Whether the scenario called `name` runs `client`.
pub(crate) fn needs(name: &str, client: Client) -> bool {
    match client {
        Client::Curl => name.starts_with("curl-"),
        // The Chromium scenario drives the browser over DevTools with the same library.
        Client::PythonWebsockets => name.starts_with("python-") || name.starts_with("chromium-"),
        Client::Chromium => name.starts_with("chromium-"),
    }
}

fn curl(args: &[&str]) -> Command {
    let mut cmd = Command::new("curl");
    cmd.args(["-sv", "--max-time", "10"]).args(args);
    cmd
}

/// Fails unless `output` contains every one of `needles`.
fn expect_all(output: &Output, needles: &[&str]) -> Result<(), String> {
    let all = format!("{}\n{}", output.stdout, output.stderr);
    match needles.iter().find(|needle| !all.contains(**needle)) {
        None => Ok(()),
        Some(missing) => Err(format!(
            "no {missing:?} in the output: {}",
            output.everything()
        )),
    }
}

fn curl_h2c_upgrade(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &[]);
    let out = run_client(&mut curl(&["--http2", &server.url("http", "/")]), LIMIT)?;
    if !out.success() {
        return Err(format!("curl failed: {}", out.everything()));
    }
    expect_all(
        &out,
        &[
            "Upgrade: h2c",
            "HTTP/1.1 101 Switching Protocols",
            "HTTP/2 200",
            "hello over HTTP/2.0: GET /",
        ],
    )?;
    let mut evidence = out.lines_with(&["> Upgrade", "< HTTP/", "< upgrade", "hello over"]);
    evidence.push(server.log_line("GET / switch switched h2c")?);
    evidence.push(server.log_line("GET / continue no-upgrade-field (HTTP/2.0)")?);
    Ok(evidence)
}

fn curl_h2c_upgrade_with_body(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &[]);
    let out = run_client(
        &mut curl(&[
            "--http2",
            "--data-binary",
            "hello",
            &server.url("http", "/form"),
        ]),
        LIMIT,
    )?;
    if !out.success() {
        return Err(format!("curl failed: {}", out.everything()));
    }
    expect_all(
        &out,
        &[
            "HTTP/1.1 101 Switching Protocols",
            "HTTP/2 200",
            "hello over HTTP/2.0: POST /form (5 body bytes)",
        ],
    )?;
    let mut evidence = out.lines_with(&["> POST", "< HTTP/", "hello over"]);
    evidence.push(server.log_line("POST /form switch switched h2c")?);
    Ok(evidence)
}

fn curl_prior_knowledge_refused(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &["--offer", "websocket"]);
    let out = run_client(
        &mut curl(&["--http2-prior-knowledge", &server.url("http", "/")]),
        LIMIT,
    )?;
    if out.status.is_none() || out.success() || out.elapsed > QUICK {
        return Err(format!(
            "expected curl to fail within {QUICK:?}: {}",
            out.everything()
        ));
    }
    let mut evidence = vec![format!("curl: {}", out.ending())];
    evidence.extend(out.lines_with(&["> GET", "Empty reply", "HTTP/1.1 400", "rror"]));
    evidence.push(server.log_line("PRI * reject request-malformed")?);
    Ok(evidence)
}

fn curl_prior_knowledge_served(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &[]);
    let out = run_client(
        &mut curl(&["--http2-prior-knowledge", &server.url("http", "/direct")]),
        LIMIT,
    )?;
    if !out.success() {
        return Err(format!("curl failed: {}", out.everything()));
    }
    expect_all(&out, &["HTTP/2 200", "hello over HTTP/2.0: GET /direct"])?;
    let mut evidence = out.lines_with(&["< HTTP/", "hello over"]);
    evidence.push(server.log_line("PRI * continue HTTP/2 with prior knowledge")?);
    Ok(evidence)
}

fn python_websockets(env: &Env, mode: &str, url: &str) -> Result<Output, String> {
    let mut cmd = Command::new("python3");
    cmd.arg(&env.websocket_client).args([mode, url]);
    run_client(&mut cmd, LIMIT)
}

fn python_websockets_echo(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &[]);
    let out = python_websockets(env, "echo", &server.url("ws", "/echo"))?;
    if !out.success() {
        return Err(format!("the client failed: {}", out.everything()));
    }
    expect_all(&out, &["closed cleanly after 3 echoes"])?;
    let mut evidence = out.lines_with(&["websockets", "echoed", "closed"]);
    evidence.push(server.log_line("GET /echo switch switched websocket")?);
    Ok(evidence)
}

fn python_websockets_refused(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &["--offer", "h2c"]);
    let out = python_websockets(env, "refused", &server.url("ws", "/echo"))?;
    if !out.success() || out.elapsed > QUICK {
        return Err(format!(
            "expected a refusal within {QUICK:?}: {}",
            out.everything()
        ));
    }
    expect_all(&out, &["refused: Invalid"])?;
    let mut evidence = out.lines_with(&["refused"]);
    evidence.push(server.log_line("GET /echo continue no-common-protocol")?);
    Ok(evidence)
}

fn chromium_websocket_page(env: &Env) -> Result<Evidence, String> {
    let server = Server::start(&env.server, &[]);
    let mut cmd = Command::new("python3");
    cmd.arg(&env.chromium_page).arg(server.url("http", "/page"));
    let out = run_client(&mut cmd, LIMIT)?;
    let echo = "echo: hello from the browser";
    if !out.success() {
        return Err(format!("the page did not finish: {}", out.everything()));
    }
    if !out.stdout.contains(&format!("<title>{echo}</title>"))
        || !out.stdout.contains(&format!("<p id=\"out\">{echo}</p>"))
    {
        return Err(format!("no {echo:?} in the page: {}", out.everything()));
    }
    let mut evidence = out.lines_with(&["title after", "<title>", "id=\"out\""]);
    evidence.push(server.log_line("GET /page continue no-upgrade-field")?);
    evidence.push(server.log_line("GET /echo switch switched websocket")?);
    Ok(evidence)
}
