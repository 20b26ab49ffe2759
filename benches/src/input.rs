//! The input set: named field values, the list each one is, and the task to do on it.

use http::header::{CONNECTION, InvalidHeaderValue, UPGRADE};
use http::{HeaderMap, HeaderValue};
use upgrade_grammar::Config;

/// Which list field an input is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// `Upgrade = #protocol` (RFC 9110 section 7.8).
    Upgrade,
    /// `Connection = #connection-option` (RFC 9110 section 7.6.1).
    Connection,
}

/// What every measured function does with an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Task {
    /// Count the elements (protocols or options) of the field.
    Count,
    /// Tell whether the field lists this element, ignoring ASCII case: for `Upgrade`, a
    /// protocol of this name without a version; for `Connection`, this option.
    Contains(&'static str),
}

/// One benchmark input: the values of every field line of one field, in order.
#[derive(Clone, Debug)]
pub struct Input {
    name: &'static str,
    field: Field,
    task: Task,
    config: Config,
    lines: Vec<Vec<u8>>,
    map: HeaderMap,
}

/// Protocols seen in `Upgrade` fields and registries, with and without versions.
const REALISTIC_PROTOCOLS: [&str; 20] = [
    "HTTP/2.0",
    "SHTTP/1.3",
    "IRC/6.9",
    "RTA/x11",
    "websocket",
    "h2c",
    "TLS/1.0",
    "TLS/1.2",
    "TLS/1.3",
    "WebSocket/13",
    "connect-udp",
    "connect-ip",
    "HTTP/3",
    "mqtt/5.0",
    "xmpp/1.0",
    "stomp/1.2",
    "wamp.2.json",
    "graphql-transport-ws",
    "coap",
    "sip/2.0",
];

/// List separators with the OWS senders and proxies produce around commas.
const SEPARATORS: [&str; 6] = [", ", ",", " , ", ",\t", ", ", "  ,  "];

/// Every `tchar` of RFC 9110 section 5.6.2.
const TCHARS: &[u8] =
    b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Bound on elements for `list-1k`, `list-4k` and `list-64k`. The default of 64 is reached at
/// about 800 bytes of realistic protocols, so these lists would stop at the bound instead of
/// measuring the parser; they use the recipient grammar with a larger bound, as a server that
/// expects long lists would.
pub(crate) const LONG_LIST_MAX_ELEMENTS: usize = 8192;

impl Input {
    /// The whole input set, in the order the benches run it. First the values real requests
    /// carry, one field line each unless said otherwise:
    ///
    /// - `websocket`: `Upgrade: websocket`, is `websocket` listed;
    /// - `websocket-mixed-case`: `Upgrade: WebSocket`, is `websocket` listed;
    /// - `h2c`: `Upgrade: h2c`, is `h2c` listed;
    /// - `upgrade`: `Connection: Upgrade` (Chromium's handshake), is `upgrade` listed;
    /// - `keep-alive-upgrade`: `Connection: keep-alive, Upgrade` (Firefox's), is `upgrade`
    ///   listed;
    /// - `upgrade-http2-settings`: `Connection: Upgrade, HTTP2-Settings` (curl's h2c), is
    ///   `upgrade` listed;
    /// - `keep-alive`, `close`: `Connection` values of requests that do not upgrade (most
    ///   requests), is `upgrade` listed (no);
    /// - `connection-has-upgrade`: `Connection: keep-alive` and `Connection: Upgrade` as two
    ///   field lines, is `upgrade` listed;
    /// - `upgrade-two-lines`: `Upgrade: h2c` and `Upgrade: websocket` as two field lines, is
    ///   `websocket` listed;
    /// - `websocket-validated`: `Upgrade: websocket`, counted, as a client checks the field of a
    ///   101 response;
    /// - `keep-alive-validated`: `Connection: keep-alive`, counted, as a proxy checks the field
    ///   before it forwards a request;
    ///
    /// then lists, counted:
    ///
    /// - `rfc9110-list`: `Upgrade: HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11`;
    /// - `list-20`: one `Upgrade` line of 20 realistic protocols with versions and OWS;
    /// - `list-1k`, `list-4k`, `list-64k`: the same protocols, at most 1024, 4096 and 65536
    ///   bytes, with a bound of 8192 elements;
    /// - `long-token`: one 1024-byte protocol name cycling through every `tchar`;
    /// - `recipient-worst-case`: 64 protocols and 64 empty elements with OWS around every comma
    ///   and at both ends, exactly the default bounds of the recipient grammar.
    ///
    /// # Errors
    ///
    /// When a line cannot be an `http::HeaderValue` (none of these inputs).
    pub fn all() -> Result<Vec<Input>, InvalidHeaderValue> {
        let recipient = Config::RECIPIENT;
        let long = Config::RECIPIENT.with_max_elements(LONG_LIST_MAX_ELEMENTS);
        let upgrade = Field::Upgrade;
        let connection = Field::Connection;
        let is_upgrade = Task::Contains("upgrade");
        let is_websocket = Task::Contains("websocket");
        let line = |value: &str| [value.as_bytes().to_vec()];
        Ok(vec![
            Input::new(
                "websocket",
                upgrade,
                is_websocket,
                recipient,
                line("websocket"),
            )?,
            Input::new(
                "websocket-mixed-case",
                upgrade,
                is_websocket,
                recipient,
                line("WebSocket"),
            )?,
            Input::new(
                "h2c",
                upgrade,
                Task::Contains("h2c"),
                recipient,
                line("h2c"),
            )?,
            Input::new(
                "upgrade",
                connection,
                is_upgrade,
                recipient,
                line("Upgrade"),
            )?,
            Input::new(
                "keep-alive-upgrade",
                connection,
                is_upgrade,
                recipient,
                line("keep-alive, Upgrade"),
            )?,
            Input::new(
                "upgrade-http2-settings",
                connection,
                is_upgrade,
                recipient,
                line("Upgrade, HTTP2-Settings"),
            )?,
            Input::new(
                "keep-alive",
                connection,
                is_upgrade,
                recipient,
                line("keep-alive"),
            )?,
            Input::new("close", connection, is_upgrade, recipient, line("close"))?,
            Input::new(
                "connection-has-upgrade",
                connection,
                is_upgrade,
                recipient,
                [b"keep-alive".to_vec(), b"Upgrade".to_vec()],
            )?,
            Input::new(
                "upgrade-two-lines",
                upgrade,
                is_websocket,
                recipient,
                [b"h2c".to_vec(), b"websocket".to_vec()],
            )?,
            Input::new(
                "websocket-validated",
                upgrade,
                Task::Count,
                recipient,
                line("websocket"),
            )?,
            Input::new(
                "keep-alive-validated",
                connection,
                Task::Count,
                recipient,
                line("keep-alive"),
            )?,
            Input::new(
                "rfc9110-list",
                upgrade,
                Task::Count,
                recipient,
                line("HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11"),
            )?,
            Input::new(
                "list-20",
                upgrade,
                Task::Count,
                recipient,
                [realistic_list(REALISTIC_PROTOCOLS.len(), usize::MAX)],
            )?,
            Input::new(
                "list-1k",
                upgrade,
                Task::Count,
                long,
                [realistic_list(usize::MAX, 1024)],
            )?,
            Input::new(
                "list-4k",
                upgrade,
                Task::Count,
                long,
                [realistic_list(usize::MAX, 4096)],
            )?,
            Input::new(
                "list-64k",
                upgrade,
                Task::Count,
                long,
                [realistic_list(usize::MAX, 65536)],
            )?,
            Input::new(
                "long-token",
                upgrade,
                Task::Count,
                recipient,
                [long_token(1024)],
            )?,
            Input::new(
                "recipient-worst-case",
                upgrade,
                Task::Count,
                recipient,
                [recipient_worst_case()],
            )?,
        ])
    }

    /// The input of this name.
    ///
    /// # Errors
    ///
    /// As [`Input::all`].
    pub fn find(name: &str) -> Result<Option<Input>, InvalidHeaderValue> {
        Ok(Input::all()?.into_iter().find(|i| i.name == name))
    }

    fn new<const N: usize>(
        name: &'static str,
        field: Field,
        task: Task,
        config: Config,
        lines: [Vec<u8>; N],
    ) -> Result<Input, InvalidHeaderValue> {
        let header = match field {
            Field::Upgrade => UPGRADE,
            Field::Connection => CONNECTION,
        };
        let mut map = HeaderMap::new();
        for line in &lines {
            map.append(header.clone(), HeaderValue::from_bytes(line)?);
        }
        Ok(Input {
            name,
            field,
            task,
            config,
            lines: lines.into(),
            map,
        })
    }

    /// The same input with other field lines, to check what the peers do with them.
    #[cfg(test)]
    pub(crate) fn with_lines<const N: usize>(
        &self,
        lines: [Vec<u8>; N],
    ) -> Result<Input, InvalidHeaderValue> {
        Input::new(self.name, self.field, self.task, self.config, lines)
    }

    /// The input's name, which is also its criterion group.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Which list the lines are.
    pub fn field(&self) -> Field {
        self.field
    }

    /// What to do with the lines.
    pub fn task(&self) -> Task {
        self.task
    }

    /// The grammar and bounds `ours` parses with.
    pub fn config(&self) -> Config {
        self.config
    }

    /// The value of every field line, in order, as an HTTP parser hands them over.
    pub fn lines(&self) -> impl Iterator<Item = &[u8]> + Clone {
        self.lines.iter().map(Vec::as_slice)
    }

    /// How many field lines there are.
    pub fn line_count(&self) -> usize {
        self.lines.len()
    }

    /// Total bytes of the field line values: the throughput of one run.
    pub fn len(&self) -> usize {
        self.lines().map(<[u8]>::len).sum()
    }

    /// Whether every line is empty (none of the inputs).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The same lines as field lines of an `http::HeaderMap`, built once for the `headers` peer.
    pub fn header_map(&self) -> &HeaderMap {
        &self.map
    }
}

/// Realistic protocols joined by realistic separators, stopping after `max_elements` or before
/// `max_len` bytes.
fn realistic_list(max_elements: usize, max_len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let pairs = REALISTIC_PROTOCOLS
        .iter()
        .cycle()
        .zip(SEPARATORS.iter().cycle())
        .take(max_elements);
    for (protocol, separator) in pairs {
        let separator = if out.is_empty() { "" } else { separator };
        if out.len() + separator.len() + protocol.len() > max_len {
            break;
        }
        out.extend_from_slice(separator.as_bytes());
        out.extend_from_slice(protocol.as_bytes());
    }
    out
}

/// One token of `len` bytes cycling through every `tchar`.
fn long_token(len: usize) -> Vec<u8> {
    TCHARS.iter().copied().cycle().take(len).collect()
}

/// 64 protocols, each followed by an empty element, with SP and HTAB around every comma and at
/// both ends of the line.
fn recipient_worst_case() -> Vec<u8> {
    let mut out = b" \t".to_vec();
    for i in 0..Config::DEFAULT_MAX_ELEMENTS {
        if i > 0 {
            out.extend_from_slice(b", \t");
        }
        // The comma after the last protocol closes a trailing empty element.
        out.extend_from_slice(b"p/1 \t, \t");
    }
    out
}

#[cfg(test)]
mod tests {
    use upgrade_grammar::{ErrorKind, parse_upgrade};

    use super::*;

    fn input(name: &str) -> Input {
        Input::find(name).unwrap().unwrap()
    }

    #[test]
    fn names_are_unique() {
        let inputs = Input::all().unwrap();
        for (i, a) in inputs.iter().enumerate() {
            assert!(inputs.iter().skip(i + 1).all(|b| b.name() != a.name()));
        }
    }

    #[test]
    fn long_lists_are_about_one_four_and_sixty_four_kib_of_protocols_with_versions_and_ows() {
        for (name, size) in [("list-1k", 1024), ("list-4k", 4096), ("list-64k", 65536)] {
            let input = input(name);
            assert!(
                (size - 24..=size).contains(&input.len()),
                "{name}: {}",
                input.len()
            );
            assert_eq!(input.line_count(), 1);
            let bytes: Vec<u8> = input.lines().flatten().copied().collect();
            assert!(bytes.contains(&b'/') && bytes.contains(&b'\t'), "{name}");
            assert!(bytes.windows(2).any(|w| w == b" ,"), "{name}");
            // Over the default bound, within the raised one.
            assert!(ours_count(&input, Config::RECIPIENT).is_err());
            assert_eq!(input.config().max_elements(), LONG_LIST_MAX_ELEMENTS);
        }
    }

    #[test]
    fn list_20_is_every_realistic_protocol_once() {
        let input = input("list-20");
        assert_eq!(ours_count(&input, Config::RECIPIENT), Ok(20));
        let bytes: Vec<u8> = input.lines().flatten().copied().collect();
        assert!(bytes.starts_with(b"HTTP/2.0,SHTTP/1.3 , IRC/6.9"));
        assert!(bytes.ends_with(b"coap,sip/2.0"));
    }

    #[test]
    fn long_token_is_one_kib_of_every_tchar() {
        let input = input("long-token");
        assert_eq!(input.len(), 1024);
        let bytes: Vec<u8> = input.lines().flatten().copied().collect();
        assert!(TCHARS.iter().all(|t| bytes.contains(t)));
        assert_eq!(TCHARS.len(), 26 * 2 + 10 + 15);
    }

    fn ours_count(input: &Input, config: Config) -> Result<usize, upgrade_grammar::Error> {
        parse_upgrade(input.lines(), config).validate()
    }

    #[test]
    fn recipient_worst_case_sits_exactly_at_both_default_bounds() {
        let input = input("recipient-worst-case");
        assert_eq!(input.config(), Config::RECIPIENT);
        assert_eq!(ours_count(&input, Config::RECIPIENT), Ok(64));
        let fewer = Config::RECIPIENT.with_max_elements(63);
        assert_eq!(
            ours_count(&input, fewer).unwrap_err().kind(),
            ErrorKind::ElementsTooMany
        );
        let fewer_empty = Config::RECIPIENT.with_max_empty_elements(63);
        assert_eq!(
            ours_count(&input, fewer_empty).unwrap_err().kind(),
            ErrorKind::EmptyElementsTooMany
        );
        let bytes: Vec<u8> = input.lines().flatten().copied().collect();
        assert!(bytes.starts_with(b" \t") && bytes.ends_with(b", \t"));
    }

    #[test]
    fn connection_has_upgrade_spans_two_field_lines() {
        let input = input("connection-has-upgrade");
        assert_eq!(input.line_count(), 2);
        assert_eq!(input.header_map().get_all(CONNECTION).iter().count(), 2);
        assert_eq!(input.field(), Field::Connection);
    }

    #[test]
    fn upgrade_two_lines_spans_two_field_lines() {
        let input = input("upgrade-two-lines");
        assert_eq!(input.line_count(), 2);
        assert_eq!(input.header_map().get_all(UPGRADE).iter().count(), 2);
        assert_eq!(input.field(), Field::Upgrade);
    }
}
