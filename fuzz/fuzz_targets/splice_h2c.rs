//! An h2c upgrade request with its body, and the start of the upgraded connection, spliced as
//! the example server splices them: the request the negotiator switches can always be built,
//! and the frames written are the preface, the merged SETTINGS, the request on stream 1 (its
//! header block read back by an independent HPACK decoder) and the client's own bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| upgrade_examples::replay::splice_h2c(data));
