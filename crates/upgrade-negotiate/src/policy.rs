//! How a server chooses: whose order wins, whether an upgrade is required, which grammar.

use upgrade_grammar::Config;

/// Whose order of preference picks among the protocols both sides support.
///
/// RFC 9110 section 7.8 lets the server choose among the protocols the client lists; by default
/// this crate takes the first one the client lists that the server offers.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::{Protocol, negotiate, HttpVersion, Policy, Preference, RequestHead};
///
/// let offers = [Protocol::parse(b"a")?, Protocol::parse(b"b")?];
/// let headers = [("Host", "a"), ("Upgrade", "b, a"), ("Connection", "upgrade")];
/// let request = RequestHead::new("GET", HttpVersion::Http11, &headers);
///
/// let by_client = negotiate(request, &offers, &Policy::new());
/// assert_eq!(by_client.protocol_index(), Some(1));
/// let by_server = negotiate(request, &offers, &Policy::new().with_preference(Preference::Server));
/// assert_eq!(by_server.protocol_index(), Some(0));
/// # Ok::<(), upgrade_negotiate::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Preference {
    /// The first protocol of the client's `Upgrade` list that the server offers wins.
    #[default]
    Client,
    /// The first of the server's offers that the client lists wins.
    Server,
}

/// The server's rules for a negotiation: preference order, whether an upgrade is required, and
/// the list grammar (with its bounds) applied to `Upgrade` and `Connection`.
///
/// # Examples
///
/// ```
/// use upgrade_negotiate::Config;
/// use upgrade_negotiate::{Policy, Preference};
///
/// let policy = Policy::new()
///     .with_preference(Preference::Server)
///     .with_require_upgrade(true)
///     .with_config(Config::RECIPIENT.with_max_elements(8));
/// assert_eq!(policy.preference(), Preference::Server);
/// assert!(policy.require_upgrade());
/// assert_eq!(policy.config().max_elements(), 8);
/// assert_eq!(Policy::default(), Policy::new());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Policy {
    preference: Preference,
    require_upgrade: bool,
    config: Config,
}

impl Policy {
    /// Client preference, no upgrade required, the recipient grammar with its default bounds.
    pub const fn new() -> Self {
        Policy {
            preference: Preference::Client,
            require_upgrade: false,
            config: Config::RECIPIENT,
        }
    }

    /// Sets whose order of preference wins.
    #[must_use]
    pub const fn with_preference(mut self, preference: Preference) -> Self {
        self.preference = preference;
        self
    }

    /// Sets whether the resource is only served after an upgrade: where the decision would be
    /// to carry on with HTTP/1.1, it becomes `426 Upgrade Required` listing the offers
    /// (RFC 9110 section 15.5.22).
    #[must_use]
    pub const fn with_require_upgrade(mut self, require_upgrade: bool) -> Self {
        self.require_upgrade = require_upgrade;
        self
    }

    /// Sets the grammar and bounds used to parse the request's `Upgrade` and `Connection`.
    #[must_use]
    pub const fn with_config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Whose order of preference wins.
    pub const fn preference(&self) -> Preference {
        self.preference
    }

    /// Whether an upgrade is required.
    pub const fn require_upgrade(&self) -> bool {
        self.require_upgrade
    }

    /// The list grammar and bounds.
    pub const fn config(&self) -> Config {
        self.config
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::new()
    }
}
