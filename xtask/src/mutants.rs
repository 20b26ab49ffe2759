//! `cargo xtask mutants`: mutation testing of the two libraries with cargo-mutants, each mutant
//! tested by the tests of its own crate only, one summary table, and a committed list of the
//! mutants that no test can tell apart from the code they replace.
//!
//! The run fails when a mutant is missed that `mutants/equivalent.txt` does not list, and when
//! an entry of that list is no longer generated or no longer missed, so that the list stays
//! true.
//!
//! A full run that passes on a tree without changes records its commit in
//! `mutants/full-runs.txt`; `--since-full-run` then tests only the mutants in what changed in the
//! library's sources since that commit, which is what CI can afford for the negotiator.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};

use crate::process::{display, output, succeeds, target_dir, workspace_root};
use crate::toolchain::{ensure_cargo_mutants, host_triple};

/// The committed list of equivalent mutants, relative to the workspace root.
const EQUIVALENT_LIST: &str = "mutants/equivalent.txt";

/// The commit of each library's last full run that passed, relative to the workspace root.
const FULL_RUNS: &str = "mutants/full-runs.txt";

/// The runner of the mutants' test binaries, relative to the workspace root: each binary stops
/// at its first failing test.
const FAIL_FAST_RUNNER: &str = "mutants/fail-fast";

/// The libraries whose harness is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub(crate) enum Library {
    /// `crates/upgrade-grammar`.
    #[value(name = "upgrade-grammar")]
    Grammar,
    /// `crates/upgrade-negotiate`.
    #[value(name = "upgrade-negotiate")]
    Negotiate,
}

impl Library {
    const ALL: [Library; 2] = [Library::Grammar, Library::Negotiate];

    fn name(self) -> &'static str {
        match self {
            Library::Grammar => "upgrade-grammar",
            Library::Negotiate => "upgrade-negotiate",
        }
    }

    /// The prefix of the names of this library's mutants: its folder in the workspace.
    fn prefix(self) -> String {
        format!("crates/{}/", self.name())
    }

    /// The folder of the code that is mutated.
    fn sources(self) -> String {
        format!("crates/{}/src", self.name())
    }
}

/// Arguments of `cargo xtask mutants`.
#[derive(Args, Debug)]
pub(crate) struct MutantsArgs {
    /// Only these libraries (repeatable); both by default.
    #[arg(long = "package", short = 'p', value_enum, value_name = "PACKAGE")]
    packages: Vec<Library>,
    /// Mutants built and tested at the same time, each in its own copy of the tree.
    #[arg(long, short = 'j', default_value_t = 2, value_name = "N")]
    jobs: usize,
    /// The least time, in seconds, that a mutant's tests may take before the mutant counts as a
    /// timeout (cargo-mutants sets more when the unmutated tests are slow).
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    minimum_test_timeout: u64,
    /// Only the mutants whose name matches this regular expression (cargo-mutants' `--re`,
    /// repeatable), to work on a few; listed mutants that do not match are then not judged.
    #[arg(long = "re", value_name = "REGEX")]
    examine: Vec<String>,
    /// Only the mutants in what changed in each library's `src/` since its last full run that
    /// passed, the commit recorded in `mutants/full-runs.txt` (cargo-mutants' `--in-diff`);
    /// listed mutants outside the change are then not judged.
    #[arg(long)]
    since_full_run: bool,
}

pub(crate) fn main(args: MutantsArgs) -> Result<ExitCode, String> {
    let root = workspace_root();
    std::env::set_current_dir(&root).map_err(|e| format!("cannot enter {root:?}: {e}"))?;
    let list_text = std::fs::read_to_string(EQUIVALENT_LIST)
        .map_err(|e| format!("cannot read {EQUIVALENT_LIST}: {e}"))?;
    let equivalent = parse_equivalent(&list_text).map_err(|e| format!("{EQUIVALENT_LIST}: {e}"))?;
    let runs_text =
        std::fs::read_to_string(FULL_RUNS).map_err(|e| format!("cannot read {FULL_RUNS}: {e}"))?;
    let full_runs = parse_full_runs(&runs_text).map_err(|e| format!("{FULL_RUNS}: {e}"))?;
    ensure_cargo_mutants()?;

    let mut libraries = if args.packages.is_empty() {
        Library::ALL.to_vec()
    } else {
        args.packages.clone()
    };
    libraries.sort();
    libraries.dedup();

    // The commit that the runs test, when the tree they copy holds no change to it: a run of
    // every mutant of a library that passes is recorded as that commit's.
    let head = unchanged_head();

    let out_root = target_dir()?.join("mutants");
    let runner = (
        runner_variable(&host_triple()?),
        root.join(FAIL_FAST_RUNNER).display().to_string(),
    );
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for library in libraries {
        let out = out_root.join(library.name());
        std::fs::create_dir_all(&out).map_err(|e| format!("cannot create {out:?}: {e}"))?;
        let in_diff = if args.since_full_run {
            match since_full_run(library, &full_runs, &out)? {
                Since::Unchanged(base) => {
                    eprintln!(
                        "xtask mutants: {} is as it was at {base}, its last full run: no mutant \
                         to test",
                        library.sources()
                    );
                    rows.push((library, Verdict::default(), Duration::ZERO));
                    continue;
                }
                Since::Changed(diff) => Some(diff),
                Since::Unknown(base) => {
                    eprintln!(
                        "xtask mutants: {base}, the last full run of {}, is not in this clone's \
                         history (a shallow clone?): every mutant is tested instead",
                        library.name()
                    );
                    None
                }
            }
        } else {
            None
        };
        // Every mutant of the library is generated, so the whole list is judged.
        let complete = args.examine.is_empty() && in_diff.is_none();
        // cargo-mutants writes no outcomes when a change holds no mutant: an earlier run's
        // must not stand in for them.
        let report = out.join("mutants.out");
        match std::fs::remove_dir_all(&report) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("cannot remove {report:?}: {e}"));
            }
            _ => {}
        }
        let started = Instant::now();
        run_cargo_mutants(library, &args, &out, &runner, in_diff.as_deref())?;
        let elapsed = started.elapsed();
        let outcomes_path = report.join("outcomes.json");
        let outcomes = match std::fs::read_to_string(&outcomes_path) {
            Ok(text) => parse_outcomes(&text).map_err(|e| format!("{outcomes_path:?}: {e}"))?,
            Err(e) if in_diff.is_some() && e.kind() == std::io::ErrorKind::NotFound => {
                eprintln!(
                    "xtask mutants: the change to {} holds no mutant",
                    library.sources()
                );
                Vec::new()
            }
            Err(e) => return Err(format!("cannot read {outcomes_path:?}: {e}")),
        };
        let verdict = judge(library, &outcomes, &equivalent, complete);
        let found = verdict.problems();
        if complete && found.is_empty() {
            match &head {
                Some(commit) => record_full_run(library, commit)?,
                None => eprintln!(
                    "xtask mutants: the tree holds uncommitted changes, so this full run of {} \
                     is not recorded in {FULL_RUNS}",
                    library.name()
                ),
            }
        }
        problems.extend(found);
        rows.push((library, verdict, elapsed));
    }

    print_report(&rows, &equivalent);
    if problems.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!();
        for p in &problems {
            eprintln!("xtask mutants: {p}");
        }
        eprintln!(
            "xtask mutants: kill each missed mutant with a test, or list it in {EQUIVALENT_LIST} \
             with the reason no test can see it; remove entries that are no longer missed"
        );
        Ok(ExitCode::FAILURE)
    }
}

/// The commit checked out, when the work tree holds no change to it, tracked or not; `None`
/// otherwise, or outside a git checkout.
fn unchanged_head() -> Option<String> {
    let status = output(Command::new("git").args(["status", "--porcelain"])).ok()?;
    if !status.trim().is_empty() {
        return None;
    }
    let head = output(Command::new("git").args(["rev-parse", "HEAD"])).ok()?;
    Some(head.trim().to_string())
}

/// What `--since-full-run` leaves to test of one library.
enum Since<'r> {
    /// Its sources are as they were at its last full run, this commit: nothing.
    Unchanged(&'r str),
    /// The mutants in the diff written at this path.
    Changed(PathBuf),
    /// Its last full run, this commit, is not in this clone's history: every mutant.
    Unknown(&'r str),
}

/// What changed in `library`'s sources since its last full run in `full_runs`; the diff, when
/// there is one, is written under `out`.
fn since_full_run<'r>(
    library: Library,
    full_runs: &'r BTreeMap<Library, String>,
    out: &Path,
) -> Result<Since<'r>, String> {
    let base = full_runs.get(&library).ok_or_else(|| {
        format!(
            "{FULL_RUNS} records no full run of {0}: run `cargo xtask mutants --package {0}` on \
             a tree without changes first",
            library.name()
        )
    })?;
    let commit = format!("{base}^{{commit}}");
    if !succeeds(Command::new("git").args(["cat-file", "-e", &commit])) {
        return Ok(Since::Unknown(base));
    }
    let diff = changes_since(library, base)?;
    if diff.is_empty() {
        return Ok(Since::Unchanged(base));
    }
    let path = out.join("since-full-run.diff");
    std::fs::write(&path, diff).map_err(|e| format!("cannot write {path:?}: {e}"))?;
    Ok(Since::Changed(path))
}

/// The diff of `library`'s sources from `base` to the work tree, in the form cargo-mutants'
/// `--in-diff` reads (`a/` and `b/` prefixes, whatever git is configured to print); empty when
/// nothing changed. A file that git does not track is not in it: add a new source file before
/// the run.
fn changes_since(library: Library, base: &str) -> Result<String, String> {
    output(Command::new("git").current_dir(workspace_root()).args([
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        base,
        "--",
        &library.sources(),
    ]))
    .map_err(|e| format!("cannot diff {} against {base}: {e}", library.sources()))
}

/// Writes `commit` as the last full run of `library` that passed into [`FULL_RUNS`].
fn record_full_run(library: Library, commit: &str) -> Result<(), String> {
    let text =
        std::fs::read_to_string(FULL_RUNS).map_err(|e| format!("cannot read {FULL_RUNS}: {e}"))?;
    let updated = with_full_run(&text, library, commit);
    if updated != text {
        std::fs::write(FULL_RUNS, updated).map_err(|e| format!("cannot write {FULL_RUNS}: {e}"))?;
        eprintln!(
            "xtask mutants: recorded {commit} as the last full run of {} in {FULL_RUNS}; commit it",
            library.name()
        );
    }
    Ok(())
}

/// The commit of each library's last full run that passed, from [`FULL_RUNS`]:
///
/// ```text
/// # comment
/// upgrade-negotiate 0123456789abcdef0123456789abcdef01234567
/// ```
pub(crate) fn parse_full_runs(text: &str) -> Result<BTreeMap<Library, String>, String> {
    let mut runs = BTreeMap::new();
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        let Some(entry) = full_run_entry(line) else {
            continue;
        };
        let (name, commit) = entry.ok_or_else(|| format!("line {number}: not `LIBRARY COMMIT`"))?;
        let library = Library::from_str(name, false)
            .map_err(|_| format!("line {number}: `{name}` is not one of the libraries"))?;
        let commit = commit.trim();
        if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "line {number}: `{commit}` is not a 40-digit commit"
            ));
        }
        if runs.insert(library, commit.to_string()).is_some() {
            return Err(format!("line {number}: {name} is recorded twice"));
        }
    }
    Ok(runs)
}

/// One line of [`FULL_RUNS`]: `None` for a blank line or a comment, else its name and the rest
/// (`Some(None)` when it has no space to part them).
fn full_run_entry(line: &str) -> Option<Option<(&str, &str)>> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        None
    } else {
        Some(line.split_once(' '))
    }
}

/// `text` of [`FULL_RUNS`] with `library`'s line set to `commit`, or the line added at the end.
fn with_full_run(text: &str, library: Library, commit: &str) -> String {
    let line = format!("{} {commit}", library.name());
    let mut found = false;
    let mut out: Vec<&str> = text
        .lines()
        .map(|l| {
            if full_run_entry(l)
                .flatten()
                .is_some_and(|(name, _)| name == library.name())
            {
                found = true;
                line.as_str()
            } else {
                l
            }
        })
        .collect();
    if !found {
        out.push(&line);
    }
    out.join("\n") + "\n"
}

/// `cargo mutants` over one library, its mutants tested by that crate's tests only, each test
/// binary started through `runner` (the variable that sets cargo's runner for the host, and its
/// value); only the mutants in the diff at `in_diff` when there is one.
fn run_cargo_mutants(
    library: Library,
    args: &MutantsArgs,
    out: &Path,
    runner: &(String, String),
    in_diff: Option<&Path>,
) -> Result<(), String> {
    let mut cmd = Command::new("cargo");
    cmd.args(cargo_mutants_args(library, args, out, in_diff));
    // Property tests run the default number of cases from a fixed seed, without shrinking, so a
    // mutant is caught or missed the same way on every run, and a failing case ends its run at
    // once.
    cmd.env("PROPTEST_CASES", "256")
        .env("PROPTEST_RNG_SEED", "1")
        .env("PROPTEST_MAX_SHRINK_ITERS", "0")
        .env("PROPTEST_DISABLE_FAILURE_PERSISTENCE", "true")
        // Every mutant relinks each test binary of its crate; without debug info that takes a
        // fraction of the time, and no outcome depends on it.
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        // A test binary stops at its first failing test: the rest cannot change the verdict.
        .env(&runner.0, &runner.1);
    eprintln!("+ {}", display(&cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot start `{}`: {e}", display(&cmd)))?;
    // 0: every mutant caught; 2: some missed; 3: some timed out. The list decides what a miss
    // means; any other status (the unmutated tests fail, a usage error) ends the run.
    match status.code() {
        Some(0 | 2 | 3) => Ok(()),
        _ => Err(format!("`{}` failed ({status})", display(&cmd))),
    }
}

/// The environment variable that sets cargo's `target.<triple>.runner`.
fn runner_variable(triple: &str) -> String {
    format!(
        "CARGO_TARGET_{}_RUNNER",
        triple.to_ascii_uppercase().replace(['-', '.'], "_")
    )
}

fn cargo_mutants_args(
    library: Library,
    args: &MutantsArgs,
    out: &Path,
    in_diff: Option<&Path>,
) -> Vec<String> {
    let mut v: Vec<String> = [
        "mutants",
        "--package",
        library.name(),
        // The `http` feature's code is mutated too, so it must be built and tested.
        "--all-features",
        // The tests of the mutated crate only: what is measured is that crate's harness.
        "--test-workspace=false",
        "--no-shuffle",
        "--colors=never",
    ]
    .map(String::from)
    .to_vec();
    v.extend([
        "--jobs".to_string(),
        args.jobs.to_string(),
        "--minimum-test-timeout".to_string(),
        args.minimum_test_timeout.to_string(),
        "--output".to_string(),
        out.display().to_string(),
    ]);
    for re in &args.examine {
        v.extend(["--re".to_string(), re.clone()]);
    }
    if let Some(diff) = in_diff {
        v.extend(["--in-diff".to_string(), diff.display().to_string()]);
    }
    v
}

/// What cargo-mutants concluded about one mutant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Summary {
    Caught,
    Missed,
    Unviable,
    Timeout,
}

/// Every mutant of a run with its outcome, from `mutants.out/outcomes.json`, in order.
pub(crate) fn parse_outcomes(text: &str) -> Result<Vec<(String, Summary)>, String> {
    let json: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let outcomes = json
        .get("outcomes")
        .and_then(serde_json::Value::as_array)
        .ok_or("no `outcomes` array")?;
    let mut mutants = Vec::new();
    for outcome in outcomes {
        let summary = outcome
            .get("summary")
            .and_then(serde_json::Value::as_str)
            .ok_or("an outcome without `summary`")?;
        let scenario = outcome
            .get("scenario")
            .ok_or("an outcome without `scenario`")?;
        // The baseline (the unmutated tree) is the string "Baseline"; a mutant is an object.
        let Some(mutant) = scenario.get("Mutant") else {
            if summary != "Success" {
                return Err(format!(
                    "the unmutated tree's tests did not pass ({summary})"
                ));
            }
            continue;
        };
        let name = mutant
            .get("name")
            .and_then(serde_json::Value::as_str)
            .ok_or("a mutant without `name`")?;
        let summary = match summary {
            "CaughtMutant" => Summary::Caught,
            "MissedMutant" => Summary::Missed,
            "Unviable" => Summary::Unviable,
            "Timeout" => Summary::Timeout,
            other => return Err(format!("mutant `{name}`: unexpected outcome `{other}`")),
        };
        mutants.push((name.to_string(), summary));
    }
    Ok(mutants)
}

/// The equivalent-mutant list: name as cargo-mutants writes it, and why no test can see it.
///
/// ```text
/// # comment
/// crates/upgrade-grammar/src/list.rs:47:37: replace | with ^ in ListKind::allowed
///     the four flags are distinct bits, so `|` and `^` of them are equal
/// ```
///
/// An entry is a line at the start of the line (the name), followed by one or more indented
/// lines (the reason). Blank lines and lines starting with `#` are ignored.
pub(crate) fn parse_equivalent(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut entries: Vec<(String, String)> = Vec::new();
    for (number, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l)) {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let Some((_, reason)) = entries.last_mut() else {
                return Err(format!(
                    "line {number}: a reason without a mutant before it"
                ));
            };
            if !reason.is_empty() {
                reason.push(' ');
            }
            reason.push_str(line.trim());
        } else {
            entries.push((line.trim_end().to_string(), String::new()));
        }
    }
    let mut list = BTreeMap::new();
    for (name, reason) in entries {
        if reason.is_empty() {
            return Err(format!(
                "`{name}` has no reason (an indented line after it)"
            ));
        }
        if list.insert(name.clone(), reason).is_some() {
            return Err(format!("`{name}` is listed twice"));
        }
    }
    Ok(list)
}

/// One library's run judged against the list.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Verdict {
    pub(crate) mutants: usize,
    pub(crate) caught: usize,
    pub(crate) unviable: usize,
    pub(crate) timeouts: usize,
    /// Missed and listed.
    pub(crate) equivalent: Vec<String>,
    /// Missed and not listed: a hole in the harness.
    pub(crate) missed: Vec<String>,
    /// Listed, but caught, unviable or timed out (with that outcome), or not generated at all.
    pub(crate) stale: Vec<(String, &'static str)>,
}

impl Verdict {
    fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .missed
            .iter()
            .map(|m| {
                let moved = self.stale.iter().find(|(s, why)| {
                    *why == "no longer generated" && without_position(s) == without_position(m)
                });
                match moved {
                    Some((listed, _)) => {
                        format!("missed, listed at another place (moved?): {m} (listed: {listed})")
                    }
                    None => format!("missed, not listed as equivalent: {m}"),
                }
            })
            .collect();
        out.extend(
            self.stale
                .iter()
                .map(|(m, why)| format!("listed as equivalent but {why}: {m}")),
        );
        out
    }
}

/// A mutant's name without its `:line:column`: the file and what is replaced.
fn without_position(name: &str) -> (&str, &str) {
    let (place, what) = name.split_once(": ").unwrap_or((name, ""));
    (place.split(':').next().unwrap_or(place), what)
}

/// Sorts the outcomes of `library` by what the list says of them. `complete` says that every
/// mutant of the library was generated (no `--re` filter), so a listed one that is missing is
/// stale.
pub(crate) fn judge(
    library: Library,
    outcomes: &[(String, Summary)],
    equivalent: &BTreeMap<String, String>,
    complete: bool,
) -> Verdict {
    let mut v = Verdict {
        mutants: outcomes.len(),
        ..Verdict::default()
    };
    let mut seen = BTreeSet::new();
    for (name, summary) in outcomes {
        seen.insert(name.as_str());
        let listed = equivalent.contains_key(name);
        match summary {
            Summary::Caught => v.caught += 1,
            Summary::Unviable => v.unviable += 1,
            Summary::Timeout => v.timeouts += 1,
            Summary::Missed if listed => v.equivalent.push(name.clone()),
            Summary::Missed => v.missed.push(name.clone()),
        }
        let stale = match summary {
            Summary::Missed => None,
            Summary::Caught => Some("now caught"),
            Summary::Unviable => Some("now unviable"),
            Summary::Timeout => Some("now a timeout"),
        };
        if let (true, Some(why)) = (listed, stale) {
            v.stale.push((name.clone(), why));
        }
    }
    let prefix = library.prefix();
    for name in equivalent.keys() {
        if complete && name.starts_with(&prefix) && !seen.contains(name.as_str()) {
            v.stale.push((name.clone(), "no longer generated"));
        }
    }
    v
}

fn print_report(rows: &[(Library, Verdict, Duration)], equivalent: &BTreeMap<String, String>) {
    println!();
    println!(
        "{:<18} {:>7} {:>6} {:>6} {:>8} {:>8} {:>10} {:>9}",
        "crate", "mutants", "caught", "missed", "unviable", "timeouts", "equivalent", "time"
    );
    for (library, v, elapsed) in rows {
        println!(
            "{:<18} {:>7} {:>6} {:>6} {:>8} {:>8} {:>10} {:>9}",
            library.name(),
            v.mutants,
            v.caught,
            v.missed.len(),
            v.unviable,
            v.timeouts,
            v.equivalent.len(),
            minutes(*elapsed),
        );
    }
    println!("(missed: not in {EQUIVALENT_LIST}; equivalent: missed and listed there)");
    let listed: Vec<&String> = rows.iter().flat_map(|(_, v, _)| &v.equivalent).collect();
    if !listed.is_empty() {
        println!();
        println!("equivalent mutants:");
        for name in listed {
            let reason = equivalent.get(name).map_or("", String::as_str);
            println!("  {name}\n      {reason}");
        }
    }
}

/// `12m05s`.
fn minutes(d: Duration) -> String {
    let s = d.as_secs();
    format!("{}m{:02}s", s / 60, s % 60)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn the_runner_is_set_for_the_host_through_cargos_variable() {
        assert_eq!(
            runner_variable("x86_64-unknown-linux-gnu"),
            "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER"
        );
        assert_eq!(
            runner_variable("thumbv8m.main-none-eabi"),
            "CARGO_TARGET_THUMBV8M_MAIN_NONE_EABI_RUNNER"
        );
    }

    #[test]
    fn the_runner_starts_the_binary_with_its_arguments_and_libtests_fail_fast() {
        // `echo` stands for the test binary: it shows what the binary would be given.
        let runner = workspace_root().join(FAIL_FAST_RUNNER);
        let out = Command::new(&runner)
            .args(["echo", "--quiet", "some_test"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "--quiet some_test -Z unstable-options --fail-fast\n"
        );
        // The unstable option is let through for the binary by RUSTC_BOOTSTRAP, set for it alone.
        let out = Command::new(&runner)
            .args(["sh", "-c", "echo \"$RUSTC_BOOTSTRAP\""])
            .env_remove("RUSTC_BOOTSTRAP")
            .output()
            .unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), "1\n");
    }

    /// The shape of `outcomes.json` as cargo-mutants 27 writes it, cut to the fields read here.
    const OUTCOMES: &str = r#"{
      "outcomes": [
        {"scenario": "Baseline", "summary": "Success", "log_path": "log/baseline.log"},
        {"scenario": {"Mutant": {"name": "crates/upgrade-grammar/src/a.rs:1:5: replace f -> bool with true",
          "package": "upgrade-grammar", "file": "crates/upgrade-grammar/src/a.rs"}},
         "summary": "CaughtMutant"},
        {"scenario": {"Mutant": {"name": "crates/upgrade-grammar/src/a.rs:2:9: replace | with ^ in g"}},
         "summary": "MissedMutant"},
        {"scenario": {"Mutant": {"name": "crates/upgrade-grammar/src/b.rs:3:1: replace h with ()"}},
         "summary": "Unviable"},
        {"scenario": {"Mutant": {"name": "crates/upgrade-grammar/src/b.rs:4:1: replace += with *= in k"}},
         "summary": "Timeout"}
      ],
      "total_mutants": 4, "missed": 1, "caught": 1, "timeout": 1, "unviable": 1
    }"#;

    fn outcomes() -> Vec<(String, Summary)> {
        parse_outcomes(OUTCOMES).unwrap()
    }

    #[test]
    fn reads_every_mutant_with_its_outcome_and_skips_the_baseline() {
        let got = outcomes();
        let summaries: Vec<Summary> = got.iter().map(|(_, s)| *s).collect();
        assert_eq!(
            summaries,
            [
                Summary::Caught,
                Summary::Missed,
                Summary::Unviable,
                Summary::Timeout
            ]
        );
        assert_eq!(
            got[1].0,
            "crates/upgrade-grammar/src/a.rs:2:9: replace | with ^ in g"
        );
    }

    #[test]
    fn refuses_outcomes_whose_baseline_failed_or_whose_shape_is_unknown() {
        let failed = r#"{"outcomes": [{"scenario": "Baseline", "summary": "Failure"}]}"#;
        assert!(parse_outcomes(failed).unwrap_err().contains("did not pass"));
        let odd =
            r#"{"outcomes": [{"scenario": {"Mutant": {"name": "x"}}, "summary": "Success"}]}"#;
        assert!(
            parse_outcomes(odd)
                .unwrap_err()
                .contains("unexpected outcome")
        );
        assert!(parse_outcomes(r#"{"total_mutants": 0}"#).is_err());
        assert!(parse_outcomes("not json").is_err());
    }

    #[test]
    fn reads_entries_with_multi_line_reasons_and_skips_comments() {
        let text = "# header\n\
                    \n\
                    crates/a/src/x.rs:1:2: replace | with ^ in f\n\
                    \x20   disjoint bits\n\
                    \x20   so or is xor\n\
                    crates/a/src/y.rs:3:4: replace < with <= in g\n\
                    \tthe loop bound\n";
        let list = parse_equivalent(text).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(
            list["crates/a/src/x.rs:1:2: replace | with ^ in f"],
            "disjoint bits so or is xor"
        );
        assert_eq!(
            list["crates/a/src/y.rs:3:4: replace < with <= in g"],
            "the loop bound"
        );
    }

    #[test]
    fn refuses_entries_without_reason_duplicates_and_orphan_reasons() {
        assert!(
            parse_equivalent("crates/a/src/x.rs:1:2: m\n")
                .unwrap_err()
                .contains("no reason")
        );
        assert!(
            parse_equivalent("a: m\n  r\na: m\n  r\n")
                .unwrap_err()
                .contains("twice")
        );
        assert!(
            parse_equivalent("  reason first\n")
                .unwrap_err()
                .contains("line 1")
        );
    }

    #[test]
    fn counts_outcomes_and_passes_when_every_miss_is_listed() {
        let list = parse_equivalent(
            "crates/upgrade-grammar/src/a.rs:2:9: replace | with ^ in g\n  disjoint bits\n",
        )
        .unwrap();
        let v = judge(Library::Grammar, &outcomes(), &list, true);
        assert_eq!((v.mutants, v.caught, v.unviable, v.timeouts), (4, 1, 1, 1));
        assert_eq!(v.equivalent.len(), 1);
        assert!(v.missed.is_empty() && v.stale.is_empty());
        assert!(v.problems().is_empty());
    }

    #[test]
    fn fails_on_a_miss_that_is_not_listed() {
        let v = judge(Library::Grammar, &outcomes(), &BTreeMap::new(), true);
        assert_eq!(
            v.missed,
            ["crates/upgrade-grammar/src/a.rs:2:9: replace | with ^ in g"]
        );
        assert_eq!(v.problems().len(), 1);
    }

    #[test]
    fn fails_on_listed_mutants_that_are_caught_unviable_timed_out_or_gone() {
        let list = parse_equivalent(
            "crates/upgrade-grammar/src/a.rs:2:9: replace | with ^ in g\n  r\n\
             crates/upgrade-grammar/src/a.rs:1:5: replace f -> bool with true\n  r\n\
             crates/upgrade-grammar/src/b.rs:3:1: replace h with ()\n  r\n\
             crates/upgrade-grammar/src/b.rs:4:1: replace += with *= in k\n  r\n\
             crates/upgrade-grammar/src/gone.rs:9:9: replace z with ()\n  r\n\
             crates/upgrade-negotiate/src/other.rs:1:1: replace y with ()\n  r\n",
        )
        .unwrap();
        let v = judge(Library::Grammar, &outcomes(), &list, true);
        let stale: Vec<&str> = v.stale.iter().map(|(_, why)| *why).collect();
        // The negotiator's entry is not judged by a run of the grammar.
        assert_eq!(
            stale,
            [
                "now caught",
                "now unviable",
                "now a timeout",
                "no longer generated"
            ]
        );
        assert_eq!(v.problems().len(), 4);
        // A run filtered with `--re` did not generate every mutant: a missing one is not stale.
        let filtered = judge(Library::Grammar, &outcomes(), &list, false);
        assert_eq!(filtered.stale.len(), 3);
    }

    #[test]
    fn names_a_listed_mutant_that_moved_to_another_line() {
        let list = parse_equivalent(
            "crates/upgrade-grammar/src/a.rs:1:9: replace | with ^ in g\n  disjoint bits\n",
        )
        .unwrap();
        let v = judge(Library::Grammar, &outcomes(), &list, true);
        let problems = v.problems();
        assert!(problems[0].contains("moved?"), "{problems:?}");
        assert!(problems[0].contains("a.rs:2:9"), "{problems:?}");
    }

    #[test]
    fn asks_cargo_mutants_for_one_package_all_features_and_its_own_tests() {
        let args = MutantsArgs {
            packages: vec![],
            jobs: 3,
            minimum_test_timeout: 45,
            examine: vec!["quoted_string".into()],
            since_full_run: true,
        };
        let argv = cargo_mutants_args(
            Library::Negotiate,
            &args,
            Path::new("/t/mutants/n"),
            Some(Path::new("/t/n.diff")),
        );
        let joined = argv.join(" ");
        for part in [
            "mutants --package upgrade-negotiate",
            "--all-features",
            "--test-workspace=false",
            "--jobs 3",
            "--minimum-test-timeout 45",
            "--output /t/mutants/n",
            "--re quoted_string",
            "--in-diff /t/n.diff",
        ] {
            assert!(joined.contains(part), "{part} in {joined}");
        }
        let whole = cargo_mutants_args(Library::Negotiate, &args, Path::new("/t/m"), None);
        assert!(!whole.iter().any(|a| a == "--in-diff"), "{whole:?}");
    }

    const COMMIT_A: &str = "0123456789abcdef0123456789abcdef01234567";
    const COMMIT_B: &str = "89abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn reads_the_commit_of_each_librarys_last_full_run() {
        let text = format!("# why\n\nupgrade-negotiate {COMMIT_A}\nupgrade-grammar  {COMMIT_B}\n");
        let runs = parse_full_runs(&text).unwrap();
        assert_eq!(runs[&Library::Negotiate], COMMIT_A);
        assert_eq!(runs[&Library::Grammar], COMMIT_B);
        assert!(parse_full_runs("# nothing yet\n").unwrap().is_empty());
    }

    #[test]
    fn refuses_full_runs_of_unknown_libraries_short_commits_and_repeats() {
        let err = |text: String| parse_full_runs(&text).unwrap_err();
        assert!(err(format!("upgrade-check {COMMIT_A}\n")).contains("not one of"));
        assert!(err("upgrade-grammar 0123abc\n".into()).contains("40-digit"));
        assert!(err(format!("upgrade-grammar {COMMIT_A}x\n")).contains("40-digit"));
        assert!(err("upgrade-grammar\n".into()).contains("line 1"));
        let twice = format!("upgrade-grammar {COMMIT_A}\nupgrade-grammar {COMMIT_B}\n");
        assert!(err(twice).contains("line 2"));
    }

    #[test]
    fn records_a_full_run_on_its_librarys_line_or_adds_the_line() {
        let text = format!("# why\nupgrade-grammar {COMMIT_A}\nupgrade-negotiate {COMMIT_A}\n");
        let updated = with_full_run(&text, Library::Negotiate, COMMIT_B);
        assert_eq!(
            updated,
            format!("# why\nupgrade-grammar {COMMIT_A}\nupgrade-negotiate {COMMIT_B}\n")
        );
        let added = with_full_run("# why\n", Library::Grammar, COMMIT_B);
        assert_eq!(added, format!("# why\nupgrade-grammar {COMMIT_B}\n"));
        let runs = parse_full_runs(&with_full_run(&added, Library::Negotiate, COMMIT_A)).unwrap();
        assert_eq!(
            (
                runs[&Library::Grammar].as_str(),
                runs[&Library::Negotiate].as_str()
            ),
            (COMMIT_B, COMMIT_A)
        );
    }

    #[test]
    fn a_full_run_whose_commit_is_not_in_the_clone_leaves_every_mutant_to_test_and_one_in_it_the_change()
     {
        let runs = BTreeMap::from([(Library::Negotiate, "0".repeat(40))]);
        let out = std::env::temp_dir().join(format!("xtask-since-{}", std::process::id()));
        std::fs::create_dir_all(&out).unwrap();
        let since = since_full_run(Library::Negotiate, &runs, &out);
        assert!(matches!(since, Ok(Since::Unknown(_))));
        let none = since_full_run(Library::Grammar, &runs, &out);
        assert!(none.is_err_and(|e| e.contains("records no full run of upgrade-grammar")));
        // The commit checked out is in the clone: what changed since it is read, not every mutant.
        let head = output(Command::new("git").args(["rev-parse", "HEAD"])).unwrap();
        let runs = BTreeMap::from([(Library::Negotiate, head.trim().to_string())]);
        let since = since_full_run(Library::Negotiate, &runs, &out);
        assert!(matches!(since, Ok(Since::Unchanged(_) | Since::Changed(_))));
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn the_committed_full_runs_record_the_negotiator_whose_changes_ci_tests() {
        let text = std::fs::read_to_string(workspace_root().join(FULL_RUNS)).unwrap();
        assert!(
            parse_full_runs(&text)
                .unwrap()
                .contains_key(&Library::Negotiate)
        );
    }

    #[test]
    fn the_committed_list_parses_and_names_only_the_two_libraries() {
        let text = std::fs::read_to_string(workspace_root().join(EQUIVALENT_LIST)).unwrap();
        for name in parse_equivalent(&text).unwrap().keys() {
            assert!(
                Library::ALL.iter().any(|l| name.starts_with(&l.prefix())),
                "{name}"
            );
        }
    }
}
