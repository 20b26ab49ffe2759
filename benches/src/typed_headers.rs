//! `headers`: the `headers` crate's typed header, decoded from an `http::HeaderMap`.

use headers::HeaderMapExt;

use crate::answer::Answer;
use crate::input::{Field, Input, Task};

/// Does the input's task with the `headers` crate, where it can: `Connection` decoded with
/// `HeaderMap::typed_get` (which joins several field lines into one new value) and
/// `Connection::contains`. `None` for every other input: the crate's `Upgrade` stores the raw
/// value and parses nothing, and its `Connection` offers no way to count options.
///
/// The `HeaderMap` is [`Input::header_map`], built once outside any timed loop.
///
/// # Examples
///
/// ```
/// use upgrade_benches::{headers, Answer, Input};
///
/// let input = Input::find("connection-has-upgrade")?.expect("an input");
/// assert_eq!(headers(&input), Some(Answer::Listed(true)));
/// let input = Input::find("websocket")?.expect("an input");
/// assert_eq!(headers(&input), None);
/// # Ok::<(), http::header::InvalidHeaderValue>(())
/// ```
pub fn headers(input: &Input) -> Option<Answer> {
    match (input.field(), input.task()) {
        (Field::Connection, Task::Contains(name)) => {
            let connection = input.header_map().typed_get::<headers::Connection>();
            Some(Answer::Listed(connection.is_some_and(|c| c.contains(name))))
        }
        _ => None,
    }
}

/// Whether [`headers`] has an answer for `input`.
pub(crate) fn applies(input: &Input) -> bool {
    matches!(
        (input.field(), input.task()),
        (Field::Connection, Task::Contains(_))
    )
}
