//! Benchmarks of `upgrade-grammar` and `upgrade-negotiate`, side by side with what peers do.
//!
//! One input set and one set of measured functions, shared by the criterion benches
//! (`benches/parse.rs`, wall-clock time with `Throughput::Bytes`) and by the `icount` binary
//! (instruction counts under callgrind, the regression gate of `cargo xtask bench --gate`).
//!
//! Every [`Input`] is a list of field lines, an `Upgrade` or `Connection` [`Field`], and a
//! [`Task`]. Each measured function does that task on those bytes and returns an [`Answer`]:
//!
//! - [`ours`]: `upgrade_grammar`, as users call it: the whole field is validated, with the exact
//!   position of the first error;
//! - [`naive`]: split on `,`, trim SP/HTAB, compare ignoring ASCII case, no validation (what Go's
//!   `httpguts` and tungstenite do);
//! - [`headers`](mod@headers): the `headers` crate's typed `Connection` decoded from an `http::HeaderMap`
//!   (its `Upgrade` only stores the raw value, so it has no answer for `Upgrade` lists);
//! - [`floor`]: one pass classifying every byte through a 256-entry `tchar` table, no list
//!   logic: the lower bound of any validating parser.
//!
//! Whole requests ([`request::Request`]: the websocket handshakes of Chromium and Firefox,
//! curl's h2c upgrade, a page load and a JSON `POST`): [`request::httparse`] parses one, and
//! [`request::httparse_negotiate`] adds `upgrade_negotiate`'s decision and writes its response
//! head into a stack buffer. Beside them, [`least`] measures the least any server does to answer
//! each upgrade, nothing checked (the floors of the ratios to httparse), and the criterion bench
//! also runs tungstenite's server handshake on the websocket handshakes; the `paired` binary times each request's functions against
//! httparse in alternating batches, for ratios that the drifts of a shared machine do not move.
//!
//! ```
//! use upgrade_benches::{naive, ours, Answer, Input};
//!
//! let inputs = Input::all()?;
//! for input in &inputs {
//!     if input.name() == "rfc9110-list" {
//!         assert_eq!(ours(input), Answer::Count(4));
//!         assert_eq!(naive(input), Answer::Count(4));
//!     }
//! }
//! # Ok::<(), http::header::InvalidHeaderValue>(())
//! ```

mod answer;
mod floor;
mod function;
mod input;
pub mod least;
mod naive;
mod ours;
pub mod request;
mod typed_headers;

pub use answer::Answer;
pub use floor::floor;
pub use function::Function;
pub use input::{Field, Input, Task};
pub use naive::naive;
pub use ours::ours;
pub use typed_headers::headers;
