//! The README's server example, built as a crate of its own that depends only on
//! `upgrade-negotiate`, as a user who copies it would build it.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use upgrade_testkit::handshakes::{CHROMIUM_WEBSOCKET, SWITCH_WEBSOCKET};

use super::server::{Server, run_client};
use super::{Env, Evidence, Scenario};
use crate::process::{self, workspace_root};

/// The time limit of the client run.
const LIMIT: Duration = Duration::from_secs(20);

pub(crate) fn scenarios() -> Vec<Scenario> {
    vec![Scenario {
        name: "python-websockets-readme-server",
        proves: "the README's server example, built alone against upgrade-negotiate, switches \
                 the websockets library's handshake and a handshake sent a few bytes at a time",
        run: readme_server,
    }]
}

/// The block under `### Server` in README.md: the first fenced Rust block after that heading.
fn server_example(readme: &str) -> Result<String, String> {
    let after = readme
        .split_once("\n### Server\n")
        .map(|(_, after)| after)
        .ok_or("README.md has no `### Server` section")?;
    let (_, block) = after
        .split_once("```rust")
        .ok_or("the Server section has no Rust block")?;
    let (_, code) = block.split_once('\n').ok_or("an empty Rust block")?;
    let (code, _) = code.split_once("\n```").ok_or("an unclosed Rust block")?;
    Ok(format!("{code}\n"))
}

/// Writes the example's crate under `target/` and builds it; the path of its binary.
fn build_example(root: &Path) -> Result<PathBuf, String> {
    let readme = std::fs::read_to_string(root.join("README.md"))
        .map_err(|e| format!("cannot read README.md: {e}"))?;
    let code = server_example(&readme)?;
    let dir = process::target_dir()?.join("readme-server");
    std::fs::create_dir_all(dir.join("src")).map_err(|e| format!("{dir:?}: {e}"))?;
    let negotiate = root.join("crates/upgrade-negotiate");
    // Its own workspace, so that it is built as a stranger's crate would be.
    let manifest = format!(
        "[package]\nname = \"readme-server\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
         [dependencies]\nupgrade-negotiate = {{ path = {:?} }}\n\n[workspace]\n",
        negotiate.display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| format!("{dir:?}: {e}"))?;
    std::fs::write(dir.join("src/main.rs"), code).map_err(|e| format!("{dir:?}: {e}"))?;
    let mut cmd = Command::new(env!("CARGO"));
    cmd.arg("build")
        .arg("--manifest-path")
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(dir.join("target"));
    process::run(&mut cmd)?;
    Ok(dir.join("target/debug/readme-server"))
}

/// Sends Chromium's websocket handshake in pieces with pauses, and reads the answer.
fn trickle_handshake(port: u16) -> Result<String, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    for piece in CHROMIUM_WEBSOCKET.chunks(37) {
        stream.write_all(piece).map_err(|e| e.to_string())?;
        stream.flush().map_err(|e| e.to_string())?;
        std::thread::sleep(Duration::from_millis(30));
    }
    let mut answer = Vec::new();
    let mut buf = [0u8; 1024];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") && answer.len() < 8192 {
        match stream.read(&mut buf).map_err(|e| e.to_string())? {
            0 => break,
            n => answer.extend_from_slice(buf.get(..n).unwrap_or_default()),
        }
    }
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

fn readme_server(env: &Env) -> Result<Evidence, String> {
    let exe = build_example(&workspace_root())?;
    let server = Server::start(&exe, &[]);
    let mut cmd = Command::new("python3");
    cmd.arg(&env.websocket_client)
        .args(["open", &server.url("ws", "/chat")]);
    let out = run_client(&mut cmd, LIMIT)?;
    if !out.success() || !out.stdout.contains("opened: the handshake succeeded") {
        return Err(format!(
            "the websockets handshake failed: {}",
            out.everything()
        ));
    }
    let answer = trickle_handshake(server.port())?;
    if answer != SWITCH_WEBSOCKET {
        return Err(format!(
            "Chromium's handshake in pieces got {answer:?}, not {SWITCH_WEBSOCKET:?}"
        ));
    }
    let mut evidence = out.lines_with(&["opened"]);
    evidence.push(format!(
        "Chromium's handshake in pieces of 37 bytes: {}",
        answer.lines().next().unwrap_or_default()
    ));
    Ok(evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_server_block_of_the_readme() {
        let readme = std::fs::read_to_string(workspace_root().join("README.md")).unwrap();
        let code = server_example(&readme).unwrap();
        assert!(code.contains("fn main()") && code.contains("parse_request"));
        assert!(!code.contains("```"));
    }
}
