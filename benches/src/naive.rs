//! `naive`: split on commas, trim, compare; no validation.

use crate::answer::Answer;
use crate::input::{Input, Task};

/// Does the input's task the way Go's `httpguts.HeaderValuesContainsToken` and tungstenite
/// do: split every line on `,`, trim SP and HTAB, compare ignoring ASCII case. Nothing is
/// validated, so it never answers [`Answer::Invalid`], and `contains` stops at the first match.
///
/// # Examples
///
/// ```
/// use upgrade_benches::{naive, ours, Input};
///
/// for input in Input::all()? {
///     assert_eq!(naive(&input), ours(&input), "{}", input.name());
/// }
/// # Ok::<(), http::header::InvalidHeaderValue>(())
/// ```
pub fn naive(input: &Input) -> Answer {
    let mut elements = input
        .lines()
        .flat_map(|line| line.split(|&b| b == b','))
        .map(trim_ows);
    match input.task() {
        Task::Count => Answer::Count(elements.filter(|e| !e.is_empty()).count()),
        Task::Contains(name) => {
            let name = name.as_bytes();
            Answer::Listed(elements.any(|e| e.eq_ignore_ascii_case(name)))
        }
    }
}

fn trim_ows(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}
