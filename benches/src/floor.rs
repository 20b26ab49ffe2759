//! `floor`: classify every byte, nothing else.

use crate::input::Input;

/// `tchar` of RFC 9110 section 5.6.2, one entry per byte value:
///
/// ```text
/// tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*"
///       / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
///       / DIGIT / ALPHA
/// ```
static TCHAR: [bool; 256] = build_tchar();

// Evaluated only at compile time: an out-of-bounds index here fails the build.
#[allow(clippy::indexing_slicing)]
const fn build_tchar() -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    table
}

/// The lower bound of any validating parser: one pass over every byte of every line, looking
/// each one up in a 256-entry `tchar` table, with no list logic. Returns how many bytes are
/// `tchar`, so that the pass cannot be optimised away.
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
        .map(|line| line.iter().filter(|&&b| is_tchar(b)).count())
        .sum()
}

#[inline(always)]
fn is_tchar(b: u8) -> bool {
    // A `[_; 256]` indexed by a `u8` is never out of bounds; `get` keeps the lint quiet and
    // compiles to the same load.
    TCHAR.get(usize::from(b)).copied().unwrap_or(false)
}
