//! Properties of the list grammar, over grammar-driven inputs (every `tchar`, OWS of spaces and
//! tabs, empty elements, several field lines) and over arbitrary bytes.
//!
//! The case count comes from `PROPTEST_CASES` (CI raises it); failures are kept in
//! `proptest-regressions/properties.txt` and replayed first.

use proptest::prelude::*;
use upgrade_grammar::Config;
use upgrade_testkit::checks::{
    both_grammars, check_connection_bytes, check_format_parse, check_lines, check_no_panic,
    check_rendered, check_upgrade_bytes, split_lines,
};
use upgrade_testkit::compare::{check_differential, escape_lines, fast_outcome};
use upgrade_testkit::render::arrange;
use upgrade_testkit::strategies::{
    Noise, any_lines, arranged_list, biased_lines, bounds, kind, list, mutated_lines,
    proptest_config, rendered,
};
use upgrade_testkit::{RefItem, RefKind};

fn slices(lines: &[Vec<u8>]) -> Vec<&[u8]> {
    lines.iter().map(Vec::as_slice).collect()
}

fn both_kinds() -> [RefKind; 2] {
    [RefKind::Upgrade, RefKind::Connection]
}

/// The items a valid list must parse to, or a failure naming what came instead.
fn assert_parses_to(
    kind: RefKind,
    lines: &[&[u8]],
    config: Config,
    items: &[RefItem],
) -> Result<(), TestCaseError> {
    let outcome = fast_outcome(kind, lines, config);
    prop_assert_eq!(outcome.error, None, "lines {}", escape_lines(lines));
    prop_assert_eq!(&outcome.items, items, "lines {}", escape_lines(lines));
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/proptest-regressions/properties.txt"
    )))]

    #[test]
    fn roundtrips_generated_lists(
        upgrade in list(RefKind::Upgrade),
        connection in list(RefKind::Connection),
    ) {
        check_format_parse(RefKind::Upgrade, &upgrade);
        check_format_parse(RefKind::Connection, &connection);
    }

    #[test]
    fn roundtrips_generated_layouts(
        upgrade in rendered(RefKind::Upgrade, Noise::ALL),
        connection in rendered(RefKind::Connection, Noise::ALL),
    ) {
        check_rendered(&upgrade);
        check_rendered(&connection);
    }

    #[test]
    fn recipient_accepts_everything_sender_accepts_with_same_items(
        kind in kind(),
        lines in prop_oneof![
            biased_lines(),
            kind().prop_flat_map(|k| rendered(k, Noise::SENDER)).prop_map(|r| r.lines),
        ],
        (max_elements, max_empty) in bounds(),
    ) {
        let lines = slices(&lines);
        let [sender, recipient] = both_grammars(max_elements, max_empty);
        let sender = fast_outcome(kind, &lines, sender);
        let recipient = fast_outcome(kind, &lines, recipient);
        if sender.is_ok() {
            prop_assert_eq!(&recipient, &sender, "lines {}", escape_lines(&lines));
        }
    }

    #[test]
    fn adding_ows_and_empty_elements_changes_nothing_in_recipient_grammar(
        (kind, items, arrangement) in kind().prop_flat_map(|k| {
            arranged_list(k, Noise { ows: true, empty_elements: true, line_breaks: false })
                .prop_map(move |(items, arrangement)| (k, items, arrangement))
        }),
    ) {
        let plain = arrange(kind, &items, &Default::default()).render();
        let noisy = arrange(kind, &items, &arrangement).render();
        assert_parses_to(kind, &plain.line_slices(), Config::RECIPIENT, &items)?;
        assert_parses_to(kind, &noisy.line_slices(), Config::RECIPIENT, &items)?;
    }

    #[test]
    fn splitting_across_field_lines_changes_nothing(
        (kind, items, arrangement) in kind().prop_flat_map(|k| {
            arranged_list(k, Noise { ows: false, empty_elements: false, line_breaks: true })
                .prop_map(move |(items, arrangement)| (k, items, arrangement))
        }),
    ) {
        let one_line = arrange(kind, &items, &Default::default()).render();
        let split = arrange(kind, &items, &arrangement).render();
        prop_assert_eq!(split.empty_elements, 0);
        for config in [Config::SENDER, Config::RECIPIENT] {
            let whole = fast_outcome(kind, &one_line.line_slices(), config);
            let parts = fast_outcome(kind, &split.line_slices(), config);
            prop_assert_eq!(&whole.items, &items);
            prop_assert_eq!(&parts, &whole, "lines {}", escape_lines(&split.lines));
        }
    }

    #[test]
    fn fast_parser_agrees_with_reference_on_arbitrary_bytes(
        lines in biased_lines(),
        (max_elements, max_empty) in bounds(),
    ) {
        let lines = slices(&lines);
        for kind in both_kinds() {
            for config in both_grammars(max_elements, max_empty) {
                check_differential(kind, &lines, config);
            }
        }
    }

    #[test]
    fn fast_parser_agrees_with_reference_on_mutated_lists(
        (kind, lines) in kind().prop_flat_map(|k| mutated_lines(k).prop_map(move |l| (k, l))),
        (max_elements, max_empty) in bounds(),
    ) {
        for config in both_grammars(max_elements, max_empty) {
            check_differential(kind, &slices(&lines), config);
        }
    }

    #[test]
    fn raw_byte_checks_hold_on_biased_bytes(
        lines in biased_lines(),
        (max_elements, max_empty) in bounds(),
    ) {
        let lines = slices(&lines);
        for kind in both_kinds() {
            check_lines(kind, &lines, max_elements, max_empty);
        }
        let joined = lines.join(&b'\n');
        check_upgrade_bytes(&joined);
        check_connection_bytes(&joined);
    }

    #[test]
    fn arbitrary_bytes_never_panic(lines in any_lines(), (max_elements, max_empty) in bounds()) {
        let lines = slices(&lines);
        check_no_panic(&lines);
        for kind in both_kinds() {
            check_lines(kind, &lines, max_elements, max_empty);
        }
    }
}

/// Every input of up to 5 bytes over an alphabet that reaches every error a list can report: a
/// `tchar`, `/`, `,`, SP, HTAB, a quote, and `'\n'`, which separates field lines.
#[test]
fn fast_parser_agrees_with_reference_on_every_short_input() {
    const ALPHABET: &[u8] = b"a/, \t\"\n";
    let base = ALPHABET.len();
    for len in 0..=5u32 {
        for mut number in 0..base.pow(len) {
            let input: Vec<u8> = (0..len)
                .map(|_| {
                    let byte = ALPHABET[number % base];
                    number /= base;
                    byte
                })
                .collect();
            check_upgrade_bytes(&input);
            check_connection_bytes(&input);
            check_no_panic(&split_lines(&input));
        }
    }
}
