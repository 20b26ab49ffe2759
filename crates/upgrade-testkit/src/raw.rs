//! The checks of the raw-byte fuzz targets, written for speed: three walks of the parser per
//! input and no allocation once warm (the recipient's items are kept in a stack array, which the
//! bound on elements sizes), so a fuzzer spends its time in the parser. Comparing with the
//! reference parser is the differential target's business.

use std::cell::{Cell, RefCell};
use std::fmt::{self, Write as _};
use std::sync::OnceLock;

use upgrade_grammar::{
    Config, Error, ErrorKind, Protocol, Token, parse_connection, parse_upgrade, write_connection,
    write_upgrade,
};

use crate::alloc::{Matcher, StackWriter, write_decimal};
use crate::compare::{check_differential, escape_lines};
use crate::reference::{RefKind, reference_walk};

/// One parsed element: the name (or option) and the version.
type Item<'a> = (Token<'a>, Option<Token<'a>>);

/// Either list's iterator, yielding [`Item`]s.
enum Items<'a, I> {
    Upgrade(upgrade_grammar::Protocols<'a, I>),
    Connection(upgrade_grammar::ConnectionOptions<'a, I>),
}

impl<'a, I: Iterator<Item = &'a [u8]>> Iterator for Items<'a, I> {
    type Item = Result<Item<'a>, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Items::Upgrade(p) => p.next().map(|r| r.map(|p| (p.name(), p.version()))),
            Items::Connection(o) => o.next().map(|r| r.map(|t| (t, None))),
        }
    }
}

fn items<'a, I>(kind: RefKind, lines: I, config: Config) -> Items<'a, I::IntoIter>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    match kind {
        RefKind::Upgrade => Items::Upgrade(parse_upgrade(lines, config)),
        RefKind::Connection => Items::Connection(parse_connection(lines, config)),
    }
}

/// The largest bound on elements [`check_raw`] runs with: the size of its item array.
const MAX_ITEMS: usize = Config::DEFAULT_MAX_ELEMENTS;

/// The items of one walk, up to the first error.
struct Walk<'a> {
    items: [Option<Item<'a>>; MAX_ITEMS],
    len: usize,
    error: Option<Error>,
}

impl<'a> Walk<'a> {
    fn new() -> Self {
        Walk {
            items: [None; MAX_ITEMS],
            len: 0,
            error: None,
        }
    }

    fn items(&self) -> impl Iterator<Item = Item<'a>> + '_ {
        self.items.iter().take(self.len).flatten().copied()
    }
}

/// Walks the whole list, keeping the items (up to [`MAX_ITEMS`]) and the first error; `None`
/// when there are more items than that.
fn walk<'a, I>(kind: RefKind, lines: I, config: Config) -> Option<Walk<'a>>
where
    I: IntoIterator<Item = &'a [u8]>,
{
    let mut walk = Walk::new();
    for item in items(kind, lines, config) {
        match item {
            Ok(item) => {
                *walk.items.get_mut(walk.len)? = Some(item);
                walk.len += 1;
            }
            Err(e) => walk.error = Some(e),
        }
    }
    Some(walk)
}

/// The differential check ([`check_differential`]) without allocating: the parser's items are
/// kept in a stack array and the reference parser's are compared with them as it emits them.
/// Bounds over `MAX_ITEMS` elements fall back to the collecting check.
///
/// # Panics
///
/// When the two parsers differ, with both outcomes and the escaped input in the message.
pub fn check_differential_lines<'a, I>(kind: RefKind, lines: I, config: Config)
where
    I: IntoIterator<Item = &'a [u8]> + Clone,
{
    let slow = || {
        let lines: Vec<&[u8]> = lines.clone().into_iter().collect();
        check_differential(kind, &lines, config);
        panic!(
            "upgrade-grammar disagrees with the reference parser (lockstep check)\n  kind:   {kind:?}\n  config: {config:?}\n  input:  {}",
            escape_lines(&lines)
        );
    };
    if config.max_elements() > MAX_ITEMS {
        let lines: Vec<&[u8]> = lines.clone().into_iter().collect();
        return check_differential(kind, &lines, config);
    }
    let Some(fast) = walk(kind, lines.clone(), config) else {
        return slow();
    };
    let mut expected = fast.items();
    let mut same = true;
    let reference_error = reference_walk(kind, lines.clone(), config, |name, version| {
        same &= expected
            .next()
            .is_some_and(|(n, v)| n.as_bytes() == name && v.map(|v| v.as_bytes()) == version);
    });
    if let Some(problem) = fast.error.as_ref().and_then(check_error_text) {
        let lines: Vec<&[u8]> = lines.clone().into_iter().collect();
        panic!("{problem}\n  input: {}", escape_lines(&lines));
    }
    let fast_error = fast.error.map(|e| (e.kind(), e.line(), e.offset()));
    if !same || expected.next().is_some() || fast_error != reference_error {
        slow();
    }
}

/// The text of an error is exactly `<kind> at line L, byte O`: it names the fault and its
/// position and never echoes input bytes, and its kind has a kebab-case code. `None` when it
/// is, the problem otherwise.
///
/// Runs on every error the fuzzer finds. An error holds its kind, line and offset and nothing
/// else, so its text is a function of those three: an error equal to one already found right
/// is not rendered again (a small cache, by position, remembers recent ones). Otherwise the
/// expected text is put together without the formatting machinery and compared as the error
/// writes it, with nothing allocated.
pub fn check_error_text(error: &Error) -> Option<String> {
    CHECKED_ERRORS.with(|checked| {
        let at = error.line().wrapping_mul(131).wrapping_add(error.offset()) % checked.len();
        let slot = checked.get(at);
        if slot.is_some_and(|slot| slot.get() == Some(*error)) {
            return None;
        }
        let problem = render_error_text(error);
        if let (None, Some(slot)) = (&problem, slot) {
            slot.set(Some(*error));
        }
        problem
    })
}

/// [`check_error_text`] without the cache.
fn render_error_text(error: &Error) -> Option<String> {
    let prefix = match kind_prefix(error.kind()) {
        Ok(prefix) => prefix,
        Err(problem) => return Some(problem),
    };
    let mut want = StackWriter::<128>::new();
    let written = want.write_str(prefix).is_ok()
        && write_decimal(&mut want, error.line()).is_ok()
        && want.write_str(", byte ").is_ok()
        && write_decimal(&mut want, error.offset()).is_ok();
    let mut text = Matcher::new(want.as_str().as_bytes());
    if written && write!(text, "{error}").is_ok() && text.matched() {
        return None;
    }
    Some(format!(
        "error text is not `<kind> at line L, byte O`: {:?}, want {:?}",
        error.to_string(),
        want.as_str()
    ))
}

/// `"<kind> at line "` for `kind`, or what is wrong with the kind: its text is not ASCII, its
/// code is not kebab-case, or it is missing from [`ErrorKind::ALL`]. Worked out once per kind.
fn kind_prefix(kind: ErrorKind) -> Result<&'static str, String> {
    static PREFIXES: OnceLock<Vec<(ErrorKind, Result<String, String>)>> = OnceLock::new();
    let prefixes = PREFIXES.get_or_init(|| {
        ErrorKind::ALL
            .iter()
            .map(|&kind| {
                let text = kind.to_string();
                let code_ok = kind
                    .code()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-');
                let prefix = if !code_ok {
                    Err(format!("error code is not kebab-case: {:?}", kind.code()))
                } else if !text.is_ascii() || text.is_empty() {
                    Err(format!("error kind text is not plain ASCII: {text:?}"))
                } else {
                    Ok(format!("{text} at line "))
                };
                (kind, prefix)
            })
            .collect()
    });
    match prefixes.iter().find(|(k, _)| *k == kind) {
        Some((_, Ok(prefix))) => Ok(prefix),
        Some((_, Err(problem))) => Err(problem.clone()),
        None => Err(format!(
            "error kind {kind:?} is missing from ErrorKind::ALL"
        )),
    }
}

/// Every item is made of valid tokens that show their text, and its text parses back to an
/// equal protocol; `None` when it does, the problem otherwise.
pub fn check_item(kind: RefKind, name: Token<'_>, version: Option<Token<'_>>) -> Option<String> {
    let (mut spaced, mut text) = (Vec::new(), String::new());
    (!item_holds(kind, name, version, &mut spaced, &mut text)).then(|| {
        format!(
            "an item does not revalidate: {:?}",
            Protocol::new(name, version)
        )
    })
}

thread_local! {
    /// Errors whose text [`check_error_text`] found right, each in the slot its position picks.
    static CHECKED_ERRORS: [Cell<Option<Error>>; 256] =
        const { [const { Cell::new(None) }; 256] };

    /// The buffer formatted lists are written to, kept between calls.
    static FORMATTED: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The most field lines an input is split into at once; inputs with more lines are split
/// again on each walk.
pub const MAX_SPLIT_LINES: usize = 16;

/// Checks, for `data` split at `'\n'` into field lines, under both grammars with the default
/// bounds (other bounds are for the differential and round-trip targets, whose inputs choose
/// them):
///
/// - an error names one of the lines and an offset at most that line's length;
/// - what the sender grammar accepts, the recipient grammar accepts with the same items;
/// - a valid list formats to text that the sender grammar parses back to the same items.
///
/// # Panics
///
/// When a property does not hold, with the escaped input in the message.
pub fn check_raw(kind: RefKind, data: &[u8]) {
    let mut store: [&[u8]; MAX_SPLIT_LINES] = [&[]; MAX_SPLIT_LINES];
    match crate::lines::split_lines_into(data, &mut store) {
        Some(count) => check_raw_lines(kind, store[..count].iter().copied()),
        None => check_raw_lines(kind, crate::lines::lines(data)),
    }
}

/// [`check_raw`] on field lines already split.
fn check_raw_lines<'a>(kind: RefKind, lines: impl Iterator<Item = &'a [u8]> + Clone) {
    let lines = || lines.clone();
    let fail = |property: &str| -> ! {
        let shown: Vec<&[u8]> = lines().collect();
        panic!(
            "{property}\n  kind:  {kind:?}\n  input: {}",
            escape_lines(&shown)
        )
    };
    let check_position = |error: &Error| {
        let fits = lines()
            .nth(error.line())
            .is_some_and(|line| error.offset() <= line.len());
        if !fits {
            fail(&format!("error position outside the input: {error:?}"));
        }
    };

    // Walks 1 and 2, side by side: while the sender grammar reads items they are the recipient
    // grammar's, in order (the grammars differ only on empty elements, where the sender stops).
    // The recipient's items are kept: the default bound on elements is the array's size.
    let mut read = Walk::new();
    let mut keep = |item: Item<'a>| match read.items.get_mut(read.len) {
        Some(slot) => {
            *slot = Some(item);
            read.len += 1;
        }
        None => fail("the recipient grammar read more elements than its bound"),
    };
    let mut recipient = items(kind, lines(), Config::default());
    let mut sender_valid = true;
    for item in items(kind, lines(), Config::SENDER) {
        match item {
            Ok(item) => match recipient.next() {
                Some(Ok(r)) if r == item => keep(r),
                _ => fail("the sender grammar yields an item the recipient grammar does not"),
            },
            Err(e) => {
                check_position(&e);
                sender_valid = false;
            }
        }
    }
    let mut recipient_valid = true;
    let mut recipient_more = false;
    for item in recipient {
        match item {
            Ok(item) => {
                keep(item);
                recipient_more = true;
            }
            Err(e) => {
                check_position(&e);
                recipient_valid = false;
            }
        }
    }
    if sender_valid && (!recipient_valid || recipient_more) {
        fail("the recipient grammar does not accept what the sender grammar accepts");
    }

    // Walk 3: format what the recipient read and parse it back under the sender grammar.
    if recipient_valid {
        FORMATTED.with_borrow_mut(|out| {
            out.clear();
            let written = match kind {
                RefKind::Upgrade => write_upgrade(
                    out,
                    read.items()
                        .map(|(name, version)| Protocol::new(name, version)),
                ),
                RefKind::Connection => write_connection(out, read.items().map(|(name, _)| name)),
            };
            let mut expected = read.items();
            let same = written.is_ok()
                && items(kind, [out.as_bytes()], Config::SENDER)
                    .all(|item| item.is_ok_and(|item| expected.next() == Some(item)))
                && expected.next().is_none();
            if !same {
                fail(&format!(
                    "formatting then parsing does not give the same items; formatted: {}",
                    escape_lines(&[out.as_bytes()])
                ));
            }
        });
    }
}

/// Whether an item holds, without allocating once `spaced` and `text` are warm (the buffers it
/// writes a token followed by a space and the item's text to): the tokens revalidate, `"name "`
/// is `ByteInvalid` at the space and the empty token `TokenEmpty`, `Display`, `Debug` and
/// `AsRef` show the name's text (`Debug` as its `str` does), and the item's `Display` parses
/// back to a matching protocol of the same name (`Upgrade`) or is the name (`Connection`).
fn item_holds(
    kind: RefKind,
    name: Token<'_>,
    version: Option<Token<'_>>,
    spaced: &mut Vec<u8>,
    text: &mut String,
) -> bool {
    let revalidates = |t: Token<'_>| Token::parse(t.as_bytes()).is_ok_and(|again| again == t);
    let valid = revalidates(name) && version.is_none_or(revalidates);

    let shown_as = name.as_str();
    spaced.clear();
    spaced.extend_from_slice(name.as_bytes());
    spaced.push(b' ');
    let rejects_more = Token::parse(spaced)
        .is_err_and(|e| e.kind() == ErrorKind::ByteInvalid && e.offset() == shown_as.len())
        && Token::parse(&[]).is_err_and(|e| e.kind() == ErrorKind::TokenEmpty);

    text.clear();
    let _ = write!(text, "{shown_as:?}");
    let shown = writes(shown_as.as_bytes(), format_args!("{name}"))
        && writes(text.as_bytes(), format_args!("{name:?}"))
        && AsRef::<[u8]>::as_ref(&name) == name.as_bytes();

    let protocol = Protocol::new(name, version);
    text.clear();
    let _ = write!(text, "{protocol}");
    let reparsed = match kind {
        RefKind::Upgrade => Protocol::parse(text.as_bytes())
            .is_ok_and(|p| p.matches(&protocol) && p.name().as_str() == shown_as),
        RefKind::Connection => text.as_str() == shown_as,
    };
    valid && rejects_more && shown && reparsed
}

/// Whether formatting `args` writes exactly `expected`, compared as it is written.
fn writes(expected: &[u8], args: fmt::Arguments<'_>) -> bool {
    let mut text = Matcher::new(expected);
    text.write_fmt(args).is_ok() && text.matched()
}

#[cfg(test)]
mod tests {
    use upgrade_grammar::Token;

    use super::*;

    /// Errors of several kinds, at lines and offsets of one and several digits.
    fn errors() -> Vec<Error> {
        let lines: [&[u8]; 4] = [b"a, b", b"", b"  x y", b"websocket/1/2, \"q\""];
        let mut errors: Vec<Error> = [Config::SENDER, Config::RECIPIENT]
            .into_iter()
            .flat_map(|config| {
                parse_upgrade(lines, config)
                    .filter_map(Result::err)
                    .chain(parse_connection(lines, config).filter_map(Result::err))
            })
            .collect();
        let long = [b" ".repeat(1234)];
        errors.extend(
            parse_upgrade(long.iter().map(Vec::as_slice), Config::SENDER).filter_map(Result::err),
        );
        errors.extend(Token::parse(b"").err());
        errors
    }

    #[test]
    fn error_text_check_passes_every_error_the_grammar_reports_and_again_from_its_cache() {
        let errors = errors();
        assert!(errors.len() >= 4, "{errors:?}");
        for error in &errors {
            assert_eq!(render_error_text(error), None, "{error:?}");
            assert_eq!(check_error_text(error), None, "{error:?}");
            assert_eq!(check_error_text(error), None, "{error:?}");
        }
    }

    #[test]
    fn every_kind_has_a_prefix_of_its_text() {
        for &kind in ErrorKind::ALL {
            let want = format!("{kind} at line ");
            assert_eq!(kind_prefix(kind), Ok(want.as_str()));
        }
    }

    #[test]
    fn item_and_error_checks_hold_on_parsed_items_and_errors() {
        let (mut spaced, mut text) = (Vec::new(), String::new());
        for item in parse_upgrade([&b"a/1, B, !#$%&'*+-.^_`|~09AZaz/x"[..]], Config::RECIPIENT) {
            let item = item.unwrap();
            assert!(item_holds(
                RefKind::Upgrade,
                item.name(),
                item.version(),
                &mut spaced,
                &mut text
            ));
            assert!(item_holds(
                RefKind::Connection,
                item.name(),
                None,
                &mut spaced,
                &mut text
            ));
        }
        let error = parse_upgrade([&b"a, , b"[..]], Config::SENDER)
            .validate()
            .unwrap_err();
        assert_eq!(check_error_text(&error), None);
    }

    #[test]
    fn writes_accepts_exactly_the_expected_text() {
        assert!(writes(b"a1", format_args!("a{}", 1)));
        assert!(!writes(b"a1", format_args!("a")));
        assert!(!writes(b"a1", format_args!("a12")));
        assert!(!writes(b"a1", format_args!("b1")));
        assert!(writes(b"", format_args!("")));
    }
}
