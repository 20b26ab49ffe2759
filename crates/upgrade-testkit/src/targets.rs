//! The check behind every fuzz target, by name: the fuzz targets call these, and the corpus
//! replay of `cargo test` calls them on every committed corpus file, so that both exercise the
//! same code with the same decoding of the input bytes.

use arbitrary::{Arbitrary, Unstructured};
use upgrade_grammar::{Config, Grammar};

use crate::checks::{check_connection_bytes, check_upgrade_bytes};
use crate::client_check::check_response_bytes;
use crate::generate_request::RequestInput;
use crate::lines::{lines, split_lines_into};
use crate::negotiation::{check_case, check_request_bytes};
use crate::raw::{MAX_SPLIT_LINES, check_differential_lines};
use crate::reference::RefKind;
use crate::roundtrip::check_roundtrip_bytes;

/// A fuzz target: its name (the `[[bin]]` name in `fuzz/Cargo.toml` and the folder under
/// `corpora/`) and its check.
pub struct Target {
    /// The target's name.
    pub name: &'static str,
    /// Runs every check of the target on one input; panics when a property does not hold.
    pub check: fn(&[u8]),
}

/// Every fuzz target.
pub const TARGETS: &[Target] = &[
    Target {
        name: "parse_upgrade",
        check: parse_upgrade,
    },
    Target {
        name: "parse_connection",
        check: parse_connection,
    },
    Target {
        name: "roundtrip",
        check: roundtrip,
    },
    Target {
        name: "differential",
        check: differential,
    },
    Target {
        name: "negotiate",
        check: negotiate,
    },
    Target {
        name: "negotiate_raw",
        check: negotiate_raw,
    },
    Target {
        name: "response",
        check: response,
    },
];

/// The target called `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// `parse_upgrade`: raw bytes as `Upgrade` field lines, see [`check_upgrade_bytes`].
pub fn parse_upgrade(data: &[u8]) {
    check_upgrade_bytes(data);
}

/// `parse_connection`: raw bytes as `Connection` field lines, see [`check_connection_bytes`].
pub fn parse_connection(data: &[u8]) {
    check_connection_bytes(data);
}

/// `roundtrip`: bytes decoded as `arbitrary` decodes a
/// [`ListInput`](crate::generate::ListInput), straight into buffers reused between inputs, and
/// put through parsing and formatting without allocating; see [`check_roundtrip_bytes`] and
/// [`RenderedList::check`](crate::roundtrip::RenderedList::check).
pub fn roundtrip(data: &[u8]) {
    check_roundtrip_bytes(data);
}

/// `differential`: the first byte picks the list, the grammar and the bounds; the rest is field
/// lines split at `'\n'`, given to both `upgrade-grammar` and the reference parser.
///
/// Selector bits: 0 the list (`Upgrade`/`Connection`), 1 the grammar (recipient/sender), 2-4
/// the bound on elements (0-6, or 7 for the default), 5-7 the bound on empty elements (the same).
pub fn differential(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let (kind, config) = differential_setup(selector);
    // Split once when the lines fit in the array, so that both parsers read the same slices.
    let mut store: [&[u8]; MAX_SPLIT_LINES] = [&[]; MAX_SPLIT_LINES];
    match split_lines_into(rest, &mut store) {
        Some(count) => check_differential_lines(kind, store[..count].iter().copied(), config),
        None => check_differential_lines(kind, lines(rest), config),
    }
}

/// The list and configuration a `differential` selector byte stands for.
pub fn differential_setup(selector: u8) -> (RefKind, Config) {
    let kind = if selector & 1 == 0 {
        RefKind::Upgrade
    } else {
        RefKind::Connection
    };
    let grammar = if selector & 2 == 0 {
        Grammar::Recipient
    } else {
        Grammar::Sender
    };
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
/// server), see [`check_case`]. Bytes that do not decode are skipped.
pub fn negotiate(data: &[u8]) {
    if let Ok(input) = RequestInput::arbitrary_take_rest(Unstructured::new(data)) {
        check_case(&input.case, input.name_case);
    }
}

/// `negotiate_raw`: raw bytes as a request through httparse into the negotiator, see
/// [`check_request_bytes`].
pub fn negotiate_raw(data: &[u8]) {
    check_request_bytes(data);
}

/// `response`: a raw request head followed by the raw response to it, see
/// [`check_response_bytes`].
pub fn response(data: &[u8]) {
    check_response_bytes(data);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selector_reaches_every_list_grammar_and_default_bounds() {
        let (kind, config) = differential_setup(0xff);
        assert_eq!(kind, RefKind::Connection);
        assert_eq!(config.grammar(), Grammar::Sender);
        assert_eq!(config.max_elements(), Config::DEFAULT_MAX_ELEMENTS);
        assert_eq!(
            config.max_empty_elements(),
            Config::DEFAULT_MAX_EMPTY_ELEMENTS
        );
        let (kind, config) = differential_setup(0b0110_1000);
        assert_eq!(kind, RefKind::Upgrade);
        assert_eq!(config.grammar(), Grammar::Recipient);
        assert_eq!((config.max_elements(), config.max_empty_elements()), (2, 3));
    }

    #[test]
    fn target_names_are_unique() {
        for (i, a) in TARGETS.iter().enumerate() {
            assert!(TARGETS[i + 1..].iter().all(|b| b.name != a.name));
            assert!(target(a.name).is_some());
        }
    }
}
