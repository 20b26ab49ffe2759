//! Checking a whole field line with bit masks, 64 bytes at a time.
//!
//! [`count`] reads the grammar of [`crate::list`] from the byte classes that
//! [`crate::block::classify`] gives, one bit per byte, so that its cost is a few operations per
//! 64 bytes plus the classification, whatever the number of elements. It only tells whether the
//! line is valid and how many elements it has: where a line is not valid it answers `None`, and
//! the element walk reads the line again to find the first error and its position. Where the walk
//! accepts a line, `count` gives the same counts: the test below puts every shape of element on
//! both sides of each window's edges, and the `differential` fuzz target compares `validate()`,
//! which calls `count`, with the iterator, which walks every line.
//!
//! With `T`, `W`, `C` and `S` the bits of `tchar`, OWS, `,` and `/` (`/` only in `Upgrade`), and a
//! run a maximal sequence of `T` and `S` bytes (an element), a line is valid when:
//!
//! - every byte is in one of the classes;
//! - every `/` has a `tchar` just before it and just after it, and the token after it (the
//!   version) is not followed by another `/`;
//! - between two runs there is a comma, not OWS alone;
//!
//! and then its elements are its runs, and its empty elements are the commas (and the end of the
//! line) with only OWS since the previous comma or the start of the line. A line of OWS alone is
//! an empty list.
//!
//! "The first byte after each X that is not OWS" is one addition: adding a bit at the start of a
//! run of `W` bits carries through the run to the first bit after it. The bits shifted or carried
//! out of a window go into the next one.

use crate::block::{BLOCK, Classes, Classify, WithClassifier, with_classifier};
use crate::list::ListKind;

/// The elements of a valid line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LineCounts {
    pub(crate) elements: usize,
    pub(crate) empty_elements: usize,
}

/// The bytes one step of [`count`] reads, one bit each.
const WINDOW: usize = 64;

/// The class bits of up to 64 bytes (bit `i` for byte `i`), as [`classify`] gives them.
#[derive(Clone, Copy, Debug, Default)]
struct Window {
    ows: u64,
    comma: u64,
    slash: u64,
    other: u64,
}

impl Window {
    /// The classes of 64 bytes.
    #[inline(always)]
    fn full(bytes: &[u8; WINDOW], classifier: impl Classify) -> Window {
        Window::of_blocks(bytes.as_chunks::<BLOCK>().0, classifier)
    }

    /// The classes of whole blocks, the first at bit 0.
    #[inline(always)]
    fn of_blocks(blocks: &[[u8; BLOCK]], classifier: impl Classify) -> Window {
        let mut window = Window::default();
        for (k, block) in blocks.iter().enumerate() {
            window.add(classifier.classify(block), k * BLOCK);
        }
        window
    }

    /// The classes of the last bytes of a line, fewer than 64: their whole blocks, then the
    /// line's last block (the line is a block or longer), of which the bytes left are the end.
    #[inline(always)]
    fn last(bytes: &[u8], last_block: &[u8; BLOCK], classifier: impl Classify) -> Window {
        let (blocks, rest) = bytes.as_chunks::<BLOCK>();
        let mut window = Window::of_blocks(blocks, classifier);
        if !rest.is_empty() {
            let shift = blocks.len() * BLOCK;
            window.add(
                classifier.classify(last_block).after(BLOCK - rest.len()),
                shift,
            );
        }
        window
    }

    #[inline(always)]
    fn add(&mut self, classes: Classes, shift: usize) {
        self.ows |= u64::from(classes.ows) << shift;
        self.comma |= u64::from(classes.comma) << shift;
        self.slash |= u64::from(classes.slash) << shift;
        self.other |= u64::from(classes.other) << shift;
    }
}

/// What one window leaves to the next: the class of its last byte, and whether an addition
/// carried out of it (a token or OWS that goes on into the next window).
#[derive(Clone, Copy, Debug)]
struct Carry {
    tchar: u64,
    slash: u64,
    run: u64,
    comma: u64,
    version: bool,
    after_run: bool,
    after_comma: bool,
}

/// The union of two sets of bits that have no bit in common: the classes of a byte exclude each
/// other, and a bit carried into a window is bit 0, which a shift left leaves clear.
#[inline(always)]
fn union(a: u64, b: u64) -> u64 {
    a | b
}

/// The bits of the bytes just after those of `bits`, with `carry`, the bit of the last byte of the
/// window before.
#[inline(always)]
fn after(bits: u64, carry: u64) -> u64 {
    union(bits << 1, carry)
}

/// `a + b + carry`, and whether it carried out of the 64 bits.
#[inline(always)]
fn add(a: u64, b: u64, carry: bool) -> (u64, bool) {
    let (sum, first) = a.overflowing_add(b);
    let (sum, second) = sum.overflowing_add(u64::from(carry));
    (sum, first || second)
}

/// A line being read, window after window.
#[derive(Clone, Copy, Debug)]
struct Reader {
    kind: ListKind,
    carry: Carry,
    counts: LineCounts,
}

impl Reader {
    /// Reads the classes of the next `len` bytes of the line; `None` when they cannot be part
    /// of a valid line.
    #[inline(always)]
    fn read(&mut self, window: Window, len: usize) -> Option<()> {
        let carry = self.carry;
        let in_line = u64::MAX >> (WINDOW - len);
        let Window {
            ows,
            comma,
            slash,
            mut other,
        } = window;
        let slash = match self.kind {
            ListKind::Upgrade => slash,
            ListKind::Connection => {
                other = union(other, slash);
                0
            }
        };
        if other & in_line != 0 {
            return None;
        }
        let tchar = in_line & !union(union(ows, comma), slash);
        let run = union(tchar, slash);
        // A `/` between two tokens, and only one in an element.
        if slash & !after(tchar, carry.tchar) != 0 {
            return None;
        }
        let version = after(slash, carry.slash);
        if version & !tchar != 0 {
            return None;
        }
        let (sum, version_carry) = add(version, tchar, carry.version);
        if sum & !tchar & slash != 0 {
            return None;
        }
        // A comma between two elements.
        let run_before = after(run, carry.run);
        let (sum, after_run_carry) = add(run_before & !run, ows, carry.after_run);
        if sum & !ows & run != 0 {
            return None;
        }
        // An empty element ends at a comma, or at the line's end, with only OWS since a comma.
        let after_comma = after(comma, carry.comma);
        let (sum, after_comma_carry) = add(after_comma, ows, carry.after_comma);
        let next = sum & !ows;
        let empty = next & comma;
        if empty != 0 {
            self.counts.empty_elements += empty.count_ones() as usize;
        }
        if len < WINDOW {
            self.counts.empty_elements += (next >> len & 1) as usize;
        }
        self.counts.elements += (run & !run_before).count_ones() as usize;
        self.carry = Carry {
            tchar: tchar >> 63,
            slash: slash >> 63,
            run: run >> 63,
            comma: comma >> 63,
            version: version_carry,
            after_run: after_run_carry,
            after_comma: after_comma_carry,
        };
        Some(())
    }
}

/// The elements of `line` read as a `kind` list, or `None` when it is not valid, has more than
/// `elements_left` elements, or is shorter than a block: the element walk reads a line of a few
/// bytes in less time than its bytes take to be copied into a block.
///
/// The blocks are classified with the best instructions of the CPU: [`with_classifier`] tests
/// which and calls one of two functions, each compiled for its instructions, out of line, so that
/// `validate()` around this is small enough to be inlined where it is called (there the
/// scanner's state need not be handed over in memory).
#[inline(always)]
pub(crate) fn count(line: &[u8], kind: ListKind, elements_left: usize) -> Option<LineCounts> {
    with_classifier(
        line,
        Count {
            kind,
            elements_left,
        },
    )
}

/// The arguments of [`count`] but the line.
struct Count {
    kind: ListKind,
    elements_left: usize,
}

impl WithClassifier for Count {
    type Output = Option<LineCounts>;

    #[inline(always)]
    fn run<C: Classify>(self, line: &[u8], classifier: C) -> Option<LineCounts> {
        count_with(line, self.kind, self.elements_left, classifier)
    }
}

/// [`count`] with `classifier`.
#[inline(always)]
fn count_with(
    line: &[u8],
    kind: ListKind,
    elements_left: usize,
    classifier: impl Classify,
) -> Option<LineCounts> {
    let last_block = line.last_chunk::<BLOCK>()?;
    let mut reader = Reader {
        kind,
        // The start of the line reads as a comma: an element may be empty before the first.
        carry: Carry {
            tchar: 0,
            slash: 0,
            run: 0,
            comma: 1,
            version: false,
            after_run: false,
            after_comma: false,
        },
        counts: LineCounts {
            elements: 0,
            empty_elements: 0,
        },
    };
    let (windows, last) = line.as_chunks::<WINDOW>();
    for window in windows {
        reader.read(Window::full(window, classifier), WINDOW)?;
        if reader.counts.elements > elements_left {
            return None;
        }
    }
    if last.is_empty() {
        // The line ends with a whole window (or is empty): the carries tell what reached its end.
        if reader.carry.slash != 0 {
            return None;
        }
        reader.counts.empty_elements +=
            usize::from(reader.carry.comma != 0 || reader.carry.after_comma);
    } else {
        reader.read(Window::last(last, last_block, classifier), last.len())?;
    }
    let counts = reader.counts;
    if counts.elements == 0 && counts.empty_elements == 1 {
        // No element and no comma (with `k` commas and no element there are `k + 1` empty
        // elements): the line is empty or OWS alone, an empty list.
        return Some(LineCounts {
            elements: 0,
            empty_elements: 0,
        });
    }
    (counts.elements <= elements_left).then_some(counts)
}

#[cfg(test)]
mod tests {
    use super::{LineCounts, count, count_with};
    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    use crate::block::Ssse3;
    use crate::block::{BLOCK, Sse2};
    use crate::list::ListKind;
    use crate::{Config, Error, Grammar, parse_connection, parse_upgrade};

    /// [`count`], which is also what it gives with SSE2 and, where the CPU has SSSE3, with SSSE3.
    fn count_every_way(line: &[u8], kind: ListKind, elements_left: usize) -> Option<LineCounts> {
        let counted = count(line, kind, elements_left);
        let show = String::from_utf8_lossy(line);
        assert_eq!(
            count_with(line, kind, elements_left, Sse2),
            counted,
            "SSE2: {show:?}"
        );
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        if let Some(ssse3) = Ssse3::detect() {
            assert_eq!(
                count_with(line, kind, elements_left, ssse3),
                counted,
                "SSSE3: {show:?}"
            );
        }
        counted
    }

    /// What the iterator (the walk alone) says of `lines`: how many elements, or the error.
    fn walked(upgrade: bool, lines: &[&[u8]], config: Config) -> Result<usize, Error> {
        let lines = lines.iter().copied();
        let walk = |n: usize, item: Result<(), Error>| item.map(|()| n + 1);
        if upgrade {
            parse_upgrade(lines, config).try_fold(0, |n, p| walk(n, p.map(drop)))
        } else {
            parse_connection(lines, config).try_fold(0, |n, t| walk(n, t.map(drop)))
        }
    }

    /// What `validate()` (the line check, and the walk on each line it does not take) and the
    /// iterator ([`walked`]) say of `lines`.
    fn validated_and_walked(
        upgrade: bool,
        lines: &[&[u8]],
        config: Config,
    ) -> (Result<usize, Error>, Result<usize, Error>) {
        let validated = if upgrade {
            parse_upgrade(lines.iter().copied(), config).validate()
        } else {
            parse_connection(lines.iter().copied(), config).validate()
        };
        (validated, walked(upgrade, lines, config))
    }

    /// `validate()` and `count` against the walk on every shape of `shapes` padded before and
    /// after to every length from 0 to 140 bytes (the shape on both sides of each window edge,
    /// up to nine blocks and past the default bound on elements) with each filler, under three
    /// configurations and both lists.
    fn check_counts_around_window_edges(shapes: &[&[u8]]) {
        let fillers: &[&[u8]] = &[b"x", b" ", b"x,", b"x/y, ", b",", b"\t,"];
        let configs = [
            Config::RECIPIENT,
            Config::new(Grammar::Sender),
            Config::RECIPIENT
                .with_max_elements(1000)
                .with_max_empty_elements(1000),
        ];
        for shape in shapes {
            for filler in fillers {
                for len in 0..=140 {
                    let pad: Vec<u8> = filler.iter().copied().cycle().take(len).collect();
                    let before = [pad.as_slice(), shape].concat();
                    let after = [shape, pad.as_slice()].concat();
                    for line in [&before, &after] {
                        for config in configs {
                            for upgrade in [true, false] {
                                let (validated, walked) =
                                    validated_and_walked(upgrade, &[line, b"z"], config);
                                assert_eq!(
                                    validated,
                                    walked,
                                    "{:?} upgrade {upgrade} {config:?}",
                                    String::from_utf8_lossy(line)
                                );
                            }
                        }
                        // Where the walk accepts a line of a block or more, `count` accepts it
                        // too, with the same elements: the walk is only for errors. A shorter
                        // line is left to the walk.
                        for (upgrade, kind) in
                            [(true, ListKind::Upgrade), (false, ListKind::Connection)]
                        {
                            if line.len() < BLOCK {
                                assert_eq!(count_every_way(line, kind, usize::MAX), None);
                                continue;
                            }
                            let unbounded = Config::RECIPIENT
                                .with_max_elements(usize::MAX)
                                .with_max_empty_elements(usize::MAX);
                            if let Ok(elements) = walked(upgrade, &[line], unbounded) {
                                let show = String::from_utf8_lossy(line);
                                assert_eq!(
                                    count_every_way(line, kind, usize::MAX).map(|c| c.elements),
                                    Some(elements),
                                    "{show:?} upgrade {upgrade}"
                                );
                                // Exactly the bound passes, one more does not.
                                assert!(
                                    count_every_way(line, kind, elements).is_some(),
                                    "{show:?}"
                                );
                                if let Some(fewer) = elements.checked_sub(1) {
                                    assert_eq!(
                                        count_every_way(line, kind, fewer),
                                        None,
                                        "{show:?}"
                                    );
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    // The shapes are split over five tests, which the test harness runs side by side.

    #[test]
    fn counts_as_the_walk_does_with_names_and_versions_on_both_sides_of_each_window_edge() {
        check_counts_around_window_edges(&[b"a", b"a/b", b"a/b/c", b"a/", b"/a", b"a//b"]);
    }

    #[test]
    fn counts_as_the_walk_does_with_spaces_and_tabs_on_both_sides_of_each_window_edge() {
        check_counts_around_window_edges(&[
            b"a b", b"a/b c", b"a /b", b"a/ b", b"\t", b"a\t,\tb", b" , ",
        ]);
    }

    #[test]
    fn counts_as_the_walk_does_with_commas_between_elements_on_both_sides_of_each_window_edge() {
        check_counts_around_window_edges(&[b"a ,b", b"a, b", b"a,,b", b"a/b,c/d"]);
    }

    #[test]
    fn counts_as_the_walk_does_with_empty_elements_at_the_ends_on_both_sides_of_each_window_edge() {
        check_counts_around_window_edges(&[b",", b"a,", b"a, ", b",a"]);
    }

    #[test]
    fn counts_as_the_walk_does_with_bytes_outside_tchar_on_both_sides_of_each_window_edge() {
        check_counts_around_window_edges(&[b"a\"b", b"a;b", b"a\x80", b"a\x00b"]);
    }
}
