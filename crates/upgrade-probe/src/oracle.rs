//! The oracle: every call into `upgrade-negotiate` and `upgrade-grammar` of this crate is in
//! this module, so that a change of their API is adapted here alone.
//!
//! A 101 naming protocol X is acceptable only if `negotiate(request, offers = [X])` switches to
//! X and `check_response` accepts the 101 for the request (DESIGN.md section 8). Any other
//! answer is compared with what `negotiate` decides for the request with the protocols the
//! server showed it speaks (its baselines).

use upgrade_negotiate::{
    ClientReason, HttpVersion, Outcome, Policy, Protocol, RequestHead as Asked,
    ResponseHead as Answered, check_response, negotiate,
};

use crate::conn::Head;
use crate::request::{Request, Version};

/// What a conforming server that speaks the offered protocols does with a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Expected {
    /// Switch (101).
    Switch,
    /// Carry on with HTTP/1.1, the upgrade ignored.
    Continue,
    /// Reject, 400.
    Reject,
    /// Require an upgrade, 426 (a websocket version it does not speak).
    Required,
}

/// The negotiator's decision for a request: what to expect and its reason code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decided {
    pub(crate) expected: Expected,
    pub(crate) reason: &'static str,
}

fn version(version: Version) -> HttpVersion {
    match version {
        Version::Http10 => HttpVersion::Http10,
        Version::Http11 => HttpVersion::Http11,
    }
}

fn lines(fields: &[(String, Vec<u8>)]) -> Vec<(&str, &[u8])> {
    fields
        .iter()
        .map(|(name, value)| (name.as_str(), value.as_slice()))
        .collect()
}

/// What `negotiate` decides for `request` when the server offers `offers` (names such as
/// `websocket`, `h2c`), with the default policy.
pub(crate) fn decide(request: &Request, offers: &[&str]) -> Decided {
    let offers: Vec<Protocol<'_>> = offers
        .iter()
        .filter_map(|offer| Protocol::parse(offer.as_bytes()).ok())
        .collect();
    let fields = lines(&request.fields);
    let asked = Asked::new(&request.method, version(request.version), fields.as_slice());
    let decision = negotiate(asked, &offers, &Policy::default());
    let expected = match decision.outcome() {
        Outcome::Switch => Expected::Switch,
        Outcome::Required => Expected::Required,
        Outcome::Reject => Expected::Reject,
        _ => Expected::Continue,
    };
    Decided {
        expected,
        reason: decision.reason().code(),
    }
}

/// What `check_response` says of `head` for `request`: the protocols of a valid answer's
/// `Upgrade` (the switched-to stack of a 101), or the reason it is not legitimate.
fn client_check(request: &Request, head: &Head) -> Result<Vec<String>, ClientReason> {
    let fields = lines(&request.fields);
    let asked = Asked::new(&request.method, version(request.version), fields.as_slice());
    let answer_fields = lines(&head.fields);
    let minor = HttpVersion::from_minor(head.minor);
    let answered = Answered::new(head.status, minor, answer_fields.as_slice());
    let check = check_response(asked, answered, &Policy::default());
    if check.valid() {
        Ok(check.protocols().map(|p| p.to_string()).collect())
    } else {
        Err(check.reason())
    }
}

/// Why an answer fails: a stable kebab-case class and one line in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fault {
    /// The negotiator's reason code for a 101 it would not send (`connection-missing-upgrade`),
    /// or the status and the reason code of `check_response` for an answer it refuses
    /// (`101-protocol-not-offered`, `426-upgrade-missing`).
    pub(crate) class: String,
    /// Why, in words.
    pub(crate) detail: String,
}

/// Whether `head`, a 101, is a legitimate switch for `request`: `Ok` with the protocol (the
/// lowest layer, as the server spelled it), or why not.
pub(crate) fn judge_switch(request: &Request, head: &Head) -> Result<String, Fault> {
    let protocols = client_check(request, head).map_err(|reason| refused(head, reason))?;
    let Some(protocol) = protocols.first() else {
        return Err(Fault {
            class: "101-upgrade-empty".into(),
            detail: "check_response refuses the 101: no protocol".into(),
        });
    };
    let offer = Protocol::parse(protocol.as_bytes()).map_err(|e| Fault {
        class: "101-upgrade-malformed".into(),
        detail: format!("the 101's protocol: {e}"),
    })?;
    let offers = [offer];
    let fields = lines(&request.fields);
    let asked = Asked::new(&request.method, version(request.version), fields.as_slice());
    let decision = negotiate(asked, &offers, &Policy::default());
    if decision.outcome() != Outcome::Switch {
        return Err(Fault {
            class: decision.reason().code().into(),
            detail: format!(
                "a 101 to {protocol} where negotiate(offers=[{protocol}]) decides {} ({})",
                decision.outcome().code(),
                decision.reason().code()
            ),
        });
    }
    Ok(protocol.clone())
}

/// Whether `head`, any status but 101, is legitimate for `request` as `check_response` sees
/// it (a 426 must name the protocols it requires; an `Upgrade` must follow the grammar).
pub(crate) fn check_other(request: &Request, head: &Head) -> Result<(), Fault> {
    client_check(request, head)
        .map(|_| ())
        .map_err(|reason| refused(head, reason))
}

/// `check_response` refusing `head`, classed by status and reason code.
fn refused(head: &Head, reason: ClientReason) -> Fault {
    Fault {
        class: format!("{}-{}", head.status, reason.code()),
        detail: format!(
            "check_response refuses the {}: {}",
            head.status,
            client_reason(reason)
        ),
    }
}

/// A reason of the client-side check in words, with its code.
fn client_reason(reason: ClientReason) -> String {
    format!("{} ({})", reason.description(), reason.code())
}
