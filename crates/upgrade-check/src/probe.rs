//! `upgrade-check probe`: send the probe catalogue to a live server and grade every answer
//! (DESIGN.md section 8).
//!
//! The report for people groups the probes by class, the classes with a `fail` first, each
//! probe with its verdict, RFC clause and reason, and for every `fail`, `warn` and `error` an
//! escaped excerpt of what came back. `--json` prints one object instead; `--junit FILE`
//! writes JUnit XML besides the report.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use upgrade_probe::{
    Class, Fuzz, FuzzReport, Options, ProbeResult, Report, RunError, Target, Trust, Verdict,
    run as run_probes,
};

use crate::caret::Escaped;
use crate::cli::ProbeArgs;
use crate::{Failure, Outcome, json};

/// How much of an answer the report for people shows.
const EXCERPT: usize = 160;

/// Runs the probes named by `args` and writes the report.
///
/// # Errors
///
/// [`Failure::Usage`] for a bad URL, path, `--only` id or `--cacert`, an unreachable target
/// (before any probe runs), and a JUnit file that cannot be written; [`Failure::Write`] when
/// writing to `out` fails.
pub(crate) fn run(args: &ProbeArgs, out: &mut impl Write) -> Result<Outcome, Failure> {
    let target =
        Target::parse(&args.url).map_err(|e| Failure::Usage(format!("invalid URL: {e}")))?;
    for (flag, path) in [("--ws-path", &args.ws_path), ("--h2c-path", &args.h2c_path)] {
        if !path.starts_with('/') || !path.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Failure::Usage(format!(
                "{flag} must start with / and hold visible ASCII only"
            )));
        }
    }
    let trust = match (&args.insecure, &args.cacert) {
        (true, _) => Trust::Insecure,
        (false, Some(file)) => Trust::CaFile(file.clone()),
        (false, None) => Trust::WebPki,
    };
    let options = Options {
        ws_path: args.ws_path.clone(),
        h2c_path: args.h2c_path.clone(),
        only: args.only.clone(),
        timeout: Duration::from_millis(args.timeout),
        trust,
        fuzz: args.fuzz.map(|count| Fuzz {
            count: usize::try_from(count).unwrap_or(usize::MAX),
            seed: args.seed.unwrap_or_else(clock_seed),
            rate: args.rate,
            budget: Duration::from_secs(args.fuzz_budget),
            progress: io::stderr()
                .is_terminal()
                .then_some(progress as fn(usize, usize)),
        }),
        ..Options::default()
    };
    let report = run_probes(&target, &options).map_err(|e| match e {
        RunError::Unreachable(_) | RunError::Tls(_) | RunError::UnknownProbe(_) => {
            Failure::Usage(e.to_string())
        }
    })?;
    if let Some(file) = &args.junit {
        write_junit_file(file, &report)?;
    }
    if args.json {
        write_json(out, &report)?;
    } else {
        write_report(out, &report)?;
    }
    Ok(if report.failed() {
        Outcome::Invalid
    } else {
        Outcome::Answered
    })
}

/// A seed from the clock, for a `--fuzz` run without `--seed`.
fn clock_seed() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| {
        d.as_secs() ^ u64::from(d.subsec_nanos()).rotate_left(32)
    })
}

/// The progress line of `--fuzz`, on a terminal only; erased when the run ends.
fn progress(sent: usize, count: usize) {
    let mut err = io::stderr().lock();
    // Nothing more can be done if stderr is gone.
    let _ = if sent < count {
        write!(err, "\rfuzz: {sent}/{count} sent")
    } else {
        write!(err, "\r\x1b[2K")
    };
    let _ = err.flush();
}

/// `{"target", "server", "probes": [...], "summary": {...}}`, and `"fuzz"` after a `--fuzz` run.
#[derive(Serialize)]
struct ReportJson<'a> {
    target: &'a str,
    server: Option<&'a str>,
    probes: Vec<ProbeJson<'a>>,
    summary: SummaryJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    fuzz: Option<FuzzJson<'a>>,
}

/// `{"seed", "sent", "switched", "errors", "out_of_time", "failures": [...]}`
#[derive(Serialize)]
struct FuzzJson<'a> {
    seed: u64,
    sent: usize,
    switched: usize,
    errors: usize,
    out_of_time: bool,
    failures: Vec<FuzzFailureJson<'a>>,
}

/// One failing class with its smallest request, as text like a probe's.
#[derive(Serialize)]
struct FuzzFailureJson<'a> {
    class: &'a str,
    rfc: &'a str,
    detail: &'a str,
    request: String,
    response: String,
}

impl<'a> From<&'a FuzzReport> for FuzzJson<'a> {
    fn from(fuzz: &'a FuzzReport) -> Self {
        FuzzJson {
            seed: fuzz.seed,
            sent: fuzz.sent,
            switched: fuzz.switched,
            errors: fuzz.errors,
            out_of_time: fuzz.out_of_time,
            failures: fuzz
                .failures
                .iter()
                .map(|f| FuzzFailureJson {
                    class: &f.class,
                    rfc: f.rfc,
                    detail: &f.detail,
                    request: String::from_utf8_lossy(&f.request).into_owned(),
                    response: String::from_utf8_lossy(&f.response).into_owned(),
                })
                .collect(),
        }
    }
}

/// One probe. `request` and `response` are the bytes sent and the first bytes that came back,
/// as text (bytes that are not UTF-8 show as U+FFFD).
#[derive(Serialize)]
struct ProbeJson<'a> {
    id: &'a str,
    class: &'static str,
    rfc: &'a str,
    verdict: &'static str,
    detail: &'a str,
    request: String,
    response: String,
}

#[derive(Serialize)]
struct SummaryJson {
    pass: usize,
    fail: usize,
    warn: usize,
    #[serde(rename = "n/a")]
    not_applicable: usize,
    error: usize,
}

fn write_json(out: &mut impl Write, report: &Report) -> io::Result<()> {
    json::write(
        out,
        &ReportJson {
            target: &report.target,
            server: report.server.as_deref(),
            probes: report
                .results
                .iter()
                .map(|r| ProbeJson {
                    id: r.id,
                    class: r.class.code(),
                    rfc: r.rfc,
                    verdict: r.verdict.code(),
                    detail: &r.detail,
                    request: String::from_utf8_lossy(&r.request).into_owned(),
                    response: String::from_utf8_lossy(&r.response).into_owned(),
                })
                .collect(),
            summary: SummaryJson {
                pass: report.count(Verdict::Pass),
                fail: report.count(Verdict::Fail),
                warn: report.count(Verdict::Warn),
                not_applicable: report.count(Verdict::NotApplicable),
                error: report.count(Verdict::Error),
            },
            fuzz: report.fuzz.as_ref().map(FuzzJson::from),
        },
    )
}

/// The classes in report order: the one with the worst verdict first, then catalogue order;
/// each with its results, worst first.
fn grouped(report: &Report) -> Vec<(Class, Vec<&ProbeResult>)> {
    let mut groups: Vec<(Class, Vec<&ProbeResult>)> = Vec::new();
    for result in &report.results {
        match groups.iter_mut().find(|(class, _)| *class == result.class) {
            Some((_, results)) => results.push(result),
            None => groups.push((result.class, vec![result])),
        }
    }
    for (_, results) in &mut groups {
        results.sort_by_key(|r| r.verdict);
    }
    let worst = |results: &[&ProbeResult]| results.iter().map(|r| r.verdict).min();
    groups.sort_by_key(|(_, results)| worst(results));
    groups
}

fn summary_line(report: &Report) -> String {
    let parts: Vec<String> = Verdict::ALL
        .iter()
        .map(|&v| format!("{} {v}", report.count(v)))
        .collect();
    format!("{} probes: {}", report.results.len(), parts.join(", "))
}

fn write_report(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let server = report.server.as_deref().unwrap_or("no Server field");
    writeln!(
        out,
        "probe {} ({})",
        report.target,
        Escaped(server.as_bytes())
    )?;
    writeln!(out, "{}", summary_line(report))?;
    let id_width = report.results.iter().map(|r| r.id.len()).max().unwrap_or(0);
    for (class, results) in grouped(report) {
        writeln!(out)?;
        writeln!(out, "{class}")?;
        for r in results {
            writeln!(
                out,
                "  {:<5} {:<id_width$}  {}  {}",
                r.verdict.code(),
                r.id,
                r.rfc,
                Escaped(r.detail.as_bytes())
            )?;
            if matches!(r.verdict, Verdict::Fail | Verdict::Warn | Verdict::Error) {
                writeln!(out, "        got: {}", excerpt(&r.response))?;
            }
        }
    }
    if let Some(fuzz) = &report.fuzz {
        write_fuzz(out, fuzz)?;
    }
    Ok(())
}

/// The `fuzz` section: the counts and seed, then each failing class with its request.
fn write_fuzz(out: &mut impl Write, fuzz: &FuzzReport) -> io::Result<()> {
    writeln!(out)?;
    writeln!(
        out,
        "fuzz (--seed {}): {} sent, {} switched, {} without an answer, {} failing class(es){}",
        fuzz.seed,
        fuzz.sent,
        fuzz.switched,
        fuzz.errors,
        fuzz.failures.len(),
        if fuzz.out_of_time {
            "; the time budget ran out"
        } else {
            ""
        }
    )?;
    for f in &fuzz.failures {
        writeln!(
            out,
            "  fail  {}  {}  {}",
            f.class,
            f.rfc,
            Escaped(f.detail.as_bytes())
        )?;
        writeln!(
            out,
            "        sent ({} field lines, {} before shrinking): {}",
            f.lines,
            f.original_lines,
            Escaped(&f.request)
        )?;
        writeln!(out, "        got: {}", excerpt(&f.response))?;
    }
    Ok(())
}

/// The first bytes of an answer, escaped, or `nothing`.
fn excerpt(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "nothing".into();
    }
    let shown = bytes.get(..EXCERPT).unwrap_or(bytes);
    let more = if shown.len() < bytes.len() { "..." } else { "" };
    format!("{}{more}", Escaped(shown))
}

fn write_junit_file(path: &Path, report: &Report) -> Result<(), Failure> {
    let mut xml = Vec::new();
    write_junit(&mut xml, report)?;
    fs::write(path, xml)
        .map_err(|e| Failure::Usage(format!("cannot write --junit {}: {e}", path.display())))
}

/// JUnit XML: one testcase per probe; fail is a `<failure>`, error an `<error>`, n/a
/// `<skipped>`; warn passes with its reason in `<system-out>`.
fn write_junit(out: &mut impl Write, report: &Report) -> io::Result<()> {
    let tests = report.results.len();
    let failures = report.count(Verdict::Fail);
    let errors = report.count(Verdict::Error);
    let skipped = report.count(Verdict::NotApplicable);
    let name = xml(report.target.as_bytes());
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="upgrade-check probe" tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}">"#
    )?;
    writeln!(
        out,
        r#"  <testsuite name="{name}" tests="{tests}" failures="{failures}" errors="{errors}" skipped="{skipped}">"#
    )?;
    for r in &report.results {
        let detail = xml(format!("{} ({})", r.detail, r.rfc).as_bytes());
        let body = xml(format!("got: {}", excerpt(&r.response)).as_bytes());
        write!(
            out,
            r#"    <testcase classname="upgrade-probe.{}" name="{}">"#,
            r.class, r.id
        )?;
        match r.verdict {
            Verdict::Fail => write!(
                out,
                r#"<failure type="fail" message="{detail}">{body}</failure>"#
            )?,
            Verdict::Error => write!(
                out,
                r#"<error type="error" message="{detail}">{body}</error>"#
            )?,
            Verdict::NotApplicable => write!(out, r#"<skipped message="{detail}"/>"#)?,
            Verdict::Pass | Verdict::Warn => {
                write!(out, "<system-out>{}: {detail}</system-out>", r.verdict)?;
            }
        }
        writeln!(out, "</testcase>")?;
    }
    writeln!(out, "  </testsuite>")?;
    writeln!(out, "</testsuites>")
}

/// Text for XML content and attributes: escaped to printable ASCII first (so no control byte
/// reaches the file), then `&`, `<`, `>`, `"` and `'` as entities.
fn xml(bytes: &[u8]) -> String {
    let text = Escaped(bytes).to_string();
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_control_bytes_for_xml() {
        assert_eq!(
            xml(b"<a href=\"x\">&'\r\n\x00"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;\\r\\n\\x00"
        );
    }

    #[test]
    fn cuts_long_excerpts_and_names_an_empty_one() {
        assert_eq!(excerpt(b""), "nothing");
        assert_eq!(excerpt(b"HTTP/1.1 200 OK\r\n"), "HTTP/1.1 200 OK\\r\\n");
        let long = vec![b'a'; EXCERPT + 1];
        assert!(excerpt(&long).ends_with("a..."));
    }
}
