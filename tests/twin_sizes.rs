//! Your own trait with the futures real plugins make: a tokio `sleep`, a
//! `RwLock` write held across an await, an `mpsc` send, 1 KiB and 3 KiB of
//! state, and plugins that await other registered plugins (through a
//! handle's bridge, and through the shared object `shared()` hands out).
//! None fits the default inline capacity; through `TwinRegistry`'s defaults
//! every call allocates nothing once warm, by every path a caller has,
//! exactly per call on one thread and within a bound that does not grow
//! with the number of calls on a multi-thread runtime.
//! (`tests/twin_recycled.rs` covers cancellation, panics, the bare
//! `CountedTwin` and turning recycling off with synthetic futures.)
//!
//! The sleep's deadline is before any runtime here was built, so a call
//! costs a timer registration and no wait, even where nothing drives the
//! timer: the future is tokio's whole `Sleep` (its size is what matters
//! here), and the tests stay fast under Miri. Paused time
//! (`start_paused`) would need tokio's `test-util` feature, which makes
//! every `Instant::now` of the time driver take a lock and so would change
//! what `benches/recycled.rs`, built with the same dev-dependencies,
//! measures.
#![cfg(all(feature = "std", feature = "macros"))]

mod common;

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::counting_alloc::{Allocs, CountingAlloc, count};
use common::{YieldOnce, block_on};
use hybrid_dispatch::twin::TwinHandle;
use hybrid_dispatch::{TwinRegistry, dyn_twin};
use tokio::sync::{RwLock, mpsc};
use tokio::time::{Instant, sleep_until};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

#[dyn_twin(DynPlugin, send = SendDynPlugin)]
trait Plugin {
    async fn run(&self, x: u64) -> u64;
}

/// Awaits a tokio `Sleep` whose deadline has passed (see the file's docs).
struct Sleep;

impl Plugin for Sleep {
    async fn run(&self, x: u64) -> u64 {
        sleep_until(before_any_runtime()).await;
        x
    }
}

/// An instant before every runtime of this file was built. A deadline
/// earlier than its runtime's start is due at the time driver's first
/// tick, so the sleep completes when first polled. (A deadline merely in
/// the past, such as `now - 1s`, is not enough: once the runtime is older
/// than that, the sleep waits for the driver to turn, which nothing does
/// while `common::block_on` polls it, and the call never ends.)
fn before_any_runtime() -> Instant {
    static BEFORE: OnceLock<Instant> = OnceLock::new();
    *BEFORE.get_or_init(|| {
        let before = Instant::now();
        // The driver rounds a deadline up to its next millisecond.
        std::thread::sleep(Duration::from_millis(2));
        before
    })
}

/// Holds a `RwLock` write guard across an await, as a critical section
/// that does I/O would.
struct Lock(RwLock<u64>);

impl Plugin for Lock {
    async fn run(&self, x: u64) -> u64 {
        let mut total = self.0.write().await;
        *total = total.wrapping_add(x);
        YieldOnce::default().await;
        x
    }
}

/// Sends on a bounded `mpsc` channel, then drains it.
struct Channel {
    tx: mpsc::Sender<u64>,
    rx: Mutex<mpsc::Receiver<u64>>,
}

impl Channel {
    fn new() -> Self {
        let (tx, mut rx) = mpsc::channel(1024);
        // Past the 32 slots of the channel's first block, once: it
        // allocates its second block then (its own allocation, not a
        // call's) and reuses blocks from then on, so calls need no long
        // warm-up (under Miri, each call costs).
        for i in 0..40 {
            tx.try_send(i).unwrap();
            rx.try_recv().unwrap();
        }
        Channel {
            tx,
            rx: Mutex::new(rx),
        }
    }
}

impl Plugin for Channel {
    async fn run(&self, x: u64) -> u64 {
        self.tx.send(x).await.unwrap();
        // On one thread this is the value just sent. Under concurrency it
        // may be another caller's, or (a concurrent send still writing the
        // slot before it) not there yet: then the value stays queued for a
        // later call.
        self.rx.lock().unwrap().try_recv().unwrap_or(x)
    }
}

/// Holds `WORDS` words across an await.
struct State<const WORDS: usize>;

impl<const WORDS: usize> Plugin for State<WORDS> {
    async fn run(&self, x: u64) -> u64 {
        let state = [x; WORDS];
        YieldOnce::default().await;
        // Both ends, so all of it is held across the await, with no loop
        // over it (Miri runs each iteration).
        (state[0] + state[WORDS - 1]) / 2
    }
}

/// A pipeline stage holding another registered plugin's handle and calling
/// it through the bridge, as generic code would (`p.run(x).await`).
struct ThroughHandle(TwinHandle<dyn SendDynPlugin>);

impl Plugin for ThroughHandle {
    async fn run(&self, x: u64) -> u64 {
        bridge(&*self.0, x).await
    }
}

/// A pipeline stage holding the object a registry shares and calling its
/// `Send` erasure directly.
struct ThroughShared(Arc<dyn SendDynPlugin>);

impl Plugin for ThroughShared {
    async fn run(&self, x: u64) -> u64 {
        self.0.run_send(x).await
    }
}

/// The bridge: generic code that takes any `Plugin`, here the twin object.
fn bridge<P: Plugin + ?Sized>(plugin: &P, x: u64) -> impl Future<Output = u64> + '_ {
    plugin.run(x)
}

/// Every plugin above, registered; the nested stages are two deep
/// (`handle` → `shared` → `send`) and one deep (`shared_lock` → `lock`).
fn registry() -> TwinRegistry<dyn SendDynPlugin> {
    let plugins = TwinRegistry::new();
    plugins.register("sleep", Sleep).unwrap();
    let lock = plugins.register("lock", Lock(RwLock::new(0))).unwrap();
    let send = plugins.register("send", Channel::new()).unwrap();
    plugins.register("1KiB", State::<128>).unwrap();
    plugins.register("3KiB", State::<384>).unwrap();
    let shared = plugins
        .register("shared", ThroughShared(TwinHandle::shared(&send)))
        .unwrap();
    plugins.register("handle", ThroughHandle(shared)).unwrap();
    plugins
        .register("shared_lock", ThroughShared(TwinHandle::shared(&lock)))
        .unwrap();
    plugins
}

/// The same plugins behind the `!Send` twin.
fn local_registry() -> TwinRegistry<dyn DynPlugin> {
    let plugins = TwinRegistry::new();
    plugins.register("sleep", Sleep).unwrap();
    plugins.register("lock", Lock(RwLock::new(0))).unwrap();
    plugins.register("send", Channel::new()).unwrap();
    plugins.register("1KiB", State::<128>).unwrap();
    plugins.register("3KiB", State::<384>).unwrap();
    let inner = registry();
    let send = inner.handle("send").unwrap();
    plugins
        .register("shared", ThroughShared(TwinHandle::shared(&send)))
        .unwrap();
    plugins
        .register("handle", ThroughHandle(inner.handle("shared").unwrap()))
        .unwrap();
    plugins
}

/// Calls that warm a plugin before counting: its pool's buffer (the
/// channel is warmed when it is made, see [`Channel::new`]).
fn warm_calls(_: &str) -> u64 {
    2
}
/// Counted calls per plugin and path (under Miri, one: the storage path is
/// the same on every call once warm).
const CALLS: u64 = if cfg!(miri) { 1 } else { 200 };

/// Whether the per-plugin tests call `name` themselves: every plugin
/// natively; under Miri, the sleep (its timer entry, inside the buffer, is
/// linked into tokio's timer wheel), the largest, and the nested stages,
/// which call `shared`, `send` and `lock` on every call of theirs. Every
/// size here takes the same storage path (recycled, which the tests
/// assert), and each plugin costs seconds of Miri's time.
fn under_test(name: &str) -> bool {
    !cfg!(miri) || matches!(name, "sleep" | "3KiB" | "handle" | "shared_lock")
}

/// A runtime for the sleep's timer. The calls are polled on the test's
/// thread by `common::block_on` inside the runtime's context (the timer
/// needs the context, not `Runtime::block_on`, which allocates its
/// deferred-wakers list once per call and would blur exact counts).
fn runtime() -> tokio::runtime::Runtime {
    before_any_runtime();
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

#[test]
fn every_future_is_real_and_spills_the_default_capacity() {
    let plugins = registry();
    // One report (under Miri, building one per plugin costs seconds).
    let sizing = plugins.sizing();
    let capacity = sizing.capacity();
    for name in plugins.names() {
        let handle = plugins.handle(&name).unwrap();
        let layout = handle.run_layout();
        // Printed so the sizes are measured, not assumed
        // (`cargo test --test twin_sizes -- --nocapture`).
        println!(
            "{name:>12}: run's future {:>5} B, align {} (inline capacity {capacity} B)",
            layout.size(),
            layout.align()
        );
        assert!(layout.size() > capacity, "{name}: {layout}");
        assert!(
            sizing.get(&format!("{name}.run")).unwrap().is_recycled(),
            "{name}"
        );
    }
}

#[test]
fn every_path_allocates_nothing_per_call_once_warm() {
    let rt = runtime();
    let _context = rt.enter();
    let plugins = registry();
    for name in plugins.names().into_iter().filter(|name| under_test(name)) {
        let handle = plugins.handle(&name).unwrap();
        let shared = TwinHandle::shared(&handle);
        for x in 0..warm_calls(&name) {
            block_on(handle.run_send(x));
        }
        for x in 0..1 + CALLS {
            let paths = [
                // The erased call through a handle.
                count(|| {
                    let call = handle.run_send(x);
                    assert!(call.is_recycled(), "{name}");
                    block_on(call).0
                }),
                // The unchanged call site on the twin object: the bridge.
                count(|| block_on(bridge(&*handle, x)).0),
                // The object a registry shares with other plugins.
                count(|| block_on(shared.run_send(x)).0),
                // By name, resolved into a handle.
                count(|| block_on(plugins.handle(&name).unwrap().run_send(x)).0),
                // By name for one call: no lock, no `Arc` cloned.
                count(|| block_on(plugins.get(&name).unwrap().run_send(x)).0),
                // By name for one call, through the bridge.
                count(|| block_on(bridge(&*plugins.get(&name).unwrap(), x)).0),
            ];
            for (path, (out, allocs)) in paths.into_iter().enumerate() {
                assert_eq!(out, x, "{name}, path {path}");
                if x > 0 {
                    assert_eq!(allocs, Allocs::NONE, "{name}, path {path}, call {x}");
                }
            }
        }
        // One buffer served every call of this entry, the nested ones
        // included (a nested entry's calls are taken one at a time too).
        let pool = TwinHandle::pool_stats(&handle, "run").unwrap();
        assert_eq!((pool.misses, pool.idle), (1, 1), "{name}: {pool:?}");
    }
    let stats = plugins.stats();
    for (name, entry) in stats.iter() {
        let run = entry.get("run").unwrap();
        assert_eq!(run.recycled, run.calls, "{name}: {run}");
        assert_eq!(run.heap, 0, "{name}: {run}");
    }
}

#[test]
fn the_local_twin_recycles_too() {
    let rt = runtime();
    let _context = rt.enter();
    let plugins = local_registry();
    // One report (under Miri, building one per plugin costs seconds).
    let capacity = plugins.sizing().capacity();
    for name in plugins.names() {
        let handle = plugins.handle(&name).unwrap();
        assert!(handle.run_layout().size() > capacity, "{name}");
        if !under_test(&name) {
            continue;
        }
        for x in 0..warm_calls(&name) {
            block_on(handle.run_dyn(x));
        }
        for x in 0..CALLS {
            // (With a `Send` twin, the bridge is on the `Send` twin only.)
            let (out, allocs) = count(|| {
                let call = handle.run_dyn(x);
                assert!(call.is_recycled(), "{name}");
                block_on(call).0
            });
            assert_eq!(out, x, "{name}");
            assert_eq!(allocs, Allocs::NONE, "{name}, call {x}");
        }
    }
}

/// Polls `fut` to completion, counting the allocations of each poll on the
/// thread that makes it (a task moves between workers), summed.
async fn counting_polls<F: Future>(fut: F) -> (F::Output, u64) {
    let mut fut = pin!(fut);
    let mut allocations = 0;
    let out = poll_fn(|cx| {
        let (poll, allocs) = count(|| fut.as_mut().poll(cx));
        allocations += allocs.allocs;
        poll
    })
    .await;
    (out, allocations)
}

/// 8 tasks on a 2-worker runtime, each calling every plugin in turn
/// through one shared registry, after one call to each entry (which makes
/// its pool). Every allocation a call makes (building its future, and in
/// its polls the nested calls' futures) is counted on the thread that made
/// it and summed: in total, at most a buffer per call in flight at once
/// per entry, never one per call.
#[test]
fn allocations_are_bounded_under_concurrency() {
    // Two tasks under Miri still cross threads (two workers); eight are
    // minutes of its time.
    const TASKS: u64 = if cfg!(miri) { 2 } else { 8 };
    // Under Miri, two calls per task: every entry is still called, by
    // several tasks at once (the bound below is for the native run).
    let calls_per_task: u64 = if cfg!(miri) { 2 } else { 1000 };
    before_any_runtime();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let plugins = registry();
    let names = plugins.names();
    let entries = names.len() as u64;
    let pool_misses = || -> Vec<u64> {
        names
            .iter()
            .map(|name| {
                let handle = plugins.handle(name).unwrap();
                TwinHandle::pool_stats(&handle, "run").unwrap().misses
            })
            .collect()
    };
    {
        let _context = rt.enter();
        for name in &names {
            block_on(plugins.handle(name).unwrap().run_send(0));
        }
    }
    let before = pool_misses();
    let allocated: u64 = rt.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|task| {
                let handles: Vec<_> = names.iter().map(|n| plugins.handle(n).unwrap()).collect();
                tokio::spawn(async move {
                    let mut allocated = 0;
                    for i in 0..calls_per_task {
                        let handle = &handles[((task + i) % entries) as usize];
                        let (call, made) = count(|| handle.run_send(i));
                        let (_, polled) = counting_polls(call).await;
                        allocated += made.allocs + polled;
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
    let mut buffers = 0;
    for ((name, before), after) in names.iter().zip(before).zip(pool_misses()) {
        // At most one call per task in flight at each entry (a nested entry
        // too: a task awaits one outer call at a time); a take that races a
        // give-back on another shard may miss once more per task.
        assert!(
            after - before <= 2 * TASKS,
            "{name}: {} misses",
            after - before
        );
        buffers += after - before;
    }
    println!(
        "{total_calls} calls from {TASKS} tasks on 2 workers: {allocated} allocations, \
         {buffers} of them the pools' buffers"
    );
    // The pools' buffers, and nothing per call.
    assert!(
        allocated <= entries * 2 * TASKS,
        "{allocated} allocations ({buffers} buffers) for {total_calls} calls"
    );
    let recycled: u64 = plugins
        .stats()
        .iter()
        .map(|(_, entry)| entry.total().recycled)
        .sum();
    assert!(
        recycled >= total_calls,
        "{recycled} recycled of {total_calls}"
    );
}

/// A trait whose futures outlive the call (`+ 'static`, for `tokio::spawn`),
/// a shape real traits have (bb8's `ManageConnection`, tonic's health
/// service, openraft's network).
#[dyn_twin(DynDetached, send = SendDynDetached)]
trait Detached {
    fn run(&self, x: u64) -> impl Future<Output = u64> + Send + 'static;
}

impl Detached for State<128> {
    #[allow(
        clippy::manual_async_fn,
        reason = "an `async fn` would borrow `self`: this future must not"
    )]
    fn run(&self, x: u64) -> impl Future<Output = u64> + Send + 'static {
        async move {
            let state = [x; 128];
            YieldOnce::default().await;
            state.iter().sum::<u64>() / 128
        }
    }
}

/// The bridge for the `'static` trait: generic code that takes any
/// `Detached`, here the twin object.
fn detached_bridge<P: Detached + ?Sized>(
    plugin: &P,
    x: u64,
) -> impl Future<Output = u64> + 'static {
    plugin.run(x)
}

/// A `'static` future cannot borrow its entry's pool: the buffer it takes
/// keeps the pool alive instead, so it recycles like the others, by every
/// path, and allocates nothing once warm.
#[test]
fn a_static_future_recycles_too() {
    let plugins: TwinRegistry<dyn SendDynDetached> = TwinRegistry::new();
    let handle = plugins.register("1KiB", State::<128>).unwrap();
    let shared = TwinHandle::shared(&handle);
    assert!(handle.run_layout().size() > plugins.sizing().capacity());
    assert!(
        plugins.sizing().get("1KiB.run").unwrap().is_recycled(),
        "{}",
        plugins.sizing()
    );
    block_on(handle.run_send(0));
    for x in 1..1 + CALLS {
        let paths = [
            // The erased call through a handle.
            count(|| {
                let call = handle.run_send(x);
                assert!(call.is_recycled());
                block_on(call).0
            }),
            // The bridge.
            count(|| block_on(detached_bridge(&*handle, x)).0),
            // The object a registry shares.
            count(|| block_on(shared.run_send(x)).0),
            // By name, resolved into a handle.
            count(|| block_on(plugins.handle("1KiB").unwrap().run_send(x)).0),
            // By name for one call, erased and through the bridge.
            count(|| block_on(plugins.get("1KiB").unwrap().run_send(x)).0),
            count(|| block_on(detached_bridge(&*plugins.get("1KiB").unwrap(), x)).0),
        ];
        for (path, (out, allocs)) in paths.into_iter().enumerate() {
            assert_eq!(out, x, "path {path}");
            assert_eq!(allocs, Allocs::NONE, "path {path}, call {x}");
        }
    }
    let pool = TwinHandle::pool_stats(&handle, "run").unwrap();
    assert_eq!((pool.misses, pool.idle), (1, 1), "{pool:?}");
    let stats = plugins.stats();
    let run = stats.get("1KiB").unwrap().get("run").unwrap();
    assert_eq!((run.recycled, run.heap), (run.calls, 0), "{run}");
}
