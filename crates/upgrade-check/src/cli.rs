//! The command line: subcommands and their arguments, as `clap` parses them.

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand};

/// Checks HTTP/1.1 `Upgrade` and `Connection` fields against RFC 9110.
///
/// Exit status: 0 when the command produced its answer, 1 when `parse` found the input invalid,
/// 2 for usage errors or when the answer could not be written.
#[derive(Debug, Parser)]
#[command(name = "upgrade-check", version)]
pub(crate) struct Cli {
    /// What to check.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Check that field line values form one valid Upgrade (or Connection) list, and print it.
    Parse(ParseArgs),
}

/// Arguments of `upgrade-check parse`.
#[derive(Debug, Args)]
pub(crate) struct ParseArgs {
    /// Print exactly one JSON object on stdout instead of a report.
    #[arg(long)]
    pub(crate) json: bool,

    /// Use the sender grammar (no empty list elements) instead of the recipient grammar.
    #[arg(long)]
    pub(crate) strict: bool,

    /// Parse a Connection list (connection options) instead of an Upgrade list (protocols).
    #[arg(long)]
    pub(crate) connection: bool,

    /// One field line value per argument, as raw bytes; several combine, in order, as one list.
    /// No value at all is an empty field. Put `--` before values that start with `-`.
    // Not required: an absent or empty field is a valid empty list (RFC 9110 section 5.6.1),
    // and a script passing the field lines of a message that has none must get that answer.
    #[arg(value_name = "VALUE")]
    pub(crate) values: Vec<OsString>,
}
