//! [`Timed`]: per-call latency into a [`LatencyHistogram`].

use core::fmt;

use crate::Service;
use crate::layer::{LatencyHistogram, LatencySnapshot, TimedFuture};
use crate::layout::Erasure;

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
    /// See [`Timed`].
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
