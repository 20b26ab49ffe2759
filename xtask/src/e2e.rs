//! `cargo xtask e2e`: the example server (`upgrade-server`) against clients nobody here wrote.
//!
//! Builds the server, installs the clients that the selected scenarios need and do not find
//! (curl, Python `websockets`, Debian `chromium`; it says what it installs), then runs each
//! scenario as a libtest-mimic trial against a fresh server on a loopback port: start it with
//! `--port 0`, read the port it prints, run the client with a time limit, check what came back,
//! stop the server. A trial prints what it proves and, on success, excerpts of what the client
//! and the server said; libtest-mimic prints `ok` or `FAILED` (with why), the summary line, and
//! takes libtest's arguments (`--list`, a name filter, `--exact`, `--skip`).
//!
//! The handshakes no real client sends are tests of `upgrade-examples` (`tests/server/`).
//! Only 127.0.0.1 is ever contacted.

mod clients;
mod readme;
pub(crate) mod server;

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};

use crate::process::{self, workspace_root};

/// Run the example server against curl, Python websockets and headless Chromium, and the
/// README's server example against Python websockets.
#[derive(clap::Args, Debug)]
pub(crate) struct E2eArgs {
    /// Run only the scenarios whose name contains this text: the same as the FILTER argument.
    #[arg(long, value_name = "TEXT", conflicts_with = "filter")]
    only: Option<String>,
    #[command(flatten)]
    harness: Arguments,
}

/// What the scenarios need: the server binary and the Python client.
pub(crate) struct Env {
    /// The `upgrade-server` binary.
    pub(crate) server: PathBuf,
    /// The Python `websockets` client script.
    pub(crate) websocket_client: PathBuf,
    /// The Python script that drives headless Chromium over the DevTools protocol.
    pub(crate) chromium_page: PathBuf,
}

/// What a passing scenario shows: excerpts of the client's output and the server's log.
pub(crate) type Evidence = Vec<String>;

/// One end-to-end scenario.
pub(crate) struct Scenario {
    /// A short kebab-case name.
    pub(crate) name: &'static str,
    /// What a pass proves.
    pub(crate) proves: &'static str,
    /// Runs it: the evidence, or why it failed.
    pub(crate) run: fn(&Env) -> Result<Evidence, String>,
}

/// Every scenario, in the order they run.
fn scenarios() -> Vec<Scenario> {
    let mut all = clients::scenarios();
    all.extend(readme::scenarios());
    all
}

pub(crate) fn main(args: E2eArgs) -> Result<ExitCode, String> {
    let root = workspace_root();
    std::env::set_current_dir(&root).map_err(|e| format!("cannot enter {root:?}: {e}"))?;
    let mut harness = args.harness;
    if args.only.is_some() {
        harness.filter = args.only;
    }
    // One at a time: each scenario's evidence then follows its own `test NAME ...` line, and
    // two browsers or servers never compete for the machine.
    harness.test_threads.get_or_insert(1);

    let all = scenarios();
    let selected: Vec<&'static str> = all
        .iter()
        .filter(|s| !harness.is_filtered_out(&Trial::test(s.name, || Ok(()))))
        .map(|s| s.name)
        .collect();
    let env = if harness.list || selected.is_empty() {
        None
    } else {
        let env = Env {
            server: process::cargo_bin("upgrade-examples", "upgrade-server")?,
            websocket_client: root.join("crates/upgrade-examples/e2e/websocket_client.py"),
            chromium_page: root.join("crates/upgrade-examples/e2e/chromium_page.py"),
        };
        install_clients(&selected)?;
        println!();
        Some(Arc::new(env))
    };
    let trials = all
        .into_iter()
        .map(|scenario| match &env {
            Some(env) => {
                let env = Arc::clone(env);
                Trial::test(scenario.name, move || run_trial(&scenario, &env))
            }
            // Only listed, or filtered out: never run.
            None => Trial::test(scenario.name, || Ok(())),
        })
        .collect();
    Ok(libtest_mimic::run(&harness, trials).exit_code())
}

/// Runs one scenario, printing what it proves and, when it passes, its evidence.
fn run_trial(scenario: &Scenario, env: &Env) -> Result<(), Failed> {
    println!("\n     proves: {}", scenario.proves);
    let evidence = (scenario.run)(env)?;
    for line in &evidence {
        println!("     | {line}");
    }
    Ok(())
}

/// A client program the scenarios need.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Client {
    Curl,
    PythonWebsockets,
    Chromium,
}

impl Client {
    fn name(self) -> &'static str {
        match self {
            Client::Curl => "curl",
            Client::PythonWebsockets => "Python websockets",
            Client::Chromium => "chromium",
        }
    }

    fn is_installed(self) -> bool {
        match self {
            Client::Curl => process::succeeds(Command::new("curl").arg("--version")),
            Client::PythonWebsockets => {
                process::succeeds(Command::new("python3").args(["-c", "import websockets"]))
            }
            Client::Chromium => process::succeeds(Command::new("chromium").arg("--version")),
        }
    }
}

/// Installs the clients the selected scenarios need and do not find.
fn install_clients(selected: &[&str]) -> Result<(), String> {
    let needed: Vec<Client> = [Client::Curl, Client::PythonWebsockets, Client::Chromium]
        .into_iter()
        .filter(|client| selected.iter().any(|name| clients::needs(name, *client)))
        .collect();
    install(&needed)
}

/// Installs the clients of `needed` that are missing, saying which it finds and installs.
pub(crate) fn install(needed: &[Client]) -> Result<(), String> {
    let mut apt_updated = false;
    let mut apt_install = |package: &str| -> Result<(), String> {
        if !apt_updated {
            process::run(Command::new("apt-get").arg("update"))?;
            apt_updated = true;
        }
        process::run(
            Command::new("apt-get")
                .args(["install", "-y", package])
                .env("DEBIAN_FRONTEND", "noninteractive"),
        )
    };
    for &client in needed {
        if client.is_installed() {
            eprintln!("found {}", client.name());
            continue;
        }
        eprintln!("installing {}", client.name());
        match client {
            Client::Curl => apt_install("curl")?,
            Client::Chromium => apt_install("chromium")?,
            Client::PythonWebsockets => {
                if !process::succeeds(Command::new("python3").arg("--version")) {
                    apt_install("python3")?;
                }
                let pip = process::run(
                    Command::new("python3")
                        .args(["-m", "pip", "install", "websockets"])
                        .stdin(Stdio::null()),
                );
                // Debian's own python3 refuses pip installs (PEP 668): use its package instead.
                if let Err(e) = pip {
                    eprintln!("{e}; trying the Debian package");
                    apt_install("python3-websockets")?;
                }
            }
        }
        if !client.is_installed() {
            return Err(format!(
                "{} is still missing after installing it",
                client.name()
            ));
        }
    }
    Ok(())
}
