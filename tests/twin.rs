//! `#[dyn_twin]` as a user sees it: a multi-method trait written with
//! `async fn`, called statically (no allocation) and through its twin
//! (inline, spilled, slots), drop-once through generated code, per-method
//! counting, the shapes the attribute supports, and the `Send` twin under a
//! multi-threaded tokio runtime.
#![cfg(all(feature = "std", feature = "macros"))]

mod common;

use core::future::Future;
use core::pin::pin;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{DropCounter, DropToken, YieldOnce, block_on, poll_once, poll_pinned};
use hybrid_dispatch::capacity::{DefaultCapacity, S1, S4, S8, S64};
use hybrid_dispatch::layout::Placement;
use hybrid_dispatch::twin::CountedTwin;
use hybrid_dispatch::twin::Twin;
use hybrid_dispatch::{FutureSlot, SendFutureSlot, dyn_twin};
use static_assertions::{assert_impl_all, assert_not_impl_any, assert_obj_safe};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const ROUNDS: usize = if cfg!(miri) { 2 } else { 50 };

/// The trait under test: sync, async, borrowed, `impl Future`, `&mut self`,
/// a default method and a `Self: Sized` one.
#[dyn_twin(DynStore)]
trait Store {
    fn name(&self) -> &str;
    /// A small future (fits every capacity from `S8` up).
    async fn get(&self, key: u64) -> Option<u64>;
    /// A large future: holds 512 bytes across an await.
    async fn scan(&self, seed: u8) -> usize;
    /// Borrows its input with an elided lifetime.
    async fn count(&self, text: &str) -> usize;
    /// Borrows its input with the receiver's lifetime.
    fn checksum<'a>(&'a self, bytes: &'a [u8]) -> impl Future<Output = u64> + 'a;
    async fn bump(&mut self, by: u64) -> u64;
    async fn version(&self) -> u32 {
        1
    }
    fn into_name(self) -> String
    where
        Self: Sized,
    {
        String::from("sized")
    }
}

#[derive(Debug, Default)]
struct Memory {
    total: u64,
}

impl Store for Memory {
    fn name(&self) -> &str {
        "memory"
    }
    async fn get(&self, key: u64) -> Option<u64> {
        YieldOnce::default().await;
        Some(key + self.total)
    }
    async fn scan(&self, seed: u8) -> usize {
        let page = [seed; 512];
        YieldOnce::default().await;
        page.iter().map(|&b| usize::from(b)).sum()
    }
    async fn count(&self, text: &str) -> usize {
        YieldOnce::default().await;
        text.len()
    }
    async fn checksum<'a>(&'a self, bytes: &'a [u8]) -> u64 {
        bytes.iter().map(|&b| u64::from(b)).sum()
    }
    async fn bump(&mut self, by: u64) -> u64 {
        self.total += by;
        self.total
    }
}

assert_obj_safe!(DynStore);
assert_not_impl_any!(dyn DynStore: Send, Sync);
assert_impl_all!(Memory: DynStore, DynStore<S1>, DynStore<S64>);
// The bridge: the trait itself on the twin object.
assert_impl_all!(dyn DynStore: Store);
assert_impl_all!(CountedTwin<Memory>: Store, DynStore, std::fmt::Debug, Send, Sync);
assert_impl_all!(
    hybrid_dispatch::twin::TwinPlacementStats: std::fmt::Debug,
    Clone,
    Eq,
    Default,
    Send,
    Sync
);
assert_impl_all!(hybrid_dispatch::twin::TwinMethod: std::fmt::Debug, Copy, Eq, Send, Sync);

fn store_layouts(store: &dyn DynStore<S8>) -> [(usize, bool); 4] {
    let of = |layout: hybrid_dispatch::layout::FutureLayout| (layout.size(), layout.fits::<S8>());
    [
        of(store.get_layout()),
        of(store.scan_layout()),
        of(store.count_layout()),
        of(store.checksum_layout()),
    ]
}

#[test]
fn layouts_are_known_without_calling() {
    let memory = Memory::default();
    let [get, scan, count, checksum] = store_layouts(&memory);
    assert!(
        get.1 && count.1 && checksum.1,
        "{get:?} {count:?} {checksum:?}"
    );
    assert!(scan.0 > 512 && !scan.1);
    // The same layouts as the futures the trait returns.
    assert_eq!(get.0, size_of_val(&memory.get(1)));
    assert_eq!(scan.0, size_of_val(&memory.scan(1)));
    // And through the `Twin` trait, by index.
    let erased: &dyn DynStore = &memory;
    let names: Vec<&str> = <dyn DynStore>::METHODS.iter().map(|m| m.name()).collect();
    assert_eq!(
        names,
        [
            "name", "get", "scan", "count", "checksum", "bump", "version"
        ]
    );
    assert_eq!(Twin::method_layout(erased, 0), None);
    assert_eq!(Twin::method_layout(erased, 2).unwrap().size(), scan.0);
    assert!(Twin::type_name(erased).ends_with("Memory"));
}

#[test]
fn static_calls_allocate_nothing() {
    let mut memory = Memory::default();
    for _ in 0..ROUNDS {
        let ((out, _), allocs) = count(|| {
            block_on(async {
                let a = memory.get(1).await.unwrap();
                let b = memory.scan(1).await;
                let c = memory.count("four").await;
                a as usize + b + c
            })
        });
        assert_eq!((out, allocs), (1 + 512 + 4, Allocs::NONE));
    }
    let ((out, _), allocs) = count(|| block_on(memory.bump(2)));
    assert_eq!((out, allocs), (2, Allocs::NONE));
}

#[test]
fn dyn_calls_that_fit_allocate_nothing() {
    let memory = Memory::default();
    let erased: &dyn DynStore = &memory;
    let text = String::from("borrowed");
    for _ in 0..ROUNDS {
        let (out, allocs) = count(|| {
            let get = erased.get_dyn(7);
            let count = erased.count_dyn(&text);
            let checksum = erased.checksum_dyn(b"ab");
            assert!(!get.is_heap() && !count.is_heap() && !checksum.is_heap());
            (block_on(get).0, block_on(count).0, block_on(checksum).0)
        });
        assert_eq!(out, (Some(7), 8, 97 + 98));
        assert_eq!(allocs, Allocs::NONE);
    }
    // Through the bridge: `Store` itself on the twin object.
    let ((out, _), allocs) = count(|| block_on(async { erased.get(3).await }));
    assert_eq!((out, allocs), (Some(3), Allocs::NONE));
    assert_eq!(erased.name(), "memory");
}

#[test]
fn a_spilled_dyn_call_allocates_once_with_the_futures_size() {
    let memory = Memory::default();
    let erased: &dyn DynStore<S8> = &memory;
    let size = erased.scan_layout().size();
    for _ in 0..ROUNDS {
        let (out, allocs) = count(|| {
            let fut = erased.scan_dyn(2);
            assert!(fut.is_heap());
            block_on(fut).0
        });
        assert_eq!(out, 1024);
        assert_eq!(allocs.allocs, 1);
        assert_eq!(allocs.bytes, size as u64);
        assert_eq!(allocs.deallocs, 1);
    }
}

#[test]
fn slot_calls_allocate_nothing_after_growth() {
    let memory = Memory::default();
    let erased: &dyn DynStore<S8> = &memory;
    let mut slot = pin!(FutureSlot::new());
    // The first large call grows the slot's buffer once.
    let (out, allocs) = count(|| poll_pinned(pin!(erased.scan_in(slot.as_mut(), 1))).0);
    assert_eq!((out, allocs.allocs), (512, 1));
    for round in 0..ROUNDS {
        let (out, allocs) = count(|| poll_pinned(pin!(erased.scan_in(slot.as_mut(), 1))).0);
        assert_eq!((out, allocs), (512, Allocs::NONE), "round {round}");
    }
    let mut small = pin!(FutureSlot::new());
    let (out, allocs) = count(|| poll_pinned(pin!(erased.get_in(small.as_mut(), 5))).0);
    assert_eq!((out, allocs), (Some(5), Allocs::NONE));
}

#[test]
fn mut_self_methods_go_through_the_twin() {
    let mut memory = Memory::default();
    {
        let erased: &mut dyn DynStore = &mut memory;
        assert_eq!(block_on(erased.bump_dyn(3)).0, 3);
        {
            // The slot is typed by the future's lifetime: it holds the
            // mutable borrow while it lives.
            let mut slot = pin!(FutureSlot::new());
            assert_eq!(poll_pinned(pin!(erased.bump_in(slot.as_mut(), 4))).0, 7);
        }
        assert_eq!(block_on(erased.bump(1)).0, 8); // the bridge
    }
    assert_eq!(memory.total, 8);
    assert_eq!(memory.into_name(), "sized"); // left out of the twin, still in the trait
}

/// Generic code over the user's trait accepts the twin object.
async fn describe<S: Store + ?Sized>(store: &S) -> (String, Option<u64>, u32) {
    (
        store.name().to_owned(),
        store.get(1).await,
        store.version().await,
    )
}

#[test]
fn generic_code_accepts_concrete_and_dyn() {
    let memory = Memory::default();
    let expected = ("memory".to_owned(), Some(1), 1);
    assert_eq!(block_on(describe(&memory)).0, expected);
    let erased: &dyn DynStore = &memory;
    assert_eq!(block_on(describe(erased)).0, expected);
    let boxed: Box<dyn DynStore> = Box::new(Memory::default());
    assert_eq!(block_on(describe(&*boxed)).0, expected);
    // Twin methods on a `Box` reach the object.
    assert_eq!(block_on(boxed.version_dyn()).0, 1);
}

// --- drop-once through generated code -----------------------------------------

/// Futures that carry a drop token; `fail` panics in poll.
#[dyn_twin(DynTokens)]
trait Tokens {
    async fn hold(&self, token: DropToken, fail: bool) -> u8;
    async fn hold_large(&self, token: DropToken) -> u8;
}

struct Holder;

impl Tokens for Holder {
    async fn hold(&self, token: DropToken, fail: bool) -> u8 {
        YieldOnce::default().await;
        assert!(!fail, "asked to panic in poll");
        drop(token);
        1
    }
    async fn hold_large(&self, token: DropToken) -> u8 {
        let page = [3u8; 256];
        YieldOnce::default().await;
        drop(token);
        page[0]
    }
}

#[test]
fn completed_cancelled_and_panicked_futures_drop_once() {
    for space_fits in [true, false] {
        let holder = Holder;
        let erased: &dyn DynTokens<S8> = &holder;
        let drops = DropCounter::default();
        let make = |token| {
            if space_fits {
                erased.hold_dyn(token, false)
            } else {
                erased.hold_large_dyn(token)
            }
        };
        // Completion.
        let fut = make(drops.token());
        assert_eq!(fut.is_heap(), !space_fits);
        assert!(block_on(fut).0 > 0);
        assert_eq!(drops.drops(), 1);
        // Cancellation after one poll.
        let mut fut = Box::pin(make(drops.token()));
        assert!(poll_once(fut.as_mut()).is_pending());
        drop(fut);
        assert_eq!(drops.drops(), 2);
    }
    // Panic in poll: propagates, the future's contents are dropped once.
    let holder = Holder;
    let erased: &dyn DynTokens = &holder;
    let drops = DropCounter::default();
    let mut fut = Box::pin(erased.hold_dyn(drops.token(), true));
    assert!(poll_once(fut.as_mut()).is_pending());
    let panicked = catch_unwind(AssertUnwindSafe(|| poll_once(fut.as_mut())));
    assert!(panicked.is_err());
    assert!(fut.has_panicked());
    drop(fut);
    assert_eq!(drops.drops(), 1);
}

#[test]
fn slot_futures_drop_once() {
    let holder = Holder;
    let erased: &dyn DynTokens<S1> = &holder;
    let drops = DropCounter::default();
    let mut slot = pin!(FutureSlot::new());
    {
        let mut fut = erased.hold_large_in(slot.as_mut(), drops.token());
        assert!(poll_once(core::pin::Pin::new(&mut fut)).is_pending());
    }
    assert_eq!(drops.drops(), 1);
    assert_eq!(
        poll_pinned(pin!(erased.hold_in(slot.as_mut(), drops.token(), false))).0,
        1
    );
    assert_eq!(drops.drops(), 2);
}

// --- observation ----------------------------------------------------------------

#[test]
fn counted_twin_counts_per_method() {
    let counted = CountedTwin::new::<dyn DynStore<S8>>(Memory::default());
    let erased: &dyn DynStore<S8> = &counted;
    block_on(erased.get_dyn(1));
    block_on(erased.get_dyn(2));
    let scan_size = erased.scan_layout().size() as u64;
    block_on(erased.scan_dyn(1));
    let mut slot = pin!(FutureSlot::new());
    poll_pinned(pin!(erased.scan_in(slot.as_mut(), 1)));
    poll_pinned(pin!(erased.scan_in(slot.as_mut(), 1)));
    let _ = erased.name_dyn();
    block_on(counted.get(3)); // static: a call, no erasure

    let stats = counted.stats();
    let get = stats.get("get").unwrap();
    assert_eq!((get.calls, get.inline, get.heap), (3, 2, 0));
    let scan = stats.get("scan").unwrap();
    // The counting wrapper recycles what does not fit: the spill went to a
    // buffer of its pool for `scan`, made for the future's exact layout.
    assert_eq!(
        (scan.calls, scan.heap, scan.recycled, scan.slot_heap),
        (3, 0, 1, 2)
    );
    // Two allocations: one slot growth to the future's size, and the
    // pool's first buffer (a miss of the pool), whose size the pool says.
    let pool = counted.pool_stats("scan").unwrap();
    assert_eq!(pool.misses, 1);
    assert_eq!(
        (scan.allocations, scan.allocated_bytes),
        (2, scan_size + pool.buffer_bytes)
    );
    // A second spilled call reuses the buffer: nothing allocated.
    let ((), allocs) = count(|| {
        block_on(erased.scan_dyn(1));
    });
    assert_eq!(allocs, Allocs::NONE);
    let again = counted.stats();
    assert_eq!(again.get("scan").unwrap().recycled, 2);
    assert_eq!(counted.pool_stats("scan").unwrap().misses, 1);
    assert_eq!(stats.get("name").unwrap().calls, 1);
    assert_eq!(stats.total().calls, 7);
    print!("{}", counted.stats());
}

#[test]
fn counted_twin_hears_mut_self_methods_before_the_call() {
    let mut counted = CountedTwin::new::<dyn DynStore>(Memory::default());
    let erased: &mut dyn DynStore = &mut counted;
    block_on(erased.bump_dyn(1));
    let stats = counted.stats();
    let bump = stats.get("bump").unwrap();
    assert_eq!((bump.calls, bump.inline), (1, 1));
    assert_eq!(counted.get_ref().total, 1);
}

/// A trait whose `&mut self` futures need a slot to grow: once for size,
/// once for alignment alone.
#[dyn_twin(DynGrow)]
trait Grow {
    /// Holds 512 bytes across an await.
    async fn wide(&mut self) -> usize;
    /// Holds a 64-byte-aligned value across an await.
    async fn aligned(&mut self) -> usize;
}

#[repr(align(64))]
struct Aligned64([u8; 64]);

struct Grower;

impl Grow for Grower {
    async fn wide(&mut self) -> usize {
        let page = [1u8; 512];
        YieldOnce::default().await;
        page.iter().map(|&b| usize::from(b)).sum()
    }
    async fn aligned(&mut self) -> usize {
        let block = Aligned64([2; 64]);
        YieldOnce::default().await;
        block.0.iter().map(|&b| usize::from(b)).sum()
    }
}

#[test]
fn counted_twin_predicts_slot_growth_for_mut_self_methods() {
    // A `&mut self` future borrows its object for the slot's lifetime, so
    // one slot serves several objects: here three, one call each.
    let [mut first, mut second, mut third] =
        [(); 3].map(|()| CountedTwin::new::<dyn DynGrow<S8>>(Grower));
    let layouts: &dyn DynGrow<S8> = &first;
    let (wide, aligned) = (layouts.wide_layout(), layouts.aligned_layout());
    // The aligned future is no larger than the wide one but more aligned:
    // the slot's buffer, grown for `wide`, must grow again for it.
    assert!(aligned.size() <= wide.size() && aligned.align() > wide.align());
    {
        let mut slot = pin!(FutureSlot::new());
        let erased: &mut dyn DynGrow<S8> = &mut first;
        let (out, allocs) = count(|| poll_pinned(pin!(erased.wide_in(slot.as_mut()))).0);
        assert_eq!((out, allocs.allocs), (512, 1));
        let erased: &mut dyn DynGrow<S8> = &mut second;
        let (out, allocs) = count(|| poll_pinned(pin!(erased.wide_in(slot.as_mut()))).0);
        assert_eq!((out, allocs), (512, Allocs::NONE));
        let erased: &mut dyn DynGrow<S8> = &mut third;
        let (out, allocs) = count(|| poll_pinned(pin!(erased.aligned_in(slot.as_mut()))).0);
        assert_eq!((out, allocs.allocs), (128, 1));
        assert_eq!(slot.growths(), 2);
    }

    // Each hook heard the placement before the call, as it then happened.
    let wide_size = wide.size() as u64;
    let of = |counted: &CountedTwin<Grower>, method| {
        let stats = counted.stats();
        let s = stats.get(method).unwrap();
        (s.slot_heap, s.allocations, s.allocated_bytes)
    };
    assert_eq!(of(&first, "wide"), (1, 1, wide_size));
    assert_eq!(of(&second, "wide"), (1, 0, 0));
    // A growth for alignment alone allocates too: to the larger size (the
    // wide future's) at the larger alignment.
    assert_eq!(of(&third, "aligned"), (1, 1, wide_size));
}

#[test]
fn counted_twin_counts_without_allocating() {
    let counted = CountedTwin::new::<dyn DynStore>(Memory::default());
    let erased: &dyn DynStore = &counted;
    let ((out, _), allocs) = count(|| block_on(erased.get_dyn(4)));
    assert_eq!((out, allocs), (Some(4), Allocs::NONE));
    assert_eq!(
        counted.stats().get("get").unwrap().inline,
        1,
        "{:?}",
        Placement::Inline
    );
}

// --- supported shapes -------------------------------------------------------------

/// Generics, an associated type and a where clause.
#[dyn_twin(DynConvert)]
trait Convert<T>
where
    T: Clone + Default,
{
    type Output: core::fmt::Debug;
    async fn convert(&self, input: T, label: &str) -> Self::Output;
    fn arity(&self) -> usize;
}

struct Twice;

impl Convert<u32> for Twice {
    type Output = (u32, usize);
    async fn convert(&self, input: u32, label: &str) -> (u32, usize) {
        (input * 2, label.len())
    }
    fn arity(&self) -> usize {
        2
    }
}

async fn convert_generic<C: Convert<u32> + ?Sized>(c: &C) -> C::Output {
    c.convert(4, "abc").await
}

#[test]
fn generics_and_associated_types() {
    let twice = Twice;
    let erased: &dyn DynConvert<u32, Output = (u32, usize)> = &twice;
    let label = String::from("label");
    assert_eq!(block_on(erased.convert_dyn(21, &label)).0, (42, 5));
    assert_eq!(erased.arity_dyn(), 2);
    assert_eq!(block_on(convert_generic(erased)).0, (8, 3));
    assert!(!erased.convert_dyn(1, "x").is_heap());
}

// --- the `Send` twin ---------------------------------------------------------------

#[dyn_twin(DynJob, send = SendDynJob)]
trait Job {
    fn id(&self) -> u64;
    async fn run(&self, n: u64) -> u64;
    async fn describe(&self, prefix: &str) -> String;
}

struct Sleepy(u64);

impl Job for Sleepy {
    fn id(&self) -> u64 {
        self.0
    }
    async fn run(&self, n: u64) -> u64 {
        tokio::task::yield_now().await;
        n * self.0
    }
    async fn describe(&self, prefix: &str) -> String {
        tokio::task::yield_now().await;
        format!("{prefix}{}", self.0)
    }
}

assert_obj_safe!(SendDynJob);
assert_impl_all!(dyn SendDynJob: Send, Sync, Job);
assert_impl_all!(Sleepy: SendDynJob, DynJob);

#[test]
fn send_twin_moves_into_spawned_tasks_on_a_multi_thread_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    runtime.block_on(async {
        let jobs: Vec<Arc<dyn SendDynJob>> = vec![Arc::new(Sleepy(2)), Arc::new(Sleepy(3))];
        let tasks: Vec<_> = jobs
            .iter()
            .map(|job| {
                let job = Arc::clone(job);
                tokio::spawn(async move {
                    let fut = job.run_send(5);
                    assert!(!fut.is_heap());
                    let a = fut.await;
                    let b = job.run(1).await; // the bridge: `Job` on the twin object
                    let text = job.describe("job ").await;
                    (a + b, text)
                })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        assert_eq!(
            results,
            [(12, "job 2".to_owned()), (18, "job 3".to_owned())]
        );
        // The `Send` slot, moved into a task with its future.
        let job = Arc::clone(&jobs[0]);
        let out = tokio::spawn(async move {
            let mut slot = Box::pin(SendFutureSlot::new());
            job.run_send_in(slot.as_mut(), 4).await
        });
        assert_eq!(out.await.unwrap(), 8);
        // Upcast to the local twin.
        let local: &dyn DynJob = &*jobs[1];
        assert_eq!(local.id_dyn(), 3);
    });
}

// --- inline-only ---------------------------------------------------------------------

#[dyn_twin(DynTiny, inline_only, send = SendDynTiny)]
trait Tiny {
    async fn add(&self, x: u64) -> u64;
}

impl Tiny for u64 {
    async fn add(&self, x: u64) -> u64 {
        self + x
    }
}

#[test]
fn inline_only_twins_never_allocate() {
    let erased: &dyn DynTiny<S4> = &5u64;
    let ((out, _), allocs) = count(|| block_on(erased.add_dyn(1)));
    assert_eq!((out, allocs), (6, Allocs::NONE));
    let shared: &dyn SendDynTiny = &5u64;
    assert_eq!(block_on(shared.add_send(2)).0, 7);
    assert!(shared.add_layout().fits::<DefaultCapacity>());
}
