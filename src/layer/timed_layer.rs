//! [`TimedLayer`]: the [`Layer`] for [`Timed`].

use crate::layer::{LatencyHistogram, Layer, Timed};

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
