//! Parsing borrows from its input and, like formatting into a buffer, never touches the heap: a
//! counting global allocator watches this thread while every public parsing and formatting entry
//! point runs.

use upgrade_grammar::{Config, Protocol, Token, parse_connection, parse_upgrade};
use upgrade_testkit::alloc::{CountingAllocator, StackWriter, allocations_in};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

#[test]
fn counting_allocator_sees_a_heap_allocation() {
    let n = allocations_in(|| {
        std::hint::black_box(vec![1u8; 16]);
    });
    assert_eq!(n, 1);
}

#[test]
fn parsing_allocates_nothing() {
    let upgrade: [&[u8]; 3] = [
        b"HTTP/2.0, SHTTP/1.3",
        b" , IRC/6.9,, RTA/x11 ",
        b"websocket",
    ];
    let connection: [&[u8]; 2] = [b"keep-alive", b"Upgrade, HTTP2-Settings"];
    let bad: [&[u8]; 2] = [b"a, b", b"websocket;q=1"];
    // What the byte writers returned, checked after the watch: a write cut short would measure
    // less than the whole path.
    let mut written = (None, None);
    let n = allocations_in(|| {
        for config in [Config::RECIPIENT, Config::SENDER] {
            for p in parse_upgrade(upgrade, config) {
                std::hint::black_box(p.map(|p| (p.name().as_str(), p.version())).ok());
            }
            std::hint::black_box(parse_upgrade(upgrade, config).validate().ok());
            std::hint::black_box(
                parse_connection(connection, config)
                    .contains(b"upgrade")
                    .ok(),
            );
            let err = parse_upgrade(bad, config).validate().err();
            std::hint::black_box(err.map(|e| (e.kind(), e.line(), e.offset())));
        }
        let p = Protocol::parse(b"websocket/13").ok();
        std::hint::black_box(p.map(|p| p.matches(&p)));
        std::hint::black_box(Token::parse(b"h2c").ok());
        let mut buf = StackWriter::<256>::new();
        let protocols = parse_upgrade(upgrade, Config::RECIPIENT).filter_map(Result::ok);
        std::hint::black_box(upgrade_grammar::write_upgrade(&mut buf, protocols).ok());
        let mut bytes = [0; 256];
        let protocols = parse_upgrade(upgrade, Config::RECIPIENT).filter_map(Result::ok);
        written.0 =
            std::hint::black_box(upgrade_grammar::write_upgrade_bytes(&mut bytes, protocols));
        let options = parse_connection(connection, Config::RECIPIENT).filter_map(Result::ok);
        written.1 =
            std::hint::black_box(upgrade_grammar::write_connection_bytes(&mut bytes, options));
    });
    assert_eq!(n, 0);
    let upgrade_text = "HTTP/2.0, SHTTP/1.3, IRC/6.9, RTA/x11, websocket";
    let connection_text = "keep-alive, Upgrade, HTTP2-Settings";
    assert_eq!(
        written,
        (Some(upgrade_text.len()), Some(connection_text.len()))
    );
}
