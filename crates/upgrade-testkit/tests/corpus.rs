//! Replays every committed corpus file through its fuzz target's check, on stable, as one named
//! test per file: `corpora/<target>/<file>` (seeds) and `corpora/<target>/regressions/<file>`
//! (inputs that once crashed or failed). A folder under `corpora/` with no matching target fails.
//! The targets are the test kit's, the probe's (`upgrade_probe::replay::TARGETS`) and the
//! example server's (`upgrade_examples::replay::TARGETS`).

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use upgrade_testkit::targets::{TARGETS, Target};

fn corpora() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpora")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Every fuzz target: the test kit's, then the probe's and the example server's.
fn all_targets() -> impl Iterator<Item = &'static Target> {
    TARGETS
        .iter()
        .chain(upgrade_probe::replay::TARGETS)
        .chain(upgrade_examples::replay::TARGETS)
}

fn trials() -> Vec<Trial> {
    let root = corpora();
    let mut trials = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    for dir in dirs {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(t) = all_targets().find(|t| t.name == name) else {
            let known: Vec<&str> = all_targets().map(|t| t.name).collect();
            trials.push(Trial::test(
                format!("{name}/ has a fuzz target"),
                move || {
                    Err(Failed::from(format!(
                        "corpora/{name}/ matches no fuzz target; targets: {}",
                        known.join(", ")
                    )))
                },
            ));
            continue;
        };
        let mut files = Vec::new();
        files_under(&dir, &mut files);
        files.sort();
        for file in files {
            let relative = file
                .strip_prefix(&root)
                .unwrap_or(&file)
                .display()
                .to_string();
            let check = t.check;
            trials.push(Trial::test(relative, move || {
                let data = std::fs::read(&file).map_err(|e| Failed::from(e.to_string()))?;
                std::panic::catch_unwind(|| check(&data)).map_err(|panic| {
                    let message = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    Failed::from(message)
                })
            }));
        }
    }
    trials
}

fn main() {
    let trials = trials();
    let args = Arguments::from_args();
    if trials.is_empty() {
        eprintln!("no corpus files under {}", corpora().display());
        std::process::exit(1);
    }
    libtest_mimic::run(&args, trials).exit();
}
