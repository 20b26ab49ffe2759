//! From raw request bytes to a decision and its response head, nothing touches the heap: a
//! counting global allocator watches this thread while a browser websocket handshake and an h2c
//! upgrade are negotiated (accept value included) and their responses written to the stack, as
//! text and as bytes, and while Firefox's handshake, a page load and a JSON `POST` (the other
//! requests of the benches) are decided.

// A panic is a failed test.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use upgrade_grammar::Protocol;
use upgrade_negotiate::{
    Decision, Outcome, Policy, Status, check_response, hop_by_hop, negotiate, parse_request,
    parse_response,
};
use upgrade_testkit::alloc::{CountingAllocator, StackWriter, allocations_in};
use upgrade_testkit::handshakes::{
    CHROMIUM_PAGE_LOAD, CHROMIUM_WEBSOCKET, CURL_H2C, FIREFOX_WEBSOCKET, JSON_POST,
};
use upgrade_testkit::handshakes::{SWITCH_H2C, SWITCH_WEBSOCKET};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Parses `request`, negotiates against `offers` and writes the response into `out`, and as
/// bytes into a stack array (as the benches measure it), which must hold the same head.
fn decide_and_write<const N: usize>(
    request: &[u8],
    offers: &[Protocol<'_>],
    policy: &Policy,
    out: &mut StackWriter<N>,
) -> Outcome {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let decision = match parse_request(request, &mut headers) {
        Ok(Status::Complete(parsed)) => negotiate(parsed, offers, policy),
        Ok(Status::Partial) => Decision::request_malformed(),
        Err(e) => Decision::from(e),
    };
    decision.write_response(out).unwrap();
    let mut bytes = [0u8; N];
    let len = decision.write_response_bytes(&mut bytes).unwrap();
    assert_eq!(&bytes[..len], out.as_str().as_bytes());
    decision.outcome()
}

/// [`decide_and_write`] into a 256-byte stack buffer, counting the heap allocations meanwhile:
/// how many there were, the outcome and the buffer.
fn decide_counting(
    request: &[u8],
    offers: &[Protocol<'_>],
    policy: &Policy,
) -> (usize, Outcome, StackWriter<256>) {
    let mut out = StackWriter::<256>::new();
    let mut outcome = None;
    let n = allocations_in(|| {
        outcome = Some(decide_and_write(request, offers, policy, &mut out));
    });
    (n, outcome.unwrap(), out)
}

#[test]
fn counting_allocator_sees_a_heap_allocation() {
    let n = allocations_in(|| {
        std::hint::black_box(vec![1u8; 16]);
    });
    assert_eq!(n, 1);
}

#[test]
fn negotiating_a_browser_websocket_handshake_allocates_nothing() {
    let offers = [
        Protocol::parse(b"h2c").unwrap(),
        Protocol::parse(b"websocket").unwrap(),
    ];
    let (n, outcome, out) = decide_counting(CHROMIUM_WEBSOCKET, &offers, &Policy::default());
    assert_eq!(n, 0);
    assert_eq!(outcome, Outcome::Switch);
    assert_eq!(out.as_str(), SWITCH_WEBSOCKET);
}

#[test]
fn negotiating_an_h2c_upgrade_allocates_nothing() {
    let offers = [
        Protocol::parse(b"websocket").unwrap(),
        Protocol::parse(b"h2c").unwrap(),
    ];
    let (n, outcome, out) = decide_counting(CURL_H2C, &offers, &Policy::default());
    assert_eq!(n, 0);
    assert_eq!(outcome, Outcome::Switch);
    assert_eq!(out.as_str(), SWITCH_H2C);
}

#[test]
fn firefox_handshakes_page_loads_and_json_posts_allocate_nothing() {
    let offers = [
        Protocol::parse(b"websocket").unwrap(),
        Protocol::parse(b"h2c").unwrap(),
    ];
    let policy = Policy::default();
    for (request, expected, head) in [
        (
            FIREFOX_WEBSOCKET,
            Outcome::Switch,
            "HTTP/1.1 101 Switching Protocols\r\n",
        ),
        (CHROMIUM_PAGE_LOAD, Outcome::Continue, ""),
        (JSON_POST, Outcome::Continue, ""),
    ] {
        let (n, outcome, out) = decide_counting(request, &offers, &policy);
        assert_eq!(n, 0);
        assert_eq!(outcome, expected);
        assert!(out.as_str().starts_with(head));
        assert_eq!(out.is_empty(), head.is_empty());
    }
}

#[test]
fn refusing_and_rejecting_allocate_nothing() {
    let offers = [
        Protocol::parse(b"websocket").unwrap(),
        Protocol::parse(b"foo/2").unwrap(),
    ];
    let policy = Policy::new().with_require_upgrade(true);
    let mut required = StackWriter::<256>::new();
    let mut rejected = StackWriter::<256>::new();
    let mut outcomes = (Outcome::Continue, Outcome::Continue);
    let n = allocations_in(|| {
        outcomes.0 = decide_and_write(
            b"GET / HTTP/1.1\r\nHost: a\r\n\r\n",
            &offers,
            &policy,
            &mut required,
        );
        outcomes.1 = decide_and_write(
            b"GET / HTTP/1.1\r\nUpgrade :\r\n\r\n",
            &offers,
            &policy,
            &mut rejected,
        );
    });
    assert_eq!(n, 0);
    assert_eq!(outcomes, (Outcome::Required, Outcome::Reject));
    assert!(required.as_str().contains("Upgrade: websocket, foo/2\r\n"));
    assert!(
        rejected
            .as_str()
            .starts_with("HTTP/1.1 400 Bad Request\r\n")
    );
}

#[test]
fn checking_a_response_and_listing_hop_by_hop_fields_allocate_nothing() {
    let response = SWITCH_WEBSOCKET.as_bytes();
    let mut valid = false;
    let mut hop_count = 0;
    let n = allocations_in(|| {
        let mut request_headers = [httparse::EMPTY_HEADER; 32];
        let request = parse_request(CHROMIUM_WEBSOCKET, &mut request_headers)
            .unwrap()
            .complete()
            .unwrap();
        let mut response_headers = [httparse::EMPTY_HEADER; 8];
        let response = parse_response(response, &mut response_headers)
            .unwrap()
            .complete()
            .unwrap();
        let check = check_response(request, response, &Policy::default());
        valid = check.valid() && check.switched() && check.protocols().count() == 1;
        let hop = hop_by_hop(request.headers(), &Policy::default()).unwrap();
        hop_count = request
            .headers()
            .iter()
            .filter(|h| hop.is_hop_by_hop(h.name))
            .count()
            + hop.names().count();
    });
    assert_eq!(n, 0);
    assert!(valid);
    // Connection and Upgrade are in the request; the names are the seven fixed ones.
    assert_eq!(hop_count, 2 + 7);
}
