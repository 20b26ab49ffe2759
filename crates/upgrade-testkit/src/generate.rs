//! `arbitrary` inputs for structured fuzz targets: lists over the whole `tchar` set with
//! optional versions, OWS of spaces and tabs, empty elements and several field lines. They are
//! rendered by the same [`render`](crate::render) code as the proptest strategies.

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::reference::{RefItem, RefKind, TCHARS};
use crate::render::{Arrangement, EmptyElement, Placement, Rendered, arrange};

/// The longest token generated.
pub(crate) const MAX_TOKEN_LEN: u8 = 16;
/// The longest OWS run generated.
pub(crate) const MAX_OWS_LEN: u8 = 3;
/// The most empty elements generated in one place.
pub(crate) const MAX_EMPTIES: u8 = 3;

/// A token: 1 to 16 bytes, each one of the 77 `tchar`s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArbToken(pub Vec<u8>);

impl<'a> Arbitrary<'a> for ArbToken {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let len = usize::from(u.int_in_range(1..=MAX_TOKEN_LEN)?);
        let mut bytes = Vec::with_capacity(len);
        for _ in 0..len {
            bytes.push(*u.choose(TCHARS)?);
        }
        Ok(ArbToken(bytes))
    }
}

/// OWS: 0 to 3 bytes, each SP or HTAB.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArbOws(pub Vec<u8>);

impl<'a> Arbitrary<'a> for ArbOws {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let len = usize::from(u.int_in_range(0..=MAX_OWS_LEN)?);
        let mut bytes = Vec::with_capacity(len);
        for _ in 0..len {
            bytes.push(if u.arbitrary()? { b'\t' } else { b' ' });
        }
        Ok(ArbOws(bytes))
    }
}

/// 0 to 3 empty elements, each with OWS around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArbEmpties(pub Vec<(ArbOws, ArbOws)>);

impl<'a> Arbitrary<'a> for ArbEmpties {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let len = usize::from(u.int_in_range(0..=MAX_EMPTIES)?);
        let mut empties = Vec::with_capacity(len);
        for _ in 0..len {
            empties.push((u.arbitrary()?, u.arbitrary()?));
        }
        Ok(ArbEmpties(empties))
    }
}

impl ArbEmpties {
    pub(crate) fn to_empty_elements(&self) -> Vec<EmptyElement> {
        self.0
            .iter()
            .map(|(before, after)| EmptyElement {
                before: before.0.clone(),
                after: after.0.clone(),
            })
            .collect()
    }
}

/// Which list a [`ListInput`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Arbitrary)]
pub enum ArbKind {
    /// An `Upgrade` list.
    Upgrade,
    /// A `Connection` list (versions are dropped when rendering).
    Connection,
}

impl From<ArbKind> for RefKind {
    fn from(kind: ArbKind) -> Self {
        match kind {
            ArbKind::Upgrade => RefKind::Upgrade,
            ArbKind::Connection => RefKind::Connection,
        }
    }
}

/// One element of a [`ListInput`] and how it is placed.
#[derive(Clone, Debug, PartialEq, Eq, Arbitrary)]
pub struct ArbElement {
    /// The protocol name or connection option.
    pub name: ArbToken,
    /// The protocol version (ignored in a `Connection` list).
    pub version: Option<ArbToken>,
    /// A field line of only OWS before the element.
    pub blank_line_before: Option<ArbOws>,
    /// Empty elements before the element, on its line.
    pub empties_before: ArbEmpties,
    /// OWS before the element.
    pub before: ArbOws,
    /// OWS after the element.
    pub after: ArbOws,
    /// Whether the field line ends after the element.
    pub break_after: bool,
}

/// A list laid out over several field lines, for structured fuzz targets.
#[derive(Clone, Debug, PartialEq, Eq, Arbitrary)]
pub struct ListInput {
    /// Which list.
    pub kind: ArbKind,
    /// The elements, in order, with their placement.
    pub elements: Vec<ArbElement>,
    /// Empty elements after the last element, on its line.
    pub trailing_empties: ArbEmpties,
    /// A last field line of only OWS.
    pub trailing_blank_line: Option<ArbOws>,
}

impl ListInput {
    /// The list kind.
    pub fn kind(&self) -> RefKind {
        self.kind.into()
    }

    /// The elements, as the parsers must read them.
    pub fn items(&self) -> Vec<RefItem> {
        self.elements
            .iter()
            .map(|e| RefItem {
                name: e.name.0.clone(),
                version: e.version.as_ref().map(|v| v.0.clone()),
            })
            .collect()
    }

    /// The placement of the elements over field lines.
    pub fn arrangement(&self) -> Arrangement {
        Arrangement {
            placements: self
                .elements
                .iter()
                .map(|e| Placement {
                    blank_line_before: e.blank_line_before.as_ref().map(|o| o.0.clone()),
                    empties_before: e.empties_before.to_empty_elements(),
                    before: e.before.0.clone(),
                    after: e.after.0.clone(),
                    break_after: e.break_after,
                })
                .collect(),
            trailing_empties: self.trailing_empties.to_empty_elements(),
            trailing_blank_line: self.trailing_blank_line.as_ref().map(|o| o.0.clone()),
        }
    }

    /// The field lines and the items they list.
    pub fn render(&self) -> Rendered {
        arrange(self.kind(), &self.items(), &self.arrangement()).render()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference::ref_is_tchar;

    #[test]
    fn generated_inputs_render_grammar_bytes_only_and_roundtrip() {
        let seed: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut u = Unstructured::new(&seed);
        let mut lists = 0;
        while let Ok(input) = ListInput::arbitrary(&mut u) {
            let rendered = input.render();
            for line in &rendered.lines {
                assert!(
                    line.iter()
                        .all(|&b| ref_is_tchar(b) || b" \t,/".contains(&b))
                );
            }
            for item in &rendered.items {
                assert!(!item.name.is_empty());
            }
            crate::checks::check_roundtrip(&input);
            lists += 1;
            if u.is_empty() {
                break;
            }
        }
        assert!(lists > 0);
    }
}
