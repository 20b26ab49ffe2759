//! A request and the server it is sent to, as the negotiation generators describe it: the
//! `Upgrade`, `Connection` and `Proxy-Connection` fields are kept as items plus an
//! [`Arrangement`], so that the same request can be written plainly, split over field lines, with
//! empty elements, and with field names in any ASCII case. The proptest strategies and the
//! `arbitrary` inputs both build a [`RequestCase`]; the checks of
//! [`negotiation`](crate::negotiation) read what it writes.

use upgrade_grammar::{Protocol, Token};
use upgrade_negotiate::{HttpVersion, Policy};

use crate::negotiation::Exchange;
use crate::reference::{RefItem, RefKind};
use crate::render::{Arrangement, arrange};

/// The value of one field of a [`RequestCase`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    /// A list (`Upgrade`, `Connection`, `Proxy-Connection`): its items, and how they are laid
    /// out over one or more field lines.
    List {
        /// Which list grammar the items follow.
        kind: RefKind,
        /// The elements, in order.
        items: Vec<RefItem>,
        /// How [`ListWriting::Split`] and [`ListWriting::Arranged`] lay the items out.
        arrangement: Arrangement,
    },
    /// Any other field: one field line holding these bytes, whatever the writing.
    Text(Vec<u8>),
}

/// One field of a [`RequestCase`]: a name (a token) and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseField {
    /// The field name, in its usual spelling; [`Writing::name_case`] flips letters.
    pub name: String,
    /// The value.
    pub value: FieldValue,
}

impl CaseField {
    /// A list field.
    pub fn list(name: &str, kind: RefKind, items: Vec<RefItem>, arrangement: Arrangement) -> Self {
        CaseField {
            name: name.to_string(),
            value: FieldValue::List {
                kind,
                items,
                arrangement,
            },
        }
    }

    /// A field of one line holding `value`.
    pub fn text(name: &str, value: &[u8]) -> Self {
        CaseField {
            name: name.to_string(),
            value: FieldValue::Text(value.to_vec()),
        }
    }
}

/// A request (method, version, fields in order) and the server it is sent to (offers in its
/// order of preference, policy).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestCase {
    /// The method.
    pub method: String,
    /// The HTTP version.
    pub version: HttpVersion,
    /// The fields, in order.
    pub fields: Vec<CaseField>,
    /// The server's offers, in its order of preference; every name and version is a token.
    pub offers: Vec<RefItem>,
    /// The server's policy.
    pub policy: Policy,
}

/// How the lists of a [`RequestCase`] are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ListWriting {
    /// Each list field on one field line, elements joined by bare commas.
    #[default]
    Plain,
    /// Each list field laid out by its arrangement without the empty elements: OWS, line breaks
    /// and lines of only OWS.
    Split,
    /// Each list field laid out by its arrangement, empty elements included.
    Arranged,
}

/// How a [`RequestCase`] is written as field lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Writing {
    /// The layout of the lists.
    pub lists: ListWriting,
    /// Bits that flip the ASCII case of the letters of field names (0: names as given).
    pub name_case: u64,
}

impl Writing {
    /// Lists on one line each, names as given.
    pub const PLAIN: Writing = Writing {
        lists: ListWriting::Plain,
        name_case: 0,
    };
}

/// A [`RequestCase`] written as field lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenRequest {
    /// The method.
    pub method: String,
    /// The HTTP version.
    pub version: HttpVersion,
    /// The field lines, in order: name and value.
    pub lines: Vec<(String, Vec<u8>)>,
    /// The server's offers.
    pub offers: Vec<RefItem>,
    /// The server's policy.
    pub policy: Policy,
}

impl RequestCase {
    /// The field lines of the request, written as `writing` says.
    pub fn write(&self, writing: Writing) -> WrittenRequest {
        let mut lines = Vec::new();
        for field in &self.fields {
            match &field.value {
                FieldValue::Text(value) => lines.push((field.name.clone(), value.clone())),
                FieldValue::List {
                    kind,
                    items,
                    arrangement,
                } => {
                    for value in list_lines(*kind, items, arrangement, writing.lists) {
                        lines.push((field.name.clone(), value));
                    }
                }
            }
        }
        let lines = lines
            .into_iter()
            .enumerate()
            .map(|(i, (name, value))| (flip_case(&name, writing.name_case, i), value))
            .collect();
        WrittenRequest {
            method: self.method.clone(),
            version: self.version,
            lines,
            offers: self.offers.clone(),
            policy: self.policy,
        }
    }

    /// Whether the arranged lists stay within the bounds of the policy's grammar, counted per
    /// field name over all its lines, as the parsers count them. Beyond them, adding an empty
    /// element rightly turns a decision into a rejection. Text fields are not counted: the
    /// generators never put a comma in a text field that shares its name with a list.
    pub fn within_bounds(&self) -> bool {
        let config = self.policy.config();
        let mut totals: Vec<(String, usize, usize)> = Vec::new();
        for field in &self.fields {
            let FieldValue::List {
                kind,
                items,
                arrangement,
            } = &field.value
            else {
                continue;
            };
            let rendered = arrange(*kind, items, arrangement).render();
            let name = field.name.to_ascii_lowercase();
            match totals.iter_mut().find(|(n, ..)| *n == name) {
                Some((_, elements, empties)) => {
                    *elements += rendered.items.len();
                    *empties += rendered.empty_elements;
                }
                None => totals.push((name, rendered.items.len(), rendered.empty_elements)),
            }
        }
        totals.iter().all(|(_, elements, empties)| {
            *elements <= config.max_elements() && *empties <= config.max_empty_elements()
        })
    }
}

fn list_lines(
    kind: RefKind,
    items: &[RefItem],
    arrangement: &Arrangement,
    writing: ListWriting,
) -> Vec<Vec<u8>> {
    let mut lines = match writing {
        ListWriting::Plain => arrange(kind, items, &Arrangement::default()).render().lines,
        ListWriting::Split => {
            arrange(kind, items, &without_empty_elements(arrangement))
                .render()
                .lines
        }
        ListWriting::Arranged => arrange(kind, items, arrangement).render().lines,
    };
    // A field that is present has at least one line, even for an empty list.
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    lines
}

/// `arrangement` with every empty element taken out, OWS and line breaks kept.
pub fn without_empty_elements(arrangement: &Arrangement) -> Arrangement {
    let mut stripped = arrangement.clone();
    for placement in &mut stripped.placements {
        placement.empties_before.clear();
    }
    stripped.trailing_empties.clear();
    stripped
}

/// Flips the case of the letters of `name` where the bits of `bits` (rotated by the line's
/// index, so that lines differ) are set.
pub fn flip_case(name: &str, bits: u64, line: usize) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            let shift = ((i + line * 7) % 64) as u32;
            if bits.rotate_left(shift) & 1 == 1 {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

impl WrittenRequest {
    /// The request for the checks: borrowed lines and the offers as protocols.
    ///
    /// # Panics
    ///
    /// When an offer is not made of tokens.
    pub fn exchange(&self) -> Exchange<'_> {
        Exchange {
            method: self.method.as_bytes(),
            version: self.version,
            lines: self
                .lines
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_slice()))
                .collect(),
            offers: protocols(&self.offers),
            policy: self.policy,
        }
    }

    /// The request head on the wire (request target `/`), or `None` for HTTP/2 and later,
    /// which has no HTTP/1.x form.
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        let version = match self.version {
            HttpVersion::Http10 => "HTTP/1.0",
            HttpVersion::Http11 => "HTTP/1.1",
            HttpVersion::Http2OrLater => return None,
        };
        let mut out = format!("{} / {version}\r\n", self.method).into_bytes();
        for (name, value) in &self.lines {
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b": ");
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        Some(out)
    }
}

/// `items` as protocols borrowing them.
///
/// # Panics
///
/// When an item is not made of tokens.
pub fn protocols(items: &[RefItem]) -> Vec<Protocol<'_>> {
    fn token(bytes: &[u8]) -> Token<'_> {
        Token::parse(bytes).unwrap_or_else(|e| {
            panic!(
                "an offer is not a token: b\"{}\": {e}",
                bytes.escape_ascii()
            )
        })
    }
    items
        .iter()
        .map(|item| Protocol::new(token(&item.name), item.version.as_deref().map(token)))
        .collect()
}

/// A protocol or option from its text: `name` or `name/version`.
pub fn item(text: &str) -> RefItem {
    match text.split_once('/') {
        Some((name, version)) => RefItem::new(name.as_bytes(), Some(version.as_bytes())),
        None => RefItem::new(text.as_bytes(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{EmptyElement, Placement};

    fn case() -> RequestCase {
        let arrangement = Arrangement {
            placements: vec![
                Placement {
                    break_after: true,
                    ..Placement::default()
                },
                Placement {
                    empties_before: vec![EmptyElement::default()],
                    before: b" ".to_vec(),
                    ..Placement::default()
                },
            ],
            ..Arrangement::default()
        };
        RequestCase {
            method: "GET".into(),
            version: HttpVersion::Http11,
            fields: vec![
                CaseField::text("Host", b"a"),
                CaseField::list(
                    "Upgrade",
                    RefKind::Upgrade,
                    vec![item("foo/2"), item("websocket")],
                    arrangement,
                ),
            ],
            offers: vec![item("foo/2")],
            policy: Policy::new(),
        }
    }

    fn lines(written: &WrittenRequest) -> Vec<(&str, &[u8])> {
        written
            .lines
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect()
    }

    #[test]
    fn writes_lists_plain_split_and_arranged() {
        let case = case();
        let plain = case.write(Writing::PLAIN);
        assert_eq!(
            lines(&plain),
            [("Host", &b"a"[..]), ("Upgrade", b"foo/2,websocket")]
        );
        let split = case.write(Writing {
            lists: ListWriting::Split,
            name_case: 0,
        });
        assert_eq!(
            lines(&split),
            [
                ("Host", &b"a"[..]),
                ("Upgrade", b"foo/2"),
                ("Upgrade", b" websocket")
            ]
        );
        let arranged = case.write(Writing {
            lists: ListWriting::Arranged,
            name_case: u64::MAX,
        });
        assert_eq!(
            lines(&arranged),
            [
                ("hOST", &b"a"[..]),
                ("uPGRADE", b"foo/2"),
                ("uPGRADE", b", websocket")
            ]
        );
        assert!(case.within_bounds());
    }

    #[test]
    fn writes_the_head_on_the_wire_except_for_http2() {
        let mut case = case();
        let bytes = case.write(Writing::PLAIN).to_bytes().unwrap();
        assert_eq!(
            bytes,
            b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: foo/2,websocket\r\n\r\n"
        );
        case.version = HttpVersion::Http2OrLater;
        assert_eq!(case.write(Writing::PLAIN).to_bytes(), None);
    }

    #[test]
    fn counts_bounds_over_every_line_of_a_field() {
        let mut case = case();
        case.policy = Policy::new().with_config(
            upgrade_grammar::Config::RECIPIENT
                .with_max_elements(3)
                .with_max_empty_elements(1),
        );
        assert!(case.within_bounds());
        case.fields.push(case.fields[1].clone());
        assert!(!case.within_bounds());
    }
}
