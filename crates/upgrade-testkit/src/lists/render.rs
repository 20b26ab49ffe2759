//! Lays a list out as field line values: OWS around elements, empty elements, line breaks and
//! lines of only OWS. Every generated list, and every list field of a generated request, is
//! written by [`Arrangement::render`], which also says what a recipient must read from it.

use crate::reference::{RefItem, RefKind};

/// Field line values and what a recipient must read from them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// Which list the lines hold.
    pub kind: RefKind,
    /// The field line values.
    pub lines: Vec<Vec<u8>>,
    /// The elements the lines list, in order (without versions in a `Connection` list).
    pub items: Vec<RefItem>,
    /// How many empty elements the lines hold (a line of only OWS is an empty list, not an
    /// empty element).
    pub empty_elements: usize,
}

impl Rendered {
    /// The lines as borrowed slices, the shape the parsers take.
    pub fn line_slices(&self) -> Vec<&[u8]> {
        self.lines.iter().map(Vec::as_slice).collect()
    }
}

/// An empty element: the OWS on either side of where an element could have been.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmptyElement {
    /// SP/HTAB before.
    pub before: Vec<u8>,
    /// SP/HTAB after.
    pub after: Vec<u8>,
}

/// How one element of a list is placed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placement {
    /// Start a field line of only OWS (these bytes) before the element.
    pub blank_line_before: Option<Vec<u8>>,
    /// Empty elements written before the element, on its line.
    pub empties_before: Vec<EmptyElement>,
    /// SP/HTAB before the element.
    pub before: Vec<u8>,
    /// SP/HTAB after the element.
    pub after: Vec<u8>,
    /// End the field line after the element.
    pub break_after: bool,
}

/// How a list is spread over field lines: one [`Placement`] per element (elements past the end
/// of `placements` use the default: no OWS, same line), then what follows the last element.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Arrangement {
    /// The placement of each element, by index.
    pub placements: Vec<Placement>,
    /// Empty elements after the last element, on its line.
    pub trailing_empties: Vec<EmptyElement>,
    /// A last field line of only OWS (these bytes).
    pub trailing_blank_line: Option<Vec<u8>>,
}

/// Which kinds of noise an arrangement keeps, see [`Arrangement::keep`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Noise {
    /// SP/HTAB around elements and in lines of only OWS.
    pub ows: bool,
    /// Empty elements (only the recipient grammar accepts them).
    pub empty_elements: bool,
    /// Line breaks between elements, and lines of only OWS.
    pub line_breaks: bool,
}

impl Noise {
    /// Everything the sender grammar allows: OWS and line breaks.
    pub const SENDER: Noise = Noise {
        ows: true,
        empty_elements: false,
        line_breaks: true,
    };
}

impl Arrangement {
    /// This arrangement with only the noise that `noise` keeps.
    pub fn keep(&self, noise: Noise) -> Arrangement {
        let ows = |bytes: &Vec<u8>| if noise.ows { bytes.clone() } else { Vec::new() };
        let empties = |empties: &Vec<EmptyElement>| match noise.empty_elements {
            true => empties
                .iter()
                .map(|e| EmptyElement {
                    before: ows(&e.before),
                    after: ows(&e.after),
                })
                .collect(),
            false => Vec::new(),
        };
        let blank = |line: &Option<Vec<u8>>| line.as_ref().filter(|_| noise.line_breaks).map(ows);
        Arrangement {
            placements: self
                .placements
                .iter()
                .map(|p| Placement {
                    blank_line_before: blank(&p.blank_line_before),
                    empties_before: empties(&p.empties_before),
                    before: ows(&p.before),
                    after: ows(&p.after),
                    break_after: p.break_after && noise.line_breaks,
                })
                .collect(),
            trailing_empties: empties(&self.trailing_empties),
            trailing_blank_line: blank(&self.trailing_blank_line),
        }
    }

    /// Writes `items` as a list of `kind` laid out as this arrangement says, and what a
    /// recipient must read from it.
    pub fn render(&self, kind: RefKind, items: &[RefItem]) -> Rendered {
        let mut out = Writer::default();
        let default = Placement::default();
        for (i, item) in items.iter().enumerate() {
            let placement = self.placements.get(i).unwrap_or(&default);
            if let Some(ows) = &placement.blank_line_before {
                out.blank_line(ows);
            }
            placement.empties_before.iter().for_each(|e| out.empty(e));
            out.slot(&placement.before);
            out.line.extend(text(kind, item));
            out.line.extend_from_slice(&placement.after);
            if placement.break_after {
                out.end_line();
            }
        }
        self.trailing_empties.iter().for_each(|e| out.empty(e));
        if out.slots > 0 {
            out.end_line();
        }
        if let Some(ows) = &self.trailing_blank_line {
            out.blank_line(ows);
        }
        let upgrade = kind == RefKind::Upgrade;
        let read = |i: &RefItem| RefItem::new(&i.name, i.version.as_deref().filter(|_| upgrade));
        Rendered {
            kind,
            lines: out.lines,
            items: items.iter().map(read).collect(),
            empty_elements: out.empty_elements,
        }
    }
}

/// Writes slots, separated by commas, into field lines.
#[derive(Default)]
struct Writer {
    /// The lines ended so far.
    lines: Vec<Vec<u8>>,
    /// The empty elements in them.
    empty_elements: usize,
    /// The current line.
    line: Vec<u8>,
    /// How many slots the current line has.
    slots: usize,
    /// How many of those are empty.
    empties: usize,
}

impl Writer {
    fn slot(&mut self, before: &[u8]) {
        if self.slots > 0 {
            self.line.push(b',');
        }
        self.line.extend_from_slice(before);
        self.slots += 1;
    }

    fn empty(&mut self, empty: &EmptyElement) {
        self.slot(&empty.before);
        self.line.extend_from_slice(&empty.after);
        self.empties += 1;
    }

    fn end_line(&mut self) {
        // A lone empty slot leaves a line of only OWS: an empty list, which both grammars
        // accept, rather than an empty element.
        if self.slots > 1 {
            self.empty_elements += self.empties;
        }
        self.lines.push(std::mem::take(&mut self.line));
        (self.slots, self.empties) = (0, 0);
    }

    /// A line of only `ows`, after the current line if it has slots.
    fn blank_line(&mut self, ows: &[u8]) {
        if self.slots > 0 {
            self.end_line();
        }
        self.line.extend_from_slice(ows);
        self.end_line();
    }
}

/// `name[/version]`, without the version in a `Connection` list.
fn text(kind: RefKind, item: &RefItem) -> Vec<u8> {
    match (kind, &item.version) {
        (RefKind::Upgrade, Some(version)) => [&item.name[..], b"/", version].concat(),
        _ => item.name.clone(),
    }
}

/// The canonical text of a list, `name[/version]` joined by `", "` (no versions in a
/// `Connection` list), as the formatter of `upgrade-grammar` must write it.
pub fn canonical(kind: RefKind, items: &[RefItem]) -> Vec<u8> {
    let texts: Vec<Vec<u8>> = items.iter().map(|item| text(kind, item)).collect();
    texts.join(&b", "[..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(names: &[&str]) -> Vec<RefItem> {
        names.iter().map(|n| RefItem::from_text(n)).collect()
    }

    #[test]
    fn renders_placements_breaks_blank_lines_and_empties_and_keeps_the_noise_asked_for() {
        let empty = EmptyElement {
            before: b" ".to_vec(),
            after: b"\t".to_vec(),
        };
        let arrangement = Arrangement {
            placements: vec![
                Placement {
                    blank_line_before: Some(b"\t".to_vec()),
                    after: b" ".to_vec(),
                    ..Placement::default()
                },
                Placement {
                    empties_before: vec![empty.clone()],
                    break_after: true,
                    ..Placement::default()
                },
            ],
            trailing_empties: vec![empty],
            trailing_blank_line: Some(Vec::new()),
        };
        let list = items(&["a", "b/1", "c"]);
        let rendered = arrangement.render(RefKind::Upgrade, &list);
        let want: Vec<&[u8]> = vec![b"\t", b"a , \t,b/1", b"c, \t", b""];
        assert_eq!((rendered.line_slices(), rendered.empty_elements), (want, 2));
        assert_eq!(rendered.items, list);
        let sender = arrangement
            .keep(Noise::SENDER)
            .render(RefKind::Upgrade, &list);
        let want: Vec<&[u8]> = vec![b"\t", b"a ,b/1", b"c", b""];
        assert_eq!((sender.line_slices(), sender.empty_elements), (want, 0));
    }

    #[test]
    fn lone_empty_slot_is_a_blank_line_not_an_empty_element() {
        let arrangement = Arrangement {
            trailing_empties: vec![EmptyElement::default()],
            ..Arrangement::default()
        };
        let rendered = arrangement.render(RefKind::Upgrade, &[]);
        assert_eq!((rendered.lines, rendered.empty_elements), (vec![vec![]], 0));
    }

    #[test]
    fn connection_lists_drop_versions_and_canonical_joins_with_comma_space() {
        let rendered = Arrangement::default().render(RefKind::Connection, &items(&["a/1", "b"]));
        assert_eq!(
            (rendered.lines, rendered.items),
            (vec![b"a,b".to_vec()], items(&["a", "b"]))
        );
        let canonical = |kind| canonical(kind, &items(&["HTTP/2.0", "IRC"]));
        assert_eq!(canonical(RefKind::Upgrade), b"HTTP/2.0, IRC");
        assert_eq!(canonical(RefKind::Connection), b"HTTP, IRC");
    }
}
