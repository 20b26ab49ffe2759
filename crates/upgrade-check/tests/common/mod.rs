//! Running `upgrade-check` as a real process, for the `cli_*` test targets.

// Each test target uses a subset of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The path of a file under `tests/data`, such as `requests/websocket.http`.
pub(crate) fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The bytes of a file under `tests/data`.
pub(crate) fn data_bytes(name: &str) -> Vec<u8> {
    std::fs::read(data(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs the command with an empty stdin.
pub(crate) fn run<I, S>(args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_with_stdin(args, b"")
}

/// Runs the command with `stdin` as its standard input.
pub(crate) fn run_with_stdin<I, S>(args: I, stdin: &[u8]) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut child = Command::new(env!("CARGO_BIN_EXE_upgrade-check"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    // A command that fails before reading closes the pipe; that broken pipe is not the test's
    // concern, its exit status and output are.
    let _ = pipe.write_all(stdin);
    drop(pipe);
    child.wait_with_output().unwrap()
}

/// The exit status and the single JSON object on stdout of a finished command.
pub(crate) fn json_of(output: &Output) -> (i32, Value) {
    // `from_slice` rejects anything after the object but whitespace: exactly one object.
    let value: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON object ({e}): {:?}, stderr {:?}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    assert!(value.is_object());
    (output.status.code().unwrap(), value)
}

/// Runs the command and returns its exit status and the single JSON object on stdout.
pub(crate) fn run_json<I, S>(args: I) -> (i32, Value)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    json_of(&run(args))
}

/// Runs the command with `stdin` and returns its exit status and the JSON object on stdout.
pub(crate) fn run_json_with_stdin<I, S>(args: I, stdin: &[u8]) -> (i32, Value)
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    json_of(&run_with_stdin(args, stdin))
}

/// Stdout as text; the reports are ASCII.
pub(crate) fn stdout_text(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// Stderr as text.
pub(crate) fn stderr_text(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
