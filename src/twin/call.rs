//! [`TwinCall`]: one call of a twin's async method through a
//! [`TwinHandle`](crate::twin::TwinHandle), counted until its future is
//! dropped.

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use pin_project_lite::pin_project;

use crate::future::inline_box::InlineBox;
use crate::registry::counters::{Counters, Outcome, Place};
use crate::space::Capacity;

pin_project! {
    /// The future of a call made with
    /// [`TwinHandle::track`](crate::twin::TwinHandle::track): the twin
    /// method's erased future (an [`InlineFuture`](crate::InlineFuture) from
    /// `m_dyn` or a [`SendInlineFuture`](crate::SendInlineFuture) from
    /// `m_send`) plus a reference to the method's counters in the registry
    /// entry, so that the call is counted as in flight until this future is
    /// dropped, and then as completed, cancelled or panicked.
    ///
    /// It is for twin methods what [`RegistryFuture`](crate::registry::RegistryFuture)
    /// is for services: one pointer beside the erased future (never inside
    /// it, so tracking changes no method's placement), one relaxed atomic
    /// add when the call starts and one when its future is dropped. One
    /// difference: a `RegistryFuture` is built in place on the callee's side
    /// of the `dyn` call, while a `TwinCall` wraps the handle your closure
    /// returns, which the compiler may copy once more before the first poll.
    /// `gateway/benches/gateway.rs` measures a tracked call against the same
    /// `handle_send` call untracked; `BENCHMARKS.md` (the HTTP gateway) and
    /// `GATEWAY_BENCH.md` have the numbers.
    ///
    /// The end is counted when the drop begins, before the method's future
    /// is dropped, so even a destructor that panics is counted.
    ///
    /// With the `tracing` feature, each tracked call also gets a `call` span
    /// (`service`: the entry's name, `method`, `placement`: `inline` or `heap`,
    /// and `outcome`
    /// when it ends), entered around every poll, so what the method logs
    /// nests under it and the span closes with the outcome recorded.
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
    /// let call = TwinHandle::track(&double, "handle", |p| p.handle_send(21));
    /// assert!(!call.is_heap());
    /// assert_eq!(TwinHandle::tracked(&double, "handle").unwrap().in_flight, 1);
    /// assert_eq!(block_on(call), 42);
    /// assert_eq!(TwinHandle::tracked(&double, "handle").unwrap().completed, 1);
    ///
    /// drop(TwinHandle::track(&double, "handle", |p| p.handle_send(1))); // dropped before `Ready`
    /// assert_eq!(TwinHandle::tracked(&double, "handle").unwrap().cancelled, 1);
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct TwinCall<'a, D: ?Sized, Space: Capacity> {
        #[pin]
        future: InlineBox<D, Space>,
        counters: &'a Counters,
        span: CallSpan,
    }

    impl<'a, D: ?Sized, Space: Capacity> PinnedDrop for TwinCall<'a, D, Space> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            let outcome = Outcome::of(&this.future);
            this.counters.finished_in(Place::of(&*this.future), outcome);
            record_outcome(this.span, outcome);
        }
    }
}

/// The call's span: a `tracing::Span` with the `tracing` feature, nothing
/// without it (so untraced builds carry no field and do no work).
#[cfg(feature = "tracing")]
type CallSpan = tracing::Span;
#[cfg(not(feature = "tracing"))]
type CallSpan = ();

#[cfg(feature = "tracing")]
fn call_span(entry: &str, method: &str, placement: crate::layout::Placement) -> CallSpan {
    let placement = placement.name();
    tracing::info_span!(
        "call",
        service = %entry,
        method = %method,
        placement = %placement,
        outcome = tracing::field::Empty,
    )
}

#[cfg(not(feature = "tracing"))]
fn call_span(_: &str, _: &str, _: crate::layout::Placement) -> CallSpan {}

#[cfg(feature = "tracing")]
fn record_outcome(span: &CallSpan, outcome: Outcome) {
    span.record("outcome", tracing::field::display(outcome.name()));
}

#[cfg(not(feature = "tracing"))]
fn record_outcome(_: &CallSpan, _: Outcome) {}

impl<'a, D: ?Sized, Space: Capacity> TwinCall<'a, D, Space> {
    /// Wraps the future of a call already counted as started, of method
    /// `method` of entry `entry` (names for the `tracing` span).
    #[inline(always)]
    pub(super) fn new(
        future: InlineBox<D, Space>,
        counters: &'a Counters,
        entry: &str,
        method: &str,
    ) -> Self {
        TwinCall {
            span: call_span(entry, method, future.erasure().placement()),
            future,
            counters,
        }
    }

    /// Whether the method's future went to the heap (it did not fit
    /// `Space`); see [`InlineBox::is_heap`].
    ///
    /// # Examples
    ///
    /// ```
    /// # use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
    /// # #[dyn_twin(DynPlugin, send = SendDynPlugin)]
    /// # trait Plugin { async fn handle(&self, x: u64) -> u64; }
    /// # impl Plugin for u64 { async fn handle(&self, x: u64) -> u64 { x * self } }
    /// let plugins: TwinRegistry<dyn SendDynPlugin> = TwinRegistry::new();
    /// let triple = plugins.register("triple", 3u64).unwrap();
    /// let call = TwinHandle::track(&triple, "handle", |p| p.handle_send(2));
    /// assert!(!call.is_heap()); // a small future: inline
    /// ```
    #[inline]
    #[must_use]
    pub fn is_heap(&self) -> bool {
        self.future.is_heap()
    }

    /// The method's erased future: its layout, placement and state.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::{dyn_twin, twin::{TwinHandle, TwinRegistry}};
    ///
    /// #[dyn_twin(DynPing)]
    /// trait Ping { async fn ping(&self) -> u8; }
    /// struct One;
    /// impl Ping for One { async fn ping(&self) -> u8 { 1 } }
    ///
    /// let registry: TwinRegistry<dyn DynPing> = TwinRegistry::new();
    /// let one = registry.register("one", One).unwrap();
    /// let call = TwinHandle::track(&one, "ping", |p| p.ping_dyn());
    /// assert_eq!(call.inner().layout(), one.ping_layout());
    /// ```
    #[inline]
    #[must_use]
    pub fn inner(&self) -> &InlineBox<D, Space> {
        &self.future
    }
}

impl<D: ?Sized + Future, Space: Capacity> Future for TwinCall<'_, D, Space> {
    type Output = D::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<D::Output> {
        let this = self.project();
        #[cfg(feature = "tracing")]
        let _entered = this.span.enter();
        this.future.poll(cx)
    }
}

impl<D: ?Sized, Space: Capacity> fmt::Debug for TwinCall<'_, D, Space>
where
    InlineBox<D, Space>: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TwinCall")
            .field("future", &self.future)
            .finish_non_exhaustive()
    }
}
