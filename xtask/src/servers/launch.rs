//! Starting a server in its own folder as an unprivileged user, and stopping it by its pid.

use std::fs::{self, File};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::catalog::Invocation;
use crate::process;

/// How long a server has to accept connections on its port.
const START_LIMIT: Duration = Duration::from_secs(20);
/// How long a server has to exit after SIGTERM before its process group gets SIGKILL.
const STOP_LIMIT: Duration = Duration::from_secs(5);
/// The user and group servers run as when this runs as root.
const USER: &str = "nobody";
const GROUP: &str = "nogroup";

/// Whether this process runs as root (the owner of `/proc/self` is the effective user).
pub(crate) fn is_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// A free port on 127.0.0.1, as the kernel picks it.
pub(crate) fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| format!("cannot bind 127.0.0.1:0: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("cannot read the port of 127.0.0.1:0: {e}"))
}

/// Creates `dir` (and its parents) readable by everyone.
pub(crate) fn make_dir(dir: &Path) -> Result<(), String> {
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
        .map_err(|e| format!("cannot create {dir:?}: {e}"))
}

/// Hands `dir` and everything under it to the unprivileged user, when this runs as root.
pub(crate) fn hand_over(dir: &Path) -> Result<(), String> {
    if !is_root() {
        return Ok(());
    }
    process::output(
        Command::new("chown")
            .arg("-R")
            .arg(format!("{USER}:{GROUP}"))
            .arg(dir),
    )
    .map(drop)
}

/// A started server, stopped (by its pid and process group) when dropped.
pub(crate) struct Running {
    name: String,
    child: Child,
    port: u16,
    dir: PathBuf,
    stopped: bool,
}

impl Running {
    /// Starts `invocation` in `dir` (its output goes to `dir/output.log`), as the unprivileged
    /// user when this runs as root, in its own process group, and waits until `port` on
    /// 127.0.0.1 accepts connections.
    pub(crate) fn start(
        name: &str,
        invocation: &Invocation,
        dir: &Path,
        port: u16,
    ) -> Result<Running, String> {
        let log_path = dir.join("output.log");
        let log =
            File::create(&log_path).map_err(|e| format!("cannot create {log_path:?}: {e}"))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("cannot share {log_path:?}: {e}"))?;
        hand_over(dir)?;
        let mut cmd = if is_root() {
            let mut cmd = Command::new("setpriv");
            cmd.arg(format!("--reuid={USER}"))
                .arg(format!("--regid={GROUP}"))
                .arg("--clear-groups")
                .arg(&invocation.program);
            cmd
        } else {
            Command::new(&invocation.program)
        };
        cmd.args(&invocation.args)
            .current_dir(dir)
            .env_clear()
            .env(
                "PATH",
                "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            )
            .env("HOME", dir)
            .env("LANG", "C.UTF-8")
            .envs(invocation.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .process_group(0);
        let shown = process::display(&cmd);
        eprintln!("+ {shown}");
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
        // From here on, dropping `running` stops the child on every path.
        let mut running = Running {
            name: name.to_string(),
            child,
            port,
            dir: dir.to_path_buf(),
            stopped: false,
        };
        running.wait_for_port()?;
        Ok(running)
    }

    /// The port it listens on, on 127.0.0.1.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// The pid it was started with.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits, for at most `START_LIMIT`, until the port accepts a connection.
    fn wait_for_port(&mut self) -> Result<(), String> {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let deadline = Instant::now() + START_LIMIT;
        loop {
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                return Ok(());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                self.stopped = true;
                return Err(format!(
                    "{} exited ({status}) before listening on {addr}; it said:\n{}",
                    self.name,
                    self.log_tail()
                ));
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "{} did not listen on {addr} within {START_LIMIT:?}; it said:\n{}",
                    self.name,
                    self.log_tail()
                ));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// The last lines of what it printed, and of its error log when it writes one.
    pub(crate) fn log_tail(&self) -> String {
        ["output.log", "error.log"]
            .iter()
            .filter_map(|file| {
                let text = fs::read_to_string(self.dir.join(file)).ok()?;
                let lines: Vec<&str> = text.lines().collect();
                let tail = lines.get(lines.len().saturating_sub(15)..).unwrap_or(&[]);
                Some(format!("{file}:\n{}", tail.join("\n")))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Stops it: SIGTERM to its process group, then SIGKILL to the group when the server has
    /// not exited within `STOP_LIMIT`. Says how it ended.
    pub(crate) fn stop(mut self) -> String {
        self.stop_now()
    }

    fn stop_now(&mut self) -> String {
        if self.stopped {
            return format!("{} had already exited", self.name);
        }
        self.stopped = true;
        let pid = self.child.id();
        signal_group("TERM", pid);
        let deadline = Instant::now() + STOP_LIMIT;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    // Workers that outlive their parent are still in its group.
                    signal_group("KILL", pid);
                    return format!("{} (pid {pid}) stopped: {status}", self.name);
                }
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(20)),
                _ => {
                    signal_group("KILL", pid);
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    return format!(
                        "{} (pid {pid}) killed: still running {STOP_LIMIT:?} after SIGTERM",
                        self.name
                    );
                }
            }
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.stopped {
            eprintln!("{}", self.stop_now());
        }
    }
}

/// Sends SIG`signal` to the process group `pgid` (the id of the server it was started for).
fn signal_group(signal: &str, pgid: u32) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pgid}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
