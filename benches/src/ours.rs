//! `ours`: `upgrade_grammar` as users call it.

use upgrade_grammar::{parse_connection, parse_upgrade};

use crate::answer::Answer;
use crate::input::{Field, Input, Task};

/// Does the input's task with `upgrade_grammar`: the whole field is validated against the
/// recipient grammar and bounds of [`Input::config`], and an invalid field answers where its
/// first error is.
///
/// # Examples
///
/// ```
/// use upgrade_benches::{ours, Answer, Input};
///
/// let inputs = Input::all()?;
/// assert!(inputs.iter().all(|input| !matches!(ours(input), Answer::Invalid { .. })));
/// # Ok::<(), http::header::InvalidHeaderValue>(())
/// ```
pub fn ours(input: &Input) -> Answer {
    let config = input.config();
    let lines = input.lines();
    let result = match (input.field(), input.task()) {
        (Field::Upgrade, Task::Count) => parse_upgrade(lines, config).validate().map(Answer::Count),
        (Field::Upgrade, Task::Contains(name)) => {
            let mut listed = false;
            parse_upgrade(lines, config)
                .try_for_each(|protocol| {
                    let protocol = protocol?;
                    listed |= protocol.is_named(name.as_bytes()) && protocol.version().is_none();
                    Ok(())
                })
                .map(|()| Answer::Listed(listed))
        }
        (Field::Connection, Task::Count) => parse_connection(lines, config)
            .validate()
            .map(Answer::Count),
        (Field::Connection, Task::Contains(name)) => parse_connection(lines, config)
            .contains(name.as_bytes())
            .map(Answer::Listed),
    };
    result.unwrap_or_else(Answer::from)
}
