//! Recycled storage for your own trait: a `TwinRegistry` entry (and a bare
//! `CountedTwin`) lends each `&self` method a pool of buffers sized from
//! that method's exact future layout, so a steady stream of calls allocates
//! nothing at any future size — through a handle, through the bridge
//! (`p.m(x).await`), through the shared object a plugin holds, by name, for
//! a plugin that calls another registered plugin, and from many tasks on a
//! multi-thread runtime. Cancelled and panicked calls give their buffer
//! back.
#![cfg(all(feature = "std", feature = "macros"))]

mod common;

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::sync::Arc;

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{YieldOnce, block_on, poll_once};
use hybrid_dispatch::twin::{CountedTwin, TwinHandle};
use hybrid_dispatch::{TwinRegistry, dyn_twin};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

const WARM: u64 = 3;
/// Counted rounds once warm (under Miri, two: every path is the same on
/// each round once warm, and each round there costs a fraction of a
/// second).
const CALLS: u64 = if cfg!(miri) { 2 } else { 200 };

#[dyn_twin(DynStage, send = SendDynStage)]
trait Stage {
    async fn run(&self, x: u64) -> u64;
}

/// Holds `N` bytes across an await: a future of about `N` bytes.
struct Holds<const N: usize>;

impl<const N: usize> Stage for Holds<N> {
    async fn run(&self, x: u64) -> u64 {
        let page = [x as u8; N];
        YieldOnce::default().await;
        if x == u64::MAX {
            panic!("asked to panic");
        }
        // Reads both ends of the page (so the whole of it is held across
        // the await) without a loop over it: Miri runs each iteration.
        (u64::from(page[0]) + u64::from(page[N - 1])) / 2 + x
    }
}

/// A trait whose futures outlive the call (`+ 'static`: for
/// `tokio::spawn`). Such a future cannot borrow its entry's pool; the
/// buffer it takes keeps the pool alive instead.
#[dyn_twin(DynDetached, send = SendDynDetached)]
trait Detached {
    fn run(&self, x: u64) -> impl Future<Output = u64> + Send + 'static;
}

impl<const N: usize> Detached for Holds<N> {
    #[allow(
        clippy::manual_async_fn,
        reason = "an `async fn` would borrow `self`: this future must not"
    )]
    fn run(&self, x: u64) -> impl Future<Output = u64> + Send + 'static {
        // The same work as `Stage::run`, owning everything it uses.
        async move {
            let page = [x as u8; N];
            YieldOnce::default().await;
            if x == u64::MAX {
                panic!("asked to panic");
            }
            (u64::from(page[0]) + u64::from(page[N - 1])) / 2 + x
        }
    }
}

/// The bridge: generic code that takes any `Detached`.
fn detached<P: Detached + ?Sized>(plugin: &P, x: u64) -> impl Future<Output = u64> + 'static {
    plugin.run(x)
}

fn detached_registry() -> TwinRegistry<dyn SendDynDetached> {
    let plugins = TwinRegistry::new();
    plugins.register("kib1", Holds::<1024>).unwrap();
    plugins.register("kib3", Holds::<3072>).unwrap();
    plugins
}

/// A pipeline stage: calls another registered plugin through the bridge,
/// so its own future holds that call's 128-byte handle and never fits.
struct Then(Arc<dyn SendDynStage>);

impl Stage for Then {
    async fn run(&self, x: u64) -> u64 {
        let y = self.0.run(x).await;
        YieldOnce::default().await;
        y + 1
    }
}

fn registry() -> TwinRegistry<dyn SendDynStage> {
    let plugins = TwinRegistry::new();
    let kib1 = plugins.register("kib1", Holds::<1024>).unwrap();
    plugins.register("kib3", Holds::<3072>).unwrap();
    plugins
        .register("then", Then(TwinHandle::shared(&kib1)))
        .unwrap();
    plugins
}

/// The value each stage returns for `x` (a byte `x` summed over the page,
/// averaged, plus `x`; `then` adds one).
fn expected(name: &str, x: u64) -> u64 {
    let own = u64::from(x as u8) + x;
    if name == "then" { own + 1 } else { own }
}

#[test]
fn every_stage_spills_the_default_capacity() {
    let plugins = registry();
    for name in ["kib1", "kib3", "then"] {
        let handle = plugins.handle(name).unwrap();
        assert!(handle.run_layout().size() > 120, "{name}");
        assert!(TwinHandle::sizing(&handle)[0].1.is_recycled(), "{name}");
    }
}

#[test]
fn every_path_allocates_nothing_once_warm() {
    let plugins = registry();
    for name in ["kib1", "kib3", "then"] {
        let handle = plugins.handle(name).unwrap();
        let shared = TwinHandle::shared(&handle);
        for round in 0..WARM + CALLS {
            let x = round % 7;
            let (outs, allocs) = count(|| {
                // Through the handle: the twin's `Send` erasure.
                let erased = handle.run_send(x);
                assert!(erased.is_recycled());
                let a = block_on(erased).0;
                // Through the bridge, as `async-trait` callers write it.
                let b = block_on(handle.run(x)).0;
                // Through the shared object a plugin would hold.
                let c = block_on(shared.run(x)).0;
                // By name, resolved into a handle.
                let d = block_on(plugins.handle(name).unwrap().run(x)).0;
                // By name for one call (no lock, no `Arc` cloned): erased,
                // and through the bridge.
                let e = block_on(plugins.get(name).unwrap().run_send(x)).0;
                let f = block_on(plugins.get(name).unwrap().run(x)).0;
                [a, b, c, d, e, f]
            });
            assert_eq!(outs, [expected(name, x); 6], "{name}");
            if round >= WARM {
                assert_eq!(allocs, Allocs::NONE, "{name}, round {round}");
            }
        }
        // One buffer served every call (a pipeline's inner calls too).
        let pool = TwinHandle::pool_stats(&handle, "run").unwrap();
        assert_eq!((pool.misses, pool.idle), (1, 1), "{name}");
    }
}

#[test]
fn a_bare_counted_twin_recycles_too() {
    let counted: Arc<dyn SendDynStage> = Arc::new(CountedTwin::new::<dyn DynStage>(Holds::<2048>));
    for round in 0..WARM + CALLS {
        let (out, allocs) = count(|| block_on(counted.run(round)).0);
        assert_eq!(out, expected("x", round));
        if round >= WARM {
            assert_eq!(allocs, Allocs::NONE, "round {round}");
        }
    }
}

/// A call to `kib1` in `$plugins` cancelled while pending, then one that
/// panics in its poll: each gives its buffer back, and the next call reuses
/// it. The same for a borrowing future and a `'static` one (whose handles
/// are different types).
macro_rules! cancelled_and_panicked_calls_give_their_buffer_back {
    ($plugins:expr) => {{
        let plugins = $plugins;
        let kib1 = plugins.handle("kib1").unwrap();
        block_on(kib1.run_send(1));
        // Cancelled: dropped while pending.
        {
            let mut pending = pin!(kib1.run_send(2));
            assert!(poll_once(pending.as_mut()).is_pending());
            assert_eq!(TwinHandle::pool_stats(&kib1, "run").unwrap().idle, 0);
        }
        assert_eq!(TwinHandle::pool_stats(&kib1, "run").unwrap().idle, 1);
        // Panicked: the poll unwinds, the future is terminated and dropped
        // with its handle, and the buffer goes back.
        let panicked = catch_unwind(AssertUnwindSafe(|| block_on(kib1.run_send(u64::MAX))));
        assert!(panicked.is_err());
        let pool = TwinHandle::pool_stats(&kib1, "run").unwrap();
        assert_eq!((pool.misses, pool.idle), (1, 1));
        // And the next call reuses it.
        let (out, allocs) = count(|| block_on(kib1.run_send(3)).0);
        assert_eq!((out, allocs), (expected("kib1", 3), Allocs::NONE));
        assert_eq!(plugins.trim(), 1);
    }};
}

#[test]
fn cancelled_and_panicked_calls_give_their_buffer_back() {
    cancelled_and_panicked_calls_give_their_buffer_back!(registry());
}

#[test]
fn recycling_off_boxes_every_spill() {
    let plugins: TwinRegistry<dyn SendDynStage> = TwinRegistry::with_max_idle(0);
    let kib1 = plugins.register("kib1", Holds::<1024>).unwrap();
    let fut = kib1.run_send(1);
    assert!(fut.is_heap() && !fut.is_recycled());
    assert_eq!(block_on(fut).0, expected("kib1", 1));
    assert!(!TwinHandle::sizing(&kib1)[0].1.is_recycled());
    assert!(TwinHandle::pool_stats(&kib1, "run").is_none());
}

/// 8 tasks on a 2-worker runtime: allocations are bounded by the pools'
/// misses (buffers made while several calls were in flight at once), not
/// by the number of calls. Each entry is called once first, which makes
/// its pool (its free lists: about twenty allocations, once per entry, not
/// per call).
#[test]
fn allocations_are_bounded_under_concurrency() {
    // Two tasks under Miri still cross threads (two workers); eight are
    // minutes of its time.
    const TASKS: u64 = if cfg!(miri) { 2 } else { 8 };
    let calls_per_task: u64 = if cfg!(miri) { 3 } else { 500 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let plugins = registry();
    for name in ["kib1", "kib3", "then"] {
        block_on(plugins.handle(name).unwrap().run_send(1));
    }
    let made: u64 = runtime.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let handle = plugins
                    .handle(["kib1", "kib3", "then"][t as usize % 3])
                    .unwrap();
                tokio::spawn(async move {
                    let mut allocated = 0;
                    for i in 0..calls_per_task {
                        // Counted on the thread that makes the call.
                        let (fut, made) = count(|| handle.run_send(i));
                        allocated += made.allocs;
                        assert!(fut.await > 0 || i == 0);
                    }
                    allocated
                })
            })
            .collect();
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap();
        }
        total
    });
    let total_calls = TASKS * calls_per_task;
    let misses: u64 = ["kib1", "kib3", "then"]
        .iter()
        .filter_map(|name| TwinHandle::pool_stats(&plugins.handle(name).unwrap(), "run"))
        .map(|pool| pool.misses)
        .sum();
    assert!(
        made <= 64 && misses <= 64,
        "{made} allocations, {misses} misses for {total_calls} calls"
    );
    let stats = plugins.stats();
    let calls: u64 = stats.iter().map(|(_, s)| s.total().recycled).sum();
    assert!(calls >= total_calls, "{calls} recycled of {total_calls}");
}

#[test]
fn static_futures_recycle_by_every_path() {
    let plugins = detached_registry();
    for name in ["kib1", "kib3"] {
        let handle = plugins.handle(name).unwrap();
        assert!(TwinHandle::sizing(&handle)[0].1.is_recycled(), "{name}");
        let shared = TwinHandle::shared(&handle);
        for round in 0..WARM + CALLS {
            let x = round % 7;
            let (outs, allocs) = count(|| {
                let erased = handle.run_send(x);
                assert!(erased.is_recycled());
                let a = block_on(erased).0;
                let b = block_on(detached(&*handle, x)).0;
                let c = block_on(shared.run_send(x)).0;
                let d = block_on(plugins.handle(name).unwrap().run_send(x)).0;
                let e = block_on(plugins.get(name).unwrap().run_send(x)).0;
                let f = block_on(detached(&*plugins.get(name).unwrap(), x)).0;
                [a, b, c, d, e, f]
            });
            assert_eq!(outs, [expected(name, x); 6], "{name}");
            if round >= WARM {
                assert_eq!(allocs, Allocs::NONE, "{name}, round {round}");
            }
        }
        let pool = TwinHandle::pool_stats(&handle, "run").unwrap();
        assert_eq!((pool.misses, pool.idle), (1, 1), "{name}");
    }
    // A bare counted twin lends its pools the same way.
    let counted: Arc<dyn SendDynDetached> =
        Arc::new(CountedTwin::new::<dyn DynDetached>(Holds::<2048>));
    for round in 0..WARM + CALLS {
        let (out, allocs) = count(|| block_on(counted.run_send(round)).0);
        assert_eq!(out, expected("x", round));
        if round >= WARM {
            assert_eq!(allocs, Allocs::NONE, "round {round}");
        }
    }
}

/// A `'static` future in flight keeps its buffer's pool alive after its
/// handle, its entry and the registry are gone; its buffer and the pool
/// are freed with it (Miri checks the use and reports a leak).
#[test]
fn a_static_future_outlives_its_registry() {
    let plugins = detached_registry();
    let handle = plugins.handle("kib3").unwrap();
    let mut pending = Box::pin(handle.run_send(5));
    assert!(pending.is_recycled());
    let idle = handle.run_send(6);
    assert!(poll_once(pending.as_mut()).is_pending());
    drop(handle);
    drop(plugins);
    assert_eq!(block_on(idle).0, expected("kib3", 6));
    let (out, allocs) = count(|| block_on(pending).0);
    assert_eq!(out, expected("kib3", 5));
    // The buffer given back to the pool, then the pool's last buffers,
    // queues and caches freed with its last count.
    assert_eq!(allocs.allocs, 0);
    assert!(allocs.deallocs >= 3, "{allocs:?}");
}

#[test]
fn cancelled_and_panicked_static_calls_give_their_buffer_back() {
    cancelled_and_panicked_calls_give_their_buffer_back!(detached_registry());
}

/// What a `'static` future is for: `tokio::spawn`. 8 tasks on a 2-worker
/// runtime each spawn their calls; once each entry's pool is made,
/// building the calls allocates at most the pools' buffers, not one per
/// call.
#[test]
fn spawned_static_calls_allocate_a_bounded_number_of_buffers() {
    // Two tasks under Miri still cross threads (two workers); eight are
    // minutes of its time.
    const TASKS: u64 = if cfg!(miri) { 2 } else { 8 };
    let calls_per_task: u64 = if cfg!(miri) { 3 } else { 500 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let plugins = detached_registry();
    for name in ["kib1", "kib3"] {
        block_on(plugins.handle(name).unwrap().run_send(1));
    }
    let made: u64 = runtime.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let handle = plugins.handle(["kib1", "kib3"][t as usize % 2]).unwrap();
                tokio::spawn(async move {
                    let mut allocated = 0;
                    for i in 0..calls_per_task {
                        let (fut, made) = count(|| handle.run_send(i));
                        allocated += made.allocs;
                        assert!(fut.is_recycled());
                        // Runs on whichever worker takes it, and gives its
                        // buffer back there.
                        assert!(tokio::spawn(fut).await.unwrap() > 0 || i == 0);
                    }
                    allocated
                })
            })
            .collect();
        let mut total = 0;
        for task in tasks {
            total += task.await.unwrap();
        }
        total
    });
    let total_calls = TASKS * calls_per_task;
    let misses: u64 = ["kib1", "kib3"]
        .iter()
        .filter_map(|name| TwinHandle::pool_stats(&plugins.handle(name).unwrap(), "run"))
        .map(|pool| pool.misses)
        .sum();
    assert!(
        made <= 64 && misses <= 64,
        "{made} allocations, {misses} misses for {total_calls} calls"
    );
    let stats = plugins.stats();
    let recycled: u64 = stats.iter().map(|(_, s)| s.total().recycled).sum();
    assert_eq!(recycled, total_calls + 2);
}
