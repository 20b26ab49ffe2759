//! The command line: subcommands and their arguments, as `clap` parses them.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Checks HTTP/1.1 `Upgrade` and `Connection` fields, server decisions and responses against
/// RFC 9110.
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
    /// Decide, as a server, what to answer to a raw HTTP/1.x request: switch (101), require an
    /// upgrade (426), reject (400) or carry on with HTTP.
    Negotiate(NegotiateArgs),
    /// Check, as a client, that a raw response (a 101, a 426 or any other status) is legitimate
    /// for the raw request it answers.
    Response(ResponseArgs),
    /// Probe a live server: send crafted upgrade requests and grade every answer against
    /// RFC 9110, 9112, 6455 and 7540. Exit status 1 when a probe or the fuzzer fails, 2 when
    /// the target is unreachable (refused, or a TLS certificate that is not trusted).
    Probe(ProbeArgs),
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

/// Arguments of `upgrade-check negotiate`.
#[derive(Debug, Args)]
pub(crate) struct NegotiateArgs {
    /// Print exactly one JSON object on stdout instead of a report.
    #[arg(long)]
    pub(crate) json: bool,

    /// A protocol the server speaks, as `name` or `name/version` (`websocket`, `h2c`, `foo/2`).
    /// Repeat it to offer several, in the server's order of preference.
    // Raw bytes, like `parse` values, so that a bad offer gets a caret under its faulty byte.
    #[arg(long = "offer", value_name = "PROTOCOL")]
    pub(crate) offers: Vec<OsString>,

    /// Whose order of preference picks among the protocols both sides support.
    #[arg(long, value_enum, value_name = "SIDE", default_value_t = Prefer::Client)]
    pub(crate) prefer: Prefer,

    /// Answer 426 Upgrade Required where the request would otherwise carry on with HTTP.
    #[arg(long)]
    pub(crate) require: bool,

    /// The raw request, head and any body, as bytes; stdin when absent. At most 1 MiB is read.
    #[arg(value_name = "FILE")]
    pub(crate) file: Option<PathBuf>,
}

/// Whose order of preference wins, for `--prefer`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Prefer {
    /// The first protocol of the client's `Upgrade` list that the server offers.
    Client,
    /// The first of the server's offers that the client lists.
    Server,
}

/// Arguments of `upgrade-check probe`.
#[derive(Debug, Args)]
pub(crate) struct ProbeArgs {
    /// Print exactly one JSON object on stdout instead of a report.
    #[arg(long, conflicts_with = "junit")]
    pub(crate) json: bool,

    /// Write a JUnit XML report to FILE (one testcase per probe) besides the report on stdout.
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,

    /// The path where the server speaks websocket.
    #[arg(long, value_name = "PATH", default_value = "/")]
    pub(crate) ws_path: String,

    /// The path to ask for an h2c upgrade.
    #[arg(long, value_name = "PATH", default_value = "/")]
    pub(crate) h2c_path: String,

    /// Run only the probe with this id (repeatable); the baselines it needs run unreported.
    #[arg(long = "only", value_name = "ID")]
    pub(crate) only: Vec<String>,

    /// The bound of every read and of connecting, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 3000,
        value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub(crate) timeout: u64,

    /// Accept any TLS certificate (for test servers with a self-signed one).
    #[arg(long, conflicts_with = "cacert")]
    pub(crate) insecure: bool,

    /// Trust the CA certificates of this PEM file for TLS.
    #[arg(long, value_name = "FILE")]
    pub(crate) cacert: Option<PathBuf>,

    /// After the catalogue, send N requests drawn from the harness's request generator, one
    /// connection each, judged by the same oracle; each failing class is reported once with
    /// the smallest request that shows it.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
    pub(crate) fuzz: Option<u64>,

    /// The seed of `--fuzz` (default: from the clock, printed in the report): the same seed
    /// sends the same requests.
    #[arg(long, value_name = "S", requires = "fuzz")]
    pub(crate) seed: Option<u64>,

    /// The most `--fuzz` requests per second, shrinking included.
    #[arg(long, value_name = "PER_SECOND", default_value_t = 200, requires = "fuzz",
        value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub(crate) rate: u32,

    /// The bound of the whole `--fuzz` run in seconds, shrinking included; requests not sent
    /// by then are dropped and the report says so.
    #[arg(long, value_name = "SECONDS", default_value_t = 600, requires = "fuzz",
        value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) fuzz_budget: u64,

    /// The server: `http://host[:port]` or `https://host[:port]`.
    #[arg(value_name = "URL")]
    pub(crate) url: String,
}

/// Arguments of `upgrade-check response`.
#[derive(Debug, Args)]
pub(crate) struct ResponseArgs {
    /// Print exactly one JSON object on stdout instead of a report.
    #[arg(long)]
    pub(crate) json: bool,

    /// The raw request that the response answers, as bytes. At most 1 MiB is read.
    #[arg(long, value_name = "FILE")]
    pub(crate) request: PathBuf,

    /// The raw response, head and anything after it, as bytes; stdin when absent. At most 1 MiB
    /// is read.
    #[arg(value_name = "RESPONSE_FILE")]
    pub(crate) response: Option<PathBuf>,
}
