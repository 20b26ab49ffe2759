//! Shared test machinery for the `upgrade-*` crates, used by their tests, fuzz targets and
//! benches. Every property of DESIGN.md section 4 is one check here, called alike by its fuzz
//! target ([`targets`], which the corpus replay of `cargo test` runs on every committed corpus
//! file) and by its proptest property; the inputs of both come from the same `arbitrary`
//! generators, which proptest draws through the byte bridge of [`strategy`].
//!
//! - [`reference`](mod@reference): the oracle, a slow parser written straight from the RFC 9110
//!   ABNF, sharing no code with `upgrade-grammar`.
//! - [`lists`]: what tests the list grammar: layouts, generators and checks.
//! - [`requests`]: what tests negotiation: requests and servers, generators, and the server-
//!   and client-side checks.
//! - [`alloc`](mod@alloc): a counting global allocator, for proving that code does not
//!   allocate.
//! - [`rng`](mod@rng): a seeded byte generator for reproducible inputs.
//! - [`reading`]: what tests the probe's reader of responses: scripts of a server's bytes cut
//!   into reads, a reference reader by RFC 9112's framing, and the check between them.
//! - [`handshakes`], [`process`], [`wire`]: requests as real clients send them, servers run as
//!   processes, and bytes on the wire (request heads, and the server side of loopback test
//!   servers).
//!
//! Two features, both on by default: `proptest`, the byte bridge of [`strategy`], and
//! `negotiate`, which builds on `upgrade-negotiate`: [`requests`], [`wire`] and the fuzz targets
//! of the negotiator in [`targets`]. The grammar's tests turn `negotiate` off, so that a change
//! to the grammar, such as each of its mutants, does not rebuild the negotiator for them.
//!
//! | property (DESIGN.md 4) | check | fuzz target | proptest property |
//! |---|---|---|---|
//! | generated lists round-trip through format (as text and as bytes) and parse | [`check_round_trip`](lists::checks::check_round_trip), via [`check_rendered`](lists::checks::check_rendered) and [`check_lines`](lists::checks::check_lines) | `roundtrip`, `parse_upgrade`, `parse_connection` | `roundtrips_generated_lists`, `roundtrips_generated_layouts` |
//! | the recipient grammar accepts what the sender grammar accepts, with the same items | [`check_lines`](lists::checks::check_lines) | `parse_upgrade`, `parse_connection`, `roundtrip` | `recipient_accepts_everything_sender_accepts_with_same_items`, `raw_byte_checks_hold_on_biased_bytes`, `arbitrary_bytes_never_panic` |
//! | OWS and empty elements change nothing in the recipient grammar | [`check_rendered`](lists::checks::check_rendered) | `roundtrip` | `adding_ows_and_empty_elements_changes_nothing_in_recipient_grammar` |
//! | splitting a list across field lines changes nothing | [`check_rendered`](lists::checks::check_rendered) | `roundtrip` | `splitting_across_field_lines_changes_nothing` |
//! | the fast parser agrees with the reference on arbitrary bytes | [`check_differential`](lists::checks::check_differential), via [`check_one_grammar`](lists::checks::check_one_grammar) | `differential`, `parse_upgrade`, `parse_connection`, `roundtrip` | `fast_parser_agrees_with_reference_on_arbitrary_bytes`, `..._on_mutated_lists`, `..._on_every_short_input` |
//! | every way of reading a field (`validate()`, the iterator, `fold`, `contains`) gives the same elements and error; every error names its kind and a position inside the input, never the input | [`check_error`](lists::checks::check_error) | `parse_upgrade`, `parse_connection`, `differential`, `roundtrip` | `arbitrary_bytes_never_panic`, `raw_byte_checks_hold_on_biased_bytes` |
//! | a switch names a protocol the client listed and the server offered | [`check_switch_names_a_listed_offer`](requests::checks::check_switch_names_a_listed_offer) | `negotiate`, `negotiate_raw` | `a_switch_names_a_protocol_the_client_listed_and_the_server_offered` |
//! | HTTP/1.0 or a missing `upgrade` option never switch | [`check_no_switch_without_upgrade_option`](requests::checks::check_no_switch_without_upgrade_option) | `negotiate`, `negotiate_raw` | `http10_and_a_missing_upgrade_option_never_switch` |
//! | header-name case does not change the decision | [`check_name_case_invariance`](requests::checks::check_name_case_invariance) | `negotiate`, `negotiate_raw` | `header_name_case_never_changes_the_decision` |
//! | line splitting does not change the decision | [`check_split_invariance`](requests::checks::check_split_invariance) | `negotiate` | `splitting_lists_over_field_lines_never_changes_the_decision` |
//! | empty elements do not change the decision | [`check_empty_element_invariance`](requests::checks::check_empty_element_invariance) | `negotiate` | `adding_empty_elements_never_changes_the_decision` |
//! | the preference order is honoured | [`check_preference_order`](requests::checks::check_preference_order) | `negotiate`, `negotiate_raw` | `client_order_wins_under_client_preference_and_server_order_under_server_preference` |
//! | every 101 the server side builds is accepted by the client side | [`check_client_accepts_the_response`](requests::checks::check_client_accepts_the_response), [`check_response_head`](requests::checks::check_response_head) | `negotiate`, `negotiate_raw` | `every_101_the_server_builds_passes_the_client_check` |
//! | every invariant on one generated request | [`check_case`](requests::checks::check_case) | `negotiate` | `generated_requests_satisfy_every_invariant` |
//! | raw requests never panic and every decision holds | [`check_request_bytes`](requests::checks::check_request_bytes), [`check_decision`](requests::checks::check_decision) | `negotiate_raw` | `arbitrary_request_bytes_never_panic`, `arbitrary_field_lines_never_panic_and_every_response_head_is_sound` |
//! | what a client accepts as a switch is a sound 101 | [`check_response_bytes`](requests::response::check_response_bytes) | `response` | `the_client_check_holds_on_every_response_the_server_builds` |
//! | the probe reads a server's bytes as responses by their framing, within its bounds, however they are cut into reads | [`check_read`](reading::check_read) | `read_answers` (its glue calls `upgrade_probe::replay`) | `the_probe_reads_every_generated_stream_as_the_reference_does_however_it_is_cut` (in `upgrade-probe`) |
//! | the example server's tracker of request heads gives each request hyper hands over its own head, however the stream is cut | `check_tracking` (in `upgrade-examples`) | `track_heads` (its glue calls `upgrade_examples::replay`) | `hyper_and_the_tracker_stay_in_step_on_generated_pipelines_however_they_are_cut` (in `upgrade-examples`), over [`RequestsInput`](reading::RequestsInput) |
//! | the example server splices an h2c upgrade request into the client's first frames as valid HTTP/2 | `check_splice` (in `upgrade-examples`) | `splice_h2c` (its glue calls `upgrade_examples::replay`) | `every_h2c_upgrade_is_spliced_into_the_clients_frames_as_valid_http2` (in `upgrade-examples`) |
//!
//! ```
//! use upgrade_testkit::targets;
//!
//! // Field lines separated by '\n', through every list check under both grammars.
//! targets::parse_upgrade(b"websocket, h2c\nfoo/2, ,");
//! targets::parse_connection(b"keep-alive;q=1");
//! ```
// The checks are assertions: they fail by panicking, which is how proptest, libFuzzer and
// `cargo test` report a violated property. The reference parser indexes plainly so that it reads
// like the grammar; its indices are bounded by the loops around them.
#![allow(clippy::panic, clippy::indexing_slicing)]

pub mod alloc;
pub mod handshakes;
pub mod lists;
pub mod process;
pub mod reading;
pub mod reference;
#[cfg(feature = "negotiate")]
pub mod requests;
pub mod rng;
#[cfg(feature = "proptest")]
pub mod strategy;
pub mod targets;
#[cfg(feature = "negotiate")]
pub mod wire;

pub use reference::{RefItem, RefKind, RefOutcome, reference_parse};

/// The workspace README's examples, compiled as doctests (and run, but for the server, which
/// `cargo xtask e2e` builds and runs as a crate of its own).
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct WorkspaceReadmeDoctests;
