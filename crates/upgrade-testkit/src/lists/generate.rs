//! The `arbitrary` generators of lists, the one source of generated lists for the fuzz targets
//! and, through the byte bridge of [`strategy`](crate::strategy), for the proptest properties:
//! tokens over all 77 `tchar`s with optional versions, OWS of spaces and tabs, empty elements,
//! several field lines; and raw field lines biased towards the bytes the grammar cares about.

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::lists::render::{Arrangement, EmptyElement, Placement, Rendered};
use crate::reference::{RefItem, RefKind, TCHARS};

/// The longest token generated.
pub const MAX_TOKEN_LEN: u8 = 16;
/// The longest OWS run generated.
pub const MAX_OWS_LEN: u8 = 3;
/// The most empty elements generated in one place.
pub const MAX_EMPTIES: u8 = 3;
/// The most elements of a generated list.
pub const MAX_LIST_LEN: u8 = 12;

/// A token: 1 to [`MAX_TOKEN_LEN`] bytes, each one of the 77 `tchar`s.
pub fn token(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let len = u.int_in_range(1..=MAX_TOKEN_LEN)?;
    (0..len).map(|_| u.choose(TCHARS).copied()).collect()
}

/// A protocol: a [`token`] with an optional version.
pub fn protocol(u: &mut Unstructured<'_>) -> Result<RefItem> {
    let name = token(u)?;
    let version = u.arbitrary::<bool>()?.then(|| token(u)).transpose()?;
    Ok(RefItem { name, version })
}

/// OWS: 0 to [`MAX_OWS_LEN`] bytes, each SP or HTAB.
pub fn ows(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let len = u.int_in_range(0..=MAX_OWS_LEN)?;
    (0..len)
        .map(|_| Ok(if u.arbitrary()? { b'\t' } else { b' ' }))
        .collect()
}

/// A line of only OWS, or none.
fn blank_line(u: &mut Unstructured<'_>) -> Result<Option<Vec<u8>>> {
    u.arbitrary::<bool>()?.then(|| ows(u)).transpose()
}

/// 0 to [`MAX_EMPTIES`] empty elements, each with OWS around it.
pub fn empties(u: &mut Unstructured<'_>) -> Result<Vec<EmptyElement>> {
    let len = u.int_in_range(0..=MAX_EMPTIES)?;
    (0..len)
        .map(|_| {
            Ok(EmptyElement {
                before: ows(u)?,
                after: ows(u)?,
            })
        })
        .collect()
}

impl<'a> Arbitrary<'a> for Placement {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Placement {
            blank_line_before: blank_line(u)?,
            empties_before: empties(u)?,
            before: ows(u)?,
            after: ows(u)?,
            break_after: u.arbitrary()?,
        })
    }
}

/// `len` placements, then what follows the last element: elements and placements are drawn
/// apart, for lists whose elements come from elsewhere.
pub fn arrangement(u: &mut Unstructured<'_>, len: usize) -> Result<Arrangement> {
    let placements = (0..len)
        .map(|_| Placement::arbitrary(u))
        .collect::<Result<_>>()?;
    trailing(u, placements)
}

/// `len` elements made by `element`, each drawn with its placement, then what follows the last.
pub fn placed(
    u: &mut Unstructured<'_>,
    len: usize,
    element: fn(&mut Unstructured<'_>) -> Result<RefItem>,
) -> Result<(Vec<RefItem>, Arrangement)> {
    let (mut items, mut placements) = (Vec::with_capacity(len), Vec::with_capacity(len));
    for _ in 0..len {
        items.push(element(u)?);
        placements.push(Placement::arbitrary(u)?);
    }
    Ok((items, trailing(u, placements)?))
}

fn trailing(u: &mut Unstructured<'_>, placements: Vec<Placement>) -> Result<Arrangement> {
    Ok(Arrangement {
        placements,
        trailing_empties: empties(u)?,
        trailing_blank_line: blank_line(u)?,
    })
}

/// A list laid out over field lines: the input of the `roundtrip` fuzz target and of the list
/// properties.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListInput {
    /// Which list.
    pub kind: RefKind,
    /// The elements, in order; versions are dropped when a `Connection` list is rendered.
    pub items: Vec<RefItem>,
    /// How the elements are laid out.
    pub arrangement: Arrangement,
}

impl<'a> Arbitrary<'a> for ListInput {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let kind = match u.arbitrary()? {
            true => RefKind::Connection,
            false => RefKind::Upgrade,
        };
        let len = u.int_in_range(0..=MAX_LIST_LEN)?;
        let (items, arrangement) = placed(u, len.into(), protocol)?;
        Ok(ListInput {
            kind,
            items,
            arrangement,
        })
    }
}

impl ListInput {
    /// The field lines and the items they list.
    pub fn render(&self) -> Rendered {
        self.arrangement.render(self.kind, &self.items)
    }
}

/// Bytes that are not part of the grammar but sit near it: delimiters, CR, LF, NUL, DEL,
/// obs-text, the first byte of UTF-8 NBSP, NBSP in Latin-1.
pub const NEAR_MISS_BYTES: &[u8] = b"\";\r\n\x00\x7f\x80\xa0\xc2\xff";

/// A byte biased towards the grammar: mostly `tchar`s, often SP, HTAB, `,` and `/`, sometimes
/// one of [`NEAR_MISS_BYTES`].
pub fn biased_byte(u: &mut Unstructured<'_>) -> Result<u8> {
    Ok(match u.int_in_range(0..=17u8)? {
        0..=7 => *u.choose(TCHARS)?,
        8 | 9 => b' ',
        10 => b'\t',
        11..=13 => b',',
        14 | 15 => b'/',
        _ => *u.choose(NEAR_MISS_BYTES)?,
    })
}

/// 1 to 4 field lines of 0 to 23 [`biased_byte`]s each.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BiasedLines(pub Vec<Vec<u8>>);

impl<'a> Arbitrary<'a> for BiasedLines {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let lines = u.int_in_range(1..=4)?;
        let line = |u: &mut Unstructured<'a>| {
            let len = u.int_in_range(0..=23)?;
            (0..len).map(|_| biased_byte(u)).collect()
        };
        Ok(BiasedLines(
            (0..lines).map(|_| line(u)).collect::<Result<_>>()?,
        ))
    }
}

/// A rendered [`ListInput`] with 1 to 3 bytes replaced by, or inserted as, [`biased_byte`]s:
/// inputs that go wrong late, after a long valid prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MutatedList {
    /// Which list.
    pub kind: RefKind,
    /// The field lines.
    pub lines: Vec<Vec<u8>>,
}

impl<'a> Arbitrary<'a> for MutatedList {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let Rendered {
            kind, mut lines, ..
        } = ListInput::arbitrary(u)?.render();
        if lines.is_empty() {
            lines.push(Vec::new());
        }
        for _ in 0..u.int_in_range(1..=3)? {
            let line = u.choose_index(lines.len())?;
            let byte = biased_byte(u)?;
            let target = &mut lines[line];
            if u.arbitrary()? || target.is_empty() {
                target.insert(u.int_in_range(0..=target.len())?, byte);
            } else {
                let at = u.choose_index(target.len())?;
                target[at] = byte;
            }
        }
        Ok(MutatedList { kind, lines })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ref_is_tchar;

    /// Every list that `seed` decodes to, one after the other.
    fn lists(seed: &[u8]) -> Vec<ListInput> {
        let mut u = Unstructured::new(seed);
        std::iter::from_fn(|| (!u.is_empty()).then(|| ListInput::arbitrary(&mut u).ok())?).collect()
    }

    #[test]
    fn generated_lists_hold_grammar_bytes_and_reach_every_part_of_the_layout() {
        let seed: Vec<u8> = (0..16384u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let lists = lists(&seed);
        let rendered: Vec<Rendered> = lists.iter().map(ListInput::render).collect();
        for r in &rendered {
            let grammar_byte = |b: &u8| ref_is_tchar(*b) || b" \t,/".contains(b);
            assert!(r.lines.iter().flatten().all(grammar_byte), "{r:?}");
            assert!(r.items.iter().all(|item| !item.name.is_empty()));
        }
        let count = |f: fn(&Rendered) -> bool| rendered.iter().filter(|r| f(r)).count();
        assert!(lists.len() > 20, "{}", lists.len());
        assert!(count(|r| r.items.len() > 5) > 5);
        assert!(count(|r| r.empty_elements > 0) > 5);
        assert!(count(|r| r.lines.len() > 2) > 5);
        assert!(count(|r| r.kind == RefKind::Connection) > 5);
    }
}
