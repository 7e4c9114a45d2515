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

// ------------------------------------------------------- your own trait

/// `#[dyn_twin]`'s `try_` methods: the arguments wait in the caller's
/// `Option` until the future has memory, and stay there when it is refused.
#[cfg(feature = "macros")]
mod twin {
    use super::{block_on, refusing};
    use hybrid_dispatch::twin::TwinHandle;
    use hybrid_dispatch::{TwinRegistry, dyn_twin};
    use std::future::ready;
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    #[dyn_twin(DynPage, send = SendDynPage, try_methods)]
    trait Page {
        async fn render(&self, title: String, n: u8) -> usize;
        async fn bump(&mut self, by: u64) -> u64;
        async fn size(&self) -> usize;
    }

    /// Every method's future holds 300 bytes across an await: none fits
    /// the default capacity.
    #[derive(Default)]
    struct Big {
        renders: AtomicUsize,
        total: u64,
    }

    impl Page for Big {
        async fn render(&self, title: String, n: u8) -> usize {
            self.renders.fetch_add(1, Relaxed);
            let page = [n; 300];
            ready(()).await;
            title.len() + usize::from(page[299])
        }
        async fn bump(&mut self, by: u64) -> u64 {
            let page = [1u8; 300];
            ready(()).await;
            self.total += by * u64::from(page[0]);
            self.total
        }
        async fn size(&self) -> usize {
            let page = [2u8; 300];
            ready(()).await;
            page.len()
        }
    }

    /// A bare plugin boxes what does not fit: a refused box is an
    /// `AllocError`, the method not called, its arguments still in `args`;
    /// with memory the same `args` make the call. `&self`, `&mut self`, no
    /// arguments, and the `Send` twin.
    #[test]
    fn a_twin_call_whose_box_is_refused_keeps_its_arguments() {
        let mut plugin = Big::default();
        let twin: &dyn DynPage = &plugin;
        let size = twin.render_layout().size();
        assert!(size > 300);

        let mut args = Some((String::from("title"), 7));
        let refused = refusing(size, || twin.try_render_dyn(&mut args)).unwrap_err();
        assert_eq!(refused.layout().size(), size);
        assert_eq!(
            args.as_ref().map(|(t, n)| (t.as_str(), *n)),
            Some(("title", 7))
        );
        assert_eq!(plugin.renders.load(Relaxed), 0, "not called");
        let fut = twin.try_render_dyn(&mut args).unwrap();
        assert!(args.is_none(), "taken by the call");
        assert!(fut.is_heap());
        assert_eq!(block_on(fut), 5 + 7);

        let send: &dyn SendDynPage = &plugin;
        let mut args = Some((String::from("x"), 1));
        assert!(refusing(size, || send.try_render_send(&mut args)).is_err());
        assert!(args.is_some());
        assert_eq!(block_on(send.try_render_send(&mut args).unwrap()), 2);

        let size = twin.size_layout().size();
        assert!(refusing(size, || twin.try_size_dyn()).is_err());
        assert_eq!(block_on(twin.try_size_dyn().unwrap()), 300);

        let twin: &mut dyn DynPage = &mut plugin;
        let size = twin.bump_layout().size();
        let mut by = Some(5);
        assert!(refusing(size, || twin.try_bump_dyn(&mut by)).is_err());
        assert_eq!(by, Some(5));
        assert_eq!(block_on(twin.try_bump_dyn(&mut by).unwrap()), 5);
        assert_eq!((by, plugin.total), (None, 5));
    }

    /// Through a `TwinRegistry`: a miss whose buffer is refused is not a
    /// call (not counted, not tracked); once the method's pool holds a
    /// buffer, a call needs no memory and succeeds while allocation fails.
    #[test]
    fn a_registered_twin_call_whose_buffer_is_refused_is_not_a_call() {
        let plugins: TwinRegistry<dyn SendDynPage> = TwinRegistry::new();
        let handle = plugins.register("big", Big::default()).unwrap();
        // The first call that needs it makes the method's pool (once).
        assert_eq!(block_on(handle.render_send("ab".into(), 1)), 3);
        let buffer = TwinHandle::pool_stats(&handle, "render")
            .unwrap()
            .buffer_bytes as usize;
        assert_eq!(plugins.trim(), 1);

        let mut args = Some((String::from("abc"), 2));
        let refused = refusing(buffer, || handle.try_render_send(&mut args));
        assert!(refused.is_err());
        assert!(args.is_some());
        let render = |plugins: &TwinRegistry<dyn SendDynPage>| {
            *plugins.stats().get("big").unwrap().get("render").unwrap()
        };
        let stats = render(&plugins);
        assert_eq!((stats.calls, stats.recycled), (1, 1), "{stats}");
        assert_eq!(TwinHandle::pool_stats(&handle, "render").unwrap().misses, 1);

        assert_eq!(block_on(handle.try_render_send(&mut args).unwrap()), 5);
        let hit = refusing(buffer, || {
            handle.try_render_send(&mut Some(("abcd".into(), 3)))
        });
        let hit = hit.unwrap();
        assert!(hit.is_recycled());
        assert_eq!(block_on(hit), 7);
        let stats = render(&plugins);
        assert_eq!((stats.calls, stats.recycled), (3, 3), "{stats}");
        assert_eq!(TwinHandle::pool_stats(&handle, "render").unwrap().misses, 2);
    }

    /// `&mut None` is a clear panic, before any memory is taken.
    #[test]
    #[should_panic(
        expected = "`try_render_dyn` was given `&mut None`: pass its arguments in `Some`"
    )]
    fn a_twin_try_call_without_arguments_panics() {
        let plugin = Big::default();
        let twin: &dyn DynPage = &plugin;
        let _ = twin.try_render_dyn(&mut None);
    }

    /// The shapes `try_methods` meets in real traits: a borrowed argument,
    /// one whose lifetime its path hides, a `'static` future (recycled in a
    /// buffer that keeps its pool alive), a method that owns its receiver
    /// (no `try_` method: a refused box would be lost) and a stream (none
    /// either). They compile, and the `try_` calls work through a registry.
    #[dyn_twin(DynStore, send = SendDynStore, try_methods)]
    trait Store {
        async fn load(&self, key: &str, window: Window) -> usize;
        fn stat(&self, id: u64) -> impl Future<Output = u64> + Send + 'static;
        async fn close(self: Box<Self>) -> u64;
        fn keys(&self) -> impl futures_core::Stream<Item = u64> + Send;
    }

    /// A lifetime its path hides (`Window` for `Window<'a>`).
    struct Window<'a>(&'a [u8]);

    struct Disk;

    impl Store for Disk {
        async fn load(&self, key: &str, window: Window<'_>) -> usize {
            let page = [0u8; 200];
            ready(()).await;
            key.len() + window.0.len() + usize::from(page[0])
        }
        #[expect(
            clippy::manual_async_fn,
            reason = "an `async fn` would capture `&self`: the trait asks for a `'static` future"
        )]
        fn stat(&self, id: u64) -> impl Future<Output = u64> + Send + 'static {
            async move {
                let page = [1u64; 40];
                ready(()).await;
                id + page[0]
            }
        }
        async fn close(self: Box<Self>) -> u64 {
            0
        }
        fn keys(&self) -> impl futures_core::Stream<Item = u64> + Send {
            super::Words::<0>([])
        }
    }

    use std::future::Future;

    #[test]
    fn try_methods_on_the_shapes_of_real_traits() {
        let plugins: TwinRegistry<dyn SendDynStore> = TwinRegistry::new();
        let handle = plugins.register("disk", Disk).unwrap();
        let bytes = [7u8; 3];
        let key = String::from("k1");
        let mut args = Some((key.as_str(), Window(&bytes)));
        assert_eq!(block_on(handle.try_load_send(&mut args).unwrap()), 5);
        let detached = handle.try_stat_send(&mut Some(41)).unwrap();
        assert!(detached.is_recycled());
        drop(handle);
        drop(plugins);
        // A `'static` future outlives the registry: its buffer keeps the pool.
        assert_eq!(block_on(detached), 42);
    }

    /// A trait without `send` whose method declares its future `Send`:
    /// its `try_` method erases into the `Send` storage, as `m_dyn` does.
    #[dyn_twin(DynProbe, try_methods)]
    trait Probe {
        fn ping(&self, x: u64) -> impl Future<Output = u64> + Send;
    }

    struct Pinger;

    impl Probe for Pinger {
        async fn ping(&self, x: u64) -> u64 {
            let page = [x; 40];
            ready(()).await;
            page[39]
        }
    }

    #[test]
    fn a_declared_send_future_keeps_its_send_storage() {
        let probe: &dyn DynProbe = &Pinger;
        let size = probe.ping_layout().size();
        let mut x = Some(9);
        assert!(refusing(size, || probe.try_ping_dyn(&mut x)).is_err());
        let call: hybrid_dispatch::SendInlineFuture<'_, u64> = probe.try_ping_dyn(&mut x).unwrap();
        assert!(call.is_heap());
        assert_eq!(block_on(call), 9);
    }
}
