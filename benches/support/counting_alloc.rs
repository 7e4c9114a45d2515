//! The benches' counting `#[global_allocator]`: exact allocations and bytes
//! per call, never estimates.
//!
//! Counts live in thread-locals, so a measurement sees only its own thread;
//! they are `const`-initialised `Cell`s, which never allocate. A bench that
//! wants the counts installs it itself (`callgrind_dispatch` does not: there
//! the allocating rows pay glibc's `malloc` and `free` and nothing more):
//!
//! ```text
//! #[global_allocator]
//! static GLOBAL: support::counting_alloc::CountingAlloc = support::counting_alloc::CountingAlloc;
//! ```

#![allow(
    unsafe_code,
    reason = "a GlobalAlloc impl is unsafe by definition; it only forwards to System"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Forwards to [`System`], counting on the calling thread.
#[derive(Debug)]
pub(crate) struct CountingAlloc;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
}

fn bump(by_bytes: usize) {
    // `try_with`: during thread teardown the slots may be gone; those
    // allocations belong to no measurement.
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
    let _ = BYTES.try_with(|c| c.set(c.get() + by_bytes as u64));
}

// SAFETY: every method forwards to `System` with the arguments it was given,
// so `System`'s guarantees are ours; the counting touches only const-initialised
// thread-locals, which never allocate.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump(layout.size());
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; the caller upholds `dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump(layout.size());
        // SAFETY: forwarded unchanged; the caller upholds the contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump(new_size);
        // SAFETY: forwarded unchanged; the caller upholds the contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What one thread allocated during a measurement (a `realloc` counts as one
/// allocation of its new size).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Allocs {
    /// Allocations made.
    pub(crate) allocs: u64,
    /// Bytes requested by them.
    pub(crate) bytes: u64,
}

fn snapshot() -> Allocs {
    Allocs {
        allocs: ALLOCS.with(Cell::get),
        bytes: BYTES.with(Cell::get),
    }
}

/// Runs `f` and returns what this thread allocated meanwhile (zero unless
/// [`CountingAlloc`] is the global allocator).
pub(crate) fn count(f: impl FnOnce()) -> Allocs {
    let before = snapshot();
    f();
    let after = snapshot();
    Allocs {
        allocs: after.allocs - before.allocs,
        bytes: after.bytes - before.bytes,
    }
}
