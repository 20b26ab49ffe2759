//! `cargo xtask bench`: run the criterion benches, then print one table per input from
//! criterion's estimates; `--gate` counts instructions instead (see `gate`), `history`
//! counts them for each of the last commits and draws the charts (see `history`), and `paired`
//! times naive against ours and the whole requests against httparse in alternating batches.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::SystemTime;

use clap::{Args, Subcommand};
use serde_json::Value;

use crate::process::{files_under, run, target_dir, workspace_root};

mod gate;
mod history;
mod layouts;

/// Arguments of `cargo xtask bench`.
#[derive(Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct BenchArgs {
    #[command(subcommand)]
    action: Option<Action>,
    /// Only the benchmarks whose id (`input/function`) matches this regular expression.
    #[arg(value_name = "FILTER")]
    filter: Option<String>,
    /// One second of warm-up and two of measurement per benchmark instead of criterion's 3 and 5:
    /// the whole run takes about four minutes.
    #[arg(long)]
    quick: bool,
    /// Compare with the criterion baseline NAME saved by an earlier `--save-baseline NAME`
    /// (criterion's `--baseline-lenient`: benchmarks without one are measured, not compared).
    #[arg(long, value_name = "NAME", conflicts_with = "save_baseline")]
    baseline: Option<String>,
    /// Save this run as the criterion baseline NAME.
    #[arg(long, value_name = "NAME")]
    save_baseline: Option<String>,
    /// Count instructions under callgrind for `ours` on every input and the request benches,
    /// compare with `benches/icount-baseline.json`, and fail when one grows by more than 5%.
    #[arg(long, conflicts_with_all = ["filter", "quick", "baseline", "save_baseline"])]
    gate: bool,
    /// With `--gate`: rewrite `benches/icount-baseline.json` with the counts measured now.
    #[arg(long, requires = "gate")]
    update_baseline: bool,
}

#[derive(Subcommand, Debug)]
enum Action {
    /// Count instructions (as the gate does) for each of the last commits that have the bench
    /// crate, each built in a temporary git worktree and cached, then draw one SVG line chart
    /// per measurement and print the table of the same numbers.
    History(history::HistoryArgs),
    /// Time naive against ours on each input, and each whole request's functions against
    /// httparse alone, in alternating batches, and print the median ratio of the rounds with its
    /// quartiles (the `paired` binary of `upgrade-benches`, built in release mode).
    Paired(PairedArgs),
}

/// Arguments of `cargo xtask bench paired`.
#[derive(Args, Debug)]
pub(crate) struct PairedArgs {
    /// Rounds of one batch of each function.
    #[arg(long, default_value_t = 2001, value_parser = clap::value_parser!(u32).range(1..))]
    rounds: u32,
    /// Only these inputs of the grammar (`websocket`, `list-1k`, ...: naive against ours) and
    /// requests (`chromium-websocket`, `firefox-websocket`, `curl-h2c`, `page-load`,
    /// `json-post`: against httparse alone); all by default.
    #[arg(value_name = "NAME")]
    names: Vec<String>,
    /// Run in N builds that differ only in the order of their functions (lld's
    /// `--shuffle-sections`, seeds 1 to N), then print each ratio in every layout with the
    /// least, median and largest: how much of a ratio is where the code landed.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    layouts: Option<u32>,
}

pub(crate) fn main(args: BenchArgs) -> Result<ExitCode, String> {
    let root = workspace_root();
    std::env::set_current_dir(&root).map_err(|e| format!("cannot enter {root:?}: {e}"))?;
    match args.action {
        Some(Action::History(history)) => return history::main(&history),
        Some(Action::Paired(paired)) => return run_paired(&paired),
        None => {}
    }
    if args.gate {
        return gate::main(args.update_baseline);
    }
    let criterion = criterion_dir()?;
    if let Some(name) = &args.baseline
        && !has_baseline(&criterion, name)
    {
        eprintln!(
            "no criterion baseline `{name}` yet: measuring without a comparison \
             (save one with `cargo xtask bench --save-baseline {name}`)"
        );
    }
    let started = SystemTime::now();
    let mut cmd = Command::new("cargo");
    cmd.args(["bench", "-p", "upgrade-benches", "--bench", "parse", "--"]);
    if let Some(filter) = &args.filter {
        cmd.arg(filter);
    }
    if args.quick {
        cmd.args(["--warm-up-time", "1", "--measurement-time", "2"]);
    }
    if let Some(name) = &args.baseline {
        cmd.arg("--baseline-lenient").arg(name);
    }
    if let Some(name) = &args.save_baseline {
        cmd.arg("--save-baseline").arg(name);
    }
    run(&mut cmd)?;

    let results = read_results(&criterion, started)?;
    if results.is_empty() {
        return Err(format!(
            "criterion wrote no estimates under {}",
            criterion.display()
        ));
    }
    // Criterion compares with the baseline it is told to use, or with the one it is about to
    // overwrite: `base`, the previous run, by default.
    let compared_with = match (&args.baseline, &args.save_baseline) {
        (Some(name), _) | (None, Some(name)) => format!("vs {name}"),
        (None, None) => "vs last".to_string(),
    };
    print_tables(&results, &compared_with);
    println!();
    if let Some(name) = &args.save_baseline {
        println!(
            "saved as criterion baseline `{name}`; compare with `cargo xtask bench --baseline {name}`"
        );
    }
    println!(
        "HTML report: {}",
        criterion.join("report").join("index.html").display()
    );
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask bench paired`: builds and runs the `paired` binary in release mode, or, with
/// `--layouts`, several builds of it ([`layouts`]).
fn run_paired(args: &PairedArgs) -> Result<ExitCode, String> {
    if let Some(layouts) = args.layouts {
        return layouts::main(layouts, args.rounds, &args.names);
    }
    let mut cmd = paired_cargo("run");
    cmd.arg("--rounds")
        .arg(args.rounds.to_string())
        .args(&args.names);
    run(&mut cmd)?;
    Ok(ExitCode::SUCCESS)
}

/// `cargo SUBCOMMAND` on the release `paired` binary, with tungstenite's handshake beside ours
/// on the websocket requests; what follows is for the binary (or, for `rustc`, the compiler).
fn paired_cargo(subcommand: &str) -> Command {
    let mut cmd = Command::new("cargo");
    cmd.arg(subcommand).args([
        "--quiet",
        "--release",
        "-p",
        "upgrade-benches",
        "--bin",
        "paired",
        "--features",
        "tungstenite",
        "--",
    ]);
    cmd
}

/// Where criterion keeps its results: `$CRITERION_HOME`, else `<target>/criterion`.
fn criterion_dir() -> Result<PathBuf, String> {
    match std::env::var_os("CRITERION_HOME") {
        // Cargo runs a bench from its package's folder, so that is where a relative path starts.
        Some(home) => Ok(workspace_root().join("benches").join(home)),
        None => Ok(target_dir()?.join("criterion")),
    }
}

/// Whether any benchmark has a saved baseline of this name.
fn has_baseline(criterion: &Path, name: &str) -> bool {
    let saved = Path::new(name).join("estimates.json");
    files_under(criterion).iter().any(|p| p.ends_with(&saved))
}

/// One benchmark of this run.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Measured {
    pub(crate) group: String,
    pub(crate) function: String,
    /// Median time per iteration, in nanoseconds.
    pub(crate) median_ns: f64,
    /// Bytes per iteration (`Throughput::Bytes`).
    pub(crate) bytes: Option<u64>,
    /// Relative change of the median against the compared baseline (0.05 is 5% slower).
    pub(crate) change: Option<f64>,
    written: Option<SystemTime>,
}

/// Reads every benchmark criterion wrote since `since`, in the order it ran them.
fn read_results(criterion: &Path, since: SystemTime) -> Result<Vec<Measured>, String> {
    let mut results = Vec::new();
    for path in files_under(criterion) {
        if !path.ends_with("new/benchmark.json") {
            continue;
        }
        let Some(dir) = path.parent().and_then(Path::parent) else {
            continue;
        };
        let estimates = dir.join("new").join("estimates.json");
        let written = modified(&estimates);
        if written.is_none_or(|t| t < since) {
            continue;
        }
        let (group, function, bytes) =
            parse_benchmark(&read(&path)?).map_err(|e| format!("{}: {e}", path.display()))?;
        let median_ns = parse_median(&read(&estimates)?)
            .map_err(|e| format!("{}: {e}", estimates.display()))?;
        let change_file = dir.join("change").join("estimates.json");
        let change = match modified(&change_file) {
            Some(t) if t >= since => parse_median(&read(&change_file)?).ok(),
            _ => None,
        };
        results.push(Measured {
            group,
            function,
            median_ns,
            bytes,
            change,
            written,
        });
    }
    // Groups in the order they ran, functions in the order of the tables.
    let mut first_written: Vec<(String, Option<SystemTime>)> = Vec::new();
    for m in &results {
        match first_written.iter_mut().find(|(g, _)| *g == m.group) {
            Some((_, t)) => *t = (*t).min(m.written),
            None => first_written.push((m.group.clone(), m.written)),
        }
    }
    results.sort_by_cached_key(|m| {
        let ran = first_written
            .iter()
            .find(|(g, _)| *g == m.group)
            .and_then(|(_, t)| *t);
        (
            ran,
            m.group.clone(),
            function_rank(&m.function),
            m.function.clone(),
        )
    });
    Ok(results)
}

fn function_rank(function: &str) -> usize {
    ["ours", "naive", "headers", "floor"]
        .iter()
        .position(|f| *f == function)
        .unwrap_or(usize::MAX)
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// `group_id`, `function_id` and `throughput.Bytes` of a criterion `benchmark.json`.
pub(crate) fn parse_benchmark(json: &str) -> Result<(String, String, Option<u64>), String> {
    let value: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let text = |key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("no `{key}`"))
    };
    let bytes = value
        .get("throughput")
        .and_then(|t| t.get("Bytes"))
        .and_then(Value::as_u64);
    Ok((text("group_id")?, text("function_id")?, bytes))
}

/// `median.point_estimate` of a criterion `estimates.json`: nanoseconds in `new/`, a relative
/// change in `change/`.
pub(crate) fn parse_median(json: &str) -> Result<f64, String> {
    let value: Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    value
        .get("median")
        .and_then(|m| m.get("point_estimate"))
        .and_then(Value::as_f64)
        .ok_or_else(|| "no `median.point_estimate`".to_string())
}

/// The reference of a group's ratios: `ours` where it was measured, else the group's first
/// function (`httparse` for the whole requests).
fn reference(rows: &[&Measured]) -> Option<(String, f64)> {
    rows.iter()
        .find(|m| m.function == "ours")
        .or_else(|| rows.first())
        .map(|m| (m.function.clone(), m.median_ns))
}

/// The lines of one group's table.
pub(crate) fn table(rows: &[&Measured], compared_with: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(first) = rows.first() else {
        return out;
    };
    let bytes = first
        .bytes
        .map(|b| format!(" ({b} bytes)"))
        .unwrap_or_default();
    out.push(format!("{}{bytes}", first.group));
    let Some((reference, reference_ns)) = reference(rows) else {
        return out;
    };
    let ratio_header = format!("time/{reference}");
    out.push(format!(
        "  {:<18} {:>12} {:>8} {:>16} {:>9}",
        "function", "median", "GB/s", ratio_header, compared_with
    ));
    for m in rows {
        let gbps = m
            .bytes
            .map(|b| format!("{:.3}", b as f64 / m.median_ns))
            .unwrap_or_else(|| "-".into());
        let change = m
            .change
            .map(|c| format!("{:+.1}%", c * 100.0))
            .unwrap_or_default();
        let line = format!(
            "  {:<18} {:>9.2} ns {:>8} {:>15.2}x {:>9}",
            m.function,
            m.median_ns,
            gbps,
            m.median_ns / reference_ns,
            change
        );
        out.push(line.trim_end().to_string());
    }
    if let Some(floor) = rows.iter().find(|m| m.function == "floor")
        && reference == "ours"
    {
        out.push(format!(
            "  floor: ours takes {:.2}x the time of one table lookup per byte ({:.0}% of its throughput)",
            reference_ns / floor.median_ns,
            100.0 * floor.median_ns / reference_ns
        ));
    }
    out
}

fn print_tables(results: &[Measured], compared_with: &str) {
    println!();
    println!(
        "time/ours: a function's median time divided by ours' (2.00x: it takes twice as long as ours; \
         0.50x: half as long). GB/s: bytes of field values per nanosecond."
    );
    let mut groups: Vec<&str> = Vec::new();
    for m in results {
        if !groups.contains(&m.group.as_str()) {
            groups.push(&m.group);
        }
    }
    for group in groups {
        let rows: Vec<&Measured> = results.iter().filter(|m| m.group == group).collect();
        println!();
        for line in table(&rows, compared_with) {
            println!("{line}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `new/estimates.json` as criterion 0.8 writes it.
    const ESTIMATES: &str = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":12.1,"upper_bound":12.9},"point_estimate":12.5,"standard_error":0.2},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":11.9,"upper_bound":12.4},"point_estimate":12.25,"standard_error":0.1},"median_abs_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":0.1,"upper_bound":0.3},"point_estimate":0.2,"standard_error":0.05},"slope":null,"std_dev":{"confidence_interval":{"confidence_level":0.95,"lower_bound":0.5,"upper_bound":0.9},"point_estimate":0.7,"standard_error":0.1}}"#;

    const BENCHMARK: &str = r#"{"group_id":"list-1k","function_id":"ours","value_str":null,"throughput":{"Bytes":1022},"full_id":"list-1k/ours","directory_name":"list-1k/ours","title":"list-1k/ours"}"#;

    #[test]
    fn reads_the_median_point_estimate() {
        assert_eq!(parse_median(ESTIMATES), Ok(12.25));
        assert!(parse_median(r#"{"mean":{"point_estimate":1.0}}"#).is_err());
        assert!(parse_median("not json").is_err());
    }

    #[test]
    fn reads_group_function_and_bytes_of_a_benchmark() {
        assert_eq!(
            parse_benchmark(BENCHMARK),
            Ok(("list-1k".into(), "ours".into(), Some(1022)))
        );
        let without = r#"{"group_id":"g","function_id":"f","throughput":null}"#;
        assert_eq!(parse_benchmark(without), Ok(("g".into(), "f".into(), None)));
        assert!(parse_benchmark(r#"{"group_id":"g"}"#).is_err());
    }

    fn measured(function: &str, median_ns: f64) -> Measured {
        Measured {
            group: "list-1k".into(),
            function: function.into(),
            median_ns,
            bytes: Some(1000),
            change: None,
            written: None,
        }
    }

    #[test]
    fn table_gives_throughput_and_time_relative_to_ours() {
        let ours = Measured {
            change: Some(-0.031),
            ..measured("ours", 500.0)
        };
        let naive = measured("naive", 250.0);
        let floor = measured("floor", 100.0);
        let lines = table(&[&ours, &naive, &floor], "vs main");
        assert_eq!(
            lines.first().map(String::as_str),
            Some("list-1k (1000 bytes)")
        );
        let row = |name: &str| {
            lines
                .iter()
                .find(|l| l.trim_start().starts_with(name))
                .cloned()
                .unwrap_or_default()
        };
        assert!(
            lines
                .iter()
                .any(|l| l.contains("time/ours") && l.contains("vs main"))
        );
        assert!(row("ours").contains("500.00 ns") && row("ours").contains("2.000"));
        assert!(row("ours").contains("1.00x") && row("ours").contains("-3.1%"));
        assert!(row("naive").contains("4.000") && row("naive").contains("0.50x"));
        assert!(row("floor:").contains("5.00x") && row("floor:").contains("(20%"));
    }

    #[test]
    fn request_table_is_relative_to_its_first_function() {
        let parse = Measured {
            group: "request".into(),
            ..measured("httparse", 200.0)
        };
        let decide = Measured {
            group: "request".into(),
            ..measured("httparse_decision", 600.0)
        };
        let lines = table(&[&parse, &decide], "");
        assert!(lines.iter().any(|l| l.contains("time/httparse")));
        assert!(
            lines
                .iter()
                .any(|l| l.contains("httparse_decision") && l.contains("3.00x"))
        );
        assert!(!lines.iter().any(|l| l.contains("floor")));
    }
}
