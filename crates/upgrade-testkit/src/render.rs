//! Lays a list out as field line values: OWS around elements, empty elements, line breaks and
//! blank lines. The proptest strategies and the `arbitrary` generators both describe a layout
//! and hand it to [`arrange`] and [`Layout::render`], so every generated input and its expected
//! items come from one renderer.

use crate::reference::{RefItem, RefKind};

/// One element slot of a field line: an element, or nothing for an empty element, with the OWS
/// written before and after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// SP/HTAB written before the element.
    pub before: Vec<u8>,
    /// The element, or `None` for an empty element.
    pub item: Option<RefItem>,
    /// SP/HTAB written after the element.
    pub after: Vec<u8>,
}

/// A list laid out as field lines, each a sequence of slots joined by commas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    /// Which list the items belong to; a `Connection` layout renders names only.
    pub kind: RefKind,
    /// The field lines, in order.
    pub lines: Vec<Vec<Slot>>,
}

/// Field line values and what a recipient must read from them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// Which list the lines hold.
    pub kind: RefKind,
    /// The field line values.
    pub lines: Vec<Vec<u8>>,
    /// The elements the lines list, in order.
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

impl Layout {
    /// Writes the field line values and the items they list.
    pub fn render(&self) -> Rendered {
        let mut rendered = Rendered {
            kind: self.kind,
            lines: Vec::with_capacity(self.lines.len()),
            items: Vec::new(),
            empty_elements: 0,
        };
        for slots in &self.lines {
            let mut line = Vec::new();
            for (i, slot) in slots.iter().enumerate() {
                if i > 0 {
                    line.push(b',');
                }
                line.extend_from_slice(&slot.before);
                match &slot.item {
                    Some(item) => {
                        let item = self.normalize(item);
                        write_item(&mut line, &item);
                        rendered.items.push(item);
                    }
                    // A lone empty slot leaves a line of only OWS: an empty list, which both
                    // grammars accept, rather than an empty element.
                    None if slots.len() > 1 => rendered.empty_elements += 1,
                    None => {}
                }
                line.extend_from_slice(&slot.after);
            }
            rendered.lines.push(line);
        }
        rendered
    }

    fn normalize(&self, item: &RefItem) -> RefItem {
        match self.kind {
            RefKind::Upgrade => item.clone(),
            RefKind::Connection => RefItem {
                name: item.name.clone(),
                version: None,
            },
        }
    }
}

fn write_item(out: &mut Vec<u8>, item: &RefItem) {
    out.extend_from_slice(&item.name);
    if let Some(version) = &item.version {
        out.push(b'/');
        out.extend_from_slice(version);
    }
}

/// The canonical text of a list, `name[/version]` joined by `", "`, as the formatter of
/// `upgrade-grammar` must write it.
pub fn canonical(kind: RefKind, items: &[RefItem]) -> Vec<u8> {
    let layout = Layout {
        kind,
        lines: vec![
            items
                .iter()
                .enumerate()
                .map(|(i, item)| Slot {
                    before: if i > 0 { b" ".to_vec() } else { Vec::new() },
                    item: Some(item.clone()),
                    after: Vec::new(),
                })
                .collect(),
        ],
    };
    layout.render().lines.concat()
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

impl Arrangement {
    /// Whether this arrangement writes empty slots (which become empty elements unless alone on
    /// their line).
    pub fn has_empty_slots(&self) -> bool {
        !self.trailing_empties.is_empty()
            || self.placements.iter().any(|p| !p.empties_before.is_empty())
    }
}

/// Lays `items` out as field lines as `arrangement` says.
pub fn arrange(kind: RefKind, items: &[RefItem], arrangement: &Arrangement) -> Layout {
    let default = Placement::default();
    let mut lines = Vec::new();
    let mut current: Vec<Slot> = Vec::new();
    let empty_slot = |e: &EmptyElement| Slot {
        before: e.before.clone(),
        item: None,
        after: e.after.clone(),
    };
    for (i, item) in items.iter().enumerate() {
        let placement = arrangement.placements.get(i).unwrap_or(&default);
        if let Some(ows) = &placement.blank_line_before {
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            lines.push(vec![Slot {
                before: ows.clone(),
                item: None,
                after: Vec::new(),
            }]);
        }
        current.extend(placement.empties_before.iter().map(empty_slot));
        current.push(Slot {
            before: placement.before.clone(),
            item: Some(item.clone()),
            after: placement.after.clone(),
        });
        if placement.break_after {
            lines.push(std::mem::take(&mut current));
        }
    }
    current.extend(arrangement.trailing_empties.iter().map(empty_slot));
    if !current.is_empty() {
        lines.push(current);
    }
    if let Some(ows) = &arrangement.trailing_blank_line {
        lines.push(vec![Slot {
            before: ows.clone(),
            item: None,
            after: Vec::new(),
        }]);
    }
    Layout { kind, lines }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(names: &[&str]) -> Vec<RefItem> {
        names
            .iter()
            .map(|n| match n.split_once('/') {
                Some((name, version)) => RefItem::new(name.as_bytes(), Some(version.as_bytes())),
                None => RefItem::new(n.as_bytes(), None),
            })
            .collect()
    }

    #[test]
    fn renders_placements_breaks_blank_lines_and_empties() {
        let list = items(&["a", "b/1", "c"]);
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
        let rendered = arrange(RefKind::Upgrade, &list, &arrangement).render();
        let want: Vec<&[u8]> = vec![b"\t", b"a , \t,b/1", b"c, \t", b""];
        assert_eq!(rendered.line_slices(), want);
        assert_eq!(rendered.items, list);
        assert_eq!(rendered.empty_elements, 2);
    }

    #[test]
    fn lone_empty_slot_is_a_blank_line_not_an_empty_element() {
        let arrangement = Arrangement {
            trailing_empties: vec![EmptyElement::default()],
            ..Arrangement::default()
        };
        let rendered = arrange(RefKind::Upgrade, &[], &arrangement).render();
        assert_eq!(rendered.lines, [b""]);
        assert_eq!(rendered.empty_elements, 0);
    }

    #[test]
    fn connection_layout_drops_versions() {
        let rendered = arrange(
            RefKind::Connection,
            &items(&["a/1"]),
            &Arrangement::default(),
        )
        .render();
        assert_eq!(rendered.lines, [b"a"]);
        assert_eq!(rendered.items, items(&["a"]));
    }

    #[test]
    fn canonical_joins_with_comma_space() {
        assert_eq!(
            canonical(RefKind::Upgrade, &items(&["HTTP/2.0", "IRC"])),
            b"HTTP/2.0, IRC"
        );
        assert_eq!(canonical(RefKind::Upgrade, &[]), b"");
    }
}
