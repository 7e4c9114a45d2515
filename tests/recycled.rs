//! Recycled storage as users meet it: through `Registry`'s default and
//! through the `Recycled` wrapper, with realistic future sizes (a tokio
//! sleep, a lock, an mpsc send, 1 KiB and 3 KiB of state), allocation
//! counts from the counting allocator. (The services yield with the
//! test's own `YieldOnce`: tokio's `yield_now` allocates its runtime's
//! deferred-wakers list once per `block_on`, which would blur the counts.)
#![cfg(feature = "std")]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::Duration;

use common::YieldOnce;
use common::counting_alloc::{CountingAlloc, count};
use hybrid_dispatch::{Recycled, Registry, SendDynService, SendService, service_fn};

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

type Shared = Arc<dyn SendDynService<u64, u64>>;

/// A service of `u64` to `u64` whose futures are `Send`.
trait Svc: SendService<u64, Response = u64> {}
impl<S: SendService<u64, Response = u64>> Svc for S {}

fn sleep() -> impl Svc {
    service_fn(|x: u64| async move {
        tokio::time::sleep(Duration::from_micros(1)).await;
        x
    })
}

fn lock() -> impl Svc {
    let lock = Arc::new(tokio::sync::RwLock::new(0u64));
    service_fn(move |x: u64| {
        let lock = Arc::clone(&lock);
        async move {
            let mut value = lock.write().await;
            *value += x;
            // Held across an await, as a real critical section would be.
            YieldOnce::default().await;
            *value
        }
    })
}

fn send() -> impl Svc {
    let (tx, rx) = tokio::sync::mpsc::channel::<u64>(1024);
    // Past the 32 slots of the channel's first block, once: it allocates
    // its second block then (its own allocation, not a call's) and reuses
    // blocks from then on, so that a short warm-up is enough.
    let mut rx = rx;
    for i in 0..40 {
        tx.try_send(i).unwrap();
        rx.try_recv().unwrap();
    }
    let rx = Arc::new(std::sync::Mutex::new(rx));
    service_fn(move |x: u64| {
        let tx = tx.clone();
        let rx = Arc::clone(&rx);
        async move {
            tx.send(x).await.unwrap();
            // Drained at once, so the channel reuses its blocks.
            rx.lock().unwrap().try_recv().unwrap()
        }
    })
}

fn kib1() -> impl Svc {
    service_fn(|x: u64| async move {
        let state = [x; 128];
        YieldOnce::default().await;
        // Both ends (all of it is held across the await), no loop: Miri
        // runs each iteration.
        (state[0] + state[127]) * 64
    })
}

fn kib3() -> impl Svc {
    service_fn(|x: u64| async move {
        let state = [x; 384];
        YieldOnce::default().await;
        // Both ends (all of it is held across the await), no loop: Miri
        // runs each iteration.
        (state[0] + state[383]) * 192
    })
}

/// The services behind `dyn`, by name, each with the future of a real call.
fn services() -> Vec<(&'static str, Shared)> {
    vec![
        ("sleep", Arc::new(sleep())),
        ("lock", Arc::new(lock())),
        ("send", Arc::new(send())),
        ("1KiB", Arc::new(kib1())),
        ("3KiB", Arc::new(kib3())),
    ]
}

/// A registry of the same services (registered by their concrete types).
fn registry() -> Registry<u64, u64> {
    let registry = Registry::new();
    registry.register("sleep", sleep()).unwrap();
    registry.register("lock", lock()).unwrap();
    registry.register("send", send()).unwrap();
    registry.register("1KiB", kib1()).unwrap();
    registry.register("3KiB", kib3()).unwrap();
    registry
}

/// What `name`'s service answers to `x`.
fn expected(name: &str, x: u64) -> Option<u64> {
    match name {
        "sleep" | "send" => Some(x),
        "1KiB" => Some(128 * x),
        "3KiB" => Some(384 * x),
        _ => None, // the lock's running total
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// Calls to warm up with: the pool's buffer, the runtime's timer wheel (the
/// `mpsc` channel is warmed when it is made).
const WARM: u64 = if cfg!(miri) { 2 } else { CALLS };

/// Calls per measurement, once warm (one under Miri, where each call of
/// a 3 KiB future through tokio takes a good part of a second: the
/// `2 * CALLS` run still reuses the buffer within one `block_on`, and a
/// call's allocations show in the difference of `2 * CALLS` and `CALLS`
/// however few there are).
const CALLS: u64 = if cfg!(miri) { 1 } else { 200 };

/// Whether the per-size tests call `name`'s service: every one natively;
/// under Miri, the sleep (its timer entry, inside the buffer, is linked
/// into tokio's timer wheel) and the largest. The others take the same
/// storage path (every size here is recycled, which the tests assert),
/// and each costs seconds of Miri's time.
fn under_test(name: &str) -> bool {
    !cfg!(miri) || matches!(name, "sleep" | "3KiB")
}

/// What `run(calls)` allocates per call in steady state: the runtime's own
/// allocations once per `block_on` (tokio allocates its deferred-wakers
/// list once per `block_on` when a task yields or runs out of budget) are
/// the same for `CALLS` and `2 * CALLS` calls, and cancel out.
fn allocs_per_call(run: impl Fn(u64)) -> (u64, u64) {
    run(WARM); // the pool's buffer, the runtime's timer wheel, mpsc blocks
    let ((), once) = count(|| run(CALLS));
    let ((), twice) = count(|| run(2 * CALLS));
    (
        twice.allocs.saturating_sub(once.allocs),
        twice.bytes.saturating_sub(once.bytes),
    )
}

#[test]
fn every_size_spills_the_default_capacity() {
    // The point of the file: none of these fits 120 bytes.
    for (name, service) in services() {
        let layout = service.future_layout();
        assert!(layout.size() > 120, "{name}: {layout}");
    }
}

#[test]
fn registry_calls_allocate_nothing_once_warm_at_every_size() {
    let rt = runtime();
    let registry = registry();
    for name in registry.names() {
        let handle = registry.handle(&name).unwrap();
        assert!(handle.sizing().is_recycled(), "{name}");
        if !under_test(&name) {
            continue;
        }
        rt.block_on(handle.call(0)); // the one miss: the pool's buffer
        let through_handle = allocs_per_call(|calls| {
            rt.block_on(async {
                for x in 0..calls {
                    // What the call itself allocates, exactly: nothing.
                    let (fut, made) = count(|| handle.call(x));
                    assert_eq!(made.allocs, 0, "{name}: building the future");
                    let out = fut.await;
                    if let Some(want) = expected(&name, x) {
                        assert_eq!(out, want, "{name}");
                    }
                }
            });
        });
        assert_eq!(through_handle, (0, 0), "{name}: through a handle");
        let by_name = allocs_per_call(|calls| {
            rt.block_on(async {
                for x in 0..calls {
                    let (fut, made) = count(|| registry.call(&name, x).unwrap());
                    assert_eq!(made.allocs, 0, "{name}: building the future");
                    fut.await;
                }
            });
        });
        assert_eq!(by_name, (0, 0), "{name}: by name");
        let dispatched = allocs_per_call(|calls| {
            rt.block_on(async {
                for x in 0..calls {
                    let out = core::pin::pin!(registry.dispatch(&name, x)).await.unwrap();
                    if let Some(want) = expected(&name, x) {
                        assert_eq!(out, want, "{name}");
                    }
                }
            });
        });
        assert_eq!(dispatched, (0, 0), "{name}: by name, dispatched");
        let stats = handle.stats();
        assert_eq!(stats.recycled, stats.calls, "{name}: {stats}");
        assert_eq!(stats.recycle_misses, 1, "{name}: one buffer for every call");
        assert_eq!(stats.idle_buffers, 1, "{name}: {stats}");
    }
}

#[test]
fn the_wrapper_allocates_nothing_once_warm_at_every_size() {
    let rt = runtime();
    for (name, service) in services().into_iter().filter(|(n, _)| under_test(n)) {
        let recycled = Recycled::new(service);
        rt.block_on(recycled.call(0)); // the one miss: the pool's buffer
        let per_call = allocs_per_call(|calls| {
            rt.block_on(async {
                for x in 0..calls {
                    let (fut, made) = count(|| recycled.call(x));
                    assert_eq!(made.allocs, 0, "{name}: building the future");
                    assert!(fut.is_recycled(), "{name}");
                    let out = fut.await;
                    if let Some(want) = expected(name, x) {
                        assert_eq!(out, want, "{name}");
                    }
                }
            });
        });
        assert_eq!(per_call, (0, 0), "{name}");
        assert_eq!(recycled.stats().misses, 1, "{name}");
    }
}

/// 8 tasks on a 2-worker runtime, each making many awaited calls to every
/// service through one registry. The allocations of each call's
/// construction (where a buffer is taken, or allocated on a miss) are
/// counted on the thread that made it and summed: in total, at most a
/// buffer per call in flight at once per service, never one per call.
#[test]
fn allocations_are_bounded_under_concurrency() {
    // Two tasks under Miri still cross threads (two workers); eight are
    // minutes of its time.
    const TASKS: u64 = if cfg!(miri) { 2 } else { 8 };
    let calls_per_task: u64 = if cfg!(miri) { 5 } else { 500 };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .unwrap();
    let registry = registry();
    let names = registry.names();
    let allocations = Arc::new(AtomicU64::new(0));
    rt.block_on(async {
        let tasks: Vec<_> = (0..TASKS)
            .map(|task| {
                let registry = registry.clone();
                let allocations = Arc::clone(&allocations);
                let names = names.clone();
                tokio::spawn(async move {
                    let handles: Vec<_> =
                        names.iter().map(|n| registry.handle(n).unwrap()).collect();
                    for i in 0..calls_per_task {
                        let handle = &handles[((task + i) % 5) as usize];
                        let (fut, made) = count(|| handle.call(i));
                        allocations.fetch_add(made.allocs, Relaxed);
                        fut.await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
    });
    let total_calls = TASKS * calls_per_task;
    let allocated = allocations.load(Relaxed);
    // At most TASKS calls of one service are in flight at once; a take
    // racing a give-back on another shard may miss once more per task.
    assert!(
        allocated <= 5 * 2 * TASKS,
        "{allocated} allocations for {total_calls} calls"
    );
    let stats = registry.stats().total();
    assert_eq!(stats.calls, total_calls);
    assert_eq!(stats.recycled, total_calls);
    assert_eq!(stats.recycle_misses, allocated, "{stats}");
    assert_eq!(stats.in_flight, 0);
}
