//! The check behind every fuzz target, by name: the fuzz targets call these, and the corpus
//! replay of `cargo test` calls them on every committed corpus file, so that both exercise the
//! same code with the same decoding of the input bytes.

use arbitrary::{Arbitrary, Unstructured};
use upgrade_grammar::{Config, Grammar};

use crate::lists::checks::{
    check_block_classes, check_lines, check_one_grammar, check_rendered, split_lines,
};
use crate::lists::generate::ListInput;
use crate::reference::RefKind;
#[cfg(feature = "negotiate")]
use crate::requests::checks::{check_case, check_request_bytes};
#[cfg(feature = "negotiate")]
use crate::requests::generate::RequestInput;
#[cfg(feature = "negotiate")]
use crate::requests::response::check_response_bytes;

/// A fuzz target: its name (the `[[bin]]` name in `fuzz/Cargo.toml` and the folder under
/// `corpora/`) and its check.
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// Runs every check of the target on one input; panics when a property does not hold.
    pub check: fn(&[u8]),
}

impl Target {
    /// The target `name`, whose check is `check`.
    pub const fn new(name: &'static str, check: fn(&[u8])) -> Self {
        Target { name, check }
    }
}

/// Every fuzz target.
pub const TARGETS: &[Target] = &[
    Target::new("parse_upgrade", parse_upgrade),
    Target::new("parse_connection", parse_connection),
    Target::new("roundtrip", roundtrip),
    Target::new("differential", differential),
    #[cfg(feature = "negotiate")]
    Target::new("negotiate", negotiate),
    #[cfg(feature = "negotiate")]
    Target::new("negotiate_raw", negotiate_raw),
    #[cfg(feature = "negotiate")]
    Target::new("response", response),
    Target::new("block_classes", block_classes),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// `parse_upgrade`: raw bytes as `Upgrade` field lines split at `'\n'`, see [`check_lines`]
/// (with the default bounds).
pub fn parse_upgrade(data: &[u8]) {
    raw_lines(RefKind::Upgrade, data);
}

/// `parse_connection`: raw bytes as `Connection` field lines split at `'\n'`, see
/// [`check_lines`] (with the default bounds).
pub fn parse_connection(data: &[u8]) {
    raw_lines(RefKind::Connection, data);
}

fn raw_lines(kind: RefKind, data: &[u8]) {
    let (elements, empties) = (
        Config::DEFAULT_MAX_ELEMENTS,
        Config::DEFAULT_MAX_EMPTY_ELEMENTS,
    );
    check_lines(kind, &split_lines(data), elements, empties);
}

/// `roundtrip`: bytes decoded by `arbitrary` into a [`ListInput`], rendered, and checked by
/// [`check_rendered`].
pub fn roundtrip(data: &[u8]) {
    if let Ok(input) = ListInput::arbitrary_take_rest(Unstructured::new(data)) {
        check_rendered(&input.render());
    }
}

/// `differential`: the first byte picks the list, the grammar and the bounds
/// ([`differential_setup`]); the rest is field lines split at `'\n'`; see
/// [`check_differential_input`].
pub fn differential(data: &[u8]) {
    if let Some((&selector, rest)) = data.split_first() {
        check_differential_input(selector, &split_lines(rest));
    }
}

/// [`check_one_grammar`] (agreement with the reference parser first) on `lines` under the list
/// and configuration `selector` stands for.
pub fn check_differential_input(selector: u8, lines: &[&[u8]]) {
    let (kind, config) = differential_setup(selector);
    check_one_grammar(kind, lines, config);
}

/// The list and configuration a `differential` selector byte stands for.
pub fn differential_setup(selector: u8) -> (RefKind, Config) {
    let kind = [RefKind::Upgrade, RefKind::Connection][usize::from(selector & 1)];
    let grammar = [Grammar::Recipient, Grammar::Sender][usize::from(selector >> 1 & 1)];
    let bound = |bits: u8, default: usize| match bits & 7 {
        7 => default,
        n => usize::from(n),
    };
    let config = Config::from(grammar)
        .with_max_elements(bound(selector >> 2, Config::DEFAULT_MAX_ELEMENTS))
        .with_max_empty_elements(bound(selector >> 5, Config::DEFAULT_MAX_EMPTY_ELEMENTS));
    (kind, config)
}

/// `negotiate`: bytes decoded by `arbitrary` into a [`RequestInput`] (a request with its
/// server), see [`check_case`].
#[cfg(feature = "negotiate")]
pub fn negotiate(data: &[u8]) {
    if let Ok(input) = RequestInput::arbitrary_take_rest(Unstructured::new(data)) {
        check_case(&input.case, input.name_case);
    }
}

/// `negotiate_raw`: raw bytes as a request through httparse into the negotiator, see
/// [`check_request_bytes`].
#[cfg(feature = "negotiate")]
pub fn negotiate_raw(data: &[u8]) {
    check_request_bytes(data);
}

/// `response`: a raw request head followed by the raw response to it, see
/// [`check_response_bytes`].
#[cfg(feature = "negotiate")]
pub fn response(data: &[u8]) {
    check_response_bytes(data);
}

/// `block_classes`: raw bytes, every 16 of them classified both ways, see
/// [`check_block_classes`].
pub fn block_classes(data: &[u8]) {
    check_block_classes(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_reaches_every_list_grammar_and_default_bounds() {
        let setup = |selector| {
            let (kind, c) = differential_setup(selector);
            (kind, c.grammar(), c.max_elements(), c.max_empty_elements())
        };
        let (elements, empties) = (
            Config::DEFAULT_MAX_ELEMENTS,
            Config::DEFAULT_MAX_EMPTY_ELEMENTS,
        );
        assert_eq!(
            setup(0xff),
            (RefKind::Connection, Grammar::Sender, elements, empties)
        );
        assert_eq!(
            setup(0b0110_1000),
            (RefKind::Upgrade, Grammar::Recipient, 2, 3)
        );
    }

    #[test]
    fn target_names_are_unique() {
        for (i, a) in TARGETS.iter().enumerate() {
            assert!(TARGETS[i + 1..].iter().all(|b| b.name != a.name));
            assert!(target(a.name).is_some());
        }
    }
}
