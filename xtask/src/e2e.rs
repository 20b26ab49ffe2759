//! `cargo xtask e2e`: the example server (`upgrade-server`) against clients nobody here wrote.
//!
//! Builds the server, installs the clients that are missing (curl, Python `websockets`, Debian
//! `chromium`; it checks first and says what it installs), then runs every scenario against a
//! fresh server on a loopback port: start it with `--port 0`, read the port it prints, run the
//! client with a time limit, check what came back, stop the server. Every scenario prints one
//! `PASS` or `FAIL` line saying what it proved, with excerpts of what the client and the server
//! said; a summary line follows, and the exit status is non-zero when any scenario failed.
//!
//! Only 127.0.0.1 is ever contacted.

mod clients;
mod readme;
pub(crate) mod server;

use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};

use crate::process::{self, workspace_root};

/// Run the example server against curl, Python websockets and headless Chromium, and the
/// README's server example against Python websockets.
#[derive(clap::Args, Debug)]
pub(crate) struct E2eArgs {
    /// Run only the scenarios whose name contains this text.
    #[arg(long, value_name = "TEXT")]
    only: Option<String>,
    /// List the scenarios and what each proves, without running them.
    #[arg(long)]
    list: bool,
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
    let selected: Vec<Scenario> = scenarios()
        .into_iter()
        .filter(|s| {
            args.only
                .as_deref()
                .is_none_or(|only| s.name.contains(only))
        })
        .collect();
    if args.list {
        for scenario in &selected {
            println!("{:<32} {}", scenario.name, scenario.proves);
        }
        return Ok(ExitCode::SUCCESS);
    }
    if selected.is_empty() {
        return Err("no scenario matches --only".to_string());
    }

    let env = Env {
        server: process::cargo_bin("upgrade-examples", "upgrade-server")?,
        websocket_client: root.join("crates/upgrade-examples/e2e/websocket_client.py"),
        chromium_page: root.join("crates/upgrade-examples/e2e/chromium_page.py"),
    };
    install_clients(&selected)?;

    println!();
    let (mut passed, mut failed) = (0usize, 0usize);
    for scenario in &selected {
        match (scenario.run)(&env) {
            Ok(evidence) => {
                passed += 1;
                println!("PASS {}: {}", scenario.name, scenario.proves);
                print_indented(&evidence);
            }
            Err(why) => {
                failed += 1;
                println!("FAIL {}: {}", scenario.name, scenario.proves);
                print_indented(&why.lines().map(str::to_string).collect::<Vec<_>>());
            }
        }
    }
    println!("\n{passed} passed, {failed} failed");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn print_indented(lines: &[String]) {
    for line in lines {
        println!("     | {line}");
    }
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
fn install_clients(selected: &[Scenario]) -> Result<(), String> {
    let needed: Vec<Client> = [Client::Curl, Client::PythonWebsockets, Client::Chromium]
        .into_iter()
        .filter(|client| selected.iter().any(|s| clients::needs(s.name, *client)))
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
