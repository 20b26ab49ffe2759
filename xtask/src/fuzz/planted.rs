//! `cargo xtask fuzz planted`: what the fuzz harness is worth, measured by what it catches. Each
//! bug of a committed set (`fuzz/planted/<bug>.patch`) is applied to a scratch copy of the
//! sources under the target folder, the fuzz target that should catch it is built there and run
//! from its committed corpus with the dictionary and its options, by one process on one core,
//! until the first crash or the time limit; one table tells how long each bug took to be found.
//! Two bugs are tried at a time by default, each job with a target folder of its own, and each
//! target is built with the features it needs only, so that a bug in the grammar rebuilds the
//! grammar's checks and not the probe or the example server.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::Instant;

use clap::Args;

use crate::fuzz::{DICTIONARY, Summary, libfuzzer_options, parse_stat_line, targets};
use crate::process::{
    cargo_metadata, display, files_under, in_parallel, output, run, run_silently, target_dir,
};
use crate::toolchain::{Build, SanitizerChoice, ensure_cargo_fuzz, host_triple};

/// Where the planted bugs are committed, one patch per bug.
const PLANTED_DIR: &str = "fuzz/planted";

/// Arguments of `cargo xtask fuzz planted`.
#[derive(Args, Debug)]
pub(crate) struct PlantedArgs {
    /// Only these bugs (repeatable): the names of `fuzz/planted/<bug>.patch`; all by default.
    #[arg(long = "bug", value_name = "NAME")]
    bugs: Vec<String>,
    /// Seconds of fuzzing per bug; a bug not found by then is not caught.
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    time: u64,
    /// Bugs tried at the same time, each built in its own target folder and fuzzed by one
    /// process on one core; the machine should have at least this many cores.
    #[arg(long, short = 'j', default_value_t = 2, value_name = "N")]
    jobs: usize,
    /// `none` (the default) builds on stable without a sanitizer, several times faster than
    /// AddressSanitizer; the planted bugs are wrong answers, which no sanitizer sees.
    #[arg(long, value_enum, default_value_t = SanitizerChoice::None)]
    sanitizer: SanitizerChoice,
}

/// One planted bug: its name, the target that should catch it, what it is, and its patch.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Planted {
    name: String,
    target: String,
    bug: String,
    patch: PathBuf,
}

/// The header that a planted patch starts with, before its diff:
///
/// ```text
/// Target: negotiate
/// Bug: an HTTP/1.0 request is upgraded
/// ```
///
/// `git apply` skips these lines, as it skips the message of a mailed patch.
fn parse_header(text: &str) -> Result<(String, String), String> {
    let (mut target, mut bug) = (None, None);
    for line in text.lines() {
        if line.starts_with("diff ") || line.starts_with("--- ") {
            break;
        }
        if let Some(value) = line.strip_prefix("Target:") {
            target = Some(value.trim().to_string());
        } else if let Some(value) = line.strip_prefix("Bug:") {
            bug = Some(value.trim().to_string());
        } else if !line.trim().is_empty() {
            return Err(format!("unexpected header line before the diff: {line:?}"));
        }
    }
    match (target, bug) {
        (Some(t), Some(b)) if !t.is_empty() && !b.is_empty() => Ok((t, b)),
        _ => Err("the header must name the `Target:` and the `Bug:` before the diff".into()),
    }
}

/// Every committed planted bug, by name, with its header checked against the fuzz targets.
fn planted(root: &Path) -> Result<Vec<Planted>, String> {
    let known = targets()?;
    let mut out = Vec::new();
    for patch in files_under(&root.join(PLANTED_DIR)) {
        if patch.extension().is_none_or(|e| e != "patch") {
            continue;
        }
        let name = patch
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&patch)
            .map_err(|e| format!("cannot read {}: {e}", patch.display()))?;
        let (target, bug) = parse_header(&text).map_err(|e| format!("{}: {e}", patch.display()))?;
        if !known.contains(&target) {
            return Err(format!(
                "{}: no fuzz target `{target}`; targets: {}",
                patch.display(),
                known.join(", ")
            ));
        }
        out.push(Planted {
            name,
            target,
            bug,
            patch,
        });
    }
    Ok(out)
}

/// The features that each fuzz target needs, by target: the `required-features` of its
/// `[[bin]]` in `fuzz/Cargo.toml`, as `cargo metadata` reads them.
fn required_features(root: &Path) -> Result<BTreeMap<String, Vec<String>>, String> {
    let metadata = cargo_metadata(Some(&root.join("fuzz/Cargo.toml")))?;
    let mut out = BTreeMap::new();
    let packages = metadata
        .get("packages")
        .and_then(serde_json::Value::as_array);
    for package in packages.into_iter().flatten() {
        let targets = package.get("targets").and_then(serde_json::Value::as_array);
        for target in targets.into_iter().flatten() {
            let Some(name) = target.get("name").and_then(serde_json::Value::as_str) else {
                continue;
            };
            let features = target
                .get("required-features")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(serde_json::Value::as_str)
                .map(str::to_string)
                .collect();
            out.insert(name.to_string(), features);
        }
    }
    Ok(out)
}

/// What became of one planted bug.
#[derive(Debug, Clone, PartialEq)]
enum Verdict {
    /// The target crashed on an input that the unpatched sources pass.
    Caught { seconds: f64 },
    /// The time ran out without a crash.
    NotCaught,
    /// The patch does not apply to the sources any more: it must be written again.
    Stale,
    /// The patched sources do not build.
    BuildFailed,
    /// The target crashed, but the unpatched sources crash on the same input: not this bug.
    CrashesUnpatched { seconds: f64 },
    /// The fuzzer stopped without a crash input, or could not run.
    Failed,
}

impl Verdict {
    fn caught(&self) -> bool {
        matches!(self, Verdict::Caught { .. })
    }

    fn seconds(&self) -> Option<f64> {
        match self {
            Verdict::Caught { seconds } | Verdict::CrashesUnpatched { seconds } => Some(*seconds),
            _ => None,
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Verdict::Caught { .. } => "caught",
            Verdict::NotCaught => "NOT CAUGHT",
            Verdict::Stale => "PATCH DOES NOT APPLY",
            Verdict::BuildFailed => "BUILD FAILED",
            Verdict::CrashesUnpatched { .. } => "CRASHES UNPATCHED TOO",
            Verdict::Failed => "FUZZER FAILED",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    bug: String,
    target: String,
    runs: u64,
    verdict: Verdict,
}

fn render_table(rows: &[Row], limit: u64) -> String {
    let width = rows.iter().map(|r| r.bug.len()).max().unwrap_or(0).max(3);
    let mut out = format!(
        "{:<width$}  {:<16} {:>12} {:>12}  result (limit {limit} s)\n",
        "bug", "target", "first crash", "runs"
    );
    for r in rows {
        let seconds = r
            .verdict
            .seconds()
            .map_or_else(|| "-".to_string(), |s| format!("{s:.1} s"));
        out.push_str(&format!(
            "{:<width$}  {:<16} {:>12} {:>12}  {}\n",
            r.bug,
            r.target,
            seconds,
            r.runs,
            r.verdict.describe()
        ));
    }
    out
}

pub(crate) fn main(args: &PlantedArgs) -> Result<ExitCode, String> {
    let root = std::env::current_dir().map_err(|e| format!("no current folder: {e}"))?;
    let mut bugs = planted(&root)?;
    if bugs.is_empty() {
        return Err(format!("no planted bug under {PLANTED_DIR}/"));
    }
    if !args.bugs.is_empty() {
        for name in &args.bugs {
            if !bugs.iter().any(|b| &b.name == name) {
                let names: Vec<&str> = bugs.iter().map(|b| b.name.as_str()).collect();
                return Err(format!(
                    "no planted bug `{name}`; bugs: {}",
                    names.join(", ")
                ));
            }
        }
        bugs.retain(|b| args.bugs.contains(&b.name));
    }

    // Every patch is checked against the sources before anything is built, so that a refactor
    // that a patch no longer fits is reported at once, by name.
    let mut stale = Vec::new();
    for bug in &bugs {
        if let Err(why) = git_apply(&root, &bug.patch, true) {
            eprintln!(
                "planted bug `{}`: {} no longer applies to the sources; write it again against HEAD so that the bug stays planted:\n{why}",
                bug.name,
                bug.patch.display()
            );
            stale.push(bug.name.clone());
        }
    }

    ensure_cargo_fuzz()?;
    let build = Build::resolve(args.sanitizer)?;
    let host = host_triple()?;
    let work = target_dir()?.join("planted");
    let jobs = args.jobs.clamp(1, bugs.len());
    let sources = source_files(&root)?;
    let features = required_features(&root)?;
    eprintln!(
        "{} planted bug(s), up to {} s each, {jobs} at a time, each fuzzed by one process on one \
         core, on the {}",
        bugs.len(),
        args.time,
        build.describe()
    );

    // The unpatched sources, built once per target, replay each crash: a crash there is not the
    // planted bug's.
    let cargo_targets: Vec<PathBuf> = (0..jobs)
        .map(|job| work.join(format!("cargo-target-{job}")))
        .collect();
    let first_target = cargo_targets.first().ok_or("no job")?;
    let unpatched = work.join("unpatched");
    copy_sources(&root, &sources, &unpatched)?;
    let mut unpatched_targets: Vec<&str> = bugs.iter().map(|b| b.target.as_str()).collect();
    unpatched_targets.sort_unstable();
    unpatched_targets.dedup();
    // The dependencies that the fuzz run before built with the same flags are not built again.
    let smoke_target = root.join("fuzz/target");
    if !first_target.exists() && smoke_target.is_dir() {
        std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {work:?}: {e}"))?;
        copy_folder(&smoke_target, first_target)?;
    }
    for target in &unpatched_targets {
        let needs = features_of(&features, target)?;
        build_target(&build, &unpatched, first_target, target, needs, None)
            .map_err(|e| format!("the unpatched sources do not build: {e}"))?;
        keep_binary(&unpatched, first_target, &host, target)?;
    }
    // Each job builds into a target folder of its own (cargo builds one at a time in a folder),
    // which starts as a copy of the first: the dependencies are built once.
    for other in cargo_targets.iter().skip(1) {
        if other.exists() {
            std::fs::remove_dir_all(other).map_err(|e| format!("cannot clear {other:?}: {e}"))?;
        }
        copy_folder(first_target, other)?;
    }

    // The jobs take the bugs in order; each bug's output is kept in its own log and shown
    // whole when the bug is done, so that the outputs of two jobs do not mix.
    let rows = in_parallel(
        &cargo_targets,
        &bugs,
        |cargo_target, bug| {
            let setup = Setup {
                root: &root,
                features: &features,
                sources: &sources,
                build: &build,
                host: &host,
                work: &work,
                cargo_target,
                unpatched: &unpatched,
                seconds: args.time,
            };
            try_bug(bug, stale.contains(&bug.name), &setup)
        },
        |_| false,
    )?;
    println!();
    print!("{}", render_table(&rows, args.time));
    Ok(if rows.iter().all(|r| r.verdict.caught()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// What every bug is tried with: the sources, the build, where it happens, and the time limit.
struct Setup<'a> {
    root: &'a Path,
    /// What each target needs, by target (its `required-features`).
    features: &'a BTreeMap<String, Vec<String>>,
    sources: &'a [PathBuf],
    build: &'a Build,
    host: &'a str,
    work: &'a Path,
    /// The target folder of the job that tries the bug.
    cargo_target: &'a Path,
    /// The unpatched copy, with the binaries that replay a crash.
    unpatched: &'a Path,
    seconds: u64,
}

/// Plants `bug` in a scratch copy, builds its target and fuzzes it; the log of it all is shown
/// at the end, in one piece.
fn try_bug(bug: &Planted, stale: bool, setup: &Setup<'_>) -> Row {
    let mut row = Row {
        bug: bug.name.clone(),
        target: bug.target.clone(),
        runs: 0,
        verdict: Verdict::Stale,
    };
    if !stale {
        let scratch = setup.work.join(&bug.name);
        let log_path = setup.work.join(format!("{}.log", bug.name));
        row.verdict = match File::create(&log_path) {
            Err(e) => {
                eprintln!("{}: cannot create {}: {e}", bug.name, log_path.display());
                Verdict::Failed
            }
            Ok(mut log) => {
                let built = plant(setup.root, setup.sources, bug, &scratch)
                    .and_then(|()| features_of(setup.features, &bug.target))
                    .and_then(|needs| {
                        let dir = setup.cargo_target;
                        build_target(setup.build, &scratch, dir, &bug.target, needs, Some(&log))
                    });
                let verdict = match built {
                    Err(e) => {
                        let _ = writeln!(log, "{}: {e}", bug.name);
                        Verdict::BuildFailed
                    }
                    Ok(()) => {
                        let binary = binary(setup.cargo_target, setup.host, &bug.target);
                        let clean = setup.unpatched.join("bin").join(&bug.target);
                        let seconds = setup.seconds;
                        let runs = &mut row.runs;
                        fuzz_until_crash(bug, &scratch, &binary, &clean, seconds, runs, &mut log)
                    }
                };
                let text = std::fs::read_to_string(&log_path).unwrap_or_default();
                eprint!("\n==> {}: {} ({})\n{text}", bug.name, bug.bug, bug.target);
                verdict
            }
        };
    }
    eprintln!("{}: {}", bug.name, row.verdict.describe());
    row
}

/// `git apply [--check] <patch>` in `dir`.
fn git_apply(dir: &Path, patch: &Path, check: bool) -> Result<(), String> {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir).arg("apply");
    if check {
        cmd.arg("--check");
    }
    let out = cmd
        .arg(patch)
        .output()
        .map_err(|e| format!("cannot start git: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim_end().to_string())
    }
}

/// The files of the working tree that git tracks or would track: the sources as they are,
/// committed or not.
fn source_files(root: &Path) -> Result<Vec<PathBuf>, String> {
    let listed = output(Command::new("git").current_dir(root).args([
        "ls-files",
        "--cached",
        "--others",
        "--exclude-standard",
    ]))?;
    Ok(listed
        .lines()
        .map(PathBuf::from)
        .filter(|p| root.join(p).is_file())
        .collect())
}

/// A fresh copy of `files` in `dest`, made its own git repository so that `git apply` patches
/// it rather than the repository around the target folder.
fn copy_sources(root: &Path, files: &[PathBuf], dest: &Path) -> Result<(), String> {
    if dest.exists() {
        std::fs::remove_dir_all(dest).map_err(|e| format!("cannot clear {dest:?}: {e}"))?;
    }
    for file in files {
        let to = dest.join(file);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{parent:?}: {e}"))?;
        }
        std::fs::copy(root.join(file), &to).map_err(|e| format!("{to:?}: {e}"))?;
    }
    run(Command::new("git").current_dir(dest).args(["init", "-q"]))
}

/// The scratch copy of the sources with `bug` applied.
fn plant(root: &Path, files: &[PathBuf], bug: &Planted, scratch: &Path) -> Result<(), String> {
    copy_sources(root, files, scratch)?;
    git_apply(scratch, &bug.patch, false)
        .map_err(|e| format!("{} does not apply: {e}", bug.patch.display()))
}

/// A copy of the folder `from` at `to` (which must not exist), times kept: cargo takes the
/// copied target folder for built.
fn copy_folder(from: &Path, to: &Path) -> Result<(), String> {
    run(Command::new("cp").arg("-a").arg(from).arg(to))
}

/// The features `target` needs, from `required_features`.
fn features_of<'a>(
    features: &'a BTreeMap<String, Vec<String>>,
    target: &str,
) -> Result<&'a [String], String> {
    features
        .get(target)
        .map(Vec::as_slice)
        .ok_or_else(|| format!("fuzz/Cargo.toml has no target `{target}`"))
}

/// Builds `target` in the copy at `dir` with the features it needs and no others, into a target
/// folder that the copies share (the dependencies build once), its output written to `log` when
/// one is given.
fn build_target(
    build: &Build,
    dir: &Path,
    cargo_target: &Path,
    target: &str,
    features: &[String],
    log: Option<&File>,
) -> Result<(), String> {
    let mut cmd = build.cargo_fuzz("build", target);
    cmd.current_dir(dir)
        .arg("--release")
        .arg("--no-default-features")
        .arg("--target-dir")
        .arg(cargo_target);
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    let Some(log) = log else {
        return run(&mut cmd);
    };
    let (out, err) = log
        .try_clone()
        .and_then(|out| Ok((out, log.try_clone()?)))
        .map_err(|e| format!("cannot write the build's log: {e}"))?;
    let mut writer = log;
    let _ = writeln!(writer, "+ {}", display(&cmd));
    run_silently(cmd.stdout(out).stderr(err))
}

/// Where cargo-fuzz puts the binary of `target`.
fn binary(cargo_target: &Path, host: &str, target: &str) -> PathBuf {
    cargo_target.join(host).join("release").join(target)
}

/// Keeps the binary of `target` just built from the copy at `dir` beside that copy: every copy
/// builds into the same shared folder, so the next build replaces it there.
fn keep_binary(
    dir: &Path,
    cargo_target: &Path,
    host: &str,
    target: &str,
) -> Result<PathBuf, String> {
    let kept = dir.join("bin").join(target);
    std::fs::create_dir_all(dir.join("bin"))
        .and_then(|()| std::fs::copy(binary(cargo_target, host, target), &kept))
        .map_err(|e| format!("cannot keep the {target} binary: {e}"))?;
    Ok(kept)
}

/// Fuzzes the patched `binary` from the committed corpus until the first crash or `seconds`,
/// and replays a crash on the unpatched binary `clean`.
fn fuzz_until_crash(
    bug: &Planted,
    scratch: &Path,
    binary: &Path,
    clean: &Path,
    seconds: u64,
    runs: &mut u64,
    out: &mut File,
) -> Verdict {
    let corpus = scratch.join("fuzz/corpus-planted");
    let artifacts = scratch.join("fuzz/artifacts-planted");
    let log_path = scratch.join("fuzz/planted.log");
    let options = match libfuzzer_options(&bug.target) {
        Ok(options) => options,
        Err(e) => {
            let _ = writeln!(out, "{e}");
            return Verdict::Failed;
        }
    };
    let log = match (
        std::fs::create_dir_all(&corpus),
        std::fs::create_dir_all(&artifacts),
        File::create(&log_path),
    ) {
        (Ok(()), Ok(()), Ok(log)) => log,
        _ => {
            let _ = writeln!(out, "cannot prepare {}", scratch.display());
            return Verdict::Failed;
        }
    };
    let mut cmd = Command::new(binary);
    cmd.arg(&corpus)
        .arg(scratch.join("corpora").join(&bug.target))
        .args(&options)
        .arg(format!("-dict={}", scratch.join(DICTIONARY).display()))
        .arg(format!("-max_total_time={seconds}"))
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", artifacts.display()))
        .stdout(Stdio::null())
        .stderr(log);
    let _ = writeln!(out, "+ {}", display(&cmd));
    let started = Instant::now();
    let status = cmd.status();
    let elapsed = started.elapsed().as_secs_f64();
    let mut summary = Summary::default();
    if let Ok(file) = File::open(&log_path) {
        for line in BufReader::new(file).lines().map_while(Result::ok) {
            parse_stat_line(&line, &mut summary);
        }
    }
    *runs = summary.runs;
    match status {
        Ok(s) if s.success() => return Verdict::NotCaught,
        Ok(_) => {}
        Err(e) => {
            let _ = writeln!(out, "cannot start {}: {e}", binary.display());
            return Verdict::Failed;
        }
    }
    let Some(input) = files_under(&artifacts).into_iter().next() else {
        let _ = writeln!(
            out,
            "the fuzzer failed without leaving an input; its log: {}",
            log_path.display()
        );
        return Verdict::Failed;
    };
    let _ = writeln!(out, "crash input: {}", input.display());
    let replay = Command::new(clean)
        .arg(&input)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    match replay {
        Ok(s) if s.success() => Verdict::Caught { seconds: elapsed },
        _ => Verdict::CrashesUnpatched { seconds: elapsed },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The files a patch changes, from its `+++ b/<path>` lines.
    fn patched_files(text: &str) -> Vec<&str> {
        text.lines()
            .filter_map(|l| l.strip_prefix("+++ b/"))
            .collect()
    }

    #[test]
    fn reads_the_target_and_the_bug_before_the_diff() {
        let text = "Target: negotiate\nBug: an HTTP/1.0 request is upgraded\n\ndiff --git a/x b/x\nTarget: not read\n";
        assert_eq!(
            parse_header(text).unwrap(),
            ("negotiate".into(), "an HTTP/1.0 request is upgraded".into())
        );
    }

    #[test]
    fn rejects_headers_without_target_or_bug_or_with_other_lines() {
        assert!(parse_header("Bug: b\n\ndiff --git a/x b/x\n").is_err());
        assert!(parse_header("Target: t\n\ndiff --git a/x b/x\n").is_err());
        assert!(parse_header("Target:\nBug: b\ndiff --git a/x b/x\n").is_err());
        assert!(parse_header("Target: t\nBug: b\nnote\ndiff --git a/x b/x\n").is_err());
    }

    #[test]
    fn the_table_shows_seconds_for_crashes_only_and_every_verdict() {
        let row = |bug: &str, runs, verdict| Row {
            bug: bug.into(),
            target: "negotiate".into(),
            runs,
            verdict,
        };
        let table = render_table(
            &[
                row("http10-honoured", 5400, Verdict::Caught { seconds: 2.04 }),
                row("b", 9, Verdict::NotCaught),
                row("c", 0, Verdict::Stale),
            ],
            60,
        );
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(lines[0].starts_with("bug ") && lines[0].ends_with("result (limit 60 s)"));
        assert_eq!(
            lines[1].split_whitespace().collect::<Vec<_>>(),
            ["http10-honoured", "negotiate", "2.0", "s", "5400", "caught"]
        );
        assert_eq!(
            lines[2].split_whitespace().collect::<Vec<_>>(),
            ["b", "negotiate", "-", "9", "NOT", "CAUGHT"]
        );
        assert!(lines[3].ends_with("PATCH DOES NOT APPLY"), "{table}");
        // The columns line up whatever the names' lengths.
        let at = |line: &str| line.find("negotiate");
        assert_eq!(at(lines[1]), at(lines[2]));
    }

    #[test]
    fn only_a_crash_that_the_unpatched_sources_pass_counts_as_caught() {
        assert!(Verdict::Caught { seconds: 1.0 }.caught());
        for v in [
            Verdict::NotCaught,
            Verdict::Stale,
            Verdict::BuildFailed,
            Verdict::CrashesUnpatched { seconds: 1.0 },
            Verdict::Failed,
        ] {
            assert!(!v.caught(), "{v:?}");
        }
    }

    #[test]
    fn the_committed_set_covers_both_libraries_the_probes_reader_the_example_server_and_only_their_sources()
     {
        let root = crate::process::workspace_root();
        std::env::set_current_dir(&root).unwrap();
        let bugs = planted(&root).unwrap();
        assert!(bugs.len() >= 10, "{bugs:?}");
        let mut libraries = Vec::new();
        for bug in &bugs {
            assert!(
                bug.name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{}",
                bug.name
            );
            let text = std::fs::read_to_string(&bug.patch).unwrap();
            let files = patched_files(&text);
            assert!(!files.is_empty(), "{}: no diff", bug.name);
            for file in files {
                let library = [
                    "crates/upgrade-grammar/src/",
                    "crates/upgrade-negotiate/src/",
                    "crates/upgrade-probe/src/conn.rs",
                    "crates/upgrade-examples/src/",
                ]
                .into_iter()
                .find(|l| file.starts_with(l));
                assert!(library.is_some(), "{}: patches {file}", bug.name);
                libraries.extend(library);
            }
        }
        libraries.sort_unstable();
        libraries.dedup();
        assert_eq!(libraries.len(), 4, "{libraries:?}");
    }

    #[test]
    fn every_target_is_built_by_default_and_a_planted_build_names_what_its_target_needs() {
        let root = crate::process::workspace_root();
        let needs = required_features(&root).unwrap();
        let mut known = targets().unwrap();
        known.sort();
        assert_eq!(needs.keys().cloned().collect::<Vec<_>>(), known);
        let metadata = cargo_metadata(Some(&root.join("fuzz/Cargo.toml"))).unwrap();
        let default = &metadata["packages"][0]["features"]["default"];
        for (target, features) in &needs {
            for feature in features {
                assert!(
                    default.as_array().unwrap().iter().any(|d| d == feature),
                    "{target} needs {feature}, which the default build leaves out"
                );
            }
        }
        // The negotiator's targets, the probe's and the example server's each need theirs; the
        // grammar's need none, so a bug in the grammar rebuilds no more than the grammar's checks.
        assert_eq!(needs["negotiate"], ["negotiate"]);
        assert_eq!(needs["read_answers"], ["probe"]);
        assert_eq!(needs["track_heads"], ["server"]);
        assert!(needs["differential"].is_empty());
    }

    #[test]
    fn every_planted_patch_applies_to_the_sources() {
        let root = crate::process::workspace_root();
        for patch in files_under(&root.join(PLANTED_DIR)) {
            if let Err(why) = git_apply(&root, &patch, true) {
                panic!(
                    "{} no longer applies; write it again against HEAD:\n{why}",
                    patch.display()
                );
            }
        }
    }
}
