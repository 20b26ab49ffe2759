//! Running commands and finding the workspace.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// The workspace root (the parent of this crate's folder).
pub(crate) fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

/// Shows a command the way a person would type it.
pub(crate) fn display(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| {
        let a = a.to_string_lossy();
        if a.contains(' ') {
            format!("'{a}'")
        } else {
            a.into_owned()
        }
    }));
    parts.join(" ")
}

/// Runs `cmd` with inherited output and fails unless it succeeds.
pub(crate) fn run(cmd: &mut Command) -> Result<(), String> {
    eprintln!("+ {}", display(cmd));
    run_silently(cmd)
}

/// Runs `cmd` as [`run`] does, without showing it first: its output goes where `cmd` says.
pub(crate) fn run_silently(cmd: &mut Command) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start `{}`: {e}", display(cmd)))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", display(cmd)))
    }
}

/// Runs `cmd` and returns its standard output, failing unless it succeeds.
pub(crate) fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start `{}`: {e}", display(cmd)))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!("`{}` failed ({})", display(cmd), out.status))
    }
}

/// Whether `cmd` can be started and exits successfully (its output is discarded).
pub(crate) fn succeeds(cmd: &mut Command) -> bool {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The regular files directly or indirectly under `dir`, sorted.
pub(crate) fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.is_file() {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// What `cargo metadata --no-deps` says of the workspace, or of the one whose manifest is given.
pub(crate) fn cargo_metadata(manifest: Option<&Path>) -> Result<serde_json::Value, String> {
    let mut cmd = Command::new("cargo");
    cmd.args(["metadata", "--format-version", "1", "--no-deps"]);
    if let Some(manifest) = manifest {
        cmd.arg("--manifest-path").arg(manifest);
    }
    let text = output(&mut cmd)?;
    serde_json::from_str(&text).map_err(|e| format!("cannot read `{}`: {e}", display(&cmd)))
}

/// The workspace's target folder, as cargo resolves it (`CARGO_TARGET_DIR`, config, default).
pub(crate) fn target_dir() -> Result<PathBuf, String> {
    cargo_metadata(None)?
        .get("target_directory")
        .and_then(serde_json::Value::as_str)
        .map(PathBuf::from)
        .ok_or_else(|| "`cargo metadata` names no target_directory".to_string())
}

/// Builds `bin` of `package` and returns the path cargo reports for the executable.
pub(crate) fn cargo_bin(package: &str, bin: &str) -> Result<PathBuf, String> {
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args([
        "build",
        "--package",
        package,
        "--bin",
        bin,
        "--message-format=json-render-diagnostics",
    ]);
    eprintln!("+ {}", display(&cmd));
    let out = output(&mut cmd)?;
    out.lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|message| {
            message.get("reason").and_then(|r| r.as_str()) == Some("compiler-artifact")
                && message.pointer("/target/name").and_then(|n| n.as_str()) == Some(bin)
        })
        .find_map(|message| message.get("executable")?.as_str().map(PathBuf::from))
        .ok_or_else(|| format!("cargo built no {bin} executable"))
}

/// Runs `job` on `items` in one thread per worker (each with its worker's value, such as a
/// folder of its own): each thread takes the next item in order until none is left. When `job`
/// returns a result that `stops` accepts, no new item is taken. The results come back in the
/// items' order: those of every item when none stopped the run, else those of the first items,
/// up to at least the one that stopped it (the items are taken in order, so no item before one
/// taken is left out).
pub(crate) fn in_parallel<W: Sync, T: Sync, R: Send>(
    workers: &[W],
    items: &[T],
    job: impl Fn(&W, &T) -> R + Sync,
    stops: impl Fn(&R) -> bool + Sync,
) -> Result<Vec<R>, String> {
    let next = AtomicUsize::new(0);
    let stopped = AtomicBool::new(false);
    let work = |worker: &W| {
        let mut done = Vec::new();
        while !stopped.load(Ordering::SeqCst) {
            let index = next.fetch_add(1, Ordering::SeqCst);
            let Some(item) = items.get(index) else {
                break;
            };
            let result = job(worker, item);
            if stops(&result) {
                stopped.store(true, Ordering::SeqCst);
            }
            done.push((index, result));
        }
        done
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        let handles: Vec<_> = workers
            .iter()
            .map(|worker| scope.spawn(|| work(worker)))
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .map_err(|_| "a job's thread panicked".to_string())
            })
            .collect::<Result<Vec<_>, String>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    done.sort_by_key(|(index, _)| *index);
    Ok(done.into_iter().map(|(_, result)| result).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_run_at_once_come_back_in_the_order_of_their_items() {
        let items: Vec<u64> = (0..20).collect();
        let done = in_parallel(
            &["a", "b", "c"],
            &items,
            |_, &i| {
                // Later items finish first.
                std::thread::sleep(std::time::Duration::from_millis((20 - i) % 7));
                i * 10
            },
            |_| false,
        )
        .unwrap();
        let want: Vec<u64> = (0..20).map(|i| i * 10).collect();
        assert_eq!(done, want);
    }

    #[test]
    fn after_a_result_that_stops_no_new_item_is_taken() {
        let items: Vec<u64> = (0..100).collect();
        let done = in_parallel(&[()], &items, |(), &i| i, |&i| i == 3).unwrap();
        assert_eq!(done.last(), Some(&3));
        assert_eq!(done.len(), 4);
    }
}
