//! Properties of the list grammar, over grammar-driven inputs (every `tchar`, OWS of spaces and
//! tabs, empty elements, several field lines) and over arbitrary bytes. The inputs come from the
//! `arbitrary` generators of the fuzz targets, through the byte bridge of
//! `upgrade_testkit::strategy`; the properties are the checks of `upgrade_testkit::lists::checks`,
//! which the fuzz targets run too.
//!
//! The case count comes from `PROPTEST_CASES` (CI raises it); failures are kept in
//! `proptest-regressions/properties.txt` and replayed first.

use proptest::collection::vec;
use proptest::prelude::*;
use upgrade_testkit::lists::checks::{
    check_lines, check_one_grammar, check_rendered, check_round_trip,
};
use upgrade_testkit::lists::generate::{BiasedLines, ListInput, MutatedList};
use upgrade_testkit::lists::render::{Arrangement, Noise};
use upgrade_testkit::strategy::{arbitrary, proptest_config};
use upgrade_testkit::targets::{
    check_differential_input, differential_setup, parse_connection, parse_upgrade,
};

fn slices(lines: &[Vec<u8>]) -> Vec<&[u8]> {
    lines.iter().map(Vec::as_slice).collect()
}

/// `input`'s list laid out plainly and with only the noise `noise` keeps: both list exactly the
/// same items, as [`check_rendered`] holds each of them to.
fn check_noise_changes_nothing(input: &ListInput, noise: Noise) -> Result<(), TestCaseError> {
    let plain = Arrangement::default().render(input.kind, &input.items);
    let noisy = input
        .arrangement
        .keep(noise)
        .render(input.kind, &input.items);
    prop_assert_eq!(&noisy.items, &plain.items);
    if !noise.empty_elements {
        prop_assert_eq!(noisy.empty_elements, 0);
    }
    check_rendered(&plain);
    check_rendered(&noisy);
    Ok(())
}

proptest! {
    #![proptest_config(proptest_config(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/proptest-regressions/properties.txt"
    )))]

    #[test]
    fn roundtrips_generated_lists(input in arbitrary::<ListInput>()) {
        check_round_trip(input.kind, &input.render().items);
    }

    #[test]
    fn roundtrips_generated_layouts(input in arbitrary::<ListInput>()) {
        check_rendered(&input.render());
    }

    #[test]
    fn recipient_accepts_everything_sender_accepts_with_same_items(
        selector in any::<u8>(),
        lines in prop_oneof![
            arbitrary::<BiasedLines>().prop_map(|l| l.0),
            arbitrary::<ListInput>().prop_map(|input| {
                input.arrangement.keep(Noise::SENDER).render(input.kind, &input.items).lines
            }),
        ],
    ) {
        let (kind, config) = differential_setup(selector);
        check_lines(kind, &slices(&lines), config.max_elements(), config.max_empty_elements());
    }

    #[test]
    fn adding_ows_and_empty_elements_changes_nothing_in_recipient_grammar(
        input in arbitrary::<ListInput>(),
    ) {
        let noise = Noise { ows: true, empty_elements: true, line_breaks: false };
        check_noise_changes_nothing(&input, noise)?;
    }

    #[test]
    fn splitting_across_field_lines_changes_nothing(input in arbitrary::<ListInput>()) {
        let noise = Noise { ows: false, empty_elements: false, line_breaks: true };
        check_noise_changes_nothing(&input, noise)?;
    }

    #[test]
    fn fast_parser_agrees_with_reference_on_arbitrary_bytes(
        selector in any::<u8>(),
        lines in arbitrary::<BiasedLines>(),
    ) {
        check_differential_input(selector, &slices(&lines.0));
    }

    #[test]
    fn fast_parser_agrees_with_reference_on_mutated_lists(
        selector in any::<u8>(),
        list in arbitrary::<MutatedList>(),
    ) {
        let (_, config) = differential_setup(selector);
        check_one_grammar(list.kind, &slices(&list.lines), config);
    }

    #[test]
    fn raw_byte_checks_hold_on_biased_bytes(lines in arbitrary::<BiasedLines>()) {
        let joined = lines.0.join(&b'\n');
        parse_upgrade(&joined);
        parse_connection(&joined);
    }

    #[test]
    fn arbitrary_bytes_never_panic(selector in any::<u8>(), data in vec(any::<u8>(), 0..128)) {
        parse_upgrade(&data);
        parse_connection(&data);
        let mut input = vec![selector];
        input.extend_from_slice(&data);
        upgrade_testkit::targets::differential(&input);
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
            parse_upgrade(&input);
            parse_connection(&input);
        }
    }
}
