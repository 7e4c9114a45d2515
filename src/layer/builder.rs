//! [`ServiceBuilder`]: a stack of layers, built outermost-first.

use crate::layer::inspect::InspectLayer;
use crate::layer::map_request::MapRequestLayer;
use crate::layer::map_response::MapResponseLayer;
use crate::layer::stack::{Identity, Layer, Stack};
#[cfg(feature = "std")]
use crate::layer::timed::TimedLayer;

/// Declares a stack of [`Layer`]s outermost first, then applies it to a
/// service: the shape tower users know from `tower::ServiceBuilder`.
///
/// The first layer added sees each request first and each response last.
/// Unlike [`ServiceExt`](crate::ServiceExt), which wraps one service
/// at a time, a builder is itself a `Layer` and can wrap many services the
/// same way. Closures given to the builder are not yet tied to a service, so
/// they need their argument types written out.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use hybrid_dispatch::layer::{Inspected, LatencyHistogram, ServiceBuilder};
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let latency = Arc::new(LatencyHistogram::new());
/// let svc = ServiceBuilder::new()
///     .timed(Arc::clone(&latency)) // outermost: times everything below
///     .inspect(|e: Inspected<'_, &str, usize>| println!("{e:?}"))
///     .map_request(|s: &str| s.to_uppercase())
///     .service(service_fn(|s: String| async move { s.len() }));
/// assert_eq!(block_on(svc.call("abc")), 3);
/// assert_eq!(latency.snapshot().count, 1);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct ServiceBuilder<L> {
    layer: L,
}

impl ServiceBuilder<Identity> {
    /// An empty builder.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::ServiceBuilder;
    ///
    /// assert_eq!(ServiceBuilder::new().service(5), 5);
    /// ```
    #[must_use]
    pub const fn new() -> Self {
        ServiceBuilder {
            layer: Identity::new(),
        }
    }
}

impl<L> ServiceBuilder<L> {
    /// Adds `layer` below the layers already added.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::{MapResponseLayer, ServiceBuilder};
    ///
    /// let builder = ServiceBuilder::new().layer(MapResponseLayer::new(|x: u8| x + 1));
    /// # let _ = builder;
    /// ```
    pub fn layer<T>(self, layer: T) -> ServiceBuilder<Stack<T, L>> {
        ServiceBuilder {
            layer: Stack::new(layer, self.layer),
        }
    }

    /// Adds a [`MapRequest`](crate::layer::MapRequest) layer.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::ServiceBuilder;
    ///
    /// let builder = ServiceBuilder::new().map_request(|x: u8| u64::from(x));
    /// # let _ = builder;
    /// ```
    pub fn map_request<F>(self, f: F) -> ServiceBuilder<Stack<MapRequestLayer<F>, L>> {
        self.layer(MapRequestLayer::new(f))
    }

    /// Adds a [`MapResponse`](crate::layer::MapResponse) layer.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::ServiceBuilder;
    ///
    /// let builder = ServiceBuilder::new().map_response(|x: u8| x == 0);
    /// # let _ = builder;
    /// ```
    pub fn map_response<F>(self, f: F) -> ServiceBuilder<Stack<MapResponseLayer<F>, L>> {
        self.layer(MapResponseLayer::new(f))
    }

    /// Adds an [`Inspect`](crate::layer::Inspect) layer.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::{Inspected, ServiceBuilder};
    ///
    /// let builder = ServiceBuilder::new().inspect(|e: Inspected<'_, u8, u8>| println!("{e:?}"));
    /// # let _ = builder;
    /// ```
    pub fn inspect<F>(self, f: F) -> ServiceBuilder<Stack<InspectLayer<F>, L>> {
        self.layer(InspectLayer::new(f))
    }

    /// Adds a [`Timed`](crate::layer::Timed) layer recording into
    /// `histogram` (an `Arc<LatencyHistogram>` or `&'static LatencyHistogram`).
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::{LatencyHistogram, ServiceBuilder};
    ///
    /// static LATENCY: LatencyHistogram = LatencyHistogram::new();
    /// let builder = ServiceBuilder::new().timed(&LATENCY);
    /// # let _ = builder;
    /// ```
    #[cfg(feature = "std")]
    pub fn timed<H>(self, histogram: H) -> ServiceBuilder<Stack<TimedLayer<H>, L>> {
        self.layer(TimedLayer::new(histogram))
    }

    /// Wraps `service` in every layer, outermost first.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::ServiceBuilder;
    /// use hybrid_dispatch::{Service, service_fn};
    ///
    /// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
    /// #     let mut f = core::pin::pin!(f);
    /// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
    /// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
    /// # }
    /// // One builder, two services wrapped the same way.
    /// let builder = ServiceBuilder::new()
    ///     .map_request(|x: u8| u64::from(x) * 10)
    ///     .map_response(|x: u64| x + 1);
    /// let a = builder.service(service_fn(|x: u64| async move { x }));
    /// let b = builder.service(service_fn(|x: u64| async move { 2 * x }));
    /// assert_eq!((block_on(a.call(1)), block_on(b.call(1))), (11, 21));
    /// ```
    pub fn service<S>(&self, service: S) -> L::Service
    where
        L: Layer<S>,
    {
        self.layer.layer(service)
    }

    /// The composed layer.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::{Identity, ServiceBuilder};
    ///
    /// let _: Identity = ServiceBuilder::new().into_inner();
    /// ```
    pub fn into_inner(self) -> L {
        self.layer
    }
}

impl<S, L: Layer<S>> Layer<S> for ServiceBuilder<L> {
    type Service = L::Service;

    fn layer(&self, inner: S) -> Self::Service {
        self.layer.layer(inner)
    }
}
