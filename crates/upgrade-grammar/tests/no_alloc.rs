//! Parsing borrows from its input and never touches the heap: a counting global allocator
//! watches this thread while every public parsing entry point runs.

// A global allocator can only be written with `unsafe`; it forwards to `System` unchanged.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use upgrade_grammar::{Config, Protocol, Token, parse_connection, parse_upgrade};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters are
// const-initialised thread locals, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.with(Cell::get) {
            ALLOCATIONS.with(|n| n.set(n.get() + 1));
        }
        // SAFETY: same layout contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns how many allocations this thread made meanwhile.
fn allocations_in(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get)
}

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
        std::hint::black_box(Token::new(b"h2c").ok());
        let mut buf = ArrayWriter::default();
        let protocols = parse_upgrade(upgrade, Config::RECIPIENT).filter_map(Result::ok);
        std::hint::black_box(upgrade_grammar::write_upgrade(&mut buf, protocols).ok());
    });
    assert_eq!(n, 0);
}

/// A fixed buffer that implements `fmt::Write`, so formatting can be watched too.
struct ArrayWriter {
    buf: [u8; 256],
    len: usize,
}

impl Default for ArrayWriter {
    fn default() -> Self {
        ArrayWriter {
            buf: [0; 256],
            len: 0,
        }
    }
}

impl std::fmt::Write for ArrayWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.buf
            .get_mut(self.len..end)
            .ok_or(std::fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
