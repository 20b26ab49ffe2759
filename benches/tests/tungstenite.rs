//! The tungstenite peer of the request benches answers the same handshakes with a 101 of the
//! same accept key, so the two are measured doing the same work.

#[path = "../benches/peers/tungstenite.rs"]
mod peer;

use tungstenite::handshake::derive_accept_key;
use upgrade_benches::request::{Request, httparse_decision, offers};

#[test]
fn tungstenite_switches_on_every_websocket_handshake_with_our_accept_key() {
    let offers = offers().unwrap();
    let mut websockets = 0;
    for request in Request::ALL {
        let ours = httparse_decision(request.bytes(), &offers);
        let theirs = peer::tungstenite(request.bytes());
        if !request.is_websocket() {
            assert_eq!(ours.websocket_accept(), None, "{}", request.name());
            continue;
        }
        websockets += 1;
        let accept = ours.websocket_accept().unwrap();
        let key = std::str::from_utf8(request.bytes())
            .unwrap()
            .lines()
            .find_map(|l| l.strip_prefix("Sec-WebSocket-Key: "))
            .unwrap();
        assert_eq!(derive_accept_key(key.as_bytes()), accept.as_str());
        // The same 101, with the field names as `http` spells them.
        let head = format!(
            "HTTP/1.1 101 Switching Protocols\r\nconnection: Upgrade\r\n\
             upgrade: websocket\r\nsec-websocket-accept: {accept}\r\n\r\n"
        );
        assert_eq!(theirs, Some(head.len()), "{}", request.name());
    }
    assert_eq!(websockets, 2);
}

#[test]
fn tungstenite_refuses_what_is_not_a_websocket_handshake() {
    for name in ["curl-h2c", "page-load", "json-post"] {
        let request = Request::find(name).unwrap();
        assert_eq!(peer::tungstenite(request.bytes()), None, "{name}");
    }
}
