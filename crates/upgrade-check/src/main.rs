//! `upgrade-check`: answers, from the command line, whether HTTP/1.1 `Upgrade` and `Connection`
//! fields are well formed and what they list (DESIGN.md section 6).
//!
//! Exit status: 0 when the command produced its answer, 1 when `parse` found the input invalid,
//! 2 for usage errors (reported by `clap` on stderr) and when the answer could not be written.

mod caret;
mod cli;
mod parse;

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// What a command found, which decides the exit status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The command produced its answer (for `parse`: the input is valid). Exit status 0.
    Answered,
    /// `parse` found the input invalid. Exit status 1.
    Invalid,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = io::stdout().lock();
    let outcome = match &cli.command {
        Command::Parse(args) => parse::run(args, &mut stdout),
    }
    .and_then(|outcome| stdout.flush().map(|()| outcome));
    match outcome {
        Ok(Outcome::Answered) => ExitCode::SUCCESS,
        Ok(Outcome::Invalid) => ExitCode::from(1),
        Err(e) => {
            // Nothing more can be reported if stderr is gone too.
            let _ = writeln!(io::stderr(), "upgrade-check: cannot write the answer: {e}");
            ExitCode::from(2)
        }
    }
}
