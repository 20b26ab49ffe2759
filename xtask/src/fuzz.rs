//! `cargo xtask fuzz`: run every cargo-fuzz target over its committed corpus and the dictionary
//! within a time budget, print one summary table, and keep every crash as a regression input.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use clap::{Args, Subcommand};

use crate::process::{display, files_under, run, workspace_root};
use crate::toolchain::{Build, SanitizerChoice, ensure_cargo_fuzz};

mod coverage;
mod planted;

/// Arguments of `cargo xtask fuzz`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct FuzzArgs {
    #[command(subcommand)]
    action: Option<Action>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Subcommand, Debug)]
enum Action {
    /// Minimise the committed corpora (`corpora/<target>/`) with `cargo fuzz cmin`, folding in
    /// what earlier runs found under `fuzz/corpus/<target>/`.
    Cmin(TargetArgs),
    /// Build an HTML line-coverage report of the grammar and negotiator reached by the corpora.
    Coverage(TargetArgs),
    /// Apply each planted bug of `fuzz/planted/` to a scratch copy of the sources and fuzz the
    /// target that should catch it until the first crash or the time limit; exit 1 when a bug is
    /// not caught.
    Planted(planted::PlantedArgs),
    /// List the fuzz targets.
    List,
}

/// Selecting targets.
#[derive(Args, Debug, Clone)]
pub(crate) struct TargetArgs {
    /// Only these targets (repeatable); all of them by default.
    #[arg(long = "target", short = 't', value_name = "TARGET")]
    pub(crate) targets: Vec<String>,
}

#[derive(Args, Debug)]
struct RunArgs {
    #[command(flatten)]
    select: TargetArgs,
    /// Seconds of fuzzing per target.
    #[arg(long, default_value_t = 25, value_name = "SECONDS")]
    time: u64,
    /// How many targets fuzz at the same time (one core each).
    #[arg(long, default_value_t = 1, value_name = "N")]
    jobs: usize,
    /// `auto`: AddressSanitizer on nightly when a nightly toolchain is installed, otherwise
    /// stable without a sanitizer.
    #[arg(long, value_enum, default_value_t = SanitizerChoice::Auto)]
    sanitizer: SanitizerChoice,
    /// Build with libFuzzer's comparison tracing (cargo-fuzz's default). Off unless asked: on
    /// these targets it costs about a third of every execution and, over equal time, reaches no
    /// more coverage (see the README's fuzzing section).
    #[arg(long)]
    trace_compares: bool,
}

pub(crate) fn main(args: FuzzArgs) -> Result<ExitCode, String> {
    let root = workspace_root();
    std::env::set_current_dir(&root).map_err(|e| format!("cannot enter {root:?}: {e}"))?;
    match args.action {
        None => fuzz_all(&args.run),
        Some(Action::List) => {
            for t in targets()? {
                println!("{t}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(Action::Cmin(select)) => cmin(&select),
        Some(Action::Coverage(select)) => coverage::main(&select),
        Some(Action::Planted(planted)) => planted::main(&planted),
    }
}

/// The fuzz targets, in order: `upgrade_testkit::targets::TARGETS`, then the probe's
/// `upgrade_probe::replay::TARGETS` and the example server's `upgrade_examples::replay::TARGETS`,
/// the lists that the fuzz glue, the corpus replay and this
/// driver read. `fuzz/Cargo.toml` must declare a `[[bin]]` for each (cargo-fuzz builds from
/// it); a test checks that it declares exactly these.
pub(crate) fn targets() -> Result<Vec<String>, String> {
    Ok(upgrade_testkit::targets::TARGETS
        .iter()
        .chain(upgrade_probe::replay::TARGETS)
        .chain(upgrade_examples::replay::TARGETS)
        .map(|t| t.name.to_string())
        .collect())
}

/// The `[[bin]]` names of a cargo-fuzz manifest, in order.
#[cfg(test)]
fn targets_in(manifest: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut in_bin = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_bin = line == "[[bin]]";
        } else if in_bin && let Some(value) = line.strip_prefix("name") {
            let name = value.trim_start().trim_start_matches('=').trim();
            names.push(name.trim_matches('"').to_string());
        }
    }
    names
}

/// The targets selected by `--target`, checked against the declared ones.
pub(crate) fn selected(select: &TargetArgs) -> Result<Vec<String>, String> {
    let all = targets()?;
    if select.targets.is_empty() {
        return Ok(all);
    }
    for t in &select.targets {
        if !all.contains(t) {
            return Err(format!("no fuzz target `{t}`; targets: {}", all.join(", ")));
        }
    }
    Ok(select.targets.clone())
}

/// Folders of one target: the committed seeds, and the working corpus that runs grow.
pub(crate) struct Dirs {
    pub(crate) seeds: PathBuf,
    pub(crate) regressions: PathBuf,
    pub(crate) work: PathBuf,
    pub(crate) artifacts: PathBuf,
}

pub(crate) fn dirs(target: &str) -> Dirs {
    Dirs {
        seeds: Path::new("corpora").join(target),
        regressions: Path::new("corpora").join(target).join("regressions"),
        work: Path::new("fuzz/corpus").join(target),
        artifacts: Path::new("fuzz/artifacts").join(target),
    }
}

pub(crate) const DICTIONARY: &str = "corpora/upgrade.dict";

/// The libFuzzer options of `target` as `-key=value` arguments, read from
/// `fuzz/options/<target>.options`: the file ClusterFuzzLite ships beside the target.
pub(crate) fn libfuzzer_options(target: &str) -> Result<Vec<String>, String> {
    let path = Path::new("fuzz/options").join(format!("{target}.options"));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse_options(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The `key = value` lines of the `[libfuzzer]` section of an options file, as arguments.
fn parse_options(text: &str) -> Result<Vec<String>, String> {
    let mut section = None;
    let mut args = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = Some(name.trim());
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(format!("line {}: not `key = value`: {line}", n + 1));
        };
        if section != Some("libfuzzer") {
            return Err(format!("line {}: outside the [libfuzzer] section", n + 1));
        }
        args.push(format!("-{}={}", key.trim(), value.trim()));
    }
    Ok(args)
}

/// What one run of one target gave.
#[derive(Default, Debug)]
pub(crate) struct Summary {
    target: String,
    pub(crate) runs: u64,
    exec_per_sec: u64,
    features: u64,
    corpus: u64,
    new_inputs: usize,
    crash: Option<String>,
}

fn fuzz_all(args: &RunArgs) -> Result<ExitCode, String> {
    ensure_cargo_fuzz()?;
    let build = Build::resolve(args.sanitizer)?.with_trace_compares(args.trace_compares);
    let targets = selected(&args.select)?;
    eprintln!(
        "fuzzing {} target(s), {} s each, {} at a time, on the {}",
        targets.len(),
        args.time,
        args.jobs.max(1),
        build.describe()
    );
    for target in &targets {
        let mut cmd = build.cargo_fuzz("build", target);
        cmd.arg("--release");
        run(&mut cmd)?;
    }
    let queue = Mutex::new(targets.iter());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..args.jobs.max(1) {
            scope.spawn(|| {
                loop {
                    let next = queue.lock().ok().and_then(|mut q| q.next().cloned());
                    let Some(target) = next else { break };
                    let summary = fuzz_one(&build, &target, args.time);
                    if let Ok(mut r) = results.lock() {
                        r.push(summary);
                    }
                }
            });
        }
    });
    let mut results = results.into_inner().map_err(|_| "a fuzz worker panicked")?;
    results.sort_by_key(|s| targets.iter().position(|t| *t == s.target));
    let mut failed = false;
    for r in &results {
        if let Err(e) = &r.crash_ok() {
            failed = true;
            eprintln!("{e}");
        }
    }
    print_table(&results);
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

impl Summary {
    fn crash_ok(&self) -> Result<(), String> {
        match &self.crash {
            None => Ok(()),
            Some(e) => Err(format!("{}: {e}", self.target)),
        }
    }
}

fn fuzz_one(build: &Build, target: &str, seconds: u64) -> Summary {
    let mut summary = Summary {
        target: target.to_string(),
        ..Summary::default()
    };
    let d = dirs(target);
    for dir in [&d.work, &d.artifacts, &d.seeds] {
        if let Err(e) = std::fs::create_dir_all(dir) {
            summary.crash = Some(format!("cannot create {dir:?}: {e}"));
            return summary;
        }
    }
    let options = match libfuzzer_options(target) {
        Ok(options) => options,
        Err(e) => {
            summary.crash = Some(e);
            return summary;
        }
    };
    let before = files_under(&d.work).len();
    let started = SystemTime::now();
    let mut cmd = build.cargo_fuzz("run", target);
    cmd.arg("--release")
        .arg(&d.work)
        .arg(&d.seeds)
        .arg("--")
        .args(&options)
        .arg(format!("-dict={DICTIONARY}"))
        .arg(format!("-max_total_time={seconds}"))
        .arg("-print_final_stats=1")
        .arg(format!("-artifact_prefix={}/", d.artifacts.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    eprintln!("[{target}] + {}", display(&cmd));
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            summary.crash = Some(format!("cannot start cargo fuzz: {e}"));
            return summary;
        }
    };
    let clock = Instant::now();
    let mut last_progress = Instant::now();
    let mut tail: Vec<String> = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            parse_stat_line(&line, &mut summary);
            // libFuzzer reports every new input early on; a line every few seconds is enough.
            let status = line.starts_with('#') && line.contains(" cov: ");
            if status && last_progress.elapsed() >= Duration::from_secs(5) {
                eprintln!("[{target}] {:>3}s {line}", clock.elapsed().as_secs());
                last_progress = Instant::now();
            }
            tail.push(line);
            if tail.len() > 40 {
                tail.remove(0);
            }
        }
    }
    let status = child.wait();
    summary.new_inputs = files_under(&d.work).len().saturating_sub(before);
    match status {
        Ok(s) if s.success() => {}
        Ok(s) => {
            for line in &tail {
                eprintln!("[{target}] {line}");
            }
            summary.crash = Some(keep_crash(build, target, &d, started, s.to_string()));
        }
        Err(e) => summary.crash = Some(format!("cargo fuzz did not finish: {e}")),
    }
    summary
}

/// Reads libFuzzer's status lines (`#N ... cov: C ft: F corp: K/...`) and final statistics.
pub(crate) fn parse_stat_line(line: &str, s: &mut Summary) {
    if let Some(rest) = line.strip_prefix("stat::number_of_executed_units:") {
        s.runs = rest.trim().parse().unwrap_or(s.runs);
    } else if let Some(rest) = line.strip_prefix("stat::average_exec_per_sec:") {
        s.exec_per_sec = rest.trim().parse().unwrap_or(s.exec_per_sec);
    } else if line.starts_with('#') {
        let mut words = line.split_whitespace();
        while let Some(w) = words.next() {
            let value = words.clone().next().unwrap_or("");
            match w {
                "ft:" => s.features = value.parse().unwrap_or(s.features),
                "corp:" => {
                    let n = value.split('/').next().unwrap_or("");
                    s.corpus = n.parse().unwrap_or(s.corpus);
                }
                _ => {}
            }
        }
    }
}

/// Minimises the crash that a failed run left behind, stores it as a regression input and tells
/// how to reproduce it.
fn keep_crash(build: &Build, target: &str, d: &Dirs, since: SystemTime, status: String) -> String {
    let fresh = files_under(&d.artifacts).into_iter().find(|p| {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t >= since)
    });
    let Some(artifact) = fresh else {
        return format!("cargo fuzz failed ({status}) without leaving an input behind");
    };
    let name = artifact
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "crash".into());
    let mut tmin = build.cargo_fuzz("tmin", target);
    tmin.arg("--release").arg("--runs=2000").arg(&artifact);
    let minimized = match run(&mut tmin) {
        Ok(()) => files_under(&d.artifacts)
            .into_iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("minimized-from-"))
            })
            .max_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok()),
        Err(e) => {
            eprintln!("[{target}] minimising failed, keeping the input as found: {e}");
            None
        }
    };
    let kept = d.regressions.join(&name);
    let source = minimized.unwrap_or(artifact);
    if let Err(e) = std::fs::create_dir_all(&d.regressions)
        .and_then(|()| std::fs::copy(&source, &kept).map(|_| ()))
    {
        return format!("crash found ({status}) but it could not be stored: {e}");
    }
    format!(
        "crash found ({status}); the input is kept as {}\n  reproduce: {} {}\n  replay on stable: cargo test -p upgrade-testkit --test corpus",
        kept.display(),
        build.cargo_fuzz_text("run", target),
        kept.display()
    )
}

fn print_table(rows: &[Summary]) {
    println!();
    println!(
        "{:<18} {:>12} {:>10} {:>9} {:>7} {:>5} {:>8}",
        "target", "runs", "exec/s", "features", "corpus", "new", "crashes"
    );
    for r in rows {
        println!(
            "{:<18} {:>12} {:>10} {:>9} {:>7} {:>5} {:>8}",
            r.target,
            r.runs,
            r.exec_per_sec,
            r.features,
            r.corpus,
            r.new_inputs,
            usize::from(r.crash.is_some())
        );
    }
}

/// `cargo xtask fuzz cmin`: merges the working corpus into the committed one and minimises it,
/// keeping `regressions/` untouched.
fn cmin(select: &TargetArgs) -> Result<ExitCode, String> {
    ensure_cargo_fuzz()?;
    let build = Build::resolve(SanitizerChoice::None)?;
    for target in selected(select)? {
        let d = dirs(&target);
        let staging = Path::new("fuzz/cmin").join(&target);
        let _ = std::fs::remove_dir_all(&staging);
        std::fs::create_dir_all(&staging).map_err(|e| format!("{staging:?}: {e}"))?;
        let before = seed_files(&d).len();
        // `-merge=1` keeps only inputs that add coverage, reading the work corpus and the seeds.
        let mut cmd = build.cargo_fuzz("run", &target);
        cmd.arg("--release")
            .arg(&staging)
            .arg(&d.seeds)
            .arg(&d.work)
            .arg("--")
            .arg("-merge=1")
            .args(libfuzzer_options(&target)?)
            .arg(format!("-dict={DICTIONARY}"));
        run(&mut cmd)?;
        for old in seed_files(&d) {
            std::fs::remove_file(&old).map_err(|e| format!("{old:?}: {e}"))?;
        }
        for new in files_under(&staging) {
            if let Some(name) = new.file_name() {
                std::fs::copy(&new, d.seeds.join(name)).map_err(|e| format!("{new:?}: {e}"))?;
            }
        }
        let _ = std::fs::remove_dir_all(&staging);
        let after = seed_files(&d).len();
        println!("{target}: {before} seed(s) -> {after} after minimising");
    }
    Ok(ExitCode::SUCCESS)
}

/// Seeds of a target, leaving out the regression inputs, which are kept forever.
fn seed_files(d: &Dirs) -> Vec<PathBuf> {
    files_under(&d.seeds)
        .into_iter()
        .filter(|p| !p.starts_with(&d.regressions))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_target_has_its_bin_glue_corpus_and_options_and_nothing_else_does() {
        let root = crate::process::workspace_root();
        let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml")).unwrap();
        let names = super::targets().unwrap();
        assert_eq!(
            super::targets_in(&manifest),
            names,
            "fuzz/Cargo.toml [[bin]]s"
        );
        for name in &names {
            assert!(
                root.join(format!("fuzz/fuzz_targets/{name}.rs")).is_file(),
                "{name}"
            );
            assert!(
                root.join(format!("fuzz/options/{name}.options")).is_file(),
                "{name}"
            );
            assert!(root.join(format!("corpora/{name}")).is_dir(), "{name}");
        }
        let mut glue: Vec<String> = std::fs::read_dir(root.join("fuzz/fuzz_targets"))
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            })
            .collect();
        glue.sort();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(glue, sorted, "fuzz/fuzz_targets");
    }

    use super::*;

    #[test]
    fn reads_libfuzzer_status_and_final_stats() {
        let mut s = Summary::default();
        parse_stat_line(
            "#524288\tpulse  cov: 301 ft: 1234 corp: 88/2371b lim: 4096 exec/s: 262144 rss: 40Mb",
            &mut s,
        );
        parse_stat_line("stat::number_of_executed_units: 9000000", &mut s);
        parse_stat_line("stat::average_exec_per_sec:     600000", &mut s);
        assert_eq!(
            (s.features, s.corpus, s.runs, s.exec_per_sec),
            (1234, 88, 9_000_000, 600_000)
        );
    }

    #[test]
    fn reads_the_libfuzzer_section_of_an_options_file() {
        let text = "[libfuzzer]\n# why\nmax_len = 48\n\n; more\nlen_control=0\n";
        assert_eq!(
            parse_options(text).unwrap(),
            ["-max_len=48", "-len_control=0"]
        );
        assert!(parse_options("max_len = 48\n").is_err());
        assert!(parse_options("[libfuzzer]\nmax_len\n").is_err());
        assert!(parse_options("[asan]\nquarantine = 0\n").is_err());
    }

    #[test]
    fn every_target_has_an_options_file() {
        let root = workspace_root();
        let manifest = std::fs::read_to_string(root.join("fuzz/Cargo.toml")).unwrap();
        let targets = targets_in(&manifest);
        assert!(targets.len() >= 7, "{targets:?}");
        for target in targets {
            let path = root.join("fuzz/options").join(format!("{target}.options"));
            let options = parse_options(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert!(
                options.iter().any(|o| o.starts_with("-max_len=")),
                "{target}: {options:?}"
            );
        }
    }
}
