//! Servers run as real processes on 127.0.0.1, and a loopback port where nothing listens, for
//! tests that probe over the network.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long a server has to say where it listens.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a log line the server writes while answering may take to reach us.
const LOG_TIMEOUT: Duration = Duration::from_secs(2);

/// A server process that said `listening on 127.0.0.1:PORT` on its first stdout line, with the
/// lines of its stderr kept as its log; killed (by its own handle) when dropped.
#[derive(Debug)]
pub struct Listening {
    child: Child,
    address: String,
    port: u16,
    log: Arc<Mutex<Vec<String>>>,
}

impl Listening {
    /// Spawns `command` with stdout and stderr piped, and waits (10 seconds at most) for its
    /// first stdout line.
    ///
    /// # Panics
    ///
    /// When the process cannot start or its first line is not `listening on 127.0.0.1:PORT`.
    pub fn spawn(command: &mut Command) -> Listening {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let log = Arc::<Mutex<Vec<String>>>::default();
        if let Some(stderr) = child.stderr.take() {
            let log = Arc::clone(&log);
            thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    if let Ok(mut log) = log.lock() {
                        log.push(line);
                    }
                }
            });
        }
        let (tx, rx) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            // The rest of stdout is read and dropped, so that the server never blocks on it.
            thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let line = rx.recv_timeout(START_TIMEOUT).unwrap_or_default();
        let port = line
            .trim()
            .strip_prefix("listening on 127.0.0.1:")
            .and_then(|port| port.parse().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{command:?} did not say where it listens within {START_TIMEOUT:?}: {line:?}");
        };
        Listening {
            child,
            address: format!("127.0.0.1:{port}"),
            port,
            log,
        }
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The first line of its stderr that contains `needle`, waiting up to 2 seconds for it to
    /// arrive; `None` when none does.
    pub fn log_line(&self, needle: &str) -> Option<String> {
        let deadline = Instant::now() + LOG_TIMEOUT;
        loop {
            let found = self
                .log
                .lock()
                .ok()
                .and_then(|log| log.iter().find(|line| line.contains(needle)).cloned());
            if found.is_some() || Instant::now() > deadline {
                return found;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything it has written to stderr so far, for failure messages.
    pub fn log(&self) -> String {
        self.log
            .lock()
            .map(|log| log.join("\n"))
            .unwrap_or_default()
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on 127.0.0.1 that was free a moment ago and has no listener now: connecting to it is
/// refused.
///
/// # Panics
///
/// When no loopback port can be bound.
pub fn closed_loopback_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .unwrap_or_else(|e| panic!("cannot bind 127.0.0.1:0: {e}"))
}
