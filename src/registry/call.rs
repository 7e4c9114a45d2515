//! [`RegistryFuture`]: the future of one call through the registry, which
//! counts how the call ended.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::capacity::{Capacity, DefaultCapacity};
use crate::future::inline_box::SendInlineFuture;
use crate::layout::Placement;
use crate::registry::counters::{Counters, Outcome, placement_of};

pin_project! {
    /// The future of a call through a [`Handle`](crate::Handle): the
    /// service's erased [`SendInlineFuture`] plus a reference to the entry's
    /// counters, so that the call is counted as in flight until this future
    /// is dropped.
    ///
    /// # What in-flight tracking costs
    ///
    /// One pointer, **outside** the erased future: a `RegistryFuture` is a
    /// `SendInlineFuture` followed by `&Counters` (8 bytes on 64-bit
    /// targets, so 128 + 8 = 136 bytes with the default capacity),
    /// and the service's own future is erased exactly as a plain
    /// [`SendDynService::call_send`](crate::SendDynService::call_send) would
    /// erase it: it fits or spills at the same size. The other way to
    /// count — erasing `async move { let _guard = guard; svc.call(req).await }`
    /// instead of the service's future — grows every future *inside* the
    /// buffer, by 40 bytes on x86-64 with rustc 1.95 (a 16-byte future
    /// becomes 56, a 120-byte one 160: the guard, the captured service,
    /// counters and request, and the block's own state; see the registry's
    /// unit tests), so a future that fits the capacity exactly would spill
    /// on every call. In time, tracking costs one uncontended atomic add when
    /// the call starts and one when the future is dropped: a call through a
    /// handle costs what a `dyn SendDynService` call counted the same way
    /// costs, and those two adds are what it costs over an uncounted one
    /// (`cargo bench -p benches --bench registry`; `BENCHMARKS.md`, the registry, has
    /// the numbers).
    ///
    /// The drop is counted when it begins, just before the inner future's
    /// own destructor runs, so even a destructor that panics is counted.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let registry: Registry<u64, u64> = Registry::new();
    /// let double = registry.register("double", service_fn(|x: u64| async move { x * 2 })).unwrap();
    ///
    /// let fut = double.call(21);
    /// assert!(!fut.is_heap());
    /// assert_eq!(double.stats().in_flight, 1);
    /// assert_eq!(block_on(fut), 42);
    /// assert_eq!(double.stats().completed, 1);
    ///
    /// drop(double.call(1)); // dropped before `Ready`: cancelled
    /// assert_eq!(double.stats().cancelled, 1);
    /// assert_eq!(double.stats().in_flight, 0);
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct RegistryFuture<'a, Resp, Cap: Capacity = DefaultCapacity> {
        #[pin]
        future: SendInlineFuture<'a, Resp, Cap>,
        counters: &'a Counters,
    }

    impl<'a, Resp, Cap: Capacity> PinnedDrop for RegistryFuture<'a, Resp, Cap> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            this.counters
                .finished_in(placement_of(&this.future), Outcome::of(&this.future));
        }
    }
}

impl<'a, Resp, Cap: Capacity> RegistryFuture<'a, Resp, Cap> {
    /// Wraps the future of a call already counted as started.
    #[inline(always)]
    pub(super) fn new(future: SendInlineFuture<'a, Resp, Cap>, counters: &'a Counters) -> Self {
        RegistryFuture { future, counters }
    }

    /// Whether the service's future went to the heap (it did not fit
    /// `Cap`); see [`InlineBox::is_heap`](crate::future::InlineBox::is_heap).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn, capacity::S1};
    ///
    /// let registry: Registry<u64, [u64; 4], S1> = Registry::with_max_idle(0); // no recycling
    /// let wide = registry.register("wide", service_fn(|x: u64| core::future::ready([x; 4]))).unwrap();
    /// assert!(wide.call(1).is_heap());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_heap(&self) -> bool {
        self.future.is_heap()
    }

    /// Whether the service's future is in a buffer recycled from the
    /// entry's pool (it did not fit `Cap`); see
    /// [`InlineBox::is_recycled`](crate::future::InlineBox::is_recycled).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, [u64; 32]> = Registry::new();
    /// let wide = registry.register("wide", service_fn(|x: u64| core::future::ready([x; 32]))).unwrap();
    /// assert!(wide.call(1).is_recycled());
    /// ```
    #[inline]
    #[must_use]
    pub fn is_recycled(&self) -> bool {
        self.future.is_recycled()
    }

    /// The service's erased future: its layout, placement and state.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{Registry, service_fn};
    ///
    /// let registry: Registry<u64, u64> = Registry::new();
    /// let id = registry.register("id", service_fn(|x: u64| async move { x })).unwrap();
    /// let fut = id.call(1);
    /// assert_eq!(fut.inner().layout(), id.sizing().future_layout());
    /// ```
    #[inline]
    #[must_use]
    pub fn inner(&self) -> &SendInlineFuture<'a, Resp, Cap> {
        &self.future
    }
}

impl<Resp, Cap: Capacity> Future for RegistryFuture<'_, Resp, Cap> {
    type Output = Resp;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Resp> {
        self.project().future.poll(cx)
    }
}

impl<Resp, Cap: Capacity> fmt::Debug for RegistryFuture<'_, Resp, Cap> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RegistryFuture")
            .field("future", &self.future)
            .finish_non_exhaustive()
    }
}

/// Counts a started call as panicked unless defused: for a `Service::call`
/// that panics before there is a future to count the end.
pub(crate) struct StartGuard<'a, H: Fn() -> Placement> {
    counters: &'a Counters,
    placement: H,
}

impl<'a, H: Fn() -> Placement> StartGuard<'a, H> {
    #[inline]
    pub(crate) fn new(counters: &'a Counters, placement: H) -> Self {
        counters.started();
        StartGuard {
            counters,
            placement,
        }
    }

    #[inline]
    pub(crate) fn defuse(self) {
        core::mem::forget(self);
    }
}

impl<H: Fn() -> Placement> Drop for StartGuard<'_, H> {
    fn drop(&mut self) {
        self.counters
            .finished_in((self.placement)(), Outcome::Panicked);
    }
}
