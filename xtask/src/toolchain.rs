//! Which toolchain and sanitizer a fuzz run uses, and installing cargo-fuzz and cargo-mutants
//! when they are missing.

use std::process::Command;

use clap::ValueEnum;

use crate::process::{run, succeeds};

/// The sanitizer choice on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum SanitizerChoice {
    /// AddressSanitizer on nightly when a nightly toolchain is installed, none on stable otherwise.
    Auto,
    /// AddressSanitizer (needs a nightly toolchain).
    Address,
    /// No sanitizer, on stable: the fastest runs.
    None,
}

/// A resolved build: toolchain, sanitizer and whether comparisons are traced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Build {
    pub(crate) nightly: bool,
    pub(crate) sanitizer: &'static str,
    /// Builds with cargo-fuzz's `-sanitizer-coverage-trace-compares` when set, with
    /// `--no-trace-compares` otherwise (the default of this driver, see `RunArgs`).
    pub(crate) trace_compares: bool,
}

impl Build {
    /// Resolves `choice` against the toolchains installed here.
    pub(crate) fn resolve(choice: SanitizerChoice) -> Result<Build, String> {
        let nightly = nightly_installed();
        match choice {
            SanitizerChoice::Auto if nightly => Ok(Build::ASAN),
            SanitizerChoice::Auto | SanitizerChoice::None => Ok(Build::STABLE),
            SanitizerChoice::Address if nightly => Ok(Build::ASAN),
            SanitizerChoice::Address => {
                Err("AddressSanitizer needs a nightly toolchain; none is installed".into())
            }
        }
    }

    const ASAN: Build = Build {
        nightly: true,
        sanitizer: "address",
        trace_compares: false,
    };
    const STABLE: Build = Build {
        nightly: false,
        sanitizer: "none",
        trace_compares: false,
    };

    /// The same build, with comparison tracing on or off.
    pub(crate) fn with_trace_compares(self, trace_compares: bool) -> Build {
        Build {
            trace_compares,
            ..self
        }
    }

    /// A short description for the user.
    pub(crate) fn describe(&self) -> String {
        let toolchain = if self.nightly {
            "nightly toolchain with AddressSanitizer"
        } else {
            "stable toolchain, no sanitizer (--sanitizer none)"
        };
        let compares = if self.trace_compares {
            "comparisons traced"
        } else {
            "comparisons not traced (--no-trace-compares)"
        };
        format!("{toolchain}, {compares}")
    }

    /// `cargo [+nightly] fuzz <sub> <target> --fuzz-dir fuzz --sanitizer S [--no-trace-compares]`.
    pub(crate) fn cargo_fuzz(&self, sub: &str, target: &str) -> Command {
        let mut cmd = Command::new("cargo");
        cmd.args(self.cargo_fuzz_args(sub, target));
        cmd
    }

    /// The same command as text, for reproduction hints.
    pub(crate) fn cargo_fuzz_text(&self, sub: &str, target: &str) -> String {
        format!("cargo {}", self.cargo_fuzz_args(sub, target).join(" "))
    }

    fn cargo_fuzz_args<'a>(&self, sub: &'a str, target: &'a str) -> Vec<&'a str> {
        let mut args = Vec::new();
        if self.nightly {
            args.push("+nightly");
        }
        args.extend([
            "fuzz",
            sub,
            target,
            "--fuzz-dir",
            "fuzz",
            "--sanitizer",
            self.sanitizer,
        ]);
        if !self.trace_compares {
            args.push("--no-trace-compares");
        }
        args
    }
}

fn nightly_installed() -> bool {
    succeeds(Command::new("rustup").args(["run", "nightly", "rustc", "--version"]))
}

/// Installs cargo-fuzz from crates.io when `cargo fuzz` is not available.
pub(crate) fn ensure_cargo_fuzz() -> Result<(), String> {
    ensure_cargo_subcommand("fuzz")
}

/// Installs cargo-mutants from crates.io when `cargo mutants` is not available.
pub(crate) fn ensure_cargo_mutants() -> Result<(), String> {
    ensure_cargo_subcommand("mutants")
}

/// Installs `cargo-SUB` with `cargo install --locked` when `cargo SUB --version` fails.
fn ensure_cargo_subcommand(sub: &str) -> Result<(), String> {
    if succeeds(Command::new("cargo").args([sub, "--version"])) {
        return Ok(());
    }
    let package = format!("cargo-{sub}");
    eprintln!("{package} is missing: installing it from crates.io");
    run(Command::new("cargo").args(["install", "--locked", &package]))
}

/// Installs the nightly `llvm-tools` component when its `llvm-cov` is missing, and returns the
/// folder holding `llvm-cov` and `llvm-profdata`.
pub(crate) fn ensure_llvm_tools() -> Result<std::path::PathBuf, String> {
    let sysroot =
        crate::process::output(Command::new("rustc").args(["+nightly", "--print", "sysroot"]))?;
    let host = host_triple()?;
    let bin = std::path::Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(host)
        .join("bin");
    if !bin.join("llvm-cov").exists() {
        eprintln!("llvm-tools is missing on nightly: installing it");
        run(Command::new("rustup").args([
            "component",
            "add",
            "llvm-tools",
            "--toolchain",
            "nightly",
        ]))?;
    }
    Ok(bin)
}

/// The host's target triple, under which cargo-fuzz puts the binaries it builds.
pub(crate) fn host_triple() -> Result<String, String> {
    let out = crate::process::output(Command::new("rustc").arg("-vV"))?;
    out.lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| "cannot tell the host triple from `rustc -vV`".into())
}
