//! `cargo xtask fuzz coverage`: line coverage of the library crates reached by the committed
//! corpora, as an HTML report and one summary line per crate.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use crate::fuzz::{TargetArgs, dirs, selected};
use crate::process::{output, run};
use crate::toolchain::{ensure_cargo_fuzz, ensure_llvm_tools, host_triple};

/// Source folders whose coverage is reported.
const MEASURED: &[&str] = &["crates/upgrade-grammar/src", "crates/upgrade-negotiate/src"];

pub(crate) fn main(select: &TargetArgs) -> Result<ExitCode, String> {
    ensure_cargo_fuzz()?;
    let llvm = ensure_llvm_tools()?;
    let targets = selected(select)?;
    let host = host_triple()?;
    let mut profiles = Vec::new();
    let mut objects = Vec::new();
    for target in &targets {
        let d = dirs(target);
        // Coverage instrumentation needs nightly; the corpus replays once, without fuzzing.
        run(Command::new("cargo")
            .args(["+nightly", "fuzz", "coverage", target, "--fuzz-dir", "fuzz"])
            .arg(&d.seeds))?;
        profiles.push(PathBuf::from(format!(
            "fuzz/coverage/{target}/coverage.profdata"
        )));
        objects.push(coverage_binary(&host, target)?);
    }
    let merged = Path::new("fuzz/coverage/merged.profdata");
    let mut merge = Command::new(llvm.join("llvm-profdata"));
    merge
        .args(["merge", "-sparse", "-o"])
        .arg(merged)
        .args(&profiles);
    run(&mut merge)?;

    // Everything outside the measured crates: dependencies, the standard library, the fuzz glue,
    // the testkit and the tools.
    let ignore = r"(\.cargo/registry|/rustc/|/library/|fuzz/fuzz_targets|upgrade-testkit|upgrade-check|xtask)";

    let report_dir = Path::new("fuzz/coverage/html");
    let mut show = llvm_cov(&llvm, "show", merged, &objects);
    show.args([
        "-format=html",
        "-show-line-counts-or-regions",
        "-ignore-filename-regex",
        ignore,
    ])
    .arg(format!("-output-dir={}", report_dir.display()));
    run(&mut show)?;

    let mut export = llvm_cov(&llvm, "export", merged, &objects);
    export.args(["-summary-only", "-ignore-filename-regex", ignore]);
    let json = output(&mut export)?;
    let value: serde_json::Value =
        serde_json::from_str(&json).map_err(|e| format!("cannot read llvm-cov export: {e}"))?;
    let files = value
        .pointer("/data/0/files")
        .and_then(|f| f.as_array())
        .ok_or("llvm-cov export has no file list")?;
    println!();
    println!(
        "{:<34} {:>8} {:>8} {:>8}",
        "crate", "lines", "covered", "percent"
    );
    for folder in MEASURED {
        let (mut lines, mut covered) = (0u64, 0u64);
        for file in files {
            let name = file.get("filename").and_then(|n| n.as_str()).unwrap_or("");
            if name.contains(folder) {
                let l = file.pointer("/summary/lines");
                lines += l
                    .and_then(|l| l.get("count"))
                    .and_then(|c| c.as_u64())
                    .unwrap_or(0);
                covered += l
                    .and_then(|l| l.get("covered"))
                    .and_then(|c| c.as_u64())
                    .unwrap_or(0);
            }
        }
        let percent = if lines == 0 {
            0.0
        } else {
            covered as f64 * 100.0 / lines as f64
        };
        println!("{folder:<34} {lines:>8} {covered:>8} {percent:>7.1}%");
    }
    println!("\nHTML report: {}", report_dir.join("index.html").display());
    Ok(ExitCode::SUCCESS)
}

fn llvm_cov(llvm: &Path, sub: &str, profile: &Path, objects: &[PathBuf]) -> Command {
    let mut cmd = Command::new(llvm.join("llvm-cov"));
    cmd.arg(sub)
        .arg(format!("-instr-profile={}", profile.display()));
    let mut first = true;
    for object in objects {
        if first {
            cmd.arg(object);
            first = false;
        } else {
            cmd.arg(format!("-object={}", object.display()));
        }
    }
    cmd
}

/// The instrumented binary `cargo fuzz coverage` built: under the fuzz crate's target folder or
/// the one of the folder it was run from, depending on the cargo-fuzz version.
fn coverage_binary(host: &str, target: &str) -> Result<PathBuf, String> {
    let relative = format!("{host}/coverage/{host}/release/{target}");
    ["fuzz/target", "target"]
        .iter()
        .map(|dir| Path::new(dir).join(&relative))
        .find(|path| path.is_file())
        .ok_or_else(|| format!("cannot find the coverage build of {target} ({relative})"))
}
