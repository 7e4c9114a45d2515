//! The `try_` constructors when the allocator has no memory: an
//! `AllocError`, not an abort. A global allocator that refuses, on the
//! calling thread and while armed, every allocation of one size.
#![cfg(feature = "std")]
#![allow(
    unsafe_code,
    reason = "a GlobalAlloc impl is unsafe by definition; it only forwards to System or refuses"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::{Ready, ready};

use hybrid_dispatch::SendInlineFuture;
use hybrid_dispatch::capacity::S1;
use hybrid_dispatch::future::{AllocError, RecyclePool};
use hybrid_dispatch::layout::FutureLayout;

/// Refuses allocations of exactly `REFUSE` bytes on this thread.
struct Refusing;

thread_local! {
    static REFUSE: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards to `System`, or returns null, which `GlobalAlloc`
// allows for a failed allocation.
unsafe impl GlobalAlloc for Refusing {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if REFUSE.with(Cell::get) == layout.size() {
            return std::ptr::null_mut();
        }
        // SAFETY: forwarded unchanged; the caller upholds the contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; the caller upholds the contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Refusing = Refusing;

/// Runs `f` with allocations of `size` bytes refused on this thread.
fn refusing<R>(size: usize, f: impl FnOnce() -> R) -> R {
    REFUSE.with(|r| r.set(size));
    let out = f();
    REFUSE.with(|r| r.set(0));
    out
}

type Big = Ready<[u8; 300]>;

#[test]
fn a_box_that_cannot_be_allocated_is_an_error() {
    let size = size_of::<Big>();
    let result = refusing(size, || {
        SendInlineFuture::<'_, [u8; 300], S1>::try_new_boxed(ready([7; 300]))
    });
    let error: AllocError = result.unwrap_err();
    assert_eq!(error.layout(), FutureLayout::of::<Big>());
    assert!(error.to_string().contains("could not allocate 301 bytes"));
    // With memory, the same call succeeds.
    let fut = SendInlineFuture::<'_, [u8; 300], S1>::try_new_boxed(ready([7; 300])).unwrap();
    assert!(fut.is_heap());
}

#[test]
fn a_pool_miss_that_cannot_be_allocated_is_an_error_and_a_hit_needs_no_memory() {
    let pool = RecyclePool::new(FutureLayout::of::<Big>(), 4);
    let buffer = pool.buffer_bytes();
    let made = std::cell::Cell::new(false);
    let miss = refusing(buffer, || {
        SendInlineFuture::<'_, [u8; 300], S1>::try_new_recycled(&pool, || {
            made.set(true);
            ready([1; 300])
        })
    });
    assert_eq!(miss.unwrap_err().layout(), FutureLayout::of::<Big>());
    assert!(!made.get(), "the future is not built when there is no room");
    assert_eq!(
        pool.stats().misses,
        0,
        "a refused allocation made no buffer"
    );
    // One buffer, allocated while memory is there, then kept idle.
    drop(SendInlineFuture::<'_, [u8; 300], S1>::new_recycled(
        &pool,
        || ready([2; 300]),
    ));
    assert_eq!(pool.stats().idle, 1);
    // Now a call needs no memory: it succeeds even while allocation fails.
    let hit = refusing(buffer, || {
        SendInlineFuture::<'_, [u8; 300], S1>::try_new_recycled(&pool, || ready([3; 300]))
    });
    assert!(hit.unwrap().is_recycled());
    // A future the pool does not take goes to a box, which can fail too.
    let refused = refusing(size_of::<Ready<[u8; 400]>>(), || {
        SendInlineFuture::<'_, [u8; 400], S1>::try_new_recycled(&pool, || ready([4; 400]))
    });
    assert!(refused.is_err());
}

/// The same through a pool in an `Arc`: a miss that cannot be allocated
/// takes no count of the pool (nothing would give it back).
#[test]
fn a_shared_pool_miss_that_cannot_be_allocated_takes_no_count() {
    let pool = std::sync::Arc::new(RecyclePool::new(FutureLayout::of::<Big>(), 4));
    let buffer = pool.buffer_bytes();
    let miss = refusing(buffer, || {
        SendInlineFuture::<'static, [u8; 300], S1>::try_new_recycled_arc(&pool, || ready([1; 300]))
    });
    assert_eq!(miss.unwrap_err().layout(), FutureLayout::of::<Big>());
    assert_eq!(std::sync::Arc::strong_count(&pool), 1);
    let hit =
        SendInlineFuture::<'static, [u8; 300], S1>::try_new_recycled_arc(&pool, || ready([2; 300]))
            .unwrap();
    assert!(hit.is_recycled());
    assert_eq!(std::sync::Arc::strong_count(&pool), 2);
    drop(hit);
    assert_eq!(std::sync::Arc::strong_count(&pool), 1);
}

/// A stream of nothing, `N` words large.
struct Words<const N: usize>([u64; N]);

impl<const N: usize> futures_core::Stream for Words<N> {
    type Item = u64;
    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<u64>> {
        std::task::Poll::Ready(None)
    }
}

/// Streams have the same `try_` constructors: a box that cannot be
/// allocated, or a pool miss that cannot, is an `AllocError`; the stream
/// is not made then, and a shared pool loses no count; a pool hit needs no
/// memory.
#[test]
fn a_stream_that_cannot_be_allocated_is_an_error() {
    use hybrid_dispatch::SendInlineStream;
    type Stream<'a> = SendInlineStream<'a, u64, S1>;
    let size = size_of::<Words<40>>();
    let boxed = refusing(size, || Stream::try_new_boxed(Words([1; 40])));
    assert_eq!(boxed.unwrap_err().layout(), FutureLayout::of::<Words<40>>());
    assert!(Stream::try_new_boxed(Words([1; 40])).unwrap().is_heap());

    let pool = std::sync::Arc::new(RecyclePool::new(FutureLayout::of::<Words<40>>(), 4));
    let buffer = pool.buffer_bytes();
    let made = Cell::new(false);
    let miss = refusing(buffer, || {
        Stream::try_new_recycled(&pool, || {
            made.set(true);
            Words([2; 40])
        })
    });
    assert!(miss.is_err() && !made.get(), "not made without room");
    let shared = refusing(buffer, || {
        SendInlineStream::<'static, u64, S1>::try_new_recycled_arc(&pool, || Words([3; 40]))
    });
    assert!(shared.is_err());
    assert_eq!(std::sync::Arc::strong_count(&pool), 1);
    // One buffer while memory is there, idle after; then a hit needs none.
    drop(Stream::try_new_recycled(&pool, || Words([4; 40])).unwrap());
    let hit = refusing(buffer, || {
        Stream::try_new_recycled(&pool, || Words([5; 40]))
    });
    assert!(hit.unwrap().is_recycled());
    // A stream the pool's buffers cannot hold goes to a box, which can fail.
    let larger = refusing(size_of::<Words<50>>(), || {
        Stream::try_new_recycled(&pool, || Words([6; 50]))
    });
    assert_eq!(
        larger.unwrap_err().layout(),
        FutureLayout::of::<Words<50>>()
    );
}

// ------------------------------------------------------------ the calls

/// A service whose 300-byte future answers its request's length, counting
/// how often it was called.
fn measuring(
    calls: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> impl hybrid_dispatch::SendService<String, Response = usize> + use<> {
    let calls = std::sync::Arc::clone(calls);
    hybrid_dispatch::service_fn(move |req: String| {
        calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let page = [0u8; 300];
        async move {
            std::future::ready(()).await;
            req.len() + usize::from(page[0])
        }
    })
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

fn called(calls: &std::sync::Arc<std::sync::atomic::AtomicUsize>) -> usize {
    calls.load(std::sync::atomic::Ordering::Relaxed)
}

/// `try_call_dyn` and `try_call_send`: a future too large for the handle
/// whose box the allocator refuses is an `OutOfMemory` that gives the
/// request back, unchanged; the service was not called, and a `Counted`
/// layer counted nothing. With memory, the same call is boxed and answers.
#[test]
fn a_dyn_call_whose_box_is_refused_gives_its_request_back() {
    use hybrid_dispatch::{DynService, SendDynService, ServiceExt};
    let calls = std::sync::Arc::default();
    let svc = measuring(&calls).counted();
    let layout = <_ as DynService<String, usize>>::future_layout(&svc);
    assert!(layout.size() > 300, "does not fit the default capacity");

    let send: &dyn SendDynService<String, usize> = &svc;
    let refused = refusing(layout.size(), || send.try_call_send("four".into())).unwrap_err();
    assert_eq!(refused.error().layout(), layout);
    assert!(refused.to_string().contains("the service was not called"));
    assert_eq!(refused.into_request(), "four");
    let local: &dyn DynService<String, usize> = &svc;
    let refused = refusing(layout.size(), || local.try_call_dyn("five!".into())).unwrap_err();
    assert_eq!(refused.request(), "five!");
    assert_eq!(called(&calls), 0);
    assert_eq!((svc.stats().calls, svc.stats().heap), (0, 0));

    let fut = send.try_call_send("four".into()).unwrap();
    assert!(fut.is_heap());
    assert_eq!(block_on(fut), 4);
    assert_eq!(block_on(local.try_call_dyn("five!".into()).unwrap()), 5);
    assert_eq!(
        (called(&calls), svc.stats().calls, svc.stats().heap),
        (2, 2, 2)
    );
}

/// A future that fits the handle needs no memory: refusing its size
/// changes nothing.
#[test]
fn a_dyn_call_that_fits_is_never_refused() {
    use hybrid_dispatch::SendDynService;
    let svc = hybrid_dispatch::service_fn(|x: u64| async move { x + 1 });
    let erased: &dyn SendDynService<u64, u64> = &svc;
    let size = erased.future_layout().size();
    let fut = refusing(size, || erased.try_call_send(1)).unwrap();
    assert!(!fut.is_heap());
    assert_eq!(block_on(fut), 2);
}

/// `Recycled::try_call`: a miss the allocator refuses gives the request
/// back and calls nothing; once the pool holds a buffer, a call needs no
/// memory and succeeds while allocation fails.
#[test]
fn a_recycled_call_whose_miss_is_refused_gives_its_request_back() {
    use hybrid_dispatch::{Recycled, SendDynService};
    let calls = std::sync::Arc::default();
    let svc: std::sync::Arc<dyn SendDynService<String, usize>> =
        std::sync::Arc::new(measuring(&calls));
    let buffer = RecyclePool::new(svc.future_layout(), 1).buffer_bytes();
    let recycled = Recycled::new(svc);

    let refused = refusing(buffer, || recycled.try_call("abc".into())).unwrap_err();
    assert_eq!(refused.into_request(), "abc");
    assert_eq!((called(&calls), recycled.stats().misses), (0, 0));

    assert_eq!(block_on(recycled.try_call("abc".into()).unwrap()), 3);
    assert_eq!(recycled.stats().idle_bytes, buffer as u64);
    let hit = refusing(buffer, || recycled.try_call("abcd".into())).unwrap();
    assert!(hit.is_recycled());
    assert_eq!(block_on(hit), 4);
    assert_eq!((called(&calls), recycled.stats().misses), (2, 1));
}

/// `Handle::try_call`: a refused call is not a call (not counted, the
/// service not called, the request back); a hit needs no memory; and a
/// registry that keeps no buffers boxes, which can be refused too.
#[test]
fn a_registry_call_whose_memory_is_refused_is_not_a_call() {
    use hybrid_dispatch::Registry;
    let calls = std::sync::Arc::default();
    let registry: Registry<String, usize> = Registry::new();
    let handle = registry.register("len", measuring(&calls)).unwrap();
    let stored = handle.sizing().future_layout();
    let buffer = RecyclePool::new(stored, 1).buffer_bytes();

    let refused = refusing(buffer, || handle.try_call("abc".into())).unwrap_err();
    assert_eq!(refused.error().layout().size(), stored.size());
    assert_eq!(refused.into_request(), "abc");
    let stats = handle.stats();
    assert_eq!(
        (called(&calls), stats.calls, stats.recycle_misses),
        (0, 0, 0)
    );

    assert_eq!(block_on(handle.try_call("abc".into()).unwrap()), 3);
    assert_eq!(handle.stats().idle_bytes, buffer as u64);
    let hit = refusing(buffer, || handle.try_call("abcd".into())).unwrap();
    assert!(hit.is_recycled());
    assert_eq!(block_on(hit), 4);
    let stats = handle.stats();
    assert_eq!(
        (stats.calls, stats.completed, stats.recycle_misses),
        (2, 2, 1)
    );

    let boxing: Registry<String, usize> = Registry::with_max_idle(0);
    let handle = boxing.register("len", measuring(&calls)).unwrap();
    let refused = refusing(stored.size(), || handle.try_call("xy".into())).unwrap_err();
    assert_eq!(refused.into_request(), "xy");
    assert_eq!(handle.stats().calls, 0);
    let fut = handle.try_call("xy".into()).unwrap();
    assert!(fut.is_heap());
    assert_eq!(block_on(fut), 2);
}

/// A service that panics inside `Handle::try_call` is counted as a
/// panicked call, and its buffer goes back to the pool, as with `call`.
#[test]
fn a_registry_try_call_that_panics_is_counted_and_gives_its_buffer_back() {
    use hybrid_dispatch::Registry;
    let registry: Registry<u64, u64> = Registry::new();
    let handle = registry
        .register(
            "fussy",
            hybrid_dispatch::service_fn(|x: u64| {
                assert!(x != 0, "zero is refused");
                let page = [x; 40];
                async move { page.iter().sum::<u64>() }
            }),
        )
        .unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        handle.try_call(0).map(drop)
    }));
    assert!(panicked.is_err());
    let stats = handle.stats();
    assert_eq!((stats.calls, stats.panicked, stats.idle_buffers), (1, 1, 1));
    assert_eq!(block_on(handle.try_call(1).unwrap()), 40);
    assert_eq!(handle.stats().recycle_misses, 1);
}
