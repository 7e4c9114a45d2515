//! Your own multi-method async trait, called statically and through `dyn`
//! with inline futures: one attribute, `#[dyn_twin(DynRepository)]`, on a
//! `Repository` written with plain `async fn`.
//!
//! Shows: static calls (no allocation), the twin's `_dyn` calls (inline, no
//! allocation), a borrowed argument, per-method layouts known without
//! calling, a spilling method and the reusable slot that stops its
//! allocations, `&mut self`, per-method counting, and generic code that takes
//! both a concrete repository and the trait object. What the attribute
//! generates is in `hybrid_dispatch::dyn_twin`'s docs ("Expansion").
//!
//! Run: `cargo run --example multi_method`

use core::future::Future;
use core::pin::pin;
use core::task::{Context, Poll, Waker};
use std::collections::BTreeMap;
use std::sync::Mutex;

use counting_alloc::{CountingAlloc, count};
use hybrid_dispatch::capacity::S8;
use hybrid_dispatch::twin::CountedTwin;
use hybrid_dispatch::{FutureSlot, dyn_twin};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// A key-value repository with four asynchronous steps.
#[dyn_twin(DynRepository)]
pub trait Repository {
    /// Looks `key` up.
    async fn fetch(&self, key: u64) -> Option<u64>;
    /// Stores the checksum of `bytes` under `key`; returns how many bytes it
    /// read. The future borrows `bytes`.
    async fn store(&self, key: u64, bytes: &[u8]) -> usize;
    /// Rebuilds an index in a 1 KiB scratch buffer held across an await: a
    /// large future, to show a spill.
    async fn reindex(&self) -> usize;
    /// Forgets everything.
    async fn clear(&mut self) -> usize;
}

/// An in-memory repository. A `BTreeMap`: an empty one allocates nothing,
/// so the allocation counts below are the erasure's alone.
#[derive(Debug, Default)]
pub struct Memory {
    data: Mutex<BTreeMap<u64, u64>>,
}

/// Pending once, then ready: a real suspension point.
async fn yield_once() {
    let mut yielded = false;
    core::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await;
}

impl Repository for Memory {
    async fn fetch(&self, key: u64) -> Option<u64> {
        yield_once().await;
        self.data.lock().unwrap().get(&key).copied()
    }
    async fn store(&self, key: u64, bytes: &[u8]) -> usize {
        let sum = bytes.iter().map(|&b| u64::from(b)).sum();
        yield_once().await;
        self.data.lock().unwrap().insert(key, sum);
        bytes.len()
    }
    async fn reindex(&self) -> usize {
        let mut scratch = [0u8; 1024];
        for (i, value) in self.data.lock().unwrap().values().enumerate() {
            scratch[i % 1024] = *value as u8;
        }
        yield_once().await;
        scratch.iter().filter(|&&b| b != 0).count()
    }
    async fn clear(&mut self) -> usize {
        let data = self.data.get_mut().unwrap();
        let n = data.len();
        data.clear();
        n
    }
}

/// Generic over the trait: monomorphized for `Memory`, and one copy for
/// every `dyn DynRepository` (the attribute implements `Repository` for the
/// twin object).
async fn pipeline<R: Repository + ?Sized>(repo: &R, key: u64, bytes: &[u8]) -> Option<u64> {
    repo.store(key, bytes).await;
    repo.fetch(key).await
}

/// The same run through the twin's methods, which return the crate's
/// futures (and so say where they live).
async fn pipeline_dyn(repo: &dyn DynRepository, key: u64, bytes: &[u8]) -> Option<u64> {
    let store = repo.store_dyn(key, bytes);
    assert!(!store.is_heap());
    store.await;
    repo.fetch_dyn(key).await
}

fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

fn main() {
    let mut repo = Memory::default();
    block_on(repo.store(0, b"warm-up")); // the map's first node allocates
    let bytes = [1u8, 2, 3];

    println!(
        "layouts, from the types alone (default capacity, {} bytes):",
        size_of::<hybrid_dispatch::capacity::DefaultCapacity>()
    );
    let erased: &dyn DynRepository = &repo;
    for (name, layout) in [
        ("fetch", erased.fetch_layout()),
        ("store", erased.store_layout()),
        ("reindex", erased.reindex_layout()),
        ("clear", erased.clear_layout()),
    ] {
        let placement = if layout.fits::<hybrid_dispatch::capacity::DefaultCapacity>() {
            "inline"
        } else {
            "heap"
        };
        println!("  {name:<8} {:>5} bytes  -> {placement}", layout.size());
    }

    let (out, allocs) = count(|| block_on(pipeline(&repo, 1, &bytes)));
    println!(
        "static pipeline          -> {out:?}, {} allocations",
        allocs.allocs
    );
    assert_eq!((out, allocs.allocs), (Some(6), 0));

    let (out, allocs) = count(|| block_on(pipeline_dyn(erased, 1, &bytes)));
    println!(
        "dyn pipeline (_dyn)      -> {out:?}, {} allocations",
        allocs.allocs
    );
    assert_eq!((out, allocs.allocs), (Some(6), 0));

    let (out, allocs) = count(|| block_on(pipeline(erased, 1, &bytes)));
    println!(
        "generic code, dyn object -> {out:?}, {} allocations",
        allocs.allocs
    );
    assert_eq!((out, allocs.allocs), (Some(6), 0));

    {
        // `reindex` does not fit a 64-byte capacity: each `_dyn` call allocates
        // its future's size; a reusable slot allocates once, then never.
        let small: &dyn DynRepository<S8> = &repo;
        let size = small.reindex_layout().size();
        let (_, allocs) = count(|| block_on(small.reindex_dyn()));
        println!(
            "reindex_dyn in 64 bytes  -> 1 heap future: {} allocation of {} bytes (its size is {size})",
            allocs.allocs, allocs.bytes
        );
        assert_eq!((allocs.allocs, allocs.bytes), (1, size as u64));
        let mut slot = pin!(FutureSlot::new());
        let (_, first) = count(|| block_on(small.reindex_in(slot.as_mut())));
        let (_, then) = count(|| {
            for _ in 0..10 {
                block_on(small.reindex_in(slot.as_mut()));
            }
        });
        println!(
            "reindex_in (a slot)      -> {} allocation the first time, {} in the next 10 calls",
            first.allocs, then.allocs
        );
        assert_eq!((first.allocs, then.allocs), (1, 0));
    }
    // `&mut self` methods are in the twin too.
    let cleared = block_on((&mut repo as &mut dyn DynRepository).clear_dyn());
    println!("clear_dyn (&mut self)    -> cleared {cleared} keys");

    // Per-method counting: wrap the implementor.
    let counted = CountedTwin::new::<dyn DynRepository<S8>>(Memory::default());
    let erased: &dyn DynRepository<S8> = &counted;
    block_on(erased.store_dyn(1, &bytes));
    block_on(erased.fetch_dyn(1));
    block_on(erased.reindex_dyn());
    println!("per-method counters (CountedTwin):\n{}", counted.stats());
}

// ---------------------------------------------------------------------------
// A counting allocator, so that the allocations printed above are exact:
// every allocation is counted on the thread that makes it.

#[allow(
    unsafe_code,
    reason = "a GlobalAlloc impl is unsafe by definition; it only forwards to System"
)]
mod counting_alloc {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static ALLOCS: Cell<u64> = const { Cell::new(0) };
        static BYTES: Cell<u64> = const { Cell::new(0) };
    }

    /// Forwards to [`System`], counting on the calling thread.
    #[derive(Debug)]
    pub(crate) struct CountingAlloc;

    // SAFETY: every method forwards to `System` with the arguments it was
    // given; the counters are const-initialised thread-locals, which never
    // allocate. (`realloc` and `alloc_zeroed` keep their default bodies,
    // which call these two.)
    unsafe impl GlobalAlloc for CountingAlloc {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
            let _ = BYTES.try_with(|c| c.set(c.get() + layout.size() as u64));
            // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: forwarded unchanged; the caller upholds `dealloc`'s contract.
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    /// What this thread allocated.
    #[derive(Clone, Copy, Debug, Default)]
    pub(crate) struct Allocs {
        pub(crate) allocs: u64,
        pub(crate) bytes: u64,
    }

    fn now() -> Allocs {
        Allocs {
            allocs: ALLOCS.with(Cell::get),
            bytes: BYTES.with(Cell::get),
        }
    }

    /// Runs `f`; returns its result and what this thread allocated meanwhile.
    pub(crate) fn count<R>(f: impl FnOnce() -> R) -> (R, Allocs) {
        let before = now();
        let out = f();
        let after = now();
        let allocs = Allocs {
            allocs: after.allocs - before.allocs,
            bytes: after.bytes - before.bytes,
        };
        (out, allocs)
    }
}
