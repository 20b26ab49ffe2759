//! `cargo xtask servers`: real servers (Debian, PyPI, npm) under the probe, as one matrix.
//!
//! Installs what is missing, then for each server: renders its configuration from `servers/NAME/`
//! into a folder of its own under a temporary folder, starts it on a free 127.0.0.1 port as an
//! unprivileged user (a proxy gets its own `upgrade-server` origin on another free port), checks
//! with curl that a websocket handshake gets its 101 through it, runs `upgrade-check probe --json`
//! against it, and stops it by the pid it was started with. Then prints the matrix, each
//! server's failures and versions, writes `target/servers/report.json` and `report.html`, opens
//! the page in headless Chromium, and compares the verdicts with `servers/expected.json`.
//!
//! Only 127.0.0.1 is ever contacted.

mod catalog;
mod expected;
mod install;
mod launch;
mod report;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::e2e::Client;
use crate::e2e::server::run_client;
use crate::process::{self, workspace_root};
use catalog::{Role, Slot, Spec, Tools};
use expected::Expected;
use launch::Running;
use report::Row;

/// The websocket handshake of RFC 6455 section 1.3 and the accept value it must get.
const WS_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
const WS_ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
/// How long curl may wait for the handshake's answer (a switched connection stays open, so
/// curl always runs to this limit after a 101).
const CURL_SECONDS: &str = "3";
/// The time limit of one run of curl, of the probe, of the Chromium check.
const CURL_LIMIT: Duration = Duration::from_secs(15);
const PROBE_LIMIT: Duration = Duration::from_secs(300);
const PAGE_LIMIT: Duration = Duration::from_secs(60);
/// The probe's limit for each read, in milliseconds.
const PROBE_TIMEOUT_MS: &str = "2000";

/// Run the probe against real servers and print the matrix.
#[derive(clap::Args, Debug)]
pub(crate) struct ServersArgs {
    /// Run only this server (repeatable; `--list` names them).
    #[arg(long, value_name = "NAME")]
    only: Vec<String>,
    /// List the servers, without running them.
    #[arg(long)]
    list: bool,
    /// Leave the servers running after the run, print their URLs, and stop them on Enter.
    #[arg(long)]
    keep: bool,
    /// Also send N generated requests to each server (passed to the probe with a seed).
    #[arg(long, value_name = "N")]
    fuzz: Option<u32>,
    /// The seed of `--fuzz` (default: from the clock, printed).
    #[arg(long, value_name = "S", requires = "fuzz")]
    seed: Option<u64>,
    /// Rewrite servers/expected.json from this run instead of comparing with it.
    #[arg(long)]
    update_expected: bool,
    /// Only start each server and check a websocket handshake through it with curl: no probe,
    /// no matrix (for trying a new server's recipe).
    #[arg(long)]
    handshake_only: bool,
}

/// One server that was started: the server, and the origin behind it when it is a proxy.
struct Started {
    server: Running,
    origin: Option<Running>,
}

pub(crate) fn main(args: ServersArgs) -> Result<ExitCode, String> {
    let root = workspace_root();
    std::env::set_current_dir(&root).map_err(|e| format!("cannot enter {root:?}: {e}"))?;
    let all = catalog::all();
    if let Some(unknown) = args
        .only
        .iter()
        .find(|name| all.iter().all(|s| s.name != name.as_str()))
    {
        let names: Vec<&str> = all.iter().map(|s| s.name).collect();
        return Err(format!(
            "no server {unknown:?}; the servers are {}",
            names.join(", ")
        ));
    }
    let selected: Vec<&Spec> = all
        .iter()
        .filter(|s| args.only.is_empty() || args.only.iter().any(|n| n == s.name))
        .collect();
    if args.list {
        for spec in &selected {
            println!(
                "{:<16} {:<6} {:<13} servers/{}/{}",
                spec.name,
                spec.role.as_str(),
                source_name(spec),
                spec.name,
                spec.files.join(" ")
            );
        }
        return Ok(ExitCode::SUCCESS);
    }

    let upgrade_server = process::cargo_bin("upgrade-examples", "upgrade-server")?;
    let probe = if args.handshake_only {
        None
    } else {
        Some(process::cargo_bin("upgrade-check", "upgrade-check")?)
    };
    install::apt(&selected)?;
    if !args.handshake_only {
        crate::e2e::install(&[Client::PythonWebsockets, Client::Chromium])?;
    }
    let fuzz = args.fuzz.map(|n| {
        let seed = args.seed.unwrap_or_else(clock_seed);
        eprintln!("fuzzing with --fuzz {n} --seed {seed}");
        (n, seed)
    });

    let scratch = Scratch::create()?;
    let tools = Tools {
        upgrade_server: scratch.copy_executable(&upgrade_server)?,
        venv: install::venv(&selected, &scratch.dir)?,
        node_modules: install::npm(&selected, &scratch.dir)?,
    };

    let mut rows = Vec::new();
    let mut handshake_failures = Vec::new();
    let mut kept = Vec::new();
    for spec in &selected {
        eprintln!("\n== {} ({})", spec.name, spec.role.as_str());
        let version = (spec.version)(&tools);
        let started = start(spec, &tools, &scratch.dir);
        let outcome = version.and_then(|version| {
            let started = started?;
            let port = started.server.port();
            match handshake(spec, port) {
                Ok(head) => eprintln!("{}: websocket handshake: {head}", spec.name),
                Err(why) => handshake_failures.push(format!("{}: {why}", spec.name)),
            }
            let probed = match &probe {
                Some(exe) => run_probe(exe, spec, port, fuzz),
                None => Ok(serde_json::Value::Null),
            };
            Ok((version, started, probed))
        });
        match outcome {
            Ok((version, started, probed)) => {
                rows.push(Row {
                    name: spec.name.to_string(),
                    version,
                    role: spec.role.as_str(),
                    probe: probed,
                });
                if args.keep {
                    kept.push((spec.name, started));
                } else {
                    stop(started);
                }
            }
            Err(why) => {
                eprintln!("{}: {why}", spec.name);
                handshake_failures.push(format!("{}: not started: {why}", spec.name));
                rows.push(Row {
                    name: spec.name.to_string(),
                    version: String::new(),
                    role: spec.role.as_str(),
                    probe: Err(why),
                });
            }
        }
    }

    let mut failed = !handshake_failures.is_empty();
    println!();
    println!(
        "{} of {} websocket handshakes got their 101 through the server",
        rows.len().saturating_sub(handshake_failures.len()),
        rows.len()
    );
    if !handshake_failures.is_empty() {
        println!("websocket handshakes that did not get their 101:");
        for line in &handshake_failures {
            println!("  {line}");
        }
    }
    if !args.handshake_only {
        failed |= !conclude(&rows, args.update_expected)?;
    }
    println!("\nversions:");
    for row in &rows {
        println!("  {:<16} {}", row.name, row.version);
    }

    if !kept.is_empty() {
        println!("\nrunning (stop them with Enter, or by pid):");
        for (name, started) in &kept {
            let origin = started
                .origin
                .as_ref()
                .map(|o| format!(", origin 127.0.0.1:{} pid {}", o.port(), o.pid()))
                .unwrap_or_default();
            println!(
                "  {name:<16} http://127.0.0.1:{}/ pid {}{origin}",
                started.server.port(),
                started.server.pid()
            );
        }
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
        for (_, started) in kept {
            stop(started);
        }
    }
    drop(scratch);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints the matrix and the failures, writes the reports, checks the page in Chromium, the
/// control, and the expected verdicts (or rewrites them). Whether all is as it must be.
fn conclude(rows: &[Row], update_expected: bool) -> Result<bool, String> {
    let mut ok = true;
    println!("{}", report::matrix_text(rows));
    let failures = report::failures_text(rows);
    if !failures.is_empty() {
        println!("\nfailures:\n{failures}");
    }
    let fuzz = report::fuzz_text(rows);
    if !fuzz.is_empty() {
        println!("\nover-the-wire fuzzing (not compared with servers/expected.json):\n{fuzz}");
    }

    let out_dir = process::target_dir()?.join("servers");
    launch::make_dir(&out_dir)?;
    let json_path = out_dir.join("report.json");
    let json = serde_json::to_string_pretty(&report::report_json(rows))
        .map_err(|e| format!("cannot write {json_path:?}: {e}"))?;
    fs::write(&json_path, json + "\n").map_err(|e| format!("cannot write {json_path:?}: {e}"))?;
    let html_path = out_dir.join("report.html");
    fs::write(&html_path, report::report_html(rows))
        .map_err(|e| format!("cannot write {html_path:?}: {e}"))?;
    println!(
        "\nwrote {}\nwrote {}",
        json_path.display(),
        html_path.display()
    );
    match check_page(&html_path, rows.len(), report::probe_ids(rows).len()) {
        Ok(title) => println!("report.html renders in Chromium: {title}"),
        Err(why) => {
            ok = false;
            println!("report.html does not render as it should: {why}");
        }
    }

    if let Some(control) = rows.iter().find(|r| r.name == "upgrade-server") {
        let verdicts = control.verdicts();
        let not_passed: Vec<String> = verdicts
            .iter()
            .filter(|(_, v)| v.as_str() != "pass")
            .map(|(id, v)| format!("{id} {v}"))
            .collect();
        if let Err(why) = &control.probe {
            ok = false;
            println!("the control upgrade-server has no probe answer: {why}");
        } else if verdicts.is_empty() || !not_passed.is_empty() {
            ok = false;
            println!(
                "the control upgrade-server must pass every probe: {}",
                not_passed.join(", ")
            );
        }
        if let Some(fuzz) = control.fuzz()
            && !fuzz.failures.is_empty()
        {
            ok = false;
            let classes: Vec<&str> = fuzz.failures.iter().map(|f| f.class.as_str()).collect();
            println!(
                "the control upgrade-server must give the fuzzer nothing: {}",
                classes.join(", ")
            );
        }
    }

    let path = workspace_root().join("servers/expected.json");
    let mut expected = Expected::load(&path)?;
    if update_expected {
        expected.update(rows);
        expected.save(&path)?;
        println!("updated {}", path.display());
    } else {
        let (differences, notes) = expected.compare(rows);
        for note in &notes {
            println!("note: {note}");
        }
        if differences.is_empty() {
            println!("every verdict is as servers/expected.json says");
        } else {
            ok = false;
            println!(
                "differences from servers/expected.json (a deliberate change: cargo xtask servers --update-expected):"
            );
            for difference in &differences {
                println!("  {difference}");
            }
        }
    }
    Ok(ok)
}

/// Starts the server of `spec` (and, for a proxy, its origin first) in a folder of its own.
fn start(spec: &Spec, tools: &Tools, scratch: &Path) -> Result<Started, String> {
    let origin = match spec.role {
        Role::Server => None,
        Role::Proxy => {
            let dir = scratch.join(spec.name).join("origin");
            launch::make_dir(&dir)?;
            let port = launch::free_port()?;
            let control = catalog::all()
                .into_iter()
                .find(|s| s.name == "upgrade-server")
                .ok_or("no upgrade-server in the catalog")?;
            let invocation = (control.invocation)(&Slot {
                dir: &dir,
                port,
                tools,
            })?;
            Some(Running::start(
                &format!("{} origin", spec.name),
                &invocation,
                &dir,
                port,
            )?)
        }
    };
    let dir = scratch.join(spec.name).join("server");
    launch::make_dir(&dir)?;
    let port = launch::free_port()?;
    let origin_port = origin.as_ref().map(Running::port);
    for file in spec.files {
        let template_path = workspace_root().join("servers").join(spec.name).join(file);
        let template = fs::read_to_string(&template_path)
            .map_err(|e| format!("cannot read {template_path:?}: {e}"))?;
        let text = render(&template, port, origin_port, &dir)
            .map_err(|e| format!("{template_path:?}: {e}"))?;
        fs::write(dir.join(file), text).map_err(|e| format!("cannot write {file}: {e}"))?;
    }
    let invocation = (spec.invocation)(&Slot {
        dir: &dir,
        port,
        tools,
    })?;
    let server = Running::start(spec.name, &invocation, &dir, port)?;
    eprintln!(
        "{} listens on 127.0.0.1:{port} (pid {}){}",
        spec.name,
        server.pid(),
        origin
            .as_ref()
            .map(|o| format!(", in front of upgrade-server on 127.0.0.1:{}", o.port()))
            .unwrap_or_default()
    );
    Ok(Started { server, origin })
}

/// Stops the server, then its origin, each by its pid, and says how.
fn stop(started: Started) {
    eprintln!("{}", started.server.stop());
    if let Some(origin) = started.origin {
        eprintln!("{}", origin.stop());
    }
}

/// Fills in a configuration template: `@PORT@`, `@ORIGIN_PORT@` (only a proxy has one) and
/// `@DIR@`.
fn render(template: &str, port: u16, origin: Option<u16>, dir: &Path) -> Result<String, String> {
    let mut text = template
        .replace("@PORT@", &port.to_string())
        .replace("@DIR@", &dir.to_string_lossy());
    if let Some(origin) = origin {
        text = text.replace("@ORIGIN_PORT@", &origin.to_string());
    }
    match ["@PORT@", "@ORIGIN_PORT@", "@DIR@"]
        .iter()
        .find(|p| text.contains(**p))
    {
        Some(left) => Err(format!("{left} is left after filling in the template")),
        None => Ok(text),
    }
}

/// Sends the websocket handshake with curl and returns the answer's status line and accept
/// field, or why it is not a 101 with the right accept value.
fn handshake(spec: &Spec, port: u16) -> Result<String, String> {
    let url = format!("http://127.0.0.1:{port}{}", spec.ws_path);
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "-i", "-m", CURL_SECONDS, "--http1.1"])
        .args(["-H", "Connection: Upgrade", "-H", "Upgrade: websocket"])
        .args(["-H", "Sec-WebSocket-Version: 13"])
        .args(["-H", &format!("Sec-WebSocket-Key: {WS_KEY}")])
        .arg(&url);
    let out = run_client(&mut cmd, CURL_LIMIT)?;
    let head: Vec<&str> = out
        .stdout
        .lines()
        .map(str::trim_end)
        .take_while(|l| !l.is_empty())
        .collect();
    let status = head.first().copied().unwrap_or_default();
    let accept = head.iter().find(|l| {
        l.to_ascii_lowercase().starts_with("sec-websocket-accept:") && l.ends_with(WS_ACCEPT)
    });
    match accept {
        Some(accept) if status.starts_with("HTTP/1.1 101") => Ok(format!("{status} | {accept}")),
        _ => Err(format!(
            "no 101 with the accept value from {url}: {}",
            out.everything()
        )),
    }
}

/// Runs `upgrade-check probe --json` against the server and returns its JSON object.
fn run_probe(
    exe: &Path,
    spec: &Spec,
    port: u16,
    fuzz: Option<(u32, u64)>,
) -> Result<serde_json::Value, String> {
    let mut cmd = Command::new(exe);
    cmd.args(["probe", "--json", "--ws-path", spec.ws_path])
        .args(["--timeout", PROBE_TIMEOUT_MS]);
    if let Some((n, seed)) = fuzz {
        cmd.args(["--fuzz", &n.to_string(), "--seed", &seed.to_string()]);
    }
    cmd.arg(format!("http://127.0.0.1:{port}"));
    let out = run_client(&mut cmd, PROBE_LIMIT)?;
    // 0: no fail, 1: some fail; both come with the JSON object.
    if !matches!(out.status.and_then(|s| s.code()), Some(0 | 1)) {
        return Err(format!("the probe gave no answer: {}", out.everything()));
    }
    let value: serde_json::Value = serde_json::from_str(&out.stdout)
        .map_err(|e| format!("the probe's output is not JSON ({e}): {}", out.everything()))?;
    report::check_probe_json(&value)?;
    let summary = value.get("summary").map(ToString::to_string);
    eprintln!(
        "{}: probe summary {}",
        spec.name,
        summary.unwrap_or_default()
    );
    Ok(value)
}

/// Opens the page in headless Chromium (the e2e DevTools driver) and checks that its script ran
/// to its end and that it has one cell per server and probe.
fn check_page(page: &Path, servers: usize, probes: usize) -> Result<String, String> {
    let page = page
        .canonicalize()
        .map_err(|e| format!("cannot find {page:?}: {e}"))?;
    let url = format!("file://{}", page.display());
    let mut cmd = Command::new("python3");
    cmd.arg(workspace_root().join("crates/upgrade-examples/e2e/chromium_page.py"))
        .arg(&url);
    let out = run_client(&mut cmd, PAGE_LIMIT)?;
    if !out.success() {
        return Err(format!("the page did not load: {}", out.everything()));
    }
    let title = report::rendered_title(servers, probes);
    if !out.stdout.contains(&format!("<title>{title}</title>")) {
        return Err(format!(
            "the title is not {title:?} (did the script fail?): {}",
            out.everything()
        ));
    }
    let cells = out.stdout.matches("<td class=\"cell ").count();
    if cells != servers * probes {
        return Err(format!(
            "{cells} cells in the page, not {}",
            servers * probes
        ));
    }
    Ok(title)
}

/// A seed for `--fuzz` when none is given.
fn clock_seed() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn source_name(spec: &Spec) -> String {
    match spec.source {
        catalog::Source::Apt(p) => format!("apt:{p}"),
        catalog::Source::Pip(p) => format!("pip:{p}"),
        catalog::Source::Npm(p) => format!("npm:{p}"),
        catalog::Source::Workspace => "workspace".to_string(),
    }
}

/// The temporary folder of a run, readable by the unprivileged user; removed when dropped.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn create() -> Result<Scratch, String> {
        let dir = std::env::temp_dir().join(format!("upgrade-servers-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(|e| format!("cannot clear {dir:?}: {e}"))?;
        }
        launch::make_dir(&dir)?;
        Ok(Scratch { dir })
    }

    /// Copies an executable into the folder, where the unprivileged user can run it.
    fn copy_executable(&self, exe: &Path) -> Result<PathBuf, String> {
        let bin = self.dir.join("bin");
        launch::make_dir(&bin)?;
        let name = exe.file_name().ok_or("an executable without a name")?;
        let copy = bin.join(name);
        fs::copy(exe, &copy).map_err(|e| format!("cannot copy {exe:?}: {e}"))?;
        Ok(copy)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_dir_all(&self.dir) {
            eprintln!("cannot remove {:?}: {e}", self.dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_in_every_placeholder_or_says_which_is_left() {
        let dir = Path::new("/tmp/x");
        assert_eq!(
            render(
                "listen @PORT@; to @ORIGIN_PORT@; in @DIR@/log",
                8,
                Some(9),
                dir
            ),
            Ok("listen 8; to 9; in /tmp/x/log".to_string())
        );
        assert_eq!(
            render("to @ORIGIN_PORT@", 8, None, dir),
            Err("@ORIGIN_PORT@ is left after filling in the template".to_string())
        );
    }
}
