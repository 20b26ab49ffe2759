//! Reading a raw HTTP message from a file or stdin, as bytes.

use std::fmt;

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use upgrade_negotiate::{Decision, HeadError, Status};

use crate::Failure;

/// The most bytes read from one input. A message head must end within them; whatever follows
/// the head (a body, the new protocol's bytes) is never examined, so a larger input loses
/// nothing, and an endless one (`/dev/zero`) cannot exhaust memory.
pub(crate) const LIMIT: u64 = 1 << 20;

/// The number of field lines a message head may have. A head with more is malformed, as it is
/// for a server with a buffer of this size.
pub(crate) const MAX_HEADERS: usize = 128;

/// Reads up to [`LIMIT`] bytes of the `what` message (`request`, `response`) from `path`, or
/// from stdin when there is none.
///
/// # Errors
///
/// [`Failure::Usage`] when the file cannot be opened or read.
pub(crate) fn read(path: Option<&Path>, what: &str) -> Result<Vec<u8>, Failure> {
    let mut bytes = Vec::new();
    let read = match path {
        Some(path) => File::open(path)
            .and_then(|file| file.take(LIMIT).read_to_end(&mut bytes))
            .map_err(|e| format!("cannot read the {what} from {}: {e}", path.display())),
        None => io::stdin()
            .lock()
            .take(LIMIT)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read the {what} from stdin: {e}")),
    };
    match read {
        Ok(_) => Ok(bytes),
        Err(message) => Err(Failure::Usage(message)),
    }
}

/// Why a whole input is not one message head.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Unreadable {
    /// The input ends inside the head: nothing more can arrive, the whole input has been read.
    Incomplete,
    /// The head is invalid.
    Head(HeadError),
}

impl fmt::Display for Unreadable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unreadable::Incomplete => f.write_str("incomplete message head"),
            Unreadable::Head(e) => e.fmt(f),
        }
    }
}

/// The head of a whole input: a partial head is final here, since every byte has been read.
pub(crate) fn whole<T>(parsed: Result<Status<T>, HeadError>) -> Result<T, Unreadable> {
    match parsed {
        Ok(Status::Complete(head)) => Ok(head),
        Ok(Status::Partial) => Err(Unreadable::Incomplete),
        Err(e) => Err(Unreadable::Head(e)),
    }
}

/// Rule 1 for a request that is not one whole head: 505 for another major version, else 400.
pub(crate) fn unreadable_decision(unreadable: Unreadable) -> Decision<'static> {
    match unreadable {
        Unreadable::Incomplete => Decision::request_malformed(),
        Unreadable::Head(e) => Decision::from(e),
    }
}
