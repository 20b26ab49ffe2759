//! Starting a server under test and running clients, with time limits, leaving nothing behind.

use std::io::Read;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use upgrade_testkit::process::Listening;

use crate::process;

/// How long a log line may take to reach us after the client that caused it has finished.
const LOG_TIMEOUT: Duration = Duration::from_secs(2);

/// A running server (`upgrade-server` or the README's example), killed when dropped.
pub(crate) struct Server(Listening);

impl Server {
    /// Starts `exe --port 0` with `args` and waits for `listening on 127.0.0.1:PORT`.
    ///
    /// # Panics
    ///
    /// When it does not start or say its port: the trial running it fails.
    pub(crate) fn start(exe: &Path, args: &[&str]) -> Server {
        let mut cmd = Command::new(exe);
        cmd.args(["--port", "0"]).args(args);
        Server(Listening::spawn(&mut cmd))
    }

    /// The port the server listens on, on 127.0.0.1.
    pub(crate) fn port(&self) -> u16 {
        self.0.port()
    }

    /// `http://127.0.0.1:PORT{path}`, or with another scheme.
    pub(crate) fn url(&self, scheme: &str, path: &str) -> String {
        format!("{scheme}://{}{path}", self.0.address())
    }

    /// The first line of the server's log that contains `needle`, waiting a little for it.
    pub(crate) fn log_line(&self, needle: &str) -> Result<String, String> {
        match self.0.log_line(needle) {
            Some(line) => Ok(format!("server: {line}")),
            None => Err(format!(
                "the server logged no line with {needle:?}; its log:\n{}",
                self.0.log()
            )),
        }
    }
}

/// What a client did.
pub(crate) struct Output {
    /// Its exit status, `None` when it was killed at the time limit.
    pub(crate) status: Option<ExitStatus>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) elapsed: Duration,
}

impl Output {
    /// Whether it exited with status 0.
    pub(crate) fn success(&self) -> bool {
        self.status.is_some_and(|status| status.success())
    }

    /// How it ended, for messages.
    pub(crate) fn ending(&self) -> String {
        match self.status {
            Some(status) => format!("{status} after {:.2?}", self.elapsed),
            None => format!("killed at the time limit ({:.2?})", self.elapsed),
        }
    }

    /// The lines of stdout and stderr that contain any of `needles`, for evidence.
    pub(crate) fn lines_with(&self, needles: &[&str]) -> Vec<String> {
        self.stdout
            .lines()
            .chain(self.stderr.lines())
            .filter(|line| needles.iter().any(|needle| line.contains(needle)))
            .map(|line| line.trim_end().to_string())
            .collect()
    }

    /// Everything it printed, for failure messages.
    pub(crate) fn everything(&self) -> String {
        format!(
            "{}\nstdout:\n{}\nstderr:\n{}",
            self.ending(),
            self.stdout.trim_end(),
            self.stderr.trim_end()
        )
    }
}

/// Runs a client in its own process group and kills the group when it outlives `limit`.
pub(crate) fn run_client(cmd: &mut Command, limit: Duration) -> Result<Output, String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let shown = process::display(cmd);
    eprintln!("+ {shown}");
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    let stdout = collect(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let stderr = collect(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn Read + Send>),
    );
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if start.elapsed() > limit => {
                kill_group(child.id());
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                kill_group(child.id());
                let _ = child.wait();
                return Err(format!("cannot wait for `{shown}`: {e}"));
            }
        }
    };
    let elapsed = start.elapsed();
    // Processes the client started may still hold its output open: they are in its group.
    let (stdout, stderr) = match (
        stdout.recv_timeout(LOG_TIMEOUT),
        stderr.recv_timeout(LOG_TIMEOUT),
    ) {
        (Ok(out), Ok(err)) => (out, err),
        (out, err) => {
            kill_group(child.id());
            (
                out.or_else(|_| stdout.recv_timeout(LOG_TIMEOUT))
                    .unwrap_or_default(),
                err.or_else(|_| stderr.recv_timeout(LOG_TIMEOUT))
                    .unwrap_or_default(),
            )
        }
    };
    Ok(Output {
        status,
        stdout,
        stderr,
        elapsed,
    })
}

/// Reads a pipe to its end on a thread; the text arrives on the receiver.
fn collect(pipe: Option<Box<dyn Read + Send>>) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        let _ = tx.send(String::from_utf8_lossy(&bytes).into_owned());
    });
    rx
}

/// Kills the process group a client was started in (its id is the client's id).
fn kill_group(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
