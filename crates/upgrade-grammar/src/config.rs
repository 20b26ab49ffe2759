//! Which grammar is in force, and the bounds that keep parsing cheap.

/// Which side of RFC 9110 section 5.6.1 the parser enforces.
///
/// ```text
/// sender:    #element => [ element *( OWS "," OWS element ) ]
/// recipient: #element => [ element ] *( OWS "," OWS [ element ] )
/// ```
///
/// An empty field value is a valid empty list in both.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Grammar {
    /// What a sender must generate: no empty elements.
    Sender,
    /// What a recipient must accept: empty elements (`, ,`, leading or trailing commas) are
    /// skipped, up to [`Config::max_empty_elements`].
    #[default]
    Recipient,
}

/// The grammar plus the bounds on element counts, applied to a whole combined field value (all
/// its field lines together).
///
/// # Examples
///
/// ```
/// use upgrade_grammar::{parse_upgrade, Config, ErrorKind};
///
/// let config = Config::RECIPIENT.with_max_elements(2);
/// assert!(parse_upgrade([&b"a, b"[..]], config).validate().is_ok());
/// let err = parse_upgrade([&b"a, b, c"[..]], config).validate().unwrap_err();
/// assert_eq!((err.kind(), err.offset()), (ErrorKind::ElementsTooMany, 6));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    grammar: Grammar,
    max_elements: usize,
    max_empty_elements: usize,
}

impl Config {
    /// The default bound on non-empty elements per combined field value.
    pub const DEFAULT_MAX_ELEMENTS: usize = 64;
    /// The default bound on empty elements per combined field value.
    pub const DEFAULT_MAX_EMPTY_ELEMENTS: usize = 64;

    /// The recipient grammar with the default bounds.
    pub const RECIPIENT: Config = Config {
        grammar: Grammar::Recipient,
        max_elements: Self::DEFAULT_MAX_ELEMENTS,
        max_empty_elements: Self::DEFAULT_MAX_EMPTY_ELEMENTS,
    };

    /// The sender grammar with the default bounds.
    pub const SENDER: Config = Config {
        grammar: Grammar::Sender,
        ..Self::RECIPIENT
    };

    /// A configuration for `grammar` with the default bounds.
    pub const fn new(grammar: Grammar) -> Self {
        Config {
            grammar,
            ..Self::RECIPIENT
        }
    }

    /// Sets the largest number of non-empty elements accepted; one more is
    /// [`ErrorKind::ElementsTooMany`](crate::ErrorKind::ElementsTooMany).
    #[must_use]
    pub const fn with_max_elements(mut self, max: usize) -> Self {
        self.max_elements = max;
        self
    }

    /// Sets the largest number of empty elements accepted by the recipient grammar; one more is
    /// [`ErrorKind::EmptyElementsTooMany`](crate::ErrorKind::EmptyElementsTooMany).
    #[must_use]
    pub const fn with_max_empty_elements(mut self, max: usize) -> Self {
        self.max_empty_elements = max;
        self
    }

    /// The grammar in force.
    pub const fn grammar(&self) -> Grammar {
        self.grammar
    }

    /// The bound on non-empty elements.
    pub const fn max_elements(&self) -> usize {
        self.max_elements
    }

    /// The bound on empty elements (recipient grammar only; the sender grammar accepts none).
    pub const fn max_empty_elements(&self) -> usize {
        self.max_empty_elements
    }
}

impl Default for Config {
    fn default() -> Self {
        Self::RECIPIENT
    }
}

impl From<Grammar> for Config {
    fn from(grammar: Grammar) -> Self {
        Config::new(grammar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grammar_converts_to_its_config_with_the_default_bounds() {
        assert_eq!(Config::from(Grammar::Sender), Config::SENDER);
        assert_eq!(Config::from(Grammar::Recipient), Config::RECIPIENT);
        let sender = Config::from(Grammar::Sender);
        assert_eq!(
            (
                sender.grammar(),
                sender.max_elements(),
                sender.max_empty_elements()
            ),
            (Grammar::Sender, 64, 64)
        );
    }

    #[test]
    fn the_default_is_the_recipient_grammar() {
        assert_eq!(Grammar::default(), Grammar::Recipient);
        assert_eq!(Config::default(), Config::RECIPIENT);
        assert_eq!(Config::default().grammar(), Grammar::Recipient);
    }
}
