//! Answers over plain HTTP: the page, the hello, and the 426 / 400 heads of a decision.

use http::header::{CONTENT_TYPE, HeaderValue};
use http::request::Parts;
use http::{Method, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Bytes;
use upgrade_negotiate::Decision;

use crate::BoxError;

/// The body of every response.
pub(crate) type Body = Full<Bytes>;

/// The answer to a request that carries on as HTTP: `GET /page` is the websocket page, any
/// other request gets a hello naming the version, method and path.
pub(crate) fn answer(parts: &Parts, body: &[u8]) -> Response<Body> {
    if parts.method == Method::GET && parts.uri.path() == "/page" {
        return page();
    }
    text(StatusCode::OK, hello(parts, body))
}

/// `hello over HTTP/1.1: GET /path`, with the number of body bytes when there were any.
fn hello(parts: &Parts, body: &[u8]) -> String {
    let mut text = format!(
        "hello over {:?}: {} {}",
        parts.version,
        parts.method,
        parts.uri.path()
    );
    if !body.is_empty() {
        text.push_str(&format!(" ({} body bytes)", body.len()));
    }
    text.push('\n');
    text
}

/// A page whose script opens a websocket to this server, sends a message, and writes the echo
/// into the title and the body (or that the websocket failed).
fn page() -> Response<Body> {
    let mut response = Response::new(Body::from(PAGE));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}

const PAGE: &str = r#"<!doctype html>
<html>
<head><meta charset="utf-8"><title>waiting</title></head>
<body>
<p id="out">waiting for the echo</p>
<script>
const out = document.getElementById("out");
const ws = new WebSocket("ws://" + location.host + "/echo");
ws.onopen = () => ws.send("hello from the browser");
ws.onmessage = (event) => {
  out.textContent = "echo: " + event.data;
  document.title = "echo: " + event.data;
  ws.close(1000, "done");
};
ws.onerror = () => {
  out.textContent = "websocket error";
  document.title = "websocket error";
};
</script>
</body>
</html>
"#;

/// The response head of a decision: its status and the fields of
/// [`Decision::write_response_fields`], except `Content-Length`, which hyper writes for the
/// body that goes with it.
///
/// # Errors
///
/// When the decision is to continue (it has no head), or a field does not convert.
pub(crate) fn head(decision: &Decision<'_>) -> Result<http::response::Builder, BoxError> {
    let status = decision
        .status()
        .ok_or("a decision to carry on as HTTP has no response head")?;
    let mut fields = String::new();
    decision.write_response_fields(&mut fields)?;
    let mut builder = Response::builder().status(status);
    // The first line is the status line.
    for line in fields.split("\r\n").skip(1).filter(|line| !line.is_empty()) {
        let (name, value) = line
            .split_once(": ")
            .ok_or("a response field without a colon")?;
        if !name.eq_ignore_ascii_case("content-length") {
            builder = builder.header(name, value);
        }
    }
    Ok(builder)
}

/// The 426 or 400 of a decision, with a short body that names the reason.
///
/// # Errors
///
/// As [`head`].
pub(crate) fn refusal(decision: &Decision<'_>) -> Result<Response<Body>, BoxError> {
    let status = decision
        .status()
        .ok_or("a decision to carry on as HTTP is not a refusal")?;
    let status = StatusCode::from_u16(status)?;
    let reason = decision.reason();
    let text = format!(
        "{} {}: {} ({})\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or_default(),
        reason.description(),
        reason.code()
    );
    Ok(head(decision)?
        .header(CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(Body::from(text))?)
}

/// A plain-text response.
pub(crate) fn text(status: StatusCode, text: String) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use upgrade_grammar::Protocol;
    use upgrade_negotiate::{HttpVersion, Policy, RequestHead, negotiate};

    use super::*;

    #[test]
    fn a_426_carries_the_fields_of_the_decision_and_a_short_body() {
        let offers = [
            Protocol::parse(b"websocket").unwrap(),
            Protocol::parse(b"h2c").unwrap(),
        ];
        let headers = [("Host", "127.0.0.1")];
        let decision = negotiate(
            RequestHead::new("GET", HttpVersion::Http11, &headers),
            &offers,
            &Policy::new().with_require_upgrade(true),
        );
        let response = refusal(&decision).unwrap();
        assert_eq!(response.status(), 426);
        assert_eq!(response.headers()["connection"], "upgrade");
        assert_eq!(response.headers()["upgrade"], "websocket, h2c");
        assert!(response.headers().get("content-length").is_none());
    }

    #[test]
    fn a_continue_has_no_head() {
        let headers = [("Host", "127.0.0.1")];
        let decision = negotiate(
            RequestHead::new("GET", HttpVersion::Http11, &headers),
            &[],
            &Policy::new(),
        );
        assert!(head(&decision).is_err());
    }

    #[test]
    fn the_hello_names_version_method_path_and_body() {
        let (parts, ()) = http::Request::post("/x?y").body(()).unwrap().into_parts();
        assert_eq!(
            hello(&parts, b"hello"),
            "hello over HTTP/1.1: POST /x (5 body bytes)\n"
        );
        assert_eq!(answer(&parts, b"").status(), StatusCode::OK);
    }
}
