//! tower interop, both directions, with real tower middleware on tokio:
//! behaviour, back-pressure, errors, and exact allocations per call.

#![cfg(feature = "tower")]

mod common;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use common::YieldOnce;
use common::counting_alloc::{Allocs, CountingAlloc, count};
use hybrid_dispatch::ServiceExt as _;
use hybrid_dispatch::capacity::{S2, S32};
use hybrid_dispatch::compat::{FromTower, ToTower};
use hybrid_dispatch::{DynService, SendDynService, Service, layout::FutureLayout, service_fn};
use tokio::runtime::Runtime;
use tokio::sync::Notify;
use tower::ServiceExt as _;
use tower::limit::ConcurrencyLimit;
use tower::timeout::Timeout;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

type BoxError = tower::BoxError;

const NONE: Allocs = Allocs {
    allocs: 0,
    bytes: 0,
    deallocs: 0,
};

const CALLS: u64 = if cfg!(miri) { 2 } else { 50 };

/// A current-thread runtime: the task runs on the test's thread, so the
/// per-thread counting allocator sees every allocation the call makes.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
}

/// Runs `make()` to completion on `rt` and counts this thread's allocations.
fn measure<F: Future>(rt: &Runtime, make: impl FnOnce() -> F) -> (F::Output, Allocs) {
    count(|| rt.block_on(make()))
}

/// A tower stack as a user would build it: a timeout around a concurrency
/// limit around a `tower::service_fn` that yields once.
fn tower_stack() -> impl tower::Service<
    u64,
    Response = u64,
    Error = BoxError,
    Future = impl Future<Output = Result<u64, BoxError>> + Send,
> + Clone
+ Send
+ Sync
+ 'static {
    let inner = tower::service_fn(|x: u64| async move {
        YieldOnce::default().await;
        Ok::<_, Infallible>(x + 1)
    });
    Timeout::new(ConcurrencyLimit::new(inner, 8), Duration::from_secs(5))
}

#[test]
fn from_tower_static_call_allocates_nothing() {
    let rt = runtime();
    let svc = FromTower::new(tower_stack());
    // Warm-up: the runtime and the timer wheel set themselves up lazily.
    rt.block_on(svc.call(0)).unwrap();
    for i in 0..CALLS {
        let (out, allocs) = measure(&rt, || svc.call(i));
        assert_eq!(out.unwrap(), i + 1);
        assert_eq!(allocs, NONE);
    }
}

/// The size of the future a tower service returns.
fn tower_future_size<S: tower::Service<Req>, Req>(_: &S) -> usize {
    std::mem::size_of::<S::Future>()
}

#[test]
fn from_tower_future_is_no_larger_than_towers_own() {
    let tower_svc = tower_stack();
    let tower_size = tower_future_size(&tower_svc);
    let ours = FutureLayout::of_service_val(&FromTower::new(tower_svc), &0u64);
    // The clone and the request share the tower future's space.
    assert_eq!(ours.size(), tower_size, "{ours}");
}

#[test]
fn from_tower_dyn_call_allocates_only_when_towers_future_is_too_large() {
    let rt = runtime();
    let svc = FromTower::new(tower_stack()).counted();
    let size = FutureLayout::of_service_val(&svc, &0u64).size();
    // `Timeout`'s future holds a tokio `Sleep`: 144 bytes on x86-64 Linux,
    // over the default 128-byte space.
    assert!(size > 128, "{size}");

    let roomy: &dyn SendDynService<u64, Result<u64, BoxError>, S32> = &svc;
    rt.block_on(roomy.call_send(0)).unwrap();
    for i in 0..CALLS {
        let ((out, heap), allocs) = measure(&rt, || async {
            let fut = roomy.call_send(i);
            let heap = fut.is_heap();
            (fut.await, heap)
        });
        assert_eq!((out.unwrap(), heap), (i + 1, false));
        assert_eq!(allocs, NONE);
    }

    let default: &dyn SendDynService<u64, Result<u64, BoxError>> = &svc;
    for i in 0..CALLS {
        let (out, allocs) = measure(&rt, || default.call_send(i));
        assert_eq!(out.unwrap(), i + 1);
        let one = Allocs {
            allocs: 1,
            bytes: size as u64,
            deallocs: 1,
        };
        assert_eq!(allocs, one);
    }
    let stats = svc.stats();
    assert_eq!((stats.inline, stats.heap), (CALLS + 1, CALLS));
}

#[test]
fn from_tower_without_a_timer_fits_the_default_space() {
    let rt = runtime();
    let inner = tower::service_fn(|x: u64| async move {
        YieldOnce::default().await;
        Ok::<_, Infallible>(x + 1)
    });
    let svc = FromTower::new(ConcurrencyLimit::new(inner, 8));
    let erased: &dyn DynService<u64, Result<u64, Infallible>> = &svc;
    rt.block_on(erased.call_dyn(0)).unwrap();
    let ((out, heap), allocs) = measure(&rt, || async {
        let fut = erased.call_dyn(1);
        let heap = fut.is_heap();
        (fut.await, heap)
    });
    assert_eq!((out, heap), (Ok(2), false));
    assert_eq!(allocs, NONE);
}

#[test]
fn from_tower_waits_for_poll_ready() {
    let rt = runtime();
    let gate = Arc::new(Notify::new());
    let inner = tower::service_fn({
        let gate = Arc::clone(&gate);
        move |x: u64| {
            let gate = Arc::clone(&gate);
            async move {
                if x == 0 {
                    gate.notified().await;
                }
                Ok::<_, Infallible>(x)
            }
        }
    });
    let svc = FromTower::new(ConcurrencyLimit::new(inner, 1));
    rt.block_on(async {
        let mut first = Box::pin(svc.call(0));
        let mut second = Box::pin(svc.call(1));
        // The first takes the only permit and blocks on the gate; the second
        // waits in `poll_ready` without calling the inner service.
        assert!(futures_poll(first.as_mut()).is_pending());
        assert!(futures_poll(second.as_mut()).is_pending());
        assert!(format!("{second:?}").contains("waiting for poll_ready"));
        gate.notify_one();
        assert_eq!(first.await, Ok(0));
        assert_eq!(second.await, Ok(1));
    });
}

/// What a tower caller does: wait until ready, then call.
async fn ready_call<S: tower::Service<Req>, Req>(
    svc: &mut S,
    req: Req,
) -> Result<S::Response, S::Error> {
    tower::Service::call(svc.ready().await?, req).await
}

/// Polls once with a no-op waker.
fn futures_poll<F: Future + ?Sized>(fut: std::pin::Pin<&mut F>) -> std::task::Poll<F::Output> {
    common::poll_once(fut)
}

#[test]
fn from_tower_reports_middleware_errors() {
    let rt = runtime();
    let slow = tower::service_fn(|()| async {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok::<_, Infallible>(())
    });
    let svc = FromTower::new(Timeout::new(slow, Duration::from_millis(10)));
    let error = rt.block_on(svc.call(())).unwrap_err();
    assert!(error.is::<tower::timeout::error::Elapsed>(), "{error}");
}

#[test]
fn to_tower_inside_tower_middleware_allocates_nothing_per_call() {
    let rt = runtime();
    let ours = service_fn(|x: u64| async move {
        YieldOnce::default().await;
        x * 2
    })
    .counted();
    let to_tower = ToTower::new(ours);
    let counted = Arc::clone(to_tower.get_ref());
    let mut svc = Timeout::new(ConcurrencyLimit::new(to_tower, 8), Duration::from_secs(5));
    rt.block_on(ready_call(&mut svc, 0)).unwrap();
    for i in 0..CALLS {
        let (out, allocs) = measure(&rt, || ready_call(&mut svc, i));
        assert_eq!(out.unwrap(), i * 2);
        assert_eq!(allocs, NONE);
    }
    let stats = counted.stats();
    assert_eq!((stats.inline, stats.heap), (CALLS + 1, 0));
}

#[test]
fn to_tower_spills_a_future_too_large_for_its_space_once() {
    let rt = runtime();
    let ours = service_fn(|x: u64| async move {
        let state = [x; 8];
        YieldOnce::default().await;
        state.iter().sum::<u64>()
    });
    let mut svc: ToTower<_, S2> = ToTower::from_arc(Arc::new(ours));
    let (out, allocs) = measure(&rt, || ready_call(&mut svc, 1));
    assert_eq!(out, Ok(8));
    assert_eq!((allocs.allocs, allocs.deallocs), (1, 1));
}

#[test]
fn to_tower_futures_cross_threads() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let svc = ToTower::new(service_fn(|x: u64| async move { x + 1 }));
    let out = rt.block_on(async {
        let fut = svc.oneshot(41);
        tokio::spawn(fut).await.unwrap()
    });
    assert_eq!(out, Ok(42));
}

#[test]
fn round_trip_through_both_adapters() {
    let rt = runtime();
    let ours = service_fn(|s: String| async move { s.len() });
    let back = FromTower::new(ToTower::new(ours));
    let erased: &dyn DynService<String, Result<usize, Infallible>> = &back;
    assert_eq!(rt.block_on(erased.call_dyn("four".into())), Ok(4));
}

mod auto_traits {
    use hybrid_dispatch::compat::{FromTower, FromTowerFuture, ToTower};
    use static_assertions::assert_impl_all;

    type TowerFn = tower::util::ServiceFn<fn(u8) -> core::future::Ready<Result<u8, ()>>>;
    assert_impl_all!(FromTower<TowerFn>: Send, Sync, Clone, core::fmt::Debug);
    assert_impl_all!(FromTowerFuture<TowerFn, u8>: Send, Unpin, core::fmt::Debug);

    type Ours = hybrid_dispatch::ServiceFn<fn(u8) -> core::future::Ready<u8>>;
    assert_impl_all!(ToTower<Ours>: Send, Sync, Clone, core::fmt::Debug);
    assert_impl_all!(ToTower<Ours>: tower::Service<u8, Error = core::convert::Infallible>);
}

/// The sizes `compat`'s docs quote, measured: tower's `Timeout` holds a
/// tokio `Sleep`, and an inner service that sleeps holds another, which
/// fills a 256-byte (`S32`) space exactly: one more field and it spills.
/// The docs give the capacity to use; this test keeps them honest.
#[test]
fn from_tower_future_sizes_quoted_in_the_docs() {
    let sleeping = Timeout::new(
        ConcurrencyLimit::new(
            tower::service_fn(|x: u64| async move {
                tokio::time::sleep(Duration::from_millis(1)).await;
                Ok::<_, Infallible>(x)
            }),
            8,
        ),
        Duration::from_secs(5),
    );
    let plain = FutureLayout::of_service_val(&FromTower::new(tower_stack()), &0u64);
    let sleeps = FutureLayout::of_service_val(&FromTower::new(sleeping), &0u64);
    println!("Timeout<ConcurrencyLimit<service_fn>>: {plain}");
    println!("the same, inner service awaiting tokio::time::sleep: {sleeps}");
    assert!(plain.size() > 128 && plain.fits::<S32>(), "{plain}");
    assert!(sleeps.size() > plain.size() + 100, "{sleeps}");
    assert!(sleeps.fits::<hybrid_dispatch::capacity::S64>(), "{sleeps}");
}
