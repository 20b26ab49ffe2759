//! From a request head to the server's decision, with the offers and policy of the command line.

use std::fmt::Write as _;

use clap::ValueEnum;
use http::request::Parts;
use upgrade_grammar::Protocol;
use upgrade_negotiate::{
    Decision, FieldLines, Outcome, Policy, Preference, RequestHead, negotiate,
};

/// A protocol this server speaks after a 101.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Offer {
    /// WebSocket (RFC 6455): an echo service.
    Websocket,
    /// HTTP/2 over cleartext (RFC 7540 section 3.2).
    H2c,
}

impl Offer {
    /// The protocol name, as the server spells it in `Upgrade`.
    pub(crate) const fn name(self) -> &'static str {
        match self {
            Offer::Websocket => "websocket",
            Offer::H2c => "h2c",
        }
    }
}

/// Whose order of preference wins (`--prefer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Prefer {
    /// The first protocol of the client's `Upgrade` list that the server offers.
    Client,
    /// The first of the server's offers that the client lists.
    Server,
}

/// The server's offers and policy; decides every request.
#[derive(Debug)]
pub(crate) struct Negotiator {
    offers: Vec<Protocol<'static>>,
    policy: Policy,
}

impl Negotiator {
    /// The offers in the server's order of preference, and the policy of the command line.
    ///
    /// # Errors
    ///
    /// Only if an offer's name were not a valid protocol, which the fixed names never are.
    pub(crate) fn new(
        offers: &[Offer],
        prefer: Prefer,
        require: bool,
    ) -> Result<Self, upgrade_grammar::Error> {
        let offers = offers
            .iter()
            .map(|offer| Protocol::parse(offer.name().as_bytes()))
            .collect::<Result<_, _>>()?;
        let preference = match prefer {
            Prefer::Client => Preference::Client,
            Prefer::Server => Preference::Server,
        };
        let policy = Policy::new()
            .with_preference(preference)
            .with_require_upgrade(require);
        Ok(Negotiator { offers, policy })
    }

    /// The decision for a request head: an HTTP/1.x head as received
    /// (`upgrade_negotiate::ParsedRequest`), or as hyper parsed it (`Parts`, for HTTP/2).
    pub(crate) fn decide<'r, H: FieldLines + ?Sized + 'r>(
        &self,
        request: impl Into<RequestHead<'r, H>>,
    ) -> Decision<'_> {
        negotiate(request, &self.offers, &self.policy)
    }

    /// Whether `offer` is among the server's offers.
    pub(crate) fn offers(&self, offer: Offer) -> bool {
        self.offers
            .iter()
            .any(|protocol| protocol.is_named(offer.name().as_bytes()))
    }
}

/// The protocol a switch decision goes to, `None` for every other decision.
pub(crate) fn switch_to(decision: &Decision<'_>) -> Option<Offer> {
    if decision.outcome() != Outcome::Switch {
        return None;
    }
    let protocol = decision.protocol()?;
    [Offer::Websocket, Offer::H2c]
        .into_iter()
        .find(|offer| protocol.is_named(offer.name().as_bytes()))
}

/// The log line of a request: method, path, outcome, reason code, and the protocol when the
/// decision names one (`GET /chat switch switched websocket`). Requests that are not HTTP/1.1
/// say their version at the end.
pub(crate) fn log_line(parts: &Parts, decision: &Decision<'_>) -> String {
    let mut line = format!(
        "{} {} {} {}",
        parts.method,
        parts.uri.path(),
        decision.outcome(),
        decision.reason().code()
    );
    if let Some(protocol) = decision.protocol() {
        let _ = write!(line, " {protocol}");
    }
    if parts.version != http::Version::HTTP_11 {
        let _ = write!(line, " ({:?})", parts.version);
    }
    line
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    fn parts(request: http::Request<()>) -> Parts {
        request.into_parts().0
    }

    #[test]
    fn decides_a_websocket_switch_and_logs_it() {
        let negotiator =
            Negotiator::new(&[Offer::Websocket, Offer::H2c], Prefer::Client, false).unwrap();
        let head = parts(
            http::Request::get("/chat?room=1")
                .header("host", "127.0.0.1")
                .header("connection", "keep-alive, Upgrade")
                .header("upgrade", "websocket")
                .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
                .header("sec-websocket-version", "13")
                .body(())
                .unwrap(),
        );
        let decision = negotiator.decide(&head);
        assert_eq!(switch_to(&decision), Some(Offer::Websocket));
        assert_eq!(
            log_line(&head, &decision),
            "GET /chat switch switched websocket"
        );
    }

    #[test]
    fn offers_only_what_was_asked_for() {
        let negotiator = Negotiator::new(&[Offer::H2c], Prefer::Server, true).unwrap();
        assert!(negotiator.offers(Offer::H2c));
        assert!(!negotiator.offers(Offer::Websocket));
        let head = parts(
            http::Request::get("/")
                .header("host", "127.0.0.1")
                .body(())
                .unwrap(),
        );
        let decision = negotiator.decide(&head);
        assert_eq!(decision.outcome(), Outcome::Required);
        assert_eq!(switch_to(&decision), None);
        assert_eq!(
            log_line(&head, &decision),
            "GET / required no-upgrade-field"
        );
    }

    #[test]
    fn logs_the_version_of_other_than_http_1_1() {
        let negotiator = Negotiator::new(&[Offer::Websocket], Prefer::Client, false).unwrap();
        let head = parts(
            http::Request::get("/")
                .version(http::Version::HTTP_10)
                .header("connection", "upgrade")
                .header("upgrade", "websocket")
                .body(())
                .unwrap(),
        );
        let decision = negotiator.decide(&head);
        assert_eq!(
            log_line(&head, &decision),
            "GET / continue http10-ignored (HTTP/1.0)"
        );
    }
}
