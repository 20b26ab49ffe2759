//! The client-side invariants of DESIGN.md section 3 as checks on a raw request and response:
//! what a client accepts as a switch must be a 101 that only names offered protocols, with
//! `upgrade` in `Connection`. What the request offered and what the response names are read with
//! the reference parser, not with `upgrade-grammar`. A broken invariant panics with both messages
//! escaped.

use upgrade_grammar::Config;
use upgrade_negotiate::{
    ClientReason, HttpVersion, ParsedRequest, ParsedResponse, Policy, Status, WebSocketAccept,
    check_response, parse_request, parse_response,
};

use crate::reference::trim_ows;
use crate::reference::{RefItem, RefKind, RefOutcome, reference_parse};
use crate::requests::case::values;
use crate::requests::checks::{header_map, http_version};
use crate::requests::host::is_host_field_value;

fn list(headers: &[httparse::Header<'_>], kind: RefKind, name: &str) -> RefOutcome {
    reference_parse(kind, &named(headers, name), Config::RECIPIENT)
}

fn named<'b>(headers: &[httparse::Header<'b>], name: &str) -> Vec<&'b [u8]> {
    values(headers.iter().map(|h| (h.name, h.value)), name)
}

fn fail(invariant: &str, data: &[u8], head_len: usize, found: &str) -> ! {
    let (request, response) = data.split_at(head_len.min(data.len()));
    panic!(
        "{invariant}\n  found:    {found}\n  request:  b\"{}\"\n  response: b\"{}\"",
        request.escape_ascii(),
        response.escape_ascii()
    );
}

/// A request head, then the response to it: the bytes after the request head (as httparse
/// reads it) are the response. Inputs whose request or response head cannot be read are
/// skipped. For every response, [`check_response`] never panics and:
///
/// - valid and switched implies status 101 to an HTTP/1.1 request with exactly one valid `Host`
///   (RFC 3986's grammar, [`is_host_field_value`]) in an HTTP/1.1 response, a non-empty
///   `Upgrade` whose protocols the request all offered (names ignoring ASCII case, versions
///   exactly), `upgrade` in `Connection`, and for websocket exactly one `Sec-WebSocket-Accept`
///   computed from the request's single key;
/// - only a 101 switches, and an invalid response never does;
/// - a valid 426 has a non-empty `Upgrade`; a malformed `Upgrade` is invalid whatever the
///   status;
/// - [`ResponseCheck::protocols`](upgrade_negotiate::ResponseCheck::protocols) are the
///   response's `Upgrade` items;
/// - the sender grammar, unless it finds a grammar error, gives the recipient's verdict;
/// - the request and the response read as an `http::Request` and an `http::Response`, as a hyper
///   client holds them, get the same verdict.
pub fn check_response_bytes(data: &[u8]) {
    let mut request_headers = [httparse::EMPTY_HEADER; 32];
    let Ok(Status::Complete(request)) = parse_request(data, &mut request_headers) else {
        return;
    };
    let head_len = request.head_len();
    let Some(rest) = data.get(head_len..) else {
        fail(
            "the request head is within the input",
            data,
            data.len(),
            &format!("head length {head_len}"),
        );
    };
    let mut response_headers = [httparse::EMPTY_HEADER; 32];
    let Ok(Status::Complete(response)) = parse_response(rest, &mut response_headers) else {
        return;
    };
    check_pair(data, &request, &response);
}

fn check_pair(data: &[u8], request: &ParsedRequest<'_, '_>, response: &ParsedResponse<'_, '_>) {
    let head_len = request.head_len();
    let check = check_response(request, response, &Policy::new());
    let found = format!(
        "status {}, valid {}, switched {}, reason {}, protocols {:?}",
        response.status(),
        check.valid(),
        check.switched(),
        check.reason(),
        check.protocols().map(|p| p.to_string()).collect::<Vec<_>>()
    );
    let fail = |invariant: &str| -> ! { fail(invariant, data, head_len, &found) };
    let _ = format!("{check:?}");

    if check.valid() != check.reason().is_valid() {
        fail("valid() agrees with the reason");
    }
    if check.switched() && !check.valid() {
        fail("an invalid response never switches");
    }
    if check.switched() && response.status() != 101 {
        fail("only a 101 switches");
    }
    let upgrade = list(response.headers(), RefKind::Upgrade, "upgrade");
    let has_upgrade = !named(response.headers(), "upgrade").is_empty();
    if has_upgrade && !upgrade.is_ok() && check.valid() {
        fail("a malformed Upgrade is invalid whatever the status");
    }
    if check.valid()
        && check
            .protocols()
            .map(|p| RefItem::from(&p))
            .ne(upgrade.items.clone())
    {
        fail("the protocols of a valid response are its Upgrade items");
    }
    if check.valid() && response.status() == 426 && upgrade.items.is_empty() {
        fail("a valid 426 has a non-empty Upgrade");
    }
    if check.switched()
        && let Some(invariant) = switch_violation(request, response, &upgrade)
    {
        fail(invariant);
    }
    let verdict = (check.reason(), check.valid(), check.switched());
    if let Some(read) = read_as_http(request, response)
        && read != verdict
    {
        fail(&format!(
            "read as an http::Request and an http::Response, the pair gets the same verdict; there: {read:?}"
        ));
    }

    let sender = check_response(
        request,
        response,
        &Policy::new().with_config(Config::SENDER),
    );
    let grammar_error = matches!(
        sender.reason(),
        ClientReason::UpgradeMalformed
            | ClientReason::RequestUpgradeMalformed
            | ClientReason::ConnectionMalformed
    );
    if !grammar_error && sender.reason() != check.reason() {
        fail(&format!(
            "the sender grammar gives the recipient's verdict; sender: {}",
            sender.reason()
        ));
    }
}

/// The client check's reason, `valid()` and `switched()` for the pair as a hyper client holds it,
/// an `http::Request` and an `http::Response`; `None` when `http` refuses the method, the status
/// or a line.
fn read_as_http(
    request: &ParsedRequest<'_, '_>,
    response: &ParsedResponse<'_, '_>,
) -> Option<(ClientReason, bool, bool)> {
    let as_map =
        |headers: &[httparse::Header<'_>]| header_map(headers.iter().map(|h| (h.name, h.value)));
    let mut asked = http::Request::new(());
    *asked.method_mut() = http::Method::from_bytes(request.method().as_bytes()).ok()?;
    *asked.version_mut() = http_version(request.version());
    *asked.headers_mut() = as_map(request.headers())?;
    let mut answered = http::Response::new(());
    *answered.status_mut() = http::StatusCode::from_u16(response.status()).ok()?;
    *answered.version_mut() = http_version(response.version());
    *answered.headers_mut() = as_map(response.headers())?;
    let check = check_response(&asked, &answered, &Policy::new());
    Some((check.reason(), check.valid(), check.switched()))
}

/// The invariant of a valid switch that the pair breaks, if any.
fn switch_violation(
    request: &ParsedRequest<'_, '_>,
    response: &ParsedResponse<'_, '_>,
    upgrade: &RefOutcome,
) -> Option<&'static str> {
    if request.version() != HttpVersion::Http11 || response.version() != HttpVersion::Http11 {
        return Some("only HTTP/1.1 switches");
    }
    if upgrade.items.is_empty() {
        return Some("a switch has a non-empty Upgrade");
    }
    let hosts = named(request.headers(), "host");
    if !matches!(hosts.as_slice(), [host] if is_host_field_value(trim_ows(host))) {
        return Some("a switch answers a request with exactly one valid Host");
    }
    let offered = list(request.headers(), RefKind::Upgrade, "upgrade");
    if !offered.is_ok() {
        return Some("a switch answers a well-formed Upgrade");
    }
    let offered_all = upgrade
        .items
        .iter()
        .all(|protocol| offered.items.iter().any(|asked| asked.matches(protocol)));
    if !offered_all {
        return Some("a switch names only protocols the request offered");
    }
    let connection = list(response.headers(), RefKind::Connection, "connection");
    if !connection.is_ok() || !connection.lists(b"upgrade") {
        return Some("a switch has `upgrade` in Connection");
    }
    if upgrade.lists(b"websocket") {
        let keys = named(request.headers(), "sec-websocket-key");
        let accepts = named(response.headers(), "sec-websocket-accept");
        let right = match (keys.as_slice(), accepts.as_slice()) {
            ([key], [accept]) => {
                trim_ows(accept) == WebSocketAccept::from_key(trim_ows(key)).as_bytes()
            }
            _ => false,
        };
        if !right {
            return Some("a switch to websocket carries the accept value of the request's key");
        }
    }
    None
}
