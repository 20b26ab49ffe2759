//! `upgrade-check`: answers, from the command line, whether HTTP/1.1 `Upgrade` and `Connection`
//! fields are well formed and what they list, what a server decides for a request, and whether
//! a response is legitimate for the request it answers (DESIGN.md section 6).
//!
//! It also probes a live server's upgrade handling (`probe`, DESIGN.md section 8).
//!
//! Exit status: 0 when the command produced its answer, 1 when `parse` found the input invalid
//! or `probe` found a `fail`, 2 for usage errors (reported by `clap`, or by the command, on
//! stderr), an unreachable probe target, and when the answer could not be written.

mod caret;
mod cli;
mod input;
mod json;
mod negotiate;
mod parse;
mod probe;
mod response;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// What a command found, which decides the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The command produced its answer (for `parse`: the input is valid). Exit status 0.
    Answered,
    /// `parse` found the input invalid, or `probe` found a `fail`. Exit status 1.
    Invalid,
}

/// Why a command produced no answer. Exit status 2.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The command line asks for something that cannot be done, such as reading a file that
    /// does not exist; the message says what, for stderr.
    Usage(String),
    /// The answer could not be written.
    Write(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Write(e)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = io::stdout().lock();
    let outcome = match &cli.command {
        Command::Parse(args) => parse::run(args, &mut stdout).map_err(Failure::from),
        Command::Negotiate(args) => negotiate::run(args, &mut stdout),
        Command::Response(args) => response::run(args, &mut stdout),
        Command::Probe(args) => probe::run(args, &mut stdout),
    }
    .and_then(|outcome| stdout.flush().map(|()| outcome).map_err(Failure::from));
    // Nothing more can be reported if stderr is gone too.
    match outcome {
        Ok(Outcome::Answered) => ExitCode::SUCCESS,
        Ok(Outcome::Invalid) => ExitCode::from(1),
        Err(Failure::Usage(message)) => {
            let _ = writeln!(io::stderr(), "upgrade-check: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Write(e)) => {
            let _ = writeln!(io::stderr(), "upgrade-check: cannot write the answer: {e}");
            ExitCode::from(2)
        }
    }
}
