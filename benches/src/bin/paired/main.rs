//! Times naive's answer against ours on each input of the grammar, and each whole request's
//! functions against httparse alone, in alternating batches ([`timing`]), and prints the median
//! ratio of each with its quartiles. Beside `httparse_negotiate` on the upgrade requests, it times
//! the floors of `upgrade_benches::least`: on the websocket handshakes the accept value alone
//! (`accept_alone`) and `httparse_accept`, on curl's h2c upgrade the settings' decoding alone
//! (`settings_alone`) and `httparse_settings`.
//!
//! The timing is in this binary, not in the library: code added to the library moves how the
//! compiler splits it into codegen units, and with it the instructions that `icount` counts in
//! the measured functions. With the crate's `tungstenite` feature (which `cargo xtask bench
//! paired` turns on), the websocket requests also time tungstenite's server handshake, what
//! users would pick instead.
//!
//! ```text
//! paired [--rounds N] [NAME...]     NAME: an input, a request or `request-<name>`; all by default
//! ```

use std::process::ExitCode;
use std::time::Duration;

use upgrade_benches::least;
use upgrade_benches::request::{self, Request};
use upgrade_benches::{Input, naive, ours};
use upgrade_negotiate::{WebSocketAccept, is_http2_settings};

mod timing;

/// tungstenite's server handshake, shared with the criterion bench.
#[cfg(feature = "tungstenite")]
#[path = "../../../benches/peers/tungstenite.rs"]
mod peer;

use timing::{Comparison, Reference, call, calls_for, compare};

/// How long one batch of httparse alone takes: long beside the clock's resolution, short beside
/// the drifts of a shared machine.
const BATCH: Duration = Duration::from_micros(100);

/// How long one batch of the reference work takes in each round.
const REFERENCE_BATCH: Duration = Duration::from_micros(20);

/// Rounds by default: about a second per request and function.
const ROUNDS: usize = 2001;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("paired: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let (rounds, names) = match args {
        [flag, n, rest @ ..] if flag == "--rounds" => {
            let n: usize = n.parse().map_err(|e| format!("--rounds `{n}`: {e}"))?;
            (n, rest)
        }
        _ => (ROUNDS, args),
    };
    if rounds == 0 {
        return Err("--rounds must be at least 1".into());
    }
    let (inputs, requests) = if names.is_empty() {
        let inputs = Input::all().map_err(|e| e.to_string())?;
        (inputs, Request::ALL.to_vec())
    } else {
        let mut inputs = Vec::new();
        let mut requests = Vec::new();
        for name in names {
            if let Some(input) = Input::find(name).map_err(|e| e.to_string())? {
                inputs.push(input);
            } else {
                requests.push(
                    Request::find(name).ok_or_else(|| format!("no input or request `{name}`"))?,
                );
            }
        }
        (inputs, requests)
    };
    let reference = Reference::new(REFERENCE_BATCH);
    if !inputs.is_empty() {
        time_inputs(&inputs, rounds, reference)?;
    }
    if !requests.is_empty() {
        time_requests(&requests, rounds, reference)?;
    }
    Ok(())
}

/// Naive's answer against ours on each input: the grammar's target is a ratio of at least 1.
fn time_inputs(inputs: &[Input], rounds: usize, reference: Reference) -> Result<(), String> {
    println!(
        "naive's time per call against ours, in {rounds} rounds of alternating batches \
         (about {} µs of ours each); ratio naive / ours (above 1: ours is faster): median of \
         the rounds [quartiles]; {REFERENCE_NOTE}",
        BATCH.as_micros()
    );
    println!(
        "  {:<24} {:>7} {:>12} {:>12}  {:>7} {:>17} {:>7}",
        "input", "bytes", "ours ns", "naive ns", "ratio", "[25%, 75%]", "ref ns"
    );
    for input in inputs {
        let c = Base::new(call(ours, input), rounds, reference).against(call(naive, input))?;
        print_row(&format!("{:<24} {:>7}", input.name(), input.len()), &c);
    }
    Ok(())
}

/// Each whole request's functions against httparse alone on the same bytes.
fn time_requests(requests: &[Request], rounds: usize, reference: Reference) -> Result<(), String> {
    let offers = request::offers().map_err(|e| e.to_string())?;
    println!(
        "time per call against httparse alone, in {rounds} rounds of alternating batches \
         (about {} µs of httparse each); ratio: median of the rounds [quartiles]; \
         {REFERENCE_NOTE}",
        BATCH.as_micros()
    );
    println!(
        "  {:<20} {:<20} {:>12} {:>12}  {:>7} {:>17} {:>7}",
        "request", "function", "httparse ns", "function ns", "ratio", "[25%, 75%]", "ref ns"
    );
    for request in requests {
        let bytes = request.bytes();
        let mut base = Base::new(call(request::httparse, bytes), rounds, reference);
        let negotiate = |bytes: &[u8]| request::httparse_negotiate(bytes, &offers);
        let mut rows = vec![("httparse_negotiate", base.against(call(negotiate, bytes))?)];
        if request.is_h2c() {
            let settings = least::http2_settings(bytes)
                .ok_or_else(|| format!("{} has no HTTP2-Settings", request.name()))?;
            rows.push((
                "settings_alone",
                base.against(call(is_http2_settings, settings))?,
            ));
            rows.push((
                "httparse_settings",
                base.against(call(least::httparse_settings, bytes))?,
            ));
        }
        if request.is_websocket() {
            let key = least::websocket_key(bytes)
                .ok_or_else(|| format!("{} has no Sec-WebSocket-Key", request.name()))?;
            rows.push((
                "accept_alone",
                base.against(call(WebSocketAccept::from_key, key))?,
            ));
            rows.push((
                "httparse_accept",
                base.against(call(least::httparse_accept, bytes))?,
            ));
            #[cfg(feature = "tungstenite")]
            rows.push(("tungstenite", base.against(call(peer::tungstenite, bytes))?));
        }
        for (function, c) in rows {
            print_row(&format!("{:<20} {:<20}", request.name(), function), &c);
        }
    }
    Ok(())
}

/// What the last column of each table is.
const REFERENCE_NOTE: &str = "ref ns: the median time of a fixed piece of work timed in the \
     same rounds, higher when the machine was in a slow state";

/// One row of a table: `label`, then the median times per call of the base and the other
/// function, the median ratio with its quartiles, and the reference's median time.
fn print_row(label: &str, c: &Comparison) {
    println!(
        "  {label} {:>12.1} {:>12.1}  {:>6.2}x [{:.2}x, {:.2}x] {:>7.1}",
        c.base_ns.median,
        c.other_ns.median,
        c.ratio.median,
        c.ratio.low,
        c.ratio.high,
        c.reference_ns.median
    );
}

/// The function of a table that every other is timed against, with as many calls a batch as
/// fill about [`BATCH`], and the run's rounds and reference.
struct Base<F> {
    f: F,
    calls: u32,
    rounds: usize,
    reference: Reference,
}

impl<F: FnMut()> Base<F> {
    fn new(mut f: F, rounds: usize, reference: Reference) -> Self {
        let calls = calls_for(&mut f, BATCH);
        Base {
            f,
            calls,
            rounds,
            reference,
        }
    }

    /// [`compare`] of `other` with the base, after one call of `other` to warm it, or an error
    /// when a batch took no time.
    fn against(&mut self, mut other: impl FnMut()) -> Result<Comparison, String> {
        other();
        compare(&mut self.f, other, self.calls, self.rounds, self.reference)
            .ok_or_else(|| "a batch took no measurable time".to_string())
    }
}
