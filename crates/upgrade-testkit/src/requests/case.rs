//! A request and the server it is sent to, as the generators describe it: the `Upgrade`,
//! `Connection` and `Proxy-Connection` fields are kept as items plus an [`Arrangement`], so that
//! the same request can be written plainly, split over field lines, with empty elements, and
//! with field names in any ASCII case; and [`Exchange`], the request as the checks read it.

use std::collections::HashMap;

use upgrade_grammar::Protocol;
use upgrade_negotiate::{Decision, HttpVersion, ParsedRequest, Policy, RequestHead, negotiate};

use crate::lists::checks::protocol;
use crate::lists::generate::ListInput;
use crate::lists::render::{Arrangement, Noise};
use crate::reference::{RefItem, RefKind};

/// The value of one field of a [`RequestCase`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldValue {
    /// A list (`Upgrade`, `Connection`, `Proxy-Connection`): its items, and the arrangement
    /// that [`ListWriting::Split`] and [`ListWriting::Arranged`] lay them out by.
    List(ListInput),
    /// Any other field: one field line holding these bytes, whatever the writing.
    Text(Vec<u8>),
}

/// One field of a [`RequestCase`]: a name (a token) and its value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseField {
    /// The field name, in its usual spelling ([`RequestCase::write`] may flip letters).
    pub name: String,
    /// The value.
    pub value: FieldValue,
}

impl CaseField {
    /// A list field.
    pub fn list(name: &str, kind: RefKind, items: Vec<RefItem>, arrangement: Arrangement) -> Self {
        let list = ListInput {
            kind,
            items,
            arrangement,
        };
        CaseField {
            name: name.to_string(),
            value: FieldValue::List(list),
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListWriting {
    /// Each list field on one field line, elements joined by bare commas.
    Plain,
    /// Each list field laid out by its arrangement without the empty elements: OWS, line breaks
    /// and lines of only OWS.
    Split,
    /// Each list field laid out by its arrangement, empty elements included.
    Arranged,
}

/// A [`RequestCase`] written as field lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrittenRequest<'c> {
    /// The request and its server.
    pub case: &'c RequestCase,
    /// The field lines, in order: name and value.
    pub lines: Vec<(String, Vec<u8>)>,
}

impl RequestCase {
    /// The field lines of the request, lists written as `lists` says, and the letters of field
    /// names that the bits of `name_case` select flipped (see [`flip_case`]; 0: names as given).
    pub fn write(&self, lists: ListWriting, name_case: u64) -> WrittenRequest<'_> {
        let mut lines = Vec::new();
        for field in &self.fields {
            let mut values = match &field.value {
                FieldValue::Text(value) => vec![value.clone()],
                FieldValue::List(list) => {
                    match lists {
                        ListWriting::Plain => Arrangement::default(),
                        ListWriting::Split => list.arrangement.keep(Noise::SENDER),
                        ListWriting::Arranged => list.arrangement.clone(),
                    }
                    .render(list.kind, &list.items)
                    .lines
                }
            };
            // A field that is present has at least one line, even for an empty list.
            if values.is_empty() {
                values.push(Vec::new());
            }
            for value in values {
                lines.push((flip_case(&field.name, name_case, lines.len()), value));
            }
        }
        WrittenRequest { case: self, lines }
    }

    /// Whether the arranged lists stay within the bounds of the policy's grammar, counted per
    /// field name over all its lines, as the parsers count them. Beyond them, adding an empty
    /// element rightly turns a decision into a rejection. Text fields are not counted: the
    /// generators never put a comma in a text field that shares its name with a list.
    pub fn within_bounds(&self) -> bool {
        let config = self.policy.config();
        let mut totals: HashMap<String, (usize, usize)> = HashMap::new();
        for field in &self.fields {
            if let FieldValue::List(list) = &field.value {
                let rendered = list.render();
                let total = totals.entry(field.name.to_ascii_lowercase()).or_default();
                total.0 += rendered.items.len();
                total.1 += rendered.empty_elements;
            }
        }
        totals.values().all(|&(elements, empties)| {
            elements <= config.max_elements() && empties <= config.max_empty_elements()
        })
    }
}

/// Flips the case of the letters of `name` where the bits of `bits` (rotated by the line's
/// index, so that lines differ) are set.
pub fn flip_case(name: &str, bits: u64, line: usize) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            let shift = ((i + line * 7) % 64) as u32;
            match bits.rotate_left(shift) & 1 == 1 {
                true if c.is_ascii_lowercase() => c.to_ascii_uppercase(),
                true => c.to_ascii_lowercase(),
                false => c,
            }
        })
        .collect()
}

impl WrittenRequest<'_> {
    /// The request for the checks: borrowed lines, and the offers (tokens) as protocols.
    pub fn exchange(&self) -> Exchange<'_> {
        let lines = self.lines.iter().map(|(n, v)| (n.as_str(), v.as_slice()));
        Exchange {
            method: self.case.method.as_bytes(),
            version: self.case.version,
            lines: lines.collect(),
            offers: self.case.offers.iter().map(protocol).collect(),
            policy: self.case.policy,
        }
    }

    /// The request head on the wire (request target `/`), or `None` for HTTP/2 and later,
    /// which has no HTTP/1.x form.
    pub fn to_bytes(&self) -> Option<Vec<u8>> {
        let version = match self.case.version {
            HttpVersion::Http10 => "HTTP/1.0",
            HttpVersion::Http11 => "HTTP/1.1",
            HttpVersion::Http2OrLater => return None,
        };
        let request_line = format!("{} / {version}", self.case.method);
        Some(crate::wire::request_head(&request_line, &self.lines))
    }
}

/// One negotiation as the checks see it: the request (method, version, field lines) and the
/// server it is sent to (offers in its order of preference, policy).
#[derive(Clone, Debug)]
pub struct Exchange<'a> {
    /// The method, as received.
    pub method: &'a [u8],
    /// The HTTP version.
    pub version: HttpVersion,
    /// The field lines, in order.
    pub lines: Vec<(&'a str, &'a [u8])>,
    /// The server's offers, in its order of preference.
    pub offers: Vec<Protocol<'a>>,
    /// The server's policy.
    pub policy: Policy,
}

impl<'a> Exchange<'a> {
    /// A request read by httparse ([`parse_request`](upgrade_negotiate::parse_request)), sent
    /// to a server with `offers` and `policy`.
    pub fn parsed(
        parsed: &ParsedRequest<'_, 'a>,
        offers: Vec<Protocol<'a>>,
        policy: Policy,
    ) -> Self {
        Exchange {
            method: parsed.method().as_bytes(),
            version: parsed.version(),
            lines: parsed.headers().iter().map(|h| (h.name, h.value)).collect(),
            offers,
            policy,
        }
    }

    /// The request, for the negotiator and the client-side check.
    pub fn request(&self) -> RequestHead<'_, [(&'a str, &'a [u8])]> {
        RequestHead::new(self.method, self.version, self.lines.as_slice())
    }

    /// The server's decision.
    pub fn negotiate(&self) -> Decision<'_> {
        negotiate(self.request(), &self.offers, &self.policy)
    }

    /// The same request sent to a server with `policy`.
    pub fn with_policy(&self, policy: Policy) -> Exchange<'a> {
        Exchange {
            policy,
            ..self.clone()
        }
    }

    /// The values of every field line named `name`, ignoring ASCII case.
    pub fn values(&self, name: &str) -> Vec<&'a [u8]> {
        values(self.lines.iter().copied(), name)
    }
}

/// The values of the field lines (name, value) named `name`, ignoring ASCII case.
pub fn values<'a, 'n>(
    lines: impl IntoIterator<Item = (&'n str, &'a [u8])>,
    name: &str,
) -> Vec<&'a [u8]> {
    let named = lines
        .into_iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name));
    named.map(|(_, value)| value).collect()
}

/// The profile (rule 10 of DESIGN.md section 3) that a protocol named like `item` goes through:
/// `websocket` or `h2c`, named ignoring ASCII case; `None` for a generic protocol.
pub fn profile(item: &RefItem) -> Option<&'static str> {
    ["websocket", "h2c"]
        .into_iter()
        .find(|p| item.name.eq_ignore_ascii_case(p.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::render::{EmptyElement, Placement};

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
        let items = vec![RefItem::from_text("foo/2"), RefItem::from_text("websocket")];
        RequestCase {
            method: "GET".into(),
            version: HttpVersion::Http11,
            fields: vec![
                CaseField::text("Host", b"a"),
                CaseField::list("Upgrade", RefKind::Upgrade, items, arrangement),
            ],
            offers: vec![RefItem::from_text("foo/2")],
            policy: Policy::new(),
        }
    }

    #[test]
    fn writes_lists_plain_split_and_arranged_and_the_head_on_the_wire_except_for_http2() {
        let mut case = case();
        let lines = |lists, name_case| {
            let written = case.write(lists, name_case).lines;
            written
                .into_iter()
                .map(|(n, v)| format!("{n}: {}", v.escape_ascii()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            lines(ListWriting::Plain, 0),
            ["Host: a", "Upgrade: foo/2,websocket"]
        );
        let split = ["Host: a", "Upgrade: foo/2", "Upgrade:  websocket"];
        assert_eq!(lines(ListWriting::Split, 0), split);
        let arranged = ["hOST: a", "uPGRADE: foo/2", "uPGRADE: , websocket"];
        assert_eq!(lines(ListWriting::Arranged, u64::MAX), arranged);
        let bytes = case.write(ListWriting::Plain, 0).to_bytes();
        let want = b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: foo/2,websocket\r\n\r\n";
        assert_eq!(bytes.as_deref(), Some(&want[..]));
        case.version = HttpVersion::Http2OrLater;
        assert_eq!(case.write(ListWriting::Plain, 0).to_bytes(), None);
    }

    #[test]
    fn counts_bounds_over_every_line_of_a_field() {
        let mut case = case();
        let config = upgrade_grammar::Config::RECIPIENT.with_max_elements(3);
        case.policy = Policy::new().with_config(config.with_max_empty_elements(1));
        assert!(case.within_bounds());
        case.fields.push(case.fields[1].clone());
        assert!(!case.within_bounds());
    }
}
