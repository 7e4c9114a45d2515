//! [`Traced`]: a [`tracing`] span per call, with the service's name, where
//! its future lives and how the call ended; with its layer
//! ([`TracedLayer`]) and its future ([`TracedFuture`]). Feature `tracing`.

use alloc::borrow::Cow;
use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::sync::atomic::AtomicU8;
use core::sync::atomic::Ordering::Relaxed;
use core::task::{Context, Poll};

use pin_project_lite::pin_project;
use tracing::Span;
use tracing::field::{Empty, display};

use crate::layer::stack::Layer;
use crate::layout::{Erasure, Placement};
use crate::service::Service;

/// A service that opens a [`tracing`] span for each call of the inner
/// service.
///
/// Each call that is polled gets one `INFO` span named `call`, with target
/// `hybrid_dispatch::layer::traced` and three fields:
///
/// | field | value |
/// |---|---|
/// | `service` | the name given to [`Traced::new`] |
/// | `placement` | where the erased future lives: `inline`, `heap`, `slot_heap` (a [`FutureSlot`](crate::FutureSlot)'s reused buffer), or `static` for a service never called through `dyn` |
/// | `outcome` | recorded when the call ends: `completed`, `cancelled` (dropped while pending) or `panicked` (its `poll` unwound) |
///
/// The span is entered around every poll of the inner future, so what the
/// service logs — and the spans of services it calls, such as another
/// plugin of the same [`Registry`](crate::Registry) — nest inside it. It
/// closes when the call completes (or, for a call that did not complete,
/// when its future is dropped), so a subscriber that reports span closes
/// (`tracing_subscriber::fmt` with `FmtSpan::CLOSE`) prints one line per
/// call with its outcome and its busy and idle time.
///
/// # Laziness
///
/// The span is created at the future's **first poll**, not in
/// [`call`](Service::call): calls are lazy by contract, a future dropped
/// unpolled has done nothing and gets no span, and a span created at the
/// first poll has the poller's current span as its parent, which is where
/// the call actually runs.
///
/// # Where the placement comes from
///
/// The erasure decides where a future lives *after* `call` returned it,
/// and tells the service through [`Service::observe_erasure`]; `Traced`
/// keeps the latest placement it heard (one relaxed atomic, written only
/// when it changes) and the call's span reads it at the first poll, which
/// comes after the erasure. The placement is a property of the future's
/// type, the capacity and the strategy, so it is exact for a service
/// erased one way, as every service of a [`Registry`](crate::Registry) is.
/// The alternative, a per-call cell shared between the future and the
/// erasure, would cost an allocation or a thread-local per call. A service
/// erased with two strategies at once (`call_dyn` and `call_boxed`
/// concurrently) may see a span report the other call's placement.
///
/// Without a subscriber interested in the span, a call costs a check of
/// `tracing`'s global level filter and the future grows by the fields
/// below; the span itself is only built when enabled.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::Traced;
/// use hybrid_dispatch::{DynService, Service, service_fn};
/// use tracing_subscriber::fmt::format::FmtSpan;
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let subscriber = tracing_subscriber::fmt().with_span_events(FmtSpan::CLOSE).finish();
/// let _log = tracing::subscriber::set_default(subscriber);
///
/// let svc = Traced::new(service_fn(|x: u64| async move { x * 2 }), "double");
/// let erased: &dyn DynService<u64, u64> = &svc;
/// assert_eq!(block_on(erased.call_dyn(21)), 42);
/// // INFO call{service=double placement=inline outcome=completed}: hybrid_dispatch::layer::traced: close time.busy=… time.idle=…
/// assert_eq!(svc.name(), "double");
/// ```
pub struct Traced<S> {
    inner: S,
    fields: SpanFields,
}

/// What every call's span records about the service: shared by reference
/// with each [`TracedFuture`], so the future grows by one pointer for both.
struct SpanFields {
    name: Cow<'static, str>,
    /// The placement last reported to `observe_erasure`, encoded by
    /// [`encode`]; `NOT_ERASED` until the first report.
    placement: AtomicU8,
}

/// `SpanFields::placement` before any erasure was reported.
const NOT_ERASED: u8 = 0;

/// A placement as a non-zero byte, for the atomic.
const fn encode(placement: Placement) -> u8 {
    match placement {
        Placement::Inline => 1,
        Placement::Heap => 2,
        Placement::SlotHeap => 3,
        Placement::Recycled => 4,
    }
}

/// The inverse of [`encode`]; `None` for [`NOT_ERASED`].
const fn decode(code: u8) -> Option<Placement> {
    match code {
        1 => Some(Placement::Inline),
        2 => Some(Placement::Heap),
        3 => Some(Placement::SlotHeap),
        4 => Some(Placement::Recycled),
        _ => None,
    }
}

impl SpanFields {
    fn new(name: Cow<'static, str>) -> Self {
        SpanFields {
            name,
            placement: AtomicU8::new(NOT_ERASED),
        }
    }

    fn placement(&self) -> Option<Placement> {
        decode(self.placement.load(Relaxed))
    }

    /// The `placement` field's value.
    fn placement_str(&self) -> &'static str {
        self.placement().map_or("static", Placement::name)
    }

    /// A new span for one call.
    fn span(&self) -> Span {
        tracing::info_span!(
            "call",
            service = %self.name,
            placement = %self.placement_str(),
            outcome = Empty,
        )
    }
}

impl<S> Traced<S> {
    /// Wraps `inner`; its calls' spans carry `name` as the `service` field.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Traced;
    /// use hybrid_dispatch::service_fn;
    ///
    /// let fixed = Traced::new(service_fn(|x: u8| async move { x }), "echo");
    /// let owned = Traced::new(service_fn(|x: u8| async move { x }), format!("plugin-{}", 7));
    /// assert_eq!((fixed.name(), owned.name()), ("echo", "plugin-7"));
    /// ```
    pub fn new(inner: S, name: impl Into<Cow<'static, str>>) -> Self {
        Traced {
            inner,
            fields: SpanFields::new(name.into()),
        }
    }

    /// The name recorded as the `service` field.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Traced;
    /// use hybrid_dispatch::service_fn;
    ///
    /// let svc = Traced::new(service_fn(|x: u8| async move { x }), "echo");
    /// assert_eq!(svc.name(), "echo");
    /// ```
    #[must_use]
    pub fn name(&self) -> &str {
        &self.fields.name
    }

    /// The placement last reported by an erasure of this service, which the
    /// next call's span will record; `None` while it has only been called
    /// statically.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Traced;
    /// use hybrid_dispatch::layout::Placement;
    /// use hybrid_dispatch::{DynService, Service, service_fn};
    ///
    /// let svc = Traced::new(service_fn(|x: u8| async move { x }), "echo");
    /// drop(svc.call(1));
    /// assert_eq!(svc.placement(), None);
    /// let erased: &dyn DynService<u8, u8> = &svc;
    /// drop(erased.call_boxed(1));
    /// assert_eq!(svc.placement(), Some(Placement::Heap));
    /// drop(erased.call_dyn(1));
    /// assert_eq!(svc.placement(), Some(Placement::Inline));
    /// ```
    #[must_use]
    pub fn placement(&self) -> Option<Placement> {
        self.fields.placement()
    }

    /// The wrapped service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Traced;
    ///
    /// assert_eq!(*Traced::new(5, "five").get_ref(), 5);
    /// ```
    pub const fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the service, discarding the name.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Traced;
    ///
    /// assert_eq!(Traced::new(5, "five").into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, Req> Service<Req> for Traced<S>
where
    S: Service<Req>,
{
    type Response = S::Response;
    type Future<'a>
        = TracedFuture<'a, S::Future<'a>>
    where
        Self: 'a;

    #[inline]
    fn call<'a>(&'a self, req: Req) -> Self::Future<'a> {
        TracedFuture::new(self.inner.call(req), &self.fields)
    }

    #[inline]
    fn observe_erasure(&self, erasure: Erasure) {
        let code = encode(erasure.placement());
        // Every dyn call reports, usually the same placement: a store each
        // time would bounce the cache line between the cores calling this
        // service; a load does not.
        if self.fields.placement.load(Relaxed) != code {
            self.fields.placement.store(code, Relaxed);
        }
        self.inner.observe_erasure(erasure);
    }
}

impl<S: Clone> Clone for Traced<S> {
    /// A copy with the same name and the same last placement.
    fn clone(&self) -> Self {
        Traced {
            inner: self.inner.clone(),
            fields: SpanFields {
                name: self.fields.name.clone(),
                placement: AtomicU8::new(self.fields.placement.load(Relaxed)),
            },
        }
    }
}

impl<S: fmt::Debug> fmt::Debug for Traced<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Traced")
            .field("inner", &self.inner)
            .field("name", &self.name())
            .field("placement", &self.placement())
            .finish()
    }
}

/// A [`Layer`] that wraps services in [`Traced`] under one name.
///
/// One name per layer, because the name is what tells the calls of one
/// service from another's in the log: build one layer per service, or use
/// [`Traced::new`] directly.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::{Layer, TracedLayer};
/// use hybrid_dispatch::{Registry, service_fn};
///
/// let registry: Registry<u64, u64> = Registry::new();
/// for (name, factor) in [("double", 2), ("triple", 3)] {
///     let svc = TracedLayer::new(name).layer(service_fn(move |x: u64| async move { x * factor }));
///     registry.register(name, svc).unwrap();
/// }
/// assert_eq!(registry.names(), ["double", "triple"]);
/// ```
#[derive(Clone, Debug)]
pub struct TracedLayer {
    name: Cow<'static, str>,
}

impl TracedLayer {
    /// A layer naming its services `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::{Layer, TracedLayer};
    ///
    /// assert_eq!(TracedLayer::new("echo").layer(()).name(), "echo");
    /// ```
    pub fn new(name: impl Into<Cow<'static, str>>) -> Self {
        TracedLayer { name: name.into() }
    }
}

impl<S> Layer<S> for TracedLayer {
    type Service = Traced<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Traced::new(inner, self.name.clone())
    }
}

/// Where a [`TracedFuture`] is in its life; decides the outcome recorded
/// when it is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Not polled yet: no span.
    Unpolled,
    /// Inside the inner future's `poll`. Still `Polling` at drop means that
    /// `poll` unwound: `panicked`.
    Polling,
    /// Returned `Pending`. Still `Pending` at drop: `cancelled`.
    Pending,
    /// Returned `Ready`: `completed` was recorded and the span closed.
    Done,
}

pin_project! {
    /// The future returned by [`Traced`]: the inner future, polled inside
    /// the call's span, which it creates at its first poll and closes
    /// when the call ends.
    ///
    /// Adds a reference to the service's span fields, a [`Span`] (40
    /// bytes on 64-bit targets; an empty one until the first poll) and a
    /// state byte to the inner future: 56 bytes with padding on x86-64.
    /// That counts against the erasure's inline capacity.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::future::Ready;
    /// use hybrid_dispatch::layer::{Traced, TracedFuture};
    /// use hybrid_dispatch::{Service, service_fn};
    ///
    /// let svc = Traced::new(service_fn(core::future::ready::<u8> as fn(u8) -> Ready<u8>), "ready");
    /// let fut: TracedFuture<'_, Ready<u8>> = svc.call(1);
    /// drop(fut); // never polled: no span
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct TracedFuture<'a, Fut> {
        #[pin]
        inner: Fut,
        fields: &'a SpanFields,
        span: Span,
        state: State,
    }

    impl<Fut> PinnedDrop for TracedFuture<'_, Fut> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            let outcome = match *this.state {
                State::Polling => "panicked",
                State::Pending => "cancelled",
                State::Unpolled | State::Done => return,
            };
            this.span.record("outcome", display(outcome));
            // The span closes when the `span` field is dropped, right after.
        }
    }
}

impl<'a, Fut> TracedFuture<'a, Fut> {
    const fn new(inner: Fut, fields: &'a SpanFields) -> Self {
        TracedFuture {
            inner,
            fields,
            span: Span::none(),
            state: State::Unpolled,
        }
    }
}

impl<Fut: Future> Future for TracedFuture<'_, Fut> {
    type Output = Fut::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Fut::Output> {
        let this = self.project();
        if *this.state == State::Unpolled {
            *this.span = this.fields.span();
        }
        *this.state = State::Polling;
        let poll = {
            let _entered = this.span.enter();
            this.inner.poll(cx)
        };
        *this.state = match poll {
            Poll::Pending => State::Pending,
            Poll::Ready(_) => {
                this.span.record("outcome", display("completed"));
                // Close the span now: the call is over even if the future
                // is dropped later.
                *this.span = Span::none();
                State::Done
            }
        };
        poll
    }
}

impl<Fut> fmt::Debug for TracedFuture<'_, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TracedFuture")
            .field("inner", &core::any::type_name::<Fut>())
            .field("service", &self.fields.name)
            .field("span", &self.span)
            .field("state", &self.state)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    //! The spans as a subscriber sees them, through a recording subscriber
    //! that keeps every span's fields and whether it was closed.

    use alloc::boxed::Box;
    use alloc::string::{String, ToString};
    use alloc::sync::Arc;
    use alloc::vec::Vec;
    use core::fmt::Debug;
    use core::future::Ready;
    use core::task::Waker;
    use std::collections::BTreeMap;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::sync::Mutex;

    use static_assertions::assert_impl_all;
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};

    use super::*;
    use crate::capacity::S1;
    use crate::erase::dyn_service::{DynService, SendDynService};
    use crate::layer::counted::Counted;
    use crate::service_fn::service_fn;

    assert_impl_all!(Traced<()>: Send, Sync, Clone, Debug, Unpin);
    assert_impl_all!(TracedLayer: Send, Sync, Clone, Debug);
    assert_impl_all!(TracedFuture<'static, Ready<u8>>: Send, Sync, Debug, Unpin);

    /// One span as recorded: its fields, its parent, whether it closed.
    #[derive(Debug, Default, Clone)]
    struct Recorded {
        fields: BTreeMap<String, String>,
        parent: Option<u64>,
        closed: bool,
    }

    /// A subscriber that records spans by id.
    #[derive(Default)]
    struct Recorder {
        spans: Mutex<Vec<Recorded>>,
        stack: Mutex<Vec<u64>>,
    }

    struct Fields<'a>(&'a mut BTreeMap<String, String>);

    impl Visit for Fields<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
            self.0
                .insert(field.name().to_string(), alloc::format!("{value:?}"));
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().to_string(), value.to_string());
        }
    }

    /// The recorder as the subscriber (`Subscriber` cannot be implemented
    /// for `Arc<Recorder>` here).
    struct Shared(Arc<Recorder>);

    impl Subscriber for Shared {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, attrs: &Attributes<'_>) -> Id {
            let mut spans = self.0.spans.lock().unwrap();
            let mut span = Recorded {
                parent: self.0.stack.lock().unwrap().last().copied(),
                ..Recorded::default()
            };
            attrs.record(&mut Fields(&mut span.fields));
            spans.push(span);
            Id::from_u64(spans.len() as u64)
        }
        fn record(&self, id: &Id, values: &Record<'_>) {
            let mut spans = self.0.spans.lock().unwrap();
            values.record(&mut Fields(&mut spans[id.into_u64() as usize - 1].fields));
        }
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, _: &Event<'_>) {}
        fn enter(&self, id: &Id) {
            self.0.stack.lock().unwrap().push(id.into_u64());
        }
        fn exit(&self, _: &Id) {
            self.0.stack.lock().unwrap().pop();
        }
        fn try_close(&self, id: Id) -> bool {
            self.0.spans.lock().unwrap()[id.into_u64() as usize - 1].closed = true;
            true
        }
    }

    /// Runs `f` with a fresh recorder as the default subscriber and
    /// returns the spans it recorded.
    fn record(f: impl FnOnce()) -> Vec<Recorded> {
        let recorder = Arc::new(Recorder::default());
        tracing::subscriber::with_default(Shared(Arc::clone(&recorder)), f);
        recorder.spans.lock().unwrap().clone()
    }

    fn fields(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn poll<F: Future + ?Sized>(f: Pin<&mut F>) -> Poll<F::Output> {
        f.poll(&mut Context::from_waker(Waker::noop()))
    }

    /// Pending once, then ready.
    async fn yield_once() {
        let mut yielded = false;
        core::future::poll_fn(|_| {
            if yielded {
                Poll::Ready(())
            } else {
                yielded = true;
                Poll::Pending
            }
        })
        .await;
    }

    #[test]
    fn completed_inline_call_records_name_placement_and_outcome() {
        let svc = Traced::new(
            service_fn(|x: u64| async move {
                yield_once().await;
                x + 1
            }),
            "inc",
        );
        let spans = record(|| {
            let erased: &dyn SendDynService<u64, u64> = &svc;
            let mut fut = Box::pin(erased.call_send(1));
            assert!(poll(fut.as_mut()).is_pending());
            assert_eq!(poll(fut.as_mut()), Poll::Ready(2));
        });
        assert_eq!(spans.len(), 1);
        let expected = [
            ("service", "inc"),
            ("placement", "inline"),
            ("outcome", "completed"),
        ];
        assert_eq!(spans[0].fields, fields(&expected));
        assert!(spans[0].closed);
    }

    #[test]
    fn a_spilled_future_records_heap() {
        let svc = Traced::new(service_fn(|x: u64| core::future::ready([x; 8])), "wide");
        let spans = record(|| {
            let erased: &dyn DynService<u64, [u64; 8], S1> = &svc;
            let mut fut = Box::pin(erased.call_dyn(3));
            assert!(fut.is_heap());
            assert_eq!(poll(fut.as_mut()), Poll::Ready([3; 8]));
        });
        assert_eq!(spans[0].fields["placement"], "heap");
        assert_eq!(spans[0].fields["outcome"], "completed");
    }

    #[test]
    fn a_static_call_records_static() {
        let svc = Traced::new(service_fn(|x: u8| async move { x }), "echo");
        let spans = record(|| {
            let mut fut = core::pin::pin!(svc.call(5));
            assert_eq!(poll(fut.as_mut()), Poll::Ready(5));
        });
        assert_eq!(spans[0].fields["placement"], "static");
    }

    #[test]
    fn dropped_while_pending_is_cancelled_and_unpolled_is_not_seen() {
        let svc = Traced::new(service_fn(|()| yield_once()), "slow");
        let spans = record(|| {
            let erased: &dyn DynService<(), ()> = &svc;
            drop(erased.call_dyn(())); // never polled
            let mut fut = Box::pin(erased.call_dyn(()));
            assert!(poll(fut.as_mut()).is_pending());
            drop(fut);
        });
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].fields["outcome"], "cancelled");
        assert!(spans[0].closed);
    }

    #[test]
    fn a_poll_that_panics_is_panicked() {
        let svc = Traced::new(
            service_fn(|fail: bool| async move {
                assert!(!fail, "boom");
            }),
            "fragile",
        );
        let spans = record(|| {
            let erased: &dyn DynService<bool, ()> = &svc;
            let mut fut = Box::pin(erased.call_dyn(true));
            let unwound = catch_unwind(AssertUnwindSafe(|| poll(fut.as_mut())));
            assert!(unwound.is_err());
            drop(fut);
        });
        assert_eq!(spans[0].fields["outcome"], "panicked");
        assert!(spans[0].closed);
    }

    #[test]
    fn calls_made_inside_a_call_nest_in_its_span() {
        let inner: Arc<dyn SendDynService<u64, u64>> = Arc::new(Traced::new(
            service_fn(|x: u64| async move { x * 2 }),
            "double",
        ));
        let outer = Traced::new(
            service_fn(move |x: u64| {
                let inner = Arc::clone(&inner);
                async move { inner.call_send(x).await + 1 }
            }),
            "double_plus_one",
        );
        let spans = record(|| {
            let erased: Box<dyn SendDynService<u64, u64>> = Box::new(outer);
            let mut fut = Box::pin(erased.call_send(20));
            assert_eq!(poll(fut.as_mut()), Poll::Ready(41));
        });
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0].fields["service"], "double_plus_one");
        assert_eq!(spans[1].fields["service"], "double");
        assert_eq!(spans[1].parent, Some(1));
        assert!(spans.iter().all(|s| s.closed));
    }

    #[test]
    fn observe_erasure_reaches_the_inner_service() {
        let svc =
            TracedLayer::new("counted").layer(Counted::new(service_fn(|x: u8| async move { x })));
        let erased: &dyn DynService<u8, u8> = &svc;
        drop(erased.call_dyn(1));
        drop(erased.call_boxed(1));
        let stats = svc.get_ref().stats();
        assert_eq!((stats.calls, stats.inline, stats.heap), (2, 1, 1));
        assert_eq!(svc.placement(), Some(Placement::Heap));
    }

    #[test]
    fn a_clone_keeps_the_name_and_the_placement() {
        let svc = Traced::new(service_fn(|x: u8| async move { x }), "echo");
        let erased: &dyn DynService<u8, u8> = &svc;
        drop(erased.call_dyn(1));
        let copy = svc.clone();
        assert_eq!(
            (copy.name(), copy.placement()),
            ("echo", Some(Placement::Inline))
        );
    }

    #[test]
    fn no_subscriber_no_span() {
        let svc = Traced::new(service_fn(|x: u8| async move { x }), "quiet");
        let mut fut = core::pin::pin!(svc.call(1));
        assert_eq!(poll(fut.as_mut()), Poll::Ready(1));
        assert!(alloc::format!("{:?}", svc).contains("quiet"));
    }
}
