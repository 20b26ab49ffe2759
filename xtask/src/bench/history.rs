//! `cargo xtask bench history`: the instruction counts of the gate for each of the last commits,
//! so that a change in performance shows up as a step in a line.
//!
//! Each commit that has the bench crate's `icount` binary is checked out in a temporary git
//! worktree under `target/bench-history/`, built there (all commits share one cargo target
//! folder, so each build is incremental), and counted under callgrind exactly as the gate counts.
//! The counts are kept per commit in the committed file `benches/history/counts.json` (one line
//! per commit), so a run on any clone only counts the commits that came since. A commit whose
//! sources that build `icount` (every file but documentation, tests, fuzzing, xtask and the like;
//! see [`builds_icount`]) and toolchain are those of a commit already counted takes that
//! commit's counts without a build: the same binary counts the same instructions. A commit that
//! does not build or run is recorded with its error and drawn as a gap.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::gate::{build_icount_with, count_all, list};
use crate::process::{display, output, run, target_dir, workspace_root};

/// The file every commit with the bench crate has.
const ICOUNT_SOURCE: &str = "benches/src/bin/icount.rs";

/// The counts of every commit counted so far, committed with the charts.
const COUNTS: &str = "benches/history/counts.json";

/// Arguments of `cargo xtask bench history`.
#[derive(clap::Args, Debug)]
pub(crate) struct HistoryArgs {
    /// How many of the last commits (following first parents from HEAD) that have the bench
    /// crate to count.
    #[arg(long, default_value_t = 10)]
    commits: usize,
    /// Where to write the charts (one SVG per measurement) and `history.md`.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// What one commit measured.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
struct Counted {
    subject: String,
    /// Instructions per iteration, by `input/function`.
    counts: BTreeMap<String, f64>,
    /// Why nothing was counted, when the commit did not build or run.
    error: Option<String>,
    /// The key of the sources and toolchain that built `icount` ([`sources_key`]).
    #[serde(default)]
    sources: Option<String>,
}

/// The cache: every commit counted so far, by full hash.
type Cache = BTreeMap<String, Counted>;

/// A commit to show: its hash and its one-line subject.
struct Commit {
    hash: String,
    subject: String,
}

pub(crate) fn main(args: &HistoryArgs) -> Result<ExitCode, String> {
    if !crate::process::succeeds(Command::new("valgrind").arg("--version")) {
        return Err("valgrind is not installed: `apt-get install -y valgrind`".into());
    }
    let dir = target_dir()?.join("bench-history");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let cache_file = workspace_root().join(COUNTS);
    let mut cache: Cache = match std::fs::read_to_string(&cache_file) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{COUNTS}: {e}"))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Cache::new(),
        Err(e) => return Err(format!("{COUNTS}: {e}")),
    };

    let commits = commits_with_bench(args.commits)?;
    if commits.is_empty() {
        return Err(format!("no commit on HEAD has {ICOUNT_SOURCE}"));
    }
    let toolchain = output(Command::new("rustc").arg("-vV"))?;
    for (i, commit) in commits.iter().enumerate() {
        let short = short(&commit.hash);
        if cache.contains_key(&commit.hash) {
            eprintln!("[{}/{}] {short}: cached", i + 1, commits.len());
            continue;
        }
        let listing =
            output(Command::new("git").args(["ls-tree", "-r", "--full-tree", &commit.hash]))?;
        let key = sources_key(&listing, &toolchain);
        let same = cache
            .iter()
            .find(|(_, c)| c.error.is_none() && c.sources.as_deref() == Some(key.as_str()));
        let (counts, error) = if let Some((earlier, same)) = same {
            let earlier = self::short(earlier);
            eprintln!(
                "[{}/{}] {short}: the sources of {earlier}",
                i + 1,
                commits.len()
            );
            (same.counts.clone(), None)
        } else {
            eprintln!("[{}/{}] {short}: {}", i + 1, commits.len(), commit.subject);
            match count_commit(&dir, &commit.hash) {
                Ok(counts) => (counts, None),
                Err(e) => {
                    eprintln!("{short}: {e}");
                    (BTreeMap::new(), Some(e))
                }
            }
        };
        let counted = Counted {
            subject: commit.subject.clone(),
            counts,
            error,
            sources: Some(key),
        };
        cache.insert(commit.hash.clone(), counted);
        std::fs::write(&cache_file, cache_json(&cache)?)
            .map_err(|e| format!("{}: {e}", cache_file.display()))?;
    }

    let rows: Vec<(&Commit, &Counted)> = commits
        .iter()
        .filter_map(|c| cache.get(&c.hash).map(|counted| (c, counted)))
        .collect();
    let out = args.out.clone().unwrap_or(dir);
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let table = table(&rows);
    println!("{table}");
    std::fs::write(out.join("history.md"), &table).map_err(|e| e.to_string())?;
    for name in measurement_names(&rows) {
        let file = out.join(format!("{}.svg", name.replace('/', "--")));
        chart(&file, &name, &rows)?;
        eprintln!("wrote {}", file.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The last `n` commits on HEAD's first-parent line that have the bench crate, oldest first.
fn commits_with_bench(n: usize) -> Result<Vec<Commit>, String> {
    let log = output(Command::new("git").args(["log", "--first-parent", "--format=%H%x09%s"]))?;
    let mut commits = Vec::new();
    for line in log.lines() {
        if commits.len() == n {
            break;
        }
        let Some((hash, subject)) = line.split_once('\t') else {
            continue;
        };
        let has_bench = crate::process::succeeds(
            Command::new("git")
                .args(["cat-file", "-e"])
                .arg(format!("{hash}:{ICOUNT_SOURCE}")),
        );
        if !has_bench {
            break;
        }
        commits.push(Commit {
            hash: hash.to_string(),
            subject: subject.to_string(),
        });
    }
    commits.reverse();
    Ok(commits)
}

/// Builds `icount` at `hash` in a temporary worktree and counts every measurement it lists.
fn count_commit(dir: &Path, hash: &str) -> Result<BTreeMap<String, f64>, String> {
    let tree = dir.join(format!("worktree-{}", short(hash)));
    if tree.exists() {
        let _ = run(Command::new("git")
            .args(["worktree", "remove", "--force"])
            .arg(&tree));
    }
    run(Command::new("git")
        .args(["worktree", "add", "--detach"])
        .arg(&tree)
        .arg(hash))?;
    let counted = (|| {
        let mut cargo = Command::new("cargo");
        cargo
            .current_dir(&tree)
            .env("CARGO_TARGET_DIR", dir.join("target"));
        let icount = build_icount_with(&mut cargo)?;
        let out_dir = dir.join("callgrind");
        std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
        let counts = count_all(&icount, &list(&icount)?, &out_dir)?;
        Ok(counts.into_iter().collect())
    })();
    let mut remove = Command::new("git");
    remove.args(["worktree", "remove", "--force"]).arg(&tree);
    if let Err(e) = run(&mut remove) {
        eprintln!(
            "cannot remove {}: {e} (`{}`)",
            tree.display(),
            display(&remove)
        );
    }
    counted
}

/// Whether the file at `path` (relative to the repository's root) can change the `icount`
/// binary. Only files that certainly cannot are left out, so that a wrong answer costs a build,
/// never a count taken from other code: documentation, charts, licences, the baseline, the
/// integration tests and criterion benches that a binary's build does not compile, and the
/// folders outside the bench crate's dependencies.
fn builds_icount(path: &str) -> bool {
    const OUTSIDE: [&str; 9] = [
        "xtask/",
        "fuzz/",
        "mutants/",
        "corpora/",
        "servers/",
        "benches/history/",
        ".ci/",
        ".clusterfuzzlite/",
        ".github/",
    ];
    let name = path.rsplit('/').next().unwrap_or(path);
    // A folder at the root of a package (`benches/` or `crates/NAME/`), not one of the same
    // name inside `src/`, which may be a module of the library.
    let package_folder = |folder: &str| {
        let in_package = match path.split_once('/') {
            Some(("benches", rest)) => Some(rest),
            Some(("crates", rest)) => rest.split_once('/').map(|(_, inside)| inside),
            _ => None,
        };
        in_package.is_some_and(|inside| inside.starts_with(folder))
    };
    let compiled_apart = package_folder("benches/")
        || (package_folder("tests/") && name.ends_with(".rs"))
        || package_folder("e2e/")
        || package_folder("proptest-regressions/");
    !(OUTSIDE.iter().any(|folder| path.starts_with(folder))
        || name.ends_with(".md")
        || name.ends_with(".svg")
        || name.starts_with("LICENSE")
        || path == "benches/icount-baseline.json"
        || compiled_apart)
}

/// A key of the files that build `icount` and of the toolchain: `listing` is `git ls-tree -r`
/// (mode, type, object hash and path per line), `toolchain` is `rustc -vV`. Two commits with
/// the same key build the same binary. The hash is 64-bit FNV-1a, stable across runs and builds.
fn sources_key(listing: &str, toolchain: &str) -> String {
    let kept = listing.lines().filter(|line| {
        line.split_once('\t')
            .is_some_and(|(_, path)| builds_icount(path))
    });
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for line in kept.chain(toolchain.lines()) {
        for byte in line.bytes().chain([b'\n']) {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

/// The cache as JSON with one line per commit, so that a new commit's counts are one added line
/// in a diff.
fn cache_json(cache: &Cache) -> Result<String, String> {
    let mut out = String::from("{");
    for (i, (hash, counted)) in cache.iter().enumerate() {
        let hash = serde_json::to_string(hash).map_err(|e| e.to_string())?;
        let counted = serde_json::to_string(counted).map_err(|e| e.to_string())?;
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        out.push_str(&format!("{hash}: {counted}"));
    }
    out.push_str("\n}\n");
    Ok(out)
}

fn short(hash: &str) -> &str {
    hash.get(..8).unwrap_or(hash)
}

/// Every measurement any commit counted, in name order.
fn measurement_names(rows: &[(&Commit, &Counted)]) -> Vec<String> {
    let mut names: Vec<String> = rows
        .iter()
        .flat_map(|(_, counted)| counted.counts.keys().cloned())
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The numbers as a Markdown table: one row per commit, one column per measurement.
fn table(rows: &[(&Commit, &Counted)]) -> String {
    let names = measurement_names(rows);
    let mut out = String::from("| commit |");
    for name in &names {
        out.push_str(&format!(" {name} |"));
    }
    out.push_str("\n| --- |");
    for _ in &names {
        out.push_str(" ---: |");
    }
    out.push('\n');
    for (commit, counted) in rows {
        out.push_str(&format!("| `{}` |", short(&commit.hash)));
        for name in &names {
            match counted.counts.get(name) {
                Some(n) => out.push_str(&format!(" {n:.0} |")),
                None => out.push_str(" - |"),
            }
        }
        out.push('\n');
    }
    out
}

/// One line chart: instructions per iteration of `name` by commit, oldest on the left.
fn chart(file: &Path, name: &str, rows: &[(&Commit, &Counted)]) -> Result<(), String> {
    let points: Vec<(usize, f64)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, (_, counted))| counted.counts.get(name).map(|n| (i, *n)))
        .collect();
    let (low, high) = points
        .iter()
        .fold((f64::MAX, f64::MIN), |(lo, hi), (_, n)| {
            (lo.min(*n), hi.max(*n))
        });
    if points.is_empty() {
        return Ok(());
    }
    // Start the axis at zero, so that a step reads as the share of the whole it is.
    let top = (high * 1.1).max(low + 1.0);
    let labels: Vec<String> = rows
        .iter()
        .map(|(c, _)| short(&c.hash).to_string())
        .collect();
    let root = SVGBackend::new(file, (900, 420)).into_drawing_area();
    let draw = |e: &dyn std::fmt::Display| format!("{}: {e}", file.display());
    root.fill(&WHITE).map_err(|e| draw(&e))?;
    let mut plot = ChartBuilder::on(&root)
        .caption(
            format!("{name}: instructions per iteration"),
            ("sans-serif", 20),
        )
        .margin(16)
        .x_label_area_size(60)
        .y_label_area_size(70)
        .build_cartesian_2d(0usize..rows.len().saturating_sub(1).max(1), 0f64..top)
        .map_err(|e| draw(&e))?;
    plot.configure_mesh()
        // At most a dozen labels, so that short hashes do not overlap.
        .x_labels(rows.len().clamp(2, 12))
        .x_label_formatter(&|i| labels.get(*i).cloned().unwrap_or_default())
        .x_desc("commit, oldest first")
        .y_desc("instructions")
        .draw()
        .map_err(|e| draw(&e))?;
    plot.draw_series(LineSeries::new(points.iter().copied(), &BLUE))
        .map_err(|e| draw(&e))?;
    plot.draw_series(
        points
            .iter()
            .map(|&(i, n)| Circle::new((i, n), 3, BLUE.filled())),
    )
    .map_err(|e| draw(&e))?;
    root.present().map_err(|e| draw(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> (Vec<Commit>, Vec<Counted>) {
        let commits = vec![
            Commit {
                hash: "aaaaaaaaaaaa".into(),
                subject: "first".into(),
            },
            Commit {
                hash: "bbbbbbbbbbbb".into(),
                subject: "second".into(),
            },
        ];
        let counted = vec![
            Counted {
                subject: "first".into(),
                counts: [("x/ours".to_string(), 100.0)].into_iter().collect(),
                error: None,
                sources: None,
            },
            Counted {
                subject: "second".into(),
                counts: [("x/ours".to_string(), 80.4), ("y/ours".to_string(), 7.0)]
                    .into_iter()
                    .collect(),
                error: None,
                sources: None,
            },
        ];
        (commits, counted)
    }

    #[test]
    fn only_files_that_cannot_change_icount_are_left_out_of_its_sources() {
        for path in [
            "Cargo.toml",
            "Cargo.lock",
            ".cargo/config.toml",
            "benches/Cargo.toml",
            "benches/src/bin/icount.rs",
            "crates/upgrade-negotiate/src/head.rs",
            "crates/upgrade-check/tests/data/requests/websocket-firefox.http",
            "crates/upgrade-grammar/Cargo.toml",
            "crates/upgrade-negotiate/src/tests/mod.rs",
            "crates/upgrade-negotiate/src/e2e.rs",
        ] {
            assert!(builds_icount(path), "{path}");
        }
        for path in [
            "README.md",
            "benches/README.md",
            "benches/history/list-1k--ours.svg",
            "benches/history/counts.json",
            "benches/icount-baseline.json",
            "benches/benches/parse.rs",
            "benches/tests/tungstenite.rs",
            "crates/upgrade-grammar/tests/vectors.rs",
            "crates/upgrade-examples/e2e/chromium.py",
            "crates/upgrade-grammar/proptest-regressions/list.txt",
            "crates/upgrade-grammar/LICENSE-MIT",
            "xtask/src/bench/history.rs",
            "fuzz/fuzz_targets/list.rs",
            "mutants/equivalent.txt",
            ".ci/run",
        ] {
            assert!(!builds_icount(path), "{path}");
        }
    }

    #[test]
    fn the_sources_key_moves_with_a_source_or_the_toolchain_and_not_with_the_docs() {
        let listing = "100644 blob 1111\tREADME.md\n100644 blob 2222\tcrates/g/src/list.rs\n";
        let key = sources_key(listing, "rustc 1.95.0");
        let docs = listing.replace("1111", "3333");
        assert_eq!(sources_key(&docs, "rustc 1.95.0"), key);
        let source = listing.replace("2222", "4444");
        assert_ne!(sources_key(&source, "rustc 1.95.0"), key);
        assert_ne!(sources_key(listing, "rustc 1.96.0"), key);
    }

    #[test]
    fn the_cache_is_written_a_line_per_commit_and_read_back_the_same() {
        let (commits, counted) = rows();
        let cache: Cache = commits
            .iter()
            .map(|c| c.hash.clone())
            .zip(counted)
            .collect();
        let text = cache_json(&cache).unwrap();
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .starts_with("\"aaaaaaaaaaaa\": {")
        );
        assert_eq!(serde_json::from_str::<Cache>(&text).unwrap(), cache);
        assert_eq!(cache_json(&Cache::new()).unwrap(), "{\n}\n");
        assert!(serde_json::from_str::<Cache>("{\n}\n").unwrap().is_empty());
    }

    #[test]
    fn the_committed_counts_are_read() {
        let text = std::fs::read_to_string(workspace_root().join(COUNTS)).unwrap();
        let cache: Cache = serde_json::from_str(&text).unwrap();
        assert!(
            cache
                .values()
                .any(|c| c.error.is_none() && !c.counts.is_empty())
        );
        assert_eq!(cache_json(&cache).unwrap(), text);
    }

    #[test]
    fn the_table_has_a_row_per_commit_and_a_gap_for_a_missing_count() {
        let (commits, counted) = rows();
        let pairs: Vec<(&Commit, &Counted)> = commits.iter().zip(&counted).collect();
        let table = table(&pairs);
        assert_eq!(
            table,
            "| commit | x/ours | y/ours |\n| --- | ---: | ---: |\n\
             | `aaaaaaaa` | 100 | - |\n| `bbbbbbbb` | 80 | 7 |\n"
        );
    }

    #[test]
    fn a_chart_is_an_svg_with_every_commit_on_its_axis() {
        let (commits, counted) = rows();
        let pairs: Vec<(&Commit, &Counted)> = commits.iter().zip(&counted).collect();
        let file = std::env::temp_dir().join(format!("bench-history-{}.svg", std::process::id()));
        chart(&file, "x/ours", &pairs).unwrap();
        let svg = std::fs::read_to_string(&file).unwrap();
        std::fs::remove_file(&file).unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(svg.contains("aaaaaaaa") && svg.contains("bbbbbbbb"));
        assert!(svg.contains("x/ours: instructions per iteration"));
    }
}
