//! Upgrade requests as real clients send them, byte for byte, and the values and 101 heads of
//! a valid handshake, for tests and benches.

/// A valid `Sec-WebSocket-Key`: the example of RFC 6455 section 1.3.
pub const WEBSOCKET_KEY: &str = "dGhlIHNhbXBsZSBub25jZQ==";
/// The `Sec-WebSocket-Accept` that answers [`WEBSOCKET_KEY`] (RFC 6455 section 1.3).
pub const WEBSOCKET_ACCEPT: &str = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
/// A valid `HTTP2-Settings` value.
pub const HTTP2_SETTINGS: &str = "AAMAAABkAARAAAAAAAIAAAAA";

/// The 101 `upgrade-negotiate` writes when it switches a request with [`WEBSOCKET_KEY`] to
/// websocket.
pub const SWITCH_WEBSOCKET: &str = "HTTP/1.1 101 Switching Protocols\r\n\
    Connection: upgrade\r\n\
    Upgrade: websocket\r\n\
    Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\
    \r\n";
/// The 101 `upgrade-negotiate` writes when it switches to h2c.
pub const SWITCH_H2C: &str =
    "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n";

/// The websocket handshake Chromium 126 sends (with the key of RFC 6455 section 1.3, whose
/// `Sec-WebSocket-Accept` is `s3pPLMBiTxaQ9kYGzzhZRbK+xOo=`).
pub const CHROMIUM_WEBSOCKET: &[u8] = b"GET /chat HTTP/1.1\r\n\
Host: example.com:8000\r\n\
Connection: Upgrade\r\n\
Pragma: no-cache\r\n\
Cache-Control: no-cache\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36\r\n\
Upgrade: websocket\r\n\
Origin: http://example.com\r\n\
Sec-WebSocket-Version: 13\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Accept-Language: en-US,en;q=0.9\r\n\
Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\
Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\
\r\n";

/// The websocket handshake Firefox 128 sends: `Connection: keep-alive, Upgrade`, `Upgrade` last,
/// and fetch metadata fields.
pub const FIREFOX_WEBSOCKET: &[u8] = b"GET /chat HTTP/1.1\r\n\
Host: example.com:8000\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n\
Accept: */*\r\n\
Accept-Language: en-US,en;q=0.5\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Sec-WebSocket-Version: 13\r\n\
Origin: http://example.com\r\n\
Sec-WebSocket-Extensions: permessage-deflate\r\n\
Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n\
Connection: keep-alive, Upgrade\r\n\
Sec-Fetch-Dest: empty\r\n\
Sec-Fetch-Mode: websocket\r\n\
Sec-Fetch-Site: same-origin\r\n\
Pragma: no-cache\r\n\
Cache-Control: no-cache\r\n\
Upgrade: websocket\r\n\
\r\n";

/// A page load as Chromium 126 sends it over HTTP/1.1: no `Upgrade`, `Connection: keep-alive`,
/// a cookie and the fetch metadata fields. Most requests a server sees look like this.
pub const CHROMIUM_PAGE_LOAD: &[u8] = b"GET /docs/index.html HTTP/1.1\r\n\
Host: example.com\r\n\
Connection: keep-alive\r\n\
Cache-Control: max-age=0\r\n\
sec-ch-ua: \"Not/A)Brand\";v=\"8\", \"Chromium\";v=\"126\", \"Google Chrome\";v=\"126\"\r\n\
sec-ch-ua-mobile: ?0\r\n\
sec-ch-ua-platform: \"Linux\"\r\n\
Upgrade-Insecure-Requests: 1\r\n\
User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7\r\n\
Sec-Fetch-Site: same-origin\r\n\
Sec-Fetch-Mode: navigate\r\n\
Sec-Fetch-User: ?1\r\n\
Sec-Fetch-Dest: document\r\n\
Referer: http://example.com/\r\n\
Accept-Encoding: gzip, deflate, br, zstd\r\n\
Accept-Language: en-US,en;q=0.9\r\n\
Cookie: session=8f14e45fceea167a5a36dedd4bea2543; theme=dark\r\n\
\r\n";

/// A JSON API call as an HTTP client library sends it: `POST` with `Content-Length`, no
/// `Upgrade`, and its body after the head.
pub const JSON_POST: &[u8] = b"POST /api/v1/orders HTTP/1.1\r\n\
Host: api.example.com\r\n\
User-Agent: python-requests/2.32.3\r\n\
Accept-Encoding: gzip, deflate\r\n\
Accept: application/json\r\n\
Connection: keep-alive\r\n\
Content-Type: application/json\r\n\
Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl\r\n\
Content-Length: 45\r\n\
\r\n\
{\"item\": \"book\", \"quantity\": 2, \"gift\": true}";

/// What curl sends for `--http2` over cleartext: an h2c upgrade with its `HTTP2-Settings`.
pub const CURL_H2C: &[u8] = b"GET / HTTP/1.1\r\n\
Host: localhost:8080\r\n\
User-Agent: curl/8.5.0\r\n\
Accept: */*\r\n\
Connection: Upgrade, HTTP2-Settings\r\n\
Upgrade: h2c\r\n\
HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\
\r\n";

/// `lines` after `Host: example.com` when they have no `Host` of their own: every HTTP/1.1
/// request needs exactly one (RFC 9112 section 3.2), and test tables leave it out unless the
/// row is about `Host`.
pub fn with_host<'a>(lines: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let has_host = lines.iter().any(|(n, _)| n.eq_ignore_ascii_case("host"));
    let host = (!has_host).then_some(("Host", "example.com"));
    host.into_iter().chain(lines.iter().copied()).collect()
}
