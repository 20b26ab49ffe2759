//! The measured functions, by name.

use crate::input::Input;

/// One of the functions measured on every input; its [`name`](Function::name) is its criterion
/// function id and its `icount` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    /// [`ours`](crate::ours): `upgrade_grammar`, validating.
    Ours,
    /// [`naive`](crate::naive): split and trim, no validation.
    Naive,
    /// [`headers`](crate::headers): the `headers` crate, where it applies.
    Headers,
    /// [`floor`](crate::floor): one table lookup per byte.
    Floor,
}

impl Function {
    /// Every function, in the order of the benches' tables.
    pub const ALL: [Function; 4] = [
        Function::Ours,
        Function::Naive,
        Function::Headers,
        Function::Floor,
    ];

    /// The function's name: `ours`, `naive`, `headers` or `floor`.
    pub const fn name(self) -> &'static str {
        match self {
            Function::Ours => "ours",
            Function::Naive => "naive",
            Function::Headers => "headers",
            Function::Floor => "floor",
        }
    }

    /// The function of this name.
    pub fn from_name(name: &str) -> Option<Function> {
        Function::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether the function does `input`'s task (only `headers` leaves some out).
    pub fn applies(self, input: &Input) -> bool {
        match self {
            Function::Headers => crate::typed_headers::applies(input),
            Function::Ours | Function::Naive | Function::Floor => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Answer, floor, headers, naive, ours};

    /// The answer to every input's task, worked out by hand from the input's definition.
    const EXPECTED: [(&str, Answer); 19] = [
        ("websocket", Answer::Listed(true)),
        ("websocket-mixed-case", Answer::Listed(true)),
        ("h2c", Answer::Listed(true)),
        ("upgrade", Answer::Listed(true)),
        ("keep-alive-upgrade", Answer::Listed(true)),
        ("upgrade-http2-settings", Answer::Listed(true)),
        ("keep-alive", Answer::Listed(false)),
        ("close", Answer::Listed(false)),
        ("connection-has-upgrade", Answer::Listed(true)),
        ("upgrade-two-lines", Answer::Listed(true)),
        ("websocket-validated", Answer::Count(1)),
        ("keep-alive-validated", Answer::Count(1)),
        ("rfc9110-list", Answer::Count(4)),
        ("list-20", Answer::Count(20)),
        ("list-1k", Answer::Count(94)),
        ("list-4k", Answer::Count(373)),
        ("list-64k", Answer::Count(5957)),
        ("long-token", Answer::Count(1)),
        ("recipient-worst-case", Answer::Count(64)),
    ];

    #[test]
    fn every_input_has_an_expected_answer_and_no_other() {
        let inputs = Input::all().unwrap();
        let names: Vec<_> = inputs.iter().map(Input::name).collect();
        let expected: Vec<_> = EXPECTED.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn ours_naive_and_headers_give_the_expected_answer_on_every_input() {
        for input in Input::all().unwrap() {
            let (_, expected) = EXPECTED.iter().find(|(n, _)| *n == input.name()).unwrap();
            assert_eq!(ours(&input), *expected, "ours on {}", input.name());
            assert_eq!(naive(&input), *expected, "naive on {}", input.name());
            let peer = headers(&input);
            assert_eq!(peer.is_some(), Function::Headers.applies(&input));
            if let Some(answer) = peer {
                assert_eq!(answer, *expected, "headers on {}", input.name());
            }
        }
    }

    #[test]
    fn headers_answers_the_connection_inputs() {
        let applies: Vec<_> = Input::all()
            .unwrap()
            .into_iter()
            .filter(|i| Function::Headers.applies(i))
            .map(|i| i.name())
            .collect();
        assert_eq!(
            applies,
            [
                "upgrade",
                "keep-alive-upgrade",
                "upgrade-http2-settings",
                "keep-alive",
                "close",
                "connection-has-upgrade"
            ]
        );
    }

    #[test]
    fn floor_counts_every_tchar_byte_of_every_line() {
        for input in Input::all().unwrap() {
            let tchars = input
                .lines()
                .flatten()
                .filter(|&&b| upgrade_grammar::is_tchar(b))
                .count();
            assert_eq!(floor(&input), tchars, "{}", input.name());
        }
        let two_lines = Input::find("connection-has-upgrade").unwrap().unwrap();
        assert_eq!(floor(&two_lines), "keep-aliveUpgrade".len());
    }

    #[test]
    fn peers_agree_on_valid_lists_but_only_ours_validates() {
        // The same task on lines that break the grammar: the peers still answer.
        let input = Input::find("websocket").unwrap().unwrap();
        let broken = input.with_lines([b"websocket;q=1".to_vec()]).unwrap();
        assert_eq!(ours(&broken), Answer::Invalid { line: 0, offset: 9 });
        assert_eq!(naive(&broken), Answer::Listed(false));

        let input = Input::find("connection-has-upgrade").unwrap().unwrap();
        let broken = input
            .with_lines([b"keep-alive".to_vec(), b"close upgrade, Upgrade".to_vec()])
            .unwrap();
        assert_eq!(ours(&broken), Answer::Invalid { line: 1, offset: 6 });
        assert_eq!(naive(&broken), Answer::Listed(true));
        assert_eq!(headers(&broken), Some(Answer::Listed(true)));
    }

    #[test]
    fn names_round_trip() {
        for f in Function::ALL {
            assert_eq!(Function::from_name(f.name()), Some(f));
        }
        assert_eq!(Function::from_name("httparse"), None);
    }
}
