//! The fuzz target of the probe's reader, `read_answers`: the reader of a connection fed by a
//! script of reads instead of a socket, and held to the test kit's reference reader
//! ([`upgrade_testkit::reading`]) however the bytes are cut into reads.
//!
//! The target lives here rather than in [`upgrade_testkit::targets`] because the test kit
//! cannot depend on the probe (the probe draws its fuzz requests from the test kit's
//! generator); the check itself, [`check_read`], is the test kit's.

use std::io;
use std::time::Duration;

use upgrade_testkit::reading::{self, Cut, End, Read, Script, check_read};
use upgrade_testkit::targets::Target;

use crate::conn::{Answer, Bounds, Conn, Source, Stop};

/// The probe's fuzz targets: `read_answers`.
pub const TARGETS: &[Target] = &[Target::new("read_answers", read_answers)];

/// `read_answers`: bytes decoded into a [`Script`] (a stream of responses, how it is cut into
/// reads, how it ends, the bounds), read by [`read_script`] and checked by [`check_read`].
pub fn read_answers(data: &[u8]) {
    check_read(&Script::decode(data), read_script);
}

/// Reads `script`'s stream as the probe reads a connection: one answer for each request, with
/// the script's method and bounds, until one ends without a final response or in a 101. Each
/// read of the stream returns at most the next of `cuts` (in turn; none: as much as asked for).
pub fn read_script(script: &Script, cuts: &[Cut]) -> Read {
    let source = Scripted {
        rest: &script.stream,
        cuts,
        next: 0,
        interrupted: false,
        end: script.end,
    };
    let bounds = Bounds {
        head: script.bounds.head,
        received: script.bounds.received,
    };
    // Long enough that no deadline passes while a script is read.
    let mut conn = Conn::new(source, bounds, Duration::from_secs(3600));
    let mut answers = Vec::new();
    for _ in 0..script.requests {
        let answer = conn.read_answer(script.method);
        let last = !matches!(&answer.end, Ok(f) if f.head.status != 101);
        answers.push(summary(answer));
        if last {
            break;
        }
    }
    Read {
        answers,
        consumed: conn.consumed(),
        received: conn.received(),
        transcript: conn.transcript().to_vec(),
    }
}

fn summary(answer: Answer) -> reading::Answer {
    reading::Answer {
        interims: answer.interims.iter().map(|h| h.status).collect(),
        end: answer
            .end
            .map(|f| reading::Final {
                status: f.head.status,
                minor: f.head.minor,
                head_len: f.head.raw.len(),
            })
            .map_err(|stop| match stop {
                Stop::Silence => reading::Stop::Silence,
                Stop::Closed => reading::Stop::Closed,
                Stop::Reset => reading::Stop::Reset,
                Stop::TooLarge => reading::Stop::TooLarge,
                Stop::NotHttp => reading::Stop::NotHttp,
                Stop::Malformed => reading::Stop::Malformed,
            }),
    }
}

/// A stream handed out by cuts, then its end.
struct Scripted<'s> {
    rest: &'s [u8],
    cuts: &'s [Cut],
    next: usize,
    /// Whether the next cut's interruption has been returned.
    interrupted: bool,
    end: End,
}

impl Source for Scripted<'_> {
    fn read_within(&mut self, chunk: &mut [u8], _wait: Duration) -> io::Result<usize> {
        if self.rest.is_empty() {
            return match self.end {
                End::Closed => Ok(0),
                End::Reset => Err(io::ErrorKind::ConnectionReset.into()),
                End::Silence => Err(io::ErrorKind::TimedOut.into()),
                // What rustls returns when the peer closes without `close_notify`.
                End::Truncated => Err(io::ErrorKind::UnexpectedEof.into()),
            };
        }
        let cut = Cut::in_turn(self.cuts, self.next);
        if cut.interrupted && !self.interrupted {
            self.interrupted = true;
            return Err(io::ErrorKind::Interrupted.into());
        }
        self.interrupted = false;
        self.next += 1;
        let n = cut.size.min(chunk.len()).min(self.rest.len());
        let (now, later) = self.rest.split_at(n);
        chunk.get_mut(..n).unwrap_or_default().copy_from_slice(now);
        self.rest = later;
        Ok(n)
    }
}
