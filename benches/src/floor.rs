//! `floor`: classify every byte, nothing else.

use upgrade_testkit::reference::ref_is_tchar;

use crate::input::Input;

/// The lower bound of a validating parser that reads one byte at a time: one pass over every byte
/// of every line, looking each one up in a 256-entry `tchar` table (the reference parser's, built
/// from the ABNF), with no list logic. Returns how many bytes are `tchar`, so that the pass cannot be optimised away.
///
/// # Examples
///
/// ```
/// use upgrade_benches::{floor, Input};
///
/// let input = Input::find("keep-alive-upgrade")?.expect("an input");
/// assert_eq!(floor(&input), "keep-alive".len() + "Upgrade".len());
/// # Ok::<(), http::header::InvalidHeaderValue>(())
/// ```
pub fn floor(input: &Input) -> usize {
    input
        .lines()
        .map(|line| line.iter().filter(|&&b| ref_is_tchar(b)).count())
        .sum()
}
