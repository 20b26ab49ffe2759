//! The `roundtrip` fuzz target decodes and checks each input in buffers kept between inputs: a
//! counting global allocator watches this thread while it runs on warm buffers, and sees
//! nothing allocated.

use arbitrary::{Arbitrary, Unstructured};
use upgrade_testkit::alloc::{CountingAllocator, allocations_in};
use upgrade_testkit::checks::check_roundtrip;
use upgrade_testkit::generate::ListInput;
use upgrade_testkit::roundtrip::{RenderedList, check_roundtrip_bytes};

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// `len` bytes from a fixed xorshift generator, most of them odd: decoded, most flags are set, so
/// that the list goes on for long, with versions, empty elements and blank lines.
fn pseudo_random(len: usize, mut state: u64) -> Vec<u8> {
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let byte = state as u8;
            if (state >> 8) & 0xff == 0 {
                byte & !1
            } else {
                byte | 1
            }
        })
        .collect()
}

#[test]
fn roundtrip_target_allocates_nothing_once_warm() {
    let data = pseudo_random(4096, 0x2545_f491_4f6c_dd1d);
    let mut list = RenderedList::new();
    list.decode(Unstructured::new(&data)).unwrap();
    assert!(list.items().count() > 50 && list.empty_elements() > 10);
    let blank = |line: &&[u8]| line.iter().all(|b| b" \t".contains(b));
    assert!(list.lines().filter(blank).count() > 10);
    // Warm the buffers: the whole input lays out at least as much as any of its prefixes.
    check_roundtrip_bytes(&data);
    for len in [4096, 2048, 1024, 512, 256, 100, 64, 48, 33, 8, 1, 0] {
        let n = allocations_in(|| check_roundtrip_bytes(&data[..len]));
        assert_eq!(n, 0, "{len} bytes");
    }
}

#[test]
fn counter_sees_the_allocations_of_the_collecting_check() {
    // The collecting check, for contrast: this proves the allocator is installed and counts.
    let data = pseudo_random(256, 7);
    let n = allocations_in(|| {
        if let Ok(input) = ListInput::arbitrary_take_rest(Unstructured::new(&data)) {
            check_roundtrip(&input);
        }
    });
    assert!(n > 0);
}
