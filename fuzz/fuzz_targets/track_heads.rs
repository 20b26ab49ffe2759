//! A client's byte stream, cut into reads, followed by the example server's tracker of request
//! heads and served by hyper at once: the tracker queues the same heads however the stream is
//! cut, and each request hyper hands over is the tracker's next head, unless the tracker has
//! stopped following the connection.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_examples::replay::track_heads(data));
