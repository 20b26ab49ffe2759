//! Runs one measured function on one input a fixed number of times, for callgrind.
//!
//! ```text
//! icount --list                         every measurement the gate takes, one per line
//! icount INPUT FUNCTION ITERATIONS      INPUT: an input name, or `request-<name>`
//! ```
//!
//! Each function is timed inside its own `#[inline(never)]` function named `measured_*`, so
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='icount::measured_*'` counts
//! the instructions of exactly that loop, and nothing of the setup around it.

use std::hint::black_box;
use std::process::ExitCode;

use upgrade_benches::request::{self, Request};
use upgrade_benches::{Function, Input, floor, headers, naive, ours};
use upgrade_grammar::Protocol;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("icount: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    match args {
        [list] if list == "--list" => {
            let inputs = Input::all().map_err(|e| e.to_string())?;
            for input in &inputs {
                println!("{} {}", input.name(), Function::Ours.name());
            }
            for request in Request::ALL {
                for function in request::FUNCTIONS {
                    println!("{} {function}", request.group());
                }
            }
            Ok(())
        }
        [input, function, iterations] => {
            let iterations: u32 = iterations
                .parse()
                .map_err(|e| format!("ITERATIONS `{iterations}`: {e}"))?;
            if input.starts_with(request::GROUP_PREFIX) {
                let request =
                    Request::find(input).ok_or_else(|| format!("no request `{input}`"))?;
                let offers = request::offers().map_err(|e| e.to_string())?;
                match function.as_str() {
                    "httparse" => measured_httparse(request.bytes(), iterations),
                    "httparse_negotiate" => {
                        measured_httparse_negotiate(request.bytes(), &offers, iterations);
                    }
                    other => return Err(format!("no request function `{other}`")),
                }
                return Ok(());
            }
            let found = Input::find(input).map_err(|e| e.to_string())?;
            let input = found.ok_or_else(|| format!("no input `{input}`"))?;
            let function = Function::from_name(function)
                .filter(|f| f.applies(&input))
                .ok_or_else(|| format!("no function `{function}` for `{}`", input.name()))?;
            match function {
                Function::Ours => measured_ours(&input, iterations),
                Function::Naive => measured_naive(&input, iterations),
                Function::Headers => measured_headers(&input, iterations),
                Function::Floor => measured_floor(&input, iterations),
            }
            Ok(())
        }
        _ => Err("usage: icount --list | icount INPUT FUNCTION ITERATIONS".into()),
    }
}

#[inline(never)]
fn measured_ours(input: &Input, iterations: u32) {
    for _ in 0..iterations {
        black_box(ours(black_box(input)));
    }
}

#[inline(never)]
fn measured_naive(input: &Input, iterations: u32) {
    for _ in 0..iterations {
        black_box(naive(black_box(input)));
    }
}

#[inline(never)]
fn measured_headers(input: &Input, iterations: u32) {
    for _ in 0..iterations {
        black_box(headers(black_box(input)));
    }
}

#[inline(never)]
fn measured_floor(input: &Input, iterations: u32) {
    for _ in 0..iterations {
        black_box(floor(black_box(input)));
    }
}

#[inline(never)]
fn measured_httparse(bytes: &[u8], iterations: u32) {
    for _ in 0..iterations {
        black_box(request::httparse(black_box(bytes)));
    }
}

#[inline(never)]
fn measured_httparse_negotiate(bytes: &[u8], offers: &[Protocol<'_>], iterations: u32) {
    for _ in 0..iterations {
        black_box(request::httparse_negotiate(black_box(bytes), offers));
    }
}
