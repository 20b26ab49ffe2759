//! Grammar-driven proptest strategies: tokens over all 77 `tchar`s, protocols with and without
//! versions, OWS of spaces and tabs, empty elements, lists spread over several field lines, and
//! arbitrary bytes biased towards the bytes the grammar cares about; [`request`] builds requests
//! and servers for negotiation from them.

pub mod request;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;
use upgrade_grammar::{Config, Grammar};

use crate::reference::{RefItem, RefKind, TCHARS};
use crate::render::{Arrangement, EmptyElement, Layout, Placement, Rendered, arrange};

/// The longest token the strategies generate.
pub const MAX_TOKEN_LEN: usize = 12;
/// The longest list the strategies generate; with at most two empty elements per element this
/// stays within the default bounds of [`Config`].
pub const MAX_LIST_LEN: usize = 12;

/// The default proptest configuration (which takes the case count from `PROPTEST_CASES`), with
/// failures persisted in `regressions_file`: give it an absolute path such as
/// `concat!(env!("CARGO_MANIFEST_DIR"), "/proptest-regressions/properties.txt")`, since the
/// default location cannot be found for integration tests of a workspace member.
pub fn proptest_config(regressions_file: &'static str) -> ProptestConfig {
    ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(regressions_file))),
        ..ProptestConfig::default()
    }
}

/// Either list kind.
pub fn kind() -> impl Strategy<Value = RefKind> {
    prop_oneof![Just(RefKind::Upgrade), Just(RefKind::Connection)]
}

/// Either grammar.
pub fn grammar() -> impl Strategy<Value = Grammar> {
    prop_oneof![Just(Grammar::Sender), Just(Grammar::Recipient)]
}

/// One of the 77 `tchar`s, uniformly.
pub fn tchar() -> impl Strategy<Value = u8> {
    select(TCHARS.to_vec())
}

/// A token: 1 to [`MAX_TOKEN_LEN`] `tchar`s.
pub fn token() -> impl Strategy<Value = Vec<u8>> {
    vec(tchar(), 1..=MAX_TOKEN_LEN)
}

/// OWS: 0 to 3 bytes, each SP or HTAB.
pub fn ows() -> impl Strategy<Value = Vec<u8>> {
    vec(prop_oneof![Just(b' '), Just(b'\t')], 0..=3)
}

/// A protocol: a name with an optional version.
pub fn protocol() -> impl Strategy<Value = RefItem> {
    (token(), proptest::option::of(token())).prop_map(|(name, version)| RefItem { name, version })
}

/// A connection option: a token, no version.
pub fn connection_option() -> impl Strategy<Value = RefItem> {
    token().prop_map(|name| RefItem {
        name,
        version: None,
    })
}

/// An element of a list of `kind`.
pub fn item(kind: RefKind) -> BoxedStrategy<RefItem> {
    match kind {
        RefKind::Upgrade => protocol().boxed(),
        RefKind::Connection => connection_option().boxed(),
    }
}

/// A list of 0 to [`MAX_LIST_LEN`] elements of `kind`.
pub fn list(kind: RefKind) -> impl Strategy<Value = Vec<RefItem>> {
    vec(item(kind), 0..=MAX_LIST_LEN)
}

/// An empty element with OWS around it.
pub fn empty_element() -> impl Strategy<Value = EmptyElement> {
    (ows(), ows()).prop_map(|(before, after)| EmptyElement { before, after })
}

/// Which kinds of noise an [`arrangement`] adds around the elements of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Noise {
    /// SP/HTAB around elements.
    pub ows: bool,
    /// Empty elements between, before and after elements (only the recipient grammar accepts
    /// them).
    pub empty_elements: bool,
    /// Line breaks between elements, and lines of only OWS.
    pub line_breaks: bool,
}

impl Noise {
    /// No noise: the list on one line, elements joined by bare commas.
    pub const NONE: Noise = Noise {
        ows: false,
        empty_elements: false,
        line_breaks: false,
    };
    /// Everything the sender grammar allows: OWS and line breaks.
    pub const SENDER: Noise = Noise {
        ows: true,
        empty_elements: false,
        line_breaks: true,
    };
    /// Everything the recipient grammar allows.
    pub const ALL: Noise = Noise {
        ows: true,
        empty_elements: true,
        line_breaks: true,
    };
}

fn maybe<T: Clone + std::fmt::Debug + 'static>(
    enabled: bool,
    strategy: impl Strategy<Value = T> + 'static,
    off: T,
) -> BoxedStrategy<T> {
    if enabled {
        strategy.boxed()
    } else {
        Just(off).boxed()
    }
}

fn empties(enabled: bool) -> BoxedStrategy<Vec<EmptyElement>> {
    maybe(
        enabled,
        prop_oneof![3 => Just(Vec::new()), 1 => vec(empty_element(), 1..=2)],
        Vec::new(),
    )
}

fn blank_line(enabled: bool, ows_enabled: bool) -> BoxedStrategy<Option<Vec<u8>>> {
    let content = maybe(ows_enabled, ows(), Vec::new());
    maybe(
        enabled,
        prop_oneof![5 => Just(None), 1 => content.prop_map(Some)],
        None,
    )
}

/// How one element is placed under `noise`.
pub fn placement(noise: Noise) -> impl Strategy<Value = Placement> {
    (
        blank_line(noise.line_breaks, noise.ows),
        empties(noise.empty_elements),
        maybe(noise.ows, ows(), Vec::new()),
        maybe(noise.ows, ows(), Vec::new()),
        maybe(noise.line_breaks, proptest::bool::weighted(0.3), false),
    )
        .prop_map(
            |(blank_line_before, empties_before, before, after, break_after)| Placement {
                blank_line_before,
                empties_before,
                before,
                after,
                break_after,
            },
        )
}

/// An arrangement of a list of `len` elements over field lines under `noise`.
pub fn arrangement(len: usize, noise: Noise) -> impl Strategy<Value = Arrangement> {
    (
        vec(placement(noise), len..=len),
        empties(noise.empty_elements),
        blank_line(noise.line_breaks, noise.ows),
    )
        .prop_map(
            |(placements, trailing_empties, trailing_blank_line)| Arrangement {
                placements,
                trailing_empties,
                trailing_blank_line,
            },
        )
}

/// A list of `kind` with one arrangement of it under `noise`.
pub fn arranged_list(
    kind: RefKind,
    noise: Noise,
) -> impl Strategy<Value = (Vec<RefItem>, Arrangement)> {
    list(kind).prop_flat_map(move |items| {
        let len = items.len();
        (Just(items), arrangement(len, noise))
    })
}

/// A list of `kind` laid out under `noise`.
pub fn layout(kind: RefKind, noise: Noise) -> impl Strategy<Value = Layout> {
    arranged_list(kind, noise)
        .prop_map(move |(items, arrangement)| arrange(kind, &items, &arrangement))
}

/// A list of `kind` laid out under `noise` and rendered to field lines.
pub fn rendered(kind: RefKind, noise: Noise) -> impl Strategy<Value = Rendered> {
    layout(kind, noise).prop_map(|layout| layout.render())
}

/// Bytes that are not part of the grammar but sit near it: delimiters, CR, LF, NUL, DEL,
/// obs-text, the first byte of UTF-8 NBSP, NBSP in Latin-1.
pub const NEAR_MISS_BYTES: &[u8] = b"\";\r\n\x00\x7f\x80\xa0\xc2\xff";

/// A byte biased towards the grammar: mostly `tchar`s, often SP, HTAB, `,` and `/`, sometimes
/// one of [`NEAR_MISS_BYTES`].
pub fn biased_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        8 => tchar(),
        2 => Just(b' '),
        1 => Just(b'\t'),
        3 => Just(b','),
        2 => Just(b'/'),
        2 => select(NEAR_MISS_BYTES.to_vec()),
    ]
}

/// 1 to 4 field lines of [`biased_byte`]s.
pub fn biased_lines() -> impl Strategy<Value = Vec<Vec<u8>>> {
    vec(vec(biased_byte(), 0..24), 1..=4)
}

/// 1 to 4 field lines of any bytes.
pub fn any_lines() -> impl Strategy<Value = Vec<Vec<u8>>> {
    vec(vec(any::<u8>(), 0..32), 1..=4)
}

/// Bounds `(max_elements, max_empty_elements)`: the defaults of [`Config`], or small ones (0 to
/// 3 each) so that the bound errors come up often.
pub fn bounds() -> impl Strategy<Value = (usize, usize)> {
    prop_oneof![
        Just((
            Config::DEFAULT_MAX_ELEMENTS,
            Config::DEFAULT_MAX_EMPTY_ELEMENTS
        )),
        (0..4usize, 0..4usize),
    ]
}

/// One edit of a field line: replace the byte at a position, or insert one before it.
#[derive(Clone, Copy, Debug)]
struct Edit {
    line: prop::sample::Index,
    at: prop::sample::Index,
    insert: bool,
    byte: u8,
}

fn edit() -> impl Strategy<Value = Edit> {
    (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        any::<bool>(),
        biased_byte(),
    )
        .prop_map(|(line, at, insert, byte)| Edit {
            line,
            at,
            insert,
            byte,
        })
}

fn apply(lines: &mut Vec<Vec<u8>>, edit: &Edit) {
    if lines.is_empty() {
        lines.push(Vec::new());
    }
    let line = edit.line.index(lines.len());
    let target = &mut lines[line];
    if edit.insert || target.is_empty() {
        let at = edit.at.index(target.len() + 1);
        target.insert(at, edit.byte);
    } else {
        let at = edit.at.index(target.len());
        target[at] = edit.byte;
    }
}

/// A rendered valid list of `kind` with 1 to 3 bytes replaced by, or inserted as,
/// [`biased_byte`]s: inputs that go wrong late, after a long valid prefix.
pub fn mutated_lines(kind: RefKind) -> impl Strategy<Value = Vec<Vec<u8>>> {
    (rendered(kind, Noise::ALL), vec(edit(), 1..=3)).prop_map(|(rendered, edits)| {
        let mut lines = rendered.lines;
        for edit in &edits {
            apply(&mut lines, edit);
        }
        lines
    })
}
