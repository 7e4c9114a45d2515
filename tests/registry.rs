//! The registry as a user sees it: concurrent dispatch with exact counters,
//! registration and removal under load, typed errors for bad input, the
//! sizing report, and the auto traits of every registry type.
//!
//! Loads shrink under Miri (`cfg!(miri)`), which still runs every test on a
//! multi-threaded tokio runtime.
#![cfg(feature = "std")]

use core::fmt::Debug;
use core::future::Future;
use core::pin::pin;
use core::task::Poll;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

mod common;

use common::counting_alloc::{CountingAlloc, count};
use common::{YieldOnce, poll_once};
use hybrid_dispatch::capacity::S1;
use hybrid_dispatch::{
    Error, Handle, Registry, Service,
    registry::{CallStats, EntrySizing, RegistryFuture, RegistryStats, SizingReport},
    service_fn,
};
use static_assertions::{assert_impl_all, assert_not_impl_any};
use tokio::sync::oneshot;

assert_impl_all!(Registry<u64, u64>: Send, Sync, Clone, Default, Debug, Unpin);
assert_impl_all!(Registry<String, String, S1>: Send, Sync, Clone);
// The registry holds only `Send + Sync` erased services, so it is shareable
// whatever the request and response types are.
assert_impl_all!(Registry<std::rc::Rc<u8>, std::rc::Rc<u8>>: Send, Sync);
assert_impl_all!(Handle<u64, u64>: Send, Sync, Clone, Debug, Unpin);
assert_impl_all!(RegistryFuture<'static, u64>: Send, Debug, Future<Output = u64>);
assert_not_impl_any!(RegistryFuture<'static, u64>: Sync, Unpin);
assert_impl_all!(Error: Send, Sync, Clone, Eq, Debug, std::error::Error);
assert_impl_all!(CallStats: Send, Sync, Copy, Eq, Default, Debug);
assert_impl_all!(RegistryStats: Send, Sync, Clone, Eq, Debug);
assert_impl_all!(SizingReport: Send, Sync, Clone, Eq, Debug);
assert_impl_all!(EntrySizing: Send, Sync, Copy, Eq, Debug);

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

fn assert_send<T: Send>(value: T) -> T {
    value
}

type Reg = Registry<u64, u64>;

/// Four services with different future sizes: a bare `Ready` (16 bytes),
/// one that yields (small), one holding 64 bytes across the yield and one
/// holding 256 bytes across it, which does not fit the default 128 bytes.
fn four_services() -> Reg {
    let registry = Reg::new();
    registry
        .register("ready", service_fn(|x: u64| core::future::ready(x + 1)))
        .unwrap();
    registry
        .register(
            "yield",
            service_fn(|x: u64| async move {
                tokio::task::yield_now().await;
                x + 2
            }),
        )
        .unwrap();
    registry
        .register(
            "medium",
            service_fn(|x: u64| async move {
                let held = [x; 8];
                tokio::task::yield_now().await;
                held[7] + 3
            }),
        )
        .unwrap();
    registry
        .register(
            "large",
            service_fn(|x: u64| async move {
                let held = [x; 32];
                tokio::task::yield_now().await;
                held[31] + 4
            }),
        )
        .unwrap();
    registry
}

/// What service `name` answers to `x`.
fn expected(name: &str, x: u64) -> u64 {
    x + match name {
        "ready" => 1,
        "yield" => 2,
        "medium" => 3,
        "large" => 4,
        _ => unreachable!(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_calls_are_all_counted_exactly() {
    // Every `CANCEL_EVERY`th call of a task is polled once and dropped.
    const CANCEL_EVERY: u64 = 8;
    // Under Miri, a task per worker and one call per task polled once and
    // dropped: every service is still called by handle, by name and
    // cancelled, concurrently.
    let task_count: u64 = if cfg!(miri) { 4 } else { 8 };
    let calls_per_task: u64 = if cfg!(miri) { CANCEL_EVERY } else { 10_000 };

    let registry = four_services();
    let names = ["ready", "yield", "medium", "large"];
    let sizing = registry.sizing();
    assert_eq!(sizing.spilled().collect::<Vec<_>>(), ["large"]);

    let tasks: Vec<_> = (0..task_count)
        .map(|task| {
            let registry = registry.clone();
            tokio::spawn(async move {
                let handles = names.map(|name| registry.handle(name).unwrap());
                let (mut answered, mut cancelled, mut sum) = (0u64, 0u64, 0u64);
                for i in 0..calls_per_task {
                    let which = ((task + i) % 4) as usize;
                    let x = task * 1_000_000 + i;
                    if i % CANCEL_EVERY == CANCEL_EVERY - 1 {
                        let fut = pin!(handles[which].call(x));
                        // `ready` answers on the first poll; the others yield.
                        if poll_once(fut).is_pending() {
                            cancelled += 1;
                        } else {
                            answered += 1;
                            sum += expected(names[which], x);
                        }
                        continue;
                    }
                    let got = if i % 2 == 0 {
                        handles[which].call(x).await
                    } else {
                        registry.call(names[which], x).unwrap().await
                    };
                    assert_eq!(got, expected(names[which], x));
                    answered += 1;
                    sum += got;
                }
                (answered, cancelled, sum)
            })
        })
        .collect();

    let (mut answered, mut cancelled, mut sum) = (0, 0, 0);
    for task in tasks {
        let (a, c, s) = task.await.unwrap();
        answered += a;
        cancelled += c;
        sum += s;
    }

    // No call lost: every answer arrived and was right.
    assert_eq!(answered + cancelled, task_count * calls_per_task);
    let expected_sum: u64 = (0..task_count)
        .flat_map(|task| (0..calls_per_task).map(move |i| (task, i)))
        .filter(|&(task, i)| {
            i % CANCEL_EVERY != CANCEL_EVERY - 1 || (task + i) % 4 == 0 // `ready` never cancels
        })
        .map(|(task, i)| expected(names[((task + i) % 4) as usize], task * 1_000_000 + i))
        .sum();
    assert_eq!(sum, expected_sum);

    // Every counter adds up, per service and in total.
    let stats = registry.stats();
    for (index, name) in names.iter().enumerate() {
        let calls = (0..task_count)
            .flat_map(|task| (0..calls_per_task).map(move |i| (task + i) % 4))
            .filter(|&which| which == index as u64)
            .count() as u64;
        let s = *stats.get(name).unwrap();
        let size = sizing.get(name).unwrap().future_layout().size() as u64;
        assert_eq!(s.calls, calls, "{name}: {s}");
        assert_eq!(s.inline + s.heap + s.recycled, s.calls, "{name}: {s}");
        assert_eq!(s.completed + s.cancelled, s.calls, "{name}: {s}");
        assert_eq!(s.in_flight, 0, "{name}: {s}");
        // What the calls allocated: each heap future, each recycled buffer
        // a miss made (a buffer holds the future and a pointer more).
        assert_eq!(s.allocations, s.heap + s.recycle_misses, "{name}: {s}");
        let at_least = (s.heap + s.recycle_misses) * size;
        assert!(s.allocated_bytes >= at_least, "{name}: {s}");
        if *name == "large" {
            assert_eq!(
                (s.inline, s.heap, s.recycled),
                (0, 0, calls),
                "{name} is recycled on every call"
            );
            // A buffer per call in flight at once (one per task), plus
            // those idle in the other workers' caches (up to 4 each) when a
            // take misses: a miss allocates only when neither this
            // thread's cache nor the shared queues hold one.
            const WORKERS: u64 = 4;
            const CACHED_PER_THREAD: u64 = 4;
            let bound = task_count + WORKERS * CACHED_PER_THREAD;
            assert!(s.recycle_misses <= bound, "{name}: {s}");
        } else {
            assert_eq!(
                (s.inline, s.heap, s.recycled),
                (calls, 0, 0),
                "{name} stays inline"
            );
        }
        if *name == "ready" {
            assert_eq!(s.cancelled, 0);
        }
    }
    let total = stats.total();
    assert_eq!(total.calls, task_count * calls_per_task);
    assert_eq!(total.completed, answered);
    assert_eq!(total.cancelled, cancelled);
    assert_eq!(total.in_flight, 0);
}

#[test]
fn in_flight_counts_futures_until_they_are_dropped() {
    let registry = Registry::<u64, u64>::new();
    let slow = registry
        .register(
            "slow",
            service_fn(|x: u64| async move {
                let mut yielded = false;
                core::future::poll_fn(|cx| {
                    if yielded {
                        Poll::Ready(x)
                    } else {
                        yielded = true;
                        cx.waker().wake_by_ref();
                        Poll::Pending
                    }
                })
                .await
            }),
        )
        .unwrap();

    let mut pending: Vec<_> = (0..3).map(|x| Box::pin(slow.call(x))).collect();
    assert_eq!(slow.stats().in_flight, 3);
    for fut in &mut pending {
        assert!(poll_once(fut.as_mut()).is_pending());
    }
    assert_eq!(poll_once(pending[0].as_mut()), Poll::Ready(0));
    // Completed when it returned `Ready`, as a twin's tracked call is; its
    // drop counts nothing more.
    let stats = slow.stats();
    assert_eq!(
        (stats.completed, stats.cancelled, stats.in_flight),
        (1, 0, 2)
    );
    drop(pending.remove(0));
    let stats = slow.stats();
    assert_eq!(
        (stats.completed, stats.cancelled, stats.in_flight),
        (1, 0, 2)
    );
    drop(pending);
    let stats = slow.stats();
    assert_eq!(
        (stats.completed, stats.cancelled, stats.in_flight),
        (1, 2, 0)
    );
    assert_eq!(stats.calls, 3);
}

#[test]
fn a_call_by_name_is_made_and_counted_at_once() {
    let registry = Registry::<u64, u64>::new();
    let echo = registry
        .register("echo", service_fn(|x: u64| core::future::ready(x)))
        .unwrap();
    let unpolled = registry.call("echo", 1).unwrap();
    let stats = echo.stats();
    assert_eq!((stats.calls, stats.in_flight), (1, 1));
    drop(unpolled);
    let stats = echo.stats();
    assert_eq!((stats.calls, stats.cancelled, stats.in_flight), (1, 1, 0));

    let by_name = pin!(assert_send(registry.call("echo", 2).unwrap()));
    assert_eq!(poll_once(by_name), Poll::Ready(2));
    let stats = echo.stats();
    assert_eq!((stats.calls, stats.completed), (2, 1));
}

/// `dispatch` makes the same call as `call`, at once, and awaits it in
/// place: counted when made, cancelled when dropped unpolled, its future
/// the one the entry wrote (pinned where returned, nothing moves it), and
/// an unknown name is its error, answered once.
#[test]
fn a_dispatched_call_is_made_at_once_and_answers_unknown_names_as_errors() {
    let registry = Registry::<u64, u64>::new();
    let echo = registry
        .register(
            "echo",
            service_fn(|x: u64| async move {
                YieldOnce::default().await;
                x
            }),
        )
        .unwrap();
    let unpolled = registry.dispatch("echo", 1);
    assert_eq!((echo.stats().calls, echo.stats().in_flight), (1, 1));
    drop(unpolled);
    let stats = echo.stats();
    assert_eq!((stats.calls, stats.cancelled, stats.in_flight), (1, 1, 0));

    let mut pinned = pin!(assert_send(registry.dispatch("echo", 2)));
    assert_eq!(poll_once(pinned.as_mut()), Poll::Pending);
    assert_eq!(echo.stats().in_flight, 1);
    assert_eq!(poll_once(pinned.as_mut()), Poll::Ready(Ok(2)));
    let stats = echo.stats();
    assert_eq!((stats.calls, stats.completed, stats.in_flight), (2, 1, 0));

    // Moved before its first poll (into a box), as `.await` moves it.
    assert_eq!(
        common::block_on(Box::pin(registry.dispatch("echo", 3))).0,
        Ok(3)
    );

    let mut unknown = Box::pin(registry.dispatch("nope", 4));
    assert_eq!(
        poll_once(unknown.as_mut()),
        Poll::Ready(Err(Error::NotFound("nope".into())))
    );
    assert_eq!(echo.stats().calls, 3, "an unknown name calls nothing");
    let again = catch_unwind(AssertUnwindSafe(|| poll_once(unknown.as_mut())));
    let message = again.unwrap_err();
    assert_eq!(
        message.downcast_ref::<&str>(),
        Some(&"a call by name polled after it answered its error")
    );
    // Dropping it now drops nothing twice (Miri would say so): the
    // error's `String` went out with the answer.
    drop(unknown);
    // Dropped unanswered, the error is dropped with it (Miri's leak check
    // fails the test if its `String` is not).
    drop(registry.dispatch("nope", 5));
}

/// A call by name may borrow its request: the returned future holds the/// A call by name may borrow its request: the returned future holds the
/// snapshot the entry was found in, not a `'static` bound on the request
/// (`tests/trybuild/tests/ui/registry_call_outlives_request.rs`: it cannot outlive it).
#[test]
fn a_call_by_name_may_borrow_its_request() {
    /// The length of a borrowed string, pending once first.
    struct Len;
    struct LenFuture<'r>(&'r str, common::YieldOnce);
    impl Future for LenFuture<'_> {
        type Output = usize;
        fn poll(
            mut self: core::pin::Pin<&mut Self>,
            cx: &mut core::task::Context<'_>,
        ) -> Poll<usize> {
            core::pin::Pin::new(&mut self.1)
                .poll(cx)
                .map(|()| self.0.len())
        }
    }
    impl<'r> Service<&'r str> for Len {
        type Response = usize;
        type Future<'a> = LenFuture<'r>;
        fn call(&self, s: &'r str) -> LenFuture<'r> {
            LenFuture(s, common::YieldOnce::default())
        }
    }

    let owned = String::from("borrowed");
    let registry = Registry::<&str, usize>::new();
    registry.register("len", Len).unwrap();
    let call = registry.call("len", &owned).unwrap();
    // The snapshot moves with the future; removing the entry meanwhile
    // does not free it under the call.
    let moved = Box::pin(call);
    drop(registry.remove("len").unwrap());
    assert_eq!(common::block_on(moved), (8, 2));
}

#[test]
fn a_panicking_service_is_counted_once_as_panicked() {
    let registry = Registry::<u64, u64>::new();
    let boom = registry
        .register(
            "boom",
            service_fn(|x: u64| async move {
                if x > 0 {
                    panic!("boom");
                }
                x
            }),
        )
        .unwrap();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let fut = pin!(boom.call(1));
        poll_once(fut)
    }));
    assert!(outcome.is_err());
    let stats = boom.stats();
    assert_eq!(
        (
            stats.calls,
            stats.cancelled,
            stats.panicked,
            stats.in_flight
        ),
        (1, 0, 1, 0)
    );
    // The service is still usable afterwards.
    assert_eq!(poll_once(pin!(boom.call(0))), Poll::Ready(0));
}

#[test]
fn a_service_whose_call_panics_is_counted_once_as_panicked() {
    let registry = Registry::<u64, u64>::new();
    let eager = registry
        .register(
            "eager",
            service_fn(|x: u64| {
                assert!(x == 0, "refused before building a future");
                core::future::ready(x)
            }),
        )
        .unwrap();
    assert!(catch_unwind(AssertUnwindSafe(|| drop(eager.call(1)))).is_err());
    let stats = eager.stats();
    assert_eq!(
        (
            stats.calls,
            stats.cancelled,
            stats.panicked,
            stats.in_flight
        ),
        (1, 0, 1, 0)
    );
    assert_eq!(stats.inline, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_in_flight_finish_on_the_service_they_started_with() {
    let registry = Registry::<u64, u64>::new();
    let (release, released) = oneshot::channel::<()>();
    let released = std::sync::Mutex::new(Some(released));
    // The first "plugin" waits for a signal before answering.
    let old = registry
        .register(
            "plugin",
            service_fn(move |x: u64| {
                let wait = released.lock().unwrap().take();
                async move {
                    if let Some(wait) = wait {
                        wait.await.unwrap();
                    }
                    x + 1_000
                }
            }),
        )
        .unwrap();

    let in_flight = tokio::spawn(registry.call("plugin", 1).unwrap());
    while old.stats().in_flight == 0 {
        tokio::task::yield_now().await;
    }

    // Replace the plugin while the call runs.
    let removed = registry.remove("plugin").unwrap();
    assert!(removed.same_entry(&old));
    registry
        .register(
            "plugin",
            service_fn(|x: u64| core::future::ready(x + 2_000)),
        )
        .unwrap();
    assert_eq!(registry.call("plugin", 1).unwrap().await, 2_001);

    release.send(()).unwrap();
    assert_eq!(
        in_flight.await.unwrap(),
        1_001,
        "finished on the old service"
    );
    let stats = removed.stats();
    assert_eq!((stats.calls, stats.completed, stats.in_flight), (1, 1, 0));
    assert_eq!(registry.stats().get("plugin").unwrap().calls, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn registration_and_removal_while_calls_run() {
    // Under Miri, a register-and-remove round while calls run, and one
    // more after a removal, with two callers (each round copies the map
    // and runs the fence-mode barriers slowly there).
    let rounds: usize = if cfg!(miri) { 2 } else { 300 };
    let callers: u64 = if cfg!(miri) { 2 } else { 6 };

    let registry = four_services();
    let stop = Arc::new(AtomicUsize::new(0));
    let caller_tasks: Vec<_> = (0..callers)
        .map(|_| {
            let registry = registry.clone();
            let stop = Arc::clone(&stop);
            tokio::spawn(async move {
                let (mut stable_calls, mut churn_calls, mut not_found) = (0u64, 0u64, 0u64);
                let mut i = 0u64;
                while stop.load(Ordering::Relaxed) == 0 || i < 4 {
                    i += 1;
                    assert_eq!(registry.call("yield", i).unwrap().await, i + 2);
                    stable_calls += 1;
                    match registry.call("churn", i) {
                        Ok(fut) => {
                            assert_eq!(fut.await, i * 10);
                            churn_calls += 1;
                        }
                        Err(err) => {
                            assert_eq!(err, Error::NotFound("churn".into()));
                            not_found += 1;
                        }
                    }
                }
                (stable_calls, churn_calls, not_found)
            })
        })
        .collect();

    // Register and remove "churn" (and a bystander) over and over, keeping
    // every removed entry's handle to read its final counters.
    let mut removed = Vec::new();
    for round in 0..rounds {
        let bystander = format!("bystander-{round}");
        registry
            .register(
                "churn",
                service_fn(|x: u64| async move {
                    tokio::task::yield_now().await;
                    x * 10
                }),
            )
            .unwrap();
        registry
            .register(&bystander, service_fn(|x: u64| core::future::ready(x)))
            .unwrap();
        tokio::task::yield_now().await;
        removed.push(registry.remove("churn").unwrap());
        registry.remove(&bystander).unwrap();
        tokio::task::yield_now().await;
    }
    stop.store(1, Ordering::Relaxed);

    let (mut stable_calls, mut churn_calls) = (0, 0);
    for task in caller_tasks {
        let (stable, churn, _) = task.await.unwrap();
        stable_calls += stable;
        churn_calls += churn;
    }

    // Every successful call on a removed entry was counted on that entry,
    // and every one of them finished.
    let churn_total = removed
        .iter()
        .map(Handle::stats)
        .fold(CallStats::default(), |sum, s| sum + s);
    assert_eq!(churn_total.calls, churn_calls);
    assert_eq!(churn_total.completed, churn_calls);
    assert_eq!(churn_total.in_flight, 0);
    let stable = *registry.stats().get("yield").unwrap();
    assert_eq!(
        (stable.calls, stable.completed),
        (stable_calls, stable_calls)
    );
    assert_eq!(registry.names(), ["large", "medium", "ready", "yield"]);
}

#[test]
fn unknown_names_are_errors_and_change_nothing() {
    let registry = four_services();
    let names_before = registry.names();
    let stats_before = registry.stats();

    let not_found = Error::NotFound("nope".into());
    assert_eq!(registry.handle("nope").unwrap_err(), not_found);
    assert_eq!(registry.call("nope", 1).err(), Some(not_found.clone()));
    assert_eq!(registry.remove("nope").unwrap_err(), not_found);
    assert!(!registry.contains("nope"));

    assert_eq!(registry.names(), names_before);
    assert_eq!(registry.stats(), stats_before);
    assert_eq!(registry.len(), 4);
}

#[test]
fn duplicate_names_are_errors_and_keep_the_first_service() {
    /// Counts its drops, and uses the registry in its destructor: if the
    /// rejected service were dropped under the registry's lock, this would
    /// deadlock.
    struct Rejected {
        drops: Arc<AtomicUsize>,
        registry: Reg,
    }
    impl Drop for Rejected {
        fn drop(&mut self) {
            assert_eq!(self.registry.names().len(), 4);
            self.drops.fetch_add(1, Ordering::Relaxed);
        }
    }
    impl Service<u64> for Rejected {
        type Response = u64;
        type Future<'a> = core::future::Ready<u64>;
        fn call(&self, _: u64) -> core::future::Ready<u64> {
            core::future::ready(0)
        }
    }

    let registry = four_services();
    let first = registry.handle("ready").unwrap();
    let names_before = registry.names();
    let sizing_before = registry.sizing();
    let drops = Arc::new(AtomicUsize::new(0));

    let err = registry
        .register(
            "ready",
            Rejected {
                drops: Arc::clone(&drops),
                registry: registry.clone(),
            },
        )
        .unwrap_err();
    assert_eq!(err, Error::Duplicate("ready".into()));
    assert_eq!(
        drops.load(Ordering::Relaxed),
        1,
        "the rejected service is dropped"
    );

    assert_eq!(registry.names(), names_before);
    assert_eq!(registry.sizing(), sizing_before);
    assert!(registry.handle("ready").unwrap().same_entry(&first));
    assert_eq!(
        poll_once(pin!(registry.call("ready", 41).unwrap())),
        Poll::Ready(42)
    );
}

#[test]
fn errors_name_the_service() {
    let duplicate = Error::Duplicate("resize".into());
    let not_found = Error::NotFound("crop".into());
    assert_eq!(
        duplicate.to_string(),
        "a service named \"resize\" is already registered"
    );
    assert_eq!(
        not_found.to_string(),
        "no service named \"crop\" is registered"
    );
    assert_eq!((duplicate.name(), not_found.name()), ("resize", "crop"));
    let boxed: Box<dyn std::error::Error + Send + Sync> = Box::new(not_found);
    assert!(boxed.to_string().contains("crop"));
}

#[test]
fn sizing_report_explains_each_spill() {
    #[repr(align(64))]
    struct Aligned(u64);

    let registry = four_services();
    let sizing = registry.sizing();
    assert_eq!((sizing.capacity(), sizing.capacity_align()), (120, 8));
    assert!(!sizing.all_inline());
    let large = sizing.get("large").unwrap();
    assert!(!large.is_inline());
    assert!(large.future_layout().size() > 256);
    assert_eq!(sizing.required_capacity(), large.future_layout().size());
    assert_eq!(sizing.smallest_space(), Some("S64"));
    let table = sizing.to_string();
    assert!(
        table.starts_with("capacity: 120 bytes, align 8 (S15)\n"),
        "{table}"
    );
    let large_row = table.lines().find(|l| l.starts_with("large")).unwrap();
    assert!(large_row.contains("recycled ("), "{table}");
    assert!(large.is_recycled());
    assert!(
        table.lines().last().unwrap().contains("capacity::S64"),
        "{table}"
    );

    // Too large for any standard capacity, and over-aligned.
    let huge = Registry::<u64, [u64; 80]>::new();
    huge.register("huge", service_fn(|x: u64| core::future::ready([x; 80])))
        .unwrap();
    // One report per registry, formatted once (Miri formats slowly).
    let huge_report = huge.sizing();
    assert_eq!(huge_report.smallest_space(), None);
    // `Ready<[u64; 80]>` is 81 words, and the entry's counters pointer
    // beside it one more.
    assert!(huge_report.to_string().contains("[usize; 82]"));
    // A 64-byte future, and the counters pointer beside it: 128 bytes at
    // align 64. It fits a 16-word capacity in size, not in alignment.
    #[repr(align(64))]
    struct ReadyAligned(u64);
    impl core::future::Future for ReadyAligned {
        type Output = Aligned;
        fn poll(self: core::pin::Pin<&mut Self>, _: &mut core::task::Context<'_>) -> Poll<Aligned> {
            Poll::Ready(Aligned(self.0))
        }
    }
    let aligned = Registry::<u64, Aligned, hybrid_dispatch::capacity::S16>::new();
    aligned
        .register("aligned", service_fn(|x: u64| ReadyAligned(x)))
        .unwrap();
    let answer = aligned.call("aligned", 5).unwrap();
    assert_eq!(poll_once(pin!(answer)).map(|a| a.0), Poll::Ready(5));
    assert_eq!(
        aligned.stats().total().recycled,
        1,
        "over-aligned: in a recycled buffer of its alignment"
    );
    let report = aligned.sizing();
    assert_eq!(
        (report.smallest_space(), report.required_align()),
        (None, 64)
    );
    let text = report.to_string();
    assert!(text.contains("align 64 > capacity align 8"), "{text}");
    assert!(text.contains("[capacity::Align64; 2]"), "{text}");
}

#[test]
fn stats_table_lists_every_service_and_a_total() {
    let registry = four_services();
    let ready = registry.handle("ready").unwrap();
    for x in 0..3 {
        assert_eq!(poll_once(pin!(ready.call(x))), Poll::Ready(x + 1));
    }
    let table = registry.stats().to_string();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 6, "{table}");
    assert!(lines[0].starts_with("service"), "{table}");
    let words: Vec<&str> = lines[3].split_whitespace().collect();
    assert_eq!(
        words,
        ["ready", "3", "3", "0", "0", "0", "0", "0", "3", "0", "0"],
        "{table}"
    );
    assert!(lines[5].starts_with("total"), "{table}");
}

#[test]
fn clones_share_one_registry() {
    let registry = Registry::<u64, u64>::default();
    let clone = registry.clone();
    clone
        .register("echo", service_fn(|x: u64| core::future::ready(x)))
        .unwrap();
    assert!(registry.contains("echo"));
    assert_eq!(
        format!("{registry:?}"),
        "Registry { capacity: 120, services: [\"echo\"] }"
    );
    let handle = registry.handle("echo").unwrap();
    assert!(format!("{handle:?}").contains("name: \"echo\""));
    assert!(format!("{:?}", handle.call(1)).contains("Tracked"));
}

#[test]
fn a_handle_outlives_its_registry() {
    let registry = four_services();
    let ready = registry.handle("ready").unwrap();
    drop(registry);
    assert_eq!(poll_once(pin!(ready.call(1))), Poll::Ready(2));
    assert_eq!(ready.stats().completed, 1);
}

/// A service whose future (`[u64; 12]` across an await, about 104 bytes)
/// fits the default 120 bytes with the registry's counters pointer, but not
/// with the 16-byte snapshot a call by name keeps too.
async fn near_capacity(x: u64) -> u64 {
    let scratch = [x; 12];
    YieldOnce::default().await;
    scratch.iter().sum()
}

#[test]
fn a_future_near_the_capacity_is_inline_through_a_handle_and_recycled_by_name() {
    let registry = Registry::<u64, u64>::new();
    let handle = registry
        .register("near", service_fn(near_capacity))
        .unwrap();
    let stored = handle.sizing().future_layout().size();
    assert!(
        stored <= 120 && stored + 16 > 120,
        "the test needs a stored future within 16 bytes of the capacity: {stored}"
    );
    assert!(!handle.sizing().is_recycled(), "{}", handle.sizing());
    let (_, through_handle) = count(|| assert_eq!(poll_once(pin!(handle.call(1))), Poll::Pending));
    assert_eq!(through_handle.allocs, 0, "inline through a handle");
    assert_eq!(handle.stats().recycle_misses, 0);

    // By name, the snapshot does not fit beside it: the entry's pool holds
    // a buffer for it, allocated once, then reused.
    let mut first = Box::pin(registry.call("near", 1).unwrap());
    assert_eq!(poll_once(first.as_mut()), Poll::Pending);
    assert_eq!(poll_once(first.as_mut()), Poll::Ready(12));
    drop(first);
    assert_eq!(handle.stats().recycle_misses, 1);
    for x in 2..6 {
        let (_, again) = count(|| {
            let mut call = pin!(registry.call("near", x).unwrap());
            assert_eq!(poll_once(call.as_mut()), Poll::Pending);
            assert_eq!(poll_once(call.as_mut()), Poll::Ready(12 * x));
        });
        assert_eq!((again.allocs, again.deallocs), (0, 0), "by name, once warm");
    }
    let stats = handle.stats();
    assert_eq!(
        (stats.recycle_misses, stats.idle_buffers),
        (1, 1),
        "{stats}"
    );
    assert_eq!(stats.allocations, 1, "{stats}");

    // With recycling off, that call by name is boxed, and counted.
    let off = Registry::<u64, u64>::with_max_idle(0);
    let off_handle = off.register("near", service_fn(near_capacity)).unwrap();
    let (_, boxed) = count(|| drop(off.call("near", 1).unwrap()));
    assert_eq!((boxed.allocs, boxed.deallocs), (1, 1));
    let (_, inline) = count(|| drop(off_handle.call(1)));
    assert_eq!(inline.allocs, 0);
}

#[test]
fn inline_calls_allocate_nothing_and_spills_allocate_their_future_once() {
    let registry = four_services();
    let ready = registry.handle("ready").unwrap();
    let large = registry.handle("large").unwrap();
    let large_size = large.sizing().future_layout().size() as u64;
    // Warm up: the first call may initialize lazy statics of the runtime.
    let _ = poll_once(pin!(ready.call(0)));

    let (_, by_handle) = count(|| poll_once(pin!(ready.call(1))));
    assert_eq!(by_handle.allocs, 0, "inline call through a handle");
    let (_, by_name) = count(|| poll_once(pin!(registry.call("ready", 1).unwrap())));
    assert_eq!(
        by_name.allocs, 0,
        "inline call by name: a snapshot load, no allocation"
    );
    // Too large to fit: the first call allocates a buffer for the entry's
    // pool, which keeps it; the next calls reuse it.
    let buffer = large_size + 8;
    let (_, first) = count(|| drop(large.call(1)));
    assert_eq!((first.allocs, first.bytes, first.deallocs), (1, buffer, 0));
    let (_, again) = count(|| drop(large.call(2)));
    assert_eq!((again.allocs, again.deallocs), (0, 0));
    let (_, by_name) = count(|| drop(registry.call("large", 3).unwrap()));
    assert_eq!((by_name.allocs, by_name.deallocs), (0, 0));
    assert_eq!(large.stats().recycle_misses, 1);

    // With recycling off, a spill allocates its future once per call.
    let off = Registry::<u64, u64>::with_max_idle(0);
    let spills = off
        .register(
            "large",
            service_fn(|x: u64| async move {
                let scratch = [x; 36];
                core::future::ready(()).await;
                scratch.iter().sum::<u64>()
            }),
        )
        .unwrap();
    let size = spills.sizing().future_layout().size() as u64;
    assert!(!spills.sizing().is_recycled());
    let (_, spilled) = count(|| drop(spills.call(1)));
    assert_eq!(
        (spilled.allocs, spilled.bytes, spilled.deallocs),
        (1, size, 1)
    );
}
