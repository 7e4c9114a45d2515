//! The [`Layer`] trait.

/// Wraps a service in another: the unit of middleware.
///
/// A layer is a service *factory*: given an inner service it returns an
/// outer one that does something before, after or around each call. It is
/// the same idea as `tower::Layer`, for this crate's `&self`
/// [`Service`](crate::Service). The layer itself is configuration (a
/// closure, a shared histogram handle); [`layer`](Layer::layer) takes
/// `&self`, so one layer can wrap many services.
///
/// Every middleware in this crate returns a service whose future is a
/// *named* type, so a stack of layers keeps the static call path
/// allocation-free and stays erasable through
/// [`DynService`](crate::DynService) like any other service.
///
/// # Examples
///
/// ```
/// use hybrid_dispatch::layer::{Layer, MapResponseLayer};
/// use hybrid_dispatch::{Service, service_fn};
///
/// # fn block_on<F: core::future::Future>(f: F) -> F::Output {
/// #     let mut f = core::pin::pin!(f);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop { if let core::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let double = MapResponseLayer::new(|x: u64| x * 2);
/// let svc = double.layer(service_fn(|x: u64| async move { x + 1 }));
/// assert_eq!(block_on(svc.call(20)), 42);
/// ```
///
/// Writing your own: a layer is any type with a `layer` method.
///
/// ```
/// use hybrid_dispatch::layer::Layer;
///
/// #[derive(Debug)]
/// struct Retry(u32);
/// #[derive(Debug)]
/// struct Retrying<S> { inner: S, attempts: u32 }
///
/// impl<S> Layer<S> for Retry {
///     type Service = Retrying<S>;
///     fn layer(&self, inner: S) -> Retrying<S> {
///         Retrying { inner, attempts: self.0 }
///     }
/// }
/// assert_eq!(Retry(3).layer(()).attempts, 3);
/// ```
pub trait Layer<S> {
    /// The wrapped service.
    type Service;

    /// Wraps `inner`.
    ///
    /// # Examples
    ///
    /// ```
    /// use hybrid_dispatch::layer::{Identity, Layer};
    ///
    /// assert_eq!(Identity::new().layer(7), 7);
    /// ```
    fn layer(&self, inner: S) -> Self::Service;
}

impl<L: Layer<S> + ?Sized, S> Layer<S> for &L {
    type Service = L::Service;

    #[inline]
    fn layer(&self, inner: S) -> Self::Service {
        (**self).layer(inner)
    }
}
