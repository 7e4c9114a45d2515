//! A `#[global_allocator]` that counts, per thread, the allocations made
//! through it, so that tests running in parallel do not see each other's.

#![allow(
    unsafe_code,
    reason = "a GlobalAlloc impl is unsafe by definition; it only forwards to System"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Forwards to [`System`], counting on the calling thread.
pub struct CountingAlloc;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
    static DEALLOCS: Cell<u64> = const { Cell::new(0) };
    /// Blocks of exactly this size are also counted in the two below.
    static WATCHED_SIZE: Cell<usize> = const { Cell::new(usize::MAX) };
    static WATCHED_ALLOCS: Cell<u64> = const { Cell::new(0) };
    static WATCHED_DEALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn watched(size: usize) -> bool {
    WATCHED_SIZE.try_with(Cell::get) == Ok(size)
}

fn bump(counter: &'static std::thread::LocalKey<Cell<u64>>, by: u64) {
    // `try_with`: during thread teardown the slots may be gone; those
    // allocations are not part of any measurement.
    let _ = counter.try_with(|c| c.set(c.get() + by));
}

// SAFETY: every method forwards to `System` with the arguments it was given,
// so `System`'s guarantees are ours; the counting touches only const-initialized
// thread-locals, which never allocate.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump(&ALLOCS, 1);
        bump(&BYTES, layout.size() as u64);
        if watched(layout.size()) {
            bump(&WATCHED_ALLOCS, 1);
        }
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        bump(&DEALLOCS, 1);
        if watched(layout.size()) {
            bump(&WATCHED_DEALLOCS, 1);
        }
        // SAFETY: forwarded unchanged; the caller upholds `dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump(&ALLOCS, 1);
        bump(&BYTES, layout.size() as u64);
        // SAFETY: forwarded unchanged; the caller upholds the contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump(&ALLOCS, 1);
        bump(&BYTES, new_size as u64);
        bump(&DEALLOCS, 1);
        // SAFETY: forwarded unchanged; the caller upholds the contract.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What one thread allocated during a measurement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Allocs {
    pub allocs: u64,
    pub bytes: u64,
    pub deallocs: u64,
}

impl Allocs {
    /// Nothing allocated, nothing freed.
    pub const NONE: Allocs = Allocs {
        allocs: 0,
        bytes: 0,
        deallocs: 0,
    };
}

fn snapshot() -> Allocs {
    Allocs {
        allocs: ALLOCS.with(Cell::get),
        bytes: BYTES.with(Cell::get),
        deallocs: DEALLOCS.with(Cell::get),
    }
}

/// Runs `f` and returns its result with what this thread allocated meanwhile.
pub fn count<R>(f: impl FnOnce() -> R) -> (R, Allocs) {
    let before = snapshot();
    let out = f();
    let after = snapshot();
    (
        out,
        Allocs {
            allocs: after.allocs - before.allocs,
            bytes: after.bytes - before.bytes,
            deallocs: after.deallocs - before.deallocs,
        },
    )
}

/// Runs `f` and counts this thread's allocations and deallocations of blocks
/// of exactly `size` bytes: for measurements that other allocations (a
/// panic's payload and backtrace) would blur.
pub fn count_size<R>(size: usize, f: impl FnOnce() -> R) -> (R, (u64, u64)) {
    WATCHED_SIZE.with(|w| w.set(size));
    let before = (
        WATCHED_ALLOCS.with(Cell::get),
        WATCHED_DEALLOCS.with(Cell::get),
    );
    let out = f();
    let after = (
        WATCHED_ALLOCS.with(Cell::get),
        WATCHED_DEALLOCS.with(Cell::get),
    );
    WATCHED_SIZE.with(|w| w.set(usize::MAX));
    (out, (after.0 - before.0, after.1 - before.1))
}
