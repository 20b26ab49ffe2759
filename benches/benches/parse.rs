//! Criterion benches: one group per input, with `ours` side by side with its peers and the
//! floor, and a `request-<name>` group per whole request. Run them with `cargo xtask bench`.

#[path = "peers/tungstenite.rs"]
mod peers;

use std::hint::black_box;
use std::process::exit;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use upgrade_benches::least;
use upgrade_benches::request::{self, Request};
use upgrade_benches::{Function, Input, floor, headers, naive, ours};
use upgrade_negotiate::{WebSocketAccept, is_http2_settings};

fn lists(c: &mut Criterion) {
    let inputs = Input::all().unwrap_or_else(|e| fail(&format!("cannot build the inputs: {e}")));
    for input in &inputs {
        let mut group = c.benchmark_group(input.name());
        group.throughput(Throughput::Bytes(bytes(input.len())));
        for function in Function::ALL {
            if !function.applies(input) {
                continue;
            }
            // Each arm names its function directly so that the call is inlined into the timed
            // loop exactly as a user's call would be.
            match function {
                Function::Ours => bench(&mut group, function, input, ours),
                Function::Naive => bench(&mut group, function, input, naive),
                Function::Headers => bench(&mut group, function, input, headers),
                Function::Floor => bench(&mut group, function, input, floor),
            }
        }
        group.finish();
    }
}

fn bench<T>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    function: Function,
    input: &Input,
    f: impl Fn(&Input) -> T,
) {
    group.bench_function(function.name(), |b| b.iter(|| f(black_box(input))));
}

fn requests(c: &mut Criterion) {
    let offers =
        request::offers().unwrap_or_else(|e| fail(&format!("cannot build the offers: {e}")));
    let [httparse, httparse_negotiate] = request::FUNCTIONS;
    for request in Request::ALL {
        let bytes = request.bytes();
        let mut group = c.benchmark_group(request.group());
        group.throughput(Throughput::Bytes(self::bytes(bytes.len())));
        group.bench_function(httparse, |b| b.iter(|| request::httparse(black_box(bytes))));
        group.bench_function(httparse_negotiate, |b| {
            b.iter(|| request::httparse_negotiate(black_box(bytes), &offers))
        });
        if request.is_h2c() {
            let settings = least::http2_settings(bytes)
                .unwrap_or_else(|| fail(&format!("{} has no HTTP2-Settings", request.name())));
            group.bench_function("settings_alone", |b| {
                b.iter(|| is_http2_settings(black_box(settings)))
            });
            group.bench_function("httparse_settings", |b| {
                b.iter(|| least::httparse_settings(black_box(bytes)))
            });
        }
        if request.is_websocket() {
            let key = least::websocket_key(bytes)
                .unwrap_or_else(|| fail(&format!("{} has no Sec-WebSocket-Key", request.name())));
            group.bench_function("accept_alone", |b| {
                b.iter(|| WebSocketAccept::from_key(black_box(key)))
            });
            group.bench_function("httparse_accept", |b| {
                b.iter(|| least::httparse_accept(black_box(bytes)))
            });
            group.bench_function("tungstenite", |b| {
                b.iter(|| peers::tungstenite(black_box(bytes)))
            });
        }
        group.finish();
    }
}

fn bytes(len: usize) -> u64 {
    u64::try_from(len).unwrap_or(u64::MAX)
}

fn fail(message: &str) -> ! {
    eprintln!("{message}");
    exit(1)
}

criterion_group!(benches, lists, requests);
criterion_main!(benches);
