//! Servers run as real processes on 127.0.0.1, and a loopback port where nothing listens, for
//! tests that probe over the network.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

/// A server process that said `listening on ADDRESS` on its first stdout line; killed (by its
/// own handle) when dropped.
#[derive(Debug)]
pub struct Listening {
    child: Child,
    address: String,
}

impl Listening {
    /// Spawns `command` with stdout piped and stderr discarded, and waits for its first line.
    ///
    /// # Panics
    ///
    /// When the process cannot start or its first line is not `listening on 127.0.0.1:PORT`.
    pub fn spawn(command: &mut Command) -> Listening {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let address = match line.trim().strip_prefix("listening on ") {
            Some(address) if address.starts_with("127.0.0.1:") => address.to_owned(),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{command:?} did not say where it listens: {line:?}");
            }
        };
        Listening { child, address }
    }

    /// `127.0.0.1:PORT`.
    pub fn address(&self) -> &str {
        &self.address
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
