//! What a measured function answers.

use upgrade_grammar::Error;

/// The answer to an input's [`Task`](crate::Task), comparable across peers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Answer {
    /// How many elements the field lists ([`Task::Count`](crate::Task::Count)).
    Count(usize),
    /// Whether the field lists the element ([`Task::Contains`](crate::Task::Contains)).
    Listed(bool),
    /// The field is not a valid list: where the first offending byte is.
    Invalid {
        /// Index of the field line.
        line: usize,
        /// Byte offset in that line's value.
        offset: usize,
    },
}

impl From<Error> for Answer {
    fn from(e: Error) -> Self {
        Answer::Invalid {
            line: e.line(),
            offset: e.offset(),
        }
    }
}
