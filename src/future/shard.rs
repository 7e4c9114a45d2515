//! Which shard of a per-thread-sharded structure the current thread uses,
//! and a cache-line wrapper for the shards: what keeps per-call bookkeeping
//! shared by many threads (a [`RecyclePool`](super::RecyclePool)'s free
//! lists, a registry entry's counters) from writing the same cache line
//! from every core.
//!
//! No `unsafe` here; it lives in `future` because both the storage and the
//! registry above it use it, and imports only run downward.

use alloc::collections::BTreeSet;
use core::cell::Cell;
use core::sync::atomic::{AtomicU64, AtomicUsize, Ordering, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

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

/// Hands out fresh thread indices.
static NEXT_THREAD: AtomicUsize = AtomicUsize::new(0);

/// Indices of threads that have exited, handed out again lowest first, so
/// that threads come and go (a test harness, a blocking pool) without
/// pushing the long-lived ones off the shards they could own.
static FREED: Mutex<BTreeSet<usize>> = Mutex::new(BTreeSet::new());

/// `INDEX` before the thread first asks.
const UNASSIGNED: usize = usize::MAX;
/// `INDEX` once the thread's locals are being destroyed: its index was
/// given back, and whatever runs after uses the shared paths.
const GONE: usize = usize::MAX - 1;
// The fast path of `own_shard` tests `index < SHARDS` alone.
const _: () = assert!(SHARDS < GONE && SHARDS < UNASSIGNED);

std::thread_local! {
    /// This thread's index. `const`-initialized and without a destructor,
    /// so reading it is a plain thread-local load, inlined, with no state
    /// check (a local with a destructor costs an out-of-line `try_with` call
    /// on every read, measured with callgrind), and it can be read while
    /// other locals are destroyed.
    static INDEX: Cell<usize> = const { Cell::new(UNASSIGNED) };
    /// Gives the index back when the thread exits; touched once, when the
    /// index is assigned.
    static RELEASE: Release = const { Release };
}

/// Gives this thread's index back to [`FREED`] when the thread exits.
struct Release;

impl Drop for Release {
    fn drop(&mut self) {
        let index = INDEX.with(|index| index.replace(GONE));
        if index < GONE {
            // The lock orders everything this thread did on its shards
            // before whatever the next owner does on them.
            FREED
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(index);
        }
    }
}

/// The current thread's index: unique among live threads, the lowest one
/// free when the thread first asks. `None` once the thread's locals are
/// being destroyed.
#[inline]
pub(crate) fn thread_index() -> Option<usize> {
    let index = INDEX.with(Cell::get);
    if index < GONE {
        Some(index)
    } else if index == UNASSIGNED {
        assign()
    } else {
        None
    }
}

#[cold]
#[inline(never)]
fn assign() -> Option<usize> {
    // Registers the destructor first: if that is no longer possible (the
    // thread is exiting), the thread takes no index.
    RELEASE.try_with(|_| ()).ok()?;
    let fresh = FREED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .pop_first()
        .unwrap_or_else(|| NEXT_THREAD.fetch_add(1, Relaxed));
    INDEX.with(|index| index.set(fresh));
    Some(fresh)
}

/// This thread's own shard, if it has one: threads holding the indices
/// below [`SHARDS`] each own one, which only they write, so they may count
/// with a plain load and store instead of a read-modify-write (no `lock`
/// prefix on x86). More threads than that at once share an overflow path
/// with atomic adds. An index, and with it a shard, passes to another
/// thread only after its thread has exited.
///
/// One comparison on the path every call takes (a thread that owns a
/// shard): [`UNASSIGNED`] and [`GONE`] are above [`SHARDS`], so they take
/// the out-of-line path with the threads that own none (measured with
/// callgrind: half the instructions of testing them first).
#[inline]
pub(crate) fn own_shard() -> Option<usize> {
    let index = INDEX.with(Cell::get);
    if index < SHARDS {
        Some(index)
    } else {
        let index = own_shard_slow();
        (index < SHARDS).then_some(index)
    }
}

/// [`own_shard`] for a thread that does not own one yet, or never will:
/// its index, or `usize::MAX` if it owns no shard.
///
/// `extern "C"`, so that the compiler knows it does not unwind (a panic
/// here, which nothing in it can raise, would abort): a call that may
/// unwind between the writes of an erased call's handle and its return
/// makes the compiler build the whole handle aside and copy it (a registry
/// entry's start count and a recycled pool's take run inside erased
/// calls; a counting twin's hooks call nothing there, see `placed` in
/// `__private`).
#[cold]
#[inline(never)]
extern "C" fn own_shard_slow() -> usize {
    thread_index()
        .filter(|&index| index < SHARDS)
        .unwrap_or(usize::MAX)
}

/// This thread's own shard among `shards` (one per thread that owns one,
/// then the shared overflow shard), and whether it owns it.
#[inline]
pub(crate) fn pick<T>(shards: &[CacheLine<T>; SHARDS + 1]) -> (&T, bool) {
    match own_shard() {
        Some(index) => (&shards[index].0, true),
        None => (&shards[SHARDS].0, false),
    }
}

/// Whether this thread owns a shard, without taking an index: `false` for
/// a thread that has none yet, as for one that owns none. What a counting
/// twin's erasure tests first, so that its counts, which never take an
/// index, find one (see `placed` in `__private`).
#[inline]
pub(crate) fn owns_shard() -> bool {
    INDEX.with(Cell::get) < SHARDS
}

/// Whether this thread has been given an index (tests: without taking
/// one, as [`thread_index`] would); the counting twin's tests use it.
#[cfg(all(test, feature = "macros"))]
pub(crate) fn has_index() -> bool {
    INDEX.with(Cell::get) < GONE
}

/// [`pick`] for a count that must not call out of line: a thread that
/// owns no shard yet (it has not been given an index) counts on the shared
/// overflow shard, with atomic adds, instead of taking an index here. What
/// `Tracked`'s `poll` uses for a call's end: with no call left in it, the
/// poll that wraps every tracked future needs no callee-saved registers
/// for the count (the index is taken where calls are made).
///
/// `count` gets the shard and whether this thread owns it, in two
/// branches with a constant each: returned as a pair, the compiler chose
/// the shard with a conditional move and then branched on the flag again
/// (five instructions more per count, measured with callgrind).
#[inline]
pub(crate) fn on_assigned<T, R>(
    shards: &[CacheLine<T>; SHARDS + 1],
    count: impl FnOnce(&T, bool) -> R,
) -> R {
    let index = INDEX.with(Cell::get);
    if index < SHARDS {
        count(&shards[index].0, true)
    } else {
        count(&shards[SHARDS].0, false)
    }
}

/// Adds `n` to `counter`, on a shard this thread owns (`owned`: only this
/// thread writes it, so a plain load and store count exactly and readers
/// never see a torn value) or shares (an atomic add).
#[inline]
pub(crate) fn add(counter: &AtomicU64, n: u64, owned: bool, order: Ordering) {
    if owned {
        counter.store(counter.load(Relaxed) + n, order);
    } else {
        counter.fetch_add(n, order);
    }
}

/// This thread's shard among [`SHARDS`] (shared when more threads run).
#[inline]
pub(crate) fn shard() -> usize {
    thread_index().unwrap_or(0) & (SHARDS - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn a_thread_keeps_its_index_and_live_threads_differ() {
        let here = thread_index().unwrap();
        assert_eq!(thread_index(), Some(here));
        let (tx, rx) = std::sync::mpsc::channel();
        let (done, wait) = std::sync::mpsc::channel::<()>();
        let other = std::thread::spawn(move || {
            tx.send(thread_index().unwrap()).unwrap();
            wait.recv().unwrap(); // alive until `here` is compared
        });
        let there = rx.recv().unwrap();
        assert_ne!(here, there);
        done.send(()).unwrap();
        other.join().unwrap();
        assert!(shard() < SHARDS);
    }

    #[test]
    fn on_assigned_counts_a_fresh_thread_on_the_overflow_shard_without_an_index() {
        let shards: [CacheLine<AtomicU64>; SHARDS + 1] = Default::default();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                on_assigned(&shards, |shard, owned| {
                    assert!(!owned && core::ptr::eq(shard, &shards[SHARDS].0));
                    add(shard, 1, owned, Relaxed);
                });
                // No index was taken: a later `pick` takes one.
                assert_eq!(INDEX.with(Cell::get), UNASSIGNED);
                let (mine, owned) = pick(&shards);
                assert_ne!(INDEX.with(Cell::get), UNASSIGNED);
                // (Owned unless more than `SHARDS` threads hold indices.)
                on_assigned(&shards, |again, owned_again| {
                    assert!(owned_again == owned && core::ptr::eq(again, mine));
                });
            });
        });
        assert_eq!(shards[SHARDS].0.load(Relaxed), 1);
    }

    #[test]
    fn a_thread_owns_the_shard_of_its_index_below_shards_and_none_from_there() {
        // More live threads than shards: at least one holds an index of
        // `SHARDS` or more (live threads' indices differ), and each asks
        // first on the out-of-line path (a fresh thread has no index).
        let threads = SHARDS + 4;
        let all_asked = std::sync::Barrier::new(threads);
        let seen: Vec<(usize, Option<usize>, Option<usize>)> = std::thread::scope(|scope| {
            let asking: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let first = own_shard();
                        let index = thread_index().expect("a live thread takes an index");
                        let again = own_shard();
                        all_asked.wait(); // every index stays taken until all asked
                        (index, first, again)
                    })
                })
                .collect();
            asking.into_iter().map(|t| t.join().unwrap()).collect()
        });
        for &(index, first, again) in &seen {
            let owned = (index < SHARDS).then_some(index);
            assert_eq!((first, again), (owned, owned), "index {index}");
        }
        assert!(seen.iter().any(|&(index, ..)| index >= SHARDS));
    }

    #[test]
    fn a_cache_line_is_128_bytes() {
        assert_eq!(core::mem::align_of::<CacheLine<u8>>(), 128);
        assert_eq!(core::mem::size_of::<CacheLine<[u64; 10]>>(), 128);
    }
}
