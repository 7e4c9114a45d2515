//! [`Tracked`]: the future of a call through a
//! [`CountedTwin`](crate::twin::CountedTwin), which counts how the call
//! ended.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use pin_project_lite::pin_project;

#[cfg(feature = "std")]
pub(crate) use crate::registry::counters::Counters;
#[cfg(feature = "std")]
use crate::registry::counters::Outcome;

/// Without `std` there are no sharded counters, and nothing is tracked:
/// an empty type, never made.
#[cfg(not(feature = "std"))]
#[derive(Debug)]
pub(crate) enum Counters {}

pin_project! {
    /// The future of an async method called through a
    /// [`CountedTwin`](crate::twin::CountedTwin) (every call to an implementor
    /// in a [`TwinRegistry`](crate::twin::TwinRegistry): by name, through a
    /// handle, through the bridge, or on the object `shared()` hands out):
    /// the implementor's own future and a reference to the method's
    /// counters. The call is counted as started when this future is made,
    /// and as completed, cancelled or panicked when it returns `Ready`, is
    /// dropped before that, or panics in `poll`; [`TwinHandle::tracked`]
    /// reads the counts.
    ///
    /// It is *inside* the erased future: it makes each counted method's
    /// future one pointer larger than the implementor's (so the layouts the
    /// twin reports for a registered implementor include it). Generated
    /// code makes it; you meet it only as the future a `CountedTwin`'s
    /// methods return. Without the `std` feature it counts nothing.
    ///
    /// [`TwinHandle::tracked`]: crate::twin::TwinHandle::tracked
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
    ///
    /// #[dyn_twin(DynPlugin, send = SendDynPlugin)]
    /// trait Plugin {
    ///     async fn handle(&self, x: u64) -> u64;
    /// }
    /// struct Double;
    /// impl Plugin for Double {
    ///     async fn handle(&self, x: u64) -> u64 { x * 2 }
    /// }
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
    /// let double = plugins.register("double", Double).unwrap();
    ///
    /// let call = double.handle_send(21); // counted as started
    /// assert_eq!(TwinHandle::tracked(&double, "handle").unwrap().in_flight, 1);
    /// assert_eq!(block_on(call), 42);
    /// assert_eq!(TwinHandle::tracked(&double, "handle").unwrap().completed, 1);
    ///
    /// assert_eq!(block_on(double.handle(2)), 4); // the trait's own method
    /// assert_eq!(TwinHandle::tracked(&double, "handle").unwrap().completed, 2);
    ///
    /// drop(double.handle_dyn(1)); // dropped before `Ready`
    /// assert_eq!(TwinHandle::tracked(&double, "handle").unwrap().cancelled, 1);
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct Tracked<'a, F> {
        #[pin]
        future: F,
        // `Some` until the end is counted: then `None`, so that it is
        // counted once.
        counters: Option<&'a Counters>,
    }

    impl<'a, F> PinnedDrop for Tracked<'a, F> {
        fn drop(this: Pin<&mut Self>) {
            // Counted when the drop begins, before `F`'s own destructor runs
            // (so a destructor that panics is counted too).
            #[cfg(feature = "std")]
            if let Some(counters) = this.project().counters.take() {
                counters.finished(Outcome::Cancelled);
            }
            #[cfg(not(feature = "std"))]
            let _ = this;
        }
    }
}

impl<'a, F> Tracked<'a, F> {
    /// `future`, counted in `counters` (started now), or not counted.
    #[inline(always)]
    pub(crate) fn new(future: F, counters: Option<&'a Counters>) -> Self {
        #[cfg(feature = "std")]
        if let Some(counters) = counters {
            counters.started();
        }
        Tracked { future, counters }
    }
}

impl<F: Future> Future for Tracked<'_, F> {
    type Output = F::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        // Counts the call as panicked if `F::poll` unwinds (and takes the
        // counters, so that the drop that follows counts nothing more).
        let mut guard = PanicGuard {
            counters: this.counters,
            armed: true,
        };
        let poll = this.future.poll(cx);
        guard.armed = false;
        #[cfg(feature = "std")]
        if poll.is_ready() {
            if let Some(counters) = guard.counters.take() {
                counters.finished(Outcome::Completed);
            }
        }
        poll
    }
}

/// See [`Tracked::poll`].
struct PanicGuard<'r, 'a> {
    counters: &'r mut Option<&'a Counters>,
    armed: bool,
}

impl Drop for PanicGuard<'_, '_> {
    #[inline]
    fn drop(&mut self) {
        #[cfg(feature = "std")]
        if self.armed {
            if let Some(counters) = self.counters.take() {
                counters.finished(Outcome::Panicked);
            }
        }
        #[cfg(not(feature = "std"))]
        let _ = (self.armed, &self.counters);
    }
}

impl<F> fmt::Debug for Tracked<'_, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tracked")
            .field("future", &core::any::type_name::<F>())
            .field("counting", &self.counters.is_some())
            .finish()
    }
}
