//! [`Timed`]: records each call's latency into a
//! [`LatencyHistogram`](crate::layer::LatencyHistogram), with its layer
//! ([`TimedLayer`]) and its future ([`TimedFuture`]). Needs `std` (it reads
//! [`std::time::Instant`]).

use core::fmt;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll, ready};
use std::time::Instant;

use pin_project_lite::pin_project;

use crate::layer::latency::{LatencyHistogram, LatencySnapshot};
use crate::layer::stack::Layer;
use crate::layout::Erasure;
use crate::service::Service;

/// A service that times each call of the inner service into a
/// [`LatencyHistogram`].
///
/// The clock starts at the future's **first poll**, not in
/// [`call`](Service::call): calls are lazy by contract, and a future built
/// now and polled later (queued in a `JoinSet`, say) should not be charged
/// for its wait. It stops when the inner future completes. A future dropped
/// after it started and before completing counts as
/// [`cancelled`](LatencySnapshot::cancelled); one dropped unpolled is not
/// seen at all.
///
/// The histogram is `H`: owned by default ([`Timed::new`]); pass an
/// `Arc<LatencyHistogram>` or a `&'static LatencyHistogram` to
/// [`Timed::with_histogram`] to read it from outside a stack of layers or
/// to share it between services.
///
/// Needs `std` for [`std::time::Instant`]; the histogram itself is
/// `core`-only.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::Timed;
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let svc = Timed::new(service_fn(|x: u64| async move { x + 1 }));
/// for i in 0..10 {
///     block_on(svc.call(i));
/// }
/// let stats = svc.stats();
/// assert_eq!(stats.count, 10);
/// println!("mean {:?}, p99 <= {:?}", stats.mean().unwrap(), stats.quantile(0.99).unwrap());
/// ```
#[derive(Clone, Copy, Default)]
pub struct Timed<S, H = LatencyHistogram> {
    inner: S,
    histogram: H,
}

impl<S> Timed<S> {
    /// Wraps `inner` with a histogram of its own.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Timed;
    /// use hybrid_dispatch::service_fn;
    ///
    /// let svc = Timed::new(service_fn(|x: u8| async move { x }));
    /// assert_eq!(svc.stats().count, 0);
    /// ```
    pub const fn new(inner: S) -> Self {
        Timed {
            inner,
            histogram: LatencyHistogram::new(),
        }
    }
}

impl<S, H: AsRef<LatencyHistogram>> Timed<S, H> {
    /// Wraps `inner`, recording into `histogram` (owned, borrowed or shared).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::sync::Arc;
    /// use hybrid_dispatch::layer::{LatencyHistogram, Timed};
    /// use hybrid_dispatch::service_fn;
    ///
    /// let shared = Arc::new(LatencyHistogram::new());
    /// let a = Timed::with_histogram(service_fn(|x: u8| async move { x }), Arc::clone(&shared));
    /// let b = Timed::with_histogram(service_fn(|x: u8| async move { x + 1 }), Arc::clone(&shared));
    /// # let _ = (a, b);
    /// ```
    pub const fn with_histogram(inner: S, histogram: H) -> Self {
        Timed { inner, histogram }
    }

    /// The histogram calls are recorded into.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Timed;
    ///
    /// assert_eq!(Timed::new(()).histogram().snapshot().count, 0);
    /// ```
    pub fn histogram(&self) -> &LatencyHistogram {
        self.histogram.as_ref()
    }

    /// A snapshot of the histogram (see [`LatencyHistogram::snapshot`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Timed;
    /// use hybrid_dispatch::{Service, service_fn};
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// let svc = Timed::new(service_fn(|x: u64| async move { x + 1 }));
    /// block_on(svc.call(1));
    /// drop(svc.call(2)); // never polled: not seen
    /// let stats = svc.stats();
    /// assert_eq!((stats.count, stats.cancelled), (1, 0));
    /// assert!(stats.max >= stats.mean().unwrap());
    /// ```
    #[must_use]
    pub fn stats(&self) -> LatencySnapshot {
        self.histogram().snapshot()
    }
}

impl<S, H> Timed<S, H> {
    /// The wrapped service.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Timed;
    ///
    /// assert_eq!(*Timed::new(5).get_ref(), 5);
    /// ```
    pub const fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Unwraps the service, discarding the histogram handle.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::Timed;
    ///
    /// assert_eq!(Timed::new(5).into_inner(), 5);
    /// ```
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, H, Req> Service<Req> for Timed<S, H>
where
    S: Service<Req>,
    H: AsRef<LatencyHistogram>,
{
    type Response = S::Response;
    type Future<'a>
        = TimedFuture<'a, S::Future<'a>>
    where
        Self: 'a;

    #[inline]
    fn call<'a>(&'a self, req: Req) -> Self::Future<'a> {
        TimedFuture::new(self.inner.call(req), self.histogram.as_ref())
    }

    #[inline]
    fn observe_erasure(&self, erasure: Erasure) {
        self.inner.observe_erasure(erasure);
    }
}

impl<S: fmt::Debug, H: fmt::Debug> fmt::Debug for Timed<S, H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timed")
            .field("inner", &self.inner)
            .field("histogram", &self.histogram)
            .finish()
    }
}

/// A [`Layer`] that wraps services in [`Timed`], each recording into a clone
/// of the histogram handle `H` — an `Arc<LatencyHistogram>` or a
/// `&'static LatencyHistogram`, so the numbers can be read without reaching
/// through the stack.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use hybrid_dispatch::layer::{LatencyHistogram, Layer, TimedLayer};
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let latency = Arc::new(LatencyHistogram::new());
/// let svc = TimedLayer::new(Arc::clone(&latency)).layer(service_fn(|x: u8| async move { x }));
/// block_on(svc.call(1));
/// assert_eq!(latency.snapshot().count, 1);
/// ```
#[derive(Clone, Copy, Debug)]
pub struct TimedLayer<H> {
    histogram: H,
}

impl<H> TimedLayer<H> {
    /// A layer recording into `histogram`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::{LatencyHistogram, TimedLayer};
    ///
    /// static LATENCY: LatencyHistogram = LatencyHistogram::new();
    /// let _ = TimedLayer::new(&LATENCY);
    /// ```
    pub const fn new(histogram: H) -> Self {
        TimedLayer { histogram }
    }
}

impl<S, H: AsRef<LatencyHistogram> + Clone> Layer<S> for TimedLayer<H> {
    type Service = Timed<S, H>;

    fn layer(&self, inner: S) -> Self::Service {
        Timed::with_histogram(inner, self.histogram.clone())
    }
}

pin_project! {
    /// The future returned by [`Timed`](crate::layer::Timed): the inner
    /// future, timed from its first poll to its completion.
    ///
    /// Adds a histogram reference and an `Option<Instant>` (24 bytes on
    /// 64-bit Linux) to the inner future.
    ///
    /// # Examples
    ///
    /// ```
    /// use core::future::Ready;
    /// use hybrid_dispatch::layer::{Timed, TimedFuture};
    /// use hybrid_dispatch::{Service, service_fn};
    ///
    /// let svc = Timed::new(service_fn(core::future::ready::<u8> as fn(u8) -> Ready<u8>));
    /// let fut: TimedFuture<'_, Ready<u8>> = svc.call(1);
    /// drop(fut); // never polled: not counted
    /// assert_eq!((svc.stats().count, svc.stats().cancelled), (0, 0));
    /// ```
    #[must_use = "futures do nothing unless you `.await` or poll them"]
    pub struct TimedFuture<'a, Fut> {
        #[pin]
        inner: Fut,
        histogram: &'a LatencyHistogram,
        // `Some` from the first poll until completion, so that the drop hook
        // can tell "cancelled while running" from "finished" and "never
        // started" without a separate flag.
        started: Option<Instant>,
    }

    impl<Fut> PinnedDrop for TimedFuture<'_, Fut> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if this.started.is_some() {
                this.histogram.record_cancelled();
            }
        }
    }
}

impl<'a, Fut> TimedFuture<'a, Fut> {
    pub(crate) const fn new(inner: Fut, histogram: &'a LatencyHistogram) -> Self {
        TimedFuture {
            inner,
            histogram,
            started: None,
        }
    }
}

impl<Fut: Future> Future for TimedFuture<'_, Fut> {
    type Output = Fut::Output;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Fut::Output> {
        let this = self.project();
        let started = *this.started.get_or_insert_with(Instant::now);
        let out = ready!(this.inner.poll(cx));
        this.histogram.record(started.elapsed());
        *this.started = None;
        Poll::Ready(out)
    }
}

impl<Fut> fmt::Debug for TimedFuture<'_, Fut> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimedFuture")
            .field("inner", &core::any::type_name::<Fut>())
            .field("started", &self.started)
            .finish_non_exhaustive()
    }
}
