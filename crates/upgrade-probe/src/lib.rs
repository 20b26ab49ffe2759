//! A black-box probe of a live HTTP/1.1 server's `Upgrade` handling, graded against RFC 9110,
//! 9112, 6455 and 7540 by the negotiator of `upgrade-negotiate` (DESIGN.md section 8).
//!
//! The [`catalogue`] is data: each [`Probe`] has a stable id, the class of mistake it tests,
//! the RFC clause, the request, what it needs from the server and its [`Grader`]. [`run`]
//! sends each on its own connection, reads the raw bytes that come back (interim responses, a
//! full response by its framing, a switch with no 101, silence, resets), speaks websocket or
//! HTTP/2 for a moment after a 101, and grades every answer:
//!
//! - `pass`: an answer a conforming server may give;
//! - `fail`: the answer breaks a MUST or MUST NOT;
//! - `warn`: allowed by the letter, a defect users hit;
//! - `n/a`: the baseline shows the server does not speak the protocol there;
//! - `error`: no answer could be had.
//!
//! With [`Options::fuzz`], generated requests follow the catalogue ([`Fuzz`], [`FuzzReport`]):
//! the harness's request generator, seeded, adapted to the target, judged by the same graders,
//! each failing class reported once with the smallest request that shows it.
//!
//! Blocking `std::net`, no async runtime; TLS with rustls (ring). Every read is bounded in
//! time and bytes. The reader of a connection is fuzzed against the test kit's reference
//! reader, with the bytes cut into reads every way ([`replay`], the fuzz target
//! `read_answers`).
//!
//! ```no_run
//! use upgrade_probe::{Options, Target, Verdict, run};
//!
//! let target = Target::parse("http://127.0.0.1:8080")?;
//! let report = run(&target, &Options { ws_path: "/chat".into(), ..Options::default() })?;
//! for result in &report.results {
//!     println!("{} {} {}", result.verdict, result.id, result.detail);
//! }
//! assert_eq!(report.count(Verdict::Fail), 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]

mod after;
mod catalogue;
mod conn;
mod fuzz;
mod grade;
mod oracle;
pub mod replay;
mod request;
mod run;
mod target;
mod tls;
mod verdict;

pub use catalogue::{Context, Grader, Needs, Probe, catalogue};
pub use fuzz::{Fuzz, FuzzFailure, FuzzReport};
pub use request::{Request, Version};
pub use run::{Options, RunError, run};
pub use target::{Scheme, Target, TargetError};
pub use tls::Trust;
pub use verdict::{Class, ProbeResult, Report, Verdict};

/// The crate README's example, compiled as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
