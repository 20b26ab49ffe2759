//! The harness driver: `cargo xtask fuzz`, `cargo xtask fuzz cmin`, `cargo xtask fuzz coverage`,
//! `cargo xtask fuzz planted`, `cargo xtask bench`, `cargo xtask bench --gate`,
//! `cargo xtask bench history`, `cargo xtask e2e`, `cargo xtask servers`, `cargo xtask mutants`.

mod bench;
mod e2e;
mod fuzz;
mod mutants;
mod process;
mod servers;
mod toolchain;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Runs the workspace's harness.
#[derive(Parser, Debug)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Fuzz every target over its committed corpus and the dictionary, then print a summary.
    Fuzz(fuzz::FuzzArgs),
    /// Run the example server against curl, Python websockets and headless Chromium, one
    /// libtest-mimic trial per scenario (libtest's arguments: `--list`, a filter, `--skip`).
    E2e(e2e::E2eArgs),
    /// Run the criterion benches and print one table per input; `--gate` compares instruction
    /// counts with the committed baseline instead.
    Bench(bench::BenchArgs),
    /// Run the probe against real servers (nginx, Apache, lighttpd, HAProxy, Caddy, node ws,
    /// Hypercorn, aiohttp, and upgrade-server as the control) and print one matrix.
    Servers(servers::ServersArgs),
    /// Run cargo-mutants over the grammar and the negotiator, each mutant tested by its own
    /// crate's tests, print one table, and fail on a missed mutant not listed as equivalent.
    Mutants(mutants::MutantsArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Fuzz(args) => fuzz::main(args),
        Command::E2e(args) => e2e::main(args),
        Command::Bench(args) => bench::main(args),
        Command::Servers(args) => servers::main(args),
        Command::Mutants(args) => mutants::main(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
