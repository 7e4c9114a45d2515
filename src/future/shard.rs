//! Which shard of a per-thread-sharded structure the current thread uses,
//! and a cache-line wrapper for the shards: what keeps per-call bookkeeping
//! shared by many threads (a [`RecyclePool`](super::RecyclePool)'s free
//! lists, a registry entry's counters) from writing the same cache line
//! from every core.
//!
//! No `unsafe` here; it lives in `future` because both the storage and the
//! registry above it use it, and imports only run downward.

use core::cell::Cell;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// How many shards the sharded structures keep. A power of two, so the
/// thread's index is reduced with a mask. Sixteen keeps threads of a
/// runtime with up to sixteen workers on lines of their own, and costs a
/// registry entry 16 × 128 bytes of counters.
pub(crate) const SHARDS: usize = 16;

/// A value on cache lines of its own: 128 bytes, because x86-64 prefetches
/// lines in pairs (crossbeam's `CachePadded` makes the same choice there).
#[derive(Debug, Default)]
#[repr(align(128))]
pub(crate) struct CacheLine<T>(pub(crate) T);

/// Hands out thread indices in order of first use.
static NEXT_THREAD: AtomicUsize = AtomicUsize::new(0);

std::thread_local! {
    /// This thread's index, `usize::MAX` until first asked. A `const`
    /// initializer, so reading it is a plain thread-local load, with no lazy
    /// initialization check of the runtime's own.
    static THREAD: Cell<usize> = const { Cell::new(usize::MAX) };
}

/// The current thread's index, in `0..usize::MAX`: threads first asking in
/// turn get 0, 1, 2, …, so the first [`SHARDS`] threads (a runtime's
/// workers, typically) each get a shard of their own.
#[inline]
pub(crate) fn thread_index() -> usize {
    THREAD.with(|index| {
        let current = index.get();
        if current != usize::MAX {
            return current;
        }
        let fresh = NEXT_THREAD.fetch_add(1, Relaxed) % (usize::MAX - 1);
        index.set(fresh);
        fresh
    })
}

/// This thread's own shard, if it has one: the first [`SHARDS`] threads to
/// ask each own one, which only they write, so they may count with a plain
/// load and store instead of a read-modify-write (no `lock` prefix on
/// x86). Later threads share an overflow shard with atomic adds. Indices
/// are not reused when threads exit: a program that starts many
/// short-lived threads before its long-lived ones leaves those on the
/// overflow shard (still correct, only contended).
#[inline]
pub(crate) fn own_shard() -> Option<usize> {
    let index = thread_index();
    if index < SHARDS { Some(index) } else { None }
}

/// This thread's shard among [`SHARDS`].
#[inline]
pub(crate) fn shard() -> usize {
    thread_index() & (SHARDS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_keeps_its_index_and_threads_differ() {
        let here = thread_index();
        assert_eq!(thread_index(), here);
        let there = std::thread::spawn(thread_index).join().unwrap();
        assert_ne!(here, there);
        assert!(shard() < SHARDS);
    }

    #[test]
    fn a_cache_line_is_128_bytes() {
        assert_eq!(core::mem::align_of::<CacheLine<u8>>(), 128);
        assert_eq!(core::mem::size_of::<CacheLine<[u64; 10]>>(), 128);
    }
}
