//! Proving that code does not allocate: a counting global allocator for test binaries, and a
//! fixed buffer that implements `fmt::Write` for the code under test to write into.
//!
//! A test binary installs the allocator with
//! `#[global_allocator] static GLOBAL: CountingAllocator = CountingAllocator;` and wraps the code
//! under test in [`allocations_in`].

// A global allocator can only be written with `unsafe`: this one forwards every call to `System`
// unchanged and only counts, so the contract of each method is exactly its caller's.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt;

/// A global allocator that forwards to [`System`] and counts the allocations the current thread
/// makes inside [`allocations_in`].
pub struct CountingAllocator;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded unchanged to the system allocator; the counters are
// const-initialised thread locals, which never allocate.
unsafe impl GlobalAlloc for CountingAllocator {
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

/// Runs `f` and returns how many allocations this thread made meanwhile, as counted by a
/// [`CountingAllocator`] installed as the global allocator (always 0 without one).
pub fn allocations_in(f: impl FnOnce()) -> usize {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    f();
    COUNTING.with(|c| c.set(false));
    ALLOCATIONS.with(Cell::get)
}

/// A fixed buffer of `N` bytes that implements `fmt::Write`, failing once full.
pub struct StackWriter<const N: usize> {
    bytes: [u8; N],
    len: usize,
}

impl<const N: usize> StackWriter<N> {
    /// An empty buffer.
    pub fn new() -> Self {
        StackWriter {
            bytes: [0; N],
            len: 0,
        }
    }

    /// How many bytes were written so far.
    pub const fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was written yet.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// What was written so far.
    pub fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl<const N: usize> Default for StackWriter<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> fmt::Write for StackWriter<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.bytes
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    #[test]
    fn stack_writer_keeps_what_fits_and_fails_past_its_size() {
        let mut w = StackWriter::<4>::new();
        assert!(w.write_str("abc").is_ok());
        assert!(w.write_str("de").is_err());
        assert_eq!(w.as_str(), "abc");
    }
}
