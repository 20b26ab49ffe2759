//! `cargo xtask bench --gate`: instruction counts under callgrind, compared with the committed
//! baseline `benches/icount-baseline.json`.
//!
//! The `icount` binary of `upgrade-benches` runs one measured function a fixed number of times
//! inside a function named `icount::measured_*`; callgrind counts only inside it. Counts are
//! deterministic for one binary and one input, unlike wall-clock time on a shared machine.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;

use crate::process::{display, in_parallel, output, succeeds, target_dir};

/// The committed baseline: `{"input/function": instructions per iteration, ...}`.
const BASELINE: &str = "benches/icount-baseline.json";

/// Iterations of each measured loop; the count per iteration is the total divided by this.
const ITERATIONS: u32 = 1000;

/// A measurement fails the gate when it grows by more than this many percent.
pub(crate) const THRESHOLD_PERCENT: f64 = 5.0;

/// The functions callgrind counts in (the `measured_*` functions of `icount`).
const REGION: &str = "icount::measured_*";

pub(crate) fn main(update_baseline: bool) -> Result<ExitCode, String> {
    if !succeeds(Command::new("valgrind").arg("--version")) {
        return Err(
            "valgrind is not installed, and the instruction-count gate runs under \
             callgrind: install it (`apt-get install -y valgrind`) and run again"
                .into(),
        );
    }
    let icount = build_icount()?;
    let measurements = list(&icount)?;
    let out_dir = target_dir()?.join("icount");
    std::fs::create_dir_all(&out_dir).map_err(|e| format!("{}: {e}", out_dir.display()))?;
    let now = count_all(&icount, &measurements, &out_dir)?;

    if update_baseline {
        let old = match std::fs::read_to_string(BASELINE) {
            Ok(text) => parse_baseline(&text).unwrap_or_default(),
            Err(_) => Vec::new(),
        };
        std::fs::write(BASELINE, baseline_json(&now))
            .map_err(|e| format!("cannot write {BASELINE}: {e}"))?;
        println!();
        print_rows(&compare(&old, &now));
        println!(
            "\nwrote {BASELINE} ({} measurements); commit it on its own",
            now.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let baseline = match std::fs::read_to_string(BASELINE) {
        Ok(text) => parse_baseline(&text).map_err(|e| format!("{BASELINE}: {e}"))?,
        Err(e) => {
            println!();
            print_rows(&compare(&[], &now));
            return Err(format!(
                "no baseline to compare with ({BASELINE}: {e}); record one with \
                 `cargo xtask bench --gate --update-baseline` and commit it"
            ));
        }
    };
    let rows = compare(&baseline, &now);
    println!();
    print_rows(&rows);
    let regressed: Vec<&Row> = rows
        .iter()
        .filter(|r| r.verdict == Verdict::Regressed)
        .collect();
    let improved = rows
        .iter()
        .filter(|r| r.verdict == Verdict::Improved)
        .count();
    println!();
    if regressed.is_empty() {
        println!(
            "gate passed: no measurement grew by more than {THRESHOLD_PERCENT}% \
             ({improved} improved; `--update-baseline` records the new counts)"
        );
        Ok(ExitCode::SUCCESS)
    } else {
        let names: Vec<String> = regressed
            .iter()
            .map(|r| format!("{} ({:+.1}%)", r.name, r.delta_percent.unwrap_or_default()))
            .collect();
        println!(
            "gate FAILED: {} measurement(s) grew by more than {THRESHOLD_PERCENT}%: {}",
            regressed.len(),
            names.join(", ")
        );
        Ok(ExitCode::FAILURE)
    }
}

/// Builds `icount` in release mode and returns the path of the executable cargo made.
pub(crate) fn build_icount() -> Result<PathBuf, String> {
    build_icount_with(&mut Command::new("cargo"))
}

/// Builds `icount` with `cmd` (a `cargo` command with its directory and environment set).
pub(crate) fn build_icount_with(cmd: &mut Command) -> Result<PathBuf, String> {
    cmd.args([
        "build",
        "--release",
        "-p",
        "upgrade-benches",
        "--bin",
        "icount",
        "--message-format=json-render-diagnostics",
    ]);
    eprintln!("+ {}", display(cmd));
    let messages = output(cmd)?;
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m.get("reason").and_then(Value::as_str) == Some("compiler-artifact"))
        .filter(|m| {
            m.get("target")
                .and_then(|t| t.get("name"))
                .and_then(Value::as_str)
                == Some("icount")
        })
        .find_map(|m| {
            m.get("executable")
                .and_then(Value::as_str)
                .map(PathBuf::from)
        })
        .ok_or_else(|| "cargo built no `icount` executable".to_string())
}

/// The measurements the gate takes, as `icount --list` names them.
pub(crate) fn list(icount: &Path) -> Result<Vec<(String, String)>, String> {
    let text = output(Command::new(icount).arg("--list"))?;
    text.lines()
        .map(
            |line| match line.split_whitespace().collect::<Vec<_>>().as_slice() {
                [input, function] => Ok((input.to_string(), function.to_string())),
                _ => Err(format!("`icount --list` printed `{line}`")),
            },
        )
        .collect()
}

/// Instructions per iteration of every measurement, by `input/function` in the order given:
/// one callgrind per measurement, as many at once as the machine has cores. Callgrind counts the
/// instructions of its own process, so the counts are the same run one at a time.
pub(crate) fn count_all(
    icount: &Path,
    measurements: &[(String, String)],
    out_dir: &Path,
) -> Result<Vec<(String, f64)>, String> {
    count_each(measurements, |input, function| {
        count(icount, input, function, out_dir)
    })
}

/// Runs `count` on every measurement, as many at once as the machine has cores, and returns the
/// counts by `input/function` in the order of `measurements`; or, when a count fails, no new one
/// starts and the error returned is the first, in that order, of those taken.
fn count_each(
    measurements: &[(String, String)],
    count: impl Fn(&str, &str) -> Result<f64, String> + Sync,
) -> Result<Vec<(String, f64)>, String> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let done = AtomicUsize::new(0);
    let counted = in_parallel(
        &vec![(); cores.clamp(1, measurements.len().max(1))],
        measurements,
        |(), (input, function)| {
            let per_iteration = count(input, function);
            if let Ok(n) = &per_iteration {
                let finished = done.fetch_add(1, Ordering::Relaxed) + 1;
                eprintln!(
                    "[{finished}/{}] {input}/{function}: {n:.1} instructions per iteration",
                    measurements.len()
                );
            }
            per_iteration
        },
        Result::is_err,
    )?;
    // Without a failed count, every measurement was counted.
    measurements
        .iter()
        .zip(counted)
        .map(|((input, function), per_iteration)| {
            Ok((format!("{input}/{function}"), per_iteration?))
        })
        .collect()
}

/// Instructions per iteration of one measured function on one input, under callgrind.
pub(crate) fn count(
    icount: &Path,
    input: &str,
    function: &str,
    out_dir: &Path,
) -> Result<f64, String> {
    let out_file = out_dir.join(format!("{input}.{function}.callgrind"));
    let mut cmd = Command::new("valgrind");
    cmd.arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .args(["--dump-instr=no", "--collect-atstart=no"])
        .arg(format!("--toggle-collect={REGION}"))
        .arg(icount)
        .args([input, function])
        .arg(ITERATIONS.to_string())
        .stdout(Stdio::null());
    let run = cmd
        .output()
        .map_err(|e| format!("cannot start `{}`: {e}", display(&cmd)))?;
    if !run.status.success() {
        return Err(format!(
            "`{}` failed ({}):\n{}",
            display(&cmd),
            run.status,
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    let text = std::fs::read_to_string(&out_file)
        .map_err(|e| format!("cannot read {}: {e}", out_file.display()))?;
    let total = parse_callgrind_total(&text).map_err(|e| format!("{}: {e}", out_file.display()))?;
    if total == 0 {
        return Err(format!(
            "callgrind counted nothing in `{REGION}` for {input}/{function}: the measured \
             function's symbol no longer matches ({})",
            out_file.display()
        ));
    }
    Ok(per_iteration(total, ITERATIONS))
}

/// The total instruction count of a callgrind out file (`totals:`, else `summary:`).
pub(crate) fn parse_callgrind_total(text: &str) -> Result<u64, String> {
    let field = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::parse::<u64>)
    };
    match field("totals:").or_else(|| field("summary:")) {
        Some(Ok(total)) => Ok(total),
        Some(Err(e)) => Err(format!("unreadable instruction total: {e}")),
        None => Err("no `totals:` or `summary:` line".into()),
    }
}

/// `total / iterations`, rounded to one decimal.
pub(crate) fn per_iteration(total: u64, iterations: u32) -> f64 {
    (total as f64 / f64::from(iterations) * 10.0).round() / 10.0
}

/// Reads `{"name": instructions per iteration, ...}`.
pub(crate) fn parse_baseline(text: &str) -> Result<Vec<(String, f64)>, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let object = value.as_object().ok_or("not a JSON object")?;
    object
        .iter()
        .map(|(name, v)| {
            v.as_f64()
                .map(|n| (name.clone(), n))
                .ok_or_else(|| format!("`{name}` is not a number"))
        })
        .collect()
}

/// Writes the baseline, one measurement per line, in the order they were taken.
pub(crate) fn baseline_json(measurements: &[(String, f64)]) -> String {
    let lines: Vec<String> = measurements
        .iter()
        .map(|(name, n)| format!("  {}: {n:.1}", Value::from(name.as_str())))
        .collect();
    format!("{{\n{}\n}}\n", lines.join(",\n"))
}

/// How one measurement compares with the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// The same count.
    Same,
    /// Fewer instructions.
    Improved,
    /// More instructions, within the threshold.
    Slower,
    /// More instructions, over the threshold: the gate fails.
    Regressed,
    /// Not in the baseline yet.
    New,
    /// In the baseline, no longer measured.
    Gone,
}

/// One line of the gate's table.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Row {
    pub(crate) name: String,
    pub(crate) old: Option<f64>,
    pub(crate) new: Option<f64>,
    pub(crate) delta_percent: Option<f64>,
    pub(crate) verdict: Verdict,
}

/// Compares the measurements with the baseline, in the order they were taken, then whatever
/// the baseline holds that was not measured.
pub(crate) fn compare(baseline: &[(String, f64)], now: &[(String, f64)]) -> Vec<Row> {
    let mut rows: Vec<Row> = now
        .iter()
        .map(|(name, new)| {
            let old = baseline.iter().find(|(n, _)| n == name).map(|(_, v)| *v);
            let delta_percent = old.filter(|o| *o > 0.0).map(|o| (new - o) / o * 100.0);
            let verdict = match delta_percent {
                None => Verdict::New,
                Some(d) if d > THRESHOLD_PERCENT => Verdict::Regressed,
                Some(d) if d > 0.0 => Verdict::Slower,
                Some(d) if d < 0.0 => Verdict::Improved,
                Some(_) => Verdict::Same,
            };
            Row {
                name: name.clone(),
                old,
                new: Some(*new),
                delta_percent,
                verdict,
            }
        })
        .collect();
    for (name, old) in baseline {
        if !now.iter().any(|(n, _)| n == name) {
            rows.push(Row {
                name: name.clone(),
                old: Some(*old),
                new: None,
                delta_percent: None,
                verdict: Verdict::Gone,
            });
        }
    }
    rows
}

fn print_rows(rows: &[Row]) {
    let number = |n: Option<f64>| n.map(|n| format!("{n:.1}")).unwrap_or_else(|| "-".into());
    // The name column is as wide as the longest name, so that the numbers line up.
    let width = rows
        .iter()
        .map(|r| r.name.len())
        .chain(["measurement".len()])
        .max()
        .unwrap_or_default();
    println!(
        "instructions per iteration ({ITERATIONS} iterations under callgrind), \
         fail above +{THRESHOLD_PERCENT}%"
    );
    println!(
        "  {:<width$} {:>12} {:>12} {:>8}",
        "measurement", "baseline", "now", "delta"
    );
    for r in rows {
        let delta = r
            .delta_percent
            .map(|d| format!("{d:+.1}%"))
            .unwrap_or_default();
        let verdict = match r.verdict {
            Verdict::Same | Verdict::Slower => "",
            Verdict::Improved => "improved",
            Verdict::Regressed => "REGRESSED",
            Verdict::New => "not in the baseline",
            Verdict::Gone => "in the baseline, not measured",
        };
        let line = format!(
            "  {:<width$} {:>12} {:>12} {:>8}  {verdict}",
            r.name,
            number(r.old),
            number(r.new),
            delta
        );
        println!("{}", line.trim_end());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_named_input_slash_function_and_a_failed_count_fails_them_all() {
        let measurements: Vec<(String, String)> = (0..5)
            .map(|i| (format!("input-{i}"), "ours".to_string()))
            .collect();
        let index = |input: &str| -> u32 { input.trim_start_matches("input-").parse().unwrap() };
        let counted = count_each(&measurements, |input, _| Ok(f64::from(index(input)) * 10.0));
        let want: Vec<(String, f64)> = (0..5)
            .map(|i| (format!("input-{i}/ours"), f64::from(i) * 10.0))
            .collect();
        assert_eq!(counted, Ok(want));
        let failed = count_each(&measurements, |input, _| match input {
            "input-3" => Err("three".to_string()),
            _ => Ok(1.0),
        });
        assert_eq!(failed, Err("three".to_string()));
    }

    fn one(name: &str, n: f64) -> Vec<(String, f64)> {
        vec![(name.to_string(), n)]
    }

    fn verdict(old: f64, new: f64) -> Verdict {
        let rows = compare(&one("list-1k/ours", old), &one("list-1k/ours", new));
        rows.first().map(|r| r.verdict).unwrap()
    }

    #[test]
    fn growth_over_five_percent_fails_and_up_to_five_passes() {
        assert_eq!(verdict(1000.0, 1051.0), Verdict::Regressed);
        assert_eq!(verdict(1000.0, 1049.0), Verdict::Slower);
        assert_eq!(verdict(1000.0, 1050.0), Verdict::Slower);
        assert_eq!(verdict(477.0, 477.0 * 1.051), Verdict::Regressed);
        assert_eq!(verdict(477.0, 477.0 * 1.049), Verdict::Slower);
    }

    #[test]
    fn fewer_instructions_are_improvements_and_equal_counts_the_same() {
        assert_eq!(verdict(1000.0, 700.0), Verdict::Improved);
        assert_eq!(verdict(1000.0, 999.9), Verdict::Improved);
        assert_eq!(verdict(1000.0, 1000.0), Verdict::Same);
        let rows = compare(&one("a", 1000.0), &one("a", 940.0));
        let delta = rows.first().and_then(|r| r.delta_percent).unwrap();
        assert!((delta + 6.0).abs() < 1e-9);
    }

    #[test]
    fn new_and_gone_measurements_are_reported_without_failing() {
        let rows = compare(&one("old/ours", 10.0), &one("new/ours", 12.0));
        let verdicts: Vec<_> = rows.iter().map(|r| (r.name.as_str(), r.verdict)).collect();
        assert_eq!(
            verdicts,
            [("new/ours", Verdict::New), ("old/ours", Verdict::Gone)]
        );
    }

    #[test]
    fn baseline_file_round_trips_with_one_decimal() {
        let now = vec![
            ("websocket/ours".to_string(), 477.0),
            ("request/httparse_decision".to_string(), 11134.4),
        ];
        let text = baseline_json(&now);
        assert_eq!(
            text,
            "{\n  \"websocket/ours\": 477.0,\n  \"request/httparse_decision\": 11134.4\n}\n"
        );
        let mut read = parse_baseline(&text).unwrap();
        read.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            read,
            [
                ("request/httparse_decision".to_string(), 11134.4),
                ("websocket/ours".to_string(), 477.0)
            ]
        );
        assert!(parse_baseline("[1, 2]").is_err());
        assert!(parse_baseline(r#"{"a": "many"}"#).is_err());
    }

    #[test]
    fn reads_the_total_of_a_callgrind_out_file() {
        let text = "version: 1\ncreator: callgrind-3.19.0\npid: 1\ncmd: icount websocket ours 1000\n\
                    events: Ir\nsummary: 477021\n\nfn=(1) icount::measured_ours\n0 12\n\ntotals: 477021\n";
        assert_eq!(parse_callgrind_total(text), Ok(477_021));
        assert_eq!(parse_callgrind_total("summary: 5\n"), Ok(5));
        assert!(parse_callgrind_total("events: Ir\n").is_err());
        assert!(parse_callgrind_total("totals: many\n").is_err());
    }

    #[test]
    fn per_iteration_is_rounded_to_one_decimal() {
        assert_eq!(per_iteration(477_021, 1000), 477.0);
        assert_eq!(per_iteration(11_134_412, 1000), 11134.4);
        assert_eq!(per_iteration(1_550, 1000), 1.6);
    }
}
